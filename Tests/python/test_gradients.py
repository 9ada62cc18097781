"""The extension's gradient entry points (swiftloss._swiftloss.*_backward, cross_entropy_fused)
against central finite differences of the forward functions, in float64, and their buffer
checks."""
import warnings

import numpy as np

from gradcheck import finite_difference
import pytest

import swiftloss as F
from swiftloss import _swiftloss as C

NONE, SUM, MEAN, BATCHMEAN = 0, 1, 2, 3
REDUCTIONS = {"none": NONE, "sum": SUM, "mean": MEAN}


def upstream(rng, reduction, shape):
    return rng.standard_normal(shape) if reduction == "none" else np.array([rng.standard_normal()])


def weighted_sum(value, g):
    return float(np.sum(np.asarray(value) * g.reshape(np.shape(value)) if np.ndim(value) else value * g[0]))


@pytest.mark.parametrize("function", ["softmax", "log_softmax"])
def test_softmax_backward(function):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 4))
    g = rng.standard_normal(x.shape)
    forward = getattr(F, function)
    y = forward(x, 1)
    gx = np.empty_like(x)
    getattr(C, function + "_backward")(y, g, 2, 3, 4, gx)
    np.testing.assert_allclose(gx, finite_difference(lambda v: np.sum(forward(v, 1) * g), x.copy()), rtol=1e-6, atol=1e-8)
    # grad_input may be output or grad_output itself
    in_place = g.copy()
    getattr(C, function + "_backward")(y, in_place, 2, 3, 4, in_place)
    np.testing.assert_allclose(in_place, gx, rtol=1e-12)


CLASS_CASES = [(r, w, eps, ig) for r in REDUCTIONS for w in (False, True) for eps in (0.0, 0.2) for ig in (-100, 1)]


@pytest.mark.parametrize("reduction,weighted,eps,ignore_index", CLASS_CASES)
def test_cross_entropy_backward_and_fused(reduction, weighted, eps, ignore_index):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 2))
    t = rng.integers(0, 4, (3, 2))
    weight = rng.uniform(0.5, 2, 4) if weighted else None
    red = REDUCTIONS[reduction]
    g = upstream(rng, reduction, t.size)

    def loss(v):
        return weighted_sum(F.cross_entropy(v, t, weight=weight, ignore_index=ignore_index,
                                            reduction=reduction, label_smoothing=eps), g)

    expected = finite_difference(loss, x.copy())
    gx = np.empty_like(x)
    C.cross_entropy_backward(x, t, 3, 4, 2, weight, ignore_index, red, eps, g, gx)
    np.testing.assert_allclose(gx, expected, rtol=1e-6, atol=1e-8)

    out = np.empty(t.size if red == NONE else 1)
    fused = np.empty_like(x)
    C.cross_entropy_fused(x, t, 3, 4, 2, weight, ignore_index, red, eps, g, out, fused)
    np.testing.assert_allclose(fused, gx, rtol=1e-12, atol=1e-15)
    forward = F.cross_entropy(x, t, weight=weight, ignore_index=ignore_index, reduction=reduction, label_smoothing=eps)
    np.testing.assert_allclose(out.reshape(np.shape(forward)), forward, rtol=1e-12)
    # fused in place: the logits become their gradient; grad_output None means ones
    logits = x.copy()
    C.cross_entropy_fused(logits, t, 3, 4, 2, weight, ignore_index, red, eps, None, out, logits)
    ones = np.ones_like(g)
    C.cross_entropy_backward(x, t, 3, 4, 2, weight, ignore_index, red, eps, ones, gx)
    np.testing.assert_allclose(logits, gx, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reduction,weighted,_eps,ignore_index", CLASS_CASES[::2])
def test_nll_loss_backward(reduction, weighted, _eps, ignore_index):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3))
    t = rng.integers(0, 3, 5)
    weight = rng.uniform(0.5, 2, 3) if weighted else None
    g = upstream(rng, reduction, t.size)
    expected = finite_difference(
        lambda v: weighted_sum(F.nll_loss(v, t, weight=weight, ignore_index=ignore_index, reduction=reduction), g), x.copy())
    gx = np.empty_like(x)
    C.nll_loss_backward(t, 5, 3, 1, weight, ignore_index, REDUCTIONS[reduction], g, gx)
    np.testing.assert_allclose(gx, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted,eps", [(False, 0.0), (True, 0.3)])
def test_cross_entropy_probs_backward(reduction, weighted, eps):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 4))
    q = F.softmax(rng.standard_normal((3, 4)), 1)
    weight = rng.uniform(0.5, 2, 4) if weighted else None
    g = upstream(rng, reduction, 3)
    expected = finite_difference(
        lambda v: weighted_sum(F.cross_entropy(v, q, weight=weight, reduction=reduction, label_smoothing=eps), g), x.copy())
    gx = np.empty_like(x)
    C.cross_entropy_probs_backward(x, q, 3, 4, 1, weight, -100, REDUCTIONS[reduction], eps, g, gx)
    np.testing.assert_allclose(gx, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_backward(reduction):
    rng = np.random.default_rng(5)
    x = rng.uniform(0.05, 0.95, (4, 3))
    t = rng.uniform(0, 1, (4, 3))
    w = rng.uniform(0.5, 2, 3)
    g = upstream(rng, reduction, x.size)
    expected = finite_difference(
        lambda v: weighted_sum(F.binary_cross_entropy(v, t, weight=w, reduction=reduction), g), x.copy())
    gx = np.empty_like(x)
    C.binary_cross_entropy_backward(x, t, x.size, w, REDUCTIONS[reduction], g, gx)
    np.testing.assert_allclose(gx, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits_backward(reduction):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 3)) * 3
    t = rng.uniform(0, 1, (4, 3))
    w, pw = rng.uniform(0.5, 2, 3), rng.uniform(0.5, 3, 3)
    g = upstream(rng, reduction, x.size)
    expected = finite_difference(
        lambda v: weighted_sum(F.binary_cross_entropy_with_logits(v, t, weight=w, pos_weight=pw, reduction=reduction), g),
        x.copy())
    gx = np.empty_like(x)
    C.binary_cross_entropy_with_logits_backward(x, t, x.size, w, pw, REDUCTIONS[reduction], g, gx)
    np.testing.assert_allclose(gx, expected, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_backward(reduction, log_target):
    rng = np.random.default_rng(7)
    x = F.log_softmax(rng.standard_normal((4, 3)), 1)
    t = F.softmax(rng.standard_normal((4, 3)), 1)
    if log_target:
        t = np.log(t)
    red = {"batchmean": BATCHMEAN, **REDUCTIONS}[reduction]
    g = upstream(rng, reduction, x.size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warning
        expected = finite_difference(
            lambda v: weighted_sum(F.kl_div(v, t, reduction=reduction, log_target=log_target), g), x.copy())
    gx = np.empty_like(x)
    C.kl_div_backward(t, x.size, 4, red, int(log_target), g, gx)
    np.testing.assert_allclose(gx, expected, rtol=1e-6, atol=1e-8)


# ------------------------------------------------------------------------------------------
# Buffer checks of the gradient entry points
# ------------------------------------------------------------------------------------------

def f64(*shape):
    return np.zeros(shape)


T2 = np.array([0, 1])


@pytest.mark.parametrize("call,exception", [
    (lambda: C.softmax_backward(f64(6), f64(6), 2, 3, 1, f64(5)), ValueError),
    (lambda: C.softmax_backward(f64(6), f64(6), 2**62, 2**62, 1, f64(6)), ValueError),
    (lambda: C.log_softmax_backward(f64(6), np.zeros(6, np.float32), 2, 3, 1, f64(6)), TypeError),
    (lambda: C.nll_loss_backward(T2, 2, 3, 1, None, -100, MEAN, f64(2), f64(6)), ValueError),
    (lambda: C.nll_loss_backward(T2, 2, 3, 1, None, -100, NONE, f64(1), f64(6)), ValueError),
    (lambda: C.nll_loss_backward(T2, 2, 3, 1, None, -100, MEAN, f64(1), np.zeros(6, np.int64)), TypeError),
    (lambda: C.nll_loss_backward(T2.astype(np.int32), 2, 3, 1, None, -100, MEAN, f64(1), f64(6)), TypeError),
    (lambda: C.cross_entropy_backward(f64(6), T2, 2, 3, 2**62, None, -100, MEAN, 0.0, f64(1), f64(6)), ValueError),
    (lambda: C.cross_entropy_backward(f64(6), T2, 2, 3, 1, None, -100, MEAN, 0.0, f64(1), f64(5)), ValueError),
    (lambda: C.cross_entropy_fused(f64(6), T2, 2, 3, 1, None, -100, NONE, 0.0, None, f64(1), f64(6)), ValueError),
    (lambda: C.cross_entropy_fused(f64(6), T2, 2, 3, 1, None, -100, MEAN, 0.0, f64(2), f64(1), f64(6)), ValueError),
    (lambda: C.cross_entropy_probs_backward(f64(6), f64(5), 2, 3, 1, None, -100, MEAN, 0.0, f64(1), f64(6)), ValueError),
    (lambda: C.binary_cross_entropy_backward(f64(4), f64(4), 5, None, MEAN, f64(1), f64(4)), ValueError),
    (lambda: C.binary_cross_entropy_with_logits_backward(f64(4), f64(4), 4, None, None, NONE, f64(1), f64(4)), ValueError),
    (lambda: C.kl_div_backward(f64(4), 2**63 - 1, 1, SUM, 0, f64(1), f64(4)), ValueError),
    (lambda: C.kl_div_backward(np.zeros(4, np.int64), 4, 1, SUM, 0, f64(1), f64(4)), TypeError),
])
def test_bad_buffers_never_reach_the_library(call, exception):
    with pytest.raises(exception):
        call()


def test_status_codes_from_gradients():
    gx = np.full(6, 7.0)
    with pytest.raises(IndexError):
        C.nll_loss_backward(np.array([0, 5]), 2, 3, 1, None, -100, MEAN, f64(1), gx)
    with pytest.raises(ValueError, match=C.status_string(5)):
        C.cross_entropy_backward(f64(6), T2, 2, 3, 1, f64(2), -100, MEAN, 0.0, f64(1), gx)
    with pytest.raises(ValueError, match=C.status_string(7)):
        C.cross_entropy_fused(f64(6), T2, 2, 3, 1, None, -100, MEAN, 2.0, None, f64(1), gx)
    with pytest.raises(ValueError, match=C.status_string(11)):
        C.kl_div_backward(f64(6), 6, 4, BATCHMEAN, 0, f64(1), gx)
    assert np.all(gx == 7.0)


def test_gradient_overlap_rules():
    memory = np.zeros(7)
    x, shifted = memory[:6], memory[1:]  # overlapping, not the same buffer
    with pytest.raises(ValueError, match="grad_input must not overlap input"):
        C.cross_entropy_backward(x, T2, 2, 3, 1, None, -100, MEAN, 0.0, f64(1), shifted)
    with pytest.raises(ValueError, match="grad_input must not overlap output"):
        out = f64(6)
        C.cross_entropy_fused(f64(6), T2, 2, 3, 1, None, -100, NONE, 0.0, None, out[:2], out)
    t = np.full(4, 0.5)
    with pytest.raises(ValueError, match="grad_input must not overlap target"):
        C.binary_cross_entropy_backward(np.full(4, 0.5), t, 4, None, NONE, f64(4), t)
    with pytest.raises(ValueError, match="grad_input must not overlap output"):
        C.softmax_backward(x, f64(6), 2, 3, 1, shifted)
