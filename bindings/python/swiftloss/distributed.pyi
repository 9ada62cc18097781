from typing import Any, Callable, Optional, Tuple, Union

import numpy as np

__all__ = ["cross_entropy", "linear_cross_entropy"]

def cross_entropy(
    logits: Any,
    target: Any,
    *,
    vocab_start: int,
    num_classes: int,
    group: Any = ...,
    all_reduce: Optional[Callable[[np.ndarray, str], None]] = ...,
    weight: Any = ...,
    ignore_index: int = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
    with_grad: bool = ...,
    grad_output: Any = ...,
) -> Union[Any, Tuple[Any, np.ndarray]]: ...
def linear_cross_entropy(
    input: Any,
    linear_weight: Any,
    target: Any,
    *,
    vocab_start: int,
    num_classes: int,
    linear_bias: Any = ...,
    group: Any = ...,
    all_reduce: Optional[Callable[[np.ndarray, str], None]] = ...,
    weight: Any = ...,
    ignore_index: int = ...,
    reduction: str = ...,
    label_smoothing: float = ...,
    z_loss: float = ...,
    softcap: Optional[float] = ...,
    with_grad: bool = ...,
    grad_output: Any = ...,
) -> Union[Any, Tuple[Any, Tuple[np.ndarray, ...]]]: ...
