"""swiftloss for PyTorch users: autograd Functions and ``torch.nn`` drop-ins on CPU tensors.

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
  :class:`KLDivFunction`.

so a CPU training script switches by changing an import::

    import swiftloss.torch as sl
    criterion = sl.CrossEntropyLoss(label_smoothing=0.1)   # was torch.nn.CrossEntropyLoss
    loss = criterion(model(x), y)
    loss.backward()

How it computes. The forward pass hands the tensors' memory to swiftloss (no copy for
contiguous float32 / float64 tensors). When the input requires grad (and grad mode is on),
the forward pass also computes the gradient of the loss with respect to the input, with
the upstream gradient taken as ones: ``cross_entropy`` from one fused pass over the logits
(``swiftloss_cross_entropy_fused``), the other losses with their ``*_backward`` kernels. The
backward pass then only scales that saved gradient by ``grad_output`` (per sample for
``reduction='none'``), which is exact because every loss here is linear in its upstream
gradient. The saved gradient has the input's size, as the log-probabilities torch saves do.

Differences from torch (the numbers are torch's, to float32 round-off; see swiftloss's
``functional`` docstrings for the semantics):

* CPU only: a tensor on another device raises ``RuntimeError``.
* Gradients flow to ``input`` only. A ``target``, ``weight`` or ``pos_weight`` that requires
  grad raises ``NotImplementedError`` (a subclass of ``RuntimeError``) instead of silently
  getting no gradient: detach it, or use torch's own loss for that case.
* No double backward (``create_graph=True`` through these losses) and no ``torch.compile``
  tracing inside them (a graph break).
* float16 and bfloat16 inputs are computed in float32 and the results cast back.
* Bad arguments raise swiftloss's ``ValueError`` / ``IndexError`` / ``TypeError`` with torch's
  message texts where torch raises ``RuntimeError`` (see :mod:`swiftloss.functional`).
"""
from __future__ import annotations

try:
    import torch
except ImportError as _error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "swiftloss.torch needs PyTorch, which is not installed (pip install torch); the rest "
        "of swiftloss needs only numpy: use swiftloss.cross_entropy etc. on numpy arrays"
    ) from _error

from typing import Any, Optional, Tuple

import numpy as np

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
]

_Tensor = torch.Tensor
_LOW_PRECISION = (torch.float16, torch.bfloat16)


# ------------------------------------------------------------------------------------------
# Tensors in, tensors out
# ------------------------------------------------------------------------------------------

def _check_tensor(value: Any, name: str, function: str) -> None:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{function}: {name} must be a torch.Tensor, got {type(value).__name__}")
    if value.device.type != "cpu":
        raise RuntimeError(
            f"{function}: {name} is on {value.device}; swiftloss computes on the CPU "
            f"(move it with {name}.cpu(), or use torch's own loss on this device)"
        )


def _no_grad_needed(value: Optional[_Tensor], name: str, function: str) -> None:
    """Refuses an argument whose gradient torch would compute and swiftloss does not."""
    if value is not None and torch.is_grad_enabled() and value.requires_grad:
        raise NotImplementedError(
            f"swiftloss.torch.{function}: gradients with respect to {name} are not computed; "
            f"detach it ({name}.detach()) or use torch.nn.functional.{function}"
        )


def _compute_dtype(input: _Tensor) -> torch.dtype:
    """float32 for float16 / bfloat16 inputs; otherwise the input's dtype (float32, float64;
    anything else reaches swiftloss, which raises TypeError)."""
    return torch.float32 if input.dtype in _LOW_PRECISION else input.dtype


def _array(value: Optional[_Tensor], name: str, function: str, dtype: Optional[torch.dtype] = None):
    """A CPU tensor's memory as a numpy array (no copy unless a dtype change is needed)."""
    if value is None:
        return None
    _check_tensor(value, name, function)
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
    """A swiftloss result (ndarray or numpy scalar) as a tensor of dtype, sharing memory."""
    t = torch.from_numpy(value if isinstance(value, np.ndarray) else np.array(value))
    return t if t.dtype == dtype else t.to(dtype)


def _run(function, input: _Tensor, arrays: Tuple[Any, ...], kwargs: dict, with_grad: bool):
    """Calls swiftloss's function on the tensors; (loss, gradient or None) as tensors of the
    input's dtype."""
    result = function(*arrays, with_grad=with_grad, **kwargs)
    loss, grad = result if with_grad else (result, None)
    return _tensor(loss, input.dtype), (None if grad is None else _tensor(grad, input.dtype))


def _legacy(size_average: Optional[bool], reduce: Optional[bool], reduction: str) -> str:
    if size_average is not None or reduce is not None:
        return _F._legacy_get_string(size_average, reduce, stacklevel=4)
    return reduction


def _wants_graph(input: _Tensor) -> bool:
    return torch.is_grad_enabled() and input.requires_grad


def _scaled(grad: _Tensor, grad_output: _Tensor, reduction: str, class_axis: bool) -> _Tensor:
    """The saved gradient (upstream ones) times the actual upstream gradient: per sample
    (broadcast over the class axis) for 'none', a scalar otherwise."""
    if reduction == "none" and class_axis:
        grad_output = grad_output.unsqueeze(1)
    return grad * grad_output


# ------------------------------------------------------------------------------------------
# autograd Functions
# ------------------------------------------------------------------------------------------

class _SavedGradientFunction(torch.autograd.Function):
    """An autograd Function whose forward gets the gradient for ones upstream together with
    the loss (swiftloss computes both in one call) and saves it; backward scales it by the
    actual upstream gradient. Each loss is linear in ``grad_output``, so this is exact."""

    @staticmethod
    def save(ctx, grad: Optional[_Tensor], reduction: Optional[str] = None, class_axis: bool = False) -> None:
        """Saves the gradient (None when the input needs none) and how to scale it:
        ``class_axis`` for the class-axis losses, whose 'none' upstream gradient is per sample."""
        ctx.reduction, ctx.class_axis = reduction, class_axis
        if grad is not None:
            ctx.save_for_backward(grad)

    @staticmethod
    def scaled(ctx, grad_output: _Tensor) -> Tuple[Optional[_Tensor], ...]:
        """(the saved gradient times ``grad_output``, None for every other input)."""
        (grad,) = ctx.saved_tensors
        return (_scaled(grad, grad_output, ctx.reduction, ctx.class_axis),) + (None,) * (len(ctx.needs_input_grad) - 1)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        """The saved gradient times ``grad_output``: (grad_input, None for every other argument)."""
        return _SavedGradientFunction.scaled(ctx, grad_output)


class CrossEntropyFunction(_SavedGradientFunction):
    r"""``CrossEntropyFunction.apply(input, target, weight, ignore_index, reduction,
    label_smoothing)``: :func:`swiftloss.cross_entropy` as an autograd Function.

    All six arguments are positional (``weight`` may be None). Class-index targets (any
    integer dtype) or probability targets (the input's shape). When ``input`` requires grad,
    the forward pass computes the loss and :math:`\partial\ell/\partial x` together in one
    fused pass over the logits (probability targets: forward, then backward kernel); backward
    multiplies the saved gradient by ``grad_output``.
    """

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction, label_smoothing):
        """The loss; with ``ctx.needs_input_grad[0]``, also the gradient for ones upstream
        (fused pass), saved for backward."""
        dtype = _compute_dtype(input)
        arrays = (_array(input, "input", "cross_entropy", dtype), _array(target, "target", "cross_entropy", dtype))
        kwargs = dict(
            weight=_array(weight, "weight", "cross_entropy", dtype), ignore_index=ignore_index,
            reduction=reduction, label_smoothing=label_smoothing,
        )
        loss, grad = _run(_F.cross_entropy, input, arrays, kwargs, ctx.needs_input_grad[0])
        _SavedGradientFunction.save(ctx, grad, reduction, class_axis=input.dim() >= 2)
        return loss



class NLLLossFunction(_SavedGradientFunction):
    r"""``NLLLossFunction.apply(input, target, weight, ignore_index, reduction)``:
    :func:`swiftloss.nll_loss` as an autograd Function (gradient
    :math:`-w_{y_n}` at each counted target, from ``swiftloss_nll_loss_backward``)."""

    @staticmethod
    def forward(ctx, input, target, weight, ignore_index, reduction):
        """The loss; with ``ctx.needs_input_grad[0]``, also the gradient for ones upstream,
        saved for backward."""
        dtype = _compute_dtype(input)
        arrays = (_array(input, "input", "nll_loss", dtype), _array(target, "target", "nll_loss"))
        kwargs = dict(weight=_array(weight, "weight", "nll_loss", dtype), ignore_index=ignore_index, reduction=reduction)
        loss, grad = _run(_F.nll_loss, input, arrays, kwargs, ctx.needs_input_grad[0])
        _SavedGradientFunction.save(ctx, grad, reduction, class_axis=input.dim() >= 2)
        return loss



class BCEFunction(_SavedGradientFunction):
    r"""``BCEFunction.apply(input, target, weight, reduction)``:
    :func:`swiftloss.binary_cross_entropy` as an autograd Function (gradient
    :math:`w (x - t) / \max(x (1 - x), 10^{-12})`, from
    ``swiftloss_binary_cross_entropy_backward``)."""

    @staticmethod
    def forward(ctx, input, target, weight, reduction):
        """The loss; with ``ctx.needs_input_grad[0]``, also the gradient for ones upstream,
        saved for backward."""
        dtype = _compute_dtype(input)
        arrays = (_array(input, "input", "binary_cross_entropy", dtype),
                  _array(target, "target", "binary_cross_entropy", dtype))
        kwargs = dict(weight=_array(weight, "weight", "binary_cross_entropy", dtype), reduction=reduction)
        loss, grad = _run(_F.binary_cross_entropy, input, arrays, kwargs, ctx.needs_input_grad[0])
        _SavedGradientFunction.save(ctx, grad)
        return loss



class BCEWithLogitsFunction(_SavedGradientFunction):
    r"""``BCEWithLogitsFunction.apply(input, target, weight, pos_weight, reduction)``:
    :func:`swiftloss.binary_cross_entropy_with_logits` as an autograd Function (gradient
    :math:`w ((p_w t + 1 - t) \sigma(x) - p_w t)`, from
    ``swiftloss_binary_cross_entropy_with_logits_backward``)."""

    @staticmethod
    def forward(ctx, input, target, weight, pos_weight, reduction):
        """The loss; with ``ctx.needs_input_grad[0]``, also the gradient for ones upstream,
        saved for backward."""
        name = "binary_cross_entropy_with_logits"
        dtype = _compute_dtype(input)
        arrays = (_array(input, "input", name, dtype), _array(target, "target", name, dtype))
        kwargs = dict(
            weight=_array(weight, "weight", name, dtype), pos_weight=_array(pos_weight, "pos_weight", name, dtype),
            reduction=reduction,
        )
        loss, grad = _run(_F.binary_cross_entropy_with_logits, input, arrays, kwargs, ctx.needs_input_grad[0])
        _SavedGradientFunction.save(ctx, grad)
        return loss



class KLDivFunction(_SavedGradientFunction):
    r"""``KLDivFunction.apply(input, target, reduction, log_target)``: :func:`swiftloss.kl_div`
    as an autograd Function (gradient :math:`-t` or :math:`-e^t`, from
    ``swiftloss_kl_div_backward``). With ``reduction='none'`` and an input broadcast against a
    larger target, the gradient is computed in backward from ``grad_output`` and summed back
    to the input's shape."""

    @staticmethod
    def forward(ctx, input, target, reduction, log_target):
        """The loss; with ``ctx.needs_input_grad[0]``, also the gradient for ones upstream,
        saved for backward (or, for a broadcast input with 'none', the arrays to compute it
        from)."""
        dtype = _compute_dtype(input)
        x, t = _array(input, "input", "kl_div", dtype), _array(target, "target", "kl_div", dtype)
        kwargs = dict(reduction=reduction, log_target=log_target)
        # 'none' with broadcasting: sum(g * h) over the broadcast dimensions does not factor.
        deferred = reduction == "none" and tuple(input.shape) != tuple(torch.broadcast_shapes(input.shape, target.shape))
        deferred = deferred and ctx.needs_input_grad[0]
        loss, grad = _run(_F.kl_div, input, (x, t), kwargs, ctx.needs_input_grad[0] and not deferred)
        ctx.deferred = deferred
        if deferred:
            ctx.arrays, ctx.kwargs, ctx.dtype = (x, t), kwargs, input.dtype
        else:
            _SavedGradientFunction.save(ctx, grad)
        return loss

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output):
        """The saved gradient times ``grad_output``: (grad_input, None for every other argument)."""
        if ctx.deferred:
            g = grad_output.detach().to(_compute_dtype(grad_output)).numpy()
            _, grad = _F.kl_div(*ctx.arrays, with_grad=True, grad_output=g, **ctx.kwargs)
            return _tensor(grad, ctx.dtype), None, None, None
        return _SavedGradientFunction.scaled(ctx, grad_output)


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
) -> _Tensor:
    r"""``torch.nn.functional.cross_entropy`` computed by swiftloss, differentiable in ``input``.

    :math:`\ell = (1 - \varepsilon)\,\mathrm{NLL}(\log\mathrm{softmax}(x), y) + (\varepsilon/C)
    \sum_c -w_c \log\mathrm{softmax}(x)_c`; class-index targets (shape ``(N,)``, ``(N, d1..dk)``
    or 0-d for an unbatched ``(C,)`` input) or probability targets of the input's shape. Same
    arguments, defaults and numbers as torch's; see :func:`swiftloss.cross_entropy` for the
    semantics (``'mean'`` divides by the summed weights of the counted targets; every target
    ignored gives NaN). The gradient comes from the fused kernel, computed in the forward pass
    when ``input`` requires grad.
    """
    _check_tensor(input, "input", "cross_entropy")
    _no_grad_needed(target, "target", "cross_entropy")
    _no_grad_needed(weight, "weight", "cross_entropy")
    reduction = _legacy(size_average, reduce, reduction)
    if _wants_graph(input):
        return CrossEntropyFunction.apply(input, target, weight, ignore_index, reduction, label_smoothing)
    with torch.no_grad():
        return CrossEntropyFunction.forward(_NoContext, input, target, weight, ignore_index, reduction, label_smoothing)


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
    """
    _check_tensor(input, "input", "nll_loss")
    _no_grad_needed(weight, "weight", "nll_loss")
    reduction = _legacy(size_average, reduce, reduction)
    if _wants_graph(input):
        return NLLLossFunction.apply(input, target, weight, ignore_index, reduction)
    with torch.no_grad():
        return NLLLossFunction.forward(_NoContext, input, target, weight, ignore_index, reduction)


def binary_cross_entropy(
    input: _Tensor,
    target: _Tensor,
    weight: Optional[_Tensor] = None,
    size_average: Optional[bool] = None,
    reduce: Optional[bool] = None,
    reduction: str = "mean",
) -> _Tensor:
    r"""``torch.nn.functional.binary_cross_entropy`` computed by swiftloss, differentiable in
    ``input``: :math:`-w [t \max(\log x, -100) + (1 - t) \max(\log(1 - x), -100)]` on
    probabilities in [0, 1] (values outside raise ``ValueError``, torch: RuntimeError). See
    :func:`swiftloss.binary_cross_entropy`.
    """
    _check_tensor(input, "input", "binary_cross_entropy")
    _no_grad_needed(target, "target", "binary_cross_entropy")
    _no_grad_needed(weight, "weight", "binary_cross_entropy")
    reduction = _legacy(size_average, reduce, reduction)
    if _wants_graph(input):
        return BCEFunction.apply(input, target, weight, reduction)
    with torch.no_grad():
        return BCEFunction.forward(_NoContext, input, target, weight, reduction)


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
    differentiable in ``input``: :math:`w [p_w t\, \mathrm{softplus}(-x) + (1 - t)\,
    \mathrm{softplus}(x)]`, stable for any ``|x|``. See
    :func:`swiftloss.binary_cross_entropy_with_logits`.
    """
    name = "binary_cross_entropy_with_logits"
    _check_tensor(input, "input", name)
    _no_grad_needed(target, "target", name)
    _no_grad_needed(weight, "weight", name)
    _no_grad_needed(pos_weight, "pos_weight", name)
    reduction = _legacy(size_average, reduce, reduction)
    if _wants_graph(input):
        return BCEWithLogitsFunction.apply(input, target, weight, pos_weight, reduction)
    with torch.no_grad():
        return BCEWithLogitsFunction.forward(_NoContext, input, target, weight, pos_weight, reduction)


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
    """
    _check_tensor(input, "input", "kl_div")
    _no_grad_needed(target, "target", "kl_div")
    if size_average is not None or reduce is not None:
        reduction = _F._legacy_get_string(size_average, reduce, stacklevel=3)
    if _wants_graph(input):
        return KLDivFunction.apply(input, target, reduction, log_target)
    with torch.no_grad():
        return KLDivFunction.forward(_NoContext, input, target, reduction, log_target)


class _NoContextType:
    """The ctx of a forward call made outside autograd: no gradient wanted, nothing saved."""

    needs_input_grad = (False,) * 8

    def save_for_backward(self, *tensors: Any) -> None:  # pragma: no cover - never called
        pass

    def __setattr__(self, name: str, value: Any) -> None:
        pass  # ctx.reduction etc.: not needed without a backward pass


_NoContext = _NoContextType()


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
    reduction='mean', label_smoothing=0.0)``; ``forward(input, target)`` is
    :func:`cross_entropy`. ``weight`` is a registered buffer, as in torch.
    """

    def __init__(self, weight: Optional[_Tensor] = None, size_average: Optional[bool] = None,
                 ignore_index: int = -100, reduce: Optional[bool] = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: _Tensor, target: _Tensor) -> _Tensor:
        """The loss of ``input`` (logits) against ``target`` (see :func:`cross_entropy`)."""
        return cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                             reduction=self.reduction, label_smoothing=self.label_smoothing)


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
