"""cross_entropy's z_loss, softcap and return_z_loss keywords (beyond PyTorch: PaLM's z-loss,
Gemma 2's logit softcapping) against the torch composite they are defined by:

    r    = softcap * tanh(x / softcap)                 (or x)
    loss = F.cross_entropy(r, target, ...) + z,  z = z_loss * lse(r)^2 over the counted samples,
           summed ('sum'), per sample ('none', 0 for ignored ones) or divided by the number of
           counted samples ('mean')

values, the z term alone and the gradient (torch's autograd of the composite) for class-index
and probability targets, (N, C), (N, C, d) and unbatched (C,) inputs, weights, ignore_index,
label smoothing, every reduction, grad_output, in-place gradients; z_loss = 0 without softcap
is plain cross_entropy bit for bit; edge values (infinite and huge logits, tiny ones where
tanh's series is used); the error messages; the nn module; the swiftloss.torch bridge
(gradients through autograd, the z output not differentiable, second derivatives).

Tolerances: float64 1e-12 relative; float32 2e-6 relative (of the largest element; for
gradients, of the largest element of the gradient with respect to the capped logits, or of
the upstream scale of a sample if larger; for the losses against the composite, of the
largest logit plus log C when larger: the size of the terms a sample's loss is the difference
of)."""

import math
import zlib

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import swiftloss as F
import swiftloss.torch as sl

REDUCTIONS = ["none", "sum", "mean"]
DTYPES = [np.float32, np.float64]
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


def composite(x, target, z_loss, softcap, reduction="mean", weight=None, ignore_index=-100,
              label_smoothing=0.0, grad_output=None):
    """(loss, z, gradient) of the defining composite in float64 torch."""
    X = torch.tensor(np.asarray(x, np.float64), requires_grad=True)
    probabilities = np.asarray(target).dtype.kind == "f"
    T = torch.tensor(np.asarray(target, np.float64 if probabilities else np.int64))
    r = softcap * torch.tanh(X / softcap) if softcap else X
    r.retain_grad()
    w = None if weight is None else torch.tensor(np.asarray(weight, np.float64))
    ce = TF.cross_entropy(r, T, weight=w, ignore_index=ignore_index, reduction=reduction,
                          label_smoothing=label_smoothing)
    lse = torch.logsumexp(r, dim=1 if r.dim() > 1 else 0)
    counted = torch.ones_like(lse) if probabilities else (T != ignore_index).double()
    z = z_loss * lse * lse * counted
    z = {"none": z, "sum": z.sum(), "mean": z.sum() / counted.sum()}[reduction]
    loss = ce + z
    g = torch.ones_like(loss) if grad_output is None else torch.tensor(np.asarray(grad_output, np.float64))
    (loss * g).sum().backward()
    grad = X.grad.numpy()
    # The float32 tolerance of a capped gradient is relative to the gradient before the cap's
    # derivative 1 - tanh^2, which float32 cannot resolve below ~1e-7 where tanh is near +-1.
    # (Or the upstream scale of a sample: p - 1 at a target whose p is near 1 cancels.)
    upstream = float(g.abs().max()) / (float(counted.sum()) if reduction == "mean" else 1.0)
    grad_scale[id(grad)] = max(np.max(np.abs(r.grad.numpy()), initial=0), upstream)
    return loss.detach().numpy(), z.detach().numpy(), grad


grad_scale = {}


def close(a, b, dtype, scale=0.0):
    scale = max(scale, grad_scale.get(id(b), 0))
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape
    assert np.array_equal(np.isnan(a), np.isnan(b))
    finite = np.isfinite(a)
    scale = max(1e-300, scale, np.max(np.abs(b[finite]), initial=0))
    tol = 1e-12 if dtype == np.float64 else 2e-6
    assert np.max(np.abs(a[finite] - b[finite]), initial=0) <= tol * scale, (a, b)


def case(rng, dtype, layout, probabilities, ignore=True):
    C = 7
    shape, tshape = {"2d": ((6, C), (6,)), "nd": ((3, C, 5), (3, 5)), "unbatched": ((C,), ())}[layout]
    x = (rng.normal(size=shape) * 4).astype(dtype)
    if probabilities:
        q = rng.random(size=shape)
        q /= q.sum(axis=1 if len(shape) > 1 else 0, keepdims=True)
        return x, q.astype(dtype)
    t = rng.integers(0, C, size=tshape)
    if ignore and t.size > 1:
        t.flat[1] = -100
    return x, t


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", ["2d", "nd", "unbatched"])
@pytest.mark.parametrize("probabilities", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("softcap", [None, 0.75, 30.0])
@pytest.mark.parametrize("z_loss", [0.0, 1e-3, 0.25])
def test_against_composite(dtype, layout, probabilities, reduction, softcap, z_loss):
    # The same data in every run (hash() of a tuple holding None or a str differs between runs).
    rng = np.random.default_rng(zlib.crc32(repr((layout, probabilities, reduction, softcap, z_loss)).encode()))
    x, t = case(rng, dtype, layout, probabilities)
    for weight, smoothing in [(None, 0.0), (np.linspace(0.5, 2, 7).astype(dtype), 0.2)]:
        loss, z, grad = F.cross_entropy(x, t, weight=weight, reduction=reduction, label_smoothing=smoothing,
                                        z_loss=z_loss, softcap=softcap, return_z_loss=True, with_grad=True)
        L, Z, G = composite(x, t, z_loss, softcap, reduction, weight, label_smoothing=smoothing)
        assert np.asarray(loss).dtype == dtype and grad.dtype == dtype and grad.shape == x.shape
        # A sample's loss is lse(r) - r_t: float32 rounds at the size of those terms, which a
        # loss near 0 (p_t near 1) is far below.
        close(loss, L, dtype, scale=float(np.abs(x).max()) + math.log(7))
        close(z, Z, dtype)
        close(grad, G, dtype)
        # The loss alone, without the gradient, is the same number.
        alone = F.cross_entropy(x, t, weight=weight, reduction=reduction, label_smoothing=smoothing,
                                z_loss=z_loss, softcap=softcap)
        np.testing.assert_array_equal(alone, loss)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("probabilities", [False, True])
def test_grad_output(dtype, probabilities):
    rng = np.random.default_rng(3)
    x, t = case(rng, dtype, "nd", probabilities)
    g = rng.normal(size=(3, 5)).astype(dtype)
    loss, grad = F.cross_entropy(x, t, reduction="none", z_loss=0.1, softcap=2.0, with_grad=True, grad_output=g)
    L, _, G = composite(x, t, 0.1, 2.0, "none", grad_output=g)
    close(loss, L, dtype)
    close(grad, G, dtype)
    loss, grad = F.cross_entropy(x, t, reduction="mean", z_loss=0.1, with_grad=True, grad_output=dtype(-2.5))
    L, _, G = composite(x, t, 0.1, None, "mean", grad_output=-2.5)
    close(grad, G, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_off_is_plain_cross_entropy(dtype, reduction):
    rng = np.random.default_rng(4)
    x, t = case(rng, dtype, "2d", False)
    plain, plain_grad = F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.1, with_grad=True)
    loss, z, grad = F.cross_entropy(x, t, reduction=reduction, label_smoothing=0.1, z_loss=0.0, softcap=None,
                                    return_z_loss=True, with_grad=True)
    np.testing.assert_array_equal(loss, plain)
    np.testing.assert_array_equal(grad, plain_grad)
    assert np.all(np.asarray(z) == 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_target_ignored(dtype):
    x = np.ones((3, 4), dtype)
    t = np.full(3, -100)
    loss, z, grad = F.cross_entropy(x, t, z_loss=0.5, softcap=3.0, return_z_loss=True, with_grad=True)
    assert math.isnan(loss) and math.isnan(z)  # 0 / 0, as cross_entropy's own mean
    assert np.all(grad == 0)
    loss, z = F.cross_entropy(x, t, reduction="sum", z_loss=0.5, return_z_loss=True)
    assert loss == 0 and z == 0
    loss, z = F.cross_entropy(x, t, reduction="none", z_loss=0.5, return_z_loss=True)
    assert np.all(loss == 0) and np.all(z == 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softcap_edges(dtype):
    # Infinite and huge logits become +-softcap; tiny ones go through tanh's series (|x/cap| < 1/4)
    # and ones just above it through exp: both must match torch's tanh.
    x = np.array([[np.inf, -np.inf, 1e30, -1e30, 0.0, 1e-7],
                  [0.2499, 0.2501, -0.2499, -0.2501, 3.0, -7.0],
                  [1e-3, -1e-3, 0.1, -0.1, 0.24, 0.26]], dtype)
    t = np.array([0, 3, 5])
    loss, grad = F.cross_entropy(x, t, reduction="none", softcap=1.0, z_loss=0.01, with_grad=True)
    L, _, G = composite(x.astype(np.float64), t, 0.01, 1.0, "none")
    close(loss, L, dtype)
    close(grad, G, dtype)
    assert np.all(np.isfinite(loss)) and np.all(np.isfinite(grad))


def test_tanh_accuracy_float64():
    # The capped logits read back exactly: with one class the cross_entropy part is 0 and the
    # log-sum-exp is the capped logit r itself, so the loss is z_loss * r^2.
    ys = np.concatenate([np.linspace(-5, 5, 4001), np.geomspace(1e-150, 0.3, 400), -np.geomspace(1e-12, 0.3, 200)])
    loss = F.cross_entropy(ys[:, None], np.zeros(len(ys), np.int64), reduction="none", softcap=1.0, z_loss=1.0)
    r, expected = np.sqrt(loss), np.abs(np.tanh(ys))
    nonzero = expected > 0
    assert np.all(r[~nonzero] == 0)
    assert np.max(np.abs(r[nonzero] - expected[nonzero]) / expected[nonzero]) < 8e-16


def test_nn_module():
    rng = np.random.default_rng(5)
    x, t = case(rng, np.float64, "2d", False)
    m = F.CrossEntropyLoss(label_smoothing=0.1, z_loss=1e-2, softcap=5.0, return_z_loss=True)
    loss, z = m(x, t)
    L, Z, _ = composite(x, t, 1e-2, 5.0, "mean", label_smoothing=0.1)
    close(loss, L, np.float64)
    close(z, Z, np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_in_place_gradient(dtype):
    rng = np.random.default_rng(6)
    x, t = case(rng, dtype, "2d", False)
    L, _, G = composite(x, t, 0.1, 4.0, "mean")
    work = x.copy()
    loss, grad = F.cross_entropy(work, t, z_loss=0.1, softcap=4.0, with_grad=True, out=(None, work))
    assert grad is work
    close(loss, L, dtype)
    close(work, G, dtype)


@pytest.mark.parametrize("value", [-1e-3, float("nan"), float("inf")])
def test_bad_z_loss(value):
    x, t = np.zeros((2, 3)), np.array([0, 1])
    with pytest.raises(ValueError, match="z_loss must be a non-negative finite number"):
        F.cross_entropy(x, t, z_loss=value)
    with pytest.raises(ValueError, match="z_loss must be a non-negative finite number"):
        sl.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1]), z_loss=value)


@pytest.mark.parametrize("value", [0.0, -2.0, float("nan"), float("inf")])
def test_bad_softcap(value):
    x, t = np.zeros((2, 3)), np.array([0, 1])
    with pytest.raises(ValueError, match="softcap must be a positive finite number or None"):
        F.cross_entropy(x, t, softcap=value)
    with pytest.raises(ValueError, match="softcap must be a positive finite number or None"):
        sl.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 1]), softcap=value)


def test_other_errors():
    with pytest.raises(ValueError, match="need at least one class"):
        F.cross_entropy(np.zeros((2, 0)), np.array([0, 1]), z_loss=0.1)
    with pytest.raises(IndexError, match="Target 3 is out of bounds."):
        F.cross_entropy(np.zeros((2, 3)), np.array([0, 3]), z_loss=0.1)
    with pytest.raises(ValueError, match="ignore_index is not supported for floating point target"):
        F.cross_entropy(np.zeros((2, 3)), np.zeros((2, 3)), ignore_index=1, softcap=2.0)
    with pytest.raises(TypeError, match="z_loss must be a number"):
        F.cross_entropy(np.zeros((2, 3)), np.array([0, 1]), z_loss="big")


def test_thread_count_independent():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(300, 1000)).astype(np.float32) * 3
    t = rng.integers(0, 1000, 300)
    results = []
    for n in (1, 2, 3):
        F.set_num_threads(n)
        try:
            loss, z, grad = F.cross_entropy(x, t, z_loss=1e-3, softcap=15.0, return_z_loss=True, with_grad=True)
        finally:
            F.set_num_threads(0)
        results.append((loss, z, grad))
    for loss, z, grad in results[1:]:
        assert loss == results[0][0] and z == results[0][1]
        np.testing.assert_array_equal(grad, results[0][2])


# ------------------------------------------------------------------------------------------
# swiftloss.torch
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("probabilities", [False, True])
def test_bridge_gradients(dtype, reduction, probabilities):
    rng = np.random.default_rng(8)
    x, t = case(rng, dtype, "nd", probabilities)
    X = torch.tensor(x, requires_grad=True)
    loss, z = sl.cross_entropy(X, torch.tensor(t), reduction=reduction, label_smoothing=0.1,
                               z_loss=0.05, softcap=3.0, return_z_loss=True)
    assert loss.requires_grad and not z.requires_grad
    g = torch.tensor(rng.normal(size=loss.shape).astype(dtype))
    (loss * g).sum().backward()
    L, Z, G = composite(x, t, 0.05, 3.0, reduction, label_smoothing=0.1, grad_output=g.numpy())
    close(loss.detach().numpy(), L, dtype)
    close(z.numpy(), Z, dtype)
    close(X.grad.numpy(), G, dtype)


def test_bridge_module_and_no_grad():
    x = torch.randn(4, 9, dtype=torch.float64)
    t = torch.tensor([1, 8, -100, 0])
    m = sl.CrossEntropyLoss(z_loss=1e-2, softcap=2.0)
    loss = m(x, t)
    assert not loss.requires_grad
    L, _, _ = composite(x.numpy(), t.numpy(), 1e-2, 2.0, "mean")
    close(loss.numpy(), L, np.float64)


def test_bridge_second_derivative():
    x = torch.randn(3, 5, dtype=torch.float64, requires_grad=True)
    t = torch.tensor([1, 4, 0])

    def f(v):
        return sl.cross_entropy(v, t, z_loss=0.1, softcap=2.0, label_smoothing=0.05)

    assert torch.autograd.gradcheck(f, (x,))
    assert torch.autograd.gradgradcheck(f, (x,))
