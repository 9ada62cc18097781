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

import math
import operator
import sys
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

_NONE = _C.REDUCTION_NONE
_SUM = _C.REDUCTION_SUM
_MEAN = _C.REDUCTION_MEAN
_BATCHMEAN = _C.REDUCTION_BATCHMEAN

_INT64_MAX = np.iinfo(np.int64).max
_INT64 = np.dtype(np.int64)
_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)
_FAST_REDUCTIONS = {"mean": _MEAN, "sum": _SUM, "none": _NONE}
# The common calls' one-step path in the extension (_fast_class, _fast_axis) and its numpy objects.
_C._fast_setup(np.ndarray, np.empty, np.float32, np.float64)
_FAST_NLL_LOSS, _FAST_CROSS_ENTROPY, _FAST_MULTI_MARGIN_LOSS = 0, 1, 2
_FAST_SOFTMAX, _FAST_LOG_SOFTMAX = 0, 1


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


def _is_torch_tensor(value: Any) -> bool:
    """True for torch.Tensor and its subclasses (Parameter, ...), without importing torch."""
    return any(c.__name__ == "Tensor" and c.__module__ == "torch" for c in type(value).__mro__)


class NoAutogradWarning(UserWarning):
    """A torch tensor that requires grad was given to a numpy-level function: the result is a
    numpy value with no autograd history, so ``.backward()`` cannot reach the tensor. Use
    :mod:`swiftloss.torch` to train. Issued once per function and argument name."""


_warned_about_autograd = set()


def _warn_if_requires_grad(tensor: Any, function: str, name: str) -> None:
    if not getattr(tensor, "requires_grad", False) or (function, name) in _warned_about_autograd:
        return
    torch = sys.modules.get("torch")
    if torch is not None and not torch.is_grad_enabled():
        return
    _warned_about_autograd.add((function, name))
    warnings.warn(
        f"swiftloss.{function}: {name} is a torch tensor that requires grad, but this function "
        "returns numpy values with no autograd history, so backward() will not reach it; use "
        f"swiftloss.torch.{function} (or the modules of swiftloss.torch) to train with PyTorch",
        NoAutogradWarning,
        stacklevel=_caller_stacklevel(),
    )


def _caller_stacklevel() -> int:
    """The warnings stacklevel of the first frame outside the swiftloss package (the user's
    call), counted from the caller of this function's caller."""
    package = __file__.rsplit("/", 1)[0] + "/"
    frame, level = sys._getframe(2), 2
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _torch_array(tensor: Any, function: str, name: str) -> np.ndarray:
    """A CPU torch tensor as an ndarray sharing its memory (detached: swiftloss does not
    record autograd history, and warns once when the tensor requires grad; use
    swiftloss.torch for that). bfloat16, which numpy lacks, becomes float32."""
    _warn_if_requires_grad(tensor, function, name)
    t = tensor.detach()
    if t.device.type != "cpu":
        raise TypeError(
            f"{function}: {name} is a torch tensor on {t.device}; swiftloss computes on the "
            f"CPU: pass {name}.cpu()"
        )
    if getattr(t, "is_conj", None) is not None and t.is_conj():
        t = t.resolve_conj()
    if getattr(t, "is_neg", None) is not None and t.is_neg():
        t = t.resolve_neg()
    if str(t.dtype) == "torch.bfloat16":
        t = t.float()
    return t.numpy()


def _asarray(value: Any, function: str = "swiftloss", name: str = "input") -> np.ndarray:
    """Any argument as an ndarray, without a copy where the memory can be shared.

    Accepted: numpy arrays; CPU torch tensors (detached, even when they require grad);
    objects with ``__array__``; objects exposing the buffer protocol (``array.array``,
    ``memoryview``); objects exposing only DLPack (``__dlpack__``, read with
    ``numpy.from_dlpack``); Python lists, tuples and scalars.
    """
    if isinstance(value, np.ndarray):
        return value
    if _is_torch_tensor(value):
        return _torch_array(value, function, name)
    if hasattr(value, "__dlpack__") and not hasattr(value, "__array__"):
        try:
            return np.from_dlpack(value)
        except (BufferError, TypeError, RuntimeError, ValueError) as error:
            raise TypeError(f"{function}: {name} could not be read through DLPack: {error}") from None
    return np.asarray(value)


def _compute_dtype(dtype: np.dtype, name: str, function: str) -> np.dtype:
    """The dtype a floating-point argument is computed in: float32 or float64 (native order)."""
    if dtype.kind != "f":
        raise TypeError(
            f"{function}: expected a floating-point {name} (float32 or float64), got {dtype}"
        )
    return np.dtype(np.float32) if dtype.itemsize <= 4 else np.dtype(np.float64)


def _float_input(value: Any, function: str, name: str = "input") -> Tuple[np.ndarray, np.dtype]:
    """The input as a C-contiguous float32/float64 array, and the dtype to return results in."""
    array = value if type(value) is np.ndarray else _asarray(value, function, name)
    compute = _compute_dtype(array.dtype, name, function)
    result_dtype = array.dtype if array.dtype.isnative else array.dtype.newbyteorder("=")
    return np.asarray(array, dtype=compute, order="C"), result_dtype


def _real_array(value: Any, dtype: np.dtype, function: str, name: str) -> np.ndarray:
    """A target / weight / pos_weight of any real dtype, as a C-contiguous array of dtype."""
    array = value if type(value) is np.ndarray else _asarray(value, function, name)
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


def _fast_pair(input: Any, target: Any, reduction: Any, size_average: Any, reduce: Any, with_grad: Any,
               grad_output: Any, out: Any) -> Optional[int]:
    """The reduction of the common element-wise call, or None: ndarrays of one shape and one
    native float dtype, C-contiguous, a reduction string without the legacy arguments, no
    gradient and no out=. Such a call skips the general path's conversions and checks (the
    same library call in fewer Python steps); anything else, and any call the library
    refuses, takes the general path, which gives PyTorch's errors and warnings."""
    if (type(input) is np.ndarray and type(target) is np.ndarray and out is None and not with_grad
            and grad_output is None and size_average is None and reduce is None and type(reduction) is str
            and input.shape == target.shape and input.dtype == target.dtype
            and (input.dtype == _FLOAT32 or input.dtype == _FLOAT64)
            and input.flags.c_contiguous and target.flags.c_contiguous):
        return _FAST_REDUCTIONS.get(reduction)
    return None


def _fast_regression(kernel: Any, input: np.ndarray, target: np.ndarray, parameter: float, red: int):
    """A regression loss's fast path (see `_fast_pair`): no weight, the library call, the result."""
    output = _output(input.size, red, input.dtype)
    kernel(input, target, input.size, None, parameter, red, output)
    return _finish(output, red, input.shape, input.dtype)


def _output(count: int, reduction: int, dtype: np.dtype) -> np.ndarray:
    return np.empty(count if reduction == _NONE else 1, dtype=dtype)


# ------------------------------------------------------------------------------------------
# out=: results written into the caller's buffers
# ------------------------------------------------------------------------------------------

_OUT_KINDS = (
    "a numpy array, a CPU torch tensor, or an object exposing a writable buffer "
    "(array.array, memoryview) or DLPack"
)


def _out_view(value: Any, shape: Tuple[int, ...], dtype: np.dtype, function: str, what: str) -> np.ndarray:
    """A writable ndarray of ``shape`` sharing the memory of the caller's out buffer.

    numpy arrays and torch tensors must have exactly ``shape``; shapeless buffers
    (array.array, memoryview, DLPack-only objects of one dimension) may instead hold the
    right number of elements. The dtype must be ``dtype`` (the result's); the memory must be
    C-contiguous and writable, since the result is written there and nowhere else.
    """
    shaped = True
    if isinstance(value, np.ndarray):
        array = value
    elif _is_torch_tensor(value):
        if value.requires_grad:
            raise ValueError(
                f"{function}: {what} is a torch tensor that requires grad; autograd cannot "
                "follow a write into it (allocate it under torch.no_grad(), or use swiftloss.torch)"
            )
        if value.device.type != "cpu":
            raise TypeError(
                f"{function}: {what} is a torch tensor on {value.device}; it must be on the CPU"
            )
        try:
            array = value.numpy()
        except (TypeError, RuntimeError) as error:
            raise TypeError(f"{function}: {what}: {error}") from None
    else:
        shaped = False
        try:
            array = np.asarray(memoryview(value))
        except TypeError:
            if not hasattr(value, "__dlpack__"):
                raise TypeError(
                    f"{function}: {what} must be {_OUT_KINDS}, got {type(value).__name__}"
                ) from None
            try:
                array = np.from_dlpack(value)
            except (BufferError, TypeError, RuntimeError, ValueError) as error:
                raise TypeError(f"{function}: {what} could not be read through DLPack: {error}") from None
    if array.dtype != dtype:
        raise TypeError(
            f"{function}: {what} has dtype {array.dtype}, but the result is {dtype} (the "
            "input's dtype); out= is written as it is, never cast"
        )
    shape = tuple(shape)
    if array.shape != shape:
        count = math.prod(shape)
        if shaped or array.ndim != 1 or array.size != count:
            expected = f"shape {_shape_str(shape)}" + ("" if shaped else f" (or {count} elements)")
            raise ValueError(f"{function}: {what} has shape {_shape_str(array.shape)}, expected {expected}")
    if not array.flags.c_contiguous:
        raise ValueError(
            f"{function}: {what} must be C-contiguous (a strided view cannot be written in "
            "one pass; np.ascontiguousarray would make a copy that out= cannot fill)"
        )
    if not array.flags.writeable:
        raise ValueError(f"{function}: {what} is read-only")
    return array.reshape(shape)


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    return (
        a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        and a.nbytes == b.nbytes
    )


class _NoOut:
    """``out=None``: fresh arrays, with as little work per call as possible (small calls are
    dominated by Python overhead)."""

    __slots__ = ()
    with_grad = False

    @staticmethod
    def result_buffer(shape, reduction, compute, dtype, inputs=None, allow_same=(), reduction_name=None):
        if reduction is not None and reduction != _NONE:
            return np.empty(1, compute), None
        return np.empty(math.prod(shape), compute), None

    @staticmethod
    def grad_buffer(shape, compute, dtype, inputs=None, allow_same=(), direct=True):
        return np.empty(math.prod(shape), compute), None

    @staticmethod
    def finish_result(buffer, view, reduction, shape, dtype):
        if reduction is None:
            return buffer.reshape(shape).astype(dtype, copy=False)
        return _finish(buffer, reduction, shape, dtype)

    @staticmethod
    def finish_grad(grad, view, shape, dtype):
        return _grad_result(grad, shape, dtype)

    @staticmethod
    def wrap(value, reduction, shape, input_shape, dtype):
        return value


_NO_OUT = _NoOut()


def _outs(out: Any, with_grad: bool, function: str):
    """The handler of a call's ``out=``."""
    return _NO_OUT if out is None else _Out(out, with_grad, function)


class _Out:
    """The ``out=`` of one call: where its result and its gradient are written.

    ``with_grad=False``: ``out`` is one buffer for the result. ``with_grad=True``: ``out`` is a
    pair ``(out, grad_out)``, either of which may be None (a new array is then returned in its
    place). A reduced loss ('sum', 'mean', 'batchmean') is a scalar: its ``out`` must be None.
    A call returns the caller's own out objects where it was given them.
    """

    def __init__(self, out: Any, with_grad: bool, function: str) -> None:
        self.function = function
        self.with_grad = bool(with_grad)
        self.result: Any = None
        self.grad: Any = None
        self.views: list = []
        if out is None:
            return
        if with_grad:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(
                    f"{function}: with with_grad=True, out= must be a pair (out, grad_out), "
                    f"either of which may be None; got {type(out).__name__}"
                )
            self.result, self.grad = out
        else:
            if isinstance(out, tuple):
                raise TypeError(
                    f"{function}: out= is one buffer when with_grad=False (a pair "
                    "(out, grad_out) goes with with_grad=True)"
                )
            self.result = out

    def _claim(self, view: np.ndarray, what: str, inputs: dict, allow_same: Tuple[str, ...]) -> None:
        """Refuses a buffer that overlaps an input or the other out buffer (being exactly an
        input named in allow_same is the one exception: an in-place call)."""
        for name, array in inputs.items():
            if array is None or not np.may_share_memory(view, array):
                continue
            if name in allow_same and _same_memory(view, array):
                continue
            also = f" (it may be the {name} array itself)" if name in allow_same else ""
            raise ValueError(f"{self.function}: {what} overlaps the {name} array{also}")
        for other_what, other in self.views:
            if np.may_share_memory(view, other):
                raise ValueError(f"{self.function}: {what} overlaps {other_what}")
        self.views.append((what, view))

    def result_buffer(
        self, shape: Tuple[int, ...], reduction: Optional[int], compute: np.dtype, dtype: np.dtype,
        inputs: dict, allow_same: Tuple[str, ...] = (), reduction_name: Optional[str] = None,
    ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """(the flat buffer the kernel writes, the caller's view or None). reduction None:
        softmax / log_softmax, whose output always has the input's shape."""
        count = math.prod(shape)
        if self.result is None:
            if reduction is None:
                return np.empty(count, compute), None
            return _output(count, reduction, compute), None
        if reduction is not None and reduction != _NONE:
            name = reduction_name or _REDUCTION_NAMES[reduction]
            raise ValueError(
                f"{self.function}: out= is for reduction='none', whose result is an array; "
                f"reduction='{name}' returns a scalar, so "
                + ("pass out=(None, grad_out) to reuse only the gradient buffer"
                   if self.with_grad else "pass out=None")
            )
        view = _out_view(self.result, shape, dtype, self.function, "out")
        self._claim(view, "out", inputs, allow_same)
        return (view.reshape(-1) if view.dtype == compute else np.empty(count, compute)), view

    def grad_buffer(
        self, shape: Tuple[int, ...], compute: np.dtype, dtype: np.dtype, inputs: dict,
        allow_same: Tuple[str, ...] = (), direct: bool = True,
    ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        """(the flat buffer the backward kernel writes, the caller's view or None). direct
        False: the kernel's result is reshaped or summed before it reaches the caller."""
        count = math.prod(shape)
        if self.grad is None:
            return np.empty(count, compute), None
        view = _out_view(self.grad, shape, dtype, self.function, "grad_out")
        self._claim(view, "grad_out", inputs, allow_same)
        if direct and view.dtype == compute:
            return view.reshape(-1), view
        return np.empty(count, compute), view

    def finish_result(self, buffer: np.ndarray, view: Optional[np.ndarray], reduction: Optional[int],
                      shape: Tuple[int, ...], dtype: np.dtype) -> Any:
        if view is None:
            if reduction is None:
                return buffer.reshape(shape).astype(dtype, copy=False)
            return _finish(buffer, reduction, shape, dtype)
        if not np.may_share_memory(buffer, view):
            np.copyto(view, buffer.reshape(shape), casting="unsafe")
        return self.result

    def wrap(self, value: Any, reduction: int, shape: Tuple[int, ...], input_shape: Tuple[int, ...],
             dtype: np.dtype) -> Any:
        """A result computed without the kernels (an edge case), delivered through out=."""
        if self.result is None and self.grad is None:
            return value
        loss, grad = value if self.with_grad else (value, None)
        if self.result is not None:
            _, view = self.result_buffer(shape, reduction, dtype, dtype, {})
            np.copyto(view, np.reshape(loss, shape), casting="unsafe")
            loss = self.result
        if self.grad is not None:
            _, view = self.grad_buffer(input_shape, dtype, dtype, {})
            np.copyto(view, np.reshape(grad, input_shape), casting="unsafe")
            grad = self.grad
        return (loss, grad) if self.with_grad else loss

    def finish_grad(self, grad: np.ndarray, view: Optional[np.ndarray], shape: Tuple[int, ...],
                    dtype: np.dtype) -> Any:
        if view is None:
            return _grad_result(grad, shape, dtype)
        if not np.may_share_memory(grad, view):
            np.copyto(view, grad.reshape(shape), casting="unsafe")
        return self.grad


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
    # A weight of more dimensions than the input (even leading 1s) would make the loss bigger
    # than the input: PyTorch refuses it, and so does the broadcast check below.
    if weight.ndim <= len(shape) and tuple(shape[len(shape) - len(wshape):]) == wshape:
        return weight.reshape(-1)
    broadcast = _infer_size(tuple(shape), weight.shape)
    if broadcast != tuple(shape):
        raise ValueError(
            f"{name} of shape {_shape_str(weight.shape)} does not broadcast to the input's "
            f"shape {_shape_str(shape)}"
        )
    return np.ascontiguousarray(np.broadcast_to(weight, shape)).reshape(-1)


def _int_argument(value: Any, name: str) -> int:
    """An int argument as PyTorch's argument parser takes it: any integer, but not a bool."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"argument '{name}' must be int, not bool")
    return operator.index(value)


def _wrap_dim(dim: Any, ndim: int) -> int:
    """dim in [0, ndim) from PyTorch's [-ndim, ndim - 1] (a 0-d array counts as 1-d)."""
    dim = _int_argument(dim, "dim")
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


def _softmax_common(input, dim, stacklevel, dtype, name, which, kernel, backward, with_grad, grad_output, out):
    # The common call: a C-contiguous float ndarray, an int dim in range, no dtype=, no
    # gradient, no out=: checked and run in one step by the extension (None: another call).
    if dtype is None and out is None and not with_grad and grad_output is None:
        result = _C._fast_axis(which, input, dim)
        if result is not None:
            return result
    grad = _wants_grad(with_grad, grad_output, name)
    outs = _outs(out, grad, name)
    array = input if type(input) is np.ndarray else _asarray(input, name)
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
    # The gradient takes the input's dtype (not the dtype= the softmax was computed in), as
    # autograd's; an input that is not floating point gets the result's dtype.
    grad_dtype = input_dtype if input_dtype.kind == "f" else result_dtype
    if not grad_dtype.isnative:
        grad_dtype = grad_dtype.newbyteorder("=")
    inputs = None if out is None else {"input": x, "grad_output": g}
    # out may be the input itself: softmax in place.
    output, view = outs.result_buffer(x.shape, None, x.dtype, result_dtype, inputs, allow_same=("input",))
    if grad:
        grad_input, grad_view = outs.grad_buffer(x.shape, x.dtype, grad_dtype, inputs)
    kernel(x, outer, shape[axis], inner, output)
    result = outs.finish_result(output, view, None, x.shape, result_dtype)
    if not grad:
        return result
    backward(output, _ones_if_none(g, x.size, x.dtype), outer, shape[axis], inner, grad_input)
    return result, outs.finish_grad(grad_input, grad_view, x.shape, grad_dtype)


def softmax(
    input: Any,
    dim: Optional[int] = None,
    _stacklevel: int = 3,
    dtype: Any = None,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
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
        out: an array to write the result into, returned in place of a new one (keyword
            only): the input's shape, the result's dtype, C-contiguous and writable; it may
            be the input itself (softmax in place). With ``with_grad=True``, a pair
            ``(out, grad_out)``, either of which may be None; ``grad_out`` has the input's
            shape and the gradient's dtype.

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
        input, dim, _stacklevel, dtype, "softmax", _FAST_SOFTMAX, _C.softmax, _C.softmax_backward, with_grad, grad_output, out
    )


def log_softmax(
    input: Any,
    dim: Optional[int] = None,
    _stacklevel: int = 3,
    dtype: Any = None,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Log-softmax along ``dim``: :math:`\log\mathrm{softmax}(x)_i = x_i - M - \log\sum_j e^{x_j - M}`.

    Computed without forming the softmax, so it stays finite where ``log(softmax(x))`` would
    underflow to ``-inf``. Same arguments, shape rules and errors as :func:`softmax`; ``-inf``
    entries of an otherwise finite slice give ``-inf``.

    Gradient (``with_grad=True``): returns ``(y, grad_input)`` with ``y = log_softmax(input)``
    and, per slice along ``dim``, :math:`\partial x = g - e^{y} \sum g` where :math:`g` =
    ``grad_output``, an array of the output's shape (ones by default). ``grad_input`` has the
    input's shape and dtype.

    ``out`` (keyword only) as for :func:`softmax`: the result is written into it (it may be
    the input itself); with ``with_grad=True`` a pair ``(out, grad_out)``.
    """
    return _softmax_common(
        input, dim, _stacklevel, dtype, "log_softmax", _FAST_LOG_SOFTMAX, _C.log_softmax, _C.log_softmax_backward,
        with_grad, grad_output, out,
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
        if len(tshape) == 1 and tshape[0] != 1:
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {tshape[0]}"
            )
        return 1, ishape[0], 1, ()  # a (1,) target is the 0-d one; the 'none' result is 0-d
    batch = ishape[0]
    if len(tshape) == 0 or tshape[0] != batch:
        # PyTorch counts a 0-d target as a batch of 0.
        raise ValueError(
            f"Expected input batch_size ({batch}) to match target batch_size ({tshape[0] if tshape else 0})."
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
    array = value if type(value) is np.ndarray else _asarray(value, function, "target")
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


def _no_classes(
    target: Optional[np.ndarray], ignore_index: int, reduction: int, eps: float,
    out_shape: Tuple[int, ...], input_shape: Tuple[int, ...], dtype: np.dtype, grad: bool,
):
    """PyTorch's answer for an input with zero classes, which the library refuses (status
    SWIFTLOSS_ERROR_ZERO_CLASSES).

    Class indices (target given): every target other than ignore_index is out of bounds
    (IndexError); with none left the losses are an all-ignored batch's, 0 and a NaN 'mean',
    except that label smoothing's eps / C = eps / 0 makes every result NaN, as PyTorch's
    formula does. Probabilities (target None): each sample's loss is an empty sum, 0; 'mean'
    is NaN (PyTorch: an input of no elements has a NaN mean). The gradient is empty."""
    if target is not None:
        _check_targets(target, 0, ignore_index)
    fill = np.nan if (target is not None and eps > 0) else 0.0
    if reduction == _NONE:
        loss = np.full(out_shape, fill, dtype=dtype)
    else:
        loss = np.array([np.nan if reduction == _MEAN else fill], dtype=dtype)[0]
    if not grad:
        return loss
    return loss, np.zeros(input_shape, dtype=dtype)


def _ignore_index(value: Any) -> int:
    value = _int_argument(value, "ignore_index")
    if not -(2**63) <= value <= _INT64_MAX:
        # ValueError, as PyTorch's argument parser ("Overflow when unpacking long long").
        raise ValueError(f"ignore_index {value} does not fit in int64")
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
    out: Any = None,
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

    Output buffers (keyword-only ``out``), to reuse memory from call to call: with
    ``reduction='none'``, ``out`` receives the per-sample losses (the target's shape, the
    input's dtype, C-contiguous, writable; a flat ``array.array`` / ``memoryview`` of as many
    elements also works, as does a CPU torch tensor) and is returned in place of a new array.
    With ``with_grad=True``, ``out=(out, grad_out)``: ``grad_out`` (the input's shape and dtype)
    receives the gradient and is returned in place of ``grad_input``; either may be None, and
    for ``'sum'`` / ``'mean'`` ``out`` must be None, the loss being a scalar. Buffers must not
    overlap the inputs; a wrong dtype raises ``TypeError``, a wrong shape, a strided, read-only
    or overlapping buffer ``ValueError``, before anything is computed.

    Raises:
        IndexError: "Target 5 is out of bounds."
        ValueError: a bad reduction, batch size, target shape or weight size (PyTorch's text);
            a ``grad_output`` of the wrong shape, or given without ``with_grad=True``.
        TypeError: a non-integer target or non-floating input.
    """
    # The common call, as cross_entropy's: (N, C) float input, (N,) int64 targets, defaults.
    if out is None and not with_grad and grad_output is None and size_average is None and reduce is None:
        result = _C._fast_class(_FAST_NLL_LOSS, input, target, weight, ignore_index, reduction, 0.0, 1)
        if result is not None:
            return result
    grad = _wants_grad(with_grad, grad_output, "nll_loss")
    outs = _outs(out, grad, "nll_loss")
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    x, result_dtype = _float_input(input, "nll_loss")
    t = _class_target(target, "nll_loss")
    batch, classes, inner, out_shape = _class_layout(x.shape, t.shape)
    w = _class_weight(weight, classes, x.ndim, x.dtype, "nll_loss")
    ignore = _ignore_index(ignore_index)
    g = None
    if grad:
        g = _grad_output(grad_output, out_shape if red == _NONE else (), x.dtype, "nll_loss", _REDUCTION_NAMES[red])
    if classes == 0:
        return outs.wrap(
            _no_classes(t, ignore, red, 0.0, out_shape, x.shape, result_dtype, grad),
            red, out_shape, x.shape, result_dtype
        )
    inputs = None if out is None else {"input": x, "target": t, "weight": w, "grad_output": g}
    output, view = outs.result_buffer(out_shape, red, x.dtype, result_dtype, inputs)
    if grad:
        grad_input, grad_view = outs.grad_buffer(x.shape, x.dtype, result_dtype, inputs)
    try:
        _C.nll_loss(x, t, batch, classes, inner, w, ignore, red, output)
    except IndexError:
        _check_targets(t, classes, ignore)
        raise
    result = outs.finish_result(output, view, red, out_shape, result_dtype)
    if not grad:
        return result
    g = _ones_if_none(g, output.size, x.dtype)
    _C.nll_loss_backward(t, batch, classes, inner, w, ignore, red, g, grad_input)
    return result, outs.finish_grad(grad_input, grad_view, x.shape, result_dtype)


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
    z_loss: float = 0.0,
    softcap: Optional[float] = None,
    return_z_loss: bool = False,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
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
        z_loss: (keyword only, beyond PyTorch) the coefficient of PaLM's z-loss: each counted
            sample adds ``z_loss * lse**2``, ``lse`` the log-sum-exp of its logits over the
            classes (after ``softcap``). Class weights do not scale it; ``'mean'`` divides its
            sum by the NUMBER of counted samples (targets not ``ignore_index``; every sample
            for probability targets), ``'sum'`` sums it, ``'none'`` adds it to each sample's
            loss (0 for ignored ones). Finite and >= 0.
        softcap: (keyword only, beyond PyTorch) ``None``, or a finite number > 0: the logits
            become ``softcap * tanh(input / softcap)`` (Gemma 2's logit softcapping) before
            everything else.
        return_z_loss: (keyword only) also return the z term alone, reduced the same way, for
            logging: ``(loss, z)``, or ``(loss, z, grad_input)`` with ``with_grad=True``. The
            loss includes it either way.
        with_grad: also return the gradient with respect to ``input`` (keyword only).
        grad_output: the upstream gradient (keyword only): a scalar for ``'sum'`` / ``'mean'``,
            an array of the loss's shape for ``'none'``; ones when not given.

    With ``z_loss`` or ``softcap`` the result equals the composite
    ``r = softcap * tanh(x / softcap)``; ``cross_entropy(r, ...) + z`` with ``z`` as above, and
    the gradient is that composite's with respect to ``x`` (one pass over the logits:
    ``swiftloss_cross_entropy_ex``). Inputs with no class (``C = 0``) are refused then.

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
      (``swiftloss_cross_entropy_fused``), written to a new array (or to ``grad_out``);
      the loss is the one ``with_grad=False`` returns.
    * probabilities: :math:`\partial x_{n,j} = s_n (p_{n,j} \sum_c w_c q'_{n,c} - w_j q'_{n,j})`.

    Output buffers (keyword-only ``out``), to reuse memory from call to call: with
    ``reduction='none'``, ``out`` receives the per-sample losses (the loss's shape, the input's
    dtype, C-contiguous, writable; a flat ``array.array`` / ``memoryview`` of as many elements
    also works, as does a CPU torch tensor) and is returned in place of a new array. With
    ``with_grad=True``, ``out=(out, grad_out)``: ``grad_out`` (the input's shape and dtype)
    receives the gradient and is returned in place of ``grad_input``; either may be None, and
    for ``'sum'`` / ``'mean'`` ``out`` must be None, the loss being a scalar. Buffers must not
    overlap the inputs except that ``grad_out`` may be the logits array itself: the fused kernel
    then overwrites the logits with their gradient, so a large-vocabulary loss needs no second
    N-by-C buffer (``F.cross_entropy(x, y, with_grad=True, out=(None, x))``); a wrong dtype
    raises ``TypeError``, a wrong shape, a strided, read-only or overlapping buffer
    ``ValueError``, before anything is computed.

    Raises:
        IndexError: "Target 5 is out of bounds."
        ValueError: a bad reduction, batch size, target shape, weight size, label smoothing
            above 1, or an ``ignore_index >= 0`` with probability targets (PyTorch's text); a
            ``grad_output`` of the wrong shape, or given without ``with_grad=True``.
        TypeError: a non-floating input, a probability target that is not floating point, or a
            class-index target that is not integer.
    """
    # The common call, (N, C) float logits and (N,) int64 class indices or (N, C) probabilities
    # as ndarrays with the default keywords: checked and run in one step by the extension
    # (None: another call, or a refused one, whose error the general path below gives).
    regularized = z_loss != 0.0 or softcap is not None or return_z_loss
    if regularized:
        z_loss, softcap = _regularization(z_loss, softcap, "cross_entropy")
    elif out is None and not with_grad and grad_output is None and size_average is None and reduce is None:
        result = _C._fast_class(_FAST_CROSS_ENTROPY, input, target, weight, ignore_index, reduction,
                               label_smoothing, 1)
        if result is not None:
            return result

    grad = _wants_grad(with_grad, grad_output, "cross_entropy")
    outs = _outs(out, grad, "cross_entropy")
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    x, result_dtype = _float_input(input, "cross_entropy")
    target_array = target if type(target) is np.ndarray else _asarray(target, "cross_entropy", "target")
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
        g = None
        if grad:
            g = _grad_output(grad_output, out_shape if red == _NONE else (), x.dtype, "cross_entropy", _REDUCTION_NAMES[red])
        if classes == 0 and regularized:
            raise ValueError("cross_entropy: z_loss, softcap and return_z_loss need at least one class")
        if classes == 0:
            return outs.wrap(
                _no_classes(None, ignore, red, eps, out_shape, x.shape, result_dtype, grad),
                red, out_shape, x.shape, result_dtype
            )
        inputs = None if out is None else {"input": x, "target": q, "weight": w, "grad_output": g}
        output, view = outs.result_buffer(out_shape, red, x.dtype, result_dtype, inputs)
        if grad:
            # The backward kernel may write over the logits (the forward has read them).
            grad_input, grad_view = outs.grad_buffer(x.shape, x.dtype, result_dtype, inputs, allow_same=("input",))
        if regularized:
            z_output = _output(output.size, red, x.dtype)
            _C.cross_entropy_ex(x, q, batch, classes, inner, w, ignore, red, eps, z_loss, softcap or 0.0, g,
                                output, z_output, grad_input if grad else None, True)
            return _regularized_result(outs, output, view, z_output, grad_input if grad else None,
                                       grad_view if grad else None, red, out_shape, x.shape, result_dtype,
                                       return_z_loss)
        _C.cross_entropy_probs(x, q, batch, classes, inner, w, ignore, red, eps, output)
        result = outs.finish_result(output, view, red, out_shape, result_dtype)
        if not grad:
            return result
        g = _ones_if_none(g, output.size, x.dtype)
        _C.cross_entropy_probs_backward(x, q, batch, classes, inner, w, ignore, red, eps, g, grad_input)
        return result, outs.finish_grad(grad_input, grad_view, x.shape, result_dtype)

    eps = _label_smoothing(label_smoothing)
    hint = (
        f" (a target of class probabilities must have the input's shape {_shape_str(x.shape)})"
        if target_array.dtype.kind == "f"
        else ""
    )
    t = _class_target(target_array, "cross_entropy", hint)
    batch, classes, inner, out_shape = _class_layout(x.shape, t.shape)
    w = _class_weight(weight, classes, x.ndim, x.dtype, "cross_entropy")
    if classes == 0 and regularized:
        raise ValueError("cross_entropy: z_loss, softcap and return_z_loss need at least one class")
    if classes == 0:
        if grad:
            _grad_output(grad_output, out_shape if red == _NONE else (), x.dtype, "cross_entropy", _REDUCTION_NAMES[red])
        return outs.wrap(
            _no_classes(t, ignore, red, eps, out_shape, x.shape, result_dtype, grad),
            red, out_shape, x.shape, result_dtype
        )
    g = None
    if grad:
        g = _grad_output(grad_output, out_shape if red == _NONE else (), x.dtype, "cross_entropy", _REDUCTION_NAMES[red])
    inputs = None if out is None else {"input": x, "target": t, "weight": w, "grad_output": g}
    output, view = outs.result_buffer(out_shape, red, x.dtype, result_dtype, inputs)
    if grad:
        # A fresh array unless the caller gives grad_out (x may be the caller's own array:
        # never overwrite it unasked); grad_out may be the logits themselves, which are then
        # overwritten by their gradient, with no second N-by-C buffer.
        grad_input, grad_view = outs.grad_buffer(x.shape, x.dtype, result_dtype, inputs, allow_same=("input",))
    try:
        if regularized:
            z_output = _output(output.size, red, x.dtype)
            _C.cross_entropy_ex(x, t, batch, classes, inner, w, ignore, red, eps, z_loss, softcap or 0.0, g,
                                output, z_output, grad_input if grad else None, False)
            return _regularized_result(outs, output, view, z_output, grad_input if grad else None,
                                       grad_view if grad else None, red, out_shape, x.shape, result_dtype,
                                       return_z_loss)
        if not grad:
            _C.cross_entropy(x, t, batch, classes, inner, w, ignore, red, eps, output)
            return outs.finish_result(output, view, red, out_shape, result_dtype)
        # One pass over the logits for the loss and the gradient; grad_output None means ones.
        _C.cross_entropy_fused(x, t, batch, classes, inner, w, ignore, red, eps, g, output, grad_input)
    except IndexError:
        _check_targets(t, classes, ignore)
        raise
    return (
        outs.finish_result(output, view, red, out_shape, result_dtype),
        outs.finish_grad(grad_input, grad_view, x.shape, result_dtype),
    )


def _regularization(z_loss: Any, softcap: Any, function: str) -> Tuple[float, Optional[float]]:
    """The checked z_loss and softcap of a cross-entropy call."""
    try:
        z = float(z_loss)
    except (TypeError, ValueError):
        raise TypeError(f"{function}: z_loss must be a number, got {type(z_loss).__name__}") from None
    if not (math.isfinite(z) and z >= 0):
        raise ValueError(f"z_loss must be a non-negative finite number, got {z_loss}")
    if softcap is None:
        return z, None
    try:
        cap = float(softcap)
    except (TypeError, ValueError):
        raise TypeError(f"{function}: softcap must be a number or None, got {type(softcap).__name__}") from None
    if not (math.isfinite(cap) and cap > 0):
        raise ValueError(f"softcap must be a positive finite number or None, got {softcap}")
    return z, cap


def _regularized_result(outs, output, view, z_output, grad_input, grad_view, red, out_shape, input_shape,
                        result_dtype, return_z_loss):
    """The result of a cross-entropy call with z_loss / softcap / return_z_loss:
    loss, (loss, z), (loss, grad) or (loss, z, grad)."""
    result = [outs.finish_result(output, view, red, out_shape, result_dtype)]
    if return_z_loss:
        result.append(_finish(z_output, red, out_shape, result_dtype))
    if grad_input is not None:
        result.append(outs.finish_grad(grad_input, grad_view, input_shape, result_dtype))
    return result[0] if len(result) == 1 else tuple(result)


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
    out: Any = None,
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

    Output buffers (keyword-only ``out``), to reuse memory from call to call: with
    ``reduction='none'``, ``out`` receives the element-wise losses (the input's shape, the
    input's dtype, C-contiguous, writable; a flat ``array.array`` / ``memoryview`` of as many
    elements also works, as does a CPU torch tensor) and is returned in place of a new array.
    With ``with_grad=True``, ``out=(out, grad_out)``: ``grad_out`` (the input's shape and dtype)
    receives the gradient and is returned in place of ``grad_input``; either may be None, and
    for ``'sum'`` / ``'mean'`` ``out`` must be None, the loss being a scalar. Buffers must not
    overlap the inputs; a wrong dtype raises ``TypeError``, a wrong shape, a strided, read-only
    or overlapping buffer ``ValueError``, before anything is computed.

    Raises:
        ValueError: a bad reduction; "Using a target size (...) that is different to the input
            size (...) is deprecated. Please ensure they have the same size."; "all elements of
            input should be between 0 and 1" / "all elements of target should be between 0
            and 1" (NaN included; PyTorch raises RuntimeError here); a weight that does not
            broadcast; a ``grad_output`` of the wrong shape, or given without
            ``with_grad=True``.
    """
    red = _fast_pair(input, target, reduction, size_average, reduce, with_grad, grad_output, out)
    if red is not None and weight is None:
        output = _output(input.size, red, input.dtype)
        try:  # the library refuses values outside [0, 1]: the general path gives the message
            _C.binary_cross_entropy(input, target, input.size, None, red, output)
            return _finish(output, red, input.shape, input.dtype)
        except ValueError:
            pass
    grad = _wants_grad(with_grad, grad_output, "binary_cross_entropy")
    outs = _outs(out, grad, "binary_cross_entropy")
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
    g = None
    if grad:
        g = _grad_output(grad_output, x.shape if red == _NONE else (), x.dtype, "binary_cross_entropy", _REDUCTION_NAMES[red])
    inputs = None if out is None else {"input": x, "target": t, "weight": w, "grad_output": g}
    output, view = outs.result_buffer(x.shape, red, x.dtype, result_dtype, inputs)
    if grad:
        grad_input, grad_view = outs.grad_buffer(x.shape, x.dtype, result_dtype, inputs)
    _C.binary_cross_entropy(x, t, x.size, w, red, output)
    result = outs.finish_result(output, view, red, x.shape, result_dtype)
    if not grad:
        return result
    g = _ones_if_none(g, output.size, x.dtype)
    _C.binary_cross_entropy_backward(x, t, x.size, w, red, g, grad_input)
    return result, outs.finish_grad(grad_input, grad_view, x.shape, result_dtype)


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
    out: Any = None,
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

    Output buffers (keyword-only ``out``), to reuse memory from call to call: with
    ``reduction='none'``, ``out`` receives the element-wise losses (the input's shape, the
    input's dtype, C-contiguous, writable; a flat ``array.array`` / ``memoryview`` of as many
    elements also works, as does a CPU torch tensor) and is returned in place of a new array.
    With ``with_grad=True``, ``out=(out, grad_out)``: ``grad_out`` (the input's shape and dtype)
    receives the gradient and is returned in place of ``grad_input``; either may be None, and
    for ``'sum'`` / ``'mean'`` ``out`` must be None, the loss being a scalar. Buffers must not
    overlap the inputs; a wrong dtype raises ``TypeError``, a wrong shape, a strided, read-only
    or overlapping buffer ``ValueError``, before anything is computed.

    Raises:
        ValueError: a bad reduction; "Target size (...) must be the same as input size (...)";
            a weight or pos_weight that does not broadcast; a ``grad_output`` of the wrong
            shape, or given without ``with_grad=True``.
    """
    red = _fast_pair(input, target, reduction, size_average, reduce, with_grad, grad_output, out)
    if red is not None and weight is None and pos_weight is None:
        output = _output(input.size, red, input.dtype)
        _C.binary_cross_entropy_with_logits(input, target, input.size, None, None, red, output)
        return _finish(output, red, input.shape, input.dtype)
    grad = _wants_grad(with_grad, grad_output, "binary_cross_entropy_with_logits")
    outs = _outs(out, grad, "binary_cross_entropy_with_logits")
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
    g = None
    if grad:
        g = _grad_output(
            grad_output, x.shape if red == _NONE else (), x.dtype, "binary_cross_entropy_with_logits",
            _REDUCTION_NAMES[red],
        )
    inputs = None if out is None else {"input": x, "target": t, "weight": w, "pos_weight": pw, "grad_output": g}
    output, view = outs.result_buffer(x.shape, red, x.dtype, result_dtype, inputs)
    if grad:
        grad_input, grad_view = outs.grad_buffer(x.shape, x.dtype, result_dtype, inputs)
    _C.binary_cross_entropy_with_logits(x, t, x.size, w, pw, red, output)
    result = outs.finish_result(output, view, red, x.shape, result_dtype)
    if not grad:
        return result
    g = _ones_if_none(g, output.size, x.dtype)
    _C.binary_cross_entropy_with_logits_backward(x, t, x.size, w, pw, red, g, grad_input)
    return result, outs.finish_grad(grad_input, grad_view, x.shape, result_dtype)


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
    out: Any = None,
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

    Output buffers (keyword-only ``out``), to reuse memory from call to call: with
    ``reduction='none'``, ``out`` receives the element-wise losses (the broadcast shape of input
    and target, the input's dtype, C-contiguous, writable; a flat ``array.array`` /
    ``memoryview`` of as many elements also works, as does a CPU torch tensor) and is returned
    in place of a new array. With ``with_grad=True``, ``out=(out, grad_out)``: ``grad_out`` (the
    input's shape and dtype) receives the gradient and is returned in place of ``grad_input``;
    either may be None, and for ``'sum'`` / ``'mean'`` / ``'batchmean'`` ``out`` must be None,
    the loss being a scalar. Buffers must not overlap the inputs; a wrong dtype raises
    ``TypeError``, a wrong shape, a strided, read-only or overlapping buffer ``ValueError``,
    before anything is computed.

    Raises:
        ValueError: a bad reduction, or shapes that do not broadcast; a ``grad_output`` of the
            wrong shape, or given without ``with_grad=True``.
    """
    if reduction == "batchmean" and type(input) is np.ndarray and input.ndim > 0:
        red = _fast_pair(input, target, "sum", size_average, reduce, with_grad, grad_output, out)
        batch = input.shape[0]
    else:
        red = None if reduction == "mean" else _fast_pair(input, target, reduction, size_average, reduce,
                                                         with_grad, grad_output, out)
        batch = 0
    if red is not None and type(log_target) is bool and (batch > 0 or reduction != "batchmean"):
        c_red = _BATCHMEAN if reduction == "batchmean" else red
        output = _output(input.size, c_red, input.dtype)
        _C.kl_div(input, target, input.size, batch, c_red, 1 if log_target else 0, output)
        return _finish(output, c_red, input.shape, input.dtype)
    return _kl_div(input, target, size_average, reduce, reduction, log_target, with_grad=with_grad,
                   grad_output=grad_output, out=out, warn_mean=True)


def _kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False, *,
            with_grad=False, grad_output=None, out=None, warn_mean=True):
    """kl_div's work; ``warn_mean=False`` leaves the 'mean' warning to the caller (the torch
    bridge warns where torch does, before its custom op runs)."""
    grad = _wants_grad(with_grad, grad_output, "kl_div")
    outs = _outs(out, grad, "kl_div")
    if size_average is not None or reduce is not None:
        red = _reduction_enum(_legacy_get_string(size_average, reduce, stacklevel=4))
        batchmean = False
    else:
        if reduction == "mean" and warn_mean:
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support size."
                "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                stacklevel=3,
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
    if batchmean and len(input_shape) != 0:
        red = _BATCHMEAN
        batch = int(input_shape[0])
    reduction_name = "batchmean" if batchmean else _REDUCTION_NAMES[red]
    g = None
    if grad:
        g = _grad_output(
            grad_output, shape if red == _NONE else (), x.dtype, "kl_div",
            "batchmean" if batchmean else _REDUCTION_NAMES[red],
        )
    inputs = None if out is None else {"input": x, "target": t, "grad_output": g}
    output, view = outs.result_buffer(shape, red, x.dtype, result_dtype, inputs, reduction_name=reduction_name)
    if grad:
        # A broadcast input's gradient is summed back to the input's shape before grad_out.
        grad_input, grad_view = outs.grad_buffer(
            input_shape, x.dtype, result_dtype, inputs, direct=shape == input_shape
        )
        if shape != input_shape:
            grad_input = np.empty(count, dtype=x.dtype)
    _C.kl_div(x, t, count, batch, red, 1 if log_target else 0, output)
    result = outs.finish_result(output, view, red, shape, result_dtype)
    if not grad:
        return result
    g = _ones_if_none(g, output.size, x.dtype)
    _C.kl_div_backward(t, count, batch, red, 1 if log_target else 0, g, grad_input)
    grad_input = _sum_to_shape(grad_input.reshape(shape), input_shape)
    return result, outs.finish_grad(grad_input, grad_view, input_shape, result_dtype)


# ------------------------------------------------------------------------------------------
# Regression losses: mse_loss, l1_loss, smooth_l1_loss, huber_loss, soft_margin_loss
# ------------------------------------------------------------------------------------------

_OUT_DOC = """Output buffers (keyword-only ``out``), as for the other losses: with
    ``reduction='none'``, ``out`` receives the element-wise losses (the broadcast shape of input
    and target and the result's dtype, C-contiguous, writable) and is returned in place of a
    new array; with ``with_grad=True``, ``out=(out, grad_out)``, ``grad_out`` of the input's
    shape and dtype. Buffers must not overlap the inputs."""


# How each regression loss reads its arguments, as PyTorch: 'mean' with a weight divides by
# the sum of the weights; the target broadcasts into the input only (the result keeps the
# input's shape); the result keeps the input's dtype (else two float dtypes promote).
_REGRESSION_RULES = {
    #                      weight-sum mean, target into input, input's dtype
    "mse_loss": (True, False, False),
    "l1_loss": (True, False, False),
    "smooth_l1_loss": (False, False, False),
    "huber_loss": (False, False, False),
    "soft_margin_loss": (False, True, True),
    "hinge_embedding_loss": (False, False, True),
    "poisson_nll_loss": (False, False, False),
}


def _size_warning(function: str, input: Any, target: Any):
    """The arrays of input and target, with PyTorch's warning when their shapes differ (mse,
    l1, smooth_l1 and huber give it), pointing at the user's call."""
    x = input if type(input) is np.ndarray else _asarray(input, function, "input")
    t = target if type(target) is np.ndarray else _asarray(target, function, "target")
    if t.shape != x.shape:
        warnings.warn(_target_size_message(x.shape, t.shape), stacklevel=_caller_stacklevel())
    return x, t


def _target_size_message(input_shape: Tuple[int, ...], target_shape: Tuple[int, ...]) -> str:
    """PyTorch's warning text for a target whose shape differs from the input's."""
    return (f"Using a target size ({_torch_size_str(target_shape)}) that is different to the input size "
            f"({_torch_size_str(input_shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.")


def _regression_reduction(reduction: Any, weighted: bool) -> int:
    """The reduction enum; mse_loss / l1_loss / huber_loss with a weight have their own message."""
    return _weighted_reduction(reduction) if weighted else _reduction_enum(reduction)


def _regression_arrays(function: str, input: Any, target: Any, keep_input_dtype: bool):
    """(input, target) as float arrays of one compute dtype, and the result dtype: PyTorch's
    promotion of two float dtypes (an integer or bool target takes the input's), or the
    input's dtype (soft_margin_loss)."""
    x_raw = input if type(input) is np.ndarray else _asarray(input, function, "input")
    t_raw = target if type(target) is np.ndarray else _asarray(target, function, "target")
    if x_raw.dtype.kind != "f":
        raise TypeError(f"{function}: expected a floating-point input (float32 or float64), got {x_raw.dtype}")
    if t_raw.dtype.kind not in "biuf":
        raise TypeError(f"{function}: expected a real-valued target, got {t_raw.dtype}")
    result = x_raw.dtype
    if not keep_input_dtype and t_raw.dtype.kind == "f":
        result = np.result_type(x_raw.dtype, t_raw.dtype)
    result = result if result.isnative else result.newbyteorder("=")
    compute = _compute_dtype(result, "input", function)
    return (np.asarray(x_raw, dtype=compute, order="C"), np.asarray(t_raw, dtype=compute, order="C"),
            result)


def _poisson_flags(log_input: Any, full: Any) -> int:
    """poisson_nll_loss's two switches as the regression worker's flags (see `_poisson_call`)."""
    return (1 if log_input else 0) | (2 if full else 0)


def _poisson_call(name: str):
    kernel = getattr(_C, name)

    def call(x, t, n, w, eps, flags, *rest):
        return kernel(x, t, n, flags & 1, (flags >> 1) & 1, eps, *rest)
    return call


# The _swiftloss calls whose signature is not the regression one (input, target, count,
# weight, parameter, reduction, ...): (forward, backward) taking (..., parameter, flags, ...).
_REGRESSION_CALLS = {
    "poisson_nll_loss": (_poisson_call("poisson_nll_loss"), _poisson_call("poisson_nll_loss_backward")),
}


def _regression_kernels(function: str):
    calls = _REGRESSION_CALLS.get(function)
    if calls is not None:
        return calls
    forward, backward = getattr(_C, function), getattr(_C, function + "_backward")
    return ((lambda x, t, n, w, p, flags, *rest: forward(x, t, n, w, p, *rest)),
            (lambda x, t, n, w, p, flags, *rest: backward(x, t, n, w, p, *rest)))


def _regression(function: str, input: Any, target: Any, weight: Any, red: int, parameter: float,
                with_grad: Any, grad_output: Any, out: Any, flags: int = 0):
    """The shared body of the regression losses, once the reduction and the parameter are
    checked: broadcasting, the weight's size rule, the C calls, the gradient summed back to
    the input's shape (the loss's rules from _REGRESSION_RULES)."""
    mean_by_weight_sum, target_into_input, keep_input_dtype = _REGRESSION_RULES[function]
    grad = _wants_grad(with_grad, grad_output, function)
    outs = _outs(out, grad, function)
    x, t, result_dtype = _regression_arrays(function, input, target, keep_input_dtype)
    input_shape = tuple(x.shape)
    if target_into_input:  # the output has the input's shape: the target broadcasts into it
        shape = _infer_size(input_shape, tuple(t.shape))
        if shape != input_shape:
            raise ValueError(f"output with shape {_shape_str(input_shape)} doesn't match the broadcast shape {_shape_str(shape)}")
    else:
        shape = _infer_size(input_shape, tuple(t.shape))
    w = None
    if weight is not None:
        w = _real_array(weight, x.dtype, function, "weight")
        if w.shape != input_shape:
            raise ValueError("Weights and input must have the same size.")
    if shape != input_shape:
        x = np.ascontiguousarray(np.broadcast_to(x, shape))
        if w is not None:
            w = np.ascontiguousarray(np.broadcast_to(w, shape))
    if tuple(t.shape) != shape:
        t = np.ascontiguousarray(np.broadcast_to(t, shape))
    count = int(np.prod(shape, dtype=np.int64))
    # A weighted 'mean' whose weight was broadcast divides by the sum of the weight as given
    # (PyTorch's torch.sum(weight)): computed here from a 'sum'.
    divide_here = red == _MEAN and mean_by_weight_sum and w is not None and shape != input_shape
    c_red = _SUM if divide_here else red
    divisor = float(np.sum(np.asarray(weight, dtype=np.float64))) if divide_here else 1.0
    g = None
    if grad:
        g = _grad_output(grad_output, shape if red == _NONE else (), x.dtype, function, _REDUCTION_NAMES[red])
    inputs = None if out is None else {"input": x, "target": t, "weight": w, "grad_output": g}
    output, view = outs.result_buffer(shape, red, x.dtype, result_dtype, inputs)
    if grad:
        grad_input, grad_view = outs.grad_buffer(input_shape, x.dtype, result_dtype, inputs,
                                                 direct=shape == input_shape)
        if shape != input_shape:
            grad_input = np.empty(count, dtype=x.dtype)
    kernel, kernel_backward = _regression_kernels(function)
    kernel(x, t, count, w, parameter, flags, c_red, output)
    if divide_here:
        output[0] = output[0] / divisor if divisor != 0 else np.nan
    result = outs.finish_result(output, view, red, shape, result_dtype)
    if not grad:
        return result
    g = _ones_if_none(g, output.size, x.dtype)
    if divide_here:
        g = (g.astype(np.float64) / divisor if divisor != 0 else np.full(1, np.nan)).astype(x.dtype)
    kernel_backward(x, t, count, w, parameter, flags, c_red, g, grad_input)
    grad_input = _sum_to_shape(grad_input.reshape(shape), input_shape)
    return result, outs.finish_grad(grad_input, grad_view, input_shape, result_dtype)


def _weighted_reduction(reduction: Any) -> int:
    """The reduction of mse_loss / l1_loss / huber_loss with a weight (their own message)."""
    if isinstance(reduction, str) and reduction in ("none", "mean", "sum"):
        return _reduction_enum(reduction)
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def _mse_or_l1(function, input, target, size_average, reduce, reduction, weight, with_grad, grad_output, out):
    """mse_loss and l1_loss: the size warning, the legacy reduction, a weighted 'mean' by the
    sum of the weights."""
    x, t = _size_warning(function, input, target)
    red = _regression_reduction(_reduction_string(size_average, reduce, reduction), weight is not None)
    return _regression(function, x, t, weight, red, 0.0, with_grad, grad_output, out)


def mse_loss(
    input: Any,
    target: Any,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    weight: Any = None,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Mean squared error: :math:`\ell = w\,(x - y)^2`.

    ``input`` and ``target`` broadcast against each other (with PyTorch's warning when their
    shapes differ); ``weight`` (PyTorch 2.15) must have the input's shape. ``'mean'`` divides
    the sum by the number of (broadcast) elements, or with a weight by the sum of the weight,
    as PyTorch (NaN when it is 0). float32 and float64, mixed float dtypes promote.

    Gradient (``with_grad=True``, optional ``grad_output``): ``(loss, grad_input)`` with
    :math:`\partial x = 2 (x - y)\, w\, s`, summed back to the input's shape when it was
    broadcast.

    Example::

        >>> import swiftloss as F
        >>> F.mse_loss([1.0, 2.0, 3.0], [1.5, 2.0, 5.0])
        1.4166666666666667

    Raises:
        ValueError: a bad reduction; shapes that do not broadcast; "Weights and input must
            have the same size."; with a weight, "Invalid reduction mode: ...".
        TypeError: a non-float input.
    """
    red = _fast_pair(input, target, reduction, size_average, reduce, with_grad, grad_output, out)
    if red is not None and weight is None:
        return _fast_regression(_C.mse_loss, input, target, 0.0, red)
    return _mse_or_l1("mse_loss", input, target, size_average, reduce, reduction, weight, with_grad, grad_output, out)


def l1_loss(
    input: Any,
    target: Any,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    weight: Any = None,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Mean absolute error: :math:`\ell = w\,|x - y|`.

    Broadcasting, ``weight`` and ``'mean'`` as :func:`mse_loss` (a weighted mean divides by
    the sum of the weight). Gradient :math:`\partial x = \mathrm{sign}(x - y)\, w\, s`, with
    sign 0 at 0 and at NaN (PyTorch's ``sgn``: a NaN loss has gradient 0).

    Example::

        >>> import swiftloss as F
        >>> F.l1_loss([1.0, 2.0, 3.0], [1.5, 2.0, 5.0])
        0.8333333333333334

    Raises:
        ValueError: as :func:`mse_loss`.
        TypeError: a non-float input.
    """
    red = _fast_pair(input, target, reduction, size_average, reduce, with_grad, grad_output, out)
    if red is not None and weight is None:
        return _fast_regression(_C.l1_loss, input, target, 0.0, red)
    return _mse_or_l1("l1_loss", input, target, size_average, reduce, reduction, weight, with_grad, grad_output, out)


def smooth_l1_loss(
    input: Any,
    target: Any,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    beta: float = 1.0,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Smooth L1: with :math:`z = |x - y|`, :math:`0.5 z^2 / \beta` for :math:`z < \beta`,
    else :math:`z - 0.5 \beta`.

    ``beta == 0`` is :func:`l1_loss` exactly (value and gradient), as PyTorch; ``beta < 0``
    raises. Broadcasting as :func:`mse_loss`; ``'mean'`` divides by the element count.
    Gradient :math:`\partial x = (|d| \ge \beta\ ?\ \mathrm{sign}(d) : d / \beta)\, s`.

    Example::

        >>> import swiftloss as F
        >>> F.smooth_l1_loss([1.0, 2.0, 3.0], [1.5, 2.0, 5.0])
        0.5416666666666666

    Raises:
        ValueError: "smooth_l1_loss does not support negative values for beta." (PyTorch:
            RuntimeError), a bad reduction, shapes that do not broadcast.
    """
    red = _fast_pair(input, target, reduction, size_average, reduce, with_grad, grad_output, out)
    if red is not None and type(beta) is float and beta >= 0:
        return _fast_regression(_C.smooth_l1_loss, input, target, beta, red)
    x, t = _size_warning("smooth_l1_loss", input, target)
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    beta = float(beta)
    if beta < 0:
        raise ValueError("smooth_l1_loss does not support negative values for beta.")
    return _regression("smooth_l1_loss", x, t, None, red, beta, with_grad, grad_output, out)


def huber_loss(
    input: Any,
    target: Any,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Any = None,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Huber loss: with :math:`z = |x - y|`, :math:`0.5 z^2` for :math:`z < \delta`, else
    :math:`\delta (z - 0.5 \delta)`; times ``weight`` (PyTorch 2.15, the input's shape).

    ``delta`` must be positive. ``'mean'`` divides by the element count, with a weight too
    (PyTorch's rule for huber_loss, unlike mse_loss and l1_loss). Gradient
    :math:`\partial x = \mathrm{clamp}(d, -\delta, \delta)\, w\, s`. No ``size_average`` /
    ``reduce``, as PyTorch.

    Example::

        >>> import swiftloss as F
        >>> F.huber_loss([1.0, 2.0, 3.0], [1.5, 2.0, 5.0])
        0.5416666666666666

    Raises:
        ValueError: "huber_loss does not support non-positive values for delta." (PyTorch:
            RuntimeError), a bad reduction, shapes that do not broadcast, "Weights and input
            must have the same size.".
    """
    red = _fast_pair(input, target, reduction, None, None, with_grad, grad_output, out)
    if red is not None and weight is None and type(delta) is float and delta > 0:
        return _fast_regression(_C.huber_loss, input, target, delta, red)
    x, t = _size_warning("huber_loss", input, target)
    red = _regression_reduction(reduction, weight is not None)
    delta = float(delta)
    if not delta > 0:
        raise ValueError("huber_loss does not support non-positive values for delta.")
    return _regression("huber_loss", x, t, weight, red, delta, with_grad, grad_output, out)


def soft_margin_loss(
    input: Any,
    target: Any,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Soft margin loss: :math:`\ell = \log(1 + e^{-y x})` for targets :math:`y` (usually
    :math:`\pm 1`; not checked, as PyTorch).

    Computed as :math:`\mathrm{softplus}(-y x)`, finite wherever the value is: PyTorch computes
    ``log1p(exp(-y * x))``, which overflows to inf once :math:`-y x` passes about 88.7 in
    float32 (and its gradient to NaN); swiftloss returns the finite value there. The target
    broadcasts into the input's shape only; the result keeps the input's dtype. ``'mean'``
    divides by the element count. Gradient :math:`\partial x = -y\, \sigma(-y x)\, s`.

    Example::

        >>> import swiftloss as F
        >>> F.soft_margin_loss([2.0, -1.0], [1.0, 1.0])
        0.7566...

    Raises:
        ValueError: a bad reduction; "output with shape [...] doesn't match the broadcast
            shape [...]" (PyTorch: RuntimeError) for a target larger than the input.
    """
    red = _fast_pair(input, target, reduction, size_average, reduce, with_grad, grad_output, out)
    if red is not None:
        return _fast_regression(_C.soft_margin_loss, input, target, 0.0, red)
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    return _regression("soft_margin_loss", input, target, None, red, 0.0, with_grad, grad_output, out)


def hinge_embedding_loss(
    input: Any,
    target: Any,
    margin: float = 1.0,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Hinge embedding loss, PyTorch's composite:
    :math:`\ell = [y \ne 1] \max(\mathrm{margin} - x, 0) + [y \ne -1]\, x`.

    So ``y = 1`` gives ``x`` itself (not clamped: it can be negative), ``y = -1`` the hinge,
    and any other target both terms, as PyTorch; NaN propagates. ``input`` and ``target``
    broadcast against each other; the result keeps the input's dtype. ``'mean'`` divides by
    the element count. Gradient :math:`\partial x = ([y \ne 1] \cdot (\mathrm{margin} - x
    > 0\ ?\ -1 : 0) + [y \ne -1])\, s`: 0 at the kink ``x == margin``.

    Example::

        >>> import swiftloss as F
        >>> F.hinge_embedding_loss([0.25, 2.0], [-1.0, 1.0])
        1.375

    Raises:
        ValueError: a bad reduction; shapes that do not broadcast.
        TypeError: a non-float input, a ``margin`` that is not a number.
    """
    red = _fast_pair(input, target, reduction, size_average, reduce, with_grad, grad_output, out)
    if red is not None and type(margin) is float:
        return _fast_regression(_C.hinge_embedding_loss, input, target, margin, red)
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    margin = _check_margin(margin, "hinge_embedding_loss", 3)
    return _regression("hinge_embedding_loss", input, target, None, red, margin, with_grad, grad_output, out)


def _poisson_reduction(size_average: Any, reduce: Any, reduction: Any, stacklevel: int = 4) -> str:
    """poisson_nll_loss's own reduction check (PyTorch's text; 'elementwise_mean' refused, a
    non-string a TypeError), after the legacy arguments."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce, stacklevel=stacklevel)
    if not isinstance(reduction, str):
        raise TypeError(f"unsupported operand type(s) for +: '{type(reduction).__name__}' and 'str'")
    if reduction not in _FAST_REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def poisson_nll_loss(
    input: Any,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    size_average: Optional[bool] = None,
    eps: float = 1e-8,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Poisson negative log-likelihood, PyTorch's composite: with ``log_input`` (the input is
    :math:`\log\lambda`), :math:`\ell = e^{x} - y x`; else :math:`\ell = x - y \log(x +
    arepsilon)`. With ``full``, plus the Stirling term :math:`y \log y - y + 	frac12
    \log(2\pi y)` where :math:`y > 1` (0 elsewhere).

    Nothing is validated, as PyTorch: a negative input without ``log_input`` gives NaN,
    negative targets are accepted. ``input`` and ``target`` broadcast against each other (the
    result has the broadcast shape); an integer input is computed in float32. ``'mean'``
    divides by the element count. Gradient :math:`\partial x = (e^{x} - y)\, s` with
    ``log_input``, else :math:`(1 - y / (x + arepsilon))\, s`.

    Example::

        >>> import swiftloss as F
        >>> F.poisson_nll_loss([0.5, 1.0], [1.0, 2.0])
        0.6487...

    Raises:
        ValueError: "foo is not a valid value for reduction" (PyTorch's own check, which also
            refuses 'elementwise_mean'); shapes that do not broadcast.
        TypeError: a reduction that is not a string (PyTorch's text: "unsupported operand
            type(s) for +: 'NoneType' and 'str'").
    """
    reduction = _poisson_reduction(size_average, reduce, reduction)
    red = _FAST_REDUCTIONS[reduction]
    flags = _poisson_flags(log_input, full)
    eps = float(eps)
    if _fast_pair(input, target, reduction, None, None, with_grad, grad_output, out) is not None:
        output = _output(input.size, red, input.dtype)
        _C.poisson_nll_loss(input, target, input.size, flags & 1, flags >> 1, eps, red, output)
        return _finish(output, red, input.shape, input.dtype)
    x = input if type(input) is np.ndarray else _asarray(input, "poisson_nll_loss", "input")
    if x.dtype.kind in "biu":  # torch.exp promotes an integer input to float32
        x = x.astype(np.float32)
    return _regression("poisson_nll_loss", x, target, None, red, eps, with_grad, grad_output, out, flags=flags)


def _not_valid_reduction(reduction: Any) -> int:
    """The reduction check of multilabel_soft_margin_loss and gaussian_nll_loss (PyTorch's
    text: "foo is not valid"; 'elementwise_mean' refused; a non-string a TypeError)."""
    if not isinstance(reduction, str):
        raise TypeError(f"unsupported operand type(s) for +: '{type(reduction).__name__}' and 'str'")
    if reduction not in _FAST_REDUCTIONS:
        raise ValueError(f"{reduction} is not valid")
    return _FAST_REDUCTIONS[reduction]


def multilabel_soft_margin_loss(
    input: Any,
    target: Any,
    weight: Any = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Multi-label soft margin loss, PyTorch's composite: per sample,
    :math:`\ell = \frac{1}{C} \sum_c w_c \left((1 - y_c) x_c - \log\sigma(x_c)\right)`, i.e.
    :math:`-(y \log\sigma(x) + (1 - y) \log\sigma(-x)) w` averaged over the last axis (size
    :math:`C`), computed with a stable :math:`\log\sigma`.

    Any rank: the last axis holds the classes and ``'none'`` returns the input's shape without
    it (a 1-d input gives a 0-d result); ``'mean'`` averages those per-sample losses. ``target``
    and ``weight`` broadcast against the input (PyTorch's plain broadcasting: a ``(C,)``,
    ``(N, C)``, ``(N, 1)`` or ``(1, C)`` weight). A last axis of size 0 gives NaN per sample.
    Gradient :math:`\partial x = (\sigma(x) - y)\, w\, s / C`.

    Example::

        >>> import swiftloss as F
        >>> F.multilabel_soft_margin_loss([[0.5, -1.0, 2.0]], [[1.0, 0.0, 1.0]])
        0.3047...

    Raises:
        IndexError: a 0-d input ("Dimension specified as -1 but tensor has no dimensions").
        ValueError: "foo is not valid" (PyTorch's text) for a bad reduction; shapes that do
            not broadcast.
        TypeError: a non-float input; a reduction that is not a string.
    """
    function = "multilabel_soft_margin_loss"
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    grad = _wants_grad(with_grad, grad_output, function)
    outs = _outs(out, grad, function)
    x, t, result_dtype = _regression_arrays(function, input, target, False)
    if x.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    input_shape = tuple(x.shape)
    shape = _infer_size(input_shape, tuple(t.shape))
    w = None
    if weight is not None:
        w = _real_array(weight, x.dtype, function, "weight")
        shape = _infer_size(shape, tuple(w.shape))
    red = _not_valid_reduction(reduction)
    classes = shape[-1]
    batch = int(np.prod(shape[:-1], dtype=np.int64))
    if shape != input_shape:
        x = np.ascontiguousarray(np.broadcast_to(x, shape))
    if tuple(t.shape) != shape:
        t = np.ascontiguousarray(np.broadcast_to(t, shape))
    if w is not None and tuple(w.shape) != (classes,):
        w = np.ascontiguousarray(np.broadcast_to(w, shape))  # per element
    elif w is not None:
        w = np.ascontiguousarray(w)
    loss_shape = shape[:-1]
    g = None
    if grad:
        g = _grad_output(grad_output, loss_shape if red == _NONE else (), x.dtype, function, _REDUCTION_NAMES[red])
    inputs = None if out is None else {"input": x, "target": t, "weight": w, "grad_output": g}
    output, view = outs.result_buffer(loss_shape, red, x.dtype, result_dtype, inputs)
    if grad:
        grad_input, grad_view = outs.grad_buffer(input_shape, x.dtype, result_dtype, inputs,
                                                 direct=shape == input_shape)
        if shape != input_shape:
            grad_input = np.empty(batch * classes, dtype=x.dtype)
    _C.multilabel_soft_margin_loss(x, t, batch, classes, w, red, output)
    result = outs.finish_result(output, view, red, loss_shape, result_dtype)
    if not grad:
        return result
    g = _ones_if_none(g, output.size, x.dtype)
    _C.multilabel_soft_margin_loss_backward(x, t, batch, classes, w, red, g, grad_input)
    grad_input = _sum_to_shape(grad_input.reshape(shape), input_shape)
    return result, outs.finish_grad(grad_input, grad_view, input_shape, result_dtype)


# ------------------------------------------------------------------------------------------
# Margin losses of class indices: multi_margin_loss, multilabel_margin_loss
# ------------------------------------------------------------------------------------------

# PyTorch's names of dtypes, for its "not implemented for 'Half'" and "expected scalar type
# Long but found Int" messages.
_TORCH_DTYPE_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
    "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64", "float16": "Half", "float32": "Float",
    "float64": "Double", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}


def _torch_dtype_name(dtype: np.dtype) -> str:
    return _TORCH_DTYPE_NAMES.get(np.dtype(dtype).name, np.dtype(dtype).name)


def _margin_rows(shape: Tuple[int, ...]) -> Tuple[int, int]:
    """(batch, classes) of a margin loss's input, with PyTorch's check: (N, C), (C,) or 0-d
    (one class), C > 0; N may be 0."""
    nd = len(shape)
    if not ((nd == 2 and shape[1] != 0) or (nd == 1 and shape[0] != 0) or nd == 0):
        raise ValueError(
            f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {_shape_str(shape)}"
        )
    if nd <= 1:
        return 1, (shape[0] if nd else 1)
    return int(shape[0]), int(shape[1])


def _margin_input(array: np.ndarray, kernel: str) -> np.ndarray:
    """The input as a C-contiguous float32 / float64 array: PyTorch computes these two losses
    in those dtypes only (float16 included: "not implemented for 'Half'")."""
    dtype = array.dtype if array.dtype.isnative else array.dtype.newbyteorder("=")
    if dtype != _FLOAT32 and dtype != _FLOAT64:
        raise TypeError(f"\"{kernel}\" not implemented for '{_torch_dtype_name(dtype)}'")
    return np.asarray(array, dtype=dtype, order="C")


def _margin_target(array: np.ndarray, empty: bool) -> np.ndarray:
    """Class indices of any integer dtype as a C-contiguous int64 array; anything else raises
    PyTorch's "expected scalar type Long but found Float", except in an empty batch, which
    PyTorch does not look at."""
    if array.dtype.kind not in "iu":
        if empty:
            return np.zeros(array.shape, np.int64)
        raise TypeError(f"expected scalar type Long but found {_torch_dtype_name(array.dtype)}")
    if array.dtype == np.uint64 and array.size and int(array.max()) > _INT64_MAX:
        raise IndexError("uint64 class index above the int64 range")  # replaced by the caller's text
    return np.asarray(array, dtype=np.int64, order="C")


# The margin losses' common call, as the class-index losses': an (N, C) float ndarray, int64
# targets ((N,), or (N, C) label lists), a reduction string, the default keywords otherwise
# (or a fast class weight). It takes a short path to the library call, written inline in the
# functions (a tiny call is mostly these checks); a call the extension or the library refuses
# (a strided array among them: the extension takes C-contiguous buffers only) takes the
# general path, which gives PyTorch's errors.
_FAST_REFUSED = (IndexError, ValueError, BufferError)


def _margin_number(value: Any, name: str, position: int, function: str) -> float:
    """A float argument as PyTorch's parser takes a Number (not a string)."""
    if not isinstance(value, (str, bytes)):
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    raise TypeError(f"{function}(): argument '{name}' (position {position}) must be Number, not {type(value).__name__}")


def multi_margin_loss(
    input: Any,
    target: Any,
    p: int = 1,
    margin: float = 1.0,
    weight: Any = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Multi-class hinge loss, PyTorch's native kernel: for each sample with target class
    :math:`y` and :math:`z_j = \mathrm{margin} - x_y + x_j`,

    .. math::
        \ell = \frac{1}{C} \sum_{j \ne y,\ z_j > 0} z_j^{\,p}\; w_y

    ``p`` is 1 or 2; the weight (one per class) is indexed by the **target** class and
    multiplies every term. ``margin`` may be negative. A NaN input makes its terms NaN, which
    are not counted (``z > 0`` is false), as PyTorch's: the loss is then finite.

    Shapes: ``input`` ``(N, C)`` with ``target`` ``(N,)`` (or 0-d when N is 1), ``(C,)`` with a
    0-d or ``(1,)`` target, or 0-d (one class); C must be at least 1, N may be 0. ``target``
    holds class indices in ``[0, C)`` (any integer dtype). ``'none'`` returns ``(N,)``, or a 0-d
    array for a 0-d target; ``'mean'`` divides the summed losses by N (not by the weights).
    PyTorch computes this loss in float32 and float64 only, and so does swiftloss: other input
    dtypes raise ``TypeError`` with PyTorch's text.

    Empty batch (N = 0): ``'mean'`` is NaN and ``'sum'`` 0, where PyTorch returns
    uninitialised memory.

    Gradient (``with_grad=True``, optional ``grad_output``: a scalar for ``'sum'`` / ``'mean'``,
    the loss's shape for ``'none'``): returns ``(loss, grad_input)``, PyTorch's: each counted
    term gives :math:`\partial x_j = s\, w_y\, (p = 1\ ?\ 1 : 2 z_j) / C` (and ``/ N`` for
    ``'mean'``), the target :math:`-\sum_j \partial x_j`; 0 at the kink ``z == 0``.

    Output buffers (keyword-only ``out``): with ``reduction='none'``, ``out`` receives the
    losses (the loss's shape and the input's dtype, C-contiguous, writable) and is returned in
    place of a new array; with ``with_grad=True``, ``out=(out, grad_out)``, ``grad_out`` of the
    input's shape and dtype, which may be the input array itself (its gradient is then
    written over it). Buffers must not otherwise overlap the inputs.

    Example::

        >>> import swiftloss as F
        >>> F.multi_margin_loss([[0.1, 0.2, 0.4, 0.8]], [3])
        0.32499...

    Raises:
        ValueError: "only p == 1 and p == 2 supported", "weight must be one-dimensional", a bad
            reduction, "Expected non-empty vector or matrix with optional 0-dim batch size, but
            got: [2, 0]", "multi_margin_loss: target tensor should be 1-D with size equal to
            the number of input samples (batch size). ...", "inconsistent weight size, expected
            4 but got [3]" (PyTorch: RuntimeError); a ``grad_output`` of the wrong shape.
        IndexError: "target out of range" (PyTorch: RuntimeError).
        TypeError: an input that is not float32 / float64 ('"multi_margin_loss_cpu_kernel" not
            implemented for 'Half''), a target that is not integer ("expected scalar type Long
            but found Float"), a ``margin`` that is not a number.
    """
    function = "multi_margin_loss"
    # The common call, as cross_entropy's, in one step.
    if out is None and not with_grad and grad_output is None and size_average is None and reduce is None:
        result = _C._fast_class(_FAST_MULTI_MARGIN_LOSS, input, target, weight, None, reduction, margin, p)
        if result is not None:
            return result
    grad = _wants_grad(with_grad, grad_output, function)
    outs = _outs(out, grad, function)
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    w_raw = None
    if weight is not None:
        w_raw = weight if type(weight) is np.ndarray else _asarray(weight, function, "weight")
        if w_raw.ndim != 1:
            raise ValueError("weight must be one-dimensional")
    margin = _margin_number(margin, "margin", 4, function)
    x_raw = input if type(input) is np.ndarray else _asarray(input, function, "input")
    t_raw = target if type(target) is np.ndarray else _asarray(target, function, "target")
    batch, classes = _margin_rows(x_raw.shape)
    if t_raw.ndim > 1 or t_raw.size != batch:
        raise ValueError(
            f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples "
            f"(batch size). Expected target size [{batch}], but got {_shape_str(t_raw.shape)}. Input has shape "
            f"{_shape_str(x_raw.shape)}."
        )
    if w_raw is not None and w_raw.size != classes:
        raise ValueError(f"inconsistent weight size, expected {classes} but got {_shape_str(w_raw.shape)}")
    x = _margin_input(x_raw, "multi_margin_loss_cpu_kernel")
    try:
        t = _margin_target(t_raw, batch == 0)
    except IndexError:
        raise IndexError("target out of range") from None
    w = None if w_raw is None else _real_array(w_raw, x.dtype, function, "weight")
    out_shape = (batch,) if red == _NONE and t_raw.ndim > 0 else ()
    g = None
    if grad:
        g = _grad_output(grad_output, out_shape if red == _NONE else (), x.dtype, function, _REDUCTION_NAMES[red])
    inputs = None if out is None else {"input": x, "target": t, "weight": w, "grad_output": g}
    output, view = outs.result_buffer(out_shape, red, x.dtype, x.dtype, inputs)
    if grad:
        grad_input, grad_view = outs.grad_buffer(x.shape, x.dtype, x.dtype, inputs, allow_same=("input",))
    p = 1 if p == 1 else 2
    try:
        _C.multi_margin_loss(x, t, batch, classes, p, margin, w, red, output)
    except IndexError:
        raise IndexError("target out of range") from None
    result = outs.finish_result(output, view, red, out_shape, x.dtype)
    if not grad:
        return result
    g = _ones_if_none(g, output.size, x.dtype)
    _C.multi_margin_loss_backward(x, t, batch, classes, p, margin, w, red, g, grad_input)
    return result, outs.finish_grad(grad_input, grad_view, x.shape, x.dtype)


_MULTILABEL_RANGE = "argument #2 'target' is out of range"


def multilabel_margin_loss(
    input: Any,
    target: Any,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Multi-label hinge loss, PyTorch's native kernel: each row of ``target`` lists the
    sample's classes, up to its first -1; with those classes the targets,

    .. math::
        \ell = \frac{1}{C} \sum_{j \in \mathrm{list}}\ \sum_{k\ \mathrm{not\ a\ target}} \max(0, 1 - (x_j - x_k))

    A class listed twice counts twice (PyTorch's rule); a row whose list is empty, or lists
    every class, has loss 0. Every entry, also after the first -1, must be in ``[-1, C)``.
    A NaN input makes its terms NaN, which are not counted, as PyTorch's.

    Shapes: ``input`` ``(N, C)``, ``(C,)`` or 0-d (one class), C at least 1, N may be 0;
    ``target`` has the input's shape (any integer dtype; a 0-d target with a 0-d or ``(1,)``
    input). ``'none'`` returns ``(N,)`` for an ``(N, C)`` input, else a 0-d array; ``'mean'``
    divides the summed losses by N. PyTorch computes this loss in float32 and float64 only, and
    so does swiftloss: other input dtypes raise ``TypeError`` with PyTorch's text.

    Empty batch (N = 0): ``'mean'`` is NaN and ``'sum'`` 0, where PyTorch returns
    uninitialised memory.

    Gradient (``with_grad=True``, optional ``grad_output``: a scalar for ``'sum'`` / ``'mean'``,
    the loss's shape for ``'none'``): returns ``(loss, grad_input)``, PyTorch's: each list entry
    :math:`j` and non-target :math:`k` with :math:`1 - (x_j - x_k) > 0` add :math:`s / C` to
    :math:`\partial x_k` and :math:`-s / C` to :math:`\partial x_j` (and ``/ N`` for ``'mean'``).

    Output buffers (keyword-only ``out``): with ``reduction='none'``, ``out`` receives the
    losses (the loss's shape and the input's dtype, C-contiguous, writable) and is returned in
    place of a new array; with ``with_grad=True``, ``out=(out, grad_out)``, ``grad_out`` of the
    input's shape and dtype. Buffers must not overlap the inputs.

    Example::

        >>> import swiftloss as F
        >>> F.multilabel_margin_loss([[0.1, 0.2, 0.4, 0.8]], [[3, 0, -1, 1]])
        0.85...

    Raises:
        ValueError: a bad reduction, "Expected non-empty vector or matrix with optional 0-dim
            batch size, but got: [2, 0]", "inconsistent target size: [2, 3] for input of size:
            [2, 4]" (PyTorch: RuntimeError); a ``grad_output`` of the wrong shape.
        IndexError: "argument #2 'target' is out of range" (PyTorch: RuntimeError).
        TypeError: an input that is not float32 / float64, a target that is not integer
            ("expected scalar type Long but found Int"'s counterpart for the dtype given).
    """
    function = "multilabel_margin_loss"
    if (type(input) is np.ndarray and type(target) is np.ndarray and type(reduction) is str and out is None
            and not with_grad and grad_output is None and size_average is None and reduce is None
            and input.ndim == 2 and target.dtype == _INT64 and (input.dtype == _FLOAT32 or input.dtype == _FLOAT64)):
        fast = _FAST_REDUCTIONS.get(reduction)
        n, c = input.shape
        if fast is not None and c > 0 and target.shape == input.shape:
            output = np.empty(n if fast == _NONE else 1, input.dtype)
            try:
                _C.multilabel_margin_loss(input, target, n, c, fast, output)
                return output if fast == _NONE else output[0]
            except _FAST_REFUSED:
                pass  # the general path gives PyTorch's message
    grad = _wants_grad(with_grad, grad_output, function)
    outs = _outs(out, grad, function)
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    x_raw = input if type(input) is np.ndarray else _asarray(input, function, "input")
    t_raw = target if type(target) is np.ndarray else _asarray(target, function, "target")
    batch, classes = _margin_rows(x_raw.shape)
    if (t_raw.ndim != 2 or t_raw.shape != x_raw.shape) if x_raw.ndim == 2 else (t_raw.ndim > 1 or t_raw.size != classes):
        raise ValueError(
            f"inconsistent target size: {_shape_str(t_raw.shape)} for input of size: {_shape_str(x_raw.shape)}"
        )
    empty = batch == 0
    # PyTorch checks the targets' range before the dtypes (of the input, then the target).
    if not empty and t_raw.dtype.kind in "biuf" and (t_raw.min() < -1 or t_raw.max() >= classes):
        raise IndexError(_MULTILABEL_RANGE)
    x = _margin_input(x_raw, "multilabel_margin_loss_forward_out_frame")
    try:
        t = _margin_target(t_raw, empty)
    except IndexError:
        raise IndexError(_MULTILABEL_RANGE) from None
    out_shape = (batch,) if red == _NONE and x_raw.ndim == 2 else ()
    g = None
    if grad:
        g = _grad_output(grad_output, out_shape if red == _NONE else (), x.dtype, function, _REDUCTION_NAMES[red])
    inputs = None if out is None else {"input": x, "target": t, "grad_output": g}
    output, view = outs.result_buffer(out_shape, red, x.dtype, x.dtype, inputs)
    if grad:
        grad_input, grad_view = outs.grad_buffer(x.shape, x.dtype, x.dtype, inputs)
    try:
        _C.multilabel_margin_loss(x, t, batch, classes, red, output)
    except IndexError:
        raise IndexError(_MULTILABEL_RANGE) from None
    result = outs.finish_result(output, view, red, out_shape, x.dtype)
    if not grad:
        return result
    g = _ones_if_none(g, output.size, x.dtype)
    _C.multilabel_margin_loss_backward(x, t, batch, classes, red, g, grad_input)
    return result, outs.finish_grad(grad_input, grad_view, x.shape, x.dtype)


_CTC_CHECK = " (while checking arguments for ctc_loss_allocate_outputs)"
_CTC_TYPE_NAMES = {bool: "bool", int: "int", float: "float", list: "list", tuple: "tuple", str: "str"}


def _ctc_type_error(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any, blank: Any,
                    zero_infinity: Any) -> None:
    """PyTorch's TypeError for ctc_loss arguments that match neither of its signatures."""
    names = ", ".join(_CTC_TYPE_NAMES.get(type(v), "Tensor" if hasattr(v, "__array__") else type(v).__name__)
                      for v in (log_probs, targets, input_lengths, target_lengths, blank, 0, zero_infinity))
    raise TypeError(f"ctc_loss() received an invalid combination of arguments - got ({names}), but expected "
                    "one of: (Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints "
                    "target_lengths, int blank, int reduction, bool zero_infinity) or (Tensor log_probs, "
                    "Tensor targets, Tensor input_lengths, Tensor target_lengths, int blank, int reduction, "
                    "bool zero_infinity)")


def _ctc_lengths(input_lengths: Any, target_lengths: Any, log_probs: Any, targets: Any,
                 blank: Any, zero_infinity: Any) -> Tuple[np.ndarray, np.ndarray]:
    """The two length arguments as flat int64 arrays: arrays of any integer dtype and shape,
    lists or tuples of ints. Anything else raises PyTorch's TypeError ("received an invalid
    combination of arguments") or, for float arrays, "input_lengths must be integral"."""
    given = (input_lengths, target_lengths)
    if any(not isinstance(v, (list, tuple)) and not hasattr(v, "__array__") for v in given) or any(
            isinstance(v, (list, tuple)) and not all(isinstance(k, (int, np.integer)) and not isinstance(k, bool)
                                                     for k in v) for v in given):
        _ctc_type_error(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity)
    result = []
    for value, name in ((input_lengths, "input_lengths"), (target_lengths, "target_lengths")):
        if isinstance(value, (list, tuple)):
            array = np.array([int(k) for k in value], dtype=np.int64).reshape(-1)
        else:
            array = _asarray(value, "ctc_loss", name)
            if array.dtype.kind not in "biu":
                raise TypeError(f"{name} must be integral")
            if array.dtype == np.uint64 and array.size and int(array.max()) > _INT64_MAX:
                raise ValueError(f"{name}: a length beyond the int64 range")
            array = np.ascontiguousarray(array, dtype=np.int64).reshape(-1)
        result.append(array)
    return result[0], result[1]


def ctc_loss(
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Connectionist temporal classification loss, PyTorch's CPU kernel: the negative log of
    the probability of the target sequence summed over every alignment of it to the input
    frames, by the forward (alpha) recursion in log space. With :math:`l'` the target with
    blanks interleaved (length :math:`2L + 1`),

    .. math::
        \alpha_t(s) = \mathrm{logsumexp}(\alpha_{t-1}(s), \alpha_{t-1}(s-1),
        \alpha_{t-1}(s-2)\,[l'_{s-2} \ne l'_s]) + \mathrm{lp}_t(l'_s), \qquad
        \ell = -\mathrm{logsumexp}(\alpha_{T-1}(2L), \alpha_{T-1}(2L-1))

    computed in the input's precision with PyTorch's max trick. An impossible alignment (too
    few frames for the labels and their repeats) gives ``inf``; ``zero_infinity=True`` replaces
    those losses (and their gradients) by 0. A target of length 0 gives
    :math:`-\sum_t \mathrm{lp}_t(\mathrm{blank})`; an input length of 0 gives -0.0 (empty
    target) or ``inf``. ``'mean'`` divides each sample's loss by ``max(target_length, 1)``
    before averaging over the batch; ``'sum'`` adds the losses.

    Shapes: ``log_probs`` ``(T, N, C)`` or unbatched ``(T, C)`` (float32 or float64; log
    probabilities, e.g. from :func:`log_softmax`; not checked for normalisation);
    ``targets`` padded ``(N, S)`` (entries past each length are not read) or concatenated 1-D
    with ``sum(target_lengths)`` entries (unbatched: 1-D or ``(1, S)``), converted to int64 as
    PyTorch's ``.to(long)`` (floats are truncated); ``input_lengths``, ``target_lengths``
    ``N`` integers each (arrays of any integer dtype and shape, lists or tuples). ``'none'``
    returns ``(N,)`` (0-d unbatched).

    Labels: PyTorch does not check them (a label outside ``[0, C)`` reads out of bounds);
    swiftloss raises ``IndexError`` for one. A label equal to ``blank`` is accepted and
    computed as given, as PyTorch's.

    Gradient (``with_grad=True``, optional ``grad_output``: a scalar for ``'sum'`` /
    ``'mean'``, the loss's shape for ``'none'``): returns ``(loss, grad_log_probs)``,
    **PyTorch's gradient, which is not the derivative of the loss with respect to
    log_probs**: for :math:`t` below the sample's input length

    .. math::
        g_{t,c} = \big(e^{\mathrm{lp}_{t,c}} - e^{\mathrm{lcab}_{t,c} + \ell - \mathrm{lp}_{t,c}}\big)\, s

    with :math:`\mathrm{lcab}_{t,c}` the logsumexp of :math:`\alpha_t(s) + \beta_t(s)` over the
    :math:`s` with :math:`l'_s = c`, and 0 beyond the input length. The true derivative is the
    second term alone; the extra :math:`e^{\mathrm{lp}}` cancels through log_softmax's
    backward (each row of :math:`e^{\mathrm{lp}}` sums to 1), so the gradient with respect to
    the logits is right. An impossible sample without ``zero_infinity`` gets NaN gradients
    (PyTorch's). :math:`s` is ``grad_output`` (per sample for ``'none'``), divided by
    ``N * max(L, 1)`` for ``'mean'``.

    Output buffers (keyword-only ``out``): with ``reduction='none'``, ``out`` receives the
    losses; with ``with_grad=True``, ``out=(out, grad_out)``, ``grad_out`` of the input's shape
    and dtype. Buffers must not overlap the inputs.

    Example::

        >>> import numpy as np, swiftloss as F
        >>> lp = F.log_softmax(np.zeros((4, 1, 3)), dim=2)
        >>> F.ctc_loss(lp, [[1, 2]], [4], [2], reduction='sum')
        1.6863...

    Raises:
        ValueError: PyTorch's RuntimeErrors, with its text: "blank must be in label range",
            "input_lengths must be of size batch_size", "Expected input_lengths to have value
            at most 5, but got value 6 (while checking arguments for
            ctc_loss_allocate_outputs)", the targets' size checks, "Expected 3-dimensional
            tensor, but got 4-dimensional tensor for argument #1 'log_probs' ...", "log_probs
            tensor must not be empty"; a bad reduction; a ``grad_output`` of the wrong shape.
        IndexError: a label outside ``[0, C)`` (PyTorch does not check), a 0-d log_probs.
        TypeError: log_probs that is not float32 / float64 ('"ctc_loss_cpu" not implemented
            for 'Half''), float lengths ("input_lengths must be integral"), a length given as a
            number ("ctc_loss() received an invalid combination of arguments ...").
    """
    function = "ctc_loss"
    grad = _wants_grad(with_grad, grad_output, function)
    outs = _outs(out, grad, function)
    red = _reduction_enum(reduction)
    il, tl = _ctc_lengths(input_lengths, target_lengths, log_probs, targets, blank, zero_infinity)
    x_raw = log_probs if type(log_probs) is np.ndarray else _asarray(log_probs, function, "log_probs")
    t_raw = targets if type(targets) is np.ndarray else _asarray(targets, function, "targets")
    if x_raw.ndim == 0:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    batched = x_raw.ndim == 3
    x = _margin_input(x_raw, "ctc_loss_cpu")
    if x.size == 0 and x.ndim <= 3:
        raise ValueError("log_probs tensor must not be empty")
    if not batched:
        if x.ndim != 2:
            raise ValueError(f"Expected 3-dimensional tensor, but got {x.ndim + 1}-dimensional tensor for argument "
                             f"#1 'log_probs'{_CTC_CHECK}")
        x = x.reshape(x.shape[0], 1, x.shape[1])
    time, batch, classes = x.shape
    if t_raw.ndim not in (1, 2):
        raise ValueError(f"Expected 1 to 2 dimensions, but got {t_raw.ndim}-dimensional tensor for argument "
                         f"#2 'targets'{_CTC_CHECK}")
    blank = operator.index(blank)
    if not 0 <= blank < classes:
        raise ValueError("blank must be in label range")
    if il.size != batch:
        raise ValueError("input_lengths must be of size batch_size")
    if tl.size != batch:
        raise ValueError("target_lengths must be of size batch_size")
    for k in tl:
        if k < 0:
            raise ValueError(f"Expected target_lengths to have value at least 0, but got value {k}{_CTC_CHECK}")
    if t_raw.ndim == 1:
        expected, stride = int(tl.sum()), 0
        if t_raw.shape[0] != expected:
            raise ValueError(f"Expected tensor to have size {expected} at dimension 0, but got size {t_raw.shape[0]} "
                             f"for argument #2 'targets'{_CTC_CHECK}")
    else:
        if t_raw.shape[0] != batch:
            raise ValueError(f"Expected tensor to have size {batch} at dimension 0, but got size {t_raw.shape[0]} "
                             f"for argument #2 'targets'{_CTC_CHECK}")
        longest = int(tl.max()) if batch else 0
        stride = t_raw.shape[1]
        if stride < longest:
            raise ValueError(f"Expected tensor to have size at least {longest} at dimension 1, but got size {stride} "
                             f"for argument #2 'targets'{_CTC_CHECK}")
    for k in il:
        if k < 0 or k > time:
            bound = "at least 0" if k < 0 else f"at most {time}"
            raise ValueError(f"Expected input_lengths to have value {bound}, but got value {k}{_CTC_CHECK}")
    if t_raw.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            t_raw = np.trunc(t_raw)
    t = np.ascontiguousarray(t_raw, dtype=np.int64).reshape(-1)
    if stride and t.size == 0:
        stride = 0  # (N, 0) padded targets: every length is 0, the concatenated layout of nothing
    out_shape = (batch,) if red == _NONE and batched else ()
    g = None
    if grad:
        g = _grad_output(grad_output, out_shape if red == _NONE else (), x.dtype, function, _REDUCTION_NAMES[red])
    inputs = None if out is None else {"log_probs": x, "targets": t, "grad_output": g}
    output, view = outs.result_buffer(out_shape, red, x.dtype, x.dtype, inputs)
    if grad:
        grad_input, grad_view = outs.grad_buffer(x_raw.shape, x.dtype, x.dtype, inputs)
    zero = 1 if zero_infinity else 0
    try:
        _C.ctc_loss(x, t, il, tl, time, batch, classes, stride, blank, red, zero, output)
    except IndexError:
        raise IndexError(f"ctc_loss: a target label is outside [0, {classes}) (PyTorch does not check labels)") from None
    result = outs.finish_result(output, view, red, out_shape, x.dtype)
    if not grad:
        return result
    g = _ones_if_none(g, output.size, x.dtype)
    _C.ctc_loss_backward(x, t, il, tl, time, batch, classes, stride, blank, red, zero, g, grad_input)
    return result, outs.finish_grad(grad_input, grad_view, x_raw.shape, x.dtype)


for _f in (mse_loss, l1_loss, smooth_l1_loss, huber_loss, soft_margin_loss, hinge_embedding_loss,
           poisson_nll_loss, multilabel_soft_margin_loss):
    _f.__doc__ = _f.__doc__.replace("\n    Raises:", "\n    " + _OUT_DOC + "\n\n    Raises:", 1)
del _f


# ------------------------------------------------------------------------------------------
# Losses of several learned inputs: with_grad=True returns (result, (grad_1, grad_2, ...)),
# one gradient per learned input in argument order, each in its input's shape.
# ------------------------------------------------------------------------------------------

def _promoted_arrays(function: str, values: Tuple[Any, ...], names: Tuple[str, ...]):
    """The arrays of a composite loss's tensor arguments and its result dtype, as PyTorch's
    type promotion: the widest float dtype among them, float32 when none is a float (integer
    and bool arguments take part in the arithmetic, as torch's composite)."""
    arrays = []
    result = None
    for value, name in zip(values, names):
        array = value if type(value) is np.ndarray else _asarray(value, function, name)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{function}: expected a real-valued {name}, got {array.dtype}")
        if array.dtype.kind == "f":
            result = array.dtype if result is None else np.result_type(result, array.dtype)
        arrays.append(array)
    result = np.dtype(np.float32) if result is None else result
    return arrays, (result if result.isnative else result.newbyteorder("="))


def _several_outs(out: Any, with_grad: bool, function: str, names: Tuple[str, ...]):
    """The out= of a loss of several learned inputs: (the handler of the result's buffer, one
    grad_out per learned input, None where not given). With with_grad=True, out is a pair
    (out, grad_outs) where grad_outs is None or holds one entry (None or a buffer) per learned
    input, in argument order."""
    none = (None,) * len(names)
    if out is None:
        return _NO_OUT, none
    if not with_grad:
        return _Out(out, False, function), none
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        raise TypeError(
            f"{function}: with with_grad=True, out= must be a pair (out, grad_outs), grad_outs "
            f"None or a tuple of {len(names)} buffers ({', '.join(names)}; each may be None); "
            f"got {type(out).__name__}"
        )
    result, grads = out
    if grads is None:
        grads = none
    elif not (isinstance(grads, (tuple, list)) and len(grads) == len(names)):
        raise TypeError(
            f"{function}: grad_outs must be None or a tuple of {len(names)} buffers "
            f"({', '.join(names)}; each may be None)"
        )
    return _Out((result, None), True, function), tuple(grads)


def _grad_views(outs: Any, grad_outs: Tuple[Any, ...], shapes: Tuple[Tuple[int, ...], ...], dtype: np.dtype,
                names: Tuple[str, ...], inputs: Optional[dict]) -> Tuple[Optional[np.ndarray], ...]:
    """The caller's grad_out buffers as writable views of each input's shape and dtype, checked
    before anything is computed (none may overlap an input or another out buffer)."""
    views = []
    for grad_out, input_shape, name in zip(grad_outs, shapes, names):
        view = None
        if grad_out is not None:
            what = f"the grad_out of {name}"
            view = _out_view(grad_out, input_shape, dtype, outs.function, what)
            outs._claim(view, what, inputs or {}, ())
        views.append(view)
    return tuple(views)


def _several_grads(grads: Tuple[Optional[np.ndarray], ...], views: Tuple[Optional[np.ndarray], ...],
                   grad_outs: Tuple[Any, ...], shape: Optional[Tuple[int, ...]], shapes: Tuple[Tuple[int, ...], ...],
                   dtype: np.dtype, sum_shapes: Optional[Tuple[Tuple[int, ...], ...]] = None) -> Tuple[Any, ...]:
    """The gradients of the learned inputs (flat, in the broadcast shape; None where not
    computed) summed back to each input's shape, in dtype, written into the caller's grad_out
    buffers where given (which are then returned). shape None: each gradient already has a
    shape that sums back to its input's. ``sum_shapes``: the shapes the inputs took part in the
    loss with, where one differs from its own (gaussian_nll_loss's var of shape (N,)
    unsqueezed to (N, 1)); the sum is taken to it, then reshaped."""
    results = []
    for grad, view, grad_out, input_shape, sum_shape in zip(grads, views, grad_outs, shapes, sum_shapes or shapes):
        if grad is not None:
            grad = _grad_result(_sum_to_shape(grad.reshape(shape) if shape is not None else grad, sum_shape),
                                input_shape, dtype)
            if view is not None:
                np.copyto(view, grad, casting="unsafe")
                grad = grad_out
        results.append(grad)
    return tuple(results)


def _check_margin(value: Any, function: str, position: int, name: str = "margin") -> float:
    """A float argument as PyTorch's argument parser takes it (a bool or an int is a float)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(
            f"{function}(): argument '{name}' (position {position}) must be float, not {type(value).__name__}"
        )
    return float(value)


_MARGIN_RANKING_NAMES = ("input1", "input2")


def _check_margin_ranking_shapes(s1: Tuple[int, ...], s2: Tuple[int, ...], st: Tuple[int, ...], bool_target: bool) -> None:
    """PyTorch's checks of margin_ranking_loss's arguments: one number of dimensions (its
    RuntimeError's text, trailing space included), and no bool target (the negation's
    NotImplementedError text); shapes that do not broadcast are refused later."""
    if not len(s1) == len(s2) == len(st):
        raise ValueError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {_torch_size_str(s1)}, input2: {_torch_size_str(s2)}, target: {_torch_size_str(st)} "
        )
    if bool_target:
        raise TypeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )


def margin_ranking_loss(
    input1: Any,
    input2: Any,
    target: Any,
    margin: float = 0,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Margin ranking loss, PyTorch's composite:
    :math:`\ell = \max(-y\,(x_1 - x_2) + \mathrm{margin},\ 0)` element by element.

    ``y = 1`` asks for ``x1`` to rank above ``x2`` by the margin, ``y = -1`` the opposite. The
    target is not validated, as PyTorch: ``y = 0`` gives the margin, ``y = 2`` doubles the
    term. The three arguments must have the same number of dimensions and broadcast against
    each other (the result has the broadcast shape); integer arguments give a float32 result,
    float ones promote. ``'mean'`` divides by the element count. NaN propagates.

    Gradients (``with_grad=True`` returns ``(loss, (grad_input1, grad_input2))``, each summed
    back to its input's shape): :math:`\partial x_1 = -y\, s`, :math:`\partial x_2 = y\, s`
    where the loss is positive, 0 elsewhere (at the kink too).

    Example::

        >>> import swiftloss as F
        >>> F.margin_ranking_loss([1.0, 2.0, 3.0], [2.0, 2.0, 2.0], [1.0, -1.0, 1.0], margin=1.0)
        1.0

    Raises:
        ValueError: a bad reduction; arguments of different numbers of dimensions
            ("margin_ranking_loss : All input tensors should have same dimension but got
            sizes: ..."; PyTorch: RuntimeError); shapes that do not broadcast.
        TypeError: a bool target (PyTorch: NotImplementedError, its text), a non-real
            argument, a margin that is not a number.
    """
    function = "margin_ranking_loss"
    if (type(input1) is np.ndarray and type(input2) is np.ndarray and type(target) is np.ndarray
            and out is None and not with_grad and grad_output is None and size_average is None
            and reduce is None and type(reduction) is str and type(margin) in (float, int)
            and input1.shape == input2.shape == target.shape
            and input1.dtype == input2.dtype == target.dtype
            and (input1.dtype == _FLOAT32 or input1.dtype == _FLOAT64)
            and input1.flags.c_contiguous and input2.flags.c_contiguous and target.flags.c_contiguous):
        red = _FAST_REDUCTIONS.get(reduction)
        if red is not None:
            output = _output(input1.size, red, input1.dtype)
            _C.margin_ranking_loss(input1, input2, target, input1.size, float(margin), red, output)
            return _finish(output, red, input1.shape, input1.dtype)
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    margin = _check_margin(margin, function, 4)
    (x1, x2, t), result_dtype = _promoted_arrays(function, (input1, input2, target), ("input1", "input2", "target"))
    _check_margin_ranking_shapes(x1.shape, x2.shape, t.shape, t.dtype == np.bool_)
    grad = _wants_grad(with_grad, grad_output, function)
    outs, grad_outs = _several_outs(out, grad, function, _MARGIN_RANKING_NAMES)
    return _three_input_call(
        function, (x1, x2, t), ("input1", "input2", "target"), (0, 1), result_dtype, red, grad, grad_output, outs,
        grad_outs, lambda a, b, c, n, r, o: _C.margin_ranking_loss(a, b, c, n, margin, r, o),
        lambda a, b, c, n, r, g, g1, g2: _C.margin_ranking_loss_backward(a, b, c, n, margin, r, g, g1, g2))


def _three_input_call(function: str, arrays: Tuple[np.ndarray, ...], names: Tuple[str, ...],
                      learned: Tuple[int, ...], result_dtype: np.dtype, red: int, grad: bool, grad_output: Any,
                      outs: Any, grad_outs: Tuple[Any, ...], forward: Any, backward: Any,
                      result_shapes: Optional[Tuple[Optional[Tuple[int, ...]], ...]] = None):
    """The common body of the losses of three inputs (margin_ranking_loss, gaussian_nll_loss),
    after their own checks. ``arrays`` (dtype-promoted, named ``names``) are broadcast to one
    C-contiguous shape of the compute dtype; ``learned`` holds the indices of the learned ones,
    whose gradients are returned in that order, each summed back to its array's shape and
    returned in ``result_shapes`` (default the same; None: not computed, as gaussian_nll_loss's
    Python-float var). ``forward(a, b, c, count, red, output)`` and ``backward(a, b, c, count,
    red, grad_output, grad_1, grad_2)`` are the library's calls."""
    shape = _infer_size(_infer_size(arrays[0].shape, arrays[1].shape), arrays[2].shape)
    compute = _compute_dtype(result_dtype, "input", function)
    sum_shapes = tuple(tuple(arrays[i].shape) for i in learned)
    result_shapes = result_shapes or sum_shapes
    a, b, c = (np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=compute), shape)) for x in arrays)
    count = math.prod(shape)
    g = None
    if grad:
        g = _grad_output(grad_output, shape if red == _NONE else (), compute, function, _REDUCTION_NAMES[red])
    inputs = None if outs is _NO_OUT else {**dict(zip(names, (a, b, c))), "grad_output": g}
    output, view = outs.result_buffer(shape, red, compute, result_dtype, inputs)
    learned_names = tuple(names[i] for i in learned)
    views = (_grad_views(outs, grad_outs, tuple(s or () for s in result_shapes), result_dtype, learned_names, inputs)
             if grad else ())
    forward(a, b, c, count, red, output)
    result = outs.finish_result(output, view, red, shape, result_dtype)
    if not grad:
        return result
    grads = tuple(None if s is None else np.empty(count, compute) for s in result_shapes)
    backward(a, b, c, count, red, _ones_if_none(g, output.size, compute), *grads)
    return result, _several_grads(grads, views, grad_outs, shape, result_shapes, result_dtype, sum_shapes)


def _add_several_out_doc(function: Any, grad_outs: str) -> None:
    """The out= paragraph of a loss of several learned inputs, before its Raises section."""
    function.__doc__ = function.__doc__.replace(
        "\n    Raises:",
        "\n    Output buffers (keyword-only ``out``): with ``reduction='none'``, ``out`` receives the "
        "element-wise\n    losses (the broadcast shape and the result's dtype, C-contiguous, writable); "
        f"with\n    ``with_grad=True``, ``out=(out, ({grad_outs}))``, any of which may be None, "
        "each\n    of its argument's shape. Buffers must not overlap the inputs or each other.\n\n    Raises:", 1)


_add_several_out_doc(margin_ranking_loss, "grad_out1, grad_out2")


# ------------------------------------------------------------------------------------------
# gaussian_nll_loss: learned input and var
# ------------------------------------------------------------------------------------------

_GAUSSIAN_NLL_NAMES = ("input", "var")
_FLOAT32_MAX = float(np.finfo(np.float32).max)

# PyTorch's names of the dtypes in its messages about them.
_TORCH_CAST_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                     "uint8": "unsigned char", "bool": "bool"}
_TORCH_UNSIGNED = {"uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64"}


def _refuse_number_var(var: Any) -> None:
    """PyTorch's ``torch.any(var < 0)`` on a var that is neither a float nor a tensor (an int, a
    bool, a numpy scalar that is not a float64): the comparison's own TypeError (None, a
    string), else torch.any's of the bool it gives."""
    negative = var < 0
    kind = type(negative)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    raise TypeError(
        f"any() received an invalid combination of arguments - got ({name}), but expected one of:\n"
        " * (Tensor input, *, Tensor out = None)\n"
        " * (Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None)\n"
        " * (Tensor input, int dim, bool keepdim = False, *, Tensor out = None)\n"
    )


def _gaussian_var_shape(var_shape: Tuple[int, ...], input_shape: Tuple[int, ...]) -> Tuple[int, ...]:
    """The shape var takes part in the loss with, as PyTorch's check: its own; the input's
    shape without the last dimension, unsqueezed there (one variance per row); the input's
    number of dimensions with the sizes that differ summing to 1; else "var is of incorrect
    size"."""
    var_shape, input_shape = tuple(var_shape), tuple(input_shape)
    if var_shape == input_shape:
        return var_shape
    if input_shape[:-1] == var_shape:
        return var_shape + (1,)
    if len(var_shape) == len(input_shape) and sum(b for a, b in zip(input_shape, var_shape) if a != b) == 1:
        return var_shape
    raise ValueError("var is of incorrect size")


def _gaussian_var(var: Any, x: np.ndarray, function: str):
    """PyTorch's steps on var before the reduction check, in its order: a Python float becomes
    ``var * ones_like(input)`` (in the input's float dtype, float32 for an integer input) after
    its sign check; any other number fails (`_refuse_number_var`); an array is checked for
    negative entries and for its shape (`_gaussian_var_shape`). Returns (the var array as it
    takes part in the loss, its own shape, or None for a Python float, which has no
    gradient)."""
    if isinstance(var, float):  # np.float64 too, a float subclass, as PyTorch's isinstance
        if var < 0:
            raise ValueError("var has negative entry/entries")
        dtype = x.dtype if x.dtype.kind == "f" else _FLOAT32
        with np.errstate(over="ignore"):
            return np.full(x.shape, var, dtype=dtype), None
    if var is None or isinstance(var, (str, bytes, int, complex, np.generic)):
        _refuse_number_var(var)
    v = var if type(var) is np.ndarray else _asarray(var, function, "var")
    if v.dtype.kind not in "biuf":
        raise TypeError(f"{function}: expected a real-valued var, got {v.dtype}")
    if v.dtype.name in _TORCH_UNSIGNED:
        raise TypeError(f'"lt_cpu" not implemented for \'{_TORCH_UNSIGNED[v.dtype.name]}\'')
    if v.dtype.kind != "b" and np.any(v < 0):
        raise ValueError("var has negative entry/entries")
    own = tuple(v.shape)
    return v.reshape(_gaussian_var_shape(own, x.shape)), own


def _gaussian_eps(eps: Any, var_dtype: str) -> float:
    """eps as PyTorch's ``var.clamp_(min=eps)`` takes it for a var of dtype ``var_dtype`` (its
    name: "float32", "int64", ...; plain Python, so that torch.compile traces it): a number
    (PyTorch's errors otherwise) that a float16 or float32 var refuses beyond its range and an
    integer var accepts only when it is an integer itself. The clamp rounds it to a float var's
    dtype; the caller does that."""
    if eps is None:
        raise ValueError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(eps, np.ndarray) and eps.ndim == 0:
        eps = eps[()]
    if isinstance(eps, (str, bytes)) or not isinstance(eps, (int, float, np.integer, np.floating, np.bool_)):
        raise TypeError(
            f"clamp_() received an invalid combination of arguments - got (min={type(eps).__name__}, ), but "
            "expected one of:\n * (Tensor min = None, Tensor max = None)\n * (Number min = None, Number max = None)\n"
        )
    integral = isinstance(eps, (bool, int, np.integer, np.bool_))
    if var_dtype == "bool":
        if isinstance(eps, (bool, np.bool_)):
            raise TypeError("\"clamp_min_scalar_cpu\" not implemented for 'Bool'")
        raise TypeError(f"result type {'Long' if integral else 'Float'} can't be cast to the desired output type bool")
    if var_dtype in _TORCH_CAST_NAMES:
        if not integral:
            raise TypeError(f"result type Float can't be cast to the desired output type {_TORCH_CAST_NAMES[var_dtype]}")
        return float(eps)
    eps = float(eps)
    limit, name = {"float32": (_FLOAT32_MAX, "float"), "float16": (65504.0, "c10::Half")}.get(var_dtype, (math.inf, ""))
    if abs(eps) > limit and math.isfinite(eps):
        raise ValueError(f"value cannot be converted to type {name} without overflow")
    return eps


def _check_gaussian_subtraction(input_is_bool: bool, target_is_bool: bool) -> None:
    """PyTorch's refusal of ``input - target`` with a bool operand (its NotImplementedError's text)."""
    if input_is_bool and target_is_bool:
        raise TypeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                        "Use the `^` or `logical_xor()` operator instead.")
    if input_is_bool or target_is_bool:
        raise TypeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                        "to invert a mask, use the `~` or `logical_not()` operator instead.")


def gaussian_nll_loss(
    input: Any,
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Gaussian negative log-likelihood, PyTorch's composite: with
    :math:`v = \max(\mathrm{var}, \varepsilon)`,
    :math:`\ell = \tfrac12 \left(\log v + (x - y)^2 / v\right)`, plus :math:`\tfrac12 \log(2\pi)`
    with ``full``, element by element.

    ``input`` holds the means and ``var`` the variances of Gaussians, ``target`` samples from
    them. ``var`` is an array of the input's shape, or of the input's shape with one dimension
    of size 1 (as ``(N, 1)`` or ``(1, C)`` for an ``(N, C)`` input), or of the input's shape
    without its last dimension (``(N,)``: one variance per row, unsqueezed to ``(N, 1)``), or
    a Python float (one variance for all). Other shapes raise "var is of incorrect size";
    negative entries "var has negative entry/entries" (NaN passes: it gives NaN); an int
    ``var`` raises PyTorch's TypeError (its ``torch.any`` of a bool). The target broadcasts
    silently, so the result has the broadcast shape of the three. ``var`` is clamped to
    ``eps`` (rounded to var's dtype, as PyTorch's ``clamp_``), so ``var == 0`` gives ``eps``;
    everything is then computed in the result's precision (PyTorch takes ``log(var)`` in var's
    own dtype when it is narrower: a float32 var with a float64 input).
    Integer arguments give a float32 result, float ones promote. ``'mean'`` divides by the
    element count. No ``size_average`` / ``reduce``, as PyTorch.

    Gradients (``with_grad=True`` returns ``(loss, (grad_input, grad_var))``, each summed back
    to its argument's own shape; ``grad_var`` is None for a Python-float var): at the clamped
    :math:`v`, :math:`\partial x = (x - y) / v \cdot s` and :math:`\partial \mathrm{var} =
    \tfrac12 (1 / v - (x - y)^2 / v^2)\, s`. As PyTorch, whose clamp runs under no_grad, the
    var gradient is taken at the clamped value and handed to ``var`` even where ``var < eps``
    (``var = 1e-9``, ``x - y = 1`` gives ``-5e11``).

    Example::

        >>> import swiftloss as F
        >>> float(F.gaussian_nll_loss([1.0, 2.0], [1.5, 2.0], [1.0, 0.5]))
        -0.11078679513998632

    Raises:
        ValueError: "var has negative entry/entries"; "var is of incorrect size"; "foo is not
            valid" (PyTorch's text) for a bad reduction; an eps beyond the range of var's
            dtype, or None (PyTorch: RuntimeError, its texts); shapes that do not broadcast.
        TypeError: an int ``var`` (PyTorch's text); a reduction that is not a string; an
            integer var with a float eps; a bool input or target (PyTorch: RuntimeError and
            NotImplementedError, their texts); a non-real argument.
    """
    function = "gaussian_nll_loss"
    if (type(input) is np.ndarray and type(target) is np.ndarray and type(var) is np.ndarray
            and out is None and not with_grad and grad_output is None and type(reduction) is str
            and type(eps) is float and type(full) is bool
            and input.shape == target.shape == var.shape and input.dtype == target.dtype == var.dtype
            and (input.dtype == _FLOAT64 or (input.dtype == _FLOAT32 and -_FLOAT32_MAX <= eps <= _FLOAT32_MAX))
            and input.flags.c_contiguous and target.flags.c_contiguous and var.flags.c_contiguous):
        red = _FAST_REDUCTIONS.get(reduction)
        if red is not None:
            output = _output(input.size, red, input.dtype)
            try:  # the library refuses a negative var: the general path gives the message
                _C.gaussian_nll_loss(input, target, var, input.size, 1 if full else 0, eps, red, output)
                return _finish(output, red, input.shape, input.dtype)
            except ValueError:
                pass
    x = input if type(input) is np.ndarray else _asarray(input, function, "input")
    t = target if type(target) is np.ndarray else _asarray(target, function, "target")
    v, var_shape = _gaussian_var(var, x, function)
    red = _not_valid_reduction(reduction)
    eps = _gaussian_eps(eps, v.dtype.name)
    if v.dtype.kind == "f" and v.dtype.itemsize <= 4:
        eps = float(v.dtype.type(eps))  # the clamp's bound in the var's precision
    (x, t, v), result_dtype = _promoted_arrays(function, (x, t, v), ("input", "target", "var"))
    _check_gaussian_subtraction(x.dtype.kind == "b", t.dtype.kind == "b")
    grad = _wants_grad(with_grad, grad_output, function)
    outs, grad_outs = _several_outs(out, grad, function, _GAUSSIAN_NLL_NAMES)
    if var_shape is None and grad_outs[1] is not None:
        raise ValueError(f"{function}: a grad_out was given for var, but var is a Python number (no gradient)")
    flag = 1 if full else 0
    return _three_input_call(
        function, (x, t, v), ("input", "target", "var"), (0, 2), result_dtype, red, grad, grad_output, outs,
        grad_outs, lambda a, b, c, n, r, o: _C.gaussian_nll_loss(a, b, c, n, flag, eps, r, o),
        lambda a, b, c, n, r, g, gx, gv: _C.gaussian_nll_loss_backward(a, b, c, n, flag, eps, r, g, gx, gv),
        result_shapes=(tuple(x.shape), var_shape))


_add_several_out_doc(gaussian_nll_loss, "grad_out_input, grad_out_var")


# ------------------------------------------------------------------------------------------
# Embedding losses: one loss per row over the last axis; every input but cosine's target is
# learned. Inputs broadcast against each other over the rows go to the kernels expanded.
# ------------------------------------------------------------------------------------------

_COSINE_NAMES = ("input1", "input2")
_TRIPLET_NAMES = ("anchor", "positive", "negative")
# PyTorch's EPSILON of cosine_embedding_loss is a C float: 1e-12 rounded to float32, in
# float64 too.
_COSINE_EPSILON = float(np.float32(1e-12))
_TRIPLET_NDIM = ("The anchor, positive, and negative tensors are expected to have the same number of "
                 "dimensions, but got: anchor {}D, positive {}D, and negative {}D inputs")
_BOOL_SUBTRACTION = ("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                     "`logical_xor()` operator instead.")
_BOOL_SUBTRAHEND = ("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                    "invert a mask, use the `~` or `logical_not()` operator instead.")


def _embedding_outputs(outs: Any, shape: Tuple[int, ...], red: int, compute: np.dtype, result_dtype: np.dtype,
                       inputs: Optional[dict], grad: bool, grad_outs: Tuple[Any, ...],
                       shapes: Tuple[Tuple[int, ...], ...], names: Tuple[str, ...]):
    """The loss buffer (and the caller's view of it) and the gradient views of an embedding
    loss, claimed before anything is computed."""
    output, view = outs.result_buffer(shape, red, compute, result_dtype, inputs)
    views = _grad_views(outs, grad_outs, shapes, result_dtype, names, inputs) if grad else ()
    return output, view, views


def _upstream(g: Optional[np.ndarray], red: int, shape: Tuple[int, ...]) -> np.ndarray:
    """The upstream gradient of each row (float64, of the loss shape): grad_output itself for
    'none', grad_output[0] (divided by the row count for 'mean') otherwise; ones if not given."""
    count = math.prod(shape)
    if g is None:
        g = np.ones(count if red == _NONE else 1)
    g = np.asarray(g, np.float64)
    if red == _NONE:
        return g.reshape(shape)
    return np.full(shape, g[0] / (count if red == _MEAN else 1))


def _reduce_rows(losses: np.ndarray, red: int) -> np.ndarray:
    """Per-row losses (float64) reduced as the kernels do: flat for 'none', else one element."""
    if red == _NONE:
        return losses.reshape(-1)
    if red == _SUM:
        return np.array([losses.sum()])
    return np.array([losses.mean() if losses.size else np.nan])


def _cosine_target(t: np.ndarray, compute: np.dtype) -> np.ndarray:
    """The target in the compute dtype with its meaning kept: 1 and -1 stay, anything else
    (which gives 0) becomes 0, compared in the target's own precision (a float64 target of
    1 + 1e-12 is not 1, even for float32 inputs)."""
    if t.dtype == compute:
        return t
    if t.dtype.kind == "f":
        t = np.where(t == 1, 1, np.where(t == -1, -1, 0))
    return t.astype(compute)


def _check_cosine_shapes(s1: Tuple[int, ...], s2: Tuple[int, ...], st: Tuple[int, ...]) -> Tuple[int, ...]:
    """PyTorch's checks of cosine_embedding_loss's shapes (its RuntimeError texts) in its order;
    returns the loss's 'none' shape: the rows of input1 * input2 broadcast with the target."""
    if len(st) not in (0, 1):
        raise ValueError("0D or 1D target tensor expected, multi-target not supported")
    want = 2 if len(st) == 1 else 1
    if not len(s1) == len(s2) == want:
        raise ValueError(
            f"{len(st)}D target tensor expects {want}D input tensors, but found inputs with sizes "
            f"{_shape_str(s1)} and {_shape_str(s2)}."
        )
    rows = _infer_size(s1, s2)[:-1]
    return _infer_size(st, rows)


def _cosine_composite(x1: np.ndarray, x2: np.ndarray, t: np.ndarray, margin: float, red: int,
                      grad: bool, g: Optional[np.ndarray], shape: Tuple[int, ...]):
    """cosine_embedding_loss when input1's and input2's last axes differ (one of them 1): PyTorch
    broadcasts the product but takes each squared norm over its input's own last axis, which the
    kernel (rows of one length) cannot; computed here in float64. Returns the reduced losses
    and, with grad, the two gradients in their inputs' shapes."""
    a, b, y = (np.asarray(v, np.float64) for v in (x1, x2, t))
    with np.errstate(all="ignore"):
        m1 = (a * a).sum(-1) + _COSINE_EPSILON
        m2 = (b * b).sum(-1) + _COSINE_EPSILON
        denominator = np.sqrt(m1 * m2)
        cos = np.broadcast_to((a * b).sum(-1) / denominator, shape)
        c = cos.astype(x1.dtype).astype(np.float64)  # the loss is taken in the inputs' precision
        losses = np.where(y == 1, 1 - c, np.where(y == -1, np.maximum(c - margin, 0), 0))
        if not grad:
            return _reduce_rows(losses, red), None
        s = _upstream(g, red, shape)
        gc = np.where(y == 1, -s, np.where((y == -1) & (c - margin > 0), s, 0))
        d_product = gc / denominator
        d_squares = -gc * (cos / denominator) / (2 * denominator)
        dim = max(a.shape[-1], b.shape[-1])  # the product's last axis
        wide_a, wide_b = np.broadcast_to(a, a.shape[:-1] + (dim,)), np.broadcast_to(b, b.shape[:-1] + (dim,))
        g1 = _sum_to_shape(d_product[..., None] * wide_b, a.shape) + _sum_to_shape(2 * (d_squares * m2)[..., None] * a, a.shape)
        g2 = _sum_to_shape(d_product[..., None] * wide_a, b.shape) + _sum_to_shape(2 * (d_squares * m1)[..., None] * b, b.shape)
    return _reduce_rows(losses, red), (g1, g2)


def cosine_embedding_loss(
    input1: Any,
    input2: Any,
    target: Any,
    margin: float = 0,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Cosine embedding loss, PyTorch's composite, one loss per row:

    .. math::
        \cos = \frac{\sum x_1 x_2}{\sqrt{(\sum x_1^2 + \epsilon)(\sum x_2^2 + \epsilon)}},\qquad
        \ell = \begin{cases} 1 - \cos & y = 1 \\ \max(\cos - \mathrm{margin}, 0) & y = -1 \\
        0 & \text{otherwise} \end{cases}

    with :math:`\epsilon = 10^{-12}` added to each squared norm (PyTorch's EPSILON, a C float:
    9.99999996e-13 in float64 too), not a clamp: a zero vector gives cos = 0, and an empty last
    axis (D = 0) gives cos = 0 too (loss 1 for a target of 1).

    Shapes, as PyTorch: ``input1`` and ``input2`` ``(N, D)`` with a ``(N,)`` target, or ``(D,)``
    with a 0-d target (then ``'none'`` gives a 0-d result). The inputs broadcast against each
    other and the target against the rows (``(1, D)`` against ``(N, D)``, a ``(1,)`` target);
    an input whose last axis is 1 against the other's D keeps its own squared norm, as in
    PyTorch (computed in numpy, float64). Targets other than 1 and -1 give 0 but count in the
    mean (``'mean'`` divides by the row count; no rows: NaN, ``'sum'`` 0). Integer inputs give
    float32, two float dtypes promote; the target's dtype does not change the result's. Row
    sums are taken in double precision, and cos in double (PyTorch's float32 product of the
    squared norms overflows to inf beyond 3.4e38: cos 0 there, the true value here).

    Gradients (``with_grad=True`` returns ``(loss, (grad_input1, grad_input2))``, each summed
    back to its input's shape): with :math:`g` the row's gradient with respect to cos
    (:math:`-s` for a target of 1, :math:`s` for -1 where :math:`\cos - \mathrm{margin} > 0`,
    0 at the kink and otherwise), :math:`\partial x_1 = g\,x_2 / D - g \cos\, x_1 / m_1` (and
    the same for :math:`x_2`), :math:`m_i` the squared norms plus :math:`\epsilon`, :math:`D =
    \sqrt{m_1 m_2}`. A zero vector's gradient is about :math:`10^6\, g`, as PyTorch's.

    Example::

        >>> import swiftloss as F
        >>> float(F.cosine_embedding_loss([[1.0, 0.0], [1.0, 1.0]], [[0.0, 1.0], [1.0, 1.0]], [1.0, -1.0]))
        0.99999999999975

    Output buffers (keyword-only ``out``): with ``reduction='none'``, ``out`` receives the
    per-row losses (the loss shape and the result's dtype, C-contiguous, writable); with
    ``with_grad=True``, ``out=(out, (grad_out1, grad_out2))``, any of which may be None, each
    of its input's shape. Buffers must not overlap the inputs or each other.

    Raises:
        ValueError: a bad reduction; PyTorch's RuntimeError texts for a target of more than one
            dimension ("0D or 1D target tensor expected, multi-target not supported"), inputs
            of the wrong number of dimensions ("1D target tensor expects 2D input tensors, but
            found inputs with sizes [2] and [2]."), shapes that do not broadcast.
        TypeError: a non-real argument, a margin that is not a number.
    """
    function = "cosine_embedding_loss"
    if (type(input1) is np.ndarray and type(input2) is np.ndarray and type(target) is np.ndarray
            and out is None and not with_grad and grad_output is None and size_average is None
            and reduce is None and type(reduction) is str and type(margin) in (float, int)
            and input1.ndim == 2 and input1.shape == input2.shape and target.shape == input1.shape[:1]
            and input1.dtype == input2.dtype == target.dtype
            and (input1.dtype == _FLOAT32 or input1.dtype == _FLOAT64)
            and input1.flags.c_contiguous and input2.flags.c_contiguous and target.flags.c_contiguous):
        red = _FAST_REDUCTIONS.get(reduction)
        if red is not None:
            batch, dim = input1.shape
            output = _output(batch, red, input1.dtype)
            _C.cosine_embedding_loss(input1, input2, target, batch, dim, float(margin), red, output)
            return _finish(output, red, (batch,), input1.dtype)
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    margin = _check_margin(margin, function, 4)
    (x1, x2), result_dtype = _promoted_arrays(function, (input1, input2), _COSINE_NAMES)
    t = target if type(target) is np.ndarray else _asarray(target, function, "target")
    if t.dtype.kind not in "biuf":
        raise TypeError(f"{function}: expected a real-valued target, got {t.dtype}")
    shape = _check_cosine_shapes(x1.shape, x2.shape, t.shape)
    grad = _wants_grad(with_grad, grad_output, function)
    outs, grad_outs = _several_outs(out, grad, function, _COSINE_NAMES)
    compute = _compute_dtype(result_dtype, "input", function)
    shapes = (tuple(x1.shape), tuple(x2.shape))
    t = _cosine_target(t, compute)
    g = None
    if grad:
        g = _grad_output(grad_output, shape if red == _NONE else (), compute, function, _REDUCTION_NAMES[red])
    if x1.shape[-1] != x2.shape[-1]:
        x1, x2 = np.asarray(x1, dtype=compute), np.asarray(x2, dtype=compute)
        inputs = None if out is None else {"input1": x1, "input2": x2, "target": t, "grad_output": g}
        output, view, views = _embedding_outputs(outs, shape, red, compute, result_dtype, inputs, grad, grad_outs,
                                                 shapes, _COSINE_NAMES)
        losses, grads = _cosine_composite(x1, x2, t, margin, red, grad, g, shape)
        output[...] = losses
        result = outs.finish_result(output, view, red, shape, result_dtype)
        return (result, _several_grads(grads, views, grad_outs, None, shapes, result_dtype)) if grad else result
    dim = x1.shape[-1]
    rows = shape + (dim,)
    batch = math.prod(shape)
    x1, x2 = (np.ascontiguousarray(np.broadcast_to(np.asarray(v, dtype=compute), rows)) for v in (x1, x2))
    t = np.ascontiguousarray(np.broadcast_to(t, shape))
    inputs = None if out is None else {"input1": x1, "input2": x2, "target": t, "grad_output": g}
    output, view, views = _embedding_outputs(outs, shape, red, compute, result_dtype, inputs, grad, grad_outs,
                                             shapes, _COSINE_NAMES)
    _C.cosine_embedding_loss(x1, x2, t, batch, dim, margin, red, output)
    result = outs.finish_result(output, view, red, shape, result_dtype)
    if not grad:
        return result
    g1, g2 = np.empty(batch * dim, compute), np.empty(batch * dim, compute)
    _C.cosine_embedding_loss_backward(x1, x2, t, batch, dim, margin, red, _ones_if_none(g, output.size, compute),
                                      g1, g2)
    return result, _several_grads((g1, g2), views, grad_outs, rows, shapes, result_dtype)


def _check_triplet_shapes(shapes: Tuple[Tuple[int, ...], ...], bools: Tuple[bool, ...], p: float, swap: bool):
    """PyTorch's checks of triplet_margin_loss's inputs in its order (one number of dimensions;
    then distance by distance a subtraction with a bool tensor, broadcasting, a norm of an
    empty last axis that has no identity); returns the loss's 'none' shape and the broadcast
    shape of each pair (anchor-positive, anchor-negative and, with swap, positive-negative)."""
    if not len(shapes[0]) == len(shapes[1]) == len(shapes[2]):
        raise ValueError(_TRIPLET_NDIM.format(*(len(s) for s in shapes)))
    pairs = []
    for i, j in ((0, 1), (0, 2)) + (((1, 2),) if swap else ()):
        if bools[i] or bools[j]:
            raise TypeError(_BOOL_SUBTRACTION if bools[i] and bools[j] else _BOOL_SUBTRAHEND)
        pair = _infer_size(shapes[i], shapes[j])
        if pair and pair[-1] == 0 and (p < 0 or math.isinf(p)):
            raise ValueError(
                f"linalg.vector_norm cannot compute the {p:g} norm on the dimension {len(pair) - 1}because "
                "this dimension is empty and the operation does not have an identity"
            )
        pairs.append(pair)
    negative_rows = _infer_size(pairs[1][:-1], pairs[2][:-1]) if swap else pairs[1][:-1]
    return _infer_size(pairs[0][:-1], negative_rows), pairs


def _norm(d: np.ndarray, p: float) -> np.ndarray:
    """PyTorch's p-norm over the last axis (linalg.vector_norm), float64; an empty axis gives 0."""
    a = np.abs(d)
    if d.shape[-1] == 0:
        return np.zeros(d.shape[:-1])
    if p == 2:
        return np.sqrt((d * d).sum(-1))
    if p == 1:
        return a.sum(-1)
    if p == math.inf:
        return a.max(-1)
    if p == -math.inf:
        return a.min(-1)
    if p == 0:
        return (d != 0).sum(-1).astype(np.float64)
    return (a ** p).sum(-1) ** (1 / p)


def _norm_gradient(d: np.ndarray, norm: np.ndarray, g: np.ndarray, p: float) -> np.ndarray:
    """PyTorch's backward of the p-norm over the last axis (its norm_backward), float64."""
    n, g = norm[..., None], g[..., None]
    sign = np.where(d > 0, 1.0, np.where(d < 0, -1.0, 0.0))  # sgn: 0 for NaN
    a = np.abs(d)
    if p == 0:
        return np.zeros(np.broadcast_shapes(d.shape, g.shape))
    if p == 1:
        return sign * g
    if p == 2:
        return g * np.where(n == 0, 0, d / n)
    if math.isinf(p):
        mask = (a == n) | np.isnan(a)
        return sign * ((g / mask.sum(-1, keepdims=True)) * mask)
    if p < 1:
        return sign * np.where(d == 0, 0, a ** (p - 1)) * g * n ** (1 - p)
    scale = np.where(n == 0, 0, g / n ** (p - 1))
    return (sign * a ** (p - 1) if p < 2 else d * a ** (p - 2)) * scale


def _triplet_composite(xs: Tuple[np.ndarray, ...], margin: float, p: float, eps: float, swap: bool, red: int,
                       grad: bool, g: Optional[np.ndarray], shape: Tuple[int, ...]):
    """triplet_margin_loss when a distance's own pair has a last axis of 1 while another input's
    is D (PyTorch's norm then runs over the pair's broadcast, which the kernel's rows of one
    length cannot); computed here in float64. Returns the reduced losses and, with grad, the
    three gradients in their inputs' shapes."""
    a, q, n = (np.asarray(x, np.float64) for x in xs)
    dtype = xs[0].dtype.type
    with np.errstate(all="ignore"):
        # the differences in the inputs' precision, as the kernels take them (p = ±inf compares
        # them with the distance)
        e = dtype(eps)
        differences = [(x - y + e).astype(np.float64)
                       for x, y in ((xs[0], xs[1]), (xs[0], xs[2])) + (((xs[1], xs[2]),) if swap else ())]
        # each distance rounded to the inputs' precision, as the kernels (and PyTorch) take them
        distances = [_norm(d, p).astype(dtype).astype(np.float64) for d in differences]
        negative = np.minimum(distances[1], distances[2]) if swap else distances[1]
        z = np.broadcast_to(margin + distances[0] - negative, shape)
        losses = np.maximum(z, 0)
        if not grad:
            return _reduce_rows(losses, red), None
        gz = np.where(z > 0, _upstream(g, red, shape), 0)
        weights = [gz, -gz]
        if swap:
            an, pn = distances[1], distances[2]
            half = np.where(an == pn, -gz / 2, -gz)
            weights = [gz, np.where(an > pn, 0, half), np.where(an < pn, 0, half)]
        units = [_norm_gradient(d, r, w, p) for d, r, w in zip(differences, distances, weights)]
        ga = _sum_to_shape(units[0], a.shape) + _sum_to_shape(units[1], a.shape)
        gp = -_sum_to_shape(units[0], q.shape)
        gn = -_sum_to_shape(units[1], n.shape)
        if swap:
            gp = gp + _sum_to_shape(units[2], q.shape)
            gn = gn - _sum_to_shape(units[2], n.shape)
    return _reduce_rows(losses, red), (ga, gp, gn)


def _triplet(function: str, anchor: Any, positive: Any, negative: Any, margin: float, p: float, eps: float,
             swap: bool, red: int, with_grad: Any, grad_output: Any, out: Any):
    """The shared body of triplet_margin_loss and triplet_margin_with_distance_loss (with its
    default distance) once the reduction and the scalar arguments are checked."""
    xs, result_dtype = _promoted_arrays(function, (anchor, positive, negative), _TRIPLET_NAMES)
    shapes = tuple(tuple(x.shape) for x in xs)
    shape, pairs = _check_triplet_shapes(shapes, tuple(x.dtype == np.bool_ for x in xs), p, swap)
    grad = _wants_grad(with_grad, grad_output, function)
    outs, grad_outs = _several_outs(out, grad, function, _TRIPLET_NAMES)
    compute = _compute_dtype(result_dtype, "input", function)
    g = None
    if grad:
        g = _grad_output(grad_output, shape if red == _NONE else (), compute, function, _REDUCTION_NAMES[red])
    dim = max((pair[-1] if pair else 1) for pair in pairs) if all(pairs) else 1
    xs = tuple(np.asarray(x, dtype=compute) for x in xs)
    if any((pair[-1] if pair else 1) != dim for pair in pairs):
        inputs = None if out is None else dict(zip(_TRIPLET_NAMES, xs), grad_output=g)
        output, view, views = _embedding_outputs(outs, shape, red, compute, result_dtype, inputs, grad, grad_outs,
                                                 shapes, _TRIPLET_NAMES)
        losses, grads = _triplet_composite(xs, margin, p, eps, swap, red, grad, g, shape)
        output[...] = losses
        result = outs.finish_result(output, view, red, shape, result_dtype)
        return (result, _several_grads(grads, views, grad_outs, None, shapes, result_dtype)) if grad else result
    rows = shape + (dim,)
    batch = math.prod(shape)
    xs = tuple(np.ascontiguousarray(np.broadcast_to(x, rows)) for x in xs)
    inputs = None if out is None else dict(zip(_TRIPLET_NAMES, xs), grad_output=g)
    output, view, views = _embedding_outputs(outs, shape, red, compute, result_dtype, inputs, grad, grad_outs,
                                             shapes, _TRIPLET_NAMES)
    _C.triplet_margin_loss(*xs, batch, dim, margin, p, eps, int(swap), red, output)
    result = outs.finish_result(output, view, red, shape, result_dtype)
    if not grad:
        return result
    grads = tuple(np.empty(batch * dim, compute) for _ in xs)
    _C.triplet_margin_loss_backward(*xs, batch, dim, margin, p, eps, int(swap), red,
                                    _ones_if_none(g, output.size, compute), *grads)
    return result, _several_grads(grads, views, grad_outs, rows, shapes, result_dtype)


def _fast_triplet(anchor: Any, positive: Any, negative: Any, margin: Any, p: Any, eps: Any, swap: Any,
                  reduction: Any, with_grad: Any, grad_output: Any, out: Any) -> Optional[int]:
    """The reduction of the common triplet call, or None: three ndarrays of one shape (at
    least one dimension, a non-empty last axis) and one native float dtype, C-contiguous,
    numeric margin (> 0), p and eps, a bool swap, a reduction string, no gradient and no out=."""
    if (type(anchor) is np.ndarray and type(positive) is np.ndarray and type(negative) is np.ndarray
            and out is None and not with_grad and grad_output is None and type(reduction) is str
            and type(margin) in (float, int) and margin > 0 and type(p) in (float, int) and type(eps) in (float, int)
            and type(swap) is bool and anchor.ndim >= 1 and anchor.shape[-1] > 0
            and anchor.shape == positive.shape == negative.shape
            and anchor.dtype == positive.dtype == negative.dtype
            and (anchor.dtype == _FLOAT32 or anchor.dtype == _FLOAT64)
            and anchor.flags.c_contiguous and positive.flags.c_contiguous and negative.flags.c_contiguous):
        return _FAST_REDUCTIONS.get(reduction)
    return None


def _triplet_fast_call(anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray, margin: float, p: float,
                       eps: float, swap: bool, red: int):
    """The fast path's library call and result (see `_fast_triplet`)."""
    dim = anchor.shape[-1]
    batch = anchor.size // dim
    output = _output(batch, red, anchor.dtype)
    _C.triplet_margin_loss(anchor, positive, negative, batch, dim, float(margin), float(p), float(eps), int(swap),
                           red, output)
    return _finish(output, red, anchor.shape[:-1], anchor.dtype)


def _check_swap(swap: Any, function: str) -> None:
    """triplet_margin_loss's swap as PyTorch's argument parser takes it: a bool."""
    if not isinstance(swap, (bool, np.bool_)):
        raise TypeError(f"{function}(): argument 'swap' (position 7) must be bool, not {type(swap).__name__}")


def _check_module_margin(name: str, margin: Any) -> None:
    """The triplet modules' constructor check (torch.nn's text)."""
    if margin <= 0:
        raise ValueError(f"{name}: expected margin to be greater than 0, got {margin} instead")


def _check_triplet_margin(margin: Any) -> None:
    """PyTorch's Python-level margin check of the triplet losses (a comparison: a margin that
    cannot be compared with 0 raises its TypeError, NaN passes)."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")


def triplet_margin_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    *,
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Triplet margin loss, PyTorch's composite, one loss per row:

    .. math::
        d(x, y) = \lVert x - y + \mathrm{eps} \rVert_p,\qquad
        \ell = \max(\mathrm{margin} + d(a, p) - d_{neg}, 0)

    with :math:`d_{neg} = d(a, n)`, or with ``swap`` :math:`\min(d(a, n), d(p, n))` (the
    distance swap of Balntas et al.). ``eps`` is added to the difference, element by element,
    before the norm (not a clamp): identical points are ``eps * D**(1/p)`` apart, with a
    gradient of ``1/sqrt(D)`` per component for p = 2 (0 with ``eps=0``), as in PyTorch.

    ``p`` is not validated, as in PyTorch: ``p=0`` counts the nonzero differences (so the
    distance is D, with no gradient), ``p=inf`` is the largest |difference| and ``-inf`` the
    smallest (the gradient split evenly among tied elements), negative and fractional p run
    the formula (the powers taken in double precision). ``margin`` must be greater than 0
    (PyTorch's check; NaN passes).

    Shapes: the three inputs have the same number of dimensions (any, the last axis the
    embedding of size D; 1-d inputs give a 0-d ``'none'`` result) and broadcast against each
    other; ``'none'`` returns the broadcast shape without the last axis and ``'mean'`` divides
    by the number of rows. With ``swap`` the gradient of :math:`d_{neg}` goes to the smaller
    distance, half to each at a tie. An empty last axis gives distance 0 (PyTorch raises for
    p < 0 and p = ±inf there, and so does this function). Integer inputs give float32, float
    dtypes promote.

    Gradients (``with_grad=True`` returns ``(loss, (grad_anchor, grad_positive,
    grad_negative))``, each summed back to its input's shape), with :math:`u(d, g)` PyTorch's
    gradient of the norm (p = 2: :math:`g\,d / \lVert d \rVert`): :math:`\partial a = u(d_{ap},
    s) - u(d_{an}, s)`, :math:`\partial p = -u(d_{ap}, s)`, :math:`\partial n = u(d_{an}, s)`
    where the loss is positive (0 elsewhere, at the kink too).

    Example::

        >>> import swiftloss as F
        >>> float(F.triplet_margin_loss([[0.0, 0.0]], [[1.0, 0.0]], [[0.0, 2.0]], margin=1.5, eps=0.0))
        0.5

    Output buffers (keyword-only ``out``): with ``reduction='none'``, ``out`` receives the
    per-row losses (the loss shape and the result's dtype, C-contiguous, writable); with
    ``with_grad=True``, ``out=(out, (grad_anchor_out, grad_positive_out, grad_negative_out))``,
    any of which may be None, each of its input's shape. Buffers must not overlap the inputs or
    each other.

    Raises:
        ValueError: a bad reduction; a margin not greater than 0 ("margin must be greater than
            0, got 0"); PyTorch's RuntimeError texts for inputs of different numbers of
            dimensions, shapes that do not broadcast and an empty last axis with p < 0 or ±inf.
        TypeError: p, eps or margin not a number, swap not a bool (PyTorch's texts), a bool
            input in a difference (PyTorch: NotImplementedError, its text), a non-real input.
    """
    function = "triplet_margin_loss"
    if size_average is None and reduce is None:
        red = _fast_triplet(anchor, positive, negative, margin, p, eps, swap, reduction, with_grad, grad_output, out)
        if red is not None:
            return _triplet_fast_call(anchor, positive, negative, margin, p, eps, swap, red)
    red = _reduction_enum(_reduction_string(size_average, reduce, reduction))
    _check_triplet_margin(margin)
    margin = _check_margin(margin, function, 4)
    p = _check_margin(p, function, 5, "p")
    eps = _check_margin(eps, function, 6, "eps")
    _check_swap(swap, function)
    return _triplet(function, anchor, positive, negative, margin, p, eps, bool(swap), red, with_grad, grad_output, out)


def _distance_reduction(reduction: Any) -> int:
    """triplet_margin_with_distance_loss's own reduction check ('elementwise_mean' refused)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _FAST_REDUCTIONS[reduction]


def triplet_margin_with_distance_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    *,
    distance_function: Any = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
    with_grad: bool = False,
    grad_output: Any = None,
    out: Any = None,
):
    r"""Triplet margin loss with a distance function, PyTorch's:
    :math:`\ell = \max(\mathrm{margin} + d(a, p) - d_{neg}, 0)`, :math:`d_{neg} = d(a, n)`, or
    with ``swap`` :math:`\min(d(a, n), d(p, n))`.

    Everything after the three inputs is keyword-only, and there are no legacy arguments. The
    default distance (``distance_function=None``) is PyTorch's ``pairwise_distance``:
    :math:`\lVert x - y + 10^{-6} \rVert_2` over the last axis, computed by the swiftloss
    kernel; the result is :func:`triplet_margin_loss`'s with ``p=2, eps=1e-6`` exactly (as in
    PyTorch, bit for bit), and so are shapes, broadcasting and gradients (``with_grad=True``
    returns ``(loss, (grad_anchor, grad_positive, grad_negative))``).

    A Python ``distance_function`` is called on numpy arrays: the three inputs as given,
    converted with ``numpy.asarray`` (a CPU torch tensor is read as an array), as
    ``distance_function(anchor, positive)``, ``(anchor, negative)`` and, with ``swap``,
    ``(positive, negative)``; it returns an array of distances (any shape that broadcasts). The
    loss is then computed in numpy: ``np.minimum`` for the swap, ``np.maximum(margin + d_pos -
    d_neg, 0)``, the sum or mean; its dtype is what numpy gives. No gradient is computed for a
    Python function: ``with_grad=True`` raises ``ValueError`` (use
    :func:`swiftloss.torch.triplet_margin_with_distance_loss`, where autograd follows it).

    Example::

        >>> import numpy as np, swiftloss as F
        >>> a, p, n = np.zeros((1, 2)), np.array([[1.0, 0.0]]), np.array([[0.0, 2.0]])
        >>> F.triplet_margin_with_distance_loss(a, p, n, margin=1.5, reduction="none")
        array([0.5...])
        >>> float(F.triplet_margin_with_distance_loss(
        ...     a, p, n, distance_function=lambda x, y: np.abs(x - y).sum(-1), margin=1.5))
        0.5

    Output buffers (keyword-only ``out``): as :func:`triplet_margin_loss`'s; with a Python
    distance, ``out`` (``reduction='none'``) must have the shape and dtype numpy gives.

    Raises:
        ValueError: a bad reduction ("foo is not a valid value for reduction"; 'elementwise_mean'
            too), a margin not greater than 0, inputs of different numbers of dimensions
            (PyTorch: RuntimeError, its text), ``with_grad=True`` with a Python distance
            function; with the default distance, what :func:`triplet_margin_loss` raises.
        TypeError: a distance function that is not callable (Python's text); a bool input with
            the default distance.
    """
    function = "triplet_margin_with_distance_loss"
    if distance_function is None and type(swap) is bool:
        red = _fast_triplet(anchor, positive, negative, margin, 2.0, 1e-6, swap, reduction, with_grad, grad_output,
                            out)
        if red is not None:
            return _triplet_fast_call(anchor, positive, negative, margin, 2.0, 1e-6, swap, red)
    red = _distance_reduction(reduction)
    _check_triplet_margin(margin)
    xs = tuple(x if type(x) is np.ndarray else _asarray(x, function, name)
               for x, name in zip((anchor, positive, negative), _TRIPLET_NAMES))
    if not xs[0].ndim == xs[1].ndim == xs[2].ndim:
        raise ValueError(_TRIPLET_NDIM.format(*(x.ndim for x in xs)))
    if distance_function is None:
        return _triplet(function, *xs, _check_margin(margin, function, 4), 2.0, 1e-6, bool(swap), red, with_grad,
                        grad_output, out)
    if with_grad or grad_output is not None:
        raise ValueError(
            f"{function}: with_grad=True needs the default distance (distance_function=None); a Python "
            "distance_function is computed in numpy, without gradients (swiftloss.torch's "
            f"{function} differentiates through it with autograd)"
        )
    positive_distance = np.asarray(distance_function(xs[0], xs[1]))
    negative_distance = np.asarray(distance_function(xs[0], xs[2]))
    if swap:
        negative_distance = np.minimum(negative_distance, np.asarray(distance_function(xs[1], xs[2])))
    losses = np.maximum(margin + positive_distance - negative_distance, 0)
    if red == _SUM:
        value = losses.sum()
    elif red == _MEAN:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # the mean of nothing: NaN, as PyTorch
            value = losses.mean()
    else:
        value = losses
    if out is None:
        return value
    return _several_outs(out, False, function, _TRIPLET_NAMES)[0].wrap(value, red, losses.shape, losses.shape,
                                                                         losses.dtype)


# ------------------------------------------------------------------------------------------
# linear_cross_entropy: the LM-head loss without its logits
# ------------------------------------------------------------------------------------------

def linear_cross_entropy(
    input: Any,
    linear_weight: Any,
    target: Any,
    *,
    linear_bias: Any = None,
    weight: Any = None,
    reduction: str = "mean",
    ignore_index: Optional[int] = None,
    label_smoothing: float = 0.0,
    options: Any = None,
    z_loss: float = 0.0,
    softcap: Optional[float] = None,
    return_z_loss: bool = False,
    with_grad: bool = False,
    grad_output: Any = None,
):
    r"""The cross-entropy of a linear layer's logits without the logits: equal to
    ``cross_entropy(input @ linear_weight.T + linear_bias, target, weight=weight,
    reduction=reduction, ignore_index=ignore_index, label_smoothing=label_smoothing)``
    (PyTorch 2.15's ``torch.nn.functional.linear_cross_entropy``), computed a block of rows at
    a time so that the ``N x C`` logits (and their gradient) are never held whole. Every
    keyword takes this path, label smoothing and class weights included (PyTorch's chunked
    path falls back to the reference path for label smoothing).

    Shapes: ``input`` ``(N, H)`` or ``(H,)`` (then a 0-d class-index target, or ``(C,)``
    probabilities); ``linear_weight`` ``(C, H)``; ``linear_bias`` ``None`` or ``(C,)``;
    ``target`` ``(N,)`` integer class indices (``ignore_index=None`` means -100) or ``(N, C)``
    float probabilities (``ignore_index`` must then be None). ``'none'`` returns ``(N,)`` (0-d
    for 1-D input). A K-dimensional ``linear_weight`` ``(C, d1, ..., H)`` is not supported
    (ValueError).

    Beyond PyTorch (keyword-only):

    - ``softcap``: None, or a finite number > 0: the logits become
      :math:`s \tanh(x / s)` (Gemma 2's logit softcapping) before everything else.
    - ``z_loss``: a finite number >= 0: :math:`z\_loss \cdot \mathrm{lse}^2` is added per
      counted sample (target != ignore_index; every sample for probabilities), ``lse`` the
      log-sum-exp of the (capped) logits; class weights do not scale it; ``'mean'`` divides
      its sum by the number of counted samples (PaLM's z-loss, Liger-Kernel's
      ``lse_square_scale``).
    - ``return_z_loss=True`` returns ``(loss, z)``: the loss (z term included) and the z term
      alone, reduced the same way.

    ``options`` (PyTorch's chunking options) is accepted and ignored: this function always
    computes block by block.

    Gradient (``with_grad=True``, optional ``grad_output``: a scalar for ``'sum'`` /
    ``'mean'``, the loss's shape for ``'none'``): returns ``(loss, (grad_input,
    grad_linear_weight))``, or ``(loss, (grad_input, grad_linear_weight, grad_linear_bias))``
    with a bias; with ``return_z_loss=True`` ``(loss, z, grads)``. No ``out=``.

    Example::

        >>> import numpy as np, swiftloss as F
        >>> F.linear_cross_entropy(np.ones((2, 3)), np.zeros((4, 3)), [1, 2])
        1.3862...

    Raises:
        ValueError: PyTorch's RuntimeErrors, with its text: "expected input with
            dimensionality 1 or 2, got 3", "expected linear_weight with dimensionality at
            least 2, got 1", "expected equal input and linear_weight last dimensions
            (in_features), got 8 and 7, respectively", "expected linear_bias shape (10,), got
            (9,)", "ignore_index cannot be specified when target contains probabilities",
            "Expected input batch_size (4) to match target batch_size (3).", the weight's
            size, label_smoothing above 1, a bad reduction; a bad z_loss or softcap; a
            ``grad_output`` of the wrong shape.
        IndexError: "Target 10 is out of bounds."
        TypeError: a non-float input.
    """
    function = "linear_cross_entropy"
    grad = _wants_grad(with_grad, grad_output, function)
    red = _reduction_enum(reduction)
    zl, cap = _regularization(z_loss, softcap, function)
    cap = cap or 0.0  # the C library's 'no cap'
    x, result_dtype = _float_input(input, function)
    dtype = x.dtype
    if x.ndim not in (1, 2):
        raise ValueError(f"expected input with dimensionality 1 or 2, got {x.ndim}")
    w_raw = linear_weight if type(linear_weight) is np.ndarray else _asarray(linear_weight, function, "linear_weight")
    if w_raw.ndim < 2:
        raise ValueError(f"expected linear_weight with dimensionality at least 2, got {w_raw.ndim}")
    if x.shape[-1] != w_raw.shape[-1]:
        raise ValueError(f"expected equal input and linear_weight last dimensions (in_features), got "
                         f"{x.shape[-1]} and {w_raw.shape[-1]}, respectively")
    if w_raw.ndim > 2:
        raise ValueError("linear_cross_entropy: a K-dimensional linear_weight (C, d1, ..., dK, H) is not supported "
                         "by swiftloss; reshape to (C * d1 * ... * dK, H) is not equivalent (the classes are "
                         "the first dimension): use PyTorch's reference path")
    w = _real_array(w_raw, dtype, function, "linear_weight")
    classes, hidden = w.shape
    b = None
    if linear_bias is not None:
        b_raw = linear_bias if type(linear_bias) is np.ndarray else _asarray(linear_bias, function, "linear_bias")
        if b_raw.shape != (classes,):
            raise ValueError(f"expected linear_bias shape ({classes},), got {tuple(b_raw.shape)}")
        b = _real_array(b_raw, dtype, function, "linear_bias")
    batched = x.ndim == 2
    batch = x.shape[0] if batched else 1
    t_raw = target if type(target) is np.ndarray else _asarray(target, function, "target")
    probs = t_raw.dtype.kind == "f"
    if probs:
        if ignore_index is not None:
            raise ValueError("ignore_index cannot be specified when target contains probabilities")
        expected = (batch, classes) if batched else (classes,)
        if t_raw.shape != expected:
            raise ValueError(f"Expected target size {_shape_str(expected)}, got {_shape_str(t_raw.shape)}")
        t = _real_array(t_raw, dtype, function, "target").reshape(-1)
        ii = -100
    else:
        t = _class_target(t_raw, function)
        if batched and (t.ndim != 1 or t.shape[0] != batch):
            got = t.shape[0] if t.ndim >= 1 else 1
            if t.ndim == 1:
                raise ValueError(f"Expected input batch_size ({batch}) to match target batch_size ({got}).")
            raise ValueError(f"linear_cross_entropy: expected a target of shape ({batch},), got {tuple(t.shape)}")
        if not batched and t.size != 1:
            raise ValueError(f"linear_cross_entropy: a 1-D input takes a 0-d target, got shape {tuple(t.shape)}")
        t = t.reshape(-1)
        ii = -100 if ignore_index is None else operator.index(ignore_index)
    cw = None
    if weight is not None:
        cw = _real_array(weight, dtype, function, "weight")
        if cw.ndim != 1 or cw.shape[0] != classes:
            raise ValueError(f"weight tensor should be defined either for all {classes} classes or no classes but "
                             f"got weight tensor of shape: {_shape_str(cw.shape)}")
    ls = float(label_smoothing)
    if not ls <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    out_shape = (batch,) if batched else ()
    g = None
    if grad:
        g = _grad_output(grad_output, out_shape if red == _NONE else (), dtype, function, _REDUCTION_NAMES[red])
    count = batch if red == _NONE else 1
    output = np.empty(count, dtype=dtype)
    z = np.empty(count, dtype=dtype) if return_z_loss else None
    gx = gw = gb = None
    if grad:
        gx, gw = np.empty(x.shape, dtype=dtype), np.empty(w.shape, dtype=dtype)
        gb = np.empty(classes, dtype=dtype) if b is not None else None
    try:
        _C.linear_cross_entropy(x, w, b, t, 1 if probs else 0, batch, hidden, classes, cw, ii, red, ls, zl, cap, g,
                                output, z, gx, gw, gb)
    except IndexError:
        _check_targets(t, classes, ii)
        raise
    loss = _finish(output, red, out_shape, result_dtype)
    result = (loss,) if not return_z_loss else (loss, _finish(z, red, out_shape, result_dtype))
    if grad:
        grads = [_grad_result(gx, x.shape, result_dtype), _grad_result(gw, w.shape, result_dtype)]
        if gb is not None:
            grads.append(_grad_result(gb, (classes,), result_dtype))
        result = result + (tuple(grads),)
    return result[0] if len(result) == 1 else result
