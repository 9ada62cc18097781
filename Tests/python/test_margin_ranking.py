"""margin_ranking_loss: against a float64 numpy reference of PyTorch's composite and against
torch.nn.functional.margin_ranking_loss itself (values and the gradients of both inputs;
broadcasting in every direction, integer and mixed dtypes, the kink, NaN, empty inputs,
reductions, grad_output, the legacy arguments), every error message, the module, out= with
its per-input gradient buffers, and the swiftloss.torch drop-in (two learned inputs) to the
second order, torch.func and torch.compile."""
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
TOL = {np.float32: (2e-6, 2e-6), np.float64: (1e-13, 1e-14)}


def reference(x1, x2, y, margin=0.0, reduction="mean"):
    x1, x2, y = (np.asarray(a, np.float64) for a in (x1, x2, y))
    loss = np.maximum(-y * (x1 - x2) + margin, 0.0)
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean() if loss.size else np.nan


def reference_grads(x1, x2, y, margin, reduction, upstream):
    x1, x2, y = (np.asarray(a, np.float64) for a in (x1, x2, y))
    shape = np.broadcast_shapes(x1.shape, x2.shape, y.shape)
    z = -y * (x1 - x2) + margin
    s = np.broadcast_to(np.asarray(upstream, np.float64), shape)
    if reduction == "mean":
        s = s / max(int(np.prod(shape)), 1)
    d1 = np.where(z > 0, -y * s, 0.0)
    return F.functional._sum_to_shape(np.broadcast_to(d1, shape), x1.shape), \
        F.functional._sum_to_shape(np.broadcast_to(-d1, shape), x2.shape)


def close(got, want, dtype):
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64), rtol=rtol,
                               atol=atol * max(1.0, float(np.max(np.abs(want), initial=0.0))))


SHAPES = [((6,), (6,), (6,)), ((4, 5), (4, 5), (4, 5)), ((4, 5), (1, 5), (4, 1)), ((1, 5), (3, 1), (1, 1)),
          ((2, 3, 4), (2, 1, 4), (1, 3, 1)), ((), (), ()), ((0,), (0,), (0,)), ((3, 0), (3, 0), (1, 0)),
          ((700,), (700,), (700,))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", SHAPES, ids=lambda c: "-".join(str(s) for s in c))
def test_values_and_gradients_match_the_reference_and_torch(shapes, reduction, dtype):
    rng = np.random.default_rng(5)
    s1, s2, sy = shapes
    x1 = rng.standard_normal(s1).astype(dtype)
    x2 = rng.standard_normal(s2).astype(dtype)
    y = rng.choice(np.array([-1.0, 1.0, 0.0, 2.0], dtype), sy)
    shape = np.broadcast_shapes(s1, s2, sy)
    upstream = (rng.random(shape) + 0.5).astype(dtype) if reduction == "none" else dtype(1.5)
    value, (g1, g2) = F.margin_ranking_loss(x1, x2, y, margin=0.25, reduction=reduction, with_grad=True,
                                            grad_output=upstream)
    want = reference(x1, x2, y, 0.25, reduction)
    close(value, want, dtype)
    assert np.shape(value) == np.shape(want) and np.asarray(value).dtype == dtype
    assert g1.shape == x1.shape and g2.shape == x2.shape and g1.dtype == g2.dtype == dtype
    w1, w2 = reference_grads(x1, x2, y, 0.25, reduction, upstream)
    close(g1, w1, dtype)
    close(g2, w2, dtype)
    # torch, on the same arrays
    t1, t2 = torch.tensor(x1, requires_grad=True), torch.tensor(x2, requires_grad=True)
    theirs = TF.margin_ranking_loss(t1, t2, torch.tensor(y), margin=0.25, reduction=reduction)
    close(value, theirs.detach().numpy(), dtype)
    if theirs.numel():
        (theirs * torch.tensor(upstream)).sum().backward()
        close(g1, t1.grad.numpy(), dtype)
        close(g2, t2.grad.numpy(), dtype)
    # the loss alone (the fast path for same-shape arrays) gives the same bits
    alone = F.margin_ranking_loss(x1, x2, y, margin=0.25, reduction=reduction)
    np.testing.assert_array_equal(alone, value)


def test_gradients_are_the_derivatives_and_zero_at_the_kink():
    rng = np.random.default_rng(9)
    x1, x2, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.choice([-1.0, 1.0], (3, 4))
    _, (g1, g2) = F.margin_ranking_loss(x1, x2, y, margin=0.1, reduction="sum", with_grad=True)
    np.testing.assert_allclose(g1, finite_difference(lambda z: float(F.margin_ranking_loss(z, x2, y, 0.1, reduction="sum")), x1),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(g2, finite_difference(lambda z: float(F.margin_ranking_loss(x1, z, y, 0.1, reduction="sum")), x2),
                               rtol=1e-6, atol=1e-8)
    # -1 * (3 - 2) + 1 == 0: the kink has zero gradient, as torch's clamp_min
    _, (k1, k2) = F.margin_ranking_loss([3.0], [2.0], [1.0], margin=1.0, with_grad=True)
    assert k1[0] == 0 and k2[0] == 0


def test_nan_propagates_and_empty_reductions():
    value = F.margin_ranking_loss(np.array([np.nan, 1.0]), np.array([0.0, 0.0]), np.array([1.0, 1.0]), reduction="none")
    theirs = TF.margin_ranking_loss(torch.tensor([np.nan, 1.0]), torch.tensor([0.0, 0.0]), torch.tensor([1.0, 1.0]),
                                    reduction="none")
    assert np.isnan(value[0]) and torch.isnan(theirs[0]) and value[1] == theirs[1]
    empty = np.zeros(0, np.float32)
    assert np.isnan(F.margin_ranking_loss(empty, empty, empty))
    assert F.margin_ranking_loss(empty, empty, empty, reduction="sum") == 0
    loss, (g1, g2) = F.margin_ranking_loss(empty, empty, empty, with_grad=True)
    assert np.isnan(loss) and g1.shape == g2.shape == (0,)


def test_dtypes_promote_as_torch():
    i = np.array([1, 2]), np.array([2, 1]), np.array([1, -1])
    for reduction in ("mean", "sum", "none"):
        ours = F.margin_ranking_loss(*i, reduction=reduction)
        theirs = TF.margin_ranking_loss(*(torch.tensor(a) for a in i), reduction=reduction)
        assert np.asarray(ours).dtype == np.float32 and theirs.dtype == torch.float32
        np.testing.assert_array_equal(ours, theirs.numpy())
    mixed = F.margin_ranking_loss(np.array([1.0, 2.0], np.float64), np.array([2.0, 1.0], np.float32), np.array([1, -1]))
    assert np.asarray(mixed).dtype == np.float64
    half = F.margin_ranking_loss(np.array([1.0, 2.0], np.float16), np.array([2.0, 1.0], np.float16),
                                 np.array([1.0, 1.0], np.float16))
    assert half.dtype == np.float16 and half == np.float16(0.5)
    # a torch tensor is read as an array
    assert F.margin_ranking_loss(torch.tensor([1.0]), torch.tensor([2.0]), torch.tensor([1.0])) == np.float32(1.0)


def test_legacy_arguments():
    x1, x2, y = np.array([1.0, 2.0]), np.array([2.0, 1.0]), np.array([1.0, 1.0])
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        ours = F.margin_ranking_loss(x1, x2, y, reduce=False)
    np.testing.assert_array_equal(ours, reference(x1, x2, y, reduction="none"))
    with pytest.warns(UserWarning):
        assert F.margin_ranking_loss(x1, x2, y, size_average=False) == 1.0


def message(call):
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


def test_errors_are_torchs():
    a, b = np.zeros(3), np.zeros((1, 3))
    kind, text = message(lambda: F.margin_ranking_loss(a, a, b))
    _, theirs = message(lambda: TF.margin_ranking_loss(torch.tensor(a), torch.tensor(a), torch.tensor(b)))
    assert kind is ValueError and text == theirs and text.endswith(" ")
    kind, text = message(lambda: F.margin_ranking_loss(a, a, np.zeros(3, bool)))
    _, theirs = message(lambda: TF.margin_ranking_loss(torch.tensor(a), torch.tensor(a), torch.zeros(3, dtype=torch.bool)))
    assert kind is TypeError and text == theirs
    kind, text = message(lambda: F.margin_ranking_loss(np.zeros(2), np.zeros(3), np.zeros(2)))
    _, theirs = message(lambda: TF.margin_ranking_loss(torch.zeros(2), torch.zeros(3), torch.zeros(2)))
    assert kind is ValueError and text == theirs
    kind, text = message(lambda: F.margin_ranking_loss(a, a, a, margin="a"))
    _, theirs = message(lambda: TF.margin_ranking_loss(torch.tensor(a), torch.tensor(a), torch.tensor(a), margin="a"))
    assert kind is TypeError and text == theirs
    for reduction in ("foo", None):
        kind, text = message(lambda: F.margin_ranking_loss(a, a, a, reduction=reduction))
        _, theirs = message(lambda: TF.margin_ranking_loss(torch.tensor(a), torch.tensor(a), torch.tensor(a),
                                                           reduction=reduction))
        assert kind is ValueError and text == theirs
    with pytest.raises(TypeError, match="real-valued input2"):
        F.margin_ranking_loss(a, a.astype(complex), a)
    with pytest.raises(ValueError, match="grad_output is only used with with_grad=True"):
        F.margin_ranking_loss(a, a, a, grad_output=1.0)
    with pytest.raises(ValueError, match="grad_output must have the loss's shape"):
        F.margin_ranking_loss(a, a, a, reduction="none", with_grad=True, grad_output=np.ones(2))


def test_module_and_out():
    rng = np.random.default_rng(4)
    x1, x2, y = rng.standard_normal((3, 4)), rng.standard_normal((1, 4)), rng.choice([-1.0, 1.0], (3, 4))
    module = swiftloss.MarginRankingLoss(margin=0.5, reduction="none")
    np.testing.assert_allclose(module(x1, x2, y), reference(x1, x2, y, 0.5, "none"), rtol=1e-15)
    out, g1_out, g2_out = np.empty((3, 4)), np.empty((3, 4)), np.empty((1, 4))
    value, (g1, g2) = F.margin_ranking_loss(x1, x2, y, 0.5, reduction="none", with_grad=True, out=(out, (g1_out, g2_out)))
    assert value is out and g1 is g1_out and g2 is g2_out
    w1, w2 = reference_grads(x1, x2, y, 0.5, "none", 1.0)
    np.testing.assert_array_equal(g1_out, w1)
    np.testing.assert_array_equal(g2_out, w2)
    # one gradient buffer given, the other new; a reduced loss with out=(None, ...)
    loss, (g1, g2) = F.margin_ranking_loss(x1, x2, y, with_grad=True, out=(None, (None, g2_out)))
    assert g2 is g2_out and g1.shape == (3, 4)
    plain = F.margin_ranking_loss(x1, x2, y, reduction="none", out=np.empty((3, 4)))
    np.testing.assert_array_equal(plain, reference(x1, x2, y, 0.0, "none"))
    with pytest.raises(TypeError, match="out= must be a pair"):
        F.margin_ranking_loss(x1, x2, y, with_grad=True, out=np.empty((3, 4)))
    with pytest.raises(TypeError, match="grad_outs must be None or a tuple of 2 buffers"):
        F.margin_ranking_loss(x1, x2, y, with_grad=True, out=(None, (g1_out,)))
    with pytest.raises(ValueError, match="overlaps"):
        F.margin_ranking_loss(x1, x2, y, reduction="none", with_grad=True, out=(None, (g1_out, g1_out[:1])))
    with pytest.raises(ValueError, match="shape"):
        F.margin_ranking_loss(x1, x2, y, with_grad=True, out=(None, (None, np.empty((3, 4)))))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", [((4, 5), (4, 5), (4, 5)), ((4, 5), (1, 5), (4, 1)), ((5,), (5,), (1,))], ids=str)
def test_torch_drop_in_first_and_second_order(shapes, reduction, dtype):
    g = torch.Generator().manual_seed(3)
    x1 = torch.randn(shapes[0], dtype=dtype, generator=g, requires_grad=True)
    x2 = torch.randn(shapes[1], dtype=dtype, generator=g, requires_grad=True)
    y = torch.randn(shapes[2], dtype=dtype, generator=g).sign()
    ours = sl.margin_ranking_loss(x1, x2, y, margin=0.3, reduction=reduction)
    theirs = TF.margin_ranking_loss(x1, x2, y, margin=0.3, reduction=reduction)
    rtol = 1e-6 if dtype == torch.float32 else 1e-13
    torch.testing.assert_close(ours, theirs, rtol=rtol, atol=rtol)
    up = torch.rand(ours.shape, dtype=dtype, generator=g).add(0.5).requires_grad_()
    mine = torch.autograd.grad(ours, (x1, x2), up, create_graph=True)
    want = torch.autograd.grad(theirs, (x1, x2), up, create_graph=True)
    for a, b in zip(mine, want):
        torch.testing.assert_close(a, b, rtol=rtol, atol=rtol)
    # second order (through the upstream gradient: the loss is piecewise linear in x)
    h1 = torch.autograd.grad(sum(t.square().sum() for t in mine), (x1, x2, up), materialize_grads=True)
    h2 = torch.autograd.grad(sum(t.square().sum() for t in want), (x1, x2, up), materialize_grads=True)
    for a, b in zip(h1, h2):
        torch.testing.assert_close(a, b, rtol=rtol, atol=rtol)
    module = sl.MarginRankingLoss(margin=0.3, reduction=reduction)
    torch.testing.assert_close(module(x1, x2, y), theirs, rtol=rtol, atol=rtol)


def test_torch_drop_in_one_learned_input_and_torch_func():
    x1, x2, y = torch.randn(6, requires_grad=True), torch.randn(6), torch.randn(6).sign()
    sl.margin_ranking_loss(x1, x2, y, margin=0.2).backward()
    mine = x1.grad.clone()
    x1.grad = None
    TF.margin_ranking_loss(x1, x2, y, margin=0.2).backward()
    torch.testing.assert_close(mine, x1.grad)

    def ours(a, b):
        return sl.margin_ranking_loss(a, b, y, margin=0.2)

    def theirs(a, b):
        return TF.margin_ranking_loss(a, b, y, margin=0.2)

    a, b = torch.randn(6), torch.randn(6)
    for transform in (lambda f: torch.func.grad(f, argnums=(0, 1)), lambda f: torch.func.jacrev(f, argnums=(0, 1)),
                      lambda f: torch.func.jacfwd(f, argnums=(0, 1)), lambda f: torch.func.hessian(f, argnums=1)):
        torch.testing.assert_close(transform(ours)(a, b), transform(theirs)(a, b))
    tangents = (torch.randn(6), torch.randn(6))
    torch.testing.assert_close(torch.func.jvp(ours, (a, b), tangents), torch.func.jvp(theirs, (a, b), tangents))
    torch.testing.assert_close(torch.func.vmap(ours)(torch.randn(3, 6), torch.randn(3, 6)).shape, torch.Size([3]))
    batched_a, batched_b = torch.randn(3, 6), torch.randn(3, 6)
    torch.testing.assert_close(torch.func.vmap(ours)(batched_a, batched_b), torch.func.vmap(theirs)(batched_a, batched_b))


def test_torch_drop_in_compiles_and_passes_opcheck():
    y = torch.randn(5).sign()
    compiled = torch.compile(lambda a, b: sl.margin_ranking_loss(a, b, y, margin=0.5), fullgraph=True, backend="eager")
    x1, x2 = torch.randn(5, requires_grad=True), torch.randn(5, requires_grad=True)
    loss = compiled(x1, x2)
    loss.backward()
    want1, want2 = torch.autograd.grad(TF.margin_ranking_loss(x1, x2, y, margin=0.5), (x1, x2))
    torch.testing.assert_close(loss, TF.margin_ranking_loss(x1, x2, y, margin=0.5))
    torch.testing.assert_close(x1.grad, want1)
    torch.testing.assert_close(x2.grad, want2)
    for reduction in REDUCTIONS:
        torch.library.opcheck(torch.ops.swiftloss.margin_ranking_loss,
                              (torch.randn(3, 4), torch.randn(1, 4), torch.randn(3, 1).sign(), 0.5, reduction, True))


def test_torch_drop_in_errors():
    x = torch.randn(3, requires_grad=True)
    with pytest.raises(NotImplementedError, match="gradients with respect to target are not computed"):
        sl.margin_ranking_loss(x, x, torch.ones(3, requires_grad=True))
    with pytest.raises(ValueError, match="All input tensors should have same dimension"):
        sl.margin_ranking_loss(x, x, torch.ones(1, 3))
    with pytest.raises(ValueError, match="^foo is not a valid value for reduction$"):
        sl.margin_ranking_loss(x, x, torch.ones(3), reduction="foo")
    with pytest.raises(TypeError, match="argument 'input2' \\(position 2\\) must be Tensor"):
        sl.margin_ranking_loss(x, [1.0], torch.ones(3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert sl.margin_ranking_loss(x, x, torch.ones(3), reduce=False).shape == (3,)
