"""swiftloss for PyTorch users: ``torch.nn`` and ``torch.nn.functional`` drop-ins on CPU tensors.

``import swiftloss.torch`` needs PyTorch (the rest of swiftloss needs only numpy); without
it the import raises ``ImportError`` saying so. The module offers, with torch's names,
signatures and defaults:

* ``torch.nn`` modules: :class:`CrossEntropyLoss`, :class:`NLLLoss`, :class:`BCELoss`,
  :class:`BCEWithLogitsLoss`, :class:`KLDivLoss` (subclasses of ``torch.nn.Module``; ``weight``
  and ``pos_weight`` are registered buffers, as in torch, so ``.to()`` / ``.double()`` /
  ``state_dict()`` behave the same);
* ``torch.nn.functional`` functions: :func:`cross_entropy`, :func:`nll_loss`,
  :func:`binary_cross_entropy`, :func:`binary_cross_entropy_with_logits`, :func:`kl_div`;
* the ``torch.autograd.Function`` subclasses behind them: :class:`CrossEntropyFunction`,
  :class:`NLLLossFunction`, :class:`BCEFunction`, :class:`BCEWithLogitsFunction`,
  :class:`KLDivFunction`;
* the operators ``torch.ops.swiftloss.cross_entropy`` etc. (``torch.library`` custom ops: the
  kernels themselves, opaque to ``torch.compile``).

so a CPU training script switches by changing an import::

    import swiftloss.torch as sl
    criterion = sl.CrossEntropyLoss(label_smoothing=0.1)   # was torch.nn.CrossEntropyLoss
    loss = criterion(model(x), y)
    loss.backward()

How it computes. Each loss is a ``torch.library`` custom op that hands the tensors' memory to
swiftloss (no copy for contiguous float32 / float64 tensors) and returns the loss and, when
the input requires grad, the gradient of the loss for ones upstream, from the same call
(``cross_entropy`` from one fused pass over the logits). Backward multiplies that saved
gradient by ``grad_output`` (per sample for ``reduction='none'``): exact, every loss being
linear in its upstream gradient.

What autograd sees is complete, so nothing is silently wrong:

* **Higher-order gradients** (``create_graph=True``: gradient penalties, MAML,
  ``torch.autograd.functional.hvp``): when backward runs with grad mode on, the scaling goes
  through a second autograd Function whose own backward is the Hessian-vector product. The
  first-order gradient is swiftloss's; the second-order term is computed by differentiating
  torch's own formula of the same loss twice (``torch.func``), so it is torch's to round-off.
  Third and higher orders work the same way.
* **torch.func**: ``grad``, ``vjp``, ``jacrev``, ``jacfwd``, ``hessian``, ``jvp`` and ``vmap``
  (the Functions define ``setup_context``, ``jvp`` and ``vmap``; ``vmap`` runs the kernel once
  per batch entry).
* **torch.compile**: the custom ops have fake (meta) implementations, so a model and loss
  compile with ``fullgraph=True`` (no graph break) with the default and ``"eager"`` backends;
  the swiftloss kernels run as opaque calls inside the compiled graph.
* **autocast**: under ``torch.autocast("cpu", dtype=torch.bfloat16)`` (or float16) the losses
  run in float32 and return float32, as torch's losses do there (float64 stays float64).

Differences from torch (the numbers are torch's, to float32 round-off; see swiftloss's
``functional`` docstrings for the semantics):

* CPU only: a tensor on another device raises ``RuntimeError``.
* Gradients flow to ``input`` only. A ``target``, ``weight`` or ``pos_weight`` that requires
  grad raises ``NotImplementedError`` (a subclass of ``RuntimeError``) instead of silently
  getting no gradient: detach it, or use torch's own loss for that case.
* float16 and bfloat16 inputs outside autocast are computed in float32 and the results cast
  back to the input's dtype (torch computes in the low precision: swiftloss's numbers are the
  more accurate ones).
* Bad arguments raise swiftloss's ``ValueError`` / ``IndexError`` / ``TypeError`` with torch's
  message texts where torch raises ``RuntimeError`` (see :mod:`swiftloss.functional`); a
  non-tensor ``target`` or ``weight`` raises ``TypeError`` naming it (torch's binary
  cross-entropy functions raise ``AttributeError`` there).
"""
from __future__ import annotations

try:
    import torch
except ImportError as _error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "swiftloss.torch needs PyTorch, which is not installed (pip install torch); the rest "
        "of swiftloss needs only numpy: use swiftloss.cross_entropy etc. on numpy arrays"
    ) from _error

import numbers
import warnings
from typing import Any, Callable, Optional, Tuple

import numpy as np

from . import distributed as _D
from . import functional as _F

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

_Tensor = torch.Tensor
_TF = torch.nn.functional
_forward_ad = torch.autograd.forward_ad
_LOW_PRECISION = (torch.float16, torch.bfloat16)


# ------------------------------------------------------------------------------------------
# Arguments
# ------------------------------------------------------------------------------------------

def _type_name(value: Any) -> str:
    return type(value).__name__


def _check_tensor(value: Any, name: str, position: int, op: str) -> None:
    """torch's own TypeError for a non-tensor, and a RuntimeError for a tensor off the CPU."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, not {_type_name(value)}")
    if value.device.type != "cpu":
        raise RuntimeError(
            f"{op}: {name} is on {value.device}; swiftloss computes on the CPU "
            f"(move it with {name}.cpu(), or use torch's own loss on this device)"
        )


def _check_optional_tensor(value: Any, name: str, position: int, op: str) -> None:
    if value is not None:
        _check_tensor(value, name, position, op)


def _check_int(value: Any, name: str, position: int, op: str) -> None:
    """An int argument as torch's parser takes it: int or numpy integer, not bool or float."""
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be int, not {_type_name(value)}")


def _check_float(value: Any, name: str, position: int, op: str) -> None:
    """A float argument as torch's parser takes it: any real number but a string."""
    if not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be float, not {_type_name(value)}")


def _check_bool(value: Any, name: str, op: str) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}(): argument '{name}' must be bool, not {_type_name(value)}")


def _check_reduction(reduction: Any, allow_batchmean: bool = False) -> None:
    """torch's ValueError for an unknown reduction (before anything is computed)."""
    if allow_batchmean and isinstance(reduction, str) and reduction == "batchmean":
        return
    _F._reduction_enum(reduction)


def _no_grad_needed(value: Optional[_Tensor], name: str, function: str) -> None:
    """Refuses an argument whose gradient torch would compute and swiftloss does not."""
    if value is not None and torch.is_grad_enabled() and value.requires_grad:
        raise NotImplementedError(
            f"swiftloss.torch.{function}: gradients with respect to {name} are not computed; "
            f"detach it ({name}.detach()) or use torch.nn.functional.{function}"
        )


def _legacy(size_average: Optional[bool], reduce: Optional[bool], reduction: str) -> str:
    if size_average is not None or reduce is not None:
        return _F._legacy_get_string(size_average, reduce, stacklevel=4)
    return reduction


def _autocast(*tensors: Optional[_Tensor]) -> Tuple[Optional[_Tensor], ...]:
    """Under CPU autocast, torch runs its losses in float32 (its fp32 cast policy): float16,
    bfloat16 and float32 tensors become float32 (differentiably); float64 stays."""
    if not torch.is_autocast_enabled("cpu"):
        return tensors
    return tuple(
        t.float() if t is not None and t.dtype in (torch.float16, torch.bfloat16) else t
        for t in tensors
    )


def _wants_graph(input: _Tensor) -> bool:
    """Whether any autograd may differentiate the loss: reverse mode (grad mode on and an
    input that requires grad), a torch.func transform (grad, jvp, vmap, ...: a wrapped
    tensor) or forward-mode AD (a dual tensor). Then the loss goes through its autograd
    Function; otherwise the op alone runs, and computes no gradient."""
    if torch.is_grad_enabled() and input.requires_grad:
        return True
    if torch.compiler.is_compiling():
        return False
    if torch._C._functorch.is_functorch_wrapped_tensor(input):
        return True
    return _forward_ad._current_level >= 0 and _forward_ad.unpack_dual(input).tangent is not None


# ------------------------------------------------------------------------------------------
# Tensors in, tensors out (inside the custom ops)
# ------------------------------------------------------------------------------------------

def _compute_dtype(input: _Tensor) -> torch.dtype:
    """float32 for float16 / bfloat16 inputs; otherwise the input's dtype (float32, float64;
    anything else reaches swiftloss, which raises TypeError)."""
    return torch.float32 if input.dtype in _LOW_PRECISION else input.dtype


def _array(value: Optional[_Tensor], dtype: Optional[torch.dtype] = None):
    """A CPU tensor's memory as a numpy array (no copy unless a dtype change is needed)."""
    if value is None:
        return None
    t = value.detach()
    if dtype is not None and t.is_floating_point() and t.dtype != dtype:
        t = t.to(dtype)
    elif t.dtype == torch.bfloat16:
        t = t.float()
    if t.is_conj():
        t = t.resolve_conj()
    if t.is_neg():
        t = t.resolve_neg()
    return t.numpy()


def _tensor(value: Any, dtype: torch.dtype) -> _Tensor:
    """A swiftloss result (ndarray or numpy scalar) as a tensor of dtype."""
    t = torch.from_numpy(value if isinstance(value, np.ndarray) else np.array(value))
    return t if t.dtype == dtype else t.to(dtype)


def _run(function: Callable, input: _Tensor, arrays: Tuple[Any, ...], kwargs: dict,
         need_grad: bool) -> Tuple[_Tensor, _Tensor]:
    """swiftloss's function on the arrays: (loss, gradient for ones upstream) as tensors of the
    input's dtype; the gradient is an empty tensor when not needed."""
    result = function(*arrays, with_grad=need_grad, **kwargs)
    loss, grad = result if need_grad else (result, None)
    grad = input.new_empty((0,)) if grad is None else _tensor(grad, input.dtype)
    return _tensor(loss, input.dtype), grad


# ------------------------------------------------------------------------------------------
# The custom ops: swiftloss's kernels as torch operators (opaque to torch.compile)
# ------------------------------------------------------------------------------------------

_Pair = Tuple[torch.Tensor, torch.Tensor]


@torch.library.custom_op("swiftloss::cross_entropy", mutates_args=())
def _cross_entropy_op(input: torch.Tensor, target: torch.Tensor, weight: Optional[torch.Tensor],
                      ignore_index: int, reduction: str, label_smoothing: float, need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.cross_entropy."""
    dtype = _compute_dtype(input)
    kwargs = dict(weight=_array(weight, dtype), ignore_index=ignore_index, reduction=reduction,
                  label_smoothing=label_smoothing)
    return _run(_F.cross_entropy, input, (_array(input, dtype), _array(target, dtype)), kwargs, need_grad)


@torch.library.custom_op("swiftloss::cross_entropy_ex", mutates_args=())
def _cross_entropy_ex_op(input: torch.Tensor, target: torch.Tensor, weight: Optional[torch.Tensor],
                         ignore_index: int, reduction: str, label_smoothing: float, z_loss: float,
                         softcap: float, need_grad: bool) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, gradient for ones upstream or an empty tensor, z term) of swiftloss.cross_entropy
    with z_loss / softcap (softcap 0: none)."""
    dtype = _compute_dtype(input)
    result = _F.cross_entropy(_array(input, dtype), _array(target, dtype), weight=_array(weight, dtype),
                              ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing,
                              z_loss=z_loss, softcap=softcap or None, return_z_loss=True, with_grad=need_grad)
    loss, z, grad = result if need_grad else result + (None,)
    grad = input.new_empty((0,)) if grad is None else _tensor(grad, input.dtype)
    return _tensor(loss, input.dtype), grad, _tensor(z, input.dtype)


@torch.library.custom_op("swiftloss::nll_loss", mutates_args=())
def _nll_loss_op(input: torch.Tensor, target: torch.Tensor, weight: Optional[torch.Tensor],
                 ignore_index: int, reduction: str, need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.nll_loss."""
    dtype = _compute_dtype(input)
    kwargs = dict(weight=_array(weight, dtype), ignore_index=ignore_index, reduction=reduction)
    return _run(_F.nll_loss, input, (_array(input, dtype), _array(target)), kwargs, need_grad)


@torch.library.custom_op("swiftloss::binary_cross_entropy", mutates_args=())
def _bce_op(input: torch.Tensor, target: torch.Tensor, weight: Optional[torch.Tensor],
            reduction: str, need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.binary_cross_entropy."""
    dtype = _compute_dtype(input)
    kwargs = dict(weight=_array(weight, dtype), reduction=reduction)
    return _run(_F.binary_cross_entropy, input, (_array(input, dtype), _array(target, dtype)), kwargs, need_grad)


@torch.library.custom_op("swiftloss::binary_cross_entropy_with_logits", mutates_args=())
def _bce_with_logits_op(input: torch.Tensor, target: torch.Tensor, weight: Optional[torch.Tensor],
                        pos_weight: Optional[torch.Tensor], reduction: str, need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of
    swiftloss.binary_cross_entropy_with_logits."""
    dtype = _compute_dtype(input)
    kwargs = dict(weight=_array(weight, dtype), pos_weight=_array(pos_weight, dtype), reduction=reduction)
    return _run(_F.binary_cross_entropy_with_logits, input, (_array(input, dtype), _array(target, dtype)),
                kwargs, need_grad)


@torch.library.custom_op("swiftloss::kl_div", mutates_args=())
def _kl_div_op(input: torch.Tensor, target: torch.Tensor, reduction: str, log_target: bool,
               need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.kl_div. With
    'none' and an input broadcast against a larger target, the gradient has the broadcast
    shape (the element-wise derivative; backward sums it back to the input's shape)."""
    dtype = _compute_dtype(input)
    x = _array(input, dtype)
    if need_grad and reduction == "none":
        x = np.broadcast_to(x, torch.broadcast_shapes(input.shape, target.shape))
    return _run(_F._kl_div, input, (x, _array(target, dtype)),
                dict(reduction=reduction, log_target=log_target, warn_mean=False), need_grad)


def _regression_dtypes(name: str, input: _Tensor, target: _Tensor) -> Tuple[torch.dtype, torch.dtype]:
    """(the loss's dtype, the compute dtype): torch's promotion of two float dtypes (an integer
    or bool target takes the input's), or the input's (soft_margin_loss)."""
    result = input.dtype
    if not _F._REGRESSION_RULES[name][2] and target.is_floating_point():
        result = torch.promote_types(input.dtype, target.dtype)
    return result, (torch.float32 if result in _LOW_PRECISION else result)


def _run_regression(name: str, input: _Tensor, target: _Tensor, weight: Optional[_Tensor], parameter: float,
                    reduction: str, need_grad: bool, flags: int = 0) -> _Pair:
    """A regression loss through swiftloss: (loss, unit gradient) with the loss in torch's
    result dtype and the gradient in the input's. With 'none' and an input broadcast against
    a larger target, the gradient has the broadcast shape (summed back in backward)."""
    result, compute = _regression_dtypes(name, input, target)
    x, t, w = _array(input, compute), _array(target, compute), _array(weight, compute)
    shape = torch.broadcast_shapes(input.shape, target.shape)
    if need_grad and reduction == "none" and tuple(shape) != tuple(input.shape):
        x = np.broadcast_to(x, shape)
        w = None if w is None else np.broadcast_to(w, shape)
    # The shared body of the numpy-level functions, below their size warning (given where
    # torch gives it, in the wrappers) and argument checks (done there too).
    red = _F._regression_reduction(reduction, w is not None)
    out = _F._regression(name, x, t, w, red, parameter, need_grad, None, None, flags=flags)
    loss, grad = out if need_grad else (out, None)
    return _tensor(loss, result), (input.new_empty((0,)) if grad is None else _tensor(grad, input.dtype))


@torch.library.custom_op("swiftloss::mse_loss", mutates_args=())
def _mse_loss_op(input: torch.Tensor, target: torch.Tensor, weight: Optional[torch.Tensor], reduction: str,
                 need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.mse_loss."""
    return _run_regression("mse_loss", input, target, weight, 0.0, reduction, need_grad)


@torch.library.custom_op("swiftloss::l1_loss", mutates_args=())
def _l1_loss_op(input: torch.Tensor, target: torch.Tensor, weight: Optional[torch.Tensor], reduction: str,
                need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.l1_loss."""
    return _run_regression("l1_loss", input, target, weight, 0.0, reduction, need_grad)


@torch.library.custom_op("swiftloss::smooth_l1_loss", mutates_args=())
def _smooth_l1_loss_op(input: torch.Tensor, target: torch.Tensor, reduction: str, beta: float,
                       need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.smooth_l1_loss."""
    return _run_regression("smooth_l1_loss", input, target, None, beta, reduction, need_grad)


@torch.library.custom_op("swiftloss::huber_loss", mutates_args=())
def _huber_loss_op(input: torch.Tensor, target: torch.Tensor, weight: Optional[torch.Tensor], reduction: str,
                   delta: float, need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.huber_loss."""
    return _run_regression("huber_loss", input, target, weight, delta, reduction, need_grad)


@torch.library.custom_op("swiftloss::soft_margin_loss", mutates_args=())
def _soft_margin_loss_op(input: torch.Tensor, target: torch.Tensor, reduction: str, need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.soft_margin_loss."""
    return _run_regression("soft_margin_loss", input, target, None, 0.0, reduction, need_grad)


@torch.library.custom_op("swiftloss::hinge_embedding_loss", mutates_args=())
def _hinge_embedding_loss_op(input: torch.Tensor, target: torch.Tensor, margin: float, reduction: str,
                             need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.hinge_embedding_loss."""
    return _run_regression("hinge_embedding_loss", input, target, None, margin, reduction, need_grad)


@torch.library.custom_op("swiftloss::poisson_nll_loss", mutates_args=())
def _poisson_nll_loss_op(input: torch.Tensor, target: torch.Tensor, log_input: bool, full: bool, eps: float,
                         reduction: str, need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.poisson_nll_loss."""
    return _run_regression("poisson_nll_loss", input, target, None, eps, reduction, need_grad,
                           _F._poisson_flags(log_input, full))


@torch.library.custom_op("swiftloss::multilabel_soft_margin_loss", mutates_args=())
def _multilabel_soft_margin_loss_op(input: torch.Tensor, target: torch.Tensor, weight: Optional[torch.Tensor],
                                    reduction: str, need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of
    swiftloss.multilabel_soft_margin_loss. With 'none' and an input broadcast against a larger
    target or weight, the gradient has the broadcast shape (summed back in backward)."""
    result, compute = _multilabel_dtypes(input, target, weight)
    x, t, w = _array(input, compute), _array(target, compute), _array(weight, compute)
    shape = _multilabel_shape(input, target, weight)
    if need_grad and reduction == "none" and tuple(shape) != tuple(input.shape):
        x = np.broadcast_to(x, shape)
    out = _F.multilabel_soft_margin_loss(x, t, w, reduction=reduction, with_grad=need_grad)
    loss, grad = out if need_grad else (out, None)
    return _tensor(loss, result), (input.new_empty((0,)) if grad is None else _tensor(grad, input.dtype))


def _multilabel_shape(input, target, weight) -> torch.Size:
    shape = torch.broadcast_shapes(input.shape, target.shape)
    return shape if weight is None else torch.broadcast_shapes(shape, weight.shape)


def _multilabel_dtypes(input, target, weight) -> Tuple[torch.dtype, torch.dtype]:
    """(the loss's dtype, the compute dtype): torch's promotion of the float dtypes."""
    result = input.dtype
    for other in (target, weight):
        if other is not None and other.is_floating_point():
            result = torch.promote_types(result, other.dtype)
    return result, (torch.float32 if result in _LOW_PRECISION else result)


@_multilabel_soft_margin_loss_op.register_fake
def _(input, target, weight, reduction, need_grad):
    shape = tuple(_multilabel_shape(input, target, weight))
    result, _ = _multilabel_dtypes(input, target, weight)
    grad = shape if need_grad and reduction == "none" else _grad_shape(input, need_grad)
    return input.new_empty(shape[:-1] if reduction == "none" else (), dtype=result), input.new_empty(grad)


@torch.library.custom_op("swiftloss::multi_margin_loss", mutates_args=())
def _multi_margin_loss_op(input: torch.Tensor, target: torch.Tensor, p: int, margin: float,
                          weight: Optional[torch.Tensor], reduction: str, need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.multi_margin_loss."""
    kwargs = dict(p=p, margin=margin, weight=_array(weight, input.dtype), reduction=reduction)
    return _run(_F.multi_margin_loss, input, (_array(input), _array(target)), kwargs, need_grad)


@torch.library.custom_op("swiftloss::multilabel_margin_loss", mutates_args=())
def _multilabel_margin_loss_op(input: torch.Tensor, target: torch.Tensor, reduction: str, need_grad: bool) -> _Pair:
    """(loss, gradient for ones upstream or an empty tensor) of swiftloss.multilabel_margin_loss."""
    return _run(_F.multilabel_margin_loss, input, (_array(input), _array(target)), dict(reduction=reduction), need_grad)


@_multi_margin_loss_op.register_fake
def _(input, target, p, margin, weight, reduction, need_grad):
    rows = (input.shape[0],) if reduction == "none" and target.dim() > 0 else ()
    return input.new_empty(rows), input.new_empty(_grad_shape(input, need_grad))


@_multilabel_margin_loss_op.register_fake
def _(input, target, reduction, need_grad):
    rows = (input.shape[0],) if reduction == "none" and input.dim() == 2 else ()
    return input.new_empty(rows), input.new_empty(_grad_shape(input, need_grad))


# torch's names of the dtypes its margin kernels refuse ("not implemented for 'Half'").
_TORCH_DTYPE_NAMES = {torch.float16: "Half", torch.bfloat16: "BFloat16"}


def _margin_dtype(input: _Tensor, kernel: str) -> None:
    """torch computes multi_margin_loss and multilabel_margin_loss in float32 and float64 only
    (outside autocast); so does swiftloss, with torch's text, as a TypeError."""
    if input.dtype not in (torch.float32, torch.float64):
        name = _TORCH_DTYPE_NAMES.get(input.dtype) or _F._torch_dtype_name(torch.empty(0, dtype=input.dtype).numpy().dtype)
        raise TypeError(f"\"{kernel}\" not implemented for '{name}'")


def _regression_fake(name, input, target, reduction, need_grad):
    shape = tuple(torch.broadcast_shapes(input.shape, target.shape))
    result, _ = _regression_dtypes(name, input, target)
    grad = shape if need_grad and reduction == "none" else _grad_shape(input, need_grad)
    return (input.new_empty(shape if reduction == "none" else (), dtype=result), input.new_empty(grad))


_mse_loss_op.register_fake(lambda input, target, weight, reduction, need_grad:
                           _regression_fake("mse_loss", input, target, reduction, need_grad))
_l1_loss_op.register_fake(lambda input, target, weight, reduction, need_grad:
                          _regression_fake("l1_loss", input, target, reduction, need_grad))
_smooth_l1_loss_op.register_fake(lambda input, target, reduction, beta, need_grad:
                                 _regression_fake("smooth_l1_loss", input, target, reduction, need_grad))
_huber_loss_op.register_fake(lambda input, target, weight, reduction, delta, need_grad:
                             _regression_fake("huber_loss", input, target, reduction, need_grad))
_soft_margin_loss_op.register_fake(lambda input, target, reduction, need_grad:
                                   _regression_fake("soft_margin_loss", input, target, reduction, need_grad))
_hinge_embedding_loss_op.register_fake(lambda input, target, margin, reduction, need_grad:
                                       _regression_fake("hinge_embedding_loss", input, target, reduction, need_grad))
_poisson_nll_loss_op.register_fake(lambda input, target, log_input, full, eps, reduction, need_grad:
                                   _regression_fake("poisson_nll_loss", input, target, reduction, need_grad))


def _class_axis_loss_shape(input: _Tensor, target: _Tensor, reduction: str) -> Tuple[int, ...]:
    if reduction != "none" or input.dim() < 2:
        return ()
    if target.is_floating_point():  # probability targets: the input's shape without the class axis
        return tuple(input.shape[:1]) + tuple(input.shape[2:])
    return tuple(target.shape)


def _grad_shape(input: _Tensor, need_grad: bool) -> Tuple[int, ...]:
    return tuple(input.shape) if need_grad else (0,)


@_cross_entropy_op.register_fake
def _(input, target, weight, ignore_index, reduction, label_smoothing, need_grad):
    return (input.new_empty(_class_axis_loss_shape(input, target, reduction)),
            input.new_empty(_grad_shape(input, need_grad)))


@_cross_entropy_ex_op.register_fake
def _(input, target, weight, ignore_index, reduction, label_smoothing, z_loss, softcap, need_grad):
    shape = _class_axis_loss_shape(input, target, reduction)
    return (input.new_empty(shape), input.new_empty(_grad_shape(input, need_grad)), input.new_empty(shape))


@_nll_loss_op.register_fake
def _(input, target, weight, ignore_index, reduction, need_grad):
    return (input.new_empty(_class_axis_loss_shape(input, target, reduction)),
            input.new_empty(_grad_shape(input, need_grad)))


@_bce_op.register_fake
def _(input, target, weight, reduction, need_grad):
    return input.new_empty(tuple(input.shape) if reduction == "none" else ()), input.new_empty(_grad_shape(input, need_grad))


@_bce_with_logits_op.register_fake
def _(input, target, weight, pos_weight, reduction, need_grad):
    return input.new_empty(tuple(input.shape) if reduction == "none" else ()), input.new_empty(_grad_shape(input, need_grad))


@_kl_div_op.register_fake
def _(input, target, reduction, log_target, need_grad):
    shape = tuple(torch.broadcast_shapes(input.shape, target.shape))
    grad = shape if need_grad and reduction == "none" else _grad_shape(input, need_grad)
    return input.new_empty(shape if reduction == "none" else ()), input.new_empty(grad)


def _select(value: Any, dim: Optional[int], index: int) -> Any:
    return value if dim is None or value is None else value.select(dim, index)


def _looped_vmap(call: Callable, info: Any, in_dims: Tuple[Optional[int], ...], args: Tuple[Any, ...]):
    """A vmap rule that runs ``call`` once per batch entry and stacks each of its outputs (the
    loss, the gradients) along dim 0 (the kernels take one batch at a time)."""
    results = [call(*(_select(a, d, i) for a, d in zip(args, in_dims))) for i in range(info.batch_size)]
    outputs = tuple(torch.stack([r[k] for r in results]) for k in range(len(results[0])))
    return outputs, (0,) * len(outputs)


for _op in (_cross_entropy_op, _cross_entropy_ex_op, _nll_loss_op, _bce_op, _bce_with_logits_op, _kl_div_op, _mse_loss_op,
            _l1_loss_op, _smooth_l1_loss_op, _huber_loss_op, _soft_margin_loss_op, _hinge_embedding_loss_op,
            _poisson_nll_loss_op, _multilabel_soft_margin_loss_op, _multi_margin_loss_op, _multilabel_margin_loss_op):
    torch.library.register_vmap(_op, lambda info, in_dims, *args, _op=_op: _looped_vmap(_op, info, in_dims, args))


# ------------------------------------------------------------------------------------------
# How each loss's gradient is scaled, contracted and differentiated again
# ------------------------------------------------------------------------------------------

class _Rule:
    """What backward needs to know of a loss, beyond its saved unit gradient ``gu``.

    ``scale(g, gu)``: the gradient for the upstream gradient ``g`` (per sample for 'none');
    ``contract(w, gu, g)``: the derivative of ``<w, scale(g, gu)>`` with respect to ``g``;
    ``hvp(x, v)``: the derivative of ``<v, gu(x)>`` with respect to ``x``: the Hessian of the
    summed loss times ``v``, from torch's own formula of the loss (``reference``) differentiated
    twice with torch.func, or None for a loss linear in its input (nll_loss, kl_div)."""

    def __init__(self, reduction: str, class_axis: bool, input_shape: torch.Size,
                 reference: Optional[Callable[[_Tensor], _Tensor]], compute_dtype: torch.dtype,
                 class_dim: int = 1) -> None:
        self.reduction, self.class_axis, self.input_shape = reduction, class_axis, input_shape
        self.class_dim = class_dim
        self.reference, self.compute_dtype = reference, compute_dtype

    def _per_sample(self, gu: _Tensor) -> bool:
        return self.reduction == "none" and self.class_axis and gu.dim() >= 2

    def scale(self, g: _Tensor, gu: _Tensor) -> _Tensor:
        if self._per_sample(gu):
            g = g.unsqueeze(self.class_dim)
        grad = g * gu
        return grad if grad.shape == self.input_shape else grad.sum_to_size(self.input_shape)

    def contract(self, w: _Tensor, gu: _Tensor, g: _Tensor) -> _Tensor:
        product = w * gu
        if self._per_sample(gu):
            return product.sum(self.class_dim).reshape(g.shape)  # (1, C) with a 0-d target: one 0-d loss
        return product if self.reduction == "none" and product.shape == g.shape else product.sum().reshape(g.shape)

    def spread(self, g: _Tensor, w: _Tensor) -> _Tensor:
        """The upstream gradient broadcast onto w's shape, times w."""
        return (g.unsqueeze(self.class_dim) if self._per_sample(w) else g) * w

    def hvp(self, x: _Tensor, v: _Tensor) -> Optional[_Tensor]:
        if self.reference is None:
            return None
        if v.shape != x.shape:
            # 'none' with an input broadcast against a larger target: the unit gradient is per
            # broadcast element, which torch's formula of the loss does not give back.
            raise RuntimeError(
                "swiftloss.torch: second derivatives of a reduction='none' loss whose input was "
                "broadcast against a larger target are not supported; expand the input first "
                "(input.expand_as(target)) or use torch's own loss for this case"
            )
        reference, dtype = self.reference, self.compute_dtype

        def unit_gradient(z: _Tensor) -> _Tensor:
            return torch.func.grad(lambda u: reference(u.to(dtype)).sum())(z)

        return torch.func.vjp(unit_gradient, x)[1](v)[0]


class _ScaledGradient(torch.autograd.Function):
    """``scale(g, gu)`` as a differentiable function of the upstream gradient ``g`` and of the
    input (through ``gu``, the saved unit gradient): used by backward when grad mode is on, so
    that a gradient of the gradient is right. Its backward is ``contract`` for ``g`` and the
    Hessian-vector product for the input."""

    generate_vmap_rule = True

    @staticmethod
    def forward(g, input, gu, rule):
        return rule.scale(g, gu)

    @staticmethod
    def setup_context(ctx, inputs, output):
        g, input, gu, rule = inputs
        ctx.save_for_backward(g, input, gu)
        ctx.save_for_forward(g, input, gu)
        ctx.rule = rule
        ctx.set_materialize_grads(False)

    @staticmethod
    def backward(ctx, w):
        g, input, gu = ctx.saved_tensors
        if w is None:
            return None, None, None, None
        rule = ctx.rule
        dg = rule.contract(w, gu, g) if ctx.needs_input_grad[0] else None
        dx = rule.hvp(input, rule.spread(g, w)) if ctx.needs_input_grad[1] else None
        return dg, dx, None, None

    @staticmethod
    def jvp(ctx, dg, dinput, dgu, drule):
        g, input, gu = ctx.saved_tensors
        rule = ctx.rule
        tangent = None
        if dg is not None:
            tangent = rule.scale(dg, gu)
        if dinput is not None:
            h = rule.hvp(input, dinput)
            if h is not None:
                h = rule.scale(g, h)
                tangent = h if tangent is None else tangent + h
        return tangent if tangent is not None else torch.zeros(rule.input_shape, dtype=gu.dtype)


class _LossFunction(torch.autograd.Function):
    """An autograd Function over one of the custom ops: ``apply(input, *arguments)`` returns
    ``(loss, unit_gradient)``, the loss and its gradient for ones upstream (computed by the
    same kernel call; not differentiable itself). Subclasses define ``forward`` (the op),
    ``reference`` (torch's own formula, for second derivatives; None for a loss linear in its
    input), ``REDUCTION_AT`` (where ``reduction`` is among the arguments after ``input``) and
    ``CLASS_AXIS`` (a 'none' loss per sample rather than per element)."""

    REDUCTION_AT: int
    CLASS_AXIS = False
    CLASS_DIM = 1  # the axis a class-axis loss reduces over ('none': one value per slice)
    reference: Optional[Callable[..., _Tensor]] = None

    @classmethod
    def _rule(cls, input: _Tensor, arguments: Tuple[Any, ...]) -> _Rule:
        reference = None
        if cls.reference is not None:
            def reference(x: _Tensor) -> _Tensor:
                return cls.reference(x, *arguments)
        return _Rule(arguments[cls.REDUCTION_AT], cls.CLASS_AXIS, input.shape, reference, _compute_dtype(input),
                     cls.CLASS_DIM)

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Saves the input and the unit gradient (the op's second output)."""
        input, arguments = inputs[0], inputs[1:]
        ctx.save_for_backward(input, output[1])
        ctx.save_for_forward(input, output[1])
        ctx.arguments = arguments
        ctx.loss_shape = output[0].shape
        ctx.mark_non_differentiable(output[1])
        ctx.set_materialize_grads(False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Gives each loss a ``backward`` staticmethod bound to its class (torch.compile
        traces a staticmethod backward, not a classmethod one)."""
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__:
            def backward(ctx, g_loss, g_unit, _cls=cls):
                return _LossFunction._backward(_cls, ctx, g_loss)

            backward.__doc__ = _LossFunction._backward.__doc__
            cls.backward = staticmethod(backward)

    @staticmethod
    def _backward(cls, ctx, g_loss):
        """The saved gradient times ``g_loss``; with grad mode on (``create_graph=True``, or
        torch.func), through :class:`_ScaledGradient`, which is differentiable."""
        input, gu = ctx.saved_tensors
        nones = (None,) * len(ctx.arguments)
        if g_loss is None:
            return (None,) + nones
        rule = cls._rule(input, ctx.arguments)
        if not torch.is_grad_enabled():
            return (rule.scale(g_loss, gu),) + nones
        return (_ScaledGradient.apply(g_loss, input, gu, rule),) + nones

    @classmethod
    def vmap(cls, info, in_dims, input, *arguments):
        """torch.func.vmap: the kernel once per batch entry, the results stacked."""
        return _looped_vmap(cls.apply, info, in_dims, (input,) + arguments)


class _ForwardMode:
    """The forward-mode rule (``jvp``) of the loss Functions, kept apart because
    torch.compile does not trace an autograd Function that defines one: compiled code uses
    the Function without it (forward mode does not occur there)."""

    @classmethod
    def jvp(cls, ctx, dinput, *tangents):
        """Forward mode: the loss's tangent, ``<unit gradient, dinput>`` per sample or in all."""
        input, gu = ctx.saved_tensors
        rule = cls._rule(input, ctx.arguments)
        if dinput is None:
            dinput = torch.zeros_like(input)
        product = gu * dinput  # for a broadcast kl_div input, dinput broadcasts onto gu
        if rule.reduction != "none" or (rule.class_axis and gu.dim() < 2):
            return product.sum().reshape(ctx.loss_shape), None  # () or, for a (C,) input, (1,)
        if rule.class_axis:
            return product.sum(rule.class_dim).reshape(ctx.loss_shape), None
        return product, None


class _CrossEntropy(_LossFunction):
    """The Function of :class:`CrossEntropyFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 3
    CLASS_AXIS = True

    @staticmethod
    def forward(input, target, weight, ignore_index, reduction, label_smoothing):
        """(loss, gradient for ones upstream) from ``swiftloss_cross_entropy_fused``."""
        return _cross_entropy_op(input, target, weight, ignore_index, reduction, label_smoothing, True)

    @staticmethod
    def reference(x, target, weight, ignore_index, reduction, label_smoothing):
        """torch.nn.functional.cross_entropy with the same arguments (second derivatives)."""
        return _TF.cross_entropy(
            x, target.to(x.dtype) if target.is_floating_point() else target,
            None if weight is None else weight.to(x.dtype), ignore_index=ignore_index,
            reduction=reduction, label_smoothing=label_smoothing)


class CrossEntropyFunction(_ForwardMode, _CrossEntropy):
    r"""``CrossEntropyFunction.apply(input, target, weight, ignore_index, reduction,
    label_smoothing)``: :func:`swiftloss.cross_entropy` as an autograd Function.

    All six arguments are positional (``weight`` may be None). Class-index targets (any
    integer dtype) or probability targets (the input's shape). Returns ``(loss, unit_grad)``:
    the loss and :math:`\partial\ell/\partial x` for ones upstream, from one fused pass over
    the logits (``unit_grad`` is not differentiable; :func:`cross_entropy` returns the loss
    alone). Backward multiplies the saved gradient by ``grad_output``; with grad mode on it is
    itself differentiable (Hessian-vector products from torch's formula of the loss).
    """


class _RegularizedCrossEntropy(_LossFunction):
    """cross_entropy with z_loss / softcap: ``apply(input, target, weight, ignore_index,
    reduction, label_smoothing, z_loss, softcap)`` returns ``(loss, unit_grad, z)``; ``z`` (the
    z term alone, for logging) is not differentiable. No forward mode."""

    REDUCTION_AT = 3
    CLASS_AXIS = True

    @staticmethod
    def forward(input, target, weight, ignore_index, reduction, label_smoothing, z_loss, softcap):
        """(loss, gradient for ones upstream, z term) from ``swiftloss_cross_entropy_ex``."""
        return _cross_entropy_ex_op(input, target, weight, ignore_index, reduction, label_smoothing, z_loss,
                                    softcap, True)

    @staticmethod
    def setup_context(ctx, inputs, output):
        _LossFunction.setup_context(ctx, inputs, output)
        ctx.mark_non_differentiable(output[1], output[2])

    @staticmethod
    def reference(x, target, weight, ignore_index, reduction, label_smoothing, z_loss, softcap):
        """The composite in torch (second derivatives): softcap, cross_entropy, plus z_loss
        times the squared log-sum-exp of the counted samples, reduced as the loss."""
        r = softcap * torch.tanh(x / softcap) if softcap else x
        probabilities = target.is_floating_point()
        ce = _TF.cross_entropy(
            r, target.to(x.dtype) if probabilities else target,
            None if weight is None else weight.to(x.dtype), ignore_index=ignore_index,
            reduction=reduction, label_smoothing=label_smoothing)
        lse = torch.logsumexp(r, dim=1 if r.dim() > 1 else 0)
        counted = torch.ones_like(lse) if probabilities else (target != ignore_index).to(x.dtype)
        z = z_loss * lse * lse * counted
        if reduction == "sum":
            z = z.sum()
        elif reduction == "mean":
            z = z.sum() / counted.sum()
        return ce + z


_RegularizedCrossEntropy.backward = staticmethod(
    lambda ctx, g_loss, g_unit, g_z: _LossFunction._backward(_RegularizedCrossEntropy, ctx, g_loss))


class _NLLLoss(_LossFunction):
    """The Function of :class:`NLLLossFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 3
    CLASS_AXIS = True

    @staticmethod
    def forward(input, target, weight, ignore_index, reduction):
        """(loss, gradient for ones upstream) from ``swiftloss_nll_loss`` and its backward."""
        return _nll_loss_op(input, target, weight, ignore_index, reduction, True)


class NLLLossFunction(_ForwardMode, _NLLLoss):
    r"""``NLLLossFunction.apply(input, target, weight, ignore_index, reduction)``:
    :func:`swiftloss.nll_loss` as an autograd Function, returning ``(loss, unit_grad)``
    (gradient :math:`-w_{y_n}` at each counted target, for ones upstream). The loss is linear
    in its input: every higher derivative is zero."""



class _BCE(_LossFunction):
    """The Function of :class:`BCEFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 2

    @staticmethod
    def forward(input, target, weight, reduction):
        """(loss, gradient for ones upstream) from ``swiftloss_binary_cross_entropy`` and its
        backward."""
        return _bce_op(input, target, weight, reduction, True)

    @staticmethod
    def reference(x, target, weight, reduction):
        """torch.nn.functional.binary_cross_entropy with the same arguments."""
        return _TF.binary_cross_entropy(
            x, target.to(x.dtype), None if weight is None else weight.to(x.dtype), reduction=reduction)


class BCEFunction(_ForwardMode, _BCE):
    r"""``BCEFunction.apply(input, target, weight, reduction)``:
    :func:`swiftloss.binary_cross_entropy` as an autograd Function, returning ``(loss,
    unit_grad)`` (gradient :math:`w (x - t) / \max(x (1 - x), 10^{-12})` for ones upstream)."""



class _BCEWithLogits(_LossFunction):
    """The Function of :class:`BCEWithLogitsFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 3

    @staticmethod
    def forward(input, target, weight, pos_weight, reduction):
        """(loss, gradient for ones upstream) from
        ``swiftloss_binary_cross_entropy_with_logits`` and its backward."""
        return _bce_with_logits_op(input, target, weight, pos_weight, reduction, True)

    @staticmethod
    def reference(x, target, weight, pos_weight, reduction):
        """torch.nn.functional.binary_cross_entropy_with_logits with the same arguments."""
        return _TF.binary_cross_entropy_with_logits(
            x, target.to(x.dtype), None if weight is None else weight.to(x.dtype), reduction=reduction,
            pos_weight=None if pos_weight is None else pos_weight.to(x.dtype))


class BCEWithLogitsFunction(_ForwardMode, _BCEWithLogits):
    r"""``BCEWithLogitsFunction.apply(input, target, weight, pos_weight, reduction)``:
    :func:`swiftloss.binary_cross_entropy_with_logits` as an autograd Function, returning
    ``(loss, unit_grad)`` (gradient :math:`w ((p_w t + 1 - t) \sigma(x) - p_w t)` for ones
    upstream)."""



class _KLDiv(_LossFunction):
    """The Function of :class:`KLDivFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 1

    @staticmethod
    def forward(input, target, reduction, log_target):
        """(loss, gradient for ones upstream) from ``swiftloss_kl_div`` and its backward."""
        return _kl_div_op(input, target, reduction, log_target, True)


class KLDivFunction(_ForwardMode, _KLDiv):
    r"""``KLDivFunction.apply(input, target, reduction, log_target)``: :func:`swiftloss.kl_div`
    as an autograd Function, returning ``(loss, unit_grad)`` (gradient :math:`-t` or
    :math:`-e^t` for ones upstream; with ``reduction='none'`` and an input broadcast against a
    larger target, of the broadcast shape, summed back to the input's in backward). The loss
    is linear in its input: every higher derivative is zero."""



class _MSELoss(_LossFunction):
    """The Function of :class:`MSELossFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 2

    @staticmethod
    def forward(input, target, weight, reduction):
        """(loss, gradient for ones upstream) from ``swiftloss_mse_loss`` and its backward."""
        return _mse_loss_op(input, target, weight, reduction, True)

    @staticmethod
    def reference(x, target, weight, reduction):
        """torch.nn.functional.mse_loss with the same arguments."""
        return _TF.mse_loss(x, target.to(x.dtype), reduction=reduction, weight=None if weight is None else weight.to(x.dtype))


class MSELossFunction(_ForwardMode, _MSELoss):
    """``MSELossFunction.apply(input, target, weight, reduction)``: :func:`swiftloss.mse_loss`
    as an autograd Function, returning ``(loss, unit_grad)``."""


class _L1Loss(_LossFunction):
    """The Function of :class:`L1LossFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 2

    @staticmethod
    def forward(input, target, weight, reduction):
        """(loss, gradient for ones upstream) from ``swiftloss_l1_loss`` and its backward."""
        return _l1_loss_op(input, target, weight, reduction, True)

    @staticmethod
    def reference(x, target, weight, reduction):
        """torch.nn.functional.l1_loss with the same arguments."""
        return _TF.l1_loss(x, target.to(x.dtype), reduction=reduction, weight=None if weight is None else weight.to(x.dtype))


class L1LossFunction(_ForwardMode, _L1Loss):
    """``L1LossFunction.apply(input, target, weight, reduction)``: :func:`swiftloss.l1_loss` as
    an autograd Function, returning ``(loss, unit_grad)``."""


class _SmoothL1Loss(_LossFunction):
    """The Function of :class:`SmoothL1LossFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 1

    @staticmethod
    def forward(input, target, reduction, beta):
        """(loss, gradient for ones upstream) from ``swiftloss_smooth_l1_loss`` and its backward."""
        return _smooth_l1_loss_op(input, target, reduction, beta, True)

    @staticmethod
    def reference(x, target, reduction, beta):
        """torch.nn.functional.smooth_l1_loss with the same arguments."""
        return _TF.smooth_l1_loss(x, target.to(x.dtype), reduction=reduction, beta=beta)


class SmoothL1LossFunction(_ForwardMode, _SmoothL1Loss):
    """``SmoothL1LossFunction.apply(input, target, reduction, beta)``:
    :func:`swiftloss.smooth_l1_loss` as an autograd Function, returning ``(loss, unit_grad)``."""


class _PoissonNLLLoss(_LossFunction):
    """The Function of :class:`PoissonNLLLossFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 4

    @staticmethod
    def forward(input, target, log_input, full, eps, reduction):
        """(loss, gradient for ones upstream) from ``swiftloss_poisson_nll_loss`` and its backward."""
        return _poisson_nll_loss_op(input, target, log_input, full, eps, reduction, True)

    @staticmethod
    def reference(x, target, log_input, full, eps, reduction):
        """torch.nn.functional.poisson_nll_loss with the same arguments."""
        return _TF.poisson_nll_loss(x, target.to(x.dtype), log_input=log_input, full=full, eps=eps,
                                    reduction=reduction)


class _MultiLabelSoftMarginLoss(_LossFunction):
    """The Function of :class:`MultiLabelSoftMarginLossFunction` without forward mode (for
    torch.compile)."""

    REDUCTION_AT = 2
    CLASS_AXIS = True
    CLASS_DIM = -1

    @staticmethod
    def forward(input, target, weight, reduction):
        """(loss, gradient for ones upstream) from ``swiftloss_multilabel_soft_margin_loss`` and
        its backward."""
        return _multilabel_soft_margin_loss_op(input, target, weight, reduction, True)

    @staticmethod
    def reference(x, target, weight, reduction):
        """torch.nn.functional.multilabel_soft_margin_loss with the same arguments."""
        return _TF.multilabel_soft_margin_loss(x, target.to(x.dtype), None if weight is None else weight.to(x.dtype),
                                               reduction=reduction)


class MultiLabelSoftMarginLossFunction(_ForwardMode, _MultiLabelSoftMarginLoss):
    """``MultiLabelSoftMarginLossFunction.apply(input, target, weight, reduction)``:
    :func:`swiftloss.multilabel_soft_margin_loss` as an autograd Function, returning
    ``(loss, unit_grad)``."""


def _reduce_rows(loss: _Tensor, reduction: str, shape: Tuple[int, ...]) -> _Tensor:
    """Row losses reduced as torch's margin kernels: 'none' in the loss's shape, 'sum', 'mean'
    over the rows."""
    if reduction == "none":
        return loss.reshape(shape)
    return loss.sum() if reduction == "sum" else loss.mean()


class _MultiMarginLoss(_LossFunction):
    """The Function of :class:`MultiMarginLossFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 4
    CLASS_AXIS = True
    CLASS_DIM = -1

    @staticmethod
    def forward(input, target, p, margin, weight, reduction):
        """(loss, gradient for ones upstream) from ``swiftloss_multi_margin_loss`` and its backward."""
        return _multi_margin_loss_op(input, target, p, margin, weight, reduction, True)

    @staticmethod
    def reference(x, target, p, margin, weight, reduction):
        """multi_margin_loss as a torch composite (torch's own kernel has no second
        derivative): the terms of :func:`swiftloss.multi_margin_loss`, NaN terms not counted."""
        classes = x.shape[-1] if x.dim() else 1
        rows = x.reshape(-1, classes)
        y = target.reshape(-1, 1).long()
        z = (margin - rows.gather(1, y)) + rows
        others = torch.ones_like(rows, dtype=torch.bool).scatter(1, y, False)
        terms = torch.where((z > 0) & others, z if p == 1 else z * z, torch.zeros_like(z))
        if weight is not None:
            terms = terms * weight.to(x.dtype)[y]
        return _reduce_rows(terms.sum(1) / classes, reduction, tuple(target.shape))


class MultiMarginLossFunction(_ForwardMode, _MultiMarginLoss):
    """``MultiMarginLossFunction.apply(input, target, p, margin, weight, reduction)``:
    :func:`swiftloss.multi_margin_loss` as an autograd Function, returning ``(loss,
    unit_grad)``. Second derivatives (zero for ``p=1``) come from a torch composite of the
    loss, where torch's own kernel raises."""


class _MultiLabelMarginLoss(_LossFunction):
    """The Function of :class:`MultiLabelMarginLossFunction` without forward mode (for
    torch.compile)."""

    REDUCTION_AT = 1
    CLASS_AXIS = True
    CLASS_DIM = -1

    @staticmethod
    def forward(input, target, reduction):
        """(loss, gradient for ones upstream) from ``swiftloss_multilabel_margin_loss`` and its
        backward."""
        return _multilabel_margin_loss_op(input, target, reduction, True)

    @staticmethod
    def reference(x, target, reduction):
        """multilabel_margin_loss as a torch composite (torch's own kernel has no second
        derivative): every (list entry, class) pair of a row at once, N x L x C terms for the
        longest list L."""
        classes = x.shape[-1] if x.dim() else 1
        rows, t = x.reshape(-1, classes), target.reshape(-1, classes).long()
        listed = (t >= 0).long().cumprod(1).bool()  # the entries before the first -1
        longest = int(listed.sum(1).max()) if listed.numel() else 0
        entries, listed = t[:, :longest].clamp_min(0), listed[:, :longest]
        targets = torch.zeros_like(rows).scatter_add(1, entries, listed.to(rows.dtype)) > 0
        z = (1 - rows.gather(1, entries)).unsqueeze(2) + rows.unsqueeze(1)
        counted = (z > 0) & listed.unsqueeze(2) & ~targets.unsqueeze(1)
        loss = torch.where(counted, z, torch.zeros_like(z)).sum((1, 2)) / classes
        return _reduce_rows(loss, reduction, (rows.shape[0],) if x.dim() == 2 else ())


class MultiLabelMarginLossFunction(_ForwardMode, _MultiLabelMarginLoss):
    """``MultiLabelMarginLossFunction.apply(input, target, reduction)``:
    :func:`swiftloss.multilabel_margin_loss` as an autograd Function, returning ``(loss,
    unit_grad)``. The loss is piecewise linear in its input: its second derivatives, from a
    torch composite of the loss (torch's own kernel raises), are zero."""


class PoissonNLLLossFunction(_ForwardMode, _PoissonNLLLoss):
    """``PoissonNLLLossFunction.apply(input, target, log_input, full, eps, reduction)``:
    :func:`swiftloss.poisson_nll_loss` as an autograd Function, returning ``(loss, unit_grad)``."""


class _HuberLoss(_LossFunction):
    """The Function of :class:`HuberLossFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 2

    @staticmethod
    def forward(input, target, weight, reduction, delta):
        """(loss, gradient for ones upstream) from ``swiftloss_huber_loss`` and its backward."""
        return _huber_loss_op(input, target, weight, reduction, delta, True)

    @staticmethod
    def reference(x, target, weight, reduction, delta):
        """torch.nn.functional.huber_loss with the same arguments."""
        return _TF.huber_loss(x, target.to(x.dtype), reduction=reduction, delta=delta,
                              weight=None if weight is None else weight.to(x.dtype))


class HuberLossFunction(_ForwardMode, _HuberLoss):
    """``HuberLossFunction.apply(input, target, weight, reduction, delta)``:
    :func:`swiftloss.huber_loss` as an autograd Function, returning ``(loss, unit_grad)``."""


class _SoftMarginLoss(_LossFunction):
    """The Function of :class:`SoftMarginLossFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 1

    @staticmethod
    def forward(input, target, reduction):
        """(loss, gradient for ones upstream) from ``swiftloss_soft_margin_loss`` and its backward."""
        return _soft_margin_loss_op(input, target, reduction, True)

    @staticmethod
    def reference(x, target, reduction):
        """torch.nn.functional.soft_margin_loss with the same arguments."""
        return _TF.soft_margin_loss(x, target.to(x.dtype), reduction=reduction)


class SoftMarginLossFunction(_ForwardMode, _SoftMarginLoss):
    """``SoftMarginLossFunction.apply(input, target, reduction)``:
    :func:`swiftloss.soft_margin_loss` as an autograd Function, returning ``(loss, unit_grad)``."""


class _HingeEmbeddingLoss(_LossFunction):
    """The Function of :class:`HingeEmbeddingLossFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 2

    @staticmethod
    def forward(input, target, margin, reduction):
        """(loss, gradient for ones upstream) from ``swiftloss_hinge_embedding_loss`` and its backward."""
        return _hinge_embedding_loss_op(input, target, margin, reduction, True)

    @staticmethod
    def reference(x, target, margin, reduction):
        """torch.nn.functional.hinge_embedding_loss with the same arguments."""
        return _TF.hinge_embedding_loss(x, target.to(x.dtype), margin=margin, reduction=reduction)


class HingeEmbeddingLossFunction(_ForwardMode, _HingeEmbeddingLoss):
    """``HingeEmbeddingLossFunction.apply(input, target, margin, reduction)``:
    :func:`swiftloss.hinge_embedding_loss` as an autograd Function, returning ``(loss,
    unit_grad)``. The loss is piecewise linear in its input: every higher derivative is zero."""


# ------------------------------------------------------------------------------------------
# Losses of several learned inputs (margin_ranking_loss, ...): the op returns the loss and one
# unit gradient per learned input; backward scales each; second derivatives are torch's
# ------------------------------------------------------------------------------------------

class _SeveralRule:
    """What backward needs of a loss of several learned inputs ``xs`` (its first arguments):

    ``scale(g, gu, shape)``: the gradient of one input, of ``shape``, for the upstream gradient
    ``g``, from its saved unit gradient ``gu`` (for 'none' per broadcast element: of the
    broadcast shape, or of the broadcast rows for a loss per row over the last axis);
    ``first(g, *xs)``: the same gradients from torch's own formula of the loss (``reference``),
    differentiable again: backward and forward mode of the second order go through it."""

    def __init__(self, reduction: str, rowwise: bool, reference: Callable[..., _Tensor],
                 compute_dtype: torch.dtype, shapes: Tuple[torch.Size, ...]) -> None:
        self.reduction, self.rowwise, self.reference = reduction, rowwise, reference
        self.compute_dtype, self.shapes = compute_dtype, shapes

    def scale(self, g: _Tensor, gu: _Tensor, shape: torch.Size) -> _Tensor:
        if self.reduction == "none" and self.rowwise:
            g = g.unsqueeze(-1)
        grad = g * gu
        return grad if grad.shape == shape else grad.sum_to_size(shape)

    def tangent(self, gus: Tuple[_Tensor, ...], dxs: Tuple[Optional[_Tensor], ...]) -> _Tensor:
        """The loss's forward-mode tangent for input tangents ``dxs`` (None: zero)."""
        total = None
        for gu, dx in zip(gus, dxs):
            if dx is None:
                continue
            product = gu * dx  # dx broadcasts onto a 'none' unit gradient of the broadcast shape
            if self.reduction != "none":
                product = product.sum()
            elif self.rowwise:
                product = product.sum(-1)
            total = product if total is None else total + product
        return total

    def first(self, g: _Tensor, *xs: _Tensor) -> Tuple[_Tensor, ...]:
        reference, dtype = self.reference, self.compute_dtype
        _, pullback = torch.func.vjp(lambda *us: reference(*(u.to(dtype) for u in us)), *xs)
        return pullback(g.to(dtype))


class _SeveralScaled(torch.autograd.Function):
    """``rule.scale`` of every learned input's saved unit gradient, as a differentiable
    function of the upstream gradient ``g`` and of the inputs (used by backward when grad mode
    is on): its derivatives are those of ``rule.first``, torch's formula of the loss."""

    generate_vmap_rule = True

    @staticmethod
    def forward(g, rule, *xs_and_gus):
        n = len(xs_and_gus) // 2
        return tuple(rule.scale(g, gu, x.shape) for x, gu in zip(xs_and_gus[:n], xs_and_gus[n:]))

    @staticmethod
    def setup_context(ctx, inputs, output):
        g, rule = inputs[0], inputs[1]
        n = len(inputs[2:]) // 2
        xs = inputs[2:2 + n]
        ctx.save_for_backward(g, *xs)
        ctx.save_for_forward(g, *xs)
        ctx.rule = rule
        ctx.set_materialize_grads(False)

    @staticmethod
    def backward(ctx, *ws):
        g, *xs = ctx.saved_tensors
        nones = (None,) * len(xs)
        if all(w is None for w in ws):
            return (None, None) + nones + nones
        ws = tuple(torch.zeros(x.shape, dtype=x.dtype) if w is None else w for w, x in zip(ws, xs))
        _, pullback = torch.func.vjp(ctx.rule.first, g, *xs)
        dg, *dxs = pullback(ws)
        return (dg.to(g.dtype), None) + tuple(d.to(x.dtype) for d, x in zip(dxs, xs)) + nones

    @staticmethod
    def jvp(ctx, dg, drule, *tangents):
        g, *xs = ctx.saved_tensors
        dxs = tangents[:len(xs)]
        primals = (g,) + tuple(xs)
        duals = (torch.zeros_like(g) if dg is None else dg,) + tuple(
            torch.zeros_like(x) if d is None else d for d, x in zip(dxs, xs))
        _, out = torch.func.jvp(ctx.rule.first, primals, duals)
        return tuple(o.to(x.dtype) for o, x in zip(out, xs))


class _SeveralLossFunction(torch.autograd.Function):
    """An autograd Function over the custom op of a loss of several learned inputs:
    ``apply(*xs, *arguments)`` returns ``(loss, unit_grad_1, ...)``. Subclasses define
    ``forward`` (the op), ``reference`` (torch's own formula, for second derivatives),
    ``LEARNED`` (how many leading arguments are learned), ``REDUCTION_AT`` (where
    ``reduction`` is among the arguments after them) and ``ROWWISE`` (a 'none' loss per row
    over the last axis rather than per element)."""

    LEARNED: int
    REDUCTION_AT: int
    ROWWISE = False
    reference: Callable[..., _Tensor]

    @classmethod
    def _rule(cls, xs: Tuple[_Tensor, ...], arguments: Tuple[Any, ...]) -> _SeveralRule:
        def reference(*us: _Tensor) -> _Tensor:
            return cls.reference(*us, *arguments)
        return _SeveralRule(arguments[cls.REDUCTION_AT], cls.ROWWISE, reference,
                            _compute_dtype(xs[0]), tuple(x.shape for x in xs))

    @staticmethod
    def setup_context(ctx, inputs, output):
        n = len(output) - 1
        ctx.save_for_backward(*inputs[:n], *output[1:])
        ctx.save_for_forward(*inputs[:n], *output[1:])
        ctx.arguments = inputs[n:]
        ctx.mark_non_differentiable(*output[1:])
        ctx.set_materialize_grads(False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A ``backward`` staticmethod bound to each loss's class (see _LossFunction)."""
        super().__init_subclass__(**kwargs)
        if "forward" in cls.__dict__:
            def backward(ctx, g_loss, *g_units, _cls=cls):
                return _SeveralLossFunction._backward(_cls, ctx, g_loss)

            backward.__doc__ = _SeveralLossFunction._backward.__doc__
            cls.backward = staticmethod(backward)

    @staticmethod
    def _backward(cls, ctx, g_loss):
        """Each saved unit gradient scaled by ``g_loss``; with grad mode on, through
        :class:`_SeveralScaled`, whose derivatives are torch's."""
        saved = ctx.saved_tensors
        n = cls.LEARNED
        xs, gus = saved[:n], saved[n:]
        nones = (None,) * len(ctx.arguments)
        if g_loss is None:
            return (None,) * n + nones
        rule = cls._rule(xs, ctx.arguments)
        if not torch.is_grad_enabled():
            grads = tuple(rule.scale(g_loss, gu, x.shape) if need else None
                          for x, gu, need in zip(xs, gus, ctx.needs_input_grad))
            return grads + nones
        grads = _SeveralScaled.apply(g_loss, rule, *xs, *gus)
        return tuple(grad if need else None for grad, need in zip(grads, ctx.needs_input_grad)) + nones

    @classmethod
    def vmap(cls, info, in_dims, *args):
        """torch.func.vmap: the kernel once per batch entry, the results stacked."""
        return _looped_vmap(cls.apply, info, in_dims, args)


class _SeveralForwardMode:
    """The forward-mode rule of the Functions of several learned inputs (apart, as
    _ForwardMode, for torch.compile)."""

    @classmethod
    def jvp(cls, ctx, *tangents):
        saved = ctx.saved_tensors
        n = cls.LEARNED
        xs, gus = saved[:n], saved[n:]
        rule = cls._rule(xs, ctx.arguments)
        total = rule.tangent(gus, tangents[:n])
        if total is None:
            total = rule.tangent(gus, (torch.zeros_like(xs[0]),) + (None,) * (n - 1))
        return (total,) + (None,) * n


def _several_op_result(loss: Any, grads: Any, xs: Tuple[_Tensor, ...], result: torch.dtype,
                       need_grad: bool) -> Tuple[_Tensor, ...]:
    """The op's outputs: the loss as a tensor of the result dtype, and one unit gradient per
    learned input (empty tensors when not needed), each in its input's dtype when that is a
    float dtype."""
    out = (_tensor(loss, result),)
    for x, grad in zip(xs, grads if need_grad else (None,) * len(xs)):
        dtype = x.dtype if x.is_floating_point() else result
        out += (x.new_empty((0,), dtype=dtype) if grad is None else _tensor(grad, dtype),)
    return out


def _several_fake(xs: Tuple[_Tensor, ...], loss_shape: Tuple[int, ...], grad_shapes: Tuple[Tuple[int, ...], ...],
                  result: torch.dtype, reduction: str, need_grad: bool) -> Tuple[_Tensor, ...]:
    """The fake (meta) outputs matching :func:`_several_op_result`; a 'none' unit gradient has
    its input's shape in ``grad_shapes`` (the broadcast shape, or the broadcast rows and the
    input's own last axis for a loss per row), the others their input's."""
    out = (xs[0].new_empty(loss_shape if reduction == "none" else (), dtype=result),)
    for x, grad_shape in zip(xs, grad_shapes):
        dtype = x.dtype if x.is_floating_point() else result
        grad_shape = (grad_shape if reduction == "none" else tuple(x.shape)) if need_grad else (0,)
        out += (x.new_empty(grad_shape, dtype=dtype),)
    return out


def _promoted_dtypes(*tensors: _Tensor) -> Tuple[torch.dtype, torch.dtype]:
    """(the loss's dtype, the compute dtype): torch's promotion, float32 for integers."""
    result = None
    for t in tensors:
        if t.is_floating_point():
            result = t.dtype if result is None else torch.promote_types(result, t.dtype)
    result = torch.float32 if result is None else result
    return result, (torch.float32 if result in _LOW_PRECISION else result)


@torch.library.custom_op("swiftloss::margin_ranking_loss", mutates_args=())
def _margin_ranking_loss_op(input1: torch.Tensor, input2: torch.Tensor, target: torch.Tensor, margin: float,
                            reduction: str, need_grad: bool) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, unit gradient of input1, of input2; empty tensors when not needed) of
    swiftloss.margin_ranking_loss. For 'none' the gradients have the broadcast shape (summed
    back in backward)."""
    result, compute = _promoted_dtypes(input1, input2, target)
    arrays = [_array(t, compute) for t in (input1, input2, target)]
    if need_grad and reduction == "none":
        shape = tuple(torch.broadcast_shapes(input1.shape, input2.shape, target.shape))
        arrays[:2] = [np.broadcast_to(a, shape) for a in arrays[:2]]
    out = _F.margin_ranking_loss(*arrays, margin=margin, reduction=reduction, with_grad=need_grad)
    loss, grads = out if need_grad else (out, None)
    return _several_op_result(loss, grads, (input1, input2), result, need_grad)


@_margin_ranking_loss_op.register_fake
def _(input1, input2, target, margin, reduction, need_grad):
    shape = tuple(torch.broadcast_shapes(input1.shape, input2.shape, target.shape))
    return _several_fake((input1, input2), shape, (shape, shape), _promoted_dtypes(input1, input2, target)[0],
                         reduction, need_grad)


torch.library.register_vmap(
    _margin_ranking_loss_op,
    lambda info, in_dims, *args: _looped_vmap(_margin_ranking_loss_op, info, in_dims, args))


class _MarginRankingLoss(_SeveralLossFunction):
    """The Function of :class:`MarginRankingLossFunction` without forward mode (for torch.compile)."""

    LEARNED = 2
    REDUCTION_AT = 2

    @staticmethod
    def forward(input1, input2, target, margin, reduction):
        """(loss, unit gradient of input1, of input2) from swiftloss_margin_ranking_loss."""
        return _margin_ranking_loss_op(input1, input2, target, margin, reduction, True)

    @staticmethod
    def reference(x1, x2, target, margin, reduction):
        """torch.nn.functional.margin_ranking_loss (second derivatives)."""
        return _TF.margin_ranking_loss(x1, x2, target.to(x1.dtype), margin=margin, reduction=reduction)


class MarginRankingLossFunction(_SeveralForwardMode, _MarginRankingLoss):
    """``MarginRankingLossFunction.apply(input1, input2, target, margin, reduction)``:
    :func:`swiftloss.margin_ranking_loss` as an autograd Function, returning ``(loss,
    unit_grad1, unit_grad2)``. Piecewise linear: every higher derivative is zero."""


@torch.library.custom_op("swiftloss::gaussian_nll_loss", mutates_args=())
def _gaussian_nll_loss_op(input: torch.Tensor, target: torch.Tensor, var: torch.Tensor, full: bool, eps: float,
                          reduction: str, need_grad: bool) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, unit gradient of input, of var; empty tensors when not needed) of
    swiftloss.gaussian_nll_loss, var already of the shape it takes part in the loss with (the
    caller unsqueezes it). var's sign is checked here, on its values (so under torch.compile
    and vmap too). For 'none' the gradients have the broadcast shape (summed back in
    backward)."""
    result, compute = _promoted_dtypes(input, target, var)
    if var.dtype in _LOW_PRECISION:  # torch's clamp_ rounds eps to var's dtype
        eps = torch.tensor(eps, dtype=var.dtype).item()
    arrays = [_array(t, compute) for t in (input, target, var)]
    if need_grad and reduction == "none":
        shape = tuple(torch.broadcast_shapes(input.shape, target.shape, var.shape))
        arrays[0], arrays[2] = np.broadcast_to(arrays[0], shape), np.broadcast_to(arrays[2], shape)
    out = _F.gaussian_nll_loss(*arrays, full=full, eps=eps, reduction=reduction, with_grad=need_grad)
    loss, grads = out if need_grad else (out, None)
    return _several_op_result(loss, grads, (input, var), result, need_grad)


@_gaussian_nll_loss_op.register_fake
def _(input, target, var, full, eps, reduction, need_grad):
    shape = tuple(torch.broadcast_shapes(input.shape, target.shape, var.shape))
    return _several_fake((input, var), shape, (shape, shape), _promoted_dtypes(input, target, var)[0], reduction,
                         need_grad)


torch.library.register_vmap(
    _gaussian_nll_loss_op,
    lambda info, in_dims, *args: _looped_vmap(_gaussian_nll_loss_op, info, in_dims, args))


def _gaussian_nll_loss_learned_first(input, var, target, full, eps, reduction, need_grad):
    """The op with its learned arguments first, as _apply_several calls it."""
    return _gaussian_nll_loss_op(input, target, var, full, eps, reduction, need_grad)


class _GaussianNLLLoss(_SeveralLossFunction):
    """The Function of :class:`GaussianNLLLossFunction` without forward mode (for torch.compile)."""

    LEARNED = 2
    REDUCTION_AT = 3

    @staticmethod
    def forward(input, var, target, full, eps, reduction):
        """(loss, unit gradient of input, of var) from swiftloss_gaussian_nll_loss."""
        return _gaussian_nll_loss_op(input, target, var, full, eps, reduction, True)

    @staticmethod
    def reference(x, v, target, full, eps, reduction):
        """torch.nn.functional.gaussian_nll_loss (second derivatives)."""
        return _TF.gaussian_nll_loss(x, target, v, full=full, eps=eps, reduction=reduction)


class GaussianNLLLossFunction(_SeveralForwardMode, _GaussianNLLLoss):
    """``GaussianNLLLossFunction.apply(input, var, target, full, eps, reduction)`` (the learned
    arguments first; var of the input's number of dimensions): :func:`swiftloss.gaussian_nll_loss`
    as an autograd Function, returning ``(loss, unit_grad_input, unit_grad_var)``. Second and
    higher derivatives are torch's, from its own formula."""



def _row_shapes(xs: Tuple[_Tensor, ...], loss_shape: Tuple[int, ...]) -> Tuple[Tuple[int, ...], ...]:
    """The 'none' unit gradients' shapes of a loss per row: the loss's (broadcast) rows and each
    input's own last axis (an input broadcast over the rows is expanded; its last axis is not:
    the distances and norms are taken over each input's own)."""
    return tuple(tuple(loss_shape) + tuple(x.shape[-1:]) for x in xs)


def _rows_arrays(xs: Tuple[_Tensor, ...], compute: torch.dtype, loss_shape: Tuple[int, ...], reduction: str,
                 need_grad: bool) -> list:
    """The learned inputs as arrays, expanded over the loss's rows for 'none' unit gradients."""
    arrays = [_array(x, compute) for x in xs]
    if need_grad and reduction == "none":
        arrays = [np.broadcast_to(a, shape) for a, shape in zip(arrays, _row_shapes(xs, loss_shape))]
    return arrays


def _cosine_shape(input1: _Tensor, input2: _Tensor, target: _Tensor) -> Tuple[int, ...]:
    rows = tuple(torch.broadcast_shapes(input1.shape, input2.shape))[:-1]
    return tuple(torch.broadcast_shapes(target.shape, rows))


@torch.library.custom_op("swiftloss::cosine_embedding_loss", mutates_args=())
def _cosine_embedding_loss_op(input1: torch.Tensor, input2: torch.Tensor, target: torch.Tensor, margin: float,
                              reduction: str, need_grad: bool) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, unit gradient of input1, of input2; empty tensors when not needed) of
    swiftloss.cosine_embedding_loss. For 'none' the gradients have the loss's rows and each
    input's last axis (summed back in backward)."""
    result, compute = _promoted_dtypes(input1, input2)
    xs = (input1, input2)
    arrays = _rows_arrays(xs, compute, _cosine_shape(input1, input2, target), reduction, need_grad)
    out = _F.cosine_embedding_loss(*arrays, _array(target), margin=margin, reduction=reduction, with_grad=need_grad)
    loss, grads = out if need_grad else (out, None)
    return _several_op_result(loss, grads, xs, result, need_grad)


@_cosine_embedding_loss_op.register_fake
def _(input1, input2, target, margin, reduction, need_grad):
    shape = _cosine_shape(input1, input2, target)
    return _several_fake((input1, input2), shape, _row_shapes((input1, input2), shape),
                         _promoted_dtypes(input1, input2)[0], reduction, need_grad)


def _triplet_shape(anchor: _Tensor, positive: _Tensor, negative: _Tensor, swap: bool) -> Tuple[int, ...]:
    rows = [tuple(torch.broadcast_shapes(x.shape, y.shape))[:-1]
            for x, y in ((anchor, positive), (anchor, negative)) + (((positive, negative),) if swap else ())]
    return tuple(torch.broadcast_shapes(*rows))


@torch.library.custom_op("swiftloss::triplet_margin_loss", mutates_args=())
def _triplet_margin_loss_op(anchor: torch.Tensor, positive: torch.Tensor, negative: torch.Tensor, margin: float,
                            p: float, eps: float, swap: bool, reduction: str,
                            need_grad: bool) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(loss, unit gradients of anchor, positive, negative; empty tensors when not needed) of
    swiftloss.triplet_margin_loss. For 'none' the gradients have the loss's rows and each
    input's last axis (summed back in backward)."""
    result, compute = _promoted_dtypes(anchor, positive, negative)
    xs = (anchor, positive, negative)
    arrays = _rows_arrays(xs, compute, _triplet_shape(anchor, positive, negative, swap), reduction, need_grad)
    out = _F.triplet_margin_loss(*arrays, margin=margin, p=p, eps=eps, swap=swap, reduction=reduction,
                                 with_grad=need_grad)
    loss, grads = out if need_grad else (out, None)
    return _several_op_result(loss, grads, xs, result, need_grad)


@_triplet_margin_loss_op.register_fake
def _(anchor, positive, negative, margin, p, eps, swap, reduction, need_grad):
    xs = (anchor, positive, negative)
    shape = _triplet_shape(anchor, positive, negative, swap)
    return _several_fake(xs, shape, _row_shapes(xs, shape), _promoted_dtypes(*xs)[0], reduction, need_grad)


for _op in (_cosine_embedding_loss_op, _triplet_margin_loss_op):
    torch.library.register_vmap(_op, lambda info, in_dims, *args, _op=_op: _looped_vmap(_op, info, in_dims, args))
del _op


class _CosineEmbeddingLoss(_SeveralLossFunction):
    """The Function of :class:`CosineEmbeddingLossFunction` without forward mode (for torch.compile)."""

    LEARNED = 2
    REDUCTION_AT = 2
    ROWWISE = True

    @staticmethod
    def forward(input1, input2, target, margin, reduction):
        """(loss, unit gradient of input1, of input2) from swiftloss_cosine_embedding_loss."""
        return _cosine_embedding_loss_op(input1, input2, target, margin, reduction, True)

    @staticmethod
    def reference(x1, x2, target, margin, reduction):
        """torch.nn.functional.cosine_embedding_loss (second derivatives)."""
        return _TF.cosine_embedding_loss(x1, x2, target, margin=margin, reduction=reduction)


class CosineEmbeddingLossFunction(_SeveralForwardMode, _CosineEmbeddingLoss):
    """``CosineEmbeddingLossFunction.apply(input1, input2, target, margin, reduction)``:
    :func:`swiftloss.cosine_embedding_loss` as an autograd Function, returning ``(loss,
    unit_grad1, unit_grad2)`` (for 'none', per row: the rows and each input's last axis).
    Second derivatives are torch's formula's."""


class _TripletMarginLoss(_SeveralLossFunction):
    """The Function of :class:`TripletMarginLossFunction` without forward mode (for torch.compile)."""

    LEARNED = 3
    REDUCTION_AT = 4
    ROWWISE = True

    @staticmethod
    def forward(anchor, positive, negative, margin, p, eps, swap, reduction):
        """(loss, unit gradients of anchor, positive, negative) from swiftloss_triplet_margin_loss."""
        return _triplet_margin_loss_op(anchor, positive, negative, margin, p, eps, swap, reduction, True)

    @staticmethod
    def reference(a, positive, negative, margin, p, eps, swap, reduction):
        """torch.nn.functional.triplet_margin_loss (second derivatives)."""
        return _TF.triplet_margin_loss(a, positive, negative, margin=margin, p=p, eps=eps, swap=swap,
                                       reduction=reduction)


class TripletMarginLossFunction(_SeveralForwardMode, _TripletMarginLoss):
    """``TripletMarginLossFunction.apply(anchor, positive, negative, margin, p, eps, swap,
    reduction)``: :func:`swiftloss.triplet_margin_loss` as an autograd Function, returning
    ``(loss, unit_grad_anchor, unit_grad_positive, unit_grad_negative)`` (for 'none', per row).
    Second derivatives are torch's formula's."""


def _apply_several(function: type, compilable: type, op: Callable, learned: Tuple[_Tensor, ...],
                   *arguments: Any) -> _Tensor:
    """:func:`_apply` for a loss of several learned inputs."""
    if any(_wants_graph(x) for x in learned):
        if torch.compiler.is_compiling():
            function = compilable
        return function.apply(*learned, *arguments)[0]
    return op(*learned, *arguments, False)[0]


def _apply(function: type, compilable: type, op: Callable, input: _Tensor, *arguments: Any) -> _Tensor:
    """The loss: through the autograd Function when a gradient may be wanted (``compilable``,
    the same Function without forward mode, while torch.compile traces), else the op alone."""
    if _wants_graph(input):
        if torch.compiler.is_compiling():
            function = compilable
        return function.apply(input, *arguments)[0]
    return op(input, *arguments, False)[0]


# ------------------------------------------------------------------------------------------
# torch.nn.functional drop-ins
# ------------------------------------------------------------------------------------------

def cross_entropy(
    input: _Tensor,
    target: _Tensor,
    weight: Optional[_Tensor] = None,
    size_average: Optional[bool] = None,
    ignore_index: int = -100,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    *,
    z_loss: float = 0.0,
    softcap: Optional[float] = None,
    return_z_loss: bool = False,
) -> Any:
    r"""``torch.nn.functional.cross_entropy`` computed by swiftloss, differentiable in ``input``
    to any order.

    Beyond torch, keyword only: ``z_loss`` (PaLM's z-loss, ``z_loss * logsumexp**2`` per counted
    sample), ``softcap`` (Gemma 2's ``softcap * tanh(logits / softcap)`` before everything) and
    ``return_z_loss`` (then ``(loss, z)``, ``z`` the z term alone for logging, not
    differentiable); see :func:`swiftloss.cross_entropy`. With them the gradient is
    swiftloss's one-pass kernel's and second derivatives come from torch's composite; there
    is no forward-mode rule (``torch.func.jvp`` / ``jacfwd`` raise).

    :math:`\ell = (1 - \varepsilon)\,\mathrm{NLL}(\log\mathrm{softmax}(x), y) + (\varepsilon/C)
    \sum_c -w_c \log\mathrm{softmax}(x)_c`; class-index targets (shape ``(N,)``, ``(N, d1..dk)``
    or 0-d for an unbatched ``(C,)`` input) or probability targets of the input's shape. Same
    arguments, defaults and numbers as torch's; see :func:`swiftloss.cross_entropy` for the
    semantics (``'mean'`` divides by the summed weights of the counted targets; every target
    ignored gives NaN). The gradient comes from the fused kernel, computed in the forward pass
    when ``input`` requires grad.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> x = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], requires_grad=True)
        >>> sl.cross_entropy(x, torch.tensor([2, 3]), label_smoothing=0.1)
        tensor(1.3669, grad_fn=<CrossEntropyFunctionBackward>)
    """
    op = "cross_entropy_loss"
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    _check_optional_tensor(weight, "weight", 3, op)
    _check_int(ignore_index, "ignore_index", 5, op)
    _check_float(label_smoothing, "label_smoothing", 6, op)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target, weight = _autocast(input, target, weight)
    _no_grad_needed(target, "target", "cross_entropy")
    _no_grad_needed(weight, "weight", "cross_entropy")
    if z_loss != 0.0 or softcap is not None or return_z_loss:
        z_loss, softcap = _F._regularization(z_loss, softcap, "cross_entropy")
        arguments = (target, weight, int(ignore_index), reduction, float(label_smoothing), z_loss, softcap or 0.0)
        if _wants_graph(input):
            loss, _, z = _RegularizedCrossEntropy.apply(input, *arguments)
        else:
            loss, _, z = _cross_entropy_ex_op(input, *arguments, False)
        return (loss, z) if return_z_loss else loss
    return _apply(CrossEntropyFunction, _CrossEntropy, _cross_entropy_op, input, target, weight, int(ignore_index), reduction, float(label_smoothing))


def nll_loss(
    input: _Tensor,
    target: _Tensor,
    weight: Optional[_Tensor] = None,
    size_average: Optional[bool] = None,
    ignore_index: int = -100,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.nll_loss`` computed by swiftloss, differentiable in ``input``.

    :math:`\ell_n = -w_{y_n} x_{n, y_n}` on log-probabilities (not checked: given
    probabilities it returns :math:`-w_y p_y`, negative, as torch does). See
    :func:`swiftloss.nll_loss`.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.nll_loss(torch.log_softmax(torch.tensor([[0.1, 0.2, 0.3, 0.4]]), 1), torch.tensor([2]))
        tensor(1.3425)
    """
    op = "nll_loss_nd"
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    _check_optional_tensor(weight, "weight", 3, op)
    _check_int(ignore_index, "ignore_index", 5, op)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, weight = _autocast(input, weight)
    _no_grad_needed(weight, "weight", "nll_loss")
    return _apply(NLLLossFunction, _NLLLoss, _nll_loss_op, input, target, weight, int(ignore_index), reduction)


def binary_cross_entropy(
    input: _Tensor,
    target: _Tensor,
    weight: Optional[_Tensor] = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.binary_cross_entropy`` computed by swiftloss, differentiable in
    ``input`` to any order: :math:`-w [t \max(\log x, -100) + (1 - t) \max(\log(1 - x), -100)]`
    on probabilities in [0, 1] (values outside raise ``ValueError``, torch: RuntimeError). See
    :func:`swiftloss.binary_cross_entropy`.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.binary_cross_entropy(torch.tensor([0.8, 0.3]), torch.tensor([1.0, 0.0]))
        tensor(0.2899)
    """
    op = "binary_cross_entropy"
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    _check_optional_tensor(weight, "weight", 3, op)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target, weight = _autocast(input, target, weight)
    _no_grad_needed(target, "target", "binary_cross_entropy")
    _no_grad_needed(weight, "weight", "binary_cross_entropy")
    return _apply(BCEFunction, _BCE, _bce_op, input, target, weight, reduction)


def binary_cross_entropy_with_logits(
    input: _Tensor,
    target: _Tensor,
    weight: Optional[_Tensor] = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    pos_weight: Optional[_Tensor] = None,
) -> _Tensor:
    r"""``torch.nn.functional.binary_cross_entropy_with_logits`` computed by swiftloss,
    differentiable in ``input`` to any order: :math:`w [p_w t\, \mathrm{softplus}(-x) + (1 -
    t)\, \mathrm{softplus}(x)]`, stable for any ``|x|``. See
    :func:`swiftloss.binary_cross_entropy_with_logits`.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.binary_cross_entropy_with_logits(torch.tensor([2.0, -1.0]), torch.tensor([1.0, 0.0]))
        tensor(0.2201)
    """
    op = "binary_cross_entropy_with_logits"
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    _check_optional_tensor(weight, "weight", 3, op)
    _check_optional_tensor(pos_weight, "pos_weight", 4, op)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    input, target, weight, pos_weight = _autocast(input, target, weight, pos_weight)
    name = "binary_cross_entropy_with_logits"
    _no_grad_needed(target, "target", name)
    _no_grad_needed(weight, "weight", name)
    _no_grad_needed(pos_weight, "pos_weight", name)
    return _apply(BCEWithLogitsFunction, _BCEWithLogits, _bce_with_logits_op, input, target, weight, pos_weight, reduction)


def kl_div(
    input: _Tensor,
    target: _Tensor,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> _Tensor:
    r"""``torch.nn.functional.kl_div`` computed by swiftloss, differentiable in ``input``
    (:math:`\log q`): :math:`t \log t - t x`, or :math:`e^t (t - x)` with ``log_target=True``.
    ``'batchmean'`` is the mathematical KL divergence; ``'mean'`` divides by the element count
    and warns, as torch. See :func:`swiftloss.kl_div`.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> q = torch.log(torch.tensor([[0.25, 0.75]]))
        >>> sl.kl_div(q, torch.tensor([[0.5, 0.5]]), reduction="batchmean")
        tensor(0.1438)
    """
    op = "kl_div"
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    _check_bool(log_target, "log_target", op)
    if size_average is not None or reduce is not None:
        reduction = _F._legacy_get_string(size_average, reduce, stacklevel=3)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    _check_reduction(reduction, allow_batchmean=True)
    input, target = _autocast(input, target)
    _no_grad_needed(target, "target", "kl_div")
    return _apply(KLDivFunction, _KLDiv, _kl_div_op, input, target, reduction, bool(log_target))


def _regression_checks(op: str, input: Any, target: Any, weight: Any = None, stacklevel: int = 3) -> None:
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    _check_optional_tensor(weight, "weight", 6 if op != "huber_loss" else 5, op)
    if target.shape != input.shape:
        warnings.warn(_F._target_size_message(tuple(input.shape), tuple(target.shape)), stacklevel=stacklevel)


def _regression_reduction(reduction: Any, weighted: bool) -> str:
    """The reduction, checked as the numpy-level functions check it (before any op runs)."""
    _F._regression_reduction(reduction, weighted)
    return reduction


def _weighted_regression(op: str, function: type, compilable: type, kernel: Callable, input: Any, target: Any,
                         weight: Any, reduction: Any) -> _Tensor:
    """mse_loss and l1_loss: the checks, autocast, the refusals, the Function."""
    _regression_checks(op, input, target, weight, stacklevel=4)
    reduction = _regression_reduction(reduction, weight is not None)
    input, target, weight = _autocast(input, target, weight)
    _no_grad_needed(target, "target", op)
    _no_grad_needed(weight, "weight", op)
    return _apply(function, compilable, kernel, input, target, weight, reduction)


def mse_loss(
    input: _Tensor,
    target: _Tensor,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    weight: Optional[_Tensor] = None,
) -> _Tensor:
    r"""``torch.nn.functional.mse_loss`` computed by swiftloss, differentiable in ``input`` to
    any order: :math:`w (x - y)^2` (see :func:`swiftloss.mse_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.mse_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0, 5.0]))
        tensor(1.4167)
    """
    reduction = _legacy(size_average, reduce, reduction)
    return _weighted_regression("mse_loss", MSELossFunction, _MSELoss, _mse_loss_op, input, target, weight, reduction)


def l1_loss(
    input: _Tensor,
    target: _Tensor,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    weight: Optional[_Tensor] = None,
) -> _Tensor:
    r"""``torch.nn.functional.l1_loss`` computed by swiftloss, differentiable in ``input``:
    :math:`w |x - y|` (see :func:`swiftloss.l1_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.l1_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0, 5.0]))
        tensor(0.8333)
    """
    reduction = _legacy(size_average, reduce, reduction)
    return _weighted_regression("l1_loss", L1LossFunction, _L1Loss, _l1_loss_op, input, target, weight, reduction)


def smooth_l1_loss(
    input: _Tensor,
    target: _Tensor,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> _Tensor:
    r"""``torch.nn.functional.smooth_l1_loss`` computed by swiftloss, differentiable in
    ``input`` to any order (see :func:`swiftloss.smooth_l1_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.smooth_l1_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0, 5.0]))
        tensor(0.5417)
    """
    _regression_checks("smooth_l1_loss", input, target)
    _check_float(beta, "beta", 6, "smooth_l1_loss")
    reduction = _regression_reduction(_legacy(size_average, reduce, reduction), False)
    if beta < 0:
        raise ValueError("smooth_l1_loss does not support negative values for beta.")
    input, target = _autocast(input, target)
    _no_grad_needed(target, "target", "smooth_l1_loss")
    return _apply(SmoothL1LossFunction, _SmoothL1Loss, _smooth_l1_loss_op, input, target, reduction, float(beta))


def huber_loss(
    input: _Tensor,
    target: _Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Optional[_Tensor] = None,
) -> _Tensor:
    r"""``torch.nn.functional.huber_loss`` computed by swiftloss, differentiable in ``input``
    to any order (see :func:`swiftloss.huber_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.huber_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([1.5, 2.0, 5.0]))
        tensor(0.5417)
    """
    _regression_checks("huber_loss", input, target, weight)
    _check_float(delta, "delta", 4, "huber_loss")
    reduction = _regression_reduction(reduction, weight is not None)
    if not delta > 0:
        raise ValueError("huber_loss does not support non-positive values for delta.")
    input, target, weight = _autocast(input, target, weight)
    _no_grad_needed(target, "target", "huber_loss")
    _no_grad_needed(weight, "weight", "huber_loss")
    return _apply(HuberLossFunction, _HuberLoss, _huber_loss_op, input, target, weight, reduction, float(delta))


def soft_margin_loss(
    input: _Tensor,
    target: _Tensor,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.soft_margin_loss`` computed by swiftloss, differentiable in
    ``input`` to any order: :math:`\log(1 + e^{-y x})`, finite where torch's overflows to inf
    (see :func:`swiftloss.soft_margin_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.soft_margin_loss(torch.tensor([2.0, -1.0]), torch.tensor([1.0, 1.0]))
        tensor(0.7567)
    """
    op = "soft_margin_loss"
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    reduction = _regression_reduction(_legacy(size_average, reduce, reduction), False)
    shape = torch.broadcast_shapes(input.shape, target.shape)
    if tuple(shape) != tuple(input.shape):
        raise ValueError(f"output with shape {list(input.shape)} doesn't match the broadcast shape {list(shape)}")
    input, target = _autocast(input, target)
    _no_grad_needed(target, "target", op)
    return _apply(SoftMarginLossFunction, _SoftMarginLoss, _soft_margin_loss_op, input, target, reduction)


def hinge_embedding_loss(
    input: _Tensor,
    target: _Tensor,
    margin: float = 1.0,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.hinge_embedding_loss`` computed by swiftloss, differentiable in
    ``input`` (see :func:`swiftloss.hinge_embedding_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.hinge_embedding_loss(torch.tensor([0.25, 2.0]), torch.tensor([-1.0, 1.0]))
        tensor(1.3750)
    """
    op = "hinge_embedding_loss"
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    _check_float(margin, "margin", 3, op)
    reduction = _regression_reduction(_legacy(size_average, reduce, reduction), False)
    input, target = _autocast(input, target)
    _no_grad_needed(target, "target", op)
    return _apply(HingeEmbeddingLossFunction, _HingeEmbeddingLoss, _hinge_embedding_loss_op, input, target,
                  float(margin), reduction)


def poisson_nll_loss(
    input: _Tensor,
    target: _Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: Optional[bool] = None,
    eps: float = 1e-8,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.poisson_nll_loss`` computed by swiftloss, differentiable in
    ``input`` to any order (see :func:`swiftloss.poisson_nll_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.poisson_nll_loss(torch.tensor([0.5, 1.0]), torch.tensor([1.0, 2.0]))
        tensor(0.6487)
    """
    op = "poisson_nll_loss"
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    reduction = _F._poisson_reduction(size_average, reduce, reduction)
    if not input.is_floating_point() and not input.is_complex():
        input = input.to(torch.float32)  # torch.exp promotes an integer input to float32
    input, target = _autocast(input, target)
    _no_grad_needed(target, "target", op)
    return _apply(PoissonNLLLossFunction, _PoissonNLLLoss, _poisson_nll_loss_op, input, target, bool(log_input),
                  bool(full), float(eps), reduction)


def multilabel_soft_margin_loss(
    input: _Tensor,
    target: _Tensor,
    weight: Optional[_Tensor] = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.multilabel_soft_margin_loss`` computed by swiftloss,
    differentiable in ``input`` to any order (see :func:`swiftloss.multilabel_soft_margin_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.multilabel_soft_margin_loss(torch.tensor([[0.5, -1.0, 2.0]]), torch.tensor([[1.0, 0.0, 1.0]]))
        tensor(0.3048)
    """
    op = "multilabel_soft_margin_loss"
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    _check_optional_tensor(weight, "weight", 3, op)
    reduction = _legacy(size_average, reduce, reduction)
    if input.dim() == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    _F._not_valid_reduction(reduction)
    input, target, weight = _autocast(input, target, weight)
    _no_grad_needed(target, "target", op)
    _no_grad_needed(weight, "weight", op)
    return _apply(MultiLabelSoftMarginLossFunction, _MultiLabelSoftMarginLoss, _multilabel_soft_margin_loss_op,
                  input, target, weight, reduction)


def margin_ranking_loss(
    input1: _Tensor,
    input2: _Tensor,
    target: _Tensor,
    margin: float = 0,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.margin_ranking_loss`` computed by swiftloss, differentiable in
    ``input1`` and ``input2`` to any order: :math:`\max(-y (x_1 - x_2) + \mathrm{margin}, 0)`
    (see :func:`swiftloss.margin_ranking_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.margin_ranking_loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2.0, 2.0, 2.0]),
        ...                        torch.tensor([1.0, -1.0, 1.0]), margin=1.0)
        tensor(1.)
    """
    op = "margin_ranking_loss"
    _check_tensor(input1, "input1", 1, op)
    _check_tensor(input2, "input2", 2, op)
    _check_tensor(target, "target", 3, op)
    _check_float(margin, "margin", 4, op)
    reduction = _regression_reduction(_legacy(size_average, reduce, reduction), False)
    _F._check_margin_ranking_shapes(tuple(input1.shape), tuple(input2.shape), tuple(target.shape), target.dtype == torch.bool)
    input1, input2, target = _autocast(input1, input2, target)
    _no_grad_needed(target, "target", op)
    return _apply_several(MarginRankingLossFunction, _MarginRankingLoss, _margin_ranking_loss_op, (input1, input2),
                          target, float(margin), reduction)


def multi_margin_loss(
    input: _Tensor,
    target: _Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Optional[_Tensor] = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.multi_margin_loss`` computed by swiftloss, differentiable in
    ``input`` to any order (torch's own has no second derivative and no forward mode; here they
    come from a torch composite of the same loss). See :func:`swiftloss.multi_margin_loss`: an
    empty batch gives a NaN ``'mean'`` and a 0 ``'sum'`` where torch returns uninitialised
    memory.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.multi_margin_loss(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([3]))
        tensor(0.3250)
    """
    op = "multi_margin_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    _check_optional_tensor(weight, "weight", 5, op)
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    margin = _F._margin_number(margin, "margin", 4, op)
    input, weight = _autocast(input, weight)
    _margin_dtype(input, "multi_margin_loss_cpu_kernel")
    _no_grad_needed(weight, "weight", op)
    return _apply(MultiMarginLossFunction, _MultiMarginLoss, _multi_margin_loss_op, input, target,
                  1 if p == 1 else 2, margin, weight, reduction)


def multilabel_margin_loss(
    input: _Tensor,
    target: _Tensor,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.multilabel_margin_loss`` computed by swiftloss, differentiable in
    ``input`` to any order (torch's own has no second derivative and no forward mode). See
    :func:`swiftloss.multilabel_margin_loss`: an empty batch gives a NaN ``'mean'`` and a 0
    ``'sum'`` where torch returns uninitialised memory.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.multilabel_margin_loss(torch.tensor([[0.1, 0.2, 0.4, 0.8]]), torch.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    op = "multilabel_margin_loss"
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    (input,) = _autocast(input)
    _margin_dtype(input, "multilabel_margin_loss_forward_out_frame")
    return _apply(MultiLabelMarginLossFunction, _MultiLabelMarginLoss, _multilabel_margin_loss_op, input, target,
                  reduction)


# torch's dtypes by name (a dict lookup, which torch.compile traces).
_DTYPE_NAMES = {getattr(torch, name): name for name in (
    "float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "bool", "complex64", "complex128")}


def gaussian_nll_loss(
    input: _Tensor,
    target: _Tensor,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.gaussian_nll_loss`` computed by swiftloss, differentiable in
    ``input`` and ``var`` to any order: :math:`\tfrac12 (\log v + (x - y)^2 / v)` with
    :math:`v = \max(\mathrm{var}, \varepsilon)` (see :func:`swiftloss.gaussian_nll_loss`). A
    Python-float ``var`` is a constant; ``var``'s gradient passes through the clamp, as torch's.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.gaussian_nll_loss(torch.tensor([1.0, 2.0]), torch.tensor([1.5, 2.0]), torch.tensor([1.0, 0.5]))
        tensor(-0.1108)
    """
    op = "gaussian_nll_loss"
    _check_tensor(input, "input", 1, op)
    _check_tensor(target, "target", 2, op)
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * torch.ones_like(input)  # a constant: no gradient
    elif not isinstance(var, torch.Tensor):
        _F._refuse_number_var(var)
    else:
        _check_tensor(var, "var", 3, op)
        # torch's order of checks, where the values can be read; the op checks them in any case
        # (under torch.compile and torch.func too, where a branch on them cannot be taken here).
        if (not torch.compiler.is_compiling() and not torch._C._functorch.is_functorch_wrapped_tensor(var)
                and not var.is_complex() and torch.any(var.detach() < 0)):
            raise ValueError("var has negative entry/entries")
    shape = _F._gaussian_var_shape(tuple(var.shape), tuple(input.shape))
    if tuple(var.shape) != shape:
        var = var.unsqueeze(-1)
    _F._not_valid_reduction(reduction)
    eps = _F._gaussian_eps(eps, _DTYPE_NAMES.get(var.dtype, ""))
    _F._check_gaussian_subtraction(input.dtype == torch.bool, target.dtype == torch.bool)
    input, target, var = _autocast(input, target, var)
    _no_grad_needed(target, "target", op)
    return _apply_several(GaussianNLLLossFunction, _GaussianNLLLoss, _gaussian_nll_loss_learned_first, (input, var),
                          target, bool(full), eps, reduction)


def cosine_embedding_loss(
    input1: _Tensor,
    input2: _Tensor,
    target: _Tensor,
    margin: float = 0,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.cosine_embedding_loss`` computed by swiftloss, differentiable in
    ``input1`` and ``input2`` to any order: per row :math:`1 - \cos` (target 1) or
    :math:`\max(\cos - \mathrm{margin}, 0)` (target -1) (see
    :func:`swiftloss.cosine_embedding_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.cosine_embedding_loss(torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 1.0]]), torch.tensor([1.0]))
        tensor(1.)
    """
    op = "cosine_embedding_loss"
    _check_tensor(input1, "input1", 1, op)
    _check_tensor(input2, "input2", 2, op)
    _check_tensor(target, "target", 3, op)
    reduction = _regression_reduction(_legacy(size_average, reduce, reduction), False)
    _check_float(margin, "margin", 4, op)
    _F._check_cosine_shapes(tuple(input1.shape), tuple(input2.shape), tuple(target.shape))
    input1, input2, target = _autocast(input1, input2, target)
    _no_grad_needed(target, "target", op)
    return _apply_several(CosineEmbeddingLossFunction, _CosineEmbeddingLoss, _cosine_embedding_loss_op,
                          (input1, input2), target, float(margin), reduction)


def _triplet_checks(op: str, anchor: Any, positive: Any, negative: Any, p: float, swap: bool) -> None:
    """The tensors' checks of the triplet losses (as the numpy-level function's)."""
    for position, (x, name) in enumerate(zip((anchor, positive, negative), _F._TRIPLET_NAMES), 1):
        _check_tensor(x, name, position, op)
    xs = (anchor, positive, negative)
    _F._check_triplet_shapes(tuple(tuple(x.shape) for x in xs), tuple(x.dtype == torch.bool for x in xs), p, swap)


def triplet_margin_loss(
    anchor: _Tensor,
    positive: _Tensor,
    negative: _Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.triplet_margin_loss`` computed by swiftloss, differentiable in
    ``anchor``, ``positive`` and ``negative`` to any order: per row
    :math:`\max(\mathrm{margin} + d(a, p) - d(a, n), 0)`, :math:`d(x, y) = \lVert x - y +
    \mathrm{eps} \rVert_p` (see :func:`swiftloss.triplet_margin_loss`).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.triplet_margin_loss(torch.zeros(1, 2), torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 2.0]]),
        ...                        margin=1.5, eps=0.0)
        tensor(0.5000)
    """
    op = "triplet_margin_loss"
    for position, (x, name) in enumerate(zip((anchor, positive, negative), _F._TRIPLET_NAMES), 1):
        _check_tensor(x, name, position, op)
    reduction = _regression_reduction(_legacy(size_average, reduce, reduction), False)
    _F._check_triplet_margin(margin)
    _check_float(margin, "margin", 4, op)
    _check_float(p, "p", 5, op)
    _check_float(eps, "eps", 6, op)
    _F._check_swap(swap, op)
    _triplet_checks(op, anchor, positive, negative, float(p), bool(swap))
    anchor, positive, negative = _autocast(anchor, positive, negative)
    return _apply_several(TripletMarginLossFunction, _TripletMarginLoss, _triplet_margin_loss_op,
                          (anchor, positive, negative), float(margin), float(p), float(eps), bool(swap), reduction)


def _default_distance(function: Any) -> bool:
    """Whether a distance function is torch's default pairwise distance (p = 2, eps = 1e-6),
    which swiftloss's kernel computes: None, torch.pairwise_distance, or a default
    torch.nn.PairwiseDistance module (the default of torch.nn.TripletMarginWithDistanceLoss)."""
    if function is None or function is torch.pairwise_distance or function is _TF.pairwise_distance:
        return True
    return (type(function) is torch.nn.PairwiseDistance and function.norm == 2 and function.eps == 1e-6
            and not function.keepdim)


def triplet_margin_with_distance_loss(
    anchor: _Tensor,
    positive: _Tensor,
    negative: _Tensor,
    *,
    distance_function: Optional[Callable[[_Tensor, _Tensor], _Tensor]] = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.triplet_margin_with_distance_loss``: with the default distance
    (None, ``torch.pairwise_distance`` or a default ``torch.nn.PairwiseDistance()``) computed by
    swiftloss as :func:`triplet_margin_loss` with ``p=2, eps=1e-6`` (torch's result bit for bit
    there too), differentiable in the three inputs to any order; with another
    ``distance_function``, computed with torch ops (the function's own, ``torch.minimum`` and
    ``torch.clamp_min``), which autograd follows: :math:`\max(\mathrm{margin} + d(a, p) -
    d_{neg}, 0)`.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> a, p, n = torch.zeros(1, 2), torch.tensor([[1.0, 0.0]]), torch.tensor([[0.0, 2.0]])
        >>> sl.triplet_margin_with_distance_loss(a, p, n, distance_function=lambda x, y: (x - y).abs().sum(-1),
        ...                                      margin=1.5)
        tensor(0.5000)
    """
    op = "triplet_margin_with_distance_loss"
    for position, (x, name) in enumerate(zip((anchor, positive, negative), _F._TRIPLET_NAMES), 1):
        _check_tensor(x, name, position, op)
    _F._distance_reduction(reduction)
    _F._check_triplet_margin(margin)
    if not anchor.dim() == positive.dim() == negative.dim():
        raise ValueError(_F._TRIPLET_NDIM.format(anchor.dim(), positive.dim(), negative.dim()))
    if not _default_distance(distance_function):
        dist_pos = distance_function(anchor, positive)
        dist_neg = distance_function(anchor, negative)
        if swap:
            dist_neg = torch.minimum(dist_neg, distance_function(positive, negative))
        loss = torch.clamp_min(margin + dist_pos - dist_neg, 0)
        return loss.sum() if reduction == "sum" else loss.mean() if reduction == "mean" else loss
    _triplet_checks(op, anchor, positive, negative, 2.0, bool(swap))
    # No autocast here: torch's composite is not on CPU autocast's float32 list, so bfloat16 in
    # gives bfloat16 out there too (computed here in float32, then rounded).
    return _apply_several(TripletMarginLossFunction, _TripletMarginLoss, _triplet_margin_loss_op,
                          (anchor, positive, negative), float(margin), 2.0, 1e-6, bool(swap), reduction)


# ------------------------------------------------------------------------------------------
# torch.nn drop-ins
# ------------------------------------------------------------------------------------------

class _Loss(torch.nn.Module):
    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = _legacy(size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    def __init__(self, weight: Optional[_Tensor] = None, size_average: Optional[bool] = None,
                 reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.weight: Optional[_Tensor]


class CrossEntropyLoss(_WeightedLoss):
    r"""Drop-in for ``torch.nn.CrossEntropyLoss`` computed by swiftloss's fused kernel.

    ``CrossEntropyLoss(weight=None, size_average=None, ignore_index=-100, reduce=None,
    reduction='mean', label_smoothing=0.0, *, z_loss=0.0, softcap=None, return_z_loss=False)``;
    ``forward(input, target)`` is :func:`cross_entropy` (the last three are beyond torch). ``weight`` is a registered buffer, as in torch.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.CrossEntropyLoss(label_smoothing=0.1)(torch.tensor([[0.1, 0.2, 0.3, 0.4]]), torch.tensor([2]))
        tensor(1.3675)
    """

    def __init__(self, weight: Optional[_Tensor] = None, size_average: Optional[bool] = None,
                 ignore_index: int = -100, reduce: Optional[bool] = None, reduction: str = "mean",
                 label_smoothing: float = 0.0, *, z_loss: float = 0.0, softcap: Optional[float] = None,
                 return_z_loss: bool = False) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.z_loss = z_loss
        self.softcap = softcap
        self.return_z_loss = return_z_loss

    def forward(self, input: _Tensor, target: _Tensor) -> Any:
        """The loss of ``input`` (logits) against ``target`` (see :func:`cross_entropy`)."""
        return cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                             reduction=self.reduction, label_smoothing=self.label_smoothing,
                             z_loss=self.z_loss, softcap=self.softcap, return_z_loss=self.return_z_loss)


class NLLLoss(_WeightedLoss):
    r"""Drop-in for ``torch.nn.NLLLoss`` computed by swiftloss.

    ``NLLLoss(weight=None, size_average=None, ignore_index=-100, reduce=None,
    reduction='mean')``; ``forward(input, target)`` is :func:`nll_loss` (input:
    log-probabilities).
    """

    def __init__(self, weight: Optional[_Tensor] = None, size_average: Optional[bool] = None,
                 ignore_index: int = -100, reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` (log-probabilities) against ``target`` (see :func:`nll_loss`)."""
        return nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    r"""Drop-in for ``torch.nn.BCELoss`` computed by swiftloss.

    ``BCELoss(weight=None, size_average=None, reduce=None, reduction='mean')``;
    ``forward(input, target)`` is :func:`binary_cross_entropy` (input: probabilities).
    """

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` (probabilities) against ``target`` (see :func:`binary_cross_entropy`)."""
        return binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    r"""Drop-in for ``torch.nn.BCEWithLogitsLoss`` computed by swiftloss.

    ``BCEWithLogitsLoss(weight=None, size_average=None, reduce=None, reduction='mean',
    pos_weight=None)``; ``forward(input, target)`` is :func:`binary_cross_entropy_with_logits`.
    ``weight`` and ``pos_weight`` are registered buffers, as in torch.
    """

    def __init__(self, weight: Optional[_Tensor] = None, size_average: Optional[bool] = None,
                 reduce: Optional[bool] = None, reduction: str = "mean",
                 pos_weight: Optional[_Tensor] = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)
        self.weight: Optional[_Tensor]
        self.pos_weight: Optional[_Tensor]

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` (logits) against ``target`` (see
        :func:`binary_cross_entropy_with_logits`)."""
        return binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                reduction=self.reduction)


class KLDivLoss(_Loss):
    r"""Drop-in for ``torch.nn.KLDivLoss`` computed by swiftloss.

    ``KLDivLoss(size_average=None, reduce=None, reduction='mean', log_target=False)``;
    ``forward(input, target)`` is :func:`kl_div` (input: log-probabilities).
    """

    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The divergence of ``target`` from ``input`` (log q) (see :func:`kl_div`)."""
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MSELoss(_Loss):
    r"""Drop-in for ``torch.nn.MSELoss(size_average=None, reduce=None, reduction='mean')``;
    ``forward(input, target)`` is :func:`mse_loss`."""

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` against ``target`` (see :func:`mse_loss`)."""
        return mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    r"""Drop-in for ``torch.nn.L1Loss(size_average=None, reduce=None, reduction='mean')``;
    ``forward(input, target)`` is :func:`l1_loss`."""

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` against ``target`` (see :func:`l1_loss`)."""
        return l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    r"""Drop-in for ``torch.nn.SmoothL1Loss(size_average=None, reduce=None,
    reduction='mean', beta=1.0)``; ``forward(input, target)`` is :func:`smooth_l1_loss`."""

    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` against ``target`` (see :func:`smooth_l1_loss`)."""
        return smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    r"""Drop-in for ``torch.nn.HuberLoss(reduction='mean', delta=1.0)``;
    ``forward(input, target)`` is :func:`huber_loss`."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(None, None, reduction)
        self.delta = delta

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` against ``target`` (see :func:`huber_loss`)."""
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SoftMarginLoss(_Loss):
    r"""Drop-in for ``torch.nn.SoftMarginLoss(size_average=None, reduce=None,
    reduction='mean')``; ``forward(input, target)`` is :func:`soft_margin_loss`."""

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` against ``target`` (see :func:`soft_margin_loss`)."""
        return soft_margin_loss(input, target, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    r"""Drop-in for ``torch.nn.HingeEmbeddingLoss(margin=1.0, size_average=None, reduce=None,
    reduction='mean')``; ``forward(input, target)`` is :func:`hinge_embedding_loss`."""

    def __init__(self, margin: float = 1.0, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` against ``target`` (see :func:`hinge_embedding_loss`)."""
        return hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    r"""Drop-in for ``torch.nn.PoissonNLLLoss(log_input=True, full=False, size_average=None,
    eps=1e-08, reduce=None, reduction='mean')``; ``forward(log_input, target)`` is
    :func:`poisson_nll_loss`."""

    def __init__(self, log_input: bool = True, full: bool = False, size_average: Optional[bool] = None,
                 eps: float = 1e-8, reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``log_input`` against ``target`` (see :func:`poisson_nll_loss`)."""
        return poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    r"""Drop-in for ``torch.nn.MultiLabelSoftMarginLoss(weight=None, size_average=None,
    reduce=None, reduction='mean')``; ``forward(input, target)`` is
    :func:`multilabel_soft_margin_loss`."""

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` against ``target`` (see :func:`multilabel_soft_margin_loss`)."""
        return multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class _MarginLoss(_Loss):
    """A loss with a margin (default 0) and the legacy reduction arguments."""

    def __init__(self, margin: float = 0.0, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin


class MarginRankingLoss(_MarginLoss):
    r"""Drop-in for ``torch.nn.MarginRankingLoss(margin=0.0, size_average=None, reduce=None,
    reduction='mean')``; ``forward(input1, input2, target)`` is :func:`margin_ranking_loss`."""

    def forward(self, input1: _Tensor, input2: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ranking ``input1`` against ``input2`` as ``target`` says (see
        :func:`margin_ranking_loss`)."""
        return margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    r"""Drop-in for ``torch.nn.MultiMarginLoss(p=1, margin=1.0, weight=None, size_average=None,
    reduce=None, reduction='mean')``; ``forward(input, target)`` is :func:`multi_margin_loss`.
    ``weight`` is a registered buffer, as in torch."""

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Optional[_Tensor] = None,
                 size_average: Optional[bool] = None, reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got {weight.dim()}D instead")
        self.p, self.margin = p, margin

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` against ``target`` (see :func:`multi_margin_loss`)."""
        return multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                 reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    r"""Drop-in for ``torch.nn.MultiLabelMarginLoss(size_average=None, reduce=None,
    reduction='mean')``; ``forward(input, target)`` is :func:`multilabel_margin_loss`."""

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` against ``target`` (see :func:`multilabel_margin_loss`)."""
        return multilabel_margin_loss(input, target, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    r"""Drop-in for ``torch.nn.GaussianNLLLoss(*, full=False, eps=1e-06, reduction='mean')``;
    ``forward(input, target, var)`` is :func:`gaussian_nll_loss`."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input: _Tensor, target: _Tensor, var: Any) -> _Tensor:
        """The loss of the Gaussians of means ``input`` and variances ``var`` at ``target`` (see
        :func:`gaussian_nll_loss`)."""
        return gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)


class CosineEmbeddingLoss(_MarginLoss):
    r"""Drop-in for ``torch.nn.CosineEmbeddingLoss(margin=0.0, size_average=None, reduce=None,
    reduction='mean')``; ``forward(input1, input2, target)`` is :func:`cosine_embedding_loss`."""

    def forward(self, input1: _Tensor, input2: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of the rows of ``input1`` against ``input2`` as ``target`` says (see
        :func:`cosine_embedding_loss`)."""
        return cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    r"""Drop-in for ``torch.nn.TripletMarginLoss(margin=1.0, p=2.0, eps=1e-6, swap=False,
    size_average=None, reduce=None, reduction='mean')`` (a margin not greater than 0 raises
    ``ValueError``, as torch's); ``forward(anchor, positive, negative)`` is
    :func:`triplet_margin_loss`."""

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average: Optional[bool] = None, reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        _F._check_module_margin("TripletMarginLoss", margin)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: _Tensor, positive: _Tensor, negative: _Tensor) -> _Tensor:
        """The loss of each (anchor, positive, negative) row (see :func:`triplet_margin_loss`)."""
        return triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                   swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    r"""Drop-in for ``torch.nn.TripletMarginWithDistanceLoss(*, distance_function=None,
    margin=1.0, swap=False, reduction='mean')``: as torch's, ``distance_function`` defaults to a
    ``torch.nn.PairwiseDistance()`` module (computed by swiftloss's kernel), and a margin not
    greater than 0 raises ``ValueError``; ``forward(anchor, positive, negative)`` is
    :func:`triplet_margin_with_distance_loss`."""

    def __init__(self, *, distance_function: Optional[Callable[[_Tensor, _Tensor], _Tensor]] = None,
                 margin: float = 1.0, swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        _F._check_module_margin("TripletMarginWithDistanceLoss", margin)
        self.distance_function = distance_function if distance_function is not None else torch.nn.PairwiseDistance()
        self.margin, self.swap = margin, swap

    def forward(self, anchor: _Tensor, positive: _Tensor, negative: _Tensor) -> _Tensor:
        """The loss of each (anchor, positive, negative) row under the module's distance (see
        :func:`triplet_margin_with_distance_loss`)."""
        return triplet_margin_with_distance_loss(anchor, positive, negative, distance_function=self.distance_function,
                                                 margin=self.margin, swap=self.swap, reduction=self.reduction)


# ------------------------------------------------------------------------------------------
# ctc_loss
# ------------------------------------------------------------------------------------------

@torch.library.custom_op("swiftloss::ctc_loss", mutates_args=())
def _ctc_loss_op(log_probs: torch.Tensor, targets: torch.Tensor, input_lengths: torch.Tensor,
                 target_lengths: torch.Tensor, blank: int, reduction: str, zero_infinity: bool,
                 need_grad: bool) -> _Pair:
    """(loss, PyTorch's gradient for ones upstream or an empty tensor) of swiftloss.ctc_loss."""
    kwargs = dict(blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    arrays = (_array(log_probs), _array(targets), _array(input_lengths), _array(target_lengths))
    return _run(_F.ctc_loss, log_probs, arrays, kwargs, need_grad)


@_ctc_loss_op.register_fake
def _(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity, need_grad):
    rows = (log_probs.shape[1],) if reduction == "none" and log_probs.dim() == 3 else ()
    return log_probs.new_empty(rows), log_probs.new_empty(_grad_shape(log_probs, need_grad))


torch.library.register_vmap(
    _ctc_loss_op, lambda info, in_dims, *args: _looped_vmap(_ctc_loss_op, info, in_dims, args))


class _CTCRule(_Rule):
    """ctc_loss's 'none' loss is one value per sample of dim 1 of a (T, N, C) input (or one
    value for an unbatched (T, C) input): the upstream gradient broadcasts as (N, 1)."""

    def contract(self, w: _Tensor, gu: _Tensor, g: _Tensor) -> _Tensor:
        product = w * gu
        if self.reduction == "none" and gu.dim() == 3:
            return product.sum((0, 2)).reshape(g.shape)
        return product.sum().reshape(g.shape)


class _CTCLoss(_LossFunction):
    """The Function of :class:`CTCLossFunction` without forward mode (for torch.compile)."""

    REDUCTION_AT = 4
    CLASS_AXIS = True
    CLASS_DIM = -1

    @classmethod
    def _rule(cls, input: _Tensor, arguments: Tuple[Any, ...]) -> _Rule:
        def reference(x: _Tensor) -> _Tensor:
            return cls.reference(x, *arguments)
        return _CTCRule(arguments[cls.REDUCTION_AT], True, input.shape, reference, _compute_dtype(input), -1)

    @staticmethod
    def forward(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
        """(loss, PyTorch's gradient for ones upstream) from ``swiftloss_ctc_loss`` and its backward."""
        return _ctc_loss_op(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity, True)

    @staticmethod
    def reference(x, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
        """torch.nn.functional.ctc_loss itself: torch has no second derivative of it
        ("derivative for aten::_ctc_loss_backward is not implemented"), so neither has this."""
        return _TF.ctc_loss(x, targets, input_lengths, target_lengths, blank=blank, reduction=reduction,
                            zero_infinity=zero_infinity)


class CTCLossFunction(_CTCLoss):
    r"""``CTCLossFunction.apply(log_probs, targets, input_lengths, target_lengths, blank,
    reduction, zero_infinity)``: :func:`swiftloss.ctc_loss` as an autograd Function, returning
    ``(loss, unit_grad)``, with lengths as int64 tensors. The gradient is PyTorch's (it carries
    an extra ``exp(log_probs)`` term that cancels through log_softmax's backward)."""

    @classmethod
    def jvp(cls, ctx, dinput, *tangents):
        """Forward mode: ``<unit gradient, dinput>`` per sample ('none') or in all, with
        PyTorch's gradient (torch's own ctc_loss has no forward mode)."""
        input, gu = ctx.saved_tensors
        if dinput is None:
            dinput = torch.zeros_like(input)
        product = gu * dinput
        if ctx.arguments[cls.REDUCTION_AT] == "none" and gu.dim() == 3:
            return product.sum((0, 2)).reshape(ctx.loss_shape), None
        return product.sum().reshape(ctx.loss_shape), None


def _ctc_length_tensor(value: Any, name: str) -> _Tensor:
    """A lengths argument as an int64 tensor: a tensor of any integer dtype and shape (float:
    torch's "must be integral"), or a list / tuple of ints."""
    if isinstance(value, torch.Tensor):
        if value.is_floating_point() or value.is_complex():
            raise TypeError(f"{name} must be integral")
        return value.reshape(-1).long()
    return torch.from_numpy(_F._ctc_lengths(value, value, 0, 0, 0, False)[0])


def ctc_loss(
    log_probs: _Tensor,
    targets: _Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> _Tensor:
    r"""``torch.nn.functional.ctc_loss`` computed by swiftloss (see :func:`swiftloss.ctc_loss`),
    with torch's gradient (``exp(lp) - exp(lcab + nll - lp)``, not the plain derivative) from
    the library's alpha/beta kernel. Like torch's, it has no second derivative. Labels outside
    ``[0, C)`` raise ``IndexError`` (torch does not check them).

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> lp = torch.zeros(4, 1, 3).log_softmax(2)
        >>> sl.ctc_loss(lp, torch.tensor([[1, 2]]), [4], [2], reduction="sum")
        tensor(1.6864)
    """
    op = "ctc_loss"
    _check_reduction(reduction)
    given = (input_lengths, target_lengths)
    if any(not isinstance(v, (torch.Tensor, list, tuple)) for v in given) or (
            isinstance(input_lengths, torch.Tensor) != isinstance(target_lengths, torch.Tensor)):
        _F._ctc_type_error(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity)
    input_lengths = _ctc_length_tensor(input_lengths, "input_lengths")
    target_lengths = _ctc_length_tensor(target_lengths, "target_lengths")
    _check_tensor(log_probs, "log_probs", 1, op)
    _check_tensor(targets, "targets", 2, op)
    (log_probs,) = _autocast(log_probs)
    _margin_dtype(log_probs, "ctc_loss_cpu")
    return _apply(CTCLossFunction, _CTCLoss, _ctc_loss_op, log_probs, targets, input_lengths, target_lengths,
                  int(blank), reduction, bool(zero_infinity))


class CTCLoss(_Loss):
    r"""Drop-in for ``torch.nn.CTCLoss(blank=0, reduction='mean', zero_infinity=False)``;
    ``forward(log_probs, targets, input_lengths, target_lengths)`` is :func:`ctc_loss`."""

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> None:
        super().__init__(None, None, reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs: _Tensor, targets: _Tensor, input_lengths: Any, target_lengths: Any) -> _Tensor:
        """The loss (see :func:`ctc_loss`)."""
        return ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction,
                        self.zero_infinity)


# ------------------------------------------------------------------------------------------
# linear_cross_entropy
# ------------------------------------------------------------------------------------------

class LinearCrossEntropyFunction(torch.autograd.Function):
    r"""``LinearCrossEntropyFunction.apply(input, linear_weight, linear_bias, target, weight,
    reduction, ignore_index, label_smoothing, z_loss, softcap)``: :func:`swiftloss.linear_cross_entropy`
    as an autograd Function returning ``(loss, z)`` (``z``, the z-loss term alone, is not
    differentiable). Gradients flow to ``input``, ``linear_weight`` and ``linear_bias``. For
    'sum' and 'mean' the gradients for ones upstream come from the forward call itself and
    backward scales them; for 'none' backward calls the library again with ``grad_output``
    (the logits are recomputed: never stored). No second derivative: a backward with
    ``create_graph=True`` raises ``RuntimeError``."""

    @staticmethod
    def forward(ctx, input, linear_weight, linear_bias, target, weight, reduction, ignore_index, label_smoothing,
                z_loss, softcap):
        """(loss, z) from one library call; with a gradient wanted and 'sum' / 'mean', the
        gradients for ones upstream from the same call, kept for backward."""
        need = any(ctx.needs_input_grad[:3])
        kwargs = dict(linear_bias=_array(linear_bias), weight=_array(weight), reduction=reduction,
                      ignore_index=ignore_index, label_smoothing=label_smoothing, z_loss=z_loss, softcap=softcap,
                      return_z_loss=True)
        x, w, t = _array(input), _array(linear_weight), _array(target)
        ctx.arguments = (kwargs, x, w, t)
        ctx.has_bias = linear_bias is not None
        ctx.saved_grads = None
        if need and reduction != "none":
            loss, z, grads = _F.linear_cross_entropy(x, w, t, with_grad=True, **kwargs)
            ctx.saved_grads = tuple(torch.from_numpy(np.asarray(g)) for g in grads)
        else:
            loss, z = _F.linear_cross_entropy(x, w, t, **kwargs)
        loss_t = torch.as_tensor(np.asarray(loss)).to(input.dtype)
        z_t = torch.as_tensor(np.asarray(z)).to(input.dtype)
        ctx.mark_non_differentiable(z_t)
        return loss_t, z_t

    @staticmethod
    def backward(ctx, grad_loss, grad_z):
        """The kept gradients times ``grad_loss`` ('sum' / 'mean'), or the library called again
        with ``grad_output=grad_loss`` ('none'); none for the target, weight and options."""
        if torch.is_grad_enabled():
            raise RuntimeError("swiftloss.torch.linear_cross_entropy has no second derivative "
                               "(backward with create_graph=True); use torch.nn.functional.linear_cross_entropy")
        if ctx.saved_grads is not None:
            grads = tuple(g * grad_loss.to(g.dtype) for g in ctx.saved_grads)
        else:
            kwargs, x, w, t = ctx.arguments
            g = _array(grad_loss.contiguous(), torch.from_numpy(x[:0]).dtype)
            _, _, grads = _F.linear_cross_entropy(x, w, t, with_grad=True, grad_output=g, **kwargs)
            grads = tuple(torch.from_numpy(np.asarray(v)) for v in grads)
        gi, gw = grads[0], grads[1]
        gb = grads[2] if ctx.has_bias else None
        needs = ctx.needs_input_grad
        return (gi if needs[0] else None, gw if needs[1] else None, gb if needs[2] else None,
                None, None, None, None, None, None, None)


def linear_cross_entropy(
    input: _Tensor,
    linear_weight: _Tensor,
    target: _Tensor,
    *,
    linear_bias: Optional[_Tensor] = None,
    weight: Optional[_Tensor] = None,
    reduction: str = "mean",
    ignore_index: Optional[int] = None,
    label_smoothing: float = 0.0,
    options: Any = None,
    z_loss: float = 0.0,
    softcap: Optional[float] = None,
    return_z_loss: bool = False,
) -> Any:
    r"""``torch.nn.functional.linear_cross_entropy`` computed by swiftloss (see
    :func:`swiftloss.linear_cross_entropy`: the logits are never held whole; label smoothing
    and class weights take that path too), plus swiftloss's ``z_loss``, ``softcap`` and
    ``return_z_loss`` (then ``(loss, z)``; ``z`` is not differentiable). Gradients flow to
    ``input``, ``linear_weight`` and ``linear_bias``; a ``target`` or ``weight`` that requires
    grad raises ``NotImplementedError``; no second derivative. ``options`` is ignored.

    Example::

        >>> import torch, swiftloss.torch as sl
        >>> sl.linear_cross_entropy(torch.ones(2, 3), torch.zeros(4, 3), torch.tensor([1, 2]))
        tensor(1.3863)
    """
    op = "linear_cross_entropy"
    _check_reduction(reduction)
    _check_tensor(input, "input", 1, op)
    _check_tensor(linear_weight, "linear_weight", 2, op)
    _check_tensor(target, "target", 3, op)
    _check_optional_tensor(linear_bias, "linear_bias", 4, op)
    _check_optional_tensor(weight, "weight", 5, op)
    _no_grad_needed(target, "target", op)
    _no_grad_needed(weight, "weight", op)
    input, linear_weight, linear_bias = _autocast(input, linear_weight, linear_bias)
    _F._regularization(z_loss, softcap, "linear_cross_entropy")
    loss, z = LinearCrossEntropyFunction.apply(input, linear_weight, linear_bias, target, weight, reduction,
                                               ignore_index, label_smoothing, z_loss, softcap)
    return (loss, z) if return_z_loss else loss


class LinearCrossEntropyLoss(torch.nn.Module):
    r"""Drop-in for ``torch.nn.LinearCrossEntropyLoss(in_features, num_classes, *, bias=False,
    device=None, dtype=None, reduction='mean', weight=None, ignore_index=None,
    label_smoothing=0.0, options=None)`` plus ``z_loss=0.0, softcap=None,
    return_z_loss=False``: it owns ``self.linear`` (a ``torch.nn.Linear(in_features,
    num_classes, bias=bias)``, so its parameters train as torch's module's) and
    ``forward(input, target)`` is :func:`linear_cross_entropy`. ``out_features`` (a
    K-dimensional loss) is not supported (``ValueError``)."""

    def __init__(self, in_features: int, num_classes: int, *, out_features: Tuple[int, ...] = (), bias: bool = False,
                 device: Any = None, dtype: Any = None, reduction: str = "mean", weight: Optional[_Tensor] = None,
                 ignore_index: Optional[int] = None, label_smoothing: float = 0.0, options: Any = None,
                 z_loss: float = 0.0, softcap: Optional[float] = None, return_z_loss: bool = False) -> None:
        super().__init__()
        if tuple(out_features) != ():
            raise ValueError("LinearCrossEntropyLoss: out_features (a K-dimensional loss) is not supported by swiftloss")
        self.linear = torch.nn.Linear(in_features, num_classes, bias=bias, device=device, dtype=dtype)
        self.register_buffer("weight", weight)
        self.reduction, self.ignore_index, self.label_smoothing = reduction, ignore_index, label_smoothing
        self.options, self.z_loss, self.softcap, self.return_z_loss = options, z_loss, softcap, return_z_loss

    def forward(self, input: _Tensor, target: _Tensor) -> Any:
        """The loss of ``self.linear(input)``'s logits (see :func:`linear_cross_entropy`)."""
        return linear_cross_entropy(input, self.linear.weight, target, linear_bias=self.linear.bias,
                                    weight=self.weight, reduction=self.reduction, ignore_index=self.ignore_index,
                                    label_smoothing=self.label_smoothing, options=self.options, z_loss=self.z_loss,
                                    softcap=self.softcap, return_z_loss=self.return_z_loss)


# ------------------------------------------------------------------------------------------
# Vocabulary-parallel cross_entropy (swiftloss.distributed)
# ------------------------------------------------------------------------------------------

class VocabParallelCrossEntropyFunction(torch.autograd.Function):
    r"""``VocabParallelCrossEntropyFunction.apply(logits, target, vocab_start, num_classes, group,
    all_reduce, weight, ignore_index, reduction, label_smoothing)``:
    :func:`swiftloss.distributed.cross_entropy` as an autograd Function. Forward runs the
    protocol's all-reduces and keeps the reduced row statistics; backward needs no
    communication: it gives this rank's block its gradient of the (replicated) loss.
    First order only (no double backward, torch.func or torch.compile: the collectives happen
    inside forward)."""

    @staticmethod
    def forward(ctx, logits, target, vocab_start, num_classes, group, all_reduce, weight, ignore_index,
                reduction, label_smoothing):
        """The loss (the same on every rank), after the protocol's all-reduces; keeps the
        reduced row statistics for backward."""
        if logits.device.type != "cpu":
            raise RuntimeError(f"swiftloss computes on the CPU: logits is on {logits.device}")
        for name, value in (("target", target), ("weight", weight)):
            if isinstance(value, torch.Tensor) and value.requires_grad:
                raise NotImplementedError(f"vocab_parallel_cross_entropy: no gradient for {name}; detach it")
        x = logits.detach()
        if x.dtype not in (torch.float32, torch.float64):
            x = x.float()
        x = x.contiguous()
        state = _D._forward(x.numpy(), target.detach() if isinstance(target, torch.Tensor) else target,
                            vocab_start, num_classes, group, all_reduce,
                            weight.detach() if isinstance(weight, torch.Tensor) else weight,
                            ignore_index, reduction, label_smoothing)
        ctx.state = state
        ctx.logits_dtype = logits.dtype
        ctx.set_materialize_grads(True)
        return torch.as_tensor(np.array(_D._loss(state))).to(logits.dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        """This rank's block's gradient of the loss times grad_output (no communication)."""
        state = ctx.state
        g = grad_output.detach().to(torch.float64 if state.dtype == np.float64 else torch.float32)
        g = np.ascontiguousarray(g.reshape(-1).numpy())
        grad = torch.from_numpy(_D._gradient(state, g)).to(ctx.logits_dtype)
        return (grad,) + (None,) * 9


def vocab_parallel_cross_entropy(
    logits: _Tensor,
    target: _Tensor,
    *,
    vocab_start: int,
    num_classes: int,
    group: Any = None,
    all_reduce: Any = None,
    weight: Optional[_Tensor] = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> _Tensor:
    r"""``torch.nn.functional.cross_entropy`` of logits whose classes are split across ranks
    (tensor parallelism): ``logits`` is this rank's ``(N, V_rank)`` block, columns
    ``[vocab_start, vocab_start + V_rank)``; ``target`` and ``weight`` are the full ones, the
    same on every rank. Returns the loss (the same on every rank) as a tensor whose backward
    gives this rank's block its gradient. Communication: ``torch.distributed`` on ``group``
    (default: the world group), or ``all_reduce=f`` (see :mod:`swiftloss.distributed`)."""
    return VocabParallelCrossEntropyFunction.apply(logits, target, vocab_start, num_classes, group, all_reduce,
                                                   weight, ignore_index, reduction, label_smoothing)


class VocabParallelCrossEntropyLoss(torch.nn.Module):
    r"""``torch.nn.CrossEntropyLoss`` for logits split over ranks by class (see
    :func:`vocab_parallel_cross_entropy`): ``VocabParallelCrossEntropyLoss(vocab_start,
    num_classes, group=None, all_reduce=None, weight=None, ignore_index=-100, reduction='mean',
    label_smoothing=0.0)``, ``forward(logits, target)``. ``weight`` (all ``num_classes`` of them)
    is a registered buffer, as in torch."""

    def __init__(self, vocab_start: int, num_classes: int, group: Any = None, all_reduce: Any = None,
                 weight: Optional[_Tensor] = None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__()
        self.vocab_start, self.num_classes = vocab_start, num_classes
        self.group, self.all_reduce = group, all_reduce
        self.register_buffer("weight", weight)
        self.weight: Optional[_Tensor]
        self.ignore_index, self.reduction, self.label_smoothing = ignore_index, reduction, label_smoothing

    def forward(self, logits: _Tensor, target: _Tensor) -> _Tensor:
        """The loss (see :func:`vocab_parallel_cross_entropy`)."""
        return vocab_parallel_cross_entropy(
            logits, target, vocab_start=self.vocab_start, num_classes=self.num_classes, group=self.group,
            all_reduce=self.all_reduce, weight=self.weight, ignore_index=self.ignore_index,
            reduction=self.reduction, label_smoothing=self.label_smoothing)


# ------------------------------------------------------------------------------------------
# Vocabulary-parallel linear_cross_entropy: a sharded LM head (swiftloss.distributed)
# ------------------------------------------------------------------------------------------

def _numpy_argument(value: Any, dtype: Any = None) -> Any:
    """A tensor argument as a detached contiguous CPU array (other values as they are)."""
    if not isinstance(value, torch.Tensor):
        return value
    if value.device.type != "cpu":
        raise RuntimeError(f"swiftloss computes on the CPU: a tensor is on {value.device}")
    v = value.detach()
    if dtype is not None and v.dtype != dtype:
        v = v.to(dtype)
    return v.contiguous().numpy()


class VocabParallelLinearCrossEntropyFunction(torch.autograd.Function):
    r"""``VocabParallelLinearCrossEntropyFunction.apply(input, linear_weight, linear_bias, target,
    vocab_start, num_classes, group, all_reduce, weight, ignore_index, reduction,
    label_smoothing)``: :func:`swiftloss.distributed.linear_cross_entropy` as an autograd
    Function. Forward runs the protocol's all-reduces (metadata, row MAX, statistics SUM);
    backward gives the input its gradient (all-reduced with SUM: one collective, on every rank
    whose input requires grad, which must be all of them or none) and this rank's weight rows
    and bias slice theirs. First order only."""

    @staticmethod
    def forward(ctx, input, linear_weight, linear_bias, target, vocab_start, num_classes, group, all_reduce, weight,
                ignore_index, reduction, label_smoothing):
        """The loss (the same on every rank); keeps the reduced row statistics for backward."""
        for name, value in (("target", target), ("weight", weight)):
            if isinstance(value, torch.Tensor) and value.requires_grad:
                raise NotImplementedError(f"vocab_parallel_linear_cross_entropy: no gradient for {name}; detach it")
        compute = input.dtype if input.dtype in (torch.float32, torch.float64) else torch.float32
        state = _D._forward_linear(_numpy_argument(input, compute), _numpy_argument(linear_weight, compute),
                                   _numpy_argument(linear_bias, compute), _numpy_argument(target), vocab_start,
                                   num_classes, group, all_reduce, _numpy_argument(weight), ignore_index,
                                   reduction, label_smoothing)
        ctx.state = state
        ctx.reduce = all_reduce if all_reduce is not None else _D._torch_all_reduce(group)
        ctx.dtypes = (input.dtype, linear_weight.dtype, None if linear_bias is None else linear_bias.dtype)
        ctx.set_materialize_grads(True)
        return torch.as_tensor(np.array(_D._loss(state))).to(input.dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        """The gradients of the loss times grad_output: the input's (all-reduced), this rank's
        weight rows' and bias slice's."""
        state = ctx.state
        g = grad_output.detach().to(torch.float64 if state.dtype == np.float64 else torch.float32)
        g = np.ascontiguousarray(g.reshape(-1).numpy())
        want = ctx.needs_input_grad
        grads = _D._linear_gradients(state, ctx.reduce, g, want_input=want[0], want_weight=want[1],
                                     want_bias=want[2])
        out = tuple(None if a is None else torch.from_numpy(a).to(dtype) for a, dtype in zip(grads, ctx.dtypes))
        return out + (None,) * 9


def vocab_parallel_linear_cross_entropy(
    input: _Tensor,
    linear_weight: _Tensor,
    target: _Tensor,
    *,
    vocab_start: int,
    num_classes: int,
    linear_bias: Optional[_Tensor] = None,
    group: Any = None,
    all_reduce: Any = None,
    weight: Optional[_Tensor] = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> _Tensor:
    r"""``torch.nn.functional.linear_cross_entropy`` of an LM head whose weight rows are split
    across ranks (tensor parallelism): ``input`` is the ``(N, H)`` hidden states (the same on
    every rank), ``linear_weight`` this rank's ``(V_rank, H)`` rows ``[vocab_start, vocab_start
    + V_rank)``, ``linear_bias`` None or its ``(V_rank,)`` slice; ``target`` and ``weight`` are
    the full ones. Returns the loss (the same on every rank) as a tensor whose backward gives
    the input its all-reduced gradient and this rank's weight rows and bias slice theirs; no
    rank holds more than a block of rows of its shard's logits. Communication:
    ``torch.distributed`` on ``group`` (default: the world group), or ``all_reduce=f`` (see
    :mod:`swiftloss.distributed`)."""
    return VocabParallelLinearCrossEntropyFunction.apply(input, linear_weight, linear_bias, target, vocab_start,
                                                         num_classes, group, all_reduce, weight, ignore_index,
                                                         reduction, label_smoothing)


class VocabParallelLinearCrossEntropyLoss(torch.nn.Module):
    r"""A sharded LM head with its loss (see :func:`vocab_parallel_linear_cross_entropy`):
    ``VocabParallelLinearCrossEntropyLoss(in_features, num_classes, vocab_start, shard_classes,
    *, bias=True, group=None, all_reduce=None, weight=None, ignore_index=-100,
    reduction='mean', label_smoothing=0.0, device=None, dtype=None)`` holds this rank's rows as
    ``self.linear``, a ``torch.nn.Linear(in_features, shard_classes)``; ``forward(input,
    target)`` returns the loss, gradients flowing to the input and to ``self.linear``'s weight
    and bias. ``weight`` (all ``num_classes`` of them) is a registered buffer."""

    def __init__(self, in_features: int, num_classes: int, vocab_start: int, shard_classes: int, *, bias: bool = True,
                 group: Any = None, all_reduce: Any = None, weight: Optional[_Tensor] = None, ignore_index: int = -100,
                 reduction: str = "mean", label_smoothing: float = 0.0, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(in_features, shard_classes, bias=bias, device=device, dtype=dtype)
        self.vocab_start, self.num_classes = vocab_start, num_classes
        self.group, self.all_reduce = group, all_reduce
        self.register_buffer("weight", weight)
        self.weight: Optional[_Tensor]
        self.ignore_index, self.reduction, self.label_smoothing = ignore_index, reduction, label_smoothing

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of the full head's logits (see :func:`vocab_parallel_linear_cross_entropy`)."""
        return vocab_parallel_linear_cross_entropy(
            input, self.linear.weight, target, vocab_start=self.vocab_start, num_classes=self.num_classes,
            linear_bias=self.linear.bias, group=self.group, all_reduce=self.all_reduce, weight=self.weight,
            ignore_index=self.ignore_index, reduction=self.reduction, label_smoothing=self.label_smoothing)
