"""The torch-shaped API: input conversion, result types, defaults, modules, and the surprising
PyTorch behaviours that SEMANTICS.md asks to match."""
import inspect
import warnings

import numpy as np
import pytest

import swiftloss
import swiftloss as F

X = np.array([[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], dtype=np.float32)
T = np.array([2, 3])


# ------------------------------------------------------------------------------------------
# Conversion and result types
# ------------------------------------------------------------------------------------------

def test_lists_are_accepted_and_python_floats_are_float64():
    result = F.cross_entropy(X.tolist(), [2, 3])
    assert isinstance(result, np.float64)
    np.testing.assert_allclose(result, 1.364415, atol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x = X.astype(dtype)
    assert F.softmax(x, 1).dtype == dtype
    assert F.log_softmax(x, 1).dtype == dtype
    for reduction in ("sum", "mean"):
        assert type(F.cross_entropy(x, T, reduction=reduction)) is np.dtype(dtype).type
        assert type(F.nll_loss(x, T, reduction=reduction)) is np.dtype(dtype).type
    assert F.cross_entropy(x, T, reduction="none").dtype == dtype
    assert F.binary_cross_entropy(np.full(3, 0.5, dtype), [0, 1, 1], reduction="none").dtype == dtype
    assert type(F.kl_div(x, x, reduction="sum")) is np.dtype(dtype).type


def test_float64_is_computed_in_float64():
    x = np.array([[1e-10, 0.0]])
    expected = np.logaddexp(1e-10, 0.0)  # log(2) + 5e-11: beyond float32's precision
    np.testing.assert_allclose(F.cross_entropy(x, [1]), expected, rtol=1e-14)
    assert F.cross_entropy(x, [1]) != F.cross_entropy(x.astype(np.float32), [1])


def test_float16_and_longdouble_are_returned_in_their_dtype():
    result = F.softmax(X.astype(np.float16), 1)
    assert result.dtype == np.float16
    np.testing.assert_allclose(result, F.softmax(X, 1), atol=1e-3)
    assert type(F.cross_entropy(X.astype(np.float16), T)) is np.float16
    assert F.softmax(X.astype(np.longdouble), 1).dtype == np.longdouble


def test_non_native_byte_order():
    big = X.astype(">f4")
    np.testing.assert_allclose(F.softmax(big, 1), F.softmax(X, 1))
    assert F.softmax(big, 1).dtype == np.float32


def test_none_returns_the_target_shape():
    assert F.cross_entropy(X, T, reduction="none").shape == (2,)
    unbatched = F.cross_entropy(X[0], np.int64(2), reduction="none")
    assert isinstance(unbatched, np.ndarray) and unbatched.shape == ()
    spatial = F.cross_entropy(np.zeros((2, 4, 3, 5), np.float32), np.zeros((2, 3, 5), np.int64), reduction="none")
    assert spatial.shape == (2, 3, 5)
    assert F.binary_cross_entropy(np.full((2, 3), 0.5), np.ones((2, 3)), reduction="none").shape == (2, 3)


def test_unbatched_input():
    np.testing.assert_allclose(F.cross_entropy(X[0], 2), -F.log_softmax(X[0], 0)[2], rtol=1e-6)
    np.testing.assert_allclose(F.nll_loss(X[0], 2, weight=[1, 1, 3, 1], reduction='sum'), -3 * X[0, 2], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64])
def test_any_integer_dtype_for_class_targets(dtype):
    assert F.cross_entropy(X, T.astype(dtype)) == F.cross_entropy(X, T)


def test_non_contiguous_inputs():
    big = np.random.default_rng(0).standard_normal((6, 8)).astype(np.float32)
    x = big[::2, ::2]  # (3, 4), strided
    t = np.array([0, 1, 2, 3, 0, 1])[::2]
    assert not x.flags.c_contiguous and not t.flags.c_contiguous
    np.testing.assert_allclose(F.cross_entropy(x, t), F.cross_entropy(x.copy(), t.copy()))
    np.testing.assert_allclose(F.softmax(x.T, 0), F.softmax(np.ascontiguousarray(x.T), 0))
    w = np.ones(8, np.float32)[::2]
    np.testing.assert_allclose(F.cross_entropy(x, t, weight=w), F.cross_entropy(x.copy(), t.copy()))


def test_targets_and_weights_take_the_input_dtype():
    x = np.full(3, 0.25, np.float32)
    result = F.binary_cross_entropy(x, [0, 1, 1], weight=np.array([1.0, 2.0, 3.0]))
    assert type(result) is np.float32
    np.testing.assert_allclose(result, -(np.log(0.75) + 2 * np.log(0.25) + 3 * np.log(0.25)) / 3, rtol=1e-6)


def test_integer_inputs_raise_type_error():
    with pytest.raises(TypeError):
        F.cross_entropy([[1, 2], [1, 3]], [0, 1])
    with pytest.raises(TypeError):
        F.kl_div([1, 2], [0.5, 0.5], reduction='sum')


# ------------------------------------------------------------------------------------------
# Signatures mirror torch.nn.functional and torch.nn
# ------------------------------------------------------------------------------------------

# torch's parameters, then swiftloss's keyword-only gradient request (see test_grad_api.py)
# and output buffers (test_interop.py).
GRAD = ", *, with_grad=False, grad_output=None, out=None)"

SIGNATURES = {
    F.softmax: "(input, dim=None, _stacklevel=3, dtype=None" + GRAD,
    F.log_softmax: "(input, dim=None, _stacklevel=3, dtype=None" + GRAD,
    F.nll_loss: "(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean'" + GRAD,
    # cross_entropy: also swiftloss's keyword-only z-loss and softcapping (test_regularized.py)
    F.cross_entropy: "(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', label_smoothing=0.0"
                     + ", *, z_loss=0.0, softcap=None, return_z_loss=False, with_grad=False, grad_output=None, out=None)",
    F.binary_cross_entropy: "(input, target, weight=None, size_average=None, reduce=None, reduction='mean'" + GRAD,
    F.binary_cross_entropy_with_logits: "(input, target, weight=None, size_average=None, reduce=None, reduction='mean', pos_weight=None" + GRAD,
    F.kl_div: "(input, target, size_average=None, reduce=None, reduction='mean', log_target=False" + GRAD,
    swiftloss.Softmax: "(dim=None)",
    swiftloss.LogSoftmax: "(dim=None)",
    swiftloss.NLLLoss: "(weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean')",
    swiftloss.CrossEntropyLoss: "(weight=None, size_average=None, ignore_index=-100, reduce=None, reduction='mean', label_smoothing=0.0, *, z_loss=0.0, softcap=None, return_z_loss=False)",
    swiftloss.BCELoss: "(weight=None, size_average=None, reduce=None, reduction='mean')",
    swiftloss.BCEWithLogitsLoss: "(weight=None, size_average=None, reduce=None, reduction='mean', pos_weight=None)",
    swiftloss.KLDivLoss: "(size_average=None, reduce=None, reduction='mean', log_target=False)",
}


@pytest.mark.parametrize("obj", list(SIGNATURES), ids=lambda o: o.__name__)
def test_torch_signatures(obj):
    signature = inspect.signature(obj)
    plain = signature.replace(
        parameters=[p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()],
        return_annotation=inspect.Signature.empty,
    )
    assert str(plain) == SIGNATURES[obj]


@pytest.mark.parametrize("obj", list(SIGNATURES), ids=lambda o: o.__name__)
def test_docstrings(obj):
    assert obj.__doc__ and len(obj.__doc__) > 60


def test_public_names():
    for name in swiftloss.__all__:
        assert hasattr(swiftloss, name)
    assert swiftloss.functional.cross_entropy is swiftloss.cross_entropy
    assert swiftloss.modules.CrossEntropyLoss is swiftloss.CrossEntropyLoss


def test_modules_keep_their_keywords():
    loss = swiftloss.CrossEntropyLoss(weight=[1.0, 2.0], ignore_index=3, reduction="sum", label_smoothing=0.2)
    assert (loss.weight, loss.ignore_index, loss.reduction, loss.label_smoothing) == ([1.0, 2.0], 3, "sum", 0.2)
    assert swiftloss.Softmax(dim=1).dim == 1
    assert repr(swiftloss.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(swiftloss.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert swiftloss.BCEWithLogitsLoss(pos_weight=[2.0]).pos_weight == [2.0]
    assert swiftloss.KLDivLoss(log_target=True).log_target is True
    assert swiftloss.NLLLoss().forward(X, T) == swiftloss.NLLLoss()(X, T)


def test_legacy_size_average_and_reduce():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        loss = swiftloss.CrossEntropyLoss(size_average=False)
    assert loss.reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        result = F.cross_entropy(X, T, reduce=False)
    assert result.shape == (2,)
    with pytest.warns(UserWarning):
        assert F.kl_div(X, X, size_average=False) == F.kl_div(X, X, reduction="sum")


def test_elementwise_mean_is_a_deprecated_mean():
    with pytest.warns(UserWarning, match="elementwise_mean"):
        assert F.cross_entropy(X, T, reduction="elementwise_mean") == F.cross_entropy(X, T)


def test_implicit_softmax_dim_warns_like_torch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        result = F.softmax(X)
    np.testing.assert_allclose(result, F.softmax(X, 1))
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        result = swiftloss.LogSoftmax()(X[0])
    np.testing.assert_allclose(result, F.log_softmax(X[0], 0))


# ------------------------------------------------------------------------------------------
# PyTorch's surprises (SEMANTICS.md)
# ------------------------------------------------------------------------------------------

def test_softmax_infinities():
    x = np.array([[-np.inf, -np.inf, -np.inf], [0.0, np.inf, 1.0], [0.0, -np.inf, 1.0], [0.0, np.nan, 1.0]], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, lp = F.softmax(x, 1), F.log_softmax(x, 1)
    assert np.all(np.isnan(p[0])) and np.all(np.isnan(lp[0]))
    assert np.all(np.isnan(p[1])) and np.all(np.isnan(lp[1]))
    assert np.all(np.isnan(p[3])) and np.all(np.isnan(lp[3]))
    assert p[2, 1] == 0 and lp[2, 1] == -np.inf
    np.testing.assert_allclose(p[2, [0, 2]], np.exp([0, 1]) / np.exp([0, 1]).sum(), rtol=1e-6)


def test_softmax_zero_dimensional_and_empty():
    assert F.softmax(np.float32(3.0), 0) == 1.0
    assert F.softmax(np.float32(3.0), 0).shape == ()
    assert F.log_softmax(np.zeros((0, 3), np.float32), 1).shape == (0, 3)
    assert F.softmax(np.zeros((2, 0), np.float32), 1).shape == (2, 0)


def test_all_targets_ignored():
    t = np.array([-100, -100])
    assert np.isnan(F.cross_entropy(X, t))
    assert F.cross_entropy(X, t, reduction="sum") == 0
    assert np.all(F.cross_entropy(X, t, reduction="none") == 0)
    assert np.isnan(F.nll_loss(X, t))
    assert np.isnan(F.cross_entropy(X, t, label_smoothing=0.2))


def test_empty_batch():
    x, t = np.zeros((0, 4), np.float32), np.zeros(0, np.int64)
    assert np.isnan(F.cross_entropy(x, t))
    assert F.cross_entropy(x, t, reduction="sum") == 0
    assert F.cross_entropy(x, t, reduction="none").shape == (0,)
    assert np.isnan(F.cross_entropy(x, np.zeros((0, 4), np.float32)))
    assert np.isnan(F.binary_cross_entropy(np.zeros(0), np.zeros(0)))
    assert np.isnan(F.kl_div(np.zeros((0, 3)), np.zeros((0, 3)), reduction="batchmean"))


def test_zero_weights_give_nan_mean_and_negative_weights_are_allowed():
    assert np.isnan(F.cross_entropy(X, T, weight=[1.0, 1.0, 0.0, 0.0]))
    lp = F.log_softmax(X, 1)
    np.testing.assert_allclose(F.nll_loss(lp, T, weight=[1.0, 1.0, -1.0, 2.0], reduction="sum"),
                               lp[0, 2] - 2 * lp[1, 3], rtol=1e-6)


def test_ignore_index_naming_a_real_class_still_counts_in_the_softmax():
    ce = F.cross_entropy(X, T, ignore_index=3, reduction="none")
    assert ce[1] == 0
    np.testing.assert_allclose(ce[0], -F.log_softmax(X, 1)[0, 2], rtol=1e-6)
    np.testing.assert_allclose(F.cross_entropy(X, T, ignore_index=3), ce[0], rtol=1e-6)


def test_ignore_index_255():
    t = np.array([2, 255])
    np.testing.assert_allclose(F.cross_entropy(X, t, ignore_index=255), -F.log_softmax(X, 1)[0, 2], rtol=1e-6)


def test_negative_label_smoothing_behaves_as_zero():
    assert F.cross_entropy(X, T, label_smoothing=-0.5) == F.cross_entropy(X, T)
    assert F.cross_entropy(X, T, label_smoothing=float("nan")) == F.cross_entropy(X, T)


def test_label_smoothing_uses_each_class_weight():
    w = np.array([1.0, 2.0, 3.0, 4.0])
    lp = F.log_softmax(X.astype(np.float64), 1)
    eps = 0.3
    nll = -np.array([w[2] * lp[0, 2], w[3] * lp[1, 3]])
    smooth = -(lp * w).sum(axis=1)
    expected = ((1 - eps) * nll.sum() + eps / 4 * smooth.sum()) / (w[2] + w[3])
    np.testing.assert_allclose(F.cross_entropy(X.astype(np.float64), T, weight=w, label_smoothing=eps), expected, rtol=1e-12)


def test_probability_target_mean_divides_by_samples_not_weights():
    q = np.eye(4)[T]
    w = np.array([1.0, 1.0, 2.0, 3.0])
    x = X.astype(np.float64)
    total = F.cross_entropy(x, q, weight=w, reduction="sum")
    np.testing.assert_allclose(F.cross_entropy(x, q, weight=w), total / 2, rtol=1e-12)
    np.testing.assert_allclose(F.cross_entropy(x, T, weight=w), total / 5, rtol=1e-12)


def test_nll_loss_on_probabilities_returns_minus_p():
    p = F.softmax(X, 1)
    np.testing.assert_allclose(F.nll_loss(p, T), -(p[0, 2] + p[1, 3]) / 2, rtol=1e-6)


def test_bce_clamps_logs_at_minus_100():
    assert F.binary_cross_entropy(np.array([0.0]), np.array([1.0])) == 100.0
    assert F.binary_cross_entropy(np.array([1.0]), np.array([0.0])) == 100.0
    assert F.binary_cross_entropy(np.array([0.0, 1.0]), np.array([0.0, 1.0]), reduction="sum") == 0.0


def test_bce_with_logits_is_stable():
    x = np.array([200.0, -200.0, 200.0, -200.0], np.float32)
    t = np.array([1.0, 0.0, 0.0, 1.0], np.float32)
    result = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    np.testing.assert_allclose(result, [0.0, 0.0, 200.0, 200.0], atol=1e-6)
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits([0.3], [1.0], pos_weight=[3.0]), 3 * np.log1p(np.exp(-0.3)), rtol=1e-12)


def test_bce_with_logits_equals_bce_on_sigmoid():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3))
    t = (rng.random((5, 3)) < 0.5).astype(float)
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(x, t),
                               F.binary_cross_entropy(1 / (1 + np.exp(-x)), t), rtol=1e-12)


def test_kl_div_zero_log_zero():
    assert F.kl_div(np.array([-1.0, -2.0]), np.array([0.0, 1.0]), reduction="sum") == 2.0
    np.testing.assert_allclose(F.kl_div(np.array([-1.0]), np.array([0.0]), reduction="sum", log_target=True), 1.0)


def test_kl_div_batchmean_and_mean():
    x = np.log(np.full((2, 4), 0.25))
    t = np.array([[0.1, 0.2, 0.3, 0.4], [0.25] * 4])
    total = F.kl_div(x, t, reduction="sum")
    np.testing.assert_allclose(F.kl_div(x, t, reduction="batchmean"), total / 2, rtol=1e-12)
    with pytest.warns(UserWarning):
        np.testing.assert_allclose(F.kl_div(x, t), total / 8, rtol=1e-12)
    # a 0-d input: batchmean is the sum (PyTorch divides only when input.dim() != 0)
    assert F.kl_div(np.float64(-1.0), np.float64(0.5), reduction="batchmean") == F.kl_div(
        np.float64(-1.0), np.float64(0.5), reduction="sum")


def test_reduction_keyword_is_checked_before_the_shapes():
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.binary_cross_entropy(np.full(3, 0.5), np.ones(2), reduction="avg")
