"""linear_cross_entropy against PyTorch 2.15: torch.nn.functional.linear_cross_entropy for its own
keywords, and the composite cross_entropy(softcap(linear(...))) + z_loss * mean(lse^2) for
swiftloss's z_loss / softcap (values and gradients through torch's autograd). float32 to 1e-4
relative (the sums run in another order), float64 to 1e-9; gradients relative to their largest
element."""
import itertools
import os
import zlib

import numpy as np
import pytest

import swiftloss
import swiftloss.functional as F

torch = pytest.importorskip("torch") if not os.environ.get("SWIFTLOSS_REQUIRE_TORCH") else __import__("torch")
TF = torch.nn.functional

TOL = {np.float32: 1e-4, np.float64: 1e-9}


def composite(x, w, t, b=None, weight=None, reduction="mean", ignore_index=None, label_smoothing=0.0,
              z_loss=0.0, softcap=None):
    """torch's reference: cross_entropy of the (capped) logits plus the z term (the issue's definition)."""
    logits = TF.linear(x, w, b)
    if softcap is not None:
        logits = softcap * torch.tanh(logits / softcap)
    probs = t.is_floating_point()
    ii = -100 if ignore_index is None else ignore_index
    kwargs = dict(weight=weight, reduction=reduction, label_smoothing=label_smoothing)
    if not probs:
        kwargs["ignore_index"] = ii
    ce = TF.cross_entropy(logits, t, **kwargs)
    lse = torch.logsumexp(logits, dim=-1)
    counted = torch.ones_like(lse, dtype=torch.bool) if probs else (t != ii)
    zt = torch.where(counted, z_loss * lse ** 2, torch.zeros_like(lse))
    if reduction == "none":
        z = zt
    elif reduction == "sum":
        z = zt.sum()
    else:
        z = zt.sum() / counted.sum()
    return ce + z, z


def close(actual, expected, tol):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected.detach() if hasattr(expected, "detach") else expected, dtype=np.float64)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    if expected.size == 0:
        return
    nan = np.isnan(expected)
    assert np.array_equal(np.isnan(actual), nan)
    scale = max(np.max(np.abs(expected[~nan]), initial=0.0), 1e-30)
    err = np.max(np.abs(actual[~nan] - expected[~nan]), initial=0.0)
    assert err <= tol * scale, (err, scale)


def make(n, h, c, dtype, seed=0, probs=False, ignore=None, bias=False, weight=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, h)).astype(dtype)
    w = (rng.standard_normal((c, h)) / np.sqrt(max(h, 1)) * 3).astype(dtype)
    b = rng.standard_normal(c).astype(dtype) if bias else None
    cw = rng.uniform(0.2, 2.0, c).astype(dtype) if weight else None
    if probs:
        t = rng.uniform(0, 1, (n, c)).astype(dtype)
        t /= t.sum(1, keepdims=True)
    else:
        t = rng.integers(0, c, n).astype(np.int64)
        if ignore is not None and n:
            t[::3] = ignore
    return x, w, b, cw, t


def torch_of(a, grad=False):
    if a is None:
        return None
    v = torch.tensor(a)
    return v.requires_grad_(grad) if grad else v


def check(n, h, c, dtype, *, reduction="mean", probs=False, ignore_index=None, bias=False, weight=False,
          label_smoothing=0.0, z_loss=0.0, softcap=None, grad_output=None, seed=0, against_torch_lce=False):
    x, w, b, cw, t = make(n, h, c, dtype, seed, probs, ignore_index, bias, weight)
    tol = TOL[dtype]
    xt, wt, bt = torch_of(x, True), torch_of(w, True), torch_of(b, True)
    tt, cwt = torch_of(t), torch_of(cw)
    ref, zref = composite(xt, wt, tt, bt, cwt, reduction, ignore_index, label_smoothing, z_loss, softcap)
    if against_torch_lce:
        assert z_loss == 0 and softcap is None
        ref = TF.linear_cross_entropy(xt, wt, tt, linear_bias=bt, weight=cwt, reduction=reduction,
                                      ignore_index=ignore_index, label_smoothing=label_smoothing)
    g = grad_output
    if g is None:
        g = np.ones(ref.shape, dtype=dtype)
    ref.backward(torch.tensor(g, dtype=ref.dtype))
    loss, z, grads = F.linear_cross_entropy(x, w, t, linear_bias=b, weight=cw, reduction=reduction,
                                            ignore_index=ignore_index, label_smoothing=label_smoothing,
                                            z_loss=z_loss, softcap=softcap, return_z_loss=True, with_grad=True,
                                            grad_output=grad_output)
    close(loss, ref, tol)
    close(z, zref, tol)
    assert len(grads) == (3 if bias else 2)
    close(grads[0], xt.grad, tol)
    close(grads[1], wt.grad, tol)
    if bias:
        close(grads[2], bt.grad, tol)
    # The forward alone gives the same loss (bit for bit: the same blocks).
    alone = F.linear_cross_entropy(x, w, t, linear_bias=b, weight=cw, reduction=reduction, ignore_index=ignore_index,
                                   label_smoothing=label_smoothing, z_loss=z_loss, softcap=softcap)
    np.testing.assert_array_equal(np.asarray(alone), np.asarray(loss))


DTYPES = [np.float32, np.float64]
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("weight,label_smoothing,ignore_index",
                         [(False, 0.0, None), (True, 0.0, None), (False, 0.2, None), (True, 0.3, 2),
                          (False, 0.0, 1), (True, 0.0, -100)])
def test_against_torch_linear_cross_entropy(dtype, reduction, bias, weight, label_smoothing, ignore_index):
    check(23, 13, 37, dtype, reduction=reduction, bias=bias, weight=weight, label_smoothing=label_smoothing,
          ignore_index=ignore_index, against_torch_lce=True, seed=zlib.crc32(repr((reduction, bias, weight)).encode()) % 1000)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight,label_smoothing", [(False, 0.0), (True, 0.25)])
def test_probability_targets(dtype, reduction, weight, label_smoothing):
    check(19, 7, 29, dtype, reduction=reduction, probs=True, weight=weight, label_smoothing=label_smoothing,
          bias=True, against_torch_lce=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("z_loss,softcap", [(1e-3, None), (0.0, 5.0), (0.05, 3.0), (0.5, 30.0)])
@pytest.mark.parametrize("probs", [False, True])
def test_z_loss_and_softcap(dtype, reduction, z_loss, softcap, probs):
    check(21, 9, 33, dtype, reduction=reduction, z_loss=z_loss, softcap=softcap, probs=probs, bias=True,
          weight=True, label_smoothing=0.1, ignore_index=None if probs else 4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_grad_output(dtype, reduction):
    rng = np.random.default_rng(5)
    g = rng.standard_normal(17 if reduction == "none" else ()).astype(dtype)
    check(17, 6, 11, dtype, reduction=reduction, grad_output=g, z_loss=0.01, softcap=4.0, ignore_index=3, bias=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("zsoft", [(0.0, None), (0.02, 8.0)])
def test_several_blocks(dtype, zsoft):
    # 70000 classes: blocks of 56 float32 rows (28 float64), so 130 rows take several blocks.
    check(130, 5, 70000, dtype, reduction="mean", ignore_index=0, bias=True, weight=True, label_smoothing=0.1,
          z_loss=zsoft[0], softcap=zsoft[1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_all_ignored_and_empty(dtype):
    x, w, b, cw, t = make(6, 4, 5, dtype)
    t[:] = -100
    xt, wt = torch_of(x, True), torch_of(w, True)
    for reduction in REDUCTIONS:
        ref, zref = composite(xt, wt, torch_of(t), reduction=reduction, z_loss=0.1)
        loss, z = F.linear_cross_entropy(x, w, t, reduction=reduction, z_loss=0.1, return_z_loss=True)
        close(loss, ref, TOL[dtype])
        close(z, zref, TOL[dtype])
    loss, (gx, gw) = F.linear_cross_entropy(x, w, t, with_grad=True)
    assert np.isnan(loss) and not gx.any() and not gw.any()
    e = np.zeros((0, 4), dtype=dtype)
    assert np.isnan(F.linear_cross_entropy(e, w, np.zeros(0, np.int64)))
    assert F.linear_cross_entropy(e, w, np.zeros(0, np.int64), reduction="sum") == 0
    _, (gx, gw) = F.linear_cross_entropy(e, w, np.zeros(0, np.int64), reduction="sum", with_grad=True)
    assert gx.shape == (0, 4) and gw.shape == w.shape and not gw.any()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_one_dimensional_input(dtype, reduction):
    x, w, b, cw, t = make(1, 6, 9, dtype, bias=True)
    for target in (np.int64(t[0]), np.array(t[0])):
        ref = TF.linear_cross_entropy(torch_of(x[0]), torch_of(w), torch.tensor(int(t[0])), linear_bias=torch_of(b),
                                      reduction=reduction)
        loss = F.linear_cross_entropy(x[0], w, target, linear_bias=b, reduction=reduction)
        close(loss, ref, TOL[dtype])
        assert np.shape(loss) == ()
    q = np.full(9, 1 / 9, dtype=dtype)
    ref = TF.linear_cross_entropy(torch_of(x[0]), torch_of(w), torch_of(q), reduction=reduction)
    close(F.linear_cross_entropy(x[0], w, q, reduction=reduction), ref, TOL[dtype])
    _, (gx, gw) = F.linear_cross_entropy(x[0], w, t[0], with_grad=True, reduction=reduction,
                                         grad_output=None)
    assert gx.shape == (6,) and gw.shape == (9, 6)


def test_zero_hidden():
    w = np.zeros((4, 0), np.float32)
    b = np.array([0.0, 1.0, 2.0, 3.0], np.float32)
    loss, (gx, gw, gb) = F.linear_cross_entropy(np.zeros((3, 0), np.float32), w, [0, 1, 3], linear_bias=b,
                                                with_grad=True)
    ref = TF.cross_entropy(torch.tensor(b).expand(3, 4).requires_grad_(), torch.tensor([0, 1, 3]))
    close(loss, ref, 1e-6)
    assert gx.shape == (3, 0) and gw.shape == (4, 0) and gb.shape == (4,)


def test_thread_count_independence():
    x, w, b, cw, t = make(90, 40, 300, np.float32, seed=3, bias=True, ignore=2)
    before = swiftloss.get_num_threads()
    results = []
    try:
        for n in (1, 2, 3):
            swiftloss.set_num_threads(n)
            loss, z, grads = F.linear_cross_entropy(x, w, t, linear_bias=b, z_loss=0.01, softcap=10.0,
                                                    ignore_index=2, return_z_loss=True, with_grad=True)
            results.append([np.asarray(loss), np.asarray(z)] + list(grads))
    finally:
        swiftloss.set_num_threads(before)
    for other in results[1:]:
        for a, b2 in zip(results[0], other):
            np.testing.assert_array_equal(a, b2)


ERRORS = [
    (lambda: (np.zeros((2, 3, 8)), np.zeros((10, 8)), np.zeros((2, 3), np.int64)), {}, ValueError,
     "expected input with dimensionality 1 or 2, got 3"),
    (lambda: (np.zeros((4, 7)), np.zeros((10, 8)), np.zeros(4, np.int64)), {}, ValueError,
     "expected equal input and linear_weight last dimensions (in_features), got 7 and 8, respectively"),
    (lambda: (np.zeros((4, 8)), np.zeros((10, 8)), np.zeros(4, np.int64)), {"linear_bias": np.zeros(9)}, ValueError,
     "expected linear_bias shape (10,), got (9,)"),
    (lambda: (np.zeros((4, 8)), np.zeros((10, 8)), np.array([0, 1, 2, 10])), {}, IndexError,
     "Target 10 is out of bounds."),
    (lambda: (np.zeros((4, 8)), np.zeros((10, 8)), np.full((4, 10), 0.1)), {"ignore_index": 3}, ValueError,
     "ignore_index cannot be specified when target contains probabilities"),
    (lambda: (np.zeros((4, 8)), np.zeros((10, 8)), np.zeros(3, np.int64)), {}, ValueError,
     "Expected input batch_size (4) to match target batch_size (3)."),
    (lambda: (np.zeros((4, 8)), np.zeros((10, 8)), np.zeros(4, np.int64)), {"reduction": "foo"}, ValueError,
     "foo is not a valid value for reduction"),
    (lambda: (np.zeros((4, 8)), np.zeros((10, 8)), np.zeros(4, np.int64)), {"weight": np.ones(9)}, ValueError,
     "weight tensor should be defined either for all 10 classes or no classes but got weight tensor of shape: [9]"),
    (lambda: (np.zeros((4, 8)), np.zeros(8), np.zeros(4, np.int64)), {}, ValueError,
     "expected linear_weight with dimensionality at least 2, got 1"),
    (lambda: (np.zeros((4, 8)), np.zeros((10, 8)), np.zeros(4, np.int64)), {"label_smoothing": 1.5}, ValueError,
     "label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case):
    args, kwargs, kind, text = ERRORS[case]
    a = args()
    with pytest.raises(kind) as info:
        F.linear_cross_entropy(*a, **kwargs)
    assert str(info.value) == text
    targs = [torch.tensor(v, dtype=torch.long if v.dtype.kind == "i" else torch.float64) for v in a]
    tkw = {k: (torch.tensor(v, dtype=torch.float64) if isinstance(v, np.ndarray) else v) for k, v in kwargs.items()}
    with pytest.raises(Exception) as tinfo:
        TF.linear_cross_entropy(*targs, **tkw)
    assert str(tinfo.value) == text


@pytest.mark.parametrize("z_loss,softcap,text", [
    (-1.0, None, "z_loss must be a non-negative finite number, got -1.0"),
    (float("nan"), None, "z_loss must be a non-negative finite number, got nan"),
    (0.0, 0.0, "softcap must be a positive finite number or None, got 0.0"),
    (0.0, float("inf"), "softcap must be a positive finite number or None, got inf"),
    (0.0, -2, "softcap must be a positive finite number or None, got -2"),
])
def test_z_loss_softcap_errors(z_loss, softcap, text):
    with pytest.raises(ValueError) as info:
        F.linear_cross_entropy(np.zeros((2, 3)), np.zeros((4, 3)), [0, 1], z_loss=z_loss, softcap=softcap)
    assert str(info.value) == text


def test_k_dimensional_weight_refused():
    with pytest.raises(ValueError, match="K-dimensional"):
        F.linear_cross_entropy(np.zeros((2, 3)), np.zeros((4, 2, 3)), np.zeros((2, 2), np.int64))


def test_options_ignored():
    x, w, b, cw, t = make(5, 4, 6, np.float64)
    assert F.linear_cross_entropy(x, w, t, options=object()) == F.linear_cross_entropy(x, w, t)


def test_module():
    m = swiftloss.LinearCrossEntropyLoss(6, 9, bias=True, dtype=np.float64, label_smoothing=0.1, z_loss=0.01,
                                         softcap=5.0, return_z_loss=True)
    assert m.linear_weight.shape == (9, 6) and m.linear_bias.shape == (9,)
    x, _, _, _, t = make(7, 6, 9, np.float64)
    loss, z = m(x, t)
    ref, zref = composite(torch_of(x), torch_of(m.linear_weight), torch_of(t), torch_of(m.linear_bias),
                          label_smoothing=0.1, z_loss=0.01, softcap=5.0)
    close(loss, ref, 1e-9)
    close(z, zref, 1e-9)
    loss2, z2, grads = m(x, t, with_grad=True)
    assert loss2 == loss and len(grads) == 3
    with pytest.raises(ValueError):
        swiftloss.LinearCrossEntropyLoss(6, 9, out_features=(2,))


# ------------------------------------------------------------------------------------------
# The torch bridge
# ------------------------------------------------------------------------------------------

sl = pytest.importorskip("swiftloss.torch")


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("zsoft", [(0.0, None), (0.03, 6.0)])
def test_bridge_autograd(dtype, reduction, bias, zsoft):
    z_loss, softcap = zsoft
    npd = np.float32 if dtype == torch.float32 else np.float64
    x, w, b, cw, t = make(15, 8, 21, npd, bias=bias, weight=True, ignore=3)
    tol = TOL[npd]
    args = [torch_of(x, True), torch_of(w, True), torch_of(b, True)]
    ref_args = [torch_of(x, True), torch_of(w, True), torch_of(b, True)]
    loss, z = sl.linear_cross_entropy(args[0], args[1], torch_of(t), linear_bias=args[2], weight=torch_of(cw),
                                      reduction=reduction, ignore_index=3, label_smoothing=0.1, z_loss=z_loss,
                                      softcap=softcap, return_z_loss=True)
    ref, zref = composite(ref_args[0], ref_args[1], torch_of(t), ref_args[2], torch_of(cw), reduction, 3, 0.1,
                          z_loss, softcap)
    assert loss.dtype == dtype and loss.shape == ref.shape
    close(loss.detach(), ref, tol)
    close(z, zref, tol)
    assert not z.requires_grad
    g = torch.randn(ref.shape, dtype=dtype, generator=torch.Generator().manual_seed(1))
    (loss * g).sum().backward()
    (ref * g).sum().backward()
    for a, r in zip(args, ref_args):
        if a is not None:
            close(a.grad, r.grad, tol)


def test_bridge_module_trains_like_torch():
    torch.manual_seed(0)
    ours = sl.LinearCrossEntropyLoss(8, 12, bias=True, dtype=torch.float64, label_smoothing=0.1)
    theirs = torch.nn.LinearCrossEntropyLoss(8, 12, bias=True, dtype=torch.float64, label_smoothing=0.1)
    theirs.load_state_dict(ours.state_dict(), strict=False)
    with torch.no_grad():
        theirs.linear.weight.copy_(ours.linear.weight)
        theirs.linear.bias.copy_(ours.linear.bias)
    x = torch.randn(10, 8, dtype=torch.float64)
    t = torch.randint(0, 12, (10,))
    a, b = ours(x, t), theirs(x, t)
    close(a.detach(), b, 1e-9)
    a.backward()
    b.backward()
    close(ours.linear.weight.grad, theirs.linear.weight.grad, 1e-9)
    close(ours.linear.bias.grad, theirs.linear.bias.grad, 1e-9)


def test_bridge_no_second_derivative_and_target_grad():
    x = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    w = torch.randn(5, 3, dtype=torch.float64, requires_grad=True)
    loss = sl.linear_cross_entropy(x, w, torch.tensor([0, 1, 2, 3]))
    with pytest.raises(RuntimeError, match="no second derivative"):
        torch.autograd.grad(loss, x, create_graph=True)
    q = torch.full((4, 5), 0.2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(NotImplementedError):
        sl.linear_cross_entropy(x, w, q)
