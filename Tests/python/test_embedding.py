"""cosine_embedding_loss, triplet_margin_loss and triplet_margin_with_distance_loss: against a
float64 numpy reference of PyTorch's composites and against torch.nn.functional itself (values
and the gradient of every learned input; every keyword: margin (negative too for cosine), p =
1, 2, 3.5, 1.5, 0.5, inf, -inf, 0, -1, eps, swap and its ties; 1-D, 2-D, 3-D, inputs broadcast
over the rows and over the last axis, targets other than ±1, zero vectors, identical points,
NaN, no rows, an empty last axis, grad_output for 'none'), every error message, the legacy
arguments, the modules, out= with its per-input gradient buffers, the default and a Python
distance function, and the swiftloss.torch drop-ins (several learned inputs) to the second
order, torch.func, torch.compile and opcheck."""
import doctest
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import swiftloss
import swiftloss as F
import swiftloss.torch as sl

REDUCTIONS = ["none", "sum", "mean"]
DTYPES = [np.float32, np.float64]
TOL = {np.float32: 1e-5, np.float64: 1e-10}
EPSILON = float(np.float32(1e-12))  # PyTorch's EPSILON of cosine_embedding_loss: a C float
INF = math.inf
sum_to = F.functional._sum_to_shape


def close(got, want, dtype):
    tol = TOL[dtype]
    want = np.asarray(want, np.float64)
    finite = want[np.isfinite(want)]
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=tol,
                               atol=tol * max(1.0, float(np.max(np.abs(finite), initial=0.0))))


def upstream_of(shape, reduction, upstream):
    """Each row's upstream gradient (float64, of the loss shape)."""
    s = np.broadcast_to(np.asarray(upstream, np.float64), shape)
    return s / max(math.prod(shape), 1) if reduction == "mean" else s


def reduce(losses, reduction):
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.mean() if losses.size else np.nan


# ------------------------------------------------------------------------------------------
# float64 references of PyTorch's composites
# ------------------------------------------------------------------------------------------

def cosine_reference(x1, x2, y, margin=0.0, reduction="mean", upstream=1.0):
    """(loss, (grad_input1, grad_input2)): each squared norm over its input's own last axis."""
    a, b, t = (np.asarray(v, np.float64) for v in (x1, x2, y))
    with np.errstate(all="ignore"):
        m1, m2 = (a * a).sum(-1) + EPSILON, (b * b).sum(-1) + EPSILON
        denominator = np.sqrt(m1 * m2)
        cos = (a * b).sum(-1) / denominator
        shape = np.broadcast_shapes(cos.shape, t.shape)
        cos, t = np.broadcast_to(cos, shape), np.broadcast_to(t, shape)
        losses = np.where(t == 1, 1 - cos, np.where(t == -1, np.maximum(cos - margin, 0), 0))
        s = upstream_of(shape, reduction, upstream)
        gcos = np.where(t == 1, -s, np.where((t == -1) & (cos - margin > 0), s, 0))
        k = (gcos / denominator)[..., None]
        dim = max(a.shape[-1], b.shape[-1])
        g1 = sum_to(k * np.broadcast_to(b, b.shape[:-1] + (dim,)), a.shape) - sum_to((gcos * cos / m1)[..., None] * a, a.shape)
        g2 = sum_to(k * np.broadcast_to(a, a.shape[:-1] + (dim,)), b.shape) - sum_to((gcos * cos / m2)[..., None] * b, b.shape)
    return reduce(losses, reduction), (g1, g2)


def pnorm(d, p):
    """torch.linalg.vector_norm over the last axis (an empty axis: 0)."""
    if d.shape[-1] == 0:
        return np.zeros(d.shape[:-1])
    a = np.abs(d)
    if p == INF:
        return a.max(-1)
    if p == -INF:
        return a.min(-1)
    if p == 0:
        return np.count_nonzero(d, axis=-1).astype(np.float64)
    if p == 1:
        return a.sum(-1)
    if p == 2:
        return np.sqrt(np.square(d).sum(-1))
    return np.power(np.power(a, p).sum(-1), 1.0 / p)


def pnorm_gradient(d, r, w, p):
    """PyTorch's derivative of the p-norm r of d, times the upstream w (per row)."""
    r, w = r[..., None], w[..., None]
    sgn = np.sign(np.nan_to_num(d, nan=0.0))  # torch's sgn: 0 at NaN
    if p == 0:
        return np.zeros(np.broadcast_shapes(d.shape, w.shape))
    if p == 1:
        return w * sgn
    if p == 2:
        return np.where(r == 0, 0.0, d / r) * w
    if abs(p) == INF:
        hit = (np.abs(d) == r) | np.isnan(d)
        return sgn * (w / hit.sum(-1, keepdims=True) * hit)
    if p < 1:
        term = np.where(d == 0, 0.0, np.power(np.abs(d), p - 1))
        return sgn * term * w * np.power(r, 1 - p)
    return sgn * np.power(np.abs(d), p - 1) * np.where(r == 0, 0.0, w / np.power(r, p - 1))


def triplet_reference(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction="mean",
                      upstream=1.0):
    """(loss, (grad_anchor, grad_positive, grad_negative)) of PyTorch's composite."""
    a, q, n = (np.asarray(v, np.float64) for v in (anchor, positive, negative))
    scalar = a.ndim == 0  # 0-d inputs: a norm over one element
    if scalar:
        a, q, n = a[None], q[None], n[None]
    with np.errstate(all="ignore"):
        pairs = [a - q + eps, a - n + eps, q - n + eps]
        dist = [pnorm(d, p) for d in pairs]
        negative_distance = np.fmin(dist[1], dist[2]) if swap else dist[1]
        if swap:  # torch.minimum propagates NaN
            negative_distance = np.where(np.isnan(dist[1]) | np.isnan(dist[2]), np.nan, negative_distance)
        z = margin + dist[0] - negative_distance
        shape = z.shape
        losses = np.where(z < 0, 0.0, z)
        gz = np.where(z > 0, upstream_of(shape, reduction, upstream), 0.0)
        if swap:
            share = np.where(dist[1] == dist[2], -gz / 2, -gz)
            w = [gz, np.where(dist[1] > dist[2], 0.0, share), np.where(dist[1] < dist[2], 0.0, share)]
        else:
            w = [gz, -gz, np.zeros(shape)]
        u = [pnorm_gradient(d, r, wk, p) for d, r, wk in zip(pairs, dist, w)]
        ga = sum_to(u[0], a.shape) + sum_to(u[1], a.shape)
        gp = sum_to(-u[0], q.shape) + (sum_to(u[2], q.shape) if swap else 0)
        gn = sum_to(-u[1], n.shape) - (sum_to(u[2], n.shape) if swap else 0)
    if scalar:
        ga, gp, gn = (g.reshape(()) for g in (ga, gp, gn))
    return reduce(losses, reduction), (ga, gp, gn)


def torch_run(function, arrays, kwargs, reduction, upstream, learned):
    """torch's loss and the gradients of the learned arrays (zeros where torch has none)."""
    tensors = [torch.tensor(a, requires_grad=k < learned) for k, a in enumerate(arrays)]
    loss = function(*tensors, reduction=reduction, **kwargs)
    grads = [np.zeros(a.shape) for a in arrays[:learned]]
    if loss.numel() and loss.requires_grad:
        (loss * torch.as_tensor(upstream, dtype=loss.dtype)).sum().backward()
        grads = [np.zeros(t.shape) if t.grad is None else t.grad.numpy() for t in tensors[:learned]]
    return loss.detach().numpy(), grads


# ------------------------------------------------------------------------------------------
# cosine_embedding_loss
# ------------------------------------------------------------------------------------------

COSINE_SHAPES = [((5, 7), (5, 7), (5,)), ((4, 6), (1, 6), (4,)), ((1, 6), (3, 6), (1,)), ((3, 6), (3, 6), (1,)),
                 ((9,), (9,), ()), ((4, 1), (4, 5), (4,)), ((3, 5), (1, 1), (3,)), ((1,), (8,), ()),
                 ((0, 4), (0, 4), (0,)), ((3, 0), (3, 0), (3,)), ((300, 1000), (300, 1000), (300,))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", COSINE_SHAPES, ids=lambda c: "-".join(str(s) for s in c))
def test_cosine_values_and_gradients_match_the_reference_and_torch(shapes, reduction, dtype):
    rng = np.random.default_rng(3)
    s1, s2, st = shapes
    x1, x2 = rng.standard_normal(s1).astype(dtype), rng.standard_normal(s2).astype(dtype)
    y = rng.choice(np.array([1.0, -1.0, 1.0, -1.0, 0.0, 2.0], dtype), st)
    shape = np.broadcast_shapes(np.broadcast_shapes(s1, s2)[:-1], st)
    upstream = (rng.random(shape) + 0.5).astype(dtype) if reduction == "none" else dtype(1.5)
    for margin in (0.0, 0.3, -0.4):
        value, (g1, g2) = F.cosine_embedding_loss(x1, x2, y, margin=margin, reduction=reduction, with_grad=True,
                                                  grad_output=upstream)
        want, (w1, w2) = cosine_reference(x1, x2, y, margin, reduction, upstream)
        close(value, want, dtype)
        assert np.shape(value) == np.shape(want) and np.asarray(value).dtype == dtype
        assert g1.shape == s1 and g2.shape == s2 and g1.dtype == g2.dtype == dtype
        close(g1, w1, dtype)
        close(g2, w2, dtype)
        theirs, (t1, t2) = torch_run(TF.cosine_embedding_loss, [x1, x2, y], dict(margin=margin), reduction,
                                     upstream, 2)
        close(value, theirs, dtype)
        close(g1, t1, dtype)
        close(g2, t2, dtype)
        # the loss alone (the fast path where it applies) gives the same bits
        np.testing.assert_array_equal(F.cosine_embedding_loss(x1, x2, y, margin=margin, reduction=reduction), value)


def test_cosine_fast_path_gives_the_general_paths_bits():
    rng = np.random.default_rng(8)
    x1, x2 = rng.standard_normal((40, 33)), rng.standard_normal((40, 33))
    y = rng.choice([-1.0, 1.0], 40)
    for reduction in REDUCTIONS:
        fast = F.cosine_embedding_loss(x1, x2, y, margin=0.2, reduction=reduction)
        general = F.cosine_embedding_loss(x1.tolist(), x2, y, margin=0.2, reduction=reduction)
        np.testing.assert_array_equal(fast, general)
        assert type(fast) is type(general)


def test_cosine_special_rows_as_torch():
    """Zero vectors (cos 0, a gradient of about 1e6), identical vectors, the kink, D = 0, NaN,
    targets other than ±1 (0 but counted in the mean)."""
    x1 = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [1.0, 0.0, 0.0], [np.nan, 1.0, 0.0], [1.0, 1.0, 1.0]])
    x2 = np.array([[1.0, 2.0, 2.0], [1.0, 2.0, 3.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [2.0, 0.0, 1.0]])
    y = np.array([-1.0, -1.0, -1.0, 1.0, 0.5])
    results = {}
    for margin in (-0.5, 0.0):
        ours, (g1, g2) = F.cosine_embedding_loss(x1, x2, y, margin=margin, reduction="none", with_grad=True)
        theirs, (t1, t2) = torch_run(TF.cosine_embedding_loss, [x1, x2, y], dict(margin=margin), "none",
                                     np.ones(5), 2)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(g1, t1, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(g2, t2, rtol=1e-10, atol=1e-10)
        results[margin] = ours, g1
    # the zero vector's gradient: x2 / (1e-6 |x2|) (cos 0, margin -0.5: off the kink)
    ours, g1 = results[-0.5]
    assert abs(g1[0, 1] - 2 / 3 * 1e6) < 1 and ours[0] == 0.5 and ours[4] == 0 and np.isnan(ours[3])
    # the kink (cos - margin = 0: the zero vector, and orthogonal vectors): zero gradient
    ours, g1 = results[0.0]
    assert ours[0] == ours[2] == 0 and not g1[0].any() and not g1[2].any()
    # D = 0: cos = 0
    empty = np.zeros((3, 0))
    np.testing.assert_array_equal(F.cosine_embedding_loss(empty, empty, [1.0, -1.0, 0.0], margin=-0.25, reduction="none"),
                                  [1.0, 0.25, 0.0])
    assert F.cosine_embedding_loss(empty, empty, [1.0, -1.0, 1.0], reduction="mean") == np.float64(2 / 3)
    # a float64 target of almost 1 is not 1, with float32 inputs too (as in torch)
    x = np.ones((1, 2), np.float32)
    assert F.cosine_embedding_loss(x, -x, np.array([1 + 1e-12])) == 0
    assert F.cosine_embedding_loss(x, -x, np.array([1.0])) == 2


def test_cosine_empty_batch_dtypes_and_promotion():
    empty = np.zeros((0, 3), np.float32)
    assert np.isnan(F.cosine_embedding_loss(empty, empty, np.zeros(0, np.float32)))
    assert F.cosine_embedding_loss(empty, empty, np.zeros(0, np.float32), reduction="sum") == 0
    loss, (g1, g2) = F.cosine_embedding_loss(empty, empty, np.zeros(0), with_grad=True)
    assert np.isnan(loss) and g1.shape == g2.shape == (0, 3)
    i1, i2, t = np.array([[1, 2], [3, 4]]), np.array([[2, 1], [3, 5]]), np.array([1, -1])
    ours = F.cosine_embedding_loss(i1, i2, t, reduction="none")
    theirs = TF.cosine_embedding_loss(torch.tensor(i1), torch.tensor(i2), torch.tensor(t), reduction="none")
    assert ours.dtype == np.float32 and theirs.dtype == torch.float32
    np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6)
    # the target's dtype does not change the result's; two float dtypes promote
    assert np.asarray(F.cosine_embedding_loss(i1.astype(np.float32), i2, t.astype(np.float64))).dtype == np.float32
    assert np.asarray(F.cosine_embedding_loss(i1.astype(np.float32), i2.astype(np.float64), t)).dtype == np.float64
    half = F.cosine_embedding_loss(i1.astype(np.float16), i2.astype(np.float16), t)
    assert half.dtype == np.float16
    # a bool target: True is 1
    assert F.cosine_embedding_loss(i1, i2, np.array([True, False]), reduction="sum") == \
        F.cosine_embedding_loss(i1, i2, np.array([1.0, 0.0]), reduction="sum")


# ------------------------------------------------------------------------------------------
# triplet_margin_loss
# ------------------------------------------------------------------------------------------

PS = [2.0, 1.0, 3.5, 1.5, 0.5, INF, -INF, 0.0, -1.0]
TRIPLET_SHAPES = [((6, 9), (6, 9), (6, 9)), ((4, 5), (1, 5), (4, 5)), ((2, 3, 4), (1, 3, 4), (2, 1, 4)),
                  ((7,), (7,), (7,)), ((3, 1), (3, 4), (3, 1)), ((3, 4), (3, 1), (3, 1)), ((1, 6), (1, 6), (5, 6)),
                  ((0, 3), (0, 3), (0, 3)), ((), (), ())]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("shapes", TRIPLET_SHAPES, ids=lambda c: "-".join(str(s) for s in c))
def test_triplet_values_and_gradients_match_the_reference_and_torch(shapes, p, swap, dtype):
    rng = np.random.default_rng(11)
    xs = [rng.standard_normal(s).astype(dtype) for s in shapes]
    loss_shape = torch.broadcast_shapes(*(torch.Size(s) for s in shapes))[:-1] if shapes[0] else ()
    for reduction in REDUCTIONS:
        upstream = (rng.random(loss_shape) + 0.5).astype(dtype) if reduction == "none" else dtype(0.75)
        kwargs = dict(margin=1.25, p=p, eps=1e-6, swap=swap)
        value, grads = F.triplet_margin_loss(*xs, reduction=reduction, with_grad=True, grad_output=upstream, **kwargs)
        want, wants = triplet_reference(*xs, reduction=reduction, upstream=upstream, **kwargs)
        close(value, want, dtype)
        assert np.shape(value) == np.shape(want) and np.asarray(value).dtype == dtype
        theirs, torch_grads = torch_run(TF.triplet_margin_loss, xs, kwargs, reduction, upstream, 3)
        close(value, theirs, dtype)
        for g, w, t, x in zip(grads, wants, torch_grads, xs):
            assert g.shape == x.shape and g.dtype == dtype
            close(g, w, dtype)
            close(g, t, dtype)
        np.testing.assert_array_equal(F.triplet_margin_loss(*xs, reduction=reduction, **kwargs), value)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.5, INF])
def test_triplet_fast_path_threads_and_eps(p):
    """The fast path gives the general path's bits; a large call (threaded) agrees with torch;
    eps and margin reach the kernel."""
    rng = np.random.default_rng(2)
    xs = [rng.standard_normal((600, 700)).astype(np.float32) for _ in range(3)]
    for swap in (False, True):
        fast = F.triplet_margin_loss(*xs, margin=0.7, p=p, eps=0.01, swap=swap, reduction="none")
        general = F.triplet_margin_loss(xs[0], xs[1], np.asfortranarray(xs[2]), margin=0.7, p=p, eps=0.01, swap=swap,
                                        reduction="none")
        np.testing.assert_array_equal(fast, general)
        loss, grads = F.triplet_margin_loss(*xs, margin=0.7, p=p, eps=0.01, swap=swap, with_grad=True)
        theirs, torch_grads = torch_run(TF.triplet_margin_loss, xs, dict(margin=0.7, p=p, eps=0.01, swap=swap),
                                        "mean", 1.0, 3)
        close(loss, theirs, np.float32)
        for g, t in zip(grads, torch_grads):
            close(g, t, np.float32)


def test_triplet_identical_points_ties_and_kink():
    """Identical points: d = eps D^(1/p) with a gradient of 1/sqrt(D) per component (0 with eps
    = 0); with swap and anchor == positive, d(a, n) == d(p, n): the gradient splits 50/50; at
    the kink (margin + d(a, p) == d(a, n)) the gradient is 0."""
    a = np.array([[0.5, -1.0, 2.0, 0.0]])
    for eps, want in ((1e-6, 0.5), (0.0, 0.0)):
        _, (ga, gp, gn) = F.triplet_margin_loss(a, a, a + 5, margin=100.0, eps=eps, reduction="sum", with_grad=True)
        np.testing.assert_allclose(gp, np.full((1, 4), -want), rtol=1e-9)
    rng = np.random.default_rng(5)
    a, n = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    for p in (2.0, 1.0, INF, 3.5):
        ours, grads = F.triplet_margin_loss(a, a.copy(), n, margin=5.0, p=p, swap=True, reduction="sum", with_grad=True)
        theirs, torch_grads = torch_run(TF.triplet_margin_loss, [a, a.copy(), n], dict(margin=5.0, p=p, swap=True),
                                        "sum", 1.0, 3)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
        for g, t in zip(grads, torch_grads):
            np.testing.assert_allclose(g, t, rtol=1e-10, atol=1e-12)
        # the positive gets half of the negative distance's gradient back
        _, (_, gp_alone, _) = F.triplet_margin_loss(a, a.copy(), n, margin=5.0, p=p, swap=False, reduction="sum",
                                                    with_grad=True)
        assert not np.allclose(grads[1], gp_alone)
    # the kink: eps 0, d(a, p) = 0, d(a, n) = 1 = margin
    zero = np.zeros((1, 2))
    loss, grads = F.triplet_margin_loss(zero, zero, np.array([[1.0, 0.0]]), margin=1.0, eps=0.0, with_grad=True)
    assert loss == 0 and not any(g.any() for g in grads)


def test_triplet_special_values_as_torch():
    """NaN and infinities propagate as in torch's composite (loss and gradients), for every p."""
    a = np.array([[np.nan, 1.0, 0.0], [INF, 1.0, 2.0], [1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    q = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [0.0, -INF, 1.0]])
    n = np.array([[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [np.nan, 0.0, 0.0], [1.0, 2.0, 1.0]])
    for p in PS + [np.nan]:
        for swap in (False, True):
            ours, grads = F.triplet_margin_loss(a, q, n, margin=0.5, p=p, swap=swap, reduction="none", with_grad=True)
            theirs, torch_grads = torch_run(TF.triplet_margin_loss, [a, q, n], dict(margin=0.5, p=p, swap=swap),
                                            "none", np.ones(4), 3)
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, err_msg=f"p={p} swap={swap}")
            for g, t in zip(grads, torch_grads):
                np.testing.assert_allclose(g, t, rtol=1e-10, atol=1e-12, err_msg=f"p={p} swap={swap}")


def test_triplet_empty_last_axis_and_empty_batch():
    empty = np.zeros((3, 0))
    for p in (2.0, 1.0, 0.5, 0.0, np.nan):
        ours = F.triplet_margin_loss(empty, empty, empty, margin=0.75, p=p, reduction="none")
        theirs = TF.triplet_margin_loss(*(torch.tensor(empty),) * 3, margin=0.75, p=p, reduction="none")
        np.testing.assert_array_equal(ours, theirs.numpy())
    for p in (INF, -INF, -1.0, -0.5):
        with pytest.raises(ValueError) as info:
            F.triplet_margin_loss(empty, empty, empty, p=p)
        with pytest.raises(RuntimeError) as theirs:
            TF.triplet_margin_loss(*(torch.tensor(empty),) * 3, p=p)
        assert str(info.value) == str(theirs.value)
    nothing = np.zeros((0, 4), np.float32)
    assert np.isnan(F.triplet_margin_loss(nothing, nothing, nothing))
    assert F.triplet_margin_loss(nothing, nothing, nothing, reduction="sum") == 0
    assert F.triplet_margin_loss(nothing, nothing, nothing, reduction="none").shape == (0,)


def test_triplet_dtypes_promote_as_torch():
    i = [np.array([[1, 2], [0, 1]]), np.array([[2, 2], [1, 1]]), np.array([[0, 0], [3, 1]])]
    for reduction in REDUCTIONS:
        ours = F.triplet_margin_loss(*i, reduction=reduction)
        theirs = TF.triplet_margin_loss(*(torch.tensor(a) for a in i), reduction=reduction)
        assert np.asarray(ours).dtype == np.float32 and theirs.dtype == torch.float32
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6)
    mixed = F.triplet_margin_loss(i[0].astype(np.float32), i[1].astype(np.float32), i[2].astype(np.float64))
    assert np.asarray(mixed).dtype == np.float64
    assert F.triplet_margin_loss(*(a.astype(np.float16) for a in i)).dtype == np.float16


def test_legacy_arguments():
    x1, x2, y = np.array([[1.0, 2.0]]), np.array([[2.0, 1.0]]), np.array([1.0])
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        ours = F.cosine_embedding_loss(x1, x2, y, reduce=False)
    np.testing.assert_allclose(ours, cosine_reference(x1, x2, y, reduction="none")[0], rtol=1e-15)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        F.triplet_margin_loss(x1, x2, x1, size_average=False)
    with pytest.warns(UserWarning):
        assert F.triplet_margin_loss(x1, x2, x1, reduce=False).shape == (1,)
    # the legacy arguments come first: they are checked before the margin
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="margin must be greater than 0"):
        F.triplet_margin_loss(x1, x2, x1, margin=0, reduce=True)


# ------------------------------------------------------------------------------------------
# Errors: PyTorch's texts (RuntimeError -> ValueError)
# ------------------------------------------------------------------------------------------

def message(call):
    with pytest.raises(Exception) as info:
        call()
    return type(info.value), str(info.value)


def same_message(ours, theirs, kind=ValueError):
    got_kind, got = message(ours)
    _, want = message(theirs)
    assert got_kind is kind and got == want, (got_kind, got, want)


def test_cosine_errors_are_torchs():
    t = torch.tensor
    cases = [((np.zeros(2), np.zeros(2), np.zeros(2)), {}),
             ((np.zeros((4, 2)), np.zeros((4, 2)), np.zeros(())), {}),
             ((np.zeros((4, 2)), np.zeros((4, 2)), np.zeros((4, 1))), {}),
             ((np.zeros((4, 2)), np.zeros(2), np.zeros(4)), {}),
             ((np.zeros((4, 2)), np.zeros((3, 2)), np.zeros(4)), {}),
             ((np.zeros((4, 2)), np.zeros((4, 3)), np.zeros(4)), {}),
             ((np.zeros((4, 2)), np.zeros((4, 2)), np.zeros(3)), {}),
             ((np.zeros(2), np.zeros(2), np.zeros(())), dict(reduction="foo")),
             ((np.zeros(2), np.zeros(2), np.zeros(())), dict(reduction=None))]
    for arrays, kwargs in cases:
        same_message(lambda: F.cosine_embedding_loss(*arrays, **kwargs),
                     lambda: TF.cosine_embedding_loss(*(t(a) for a in arrays), **kwargs))
    same_message(lambda: F.cosine_embedding_loss(np.zeros(2), np.zeros(2), np.zeros(()), margin="a"),
                 lambda: TF.cosine_embedding_loss(t(np.zeros(2)), t(np.zeros(2)), t(np.zeros(())), margin="a"), TypeError)
    with pytest.raises(TypeError, match="real-valued input2"):
        F.cosine_embedding_loss(np.zeros(2), np.zeros(2, complex), np.zeros(()))
    with pytest.raises(TypeError, match="real-valued target"):
        F.cosine_embedding_loss(np.zeros(2), np.zeros(2), np.zeros((), complex))
    with pytest.raises(ValueError, match="grad_output must have the loss's shape"):
        F.cosine_embedding_loss(np.zeros((2, 2)), np.zeros((2, 2)), np.ones(2), reduction="none", with_grad=True,
                                grad_output=np.ones(3))


def test_triplet_errors_are_torchs():
    x = np.zeros((2, 3))
    T = torch.tensor
    for kwargs in (dict(margin=0), dict(margin=-1), dict(margin=-1.5), dict(reduction="foo"),
                   dict(reduction="foo", margin=0), dict(reduction=None)):
        same_message(lambda: F.triplet_margin_loss(x, x, x, **kwargs),
                     lambda: TF.triplet_margin_loss(T(x), T(x), T(x), **kwargs))
    for kwargs in (dict(margin="a"), dict(margin=None), dict(p="a"), dict(p=None), dict(eps="a"), dict(swap=1),
                   dict(swap="a"), dict(swap=None)):
        same_message(lambda: F.triplet_margin_loss(x, x, x, **kwargs),
                     lambda: TF.triplet_margin_loss(T(x), T(x), T(x), **kwargs), TypeError)
    for arrays in ((x, x[0], x), (x, x, np.zeros((3, 2))), (x, x, np.zeros((2, 4))),
                   (np.zeros((1, 3)), np.zeros((2, 3)), np.zeros((4, 3))), (np.zeros((2, 0)), x, x)):
        for swap in (False, True):
            same_message(lambda: F.triplet_margin_loss(*arrays, p=-1.5, swap=swap),
                         lambda: TF.triplet_margin_loss(*(T(a) for a in arrays), p=-1.5, swap=swap))
    b = np.zeros((2, 3), bool)
    same_message(lambda: F.triplet_margin_loss(b, b, x), lambda: TF.triplet_margin_loss(T(b), T(b), T(x)), TypeError)
    for arrays in ((x, b, x), (x, x, b), (b, x, x)):
        same_message(lambda: F.triplet_margin_loss(*arrays), lambda: TF.triplet_margin_loss(*(T(a) for a in arrays)),
                     TypeError)
    same_message(lambda: F.triplet_margin_loss(x, b, b, swap=True),
                 lambda: TF.triplet_margin_loss(T(x), T(b), T(b), swap=True), TypeError)
    with pytest.raises(TypeError, match="real-valued negative"):
        F.triplet_margin_loss(x, x, x.astype(complex))


def test_triplet_with_distance_errors_are_torchs():
    x = np.zeros((2, 3))
    T = torch.tensor
    W, TW = F.triplet_margin_with_distance_loss, TF.triplet_margin_with_distance_loss
    for kwargs in (dict(reduction="foo", margin=0), dict(reduction="elementwise_mean"), dict(reduction=None),
                   dict(margin=0), dict(margin=-2)):
        same_message(lambda: W(x, x, x, **kwargs), lambda: TW(T(x), T(x), T(x), **kwargs))
    same_message(lambda: W(x, x[0], x), lambda: TW(T(x), T(x[0]), T(x)))
    same_message(lambda: W(x, x, x, margin="a"), lambda: TW(T(x), T(x), T(x), margin="a"), TypeError)
    same_message(lambda: W(x, x, x, 1.0), lambda: TW(T(x), T(x), T(x), 1.0), TypeError)
    same_message(lambda: W(x, x, x, size_average=True), lambda: TW(T(x), T(x), T(x), size_average=True), TypeError)
    same_message(lambda: W(x, x, x, distance_function=5), lambda: TW(T(x), T(x), T(x), distance_function=5),
                 TypeError)
    with pytest.raises(ValueError, match="with_grad=True needs the default distance"):
        W(x, x, x, distance_function=lambda u, v: np.abs(u - v).sum(-1), with_grad=True)


# ------------------------------------------------------------------------------------------
# triplet_margin_with_distance_loss
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_default_distance_is_the_triplet_loss_bit_for_bit(dtype):
    rng = np.random.default_rng(6)
    xs = [rng.standard_normal((5, 8)).astype(dtype) for _ in range(3)]
    xs[1][2] = xs[0][2]
    for swap in (False, True):
        for reduction in REDUCTIONS:
            ours = F.triplet_margin_with_distance_loss(*xs, margin=0.5, swap=swap, reduction=reduction, with_grad=True)
            triplet = F.triplet_margin_loss(*xs, margin=0.5, swap=swap, reduction=reduction, with_grad=True)
            np.testing.assert_array_equal(ours[0], triplet[0])
            for a, b in zip(ours[1], triplet[1]):
                np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(
                F.triplet_margin_with_distance_loss(*xs, margin=0.5, swap=swap, reduction=reduction), ours[0])
            theirs = TF.triplet_margin_with_distance_loss(*(torch.tensor(a) for a in xs), margin=0.5, swap=swap,
                                                          reduction=reduction)
            close(ours[0], theirs.numpy(), dtype)


def test_python_distance_function():
    rng = np.random.default_rng(7)
    xs = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(3)]
    seen = []

    def l1(u, v):
        seen.append((type(u), u.dtype, type(v)))
        return np.abs(u - v).sum(-1)

    for swap in (False, True):
        for reduction in REDUCTIONS:
            ours = F.triplet_margin_with_distance_loss(*xs, distance_function=l1, margin=0.5, swap=swap,
                                                       reduction=reduction)
            theirs = TF.triplet_margin_with_distance_loss(
                *(torch.tensor(a) for a in xs), distance_function=lambda u, v: (u - v).abs().sum(-1), margin=0.5,
                swap=swap, reduction=reduction)
            np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-6)
            assert np.asarray(ours).dtype == np.float32
    assert all(s == (np.ndarray, np.float32, np.ndarray) for s in seen)
    out = np.empty(4, np.float32)
    assert F.triplet_margin_with_distance_loss(*xs, distance_function=l1, reduction="none", out=out) is out
    np.testing.assert_array_equal(out, F.triplet_margin_with_distance_loss(*xs, distance_function=l1, reduction="none"))
    with pytest.raises(ValueError, match="out= is for reduction='none'"):
        F.triplet_margin_with_distance_loss(*xs, distance_function=l1, out=out)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the mean of nothing is NaN, silently (as torch)
        nothing = np.zeros((0, 3))
        assert np.isnan(F.triplet_margin_with_distance_loss(nothing, nothing, nothing, distance_function=l1))


# ------------------------------------------------------------------------------------------
# Modules and out=
# ------------------------------------------------------------------------------------------

def test_modules():
    rng = np.random.default_rng(4)
    x1, x2, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4)), np.array([1.0, -1.0, 1.0])
    module = swiftloss.CosineEmbeddingLoss(margin=0.2, reduction="none")
    np.testing.assert_allclose(module(x1, x2, y), cosine_reference(x1, x2, y, 0.2, "none")[0], rtol=1e-14)
    loss, (g1, g2) = module(x1, x2, y, with_grad=True)
    assert g1.shape == g2.shape == (3, 4)
    triplet = swiftloss.TripletMarginLoss(margin=0.5, p=1.0, eps=0.0, swap=True, reduction="sum")
    np.testing.assert_allclose(triplet(x1, x2, y[:, None]),
                               triplet_reference(x1, x2, y[:, None], 0.5, 1.0, 0.0, True, "sum")[0], rtol=1e-14)
    assert len(triplet(x1, x2, x1, with_grad=True)[1]) == 3
    distance = swiftloss.TripletMarginWithDistanceLoss(margin=0.5, reduction="mean")
    np.testing.assert_array_equal(distance(x1, x2, x1 + 1), F.triplet_margin_loss(x1, x2, x1 + 1, margin=0.5))
    custom = swiftloss.TripletMarginWithDistanceLoss(distance_function=lambda u, v: np.abs(u - v).max(-1), swap=True)
    assert custom(x1, x2, x1 + 1) == F.triplet_margin_loss(x1, x2, x1 + 1, p=INF, eps=0.0, swap=True)
    for cls, name in ((swiftloss.TripletMarginLoss, "TripletMarginLoss"),
                      (swiftloss.TripletMarginWithDistanceLoss, "TripletMarginWithDistanceLoss")):
        with pytest.raises(ValueError, match=f"^{name}: expected margin to be greater than 0, got 0 instead$"):
            cls(margin=0)
    _, theirs = message(lambda: torch.nn.TripletMarginLoss(margin=-1))
    _, ours = message(lambda: swiftloss.TripletMarginLoss(margin=-1))
    assert ours == theirs


def test_out_buffers():
    rng = np.random.default_rng(9)
    a, p, n = rng.standard_normal((3, 4)), rng.standard_normal((1, 4)), rng.standard_normal((3, 4))
    out, ga_out, gp_out, gn_out = np.empty(3), np.empty((3, 4)), np.empty((1, 4)), np.empty((3, 4))
    value, grads = F.triplet_margin_loss(a, p, n, swap=True, reduction="none", with_grad=True,
                                         out=(out, (ga_out, gp_out, gn_out)))
    assert value is out and grads[0] is ga_out and grads[1] is gp_out and grads[2] is gn_out
    want, wants = triplet_reference(a, p, n, swap=True, reduction="none")
    np.testing.assert_allclose(out, want, rtol=1e-12)
    for g, w in zip((ga_out, gp_out, gn_out), wants):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-14)
    # some gradient buffers given, the others new; a reduced loss with out=(None, ...)
    loss, (ga, gp, gn) = F.triplet_margin_loss(a, p, n, with_grad=True, out=(None, (None, gp_out, None)))
    assert gp is gp_out and ga.shape == gn.shape == (3, 4)
    g1_out = np.empty((3, 4))
    loss, (g1, g2) = F.cosine_embedding_loss(a, n, np.ones(3), with_grad=True, out=(None, (g1_out, None)))
    assert g1 is g1_out and g2.shape == (3, 4)
    plain = F.cosine_embedding_loss(a, n, np.ones(3), reduction="none", out=np.empty(3))
    np.testing.assert_allclose(plain, cosine_reference(a, n, np.ones(3), reduction="none")[0], rtol=1e-14)
    # the D-broadcast (numpy) path writes into out= too
    out = np.empty(3)
    assert F.cosine_embedding_loss(a[:, :1], n, np.ones(3), reduction="none", out=out) is out
    with pytest.raises(TypeError, match="out= must be a pair"):
        F.triplet_margin_loss(a, p, n, with_grad=True, out=np.empty(3))
    with pytest.raises(TypeError, match="grad_outs must be None or a tuple of 3 buffers"):
        F.triplet_margin_loss(a, p, n, with_grad=True, out=(None, (ga_out, None)))
    with pytest.raises(ValueError, match="overlaps"):
        F.triplet_margin_loss(a, p, n, reduction="none", with_grad=True, out=(None, (ga_out, None, ga_out)))
    with pytest.raises(ValueError, match="shape"):
        F.cosine_embedding_loss(a, n, np.ones(3), with_grad=True, out=(None, (np.empty((1, 4)), None)))


def test_docstring_examples_run():
    for function in (F.cosine_embedding_loss, F.triplet_margin_loss, F.triplet_margin_with_distance_loss,
                     sl.cosine_embedding_loss, sl.triplet_margin_loss, sl.triplet_margin_with_distance_loss):
        test, = doctest.DocTestFinder().find(function, function.__name__, globs={})
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        result = runner.run(test, out=lambda text: None)
        assert result.attempted > 0 and result.failed == 0, function.__qualname__


# ------------------------------------------------------------------------------------------
# swiftloss.torch: the drop-ins, several learned inputs, to the second order
# ------------------------------------------------------------------------------------------

def torch_inputs(shapes, dtype, seed=3):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(s, dtype=dtype, generator=g, requires_grad=True) for s in shapes]


def check_first_and_second_order(ours, theirs, xs, dtype, rtol):
    torch.testing.assert_close(ours, theirs, rtol=rtol, atol=rtol)
    up = torch.rand(ours.shape, dtype=dtype, generator=torch.Generator().manual_seed(1)).add(0.5).requires_grad_()
    mine = torch.autograd.grad(ours, xs, up, create_graph=True)
    want = torch.autograd.grad(theirs, xs, up, create_graph=True)
    for a, b in zip(mine, want):
        torch.testing.assert_close(a, b, rtol=rtol, atol=rtol)
    # a gradient penalty through every learned input and the upstream gradient
    h1 = torch.autograd.grad(sum(t.square().sum() for t in mine), (*xs, up), materialize_grads=True)
    h2 = torch.autograd.grad(sum(t.square().sum() for t in want), (*xs, up), materialize_grads=True)
    for a, b in zip(h1, h2):
        torch.testing.assert_close(a, b, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shapes", [((4, 5), (4, 5), (4,)), ((4, 5), (1, 5), (1,)), ((6,), (6,), ()),
                                    ((3, 1), (3, 4), (3,))], ids=str)
def test_torch_cosine_drop_in_first_and_second_order(shapes, reduction, dtype):
    x1, x2 = torch_inputs(shapes[:2], dtype)
    y = torch.tensor([1.0, -1.0, 1.0, 0.0][:shapes[2][0]] if shapes[2] else 1.0, dtype=dtype)
    rtol = 1e-5 if dtype == torch.float32 else 1e-10
    ours = sl.cosine_embedding_loss(x1, x2, y, margin=-0.3, reduction=reduction)
    theirs = TF.cosine_embedding_loss(x1, x2, y, margin=-0.3, reduction=reduction)
    check_first_and_second_order(ours, theirs, (x1, x2), dtype, rtol)
    module = sl.CosineEmbeddingLoss(margin=-0.3, reduction=reduction)
    torch.testing.assert_close(module(x1, x2, y), theirs, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("p,swap", [(2.0, False), (2.0, True), (1.0, True), (3.5, False), (INF, True), (0.5, False)])
@pytest.mark.parametrize("shapes", [((4, 5), (4, 5), (4, 5)), ((2, 3, 4), (1, 3, 4), (2, 1, 4)), ((5,), (5,), (5,)),
                                    ((3, 1), (3, 4), (3, 1))], ids=str)
def test_torch_triplet_drop_in_first_and_second_order(shapes, p, swap, dtype):
    xs = torch_inputs(shapes, dtype)
    rtol = 1e-5 if dtype == torch.float32 else 1e-10
    for reduction in REDUCTIONS:
        ours = sl.triplet_margin_loss(*xs, margin=2.0, p=p, swap=swap, reduction=reduction)
        theirs = TF.triplet_margin_loss(*xs, margin=2.0, p=p, swap=swap, reduction=reduction)
        check_first_and_second_order(ours, theirs, tuple(xs), dtype, rtol)
    module = sl.TripletMarginLoss(margin=2.0, p=p, swap=swap)
    torch.testing.assert_close(module(*xs), TF.triplet_margin_loss(*xs, margin=2.0, p=p, swap=swap), rtol=rtol,
                               atol=rtol)


def test_torch_with_distance_drop_in():
    xs = torch_inputs([(4, 5), (4, 5), (1, 5)], torch.float64)
    for swap in (False, True):
        ours = sl.triplet_margin_with_distance_loss(*xs, swap=swap, reduction="none")
        theirs = TF.triplet_margin_with_distance_loss(*xs, swap=swap, reduction="none")
        check_first_and_second_order(ours, theirs, tuple(xs), torch.float64, 1e-10)
        assert type(ours.grad_fn).__name__ == "TripletMarginLossFunctionBackward"  # the kernel's Function

        def distance(u, v):
            return (u - v).abs().sum(-1)

        ours = sl.triplet_margin_with_distance_loss(*xs, distance_function=distance, swap=swap)
        theirs = TF.triplet_margin_with_distance_loss(*xs, distance_function=distance, swap=swap)
        check_first_and_second_order(ours, theirs, tuple(xs), torch.float64, 1e-12)
    module = sl.TripletMarginWithDistanceLoss(margin=0.5)
    assert isinstance(module.distance_function, torch.nn.PairwiseDistance)
    torch.testing.assert_close(module(*xs), torch.nn.TripletMarginWithDistanceLoss(margin=0.5)(*xs))
    assert type(module(*xs).grad_fn).__name__ == "TripletMarginLossFunctionBackward"
    cosine = sl.TripletMarginWithDistanceLoss(distance_function=lambda u, v: 1 - TF.cosine_similarity(u, v))
    torch.testing.assert_close(cosine(*xs), torch.nn.TripletMarginWithDistanceLoss(
        distance_function=lambda u, v: 1 - TF.cosine_similarity(u, v))(*xs))


def test_torch_func_transforms():
    n, y = torch.randn(3, 4, dtype=torch.float64), torch.tensor([1.0, -1.0, 1.0], dtype=torch.float64)

    def triplet(lib):
        return lambda a, p: lib.triplet_margin_loss(a, p, n, margin=3.0, swap=True)

    def cosine(lib):
        return lambda a, b: lib.cosine_embedding_loss(a, b, y, margin=-0.5)

    a, b = torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)
    for loss in (triplet, cosine):
        ours, theirs = loss(sl), loss(TF)
        for transform in (lambda f: torch.func.grad(f, argnums=(0, 1)), lambda f: torch.func.jacrev(f, argnums=(0, 1)),
                          lambda f: torch.func.jacfwd(f, argnums=(0, 1)), lambda f: torch.func.hessian(f, argnums=1)):
            torch.testing.assert_close(transform(ours)(a, b), transform(theirs)(a, b))
        tangents = (torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64))
        torch.testing.assert_close(torch.func.jvp(ours, (a, b), tangents), torch.func.jvp(theirs, (a, b), tangents))
    batched = torch.randn(2, 3, 4, dtype=torch.float64), torch.randn(2, 3, 4, dtype=torch.float64)
    torch.testing.assert_close(torch.func.vmap(triplet(sl))(*batched), torch.func.vmap(triplet(TF))(*batched))
    torch.testing.assert_close(torch.func.vmap(cosine(sl))(*batched), torch.func.vmap(cosine(TF))(*batched))


def test_torch_drop_ins_compile_and_pass_opcheck():
    y = torch.tensor([1.0, -1.0, 1.0])
    for lib_call in (lambda lib, a, b: lib.triplet_margin_loss(a, b, b.detach() + 1, swap=True),
                     lambda lib, a, b: lib.cosine_embedding_loss(a, b, y, margin=0.1),
                     lambda lib, a, b: lib.triplet_margin_with_distance_loss(a, b, -b.detach())):
        compiled = torch.compile(lambda a, b: lib_call(sl, a, b), fullgraph=True, backend="eager")
        x1, x2 = torch.randn(3, 5, requires_grad=True), torch.randn(3, 5, requires_grad=True)
        loss = compiled(x1, x2)
        loss.backward()
        want = lib_call(TF, x1, x2)
        torch.testing.assert_close(loss, want)
        for got, expected in zip((x1.grad, x2.grad), torch.autograd.grad(want, (x1, x2))):
            torch.testing.assert_close(got, expected)
    for reduction in REDUCTIONS:
        torch.library.opcheck(torch.ops.swiftloss.cosine_embedding_loss,
                              (torch.randn(3, 4), torch.randn(1, 4), torch.randn(3).sign(), 0.1, reduction, True))
        torch.library.opcheck(torch.ops.swiftloss.triplet_margin_loss,
                              (torch.randn(3, 4), torch.randn(1, 4), torch.randn(3, 1), 1.0, 2.0, 1e-6, True, reduction,
                               True))


def test_torch_autocast_and_p_zero():
    """Under CPU autocast the cosine and triplet losses run in float32 and return float32, as
    torch's; torch's triplet_margin_with_distance_loss (a Python composite) is not on autocast's
    list and keeps bfloat16, and so does the drop-in. With p = 0 the drop-in's gradients are
    zeros, where torch's autograd has none."""
    g = torch.Generator().manual_seed(2)
    x, y = (torch.randn(3, 4, generator=g).to(torch.bfloat16) for _ in range(2))
    t = torch.tensor([1.0, -1.0, 1.0])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        for ours, theirs in ((sl.cosine_embedding_loss(x, y, t), TF.cosine_embedding_loss(x, y, t)),
                             (sl.triplet_margin_loss(x, y, x + 1), TF.triplet_margin_loss(x, y, x + 1))):
            assert ours.dtype == theirs.dtype == torch.float32
            torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)
        ours, theirs = sl.triplet_margin_with_distance_loss(x, y, x + 1), TF.triplet_margin_with_distance_loss(x, y, x + 1)
        assert ours.dtype == theirs.dtype == torch.bfloat16
        torch.testing.assert_close(ours, theirs, rtol=2e-2, atol=2e-2)  # torch computes in bfloat16
    a = torch.randn(3, 4, requires_grad=True)
    sl.triplet_margin_loss(a, a * 2, a + 1, p=0).backward()
    assert a.grad is not None and not a.grad.any()
    b = a.detach().clone().requires_grad_()
    TF.triplet_margin_loss(b, b * 2, b + 1, p=0).backward()
    assert b.grad is None


def test_torch_drop_in_errors():
    x = torch.randn(3, 4, requires_grad=True)
    with pytest.raises(NotImplementedError, match="gradients with respect to target are not computed"):
        sl.cosine_embedding_loss(x, x, torch.ones(3, requires_grad=True))
    with pytest.raises(ValueError, match="^1D target tensor expects 2D input tensors"):
        sl.cosine_embedding_loss(x[0], x[0], torch.ones(3))
    with pytest.raises(ValueError, match="^margin must be greater than 0, got 0$"):
        sl.triplet_margin_loss(x, x, x, margin=0)
    with pytest.raises(ValueError, match="^foo is not a valid value for reduction$"):
        sl.triplet_margin_with_distance_loss(x, x, x, reduction="foo")
    with pytest.raises(ValueError, match="same number of dimensions"):
        sl.triplet_margin_loss(x, x[0], x)
    with pytest.raises(TypeError, match="argument 'swap' \\(position 7\\) must be bool, not int"):
        sl.triplet_margin_loss(x, x, x, swap=1)
    with pytest.raises(TypeError, match="argument 'positive' \\(position 2\\) must be Tensor"):
        sl.triplet_margin_loss(x, [1.0], x)
    with pytest.raises(ValueError, match="cannot compute the inf norm"):
        sl.triplet_margin_loss(torch.zeros(2, 0), torch.zeros(2, 0), torch.zeros(2, 0), p=INF)
    with pytest.raises(ValueError, match="TripletMarginLoss: expected margin to be greater than 0"):
        sl.TripletMarginLoss(margin=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert sl.cosine_embedding_loss(x, x, torch.ones(3), reduce=False).shape == (3,)
        assert sl.triplet_margin_loss(x, x, x, reduce=False).shape == (3,)


def test_documented_differences_from_torch():
    """Where PyTorch's float32 arithmetic overflows and swiftloss's double precision does not
    (README, "Where swiftloss differs"): cos of float32 rows whose squared norms multiply beyond
    3.4e38 (torch: cos 0, loss 1); a triplet distance whose float32 powers |d|^p overflow
    (torch: inf). Where the float32 squares themselves overflow (p = 2), both give inf."""
    x = np.array([[1e10, 0.0]], np.float32)
    assert F.cosine_embedding_loss(x, x, np.array([1.0], np.float32)) == 0
    assert TF.cosine_embedding_loss(torch.tensor(x), torch.tensor(x), torch.tensor([1.0])).item() == 1
    zero, far = np.zeros((1, 2), np.float32), np.array([[1e11, 5e10]], np.float32)
    ours = F.triplet_margin_loss(zero, far, zero, p=3.5, reduction="none")
    theirs = TF.triplet_margin_loss(torch.tensor(zero), torch.tensor(far), torch.tensor(zero), p=3.5, reduction="none")
    assert np.isfinite(ours[0]) and abs(ours[0] / 1.0244946e11 - 1) < 1e-6 and torch.isinf(theirs[0])
    huge = np.array([[1e20, 5e19]], np.float32)
    assert np.isinf(F.triplet_margin_loss(zero, huge, zero, reduction="none")[0])
