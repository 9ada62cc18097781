"""The regression losses (mse_loss, l1_loss, smooth_l1_loss, huber_loss, soft_margin_loss):
a float64 numpy reference of each formula, finite-difference gradients, PyTorch 2.15's rules
(broadcasting and its warning, the weight's size and 'mean' divisors, beta == 0, delta and beta
checks, empty inputs, NaN, dtypes) and every error message; the same calls against torch
itself when it is installed (`make test` installs it); the torch.nn-style modules; out=."""
import warnings

import numpy as np
import pytest

import swiftloss
import swiftloss as F
from gradcheck import finite_difference

try:
    import torch
    import torch.nn.functional as TF
except ImportError:
    torch = TF = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
pytestmark = pytest.mark.filterwarnings("ignore:Using a target size")

NAMES = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss", "hinge_embedding_loss"]
WEIGHTED = {"mse_loss", "l1_loss", "huber_loss"}
REDUCTIONS = ["none", "sum", "mean"]


def reference(name, x, t, reduction="mean", weight=None, beta=1.0, delta=1.0, margin=1.0):
    """The loss in float64 from its formula (PyTorch's definitions), broadcasting as torch."""
    x = np.asarray(x, np.float64)
    t = np.asarray(t, np.float64)
    xb, tb = np.broadcast_arrays(x, t)
    d = xb - tb
    z = np.abs(d)
    with np.errstate(all="ignore"):
        if name == "mse_loss":
            loss = d * d
        elif name == "l1_loss":
            loss = z
        elif name == "smooth_l1_loss":
            loss = z if beta == 0 else np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)
        elif name == "huber_loss":
            loss = np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))
        elif name == "hinge_embedding_loss":
            loss = np.where(tb != 1, np.maximum(margin - xb, 0), 0) + np.where(tb != -1, xb, 0)
        else:
            u = -tb * xb
            loss = np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))
        w = None if weight is None else np.broadcast_to(np.asarray(weight, np.float64), loss.shape)
        if w is not None:
            loss = loss * w
        if reduction == "none":
            return loss
        if reduction == "sum":
            return loss.sum()
        if w is not None and name in ("mse_loss", "l1_loss"):
            return loss.sum() / np.asarray(weight, np.float64).sum()
        return loss.sum() / loss.size if loss.size else np.nan


def kwargs_for(name, weight=None, beta=1.0, delta=1.0, margin=1.0):
    kw = {}
    if name == "hinge_embedding_loss":
        kw["margin"] = margin
    if name == "smooth_l1_loss":
        kw["beta"] = beta
    if name == "huber_loss":
        kw["delta"] = delta
    if weight is not None:
        kw["weight"] = weight
    return kw


def data(shape_x, shape_t, seed, name, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape_x).astype(dtype)
    t = rng.standard_normal(shape_t).astype(dtype)
    if name == "soft_margin_loss":
        t = np.sign(t).astype(dtype)
    if name == "hinge_embedding_loss":  # 1, -1 and, as torch allows, other values
        t = rng.choice(np.array([1.0, -1.0, 1.0, -1.0, 0.0, 2.0]), size=shape_t).astype(dtype)
    return x, t


SHAPES = [((4, 5), (4, 5)), ((3, 1), (1, 3)), ((4, 5), (5,)), ((5,), (4, 5)), ((2, 3, 4), (2, 3, 4)), ((), ())]


# soft_margin_loss broadcasts the target into the input only (its error is tested below).
FORMULA_CASES = [(n, s) for n in NAMES for s in SHAPES
                 if not (n == "soft_margin_loss" and np.broadcast_shapes(*s) != s[0])]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, shapes", FORMULA_CASES, ids=lambda v: v if isinstance(v, str) else f"{v[0]}-{v[1]}")
def test_values_and_gradients_against_the_formula(name, shapes, reduction):
    weights = [None] + ([np.random.default_rng(7).random(shapes[0]) + 0.25] if name in WEIGHTED else [])
    params = [dict()] + ([dict(beta=0.0), dict(beta=0.4)] if name == "smooth_l1_loss" else [])
    params += [dict(delta=0.3)] if name == "huber_loss" else []
    params += [dict(margin=0.4)] if name == "hinge_embedding_loss" else []
    for weight in weights:
        for p in params:
            x, t = data(*shapes, seed=1, name=name)
            kw = kwargs_for(name, weight, **p)
            want = reference(name, x, t, reduction, weight, **p)
            f = getattr(F, name)
            got = f(x, t, reduction=reduction, **kw)
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
            assert np.shape(got) == np.shape(want)
            g = np.random.default_rng(3).standard_normal(np.shape(want))
            _, grad = f(x, t, reduction=reduction, with_grad=True, grad_output=g, **kw)
            numeric = finite_difference(lambda v: np.sum(reference(name, v, t, reduction, weight, **p) * g), x)
            np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)
            assert grad.shape == x.shape


@pytest.mark.parametrize("name", NAMES)
def test_float32_computed_in_float32_within_round_off(name):
    x, t = data((64, 33), (64, 33), seed=4, name=name, dtype=np.float32)
    for reduction in REDUCTIONS:
        got = getattr(F, name)(x, t, reduction=reduction)
        assert np.asarray(got).dtype == np.float32
        np.testing.assert_allclose(got, reference(name, x, t, reduction), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_empty_inputs_mean_is_nan_and_sum_zero(name):
    f = getattr(F, name)
    x = np.zeros((0, 3))
    assert np.isnan(f(x, x, reduction="mean"))
    assert f(x, x, reduction="sum") == 0
    assert f(x, x, reduction="none").shape == (0, 3)
    _, grad = f(x, x, with_grad=True)
    assert grad.shape == (0, 3)


def test_nan_and_the_gradient_at_the_kinks():
    nan = np.nan
    x = np.array([nan, 1.0, 2.0, 3.0])
    t = np.array([0.0, 1.0, 1.5, 1.0])
    # l1: sign 0 at d = 0 and at NaN (a NaN loss with gradient 0, as torch)
    loss, grad = F.l1_loss(x, t, reduction="none", with_grad=True)
    assert np.isnan(loss[0]) and list(grad) == [0.0, 0.0, 1.0, 1.0]
    # smooth_l1: |d| == beta gives sign(d); NaN propagates for beta > 0; beta == 0 is l1
    _, grad = F.smooth_l1_loss(x, t, reduction="none", beta=0.5, with_grad=True)
    assert np.isnan(grad[0]) and list(grad[1:]) == [0.0, 1.0, 1.0]
    _, grad = F.smooth_l1_loss(x, t, reduction="none", beta=0.0, with_grad=True)
    assert list(grad) == [0.0, 0.0, 1.0, 1.0]
    # huber: clamp(d, -delta, delta), NaN stays NaN
    _, grad = F.huber_loss(x, t, reduction="none", delta=0.5, with_grad=True)
    assert np.isnan(grad[0]) and list(grad[1:]) == [0.0, 0.5, 0.5]


def test_soft_margin_is_finite_where_torch_overflows():
    """PyTorch: log1p(exp(100)) = inf in float32 and a NaN gradient; swiftloss: 100 and -1."""
    x = np.array([-100.0, 100.0, -1000.0], np.float32)
    t = np.ones(3, np.float32)
    loss, grad = F.soft_margin_loss(x, t, reduction="none", with_grad=True)
    np.testing.assert_allclose(loss, [100.0, 0.0, 1000.0], rtol=1e-7, atol=1e-40)
    np.testing.assert_allclose(grad, [-1.0, 0.0, -1.0], atol=1e-30)


def test_weighted_means():
    x, t = np.array([1.0, 2.0, 4.0]), np.array([0.0, 0.0, 0.0])
    w = np.array([1.0, 0.0, 3.0])
    assert F.mse_loss(x, t, weight=w) == pytest.approx((1 + 0 + 48) / 4)
    assert F.l1_loss(x, t, weight=w) == pytest.approx((1 + 0 + 12) / 4)
    assert F.huber_loss(x, t, weight=w) == pytest.approx((0.5 + 0 + 3 * 3.5) / 3)  # / numel
    assert np.isnan(F.mse_loss(x, t, weight=np.zeros(3)))  # sum of weights 0
    assert F.huber_loss(x, t, weight=np.zeros(3)) == 0


def test_errors_are_torchs():
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"^Weights and input must have the same size\.$"):
        F.mse_loss(x, x, weight=np.ones(3))
    with pytest.raises(ValueError, match=r"^Invalid reduction mode: foo\. Expected one of 'none', 'mean', 'sum'\.$"):
        F.l1_loss(x, x, reduction="foo", weight=np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"^foo is not a valid value for reduction$"):
        F.mse_loss(x, x, reduction="foo")
    with pytest.raises(ValueError, match=r"^smooth_l1_loss does not support negative values for beta\.$"):
        F.smooth_l1_loss(x, x, beta=-1.0)
    for delta in (0.0, -1.0, np.nan):
        with pytest.raises(ValueError, match=r"^huber_loss does not support non-positive values for delta\.$"):
            F.huber_loss(x, x, delta=delta)
    with pytest.raises(ValueError, match=r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton dimension 0"):
        F.mse_loss(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match=r"^output with shape \[3\] doesn't match the broadcast shape \[2, 3\]$"):
        F.soft_margin_loss(np.zeros(3), np.zeros((2, 3)))
    with pytest.raises(TypeError, match="expected a floating-point input"):
        F.mse_loss(np.zeros(3, np.int64), np.zeros(3))
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[3\]\)\) that is different to the input size \(torch.Size\(\[2, 3\]\)\)"):
        F.mse_loss(x, np.zeros(3))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated, please use reduction='sum' instead."):
        assert F.mse_loss(np.ones(3), np.zeros(3), size_average=False) == 3


def test_dtype_promotion_as_torch():
    x32, x64 = np.ones(3, np.float32), np.zeros(3, np.float64)
    assert np.asarray(F.mse_loss(x32, x64)).dtype == np.float64
    assert np.asarray(F.mse_loss(x32, np.zeros(3, np.int64))).dtype == np.float32
    assert np.asarray(F.soft_margin_loss(x32, x64)).dtype == np.float32  # keeps the input's
    assert np.asarray(F.l1_loss(np.ones(3, np.float16), np.zeros(3, np.float16))).dtype == np.float16


def test_modules_and_out_buffers():
    x, t = data((4, 5), (4, 5), seed=9, name="mse_loss")
    assert F.MSELoss()(x, t) == F.mse_loss(x, t)
    assert F.L1Loss(reduction="sum")(x, t) == F.l1_loss(x, t, reduction="sum")
    assert F.SmoothL1Loss(beta=0.3)(x, t) == F.smooth_l1_loss(x, t, beta=0.3)
    assert F.HuberLoss(delta=0.2)(x, t) == F.huber_loss(x, t, delta=0.2)
    assert F.SoftMarginLoss()(x, np.sign(t)) == F.soft_margin_loss(x, np.sign(t))
    assert F.HingeEmbeddingLoss(margin=0.3)(x, np.sign(t)) == F.hinge_embedding_loss(x, np.sign(t), margin=0.3)
    out, grad_out = np.empty((4, 5)), np.empty((4, 5))
    loss, grad = F.mse_loss(x, t, reduction="none", with_grad=True, out=(out, grad_out))
    assert loss is out and grad is grad_out
    np.testing.assert_array_equal(out, (x - t) ** 2)
    with pytest.raises(ValueError):
        F.mse_loss(x, t, reduction="none", out=x)  # over the input


@needs_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", NAMES)
def test_against_torch(name, dtype):
    """Values, gradients, dtypes, shapes and exception texts, case by case against torch."""
    rng = np.random.default_rng(0)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    for shapes in SHAPES + [((0,), (0,))]:
        for reduction in REDUCTIONS:
            for weighted in (False, True):
                if weighted and name not in WEIGHTED:
                    continue
                for p in ({}, {"beta": 0.0}, {"beta": 0.5}) if name == "smooth_l1_loss" else \
                        ({}, {"delta": 0.3}) if name == "huber_loss" else \
                        ({}, {"margin": 0.2}) if name == "hinge_embedding_loss" else ({},):
                    x = rng.standard_normal(shapes[0]).astype(dtype)
                    t = rng.standard_normal(shapes[1]).astype(dtype)
                    if name == "soft_margin_loss":
                        t = np.sign(t) * 3
                    if name == "hinge_embedding_loss":
                        t = rng.choice(np.array([1.0, -1.0, 0.0]), size=shapes[1]).astype(dtype)
                    kw = dict(reduction=reduction, **p)
                    if weighted:
                        kw["weight"] = (rng.random(shapes[0]) + 0.2).astype(dtype)
                    try:
                        xt = torch.tensor(x, requires_grad=True)
                        ref = getattr(TF, name)(xt, torch.tensor(t), **{k: torch.tensor(v) if k == "weight" else v for k, v in kw.items()})
                        g = rng.standard_normal(ref.shape).astype(dtype)
                        ref.backward(torch.tensor(g))
                        expected = (ref.detach().numpy(), xt.grad.numpy())
                    except (RuntimeError, ValueError) as error:
                        with pytest.raises(ValueError) as ours:
                            getattr(F, name)(x, t, **kw)
                        assert str(ours.value) == str(error)
                        continue
                    loss, grad = getattr(F, name)(x, t, with_grad=True, grad_output=g, **kw)
                    assert np.asarray(loss).dtype == expected[0].dtype and np.shape(loss) == expected[0].shape
                    np.testing.assert_allclose(loss, expected[0], equal_nan=True, **tol)
                    np.testing.assert_allclose(grad, expected[1], equal_nan=True, **tol)
