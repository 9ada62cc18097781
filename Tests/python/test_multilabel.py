"""multilabel_soft_margin_loss: against a float64 numpy reference of PyTorch's composite and
against torch.nn.functional.multilabel_soft_margin_loss itself (values and input gradients;
weights per class, per element, (N, 1) and (1, C); targets broadcast; 1-d and 3-d inputs;
reductions; empty, zero-class and NaN inputs; the legacy arguments), every error message, the
module, out=, and the swiftloss.torch drop-in to the second order."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import swiftloss
import swiftloss as F
import swiftloss.torch as sl
from gradcheck import finite_difference

REDUCTIONS = ["none", "sum", "mean"]
DTYPES = [np.float32, np.float64]
TOL = {np.float32: (2e-6, 2e-6), np.float64: (1e-12, 1e-13)}


def reference(x, t, w=None, reduction="mean"):
    x, t = np.asarray(x, np.float64), np.asarray(t, np.float64)
    logsig = -np.logaddexp(0, -x)
    loss = -(t * logsig + (1 - t) * (logsig - x))
    if w is not None:
        loss = loss * np.asarray(w, np.float64)
    with np.errstate(invalid="ignore"):
        loss = loss.sum(-1) / loss.shape[-1]
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean() if loss.size else np.nan


def close(got, want, dtype):
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64), rtol=rtol,
                               atol=atol * max(1.0, float(np.max(np.abs(want), initial=0.0))))


CASES = [((4, 5), (4, 5), None), ((4, 5), (4, 5), (5,)), ((4, 5), (4, 5), (4, 5)), ((4, 5), (4, 5), (4, 1)),
         ((4, 5), (5,), (1, 5)), ((5,), (5,), (5,)), ((2, 3, 7), (2, 3, 7), (7,)), ((1, 5), (3, 5), None),
         ((0, 5), (0, 5), None), ((3, 0), (3, 0), None), ((4, 37), (4, 37), (37,))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", CASES, ids=lambda c: "-".join(str(s) for s in c))
def test_values_and_gradients_match_the_reference_and_torch(shapes, reduction, dtype):
    rng = np.random.default_rng(5)
    sx, st, sw = shapes
    x = (rng.standard_normal(sx) * 3).astype(dtype)
    t = (rng.random(st) < 0.4).astype(dtype)
    w = None if sw is None else (rng.random(sw) + 0.5).astype(dtype)
    value, grad = F.multilabel_soft_margin_loss(x, t, w, reduction=reduction, with_grad=True)
    want = reference(x, t, w, reduction)
    close(value, want, dtype)
    assert np.shape(value) == np.shape(want) and np.asarray(value).dtype == dtype
    assert grad.shape == x.shape and grad.dtype == dtype
    xt = torch.tensor(x, requires_grad=True)
    theirs = TF.multilabel_soft_margin_loss(xt, torch.tensor(t), None if w is None else torch.tensor(w),
                                            reduction=reduction)
    close(value, theirs.detach().numpy(), dtype)
    if theirs.numel() and x.size and np.all(np.isfinite(theirs.detach().numpy())):
        upstream = np.random.default_rng(1).random(np.shape(want)) + 0.5 if reduction == "none" else 1.0
        (theirs * torch.tensor(upstream, dtype=theirs.dtype)).sum().backward()
        _, ours = F.multilabel_soft_margin_loss(
            x, t, w, reduction=reduction, with_grad=True,
            grad_output=np.asarray(upstream, dtype) if reduction == "none" else None)
        close(ours, xt.grad.numpy(), dtype)


def test_gradient_is_the_derivative():
    rng = np.random.default_rng(9)
    x, t, w = rng.standard_normal((3, 6)), rng.random((3, 6)), rng.random(6) + 0.5
    _, grad = F.multilabel_soft_margin_loss(x, t, w, reduction="sum", with_grad=True)
    numeric = finite_difference(lambda z: float(F.multilabel_soft_margin_loss(z, t, w, reduction="sum")), x)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_extreme_logits_stay_finite_and_nan_propagates():
    x = np.array([[1000.0, -1000.0, np.nan], [80.0, -80.0, 0.0]], np.float32)
    t = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0]], np.float32)
    ours = F.multilabel_soft_margin_loss(x, t, reduction="none")
    theirs = TF.multilabel_soft_margin_loss(torch.tensor(x), torch.tensor(t), reduction="none").numpy()
    assert np.isnan(ours[0]) and np.isnan(theirs[0])
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    finite = F.multilabel_soft_margin_loss(x[:, :2], t[:, :2], reduction="none")
    np.testing.assert_allclose(finite, [1000.0, (0 + 0) / 2], rtol=1e-6, atol=1e-6)


def test_empty_and_zero_class_reductions():
    assert F.multilabel_soft_margin_loss(np.zeros((0, 3)), np.zeros((0, 3)), reduction="sum") == 0
    assert np.isnan(F.multilabel_soft_margin_loss(np.zeros((0, 3)), np.zeros((0, 3))))
    assert np.all(np.isnan(F.multilabel_soft_margin_loss(np.zeros((2, 0)), np.zeros((2, 0)), reduction="none")))
    assert np.isnan(F.multilabel_soft_margin_loss(np.zeros((2, 0)), np.zeros((2, 0)), reduction="sum"))


def test_legacy_arguments():
    rng = np.random.default_rng(2)
    x, t = rng.standard_normal((3, 4)), rng.random((3, 4))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        ours = F.multilabel_soft_margin_loss(x, t, reduce=False)
    np.testing.assert_allclose(ours, reference(x, t, reduction="none"), rtol=1e-12)


def test_errors_are_torchs():
    x, t = np.zeros((2, 3)), np.zeros((2, 3))
    with pytest.raises(IndexError, match="Dimension specified as -1 but tensor has no dimensions"):
        F.multilabel_soft_margin_loss(np.float64(1.0), np.float64(1.0))
    with pytest.raises(ValueError, match="^foo is not valid$"):
        F.multilabel_soft_margin_loss(x, t, reduction="foo")
    with pytest.raises(ValueError, match="^foo is not valid$"):
        TF.multilabel_soft_margin_loss(torch.tensor(x), torch.tensor(t), reduction="foo")
    with pytest.raises(TypeError, match=r"unsupported operand type\(s\) for \+: 'NoneType' and 'str'"):
        F.multilabel_soft_margin_loss(x, t, reduction=None)
    with pytest.raises(ValueError):
        F.multilabel_soft_margin_loss(x, t, np.ones(4))
    with pytest.raises(TypeError):
        F.multilabel_soft_margin_loss(np.zeros((2, 3), np.int64), t)


def test_module_and_out():
    rng = np.random.default_rng(4)
    x, t, w = rng.standard_normal((3, 4)), rng.random((3, 4)), rng.random(4) + 0.5
    module = swiftloss.MultiLabelSoftMarginLoss(weight=w, reduction="none")
    np.testing.assert_allclose(module(x, t), reference(x, t, w, "none"), rtol=1e-12)
    out, grad_out = np.empty(3), np.empty((3, 4))
    value, grad = F.multilabel_soft_margin_loss(x, t, w, reduction="none", with_grad=True, out=(out, grad_out))
    assert value is out and grad is grad_out


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5), (5,)], ids=str)
def test_torch_drop_in_first_and_second_order(shape, reduction, dtype):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(shape, dtype=dtype, generator=g, requires_grad=True)
    t = (torch.rand(shape, generator=g) < 0.5).to(dtype)
    w = torch.rand(shape[-1], dtype=dtype, generator=g) + 0.5
    mix = torch.rand(shape[:-1], dtype=dtype, generator=g) + 0.5

    def total(loss):
        return loss if loss.dim() == 0 else (loss * mix).sum()

    ours = total(sl.multilabel_soft_margin_loss(x, t, w, reduction=reduction))
    theirs = total(TF.multilabel_soft_margin_loss(x, t, w, reduction=reduction))
    rtol = 1e-5 if dtype == torch.float32 else 1e-10
    torch.testing.assert_close(ours, theirs, rtol=rtol, atol=rtol)
    (g1,) = torch.autograd.grad(ours, x, create_graph=True)
    (g2,) = torch.autograd.grad(theirs, x, create_graph=True)
    torch.testing.assert_close(g1, g2, rtol=rtol, atol=rtol)
    (h1,) = torch.autograd.grad(g1.square().sum(), x)
    (h2,) = torch.autograd.grad(g2.square().sum(), x)
    torch.testing.assert_close(h1, h2, rtol=rtol, atol=rtol)
    module = sl.MultiLabelSoftMarginLoss(weight=w, reduction=reduction)
    torch.testing.assert_close(total(module(x, t)), theirs, rtol=rtol, atol=rtol)


def test_torch_drop_in_errors():
    x = torch.randn(2, 3, requires_grad=True)
    with pytest.raises(NotImplementedError, match="gradients with respect to target are not computed"):
        sl.multilabel_soft_margin_loss(x, torch.rand(2, 3, requires_grad=True))
    with pytest.raises(ValueError, match="^foo is not valid$"):
        sl.multilabel_soft_margin_loss(x, torch.rand(2, 3), reduction="foo")
    with pytest.raises(IndexError, match="Dimension specified as -1"):
        sl.multilabel_soft_margin_loss(torch.tensor(1.0), torch.tensor(1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert sl.multilabel_soft_margin_loss(x, torch.rand(2, 3), reduce=False).shape == (2,)
