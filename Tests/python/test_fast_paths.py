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


# ------------------------------------------------------------------------------------------
# The extension's one-step common calls (_fast_class, _fast_axis): anything but the common
# call is None (the Python function then takes its general path), never a crash or a number
# ------------------------------------------------------------------------------------------

class _SubArray(np.ndarray):
    pass


def _odd_arrays(good, any_shape=False):
    """Arrays holding good's values that the one-step path must not take (any_shape: one of
    another number of dimensions would be a common call)."""
    yield good.astype(np.float16)
    yield good.astype(np.int32)
    yield good.astype(good.dtype.newbyteorder(">"))
    yield general(good)
    yield good[::-1]  # a negative stride
    yield good.view(_SubArray)
    if not any_shape:
        yield good.reshape(good.shape + (1,))
    yield good.tolist()
    yield memoryview(np.ascontiguousarray(good))
    yield None


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_step_class_call_takes_only_the_common_call(dtype):
    from swiftloss import _swiftloss as C

    x = RNG.standard_normal((5, 4)).astype(dtype)
    t = np.array([0, 3, 1, 2, 3])
    p = np.full((5, 4), 0.25, dtype)
    w = RNG.uniform(0.5, 2, 4).astype(dtype)
    # The common calls give the public function's result, bit for bit.
    for which, target, parameter, function, kwargs in [
            (0, t, 0.0, F.nll_loss, {}), (1, t, 0.2, F.cross_entropy, {"label_smoothing": 0.2}),
            (1, p, 0.1, F.cross_entropy, {"label_smoothing": 0.1})]:
        for reduction in ("mean", "sum", "none"):
            for weight in (None, w):
                got = C._fast_class(which, x, target, weight, -100, reduction, parameter, 1)
                same(got, function(general(x), target, weight=weight, reduction=reduction, **kwargs))
    same(C._fast_class(2, x, t, w, None, "sum", 0.5, 2), F.multi_margin_loss(general(x), t, p=2, margin=0.5,
                                                                                weight=w, reduction="sum"))
    # Anything else: None.
    refused = []
    for odd in _odd_arrays(x):
        refused.append(C._fast_class(1, odd, t, None, -100, "mean", 0.0, 1))
    for odd in _odd_arrays(t.astype(np.int64)):
        refused.append(C._fast_class(0, x, odd, None, -100, "mean", 0.0, 1))
    for odd in _odd_arrays(w):
        refused.append(C._fast_class(0, x, t, odd if odd is not None else w[:3], -100, "mean", 0.0, 1))
    refused += [
        C._fast_class(0, x, t[:4], None, -100, "mean", 0.0, 1),            # batch mismatch
        C._fast_class(0, x[:, :0].copy(), t, None, -100, "mean", 0.0, 1),  # no classes
        C._fast_class(0, x, t, None, True, "mean", 0.0, 1),                # bool ignore_index
        C._fast_class(0, x, t, None, 2**70, "mean", 0.0, 1),               # beyond int64
        C._fast_class(0, x, t, None, -100.0, "mean", 0.0, 1),
        C._fast_class(0, x, t, None, -100, "batchmean", 0.0, 1),
        C._fast_class(0, x, t, None, -100, "Mean", 0.0, 1),
        C._fast_class(0, x, t, None, -100, b"mean", 0.0, 1),
        C._fast_class(0, x, t, None, -100, None, 0.0, 1),
        C._fast_class(1, x, t, None, -100, "mean", 1.5, 1),                # smoothing out of range
        C._fast_class(1, x, t, None, -100, "mean", -0.1, 1),
        C._fast_class(1, x, t, None, -100, "mean", float("nan"), 1),
        C._fast_class(1, x, t, None, -100, "mean", 0, 1),                  # an int smoothing
        C._fast_class(1, x, p, None, 1, "mean", 0.0, 1),                   # probabilities and ignore_index
        C._fast_class(1, x, p[:, :3].copy(), None, -100, "mean", 0.0, 1),
        C._fast_class(0, x, p, None, -100, "mean", 0.0, 1),                # nll_loss of probabilities
        C._fast_class(0, x, np.array([0, 4, 1, 2, 3]), None, -100, "mean", 0.0, 1),  # out of bounds
        C._fast_class(0, x, np.array([0, -1, 1, 2, 3]), None, -100, "none", 0.0, 1),
        C._fast_class(2, x, t, None, None, "mean", 1.0, 3),                # p = 3
        C._fast_class(2, x, t, None, None, "mean", 1.0, 2**70),
        C._fast_class(2, x, t, None, None, "mean", 1, 1),                  # an int margin
        C._fast_class(2, x, t, None, None, "mean", 1.0, True),
    ]
    assert all(r is None for r in refused), [i for i, r in enumerate(refused) if r is not None]
    with pytest.raises(ValueError, match="unknown function"):
        C._fast_class(3, x, t, None, -100, "mean", 0.0, 1)
    with pytest.raises(TypeError, match="takes 8 arguments"):
        C._fast_class(0, x, t)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_step_axis_call_takes_only_the_common_call(dtype):
    from swiftloss import _swiftloss as C

    x = RNG.standard_normal((3, 4, 5)).astype(dtype)
    for which, function in ((0, F.softmax), (1, F.log_softmax)):
        for dim in (0, 1, 2, -1, -3):
            same(C._fast_axis(which, x, dim), function(general(x), dim))
        refused = [C._fast_axis(which, odd, 1) for odd in _odd_arrays(x, any_shape=True)]
        refused += [C._fast_axis(which, x, d) for d in (3, -4, 2**70, True, 1.0, None)]
        refused.append(C._fast_axis(which, np.array(1.0, dtype), 0))  # 0-d
        assert all(r is None for r in refused), [i for i, r in enumerate(refused) if r is not None]
    with pytest.raises(ValueError, match="unknown function"):
        C._fast_axis(2, x, 0)


def test_one_step_calls_before_setup_take_nothing():
    """A module without _fast_setup's numpy objects (a fresh interpreter importing only the
    extension) refuses every call instead of crashing."""
    import subprocess
    import sys

    code = ("import importlib.util, numpy as np, swiftloss\n"
            "spec = importlib.util.find_spec('swiftloss._swiftloss')\n"
            "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
            "x = np.zeros((2, 3), np.float32)\n"
            "assert m._fast_class(0, x, np.zeros(2, np.int64), None, -100, 'mean', 0.0, 1) is None\n"
            "assert m._fast_axis(0, x, 1) is None\n"
            "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr
