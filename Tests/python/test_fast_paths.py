"""The common-call fast paths of the numpy API (a C-contiguous float ndarray, defaults, no
gradient, no out=) give exactly what the general path gives: the same bits, dtype, shape and
type of result, the same warnings, and the same errors (a call the library refuses falls back
to the general path, which raises PyTorch's message).

The general path is forced by passing the same values as a non-C-contiguous view, which the
fast paths do not take."""
import warnings

import numpy as np
import pytest

import swiftloss as F

RNG = np.random.default_rng(20261204)


def general(a):
    """The same values in a layout the fast paths refuse (a strided view)."""
    a = np.asarray(a)
    wide = np.empty(a.shape + (2,), a.dtype)
    wide[..., 0] = a
    return wide[..., 0]


def same(fast, slow):
    assert type(fast) is type(slow)
    fast, slow = np.asarray(fast), np.asarray(slow)
    assert fast.dtype == slow.dtype and fast.shape == slow.shape
    assert fast.tobytes() == slow.tobytes()


def call(function, *args, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = function(*args, **kwargs)
    return result, [(w.category, str(w.message)) for w in caught]


PAIR_LOSSES = [
    ("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}), ("smooth_l1_loss", {"beta": 0.0}),
    ("huber_loss", {"delta": 0.7}), ("soft_margin_loss", {}), ("hinge_embedding_loss", {"margin": 0.3}),
    ("binary_cross_entropy_with_logits", {}), ("binary_cross_entropy", {}),
    ("kl_div", {}), ("kl_div", {"log_target": True}),
]


PAIR_CASES = [(name, kwargs, reduction) for name, kwargs in PAIR_LOSSES
              for reduction in ("mean", "sum", "none") + (("batchmean",) if name == "kl_div" else ())]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(3, 5), (7,), (), (0, 4), (2, 3, 4)])
@pytest.mark.parametrize("name,kwargs,reduction", PAIR_CASES,
                         ids=[f"{n}-{r}{'-' + '-'.join(map(str, k.values())) if k else ''}" for n, k, r in PAIR_CASES])
def test_element_wise_fast_path_equals_general_path(name, kwargs, reduction, shape, dtype):
    function = getattr(F, name)
    x = RNG.standard_normal(shape).astype(dtype)
    t = RNG.standard_normal(shape).astype(dtype)
    if name == "binary_cross_entropy":
        x, t = RNG.random(shape).astype(dtype), RNG.random(shape).astype(dtype)
    if name == "soft_margin_loss" or name == "hinge_embedding_loss":
        t = np.where(RNG.random(shape) < 0.5, -1.0, 1.0).astype(dtype)
    fast = call(function, x, t, reduction=reduction, **kwargs)
    slow = call(function, general(x), general(t), reduction=reduction, **kwargs)
    same(fast[0], slow[0])
    assert fast[1] == slow[1]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_refused_calls_fall_back_to_pytorchs_errors(dtype):
    x = np.array([0.5, 1.5], dtype)
    with pytest.raises(ValueError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(x, np.array([0.5, 0.5], dtype))
    with pytest.raises(ValueError, match="all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(np.array([0.5, 0.5], dtype), x)
    with pytest.raises(ValueError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(np.array([np.nan, 0.5], dtype), np.array([0.5, 0.5], dtype))
    logits = np.zeros((2, 3), dtype)
    with pytest.raises(IndexError, match="Target 3 is out of bounds."):
        F.nll_loss(logits, np.array([0, 3]))
    with pytest.raises(ValueError, match="smooth_l1_loss does not support negative values for beta."):
        F.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.log_softmax(logits, 2)
    with pytest.raises(IndexError, match="^target out of range$"):
        F.multi_margin_loss(logits, np.array([0, 3]))
    with pytest.raises(IndexError, match="^argument #2 'target' is out of range$"):
        F.multilabel_margin_loss(logits, np.array([[0, -1, 3], [1, 1, 1]]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_fast_path_equals_general_path(reduction, dtype):
    x = RNG.standard_normal((6, 5)).astype(dtype)
    t = np.array([0, 4, -100, 2, 2, 1])
    same(F.nll_loss(x, t, reduction=reduction), F.nll_loss(general(x), t, reduction=reduction))
    t = np.array([0, 4, 3, 2, 2, 1])
    same(F.nll_loss(x, t, reduction=reduction, ignore_index=2),
         F.nll_loss(general(x), t, reduction=reduction, ignore_index=2))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("shape,dim", [((3, 5), 1), ((3, 5), 0), ((3, 5), -1), ((2, 3, 4), 1), ((4,), 0), ((0, 3), 1)])
def test_softmax_fast_path_equals_general_path(name, shape, dim, dtype):
    function = getattr(F, name)
    x = RNG.standard_normal(shape).astype(dtype)
    same(function(x, dim), function(general(x), dim))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_class_weight_fast_path_equals_general_path(name, reduction, dtype):
    function = getattr(F, name)
    x = RNG.standard_normal((6, 5)).astype(dtype)
    t = np.array([0, 4, -100, 2, 2, 1])
    w = (RNG.random(5) + 0.5).astype(dtype)
    same(function(x, t, weight=w, reduction=reduction), function(general(x), t, weight=general(w), reduction=reduction))
    zero = np.zeros(5, dtype)  # every weight 0: 'mean' is NaN on both paths
    same(function(x, t, weight=zero, reduction=reduction), function(general(x), t, weight=general(zero), reduction=reduction))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_probability_target_fast_path_equals_general_path(smoothing, reduction, dtype):
    x = RNG.standard_normal((6, 5)).astype(dtype)
    p = RNG.random((6, 5)).astype(dtype)
    p /= p.sum(1, keepdims=True)
    w = (RNG.random(5) + 0.5).astype(dtype)
    for weight in (None, w):
        same(F.cross_entropy(x, p, weight=weight, reduction=reduction, label_smoothing=smoothing),
             F.cross_entropy(general(x), general(p), weight=None if weight is None else general(weight),
                             reduction=reduction, label_smoothing=smoothing))
    with pytest.raises(ValueError, match="ignore_index is not supported for floating point target"):
        F.cross_entropy(x, p, ignore_index=1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_margin_fast_paths_equal_general_path(reduction, dtype):
    x = RNG.standard_normal((6, 5)).astype(dtype)
    t = np.array([0, 4, 1, 2, 2, 3])
    w = (RNG.random(5) + 0.5).astype(dtype)
    for p, margin, weight in ((1, 1.0, None), (2, 0.7, w), (1, -0.2, w)):
        same(F.multi_margin_loss(x, t, p=p, margin=margin, weight=weight, reduction=reduction),
             F.multi_margin_loss(general(x), t, p=p, margin=margin, weight=None if weight is None else general(weight),
                                 reduction=reduction))
    lists = np.array([[0, 4, -1, 9, 9], [1, 1, 1, -1, 0], [-1, 0, 0, 0, 0], [4, 3, 2, 1, 0], [2, -1, 0, 0, 0],
                      [3, 0, 2, -1, -1]])
    lists[lists > 4] = 1
    same(F.multilabel_margin_loss(x, lists, reduction=reduction),
         F.multilabel_margin_loss(general(x), lists, reduction=reduction))


EMBEDDING_CALLS = [
    ("cosine_embedding_loss", 2, dict(margin=0.2)),
    ("triplet_margin_loss", 3, dict(margin=0.5, p=3.5, eps=1e-3, swap=True)),
    ("triplet_margin_loss", 3, {}),
    ("triplet_margin_with_distance_loss", 3, dict(margin=0.5, swap=True)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name,inputs,kwargs", EMBEDDING_CALLS, ids=lambda v: str(v))
def test_embedding_fast_paths_equal_general_path(name, inputs, kwargs, reduction, dtype):
    arrays = [RNG.standard_normal((9, 13)).astype(dtype) for _ in range(inputs)]
    if name.startswith("cosine"):
        arrays.append(RNG.choice(np.array([-1.0, 1.0, 0.0], dtype), 9))
    fast = call(getattr(F, name), *arrays, reduction=reduction, **kwargs)
    slow = call(getattr(F, name), *(general(a) for a in arrays), reduction=reduction, **kwargs)
    same(fast[0], slow[0])
    assert fast[1] == slow[1]
