"""ctc_loss against torch.nn.functional.ctc_loss itself (PyTorch 2.15's CPU kernel): values and
PyTorch's gradient with respect to log_probs (not the plain derivative: it carries an extra
exp(log_probs)) for padded and concatenated targets, unbatched input with 1-D and (1, S)
targets, repeated labels, labels equal to blank, impossible alignments with and without
zero_infinity, target length 0, input length 0, blank other than 0, every reduction and
grad_output for 'none'; every error message against torch's; labels outside [0, C) (torch reads
out of bounds, swiftloss raises IndexError); out=; the module; results independent of the
thread count; and the swiftloss.torch drop-ins (gradients, the module, double backward raising
as torch's).

Tolerances: float64 1e-10 relative; float32 1e-5 relative for the losses, and for the gradients
1e-5 of the row's scale (exp(lp) - term cancels: both libraries round the two terms in float32,
in different orders)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import swiftloss
import swiftloss as F
import swiftloss.torch as sl
from doctests import run_examples

REDUCTIONS = ["none", "sum", "mean"]
DTYPES = [np.float32, np.float64]
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


def close(a, b, dtype, grad=False):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.array_equal(np.isinf(a), np.isinf(b)) and np.array_equal(a[np.isinf(a)], b[np.isinf(b)])
    finite = np.isfinite(a)
    if dtype == np.float64:
        np.testing.assert_allclose(a[finite], b[finite], rtol=1e-10, atol=1e-12)
    else:
        np.testing.assert_allclose(a[finite], b[finite], rtol=1e-5, atol=1e-5 if grad else 1e-6)


def random_case(rng, dtype, T=None, N=None, C=None, S=None, blank=None, avoid_blank=True, layout="padded"):
    T = T or int(rng.integers(1, 30))
    N = N or int(rng.integers(1, 6))
    C = C or int(rng.integers(2, 9))
    S = S if S is not None else int(rng.integers(0, 10))
    blank = int(rng.integers(0, C)) if blank is None else blank
    lp = torch.randn(T, N, C, dtype=torch.float64, generator=torch.Generator().manual_seed(int(rng.integers(1 << 30))))
    lp = lp.log_softmax(2).to(TORCH_DTYPE[dtype])
    tl = rng.integers(0, S + 1, N)
    il = rng.integers(0, T + 1, N)
    tg = rng.integers(0, C, (N, S))
    if avoid_blank:
        tg[tg == blank] = (blank + 1) % C
    if layout == "concatenated":
        tg = np.concatenate([tg[n, :tl[n]] for n in range(N)]).astype(np.int64)
    return lp, tg, il, tl, blank


def compare(lp, tg, il, tl, blank, reduction, zero_infinity, dtype, grad_output=True):
    x = lp.detach().clone().requires_grad_()
    ref = TF.ctc_loss(x, torch.as_tensor(tg), torch.as_tensor(il), torch.as_tensor(tl), blank=blank,
                      reduction=reduction, zero_infinity=zero_infinity)
    g = torch.randn(ref.shape, dtype=x.dtype) if grad_output else torch.ones(ref.shape, dtype=x.dtype)
    ref_grad, = torch.autograd.grad(ref, x, g)
    loss, grad = F.ctc_loss(lp.numpy(), tg, il, tl, blank=blank, reduction=reduction, zero_infinity=zero_infinity,
                            with_grad=True, grad_output=g.numpy() if grad_output else None)
    close(loss, ref.detach().numpy(), dtype)
    close(grad, ref_grad.numpy(), dtype, grad=True)
    assert np.asarray(loss).dtype == dtype and grad.dtype == dtype and grad.shape == lp.shape
    plain = F.ctc_loss(lp.numpy(), tg, il, tl, blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    assert np.array_equal(np.asarray(plain), np.asarray(loss), equal_nan=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("layout", ["padded", "concatenated"])
def test_random_against_torch(dtype, reduction, zero_infinity, layout):
    rng = np.random.default_rng([7, DTYPES.index(dtype), REDUCTIONS.index(reduction), zero_infinity, len(layout)])
    for _ in range(12):
        lp, tg, il, tl, blank = random_case(rng, dtype, layout=layout)
        compare(lp, tg, il, tl, blank, reduction, zero_infinity, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_labels_equal_to_blank_and_repeats(dtype, reduction):
    """A label equal to blank is computed as given (torch's rule, including its overwrite of
    the blank's term at the last step); repeated labels need a blank between them."""
    rng = np.random.default_rng(11)
    for _ in range(15):
        lp, tg, il, tl, blank = random_case(rng, dtype, C=3, S=6, avoid_blank=False)
        compare(lp, tg, il, tl, blank, reduction, False, dtype)
    lp = torch.randn(3, 1, 4, dtype=TORCH_DTYPE[dtype]).log_softmax(2)
    compare(lp, [[2, 2]], [3], [2], 0, reduction, False, dtype)   # needs T >= 3: finite
    compare(lp, [[2, 2]], [2], [2], 0, reduction, False, dtype)   # impossible: inf, NaN gradient
    compare(lp, [[2, 2]], [2], [2], 0, reduction, True, dtype)    # zeroed


@pytest.mark.parametrize("dtype", DTYPES)
def test_edge_lengths(dtype):
    lp = torch.randn(5, 4, 3, dtype=TORCH_DTYPE[dtype]).log_softmax(2)
    for reduction in REDUCTIONS:
        for zi in (False, True):
            # input length 0 (with an empty and a non-empty target), target length 0, full length
            compare(lp, [[1, 2], [1, 1], [2, 1], [0, 0]], [0, 0, 5, 3], [0, 2, 0, 2], 0, reduction, zi, dtype)
    loss = F.ctc_loss(lp.numpy(), [[1], [1], [1], [1]], [0, 0, 0, 0], [0, 0, 0, 0], reduction="none")
    assert np.all(loss == 0) and np.all(np.signbit(loss))  # -0.0, as torch


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_unbatched(dtype, reduction):
    lp = torch.randn(7, 5, dtype=TORCH_DTYPE[dtype]).log_softmax(1)
    for tg in ([1, 3, 3], [[1, 3, 3]]):
        compare(lp, tg, [7], [3], 0, reduction, False, dtype)
    for tg in ([1, 3], [[1, 3, 3]]):
        compare(lp, tg, (6,), (2,), 4, reduction, False, dtype)
    loss = F.ctc_loss(lp.numpy(), [1, 3], [7], [2], reduction="none")
    assert np.shape(loss) == ()


@pytest.mark.parametrize("dtype", DTYPES)
def test_blank_other_than_zero_and_lengths_as_anything(dtype):
    rng = np.random.default_rng(5)
    lp, tg, il, tl, _ = random_case(rng, dtype, T=20, N=3, C=6, S=5, blank=5)
    compare(lp, tg, il, tl, 5, "mean", False, dtype)
    expected = F.ctc_loss(lp.numpy(), tg, il, tl, blank=5)
    for a, b in ((list(map(int, il)), tuple(map(int, tl))), (il.astype(np.int32).reshape(3, 1), tl.astype(np.uint8)),
                 (torch.tensor(il), torch.tensor(tl, dtype=torch.int16))):
        assert F.ctc_loss(lp.numpy(), tg, a, b, blank=5) == expected
    # float targets are truncated, as torch's .to(long)
    assert F.ctc_loss(lp.numpy(), tg + 0.7, il, tl, blank=5) == expected


def test_unnormalised_and_special_inputs():
    lp = torch.randn(6, 2, 4, dtype=torch.float64) + 1.0
    compare(lp, [[1, 2], [3, 1]], [6, 6], [2, 2], 0, "none", False, np.float64)
    lp[2, 0, 1] = -float("inf")
    lp[3, 1, 2] = float("nan")
    compare(lp, [[1, 2], [3, 1]], [6, 6], [2, 2], 0, "none", False, np.float64)


def test_labels_out_of_range_raise_index_error():
    lp = np.log(np.full((4, 2, 3), 1 / 3))
    with pytest.raises(IndexError, match="outside"):
        F.ctc_loss(lp, [[1, 3], [1, 1]], [4, 4], [2, 2])
    with pytest.raises(IndexError):
        F.ctc_loss(lp, [[1, -1], [1, 1]], [4, 4], [2, 2])
    # entries past a sample's length are not read, so they may be anything
    F.ctc_loss(lp, [[1, 99], [1, -5]], [4, 4], [1, 1])


def torch_error(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - whatever torch raises is the expectation
        return e
    raise AssertionError("torch accepted the call")


SWIFTLOSS_TYPE = {RuntimeError: ValueError, NotImplementedError: TypeError, TypeError: TypeError,
                  IndexError: IndexError, ValueError: ValueError}

lp3 = torch.randn(5, 2, 4).log_softmax(2)
tg2 = torch.tensor([[1, 2], [1, 1]])
ERROR_CASES = [
    (lp3, tg2, 5, [2, 2], {}),
    (lp3, tg2, [5.0, 5.0], [2, 2], {}),
    (lp3, tg2, torch.tensor([5., 5.]), torch.tensor([2, 2]), {}),
    (lp3, tg2, torch.tensor([5, 5]), torch.tensor([2., 2.]), {}),
    (torch.zeros(0, 2, 4), tg2, [0, 0], [2, 2], {}),
    (torch.zeros(5, 0, 4), tg2, [], [], {}),
    (torch.zeros(5, 2, 0), tg2, [5, 5], [2, 2], {}),
    (torch.zeros(5), tg2, [5], [2], {}),
    (torch.zeros(()), tg2, [5], [2], {}),
    (torch.zeros(3, 2, 4, 1), tg2, [3, 3], [2, 2], {}),
    (lp3, torch.zeros(2, 2, 2, dtype=torch.long), [5, 5], [2, 2], {}),
    (lp3, torch.zeros((), dtype=torch.long), [5, 5], [1, 1], {}),
    (lp3, tg2, [5, 5], [2, 2], dict(blank=4)),
    (lp3, tg2, [5, 5], [2, 2], dict(blank=-1)),
    (lp3.half(), tg2, [5, 5], [2, 2], {}),
    (lp3.bfloat16(), tg2, [5, 5], [2, 2], {}),
    (lp3, tg2, [5, 5], [2, 2], dict(reduction="foo")),
    (lp3, tg2, [5, 5, 5], [2, 2], {}),
    (lp3, tg2, [5, 5], [2, 2, 2], {}),
    (lp3, tg2, [5, 6], [2, 2], {}),
    (lp3, tg2, [5, -1], [2, 2], {}),
    (lp3, tg2, [5, 5], [2, -1], {}),
    (lp3, tg2, [5, 5], [2, 3], {}),
    (lp3, torch.zeros(3, 2, dtype=torch.long), [5, 5], [2, 2], {}),
    (lp3, torch.zeros(5, dtype=torch.long), [5, 5], [2, 4], {}),
    (lp3[:, 0], torch.zeros(2, 6, dtype=torch.long), [5], [2], {}),
    (lp3[:, 0], torch.zeros(6, dtype=torch.long), [5], [2], {}),
    (lp3[:, 0], tg2[0], [5, 5], [2, 2], {}),
]


@pytest.mark.parametrize("case", range(len(ERROR_CASES)))
def test_errors_match_torch(case):
    lp, tg, il, tl, kw = ERROR_CASES[case]
    expected = torch_error(lambda: TF.ctc_loss(lp, tg, il, tl, **kw))
    kind = SWIFTLOSS_TYPE[type(expected)]
    if "must be integral" in str(expected):
        kind = TypeError  # a dtype error: TypeError in swiftloss (torch: RuntimeError)
    as_numpy = (lambda v: v.numpy() if isinstance(v, torch.Tensor) and v.dtype != torch.bfloat16 else v)
    x = lp.float().numpy().astype(np.float16) if lp.dtype in (torch.float16, torch.bfloat16) else lp.numpy()
    with pytest.raises(kind) as raised:
        F.ctc_loss(x, as_numpy(tg), as_numpy(il), as_numpy(tl), **kw)
    text, ours = str(expected), str(raised.value)
    if isinstance(expected, TypeError) and "invalid combination" in text:
        assert ours.startswith(text.split(", but expected")[0].split(" - got")[0])
    elif lp.dtype == torch.bfloat16:
        assert "ctc_loss_cpu" in ours
    else:
        assert ours == text
    with pytest.raises(Exception) as bridged:  # the torch drop-in raises the same text
        sl.ctc_loss(lp, tg, il, tl, **kw)
    if not (isinstance(expected, TypeError) and "invalid combination" in text):
        assert str(bridged.value) == text


@pytest.mark.parametrize("dtype", DTYPES)
def test_out_buffers_and_module(dtype):
    rng = np.random.default_rng(3)
    lp, tg, il, tl, blank = random_case(rng, dtype, T=12, N=3, C=5, S=4)
    x = lp.numpy()
    loss, grad = F.ctc_loss(x, tg, il, tl, blank=blank, reduction="none", with_grad=True)
    out, gout = np.empty(3, dtype), np.empty(x.shape, dtype)
    r = F.ctc_loss(x, tg, il, tl, blank=blank, reduction="none", with_grad=True, out=(out, gout))
    assert r[0] is out and r[1] is gout
    assert np.array_equal(out, loss, equal_nan=True) and np.array_equal(gout, grad, equal_nan=True)
    with pytest.raises(ValueError):
        F.ctc_loss(x, tg, il, tl, blank=blank, reduction="none", with_grad=True, out=(out, x))
    module = F.CTCLoss(blank=blank, reduction="sum", zero_infinity=True)
    assert module(x, tg, il, tl) == F.ctc_loss(x, tg, il, tl, blank=blank, reduction="sum", zero_infinity=True)
    l2, g2 = module(x, tg, il, tl, with_grad=True, grad_output=np.asarray(2.0, dtype))
    _, g1 = F.ctc_loss(x, tg, il, tl, blank=blank, reduction="sum", zero_infinity=True, with_grad=True)
    np.testing.assert_array_equal(g2, g1 * 2)
    with pytest.raises(ValueError, match="grad_output"):
        F.ctc_loss(x, tg, il, tl, blank=blank, reduction="none", with_grad=True, grad_output=np.ones(2, dtype))


def test_results_do_not_depend_on_the_thread_count():
    rng = np.random.default_rng(9)
    lp, tg, il, tl, blank = random_case(rng, np.float32, T=120, N=24, C=20, S=30)
    x = lp.numpy()
    before = swiftloss.get_num_threads()
    try:
        results = []
        for threads in (1, 2, 3):
            swiftloss.set_num_threads(threads)
            results.append([F.ctc_loss(x, tg, il, tl, blank=blank, reduction=r, with_grad=True) for r in REDUCTIONS])
    finally:
        swiftloss.set_num_threads(before)
    for other in results[1:]:
        for (a, ga), (b, gb) in zip(results[0], other):
            assert np.array_equal(a, b, equal_nan=True) and np.array_equal(ga, gb, equal_nan=True)


def test_gradient_is_pytorchs_not_the_plain_derivative():
    """Summed over the classes, PyTorch's gradient is sum(exp(lp)) - 1 per time step inside
    the input length (for 'sum' and a possible alignment); with log_softmax in front, the
    logits' gradient equals torch's."""
    lp = torch.randn(6, 1, 4, dtype=torch.float64).log_softmax(2) + 1.0
    _, grad = F.ctc_loss(lp.numpy(), [[1, 2]], [6], [2], reduction="sum", with_grad=True)
    np.testing.assert_allclose(grad.sum(2)[:, 0], np.exp(lp.numpy()).sum(2)[:, 0] - 1, rtol=1e-10)
    logits = torch.randn(6, 2, 4, dtype=torch.float64, requires_grad=True)
    tg, il, tl = torch.tensor([[1, 2], [3, 3]]), torch.tensor([6, 5]), torch.tensor([2, 2])
    a, = torch.autograd.grad(sl.ctc_loss(logits.log_softmax(2), tg, il, tl), logits)
    b, = torch.autograd.grad(TF.ctc_loss(logits.log_softmax(2), tg, il, tl), logits)
    torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_torch_bridge(dtype, reduction):
    rng = np.random.default_rng([13, DTYPES.index(dtype), REDUCTIONS.index(reduction)])
    for zi in (False, True):
        lp, tg, il, tl, blank = random_case(rng, dtype, T=15, N=4, C=6, S=5)
        x1, x2 = lp.clone().requires_grad_(), lp.clone().requires_grad_()
        args = (torch.tensor(tg), torch.tensor(il), torch.tensor(tl))
        ours = sl.CTCLoss(blank=blank, reduction=reduction, zero_infinity=zi)(x1, *args)
        ref = torch.nn.CTCLoss(blank=blank, reduction=reduction, zero_infinity=zi)(x2, *args)
        g = torch.randn(ref.shape, dtype=ref.dtype)
        a, = torch.autograd.grad(ours, x1, g)
        b, = torch.autograd.grad(ref, x2, g)
        close(ours.detach().numpy(), ref.detach().numpy(), dtype)
        close(a.numpy(), b.numpy(), dtype, grad=True)
        assert ours.dtype == ref.dtype and ours.shape == ref.shape
        # lists, tuples and the unbatched layout go through too
        one = torch.tensor(tg[0][:tl[0]])
        l1 = sl.ctc_loss(lp[:, 0], one, [int(il[0])], (int(tl[0]),), blank, reduction, zi)
        l2 = TF.ctc_loss(lp[:, 0], one, [int(il[0])], (int(tl[0]),), blank, reduction, zi)
        close(l1.numpy(), l2.numpy(), dtype)


def test_torch_bridge_has_no_second_derivative_as_torch():
    x = torch.randn(5, 2, 4, dtype=torch.float64).log_softmax(2).requires_grad_()
    args = (torch.tensor([[1, 2], [3, 3]]), [5, 5], [2, 2])
    for f in (sl.ctc_loss, TF.ctc_loss):
        g, = torch.autograd.grad(f(x, *args), x, create_graph=True)
        with pytest.raises(RuntimeError, match="derivative for aten::_ctc_loss_backward is not implemented"):
            g.sum().backward()


@pytest.mark.parametrize("function", [F.ctc_loss, sl.ctc_loss], ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_docstring_examples_run(function):
    runner = run_examples(function)
    assert runner.tries >= 2 and runner.failures == 0


def test_docstring_gives_formula_shapes_gradient_and_divergences():
    doc = F.ctc_loss.__doc__
    for needle in (":math:", "Shapes", "with_grad", "grad_output", "``out``", "Raises", "not the derivative",
                   "IndexError", "exp"):
        assert needle in doc, needle


def test_empty_padded_targets_and_nan_kept_by_zero_infinity():
    lp = torch.randn(5, 2, 4, dtype=torch.float64).log_softmax(2)
    for il in ([5, 5], [5, 3]):
        compare(lp, np.zeros((2, 0), np.int64), il, [0, 0], 0, "none", False, np.float64)
    lp[0, 0, 0] = float("nan")  # NaN is not an infinity: zero_infinity keeps it
    compare(lp, [[1, 2], [1, 1]], [5, 5], [2, 2], 0, "none", True, np.float64)


def test_torch_bridge_under_compile_vmap_and_func_grad():
    tg, il, tl = torch.tensor([[1, 2], [1, 1]]), torch.tensor([5, 5]), torch.tensor([2, 2])
    lp = torch.randn(5, 2, 4, dtype=torch.float64).log_softmax(2)
    compiled = torch.compile(lambda x: sl.ctc_loss(x, tg, il, tl), fullgraph=True, backend="eager")
    x = lp.clone().requires_grad_()
    loss = compiled(x)
    loss.backward()
    ref_x = lp.clone().requires_grad_()
    ref = TF.ctc_loss(ref_x, tg, il, tl)
    ref.backward()
    torch.testing.assert_close(loss, ref, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(x.grad, ref_x.grad, rtol=1e-10, atol=1e-12)
    xs = torch.randn(3, 5, 2, 4, dtype=torch.float64).log_softmax(-1)
    mapped = torch.vmap(lambda z: sl.ctc_loss(z, tg, il, tl))(xs)
    torch.testing.assert_close(mapped, torch.stack([TF.ctc_loss(z, tg, il, tl) for z in xs]), rtol=1e-10, atol=1e-12)
    ours = torch.func.grad(lambda z: sl.ctc_loss(z, tg, il, tl))(lp)
    theirs = torch.func.grad(lambda z: TF.ctc_loss(z, tg, il, tl))(lp)
    torch.testing.assert_close(ours, theirs, rtol=1e-10, atol=1e-12)


def test_long_samples_recompute_alpha_from_checkpoints():
    """Above 2^22 alpha elements per sample the backward keeps every k-th alpha row only
    (k about sqrt(T)) and recomputes the rest segment by segment: torch's float64 numbers,
    with a sample on each path and input lengths that are not multiples of k."""
    rng = np.random.default_rng(21)
    T, C = 3003, 12
    lp = torch.randn(T, 3, C, dtype=torch.float64, generator=torch.Generator().manual_seed(4)).log_softmax(2)
    tg = rng.integers(1, C, (3, 700))
    compare(lp, tg, [3003, 2950, 1000], [700, 690, 50], 0, "none", False, np.float64)
