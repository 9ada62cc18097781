"""The public gradient API (``with_grad=True, grad_output=...`` on every function and module)
and the thread-count functions.

Every gradient is checked against central finite differences of the package's own forward
function in float64, for every keyword and reduction and the shapes (C,), (N, C) and
(N, C, d1, d2); float32 gradients against the float64 ones; cross_entropy's fused
loss against the unfused one, bit for bit; and results against the thread count."""
import warnings

import numpy as np

from gradcheck import finite_difference
import pytest

import swiftloss
import swiftloss as F
from swiftloss import _swiftloss

SHAPES = [(4,), (3, 4), (2, 4, 2, 3)]  # (C,), (N, C), (N, C, d1, d2)
SHAPE_IDS = ["C", "NC", "NCd1d2"]
REDUCTIONS = ["none", "sum", "mean"]
RTOL = 1e-6


# ------------------------------------------------------------------------------------------
# Helpers (independent of test_gradients.py)
# ------------------------------------------------------------------------------------------

def contract(result, grad_output):
    """sum(result * grad_output) in float64."""
    return float(np.sum(np.asarray(result, np.float64) * np.asarray(grad_output, np.float64)))


def assert_close_to_finite_differences(grad, expected):
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    np.testing.assert_allclose(grad, expected, rtol=RTOL, atol=RTOL * scale)


def classes_of(shape):
    return shape[0] if len(shape) == 1 else shape[1]


def target_shape(shape):
    return () if len(shape) == 1 else (shape[0],) + tuple(shape[2:])


def check(call, x, result_shape, rng, float32=True):
    """The whole contract of one case, for a function call(input, **grad_keywords).

    * with_grad=True returns (the with_grad=False result, exactly; a gradient of the input's
      shape and dtype),
    * the gradient of sum(result * g) for a random g equals central finite differences,
    * grad_output=None equals grad_output=ones,
    * float32 gives the float64 gradient to float32 accuracy.
    """
    g = np.asarray(rng.standard_normal(result_shape))
    plain = call(x)
    result, grad = call(x, with_grad=True, grad_output=g)
    assert np.shape(result) == np.shape(plain) == result_shape
    np.testing.assert_array_equal(result, plain)
    assert type(grad) is np.ndarray and grad.shape == x.shape and grad.dtype == x.dtype
    assert_close_to_finite_differences(grad, finite_difference(lambda v: contract(call(v), g), x))

    _, with_ones = call(x, with_grad=True, grad_output=np.ones(result_shape))
    _, default = call(x, with_grad=True)
    np.testing.assert_allclose(default, with_ones, rtol=1e-14, atol=1e-300)

    if float32:
        x32 = x.astype(np.float32)
        result32, grad32 = call(x32, with_grad=True, grad_output=g.astype(np.float32))
        assert grad32.dtype == np.float32 and grad32.shape == x.shape
        np.testing.assert_array_equal(result32, call(x32))
        scale = max(1.0, float(np.abs(grad).max(initial=0.0)))
        np.testing.assert_allclose(grad32, grad, rtol=2e-4, atol=2e-5 * scale)
    return grad


def class_targets(shape, rng, ignore_index):
    """Random class indices for an input of shape; when ignore_index is not the default, the
    first target is ignored and the second is not (a 0-d target is never ignored here)."""
    target = rng.integers(0, classes_of(shape), target_shape(shape))
    if ignore_index != -100 and target.ndim:
        flat = target.reshape(-1)
        flat[0] = ignore_index
        flat[1] = 0
    elif ignore_index != -100:
        target = np.array(2)
    return target


# ------------------------------------------------------------------------------------------
# Finite differences: every function, keyword, reduction and shape, in float64
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4), (2, 4, 2, 3)])
@pytest.mark.parametrize("function", [F.softmax, F.log_softmax], ids=["softmax", "log_softmax"])
def test_softmax_gradients(function, shape):
    rng = np.random.default_rng(10)
    x = rng.standard_normal(shape) * 2
    for dim in sorted({0, -1, max(len(shape) - 2, 0)}):
        check(lambda v, **k: function(v, dim, **k), x, shape, rng)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["", "weight"])
@pytest.mark.parametrize("ignore_index", [-100, 1, 255])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy_gradients(shape, reduction, weighted, ignore_index, label_smoothing):
    rng = np.random.default_rng(20)
    x = rng.standard_normal(shape) * 2
    target = class_targets(shape, rng, ignore_index)
    weight = rng.uniform(0.5, 2.0, classes_of(shape)) if weighted else None

    def call(v, **grad):
        return F.cross_entropy(v, target, weight=weight, ignore_index=ignore_index, reduction=reduction,
                               label_smoothing=label_smoothing, **grad)

    check(call, x, target.shape if reduction == "none" else (), rng)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["", "weight"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_probability_target_gradients(shape, reduction, weighted, label_smoothing):
    rng = np.random.default_rng(21)
    x = rng.standard_normal(shape) * 2
    q = F.softmax(rng.standard_normal(shape), 0 if len(shape) == 1 else 1)
    weight = rng.uniform(0.5, 2.0, classes_of(shape)) if weighted else None

    def call(v, **grad):
        return F.cross_entropy(v, q, weight=weight, reduction=reduction, label_smoothing=label_smoothing, **grad)

    check(call, x, target_shape(shape) if reduction == "none" else (), rng)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["", "weight"])
@pytest.mark.parametrize("ignore_index", [-100, 1, 255])
def test_nll_loss_gradients(shape, reduction, weighted, ignore_index):
    rng = np.random.default_rng(30)
    x = rng.standard_normal(shape)
    target = class_targets(shape, rng, ignore_index)
    weight = rng.uniform(0.5, 2.0, classes_of(shape)) if weighted else None

    def call(v, **grad):
        return F.nll_loss(v, target, weight=weight, ignore_index=ignore_index, reduction=reduction, **grad)

    check(call, x, target.shape if reduction == "none" else (), rng)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, "trailing", "full"])
def test_binary_cross_entropy_gradients(shape, reduction, weight):
    rng = np.random.default_rng(40)
    x = rng.uniform(0.05, 0.95, shape)
    t = rng.uniform(0.0, 1.0, shape)
    w = {None: None, "trailing": rng.uniform(0.5, 2.0, shape[-1:]), "full": rng.uniform(0.5, 2.0, shape)}[weight]

    def call(v, **grad):
        return F.binary_cross_entropy(v, t, weight=w, reduction=reduction, **grad)

    check(call, x, shape if reduction == "none" else (), rng)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["", "weight"])
@pytest.mark.parametrize("pos_weighted", [False, True], ids=["", "pos_weight"])
def test_binary_cross_entropy_with_logits_gradients(shape, reduction, weighted, pos_weighted):
    rng = np.random.default_rng(50)
    x = rng.standard_normal(shape) * 3
    t = rng.uniform(0.0, 1.0, shape)
    w = rng.uniform(0.5, 2.0, shape[-1:]) if weighted else None
    pw = rng.uniform(0.5, 3.0, shape[-1:]) if pos_weighted else None

    def call(v, **grad):
        return F.binary_cross_entropy_with_logits(v, t, weight=w, pos_weight=pw, reduction=reduction, **grad)

    check(call, x, shape if reduction == "none" else (), rng)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_gradients(shape, reduction, log_target):
    rng = np.random.default_rng(60)
    x = np.log(rng.uniform(0.05, 1.0, shape))
    t = rng.standard_normal(shape) if log_target else rng.uniform(0.0, 1.0, shape)
    t.reshape(-1)[0] = 0.0  # 0 * log 0 = 0 (and exp(0) for log targets)

    def call(v, **grad):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # kl_div's 'mean' warning
            return F.kl_div(v, t, reduction=reduction, log_target=log_target, **grad)

    check(call, x, shape if reduction == "none" else (), rng)


@pytest.mark.parametrize("input_shape,target_shape_", [((1, 4), (3, 4)), ((4,), (3, 4)), ((3, 1), (3, 4))])
@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean"])
def test_kl_div_gradient_of_a_broadcast_input_is_summed_back(input_shape, target_shape_, reduction):
    rng = np.random.default_rng(61)
    x = np.log(rng.uniform(0.05, 1.0, input_shape))
    t = rng.uniform(0.0, 1.0, target_shape_)

    def call(v, **grad):
        return F.kl_div(v, t, reduction=reduction, **grad)

    check(call, x, target_shape_ if reduction == "none" else (), rng)


# ------------------------------------------------------------------------------------------
# Module classes take the same keywords
# ------------------------------------------------------------------------------------------

def module_cases():
    rng = np.random.default_rng(70)
    x = rng.standard_normal((3, 4))
    p = rng.uniform(0.05, 0.95, (3, 4))
    t = np.array([0, 3, 1])
    q = rng.uniform(0, 1, (3, 4))
    w = rng.uniform(0.5, 2, 4)
    return [
        (swiftloss.Softmax(1), F.softmax, (x,), {"dim": 1}, (3, 4)),
        (swiftloss.LogSoftmax(0), F.log_softmax, (x,), {"dim": 0}, (3, 4)),
        (swiftloss.NLLLoss(weight=w, ignore_index=1), F.nll_loss, (x, t), {"weight": w, "ignore_index": 1}, ()),
        (swiftloss.CrossEntropyLoss(weight=w, reduction="none", label_smoothing=0.1), F.cross_entropy, (x, t),
         {"weight": w, "reduction": "none", "label_smoothing": 0.1}, (3,)),
        (swiftloss.CrossEntropyLoss(reduction="sum"), F.cross_entropy, (x, q), {"reduction": "sum"}, ()),
        (swiftloss.BCELoss(weight=w), F.binary_cross_entropy, (p, q), {"weight": w}, ()),
        (swiftloss.BCEWithLogitsLoss(pos_weight=w, reduction="none"), F.binary_cross_entropy_with_logits, (x, q),
         {"pos_weight": w, "reduction": "none"}, (3, 4)),
        (swiftloss.KLDivLoss(reduction="batchmean", log_target=True), F.kl_div, (x, q),
         {"reduction": "batchmean", "log_target": True}, ()),
    ]


@pytest.mark.parametrize("case", range(len(module_cases())))
def test_modules_take_with_grad(case):
    module, function, args, keywords, result_shape = module_cases()[case]
    g = np.asarray(np.random.default_rng(case).standard_normal(result_shape))
    expected = function(*args, **keywords, with_grad=True, grad_output=g)
    for call in (module, module.forward):
        result, grad = call(*args, with_grad=True, grad_output=g)
        np.testing.assert_array_equal(result, expected[0])
        np.testing.assert_array_equal(grad, expected[1])
        np.testing.assert_array_equal(call(*args), function(*args, **keywords))
        with pytest.raises(ValueError, match="grad_output"):
            call(*args, with_grad=True, grad_output=np.ones((7,) + result_shape))


# ------------------------------------------------------------------------------------------
# cross_entropy: the articles' example, ignored targets, the fused pass
# ------------------------------------------------------------------------------------------

PREDS = np.array([[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], np.float32)


def test_article_example_gradient_is_softmax_minus_one_hot_over_batch():
    target = np.array([2, 3])
    loss, grad = F.cross_entropy(PREDS, target, with_grad=True)
    x = PREDS.astype(np.float64)
    softmax = np.exp(x - x.max(1, keepdims=True))
    softmax /= softmax.sum(1, keepdims=True)
    expected = (softmax - np.eye(4)[target]) / 2
    assert grad.dtype == np.float32 and grad.shape == (2, 4)
    np.testing.assert_allclose(grad, expected, rtol=0, atol=1e-6)
    assert abs(float(loss) - 1.3644) < 1e-4
    module_loss, module_grad = swiftloss.CrossEntropyLoss()(PREDS, target, with_grad=True)
    assert module_loss == loss
    np.testing.assert_array_equal(module_grad, grad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(6, 5), (3, 5, 2, 2)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
def test_ignored_targets_give_zero_gradient_rows(dtype, shape, reduction, label_smoothing):
    rng = np.random.default_rng(80)
    x = rng.standard_normal(shape).astype(dtype)
    target = rng.integers(0, 5, target_shape(shape))
    ignored = np.zeros(target.shape, bool)
    ignored.reshape(-1)[::2] = True
    weight = rng.uniform(0.5, 2.0, 5).astype(dtype)
    for ignore_index in (255, 2):
        t = np.where(ignored, ignore_index, target)
        if ignore_index == 2:
            t = np.where(~ignored & (t == 2), 0, t)
        for function, keywords in ((F.cross_entropy, {"label_smoothing": label_smoothing}), (F.nll_loss, {})):
            _, grad = function(x, t, weight=weight, ignore_index=ignore_index, reduction=reduction,
                               with_grad=True, **keywords)
            rows = np.moveaxis(grad, 1, -1)  # (N, d1, d2, C): one row of C per sample
            assert np.all(rows[ignored] == 0)
            assert np.all(np.any(rows[~ignored] != 0, axis=-1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 4, 2, 3)], ids=SHAPE_IDS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("weighted", [False, True], ids=["", "weight"])
def test_every_target_ignored(dtype, shape, label_smoothing, weighted):
    """'mean' is 0/0: a NaN loss, and an all-zero gradient (as PyTorch); 'sum' is 0."""
    x = np.random.default_rng(81).standard_normal(shape).astype(dtype)
    t = np.full(target_shape(shape), -100)
    weight = np.linspace(0.5, 2, 4).astype(dtype) if weighted else None
    for function, keywords in ((F.cross_entropy, {"label_smoothing": label_smoothing}), (F.nll_loss, {})):
        loss, grad = function(x, t, weight=weight, with_grad=True, **keywords)
        assert np.isnan(loss) and loss.dtype == dtype
        assert grad.shape == shape and grad.dtype == dtype and np.all(grad == 0)
        loss, grad = function(x, t, weight=weight, reduction="sum", with_grad=True, grad_output=3.0, **keywords)
        assert loss == 0 and np.all(grad == 0)
        loss, grad = function(x, t, weight=weight, reduction="none", with_grad=True, **keywords)
        assert np.all(loss == 0) and np.all(grad == 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
# (3, 7, 5, 23): 115 positions per map, tiles of 32 (float32) or 16 (float64) positions with a
# partial last one: the forward's own tile kernel against the fused block kernel.
@pytest.mark.parametrize("shape", [(7,), (16, 7), (4, 7, 3, 5), (9, 300), (3, 7, 5, 23)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True], ids=["", "weight"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.15])
@pytest.mark.parametrize("ignore_index", [-100, 3])
def test_fused_loss_is_exactly_the_unfused_loss(dtype, shape, reduction, weighted, label_smoothing, ignore_index):
    rng = np.random.default_rng(90)
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    target = rng.integers(0, classes_of(shape), target_shape(shape))
    weight = rng.uniform(0.5, 2.0, classes_of(shape)).astype(dtype) if weighted else None
    keywords = dict(weight=weight, ignore_index=ignore_index, reduction=reduction, label_smoothing=label_smoothing)
    saved = x.copy()
    fused, grad = F.cross_entropy(x, target, with_grad=True, **keywords)
    plain = F.cross_entropy(x, target, **keywords)
    assert type(fused) is type(plain)
    np.testing.assert_array_equal(fused, plain)
    if reduction != "none":
        assert fused.tobytes() == plain.tobytes()
    # A fresh gradient array; the caller's logits are untouched.
    np.testing.assert_array_equal(x, saved)
    assert not np.shares_memory(grad, x)
    # The fused gradient is the unfused backward's, to round-off.
    x64 = x.astype(np.float64)
    g = np.ones(target.size if reduction == "none" else 1)
    expected = np.empty_like(x64)
    batch, classes = (1, shape[0]) if len(shape) == 1 else (shape[0], shape[1])
    inner = int(np.prod(shape[2:], dtype=np.int64))
    red = {"none": _swiftloss.REDUCTION_NONE, "sum": _swiftloss.REDUCTION_SUM, "mean": _swiftloss.REDUCTION_MEAN}[reduction]
    w64 = None if weight is None else weight.astype(np.float64)
    _swiftloss.cross_entropy_backward(x64, target, batch, classes, inner, w64, ignore_index, red,
                                      label_smoothing, g, expected)
    tolerance = 1e-5 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(grad, expected, rtol=tolerance, atol=tolerance * np.abs(expected).max())


def test_class_index_cross_entropy_with_grad_uses_the_fused_entry_point(monkeypatch):
    calls = []
    real = _swiftloss.cross_entropy_fused

    def spy(*args):
        calls.append("fused")
        return real(*args)

    def forbidden(name):
        def call(*args):
            raise AssertionError(f"{name} called: with_grad=True must use cross_entropy_fused alone")
        return call

    monkeypatch.setattr(_swiftloss, "cross_entropy_fused", spy)
    monkeypatch.setattr(_swiftloss, "cross_entropy", forbidden("cross_entropy"))
    monkeypatch.setattr(_swiftloss, "cross_entropy_backward", forbidden("cross_entropy_backward"))
    monkeypatch.setattr(_swiftloss, "softmax", forbidden("softmax"))
    loss, grad = F.cross_entropy(PREDS, [2, 3], with_grad=True)
    loss, grad = F.cross_entropy(PREDS, [2, 3], reduction="none", with_grad=True, grad_output=[1.0, 2.0])
    assert calls == ["fused", "fused"]


# ------------------------------------------------------------------------------------------
# Dtypes, layouts, grad_output
# ------------------------------------------------------------------------------------------

def test_gradient_dtype_follows_the_input():
    x16 = PREDS.astype(np.float16)
    loss, grad = F.cross_entropy(x16, [2, 3], with_grad=True)
    assert loss.dtype == np.float16 and grad.dtype == np.float16
    _, grad32 = F.cross_entropy(PREDS, [2, 3], with_grad=True)
    np.testing.assert_allclose(grad, grad32, atol=2e-3)
    # softmax computed in another dtype: the result has that dtype, the gradient the input's
    y, gx = F.softmax(PREDS, 1, dtype=np.float64, with_grad=True, grad_output=np.eye(2, 4))
    assert y.dtype == np.float64 and gx.dtype == np.float32
    big_endian = PREDS.astype(">f8")
    _, grad_be = F.log_softmax(big_endian, 1, with_grad=True)
    assert grad_be.dtype == np.float64 and grad_be.dtype.isnative


def test_non_contiguous_inputs_and_lists():
    rng = np.random.default_rng(100)
    wide = rng.standard_normal((3, 8))
    x = wide[:, ::2]
    t = [0, 3, 1]
    loss, grad = F.cross_entropy(x, t, with_grad=True)
    loss_c, grad_c = F.cross_entropy(np.ascontiguousarray(x), t, with_grad=True)
    assert loss == loss_c
    np.testing.assert_array_equal(grad, grad_c)
    loss_l, grad_l = F.cross_entropy(x.tolist(), t, with_grad=True, grad_output=2)
    np.testing.assert_allclose(grad_l, 2 * grad_c, rtol=1e-15)


def test_grad_output_of_another_dtype_is_converted():
    _, grad = F.cross_entropy(PREDS, [2, 3], reduction="none", with_grad=True, grad_output=np.array([1, 2]))
    _, expected = F.cross_entropy(PREDS, [2, 3], reduction="none", with_grad=True,
                                  grad_output=np.array([1.0, 2.0], np.float32))
    np.testing.assert_array_equal(grad, expected)
    with pytest.raises(TypeError):
        F.cross_entropy(PREDS, [2, 3], with_grad=True, grad_output=np.array(1 + 2j))


X = np.random.default_rng(110).standard_normal((3, 4))
P = 1 / (1 + np.exp(-X))
T = np.array([1, 0, 3])

BAD_GRAD_OUTPUT = [
    # (call, reduction of the call) with a wrong grad_output
    (lambda g: F.softmax(X, 1, with_grad=True, grad_output=g), None),
    (lambda g: F.log_softmax(X, 0, with_grad=True, grad_output=g), None),
    (lambda g: F.nll_loss(X, T, with_grad=True, grad_output=g), "mean"),
    (lambda g: F.nll_loss(X, T, reduction="none", with_grad=True, grad_output=g), "none"),
    (lambda g: F.cross_entropy(X, T, reduction="sum", with_grad=True, grad_output=g), "sum"),
    (lambda g: F.cross_entropy(X, T, reduction="none", with_grad=True, grad_output=g), "none"),
    (lambda g: F.cross_entropy(X, P, with_grad=True, grad_output=g), "mean"),
    (lambda g: F.cross_entropy(X, P, reduction="none", with_grad=True, grad_output=g), "none"),
    (lambda g: F.binary_cross_entropy(P, P, with_grad=True, grad_output=g), "mean"),
    (lambda g: F.binary_cross_entropy(P, P, reduction="none", with_grad=True, grad_output=g), "none"),
    (lambda g: F.binary_cross_entropy_with_logits(X, P, reduction="sum", with_grad=True, grad_output=g), "sum"),
    (lambda g: F.binary_cross_entropy_with_logits(X, P, reduction="none", with_grad=True, grad_output=g), "none"),
    (lambda g: F.kl_div(X, P, reduction="batchmean", with_grad=True, grad_output=g), "batchmean"),
    (lambda g: F.kl_div(X, P, reduction="none", with_grad=True, grad_output=g), "none"),
]


@pytest.mark.parametrize("case", range(len(BAD_GRAD_OUTPUT)))
def test_bad_grad_output_shapes_raise_value_error(case):
    call, reduction = BAD_GRAD_OUTPUT[case]
    if reduction in ("sum", "mean", "batchmean"):
        bad = [np.ones(1), np.ones(2), np.ones((1, 1)), np.ones(3)]
        message = rf"grad_output must be a scalar \(shape \[\]\) for reduction='{reduction}', got shape \[1\]"
    else:
        good_shape = np.shape(call(None)[0])
        bad = [np.ones(()), np.ones(good_shape + (1,)), np.ones((1,) + good_shape),
               np.ones((good_shape[0] + 1,) + good_shape[1:])]
        message = "grad_output must have the (loss|output)'s shape"
    for grad_output in bad:
        with pytest.raises(ValueError, match="grad_output"):
            call(grad_output)
    with pytest.raises(ValueError, match=message):
        call(bad[0])


def test_grad_output_without_with_grad_is_an_error():
    with pytest.raises(ValueError, match="grad_output is only used with with_grad=True"):
        F.cross_entropy(X, T, grad_output=1.0)
    with pytest.raises(ValueError, match="grad_output is only used with with_grad=True"):
        F.softmax(X, 1, grad_output=np.ones_like(X))
    with pytest.raises(ValueError, match="grad_output is only used with with_grad=True"):
        swiftloss.KLDivLoss()(X, P, grad_output=1.0)


def test_with_grad_is_keyword_only():
    with pytest.raises(TypeError):
        F.cross_entropy(X, T, None, None, -100, None, "mean", 0.0, True)
    with pytest.raises(TypeError):
        swiftloss.CrossEntropyLoss()(X, T, True)


def test_forward_errors_come_first():
    with pytest.raises(IndexError, match="Target 9 is out of bounds."):
        F.cross_entropy(X, [0, 1, 9], with_grad=True)
    with pytest.raises(ValueError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(X, P, with_grad=True)


# ------------------------------------------------------------------------------------------
# Threads
# ------------------------------------------------------------------------------------------

def bits(value):
    return np.asarray(value).tobytes()


def test_results_do_not_depend_on_the_thread_count():
    """64 x 8192 float32 logits: above the library's threading threshold (256K elements)."""
    rng = np.random.default_rng(120)
    x = (rng.standard_normal((64, 8192)) * 3).astype(np.float32)
    t = rng.integers(0, 8192, 64)
    t[5] = -100
    w = rng.uniform(0.5, 2.0, 8192).astype(np.float32)
    q = F.softmax(x[::-1], 1)
    g_none = rng.standard_normal(64).astype(np.float32)

    def compute():
        return [
            F.softmax(x, 1, with_grad=True, grad_output=x),
            F.log_softmax(x, 1, with_grad=True),
            F.log_softmax(x, 0),
            F.cross_entropy(x, t),
            F.cross_entropy(x, t, weight=w, reduction="none", label_smoothing=0.1),
            F.cross_entropy(x, t, with_grad=True),
            F.cross_entropy(x, t, weight=w, reduction="none", label_smoothing=0.1, with_grad=True, grad_output=g_none),
            F.cross_entropy(x, q, reduction="sum", with_grad=True),
            F.nll_loss(x, t, with_grad=True),
            F.binary_cross_entropy_with_logits(x, q, pos_weight=w, with_grad=True),
        ]

    default = swiftloss.get_num_threads()
    try:
        swiftloss.set_num_threads(1)
        assert swiftloss.get_num_threads() == 1
        one = compute()
        swiftloss.set_num_threads(2)
        assert swiftloss.get_num_threads() == 2
        two = compute()
    finally:
        swiftloss.set_num_threads(0)
    assert swiftloss.get_num_threads() == default
    for a, b in zip(one, two):
        a, b = (a, b) if isinstance(a, tuple) else ((a,), (b,))
        for part_a, part_b in zip(a, b):
            assert bits(part_a) == bits(part_b)


def test_set_num_threads_validates_its_argument():
    default = swiftloss.get_num_threads()
    try:
        for bad in (1.5, "2", None, True, [1]):
            with pytest.raises(TypeError, match="int"):
                swiftloss.set_num_threads(bad)
            with pytest.raises(TypeError):
                _swiftloss.set_num_threads(bad)
        for bad in (-1, -(2**70)):
            with pytest.raises(ValueError, match=">= 0"):
                swiftloss.set_num_threads(bad)
            with pytest.raises(ValueError, match=">= 0"):
                _swiftloss.set_num_threads(bad)
        assert swiftloss.get_num_threads() == default
        swiftloss.set_num_threads(np.int64(1))
        assert swiftloss.get_num_threads() == 1
        swiftloss.set_num_threads(2**70)  # the library caps the count at 256
        assert swiftloss.get_num_threads() == 256
        _swiftloss.set_num_threads(3)
        assert _swiftloss.get_num_threads() == swiftloss.get_num_threads() == 3
    finally:
        swiftloss.set_num_threads(0)
    assert swiftloss.get_num_threads() == default >= 1
    assert "set_num_threads" in swiftloss.__all__ and "get_num_threads" in swiftloss.__all__


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_bce_gradient_where_the_clamp_is_active_is_pytorchs_to_the_last_bit(reduction):
    """PyTorch clamps x (1 - x) at 1e-12 rounded to float, in float64 too, and computes
    ((g (x - t)) / clamp) * w, then / count: -3.74284981012008e10 for this example, where
    an unrounded 1e-12 gives -3.74284979516439e10 (5e-9 relative: a bug swiftloss had)."""
    x = np.array([0.0, 1.0, 0.25])
    t = np.array([0.75465261, 0.125, 0.5])
    w = np.array([0.5, 3.0, 1.5])
    g = np.array([0.04959699, 0.5, 2.0]) if reduction == "none" else np.array(0.04959699)
    _, grad = F.binary_cross_entropy(x, t, weight=w, reduction=reduction, with_grad=True, grad_output=g)
    eps = float(np.float32(1e-12))
    want = (g * (x - t)) / np.maximum((1 - x) * x, eps) * w
    if reduction == "mean":
        want = want / x.size
    np.testing.assert_array_equal(grad, want)
    if reduction == "sum":
        assert grad[0] == -3.74284981012008e10 * 0.5
