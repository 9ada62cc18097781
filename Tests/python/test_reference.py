"""Random cases against an independent numpy reference, written here from SEMANTICS.md.

Every function, every keyword, float32 and float64, shapes (C,), (N, C) and (N, C, d1, d2).
The reference computes in float64 with plain numpy (no swiftloss code).
"""
import itertools
import warnings
import zlib

import numpy as np
import pytest

import swiftloss
import swiftloss as F

DTYPES = [np.float32, np.float64]
# (input shape, class-index target shape) for the class-axis losses.
# (13, 7): short rows go through 8-row (float32) and 4-row (float64) tiles, one of them partial;
# (2, 5, 19): 19 positions of the (N, C, d) layout go through tiles of 16 (float32) or 8
# (float64) positions and a partial one; (3, 4, 2, 3) through blocks without tiles.
CLASS_SHAPES = [((5,), ()), ((6, 5), (6,)), ((13, 7), (13,)), ((2, 5, 19), (2, 19)), ((3, 4, 2, 3), (3, 2, 3))]
ELEMENT_SHAPES = [(7,), (6, 5), (3, 4, 2, 3)]
REDUCTIONS = ["none", "sum", "mean"]


def tolerance(dtype):
    return dict(rtol=2e-5, atol=2e-5) if dtype == np.float32 else dict(rtol=1e-11, atol=1e-11)


def assert_close(actual, expected, dtype, shape=None):
    actual_array = np.asarray(actual)
    assert actual_array.dtype == np.dtype(dtype), (actual_array.dtype, dtype)
    if shape is not None:
        assert actual_array.shape == tuple(shape)
    np.testing.assert_allclose(actual_array.astype(np.float64), expected, **tolerance(dtype))


# ------------------------------------------------------------------------------------------
# The numpy reference
# ------------------------------------------------------------------------------------------

def ref_log_softmax(x, axis):
    x = np.asarray(x, dtype=np.float64)
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def ref_softmax(x, axis):
    return np.exp(ref_log_softmax(x, axis))


def rows(x):
    """(C,) / (N, C) / (N, C, d...) -> (samples, C) with the class axis last."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        return x[None, :]
    return np.moveaxis(x, 1, -1).reshape(-1, x.shape[1])


def reduce(loss, reduction, shape, divisor):
    if reduction == "none":
        return loss.reshape(shape)
    if reduction == "sum":
        return loss.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.float64(loss.sum()) / divisor  # 0 / 0 = NaN, as PyTorch


def ref_class_loss(x, target, weight=None, ignore_index=-100, reduction="mean",
                   label_smoothing=0.0, log_softmax_first=True):
    X = rows(x)
    classes = X.shape[1]
    T = np.asarray(target, dtype=np.int64).reshape(-1)
    lp = ref_log_softmax(X, 1) if log_softmax_first else X
    w = np.ones(classes) if weight is None else np.asarray(weight, dtype=np.float64)
    counted = T != ignore_index
    safe = np.where(counted, T, 0)
    nll = -w[safe] * lp[np.arange(len(T)), safe] * counted
    smooth = -(lp * w).sum(axis=1) * counted
    eps = max(label_smoothing, 0.0)
    loss = (1 - eps) * nll + (eps / classes) * smooth
    return reduce(loss, reduction, np.shape(target), (w[safe] * counted).sum())


def ref_cross_entropy_probs(x, q, weight=None, reduction="mean", label_smoothing=0.0):
    X, Q = rows(x), rows(q)
    classes = X.shape[1]
    w = np.ones(classes) if weight is None else np.asarray(weight, dtype=np.float64)
    eps = max(label_smoothing, 0.0)
    Q = (1 - eps) * Q + eps / classes
    loss = -(w * Q * ref_log_softmax(X, 1)).sum(axis=1)
    x = np.asarray(x)
    shape = () if x.ndim == 1 else (x.shape[0],) + x.shape[2:]
    return reduce(loss, reduction, shape, len(loss))


def ref_bce(x, t, weight=None, reduction="mean"):
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    w = 1.0 if weight is None else np.broadcast_to(np.asarray(weight, dtype=np.float64), x.shape)
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log(1 - x), -100)
    loss = -w * (t * log_x + (1 - t) * log_1mx)
    return reduce(loss.reshape(-1), reduction, x.shape, x.size)


def softplus(z):
    return np.logaddexp(0.0, z)


def ref_bce_logits(x, t, weight=None, pos_weight=None, reduction="mean"):
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    w = 1.0 if weight is None else np.asarray(weight, dtype=np.float64)
    pw = 1.0 if pos_weight is None else np.asarray(pos_weight, dtype=np.float64)
    loss = np.broadcast_to(w * (pw * t * softplus(-x) + (1 - t) * softplus(x)), x.shape)
    return reduce(loss.reshape(-1), reduction, x.shape, x.size)


def ref_kl_div(x, t, reduction="mean", log_target=False):
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if log_target:
        loss = np.exp(t) * (t - x)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            loss = np.where(t > 0, t * np.log(np.where(t > 0, t, 1)), 0.0) - t * x
    if reduction == "batchmean":
        return loss.sum() / x.shape[0]
    return reduce(loss.reshape(-1), reduction, x.shape, x.size)


# ------------------------------------------------------------------------------------------
# Random data
# ------------------------------------------------------------------------------------------

def seed_of(*parts):
    return zlib.crc32(repr(parts).encode())


def class_case(rng, ishape, tshape, dtype):
    x = (rng.standard_normal(ishape) * 2).astype(dtype)
    classes = ishape[1] if len(ishape) > 1 else ishape[0]
    t = rng.integers(0, classes, size=tshape)
    return x, t, classes


# ------------------------------------------------------------------------------------------
# softmax / log_softmax
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(5,), (6, 5), (13, 7), (2, 5, 19), (3, 4, 2, 3)])
@pytest.mark.parametrize("function", ["softmax", "log_softmax"])
def test_softmax_every_dim(function, shape, dtype):
    rng = np.random.default_rng(seed_of(function, shape, dtype))
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    reference = ref_softmax if function == "softmax" else ref_log_softmax
    for dim in range(-len(shape), len(shape)):
        result = getattr(F, function)(x, dim=dim)
        assert_close(result, reference(x, dim), dtype, shape)
        module = (swiftloss.Softmax if function == "softmax" else swiftloss.LogSoftmax)(dim)
        assert_close(module(x), reference(x, dim), dtype, shape)


@pytest.mark.parametrize("function", ["softmax", "log_softmax"])
def test_softmax_dtype_keyword(function):
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    result = getattr(F, function)(x, 1, dtype=np.float64)
    assert result.dtype == np.float64
    reference = ref_softmax if function == "softmax" else ref_log_softmax
    np.testing.assert_allclose(result, reference(x.astype(np.float64), 1), rtol=1e-12)


# ------------------------------------------------------------------------------------------
# nll_loss and cross_entropy with class indices
# ------------------------------------------------------------------------------------------

CLASS_KEYWORDS = list(itertools.product([False, True], [-100, 1, 255], REDUCTIONS))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ishape,tshape", CLASS_SHAPES)
@pytest.mark.parametrize("weighted,ignore_index,reduction", CLASS_KEYWORDS)
def test_nll_loss(weighted, ignore_index, reduction, ishape, tshape, dtype):
    rng = np.random.default_rng(seed_of("nll", weighted, ignore_index, reduction, ishape, dtype))
    x, t, classes = class_case(rng, ishape, tshape, dtype)
    # nll_loss takes its input as log-probabilities without checking: any numbers will do.
    if ignore_index == 255 and t.ndim:
        t.reshape(-1)[::3] = 255
    weight = rng.uniform(0.2, 2.0, classes).astype(dtype) if weighted else None
    expected = ref_class_loss(x, t, weight, ignore_index, reduction, log_softmax_first=False)
    result = F.nll_loss(x, t, weight=weight, ignore_index=ignore_index, reduction=reduction)
    assert_close(result, expected, dtype, tshape if reduction == "none" else ())
    module = swiftloss.NLLLoss(weight=weight, ignore_index=ignore_index, reduction=reduction)
    assert_close(module(x, t), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ishape,tshape", CLASS_SHAPES)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2, 1.0, -0.5])
@pytest.mark.parametrize("weighted,ignore_index,reduction", CLASS_KEYWORDS)
def test_cross_entropy_class_indices(weighted, ignore_index, reduction, label_smoothing, ishape, tshape, dtype):
    rng = np.random.default_rng(seed_of("ce", weighted, ignore_index, reduction, label_smoothing, ishape, dtype))
    x, t, classes = class_case(rng, ishape, tshape, dtype)
    if ignore_index == 255 and t.ndim:
        t.reshape(-1)[::3] = 255
    weight = rng.uniform(0.2, 2.0, classes).astype(dtype) if weighted else None
    expected = ref_class_loss(x, t, weight, ignore_index, reduction, label_smoothing)
    result = F.cross_entropy(x, t, weight=weight, ignore_index=ignore_index,
                             reduction=reduction, label_smoothing=label_smoothing)
    assert_close(result, expected, dtype, tshape if reduction == "none" else ())
    module = swiftloss.CrossEntropyLoss(weight=weight, ignore_index=ignore_index,
                                        reduction=reduction, label_smoothing=label_smoothing)
    assert_close(module(x, t), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ishape", [s for s, _ in CLASS_SHAPES])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probabilities(reduction, weighted, label_smoothing, ishape, dtype):
    rng = np.random.default_rng(seed_of("probs", reduction, weighted, label_smoothing, ishape, dtype))
    x = (rng.standard_normal(ishape) * 2).astype(dtype)
    axis = 1 if len(ishape) > 1 else 0
    q = ref_softmax(rng.standard_normal(ishape) * 2, axis).astype(dtype)
    classes = ishape[axis]
    weight = rng.uniform(0.2, 2.0, classes).astype(dtype) if weighted else None
    expected = ref_cross_entropy_probs(x, q, weight, reduction, label_smoothing)
    result = F.cross_entropy(x, q, weight=weight, reduction=reduction, label_smoothing=label_smoothing)
    out_shape = () if len(ishape) == 1 else (ishape[0],) + ishape[2:]
    assert_close(result, expected, dtype, out_shape if reduction == "none" else ())
    module = swiftloss.CrossEntropyLoss(weight=weight, reduction=reduction, label_smoothing=label_smoothing)
    assert_close(module(x, q), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_spatial_equals_class_axis_last(dtype):
    """(N, C, d1, d2) gives the numbers of moving C last and flattening to (N*d1*d2, C)."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 4, 5)).astype(dtype)
    t = rng.integers(0, 3, (2, 4, 5))
    flat_x = np.moveaxis(x, 1, -1).reshape(-1, 3)
    for reduction in REDUCTIONS:
        spatial = F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.1)
        flat = F.cross_entropy(flat_x, t.reshape(-1), reduction=reduction, label_smoothing=0.1)
        np.testing.assert_allclose(np.reshape(spatial, -1), np.reshape(flat, -1), **tolerance(dtype))


# ------------------------------------------------------------------------------------------
# binary_cross_entropy, binary_cross_entropy_with_logits
# ------------------------------------------------------------------------------------------

def weight_for(rng, shape, how, dtype):
    if how == "none":
        return None
    if how == "trailing":
        return rng.uniform(0.2, 2.0, shape[-1:]).astype(dtype)
    if how == "full":
        return rng.uniform(0.2, 2.0, shape).astype(dtype)
    if how == "scalar":
        return np.asarray(1.7, dtype=dtype)
    # "column": broadcasts but is not a trailing part of the shape
    column = (shape[0],) + (1,) * (len(shape) - 1)
    return rng.uniform(0.2, 2.0, column).astype(dtype)


WEIGHTS = ["none", "trailing", "full", "scalar", "column"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", ELEMENT_SHAPES)
@pytest.mark.parametrize("how", WEIGHTS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(reduction, how, shape, dtype):
    rng = np.random.default_rng(seed_of("bce", reduction, how, shape, dtype))
    x = rng.uniform(0, 1, shape).astype(dtype)
    x.reshape(-1)[:2] = [0.0, 1.0]  # the -100 clamp
    t = rng.uniform(0, 1, shape).astype(dtype)
    weight = weight_for(rng, shape, how, dtype)
    expected = ref_bce(x, t, weight, reduction)
    result = F.binary_cross_entropy(x, t, weight=weight, reduction=reduction)
    assert_close(result, expected, dtype, shape if reduction == "none" else ())
    assert_close(swiftloss.BCELoss(weight=weight, reduction=reduction)(x, t), expected, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", ELEMENT_SHAPES)
@pytest.mark.parametrize("how,pos_how", [(w, p) for w in WEIGHTS for p in ["none", "trailing", "column"]])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(reduction, how, pos_how, shape, dtype):
    rng = np.random.default_rng(seed_of("bcel", reduction, how, pos_how, shape, dtype))
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    x.reshape(-1)[:2] = [200.0, -200.0]
    t = rng.uniform(0, 1, shape).astype(dtype)
    weight = weight_for(rng, shape, how, dtype)
    pos_weight = weight_for(rng, shape, pos_how, dtype)
    expected = ref_bce_logits(x, t, weight, pos_weight, reduction)
    result = F.binary_cross_entropy_with_logits(x, t, weight=weight, reduction=reduction, pos_weight=pos_weight)
    assert np.all(np.isfinite(result))
    assert_close(result, expected, dtype, shape if reduction == "none" else ())
    module = swiftloss.BCEWithLogitsLoss(weight=weight, reduction=reduction, pos_weight=pos_weight)
    assert_close(module(x, t), expected, dtype)


# ------------------------------------------------------------------------------------------
# kl_div
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", ELEMENT_SHAPES)
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "batchmean"])
def test_kl_div(reduction, log_target, shape, dtype):
    rng = np.random.default_rng(seed_of("kl", reduction, log_target, shape, dtype))
    axis = -1
    x = ref_log_softmax(rng.standard_normal(shape), axis).astype(dtype)
    p = ref_softmax(rng.standard_normal(shape), axis)
    p.reshape(-1)[:1] = 0.0  # 0 * log 0 = 0
    t = (np.log(np.maximum(p, 1e-30)) if log_target else p).astype(dtype)
    expected = ref_kl_div(x, t, reduction, log_target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = F.kl_div(x, t, reduction=reduction, log_target=log_target)
        module_result = swiftloss.KLDivLoss(reduction=reduction, log_target=log_target)(x, t)
    assert_close(result, expected, dtype, shape if reduction == "none" else ())
    assert_close(module_result, expected, dtype)


def test_kl_div_broadcasts():
    rng = np.random.default_rng(3)
    x = ref_log_softmax(rng.standard_normal((1, 4)), 1)
    t = ref_softmax(rng.standard_normal((3, 4)), 1)
    result = F.kl_div(x, t, reduction="none")
    assert result.shape == (3, 4)
    np.testing.assert_allclose(result, ref_kl_div(np.broadcast_to(x, (3, 4)), t, "none"), rtol=1e-12)
    # batchmean divides by input.shape[0], as PyTorch does
    np.testing.assert_allclose(F.kl_div(x, t, reduction="batchmean"), result.sum() / 1, rtol=1e-12)
