from typing import Any, Optional, Union

import numpy as np
import numpy.typing as npt

_ArrayLike = npt.ArrayLike
_DTypeLike = npt.DTypeLike
# 'none' gives an ndarray, 'sum' and 'mean' a numpy scalar of the input's dtype.
_Loss = Union[np.ndarray, np.floating[Any]]

__all__ = [
    "softmax",
    "log_softmax",
    "nll_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
]

def softmax(
    input: _ArrayLike, dim: Optional[int] = ..., _stacklevel: int = ..., dtype: _DTypeLike = ...
) -> np.ndarray: ...
def log_softmax(
    input: _ArrayLike, dim: Optional[int] = ..., _stacklevel: int = ..., dtype: _DTypeLike = ...
) -> np.ndarray: ...
def nll_loss(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> _Loss: ...
def cross_entropy(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    ignore_index: int = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
) -> _Loss: ...
def binary_cross_entropy(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
) -> _Loss: ...
def binary_cross_entropy_with_logits(
    input: _ArrayLike,
    target: _ArrayLike,
    weight: Optional[_ArrayLike] = ...,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    pos_weight: Optional[_ArrayLike] = ...,
) -> _Loss: ...
def kl_div(
    input: _ArrayLike,
    target: _ArrayLike,
    size_average: Optional[bool] = ...,
    reduce: Optional[bool] = ...,
    reduction: str = ...,
    log_target: bool = ...,
) -> _Loss: ...
