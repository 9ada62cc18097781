"""torch.nn-style callable objects over :mod:`swiftloss.functional`.

Each class takes torch.nn's constructor keywords, keeps them as attributes of the same names
(``weight``, ``ignore_index``, ``reduction``, ``label_smoothing``, ``pos_weight``,
``log_target``, ``dim``), and is called as ``module(input, target)`` (``module(input)`` for
Softmax and LogSoftmax), which runs ``forward``. Like torch.nn, the reduction is only checked
when the module is called.

Every call also takes the keyword-only ``with_grad=False, grad_output=None, out=None`` of the
functions (``out``: buffers to write the result and the gradient into; see the functions):
``module(input, target, with_grad=True)`` returns ``(loss, grad_input)`` with ``grad_input`` =
d(sum(loss * grad_output)) / d(input), of the input's shape and dtype (``grad_output``: ones by
default; a scalar for ``'sum'`` / ``'mean'``, an array of the loss's shape for ``'none'`` and of
the output's shape for Softmax / LogSoftmax).
"""
from __future__ import annotations

from typing import Any, Optional

from . import functional as F

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


class _Module:
    """The calling convention of torch.nn.Module: module(*args) runs forward(*args)."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class _Loss(_Module):
    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        if size_average is not None or reduce is not None:
            self.reduction = F._legacy_get_string(size_average, reduce, stacklevel=4)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight: Any = None, size_average: Optional[bool] = None, reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight = weight


class Softmax(_Module):
    r"""``Softmax(dim)(x)`` is :func:`swiftloss.softmax` ``(x, dim)``:
    :math:`e^{x_i - M} / \sum_j e^{x_j - M}` along ``dim``."""

    def __init__(self, dim: Optional[int] = None) -> None:
        self.dim = dim

    def forward(self, input: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """``softmax(input, self.dim)``; with ``with_grad=True``, ``(output, grad_input)``."""
        return F.softmax(input, self.dim, _stacklevel=5, with_grad=with_grad, grad_output=grad_output, out=out)

    def extra_repr(self) -> str:
        """What ``repr`` shows between the parentheses, as torch.nn's: ``dim=1``."""
        return f"dim={self.dim}"


class LogSoftmax(_Module):
    r"""``LogSoftmax(dim)(x)`` is :func:`swiftloss.log_softmax` ``(x, dim)``:
    :math:`x_i - M - \log \sum_j e^{x_j - M}` along ``dim``."""

    def __init__(self, dim: Optional[int] = None) -> None:
        self.dim = dim

    def forward(self, input: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """``log_softmax(input, self.dim)``; with ``with_grad=True``, ``(output, grad_input)``."""
        return F.log_softmax(input, self.dim, _stacklevel=5, with_grad=with_grad, grad_output=grad_output, out=out)

    def extra_repr(self) -> str:
        """What ``repr`` shows between the parentheses, as torch.nn's: ``dim=1``."""
        return f"dim={self.dim}"


class NLLLoss(_WeightedLoss):
    r"""Negative log-likelihood of log-probabilities, :math:`\ell_n = -w_{y_n} x_{n, y_n}`.

    ``NLLLoss(weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean')``;
    calling it runs :func:`swiftloss.nll_loss`. It expects log-probabilities (use
    :class:`LogSoftmax` first, or :class:`CrossEntropyLoss` on logits): given probabilities it
    returns :math:`-w_y p_y`, a negative number, as PyTorch's does.
    """

    def __init__(self, weight: Any = None, size_average: Optional[bool] = None, ignore_index: int = -100, reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see :func:`swiftloss.nll_loss`)."""
        return F.nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            with_grad=with_grad,
            grad_output=grad_output,
            out=out,
        )


class CrossEntropyLoss(_WeightedLoss):
    r"""Cross-entropy of logits, ``nll_loss(log_softmax(x, 1), y)`` with optional label smoothing:
    :math:`(1 - \varepsilon)\,\mathrm{NLL} + (\varepsilon / C) \sum_c -w_c\, \mathrm{lp}_c`.

    ``CrossEntropyLoss(weight=None, size_average=None, ignore_index=-100, reduce=None,
    reduction='mean', label_smoothing=0.0, *, z_loss=0.0, softcap=None, return_z_loss=False)``;
    calling it runs :func:`swiftloss.cross_entropy` (class-index targets, or probability targets
    of the input's shape). The keyword-only ``z_loss``, ``softcap`` and ``return_z_loss`` are
    beyond PyTorch (PaLM's z-loss, Gemma 2's logit softcapping): see
    :func:`swiftloss.cross_entropy`.
    """

    def __init__(self, weight: Any = None, size_average: Optional[bool] = None, ignore_index: int = -100, reduce: Optional[bool] = None, reduction: str = "mean", label_smoothing: float = 0.0, *, z_loss: float = 0.0, softcap: Optional[float] = None, return_z_loss: bool = False) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.z_loss = z_loss
        self.softcap = softcap
        self.return_z_loss = return_z_loss

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` from one fused pass for
        class-index targets (see :func:`swiftloss.cross_entropy`)."""
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
            z_loss=self.z_loss,
            softcap=self.softcap,
            return_z_loss=self.return_z_loss,
            with_grad=with_grad,
            grad_output=grad_output,
            out=out,
        )


class BCELoss(_WeightedLoss):
    r"""Binary cross-entropy of probabilities,
    :math:`-w\,[t \max(\log x, -100) + (1 - t) \max(\log(1 - x), -100)]`.

    ``BCELoss(weight=None, size_average=None, reduce=None, reduction='mean')``; calling it runs
    :func:`swiftloss.binary_cross_entropy`. Inputs must lie in [0, 1]: apply a sigmoid first,
    or use :class:`BCEWithLogitsLoss` on logits.
    """

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see
        :func:`swiftloss.binary_cross_entropy`)."""
        return F.binary_cross_entropy(
            input, target, weight=self.weight, reduction=self.reduction, with_grad=with_grad, grad_output=grad_output, out=out
        )


class BCEWithLogitsLoss(_Loss):
    r"""Binary cross-entropy of logits,
    :math:`w\,[p_w\, t\, \mathrm{softplus}(-x) + (1 - t)\, \mathrm{softplus}(x)]`.

    ``BCEWithLogitsLoss(weight=None, size_average=None, reduce=None, reduction='mean',
    pos_weight=None)``; calling it runs :func:`swiftloss.binary_cross_entropy_with_logits`.
    """

    def __init__(self, weight: Any = None, size_average: Optional[bool] = None, reduce: Optional[bool] = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see
        :func:`swiftloss.binary_cross_entropy_with_logits`)."""
        return F.binary_cross_entropy_with_logits(
            input,
            target,
            self.weight,
            pos_weight=self.pos_weight,
            reduction=self.reduction,
            with_grad=with_grad,
            grad_output=grad_output,
            out=out,
        )


class KLDivLoss(_Loss):
    r"""Kullback-Leibler divergence with ``input`` = :math:`\log q`:
    :math:`t \log t - t x`, or :math:`e^t (t - x)` with ``log_target=True``.

    ``KLDivLoss(size_average=None, reduce=None, reduction='mean', log_target=False)``; calling
    it runs :func:`swiftloss.kl_div`. ``reduction='batchmean'`` gives the mathematical
    definition (the sum divided by the batch size).
    """

    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see :func:`swiftloss.kl_div`)."""
        return F.kl_div(
            input,
            target,
            reduction=self.reduction,
            log_target=self.log_target,
            with_grad=with_grad,
            grad_output=grad_output,
            out=out,
        )


class MSELoss(_Loss):
    r"""Mean squared error :math:`(x - y)^2`: ``MSELoss(size_average=None, reduce=None,
    reduction='mean')``; calling it runs :func:`swiftloss.mse_loss` (whose ``weight=`` the
    module does not take, as torch.nn.MSELoss)."""

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see :func:`swiftloss.mse_loss`)."""
        return F.mse_loss(input, target, reduction=self.reduction, with_grad=with_grad, grad_output=grad_output, out=out)


class L1Loss(_Loss):
    r"""Mean absolute error :math:`|x - y|`: ``L1Loss(size_average=None, reduce=None,
    reduction='mean')``; calling it runs :func:`swiftloss.l1_loss`."""

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see :func:`swiftloss.l1_loss`)."""
        return F.l1_loss(input, target, reduction=self.reduction, with_grad=with_grad, grad_output=grad_output, out=out)


class SmoothL1Loss(_Loss):
    r"""Smooth L1 loss: ``SmoothL1Loss(size_average=None, reduce=None, reduction='mean',
    beta=1.0)``; calling it runs :func:`swiftloss.smooth_l1_loss`."""

    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see :func:`swiftloss.smooth_l1_loss`)."""
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta, with_grad=with_grad,
                                grad_output=grad_output, out=out)


class HuberLoss(_Loss):
    r"""Huber loss: ``HuberLoss(reduction='mean', delta=1.0)`` (no ``size_average`` /
    ``reduce``, as torch.nn.HuberLoss); calling it runs :func:`swiftloss.huber_loss`."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(None, None, reduction)
        self.delta = delta

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see :func:`swiftloss.huber_loss`)."""
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta, with_grad=with_grad,
                            grad_output=grad_output, out=out)


class SoftMarginLoss(_Loss):
    r"""Soft margin loss :math:`\log(1 + e^{-y x})`: ``SoftMarginLoss(size_average=None,
    reduce=None, reduction='mean')``; calling it runs :func:`swiftloss.soft_margin_loss`."""

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see :func:`swiftloss.soft_margin_loss`)."""
        return F.soft_margin_loss(input, target, reduction=self.reduction, with_grad=with_grad,
                                  grad_output=grad_output, out=out)


class HingeEmbeddingLoss(_Loss):
    r"""Hinge embedding loss: ``HingeEmbeddingLoss(margin=1.0, size_average=None, reduce=None,
    reduction='mean')``; calling it runs :func:`swiftloss.hinge_embedding_loss`."""

    def __init__(self, margin: float = 1.0, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see :func:`swiftloss.hinge_embedding_loss`)."""
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction,
                                      with_grad=with_grad, grad_output=grad_output, out=out)


class PoissonNLLLoss(_Loss):
    r"""Poisson negative log-likelihood: ``PoissonNLLLoss(log_input=True, full=False,
    size_average=None, eps=1e-08, reduce=None, reduction='mean')``; calling it runs
    :func:`swiftloss.poisson_nll_loss`."""

    def __init__(self, log_input: bool = True, full: bool = False, size_average: Optional[bool] = None,
                 eps: float = 1e-8, reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None,
                out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see :func:`swiftloss.poisson_nll_loss`)."""
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full, eps=self.eps,
                                  reduction=self.reduction, with_grad=with_grad, grad_output=grad_output, out=out)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    r"""Multi-label soft margin loss: ``MultiLabelSoftMarginLoss(weight=None, size_average=None,
    reduce=None, reduction='mean')``; calling it runs :func:`swiftloss.multilabel_soft_margin_loss`."""

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see
        :func:`swiftloss.multilabel_soft_margin_loss`)."""
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction,
                                             with_grad=with_grad, grad_output=grad_output, out=out)


class _MarginLoss(_Loss):
    """A loss with a margin (default 0) and the legacy reduction arguments."""

    def __init__(self, margin: float = 0.0, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin


class MarginRankingLoss(_MarginLoss):
    r"""Margin ranking loss: ``MarginRankingLoss(margin=0.0, size_average=None, reduce=None,
    reduction='mean')``; calling it with ``(input1, input2, target)`` runs
    :func:`swiftloss.margin_ranking_loss`."""

    def forward(self, input1: Any, input2: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None,
                out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, (grad_input1, grad_input2))`` (see
        :func:`swiftloss.margin_ranking_loss`)."""
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction,
                                     with_grad=with_grad, grad_output=grad_output, out=out)


class MultiMarginLoss(_WeightedLoss):
    r"""Multi-class hinge loss: ``MultiMarginLoss(p=1, margin=1.0, weight=None, size_average=None,
    reduce=None, reduction='mean')``; calling it runs :func:`swiftloss.multi_margin_loss`. As
    torch.nn's, ``p`` other than 1 or 2 and a weight that is not one-dimensional raise
    ``ValueError`` here."""

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Any = None, size_average: Optional[bool] = None,
                 reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p != 1 and p != 2:
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and F._asarray(weight, "MultiMarginLoss", "weight").ndim != 1:
            raise ValueError(
                "MultiMarginLoss: expected weight to be None or 1D tensor, got "
                f"{F._asarray(weight, 'MultiMarginLoss', 'weight').ndim}D instead"
            )
        self.p, self.margin = p, margin

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see :func:`swiftloss.multi_margin_loss`)."""
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin, weight=self.weight,
                                   reduction=self.reduction, with_grad=with_grad, grad_output=grad_output, out=out)


class MultiLabelMarginLoss(_Loss):
    r"""Multi-label hinge loss: ``MultiLabelMarginLoss(size_average=None, reduce=None,
    reduction='mean')``; calling it runs :func:`swiftloss.multilabel_margin_loss`."""

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_input)`` (see
        :func:`swiftloss.multilabel_margin_loss`)."""
        return F.multilabel_margin_loss(input, target, reduction=self.reduction, with_grad=with_grad,
                                        grad_output=grad_output, out=out)


class GaussianNLLLoss(_Loss):
    r"""Gaussian negative log-likelihood: ``GaussianNLLLoss(*, full=False, eps=1e-06,
    reduction='mean')`` (keyword-only, as torch.nn's); calling it with ``(input, target, var)``
    runs :func:`swiftloss.gaussian_nll_loss`."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Any, target: Any, var: Any, *, with_grad: bool = False, grad_output: Any = None,
                out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, (grad_input, grad_var))`` (see
        :func:`swiftloss.gaussian_nll_loss`)."""
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction,
                                   with_grad=with_grad, grad_output=grad_output, out=out)


class CosineEmbeddingLoss(_MarginLoss):
    r"""Cosine embedding loss: ``CosineEmbeddingLoss(margin=0.0, size_average=None, reduce=None,
    reduction='mean')``; calling it with ``(input1, input2, target)`` runs
    :func:`swiftloss.cosine_embedding_loss`."""

    def forward(self, input1: Any, input2: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None,
                out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, (grad_input1, grad_input2))`` (see
        :func:`swiftloss.cosine_embedding_loss`)."""
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction,
                                       with_grad=with_grad, grad_output=grad_output, out=out)


class TripletMarginLoss(_Loss):
    r"""Triplet margin loss: ``TripletMarginLoss(margin=1.0, p=2.0, eps=1e-6, swap=False,
    size_average=None, reduce=None, reduction='mean')`` (a margin not greater than 0 raises
    ``ValueError`` here, as torch.nn's); calling it with ``(anchor, positive, negative)`` runs
    :func:`swiftloss.triplet_margin_loss`."""

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average: Optional[bool] = None, reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        F._check_module_margin("TripletMarginLoss", margin)
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Any, positive: Any, negative: Any, *, with_grad: bool = False, grad_output: Any = None,
                out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, (grad_anchor, grad_positive,
        grad_negative))`` (see :func:`swiftloss.triplet_margin_loss`)."""
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p, eps=self.eps,
                                     swap=self.swap, reduction=self.reduction, with_grad=with_grad,
                                     grad_output=grad_output, out=out)


class TripletMarginWithDistanceLoss(_Loss):
    r"""Triplet margin loss with a distance function: ``TripletMarginWithDistanceLoss(*,
    distance_function=None, margin=1.0, swap=False, reduction='mean')`` (a margin not greater
    than 0 raises ``ValueError`` here, as torch.nn's); calling it with ``(anchor, positive,
    negative)`` runs :func:`swiftloss.triplet_margin_with_distance_loss` (``None``: the default
    pairwise distance, computed by swiftloss; a Python function is called on numpy arrays)."""

    def __init__(self, *, distance_function: Any = None, margin: float = 1.0, swap: bool = False,
                 reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        F._check_module_margin("TripletMarginWithDistanceLoss", margin)
        self.distance_function, self.margin, self.swap = distance_function, margin, swap

    def forward(self, anchor: Any, positive: Any, negative: Any, *, with_grad: bool = False, grad_output: Any = None,
                out: Any = None) -> Any:
        """The loss; with ``with_grad=True`` (default distance only), ``(loss, (grad_anchor,
        grad_positive, grad_negative))`` (see :func:`swiftloss.triplet_margin_with_distance_loss`)."""
        return F.triplet_margin_with_distance_loss(anchor, positive, negative, distance_function=self.distance_function,
                                                   margin=self.margin, swap=self.swap, reduction=self.reduction,
                                                   with_grad=with_grad, grad_output=grad_output, out=out)


class CTCLoss(_Loss):
    r"""Connectionist temporal classification loss: ``CTCLoss(blank=0, reduction='mean',
    zero_infinity=False)``, as torch.nn's; calling it with ``(log_probs, targets,
    input_lengths, target_lengths)`` runs :func:`swiftloss.ctc_loss`."""

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> None:
        super().__init__(None, None, reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def forward(self, log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any, *,
                with_grad: bool = False, grad_output: Any = None, out: Any = None) -> Any:
        """The loss; with ``with_grad=True``, ``(loss, grad_log_probs)``, PyTorch's gradient (see
        :func:`swiftloss.ctc_loss`)."""
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=self.blank,
                          reduction=self.reduction, zero_infinity=self.zero_infinity, with_grad=with_grad,
                          grad_output=grad_output, out=out)


class LinearCrossEntropyLoss(_Loss):
    r"""A linear layer's cross-entropy without its logits, as torch.nn.LinearCrossEntropyLoss:
    ``LinearCrossEntropyLoss(in_features, num_classes, *, bias=False, dtype=None,
    reduction='mean', weight=None, ignore_index=None, label_smoothing=0.0, options=None)``
    plus swiftloss's ``z_loss=0.0, softcap=None, return_z_loss=False``. It owns the layer's
    ``linear_weight`` ``(num_classes, in_features)`` (and ``linear_bias`` with ``bias=True``),
    numpy arrays initialised as torch.nn.Linear's (uniform in :math:`\pm 1/\sqrt{in}`; the
    bias at 0 here), and ``module(input, target)`` runs :func:`swiftloss.linear_cross_entropy`
    with them. ``out_features`` (a K-dimensional loss) is not supported; ``options`` is
    ignored. With ``with_grad=True`` the gradients are ``(grad_input, grad_linear_weight[,
    grad_linear_bias])``."""

    def __init__(self, in_features: int, num_classes: int, *, out_features: tuple = (), bias: bool = False,
                 dtype: Any = None, reduction: str = "mean", weight: Any = None, ignore_index: Optional[int] = None,
                 label_smoothing: float = 0.0, options: Any = None, z_loss: float = 0.0,
                 softcap: Optional[float] = None, return_z_loss: bool = False) -> None:
        import numpy as np
        super().__init__(None, None, reduction)
        if tuple(out_features) != ():
            raise ValueError("LinearCrossEntropyLoss: out_features (a K-dimensional loss) is not supported by swiftloss")
        dt = np.dtype(np.float32 if dtype is None else dtype)
        bound = 1.0 / np.sqrt(in_features) if in_features > 0 else 0.0
        rng = np.random.default_rng()
        self.in_features, self.num_classes = in_features, num_classes
        self.linear_weight = rng.uniform(-bound, bound, (num_classes, in_features)).astype(dt)
        self.linear_bias = np.zeros(num_classes, dtype=dt) if bias else None
        self.weight, self.ignore_index, self.label_smoothing, self.options = weight, ignore_index, label_smoothing, options
        self.z_loss, self.softcap, self.return_z_loss = z_loss, softcap, return_z_loss

    def forward(self, input: Any, target: Any, *, with_grad: bool = False, grad_output: Any = None) -> Any:
        """The loss (``(loss, z)`` with ``return_z_loss``); with ``with_grad=True`` the
        gradients follow (see :func:`swiftloss.linear_cross_entropy`)."""
        return F.linear_cross_entropy(input, self.linear_weight, target, linear_bias=self.linear_bias,
                                      weight=self.weight, reduction=self.reduction, ignore_index=self.ignore_index,
                                      label_smoothing=self.label_smoothing, options=self.options, z_loss=self.z_loss,
                                      softcap=self.softcap, return_z_loss=self.return_z_loss, with_grad=with_grad,
                                      grad_output=grad_output)
