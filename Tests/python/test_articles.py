"""Every number of the five articles (../shared/articles.md), through the Python API.

The article prints 4 decimals: swiftloss must agree to those (|diff| <= 0.00005) and with the
PyTorch 2.15 column of articles.md to float32 round-off (1e-5).
"""
import math
import os
import subprocess
import sys

import numpy as np
import pytest

import swiftloss
import swiftloss as F

ARTICLE = dict(rtol=0, atol=0.5e-4 + 1e-7)
PYTORCH = dict(rtol=0, atol=1e-5)

PREDS = np.array([[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], dtype=np.float32)
TARGET = np.array([2, 3])


# ---- A. 001 -------------------------------------------------------------------------------

def test_a_softmax():
    result = F.softmax(PREDS, dim=1)
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, [[0.2138, 0.2363, 0.2612, 0.2887], [0.2500] * 4], **ARTICLE)
    np.testing.assert_allclose(result, [[0.213838, 0.236328, 0.261183, 0.288651], [0.25] * 4], **PYTORCH)


def test_a_log_softmax():
    result = F.log_softmax(PREDS, dim=1)
    np.testing.assert_allclose(result, [[-1.5425, -1.4425, -1.3425, -1.2425], [-1.3863] * 4], **ARTICLE)
    np.testing.assert_allclose(result, [[-1.542536, -1.442536, -1.342536, -1.242536], [-1.386294] * 4], **PYTORCH)


def test_a_nll_loss_manual_and_cross_entropy():
    log_softmax = F.log_softmax(PREDS, dim=1)
    nll = F.nll_loss(log_softmax, TARGET)
    manual = -np.sum(np.eye(4, dtype=np.float32)[TARGET] * log_softmax) / 2
    ce = F.cross_entropy(PREDS, TARGET)
    for value in (nll, manual, ce):
        np.testing.assert_allclose(value, 1.3644, **ARTICLE)
        np.testing.assert_allclose(value, 1.364415, **PYTORCH)
    assert isinstance(nll, np.float32) and isinstance(ce, np.float32)


def test_a_label_smoothing():
    log_softmax = F.log_softmax(PREDS, dim=1)
    row_sums = -log_softmax.sum(axis=1)
    np.testing.assert_allclose(row_sums, [5.570142, 5.545177], **PYTORCH)
    # the article adds its 4-decimal values, which gives 5.5700 for the first row
    np.testing.assert_allclose(-np.round(log_softmax[0].astype(np.float64), 4).sum(), 5.5700, **ARTICLE)
    np.testing.assert_allclose(row_sums[1], 5.5452, **ARTICLE)
    smooth = row_sums.sum() / 8
    np.testing.assert_allclose(smooth, 1.3894, **ARTICLE)
    np.testing.assert_allclose(smooth, 1.389415, **PYTORCH)
    nll = F.nll_loss(log_softmax, TARGET)
    np.testing.assert_allclose(0.9 * nll + 0.1 * smooth, 1.3669, **ARTICLE)
    builtin = F.cross_entropy(PREDS, TARGET, label_smoothing=0.1)
    np.testing.assert_allclose(builtin, 1.3669, **ARTICLE)
    np.testing.assert_allclose(builtin, 1.366915, **PYTORCH)
    module = swiftloss.CrossEntropyLoss(label_smoothing=0.1)(PREDS, TARGET)
    np.testing.assert_allclose(module, 1.366915, **PYTORCH)


def test_a_hand_written_label_smoothing_class_equals_builtin():
    # the article's LabelSmoothing_CrossEntropy, written with swiftloss's functions
    log_preds = F.log_softmax(PREDS, dim=-1)
    loss = (-log_preds.sum(axis=-1)).mean()
    nll = F.nll_loss(log_preds, TARGET, reduction="mean")
    value = 0.1 * (loss / 4) + 0.9 * nll
    np.testing.assert_allclose(value, F.cross_entropy(PREDS, TARGET, label_smoothing=0.1), rtol=1e-6)


# ---- B. 003 -------------------------------------------------------------------------------

def test_b_mnist_label():
    inputs = np.array([[-0.5, -0.2, -0.3]], dtype=np.float32)
    target = np.array([0])
    by_module = swiftloss.CrossEntropyLoss()(inputs, target)
    by_formula = -inputs[:, 0] + np.log(np.sum(np.exp(inputs[0:1])))
    by_nll = swiftloss.NLLLoss()(swiftloss.LogSoftmax(dim=1)(inputs), target)
    for value in (by_module, by_formula[0], by_nll):
        np.testing.assert_allclose(value, 1.2729, **ARTICLE)
        np.testing.assert_allclose(value, 1.272919, **PYTORCH)


# ---- C. 002 -------------------------------------------------------------------------------

def illustrative_inputs():
    """Two-class logits whose unweighted losses are the article's [0.2, 0.3, 0.4]."""
    target = np.array([0, 1, 1])
    m = np.log(np.expm1([0.2, 0.3, 0.4]))
    inputs = np.zeros((3, 2))
    for i, label in enumerate(target):
        inputs[i, 1 - label] = m[i]
    return inputs.astype(np.float32), target


def test_c_illustrative_weights():
    inputs, target = illustrative_inputs()
    w = np.array([1, 2], dtype=np.float32)
    np.testing.assert_allclose(swiftloss.CrossEntropyLoss(reduction="none")(inputs, target), [0.2, 0.3, 0.4], **ARTICLE)
    np.testing.assert_allclose(swiftloss.CrossEntropyLoss(weight=w, reduction="none")(inputs, target), [0.2, 0.6, 0.8], **ARTICLE)
    np.testing.assert_allclose(swiftloss.CrossEntropyLoss(weight=w, reduction="sum")(inputs, target), 1.6, **ARTICLE)
    np.testing.assert_allclose(swiftloss.CrossEntropyLoss(weight=w, reduction="mean")(inputs, target), 0.32, **ARTICLE)


@pytest.mark.parametrize("weighted,reduction,expected", [
    (False, "none", [1.313262, 0.126928, 0.126928]),
    (False, "sum", 1.567118),
    (False, "mean", 0.522373),
    (True, "none", [1.313262, 0.253856, 0.253856]),
    (True, "sum", 1.820974),
    (True, "mean", 0.364195),
])
def test_c_course_table(weighted, reduction, expected):
    inputs = np.array([[1, 2], [1, 3], [1, 3]], dtype=np.float32)
    target = np.array([0, 1, 1])
    weight = np.array([1, 2], dtype=np.float32) if weighted else None
    result = swiftloss.CrossEntropyLoss(weight=weight, reduction=reduction)(inputs, target)
    np.testing.assert_allclose(result, expected, **PYTORCH)
    assert np.asarray(result).shape == ((3,) if reduction == "none" else ())


def test_c_weighted_mean_divides_by_the_label_weights():
    inputs = np.array([[1, 2], [1, 3], [1, 3]], dtype=np.float32)
    target = np.array([0, 1, 1])
    w = np.array([1, 2], dtype=np.float32)
    total = F.cross_entropy(inputs, target, weight=w, reduction="sum")
    np.testing.assert_allclose(F.cross_entropy(inputs, target, weight=w), total / 5, rtol=1e-6)


# ---- D. 000 -------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_d_cross_entropy_is_log_softmax_plus_nll(seed):
    data = np.random.default_rng(seed).standard_normal((2, 6)).astype(np.float32)
    target = np.array([1, 2])
    np.testing.assert_allclose(F.cross_entropy(data, target), F.nll_loss(F.log_softmax(data, dim=1), target), rtol=1e-6)


# ---- E. 004 -------------------------------------------------------------------------------

def test_e_nll_loss_on_probabilities_is_negative():
    rng = np.random.default_rng(4)
    bound = 1 / math.sqrt(10)
    weight = rng.uniform(-bound, bound, (2, 10)).astype(np.float32)
    bias = rng.uniform(-bound, bound, 2).astype(np.float32)
    x = rng.standard_normal((100, 10)).astype(np.float32)
    y = rng.integers(0, 2, 100)
    probs = swiftloss.Softmax(dim=1)(x @ weight.T + bias)
    loss = swiftloss.NLLLoss()(probs, y)
    assert loss < 0
    np.testing.assert_allclose(loss, -np.mean(probs[np.arange(100), y]), rtol=1e-6)
    # the probability-target form CE = -sum(y * log(y_hat)) equals the class-index form
    logits = x @ weight.T + bias
    np.testing.assert_allclose(F.cross_entropy(logits, np.eye(2, dtype=np.float32)[y]),
                               F.cross_entropy(logits, y), rtol=1e-6)


# ---- the articles script ------------------------------------------------------------------

def test_articles_script_agrees_everywhere():
    script = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "articles.py")
    result = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✗" not in result.stdout
    assert result.stdout.count("✓") >= 40
    assert "every line agrees" in result.stdout
