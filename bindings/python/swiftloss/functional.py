"""PyTorch's loss functions on numpy arrays, with torch.nn.functional's names and keywords.

Every function takes anything ``numpy.asarray`` accepts (lists, numpy arrays, CPU torch
tensors), checks shapes and arguments in Python so that errors read like PyTorch's, and
computes in the C library libswiftloss through :mod:`swiftloss._swiftloss`.

Conventions (see the package docstring for the full list):

* float32 and float64 inputs are computed in their own precision and the result keeps the
  input's dtype; float16 is computed in float32 and longdouble in float64, then cast back.
  Integer, bool, complex and object inputs where PyTorch wants floating point raise
  ``TypeError`` (PyTorch raises ``RuntimeError`` "not implemented for 'Long'").
* Targets, weights and pos_weights of another real dtype are converted to the input's dtype.
  Class-index targets may have any integer dtype.
* ``reduction='none'`` returns an ndarray of the target's shape; ``'sum'`` and ``'mean'``
  return a numpy scalar of the input's dtype.
* Where PyTorch raises ``RuntimeError`` for a bad argument (a wrong weight size, label
  smoothing above 1, BCE values outside [0, 1], ...), swiftloss raises ``ValueError`` with
  PyTorch's message; ``IndexError`` and ``ValueError`` are raised where PyTorch raises them.
"""
from __future__ import annotations

import operator
import warnings
from typing import Any, Optional, Tuple

import numpy as np

from . import _swiftloss as _C

__all__ = [
    "softmax",
    "log_softmax",
    "nll_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
]

_NONE = _C.REDUCTION_NONE
_SUM = _C.REDUCTION_SUM
_MEAN = _C.REDUCTION_MEAN
_BATCHMEAN = _C.REDUCTION_BATCHMEAN

_INT64_MAX = np.iinfo(np.int64).max


# ------------------------------------------------------------------------------------------
# Argument helpers
# ------------------------------------------------------------------------------------------

def _shape_str(shape: Tuple[int, ...]) -> str:
    """A shape as PyTorch prints sizes in its messages: [2, 3]."""
    return "[" + ", ".join(str(int(s)) for s in shape) + "]"


def _torch_size_str(shape: Tuple[int, ...]) -> str:
    """A shape as torch.Size's repr, which PyTorch's Python-level messages print."""
    return "torch.Size(" + _shape_str(shape) + ")"


def _legacy_get_string(size_average: Optional[bool], reduce: Optional[bool], stacklevel: int = 4) -> str:
    """The reduction named by the deprecated size_average / reduce pair (as PyTorch)."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        stacklevel=stacklevel,
    )
    return ret


def _reduction_string(size_average: Optional[bool], reduce: Optional[bool], reduction: Any) -> Any:
    if size_average is not None or reduce is not None:
        return _legacy_get_string(size_average, reduce)
    return reduction


def _reduction_enum(reduction: Any) -> int:
    """PyTorch's _Reduction.get_enum: 'none', 'mean', 'sum' (and deprecated 'elementwise_mean')."""
    if isinstance(reduction, str):
        if reduction == "none":
            return _NONE
        if reduction == "mean":
            return _MEAN
        if reduction == "sum":
            return _SUM
        if reduction == "elementwise_mean":
            warnings.warn(
                "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                stacklevel=3,
            )
            return _MEAN
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _compute_dtype(dtype: np.dtype, name: str, function: str) -> np.dtype:
    """The dtype a floating-point argument is computed in: float32 or float64 (native order)."""
    if dtype.kind != "f":
        raise TypeError(
            f"{function}: expected a floating-point {name} (float32 or float64), got {dtype}"
        )
    return np.dtype(np.float32) if dtype.itemsize <= 4 else np.dtype(np.float64)


def _float_input(value: Any, function: str, name: str = "input") -> Tuple[np.ndarray, np.dtype]:
    """The input as a C-contiguous float32/float64 array, and the dtype to return results in."""
    array = np.asarray(value)
    compute = _compute_dtype(array.dtype, name, function)
    result_dtype = array.dtype if array.dtype.isnative else array.dtype.newbyteorder("=")
    return np.asarray(array, dtype=compute, order="C"), result_dtype


def _real_array(value: Any, dtype: np.dtype, function: str, name: str) -> np.ndarray:
    """A target / weight / pos_weight of any real dtype, as a C-contiguous array of dtype."""
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{function}: expected a real-valued {name}, got {array.dtype}")
    return np.asarray(array, dtype=dtype, order="C")


def _finish(output: np.ndarray, reduction: int, shape: Tuple[int, ...], result_dtype: np.dtype):
    """'none': an ndarray of shape; 'sum' / 'mean': a numpy scalar; both of result_dtype."""
    if output.dtype != result_dtype:
        output = output.astype(result_dtype)
    if reduction == _NONE:
        return output.reshape(shape)
    return output[0]


def _output(count: int, reduction: int, dtype: np.dtype) -> np.ndarray:
    return np.empty(count if reduction == _NONE else 1, dtype=dtype)


# ------------------------------------------------------------------------------------------
# Gradients: with_grad=True, grad_output=...
# ------------------------------------------------------------------------------------------

_REDUCTION_NAMES = {_NONE: "none", _SUM: "sum", _MEAN: "mean", _BATCHMEAN: "batchmean"}


def _wants_grad(with_grad: Any, grad_output: Any, function: str) -> bool:
    """with_grad as a bool. A grad_output without with_grad=True is a mistake, not ignored."""
    if with_grad:
        return True
    if grad_output is not None:
        raise ValueError(f"{function}: grad_output is only used with with_grad=True")
    return False


def _grad_output(
    value: Any, shape: Tuple[int, ...], dtype: np.dtype, function: str, reduction: Optional[str]
) -> Optional[np.ndarray]:
    """The upstream gradient as a flat C-contiguous array of dtype, or None when not given.

    It must have the result's shape exactly: () for 'sum' / 'mean' / 'batchmean', the loss's
    shape for 'none' and the output's shape for softmax / log_softmax (reduction None).
    """
    if value is None:
        return None
    g = _real_array(value, dtype, function, "grad_output")
    shape = tuple(shape)
    if g.shape != shape:
        if reduction is None:
            expected = f"must have the output's shape {_shape_str(shape)}"
        elif shape == ():
            expected = f"must be a scalar (shape []) for reduction='{reduction}'"
        else:
            expected = f"must have the loss's shape {_shape_str(shape)} for reduction='{reduction}'"
        raise ValueError(f"{function}: grad_output {expected}, got shape {_shape_str(g.shape)}")
    return g.reshape(-1)


def _ones_if_none(g: Optional[np.ndarray], count: int, dtype: np.dtype) -> np.ndarray:
    return np.ones(count, dtype=dtype) if g is None else g


def _grad_result(grad: np.ndarray, shape: Tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """The gradient in the input's shape and dtype."""
    if grad.dtype != dtype:
        grad = grad.astype(dtype)
    return grad.reshape(shape)


def _sum_to_shape(grad: np.ndarray, shape: Tuple[int, ...]) -> np.ndarray:
    """The gradient of a broadcast input summed back to the input's own shape (as autograd)."""
    if grad.shape == tuple(shape):
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, size in enumerate(shape) if size == 1 and grad.shape[lead + i] != 1
    )
    return np.ascontiguousarray(grad.sum(axis=axes, keepdims=True).reshape(shape))


def _infer_size(a: Tuple[int, ...], b: Tuple[int, ...]) -> Tuple[int, ...]:
    """The broadcast of shapes a and b, with PyTorch's message when they do not broadcast."""
    ndim = max(len(a), len(b))
    out = [0] * ndim
    for i in range(ndim - 1, -1, -1):
        offset = ndim - 1 - i
        dim_a = a[len(a) - 1 - offset] if len(a) - 1 - offset >= 0 else 1
        dim_b = b[len(b) - 1 - offset] if len(b) - 1 - offset >= 0 else 1
        if dim_a != dim_b and dim_a != 1 and dim_b != 1:
            raise ValueError(
                f"The size of tensor a ({dim_a}) must match the size of tensor b ({dim_b}) "
                f"at non-singleton dimension {i}"
            )
        out[i] = dim_b if dim_a == 1 else dim_a
    return tuple(out)


def _elementwise_weight(
    value: Any, shape: Tuple[int, ...], dtype: np.dtype, function: str, name: str
) -> Optional[np.ndarray]:
    """A weight broadcast to shape, as the library takes it.

    A weight whose shape (without leading 1s) is a trailing part of shape is passed as it is:
    the library gives element k the weight[k % len(weight)]. Any other broadcastable weight is
    expanded to the full shape.
    """
    if value is None:
        return None
    weight = _real_array(value, dtype, function, name)
    wshape = weight.shape
    while wshape and wshape[0] == 1:
        wshape = wshape[1:]
    if len(wshape) <= len(shape) and tuple(shape[len(shape) - len(wshape):]) == wshape:
        return weight.reshape(-1)
    broadcast = _infer_size(tuple(shape), weight.shape)
    if broadcast != tuple(shape):
        raise ValueError(
            f"{name} of shape {_shape_str(weight.shape)} does not broadcast to the input's "
            f"shape {_shape_str(shape)}"
        )
    return np.ascontiguousarray(np.broadcast_to(weight, shape)).reshape(-1)


def _wrap_dim(dim: Any, ndim: int) -> int:
    """dim in [0, ndim) from PyTorch's [-ndim, ndim - 1] (a 0-d array counts as 1-d)."""
    dim = operator.index(dim)
    size = max(ndim, 1)
    low, high = -size, size - 1
    if dim < low or dim > high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
        )
    return dim + size if dim < 0 else dim


# ------------------------------------------------------------------------------------------
# softmax, log_softmax
# ------------------------------------------------------------------------------------------

def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_common(input, dim, stacklevel, dtype, name, kernel, backward, with_grad, grad_output):
    grad = _wants_grad(with_grad, grad_output, name)
    array = np.asarray(input)
    input_dtype = array.dtype
    if dtype is not None:
        dtype = np.dtype(dtype)
        _compute_dtype(dtype, "dtype", name)
        array = array.astype(dtype, copy=False)
    x, result_dtype = _float_input(array, name)
    if dim is None:
        dim = _softmax_dim(name, x.ndim, stacklevel + 1)
    axis = _wrap_dim(dim, x.ndim)
    shape = x.shape if x.ndim else (1,)
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    g = _grad_output(grad_output, x.shape, x.dtype, name, None) if grad else None
    output = np.empty_like(x)
    kernel(x, outer, shape[axis], inner, output)
    result = output.astype(result_dtype, copy=False)
    if not grad:
        return result
    grad_input = np.empty_like(x)
    backward(output, _ones_if_none(g, x.size, x.dtype), outer, shape[axis], inner, grad_input)
    # The gradient takes the input's dtype (not the dtype= the softmax was computed in), as
    # autograd's; an input that is not floating point gets the result's dtype.
    grad_dtype = input_dtype if input_dtype.kind == "f" else result_dtype
    if not grad_dtype.isnative:
        grad_dtype = grad_dtype.newbyteorder("=")
    return result, _grad_result(grad_input, x.shape, grad_dtype)


def softmax(
    input: Any,
    dim: Optional[int] = None,
    _stacklevel: int = 3,
    dtype: Any = None,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
):
    r"""Softmax along ``dim``: :math:`\mathrm{softmax}(x)_i = e^{x_i - M} / \sum_j e^{x_j - M}`.

    ``M`` is the maximum along ``dim``. The result has the input's shape and dtype; each slice
    along ``dim`` is non-negative and sums to 1. A slice that is all ``-inf``, or that holds
    ``+inf`` or NaN, gives NaN; ``-inf`` entries of an otherwise finite slice give 0.

    Args:
        input: array of any shape, float32 or float64 (float16 is computed in float32).
        dim: the axis, negative counting from the end. ``None`` picks PyTorch's deprecated
            implicit axis (0 for 0-, 1- and 3-d input, else 1) with a warning.
        dtype: if given, the input is cast to this floating dtype first.
        with_grad: also return the gradient with respect to ``input`` (keyword only).
        grad_output: the upstream gradient, an array of the output's shape (keyword only).

    Gradient (``with_grad=True``): returns ``(y, grad_input)`` with ``y = softmax(input)`` and,
    per slice along ``dim``, :math:`\partial x = y \odot (g - \sum(g \odot y))` where
    :math:`g` = ``grad_output`` (ones by default, which gives a zero gradient since every slice
    sums to 1). ``grad_input`` has the input's shape and dtype (with ``dtype=``, the input's
    own dtype, as autograd).

    Raises:
        IndexError: ``dim`` out of range, "Dimension out of range (expected to be in range of
            [-2, 1], but got 2)".
        TypeError: an integer, bool or complex input.
        ValueError: a ``grad_output`` whose shape is not the output's.
    """
    return _softmax_common(
        input, dim, _stacklevel, dtype, "softmax", _C.softmax, _C.softmax_backward, with_grad, grad_output
    )


def log_softmax(
    input: Any,
    dim: Optional[int] = None,
    _stacklevel: int = 3,
    dtype: Any = None,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
):
    r"""Log-softmax along ``dim``: :math:`\log\mathrm{softmax}(x)_i = x_i - M - \log\sum_j e^{x_j - M}`.

    Computed without forming the softmax, so it stays finite where ``log(softmax(x))`` would
    underflow to ``-inf``. Same arguments, shape rules and errors as :func:`softmax`; ``-inf``
    entries of an otherwise finite slice give ``-inf``.

    Gradient (``with_grad=True``): returns ``(y, grad_input)`` with ``y = log_softmax(input)``
    and, per slice along ``dim``, :math:`\partial x = g - e^{y} \sum g` where :math:`g` =
    ``grad_output``, an array of the output's shape (ones by default). ``grad_input`` has the
    input's shape and dtype.
    """
    return _softmax_common(
        input, dim, _stacklevel, dtype, "log_softmax", _C.log_softmax, _C.log_softmax_backward,
        with_grad, grad_output,
    )


# ------------------------------------------------------------------------------------------
# Class-axis losses
# ------------------------------------------------------------------------------------------

def _class_layout(ishape: Tuple[int, ...], tshape: Tuple[int, ...]) -> Tuple[int, int, int, Tuple[int, ...]]:
    """(batch, classes, inner, 'none' shape) for class-index targets, with PyTorch's checks."""
    nd = len(ishape)
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    if nd == 1:
        if len(tshape) > 1:
            raise ValueError("0D or 1D target tensor expected, multi-target not supported")
        if len(tshape) == 1:
            raise ValueError(
                f"size mismatch (got input: {_shape_str(ishape)}, target: {_shape_str(tshape)})"
            )
        return 1, ishape[0], 1, ()
    batch = ishape[0]
    if len(tshape) == 0:
        raise ValueError(
            f"Expected target size {_shape_str((batch,) + tuple(ishape[2:]))}, got {_shape_str(tshape)}"
        )
    if tshape[0] != batch:
        raise ValueError(
            f"Expected input batch_size ({batch}) to match target batch_size ({tshape[0]})."
        )
    if nd == 2:
        if len(tshape) != 1:
            raise ValueError("0D or 1D target tensor expected, multi-target not supported")
        return batch, ishape[1], 1, (batch,)
    if tuple(tshape[1:]) != tuple(ishape[2:]):
        raise ValueError(
            f"Expected target size {_shape_str((batch,) + tuple(ishape[2:]))}, got {_shape_str(tshape)}"
        )
    inner = int(np.prod(ishape[2:], dtype=np.int64))
    return batch, ishape[1], inner, tuple(tshape)


def _class_weight(value: Any, classes: int, ndim: int, dtype: np.dtype, function: str, prefix: str = "") -> Optional[np.ndarray]:
    if value is None:
        return None
    weight = _real_array(value, dtype, function, "weight")
    # PyTorch: a 1-d weight of C elements; spatial inputs (3 or more dims) only check the count.
    if weight.size != classes or (weight.ndim != 1 and (ndim <= 2 or prefix)):
        raise ValueError(
            f"{prefix}weight tensor should be defined either for all {classes} classes or no "
            f"classes but got weight tensor of shape: {_shape_str(weight.shape)}"
        )
    return weight.reshape(-1)


def _class_target(value: Any, function: str, probability_hint: str = "") -> np.ndarray:
    """Class indices of any integer dtype as a C-contiguous int64 array."""
    array = np.asarray(value)
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"{function}: expected a target of integer class indices, got {array.dtype}"
            + probability_hint
        )
    if array.dtype == np.uint64 and array.size and int(array.max()) > _INT64_MAX:
        first = int(array.reshape(-1)[np.argmax(array.reshape(-1) > _INT64_MAX)])
        raise IndexError(f"Target {first} is out of bounds.")
    return np.asarray(array, dtype=np.int64, order="C")


def _check_targets(target: np.ndarray, classes: int, ignore_index: int) -> None:
    """PyTorch's IndexError for the first target outside [0, classes) that is not ignored.

    Called only after the C library has reported SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS (it
    checks every target before it writes anything), to name the offending value as PyTorch
    does; the common path pays for no second pass over the targets."""
    flat = target.reshape(-1)
    bad = (flat < 0) | (flat >= classes)
    if ignore_index is not None:
        bad &= flat != ignore_index
    if bad.any():
        raise IndexError(f"Target {int(flat[np.argmax(bad)])} is out of bounds.")


def _ignore_index(value: Any) -> int:
    value = operator.index(value)
    if not -(2**63) <= value <= _INT64_MAX:
        raise OverflowError(f"ignore_index {value} does not fit in int64")
    return value


def _label_smoothing(value: Any) -> float:
    """PyTorch's rule: > 1 is an error; anything not > 0 (negative, NaN) means no smoothing."""
    eps = float(value)
    if not eps > 0.0:
        return 0.0
    if eps > 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {eps:g}")
    return eps


def nll_loss(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: Optional[bool] = None,
    ignore_index: int = -100,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
):
    r"""Negative log-likelihood: :math:`\ell_n = -w_{y_n} x_{n, y_n}` for :math:`y_n \ne` ignore_index.

    ``input`` holds log-probabilities (e.g. the output of :func:`log_softmax`) with the class
    axis at dim 1: ``(C,)`` with a 0-d target, ``(N, C)`` with target ``(N,)``, or
    ``(N, C, d1, ..., dk)`` with target ``(N, d1, ..., dk)``. The input is not checked: given
    probabilities instead of log-probabilities, the loss is :math:`-w_{y} p_{y}`, a negative
    number, exactly as PyTorch's.

    Reductions: ``'none'`` the per-sample losses (0 where the target is ignored), ``'sum'``
    their sum, ``'mean'`` :math:`\sum_n \ell_n / \sum_n w_{y_n}` over the non-ignored samples
    (NaN when that sum is 0, as PyTorch).

    Args:
        input: log-probabilities, float32 or float64.
        target: class indices of any integer dtype, in ``[0, C)`` or equal to ``ignore_index``.
        weight: ``None`` or C class weights.
        size_average, reduce: deprecated, as in PyTorch (use ``reduction``).
        ignore_index: a target value that contributes nothing and is not counted.
        reduction: ``'none'``, ``'mean'`` or ``'sum'``.
        with_grad: also return the gradient with respect to ``input`` (keyword only).
        grad_output: the upstream gradient (keyword only): a scalar for ``'sum'`` / ``'mean'``,
            an array of the loss's shape for ``'none'``; ones when not given.

    Gradient (``with_grad=True``): returns ``(loss, grad_input)``, ``grad_input`` =
    d(sum(loss * grad_output)) / d(input), of the input's shape and dtype:
    :math:`\partial x_{n, y_n} = -w_{y_n} s_n` at each counted target and 0 elsewhere, with
    :math:`s_n` = ``grad_output[n]`` for ``'none'``, ``grad_output`` for ``'sum'`` and
    ``grad_output`` :math:`/ \sum_n w_{y_n}` for ``'mean'`` (all targets ignored: a zero
    gradient beside the NaN loss, as PyTorch). Ignored samples get zero gradient.

    Raises:
        IndexError: "Target 5 is out of bounds."
        ValueError: a bad reduction, batch size, target shape or weight size (PyTorch's text);
            a ``grad_output`` of the wrong shape, or given without ``with_grad=True``.
        TypeError: a non-integer target or non-floating input.
    """
    grad = _wants_grad(with_grad, grad_output, "nll_loss")
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    x, result_dtype = _float_input(input, "nll_loss")
    t = _class_target(target, "nll_loss")
    batch, classes, inner, out_shape = _class_layout(x.shape, t.shape)
    w = _class_weight(weight, classes, x.ndim, x.dtype, "nll_loss")
    ignore = _ignore_index(ignore_index)
    if grad:
        g = _grad_output(grad_output, out_shape if red == _NONE else (), x.dtype, "nll_loss", _REDUCTION_NAMES[red])
    output = _output(batch * inner, red, x.dtype)
    try:
        _C.nll_loss(x, t, batch, classes, inner, w, ignore, red, output)
    except IndexError:
        _check_targets(t, classes, ignore)
        raise
    result = _finish(output, red, out_shape, result_dtype)
    if not grad:
        return result
    grad_input = np.empty_like(x)
    g = _ones_if_none(g, output.size, x.dtype)
    _C.nll_loss_backward(t, batch, classes, inner, w, ignore, red, g, grad_input)
    return result, _grad_result(grad_input, x.shape, result_dtype)


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: Optional[bool] = None,
    ignore_index: int = -100,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
):
    r"""Cross-entropy of logits: ``nll_loss(log_softmax(input, 1), target)``, with label smoothing.

    **Class-index targets** (any integer dtype; shapes as :func:`nll_loss`): with
    :math:`\mathrm{lp} = \mathrm{log\_softmax}(x)` over the class axis and :math:`\varepsilon` =
    ``label_smoothing``,

    .. math::
        \ell = (1 - \varepsilon)\,\mathrm{NLL} + \frac{\varepsilon}{C}\,S, \qquad
        \mathrm{NLL}_n = -w_{y_n} \mathrm{lp}_{n, y_n}, \quad S_n = -\sum_c w_c\, \mathrm{lp}_{n, c}

    both reduced alike: ``'mean'`` divides both by :math:`\sum_n w_{y_n}` over non-ignored
    samples.

    **Probability targets**, used when ``target`` has the input's shape (it must then be
    floating point): :math:`q' = (1 - \varepsilon) q + \varepsilon / C`,
    :math:`\ell_n = -\sum_c w_c\, q'_{n,c}\, \mathrm{lp}_{n,c}`; ``'mean'`` divides by the number
    of samples (N * d1 * ... * dk), not by the weights. ``ignore_index`` must be negative.

    Args:
        input: logits, float32 or float64, class axis at dim 1 (or ``(C,)`` unbatched).
        target: class indices, or class probabilities of the input's shape.
        weight: ``None`` or C class weights.
        size_average, reduce: deprecated, as in PyTorch (use ``reduction``).
        ignore_index: a class-index target value that contributes nothing and is not counted.
        reduction: ``'none'``, ``'mean'`` or ``'sum'``.
        label_smoothing: :math:`\varepsilon \le 1`; a negative (or NaN) value means none.
        with_grad: also return the gradient with respect to ``input`` (keyword only).
        grad_output: the upstream gradient (keyword only): a scalar for ``'sum'`` / ``'mean'``,
            an array of the loss's shape for ``'none'``; ones when not given.

    **Gradient** (``with_grad=True``): returns ``(loss, grad_input)``, ``grad_input`` =
    d(sum(loss * grad_output)) / d(input), of the input's shape and dtype. With
    :math:`p = \mathrm{softmax}(x)` over the class axis, :math:`W = \sum_c w_c` and :math:`s_n`
    the upstream gradient of sample n (``grad_output[n]`` for ``'none'``, ``grad_output`` for
    ``'sum'``, and for ``'mean'`` ``grad_output`` divided by the summed weights of the counted
    targets (class indices) or by the number of samples (probabilities)):

    * class indices: :math:`\partial x_{n,j} = s_n [(1 - \varepsilon) w_{y_n} (p_{n,j} -
      [j = y_n]) + (\varepsilon / C)(p_{n,j} W - w_j)]`; ignored samples get zero rows, and
      with every target ignored ``'mean'`` gives a NaN loss and a zero gradient (as PyTorch).
      The loss and the gradient come from one fused pass over the logits
      (``swiftloss_cross_entropy_fused``), written to a new array (the input is not modified);
      the loss is the one ``with_grad=False`` returns.
    * probabilities: :math:`\partial x_{n,j} = s_n (p_{n,j} \sum_c w_c q'_{n,c} - w_j q'_{n,j})`.

    Raises:
        IndexError: "Target 5 is out of bounds."
        ValueError: a bad reduction, batch size, target shape, weight size, label smoothing
            above 1, or an ``ignore_index >= 0`` with probability targets (PyTorch's text); a
            ``grad_output`` of the wrong shape, or given without ``with_grad=True``.
        TypeError: a non-floating input, a probability target that is not floating point, or a
            class-index target that is not integer.
    """
    grad = _wants_grad(with_grad, grad_output, "cross_entropy")
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    x, result_dtype = _float_input(input, "cross_entropy")
    target_array = np.asarray(target)
    ignore = _ignore_index(ignore_index)

    if target_array.shape == x.shape:
        # Probability targets (PyTorch assumes them when the shapes are equal).
        if target_array.dtype.kind != "f":
            raise TypeError(
                "Expected floating point type for target with class probabilities, got "
                f"{target_array.dtype}"
            )
        if ignore >= 0:
            raise ValueError("ignore_index is not supported for floating point target")
        if x.ndim < 1:
            raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
        classes = x.shape[1] if x.ndim > 1 else x.shape[0]
        batch = x.shape[0] if x.ndim > 1 else 1
        inner = int(np.prod(x.shape[2:], dtype=np.int64))
        out_shape = (batch,) + tuple(x.shape[2:]) if x.ndim > 1 else ()
        w = _class_weight(weight, classes, x.ndim, x.dtype, "cross_entropy", prefix="cross_entropy: ")
        eps = _label_smoothing(label_smoothing)
        q = np.asarray(target_array, dtype=x.dtype, order="C")
        if grad:
            g = _grad_output(grad_output, out_shape if red == _NONE else (), x.dtype, "cross_entropy", _REDUCTION_NAMES[red])
        output = _output(batch * inner, red, x.dtype)
        _C.cross_entropy_probs(x, q, batch, classes, inner, w, ignore, red, eps, output)
        result = _finish(output, red, out_shape, result_dtype)
        if not grad:
            return result
        grad_input = np.empty_like(x)
        g = _ones_if_none(g, output.size, x.dtype)
        _C.cross_entropy_probs_backward(x, q, batch, classes, inner, w, ignore, red, eps, g, grad_input)
        return result, _grad_result(grad_input, x.shape, result_dtype)

    eps = _label_smoothing(label_smoothing)
    hint = (
        f" (a target of class probabilities must have the input's shape {_shape_str(x.shape)})"
        if target_array.dtype.kind == "f"
        else ""
    )
    t = _class_target(target_array, "cross_entropy", hint)
    batch, classes, inner, out_shape = _class_layout(x.shape, t.shape)
    w = _class_weight(weight, classes, x.ndim, x.dtype, "cross_entropy")
    output = _output(batch * inner, red, x.dtype)
    try:
        if not grad:
            _C.cross_entropy(x, t, batch, classes, inner, w, ignore, red, eps, output)
            return _finish(output, red, out_shape, result_dtype)
        g = _grad_output(grad_output, out_shape if red == _NONE else (), x.dtype, "cross_entropy", _REDUCTION_NAMES[red])
        # One pass over the logits for the loss and the gradient, into a fresh array (x may be
        # the caller's own array: never overwrite it). grad_output None means ones.
        grad_input = np.empty_like(x)
        _C.cross_entropy_fused(x, t, batch, classes, inner, w, ignore, red, eps, g, output, grad_input)
    except IndexError:
        _check_targets(t, classes, ignore)
        raise
    return _finish(output, red, out_shape, result_dtype), _grad_result(grad_input, x.shape, result_dtype)


# ------------------------------------------------------------------------------------------
# Element-wise losses
# ------------------------------------------------------------------------------------------

def binary_cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
):
    r"""Binary cross-entropy of probabilities:
    :math:`\ell = -w\,[t \max(\log x, -100) + (1 - t) \max(\log(1 - x), -100)]`.

    ``input`` holds probabilities in [0, 1] (apply a sigmoid first, or use
    :func:`binary_cross_entropy_with_logits` on logits); ``target`` has the same shape, values
    in [0, 1]. The logs are clamped at -100 as PyTorch's, so ``x = 0, t = 1`` gives 100.
    ``weight`` broadcasts from the trailing dimensions (a ``(C,)`` weight on ``(N, C)``).
    ``'mean'`` divides the sum by the number of elements.

    Gradient (keyword-only ``with_grad=True``, optional ``grad_output``: a scalar for
    ``'sum'`` / ``'mean'``, an array of the input's shape for ``'none'``, ones by default):
    returns ``(loss, grad_input)``, ``grad_input`` = d(sum(loss * grad_output)) / d(input) of
    the input's shape and dtype, :math:`\partial x = s\, w\, (x - t) / \max(x (1 - x),
    10^{-12})` with :math:`s` the upstream gradient (divided by the element count for
    ``'mean'``), as PyTorch's.

    Raises:
        ValueError: a bad reduction; "Using a target size (...) that is different to the input
            size (...) is deprecated. Please ensure they have the same size."; "all elements of
            input should be between 0 and 1" / "all elements of target should be between 0
            and 1" (NaN included; PyTorch raises RuntimeError here); a weight that does not
            broadcast; a ``grad_output`` of the wrong shape, or given without
            ``with_grad=True``.
    """
    grad = _wants_grad(with_grad, grad_output, "binary_cross_entropy")
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    x, result_dtype = _float_input(input, "binary_cross_entropy")
    t = _real_array(target, x.dtype, "binary_cross_entropy", "target")
    if t.shape != x.shape:
        raise ValueError(
            f"Using a target size ({_torch_size_str(t.shape)}) that is different to the input "
            f"size ({_torch_size_str(x.shape)}) is deprecated. Please ensure they have the same size."
        )
    w = _elementwise_weight(weight, x.shape, x.dtype, "binary_cross_entropy", "weight")
    in_range_x = (x >= 0) & (x <= 1)
    in_range_t = (t >= 0) & (t <= 1)
    if not (in_range_x.all() and in_range_t.all()):
        # PyTorch checks element by element, the input before the target.
        first = int(np.argmax(~(in_range_x & in_range_t).reshape(-1)))
        which = "input" if not in_range_x.reshape(-1)[first] else "target"
        raise ValueError(f"all elements of {which} should be between 0 and 1")
    if grad:
        g = _grad_output(grad_output, x.shape if red == _NONE else (), x.dtype, "binary_cross_entropy", _REDUCTION_NAMES[red])
    output = _output(x.size, red, x.dtype)
    _C.binary_cross_entropy(x, t, x.size, w, red, output)
    result = _finish(output, red, x.shape, result_dtype)
    if not grad:
        return result
    grad_input = np.empty_like(x)
    g = _ones_if_none(g, output.size, x.dtype)
    _C.binary_cross_entropy_backward(x, t, x.size, w, red, g, grad_input)
    return result, _grad_result(grad_input, x.shape, result_dtype)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    pos_weight: Any = None,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
):
    r"""Binary cross-entropy of logits:
    :math:`\ell = w\,[p_w\, t\, \mathrm{softplus}(-x) + (1 - t)\, \mathrm{softplus}(x)]`.

    Equal to ``binary_cross_entropy(sigmoid(x), t)`` but computed stably for any ``|x|``
    (``x = ±200`` stays finite). ``pos_weight`` (:math:`p_w`) weighs the positive term, e.g. one
    value per class; ``weight`` and ``pos_weight`` broadcast from the trailing dimensions. The
    target range is not checked (as PyTorch). ``'mean'`` divides the sum by the number of
    elements.

    Gradient (keyword-only ``with_grad=True``, optional ``grad_output``: a scalar for
    ``'sum'`` / ``'mean'``, an array of the input's shape for ``'none'``, ones by default):
    returns ``(loss, grad_input)``, ``grad_input`` = d(sum(loss * grad_output)) / d(input) of
    the input's shape and dtype, :math:`\partial x = s\, w\, ((p_w t + 1 - t)\,
    \sigma(x) - p_w t)` with :math:`s` the upstream gradient (divided by the element count
    for ``'mean'``).

    Raises:
        ValueError: a bad reduction; "Target size (...) must be the same as input size (...)";
            a weight or pos_weight that does not broadcast; a ``grad_output`` of the wrong
            shape, or given without ``with_grad=True``.
    """
    grad = _wants_grad(with_grad, grad_output, "binary_cross_entropy_with_logits")
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    x, result_dtype = _float_input(input, "binary_cross_entropy_with_logits")
    t = _real_array(target, x.dtype, "binary_cross_entropy_with_logits", "target")
    if t.shape != x.shape:
        raise ValueError(
            f"Target size ({_torch_size_str(t.shape)}) must be the same as input size "
            f"({_torch_size_str(x.shape)})"
        )
    w = _elementwise_weight(weight, x.shape, x.dtype, "binary_cross_entropy_with_logits", "weight")
    pw = _elementwise_weight(pos_weight, x.shape, x.dtype, "binary_cross_entropy_with_logits", "pos_weight")
    if grad:
        g = _grad_output(
            grad_output, x.shape if red == _NONE else (), x.dtype, "binary_cross_entropy_with_logits",
            _REDUCTION_NAMES[red],
        )
    output = _output(x.size, red, x.dtype)
    _C.binary_cross_entropy_with_logits(x, t, x.size, w, pw, red, output)
    result = _finish(output, red, x.shape, result_dtype)
    if not grad:
        return result
    grad_input = np.empty_like(x)
    g = _ones_if_none(g, output.size, x.dtype)
    _C.binary_cross_entropy_with_logits_backward(x, t, x.size, w, pw, red, g, grad_input)
    return result, _grad_result(grad_input, x.shape, result_dtype)


def kl_div(
    input: Any,
    target: Any,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    log_target: bool = False,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
):
    r"""Kullback-Leibler divergence of ``target`` from ``input``, where ``input`` is :math:`\log q`:

    * ``log_target=False``: :math:`\ell = t \log t - t\,x` (with :math:`0 \log 0 = 0`),
    * ``log_target=True``: :math:`\ell = e^{t} (t - x)`.

    Reductions: ``'none'``, ``'sum'``, ``'batchmean'`` (the sum divided by ``input.shape[0]``,
    the mathematical KL divergence per sample) and ``'mean'`` (the sum divided by the number of
    elements; PyTorch warns that this is not the math definition, and so does swiftloss).
    ``input`` and ``target`` broadcast against each other, as in PyTorch.

    Gradient (keyword-only ``with_grad=True``, optional ``grad_output``: a scalar for
    ``'sum'`` / ``'mean'`` / ``'batchmean'``, an array of the loss's shape for ``'none'``, ones
    by default): returns ``(loss, grad_input)``, ``grad_input`` = d(sum(loss * grad_output)) /
    d(input) of the input's shape and dtype: :math:`\partial x = -t\, s` (``log_target=True``:
    :math:`-e^{t} s`) with :math:`s` the upstream gradient divided by the element count for
    ``'mean'`` and by ``input.shape[0]`` for ``'batchmean'``. The gradient does not depend on
    the input. When the input was broadcast against the target, the gradient is summed back
    to the input's shape, as autograd does.

    Raises:
        ValueError: a bad reduction, or shapes that do not broadcast; a ``grad_output`` of the
            wrong shape, or given without ``with_grad=True``.
    """
    grad = _wants_grad(with_grad, grad_output, "kl_div")
    if size_average is not None or reduce is not None:
        red = _reduction_enum(_legacy_get_string(size_average, reduce, stacklevel=3))
        batchmean = False
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support size."
                "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                stacklevel=2,
            )
        batchmean = isinstance(reduction, str) and reduction == "batchmean"
        red = _SUM if batchmean else _reduction_enum(reduction)
    x, result_dtype = _float_input(input, "kl_div")
    t = _real_array(target, x.dtype, "kl_div", "target")
    input_shape = shape = tuple(x.shape)
    if t.shape != x.shape:
        shape = _infer_size(tuple(x.shape), tuple(t.shape))
        x = np.ascontiguousarray(np.broadcast_to(x, shape))
        t = np.ascontiguousarray(np.broadcast_to(t, shape))
    count = int(np.prod(shape, dtype=np.int64))
    batch = 0
    if batchmean and len(np.shape(input)) != 0:
        red = _BATCHMEAN
        batch = int(np.shape(input)[0])
    if grad:
        g = _grad_output(
            grad_output, shape if red == _NONE else (), x.dtype, "kl_div",
            "batchmean" if batchmean else _REDUCTION_NAMES[red],
        )
    output = _output(count, red, x.dtype)
    _C.kl_div(x, t, count, batch, red, 1 if log_target else 0, output)
    result = _finish(output, red, shape, result_dtype)
    if not grad:
        return result
    grad_input = np.empty(count, dtype=x.dtype)
    g = _ones_if_none(g, output.size, x.dtype)
    _C.kl_div_backward(t, count, batch, red, 1 if log_target else 0, g, grad_input)
    grad_input = _sum_to_shape(grad_input.reshape(shape), input_shape)
    return result, _grad_result(grad_input, input_shape, result_dtype)
