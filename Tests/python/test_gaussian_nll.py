"""gaussian_nll_loss: against a float64 numpy reference of PyTorch's composite and against
torch.nn.functional.gaussian_nll_loss itself (values and the gradients of both learned inputs,
input and var; full, eps, var as a float, var of the input's shape, (N,), (N, 1), (1, C), var
below eps, zero, NaN and infinite, a broadcast target, every reduction, grad_output, empty
inputs, integer and mixed dtypes), every error message, the module, out= with its per-input
gradient buffers, and the swiftloss.torch drop-in (two learned inputs) to the second order,
torch.func, torch.compile and torch.library.opcheck."""
import doctest
import math

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
HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def clamp_bound(eps, dtype):
    """eps as PyTorch's clamp_ of a var of dtype takes it."""
    return float(np.dtype(dtype).type(eps))


def reference(x, y, v, full=False, eps=1e-6, reduction="mean"):
    """PyTorch's composite in float64 on var already in its final shape; eps as given."""
    x, y, v = (np.asarray(a, np.float64) for a in (x, y, v))
    vc = np.where(np.isnan(v), v, np.maximum(v, eps))
    with np.errstate(divide="ignore", invalid="ignore"):
        loss = 0.5 * (np.log(vc) + (x - y) ** 2 / vc)
    if full:
        loss = loss + HALF_LOG_2PI
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean() if loss.size else np.nan


def reference_grads(x, y, v, eps, reduction, upstream, v_shape=None):
    """Both gradients in float64: (x - y) / v s and 0.5 (1 / v - (x - y)^2 / v^2) s at the clamped
    v, summed back to each argument's shape (var's to v's, then to v_shape)."""
    x, y, v = (np.asarray(a, np.float64) for a in (x, y, v))
    shape = np.broadcast_shapes(x.shape, y.shape, v.shape)
    vc = np.maximum(v, eps)
    s = np.broadcast_to(np.asarray(upstream, np.float64), shape)
    if reduction == "mean":
        s = s / max(int(np.prod(shape)), 1)
    d = x - y
    gx = np.broadcast_to(d / vc * s, shape)
    gv = np.broadcast_to(0.5 * (1 / vc - d * d / (vc * vc)) * s, shape)
    gv = F.functional._sum_to_shape(gv, v.shape)
    return F.functional._sum_to_shape(gx, x.shape), gv.reshape(v.shape if v_shape is None else v_shape)


def close(got, want, dtype):
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64), rtol=rtol,
                               atol=atol * max(1.0, float(np.max(np.abs(want), initial=0.0))))


def variances(rng, shape, dtype):
    """Positive variances with some below eps, some exactly 0 and some exactly eps."""
    v = np.asarray(rng.random(shape) * 2 + 0.05, dtype)  # a 0-d array for shape (), not a numpy scalar
    flat = v.reshape(-1)
    flat[::5] = 1e-9
    flat[1::7] = 0.0
    flat[2::11] = clamp_bound(1e-6, dtype)
    return v


# (input, target, var) shapes; var None: a Python float.
SHAPES = [((4, 5), (4, 5), (4, 5)), ((4, 5), (4, 5), (4,)), ((4, 5), (4, 5), (4, 1)), ((4, 5), (4, 5), (1, 5)),
          ((4, 5), (4, 5), None), ((4, 5), (5,), (4, 1)), ((5,), (3, 5), (5,)), ((2, 3, 4), (2, 3, 4), (2, 3)),
          ((2, 3, 4), (1, 3, 4), (2, 1, 4)), ((), (), ()), ((3,), (3,), ()), ((0,), (0,), (0,)), ((3, 0), (3, 0), (3,)),
          ((700,), (700,), (700,))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", SHAPES, ids=lambda c: "-".join(str(s) for s in c))
def test_values_and_gradients_match_the_reference_and_torch(shapes, reduction, full, dtype):
    rng = np.random.default_rng(5)
    sx, sy, sv = shapes
    x = (rng.standard_normal(sx) * 2).astype(dtype)
    y = rng.standard_normal(sy).astype(dtype)
    var = 0.75 if sv is None else variances(rng, sv, dtype)
    v_final = np.full(sx, var, dtype) if sv is None else np.reshape(var, sv + (1,) if sv == sx[:-1] and sv != sx else sv)
    shape = np.broadcast_shapes(sx, sy, v_final.shape)
    upstream = (rng.random(shape) + 0.5).astype(dtype) if reduction == "none" else dtype(1.5)
    eps = clamp_bound(1e-6, dtype)
    value, (gx, gv) = F.gaussian_nll_loss(x, y, var, full=full, reduction=reduction, with_grad=True,
                                          grad_output=upstream)
    want = reference(x, y, v_final, full, eps, reduction)
    close(value, want, dtype)
    assert np.shape(value) == np.shape(want) and np.asarray(value).dtype == dtype
    wx, wv = reference_grads(x, y, v_final, eps, reduction, upstream, sv)
    assert gx.shape == x.shape and gx.dtype == dtype
    close(gx, wx, dtype)
    if sv is None:
        assert gv is None
    else:
        assert gv.shape == sv and gv.dtype == dtype
        close(gv, wv, dtype)
    # torch, on the same arrays
    tx = torch.tensor(x, requires_grad=True)
    tv = 0.75 if sv is None else torch.tensor(var, requires_grad=True)
    theirs = TF.gaussian_nll_loss(tx, torch.tensor(y), tv, full=full, reduction=reduction)
    close(value, theirs.detach().numpy(), dtype)
    if theirs.numel():
        (theirs * torch.tensor(upstream)).sum().backward()
        close(gx, tx.grad.numpy(), dtype)
        if sv is not None:
            close(gv, tv.grad.numpy(), dtype)
    # the loss alone (the fast path for same-shape arrays) gives the same bits
    alone = F.gaussian_nll_loss(x, y, var, full=full, reduction=reduction)
    np.testing.assert_array_equal(alone, value)


def test_gradients_are_the_derivatives():
    rng = np.random.default_rng(9)
    x, y, v = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.random((3, 4)) + 0.5
    _, (gx, gv) = F.gaussian_nll_loss(x, y, v, reduction="sum", with_grad=True)
    np.testing.assert_allclose(gx, finite_difference(lambda z: float(F.gaussian_nll_loss(z, y, v, reduction="sum")), x),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gv, finite_difference(lambda z: float(F.gaussian_nll_loss(x, y, z, reduction="sum")), v),
                               rtol=1e-6, atol=1e-8)
    # one variance per row: the gradient of var (3,) sums the row's
    w = rng.random(3) + 0.5
    _, (_, gw) = F.gaussian_nll_loss(x, y, w, reduction="sum", with_grad=True)
    assert gw.shape == (3,)
    np.testing.assert_allclose(gw, finite_difference(lambda z: float(F.gaussian_nll_loss(x, y, z, reduction="sum")), w),
                               rtol=1e-6, atol=1e-8)


def test_the_var_gradient_passes_through_the_clamp():
    # PyTorch's examples: v = 1e-9, d = 1 gives -4.99999e11; v = 1e-8, d = 0 gives 0.5 / eps
    for dtype in DTYPES:
        x, y, v = np.array([1.0, 0.0], dtype), np.zeros(2, dtype), np.array([1e-9, 1e-8], dtype)
        _, (gx, gv) = F.gaussian_nll_loss(x, y, v, reduction="sum", with_grad=True)
        tv = torch.tensor(v, requires_grad=True)
        tx = torch.tensor(x, requires_grad=True)
        TF.gaussian_nll_loss(tx, torch.tensor(y), tv, reduction="sum").backward()
        close(gv, tv.grad.numpy(), dtype)
        close(gx, tx.grad.numpy(), dtype)
        eps = clamp_bound(1e-6, dtype)
        close(gv, [0.5 * (1 / eps - 1 / eps ** 2), 0.5 / eps], dtype)
        assert gv[0] < -4.9e11


def test_special_variances_and_eps_as_torch():
    x, y = np.array([1.0, 1.0, 1.0, 1.0, 0.0], np.float32), np.zeros(5, np.float32)
    v = np.array([0.0, np.nan, np.inf, -0.0, 1e-7], np.float32)
    for eps in (1e-6, 0.1, 1 / 3, 1e-45, 0.0, -1.0, math.inf, math.nan, 2, True):
        ours, (gx, gv) = F.gaussian_nll_loss(x, y, v, eps=eps, reduction="none", with_grad=True)
        tv, tx = torch.tensor(v, requires_grad=True), torch.tensor(x, requires_grad=True)
        theirs = TF.gaussian_nll_loss(tx, torch.tensor(y), tv, eps=eps, reduction="none")
        theirs.sum().backward()
        for a, b in ((ours, theirs.detach()), (gx, tx.grad), (gv, tv.grad)):
            b = b.numpy()
            np.testing.assert_array_equal(np.isnan(a), np.isnan(b), err_msg=f"eps={eps}")
            np.testing.assert_array_equal(np.isinf(a), np.isinf(b), err_msg=f"eps={eps}")
            finite = np.isfinite(b)
            np.testing.assert_allclose(a[finite], b[finite], rtol=2e-6, err_msg=f"eps={eps}")
    # var = 0 and var below eps take eps itself, rounded to float32 as torch's clamp_
    ours = F.gaussian_nll_loss(np.zeros(3, np.float32), np.ones(3, np.float32), np.array([0, 1e-7, 1e-6], np.float32),
                               reduction="none")
    assert ours[0] == ours[1] == ours[2]
    np.testing.assert_array_equal(ours, TF.gaussian_nll_loss(torch.zeros(3), torch.ones(3),
                                                             torch.tensor([0, 1e-7, 1e-6]), reduction="none").numpy())
    assert np.isnan(F.gaussian_nll_loss([1.0], [0.0], [np.nan]))
    assert np.isnan(F.gaussian_nll_loss([1.0], [0.0], float("nan")))


def test_eps_is_rounded_to_vars_own_dtype():
    # var float32 in a float64 computation: clamped at float32(1e-6), as torch's clamp_ of var
    # (torch then takes log(var) in float32, swiftloss in float64: hence torch's tolerance)
    x, y = np.array([1.0, 0.5]), np.zeros(2)
    v32 = np.zeros(2, np.float32)
    ours = F.gaussian_nll_loss(x, y, v32, reduction="none")
    theirs = TF.gaussian_nll_loss(torch.tensor(x), torch.tensor(y), torch.tensor(v32), reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    np.testing.assert_allclose(ours, reference(x, y, v32, eps=clamp_bound(1e-6, np.float32), reduction="none"),
                               rtol=1e-15)
    assert not np.allclose(ours, reference(x, y, v32, eps=1e-6, reduction="none"), rtol=1e-12, atol=0)
    # var float16: clamped at float16(1e-6) = 1.013e-6 (torch then takes its log in float16;
    # swiftloss in float32, hence the tolerance)
    x32, y32, v16 = np.array([1.0, 0.5], np.float32), np.zeros(2, np.float32), np.zeros(2, np.float16)
    ours = F.gaussian_nll_loss(x32, y32, v16, reduction="none")
    theirs = TF.gaussian_nll_loss(torch.tensor(x32), torch.tensor(y32), torch.tensor(v16), reduction="none").numpy()
    np.testing.assert_allclose(ours, theirs, rtol=2e-3)
    np.testing.assert_allclose(ours, reference(x32, y32, v16, eps=clamp_bound(1e-6, np.float16), reduction="none"),
                               rtol=2e-6)
    # the drop-in too
    ours = sl.gaussian_nll_loss(torch.tensor(x32), torch.tensor(y32), torch.tensor(v16), reduction="none")
    np.testing.assert_allclose(ours.numpy(), theirs, rtol=2e-3)


def test_full_adds_the_constant_rounded_to_the_dtype():
    for dtype in DTYPES:
        x, y, v = np.array([0.5, -1.0], dtype), np.array([0.0, 1.0], dtype), np.array([1.0, 2.0], dtype)
        plain = F.gaussian_nll_loss(x, y, v, reduction="none")
        with_constant = F.gaussian_nll_loss(x, y, v, full=True, reduction="none")
        np.testing.assert_array_equal(with_constant, plain + dtype(HALF_LOG_2PI))
        # full is PyTorch's "if full:"
        np.testing.assert_array_equal(F.gaussian_nll_loss(x, y, v, full=1, reduction="none"), with_constant)


def test_empty_inputs_and_reductions():
    empty = np.zeros(0, np.float32)
    assert np.isnan(F.gaussian_nll_loss(empty, empty, empty))
    assert F.gaussian_nll_loss(empty, empty, empty, reduction="sum") == 0
    loss, (gx, gv) = F.gaussian_nll_loss(empty, empty, empty, with_grad=True)
    assert np.isnan(loss) and gx.shape == gv.shape == (0,)
    assert F.gaussian_nll_loss(np.zeros((3, 0)), np.zeros((3, 0)), np.ones(3), reduction="none").shape == (3, 0)


def test_dtypes_promote_as_torch():
    cases = [(np.array([1, 2]), np.array([2, 0]), np.array([1.0, 2.0], np.float32)),
             (np.array([1, 2]), np.array([2, 0]), 2.0),
             (np.array([1.0, 2.0], np.float64), np.array([2.0, 0.0], np.float32), np.array([1.0, 2.0], np.float32)),
             (np.array([1.0, 2.0], np.float32), np.array([2.0, 0.0], np.float32), np.array([1.0, 2.0], np.float64)),
             (np.array([1.0, 2.0], np.float32), np.array([2, 0]), np.array([1, 2])),
             (np.array([1, 2]), np.array([2, 0]), np.array([1, 2]))]
    for x, y, v in cases:
        eps = 1 if isinstance(v, np.ndarray) and v.dtype.kind == "i" else 1e-6
        ours = F.gaussian_nll_loss(x, y, v, eps=eps, reduction="none")
        theirs = TF.gaussian_nll_loss(torch.tensor(x), torch.tensor(y), v if isinstance(v, float) else torch.tensor(v),
                                      eps=eps, reduction="none")
        assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", ""))
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6)
    # float16: computed in float32, returned in float16; a float var takes the input's dtype
    half = F.gaussian_nll_loss(np.array([1.0, 2.0], np.float16), np.array([2.0, 1.0], np.float16), 0.1)
    assert half.dtype == np.float16
    theirs = TF.gaussian_nll_loss(torch.tensor([1.0, 2.0], dtype=torch.float16),
                                  torch.tensor([2.0, 1.0], dtype=torch.float16), 0.1)
    np.testing.assert_allclose(float(half), float(theirs), rtol=2e-3)
    # a torch tensor is read as an array
    assert F.gaussian_nll_loss(torch.tensor([1.0]), torch.tensor([1.0]), torch.tensor([1.0])) == np.float32(0.0)


def message(call):
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


# torch raises RuntimeError / NotImplementedError where swiftloss raises ValueError (bad values,
# shapes) or TypeError (dtypes), with the same text
KIND = {RuntimeError: ValueError, NotImplementedError: TypeError}


def same_error(ours, theirs, kind=None):
    our_kind, our_text = message(ours)
    their_kind, their_text = message(theirs)
    assert our_text == their_text
    assert our_kind is (kind or KIND.get(their_kind, their_kind)), (our_kind, their_kind)


def as_torch(value):
    return torch.tensor(value) if isinstance(value, np.ndarray) else value


@pytest.mark.parametrize("var", [2, True, np.float32(2.0), np.int64(1), None, "a", 1 + 2j, -1.0,
                                 np.array([-1.0, 1.0, 1.0]), np.array([np.nan, -0.5, 1.0])],
                         ids=repr)
def test_var_errors_are_torchs(var):
    x = np.zeros(3)
    same_error(lambda: F.gaussian_nll_loss(x, x, var), lambda: TF.gaussian_nll_loss(torch.tensor(x), torch.tensor(x),
                                                                                    as_torch(var)))


@pytest.mark.parametrize("shapes", [((4, 3), (3,)), ((4, 3), (1, 1)), ((4, 3), (2, 3)), ((4, 3), (1,)), ((4, 3), ()),
                                    ((), (1,)), ((4, 3), (4, 3, 1)), ((4, 1, 3), (4, 0, 3))], ids=str)
def test_var_of_incorrect_size(shapes):
    sx, sv = shapes
    same_error(lambda: F.gaussian_nll_loss(np.zeros(sx), np.zeros(sx), np.ones(sv)),
               lambda: TF.gaussian_nll_loss(torch.zeros(sx), torch.zeros(sx), torch.ones(sv)))


def test_accepted_shapes_broadcast_as_torch():
    # (1, 0) is accepted by the size rule (the sizes that differ sum to 1) and then fails to broadcast
    same_error(lambda: F.gaussian_nll_loss(np.zeros((4, 3)), np.zeros((4, 3)), np.ones((1, 0))),
               lambda: TF.gaussian_nll_loss(torch.zeros(4, 3), torch.zeros(4, 3), torch.ones(1, 0)))
    # (0, 1) against (1, 3) broadcasts to (0, 3)
    assert F.gaussian_nll_loss(np.zeros((1, 3)), np.zeros((1, 3)), np.ones((0, 1)), reduction="none").shape == (0, 3)
    # the target is never checked: it broadcasts either way
    same_error(lambda: F.gaussian_nll_loss(np.zeros((4, 3)), np.zeros((2, 3)), np.ones((4, 3))),
               lambda: TF.gaussian_nll_loss(torch.zeros(4, 3), torch.zeros(2, 3), torch.ones(4, 3)))
    assert F.gaussian_nll_loss(np.zeros((4, 3)), np.zeros((5, 4, 3)), 1.0, reduction="none").shape == (5, 4, 3)
    # one variance per row even for a square input: (4,) is (4, 1), not (1, 4)
    x, y, v = np.zeros((4, 4)), np.ones((4, 4)), np.arange(1.0, 5.0)
    np.testing.assert_allclose(F.gaussian_nll_loss(x, y, v, reduction="none"),
                               reference(x, y, v[:, None], reduction="none"), rtol=1e-15)


def test_other_errors_are_torchs():
    x, y, v = np.zeros((4, 3)), np.ones((4, 3)), np.ones((4, 3))
    tx, ty, tv = torch.zeros(4, 3, dtype=torch.float64), torch.ones(4, 3, dtype=torch.float64), torch.ones(4, 3)
    for reduction in ("foo", None, 1, "elementwise_mean", "batchmean"):
        same_error(lambda: F.gaussian_nll_loss(x, y, v, reduction=reduction),
                   lambda: TF.gaussian_nll_loss(tx, ty, tv, reduction=reduction))
    for legacy in ("size_average", "reduce"):
        same_error(lambda: F.gaussian_nll_loss(x, y, v, **{legacy: True}),
                   lambda: TF.gaussian_nll_loss(tx, ty, tv, **{legacy: True}))
    for eps in (None, "a", 1e40, -3.5e38):
        same_error(lambda: F.gaussian_nll_loss(x, y, v.astype(np.float32), eps=eps),
                   lambda: TF.gaussian_nll_loss(tx, ty, tv, eps=eps))
    same_error(lambda: F.gaussian_nll_loss(x, y, v.astype(np.float16), eps=1e5),
               lambda: TF.gaussian_nll_loss(tx, ty, tv.half(), eps=1e5))
    # an integer var: clamp_ refuses a float eps (an int one is fine)
    for dtype in (np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_):  # dtypes: TypeError
        same_error(lambda: F.gaussian_nll_loss(x, y, v.astype(dtype)),
                   lambda: TF.gaussian_nll_loss(tx, ty, torch.tensor(v.astype(dtype))), TypeError)
    same_error(lambda: F.gaussian_nll_loss(x, y, v.astype(bool), eps=1),
               lambda: TF.gaussian_nll_loss(tx, ty, torch.ones(4, 3, dtype=torch.bool), eps=1), TypeError)
    same_error(lambda: F.gaussian_nll_loss(x, y, v.astype(np.uint16)),
               lambda: TF.gaussian_nll_loss(tx, ty, torch.ones(4, 3, dtype=torch.uint16)))
    np.testing.assert_allclose(F.gaussian_nll_loss(x, y, v.astype(np.int64), eps=1),
                               TF.gaussian_nll_loss(tx, ty, torch.ones(4, 3, dtype=torch.int64), eps=1).item())
    # bool input or target: torch's subtraction refuses them
    b = np.ones((4, 3), bool)
    same_error(lambda: F.gaussian_nll_loss(b, b, v), lambda: TF.gaussian_nll_loss(torch.tensor(b), torch.tensor(b), tv))
    same_error(lambda: F.gaussian_nll_loss(x, b, v), lambda: TF.gaussian_nll_loss(tx, torch.tensor(b), tv))
    # the sign check comes first, then the size, then the reduction
    same_error(lambda: F.gaussian_nll_loss(x, y, -np.ones(3), reduction="foo"),
               lambda: TF.gaussian_nll_loss(tx, ty, -torch.ones(3), reduction="foo"))
    same_error(lambda: F.gaussian_nll_loss(x, y, np.ones(3), reduction="foo", eps=None),
               lambda: TF.gaussian_nll_loss(tx, ty, torch.ones(3), reduction="foo", eps=None))
    with pytest.raises(TypeError, match="real-valued var"):
        F.gaussian_nll_loss(x, y, v.astype(complex))
    with pytest.raises(ValueError, match="grad_output is only used with with_grad=True"):
        F.gaussian_nll_loss(x, y, v, grad_output=1.0)
    with pytest.raises(ValueError, match="grad_output must have the loss's shape"):
        F.gaussian_nll_loss(x, y, v, reduction="none", with_grad=True, grad_output=np.ones(3))


def test_module():
    rng = np.random.default_rng(4)
    x, y, v = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), rng.random(3) + 0.1
    module = swiftloss.GaussianNLLLoss(full=True, eps=0.2, reduction="none")
    assert (module.full, module.eps, module.reduction) == (True, 0.2, "none")
    np.testing.assert_allclose(module(x, y, v), reference(x, y, v[:, None], True, 0.2, "none"), rtol=1e-14)
    loss, (gx, gv) = module(x, y, v, with_grad=True)
    assert gx.shape == (3, 4) and gv.shape == (3,)
    with pytest.raises(TypeError):
        swiftloss.GaussianNLLLoss(True)  # keyword-only, as torch.nn's
    with pytest.raises(TypeError):
        torch.nn.GaussianNLLLoss(True)
    default = swiftloss.GaussianNLLLoss()
    assert (default.full, default.eps, default.reduction) == (False, 1e-6, "mean")


def test_out_buffers():
    rng = np.random.default_rng(4)
    x, y, v = rng.standard_normal((3, 4)), rng.standard_normal((1, 4)), rng.random(3) + 0.1
    out, gx_out, gv_out = np.empty((3, 4)), np.empty((3, 4)), np.empty(3)
    value, (gx, gv) = F.gaussian_nll_loss(x, y, v, reduction="none", with_grad=True, out=(out, (gx_out, gv_out)))
    assert value is out and gx is gx_out and gv is gv_out
    wx, wv = reference_grads(x, y, v[:, None], 1e-6, "none", 1.0, (3,))
    np.testing.assert_allclose(gx_out, wx, rtol=1e-14)
    np.testing.assert_allclose(gv_out, wv, rtol=1e-14)
    np.testing.assert_allclose(out, reference(x, y, v[:, None], reduction="none"), rtol=1e-14)
    # one gradient buffer given, the other new; a reduced loss with out=(None, ...)
    loss, (gx, gv) = F.gaussian_nll_loss(x, y, v, with_grad=True, out=(None, (None, gv_out)))
    assert gv is gv_out and gx.shape == (3, 4)
    plain = F.gaussian_nll_loss(x, y, v, reduction="none", out=np.empty((3, 4)))
    np.testing.assert_allclose(plain, reference(x, y, v[:, None], reduction="none"), rtol=1e-14)
    with pytest.raises(TypeError, match="out= must be a pair"):
        F.gaussian_nll_loss(x, y, v, with_grad=True, out=np.empty((3, 4)))
    with pytest.raises(TypeError, match="grad_outs must be None or a tuple of 2 buffers"):
        F.gaussian_nll_loss(x, y, v, with_grad=True, out=(None, (gx_out,)))
    with pytest.raises(ValueError, match="overlaps"):
        F.gaussian_nll_loss(x, y, v, reduction="none", with_grad=True, out=(gx_out, (gx_out, None)))
    with pytest.raises(ValueError, match="shape"):
        F.gaussian_nll_loss(x, y, v, with_grad=True, out=(None, (None, np.empty((3, 1)))))
    with pytest.raises(ValueError, match="var is a Python number"):
        F.gaussian_nll_loss(x, y, 1.0, with_grad=True, out=(None, (None, gv_out)))


def test_docstring_example_runs():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for function in (F.gaussian_nll_loss, sl.gaussian_nll_loss):
        for test in finder.find(function):
            runner.run(test)
    assert runner.summarize(verbose=False).failed == 0 and runner.summarize(verbose=False).attempted == 4


# ------------------------------------------------------------------------------------------
# swiftloss.torch
# ------------------------------------------------------------------------------------------

def torch_case(shapes, dtype, seed=3):
    g = torch.Generator().manual_seed(seed)
    sx, sy, sv = shapes
    x = torch.randn(sx, dtype=dtype, generator=g, requires_grad=True)
    y = torch.randn(sy, dtype=dtype, generator=g)
    v = (torch.rand(sv, dtype=dtype, generator=g) + 0.2).requires_grad_()
    return x, y, v


TORCH_SHAPES = [((4, 5), (4, 5), (4, 5)), ((4, 5), (4, 5), (4,)), ((4, 5), (1, 5), (4, 1)), ((5,), (3, 5), (1,))]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", TORCH_SHAPES, ids=str)
def test_torch_drop_in_first_and_second_order(shapes, reduction, full, dtype):
    x, y, v = torch_case(shapes, dtype)
    ours = sl.gaussian_nll_loss(x, y, v, full=full, eps=1e-3, reduction=reduction)
    theirs = TF.gaussian_nll_loss(x, y, v, full=full, eps=1e-3, reduction=reduction)
    rtol = 2e-5 if dtype == torch.float32 else 1e-10
    torch.testing.assert_close(ours, theirs, rtol=rtol, atol=rtol)
    up = torch.rand(ours.shape, dtype=dtype).add(0.5).requires_grad_()
    mine = torch.autograd.grad(ours, (x, v), up, create_graph=True)
    want = torch.autograd.grad(theirs, (x, v), up, create_graph=True)
    for a, b in zip(mine, want):
        assert a.shape == b.shape
        torch.testing.assert_close(a, b, rtol=rtol, atol=rtol)
    # second order: a gradient penalty through input, var and the upstream gradient
    h1 = torch.autograd.grad(sum(t.square().sum() for t in mine), (x, v, up))
    h2 = torch.autograd.grad(sum(t.square().sum() for t in want), (x, v, up))
    for a, b in zip(h1, h2):
        torch.testing.assert_close(a, b, rtol=rtol, atol=rtol)
    module = sl.GaussianNLLLoss(full=full, eps=1e-3, reduction=reduction)
    torch.testing.assert_close(module(x, y, v), theirs, rtol=rtol, atol=rtol)


def test_torch_drop_in_float_var_and_the_clamp():
    x, y = torch.randn(6, requires_grad=True), torch.randn(6)
    ours = sl.gaussian_nll_loss(x, y, 0.5)
    ours.backward()
    mine = x.grad.clone()
    x.grad = None
    TF.gaussian_nll_loss(x, y, 0.5).backward()
    torch.testing.assert_close(mine, x.grad)
    # below eps: the gradient of var is taken at eps and reaches var
    v = torch.tensor([1e-9, 1e-8, 2.0], requires_grad=True)
    z = torch.tensor([1.0, 0.0, 1.0], requires_grad=True)
    g_ours = torch.autograd.grad(sl.gaussian_nll_loss(z, torch.zeros(3), v, reduction="sum"), v)[0]
    g_theirs = torch.autograd.grad(TF.gaussian_nll_loss(z, torch.zeros(3), v, reduction="sum"), v)[0]
    torch.testing.assert_close(g_ours, g_theirs)
    assert g_ours[0] < -4.9e11


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_torch_func_transforms(dtype):
    y = torch.randn(6, dtype=dtype)

    def ours(a, b):
        return sl.gaussian_nll_loss(a, y, b, full=True)

    def theirs(a, b):
        return TF.gaussian_nll_loss(a, y, b, full=True)

    a, b = torch.randn(6, dtype=dtype), torch.rand(6, dtype=dtype) + 0.3
    rtol = 2e-5 if dtype == torch.float32 else 1e-10
    for transform in (lambda f: torch.func.grad(f, argnums=(0, 1)), lambda f: torch.func.jacrev(f, argnums=(0, 1)),
                      lambda f: torch.func.jacfwd(f, argnums=(0, 1)), lambda f: torch.func.hessian(f, argnums=(0, 1))):
        torch.testing.assert_close(transform(ours)(a, b), transform(theirs)(a, b), rtol=rtol, atol=rtol)
    tangents = (torch.randn(6, dtype=dtype), torch.randn(6, dtype=dtype))
    torch.testing.assert_close(torch.func.jvp(ours, (a, b), tangents), torch.func.jvp(theirs, (a, b), tangents),
                               rtol=rtol, atol=rtol)
    # vmap with a batched var: torch's own raises there (its sign check branches on var's
    # values); the drop-in's op checks them per batch entry
    batched_a, batched_b = torch.randn(3, 6, dtype=dtype), torch.rand(3, 6, dtype=dtype) + 0.3
    with pytest.raises(RuntimeError, match="data-dependent control flow"):
        torch.func.vmap(theirs)(batched_a, batched_b)
    torch.testing.assert_close(torch.func.vmap(ours)(batched_a, batched_b),
                               torch.stack([theirs(p, q) for p, q in zip(batched_a, batched_b)]), rtol=rtol, atol=rtol)
    with pytest.raises(ValueError, match="^var has negative entry/entries$"):
        torch.func.vmap(ours)(batched_a, -batched_b)
    # the Hessian in var through the torch.autograd.functional route too
    hv = torch.autograd.functional.hvp(lambda b: ours(a, b), b, torch.ones(6, dtype=dtype))[1]
    hv_want = torch.autograd.functional.hvp(lambda b: theirs(a, b), b, torch.ones(6, dtype=dtype))[1]
    torch.testing.assert_close(hv, hv_want, rtol=rtol, atol=rtol)


def test_torch_drop_in_compiles_and_passes_opcheck():
    y = torch.randn(5)
    compiled = torch.compile(lambda a, b: sl.gaussian_nll_loss(a, y, b, full=True), fullgraph=True, backend="eager")
    x, v = torch.randn(5, requires_grad=True), (torch.rand(5) + 0.1).requires_grad_()
    loss = compiled(x, v)
    loss.backward()
    want_x, want_v = torch.autograd.grad(TF.gaussian_nll_loss(x, y, v, full=True), (x, v))
    torch.testing.assert_close(loss, TF.gaussian_nll_loss(x, y, v, full=True))
    torch.testing.assert_close(x.grad, want_x)
    torch.testing.assert_close(v.grad, want_v)
    compiled_rows = torch.compile(lambda a, b: sl.gaussian_nll_loss(a, torch.zeros(3, 4), b), fullgraph=True,
                                  backend="eager")
    torch.testing.assert_close(compiled_rows(torch.ones(3, 4), torch.ones(3)), TF.gaussian_nll_loss(
        torch.ones(3, 4), torch.zeros(3, 4), torch.ones(3)))
    for reduction in REDUCTIONS:
        for need_grad in (True, False):
            torch.library.opcheck(torch.ops.swiftloss.gaussian_nll_loss,
                                  (torch.randn(3, 4), torch.randn(1, 4), torch.rand(3, 1) + 0.1, True, 1e-6, reduction,
                                   need_grad))


def test_torch_drop_in_errors():
    x = torch.randn(3, requires_grad=True)
    v = torch.ones(3, requires_grad=True)
    with pytest.raises(NotImplementedError, match="gradients with respect to target are not computed"):
        sl.gaussian_nll_loss(x, torch.ones(3, requires_grad=True), v)
    cases = [dict(var=2), dict(var=-1.0), dict(var=torch.tensor([-1.0, 1.0, 1.0])), dict(var=torch.ones(1, 3)),
             dict(var=[1.0, 1.0, 1.0]), dict(var=None), dict(var=v, reduction="foo"), dict(var=v, reduction=None),
             dict(var=v, eps=None), dict(var=v, eps="a"), dict(var=v, eps=1e40),
             dict(var=torch.ones(3, dtype=torch.int64))]
    for case in cases:
        var = case.pop("var")
        our_kind, our_text = message(lambda: sl.gaussian_nll_loss(x, torch.zeros(3), var, **case))
        their_kind, their_text = message(lambda: TF.gaussian_nll_loss(x, torch.zeros(3), var, **case))
        assert our_text == their_text
        dtype_error = isinstance(var, torch.Tensor) and not var.is_floating_point()
        assert our_kind is (TypeError if dtype_error else KIND.get(their_kind, their_kind))
    with pytest.raises(TypeError, match="argument 'input' \\(position 1\\) must be Tensor"):
        sl.gaussian_nll_loss([1.0], torch.ones(1), torch.ones(1))
    # the op checks var's sign itself: under torch.compile, where the wrapper cannot branch on values
    compiled = torch.compile(lambda a, b: sl.gaussian_nll_loss(a, torch.zeros(3), b), fullgraph=True, backend="eager")
    with pytest.raises(ValueError, match="^var has negative entry/entries$"):
        compiled(torch.ones(3), -torch.ones(3))
