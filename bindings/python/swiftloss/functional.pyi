from typing import Any, Callable, Literal, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

_ArrayLike = npt.ArrayLike
_DTypeLike = npt.DTypeLike
# 'none' gives an ndarray, 'sum' and 'mean' a numpy scalar of the input's dtype.
_Loss = Union[np.ndarray, np.floating[Any]]
# with_grad=True: (loss, gradient with respect to the input, of the input's shape and dtype).
_LossAndGrad = Tuple[_Loss, np.ndarray]
_OutputAndGrad = Tuple[np.ndarray, np.ndarray]
# out=: a buffer the result is written into (returned in place of a new array): a numpy
# array, a CPU torch tensor, array.array, memoryview or a DLPack object; with
# with_grad=True a pair (out, grad_out), either of which may be None.
_OutBuffer = Any
_OutPair = Tuple[Optional[_OutBuffer], Optional[_OutBuffer]]
# Losses of several learned inputs: with_grad=True gives (loss, (grad_1, grad_2, ...)), one
# gradient per learned input in argument order; out= is then (out, grad_outs), grad_outs None
# or a tuple of one buffer (or None) per learned input.
_LossAndGrads = Tuple[_Loss, Tuple[np.ndarray, ...]]
_OutGrads = Tuple[Optional[_OutBuffer], Optional[Tuple[Optional[_OutBuffer], ...]]]
# gaussian_nll_loss: (loss, (grad_input, grad_var)), grad_var None for a Python-float var.
_LossAndGaussianGrads = Tuple[_Loss, Tuple[np.ndarray, Optional[np.ndarray]]]

__all__ = [
    "softmax",
    "log_softmax",
    "nll_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "soft_margin_loss",
    "hinge_embedding_loss",
    "poisson_nll_loss",
    "multilabel_soft_margin_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "gaussian_nll_loss",
    "cosine_embedding_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "ctc_loss",
    "linear_cross_entropy",
    "NoAutogradWarning",
]

@overload
def softmax(
    input: _ArrayLike,
    dim: Optional[int] = ...,
    _stacklevel: int = ...,
    dtype: Optional[_DTypeLike] = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> np.ndarray: ...

@overload
def softmax(
    input: _ArrayLike,
    dim: Optional[int] = ...,
    _stacklevel: int = ...,
    dtype: Optional[_DTypeLike] = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _OutputAndGrad: ...

@overload
def softmax(
    input: _ArrayLike,
    dim: Optional[int] = ...,
    _stacklevel: int = ...,
    dtype: Optional[_DTypeLike] = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[np.ndarray, _OutputAndGrad]: ...

@overload
def log_softmax(
    input: _ArrayLike,
    dim: Optional[int] = ...,
    _stacklevel: int = ...,
    dtype: Optional[_DTypeLike] = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> np.ndarray: ...

@overload
def log_softmax(
    input: _ArrayLike,
    dim: Optional[int] = ...,
    _stacklevel: int = ...,
    dtype: Optional[_DTypeLike] = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _OutputAndGrad: ...

@overload
def log_softmax(
    input: _ArrayLike,
    dim: Optional[int] = ...,
    _stacklevel: int = ...,
    dtype: Optional[_DTypeLike] = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[np.ndarray, _OutputAndGrad]: ...

@overload
def nll_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def nll_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def nll_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def cross_entropy(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
    *,
    z_loss: float = ...,
    softcap: Optional[float] = ...,
    return_z_loss: Literal[False] = ...,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def cross_entropy(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
    *,
    z_loss: float = ...,
    softcap: Optional[float] = ...,
    return_z_loss: Literal[False] = ...,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def cross_entropy(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
    *,
    z_loss: float = ...,
    softcap: Optional[float] = ...,
    return_z_loss: Literal[True],
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> Tuple[_Loss, _Loss]: ...

@overload
def cross_entropy(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
    *,
    z_loss: float = ...,
    softcap: Optional[float] = ...,
    return_z_loss: Literal[True],
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> Tuple[_Loss, _Loss, np.ndarray]: ...

@overload
def cross_entropy(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
    *,
    z_loss: float = ...,
    softcap: Optional[float] = ...,
    return_z_loss: bool = ...,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad, Tuple[_Loss, _Loss], Tuple[_Loss, _Loss, np.ndarray]]: ...

@overload
def binary_cross_entropy(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def binary_cross_entropy(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def binary_cross_entropy(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def binary_cross_entropy_with_logits(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    pos_weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def binary_cross_entropy_with_logits(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    pos_weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def binary_cross_entropy_with_logits(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    pos_weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
class NoAutogradWarning(UserWarning): ...

def kl_div(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    log_target: bool = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def kl_div(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    log_target: bool = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def kl_div(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    log_target: bool = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def mse_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def mse_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def mse_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def l1_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def l1_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def l1_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def smooth_l1_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    beta: float = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def smooth_l1_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    beta: float = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def smooth_l1_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    beta: float = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def huber_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    reduction: str = ...,
    delta: float = ...,
    weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def huber_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    reduction: str = ...,
    delta: float = ...,
    weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def huber_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    reduction: str = ...,
    delta: float = ...,
    weight: Optional[_ArrayLike] = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def soft_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def soft_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def soft_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def hinge_embedding_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def hinge_embedding_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def hinge_embedding_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def poisson_nll_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    log_input: bool = ...,
    full: bool = ...,
    size_average: Optional[bool] = ...,
    eps: float = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def poisson_nll_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    log_input: bool = ...,
    full: bool = ...,
    size_average: Optional[bool] = ...,
    eps: float = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def poisson_nll_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    log_input: bool = ...,
    full: bool = ...,
    size_average: Optional[bool] = ...,
    eps: float = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def multilabel_soft_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def multilabel_soft_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def multilabel_soft_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def margin_ranking_loss(
    input1: _ArrayLike,
    input2: _ArrayLike,
    target: _ArrayLike,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def margin_ranking_loss(
    input1: _ArrayLike,
    input2: _ArrayLike,
    target: _ArrayLike,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutGrads] = ...,
) -> _LossAndGrads: ...

@overload
def margin_ranking_loss(
    input1: _ArrayLike,
    input2: _ArrayLike,
    target: _ArrayLike,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutGrads]] = ...,
) -> Union[_Loss, _LossAndGrads]: ...

@overload
def multi_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    p: int = ...,
    margin: float = ...,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def multi_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    p: int = ...,
    margin: float = ...,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def multi_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    p: int = ...,
    margin: float = ...,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def multilabel_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def multilabel_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def multilabel_margin_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

@overload
def gaussian_nll_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    var: Union[_ArrayLike, float],
    full: bool = ...,
    eps: float = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def gaussian_nll_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    var: Union[_ArrayLike, float],
    full: bool = ...,
    eps: float = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutGrads] = ...,
) -> _LossAndGaussianGrads: ...

@overload
def gaussian_nll_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    var: Union[_ArrayLike, float],
    full: bool = ...,
    eps: float = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutGrads]] = ...,
) -> Union[_Loss, _LossAndGaussianGrads]: ...

@overload
def cosine_embedding_loss(
    input1: _ArrayLike,
    input2: _ArrayLike,
    target: _ArrayLike,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def cosine_embedding_loss(
    input1: _ArrayLike,
    input2: _ArrayLike,
    target: _ArrayLike,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutGrads] = ...,
) -> _LossAndGrads: ...

@overload
def cosine_embedding_loss(
    input1: _ArrayLike,
    input2: _ArrayLike,
    target: _ArrayLike,
    margin: float = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutGrads]] = ...,
) -> Union[_Loss, _LossAndGrads]: ...

@overload
def triplet_margin_loss(
    anchor: _ArrayLike,
    positive: _ArrayLike,
    negative: _ArrayLike,
    margin: float = ...,
    p: float = ...,
    eps: float = ...,
    swap: bool = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def triplet_margin_loss(
    anchor: _ArrayLike,
    positive: _ArrayLike,
    negative: _ArrayLike,
    margin: float = ...,
    p: float = ...,
    eps: float = ...,
    swap: bool = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutGrads] = ...,
) -> _LossAndGrads: ...

@overload
def triplet_margin_loss(
    anchor: _ArrayLike,
    positive: _ArrayLike,
    negative: _ArrayLike,
    margin: float = ...,
    p: float = ...,
    eps: float = ...,
    swap: bool = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutGrads]] = ...,
) -> Union[_Loss, _LossAndGrads]: ...

@overload
def triplet_margin_with_distance_loss(
    anchor: _ArrayLike,
    positive: _ArrayLike,
    negative: _ArrayLike,
    *,
    distance_function: Optional[Callable[[np.ndarray, np.ndarray], Any]] = ...,
    margin: float = ...,
    swap: bool = ...,
    reduction: str = ...,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def triplet_margin_with_distance_loss(
    anchor: _ArrayLike,
    positive: _ArrayLike,
    negative: _ArrayLike,
    *,
    distance_function: Optional[Callable[[np.ndarray, np.ndarray], Any]] = ...,
    margin: float = ...,
    swap: bool = ...,
    reduction: str = ...,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutGrads] = ...,
) -> _LossAndGrads: ...

@overload
def triplet_margin_with_distance_loss(
    anchor: _ArrayLike,
    positive: _ArrayLike,
    negative: _ArrayLike,
    *,
    distance_function: Optional[Callable[[np.ndarray, np.ndarray], Any]] = ...,
    margin: float = ...,
    swap: bool = ...,
    reduction: str = ...,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutGrads]] = ...,
) -> Union[_Loss, _LossAndGrads]: ...

@overload
def ctc_loss(
    log_probs: _ArrayLike,
    targets: _ArrayLike,
    input_lengths: Union[_ArrayLike, Sequence[int]],
    target_lengths: Union[_ArrayLike, Sequence[int]],
    blank: int = ...,
    reduction: str = ...,
    zero_infinity: bool = ...,
    *,
    with_grad: Literal[False] = ...,
    grad_output: None = ...,
    out: Optional[_OutBuffer] = ...,
) -> _Loss: ...

@overload
def ctc_loss(
    log_probs: _ArrayLike,
    targets: _ArrayLike,
    input_lengths: Union[_ArrayLike, Sequence[int]],
    target_lengths: Union[_ArrayLike, Sequence[int]],
    blank: int = ...,
    reduction: str = ...,
    zero_infinity: bool = ...,
    *,
    with_grad: Literal[True],
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[_OutPair] = ...,
) -> _LossAndGrad: ...

@overload
def ctc_loss(
    log_probs: _ArrayLike,
    targets: _ArrayLike,
    input_lengths: Union[_ArrayLike, Sequence[int]],
    target_lengths: Union[_ArrayLike, Sequence[int]],
    blank: int = ...,
    reduction: str = ...,
    zero_infinity: bool = ...,
    *,
    with_grad: bool,
    grad_output: Optional[_ArrayLike] = ...,
    out: Optional[Union[_OutBuffer, _OutPair]] = ...,
) -> Union[_Loss, _LossAndGrad]: ...

def linear_cross_entropy(
    input: _ArrayLike,
    linear_weight: _ArrayLike,
    target: _ArrayLike,
    *,
    linear_bias: Optional[_ArrayLike] = ...,
    weight: Optional[_ArrayLike] = ...,
    reduction: str = ...,
    ignore_index: Optional[int] = ...,
    label_smoothing: float = ...,
    options: Any = ...,
    z_loss: float = ...,
    softcap: Optional[float] = ...,
    return_z_loss: bool = ...,
    with_grad: bool = ...,
    grad_output: Optional[_ArrayLike] = ...,
) -> Union[_Loss, Tuple[_Loss, _Loss], _LossAndGrads, Tuple[_Loss, _Loss, Tuple[np.ndarray, ...]]]: ...
