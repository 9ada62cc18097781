"""Interop: what the functions accept (array.array, __array__, DLPack, torch tensors) and the
``out=`` keyword that writes results and gradients into the caller's buffers."""
import array

import numpy as np
import pytest

import swiftloss
import swiftloss as F

try:
    import torch
except ImportError:  # the torch cases are skipped, and say why
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed: torch tensor interop not tested")

PREDS = np.array([[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], dtype=np.float32)
TARGET = np.array([2, 3])
RNG = np.random.default_rng(7)


class ArrayLike:
    """Only __array__ (as pandas, xarray and friends)."""

    def __init__(self, a):
        self.a = a

    def __array__(self, dtype=None, copy=None):
        return self.a if dtype is None else self.a.astype(dtype)


class DLPackOnly:
    """Only the DLPack protocol (as jax or cupy host arrays): no __array__, no buffer."""

    def __init__(self, a):
        self.a = a

    def __dlpack__(self, **kwargs):
        return self.a.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return self.a.__dlpack_device__()


# ------------------------------------------------------------------------------------------
# Inputs
# ------------------------------------------------------------------------------------------

def test_array_array_inputs():
    x = array.array("f", PREDS.ravel())
    lp = F.log_softmax(np.frombuffer(x, np.float32).reshape(2, 4), 1)
    assert F.nll_loss(lp, array.array("q", [2, 3])) == pytest.approx(1.364415, abs=1e-6)
    assert F.nll_loss(lp, array.array("l", [2, 3])) == pytest.approx(1.364415, abs=1e-6)
    assert F.nll_loss(lp, array.array("i", [2, 3])) == pytest.approx(1.364415, abs=1e-6)
    s = F.softmax(array.array("d", [0.1, 0.2, 0.3, 0.4]), 0)
    assert s.dtype == np.float64
    np.testing.assert_allclose(s, [0.213838, 0.236328, 0.261183, 0.288651], atol=1e-6)
    bce = F.binary_cross_entropy_with_logits(array.array("f", [0.5, -1.0]), array.array("f", [1, 0]))
    assert bce.dtype == np.float32
    assert F.kl_div(array.array("d", [-1.0, -2.0]), array.array("d", [0.5, 0.5]), reduction="sum") > 0


def test_array_protocol_and_dlpack_only_inputs():
    expected = F.cross_entropy(PREDS, TARGET, label_smoothing=0.1)
    assert F.cross_entropy(ArrayLike(PREDS), ArrayLike(TARGET), label_smoothing=0.1) == expected
    assert F.cross_entropy(DLPackOnly(PREDS), DLPackOnly(TARGET), label_smoothing=0.1) == expected
    weight = np.array([1, 2, 3, 4], np.float32)
    assert F.cross_entropy(PREDS, TARGET, weight=DLPackOnly(weight)) == F.cross_entropy(PREDS, TARGET, weight=weight)
    np.testing.assert_array_equal(F.softmax(DLPackOnly(PREDS), 1), F.softmax(PREDS, 1))


@needs_torch
def test_torch_tensors_are_read_without_autograd():
    x = torch.tensor(PREDS, requires_grad=True)  # numpy() would refuse it: it is detached
    t = torch.tensor([2, 3])
    F.functional._warned_about_autograd.clear()
    with pytest.warns(F.NoAutogradWarning, match="requires grad"):  # once: no history is recorded
        assert F.cross_entropy(x, t, label_smoothing=0.1) == pytest.approx(1.366915, abs=1e-6)
    loss, grad = F.cross_entropy(x, t, with_grad=True)
    assert isinstance(grad, np.ndarray) and grad.dtype == np.float32
    assert x.grad is None
    # Non-contiguous tensors, Parameters, and bfloat16 (computed in float32).
    xt = torch.tensor(PREDS.T.copy()).t()
    assert not xt.is_contiguous()
    assert F.cross_entropy(xt, t) == F.cross_entropy(PREDS, TARGET)
    assert F.cross_entropy(torch.nn.Parameter(torch.tensor(PREDS)), t) == F.cross_entropy(PREDS, TARGET)
    bf = F.softmax(torch.tensor(PREDS, dtype=torch.bfloat16), 1)
    assert bf.dtype == np.float32
    np.testing.assert_allclose(bf, F.softmax(PREDS, 1), atol=1e-2)


@needs_torch
def test_torch_tensor_on_another_device_is_refused():
    meta = torch.empty(2, 4, device="meta")
    with pytest.raises(TypeError, match="on meta.*CPU"):
        F.cross_entropy(meta, TARGET)


# ------------------------------------------------------------------------------------------
# out=: results
# ------------------------------------------------------------------------------------------

def loss_calls():
    """(name, call(x, **kw), x, reduction-'none' result shape) for every function."""
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    p = 1 / (1 + np.exp(-x))
    t = (RNG.random((3, 4)) > 0.5).astype(np.float32)
    y = np.array([0, 3, 1])
    q = np.exp(x) / np.exp(x).sum(1, keepdims=True)
    return [
        ("softmax", lambda x, **kw: F.softmax(x, 1, **kw), x, (3, 4)),
        ("log_softmax", lambda x, **kw: F.log_softmax(x, 0, **kw), x, (3, 4)),
        ("nll_loss", lambda x, **kw: F.nll_loss(x, y, reduction="none", **kw), x, (3,)),
        ("cross_entropy", lambda x, **kw: F.cross_entropy(x, y, reduction="none", label_smoothing=0.1, **kw), x, (3,)),
        ("cross_entropy_probs", lambda x, **kw: F.cross_entropy(x, q, reduction="none", **kw), x, (3,)),
        ("binary_cross_entropy", lambda x, **kw: F.binary_cross_entropy(x, t, reduction="none", **kw), p, (3, 4)),
        ("bce_with_logits", lambda x, **kw: F.binary_cross_entropy_with_logits(
            x, t, reduction="none", pos_weight=np.full(4, 2, np.float32), **kw), x, (3, 4)),
        ("kl_div", lambda x, **kw: F.kl_div(x, q, reduction="none", **kw), x, (3, 4)),
    ]


CALLS = loss_calls()
IDS = [c[0] for c in CALLS]


@pytest.mark.parametrize("name, call, x, shape", CALLS, ids=IDS)
def test_out_receives_the_result_and_is_returned(name, call, x, shape):
    expected = call(x)
    out = np.full(shape, np.nan, np.float32)
    assert call(x, out=out) is out
    np.testing.assert_array_equal(out, expected)
    # Reused: a second call overwrites it.
    out2 = call(x * 0.5, out=out)
    assert out2 is out
    np.testing.assert_array_equal(out, call(x * 0.5))


@pytest.mark.parametrize("name, call, x, shape", CALLS, ids=IDS)
def test_out_pair_receives_result_and_gradient(name, call, x, shape):
    expected, expected_grad = call(x, with_grad=True)
    out, grad_out = np.empty(shape, np.float32), np.empty(x.shape, np.float32)
    result, grad = call(x, with_grad=True, out=(out, grad_out))
    assert result is out and grad is grad_out
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(grad_out, expected_grad)
    # Either half may be None: a new array comes back in its place.
    result, grad = call(x, with_grad=True, out=[None, grad_out])
    assert grad is grad_out and isinstance(result, np.ndarray)
    np.testing.assert_array_equal(result, expected)
    result, grad = call(x, with_grad=True, out=(out, None))
    assert result is out
    np.testing.assert_array_equal(grad, expected_grad)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_reduced_losses_take_only_a_gradient_buffer(reduction):
    loss, expected = F.cross_entropy(PREDS, TARGET, reduction=reduction, with_grad=True)
    grad_out = np.empty_like(PREDS)
    result, grad = F.cross_entropy(PREDS, TARGET, reduction=reduction, with_grad=True, out=(None, grad_out))
    assert result == loss and grad is grad_out
    np.testing.assert_array_equal(grad_out, expected)
    with pytest.raises(ValueError, match="reduction='none'.*returns a scalar.*out=\\(None, grad_out\\)"):
        F.cross_entropy(PREDS, TARGET, reduction=reduction, with_grad=True, out=(np.empty(1, np.float32), None))
    with pytest.raises(ValueError, match="returns a scalar, so pass out=None"):
        F.cross_entropy(PREDS, TARGET, reduction=reduction, out=np.empty(1, np.float32))
    with pytest.raises(ValueError, match="reduction='batchmean' returns a scalar"):
        F.kl_div(PREDS, PREDS, reduction="batchmean", out=np.empty(PREDS.shape, np.float32))


def test_cross_entropy_gradient_in_place_over_the_logits():
    """out=(None, x): the fused kernel writes the gradient over the logits it reads."""
    x = RNG.standard_normal((64, 1000)).astype(np.float32)
    y = RNG.integers(0, 1000, 64)
    loss, expected = F.cross_entropy(x, y, label_smoothing=0.1, with_grad=True)
    logits = x.copy()
    result, grad = F.cross_entropy(logits, y, label_smoothing=0.1, with_grad=True, out=(None, logits))
    assert grad is logits and result == loss
    np.testing.assert_array_equal(logits, expected)
    # Probability targets: the backward kernel may overwrite the logits too.
    q = np.full((64, 1000), 1e-3, np.float32)
    loss, expected = F.cross_entropy(x, q, with_grad=True)
    logits = x.copy()
    assert F.cross_entropy(logits, q, with_grad=True, out=(None, logits))[1] is logits
    np.testing.assert_array_equal(logits, expected)


def test_softmax_in_place():
    x = PREDS.copy()
    expected = F.softmax(PREDS, 1)
    assert F.softmax(x, 1, out=x) is x
    np.testing.assert_array_equal(x, expected)
    x = PREDS.copy()
    F.log_softmax(x, 1, out=x)
    np.testing.assert_array_equal(x, F.log_softmax(PREDS, 1))


def test_out_for_float64_and_float16_inputs():
    x64 = PREDS.astype(np.float64)
    out = np.empty(2)
    F.cross_entropy(x64, TARGET, reduction="none", out=out)
    np.testing.assert_array_equal(out, F.cross_entropy(x64, TARGET, reduction="none"))
    x16 = PREDS.astype(np.float16)
    out16 = np.empty((2, 4), np.float16)
    assert F.softmax(x16, 1, out=out16) is out16
    np.testing.assert_array_equal(out16, F.softmax(x16, 1))


def test_flat_buffers_as_out():
    out = array.array("f", bytes(8 * 4))
    assert F.softmax(PREDS, 1, out=out) is out
    np.testing.assert_array_equal(np.frombuffer(out, np.float32).reshape(2, 4), F.softmax(PREDS, 1))
    losses = array.array("f", [0.0, 0.0])
    F.cross_entropy(PREDS, TARGET, reduction="none", out=memoryview(losses))
    np.testing.assert_array_equal(np.frombuffer(losses, np.float32), F.cross_entropy(PREDS, TARGET, reduction="none"))


@needs_torch
def test_torch_tensors_as_out():
    out = torch.empty(2)
    grad_out = torch.empty(2, 4)
    loss, grad = F.cross_entropy(torch.tensor(PREDS), torch.tensor([2, 3]), reduction="none", with_grad=True,
                                 out=(out, grad_out))
    assert loss is out and grad is grad_out
    expected, expected_grad = F.cross_entropy(PREDS, TARGET, reduction="none", with_grad=True)
    np.testing.assert_array_equal(out.numpy(), expected)
    np.testing.assert_array_equal(grad_out.numpy(), expected_grad)
    with pytest.raises(ValueError, match="requires grad"):
        F.softmax(PREDS, 1, out=torch.empty(2, 4, requires_grad=True))
    with pytest.raises(ValueError, match="C-contiguous"):
        F.softmax(PREDS, 1, out=torch.empty(4, 2).t())


def test_modules_pass_out_through():
    out = np.empty(2, np.float32)
    assert swiftloss.CrossEntropyLoss(reduction="none")(PREDS, TARGET, out=out) is out
    grad_out = np.empty_like(PREDS)
    loss, grad = swiftloss.NLLLoss()(PREDS, TARGET, with_grad=True, out=(None, grad_out))
    assert grad is grad_out
    assert swiftloss.Softmax(1)(PREDS, out=np.empty_like(PREDS)).shape == (2, 4)


# ------------------------------------------------------------------------------------------
# out=: what is refused, and that nothing is written then
# ------------------------------------------------------------------------------------------

def test_wrong_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="out has dtype float64, but the result is float32"):
        F.cross_entropy(PREDS, TARGET, reduction="none", out=np.empty(2))
    with pytest.raises(TypeError, match="grad_out has dtype float64"):
        F.cross_entropy(PREDS, TARGET, with_grad=True, out=(None, np.empty((2, 4))))
    with pytest.raises(TypeError, match="out has dtype uint8"):
        F.cross_entropy(PREDS, TARGET, reduction="none", out=bytearray(8))


def test_wrong_shape_layout_or_writability_is_a_value_error():
    with pytest.raises(ValueError, match=r"out has shape \[3\], expected shape \[2\]"):
        F.cross_entropy(PREDS, TARGET, reduction="none", out=np.empty(3, np.float32))
    with pytest.raises(ValueError, match=r"grad_out has shape \[8\], expected shape \[2, 4\]"):
        F.cross_entropy(PREDS, TARGET, with_grad=True, out=(None, np.empty(8, np.float32)))
    with pytest.raises(ValueError, match=r"expected shape \[2, 4\] \(or 8 elements\)"):
        F.softmax(PREDS, 1, out=array.array("f", bytes(4 * 4)))
    with pytest.raises(ValueError, match="C-contiguous"):
        F.softmax(PREDS, 1, out=np.empty((4, 2), np.float32).T)
    read_only = np.empty(2, np.float32)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        F.cross_entropy(PREDS, TARGET, reduction="none", out=read_only)
    with pytest.raises(ValueError, match="read-only"):
        F.cross_entropy(PREDS, TARGET, reduction="none", out=memoryview(bytes(8)).cast("f"))


def test_overlapping_buffers_are_refused():
    x = PREDS.copy()
    with pytest.raises(ValueError, match="out overlaps the input array"):
        F.cross_entropy(x, TARGET, reduction="none", out=x[0, :2])
    # The logits themselves may take the gradient (in place), a shifted window of them not.
    big = np.zeros(16, np.float32)
    big[:8] = PREDS.ravel()
    with pytest.raises(ValueError, match=r"grad_out overlaps the input array \(it may be the input array itself\)"):
        F.cross_entropy(big[:8].reshape(2, 4), TARGET, with_grad=True, out=(None, big[4:12].reshape(2, 4)))
    # Element-wise backward kernels read the input while they write: no in-place there.
    with pytest.raises(ValueError, match="grad_out overlaps the input array$"):
        F.binary_cross_entropy_with_logits(x, np.ones_like(x), with_grad=True, out=(None, x))
    buffer = np.empty(10, np.float32)
    with pytest.raises(ValueError, match="grad_out overlaps out"):
        F.cross_entropy(PREDS, TARGET, reduction="none", with_grad=True,
                        out=(buffer[:2], buffer[1:9].reshape(2, 4)))


def test_out_must_be_one_buffer_or_a_pair():
    with pytest.raises(TypeError, match="must be a pair \\(out, grad_out\\)"):
        F.cross_entropy(PREDS, TARGET, with_grad=True, out=np.empty_like(PREDS))
    with pytest.raises(TypeError, match="a pair \\(out, grad_out\\) goes with with_grad=True"):
        F.cross_entropy(PREDS, TARGET, reduction="none", out=(np.empty(2, np.float32), None))
    with pytest.raises(TypeError, match="must be a numpy array, a CPU torch tensor.*got list"):
        F.cross_entropy(PREDS, TARGET, reduction="none", out=[0.0, 0.0])


def test_nothing_is_written_when_a_buffer_is_refused():
    out = np.full(2, 7.0, np.float32)
    with pytest.raises(ValueError):
        F.cross_entropy(PREDS, TARGET, reduction="none", with_grad=True, out=(out, np.empty(3, np.float32)))
    np.testing.assert_array_equal(out, [7.0, 7.0])
    with pytest.raises(IndexError, match="Target 9 is out of bounds"):
        F.cross_entropy(PREDS, [2, 9], reduction="none", out=out)
    np.testing.assert_array_equal(out, [7.0, 7.0])


def test_out_with_zero_classes():
    """The zero-class answers (computed without the library) go through out= too."""
    x, t = np.zeros((2, 0)), np.array([-100, -100])
    out = np.full(2, 7.0)
    assert F.cross_entropy(x, t, reduction="none", out=out) is out
    np.testing.assert_array_equal(out, [0.0, 0.0])
    grad_out = np.empty((2, 0))
    loss, grad = F.nll_loss(x, t, reduction="none", with_grad=True, out=(np.full(2, 7.0), grad_out))
    assert grad is grad_out
    np.testing.assert_array_equal(loss, [0.0, 0.0])
