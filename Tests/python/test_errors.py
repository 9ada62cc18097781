"""Every bad input listed in SEMANTICS.md raises PyTorch's exception type and message.

Where PyTorch raises RuntimeError for a bad argument, swiftloss raises ValueError with the same
message (a documented choice); IndexError and ValueError are raised where PyTorch raises them.
"""
import re
import warnings

import numpy as np
import pytest

import swiftloss
import swiftloss as F

X = np.array([[0.1, 0.2, 0.3], [0.3, 0.2, 0.1], [1.0, 2.0, 3.0]], dtype=np.float32)
T = np.array([0, 2, 1])


def raises(exception, message):
    """pytest.raises matching the whole message exactly."""
    return pytest.raises(exception, match="^" + re.escape(message) + "$")


# ------------------------------------------------------------------------------------------
# softmax / log_softmax
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("function", [F.softmax, F.log_softmax])
def test_dim_out_of_range(function):
    with raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"):
        function(X, dim=2)
    with raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got -3)"):
        function(X, dim=-3)
    with raises(IndexError, "Dimension out of range (expected to be in range of [-4, 3], but got 4)"):
        function(np.zeros((1, 2, 3, 4)), 4)
    # a 0-d input counts as 1-d
    with raises(IndexError, "Dimension out of range (expected to be in range of [-1, 0], but got 1)"):
        function(np.float32(1.0), 1)


def test_softmax_module_dim_out_of_range():
    with raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 2)"):
        swiftloss.Softmax(dim=2)(X)
    with raises(IndexError, "Dimension out of range (expected to be in range of [-2, 1], but got 5)"):
        swiftloss.LogSoftmax(dim=5)(X)


@pytest.mark.parametrize("function", [F.softmax, F.log_softmax])
@pytest.mark.parametrize("bad", [np.array([1, 2, 3]), np.array([True, False]), np.array([1j])])
def test_softmax_rejects_non_float(function, bad):
    with pytest.raises(TypeError, match="expected a floating-point input"):
        function(bad, 0)


# ------------------------------------------------------------------------------------------
# nll_loss / cross_entropy: targets, weights, batch sizes, reductions
# ------------------------------------------------------------------------------------------

CLASS_FUNCTIONS = [
    pytest.param(F.nll_loss, id="nll_loss"),
    pytest.param(F.cross_entropy, id="cross_entropy"),
    pytest.param(lambda *a, **k: swiftloss.NLLLoss(**k)(*a), id="NLLLoss"),
    pytest.param(lambda *a, **k: swiftloss.CrossEntropyLoss(**k)(*a), id="CrossEntropyLoss"),
]


@pytest.mark.parametrize("function", CLASS_FUNCTIONS)
def test_target_out_of_bounds(function):
    with raises(IndexError, "Target 5 is out of bounds."):
        function(X, np.array([0, 5, 1]))
    with raises(IndexError, "Target 3 is out of bounds."):
        function(X, np.array([0, 3, 7]))  # the first bad target is named
    with raises(IndexError, "Target -1 is out of bounds."):
        function(X, np.array([0, -1, 1]))
    # ignore_index is checked before the bounds: 255 (or -1) may be ignored
    function(X, np.array([0, 255, 1]), ignore_index=255)
    function(X, np.array([0, -1, 1]), ignore_index=-1)
    with raises(IndexError, "Target -100 is out of bounds."):
        function(X, np.array([0, -100, 1]), ignore_index=255)


@pytest.mark.parametrize("function", CLASS_FUNCTIONS)
def test_target_out_of_bounds_unbatched_and_spatial(function):
    with raises(IndexError, "Target 3 is out of bounds."):
        function(X[0], np.array(3))
    with raises(IndexError, "Target 4 is out of bounds."):
        function(np.zeros((2, 3, 2, 2), np.float32), np.array([[[0, 1], [2, 4]], [[0, 0], [0, 0]]]))


def test_target_out_of_bounds_with_label_smoothing():
    with raises(IndexError, "Target 5 is out of bounds."):
        F.cross_entropy(X, np.array([0, 5, 1]), label_smoothing=0.1)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.uint64])
def test_target_out_of_bounds_any_integer_dtype(dtype):
    with raises(IndexError, "Target 5 is out of bounds."):
        F.cross_entropy(X, np.array([0, 5, 1], dtype=dtype))


def test_target_out_of_bounds_huge_uint64():
    with raises(IndexError, f"Target {2**64 - 1} is out of bounds."):
        F.cross_entropy(X, np.array([0, 2**64 - 1, 1], dtype=np.uint64))


@pytest.mark.parametrize("function", CLASS_FUNCTIONS)
def test_weight_size(function):
    message = ("weight tensor should be defined either for all 3 classes or no classes but got "
               "weight tensor of shape: [2]")
    with raises(ValueError, message):
        function(X, T, weight=np.array([1.0, 2.0]))
    with raises(ValueError, message.replace("[2]", "[1, 3]")):
        function(X, T, weight=np.ones((1, 3)))


def test_weight_size_probability_targets():
    with raises(ValueError, "cross_entropy: weight tensor should be defined either for all 3 classes "
                            "or no classes but got weight tensor of shape: [4]"):
        F.cross_entropy(X, F.softmax(X, 1), weight=np.ones(4))


def test_weight_size_with_label_smoothing():
    with raises(ValueError, "weight tensor should be defined either for all 3 classes or no classes "
                            "but got weight tensor of shape: [2]"):
        F.cross_entropy(X, T, weight=[1.0, 2.0], label_smoothing=0.2)


@pytest.mark.parametrize("function", CLASS_FUNCTIONS)
def test_batch_size_mismatch(function):
    with raises(ValueError, "Expected input batch_size (3) to match target batch_size (2)."):
        function(X, np.array([0, 1]))
    with raises(ValueError, "Expected input batch_size (2) to match target batch_size (3)."):
        function(np.zeros((2, 3, 4), np.float32), np.zeros((3, 4), np.int64))


@pytest.mark.parametrize("function", CLASS_FUNCTIONS)
def test_target_shape_mismatch(function):
    with raises(ValueError, "Expected target size [2, 4], got [2, 5]"):
        function(np.zeros((2, 3, 4), np.float32), np.zeros((2, 5), np.int64))
    with raises(ValueError, "0D or 1D target tensor expected, multi-target not supported"):
        function(X, np.zeros((3, 2), np.int64))
    with raises(ValueError, "Expected 1 or more dimensions (got 0)"):
        function(np.float32(1.0), np.array([0]))


def test_zero_dimensional_input():
    with raises(ValueError, "Expected 1 or more dimensions (got 0)"):
        F.nll_loss(np.float32(1.0), np.int64(0))
    with raises(ValueError, "Expected 1 or more dimensions (got 0)"):
        F.cross_entropy(np.float32(1.0), np.float32(1.0))
    # equal shapes mean probability targets, as in PyTorch
    with raises(TypeError, "Expected floating point type for target with class probabilities, got int64"):
        F.cross_entropy(np.float32(1.0), np.int64(0))


@pytest.mark.parametrize("function", CLASS_FUNCTIONS)
def test_class_target_must_be_integer(function):
    with pytest.raises(TypeError, match="integer class indices"):
        function(X, np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match="integer class indices"):
        function(X, np.array([True, False, True]))


def test_probability_target_must_be_float():
    with raises(TypeError, "Expected floating point type for target with class probabilities, got int64"):
        F.cross_entropy(X, np.zeros((3, 3), np.int64))


@pytest.mark.parametrize("function", CLASS_FUNCTIONS)
def test_input_must_be_float(function):
    with pytest.raises(TypeError, match="expected a floating-point input"):
        function(np.array([[1, 2], [1, 3]]), np.array([0, 1]))


BAD_REDUCTION = "avg is not a valid value for reduction"
ALL_FUNCTIONS = [
    (F.nll_loss, (X, T)),
    (F.cross_entropy, (X, T)),
    (F.cross_entropy, (X, F.softmax(X, 1))),
    (F.binary_cross_entropy, (np.full(3, 0.5), np.ones(3))),
    (F.binary_cross_entropy_with_logits, (np.zeros(3), np.ones(3))),
    (F.kl_div, (np.zeros(3), np.ones(3))),
]


@pytest.mark.parametrize("function,args", ALL_FUNCTIONS)
def test_bad_reduction(function, args):
    with raises(ValueError, BAD_REDUCTION):
        function(*args, reduction="avg")
    with raises(ValueError, "None is not a valid value for reduction"):
        function(*args, reduction=None)


@pytest.mark.parametrize("module,args", [
    (swiftloss.NLLLoss, (X, T)),
    (swiftloss.CrossEntropyLoss, (X, T)),
    (swiftloss.BCELoss, (np.full(3, 0.5), np.ones(3))),
    (swiftloss.BCEWithLogitsLoss, (np.zeros(3), np.ones(3))),
    (swiftloss.KLDivLoss, (np.zeros(3), np.ones(3))),
])
def test_bad_reduction_modules(module, args):
    loss = module(reduction="avg")  # like torch.nn, checked when called
    with raises(ValueError, BAD_REDUCTION):
        loss(*args)


def test_batchmean_only_for_kl_div():
    with raises(ValueError, "batchmean is not a valid value for reduction"):
        F.cross_entropy(X, T, reduction="batchmean")


# ------------------------------------------------------------------------------------------
# label smoothing, ignore_index with probability targets
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("eps,text", [(1.5, "1.5"), (2.0, "2"), (1.0000001, "1"), (float("inf"), "inf")])
def test_label_smoothing_above_one(eps, text):
    message = f"label_smoothing must be between 0.0 and 1.0. Got: {text}"
    with raises(ValueError, message):
        F.cross_entropy(X, T, label_smoothing=eps)
    with raises(ValueError, message):
        F.cross_entropy(X, F.softmax(X, 1), label_smoothing=eps)
    with raises(ValueError, message):
        swiftloss.CrossEntropyLoss(label_smoothing=eps)(X, T)


def test_label_smoothing_check_comes_before_the_shapes():
    with raises(ValueError, "label_smoothing must be between 0.0 and 1.0. Got: 1.5"):
        F.cross_entropy(X, np.array([0, 1]), label_smoothing=1.5)


def test_ignore_index_with_probability_targets():
    q = F.softmax(X, 1)
    with raises(ValueError, "ignore_index is not supported for floating point target"):
        F.cross_entropy(X, q, ignore_index=0)
    with raises(ValueError, "ignore_index is not supported for floating point target"):
        swiftloss.CrossEntropyLoss(ignore_index=255)(X, q)
    F.cross_entropy(X, q, ignore_index=-1)  # any negative value is fine


def test_ignore_index_must_be_an_integer():
    with pytest.raises(TypeError):
        F.cross_entropy(X, T, ignore_index=1.5)


# ------------------------------------------------------------------------------------------
# binary_cross_entropy
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [-0.1, 1.1, np.nan, np.inf, -np.inf])
def test_bce_input_out_of_range(bad):
    x = np.array([0.5, bad, 0.5])
    with raises(ValueError, "all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(x, np.ones(3))
    with raises(ValueError, "all elements of input should be between 0 and 1"):
        swiftloss.BCELoss()(x, np.ones(3))


@pytest.mark.parametrize("bad", [-0.1, 1.1, np.nan])
def test_bce_target_out_of_range(bad):
    t = np.array([0.5, bad, 0.5])
    with raises(ValueError, "all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(np.full(3, 0.5), t)


def test_bce_range_error_names_the_first_bad_element():
    # PyTorch checks element by element, the input before the target
    with raises(ValueError, "all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(np.array([0.5, 2.0]), np.array([2.0, 0.5]))
    with raises(ValueError, "all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(np.array([2.0, 0.5]), np.array([2.0, 0.5]))


def test_bce_shape_mismatch():
    with raises(ValueError, "Using a target size (torch.Size([2])) that is different to the input size "
                            "(torch.Size([3])) is deprecated. Please ensure they have the same size."):
        F.binary_cross_entropy(np.full(3, 0.5), np.ones(2))
    with raises(ValueError, "Using a target size (torch.Size([3, 1])) that is different to the input "
                            "size (torch.Size([3])) is deprecated. Please ensure they have the same size."):
        swiftloss.BCELoss()(np.full(3, 0.5), np.ones((3, 1)))


def test_bce_weight_does_not_broadcast():
    with raises(ValueError, "The size of tensor a (3) must match the size of tensor b (2) at "
                            "non-singleton dimension 1"):
        F.binary_cross_entropy(np.full((2, 3), 0.5), np.ones((2, 3)), weight=np.ones(2))
    with pytest.raises(ValueError, match="does not broadcast"):
        F.binary_cross_entropy(np.full((2, 3), 0.5), np.ones((2, 3)), weight=np.ones((4, 2, 3)))


def test_bce_rejects_non_float_input():
    with pytest.raises(TypeError, match="expected a floating-point input"):
        F.binary_cross_entropy(np.array([0, 1]), np.array([0, 1]))


# ------------------------------------------------------------------------------------------
# binary_cross_entropy_with_logits, kl_div
# ------------------------------------------------------------------------------------------

def test_bce_with_logits_shape_mismatch():
    with raises(ValueError, "Target size (torch.Size([2, 1])) must be the same as input size "
                            "(torch.Size([2]))"):
        F.binary_cross_entropy_with_logits(np.zeros(2), np.ones((2, 1)))
    with raises(ValueError, "Target size (torch.Size([3])) must be the same as input size "
                            "(torch.Size([2]))"):
        swiftloss.BCEWithLogitsLoss()(np.zeros(2), np.ones(3))


def test_bce_with_logits_pos_weight_does_not_broadcast():
    with raises(ValueError, "The size of tensor a (3) must match the size of tensor b (4) at "
                            "non-singleton dimension 1"):
        F.binary_cross_entropy_with_logits(np.zeros((2, 3)), np.ones((2, 3)), pos_weight=np.ones(4))


def test_kl_div_shapes_do_not_broadcast():
    with raises(ValueError, "The size of tensor a (3) must match the size of tensor b (2) at "
                            "non-singleton dimension 1"):
        F.kl_div(np.zeros((2, 3)), np.ones((2, 2)), reduction="sum")


def test_kl_div_mean_warns_like_pytorch():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(np.zeros(3), np.full(3, 1 / 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(np.zeros(3), np.full(3, 1 / 3), reduction="batchmean")


def test_complex_targets_are_rejected():
    with pytest.raises(TypeError, match="real-valued target"):
        F.binary_cross_entropy_with_logits(np.zeros(2), np.ones(2) * 1j)


@pytest.mark.parametrize("function", ["cross_entropy", "nll_loss"])
def test_unbatched_input_takes_a_one_element_target_as_torch(function):
    """A (C,) input with a (1,) target is the unbatched case (PyTorch 2.15: 'none' is 0-d);
    other 1-D targets raise torch's message."""
    x = np.log(np.array([0.1, 0.2, 0.3, 0.4], np.float32))
    f = getattr(F, function)
    for reduction in ("none", "sum", "mean"):
        got = f(x, np.array([2]), reduction=reduction)
        assert np.shape(got) == () and got == f(x, np.array(2), reduction=reduction)
    for size in (0, 2):
        with pytest.raises(ValueError, match=rf"^For 1D input, 1D target must have size 1, but got target size: {size}$"):
            f(x, np.zeros(size, np.int64))


@pytest.mark.parametrize("function", ["cross_entropy", "nll_loss"])
def test_a_0d_target_for_a_batch_counts_as_batch_size_0(function):
    with pytest.raises(ValueError, match=r"^Expected input batch_size \(8\) to match target batch_size \(0\)\.$"):
        getattr(F, function)(np.zeros((8, 5), np.float32), np.array(1))
    with pytest.raises(ValueError, match=r"^Expected input batch_size \(8\) to match target batch_size \(0\)\.$"):
        getattr(F, function)(np.zeros((8, 5, 3), np.float32), np.array(1))
