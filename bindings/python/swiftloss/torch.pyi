from typing import Any, Callable, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

__all__ = [
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "CrossEntropyFunction",
    "NLLLossFunction",
    "BCEFunction",
    "BCEWithLogitsFunction",
    "KLDivFunction",
    "MSELoss",
    "L1Loss",
    "SmoothL1Loss",
    "HuberLoss",
    "SoftMarginLoss",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "soft_margin_loss",
    "MSELossFunction",
    "L1LossFunction",
    "SmoothL1LossFunction",
    "HuberLossFunction",
    "SoftMarginLossFunction",
    "HingeEmbeddingLoss",
    "hinge_embedding_loss",
    "HingeEmbeddingLossFunction",
    "PoissonNLLLoss",
    "poisson_nll_loss",
    "PoissonNLLLossFunction",
    "MultiLabelSoftMarginLoss",
    "multilabel_soft_margin_loss",
    "MultiLabelSoftMarginLossFunction",
    "MarginRankingLoss",
    "margin_ranking_loss",
    "MarginRankingLossFunction",
    "MultiMarginLoss",
    "multi_margin_loss",
    "MultiMarginLossFunction",
    "MultiLabelMarginLoss",
    "multilabel_margin_loss",
    "MultiLabelMarginLossFunction",
    "GaussianNLLLoss",
    "gaussian_nll_loss",
    "GaussianNLLLossFunction",
    "CosineEmbeddingLoss",
    "cosine_embedding_loss",
    "CosineEmbeddingLossFunction",
    "TripletMarginLoss",
    "triplet_margin_loss",
    "TripletMarginLossFunction",
    "TripletMarginWithDistanceLoss",
    "triplet_margin_with_distance_loss",
    "CTCLoss",
    "ctc_loss",
    "CTCLossFunction",
    "LinearCrossEntropyLoss",
    "linear_cross_entropy",
    "LinearCrossEntropyFunction",
    "VocabParallelCrossEntropyFunction",
    "VocabParallelCrossEntropyLoss",
    "vocab_parallel_cross_entropy",
    "VocabParallelLinearCrossEntropyFunction",
    "VocabParallelLinearCrossEntropyLoss",
    "vocab_parallel_linear_cross_entropy",
]

def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Optional[Tensor] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
    *,
    z_loss: float = ...,
    softcap: Optional[float] = ...,
    return_z_loss: bool = ...,
) -> Any: ...
def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Optional[Tensor] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...
def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Optional[Tensor] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...
def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Optional[Tensor] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    pos_weight: Optional[Tensor] = ...,
) -> Tensor: ...
def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    log_target: bool = ...,
) -> Tensor: ...

def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    weight: Optional[Tensor] = ...,
) -> Tensor: ...
def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    weight: Optional[Tensor] = ...,
) -> Tensor: ...
def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    beta: float = ...,
) -> Tensor: ...
def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = ...,
    delta: float = ...,
    weight: Optional[Tensor] = ...,
) -> Tensor: ...
def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...

def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...

def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = ...,
    full: bool = ...,
    size_average: Optional[bool] = ...,
    eps: float = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...

# apply() takes every argument positionally: see each class's docstring for the order.
class CrossEntropyFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input: Tensor, target: Tensor, weight: Optional[Tensor], ignore_index: int,
        reduction: str, label_smoothing: float,
    ) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class NLLLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input: Tensor, target: Tensor, weight: Optional[Tensor], ignore_index: int,
        reduction: str,
    ) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class BCEFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: str) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class BCEWithLogitsFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input: Tensor, target: Tensor, weight: Optional[Tensor],
        pos_weight: Optional[Tensor], reduction: str,
    ) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class KLDivFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, reduction: str, log_target: bool) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class MSELossFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: str) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class L1LossFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: str) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class SmoothL1LossFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, reduction: str, beta: float) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class HuberLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: str, delta: float) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class SoftMarginLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, reduction: str) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class HingeEmbeddingLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, margin: float, reduction: str) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class _Loss(torch.nn.Module):
    reduction: str
    def __init__(
        self, size_average: Optional[bool] = ..., reduce: Optional[bool] = ..., reduction: str = ...
    ) -> None: ...
    def forward(self, input: Tensor, target: Tensor) -> Tensor: ...

class CrossEntropyLoss(_Loss):
    weight: Optional[Tensor]
    ignore_index: int
    label_smoothing: float
    z_loss: float
    softcap: Optional[float]
    return_z_loss: bool
    def __init__(
        self,
        weight: Optional[Tensor] = ...,
        size_average: Optional[bool] = ...,
        ignore_index: int = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
        label_smoothing: float = ...,
        *,
        z_loss: float = ...,
        softcap: Optional[float] = ...,
        return_z_loss: bool = ...,
    ) -> None: ...

class NLLLoss(_Loss):
    weight: Optional[Tensor]
    ignore_index: int
    def __init__(
        self,
        weight: Optional[Tensor] = ...,
        size_average: Optional[bool] = ...,
        ignore_index: int = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...

class BCELoss(_Loss):
    weight: Optional[Tensor]
    def __init__(
        self,
        weight: Optional[Tensor] = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...

class BCEWithLogitsLoss(_Loss):
    weight: Optional[Tensor]
    pos_weight: Optional[Tensor]
    def __init__(
        self,
        weight: Optional[Tensor] = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
        pos_weight: Optional[Tensor] = ...,
    ) -> None: ...

class KLDivLoss(_Loss):
    log_target: bool
    def __init__(
        self,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
        log_target: bool = ...,
    ) -> None: ...

class MSELoss(_Loss): ...
class L1Loss(_Loss): ...

class SmoothL1Loss(_Loss):
    beta: float
    def __init__(
        self,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
        beta: float = ...,
    ) -> None: ...

class HuberLoss(_Loss):
    delta: float
    def __init__(self, reduction: str = ..., delta: float = ...) -> None: ...

class SoftMarginLoss(_Loss): ...

class HingeEmbeddingLoss(_Loss):
    margin: float
    def __init__(
        self,
        margin: float = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...

class PoissonNLLLoss(_Loss):
    log_input: bool
    full: bool
    eps: float
    def __init__(
        self,
        log_input: bool = ...,
        full: bool = ...,
        size_average: Optional[bool] = ...,
        eps: float = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...
    def forward(self, log_input: Tensor, target: Tensor) -> Tensor: ...

class PoissonNLLLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float, reduction: str,
    ) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Optional[Tensor] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...

class MultiLabelSoftMarginLoss(_Loss):
    weight: Optional[Tensor]
    def __init__(
        self,
        weight: Optional[Tensor] = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...

class MultiLabelSoftMarginLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: str,
    ) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...

class MarginRankingLoss(_Loss):
    margin: float
    def __init__(
        self,
        margin: float = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...
    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor: ...  # type: ignore[override]

class MarginRankingLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input1: Tensor, input2: Tensor, target: Tensor, margin: float, reduction: str,
    ) -> Tuple[Tensor, Tensor, Tensor]: ...
    @staticmethod
    def backward(
        ctx: Any, grad_output: Tensor, grad_unit1: Optional[Tensor], grad_unit2: Optional[Tensor]
    ) -> Tuple[Optional[Tensor], ...]: ...

def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = ...,
    margin: float = ...,
    weight: Optional[Tensor] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...

class MultiMarginLoss(_Loss):
    p: int
    margin: float
    weight: Optional[Tensor]
    def __init__(
        self,
        p: int = ...,
        margin: float = ...,
        weight: Optional[Tensor] = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...

class MultiMarginLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input: Tensor, target: Tensor, p: int, margin: float, weight: Optional[Tensor], reduction: str,
    ) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...

class MultiLabelMarginLoss(_Loss): ...

class MultiLabelMarginLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, input: Tensor, target: Tensor, reduction: str) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Union[Tensor, float],
    full: bool = ...,
    eps: float = ...,
    reduction: str = ...,
) -> Tensor: ...

class GaussianNLLLoss(_Loss):
    full: bool
    eps: float
    def __init__(
        self,
        *,
        full: bool = ...,
        eps: float = ...,
        reduction: str = ...,
    ) -> None: ...
    def forward(self, input: Tensor, target: Tensor, var: Union[Tensor, float]) -> Tensor: ...  # type: ignore[override]

class GaussianNLLLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input: Tensor, var: Tensor, target: Tensor, full: bool, eps: float, reduction: str,
    ) -> Tuple[Tensor, Tensor, Tensor]: ...
    @staticmethod
    def backward(
        ctx: Any, grad_output: Tensor, grad_unit_input: Optional[Tensor], grad_unit_var: Optional[Tensor]
    ) -> Tuple[Optional[Tensor], ...]: ...

def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...

class CosineEmbeddingLoss(_Loss):
    margin: float
    def __init__(
        self,
        margin: float = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...
    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor: ...  # type: ignore[override]

class CosineEmbeddingLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input1: Tensor, input2: Tensor, target: Tensor, margin: float, reduction: str,
    ) -> Tuple[Tensor, Tensor, Tensor]: ...
    @staticmethod
    def backward(
        ctx: Any, grad_output: Tensor, grad_unit1: Optional[Tensor], grad_unit2: Optional[Tensor]
    ) -> Tuple[Optional[Tensor], ...]: ...

def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = ...,
    p: float = ...,
    eps: float = ...,
    swap: bool = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> Tensor: ...

class TripletMarginLoss(_Loss):
    margin: float
    p: float
    eps: float
    swap: bool
    def __init__(
        self,
        margin: float = ...,
        p: float = ...,
        eps: float = ...,
        swap: bool = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...
    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor: ...  # type: ignore[override]

class TripletMarginLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, anchor: Tensor, positive: Tensor, negative: Tensor, margin: float, p: float, eps: float,
        swap: bool, reduction: str,
    ) -> Tuple[Tensor, Tensor, Tensor, Tensor]: ...
    @staticmethod
    def backward(
        ctx: Any, grad_output: Tensor, grad_unit_anchor: Optional[Tensor], grad_unit_positive: Optional[Tensor],
        grad_unit_negative: Optional[Tensor],
    ) -> Tuple[Optional[Tensor], ...]: ...

def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Optional[Callable[[Tensor, Tensor], Tensor]] = ...,
    margin: float = ...,
    swap: bool = ...,
    reduction: str = ...,
) -> Tensor: ...

class TripletMarginWithDistanceLoss(_Loss):
    distance_function: Callable[[Tensor, Tensor], Tensor]
    margin: float
    swap: bool
    def __init__(
        self,
        *,
        distance_function: Optional[Callable[[Tensor, Tensor], Tensor]] = ...,
        margin: float = ...,
        swap: bool = ...,
        reduction: str = ...,
    ) -> None: ...
    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor: ...  # type: ignore[override]

def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Union[Tensor, Sequence[int]],
    target_lengths: Union[Tensor, Sequence[int]],
    blank: int = ...,
    reduction: str = ...,
    zero_infinity: bool = ...,
) -> Tensor: ...

class CTCLoss(_Loss):
    blank: int
    zero_infinity: bool
    def __init__(self, blank: int = ..., reduction: str = ..., zero_infinity: bool = ...) -> None: ...
    def forward(  # type: ignore[override]
        self,
        log_probs: Tensor,
        targets: Tensor,
        input_lengths: Union[Tensor, Sequence[int]],
        target_lengths: Union[Tensor, Sequence[int]],
    ) -> Tensor: ...

class CTCLossFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, log_probs: Tensor, targets: Tensor, input_lengths: Tensor, target_lengths: Tensor, blank: int,
        reduction: str, zero_infinity: bool,
    ) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor, grad_unit: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

class LinearCrossEntropyFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input: Tensor, linear_weight: Tensor, linear_bias: Optional[Tensor], target: Tensor,
        weight: Optional[Tensor], reduction: str, ignore_index: Optional[int], label_smoothing: float, z_loss: float,
        softcap: Optional[float],
    ) -> Tuple[Tensor, Tensor]: ...
    @staticmethod
    def backward(ctx: Any, grad_loss: Tensor, grad_z: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]: ...

def linear_cross_entropy(
    input: Tensor,
    linear_weight: Tensor,
    target: Tensor,
    *,
    linear_bias: Optional[Tensor] = ...,
    weight: Optional[Tensor] = ...,
    reduction: str = ...,
    ignore_index: Optional[int] = ...,
    label_smoothing: float = ...,
    options: Any = ...,
    z_loss: float = ...,
    softcap: Optional[float] = ...,
    return_z_loss: bool = ...,
) -> Union[Tensor, Tuple[Tensor, Tensor]]: ...

class LinearCrossEntropyLoss(torch.nn.Module):
    linear: torch.nn.Linear
    weight: Optional[Tensor]
    reduction: str
    ignore_index: Optional[int]
    label_smoothing: float
    options: Any
    z_loss: float
    softcap: Optional[float]
    return_z_loss: bool
    def __init__(
        self, in_features: int, num_classes: int, *, out_features: Tuple[int, ...] = ..., bias: bool = ...,
        device: Any = ..., dtype: Any = ..., reduction: str = ..., weight: Optional[Tensor] = ...,
        ignore_index: Optional[int] = ..., label_smoothing: float = ..., options: Any = ..., z_loss: float = ...,
        softcap: Optional[float] = ..., return_z_loss: bool = ...,
    ) -> None: ...
    def forward(self, input: Tensor, target: Tensor) -> Union[Tensor, Tuple[Tensor, Tensor]]: ...

class VocabParallelCrossEntropyFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, logits: Tensor, target: Tensor, vocab_start: int, num_classes: int, group: Any, all_reduce: Any,
        weight: Optional[Tensor], ignore_index: int, reduction: str, label_smoothing: float,
    ) -> Tensor: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tuple[Optional[Tensor], ...]: ...

def vocab_parallel_cross_entropy(
    logits: Tensor,
    target: Tensor,
    *,
    vocab_start: int,
    num_classes: int,
    group: Any = ...,
    all_reduce: Any = ...,
    weight: Optional[Tensor] = ...,
    ignore_index: int = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
) -> Tensor: ...

class VocabParallelCrossEntropyLoss(torch.nn.Module):
    vocab_start: int
    num_classes: int
    group: Any
    all_reduce: Any
    weight: Optional[Tensor]
    ignore_index: int
    reduction: str
    label_smoothing: float
    def __init__(
        self, vocab_start: int, num_classes: int, group: Any = ..., all_reduce: Any = ...,
        weight: Optional[Tensor] = ..., ignore_index: int = ..., reduction: str = ..., label_smoothing: float = ...,
    ) -> None: ...
    def forward(self, logits: Tensor, target: Tensor) -> Tensor: ...

class VocabParallelLinearCrossEntropyFunction(torch.autograd.Function):
    @staticmethod
    def forward(
        ctx: Any, input: Tensor, linear_weight: Tensor, linear_bias: Optional[Tensor], target: Tensor,
        vocab_start: int, num_classes: int, group: Any, all_reduce: Any, weight: Optional[Tensor],
        ignore_index: int, reduction: str, label_smoothing: float,
    ) -> Tensor: ...
    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> Tuple[Optional[Tensor], ...]: ...

def vocab_parallel_linear_cross_entropy(
    input: Tensor,
    linear_weight: Tensor,
    target: Tensor,
    *,
    vocab_start: int,
    num_classes: int,
    linear_bias: Optional[Tensor] = ...,
    group: Any = ...,
    all_reduce: Any = ...,
    weight: Optional[Tensor] = ...,
    ignore_index: int = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
) -> Tensor: ...

class VocabParallelLinearCrossEntropyLoss(torch.nn.Module):
    linear: torch.nn.Linear
    vocab_start: int
    num_classes: int
    group: Any
    all_reduce: Any
    weight: Optional[Tensor]
    ignore_index: int
    reduction: str
    label_smoothing: float
    def __init__(
        self, in_features: int, num_classes: int, vocab_start: int, shard_classes: int, *, bias: bool = ...,
        group: Any = ..., all_reduce: Any = ..., weight: Optional[Tensor] = ..., ignore_index: int = ...,
        reduction: str = ..., label_smoothing: float = ..., device: Any = ..., dtype: Any = ...,
    ) -> None: ...
    def forward(self, input: Tensor, target: Tensor) -> Tensor: ...
