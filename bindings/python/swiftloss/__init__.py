"""swiftloss: PyTorch's loss functions on numpy arrays, computed by a small Swift library.

The API mirrors ``torch.nn.functional`` (functions) and ``torch.nn`` (loss classes): same
names, keyword arguments and defaults, so a script runs against swiftloss by changing its
imports::

    import swiftloss as F                      # instead of torch.nn.functional as F
    from swiftloss import CrossEntropyLoss     # instead of torch.nn

    F.cross_entropy([[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], [2, 3])   # 1.3644...

Functions: softmax, log_softmax, nll_loss, cross_entropy, binary_cross_entropy,
binary_cross_entropy_with_logits, kl_div (also in :mod:`swiftloss.functional`).
Classes: Softmax, LogSoftmax, NLLLoss, CrossEntropyLoss, BCELoss, BCEWithLogitsLoss,
KLDivLoss (also in :mod:`swiftloss.modules`).

Inputs and results:

* Anything ``numpy.asarray`` accepts: lists, numpy arrays (non-contiguous ones are copied),
  objects with ``__array__``, buffers (``array.array``, ``memoryview``), and also objects
  that only speak DLPack (``__dlpack__``) and CPU torch tensors, read without a copy (tensors
  that require grad are read detached: for autograd use :mod:`swiftloss.torch`). Note that
  ``numpy.asarray`` makes Python floats float64, where ``torch.tensor`` makes them float32:
  pass ``np.float32`` arrays for torch's float32 numbers.
* float32 and float64 are computed in their own precision and returned in it (float16 is
  computed in float32, longdouble in float64, and cast back). An integer, bool or complex
  array where a floating one is needed raises ``TypeError`` (PyTorch: RuntimeError
  "not implemented for 'Long'"). Targets, weights and pos_weights of another real dtype are
  converted to the input's dtype (PyTorch would require the same dtype).
* Class-index targets may be of any integer dtype. ``cross_entropy`` takes probability
  targets when ``target.shape == input.shape`` (they must then be floating point).
* ``reduction='none'`` returns an ndarray of the target's shape; ``'sum'`` and ``'mean'``
  return a numpy scalar of the input's dtype.

Gradients: every function and class call takes the keyword-only ``with_grad=False,
grad_output=None``. ``F.cross_entropy(x, y, with_grad=True)`` returns ``(loss, grad_input)`` with
``grad_input`` = d(sum(loss * grad_output)) / d(x), of the input's shape and dtype, where
``grad_output`` (the upstream gradient) defaults to ones and otherwise has the result's shape: a
scalar for ``'sum'`` / ``'mean'``, the loss's shape for ``'none'``, the output's shape for
softmax / log_softmax. ``cross_entropy`` with class-index targets computes the loss and the
gradient in one fused pass over the logits. What PyTorch's autograd gives, without autograd.

Buffers: every function and class call also takes a keyword-only ``out=``, to write results
into memory the caller keeps and reuses: the ``reduction='none'`` losses (or the softmax), and
with ``with_grad=True`` the pair ``out=(out, grad_out)`` (either may be None; ``out`` must be
None for a scalar loss). Buffers must match the result's shape and dtype and be C-contiguous
and writable; the call returns them. ``cross_entropy(x, y, with_grad=True, out=(None, x))``
overwrites the logits with their gradient (one fused pass, no second N-by-C buffer).

PyTorch: ``import swiftloss.torch`` (needs torch) gives autograd Functions and ``torch.nn``
drop-ins (``CrossEntropyLoss``, ``NLLLoss``, ``BCELoss``, ``BCEWithLogitsLoss``,
``KLDivLoss``) and their functional forms, for CPU training with swiftloss's kernels.

Tensor parallelism: :func:`swiftloss.distributed.cross_entropy` computes cross_entropy of logits
whose classes are split across processes (each holds a block of columns), communicating
through ``torch.distributed`` or any ``all_reduce`` callable (mpi4py, ...); the torch bridge's
``VocabParallelCrossEntropyLoss`` is its autograd form. :func:`swiftloss.distributed.linear_cross_entropy`
is the same for an LM head whose weight rows are split across processes (the torch bridge's
``VocabParallelLinearCrossEntropyLoss``).

Threads: ``set_num_threads(n)`` sets how many threads a large call (about 256K elements of
work or more) may use, ``0`` restoring the default (``SWIFTLOSS_NUM_THREADS``, else the number
of processors); ``get_num_threads()`` reads it. Results are bitwise identical whatever the
count.

Errors carry PyTorch's messages. ``IndexError`` ("Target 5 is out of bounds.", a softmax
``dim`` out of range) and ``ValueError`` (a bad reduction, batch size or BCE shape) are raised
where PyTorch raises them; where PyTorch raises ``RuntimeError`` for a bad argument (weight
size, label smoothing above 1, BCE values outside [0, 1], ignore_index with probability
targets, spatial target shapes, shapes that do not broadcast) swiftloss raises ``ValueError``.

``__version__`` is the C library's version (swiftloss_version_string).
"""
import operator as _operator

from . import _swiftloss
from . import distributed, functional, modules
from .functional import (
    NoAutogradWarning,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cosine_embedding_loss,
    cross_entropy,
    ctc_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    huber_loss,
    kl_div,
    l1_loss,
    linear_cross_entropy,
    log_softmax,
    margin_ranking_loss,
    mse_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    nll_loss,
    poisson_nll_loss,
    smooth_l1_loss,
    soft_margin_loss,
    softmax,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
from .modules import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    CTCLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    LinearCrossEntropyLoss,
    LogSoftmax,
    MarginRankingLoss,
    MSELoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    Softmax,
    SoftMarginLoss,
    TripletMarginLoss,
    TripletMarginWithDistanceLoss,
)

__version__: str = _swiftloss.version_string()


def set_num_threads(n: int) -> None:
    """Set the number of threads a large call may use (``swiftloss_set_num_threads``).

    ``1`` keeps every call on the calling thread; ``0`` restores the default, the environment
    variable ``SWIFTLOSS_NUM_THREADS`` (read once) or else the number of online processors (at
    most 64); counts above 256 act as 256. Only calls on large inputs (about 256K elements of
    work or more) split their work, and their results are bitwise identical whatever the count.
    Safe to call at any time from any thread; calls already running keep their count.

    Raises:
        TypeError: ``n`` is not an int (``bool`` is refused too).
        ValueError: ``n`` is negative.
    """
    if isinstance(n, bool):
        raise TypeError("set_num_threads: n must be an int, got bool")
    try:
        n = _operator.index(n)
    except TypeError:
        raise TypeError(f"set_num_threads: n must be an int, got {type(n).__name__}") from None
    if n < 0:
        raise ValueError(f"set_num_threads: n must be >= 0 (0 restores the default), got {n}")
    _swiftloss.set_num_threads(n)


def get_num_threads() -> int:
    """The number of threads a large call uses now (``swiftloss_get_num_threads``; at least 1)."""
    return _swiftloss.get_num_threads()


__all__ = [
    "__version__",
    "functional",
    "modules",
    "softmax",
    "log_softmax",
    "nll_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "Softmax",
    "LogSoftmax",
    "NLLLoss",
    "CrossEntropyLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "KLDivLoss",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "soft_margin_loss",
    "hinge_embedding_loss",
    "poisson_nll_loss",
    "multilabel_soft_margin_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "MSELoss",
    "L1Loss",
    "SmoothL1Loss",
    "HuberLoss",
    "SoftMarginLoss",
    "HingeEmbeddingLoss",
    "PoissonNLLLoss",
    "MultiLabelSoftMarginLoss",
    "margin_ranking_loss",
    "MarginRankingLoss",
    "MultiMarginLoss",
    "MultiLabelMarginLoss",
    "gaussian_nll_loss",
    "GaussianNLLLoss",
    "cosine_embedding_loss",
    "CosineEmbeddingLoss",
    "triplet_margin_loss",
    "TripletMarginLoss",
    "triplet_margin_with_distance_loss",
    "TripletMarginWithDistanceLoss",
    "ctc_loss",
    "CTCLoss",
    "linear_cross_entropy",
    "LinearCrossEntropyLoss",
    "set_num_threads",
    "get_num_threads",
    "NoAutogradWarning",
    "distributed",
]
