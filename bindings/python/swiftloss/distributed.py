"""Cross-entropy over a vocabulary split across processes (tensor parallelism).

Each rank holds a ``(N, V_rank)`` block of the ``(N, num_classes)`` logits, the columns
``[vocab_start, vocab_start + V_rank)``; no rank holds a whole row. :func:`cross_entropy`
computes ``torch.nn.functional.cross_entropy`` of the full logits (class-index targets: every
``weight``, ``ignore_index``, ``reduction`` and ``label_smoothing``) with the shard-local steps
of libswiftloss (``swiftloss_vocab_parallel_*``, see include/swiftloss.h) and these collectives,
in this order, on every rank:

1. an all-reduce MAX of 17 float64 values: the metadata (N, num_classes, the keywords, the
   dtype, the shard's bounds and whether this rank's arguments were refused), so that a bad
   argument on one rank, or ranks that disagree on N, raise on every rank instead of hanging;
2. an all-reduce MAX of the N row maxima (the logits' dtype; skipped when N == 0);
3. an all-reduce SUM of 3 * N + 2 values (the logits' dtype): per row the sum of exponentials,
   the target's logit and the label-smoothing sum, and the shard widths (which must add up to
   num_classes).

The gradient needs no further communication. Communication goes through ``torch.distributed``
on ``group`` (default: the world group; any backend that reduces CPU tensors, e.g. gloo), or
through ``all_reduce=f`` for any other engine: ``f(array, op)`` must all-reduce the numpy array
in place across the ranks, with ``op`` ``"max"`` or ``"sum"``. With mpi4py::

    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    def all_reduce(array, op):
        comm.Allreduce(MPI.IN_PLACE, array, op=MPI.MAX if op == "max" else MPI.SUM)

    loss, grad = swiftloss.distributed.cross_entropy(
        block, target, vocab_start=start, num_classes=C, all_reduce=all_reduce, with_grad=True)

``torch`` is imported only when ``all_reduce`` is not given.

Every rank must pass the same ``target``, ``weight``, ``num_classes``, ``ignore_index``,
``reduction`` and ``label_smoothing``, and the shards must tile ``[0, num_classes)``. Checked
across ranks: N, num_classes, the keywords, the dtype, the presence of a weight, that the
shards start at 0, end at num_classes and that their widths add up to num_classes. Not
checked (it would take more communication): that target and weight hold the same values on
every rank, and shards that overlap by exactly as much as they leave a gap elsewhere.
"""
from typing import Any, Callable, Optional

import numpy as np

from . import _swiftloss
from . import functional as _F

__all__ = ["cross_entropy"]

_FUNCTION = "swiftloss.distributed.cross_entropy"
_META = 17
_SPLIT = 4096  # shard widths travel as (V // 4096, V % 4096): exact sums in float32


class _Shard:
    """One rank's validated arguments, then the reduced statistics (the state the gradient
    needs: the torch bridge keeps it between forward and backward)."""

    __slots__ = ("x", "target", "weight", "batch", "width", "start", "classes", "ignore", "red",
                 "red_name", "eps", "dtype", "result_dtype", "row_max", "stats")


def _torch_all_reduce(group: Any) -> Callable[[np.ndarray, str], None]:
    import torch
    import torch.distributed as dist

    if not dist.is_available() or not dist.is_initialized():
        raise RuntimeError(
            "Default process group has not been initialized, please make sure to call "
            "init_process_group."
        )

    def all_reduce(array: np.ndarray, op: str) -> None:
        tensor = torch.from_numpy(array)
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX if op == "max" else dist.ReduceOp.SUM, group=group)

    return all_reduce


def _prepare(logits, target, vocab_start, num_classes, weight, ignore_index, reduction, label_smoothing) -> _Shard:
    """Every check this rank can make alone; raises what swiftloss.functional.cross_entropy
    raises for the same mistakes."""
    s = _Shard()
    s.red = _F._reduction_enum(reduction)
    s.red_name = {_F._NONE: "none", _F._SUM: "sum", _F._MEAN: "mean"}[s.red]
    s.eps = _F._label_smoothing(label_smoothing)
    s.ignore = _F._ignore_index(ignore_index)
    s.classes = _F._int_argument(num_classes, "num_classes")
    s.start = _F._int_argument(vocab_start, "vocab_start")
    x, s.result_dtype = _F._float_input(logits, _FUNCTION, "logits")
    if x.ndim != 2:
        raise ValueError(f"{_FUNCTION}: logits must be this rank's (N, V_rank) block, got shape "
                         f"{_F._shape_str(x.shape)}")
    s.x, s.dtype = x, x.dtype
    s.batch, s.width = x.shape
    t = _F._class_target(target, _FUNCTION)
    if t.shape != (s.batch,):
        raise ValueError(f"Expected input batch_size ({s.batch}) to match target batch_size "
                         f"({t.size}).")
    s.target = t
    if s.classes <= 0:
        raise ValueError(f"{_FUNCTION}: num_classes must be positive, got {s.classes}")
    if not 0 <= s.start <= s.classes or s.width > s.classes - s.start:
        raise ValueError(
            f"{_FUNCTION}: this rank's columns [{s.start}, {s.start + s.width}) (vocab_start "
            f"{s.start}, V_rank {s.width}) are not inside [0, num_classes = {s.classes})")
    s.weight = _F._class_weight(weight, s.classes, 2, s.dtype, _FUNCTION)
    _F._check_targets(t, s.classes, s.ignore)
    return s


def _meta(s: Optional[_Shard], failed: bool) -> np.ndarray:
    m = np.zeros(_META)
    m[0] = 1.0 if failed else 0.0
    if s is not None and not failed:
        values = (s.batch, s.classes, s.red, s.eps, s.ignore, s.dtype.itemsize, s.weight is not None)
        for k, v in enumerate(values):
            m[1 + 2 * k], m[2 + 2 * k] = float(v), -float(v)
        m[15], m[16] = float(s.start + s.width), -float(s.start)
    return m


def _check_meta(m: np.ndarray) -> None:
    if m[0] != 0:
        raise RuntimeError(f"{_FUNCTION}: another rank refused its arguments (its own error says "
                           "why); this rank's were valid")
    names = ("N (the number of rows)", "num_classes", "reduction", "label_smoothing", "ignore_index",
             "the logits' dtype", "whether a weight is given")
    for k, name in enumerate(names):
        if m[1 + 2 * k] != -m[2 + 2 * k]:
            raise ValueError(f"{_FUNCTION}: the ranks disagree on {name} (from {-m[2 + 2 * k]:g} to "
                             f"{m[1 + 2 * k]:g})")
    classes = m[3]
    if m[15] != classes or m[16] != 0:
        raise ValueError(f"{_FUNCTION}: the ranks' shards do not tile [0, num_classes = {classes:g}): "
                         f"they start at {-m[16]:g} and end at {m[15]:g}")


def _forward(logits, target, vocab_start, num_classes, group, all_reduce, weight, ignore_index, reduction,
             label_smoothing) -> _Shard:
    """Checks, communicates, and returns the shard with its reduced statistics."""
    reduce = all_reduce if all_reduce is not None else _torch_all_reduce(group)
    s, error = None, None
    try:
        if all_reduce is not None and group is not None:
            raise ValueError(f"{_FUNCTION}: pass either group (torch.distributed) or all_reduce, not both")
        s = _prepare(logits, target, vocab_start, num_classes, weight, ignore_index, reduction, label_smoothing)
    except (ValueError, TypeError, IndexError, OverflowError) as e:
        error = e
    # Collective 1, whatever happened: every rank learns whether another one failed.
    meta = _meta(s, error is not None)
    reduce(meta, "max")
    if error is not None:
        raise error
    _check_meta(meta)
    n = s.batch
    s.row_max = np.empty(n, dtype=s.dtype)
    _swiftloss.vocab_parallel_max(s.x, n, s.width, s.row_max)
    if n:
        reduce(s.row_max, "max")  # collective 2
    buf = np.empty(3 * n + 2, dtype=s.dtype)
    _swiftloss.vocab_parallel_stats(s.x, n, s.width, s.start, s.classes, s.target, s.weight, s.ignore, s.eps,
                                    s.row_max, buf[:3 * n])
    buf[3 * n], buf[3 * n + 1] = s.width // _SPLIT, s.width % _SPLIT
    reduce(buf, "sum")  # collective 3
    total = int(buf[3 * n]) * _SPLIT + int(buf[3 * n + 1])
    if total != s.classes:
        raise ValueError(f"{_FUNCTION}: the ranks' shard widths add up to {total}, not num_classes = "
                         f"{s.classes}")
    s.stats = buf[:3 * n]
    return s


def _loss(s: _Shard):
    out = np.empty(s.batch if s.red == _F._NONE else 1, dtype=s.dtype)
    _swiftloss.vocab_parallel_loss(s.target, s.batch, s.classes, s.weight, s.ignore, s.red, s.eps, s.row_max,
                                   s.stats, out)
    if out.dtype != s.result_dtype:
        out = out.astype(s.result_dtype)
    return out if s.red == _F._NONE else out[0]


def _gradient(s: _Shard, grad_output: Optional[np.ndarray], into: Optional[np.ndarray] = None) -> np.ndarray:
    count = s.batch if s.red == _F._NONE else 1
    g = _F._ones_if_none(grad_output, count, s.dtype)
    grad = np.empty_like(s.x) if into is None else into
    _swiftloss.vocab_parallel_backward(s.x, s.batch, s.width, s.start, s.classes, s.target, s.weight, s.ignore,
                                       s.red, s.eps, s.row_max, s.stats, g, grad)
    return grad if grad.dtype == s.result_dtype else grad.astype(s.result_dtype)


def cross_entropy(
    logits: Any,
    target: Any,
    *,
    vocab_start: int,
    num_classes: int,
    group: Any = None,
    all_reduce: Optional[Callable[[np.ndarray, str], None]] = None,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    with_grad: bool = False,
    grad_output: Any = None,
):
    """``torch.nn.functional.cross_entropy`` of logits whose classes are split across ranks.

    Args:
        logits: this rank's ``(N, V_rank)`` block (numpy array or CPU tensor, float32 or
            float64), columns ``[vocab_start, vocab_start + V_rank)`` of the full logits.
            ``V_rank`` may differ between ranks and may be 0.
        target: the full ``(N,)`` class indices, the same on every rank.
        vocab_start, num_classes: where this rank's columns start; the full number of classes.
        group: the ``torch.distributed`` process group (default: the world group).
        all_reduce: instead of torch.distributed, ``f(array, op)`` all-reducing a numpy array
            in place, ``op`` ``"max"`` or ``"sum"`` (see the module's docstring).
        weight, ignore_index, reduction, label_smoothing: as ``cross_entropy`` (``weight`` has
            ``num_classes`` elements, the same on every rank).
        with_grad, grad_output: ``with_grad=True`` returns ``(loss, grad)``, ``grad`` the
            gradient of ``sum(loss * grad_output)`` with respect to this rank's block
            (``grad_output`` defaults to ones).

    Returns:
        The loss, the same on every rank (a numpy scalar, or ``(N,)`` for ``'none'``), and with
        ``with_grad=True`` the gradient of this rank's block.

    Raises:
        What ``swiftloss.cross_entropy`` raises for the same arguments, on the rank that gave
        them; ``RuntimeError`` on the other ranks; ``ValueError`` on every rank when the ranks
        disagree (N, num_classes, keywords, dtype) or their shards do not tile
        ``[0, num_classes)``.
    """
    grad = _F._wants_grad(with_grad, grad_output, _FUNCTION)
    s = _forward(logits, target, vocab_start, num_classes, group, all_reduce, weight, ignore_index, reduction,
                 label_smoothing)
    loss = _loss(s)
    if not grad:
        return loss
    shape = (s.batch,) if s.red == _F._NONE else ()
    g = _F._grad_output(grad_output, shape, s.dtype, _FUNCTION, s.red_name)
    return loss, _gradient(s, g)
