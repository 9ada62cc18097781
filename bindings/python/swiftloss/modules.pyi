from typing import Any, Callable, Literal, Optional, Sequence, Union, overload

import numpy as np
import numpy.typing as npt

from .functional import _Loss as _LossValue
from .functional import (
    _LossAndGaussianGrads, _LossAndGrad, _LossAndGrads, _OutBuffer, _OutGrads, _OutPair, _OutputAndGrad,
)

_ArrayLike = npt.ArrayLike

__all__ = [
    "Softmax",
    "LogSoftmax",
    "NLLLoss",
    "CrossEntropyLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
    "MSELoss",
    "L1Loss",
    "SmoothL1Loss",
    "HuberLoss",
    "SoftMarginLoss",
    "HingeEmbeddingLoss",
    "PoissonNLLLoss",
    "MultiLabelSoftMarginLoss",
    "MarginRankingLoss",
    "MultiMarginLoss",
    "MultiLabelMarginLoss",
    "GaussianNLLLoss",
    "CosineEmbeddingLoss",
    "TripletMarginLoss",
    "TripletMarginWithDistanceLoss",
    "CTCLoss",
    "LinearCrossEntropyLoss",
]

class Softmax:
    dim: Optional[int]
    def __init__(self, dim: Optional[int] = ...) -> None: ...
    @overload
    def forward(
        self,
        input: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> np.ndarray: ...
    @overload
    def forward(
        self,
        input: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutPair] = ...,
    ) -> _OutputAndGrad: ...
    @overload
    def forward(
        self,
        input: _ArrayLike,
        *,
        with_grad: bool,
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[Union[_OutBuffer, _OutPair]] = ...,
    ) -> Union[np.ndarray, _OutputAndGrad]: ...
    @overload
    def __call__(
        self,
        input: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> np.ndarray: ...
    @overload
    def __call__(
        self,
        input: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutPair] = ...,
    ) -> _OutputAndGrad: ...
    @overload
    def __call__(
        self,
        input: _ArrayLike,
        *,
        with_grad: bool,
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[Union[_OutBuffer, _OutPair]] = ...,
    ) -> Union[np.ndarray, _OutputAndGrad]: ...
    def extra_repr(self) -> str: ...

class LogSoftmax:
    dim: Optional[int]
    def __init__(self, dim: Optional[int] = ...) -> None: ...
    @overload
    def forward(
        self,
        input: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> np.ndarray: ...
    @overload
    def forward(
        self,
        input: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutPair] = ...,
    ) -> _OutputAndGrad: ...
    @overload
    def forward(
        self,
        input: _ArrayLike,
        *,
        with_grad: bool,
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[Union[_OutBuffer, _OutPair]] = ...,
    ) -> Union[np.ndarray, _OutputAndGrad]: ...
    @overload
    def __call__(
        self,
        input: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> np.ndarray: ...
    @overload
    def __call__(
        self,
        input: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutPair] = ...,
    ) -> _OutputAndGrad: ...
    @overload
    def __call__(
        self,
        input: _ArrayLike,
        *,
        with_grad: bool,
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[Union[_OutBuffer, _OutPair]] = ...,
    ) -> Union[np.ndarray, _OutputAndGrad]: ...
    def extra_repr(self) -> str: ...

class _Loss:
    reduction: str
    def __init__(
        self, size_average: Optional[bool] = ..., reduce: Optional[bool] = ..., reduction: str = ...
    ) -> None: ...
    @overload
    def forward(
        self,
        input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> _LossValue: ...
    @overload
    def forward(
        self,
        input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutPair] = ...,
    ) -> _LossAndGrad: ...
    @overload
    def forward(
        self,
        input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: bool,
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[Union[_OutBuffer, _OutPair]] = ...,
    ) -> Union[_LossValue, _LossAndGrad]: ...
    @overload
    def __call__(
        self,
        input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> _LossValue: ...
    @overload
    def __call__(
        self,
        input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutPair] = ...,
    ) -> _LossAndGrad: ...
    @overload
    def __call__(
        self,
        input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: bool,
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[Union[_OutBuffer, _OutPair]] = ...,
    ) -> Union[_LossValue, _LossAndGrad]: ...
    def extra_repr(self) -> str: ...

class NLLLoss(_Loss):
    weight: Optional[_ArrayLike]
    ignore_index: int
    def __init__(
        self,
        weight: Optional[_ArrayLike] = ...,
        size_average: Optional[bool] = ...,
        ignore_index: int = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...

class CrossEntropyLoss(_Loss):
    weight: Optional[_ArrayLike]
    ignore_index: int
    label_smoothing: float
    z_loss: float
    softcap: Optional[float]
    return_z_loss: bool
    def __init__(
        self,
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
    ) -> None: ...

class BCELoss(_Loss):
    weight: Optional[_ArrayLike]
    def __init__(
        self,
        weight: Optional[_ArrayLike] = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...

class BCEWithLogitsLoss(_Loss):
    weight: Optional[_ArrayLike]
    pos_weight: Optional[_ArrayLike]
    def __init__(
        self,
        weight: Optional[_ArrayLike] = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
        pos_weight: Optional[_ArrayLike] = ...,
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
    @overload
    def forward(
        self,
        log_input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> _LossValue: ...
    @overload
    def forward(
        self,
        log_input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutPair] = ...,
    ) -> _LossAndGrad: ...
    @overload
    def forward(
        self,
        log_input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: bool,
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[Union[_OutBuffer, _OutPair]] = ...,
    ) -> Union[_LossValue, _LossAndGrad]: ...
    @overload
    def __call__(
        self,
        log_input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> _LossValue: ...
    @overload
    def __call__(
        self,
        log_input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutPair] = ...,
    ) -> _LossAndGrad: ...
    @overload
    def __call__(
        self,
        log_input: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: bool,
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[Union[_OutBuffer, _OutPair]] = ...,
    ) -> Union[_LossValue, _LossAndGrad]: ...
    def extra_repr(self) -> str: ...

class MultiLabelSoftMarginLoss(_Loss):
    weight: Optional[_ArrayLike]
    def __init__(
        self,
        weight: Optional[_ArrayLike] = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...

class MarginRankingLoss(_Loss):
    margin: float
    def __init__(
        self,
        margin: float = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...
    @overload  # type: ignore[override]
    def forward(
        self,
        input1: _ArrayLike,
        input2: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> _LossValue: ...
    @overload
    def forward(
        self,
        input1: _ArrayLike,
        input2: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutGrads] = ...,
    ) -> _LossAndGrads: ...

class MultiMarginLoss(_Loss):
    p: int
    margin: float
    weight: Optional[_ArrayLike]
    def __init__(
        self,
        p: int = ...,
        margin: float = ...,
        weight: Optional[_ArrayLike] = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...

class MultiLabelMarginLoss(_Loss): ...

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
    @overload  # type: ignore[override]
    def forward(
        self,
        input: _ArrayLike,
        target: _ArrayLike,
        var: Union[_ArrayLike, float],
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> _LossValue: ...
    @overload
    def forward(
        self,
        input: _ArrayLike,
        target: _ArrayLike,
        var: Union[_ArrayLike, float],
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutGrads] = ...,
    ) -> _LossAndGaussianGrads: ...

class CosineEmbeddingLoss(_Loss):
    margin: float
    def __init__(
        self,
        margin: float = ...,
        size_average: Optional[bool] = ...,
        reduce: Optional[bool] = ...,
        reduction: str = ...,
    ) -> None: ...
    @overload  # type: ignore[override]
    def forward(
        self,
        input1: _ArrayLike,
        input2: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> _LossValue: ...
    @overload
    def forward(
        self,
        input1: _ArrayLike,
        input2: _ArrayLike,
        target: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutGrads] = ...,
    ) -> _LossAndGrads: ...

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
    @overload  # type: ignore[override]
    def forward(
        self,
        anchor: _ArrayLike,
        positive: _ArrayLike,
        negative: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> _LossValue: ...
    @overload
    def forward(
        self,
        anchor: _ArrayLike,
        positive: _ArrayLike,
        negative: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutGrads] = ...,
    ) -> _LossAndGrads: ...

class TripletMarginWithDistanceLoss(_Loss):
    distance_function: Optional[Callable[[np.ndarray, np.ndarray], Any]]
    margin: float
    swap: bool
    def __init__(
        self,
        *,
        distance_function: Optional[Callable[[np.ndarray, np.ndarray], Any]] = ...,
        margin: float = ...,
        swap: bool = ...,
        reduction: str = ...,
    ) -> None: ...
    @overload  # type: ignore[override]
    def forward(
        self,
        anchor: _ArrayLike,
        positive: _ArrayLike,
        negative: _ArrayLike,
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> _LossValue: ...
    @overload
    def forward(
        self,
        anchor: _ArrayLike,
        positive: _ArrayLike,
        negative: _ArrayLike,
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutGrads] = ...,
    ) -> _LossAndGrads: ...

class CTCLoss(_Loss):
    blank: int
    zero_infinity: bool
    def __init__(self, blank: int = ..., reduction: str = ..., zero_infinity: bool = ...) -> None: ...
    @overload  # type: ignore[override]
    def forward(
        self,
        log_probs: _ArrayLike,
        targets: _ArrayLike,
        input_lengths: Union[_ArrayLike, Sequence[int]],
        target_lengths: Union[_ArrayLike, Sequence[int]],
        *,
        with_grad: Literal[False] = ...,
        grad_output: None = ...,
        out: Optional[_OutBuffer] = ...,
    ) -> _LossValue: ...
    @overload
    def forward(
        self,
        log_probs: _ArrayLike,
        targets: _ArrayLike,
        input_lengths: Union[_ArrayLike, Sequence[int]],
        target_lengths: Union[_ArrayLike, Sequence[int]],
        *,
        with_grad: Literal[True],
        grad_output: Optional[_ArrayLike] = ...,
        out: Optional[_OutPair] = ...,
    ) -> _LossAndGrad: ...

class LinearCrossEntropyLoss(_Loss):
    in_features: int
    num_classes: int
    linear_weight: np.ndarray
    linear_bias: Optional[np.ndarray]
    weight: Optional[_ArrayLike]
    ignore_index: Optional[int]
    label_smoothing: float
    options: Any
    z_loss: float
    softcap: Optional[float]
    return_z_loss: bool
    def __init__(
        self, in_features: int, num_classes: int, *, out_features: Tuple[int, ...] = ..., bias: bool = ...,
        dtype: Any = ..., reduction: str = ..., weight: Optional[_ArrayLike] = ..., ignore_index: Optional[int] = ...,
        label_smoothing: float = ..., options: Any = ..., z_loss: float = ..., softcap: Optional[float] = ...,
        return_z_loss: bool = ...,
    ) -> None: ...
    def forward(  # type: ignore[override]
        self, input: _ArrayLike, target: _ArrayLike, *, with_grad: bool = ..., grad_output: Optional[_ArrayLike] = ...
    ) -> Any: ...
