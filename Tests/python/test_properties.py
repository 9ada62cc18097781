"""Property tests (hypothesis): swiftloss against an independent numpy reference.

Every public function (softmax, log_softmax, nll_loss, cross_entropy with class indices and
with probabilities, binary_cross_entropy, binary_cross_entropy_with_logits, kl_div), every
keyword, float32 and float64 (and float16 / longdouble, computed in float32 / float64), on
generated shapes (0-d, empty, (C,), (N, C), (N, C, d1, ...)) and values (plain, huge, tiny,
subnormal, inf, NaN), each array passed in a generated layout: C order, Fortran order, a
strided view (gaps filled with garbage), negative strides, a transposed view, a zero-stride
(broadcast) view, read-only, byte-swapped, or a nested list; integer and bool arrays where
floats are expected, bad shapes, targets, weights, reductions and keywords (the deprecated
size_average / reduce pair and softmax's implicit dim=None included), through the functions
and the module classes.

For each example the oracle below (written from SEMANTICS.md in float64 numpy, no swiftloss
code; where SEMANTICS.md's formula and PyTorch 2.15 round differently, as BCE's log1p(-x) and
the (1 - t) x - lw logsigmoid(x) form of BCE with logits, it follows PyTorch) decides either
the answer or the exception types PyTorch raises (RuntimeError is ValueError here, as
documented); the call must then return that answer (the result's dtype, shape, NaNs and
infinities exactly, finite values within K ulps of the scale of the computation's terms, plus
floors for products rounded to the subnormal grid and probabilities that underflow) or raise
one of those types. The inputs must come back unmodified. A subset checks ``with_grad=True``
against the reference gradients.

Where the dtype's answer is implementation-defined the value is not compared (counted as
"overflow"): an intermediate of the computation is within a factor 4 of the dtype's largest
finite value (PyTorch itself overflows there in float32 where swiftloss, which accumulates in
float64, does not), or an infinite weight meets a loss that rounds to 0. The library bugs the
properties found are pinned by regression tests near the end of this file.

The examples each property runs are set by the hypothesis profile (conftest.py:
HYPOTHESIS_PROFILE=ci, the default, reproducible; =long for a long random search); the
terminal summary prints how many ran and how they ended.
"""
import collections
import math
import operator
import warnings

import numpy as np
import pytest
from hypothesis import note, strategies as st
from hypothesis import example, given
from hypothesis.extra import numpy as hnp

import swiftloss
import swiftloss as F

# (test, outcome) -> examples; conftest.py prints it in the terminal summary.
SWIFTLOSS_HYPOTHESIS_EXAMPLES = collections.Counter()


def count(test, outcome):
    SWIFTLOSS_HYPOTHESIS_EXAMPLES[(test, outcome)] += 1


# ------------------------------------------------------------------------------------------
# The oracle's verdicts
# ------------------------------------------------------------------------------------------

class Raises(Exception):
    """The call must raise one of these exception types."""

    def __init__(self, types):
        super().__init__(sorted(t.__name__ for t in types))
        self.types = tuple(sorted(set(types), key=lambda t: t.__name__))


class Problems:
    """Everything wrong with a call; where several things are, any of their types will do."""

    def __init__(self):
        self.types = set()

    def add(self, exception_type):
        self.types.add(exception_type)

    def check(self):
        if self.types:
            raise Raises(self.types)


class Expected:
    """The reference answer: value (float64), the scale of the computation's terms (what the
    rounding error is relative to), which elements are implementation-defined (risky), the
    result's dtype."""

    def __init__(self, value, scale, dtype, compute, risky=None):
        self.value = np.asarray(value, dtype=np.float64)
        self.scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), self.value.shape)
        self.dtype = np.dtype(dtype)
        self.compute = np.dtype(compute)
        if risky is None:
            risky = np.zeros(self.value.shape, bool)
        self.risky = np.broadcast_to(np.asarray(risky, bool), self.value.shape)


def compute_dtype(dtype):
    """float32 for float16/float32 inputs, float64 for float64/longdouble (as swiftloss)."""
    return np.dtype(np.float32) if np.dtype(dtype).itemsize <= 4 else np.dtype(np.float64)


def native(dtype):
    dtype = np.dtype(dtype)
    return dtype if dtype.isnative else dtype.newbyteorder("=")


def in_compute(array, compute):
    """An argument's values as swiftloss computes with them: cast to the compute dtype
    (overflowing to inf as numpy does), then held in float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(array).astype(compute).astype(np.float64)


def row_risk(compute, samples, *terms):
    """Per sample (row): some finite term of the row is within a factor 4 of overflow."""
    risky = np.zeros(samples, bool)
    for term in terms:
        r = overflow_risk(compute, term)
        r = np.asarray(r)
        if r.ndim == 2:
            r = r.any(axis=1)
        risky = risky | np.broadcast_to(r, (samples,))
    return risky


def subnormal_floor(compute):
    """A scale whose K-ulp tolerance covers the rounding of a product to the subnormal grid."""
    info = np.finfo(compute)
    return float(info.smallest_subnormal) / float(info.eps)


def probability_floor(compute):
    """A scale whose K-ulp tolerance covers a softmax probability that underflowed to 0 (or to
    the subnormal grid): the smallest normal, in units of eps."""
    info = np.finfo(compute)
    return float(info.tiny) / float(info.eps)


def finite_abs(a):
    """|a| where finite, 0 elsewhere (infinities are compared exactly, not by tolerance)."""
    a = np.asarray(a, dtype=np.float64)
    return np.where(np.isfinite(a), np.abs(a), 0.0)


def overflow_risk(compute, *terms):
    """Elementwise: some finite term is within a factor 4 of the dtype's largest value."""
    limit = float(np.finfo(compute).max) / 4
    risky = False
    for term in terms:
        risky = risky | (finite_abs(term) >= limit)
    return risky


# Tolerance: K ulps of the compute dtype relative to the scale of the terms, plus half an ulp
# of the result dtype (the final rounding) and K smallest normals (subnormal arithmetic).
K_ULPS = {np.dtype(np.float32): 64, np.dtype(np.float64): 256}


def assert_matches(actual, expected, what):
    """The call's result against the oracle's Expected. Returns the outcome to count."""
    actual = np.asarray(actual)
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype}, expected {expected.dtype}"
    assert actual.shape == expected.value.shape, (
        f"{what}: shape {actual.shape}, expected {expected.value.shape}"
    )
    result = native(expected.dtype)
    a = actual.astype(np.float64)
    r = expected.value
    # The reference rounded to the result dtype: an answer beyond its range is +-inf.
    with np.errstate(over="ignore", invalid="ignore"):
        r_cast = r.astype(result).astype(np.float64) if result.kind == "f" else r
    risky = expected.risky.copy()
    # a scale that overflowed: the oracle cannot bound the rounding error
    risky |= ~np.isfinite(expected.scale) | (expected.scale >= float(np.finfo(expected.compute).max) / 4)
    if result.itemsize < expected.compute.itemsize or result.itemsize <= 2:
        big = float(np.finfo(result).max)
        risky |= np.isfinite(r) & (np.abs(r) > big / 4) & (np.abs(r) < big * 4)
    keep = ~risky
    eps_c = float(np.finfo(expected.compute).eps)
    eps_r = float(np.finfo(result).eps) if result.itemsize < expected.compute.itemsize else 0.0
    k = K_ULPS[expected.compute]
    tiny = float(np.finfo(expected.compute).tiny)
    scale = np.maximum(expected.scale, finite_abs(r))
    # A result dtype narrower than the compute dtype (float16) also rounds to its own grid,
    # down to its smallest normal (subnormals and underflow to 0).
    tiny_r = float(np.finfo(result).tiny) if eps_r else 0.0
    tol = k * eps_c * scale + eps_r * finite_abs(r) + k * tiny + tiny_r

    problems = []
    nan_a, nan_r = np.isnan(a), np.isnan(r_cast)
    bad_nan = keep & (nan_a != nan_r)
    if bad_nan.any():
        problems.append(("NaN mismatch", bad_nan))
    inf_r = np.isinf(r_cast) & keep
    bad_inf = inf_r & (a != r_cast)
    if bad_inf.any():
        problems.append(("inf mismatch", bad_inf))
    finite = keep & np.isfinite(r_cast)
    with np.errstate(invalid="ignore", over="ignore"):
        bad_value = finite & ~(np.abs(a - r) <= tol)
    if bad_value.any():
        problems.append(("value mismatch", bad_value))
    if problems:
        lines = [f"{what}:"]
        for label, mask in problems:
            index = np.argwhere(np.atleast_1d(mask))[:5]
            flat_a, flat_r = np.atleast_1d(a), np.atleast_1d(r)
            flat_t = np.atleast_1d(tol)
            for i in index:
                i = tuple(i)
                lines.append(
                    f"  {label} at {i}: got {flat_a[i]!r}, expected {flat_r[i]!r} (tolerance {flat_t[i]:.3g})"
                )
        raise AssertionError("\n".join(lines))
    return "overflow" if risky.any() else "value"


# ------------------------------------------------------------------------------------------
# The reference (float64 numpy, from SEMANTICS.md)
# ------------------------------------------------------------------------------------------

def ref_log_softmax_parts(x, axis):
    """(shifted = x - M, lse = log(sum(exp(shifted))), log_softmax) along axis."""
    with np.errstate(all="ignore"):
        m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
        shifted = x - m
        lse = np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
        return shifted, lse, shifted - lse


def rows(a):
    """(C,) / (N, C) / (N, C, d...) -> (samples, C), the class axis last."""
    if a.ndim == 1:
        return a[None, :]
    samples = a.shape[0] * int(np.prod(a.shape[2:], dtype=np.int64))
    return np.moveaxis(a, 1, -1).reshape(samples, a.shape[1])


def unrows(r, shape):
    """The inverse of rows for an array of the input's shape."""
    if len(shape) == 1:
        return r.reshape(shape)
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return np.moveaxis(r.reshape(moved), -1, 1)


REDUCTIONS = {"none", "sum", "mean"}


def legacy_reduction(reduction, legacy):
    """PyTorch's deprecated size_average / reduce: when either is given, they decide and
    `reduction` is ignored (None counts as True): both -> 'mean', reduce -> 'sum', else 'none'."""
    if legacy is None:
        return reduction
    size_average, reduce = legacy
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "mean" if (size_average and reduce) else "sum" if reduce else "none"


LEGACY = st.one_of(st.none(), st.none(), st.none(), st.none(), st.none(), st.none(),
                   st.tuples(st.sampled_from([None, True, False]), st.sampled_from([None, True, False]))
                   .filter(lambda pair: pair != (None, None)))


def legacy_keywords(legacy):
    return {} if legacy is None else {"size_average": legacy[0], "reduce": legacy[1]}


def check_reduction(problems, reduction, allowed=REDUCTIONS):
    if not (isinstance(reduction, str) and reduction in allowed):
        problems.add(ValueError)


def float_input(problems, x):
    if x.dtype.kind != "f":
        problems.add(TypeError)
        return False
    return True


def real_array(problems, a):
    if a.dtype.kind not in "biuf":
        problems.add(TypeError)
        return False
    return True


def int_argument(problems, value, low=-(2**63), high=2**63 - 1):
    """PyTorch's int arguments: an integer (not a bool) that fits in int64."""
    if isinstance(value, (bool, np.bool_)):
        problems.add(TypeError)
        return None
    try:
        value = operator.index(value)
    except TypeError:
        problems.add(TypeError)
        return None
    if not low <= value <= high:
        problems.add(ValueError)
        return None
    return value


def label_smoothing(problems, eps):
    eps = float(eps)
    if eps > 1.0:  # inf too; NaN and negatives mean no smoothing
        problems.add(ValueError)
    return eps if eps > 0 else 0.0


def reduce_sum(loss, scale):
    with np.errstate(all="ignore"):
        return np.sum(loss), np.sum(scale)


def ratio(numerator, numerator_scale, denominator, denominator_scale):
    """numerator / denominator (numpy's x/0 rules) and the scale of its error."""
    with np.errstate(all="ignore"):
        value = np.float64(numerator) / np.float64(denominator)
        if denominator == 0 or not np.isfinite(denominator):
            return value, 0.0
        scale = (numerator_scale + abs(value) * denominator_scale) / abs(denominator)
        return value, scale


# softmax / log_softmax ----------------------------------------------------------------------

def oracle_softmax(x_arg, dim, dtype_kw, log):
    problems = Problems()
    x = np.asarray(x_arg)
    if dtype_kw is not None:
        if np.dtype(dtype_kw).kind != "f":
            problems.add(TypeError)
            problems.check()
        with np.errstate(over="ignore", invalid="ignore"):
            x = x.astype(dtype_kw)
    float_input(problems, x)
    if dim is None:  # PyTorch's deprecated implicit dim
        dim = 0 if x.ndim in (0, 1, 3) else 1
    d = int_argument(problems, dim)
    ndim = max(x.ndim, 1)
    if d is not None and not -ndim <= d < ndim:
        problems.add(IndexError)
    problems.check()
    compute = compute_dtype(x.dtype)
    xv = in_compute(x, compute).reshape(x.shape if x.ndim else (1,))
    axis = d % ndim
    shifted, lse, lp = ref_log_softmax_parts(xv, axis)
    with np.errstate(all="ignore"):
        if log:
            value = lp
            scale = finite_abs(shifted) + finite_abs(lse) + 1
        else:
            value = np.exp(shifted) / np.exp(lse)
            scale = finite_abs(value) * (2 + finite_abs(shifted)) + finite_abs(value) * np.log1p(xv.shape[axis])
    return Expected(value.reshape(x.shape), scale.reshape(x.shape), native(x.dtype), compute)


# nll_loss / cross_entropy -------------------------------------------------------------------

def class_layout(problems, ishape, tshape):
    """(classes, 'none' shape) with swiftloss's (PyTorch's) shape checks, or None."""
    nd = len(ishape)
    if nd < 1:
        problems.add(ValueError)
        return None
    if nd == 1:
        if len(tshape) != 0 and tuple(tshape) != (1,):  # PyTorch takes a (1,) target as 0-d
            problems.add(ValueError)
            return None
        return ishape[0], ()
    if len(tshape) == 0 or tshape[0] != ishape[0]:
        problems.add(ValueError)
        return None
    if nd == 2 and len(tshape) != 1:
        problems.add(ValueError)
        return None
    if nd > 2 and tuple(tshape[1:]) != tuple(ishape[2:]):
        problems.add(ValueError)
        return None
    return ishape[1], tuple(tshape)


def class_weight(problems, w_arg, classes, ndim, compute, probabilities):
    if w_arg is None:
        return None
    w = np.asarray(w_arg)
    if not real_array(problems, w):
        return None
    if classes is None:
        return None
    if w.size != classes or (w.ndim != 1 and (ndim <= 2 or probabilities)):
        problems.add(ValueError)
        return None
    return in_compute(w, compute).reshape(-1)


def oracle_class_loss(function, x_arg, t_arg, w_arg, ignore_index, reduction, eps_arg):
    """nll_loss or cross_entropy (class indices or probabilities, as the shapes decide)."""
    problems = Problems()
    check_reduction(problems, reduction)
    x = np.asarray(x_arg)
    is_float = float_input(problems, x)
    t = np.asarray(t_arg)
    ignore = int_argument(problems, ignore_index)
    compute = compute_dtype(x.dtype) if is_float else np.dtype(np.float64)
    if function == "cross_entropy" and t.shape == x.shape:
        return oracle_probabilities(problems, x, t, w_arg, ignore, reduction, eps_arg, compute)
    eps = label_smoothing(problems, eps_arg) if function == "cross_entropy" else 0.0
    if t.dtype.kind not in "iu":
        problems.add(TypeError)
    elif t.dtype == np.uint64 and t.size and int(t.max()) > 2**63 - 1:
        problems.add(IndexError)  # named before the shapes are checked (any order will do)
    layout = class_layout(problems, x.shape, t.shape)
    classes = layout[0] if layout else None
    w = class_weight(problems, w_arg, classes, x.ndim, compute, False)
    if problems.types or layout is None:
        problems.check()
    classes, out_shape = layout
    T = [int(v) for v in t.reshape(-1).tolist()]
    counted = np.array([v != ignore for v in T], dtype=bool)
    if any(c and not 0 <= v < classes for v, c in zip(T, counted)):
        problems.add(IndexError)
    problems.check()

    samples = len(T)
    ww = np.ones(classes) if w is None else w
    safe = np.array([v if c else 0 for v, c in zip(T, counted)], dtype=np.int64)
    X = rows(in_compute(x, compute)) if classes else np.zeros((samples, 0))
    with np.errstate(all="ignore"):
        if function == "nll_loss":
            lp = X
            lp_scale = finite_abs(X)
        else:
            shifted, lse, lp = ref_log_softmax_parts(X, 1)
            lp_scale = finite_abs(shifted) + finite_abs(lse) + 1
        if classes == 0:
            nll = np.zeros(samples)
            nll_scale = np.zeros(samples)
            wt = np.zeros(samples)
        else:
            wt = ww[safe]
            picked = lp[np.arange(samples), safe]
            nll = np.where(counted, -(wt * picked), 0.0)
            nll_scale = np.where(counted, finite_abs(wt) * lp_scale[np.arange(samples), safe], 0.0)
        risky_terms = [nll]
        if function != "nll_loss" and classes:
            risky_terms.append(shifted)  # x - M overflows in float32: -inf, then 0 * -inf
        if eps > 0:
            weighted = lp * ww
            smooth = np.where(counted, -np.sum(weighted, axis=1), 0.0) if classes else np.full(samples, np.nan)
            smooth_scale = np.where(counted, np.sum(finite_abs(ww) * lp_scale, axis=1), 0.0) if classes else np.zeros(samples)
            loss = (1 - eps) * nll + (eps / classes if classes else np.inf) * smooth
            scale = (1 - eps) * nll_scale + (eps / classes if classes else 0) * smooth_scale
            risky_terms += [weighted, smooth, np.sum(finite_abs(weighted), axis=1) if classes else 0]
        else:
            loss, scale = nll, nll_scale
        risky_rows = row_risk(compute, samples, *risky_terms)
        if reduction == "none":
            value = loss.reshape(out_shape)
            return Expected(value, scale.reshape(out_shape), native(x.dtype), compute,
                            risky_rows.reshape(out_shape))
        risky = bool(np.any(risky_rows)) or bool(overflow_risk(compute, np.sum(scale)))
        if reduction == "sum":
            total, total_scale = reduce_sum(loss, scale)
            if eps > 0 and classes == 0:  # PyTorch: (eps / 0) * sum(smooth) = inf * 0
                total = np.nan
            return Expected(total, total_scale, native(x.dtype), compute, risky)
        # mean: each part divided by the summed weight of the counted targets (0/0 = NaN)
        denominator = np.sum(np.where(counted, wt, 0.0), dtype=np.float64) if classes else 0.0
        den_scale = np.sum(np.where(counted, finite_abs(wt), 0.0)) if classes else 0.0
        risky = risky or bool(overflow_risk(compute, den_scale))
        # Weights that cancel in the sum (-1 + 1 + 1e-45 in float32): the summation order
        # decides between a tiny divisor and 0 (NaN); PyTorch's is not swiftloss's.
        cancel = K_ULPS[compute] * float(np.finfo(compute).eps) * den_scale
        risky = risky or bool(den_scale > 0 and abs(denominator) <= cancel)
        if classes == 0:
            return Expected(np.nan, 0.0, native(x.dtype), compute, risky)
        # Each product w * log-probability may round to the subnormal grid (half the smallest
        # subnormal), which a tiny summed weight magnifies: with weight [1e-45] and input [1.5]
        # float32 gives -2.0, not -1.5 (PyTorch too).
        floor = int(np.sum(counted)) * subnormal_floor(compute)
        value, vscale = ratio(np.sum((1 - eps) * nll), np.sum((1 - eps) * nll_scale) + floor, denominator, den_scale)
        if eps > 0:
            s_value, s_scale = ratio(np.sum(smooth), np.sum(smooth_scale) + classes * floor, denominator, den_scale)
            value = value + (eps / classes) * s_value
            vscale = vscale + (eps / classes) * s_scale
        return Expected(value, vscale, native(x.dtype), compute, risky)


def oracle_probabilities(problems, x, t, w_arg, ignore, reduction, eps_arg, compute):
    if t.dtype.kind != "f":
        problems.add(TypeError)
    if ignore is not None and ignore >= 0:
        problems.add(ValueError)
    if x.ndim < 1:
        problems.add(ValueError)
        problems.check()
    classes = x.shape[1] if x.ndim > 1 else x.shape[0]
    w = class_weight(problems, w_arg, classes, x.ndim, compute, True)
    eps = label_smoothing(problems, eps_arg)
    problems.check()
    out_shape = (x.shape[0],) + tuple(x.shape[2:]) if x.ndim > 1 else ()
    samples = int(np.prod(out_shape, dtype=np.int64))
    ww = np.ones(classes) if w is None else w
    with np.errstate(all="ignore"):
        X = rows(in_compute(x, compute))
        Q = rows(in_compute(t, compute))
        if eps > 0 and classes:
            Q = (1 - eps) * Q + eps / classes
        shifted, lse, lp = ref_log_softmax_parts(X, 1)
        lp_scale = finite_abs(shifted) + finite_abs(lse) + 1
        # PyTorch's order: -(log_softmax * target * weight).sum(class axis)
        terms = lp * Q * ww
        loss = -np.sum(terms, axis=1)
        # lp * q' may round to the subnormal grid (or to 0) before the weight multiplies it
        scale = np.sum(finite_abs(Q * ww) * lp_scale + finite_abs(ww) * subnormal_floor(compute), axis=1)
        risky_rows = row_risk(compute, X.shape[0], shifted, lp * Q, Q * ww, terms, np.sum(finite_abs(terms), axis=1))
        if reduction == "none":
            return Expected(loss.reshape(out_shape), scale.reshape(out_shape), native(x.dtype), compute,
                            risky_rows.reshape(out_shape) if samples else np.zeros(out_shape, bool))
        risky = bool(np.any(risky_rows)) or bool(overflow_risk(compute, np.sum(scale)))
        total, total_scale = reduce_sum(loss, scale)
        if reduction == "sum":
            return Expected(total, total_scale, native(x.dtype), compute, risky)
        if x.size == 0:  # PyTorch: the mean of an input of no elements is NaN
            return Expected(np.nan, 0.0, native(x.dtype), compute, risky)
        return Expected(total / samples, total_scale / samples, native(x.dtype), compute, risky)


# binary_cross_entropy, binary_cross_entropy_with_logits, kl_div ------------------------------

def elementwise_weight(problems, w_arg, shape, compute):
    """A weight / pos_weight that broadcasts to shape (not beyond it), as float64 of shape."""
    if w_arg is None:
        return None
    w = np.asarray(w_arg)
    if not real_array(problems, w):
        return None
    try:
        if np.broadcast_shapes(tuple(shape), w.shape) != tuple(shape):
            raise ValueError
    except ValueError:
        problems.add(ValueError)
        return None
    return np.broadcast_to(in_compute(w, compute), shape)


def reduce_elementwise(loss, scale, reduction, dtype, compute, risky_elements, divisor=None):
    if reduction == "none":
        return Expected(loss, scale, dtype, compute, risky_elements)
    risky = bool(np.any(risky_elements)) or bool(overflow_risk(compute, np.sum(scale)))
    total, total_scale = reduce_sum(loss, scale)
    if reduction == "sum":
        return Expected(total, total_scale, dtype, compute, risky)
    if divisor is None:
        divisor = loss.size
    with np.errstate(all="ignore"):
        return Expected(np.float64(total) / divisor, total_scale / divisor if divisor else 0.0, dtype, compute, risky)


def oracle_bce(x_arg, t_arg, w_arg, reduction):
    problems = Problems()
    check_reduction(problems, reduction)
    x = np.asarray(x_arg)
    is_float = float_input(problems, x)
    t = np.asarray(t_arg)
    real_array(problems, t)
    compute = compute_dtype(x.dtype) if is_float else np.dtype(np.float64)
    if t.shape != x.shape:
        problems.add(ValueError)
    w = elementwise_weight(problems, w_arg, x.shape, compute)
    if problems.types:
        problems.check()
    xv, tv = in_compute(x, compute), in_compute(t, compute)
    with np.errstate(invalid="ignore"):
        if not np.all((xv >= 0) & (xv <= 1)) or not np.all((tv >= 0) & (tv <= 1)):
            problems.add(ValueError)
    problems.check()
    with np.errstate(all="ignore"):
        log_x = np.maximum(np.log(xv), -100.0)
        # PyTorch takes log1p(-x), not log(1 - x): x = 1e-45, t = 0 gives 1e-45, not 0
        log_1mx = np.maximum(np.log1p(-xv), -100.0)
        inner = tv * log_x + (1 - tv) * log_1mx
        ww = 1.0 if w is None else w
        loss = -(ww * inner) if w is not None else -inner
        scale = finite_abs(ww) * (finite_abs(tv * log_x) + finite_abs((1 - tv) * log_1mx) + 1)
        risky = overflow_risk(compute, loss)
    return reduce_elementwise(loss, np.broadcast_to(scale, x.shape), reduction, native(x.dtype), compute,
                              np.broadcast_to(risky, x.shape))


def softplus(z):
    with np.errstate(all="ignore"):
        return np.logaddexp(0.0, z)


def oracle_bce_with_logits(x_arg, t_arg, w_arg, pw_arg, reduction):
    problems = Problems()
    check_reduction(problems, reduction)
    x = np.asarray(x_arg)
    is_float = float_input(problems, x)
    t = np.asarray(t_arg)
    real_array(problems, t)
    compute = compute_dtype(x.dtype) if is_float else np.dtype(np.float64)
    if t.shape != x.shape:
        problems.add(ValueError)
    w = elementwise_weight(problems, w_arg, x.shape, compute)
    pw = elementwise_weight(problems, pw_arg, x.shape, compute)
    problems.check()
    xv, tv = in_compute(x, compute), in_compute(t, compute)
    ww = np.ones(x.shape) if w is None else w
    pww = np.ones(x.shape) if pw is None else pw
    with np.errstate(all="ignore"):
        pos = pww * tv * softplus(-xv)
        neg = (1 - tv) * softplus(xv)
        stable = pos + neg
        # Where x, t or the log weight is not finite PyTorch's formula itself decides (NaN where
        # it meets inf - inf or 0 * inf): (1 - t) x + lw softplus(-x) with lw = 1 + (pw - 1) t,
        # lw = 1 without a pos_weight (then t = inf gives -inf, with any pos_weight NaN).
        log_weight = 1 + (pww - 1) * tv if pw is not None else np.ones(x.shape)
        literal = (1 - tv) * xv + log_weight * softplus(-xv)
        nonfinite = ~(np.isfinite(xv) & np.isfinite(tv) & np.isfinite(log_weight))
        unweighted = np.where(nonfinite, literal, stable)
        loss = ww * unweighted
        # PyTorch (and swiftloss) evaluate (1 - t) x - lw logsigmoid(x): its rounding error is
        # relative to those two terms, which cancel for large negative x (x = -1e30, t = 2^-9
        # in float32 is 1.5e-5 off the exact t * 1e30 in both).
        scale = (finite_abs(ww * pos) + finite_abs(ww * neg) + finite_abs(ww * (1 - tv) * xv)
                 + finite_abs(ww * (1 + finite_abs((pww - 1) * tv)) * softplus(-xv)) + finite_abs(ww))
        risky = overflow_risk(compute, pos, neg, loss, pww * tv, ww * stable)
        # PyTorch's own terms (1 - t) x and lw softplus(-x) near or beyond overflow for finite
        # arguments: they cancel to nothing (x = -1.7e308, t = 1e-300: both libraries give 0,
        # the exact answer is 1.7e8) or overflow to inf - inf = NaN (t = -0.5, pos_weight 0).
        limit = float(np.finfo(compute).max) / 4
        for term in ((1 - tv) * xv, log_weight * softplus(-xv)):
            risky = risky | (~nonfinite & ~(np.abs(term) < limit))
        # PyTorch's formula may cancel to exactly 0 where the stable one is a few ulps above
        # (x = -15, t = 0 in float32): times an infinite weight that is NaN, not +-inf.
        unweighted_scale = (finite_abs(pos) + finite_abs(neg) + finite_abs((1 - tv) * xv)
                            + finite_abs((1 + finite_abs((pww - 1) * tv)) * softplus(-xv)) + 1)
        near_zero = finite_abs(unweighted) <= K_ULPS[compute] * float(np.finfo(compute).eps) * unweighted_scale
        risky = risky | (~np.isfinite(ww) & near_zero)
    return reduce_elementwise(loss, scale, reduction, native(x.dtype), compute, risky)


def oracle_kl_div(x_arg, t_arg, reduction, log_target):
    problems = Problems()
    check_reduction(problems, reduction, REDUCTIONS | {"batchmean"})
    x = np.asarray(x_arg)
    is_float = float_input(problems, x)
    t = np.asarray(t_arg)
    real_array(problems, t)
    compute = compute_dtype(x.dtype) if is_float else np.dtype(np.float64)
    try:
        shape = np.broadcast_shapes(x.shape, t.shape)
    except ValueError:
        problems.add(ValueError)
    problems.check()
    xv = np.broadcast_to(in_compute(x, compute), shape)
    tv = np.broadcast_to(in_compute(t, compute), shape)
    with np.errstate(all="ignore"):
        if log_target:
            e = np.exp(tv)
            loss = e * (tv - xv)
            scale = finite_abs(e) * (finite_abs(tv) + finite_abs(xv) + 1)
            risky = overflow_risk(compute, e, tv - xv, loss)
        else:
            xlogy = np.where(tv == 0, 0.0, tv * np.log(tv))
            xlogy = np.where(np.isnan(tv), np.nan, xlogy)
            cross = tv * xv
            loss = xlogy - cross
            scale = finite_abs(xlogy) + finite_abs(cross) + finite_abs(tv)
            risky = overflow_risk(compute, xlogy, cross, loss)
    if reduction == "batchmean":
        if x.ndim == 0:
            return reduce_elementwise(loss, scale, "sum", native(x.dtype), compute, risky)
        return reduce_elementwise(loss, scale, "mean", native(x.dtype), compute, risky, divisor=x.shape[0])
    return reduce_elementwise(loss, scale, reduction, native(x.dtype), compute, risky)


# ------------------------------------------------------------------------------------------
# Strategies: values, shapes, layouts
# ------------------------------------------------------------------------------------------

FLOAT_DTYPES = [np.float32, np.float64]
OTHER_FLOAT_DTYPES = [np.float16, np.longdouble]
NON_FLOAT_DTYPES = [np.int64, np.int32, np.uint8, np.bool_]

SPECIAL_FINITE = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-45, 1e-40, 1.1754944e-38, 1e-30, 1e30, -1e30,
                  3e38, -3e38, 5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e300, -1e300,
                  1.7e308, -1.7e308]
NON_FINITE = [math.inf, -math.inf, math.nan]


def width_of(dtype):
    return {2: 16, 4: 32}.get(np.dtype(dtype).itemsize, 64)


def representable(values, dtype):
    """The values as the dtype holds them (no overflow to inf: those are dropped)."""
    out = []
    dtype = np.dtype(dtype) if np.dtype(dtype).itemsize <= 8 else np.dtype(np.float64)
    with np.errstate(over="ignore"):
        for v in values:
            c = float(dtype.type(v))
            if math.isfinite(c) or not math.isfinite(v):
                out.append(c)
    return sorted(set(out), key=lambda v: (math.isnan(v), abs(v) if not math.isnan(v) else 0, v))


def float_elements(dtype, regime, low=-8.0, high=8.0, specials=None):
    """Elements for an array of dtype: plain values in [low, high]; with regime 'extreme' also
    huge, tiny and subnormal ones; with 'nonfinite' also inf and NaN."""
    width = width_of(dtype)
    base = st.floats(low, high, width=width, allow_nan=False, allow_infinity=False)
    if regime == "plain":
        return base
    pool = list(SPECIAL_FINITE if specials is None else specials)
    if regime == "nonfinite":
        pool += NON_FINITE
    return st.one_of(base, st.sampled_from(representable(pool, dtype)))


def element_array(draw, dtype, shape, regime, low=-8.0, high=8.0, specials=None):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return draw(hnp.arrays(dtype, shape))
    if dtype.kind in "iu":
        lo = max(int(np.iinfo(dtype).min), int(math.floor(low)))
        hi = min(int(np.iinfo(dtype).max), int(math.ceil(high)))
        return draw(hnp.arrays(dtype, shape, elements=st.integers(lo, hi)))
    gen = np.float64 if dtype == np.longdouble else dtype
    array = draw(hnp.arrays(gen, shape, elements=float_elements(gen, regime, low, high, specials)))
    return array.astype(dtype)


LAYOUTS = ["C", "C", "C", "fortran", "strided", "negative", "transposed", "zero_stride",
           "readonly", "swapped", "list"]


def garbage_for(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind in "fc":
        return np.nan
    if dtype.kind == "b":
        return True
    return np.iinfo(dtype).max


def relayout(a, how):
    """The same logical array (zero_stride: its first row repeated) in another memory layout."""
    a = np.asarray(a)
    if a.ndim == 0 and how in ("fortran", "strided", "negative", "transposed", "zero_stride"):
        how = "C"
    # (np.ascontiguousarray / np.asfortranarray would make a 0-d array 1-d)
    if how == "C":
        return np.array(a, order="C")
    if how == "fortran":
        return np.array(a, order="F")
    if how == "strided":
        big = np.full(tuple(2 * s + 1 for s in a.shape), garbage_for(a.dtype), dtype=a.dtype)
        view = big[tuple(slice(1, None, 2) for _ in a.shape)]
        view[...] = a
        return view
    if how == "negative":
        flip = (slice(None, None, -1),) * a.ndim
        return np.array(a[flip], order="C")[flip]
    if how == "transposed":
        b = np.empty(a.shape[::-1], a.dtype).T
        b[...] = a
        return b
    if how == "zero_stride":
        if a.shape[0] == 0:
            return a
        return np.broadcast_to(a[:1], a.shape)
    if how == "readonly":
        b = a.copy()
        b.flags.writeable = False
        return b
    if how == "swapped":
        if a.dtype.itemsize == 1:
            return a.copy()
        return a.astype(a.dtype.newbyteorder())
    if how == "list":
        return a.tolist()
    raise AssertionError(how)


SAME_VALUE_LAYOUTS = ["C", "fortran", "strided", "negative", "transposed", "readonly", "swapped"]


def laid_out(draw, a, name):
    how = draw(st.sampled_from(LAYOUTS), label=f"layout of {name}")
    return relayout(a, how)


def small_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


@st.composite
def input_dtypes(draw, allow_non_float=True):
    kind = draw(st.sampled_from(["main"] * 8 + ["other"] + (["non_float"] if allow_non_float else [])))
    if kind == "main":
        return np.dtype(draw(st.sampled_from(FLOAT_DTYPES)))
    if kind == "other":
        return np.dtype(draw(st.sampled_from(OTHER_FLOAT_DTYPES)))
    return np.dtype(draw(st.sampled_from(NON_FLOAT_DTYPES)))


REGIMES = st.sampled_from(["plain", "plain", "extreme", "nonfinite"])


# ------------------------------------------------------------------------------------------
# Running a case
# ------------------------------------------------------------------------------------------

def snapshot(args):
    return [(a, np.array(a, copy=True)) for a in args if isinstance(a, np.ndarray)]


def assert_untouched(saved):
    for original, copy in saved:
        assert original.dtype == copy.dtype and original.shape == copy.shape
        assert original.tobytes() == copy.tobytes(), "an input was modified"


def run_case(test, oracle, call, arrays):
    """Run call() and hold it to oracle()'s verdict; count the outcome."""
    try:
        expected = oracle()
    except Raises as verdict:
        note(f"expected one of {[t.__name__ for t in verdict.types]}")
        saved = snapshot(arrays)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(verdict.types):
                call()
        assert_untouched(saved)
        count(test, "raised")
        return
    saved = snapshot(arrays)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = call()
    assert_untouched(saved)
    count(test, assert_matches(result, expected, test))


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------

@given(st.data())
def test_softmax_and_log_softmax(data):
    draw = data.draw
    log = draw(st.booleans(), label="log")
    dtype = draw(input_dtypes())
    shape = draw(small_shapes(max_side=5))
    regime = draw(REGIMES)
    low, high = (-30.0, 30.0) if regime != "plain" else (-8.0, 8.0)
    x = laid_out(draw, element_array(draw, dtype, shape, regime, low, high), "input")
    ndim = max(len(shape), 1)
    dim = draw(st.one_of(st.integers(-ndim, ndim - 1), st.integers(-ndim - 2, ndim + 1),
                         st.sampled_from([True, np.int64(0), np.int32(-1), None])), label="dim")
    dtype_kw = draw(st.sampled_from([None] * 6 + [np.float32, np.float64, np.int64]), label="dtype")
    module = draw(st.booleans(), label="via module")
    function = F.log_softmax if log else F.softmax
    name = "log_softmax" if log else "softmax"

    def call():
        if module and dtype_kw is None:
            return (swiftloss.LogSoftmax if log else swiftloss.Softmax)(dim)(x)
        return function(x, dim, dtype=dtype_kw)

    run_case(name, lambda: oracle_softmax(x, dim, dtype_kw, log), call, [x])


def faults(draw, kinds):
    """Which faults an example has: none (most examples), one, or several at once."""
    choice = draw(st.sampled_from(["none"] * 6 + ["one"] * 3 + ["several"]), label="faults")
    if choice == "none":
        return set()
    if choice == "one":
        return {draw(st.sampled_from(kinds), label="fault")}
    return set(draw(st.lists(st.sampled_from(kinds), min_size=2, max_size=3, unique=True), label="fault"))


CLASS_FAULTS = ["input_dtype", "ndim0", "ignore_index", "weight_size", "weight_dtype", "reduction",
                "label_smoothing", "target_shape", "target_dtype", "target_value"]


@st.composite
def class_case(draw, probabilities):
    """(input, target, weight, ignore_index, reduction, label_smoothing) for nll_loss /
    cross_entropy: mostly valid calls (zero classes and empty batches included), else with
    one or several faults."""
    bad = faults(draw, CLASS_FAULTS if not probabilities else
                 [f for f in CLASS_FAULTS if f not in ("target_value", "target_shape")])
    dtype = np.dtype(draw(st.sampled_from(NON_FLOAT_DTYPES))) if "input_dtype" in bad else draw(input_dtypes(False))
    regime = draw(REGIMES)
    nd = 0 if "ndim0" in bad else draw(st.sampled_from([1, 2, 2, 2, 3, 4]), label="input ndim")
    classes = draw(st.integers(0, 5) if draw(st.integers(0, 9)) == 0 else st.integers(1, 5), label="C")
    batch = draw(st.integers(0, 4), label="N")
    spatial = tuple(draw(st.lists(st.integers(0, 3), min_size=max(nd - 2, 0), max_size=max(nd - 2, 0))))
    ishape = {0: (), 1: (classes,)}.get(nd, (batch, classes) + spatial)
    x = element_array(draw, dtype, ishape, regime)
    if "ignore_index" in bad:
        odd = [2**64, -(2**63) - 1, True, np.bool_(False), 1.0] + ([0, 1, 255] if probabilities else [])
        ignore_index = draw(st.sampled_from(odd), label="ignore_index")
    elif probabilities:
        ignore_index = draw(st.sampled_from([-100, -1, -(2**63)]), label="ignore_index")
    else:
        ignore_index = draw(st.sampled_from([-100, -100, -1, 0, 1, 255, 2**63 - 1, -(2**63), np.int64(1)]),
                            label="ignore_index")
    if probabilities:
        if "target_dtype" in bad:
            target = element_array(draw, np.dtype(draw(st.sampled_from(NON_FLOAT_DTYPES))), ishape, "plain", 0, 1)
        else:
            tdtype = draw(st.sampled_from([np.float32, np.float64, np.float32, np.float64, np.float16]))
            target = element_array(draw, tdtype, ishape, regime, 0.0, 1.0,
                                   specials=[0.0, 1.0, 1e-45, 1e-300, 0.5, 3e38, -1.0])
    else:
        tshape = () if nd <= 1 else (batch,) + spatial
        if "target_shape" in bad:
            tshape = draw(small_shapes(max_dims=3).filter(lambda s: s != tshape))
        if "target_dtype" in bad:
            tdtype = draw(st.sampled_from([np.float32, np.float64, np.bool_]))
        else:
            tdtype = draw(st.sampled_from([np.int64] * 6 + [np.int32, np.uint8, np.int16, np.uint64]))
        size = int(np.prod(tshape, dtype=np.int64))
        if np.dtype(tdtype).kind in "iu":
            info = np.iinfo(tdtype)
            in_range = st.integers(0, min(max(classes - 1, 0), int(info.max)))
            choices = in_range
            if isinstance(ignore_index, (int, np.integer)) and not isinstance(ignore_index, (bool, np.bool_)) \
                    and info.min <= int(ignore_index) <= info.max:
                choices = st.one_of(in_range, in_range, st.just(int(ignore_index)))
            values = draw(st.lists(choices, min_size=size, max_size=size), label="targets")
            if "target_value" in bad and size:
                ignored = int(ignore_index) if isinstance(ignore_index, (int, np.integer)) else None
                odd = [v for v in [-1, -100, classes, classes + 3, 255, int(info.max)]
                       if info.min <= v <= info.max and v != ignored]
                if odd:
                    values[draw(st.integers(0, size - 1))] = draw(st.sampled_from(odd))
            target = np.array(values, dtype=tdtype).reshape(tshape)
        else:
            target = element_array(draw, tdtype, tshape, "plain", 0, max(classes - 1, 0))
    weight = None
    if "weight_size" in bad:
        wshape = draw(st.sampled_from([(classes + 1,), (1, classes), (classes, 1), ()]))
        weight = element_array(draw, np.float64, wshape, "plain", 0.0, 3.0)
    elif "weight_dtype" in bad:
        weight = np.ones(classes, dtype=np.complex64)
    elif draw(st.booleans(), label="weighted"):
        wdtype = draw(st.sampled_from([dtype if dtype.kind == "f" else np.float64, np.float64, np.int64, np.bool_]))
        weight = element_array(draw, wdtype, (classes,), regime, -1.0, 3.0,
                               specials=[0.0, -0.0, 1e-45, 1e-30, 1e30, -1.0, 1.0, 3e38])
        weight = laid_out(draw, weight, "weight")
    if "reduction" in bad:
        reduction = draw(st.sampled_from(["batchmean", "avg", None, "MEAN"]), label="reduction")
    else:
        reduction = draw(st.sampled_from(["mean", "sum", "none"]), label="reduction")
    if "label_smoothing" in bad:
        eps = draw(st.sampled_from([1.5, math.inf, 1.0000001]), label="label_smoothing")
    else:
        eps = draw(st.sampled_from([0.0, 0.0, 0.1, 0.5, 1.0, -0.5, math.nan, -math.inf]), label="label_smoothing")
    x = laid_out(draw, x, "input")
    target = laid_out(draw, target, "target")
    return x, target, weight, ignore_index, reduction, eps, draw(LEGACY, label="size_average, reduce")


def class_call(function, module, x, t, w, ignore_index, reduction, eps, legacy):
    more = legacy_keywords(legacy)
    if function == "nll_loss":
        if module:
            return lambda: swiftloss.NLLLoss(weight=w, ignore_index=ignore_index, reduction=reduction, **more)(x, t)
        return lambda: F.nll_loss(x, t, weight=w, ignore_index=ignore_index, reduction=reduction, **more)
    if module:
        return lambda: swiftloss.CrossEntropyLoss(weight=w, ignore_index=ignore_index, reduction=reduction,
                                                  label_smoothing=eps, **more)(x, t)
    return lambda: F.cross_entropy(x, t, weight=w, ignore_index=ignore_index, reduction=reduction,
                                   label_smoothing=eps, **more)


@given(class_case(probabilities=False), st.booleans())
def test_nll_loss(case, module):
    x, t, w, ignore_index, reduction, eps, legacy = case
    effective = legacy_reduction(reduction, legacy)
    run_case("nll_loss", lambda: oracle_class_loss("nll_loss", x, t, w, ignore_index, effective, eps),
             class_call("nll_loss", module, x, t, w, ignore_index, reduction, eps, legacy), [x, t, w])


@given(class_case(probabilities=False), st.booleans())
@example(  # weights that cancel: -1 + 1 + 1e-45 is 1e-45 or 0 (NaN) by summation order
    case=(np.zeros((1, 4, 2, 2), np.float32), np.array([[[0, 1], [3, 2]]]),
          np.array([0.0, -1.0, 1e-45, 1.0], np.float32), -100, "mean", 0.0, None), module=False)
def test_cross_entropy_class_indices(case, module):
    x, t, w, ignore_index, reduction, eps, legacy = case
    effective = legacy_reduction(reduction, legacy)
    run_case("cross_entropy", lambda: oracle_class_loss("cross_entropy", x, t, w, ignore_index, effective, eps),
             class_call("cross_entropy", module, x, t, w, ignore_index, reduction, eps, legacy), [x, t, w])


@given(class_case(probabilities=True), st.booleans())
@example(  # lp * q' overflows to -inf, then times a zero weight: NaN, as PyTorch (was 0)
    case=(np.array([-1e300, 0.0]), np.array([3e38, 0.0], np.float32), np.array([0.0, 0.0]), -100, "mean", 0.0, None),
    module=False)
def test_cross_entropy_probabilities(case, module):
    x, q, w, ignore_index, reduction, eps, legacy = case
    effective = legacy_reduction(reduction, legacy)
    run_case("cross_entropy(probabilities)",
             lambda: oracle_class_loss("cross_entropy", x, q, w, ignore_index, effective, eps),
             class_call("cross_entropy", module, x, q, w, ignore_index, reduction, eps, legacy), [x, q, w])


ELEMENT_FAULTS = ["input_dtype", "target_shape", "target_dtype", "weight_shape", "weight_dtype", "reduction"]


@st.composite
def elementwise_case(draw, unit_input, target_range):
    """(input, target, weight, pos_weight, reduction) for the binary cross-entropies: mostly
    valid calls, else with one or several faults (for binary_cross_entropy also values
    outside [0, 1])."""
    bad = faults(draw, ELEMENT_FAULTS + (["range"] if unit_input else []))
    dtype = np.dtype(draw(st.sampled_from(NON_FLOAT_DTYPES))) if "input_dtype" in bad else draw(input_dtypes(False))
    regime = draw(REGIMES)
    shape = draw(small_shapes(max_side=4))
    out_of_range = "range" in bad and draw(st.booleans(), label="input out of range")
    if unit_input:
        specials = [0.0, 1.0, 1e-45, 1e-300, 0.5, 1 - 2**-24, 2**-24] + ([-0.5, 1.5, math.nan, -1e-45] if out_of_range else [])
        x = element_array(draw, dtype, shape, "extreme" if regime != "plain" or out_of_range else "plain", 0.0, 1.0, specials)
    else:
        x = element_array(draw, dtype, shape, regime, -30.0, 30.0)
    tshape = draw(small_shapes(max_dims=3).filter(lambda s: s != shape)) if "target_shape" in bad else shape
    if "target_dtype" in bad:
        t = np.ones(tshape, dtype=np.complex128)
    else:
        tdtype = draw(st.sampled_from([dtype if dtype.kind == "f" else np.float64] * 4 + [np.float64, np.float32, np.int64, np.bool_]))
        low, high = target_range
        t_bad = "range" in bad and not out_of_range
        t_specials = [0.0, 1.0, 1e-45, 1e-300, 0.5] + ([-0.5, 1.5, math.nan, math.inf] if t_bad or low < 0 else [])
        t = element_array(draw, tdtype, tshape, "extreme" if regime != "plain" or t_bad else "plain", low, high, t_specials)

    def weight_like(name):
        if f"weight_dtype" in bad and draw(st.booleans()):
            return np.ones(shape[-1:], dtype=np.complex64)
        kinds = ["none", "none", "trailing", "full", "scalar", "column", "ones"]
        if "weight_shape" in bad:
            kinds = ["bad", "more_dims"]
        how = draw(st.sampled_from(kinds), label=name)
        if how == "none":
            return None
        wshape = {
            "trailing": shape[-1:],
            "full": shape,
            "scalar": (),
            "column": (shape[0],) + (1,) * (len(shape) - 1) if shape else (),
            "ones": (1,) * len(shape),
            "bad": (shape[-1] + 1,) if shape else (2,),
            "more_dims": (1,) + shape,
        }[how]
        wdtype = draw(st.sampled_from([dtype if dtype.kind == "f" else np.float64, np.float64, np.int64, np.bool_]))
        w = element_array(draw, wdtype, wshape, regime, 0.0, 3.0,
                          specials=[0.0, 1e-45, 1e-30, 1e30, -1.0, 3e38])
        return laid_out(draw, w, name)

    weight = weight_like("weight")
    pos_weight = weight_like("pos_weight")
    if "reduction" in bad:
        reduction = draw(st.sampled_from(["avg", "batchmean", None, "elementwise"]), label="reduction")
    else:
        reduction = draw(st.sampled_from(["mean", "sum", "none"]), label="reduction")
    return (laid_out(draw, x, "input"), laid_out(draw, t, "target"), weight, pos_weight, reduction,
            draw(LEGACY, label="size_average, reduce"))


@given(elementwise_case(unit_input=True, target_range=(0.0, 1.0)), st.booleans())
def test_binary_cross_entropy(case, module):
    x, t, w, _, reduction, legacy = case
    more = legacy_keywords(legacy)

    def call():
        if module:
            return swiftloss.BCELoss(weight=w, reduction=reduction, **more)(x, t)
        return F.binary_cross_entropy(x, t, weight=w, reduction=reduction, **more)

    run_case("binary_cross_entropy", lambda: oracle_bce(x, t, w, legacy_reduction(reduction, legacy)), call, [x, t, w])


@given(elementwise_case(unit_input=False, target_range=(-1.0, 2.0)), st.booleans())
@example(  # PyTorch's (1 - t) x and logsigmoid(x) near overflow cancel to 0 (exact: 3.4e8)
    case=(np.array(-1.7e308), np.array(1e-300), np.array(2.0), None, "mean", None), module=False)
@example(case=(np.array([-1.7e308, 0.0]), np.array([-0.5, 0.0]), None, np.array([0.0, 0.0]), "mean", None),
         module=False)
def test_binary_cross_entropy_with_logits(case, module):
    x, t, w, pw, reduction, legacy = case
    more = legacy_keywords(legacy)

    def call():
        if module:
            return swiftloss.BCEWithLogitsLoss(weight=w, reduction=reduction, pos_weight=pw, **more)(x, t)
        return F.binary_cross_entropy_with_logits(x, t, weight=w, reduction=reduction, pos_weight=pw, **more)

    run_case("binary_cross_entropy_with_logits",
             lambda: oracle_bce_with_logits(x, t, w, pw, legacy_reduction(reduction, legacy)), call, [x, t, w, pw])


@given(st.data())
def test_kl_div(data):
    draw = data.draw
    dtype = draw(input_dtypes())
    regime = draw(REGIMES)
    shape = draw(small_shapes(max_side=4))
    log_target = draw(st.booleans(), label="log_target")
    x = element_array(draw, dtype, shape, regime, -30.0, 5.0)
    # The target broadcasts against the input (either way), or does not.
    how = draw(st.sampled_from(["same", "same", "same", "prefix", "ones", "other"]), label="target shape")
    if how == "same":
        tshape = shape
    elif how == "prefix":
        tshape = (draw(st.integers(0, 3)),) + shape
    elif how == "ones":
        tshape = tuple(1 if draw(st.booleans()) else s for s in shape)
    else:
        tshape = draw(small_shapes(max_dims=3))
    if how in ("ones",) and draw(st.booleans()):
        shape, tshape = tshape, shape  # the input is the smaller one
        x = element_array(draw, dtype, shape, regime, -30.0, 5.0)
    tdtype = draw(st.sampled_from([dtype if dtype.kind == "f" else np.float64] * 4 + [np.float32, np.int64, np.bool_]))
    low, high = (-20.0, 3.0) if log_target else (0.0, 1.0)
    t = element_array(draw, tdtype, tshape, regime, low, high,
                      specials=[0.0, 1.0, 1e-45, 1e-300, 0.5, -1.0, 1e30, 3e38])
    reduction = draw(st.sampled_from(["mean", "sum", "none", "batchmean", "batchmean", "avg"]), label="reduction")
    x = laid_out(draw, x, "input")
    t = laid_out(draw, t, "target")
    module = draw(st.booleans(), label="via module")
    legacy = draw(LEGACY, label="size_average, reduce")
    more = legacy_keywords(legacy)

    def call():
        if module:
            return swiftloss.KLDivLoss(reduction=reduction, log_target=log_target, **more)(x, t)
        return F.kl_div(x, t, reduction=reduction, log_target=log_target, **more)

    run_case("kl_div", lambda: oracle_kl_div(x, t, legacy_reduction(reduction, legacy), log_target), call, [x, t])


# ------------------------------------------------------------------------------------------
# Gradients (with_grad=True) against the reference gradients of SEMANTICS.md
# ------------------------------------------------------------------------------------------

def upstream(draw, shape, reduction_scalar):
    """grad_output: None (ones) or an array of the result's shape."""
    if draw(st.booleans(), label="grad_output given"):
        g_shape = () if reduction_scalar else shape
        return draw(hnp.arrays(np.float64, g_shape, elements=st.floats(-3, 3, width=32)))
    return None


def grad_expected(value, scale, x_dtype, shape, risky=None):
    compute = compute_dtype(x_dtype)
    at_risk = overflow_risk(compute, value, scale)
    if risky is not None:
        at_risk = at_risk | risky
    return Expected(np.asarray(value).reshape(shape), np.asarray(scale).reshape(shape), native(x_dtype), compute,
                    np.broadcast_to(at_risk, np.shape(value)).reshape(shape))


def check_gradient(test, call, loss_expected, grad_value, grad_scale, x, arrays, risky=None):
    saved = snapshot(arrays)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loss, grad = call()
    assert_untouched(saved)
    assert_matches(loss, loss_expected, test + " loss")
    outcome = assert_matches(grad, grad_expected(grad_value, grad_scale, x.dtype, x.shape, risky),
                             test + " gradient")
    count(test, outcome)


@given(st.data())
def test_gradients_softmax(data):
    draw = data.draw
    log = draw(st.booleans(), label="log")
    dtype = np.dtype(draw(st.sampled_from(FLOAT_DTYPES)))
    shape = draw(small_shapes(min_dims=1, max_side=5))
    regime = draw(st.sampled_from(["plain", "extreme"]))
    x = relayout(element_array(draw, dtype, shape, regime, -20.0, 20.0,
                               specials=[0.0, 1e-45, 1e-30, 1e4, -1e4, 60.0, -60.0]),
                 draw(st.sampled_from(SAME_VALUE_LAYOUTS), label="layout of input"))
    dim = draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    g = upstream(draw, shape, False)
    compute = compute_dtype(dtype)
    xv = in_compute(x, compute)
    shifted, lse, lp = ref_log_softmax_parts(xv, dim)
    gv = np.ones(shape) if g is None else in_compute(g, compute)
    with np.errstate(all="ignore"):
        p = np.exp(lp)
        p_scale = p * (2 + finite_abs(shifted)) + probability_floor(compute)
        if log:
            grad = gv - p * np.sum(gv, axis=dim, keepdims=True)
            scale = np.abs(gv) + p_scale * np.sum(np.abs(gv), axis=dim, keepdims=True)
        else:
            inner = np.sum(gv * p, axis=dim, keepdims=True)
            grad = p * (gv - inner)
            scale = p_scale * (np.abs(gv) + np.sum(np.abs(gv) * p_scale, axis=dim, keepdims=True))
    name = "log_softmax" if log else "softmax"
    function = F.log_softmax if log else F.softmax
    loss_expected = oracle_softmax(x, dim, None, log)
    check_gradient("gradient " + name, lambda: function(x, dim, with_grad=True, grad_output=g),
                   loss_expected, grad, scale, np.asarray(x), [x, g])


@st.composite
def valid_class_case(draw, probabilities):
    """A call that must succeed: finite values (plain or extreme), valid shapes, targets in
    range or ignored, finite weights (zero and negative included), valid keywords."""
    dtype = np.dtype(draw(st.sampled_from(FLOAT_DTYPES)))
    regime = draw(st.sampled_from(["plain", "plain", "extreme"]))
    nd = draw(st.sampled_from([1, 2, 2, 3, 4]), label="input ndim")
    classes = draw(st.integers(1, 5), label="C")
    batch = draw(st.integers(0, 4), label="N")
    spatial = tuple(draw(st.lists(st.integers(0, 3), min_size=max(nd - 2, 0), max_size=max(nd - 2, 0))))
    ishape = (classes,) if nd == 1 else (batch, classes) + spatial
    specials = [0.0, 1e-45, 1e-30, 1e4, -1e4, 60.0, -60.0]
    x = element_array(draw, dtype, ishape, regime, -20.0, 20.0, specials)
    ignore_index = draw(st.sampled_from([-100, 0, 1, 255]), label="ignore_index")
    if probabilities:
        target = element_array(draw, dtype, ishape, regime, 0.0, 1.0, [0.0, 1.0, 1e-45, 0.5])
    else:
        tshape = () if nd == 1 else (batch,) + spatial
        size = int(np.prod(tshape, dtype=np.int64))
        values = draw(st.lists(st.one_of(st.integers(0, classes - 1), st.just(ignore_index)),
                               min_size=size, max_size=size), label="targets")
        target = np.array(values, dtype=np.int64).reshape(tshape)
    weight = None
    if draw(st.booleans(), label="weighted"):
        weight = element_array(draw, dtype, (classes,), regime, -1.0, 3.0, [0.0, 1e-45, 1e-30, 1e30, 1.0])
        weight = relayout(weight, draw(st.sampled_from(SAME_VALUE_LAYOUTS), label="layout of weight"))
    reduction = draw(st.sampled_from(["mean", "sum", "none"]), label="reduction")
    eps = draw(st.sampled_from([0.0, 0.0, 0.1, 0.5, 1.0, -0.5, math.nan]), label="label_smoothing")
    x = relayout(x, draw(st.sampled_from(SAME_VALUE_LAYOUTS), label="layout of input"))
    target = relayout(target, draw(st.sampled_from(SAME_VALUE_LAYOUTS), label="layout of target"))
    return x, target, weight, (-100 if probabilities else ignore_index), reduction, eps


@given(valid_class_case(probabilities=False), st.data())
def test_gradients_nll_loss(case, data):
    check_class_index_gradient("nll_loss", case, data)


@given(valid_class_case(probabilities=False), st.data())
def test_gradients_cross_entropy_class_indices(case, data):
    check_class_index_gradient("cross_entropy", case, data)


def check_class_index_gradient(function, case, data):
    x, t, w, ignore_index, reduction, eps = case
    try:
        loss_expected = oracle_class_loss(function, x, t, w, ignore_index, reduction, eps)
    except Raises:
        return
    xa, ta = np.asarray(x), np.asarray(t)
    w_values = None if w is None else np.asarray(w, dtype=np.float64)
    # Finite values and weights only (the NaN/inf rules of the gradients are pinned elsewhere).
    if not np.all(np.isfinite(xa.astype(np.float64))) or (w_values is not None and not np.all(np.isfinite(w_values))):
        return
    if xa.ndim == 0 or xa.size == 0:
        return
    compute = compute_dtype(xa.dtype)
    classes = xa.shape[1] if xa.ndim > 1 else xa.shape[0]
    out_shape = () if xa.ndim == 1 else (xa.shape[0],) + tuple(xa.shape[2:])
    g = upstream(data.draw, out_shape, reduction != "none")
    if eps != eps or eps < 0:
        eps_v = 0.0
    else:
        eps_v = float(eps)
    X = rows(in_compute(xa, compute))
    T = ta.astype(np.int64).reshape(-1)
    samples = len(T)
    ww = np.ones(classes) if w is None else in_compute(np.asarray(w), compute).reshape(-1)
    counted = T != ignore_index
    safe = np.where(counted, T, 0)
    wt = ww[safe]
    gv = (np.ones(samples) if reduction == "none" else np.ones(())) if g is None else in_compute(g, compute)
    gv = np.broadcast_to(gv.reshape(-1) if reduction == "none" else gv, (samples,))
    with np.errstate(all="ignore"):
        if reduction == "mean":
            denominator = np.sum(np.where(counted, wt, 0.0))
            den_scale = np.sum(np.where(counted, np.abs(wt), 0.0))
            s = gv / denominator if denominator != 0 else np.zeros(samples)
            s_scale = np.abs(s) * (1 + (den_scale / abs(denominator) if denominator != 0 else 0))
            if denominator != 0:  # w * s products on the subnormal grid, magnified by 1 / D
                s_scale = s_scale + np.abs(gv) * subnormal_floor(compute) / abs(denominator) / np.maximum(np.abs(wt), float(np.finfo(compute).tiny))
        else:
            s, s_scale = gv, np.abs(gv)
        s = np.where(counted, s, 0.0)
        s_scale = np.where(counted, s_scale, 0.0)
        onehot = np.zeros_like(X)
        onehot[np.arange(samples), safe] = 1.0
        # s = g / D beyond the dtype's range (a subnormal summed weight): implementation-defined
        limit = float(np.finfo(compute).max) / 4
        risky_rows = ~np.isfinite(s) | (np.abs(s) >= limit) | (s_scale >= limit)
        if function == "nll_loss":
            grad = np.where(onehot == 1, -(wt * s)[:, None], 0.0)
            scale = np.where(onehot == 1, (np.abs(wt) * s_scale)[:, None], 0.0)
        else:
            shifted, lse, lp = ref_log_softmax_parts(X, 1)
            p = np.exp(lp)
            p_scale = p * (2 + finite_abs(shifted)) + probability_floor(compute)
            W = np.sum(ww)
            grad = ((1 - eps_v) * (s * wt))[:, None] * (p - onehot) + ((eps_v / classes) * s)[:, None] * (p * W - ww)
            coef = np.abs((1 - eps_v) * wt) + (eps_v / classes) * np.sum(np.abs(ww))
            scale = s_scale[:, None] * (coef[:, None] * (p_scale + onehot) + (eps_v / classes) * np.abs(ww))
    grad = unrows(grad, xa.shape)
    scale = unrows(scale, xa.shape)
    risky = unrows(np.broadcast_to(risky_rows[:, None], X.shape), xa.shape)

    def call():
        if function == "nll_loss":
            return F.nll_loss(x, t, weight=w, ignore_index=ignore_index, reduction=reduction,
                              with_grad=True, grad_output=g)
        return F.cross_entropy(x, t, weight=w, ignore_index=ignore_index, reduction=reduction,
                               label_smoothing=eps, with_grad=True, grad_output=g)

    check_gradient("gradient " + function, call, loss_expected, grad, scale, xa, [x, t, w, g], risky)


@given(valid_class_case(probabilities=True), st.data())
def test_gradients_cross_entropy_probabilities(case, data):
    x, q, w, _, reduction, eps = case
    try:
        loss_expected = oracle_class_loss("cross_entropy", x, q, w, -100, reduction, eps)
    except Raises:
        return
    xa, qa = np.asarray(x), np.asarray(q)
    w_values = None if w is None else np.asarray(w, dtype=np.float64)
    compute = compute_dtype(xa.dtype)
    if xa.size == 0 or not np.all(np.isfinite(in_compute(xa, compute))) or not np.all(np.isfinite(in_compute(qa, compute))) \
            or (w_values is not None and not np.all(np.isfinite(in_compute(w_values, compute)))):
        return
    classes = xa.shape[1] if xa.ndim > 1 else xa.shape[0]
    out_shape = () if xa.ndim == 1 else (xa.shape[0],) + tuple(xa.shape[2:])
    g = upstream(data.draw, out_shape, reduction != "none")
    eps_v = float(eps) if eps == eps and eps > 0 else 0.0
    X = rows(in_compute(xa, compute))
    Q = rows(in_compute(qa, compute))
    samples = X.shape[0]
    ww = np.ones(classes) if w is None else in_compute(np.asarray(w), compute).reshape(-1)
    gv = (np.ones(samples) if reduction == "none" else np.ones(())) if g is None else in_compute(g, compute)
    gv = np.broadcast_to(gv.reshape(-1) if reduction == "none" else gv, (samples,))
    with np.errstate(all="ignore"):
        s = gv / samples if reduction == "mean" else gv
        Qs = (1 - eps_v) * Q + eps_v / classes if eps_v > 0 else Q
        shifted, lse, lp = ref_log_softmax_parts(X, 1)
        p = np.exp(lp)
        p_scale = p * (2 + finite_abs(shifted)) + probability_floor(compute)
        wq = ww * Qs
        grad = s[:, None] * (p * np.sum(wq, axis=1, keepdims=True) - wq)
        scale = np.abs(s)[:, None] * (p_scale * np.sum(np.abs(wq), axis=1, keepdims=True) + np.abs(wq))

    def call():
        return F.cross_entropy(x, q, weight=w, reduction=reduction, label_smoothing=eps, with_grad=True, grad_output=g)

    check_gradient("gradient cross_entropy(probabilities)", call, loss_expected,
                   unrows(grad, xa.shape), unrows(scale, xa.shape), xa, [x, q, w, g])


@given(st.sampled_from(["binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"]), st.data())
def test_gradients_elementwise(function, data):
    draw = data.draw
    dtype = np.dtype(draw(st.sampled_from(FLOAT_DTYPES)))
    shape = draw(small_shapes(max_side=4))
    reduction = draw(st.sampled_from(["mean", "sum", "none"] + (["batchmean"] if function == "kl_div" else [])))
    compute = compute_dtype(dtype)
    regime = draw(st.sampled_from(["plain", "extreme"]))
    g = upstream(draw, shape, reduction != "none")
    gv = np.ones(shape) if g is None else np.broadcast_to(in_compute(g, compute), shape)
    count_ = int(np.prod(shape, dtype=np.int64))
    if reduction == "mean":
        s = gv / count_ if count_ else gv * np.nan
    elif reduction == "batchmean":
        s = gv / shape[0] if shape and shape[0] else (gv if not shape else gv * np.nan)
    else:
        s = gv
    w = pw = None
    if function == "binary_cross_entropy":
        x = element_array(draw, dtype, shape, regime, 0.0, 1.0, specials=[0.0, 1.0, 1e-45, 0.5, 1e-7])
        x = relayout(x, draw(st.sampled_from(SAME_VALUE_LAYOUTS), label="layout of input"))
        t = element_array(draw, dtype, shape, regime, 0.0, 1.0, specials=[0.0, 1.0, 1e-45, 0.5])
        if draw(st.booleans()):
            w = element_array(draw, dtype, shape[-1:], "plain", 0.0, 3.0)
        wv = 1.0 if w is None else np.broadcast_to(in_compute(w, compute), shape)
        xv, tv = in_compute(x, compute), in_compute(t, compute)
        with np.errstate(all="ignore"):
            denominator = np.maximum(xv * (1 - xv), float(np.float32(1e-12)))  # PyTorch's float epsilon
            grad = s * wv * (xv - tv) / denominator
            # w * (x - t) may round in the subnormal range before 1 / 1e-12 magnifies it
            subnormal = float(np.finfo(compute).tiny / np.finfo(compute).eps)
            scale = np.abs(s) * (np.abs(wv) * (np.abs(xv) + np.abs(tv)) + (np.abs(wv) + 1) * subnormal) / denominator
        expected = oracle_bce(x, t, w, reduction)
        call = lambda: F.binary_cross_entropy(x, t, weight=w, reduction=reduction, with_grad=True, grad_output=g)
    elif function == "binary_cross_entropy_with_logits":
        x = element_array(draw, dtype, shape, regime, -30.0, 30.0, specials=[0.0, 1e-45, 1e4, -1e4, 100.0, -100.0])
        x = relayout(x, draw(st.sampled_from(SAME_VALUE_LAYOUTS), label="layout of input"))
        t = element_array(draw, dtype, shape, "plain", -1.0, 2.0)
        if draw(st.booleans()):
            w = element_array(draw, dtype, shape[-1:], "plain", 0.0, 3.0)
        if draw(st.booleans()):
            pw = element_array(draw, dtype, shape[-1:], "plain", 0.0, 3.0)
        wv = 1.0 if w is None else np.broadcast_to(in_compute(w, compute), shape)
        pwv = 1.0 if pw is None else np.broadcast_to(in_compute(pw, compute), shape)
        xv, tv = in_compute(x, compute), in_compute(t, compute)
        with np.errstate(all="ignore"):
            sig = 1 / (1 + np.exp(-xv))
            grad = s * wv * ((pwv * tv + 1 - tv) * sig - pwv * tv)
            scale = np.abs(s * wv) * ((np.abs(pwv * tv) + np.abs(1 - tv)) * sig + np.abs(pwv * tv)) * 2
        expected = oracle_bce_with_logits(x, t, w, pw, reduction)
        call = lambda: F.binary_cross_entropy_with_logits(x, t, weight=w, reduction=reduction, pos_weight=pw,
                                                          with_grad=True, grad_output=g)
    else:
        log_target = draw(st.booleans())
        x = element_array(draw, dtype, shape, regime, -30.0, 5.0)
        x = relayout(x, draw(st.sampled_from(SAME_VALUE_LAYOUTS), label="layout of input"))
        t = element_array(draw, dtype, shape, "plain", -20.0 if log_target else 0.0, 3.0 if log_target else 1.0)
        tv = in_compute(t, compute)
        with np.errstate(all="ignore"):
            grad = -(np.exp(tv) if log_target else tv) * s
            scale = np.abs(grad)
        expected = oracle_kl_div(x, t, reduction, log_target)
        call = lambda: F.kl_div(x, t, reduction=reduction, log_target=log_target, with_grad=True, grad_output=g)
    check_gradient("gradient " + function, call, expected, grad, scale, np.asarray(x), [x, t, w, pw, g])


# ------------------------------------------------------------------------------------------
# Library bugs the properties found (fixed in CrossEntropy.swift), with PyTorch 2.15's answers
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["sum", "none", "mean"])
def test_fixed_bug_a_label_smoothing_with_infinite_weight(dtype, reduction):
    """Was bug A: label smoothing with an infinite class weight gave NaN, PyTorch +inf (the
    rearranged smoothing sum L * W - sum_c w_c (x_c - max) met inf * 0 at the max class)."""
    x = np.array([1.41, -1.69, -2.90, 3.47], dtype)
    loss = F.cross_entropy(x, np.array(2), weight=[0.34, 0.69, 1.29, np.inf], label_smoothing=1.0,
                           reduction=reduction)
    assert loss == np.inf  # 'mean' divides by the target's weight, 1.29


def test_fixed_bug_a_label_smoothing_with_infinite_weight_segmentation():
    """Bug A through the (N, C, d) kernel, the infinite weight at the max in some positions."""
    x = np.array([[[3, 0, 1, 2], [0, 3, 2, 1]]], np.float32)
    loss = F.cross_entropy(x, np.ones((1, 4), np.int64), weight=[np.inf, 1], label_smoothing=0.5, reduction="none")
    np.testing.assert_array_equal(loss, np.full((1, 4), np.inf, np.float32))


def test_fixed_bug_a_prime_gradient_with_non_finite_weight():
    """Was bug A': a non-finite class weight made every row's gradient NaN even without label
    smoothing (0 * inf in the smoothing coefficient); fixed in CrossEntropyTerms."""
    x = np.array([[1.68, 0.0], [1.0, 1.02]], np.float32)
    loss, grad = F.cross_entropy(x, np.array([1, 0]), weight=[np.nan, 1e-4], ignore_index=0, with_grad=True)
    # PyTorch 2.15: sample 0 (target 1, weight 1e-4) is the only one counted
    p = np.exp(x[0] - x[0].max()) / np.exp(x[0] - x[0].max()).sum()
    np.testing.assert_allclose(grad, [[p[0], p[1] - 1], [0, 0]], rtol=1e-5)


@pytest.mark.parametrize("shape", [(1, 2), (1, 2, 3)])
def test_fixed_bug_b_mean_with_smoothing_and_zero_weight_sum(shape):
    """Was bug B: 'mean' with label smoothing when the counted targets' weights sum to 0 gave
    inf; PyTorch (and SEMANTICS.md) NaN, from the nll part's 0 / 0. The nll and smoothing
    parts are now reduced separately, as PyTorch reduces them."""
    x = np.linspace(-0.94, 0.19, int(np.prod(shape))).reshape(shape)
    t = np.ones((shape[0],) + shape[2:], np.int64)
    assert np.isnan(F.cross_entropy(x, t, weight=[0.6, 0.0], label_smoothing=0.3))
    assert np.isfinite(F.cross_entropy(x, t, weight=[0.6, 0.0], label_smoothing=0.3, reduction="sum"))


def test_fixed_bug_c_probability_targets_weight_order():
    """Was bug C: probability targets multiplied w * q' first, so a zero weight times an
    overflowing lp * q' gave 0; PyTorch's order (lp * q') * w gives NaN."""
    loss = F.cross_entropy(np.array([-1e300, 0.0]), np.array([3e38, 0.0]), weight=[0.0, 0.0])
    assert np.isnan(loss)  # PyTorch 2.15: nan


# ------------------------------------------------------------------------------------------
# Regressions: what the properties found in the Python layer (fixed in functional.py), with
# PyTorch 2.15's answers
# ------------------------------------------------------------------------------------------

NAN = math.nan


@pytest.mark.parametrize("shape,target", [((2, 0), [-100, -100]), ((0, 0), []), ((0,), -100), ((0, 0, 3), np.zeros((0, 3), np.int64))])
def test_zero_classes_all_ignored(shape, target):
    """C = 0 is not an error (the library's ZERO_CLASSES): with no target left to count the
    losses are an all-ignored batch's; label smoothing's eps / C makes them NaN."""
    x, t = np.zeros(shape, np.float32), np.asarray(target, np.int64)
    out_shape = t.shape
    for function in (F.nll_loss, F.cross_entropy):
        none = function(x, t, reduction="none")
        assert none.shape == out_shape and none.dtype == np.float32 and not np.any(none)
        assert function(x, t, reduction="sum") == 0
        assert np.isnan(function(x, t, reduction="mean"))
        loss, grad = function(x, t, reduction="sum", with_grad=True)
        assert loss == 0 and grad.shape == shape and grad.dtype == np.float32
    for reduction in ("none", "sum", "mean"):
        assert np.all(np.isnan(F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.5)))


def test_zero_classes_counted_target_is_out_of_bounds():
    for function in (F.nll_loss, F.cross_entropy, swiftloss.CrossEntropyLoss()):
        with pytest.raises(IndexError, match="^Target 0 is out of bounds.$"):
            function(np.zeros((2, 0), np.float32), np.array([0, 1]))
        with pytest.raises(IndexError, match="^Target 3 is out of bounds.$"):
            function(np.zeros((2, 0), np.float32), np.array([-100, 3]))
        with pytest.raises(IndexError, match="^Target 0 is out of bounds.$"):
            function(np.zeros(0, np.float32), np.array(0))


def test_zero_classes_probabilities():
    x = np.zeros((2, 0), np.float64)
    np.testing.assert_array_equal(F.cross_entropy(x, x, reduction="none"), [0.0, 0.0])
    assert F.cross_entropy(x, x, reduction="sum", label_smoothing=0.3) == 0
    assert np.isnan(F.cross_entropy(x, x))  # PyTorch: the mean of no elements
    loss, grad = F.cross_entropy(x, x, with_grad=True)
    assert np.isnan(loss) and grad.shape == (2, 0)


@pytest.mark.parametrize("flag", [True, False, np.bool_(True)])
def test_bool_is_not_an_int_argument(flag):
    """PyTorch: "argument 'dim' must be int, not bool" (swiftloss took True for 1)."""
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(TypeError, match="must be int, not bool"):
        F.softmax(x, flag)
    with pytest.raises(TypeError, match="must be int, not bool"):
        swiftloss.LogSoftmax(flag)(x)
    with pytest.raises(TypeError, match="must be int, not bool"):
        F.cross_entropy(x, np.array([0, 1]), ignore_index=flag)
    F.cross_entropy(x, np.array([0, 1]), ignore_index=np.int64(1))  # numpy integers are ints


def test_ignore_index_beyond_int64_is_a_value_error():
    """PyTorch: ValueError "Overflow when unpacking long long" (swiftloss raised OverflowError)."""
    for value in (2**63, -(2**63) - 1, 2**80):
        with pytest.raises(ValueError, match="does not fit in int64"):
            F.nll_loss(np.zeros((2, 3)), np.array([0, 1]), ignore_index=value)


@pytest.mark.parametrize("function", [F.binary_cross_entropy, F.binary_cross_entropy_with_logits])
def test_weight_of_more_dimensions_than_the_input(function):
    """PyTorch: "output with shape [2, 3] doesn't match the broadcast shape [1, 2, 3]" (swiftloss
    dropped the leading 1s and returned a loss)."""
    x = np.full((2, 3), 0.5, np.float32)
    with pytest.raises(ValueError, match="does not broadcast"):
        function(x, x, weight=np.ones((1, 1, 3)))
    with pytest.raises(ValueError, match="does not broadcast"):
        function(np.float32(0.5), np.float32(0.5), weight=np.ones(1))
    if function is F.binary_cross_entropy_with_logits:
        with pytest.raises(ValueError, match="does not broadcast"):
            function(x, x, pos_weight=np.ones((1, 2, 3)))
    function(x, x, weight=np.ones((1, 3)))  # leading 1s within the input's dimensions are fine


# ------------------------------------------------------------------------------------------
# The run itself: reproducible by default, and no property passed vacuously
# ------------------------------------------------------------------------------------------

def test_default_profile_is_reproducible():
    import os

    from hypothesis import settings

    if os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci":
        pytest.skip("another hypothesis profile was chosen")
    current = settings()
    assert current.derandomize and current.database is None


def test_zz_every_property_compared_values():
    """Runs last (pytest keeps file order): each property that ran in this session compared
    values in a fair share of its examples (not all filtered out, not all raising)."""
    tests = {}
    for (test, outcome), n in SWIFTLOSS_HYPOTHESIS_EXAMPLES.items():
        tests.setdefault(test, collections.Counter())[outcome] += n
    if not tests:
        pytest.skip("no property ran in this session")
    for test, outcomes in tests.items():
        total = sum(outcomes.values())
        compared = outcomes["value"]
        assert compared >= max(10, total // 5), f"{test}: only {compared} of {total} examples compared values"
