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

:func:`linear_cross_entropy` is the same for a sharded LM head: each rank holds rows
``[vocab_start, vocab_start + V_rank)`` of the head's ``(num_classes, H)`` weight (and of its
bias) and the same ``(N, H)`` hidden states; the loss is ``cross_entropy(input @ W.T + b,
target, ...)`` over the full weight, and no rank forms more than a block of rows of its shard's
logits. Its collectives: the metadata (21 float64 values: those above, H and whether a bias is
given); a MAX of the N row maxima of the shard (``swiftloss_vocab_parallel_linear_stats``, then
``swiftloss_vocab_parallel_rescale``); a SUM of 3 * N + 2 values as above; and, for the
gradient, a SUM of the ``(N, H)`` input gradient (the weight and bias gradients are this
rank's rows, with no communication).

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

__all__ = ["cross_entropy", "linear_cross_entropy"]

_FUNCTION = "swiftloss.distributed.cross_entropy"
_LINEAR = "swiftloss.distributed.linear_cross_entropy"
_SPLIT = 4096  # shard widths travel as (V // 4096, V % 4096): exact sums in float32


class _Shard:
    """One rank's validated arguments, then the reduced statistics (the state the gradient
    needs: the torch bridge keeps it between forward and backward)."""

    __slots__ = ("function", "x", "target", "weight", "batch", "width", "start", "classes", "ignore", "red",
                 "red_name", "eps", "dtype", "result_dtype", "row_max", "stats", "extra",
                 "w", "b", "hidden")


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


def _keywords(function, vocab_start, num_classes, ignore_index, reduction, label_smoothing) -> _Shard:
    """A shard with the keywords checked (the first checks, as in swiftloss.functional)."""
    s = _Shard()
    s.function = function
    s.extra = ()
    s.red = _F._reduction_enum(reduction)
    s.red_name = {_F._NONE: "none", _F._SUM: "sum", _F._MEAN: "mean"}[s.red]
    s.eps = _F._label_smoothing(label_smoothing)
    s.ignore = _F._ignore_index(ignore_index)
    s.classes = _F._int_argument(num_classes, "num_classes")
    s.start = _F._int_argument(vocab_start, "vocab_start")
    return s


def _targets_and_bounds(s: _Shard, target, weight, what: str) -> None:
    """The target, the shard's bounds and the class weight (s.batch, s.width, s.dtype set)."""
    t = _F._class_target(target, s.function)
    if t.shape != (s.batch,):
        raise ValueError(f"Expected input batch_size ({s.batch}) to match target batch_size "
                         f"({t.size}).")
    s.target = t
    if s.classes <= 0:
        raise ValueError(f"{s.function}: num_classes must be positive, got {s.classes}")
    if not 0 <= s.start <= s.classes or s.width > s.classes - s.start:
        raise ValueError(
            f"{s.function}: this rank's {what} [{s.start}, {s.start + s.width}) (vocab_start "
            f"{s.start}, V_rank {s.width}) are not inside [0, num_classes = {s.classes})")
    s.weight = _F._class_weight(weight, s.classes, 2, s.dtype, s.function)
    _F._check_targets(t, s.classes, s.ignore)


def _prepare(logits, target, vocab_start, num_classes, weight, ignore_index, reduction, label_smoothing) -> _Shard:
    """Every check this rank can make alone; raises what swiftloss.functional.cross_entropy
    raises for the same mistakes."""
    s = _keywords(_FUNCTION, vocab_start, num_classes, ignore_index, reduction, label_smoothing)
    x, s.result_dtype = _F._float_input(logits, _FUNCTION, "logits")
    if x.ndim != 2:
        raise ValueError(f"{_FUNCTION}: logits must be this rank's (N, V_rank) block, got shape "
                         f"{_F._shape_str(x.shape)}")
    s.x, s.dtype = x, x.dtype
    s.batch, s.width = x.shape
    _targets_and_bounds(s, target, weight, "columns")
    return s


# The metadata every rank all-reduces first (MAX): [refused, (v, -v) for each value, end, -start].
_META_NAMES = ("N (the number of rows)", "num_classes", "reduction", "label_smoothing", "ignore_index",
               "the input's dtype", "whether a weight is given")
_LINEAR_NAMES = ("H (the hidden size)", "whether a bias is given")


def _meta(s: Optional[_Shard], failed: bool, extra: int) -> np.ndarray:
    m = np.zeros(1 + 2 * (len(_META_NAMES) + extra) + 2)
    m[0] = 1.0 if failed else 0.0
    if s is not None and not failed:
        values = (s.batch, s.classes, s.red, s.eps, s.ignore, s.dtype.itemsize, s.weight is not None) + s.extra
        for k, v in enumerate(values):
            m[1 + 2 * k], m[2 + 2 * k] = float(v), -float(v)
        m[-2], m[-1] = float(s.start + s.width), -float(s.start)
    return m


def _check_meta(m: np.ndarray, function: str, names) -> None:
    if m[0] != 0:
        raise RuntimeError(f"{function}: another rank refused its arguments (its own error says "
                           "why); this rank's were valid")
    for k, name in enumerate(names):
        if m[1 + 2 * k] != -m[2 + 2 * k]:
            raise ValueError(f"{function}: the ranks disagree on {name} (from {-m[2 + 2 * k]:g} to "
                             f"{m[1 + 2 * k]:g})")
    classes = m[3]
    if m[-2] != classes or m[-1] != 0:
        raise ValueError(f"{function}: the ranks' shards do not tile [0, num_classes = {classes:g}): "
                         f"they start at {-m[-1]:g} and end at {m[-2]:g}")


def _agree(reduce, group, all_reduce, function, names, prepare) -> _Shard:
    """`prepare()` on this rank, then collective 1: every rank learns whether another one
    failed or disagrees, and raises."""
    s, error = None, None
    try:
        if all_reduce is not None and group is not None:
            raise ValueError(f"{function}: pass either group (torch.distributed) or all_reduce, not both")
        s = prepare()
    except (ValueError, TypeError, IndexError, OverflowError) as e:
        error = e
    meta = _meta(s, error is not None, len(names) - len(_META_NAMES))
    reduce(meta, "max")
    if error is not None:
        raise error
    _check_meta(meta, function, names)
    return s


def _sum_stats(reduce, s: _Shard, buf: np.ndarray) -> None:
    """The SUM of the 3 * N statistics in buf (3 * N + 2 elements), with the shard widths that
    must add up to num_classes."""
    n = s.batch
    buf[3 * n], buf[3 * n + 1] = s.width // _SPLIT, s.width % _SPLIT
    reduce(buf, "sum")
    total = int(buf[3 * n]) * _SPLIT + int(buf[3 * n + 1])
    if total != s.classes:
        raise ValueError(f"{s.function}: the ranks' shard widths add up to {total}, not num_classes = "
                         f"{s.classes}")
    s.stats = buf[:3 * n]


def _forward(logits, target, vocab_start, num_classes, group, all_reduce, weight, ignore_index, reduction,
             label_smoothing) -> _Shard:
    """Checks, communicates, and returns the shard with its reduced statistics."""
    reduce = all_reduce if all_reduce is not None else _torch_all_reduce(group)
    s = _agree(reduce, group, all_reduce, _FUNCTION, _META_NAMES,
               lambda: _prepare(logits, target, vocab_start, num_classes, weight, ignore_index, reduction,
                                label_smoothing))
    n = s.batch
    s.row_max = np.empty(n, dtype=s.dtype)
    _swiftloss.vocab_parallel_max(s.x, n, s.width, s.row_max)
    if n:
        reduce(s.row_max, "max")  # collective 2
    buf = np.empty(3 * n + 2, dtype=s.dtype)
    _swiftloss.vocab_parallel_stats(s.x, n, s.width, s.start, s.classes, s.target, s.weight, s.ignore, s.eps,
                                    s.row_max, buf[:3 * n])
    _sum_stats(reduce, s, buf)  # collective 3
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


# ------------------------------------------------------------------------------------------
# A sharded LM head: linear_cross_entropy over weight rows split across ranks
# ------------------------------------------------------------------------------------------

def _prepare_linear(input, linear_weight, linear_bias, target, vocab_start, num_classes, weight, ignore_index,
                    reduction, label_smoothing, z_loss, softcap) -> _Shard:
    """Every check this rank can make alone, for linear_cross_entropy's arguments."""
    f = _LINEAR
    s = _keywords(f, vocab_start, num_classes, ignore_index, reduction, label_smoothing)
    if z_loss or softcap:
        raise ValueError(f"{f}: z_loss and softcap are not supported across ranks (use "
                         "swiftloss.linear_cross_entropy on the full weight)")
    x, s.result_dtype = _F._float_input(input, f)
    if x.ndim != 2:
        raise ValueError(f"{f}: input must be the (N, H) hidden states, got shape {_F._shape_str(x.shape)}")
    w_raw = linear_weight if type(linear_weight) is np.ndarray else _F._asarray(linear_weight, f, "linear_weight")
    if w_raw.ndim != 2:
        raise ValueError(f"{f}: linear_weight must be this rank's (V_rank, H) rows, got shape "
                         f"{_F._shape_str(w_raw.shape)}")
    if w_raw.shape[1] != x.shape[1]:
        raise ValueError(f"expected equal input and linear_weight last dimensions (in_features), got "
                         f"{x.shape[1]} and {w_raw.shape[1]}, respectively")
    s.w = _F._real_array(w_raw, x.dtype, f, "linear_weight")
    s.b = None
    if linear_bias is not None:
        b_raw = linear_bias if type(linear_bias) is np.ndarray else _F._asarray(linear_bias, f, "linear_bias")
        if b_raw.shape != (w_raw.shape[0],):
            raise ValueError(f"expected linear_bias shape ({w_raw.shape[0]},), got {tuple(b_raw.shape)}")
        s.b = _F._real_array(b_raw, x.dtype, f, "linear_bias")
    s.x, s.dtype = x, x.dtype
    s.batch, s.hidden = x.shape
    s.width = s.w.shape[0]
    s.extra = (s.hidden, s.b is not None)
    _targets_and_bounds(s, target, weight, "weight rows")
    return s


def _forward_linear(input, linear_weight, linear_bias, target, vocab_start, num_classes, group, all_reduce, weight,
                    ignore_index, reduction, label_smoothing, z_loss=0.0, softcap=None) -> _Shard:
    """Checks, communicates (metadata, row MAX, statistics SUM), and returns the shard with its
    reduced statistics."""
    reduce = all_reduce if all_reduce is not None else _torch_all_reduce(group)
    s = _agree(reduce, group, all_reduce, _LINEAR, _META_NAMES + _LINEAR_NAMES,
               lambda: _prepare_linear(input, linear_weight, linear_bias, target, vocab_start, num_classes, weight,
                                       ignore_index, reduction, label_smoothing, z_loss, softcap))
    n = s.batch
    local_max = np.empty(n, dtype=s.dtype)
    buf = np.empty(3 * n + 2, dtype=s.dtype)
    _swiftloss.vocab_parallel_linear_stats(s.x, s.w, s.b, n, s.hidden, s.width, s.start, s.classes, s.target,
                                           s.weight, s.ignore, s.eps, local_max, buf[:3 * n])
    s.row_max = local_max.copy()
    if n:
        reduce(s.row_max, "max")  # collective 2
    _swiftloss.vocab_parallel_rescale(local_max, n, s.width, s.start, s.classes, s.target, s.weight, s.ignore,
                                      s.eps, s.row_max, buf[:3 * n])
    _sum_stats(reduce, s, buf)  # collective 3
    return s


def _linear_gradients(s: _Shard, reduce, grad_output: Optional[np.ndarray], want_input: bool = True,
                      want_weight: bool = True, want_bias: bool = True):
    """(grad_input all-reduced with SUM, grad of this rank's weight rows, of its bias slice or
    None); an unwanted one is None (want_input must be the same on every rank: it decides the
    collective)."""
    count = s.batch if s.red == _F._NONE else 1
    g = _F._ones_if_none(grad_output, count, s.dtype)
    gx = np.empty_like(s.x) if want_input else None
    gw = np.empty_like(s.w) if want_weight else None
    gb = np.empty_like(s.b) if want_bias and s.b is not None else None
    _swiftloss.vocab_parallel_linear_backward(s.x, s.w, s.b, s.batch, s.hidden, s.width, s.start, s.classes,
                                              s.target, s.weight, s.ignore, s.red, s.eps, s.row_max, s.stats, g,
                                              gx, gw, gb)
    if gx is not None and gx.size:
        reduce(gx, "sum")  # collective 4 (the backward's only one)

    def cast(a):  # the gradients in the input's dtype
        return a if a is None or a.dtype == s.result_dtype else a.astype(s.result_dtype)

    return cast(gx), cast(gw), cast(gb)


def linear_cross_entropy(
    input: Any,
    linear_weight: Any,
    target: Any,
    *,
    vocab_start: int,
    num_classes: int,
    linear_bias: Any = None,
    group: Any = None,
    all_reduce: Optional[Callable[[np.ndarray, str], None]] = None,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
    z_loss: float = 0.0,
    softcap: Optional[float] = None,
    with_grad: bool = False,
    grad_output: Any = None,
):
    """``torch.nn.functional.linear_cross_entropy`` of an LM head whose weight rows (classes)
    are split across ranks, without any rank forming its shard's ``(N, V_rank)`` logits whole.

    Args:
        input: the ``(N, H)`` hidden states, the same on every rank (numpy array or CPU tensor,
            float32 or float64).
        linear_weight: this rank's ``(V_rank, H)`` rows ``[vocab_start, vocab_start + V_rank)``
            of the head's ``(num_classes, H)`` weight. ``V_rank`` may differ between ranks and
            may be 0.
        target: the full ``(N,)`` class indices, the same on every rank.
        vocab_start, num_classes: where this rank's rows start; the full number of classes.
        linear_bias: ``None`` or this rank's ``(V_rank,)`` slice of the bias (on every rank or
            on none).
        group, all_reduce: the communication, as for :func:`cross_entropy`.
        weight, ignore_index, reduction, label_smoothing: as ``cross_entropy`` (``weight`` has
            ``num_classes`` elements, the same on every rank).
        z_loss, softcap: not supported across ranks: anything but 0 / None raises ValueError.
        with_grad, grad_output: ``with_grad=True`` returns ``(loss, (grad_input,
            grad_linear_weight[, grad_linear_bias]))``: the gradient of ``sum(loss *
            grad_output)`` with respect to the input (already all-reduced: the same on every
            rank), this rank's weight rows and, with a bias, its bias slice.

    Returns:
        The loss, the same on every rank (a numpy scalar, or ``(N,)`` for ``'none'``), and the
        gradients with ``with_grad=True``.

    Raises:
        What ``swiftloss.linear_cross_entropy`` raises for the same arguments, on the rank that
        gave them; ``RuntimeError`` on the other ranks; ``ValueError`` on every rank when the
        ranks disagree (N, H, num_classes, keywords, dtype, bias or not) or their shards do
        not tile ``[0, num_classes)``.
    """
    grad = _F._wants_grad(with_grad, grad_output, _LINEAR)
    reduce = all_reduce if all_reduce is not None else _torch_all_reduce(group)
    s = _forward_linear(input, linear_weight, linear_bias, target, vocab_start, num_classes, group, all_reduce,
                        weight, ignore_index, reduction, label_smoothing, z_loss, softcap)
    loss = _loss(s)
    if not grad:
        return loss
    shape = (s.batch,) if s.red == _F._NONE else ()
    g = _F._grad_output(grad_output, shape, s.dtype, _LINEAR, s.red_name)
    gx, gw, gb = _linear_gradients(s, reduce, g)
    return loss, ((gx, gw) if gb is None else (gx, gw, gb))
