"""multi_margin_loss and multilabel_margin_loss: against a float64 numpy reference of PyTorch's
kernels and against torch.nn.functional itself (values and input gradients; p 1 and 2, margins
negative too, class weights, every reduction, grad_output for 'none'; (N, C), (C,) and 0-d
inputs with their target shapes; label lists with duplicates, -1 terminators, entries after
them, rows whose every class is a target; NaN and inf inputs; the empty batch, where swiftloss
gives a NaN 'mean' and a 0 'sum' and PyTorch uninitialised memory), every error message against
torch's, the legacy arguments, the modules, out=, the docstrings' examples, and the
swiftloss.torch drop-ins to the second order (torch's own kernels have no second derivative:
the bridge's comes from torch composites of the losses, checked here against torch's values
and gradients, against finite differences of torch's gradient, and through torch.func).

Tolerances: float64 1e-12 relative against the reference and 1e-10 against torch; float32 to
float32 round-off (2e-6 of the largest magnitude) against the float64 reference, 1e-5 against
torch's float32 kernels, which accumulate each row's terms (and the target's gradient) in
float32: at 1000 classes they are 9e-6 relative off the float64 truth, swiftloss 1e-7
(test_float32_is_closer_to_the_truth_than_torchs_float32)."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import swiftloss
import swiftloss as F
import swiftloss.torch as sl
from doctests import run_examples
import composites
from gradcheck import finite_difference

REDUCTIONS = ["none", "sum", "mean"]
DTYPES = [np.float32, np.float64]
TOL = {np.float32: (2e-6, 2e-6), np.float64: (1e-12, 1e-13)}
TORCH_TOL = {np.float32: (1e-5, 1e-6), np.float64: (1e-10, 1e-12)}


# ------------------------------------------------------------------------------------------
# float64 references of PyTorch's kernels: the row losses and d(sum of the rows)/d(input)
# ------------------------------------------------------------------------------------------

def multi_margin_rows(x, t, p=1, margin=1.0, w=None):
    x = np.asarray(x, np.float64)
    classes = x.shape[-1] if x.ndim else 1
    rows, y = x.reshape(-1, classes), np.asarray(t, np.int64).reshape(-1)
    n = np.arange(rows.shape[0])
    with np.errstate(invalid="ignore", over="ignore"):
        z = margin - rows[n, y][:, None] + rows
        active = z > 0
    active[n, y] = False
    wy = np.ones((rows.shape[0], 1)) if w is None else np.asarray(w, np.float64)[y][:, None]
    with np.errstate(invalid="ignore", over="ignore"):
        terms = np.where(active, (z if p == 1 else z * z) * wy, 0.0)
        slopes = np.where(active, (1.0 if p == 1 else 2 * z) * wy, 0.0) / classes
    grad = slopes.copy()
    grad[n, y] = -slopes.sum(1)
    return terms.sum(1) / classes, grad.reshape(x.shape)


def multilabel_rows(x, t):
    x = np.asarray(x, np.float64)
    classes = x.shape[-1] if x.ndim else 1
    rows, lists = x.reshape(-1, classes), np.asarray(t, np.int64).reshape(-1, classes)
    losses, grad = np.zeros(rows.shape[0]), np.zeros(rows.shape)
    for n, (row, entries) in enumerate(zip(rows, lists)):
        listed = []
        for e in entries:
            if e < 0:
                break
            listed.append(int(e))
        for j in listed:
            for k in range(classes):
                if k in listed:
                    continue
                with np.errstate(invalid="ignore", over="ignore"):
                    z = 1 - row[j] + row[k]
                if z > 0:
                    losses[n] += z
                    grad[n, k] += 1 / classes
                    grad[n, j] -= 1 / classes
    return losses / classes, grad.reshape(x.shape)


def reduce(rows, unit_grad, reduction, out_shape, upstream):
    """The reduced loss and the gradient for the upstream gradient, as PyTorch reduces the rows."""
    batch = rows.shape[0]
    if reduction == "none":
        s = np.asarray(upstream, np.float64).reshape(-1)
        grad = unit_grad.reshape(batch, unit_grad.size // max(batch, 1)) * s[:, None]
        return rows.reshape(out_shape), grad.reshape(unit_grad.shape)
    scale = float(upstream) / (batch if reduction == "mean" and batch else 1)
    value = rows.sum() if reduction == "sum" else (rows.mean() if batch else np.nan)
    return value, unit_grad * scale


def close(got, want, dtype, tolerances=TOL):
    rtol, atol = tolerances[dtype]
    want = np.asarray(want, np.float64)
    finite = want[np.isfinite(want)]
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=rtol,
                               atol=atol * max(1.0, float(np.max(np.abs(finite), initial=0.0))))


def torch_call(function, x, t, reduction, upstream, **kwargs):
    """torch's loss and input gradient for the upstream gradient (None where its loss is
    uninitialised memory: an empty batch reduced)."""
    xt = torch.tensor(x, requires_grad=True)
    value = function(xt, torch.tensor(t), reduction=reduction, **kwargs)
    if reduction != "none" and xt.shape[:1] == (0,) and xt.dim() == 2:
        return None, None
    value.backward(torch.tensor(upstream, dtype=value.dtype).reshape(value.shape))
    return value.detach().numpy(), xt.grad.numpy()


# ------------------------------------------------------------------------------------------
# multi_margin_loss: values and gradients
# ------------------------------------------------------------------------------------------

# (input shape, target shape, margin): rows of several vectors with partial tails, (1, C) with
# a 0-d target, (C,) with a 0-d and a (1,) target, a 0-d input, an empty batch.
MULTI_CASES = [((5, 7), (5,), 1.0), ((4, 37), (4,), -0.4), ((3, 8), (3,), 2.5), ((1, 9), (), 0.75),
               ((9,), (), 1.0), ((9,), (1,), 0.3), ((), (), 1.0), ((0, 5), (0,), 1.0)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("weighted", [False, True], ids=["no-weight", "weight"])
@pytest.mark.parametrize("case", MULTI_CASES, ids=lambda c: f"{c[0]}-{c[1]}-m{c[2]}")
def test_multi_margin_matches_the_reference_and_torch(case, weighted, p, reduction, dtype):
    shape, tshape, margin = case
    rng = np.random.default_rng(len(shape) * 10 + int(np.prod(shape)))
    classes = shape[-1] if shape else 1
    x = (rng.standard_normal(shape) * 1.5).astype(dtype)
    t = rng.integers(0, classes, tshape).astype(np.int64)
    w = (rng.random(classes) + 0.5).astype(dtype) if weighted else None
    out_shape = tuple(tshape) if reduction == "none" else ()
    upstream = (rng.random(out_shape) + 0.5) if reduction == "none" else 1.75
    g = np.asarray(upstream, dtype)
    value, grad = F.multi_margin_loss(x, t, p=p, margin=margin, weight=w, reduction=reduction, with_grad=True,
                                      grad_output=g)
    assert np.shape(value) == out_shape and np.asarray(value).dtype == dtype
    assert grad.shape == x.shape and grad.dtype == dtype
    rows, unit = multi_margin_rows(x, t, p, float(dtype(margin)), w)
    want_value, want_grad = reduce(rows, unit, reduction, out_shape, g)
    close(value, want_value, dtype)
    close(grad, want_grad, dtype)
    assert np.asarray(F.multi_margin_loss(x, t, p=p, margin=margin, weight=w, reduction=reduction)).tobytes() == \
        np.asarray(value).tobytes()  # with_grad=False: the same loss
    theirs, their_grad = torch_call(TF.multi_margin_loss, x, t, reduction, g, p=p, margin=margin,
                                    weight=None if w is None else torch.tensor(w))
    if theirs is not None:
        close(value, theirs, dtype, TORCH_TOL)
        close(grad, their_grad, dtype, TORCH_TOL)


def test_multi_margin_gradient_is_the_derivative():
    rng = np.random.default_rng(3)
    x, t, w = rng.standard_normal((4, 6)), np.array([0, 5, 2, 2]), rng.random(6) + 0.5
    for p in (1, 2):
        _, grad = F.multi_margin_loss(x, t, p=p, margin=0.6, weight=w, reduction="sum", with_grad=True)
        numeric = finite_difference(lambda z: float(F.multi_margin_loss(z, t, p=p, margin=0.6, weight=w,
                                                                         reduction="sum")), x)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_multi_margin_nan_and_inf_inputs_as_torch():
    """A NaN makes its own terms NaN, which are not counted (z > 0 is false): the row's loss is
    finite. A NaN target logit swallows the whole row. +inf gives inf."""
    x = np.array([[np.nan, 1.0, 2.0], [0.0, np.nan, 2.0], [0.0, np.inf, 2.0], [0.5, -1.0, 0.25]])
    t = np.array([0, 0, 0, 1])
    ours, grad = F.multi_margin_loss(x, t, reduction="none", with_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    theirs = TF.multi_margin_loss(xt, torch.tensor(t), reduction="none")
    np.testing.assert_array_equal(ours, theirs.detach().numpy())
    np.testing.assert_array_equal(ours, [0.0, 1.0, np.inf, (2.5 + 2.25) / 3])
    theirs[[0, 1, 3]].sum().backward()
    np.testing.assert_array_equal(grad[[0, 1, 3]], xt.grad.numpy()[[0, 1, 3]])


def test_multi_margin_weight_is_indexed_by_the_target_and_mean_divides_by_the_batch():
    x = np.array([[0.1, 0.2, 0.4], [0.8, -1.0, 0.3]])
    w = np.array([2.0, 0.5, 3.0])
    # row 0 (target 1): z = 0.9, 1.2, times w[1]; row 1 (target 0): z = 0.5, times w[0]
    np.testing.assert_allclose(F.multi_margin_loss(x, [1, 0], weight=w, reduction="none"),
                               [0.5 * 2.1 / 3, 2.0 * 0.5 / 3], rtol=1e-15)
    np.testing.assert_allclose(F.multi_margin_loss(x, [1, 0], weight=w), (0.5 * 2.1 + 2.0 * 0.5) / 3 / 2, rtol=1e-15)
    # a NaN or infinite weight on a row with no positive term: 0, as PyTorch
    for bad in (np.nan, np.inf):
        assert F.multi_margin_loss([[0.0, -5.0, -5.0]], [0], weight=[bad, 1.0, 1.0]) == 0


def test_float32_is_closer_to_the_truth_than_torchs_float32():
    """At 1000 classes torch's float32 kernels are about 1e-5 off the float64 values (row
    sums and target gradients accumulated in float32); swiftloss sums in float64 lanes."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((33, 1000)).astype(np.float32)
    t = rng.integers(0, 1000, 33)
    lists = np.full((33, 1000), -1)
    lists[:, :40] = rng.integers(0, 1000, (33, 40))
    for ours_f, theirs_f, target, truth in (
            (F.multi_margin_loss, TF.multi_margin_loss, t, multi_margin_rows(x, t)),
            (F.multilabel_margin_loss, TF.multilabel_margin_loss, lists, multilabel_rows(x, lists))):
        value, grad = ours_f(x, target, reduction="none", with_grad=True)
        theirs, their_grad = torch_call(theirs_f, x, target, "none", np.ones(33, np.float32))
        for got, want, torchs in ((value, truth[0], theirs), (grad, truth[1], their_grad)):
            ours_error = np.max(np.abs(got - want)) / np.max(np.abs(want))
            torch_error = np.max(np.abs(torchs - want)) / np.max(np.abs(want))
            assert ours_error < 1e-6 and ours_error <= torch_error, (ours_error, torch_error)


def test_large_threaded_calls_match_torch_in_float64():
    """Above the threading threshold (rows split over the worker pool)."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((700, 300))
    t = rng.integers(0, 300, 700)
    lists = np.where(rng.random((700, 300)) < 0.02, rng.integers(0, 300, (700, 300)), -1)
    lists[:, 0] = rng.integers(0, 300, 700)
    for ours_f, theirs_f, target, kwargs in ((F.multi_margin_loss, TF.multi_margin_loss, t, dict(p=2, margin=0.3)),
                                             (F.multilabel_margin_loss, TF.multilabel_margin_loss, lists, {})):
        for reduction in REDUCTIONS:
            g = np.ones(700) * 0.5 if reduction == "none" else 0.5
            value, grad = ours_f(x, target, reduction=reduction, with_grad=True, grad_output=g, **kwargs)
            theirs, their_grad = torch_call(theirs_f, x, target, reduction, g, **kwargs)
            close(value, theirs, np.float64, TORCH_TOL)
            close(grad, their_grad, np.float64, TORCH_TOL)


# ------------------------------------------------------------------------------------------
# multilabel_margin_loss: values and gradients
# ------------------------------------------------------------------------------------------

def label_lists(rng, batch, classes):
    """Lists of up to 5 classes (duplicates possible), -1, then junk in [-1, C)."""
    lists = rng.integers(-1, classes, (batch, classes))
    for n in range(batch):
        length = rng.integers(0, min(classes, 5) + 1)
        lists[n, :length] = rng.integers(0, classes, length)
        if length < classes:
            lists[n, length] = -1
    return lists


MULTILABEL_CASES = ["random", "duplicates", "every class", "empty lists", "1-d", "1-d one class", "0-d",
                    "(1,) input, 0-d target", "empty batch", "37 classes"]


def multilabel_case(name, dtype):
    rng = np.random.default_rng(len(name))
    if name == "random":
        x, t = rng.standard_normal((6, 7)), label_lists(rng, 6, 7)
    elif name == "duplicates":  # a class listed four times counts four times; after -1: ignored
        x, t = rng.standard_normal((2, 4)), np.array([[1, 1, 1, 1], [2, 2, -1, 2]])
    elif name == "every class":
        x, t = rng.standard_normal((2, 3)), np.array([[2, 0, 1], [1, 0, 2]])
    elif name == "empty lists":
        x, t = rng.standard_normal((3, 4)), np.array([[-1, 0, 1, 2], [-1, -1, -1, -1], [3, -1, 3, 3]])
    elif name == "1-d":
        x, t = rng.standard_normal(5), np.array([4, 0, -1, 3, 3])
    elif name == "1-d one class":
        x, t = rng.standard_normal(1), np.array([0])
    elif name == "0-d":
        x, t = np.array(rng.standard_normal()), np.array(0)
    elif name == "(1,) input, 0-d target":
        x, t = rng.standard_normal(1), np.array(-1)
    elif name == "empty batch":
        x, t = np.zeros((0, 4)), np.zeros((0, 4), np.int64)
    else:
        x, t = rng.standard_normal((4, 37)), label_lists(rng, 4, 37)
    return (x * 1.5).astype(dtype), t.astype(np.int64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", MULTILABEL_CASES)
def test_multilabel_matches_the_reference_and_torch(case, reduction, dtype):
    x, t = multilabel_case(case, dtype)
    batch = x.shape[0] if x.ndim == 2 else 1
    out_shape = (batch,) if reduction == "none" and x.ndim == 2 else ()
    upstream = np.random.default_rng(2).random(out_shape) + 0.5 if reduction == "none" else 0.75
    g = np.asarray(upstream, dtype)
    value, grad = F.multilabel_margin_loss(x, t, reduction=reduction, with_grad=True, grad_output=g)
    assert np.shape(value) == out_shape and np.asarray(value).dtype == dtype
    assert grad.shape == x.shape and grad.dtype == dtype
    rows, unit = multilabel_rows(x, t)
    want_value, want_grad = reduce(rows, unit, reduction, out_shape, g)
    close(value, want_value, dtype)
    close(grad, want_grad, dtype)
    theirs, their_grad = torch_call(TF.multilabel_margin_loss, x, t, reduction, g)
    if theirs is not None:
        close(value, theirs, dtype, TORCH_TOL)
        close(grad, their_grad, dtype, TORCH_TOL)


def test_multilabel_known_values():
    # PyTorch's documented example, and a class listed twice (counted twice)
    assert abs(F.multilabel_margin_loss([[0.1, 0.2, 0.4, 0.8]], [[3, 0, -1, 1]]) - 0.85) < 1e-15
    assert abs(F.multilabel_margin_loss([0.5, -1.0, 2.0, 0.0], [1, 1, 2, -1]) - 2.25) < 1e-15
    assert F.multilabel_margin_loss([[0.3, -2.0, 5.0]], [[2, 0, 1]], reduction="none")[0] == 0  # every class


def test_multilabel_gradient_is_the_derivative():
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((4, 6)), label_lists(rng, 4, 6)
    _, grad = F.multilabel_margin_loss(x, t, reduction="sum", with_grad=True)
    numeric = finite_difference(lambda z: float(F.multilabel_margin_loss(z, t, reduction="sum")), x)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_multilabel_nan_and_inf_inputs_as_torch():
    x = np.array([[np.nan, 0.5, -1.0, 0.2], [0.0, np.nan, -1.0, 0.2], [0.0, np.inf, -1.0, 0.2]])
    t = np.array([[0, -1, 1, 1], [0, -1, 1, 1], [0, -1, 1, 1]])
    ours = F.multilabel_margin_loss(x, t, reduction="none")
    theirs = TF.multilabel_margin_loss(torch.tensor(x), torch.tensor(t), reduction="none").numpy()
    np.testing.assert_array_equal(ours, theirs)
    assert ours[0] == 0 and np.isfinite(ours[1]) and ours[2] == np.inf


# ------------------------------------------------------------------------------------------
# The empty batch
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_batch_gives_nan_mean_and_zero_sum(dtype):
    """PyTorch returns uninitialised memory here (documented in the README's differences)."""
    x = np.zeros((0, 4), dtype)
    for function, t in ((F.multi_margin_loss, np.zeros(0, np.int64)), (F.multilabel_margin_loss, np.zeros((0, 4), np.int64))):
        assert np.isnan(function(x, t)) and np.asarray(function(x, t)).dtype == dtype
        assert function(x, t, reduction="sum") == 0
        assert function(x, t, reduction="none").shape == (0,)
        value, grad = function(x, t, with_grad=True)
        assert np.isnan(value) and grad.shape == (0, 4) and grad.dtype == dtype
        # an empty float target (np.array([]) is float64), which PyTorch does not look at
        assert function(x, np.zeros(t.shape), reduction="sum") == 0


# ------------------------------------------------------------------------------------------
# Errors: PyTorch's messages (RuntimeError -> ValueError, out of range -> IndexError,
# NotImplementedError for a dtype -> TypeError)
# ------------------------------------------------------------------------------------------

X, T = np.zeros((2, 4)), np.array([1, 3])
LISTS = np.array([[1, 3, -1, 0], [0, -1, 2, 2]])

ERROR_CASES = {
    "p 3": (F.multi_margin_loss, TF.multi_margin_loss, X, T, dict(p=3)),
    "p str": (F.multi_margin_loss, TF.multi_margin_loss, X, T, dict(p="1")),
    "the reduction checked before p": (F.multi_margin_loss, TF.multi_margin_loss, X, T, dict(p=3, reduction="foo")),
    "weight 2-d": (F.multi_margin_loss, TF.multi_margin_loss, X, T, dict(weight=np.ones((1, 4)))),
    "weight 0-d": (F.multi_margin_loss, TF.multi_margin_loss, X, T, dict(weight=np.array(1.0))),
    "weight size": (F.multi_margin_loss, TF.multi_margin_loss, X, T, dict(weight=np.ones(3))),
    "target 4": (F.multi_margin_loss, TF.multi_margin_loss, X, np.array([4, 0]), {}),
    "target -1": (F.multi_margin_loss, TF.multi_margin_loss, X, np.array([-1, 0]), {}),
    "target float": (F.multi_margin_loss, TF.multi_margin_loss, X, T.astype(np.float32), {}),
    "target bool": (F.multi_margin_loss, TF.multi_margin_loss, X, T.astype(bool), {}),
    "target size 3": (F.multi_margin_loss, TF.multi_margin_loss, X, np.array([1, 2, 3]), {}),
    "target (2, 1)": (F.multi_margin_loss, TF.multi_margin_loss, X, T.reshape(2, 1), {}),
    "target 0-d": (F.multi_margin_loss, TF.multi_margin_loss, X, np.array(1), {}),
    "1-d input, 2 targets": (F.multi_margin_loss, TF.multi_margin_loss, np.zeros(4), T, {}),
    "3-d input": (F.multi_margin_loss, TF.multi_margin_loss, np.zeros((2, 3, 4)), T, {}),
    "no classes": (F.multi_margin_loss, TF.multi_margin_loss, np.zeros((2, 0)), T, {}),
    "no classes, no batch": (F.multi_margin_loss, TF.multi_margin_loss, np.zeros((0, 0)), np.zeros(0, np.int64), {}),
    "empty 1-d": (F.multi_margin_loss, TF.multi_margin_loss, np.zeros(0), np.array(0), {}),
    "float16 input": (F.multi_margin_loss, TF.multi_margin_loss, X.astype(np.float16), T, {}),
    "int64 input": (F.multi_margin_loss, TF.multi_margin_loss, X.astype(np.int64), T, {}),
    "shape before dtype": (F.multi_margin_loss, TF.multi_margin_loss, np.zeros((2, 3, 4), np.float16), T, {}),
    "bad reduction": (F.multi_margin_loss, TF.multi_margin_loss, X, T, dict(reduction="foo")),
    "reduction None": (F.multi_margin_loss, TF.multi_margin_loss, X, T, dict(reduction=None)),
    "margin str": (F.multi_margin_loss, TF.multi_margin_loss, X, T, dict(margin="a")),
    "margin None": (F.multi_margin_loss, TF.multi_margin_loss, X, T, dict(margin=None)),
    "labels (2, 3)": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X, LISTS[:, :3], {}),
    "labels (4,)": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X, LISTS[0], {}),
    "labels (8,)": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X, LISTS.reshape(-1), {}),
    "labels (1, 2, 4)": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X, LISTS[None], {}),
    "1-d input, 2-d labels": (F.multilabel_margin_loss, TF.multilabel_margin_loss, np.zeros(4), LISTS[:1], {}),
    "0-d input, (2,) labels": (F.multilabel_margin_loss, TF.multilabel_margin_loss, np.array(1.0), np.zeros(2, np.int64), {}),
    "labels 3-d input": (F.multilabel_margin_loss, TF.multilabel_margin_loss, np.zeros((2, 3, 4)), np.zeros((2, 3, 4), np.int64), {}),
    "labels no classes": (F.multilabel_margin_loss, TF.multilabel_margin_loss, np.zeros((2, 0)), np.zeros((2, 0), np.int64), {}),
    "label after -1 out of range": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X, np.array([[1, -1, 4, 0], [0, 0, 0, 0]]), {}),
    "label -2": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X, np.array([[1, -2, 0, 0], [0, 0, 0, 0]]), {}),
    "labels float": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X, LISTS.astype(np.float64), {}),
    "labels float out of range": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X, LISTS.astype(np.float64) + 9, {}),
    "labels float16 input": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X.astype(np.float16), LISTS, {}),
    "labels range before dtype": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X.astype(np.float16), LISTS + 9, {}),
    "labels int input": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X.astype(np.int32), LISTS, {}),
    "labels bad reduction": (F.multilabel_margin_loss, TF.multilabel_margin_loss, X, LISTS, dict(reduction="foo")),
}

# torch's exception type -> swiftloss's
TYPES = {NotImplementedError: (TypeError,), RuntimeError: (ValueError, IndexError), ValueError: (ValueError,),
         TypeError: (TypeError,)}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors_are_torchs(case):
    ours, theirs, x, t, kwargs = ERROR_CASES[case]
    with pytest.raises(Exception) as their_error:
        theirs(torch.tensor(x), torch.tensor(t), **{k: torch.tensor(v) if k == "weight" else v for k, v in kwargs.items()})
    with pytest.raises(Exception) as our_error:
        ours(x, t, **kwargs)
    expected = next(v for k, v in TYPES.items() if isinstance(their_error.value, k))
    if str(their_error.value).startswith("expected scalar type Long"):
        expected = (TypeError,)  # a target of the wrong dtype, as nll_loss's (the package's rule)
    assert isinstance(our_error.value, expected), (type(our_error.value), type(their_error.value))
    assert str(our_error.value) == str(their_error.value)
    if "out of range" in str(their_error.value):
        assert isinstance(our_error.value, IndexError)


def test_integer_targets_of_any_dtype_are_accepted():
    """swiftloss's rule for class indices (torch wants int64; README: any integer dtype)."""
    rng = np.random.default_rng(6)
    x, lists = rng.standard_normal((3, 4)), label_lists(rng, 3, 4)
    for dtype in (np.int32, np.int16, np.uint8):
        assert F.multi_margin_loss(x, np.array([0, 3, 1], dtype)) == F.multi_margin_loss(x, np.array([0, 3, 1]))
    assert F.multilabel_margin_loss(x, lists.astype(np.int32)) == F.multilabel_margin_loss(x, lists)
    with pytest.raises(IndexError, match="^target out of range$"):
        F.multi_margin_loss(x, np.array([0, 2**63 + 5, 1], np.uint64))
    with pytest.raises(IndexError, match="^argument #2 'target' is out of range$"):
        F.multilabel_margin_loss(x, np.full((3, 4), 2**64 - 1, np.uint64))  # would wrap to -1


def test_legacy_arguments_and_elementwise_mean_warn_as_torch():
    rng = np.random.default_rng(7)
    x, t, lists = rng.standard_normal((3, 5)), np.array([0, 4, 2]), label_lists(rng, 3, 5)
    for ours, theirs, target in ((F.multi_margin_loss, TF.multi_margin_loss, t),
                                 (F.multilabel_margin_loss, TF.multilabel_margin_loss, lists)):
        for legacy, reduction in ((dict(size_average=False), "sum"), (dict(reduce=False), "none"),
                                  (dict(size_average=True, reduce=True), "mean"), (dict(reduce=True), "mean")):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                value = ours(x, target, reduction="none", **legacy)
                expected = theirs(torch.tensor(x), torch.tensor(target), reduction="none", **legacy).numpy()
            messages = [str(w.message) for w in caught]
            assert messages[0] == messages[1] == (f"size_average and reduce args will be deprecated, please use "
                                                  f"reduction='{reduction}' instead.")
            np.testing.assert_allclose(value, expected, rtol=1e-12)
        with pytest.warns(UserWarning, match="reduction='elementwise_mean' is deprecated"):
            assert ours(x, target, reduction="elementwise_mean") == ours(x, target)


def test_grad_output_is_checked():
    with pytest.raises(ValueError, match="grad_output is only used with with_grad=True"):
        F.multi_margin_loss(X, T, grad_output=1.0)
    with pytest.raises(ValueError, match=r"grad_output must have the loss's shape \[2\] for reduction='none'"):
        F.multilabel_margin_loss(X, LISTS, reduction="none", with_grad=True, grad_output=np.ones(3))


# ------------------------------------------------------------------------------------------
# Modules, out=, fast path, docstrings
# ------------------------------------------------------------------------------------------

def test_modules():
    rng = np.random.default_rng(8)
    x, t, w, lists = rng.standard_normal((4, 5)), np.array([0, 4, 2, 2]), rng.random(5) + 0.5, label_lists(rng, 4, 5)
    module = swiftloss.MultiMarginLoss(p=2, margin=0.4, weight=w, reduction="sum")
    assert (module.p, module.margin, module.reduction) == (2, 0.4, "sum") and module.weight is w
    assert module(x, t) == F.multi_margin_loss(x, t, p=2, margin=0.4, weight=w, reduction="sum")
    value, grad = module(x, t, with_grad=True)
    np.testing.assert_array_equal(grad, F.multi_margin_loss(x, t, p=2, margin=0.4, weight=w, reduction="sum",
                                                            with_grad=True)[1])
    labels = swiftloss.MultiLabelMarginLoss(reduction="none")
    np.testing.assert_array_equal(labels(x, lists), F.multilabel_margin_loss(x, lists, reduction="none"))
    assert repr(labels) == "MultiLabelMarginLoss()"
    with pytest.raises(ValueError, match="^only p == 1 and p == 2 supported$"):
        swiftloss.MultiMarginLoss(p=3)
    with pytest.raises(ValueError, match="^MultiMarginLoss: expected weight to be None or 1D tensor, got 2D instead$"):
        swiftloss.MultiMarginLoss(weight=np.ones((1, 5)))
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert swiftloss.MultiLabelMarginLoss(size_average=False).reduction == "sum"


def test_out_buffers():
    rng = np.random.default_rng(9)
    x, t, lists = rng.standard_normal((3, 4)), np.array([0, 3, 1]), label_lists(rng, 3, 4)
    for function, target in ((F.multi_margin_loss, t), (F.multilabel_margin_loss, lists)):
        out = np.empty(3)
        assert function(x, target, reduction="none", out=out) is out
        np.testing.assert_array_equal(out, function(x, target, reduction="none"))
        out, grad_out = np.empty(3), np.empty((3, 4))
        value, grad = function(x, target, reduction="none", with_grad=True, out=(out, grad_out))
        assert value is out and grad is grad_out
        np.testing.assert_array_equal(grad, function(x, target, reduction="none", with_grad=True)[1])
        with pytest.raises(ValueError, match="out= is for reduction='none'"):
            function(x, target, out=np.empty(1))
    # multi_margin_loss's gradient may be written over its input; multilabel's may not
    _, expected = F.multi_margin_loss(x, t, with_grad=True)
    logits = x.copy()
    _, grad = F.multi_margin_loss(logits, t, with_grad=True, out=(None, logits))
    assert grad is logits
    np.testing.assert_array_equal(logits, expected)
    logits = x.copy()
    with pytest.raises(ValueError, match="grad_out overlaps the input array"):
        F.multilabel_margin_loss(logits, lists, with_grad=True, out=(None, logits))
    np.testing.assert_array_equal(logits, x)


@pytest.mark.parametrize("function", [F.multi_margin_loss, F.multilabel_margin_loss, sl.multi_margin_loss,
                                      sl.multilabel_margin_loss], ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_docstring_examples_run(function):
    runner = run_examples(function)
    assert runner.tries >= 2 and runner.failures == 0


def test_docstrings_give_formula_shapes_gradient_and_divergences():
    for function in (F.multi_margin_loss, F.multilabel_margin_loss):
        doc = function.__doc__
        for needle in (":math:", "Shapes", "with_grad", "grad_output", "``out``", "Raises", "uninitialised", "NaN"):
            assert needle in doc, (function.__name__, needle)


# ------------------------------------------------------------------------------------------
# swiftloss.torch
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("shape", [(6, 5), (5,), (1, 7)], ids=str)
def test_torch_drop_in_first_order_and_modules(shape, p, reduction, dtype):
    g = torch.Generator().manual_seed(3)
    x = torch.randn(shape, dtype=dtype, generator=g, requires_grad=True)
    classes = shape[-1]
    target = torch.randint(0, classes, shape[:-1] if len(shape) == 2 and shape[0] > 1 else (), generator=g)
    weight = torch.rand(classes, dtype=dtype, generator=g) + 0.5
    lists = torch.tensor(label_lists(np.random.default_rng(1), shape[0] if len(shape) == 2 else 1, classes))
    lists = lists.reshape(shape)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == torch.float32 else dict(rtol=1e-10, atol=1e-12)
    for ours, theirs in (
            (lambda z: sl.multi_margin_loss(z, target, p=p, margin=0.6, weight=weight, reduction=reduction),
             lambda z: TF.multi_margin_loss(z, target, p=p, margin=0.6, weight=weight, reduction=reduction)),
            (lambda z: sl.MultiMarginLoss(p=p, margin=0.6, weight=weight, reduction=reduction)(z, target),
             lambda z: torch.nn.MultiMarginLoss(p=p, margin=0.6, weight=weight, reduction=reduction)(z, target)),
            (lambda z: sl.multilabel_margin_loss(z, lists, reduction=reduction),
             lambda z: TF.multilabel_margin_loss(z, lists, reduction=reduction)),
            (lambda z: sl.MultiLabelMarginLoss(reduction=reduction)(z, lists),
             lambda z: torch.nn.MultiLabelMarginLoss(reduction=reduction)(z, lists))):
        a, b = ours(x), theirs(x)
        assert a.shape == b.shape and a.dtype == b.dtype
        torch.testing.assert_close(a, b, **tol)
        upstream = torch.rand(a.shape, dtype=dtype, generator=g) + 0.5
        (ga,) = torch.autograd.grad(a, x, upstream)
        (gb,) = torch.autograd.grad(b, x, upstream)
        torch.testing.assert_close(ga, gb, **tol)


def test_torch_references_are_torchs_loss():
    """The composites behind the bridge's second derivatives, and the tests' own
    (composites.py), equal torch's kernels in value and first derivative (NaN terms not
    counted, weights, every reduction, 1-d inputs)."""
    g = torch.Generator().manual_seed(4)
    for shape in ((6, 5), (5,)):
        x = torch.randn(shape, dtype=torch.float64, generator=g)
        x.view(-1)[3] = float("nan")
        target = torch.randint(0, 5, shape[:-1], generator=g)
        lists = torch.tensor(label_lists(np.random.default_rng(2), 6, 5))[: shape[0] if len(shape) == 2 else 1].reshape(shape)
        weight = torch.rand(5, dtype=torch.float64, generator=g) + 0.5
        for reduction in REDUCTIONS:
            for p in (1, 2):
                args = (target, p, 0.3, weight, reduction)
                for composite in (sl._MultiMarginLoss.reference, composites.multi_margin_loss):
                    _compare_with_torch(lambda z: composite(z, *args),
                                        lambda z: TF.multi_margin_loss(z, target, p, 0.3, weight, reduction=reduction), x)
            for composite in (sl._MultiLabelMarginLoss.reference, composites.multilabel_margin_loss):
                _compare_with_torch(lambda z: composite(z, lists, reduction),
                                    lambda z: TF.multilabel_margin_loss(z, lists, reduction=reduction), x)


def _compare_with_torch(composite, kernel, x):
    torch.testing.assert_close(composite(x), kernel(x), rtol=1e-12, atol=1e-12, equal_nan=True)
    finite = x.nan_to_num(0.0)  # gradients where every term is defined
    z = finite.clone().requires_grad_()
    (theirs,) = torch.autograd.grad(kernel(z).sum(), z)
    torch.testing.assert_close(torch.func.grad(lambda u: composite(u).sum())(finite), theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", ["multi_margin p=1", "multi_margin p=2", "multilabel_margin"])
def test_second_derivatives_match_finite_differences_of_torchs_gradient(loss, reduction):
    """torch raises for these ("derivative for aten::multi_margin_loss_backward is not
    implemented"); the bridge's Hessian-vector product equals central differences of torch's
    own first derivative (nonzero for p=2, zero for the piecewise-linear ones)."""
    g = torch.Generator().manual_seed(5)
    x = torch.randn(6, 5, dtype=torch.float64, generator=g)
    v = torch.randn(6, 5, dtype=torch.float64, generator=g)
    mix = torch.rand(6, dtype=torch.float64, generator=g) + 0.5
    target = torch.randint(0, 5, (6,), generator=g)
    lists = torch.tensor(label_lists(np.random.default_rng(3), 6, 5))
    weight = torch.rand(5, dtype=torch.float64, generator=g) + 0.5
    if loss.startswith("multi_margin"):
        p = int(loss[-1])
        ours = lambda z: sl.multi_margin_loss(z, target, p=p, margin=0.7, weight=weight, reduction=reduction)  # noqa: E731
        theirs = lambda z: TF.multi_margin_loss(z, target, p=p, margin=0.7, weight=weight, reduction=reduction)  # noqa: E731
    else:
        ours = lambda z: sl.multilabel_margin_loss(z, lists, reduction=reduction)  # noqa: E731
        theirs = lambda z: TF.multilabel_margin_loss(z, lists, reduction=reduction)  # noqa: E731

    def total(f):
        return lambda z: (f(z) * mix).sum() if reduction == "none" else f(z)

    def their_gradient(z):
        z = z.clone().requires_grad_()
        return torch.autograd.grad(total(theirs)(z), z)[0]

    with pytest.raises(RuntimeError, match="is not implemented"):
        z = x.clone().requires_grad_()
        torch.autograd.grad(torch.autograd.grad(total(theirs)(z), z, create_graph=True)[0].sum(), z)
    _, hvp = torch.autograd.functional.hvp(total(ours), x, v)
    step = 1e-6
    numeric = (their_gradient(x + step * v) - their_gradient(x - step * v)) / (2 * step)
    torch.testing.assert_close(hvp, numeric, rtol=1e-6, atol=1e-7)
    if loss == "multi_margin p=2":
        assert hvp.abs().max() > 0.1
    else:
        assert hvp.abs().max() == 0
    # torch.func on the bridge and on an independent composite of the same loss
    if loss.startswith("multi_margin"):
        composite = lambda z: composites.multi_margin_loss(z, target, p, 0.7, weight, reduction)  # noqa: E731
        torch.testing.assert_close(torch.func.hessian(total(ours))(x), torch.func.hessian(total(composite))(x),
                                   rtol=1e-10, atol=1e-12)
        torch.testing.assert_close(torch.func.jacfwd(total(ours))(x), torch.func.jacrev(total(composite))(x),
                                   rtol=1e-10, atol=1e-12)


def test_gradient_penalty_through_the_bridge():
    """d/dW of |d loss/d x|^2 (create_graph=True): torch cannot; the bridge equals the
    composite's."""
    g = torch.Generator().manual_seed(6)
    w0 = torch.randn(4, 5, dtype=torch.float64, generator=g)
    inputs = torch.randn(6, 4, dtype=torch.float64, generator=g)
    target = torch.randint(0, 5, (6,), generator=g)
    results = []
    for f in (lambda z: sl.multi_margin_loss(z, target, p=2), lambda z: composites.multi_margin_loss(z, target, 2)):
        w = w0.clone().requires_grad_()
        (gw,) = torch.autograd.grad(f(torch.tanh(inputs @ w)), w, create_graph=True)
        gw.square().sum().backward()
        results.append(w.grad)
    torch.testing.assert_close(results[0], results[1], rtol=1e-10, atol=1e-12)


def test_torch_drop_in_errors_and_dtypes():
    x, t = torch.randn(2, 4), torch.tensor([1, 3])
    lists = torch.tensor(LISTS)

    def message(call):
        with pytest.raises(Exception) as error:
            call()
        return type(error.value), str(error.value)

    for call_ours, call_theirs in (
            (lambda: sl.multi_margin_loss(x, t, p=3), lambda: TF.multi_margin_loss(x, t, p=3)),
            (lambda: sl.multi_margin_loss(x, t, weight=torch.ones(1, 4)), lambda: TF.multi_margin_loss(x, t, weight=torch.ones(1, 4))),
            (lambda: sl.multi_margin_loss(x, t, margin="a"), lambda: TF.multi_margin_loss(x, t, margin="a")),
            (lambda: sl.multi_margin_loss([[1.0]], t), lambda: TF.multi_margin_loss([[1.0]], t)),
            (lambda: sl.multi_margin_loss(x, [1, 3]), lambda: TF.multi_margin_loss(x, [1, 3])),
            (lambda: sl.multilabel_margin_loss(x, [[0]]), lambda: TF.multilabel_margin_loss(x, [[0]])),
            (lambda: sl.multi_margin_loss(x, t, reduction="foo"), lambda: TF.multi_margin_loss(x, t, reduction="foo"))):
        ours, theirs = message(call_ours), message(call_theirs)
        assert ours[1] == theirs[1] and issubclass(ours[0], (TypeError, ValueError))
    for call_ours, call_theirs in (
            (lambda: sl.multi_margin_loss(x, torch.tensor([1, 4])), lambda: TF.multi_margin_loss(x, torch.tensor([1, 4]))),
            (lambda: sl.multilabel_margin_loss(x, lists + 5), lambda: TF.multilabel_margin_loss(x, lists + 5))):
        assert message(call_ours) == (IndexError, message(call_theirs)[1])
    # float32 and float64 only, as torch (outside autocast)
    for low, name in ((torch.float16, "Half"), (torch.bfloat16, "BFloat16")):
        with pytest.raises(TypeError, match=f"^\"multi_margin_loss_cpu_kernel\" not implemented for '{name}'$"):
            sl.multi_margin_loss(x.to(low), t)
        with pytest.raises(TypeError, match=f"^\"multilabel_margin_loss_forward_out_frame\" not implemented for '{name}'$"):
            sl.multilabel_margin_loss(x.to(low), lists)
        with torch.autocast("cpu", dtype=low):
            for ours, theirs in ((sl.multi_margin_loss(x.to(low), t), TF.multi_margin_loss(x.to(low), t)),
                                 (sl.multilabel_margin_loss(x.to(low), lists), TF.multilabel_margin_loss(x.to(low), lists))):
                assert ours.dtype == theirs.dtype == torch.float32
                torch.testing.assert_close(ours, theirs)
    with pytest.raises(NotImplementedError, match="gradients with respect to weight are not computed"):
        sl.multi_margin_loss(x, t, weight=torch.ones(4, requires_grad=True))
    with pytest.raises(ValueError, match="^only p == 1 and p == 2 supported$"):
        sl.MultiMarginLoss(p=0)
    with pytest.raises(ValueError, match="got 2D instead"):
        sl.MultiMarginLoss(weight=torch.ones(2, 2))
    module = sl.MultiMarginLoss(weight=torch.ones(4))
    assert "weight" in dict(module.named_buffers())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert sl.multilabel_margin_loss(x, lists, reduce=False).shape == (2,)
        # the empty batch: NaN 'mean', 0 'sum' (torch: uninitialised memory)
        assert torch.isnan(sl.multi_margin_loss(torch.zeros(0, 4), torch.zeros(0, dtype=torch.long)))
        assert sl.multilabel_margin_loss(torch.zeros(0, 4), torch.zeros(0, 4, dtype=torch.long), reduction="sum") == 0


def test_torch_vmap_and_forward_mode():
    """Per-sample losses through vmap, and forward-mode tangents (torch has neither for these
    kernels' derivatives: compared with the composite)."""
    g = torch.Generator().manual_seed(7)
    xs = torch.randn(3, 4, 5, dtype=torch.float64, generator=g)
    target = torch.randint(0, 5, (4,), generator=g)
    lists = torch.tensor(label_lists(np.random.default_rng(4), 4, 5))
    for reduction in REDUCTIONS:
        ours = torch.func.vmap(lambda z: sl.multi_margin_loss(z, target, p=2, reduction=reduction))(xs)
        theirs = torch.stack([TF.multi_margin_loss(z, target, p=2, reduction=reduction) for z in xs])
        torch.testing.assert_close(ours, theirs)
        ours = torch.func.vmap(lambda z: sl.multilabel_margin_loss(z, lists, reduction=reduction))(xs)
        theirs = torch.stack([TF.multilabel_margin_loss(z, lists, reduction=reduction) for z in xs])
        torch.testing.assert_close(ours, theirs)
        v = torch.randn(4, 5, dtype=torch.float64, generator=g)
        _, tangent = torch.func.jvp(lambda z: sl.multi_margin_loss(z, target, reduction=reduction), (xs[0],), (v,))
        _, expected = torch.func.jvp(lambda z: composites.multi_margin_loss(z, target, reduction=reduction), (xs[0],), (v,))
        torch.testing.assert_close(tangent, expected)
    # a (1, C) input with a 0-d target: a 0-d 'none' loss, and its tangent too
    _, tangent = torch.func.jvp(lambda z: sl.multi_margin_loss(z, target[0], reduction="none"), (xs[0, :1],), (v[:1],))
    assert tangent.shape == ()
