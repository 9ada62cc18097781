#!/usr/bin/env python3
"""Every worked example of the five loss-function articles, recomputed with swiftloss.

The articles (sections A to E below, each headed by the article's title) are short Chinese blog
posts about PyTorch's softmax, log_softmax, NLLLoss, CrossEntropyLoss, label smoothing, class
weights and reductions. This script walks through their examples in the same order and with
the same steps, computes each value with swiftloss, and prints one line per value:

    quantity | the article's number | swiftloss's number | mark [| PyTorch's number]

The mark is ✓ when swiftloss agrees with the article to the article's 4 decimals (|diff| <=
0.00005). For values the article does not print, the reference is the value PyTorch 2.15 computes
(typed in below at 6 decimals), to 1e-5; for the random examples (D, E) the reference is the
other side of the equality the article states. The article numbers below are typed in from
the articles: they are the reference data. If PyTorch is installed, a fourth column shows its number.

Exits 1 if any line disagrees.

    make articles        (or, in an environment of your own: pip install ./bindings/python, then
                          python examples/articles.py)
"""
import math
import sys
import unicodedata

import numpy as np

import swiftloss
import swiftloss as F
from swiftloss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    LogSoftmax,
    NLLLoss,
    Softmax,
)

try:
    import torch
    import torch.nn.functional as TF
except Exception:  # PyTorch is optional: without it there is no fourth column.
    torch = None

ARTICLE_TOLERANCE = 0.5e-4 + 1e-7  # agreement to 4 decimals, with float32 slack
PYTORCH_TOLERANCE = 1e-5  # the PyTorch 2.15 references below are typed in to 6 decimals
EQUAL_TOLERANCE = 1e-6  # both sides of an identity, computed in float32

failures = 0


def fmt(value, decimals):
    """A number or nested list of numbers with a fixed number of decimals."""
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return f"{float(array):.{decimals}f}"
    return "[" + ", ".join(fmt(v, decimals) for v in array) + "]"


def pad(text, width):
    """text padded to a display width (CJK characters take two columns)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


QUANTITY, ARTICLE, OURS = 76, 40, 46


def torch_value(compute):
    if torch is None or compute is None:
        return None
    try:
        with torch.no_grad():
            value = compute()
        return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)
    except Exception as error:  # show what PyTorch said instead of failing the walk
        return f"error: {error}"


def line(quantity, reference, ours, mode="article", torch_compute=None, shown=None, also=True):
    """Print one comparison and count a disagreement.

    mode 'article': reference is the article's 4-decimal number; 'pytorch': PyTorch
    2.15's value (the article does not print this value); 'equal': the other side
    of an identity, computed here. also: a further condition the line must meet.
    """
    global failures
    ours_array = np.asarray(ours, dtype=np.float64)
    ref_array = np.asarray(reference, dtype=np.float64)
    tolerance = {
        "article": ARTICLE_TOLERANCE,
        "pytorch": PYTORCH_TOLERANCE,
        "equal": EQUAL_TOLERANCE,
    }[mode]
    ok = also and ours_array.shape == ref_array.shape and bool(
        np.all(np.abs(ours_array - ref_array) <= tolerance * np.maximum(1.0, np.abs(ref_array)))
    )
    if not ok:
        failures += 1
    if shown is not None:
        ref_text = shown
    elif mode == "article":
        ref_text = fmt(reference, 4)
    elif mode == "pytorch":
        ref_text = fmt(reference, 6) + " (PyTorch)"
    else:
        ref_text = "= " + fmt(reference, 6)
    text = "  " + pad(quantity, QUANTITY) + pad(ref_text, ARTICLE) + pad(fmt(ours, 6), OURS)
    text += "✓" if ok else "✗"
    value = torch_value(torch_compute)
    if value is not None:
        text += "  " + (value if isinstance(value, str) else fmt(value, 6))
    print(text)


def section(title, setup):
    print()
    print(title)
    print(f"  {setup}")
    header = "  " + pad("quantity", QUANTITY) + pad("article", ARTICLE) + pad("swiftloss", OURS) + "mark"
    if torch is not None:
        header += "  PyTorch " + torch.__version__
    print(header)


def tt(array):
    """A numpy array as a torch tensor (for the PyTorch column only)."""
    return torch.from_numpy(np.ascontiguousarray(array))


# ------------------------------------------------------------------------------------------
# A. 001 — softmax, log_softmax, NLLLoss, CrossEntropyLoss, label smoothing
# ------------------------------------------------------------------------------------------

def article_001():
    preds = np.array([[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], dtype=np.float32)
    target = np.array([2, 3], dtype=np.int64)
    section(
        "A. 001 — NLLLoss, CrossEntropy_Loss and Label Smoothing (【损失函数】NLLLoss损失、CrossEntropy_Loss交叉熵损失以及Label Smoothing)",
        "preds = [[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], target = [2, 3]",
    )
    n, k = preds.shape

    # 一、1-5: the step-by-step computation the article prints.
    one_hot = np.eye(k, dtype=np.float32)[target]
    line("[1] one_hot编码target: one_hot(target) row 0 (numpy)", [0, 0, 1, 0], one_hot[0],
         torch_compute=lambda: TF.one_hot(tt(target))[0].float())
    line("[1] one_hot编码target: one_hot(target) row 1 (numpy)", [0, 0, 0, 1], one_hot[1],
         torch_compute=lambda: TF.one_hot(tt(target))[1].float())
    exp = np.exp(preds)
    line("[2] 对网络预测preds求指数: exp(preds) row 0 (numpy)", [1.1052, 1.2214, 1.3499, 1.4918], exp[0],
         torch_compute=lambda: torch.exp(tt(preds))[0])
    line("[2] 对网络预测preds求指数: exp(preds) row 1 (numpy)", [1.1052] * 4, exp[1],
         torch_compute=lambda: torch.exp(tt(preds))[1])
    softmax = F.softmax(preds, dim=1)
    line("[3] softmax操作: softmax(preds, dim=1) row 0", [0.2138, 0.2363, 0.2612, 0.2887], softmax[0],
         torch_compute=lambda: TF.softmax(tt(preds), dim=1)[0])
    line("[3] softmax操作: softmax(preds, dim=1) row 1", [0.2500] * 4, softmax[1],
         torch_compute=lambda: TF.softmax(tt(preds), dim=1)[1])
    log_softmax = F.log_softmax(preds, dim=1)
    line("[4] softmax后取对数: log_softmax(preds, dim=1) row 0", [-1.5425, -1.4425, -1.3425, -1.2425],
         log_softmax[0], torch_compute=lambda: TF.log_softmax(tt(preds), dim=1)[0])
    line("[4] softmax后取对数: log_softmax(preds, dim=1) row 1", [-1.3863] * 4, log_softmax[1],
         torch_compute=lambda: TF.log_softmax(tt(preds), dim=1)[1])
    # The article also takes log(softmax) by hand: the same numbers.
    line("    log(softmax(preds)) by hand, row 0", [-1.5425, -1.4425, -1.3425, -1.2425],
         np.log(softmax[0]), torch_compute=lambda: torch.log(TF.softmax(tt(preds), dim=1))[0])
    manual = -np.sum(one_hot * log_softmax) / target.shape[0]
    line("[5] 手动使用nllloss计算交叉熵: -sum(one_hot * log_softmax) / N", 1.3644, manual,
         torch_compute=lambda: -torch.sum(TF.one_hot(tt(target)).float() * TF.log_softmax(tt(preds), 1)) / 2)
    line("    by hand: -((-1.3425) + (-1.3863)) / 2, from log_softmax", 1.3644,
         -(log_softmax[0, 2] + log_softmax[1, 3]) / 2)
    nll = F.nll_loss(log_softmax, target)
    line("函数使用Nllloss计算交叉熵: nll_loss(log_softmax(preds, dim=1), target)", 1.3644, nll,
         torch_compute=lambda: TF.nll_loss(TF.log_softmax(tt(preds), dim=1), tt(target)))
    ce = F.cross_entropy(preds, target)
    line("函数交叉熵cross_entropy: cross_entropy(preds, target)", 1.3644, ce,
         torch_compute=lambda: TF.cross_entropy(tt(preds), tt(target)))

    # 二、Label smoothing, by the article's arithmetic.
    row_sums = log_softmax.sum(axis=1)
    # The article adds its 4-decimal log_softmax values: -1.5425 - 1.4425 - 1.3425 - 1.2425.
    line("二 sum(log_softmax) row 0, of the 4-decimal values the article adds", -5.5700,
         np.round(log_softmax[0].astype(np.float64), 4).sum())
    line("   sum(log_softmax) row 0 at full precision", -5.570142, row_sums[0], mode="pytorch",
         torch_compute=lambda: TF.log_softmax(tt(preds), dim=1).sum(dim=1)[0])
    line("   sum(log_softmax) row 1", -5.5452, row_sums[1],
         torch_compute=lambda: TF.log_softmax(tt(preds), dim=1).sum(dim=1)[1])
    smooth = -row_sums.sum() / (n * k)
    line("   smoothing term: -sum(log_softmax) / (N * K)", 1.3894, smooth,
         torch_compute=lambda: -TF.log_softmax(tt(preds), dim=1).sum() / 8)
    epsilon = 0.1
    line("   (1 - 0.1) * 1.3644 + 0.1 * 1.3894, from the values above", 1.3669,
         (1 - epsilon) * nll + epsilon * smooth)

    # The article's hand-written LabelSmoothing_CrossEntropy, on swiftloss's functions.
    def label_smoothing_cross_entropy(preds, target, epsilon=0.1, reduction="mean"):
        classes = preds.shape[-1]
        log_preds = F.log_softmax(preds, dim=-1)
        per_sample = -log_preds.sum(axis=-1)
        loss = per_sample.mean() if reduction == "mean" else per_sample.sum() if reduction == "sum" else per_sample
        nll = F.nll_loss(log_preds, target, reduction=reduction)
        return epsilon * (loss / classes) + (1 - epsilon) * nll

    line("Label smoothing损失: LabelSmoothing_CrossEntropy()(preds, target)", 1.3669,
         label_smoothing_cross_entropy(preds, target))
    line("   = cross_entropy(preds, target, label_smoothing=0.1)", 1.3669,
         F.cross_entropy(preds, target, label_smoothing=0.1),
         torch_compute=lambda: TF.cross_entropy(tt(preds), tt(target), label_smoothing=0.1))
    line("   = cross_entropy(..., label_smoothing=0.1) at full precision", 1.366915,
         F.cross_entropy(preds, target, label_smoothing=0.1), mode="pytorch",
         torch_compute=lambda: TF.cross_entropy(tt(preds), tt(target), label_smoothing=0.1))


# ------------------------------------------------------------------------------------------
# B. 003 — what CrossEntropyLoss does with an MNIST-style label
# ------------------------------------------------------------------------------------------

def article_003():
    inputs = np.array([[-0.5, -0.2, -0.3]], dtype=np.float32)
    target = np.array([0], dtype=np.int64)
    section(
        "B. 003 — what nn.CrossEntropyLoss does with an MNIST label (由mnist引发的思考)",
        "inputs = [[-0.5, -0.2, -0.3]], target = [0]  (the label is a class index, not a one-hot vector)",
    )
    criterion = CrossEntropyLoss()
    line("通过nn.CrossEntropy计算的结果: CrossEntropyLoss()(inputs, target)", 1.2729,
         criterion(inputs, target),
         torch_compute=lambda: torch.nn.CrossEntropyLoss()(tt(inputs), tt(target)))
    my_out = -inputs[:, 0] + np.log(np.sum(np.exp(inputs[0:1])))
    line("通过公式计算的结果: -inputs[:, 0] + log(sum(exp(inputs[0]))) (numpy)", [1.2729], my_out,
         torch_compute=lambda: -tt(inputs)[:, 0] + torch.log(torch.sum(torch.exp(tt(inputs)[0:1]))))
    log_softmax_function = LogSoftmax(dim=1)
    loss = NLLLoss()
    line("通过LogSoftmax和NLLLose函数计算的结果: NLLLoss()(LogSoftmax(dim=1)(inputs), target)", 1.2729,
         loss(log_softmax_function(inputs), target),
         torch_compute=lambda: torch.nn.NLLLoss()(torch.nn.LogSoftmax(dim=1)(tt(inputs)), tt(target)))


# ------------------------------------------------------------------------------------------
# C. 002 — weight and reduction
# ------------------------------------------------------------------------------------------

def article_002():
    section(
        "C. 002 — nn.CrossEntropyLoss weight and reduction (pytorch学习之损失函数)",
        "two classes, weights = [1, 2], labels = [0, 1, 1], unweighted losses [0.2, 0.3, 0.4]",
    )
    # Two-class logits whose unweighted losses are the article's illustrative numbers: a row
    # [0, m] with label 0 loses log(1 + e^m), so m = log(e^L - 1); label 1 uses [m, 0].
    losses = np.array([0.2, 0.3, 0.4])
    target = np.array([0, 1, 1], dtype=np.int64)
    m = np.log(np.expm1(losses))
    inputs = np.zeros((3, 2), dtype=np.float64)
    for i, label in enumerate(target):
        inputs[i, 1 - label] = m[i]
    inputs = inputs.astype(np.float32)
    weights = np.array([1, 2], dtype=np.float32)

    def torch_loss(**kwargs):
        return lambda: torch.nn.CrossEntropyLoss(**kwargs)(tt(inputs), tt(target))

    line("未加权重损失函数输出值: CrossEntropyLoss(reduction='none')", [0.2, 0.3, 0.4],
         CrossEntropyLoss(weight=None, reduction="none")(inputs, target),
         torch_compute=torch_loss(reduction="none"))
    line("加权重 weight=[1, 2]: CrossEntropyLoss(weight, reduction='none')", [0.2, 0.6, 0.8],
         CrossEntropyLoss(weight=weights, reduction="none")(inputs, target),
         torch_compute=lambda: torch.nn.CrossEntropyLoss(weight=tt(weights), reduction="none")(tt(inputs), tt(target)))
    line("   reduction='sum': 0.2 + 0.6 + 0.8", 1.6,
         CrossEntropyLoss(weight=weights, reduction="sum")(inputs, target),
         torch_compute=lambda: torch.nn.CrossEntropyLoss(weight=tt(weights), reduction="sum")(tt(inputs), tt(target)))
    line("   reduction='mean': (0.2 + 0.6 + 0.8) / 5, not / 3", 0.32,
         CrossEntropyLoss(weight=weights, reduction="mean")(inputs, target),
         torch_compute=lambda: torch.nn.CrossEntropyLoss(weight=tt(weights), reduction="mean")(tt(inputs), tt(target)))

    # The course's own example (PyTorch's numbers: the article does not print them).
    inputs = np.array([[1, 2], [1, 3], [1, 3]], dtype=np.float32)
    print("  the course's inputs = [[1, 2], [1, 3], [1, 3]], target = [0, 1, 1]:")
    expected = {
        (None, "none"): [1.313262, 0.126928, 0.126928],
        (None, "sum"): 1.567118,
        (None, "mean"): 0.522373,
        ("w", "none"): [1.313262, 0.253856, 0.253856],
        ("w", "sum"): 1.820974,
        ("w", "mean"): 0.364195,
    }
    for (weighted, reduction), reference in expected.items():
        weight = weights if weighted else None
        name = f"loss_f_{reduction}{'_w' if weighted else ''}: CrossEntropyLoss(weight={'[1, 2]' if weighted else 'None'}, reduction='{reduction}')"
        line(name, reference, CrossEntropyLoss(weight=weight, reduction=reduction)(inputs, target),
             mode="pytorch",
             torch_compute=(lambda w=weight, r=reduction: torch.nn.CrossEntropyLoss(
                 weight=None if w is None else tt(w), reduction=r)(tt(inputs), tt(target))))

    # The article's advice on BCELoss: inputs must be probabilities, so apply a sigmoid first,
    # or use BCEWithLogitsLoss on the logits; multi-label: each label its own binary problem.
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((4, 3)).astype(np.float32)
    labels = (rng.random((4, 3)) < 0.5).astype(np.float32)
    probabilities = (1 / (1 + np.exp(-logits.astype(np.float64)))).astype(np.float32)
    with_logits = BCEWithLogitsLoss()(logits, labels)
    line("BCELoss()(sigmoid(x), y), multi-label x, y of shape (4, 3)", with_logits,
         BCELoss()(probabilities, labels), mode="equal",
         shown="= BCEWithLogitsLoss()(x, y) " + fmt(with_logits, 4),
         torch_compute=lambda: torch.nn.BCELoss()(torch.sigmoid(tt(logits)), tt(labels)))


# ------------------------------------------------------------------------------------------
# D. 000 — CrossEntropyLoss = log_softmax + NLLLoss
# ------------------------------------------------------------------------------------------

def article_000():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((2, 6)).astype(np.float32)
    target = np.array([1, 2], dtype=np.int64)
    section(
        "D. 000 — nn.CrossEntropyLoss() and nn.NLLLoss() (CrossEntropyLoss() = log_softmax() + NLLLoss())",
        f"data = randn(2, 6) (numpy seed 0), target = [1, 2]; data row 0 = {fmt(data[0], 4)}",
    )
    log_soft = F.log_softmax(data, dim=1)
    entropy_out = F.cross_entropy(data, target)
    nll_out = F.nll_loss(log_soft, target)
    line("entropy_out: cross_entropy(data, target)", nll_out, entropy_out, mode="equal",
         shown="= nll_out " + fmt(nll_out, 6),
         torch_compute=lambda: TF.cross_entropy(tt(data), tt(target)))
    line("nll_out: nll_loss(log_softmax(data, dim=1), target)", entropy_out, nll_out, mode="equal",
         shown="= entropy_out " + fmt(entropy_out, 6),
         torch_compute=lambda: TF.nll_loss(TF.log_softmax(tt(data), dim=1), tt(target)))


# ------------------------------------------------------------------------------------------
# E. 004 — negative log-likelihood vs cross-entropy
# ------------------------------------------------------------------------------------------

def article_004():
    rng = np.random.default_rng(4)
    # model = nn.Linear(10, 2), initialised as PyTorch does: U(-1/sqrt(10), 1/sqrt(10)).
    bound = 1 / math.sqrt(10)
    weight = rng.uniform(-bound, bound, (2, 10)).astype(np.float32)
    bias = rng.uniform(-bound, bound, 2).astype(np.float32)
    x = rng.standard_normal((100, 10)).astype(np.float32)
    y = rng.integers(0, 2, 100).astype(np.int64)
    section(
        "E. 004 — negative log-likelihood vs cross-entropy (负对数似然损失函数公式,以及其和交叉熵损失函数的区别)",
        "model = Linear(10, 2) (numpy seed 4), x = randn(100, 10), y = randint(0, 2, (100,))",
    )
    logits = x @ weight.T + bias
    probs = Softmax(dim=1)(logits)
    loss_fn = NLLLoss()
    nll_loss = loss_fn(probs, y)
    # NLLLoss takes log-probabilities; given probabilities it returns -mean(p[target]).
    minus_mean_p = -np.mean(probs[np.arange(len(y)), y], dtype=np.float64)
    line("NLL Loss: NLLLoss()(softmax(logits), y): probabilities in, a negative loss", minus_mean_p,
         nll_loss, mode="equal", shown=f"= -mean(p[y]) {minus_mean_p:.6f}", also=nll_loss < 0,
         torch_compute=lambda: torch.nn.NLLLoss()(torch.softmax(tt(logits), dim=1), tt(y)))
    ce = CrossEntropyLoss()(logits, y)
    line("NLLLoss()(LogSoftmax(dim=1)(logits), y): what NLLLoss expects", ce,
         loss_fn(LogSoftmax(dim=1)(logits), y), mode="equal",
         shown="= CrossEntropyLoss()(logits, y) " + fmt(ce, 4),
         torch_compute=lambda: torch.nn.NLLLoss()(torch.log_softmax(tt(logits), dim=1), tt(y)))
    one_hot = np.eye(2, dtype=np.float32)[y]
    line("CE = -sum(y * log(y_hat)): cross_entropy(logits, one_hot(y))", ce,
         F.cross_entropy(logits, one_hot), mode="equal",
         shown="= cross_entropy(logits, y) " + fmt(ce, 4),
         torch_compute=lambda: TF.cross_entropy(tt(logits), tt(one_hot)))


def main():
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")  # the marks and the articles' titles
    print(f"swiftloss {swiftloss.__version__}: the worked examples of the five articles (sections A to E)")
    article_001()
    article_003()
    article_002()
    article_000()
    article_004()
    print()
    if failures:
        print(f"{failures} line(s) disagree")
        return 1
    print("every line agrees")
    return 0


if __name__ == "__main__":
    sys.exit(main())
