"""poisson_nll_loss: against a float64 numpy reference of PyTorch's composite and against
torch.nn.functional.poisson_nll_loss itself (values and input gradients, every keyword,
reductions, broadcasting both ways, empty and NaN inputs, integer inputs, the legacy
arguments), every error message, the module, out=, and the swiftloss.torch drop-in."""
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import swiftloss
import swiftloss as F
import swiftloss.torch as sl
from gradcheck import finite_difference

KEYWORDS = [dict(), dict(full=True), dict(log_input=False), dict(log_input=False, full=True, eps=1e-3),
            dict(log_input=False, eps=0.5)]
REDUCTIONS = ["none", "sum", "mean"]
DTYPES = [np.float32, np.float64]
TOL = {np.float32: (2e-6, 2e-6), np.float64: (1e-12, 1e-13)}


def reference(x, t, log_input=True, full=False, eps=1e-8, reduction="mean"):
    """PyTorch's composite in float64."""
    x, t = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(t, np.float64))
    with np.errstate(all="ignore"):
        loss = np.exp(x) - t * x if log_input else x - t * np.log(x + eps)
        if full:
            stirling = t * np.log(t) - t + 0.5 * np.log(2 * math.pi * t)
            loss = loss + np.where(t <= 1, 0.0, stirling)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean() if loss.size else np.nan


def data(shape_x, shape_t, dtype, seed=0, log_input=True):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape_x)
    if not log_input:
        x = np.exp(x)  # rates
    t = rng.integers(0, 6, shape_t).astype(np.float64)  # counts, some above 1
    return x.astype(dtype), t.astype(dtype)


def close(got, want, dtype):
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64), rtol=rtol,
                               atol=atol * max(1.0, float(np.max(np.abs(want), initial=0.0))))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("keywords", KEYWORDS, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()) or "default")
@pytest.mark.parametrize("shapes", [((4, 5), (4, 5)), ((4, 5), (5,)), ((5,), (3, 5)), ((3, 1), (1, 4)), ((0, 3), (0, 3))],
                         ids=lambda s: f"{s[0]}-{s[1]}")
def test_values_and_gradients_match_the_reference_and_torch(shapes, keywords, reduction, dtype):
    x, t = data(*shapes, dtype, log_input=keywords.get("log_input", True))
    value, grad = F.poisson_nll_loss(x, t, reduction=reduction, with_grad=True, **keywords)
    want = reference(x, t, reduction=reduction, **keywords)
    close(value, want, dtype)
    assert np.asarray(value).dtype == dtype and np.shape(value) == np.shape(want)
    assert grad.shape == x.shape and grad.dtype == dtype
    xt = torch.tensor(x, requires_grad=True)
    theirs = TF.poisson_nll_loss(xt, torch.tensor(t), reduction=reduction, **keywords)
    close(value, theirs.detach().numpy(), dtype)
    if theirs.numel():
        weights = np.random.default_rng(1).random(np.shape(want)) + 0.5 if reduction == "none" else 1.0
        (theirs * torch.tensor(weights, dtype=theirs.dtype)).sum().backward()
        _, ours = F.poisson_nll_loss(x, t, reduction=reduction, with_grad=True,
                                     grad_output=np.asarray(weights, dtype) if reduction == "none" else None, **keywords)
        close(ours, xt.grad.numpy(), dtype)


@pytest.mark.parametrize("keywords", KEYWORDS, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()) or "default")
def test_gradient_is_the_derivative(keywords):
    x, t = data((3, 4), (3, 4), np.float64, seed=3, log_input=keywords.get("log_input", True))
    _, grad = F.poisson_nll_loss(x, t, reduction="sum", with_grad=True, **keywords)
    numeric = finite_difference(lambda z: float(F.poisson_nll_loss(z, t, reduction="sum", **keywords)), x)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)


def test_edge_cases_match_torch():
    # A negative rate without log_input is NaN; eps = 0 at a zero rate; negative targets; NaN.
    x = np.array([-1.0, 0.0, 2.0, np.nan, 1.5])
    t = np.array([1.0, 2.0, -3.0, 1.0, 0.0])
    for keywords in (dict(log_input=False), dict(log_input=False, eps=0.0), dict(), dict(full=True)):
        ours = F.poisson_nll_loss(x, t, reduction="none", **keywords)
        theirs = TF.poisson_nll_loss(torch.tensor(x), torch.tensor(t), reduction="none", **keywords).numpy()
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
        np.testing.assert_allclose(ours[~np.isnan(ours)], theirs[~np.isnan(theirs)], rtol=1e-12)
    assert F.poisson_nll_loss(np.zeros(0), np.zeros(0), reduction="sum") == 0
    assert np.isnan(F.poisson_nll_loss(np.zeros(0), np.zeros(0)))


def test_integer_input_is_computed_in_float32_as_torch():
    x, t = np.array([0, 1, 2]), np.array([1.0, 0.0, 3.0], np.float32)
    ours = F.poisson_nll_loss(x, t, reduction="none")
    theirs = TF.poisson_nll_loss(torch.tensor(x), torch.tensor(t), reduction="none")
    assert ours.dtype == np.float32 and theirs.dtype == torch.float32
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6)


def test_promotion_of_mixed_float_dtypes():
    x, t = data((2, 3), (2, 3), np.float32)
    ours = F.poisson_nll_loss(x, t.astype(np.float64))
    assert np.asarray(ours).dtype == np.float64


def test_legacy_arguments_and_their_warning():
    x, t = data((2, 3), (2, 3), np.float64)
    for size_average, reduce, reduction in ((None, False, "none"), (False, None, "sum"), (True, True, "mean")):
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            ours = F.poisson_nll_loss(x, t, size_average=size_average, reduce=reduce, reduction="mean")
        np.testing.assert_allclose(ours, reference(x, t, reduction=reduction), rtol=1e-12)


def test_errors_are_torchs():
    x, t = data((2, 3), (2, 3), np.float64)
    for bad in ("foo", "elementwise_mean", "batchmean"):
        with pytest.raises(ValueError, match=f"^{bad} is not a valid value for reduction$"):
            F.poisson_nll_loss(x, t, reduction=bad)
        with pytest.raises(ValueError, match=f"^{bad} is not a valid value for reduction$"):
            TF.poisson_nll_loss(torch.tensor(x), torch.tensor(t), reduction=bad)
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'NoneType' and 'str'"):
        F.poisson_nll_loss(x, t, reduction=None)
    with pytest.raises(ValueError):  # shapes that do not broadcast
        F.poisson_nll_loss(np.zeros((2, 3)), np.zeros((4,)))


def test_module_and_out():
    x, t = data((3, 4), (3, 4), np.float64)
    module = swiftloss.PoissonNLLLoss(log_input=True, full=True, reduction="none")
    np.testing.assert_allclose(module(x, t), reference(x, t, full=True, reduction="none"), rtol=1e-12)
    out, grad_out = np.empty((3, 4)), np.empty((3, 4))
    value, grad = F.poisson_nll_loss(x, t, reduction="none", with_grad=True, out=(out, grad_out))
    assert value is out and grad is grad_out
    np.testing.assert_allclose(grad, np.exp(x) - t, rtol=1e-12)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        legacy = swiftloss.PoissonNLLLoss(reduce=False)
    assert legacy.reduction == "none"


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("keywords", KEYWORDS, ids=lambda k: "-".join(f"{a}={b}" for a, b in k.items()) or "default")
def test_torch_drop_in_first_and_second_order(keywords, dtype):
    g = torch.Generator().manual_seed(7)
    x = torch.randn(4, 5, dtype=dtype, generator=g)
    if not keywords.get("log_input", True):
        x = x.exp()
    x.requires_grad_(True)
    t = torch.randint(0, 6, (4, 5), generator=g).to(dtype)
    ours = sl.poisson_nll_loss(x, t, **keywords)
    theirs = TF.poisson_nll_loss(x, t, **keywords)
    rtol = 1e-5 if dtype == torch.float32 else 1e-10
    torch.testing.assert_close(ours, theirs, rtol=rtol, atol=rtol)
    (g1,) = torch.autograd.grad(ours, x, create_graph=True)
    (g2,) = torch.autograd.grad(theirs, x, create_graph=True)
    torch.testing.assert_close(g1, g2, rtol=rtol, atol=rtol)
    (h1,) = torch.autograd.grad(g1.square().sum(), x)
    (h2,) = torch.autograd.grad(g2.square().sum(), x)
    torch.testing.assert_close(h1, h2, rtol=rtol, atol=rtol)
    module = sl.PoissonNLLLoss(**keywords)
    torch.testing.assert_close(module(x, t), theirs, rtol=rtol, atol=rtol)


def test_torch_drop_in_refuses_a_target_gradient_and_checks_reductions():
    x = torch.randn(3, requires_grad=True)
    t = torch.rand(3, requires_grad=True)
    with pytest.raises(NotImplementedError, match="gradients with respect to target are not computed"):
        sl.poisson_nll_loss(x, t)
    with pytest.raises(ValueError, match="^foo is not a valid value for reduction$"):
        sl.poisson_nll_loss(x, t.detach(), reduction="foo")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = sl.poisson_nll_loss(x, t.detach(), reduce=False)
    assert value.shape == (3,)
