"""The interpreter survives bad buffers: every function of swiftloss._swiftloss called directly
with every kind of bad argument in every position raises a Python exception, never crashes.

For each entry point a valid call is built (float32 and float64), then each argument in turn
is replaced by bad values:

* buffers: wrong dtypes (integers, float16, complex, bool, longdouble, byte-swapped, the
  other float width, bytes, array.array, ctypes, memoryviews cast to bytes), one element
  short or long, empty, 0-d, non-contiguous, non-buffers;
* outputs: read-only (numpy, bytes, memoryviews), partially overlapping each input, the same
  memory as an input (allowed only where the header says so; then the result must equal the
  out-of-place one, bit for bit, also for large threaded calls);
* sizes: negative, huge (sys.maxsize, products that overflow size_t, 2**63), off by one,
  zero, non-integers; reductions, flags, ignore_index and label_smoothing out of range.

Each must raise TypeError, ValueError, BufferError, OverflowError or IndexError, and leave the
output buffers untouched. A few replacements may legitimately succeed (an ignore_index that
names no target, ctypes' int64 'l' format): those must only not crash.

Every entry point's matrix runs in its own subprocess (``python test_bad_buffers.py --child
NAME``): a crash (a signal) fails the test and names the case that was running, instead of
killing pytest. The same holds for the race tests: another thread rewriting a target array
while the library runs without the GIL must not crash the interpreter.
"""
import array
import ctypes
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

try:  # the children run this file as a script and do not need pytest
    import pytest
except ImportError:  # pragma: no cover
    pytest = None

RAISES = (TypeError, ValueError, BufferError, OverflowError, IndexError)
SENTINEL = 42.0
HUGE = sys.maxsize
CHILD_TIMEOUT = 300

# ------------------------------------------------------------------------------------------
# The entry points: argument roles and a valid call
# ------------------------------------------------------------------------------------------
# Roles: "in" float buffer, "target" int64 class indices, "opt" optional float buffer,
# "out" writable float buffer, "size" a size_t, "ignore" int64, "reduction" int, "flag"
# log_target, "eps" label_smoothing. B, C, I = batch, classes, inner; N = element count.

B, C, I = 2, 3, 2
N = 6            # element-wise count
NONE, SUM, MEAN, BATCHMEAN = 0, 1, 2, 3

SIGNATURES = {
    "softmax": ["in:input", "size:outer", "size:dim", "size:inner", "out:output"],
    "log_softmax": ["in:input", "size:outer", "size:dim", "size:inner", "out:output"],
    "nll_loss": ["in:input", "target:target", "size:batch", "size:classes", "size:inner", "opt:weight",
                 "ignore:ignore_index", "reduction:reduction", "out:output"],
    "cross_entropy": ["in:input", "target:target", "size:batch", "size:classes", "size:inner", "opt:weight",
                      "ignore:ignore_index", "reduction:reduction", "eps:label_smoothing", "out:output"],
    "cross_entropy_probs": ["in:input", "in:target", "size:batch", "size:classes", "size:inner", "opt:weight",
                            "ignore:ignore_index", "reduction:reduction", "eps:label_smoothing", "out:output"],
    "binary_cross_entropy": ["in:input", "in:target", "size:count", "opt:weight", "reduction:reduction",
                             "out:output"],
    "binary_cross_entropy_with_logits": ["in:input", "in:target", "size:count", "opt:weight", "opt:pos_weight",
                                         "reduction:reduction", "out:output"],
    "kl_div": ["in:input", "in:target", "size:count", "size:batch", "reduction:reduction", "flag:log_target",
               "out:output"],
    "softmax_backward": ["in:output", "in:grad_output", "size:outer", "size:dim", "size:inner", "out:grad_input"],
    "log_softmax_backward": ["in:output", "in:grad_output", "size:outer", "size:dim", "size:inner",
                             "out:grad_input"],
    "nll_loss_backward": ["target:target", "size:batch", "size:classes", "size:inner", "opt:weight",
                          "ignore:ignore_index", "reduction:reduction", "in:grad_output", "out:grad_input"],
    "cross_entropy_backward": ["in:input", "target:target", "size:batch", "size:classes", "size:inner",
                               "opt:weight", "ignore:ignore_index", "reduction:reduction", "eps:label_smoothing",
                               "in:grad_output", "out:grad_input"],
    "cross_entropy_fused": ["in:input", "target:target", "size:batch", "size:classes", "size:inner", "opt:weight",
                            "ignore:ignore_index", "reduction:reduction", "eps:label_smoothing",
                            "opt:grad_output", "out:output", "out:grad_input"],
    "cross_entropy_probs_backward": ["in:input", "in:target", "size:batch", "size:classes", "size:inner",
                                     "opt:weight", "ignore:ignore_index", "reduction:reduction",
                                     "eps:label_smoothing", "in:grad_output", "out:grad_input"],
    "binary_cross_entropy_backward": ["in:input", "in:target", "size:count", "opt:weight", "reduction:reduction",
                                      "in:grad_output", "out:grad_input"],
    "binary_cross_entropy_with_logits_backward": ["in:input", "in:target", "size:count", "opt:weight",
                                                  "opt:pos_weight", "reduction:reduction", "in:grad_output",
                                                  "out:grad_input"],
    "kl_div_backward": ["in:target", "size:count", "size:batch", "reduction:reduction", "flag:log_target",
                        "in:grad_output", "out:grad_input"],
}
# cross_entropy with z-loss and softcapping: z_loss ("zl"), softcap ("cap", 0 for none), the
# three outputs each optional (None: not computed), "pflag" the probability-target switch.
SIGNATURES["cross_entropy_ex"] = ["in:input", "target:target", "size:batch", "size:classes", "size:inner",
                                  "opt:weight", "ignore:ignore_index", "reduction:reduction", "eps:label_smoothing",
                                  "zl:z_loss", "cap:softcap", "opt:grad_output", "out:output", "out:z_output",
                                  "out:grad_input", "pflag:probabilities"]
OPTIONAL_OUTPUTS = {"cross_entropy_ex": {"output", "z_output", "grad_input"},
                    "vocab_parallel_linear_backward": {"grad_input", "grad_linear_weight", "grad_linear_bias"}}
# The regression losses: one signature, "weight" exactly count elements ("optw") or always
# None ("none", the losses without one), "param" beta / delta.
REGRESSION = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss", "hinge_embedding_loss"]
for _name in REGRESSION:
    _weight = "optw:weight" if _name in ("mse_loss", "l1_loss", "huber_loss") else "none:weight"
    _head = ["in:input", "in:target", "size:count", _weight, "param:parameter", "reduction:reduction"]
    SIGNATURES[_name] = _head + ["out:output"]
    SIGNATURES[_name + "_backward"] = _head + ["in:grad_output", "out:grad_input"]

SIGNATURES["poisson_nll_loss"] = ["in:input", "in:target", "size:count", "flag:log_input", "flag:full",
                                  "param:eps", "reduction:reduction", "out:output"]
SIGNATURES["poisson_nll_loss_backward"] = SIGNATURES["poisson_nll_loss"][:-1] + ["in:grad_output", "out:grad_input"]

SIGNATURES["multilabel_soft_margin_loss"] = ["in:input", "in:target", "size:batch", "size:classes", "optw:weight",
                                             "reduction:reduction", "out:output"]
SIGNATURES["multilabel_soft_margin_loss_backward"] = (SIGNATURES["multilabel_soft_margin_loss"][:-1]
                                                      + ["in:grad_output", "out:grad_input"])

# Losses of several learned inputs: the gradient buffers are optional (None: not computed).
SEVERAL = ["margin_ranking_loss", "gaussian_nll_loss"]
SIGNATURES["margin_ranking_loss"] = ["in:input1", "in:input2", "in:target", "size:count", "param:margin",
                                     "reduction:reduction", "out:output"]
SIGNATURES["margin_ranking_loss_backward"] = (SIGNATURES["margin_ranking_loss"][:-1]
                                              + ["in:grad_output", "out:grad_input1", "out:grad_input2"])
SIGNATURES["gaussian_nll_loss"] = ["in:input", "in:target", "in:var", "size:count", "flag:full", "param:eps",
                                   "reduction:reduction", "out:output"]
SIGNATURES["gaussian_nll_loss_backward"] = (SIGNATURES["gaussian_nll_loss"][:-1]
                                            + ["in:grad_output", "out:grad_input", "out:grad_var"])


def several_gradient(name, arg):
    """Whether arg is an optional output: one of the gradient buffers of a loss of several
    learned inputs, or an output of cross_entropy_ex."""
    if arg in OPTIONAL_OUTPUTS.get(name, ()):
        return True
    return name.split("_backward")[0] in SEVERAL and arg.startswith("grad_") and arg != "grad_output"

# The margin losses: class indices ("target", batch of them) or label lists ("labels", batch *
# classes of them, -1 allowed), p an int ("pint"), margin a float ("param").
SIGNATURES["multi_margin_loss"] = ["in:input", "target:target", "size:batch", "size:classes", "pint:p",
                                   "param:margin", "opt:weight", "reduction:reduction", "out:output"]
SIGNATURES["multi_margin_loss_backward"] = SIGNATURES["multi_margin_loss"][:-1] + ["in:grad_output", "out:grad_input"]
SIGNATURES["multilabel_margin_loss"] = ["in:input", "labels:target", "size:batch", "size:classes",
                                        "reduction:reduction", "out:output"]
SIGNATURES["multilabel_margin_loss_backward"] = (SIGNATURES["multilabel_margin_loss"][:-1]
                                                 + ["in:grad_output", "out:grad_input"])
MARGIN = ("multi_margin", "multilabel_margin")
# The losses whose weight is one per class (exactly classes elements).
CLASS_WEIGHTED = ("nll", "cross", "multi_margin", "vocab_parallel")

# The embedding losses: rows of dim elements (cosine's target: one per row); optional gradient
# buffers too.
EMBEDDING = ["cosine_embedding_loss", "triplet_margin_loss"]
SEVERAL += EMBEDDING
SIGNATURES["cosine_embedding_loss"] = ["in:input1", "in:input2", "in:target", "size:batch", "size:dim",
                                       "param:margin", "reduction:reduction", "out:output"]
SIGNATURES["cosine_embedding_loss_backward"] = (SIGNATURES["cosine_embedding_loss"][:-1]
                                                + ["in:grad_output", "out:grad_input1", "out:grad_input2"])
SIGNATURES["triplet_margin_loss"] = ["in:anchor", "in:positive", "in:negative", "size:batch", "size:dim",
                                     "param:margin", "param:p", "param:eps", "flag:swap", "reduction:reduction",
                                     "out:output"]
SIGNATURES["triplet_margin_loss_backward"] = (SIGNATURES["triplet_margin_loss"][:-1]
                                              + ["in:grad_output", "out:grad_anchor", "out:grad_positive",
                                                 "out:grad_negative"])


# ctc_loss: (time, batch, classes) log_probs, padded targets (batch x target_stride; stride 0
# would mean concatenated), int64 lengths, an int64 blank.
CTC_T, CTC_S = 4, 2
SIGNATURES["ctc_loss"] = ["in:log_probs", "target:targets", "lengths:input_lengths", "lengths:target_lengths",
                          "size:time", "size:batch", "size:classes", "size:target_stride", "blank:blank",
                          "reduction:reduction", "flag:zero_infinity", "out:output"]
SIGNATURES["ctc_loss_backward"] = SIGNATURES["ctc_loss"][:-1] + ["in:grad_output", "out:grad_log_probs"]


def ctc_arguments(name, dtype, batch, classes, reduction, rng):
    """A valid ctc_loss call: labels in [1, classes), target lengths 2, 1, 2, ..."""
    out = batch if reduction == NONE else 1
    args = {"log_probs": np.log(rng.uniform(0.1, 1.0, CTC_T * batch * classes)).astype(dtype),
            "targets": rng.integers(1, max(classes, 2), batch * CTC_S).astype(np.int64),
            "input_lengths": np.full(batch, CTC_T, np.int64),
            "target_lengths": np.array([2 - n % 2 for n in range(batch)], np.int64),
            "time": CTC_T, "batch": batch, "classes": classes, "target_stride": CTC_S, "blank": 0,
            "reduction": reduction, "zero_infinity": 0}
    if name.endswith("_backward"):
        args["grad_output"] = rng.uniform(-2, 2, out).astype(dtype)
        args["grad_log_probs"] = np.full(CTC_T * batch * classes, SENTINEL, dtype)
    else:
        args["output"] = np.full(out, SENTINEL, dtype)
    return args


# linear_cross_entropy: (batch, hidden) input, (classes, hidden) linear_weight, optional bias,
# class weights and grad_output; class-index targets (probs 0; probability targets are the same
# worker with probs 1); the z output and the three gradients are optional (None: not computed).
LCE_H = 3
SIGNATURES["linear_cross_entropy"] = ["in:input", "in:linear_weight", "opt:linear_bias", "target:target",
                                      "lceprobs:probs", "size:batch", "size:hidden", "size:classes", "opt:weight",
                                      "ignore:ignore_index", "reduction:reduction", "eps:label_smoothing",
                                      "zloss:z_loss", "softcap:softcap", "opt:grad_output", "out:output",
                                      "out:z_output", "out:grad_input", "out:grad_linear_weight",
                                      "out:grad_linear_bias"]


def lce_arguments(dtype, batch, classes, reduction, rng):
    """A valid linear_cross_entropy call with every optional buffer given."""
    out = batch if reduction == NONE else 1
    return {"input": rng.uniform(-2, 2, batch * LCE_H).astype(dtype),
            "linear_weight": rng.uniform(-1, 1, classes * LCE_H).astype(dtype),
            "linear_bias": rng.uniform(-1, 1, classes).astype(dtype),
            "target": rng.integers(0, max(classes, 1), batch).astype(np.int64), "probs": 0,
            "batch": batch, "hidden": LCE_H, "classes": classes,
            "weight": rng.uniform(0.2, 2, classes).astype(dtype), "ignore_index": -100, "reduction": reduction,
            "label_smoothing": 0.1, "z_loss": 0.01, "softcap": 5.0,
            "grad_output": rng.uniform(-2, 2, out).astype(dtype),
            "output": np.full(out, SENTINEL, dtype), "z_output": np.full(out, SENTINEL, dtype),
            "grad_input": np.full(batch * LCE_H, SENTINEL, dtype),
            "grad_linear_weight": np.full(classes * LCE_H, SENTINEL, dtype),
            "grad_linear_bias": np.full(classes, SENTINEL, dtype)}


# Vocabulary-parallel cross_entropy: a shard of VP_W = 3 columns starting at VP_START = 1 of
# C_VP = 5 classes; row_max and stats are the (already reduced) statistics.
VP_W, VP_START, C_VP = 3, 1, 5
SIGNATURES["vocab_parallel_max"] = ["in:logits", "size:batch", "size:shard_classes", "out:row_max"]
SIGNATURES["vocab_parallel_stats"] = ["in:logits", "size:batch", "size:shard_classes", "size:vocab_start",
                                      "size:classes", "target:target", "opt:weight", "ignore:ignore_index",
                                      "eps:label_smoothing", "in:row_max", "out:stats"]
SIGNATURES["vocab_parallel_loss"] = ["target:target", "size:batch", "size:classes", "opt:weight",
                                     "ignore:ignore_index", "reduction:reduction", "eps:label_smoothing",
                                     "in:row_max", "in:stats", "out:output"]
SIGNATURES["vocab_parallel_backward"] = ["in:logits", "size:batch", "size:shard_classes", "size:vocab_start",
                                         "size:classes", "target:target", "opt:weight", "ignore:ignore_index",
                                         "reduction:reduction", "eps:label_smoothing", "in:row_max", "in:stats",
                                         "in:grad_output", "out:grad_logits"]

# The sharded LM head: the same shard as VP_W rows (hidden LCE_H) of the weight; rescale's stats
# are read and written in place.
SIGNATURES["vocab_parallel_linear_stats"] = ["in:input", "in:linear_weight", "opt:linear_bias", "size:batch",
                                             "size:hidden", "size:shard_classes", "size:vocab_start",
                                             "size:classes", "target:target", "opt:weight", "ignore:ignore_index",
                                             "eps:label_smoothing", "out:local_max", "out:stats"]
SIGNATURES["vocab_parallel_rescale"] = ["in:local_max", "size:batch", "size:shard_classes", "size:vocab_start",
                                        "size:classes", "target:target", "opt:weight", "ignore:ignore_index",
                                        "eps:label_smoothing", "in:row_max", "out:stats"]
SIGNATURES["vocab_parallel_linear_backward"] = ["in:input", "in:linear_weight", "opt:linear_bias", "size:batch",
                                                "size:hidden", "size:shard_classes", "size:vocab_start",
                                                "size:classes", "target:target", "opt:weight",
                                                "ignore:ignore_index", "reduction:reduction", "eps:label_smoothing",
                                                "in:row_max", "in:stats", "in:grad_output", "out:grad_input",
                                                "out:grad_linear_weight", "out:grad_linear_bias"]


def vocab_parallel_arguments(name, dtype, batch, reduction, rng):
    """A valid call of one of the vocab_parallel steps."""
    out = batch if reduction == NONE else 1
    values = {"logits": rng.uniform(-2, 2, batch * VP_W).astype(dtype), "batch": batch, "shard_classes": VP_W,
              "vocab_start": VP_START, "classes": C_VP, "target": rng.integers(0, C_VP, batch).astype(np.int64),
              "weight": rng.uniform(0.2, 2.0, C_VP).astype(dtype), "ignore_index": -100, "reduction": reduction,
              "label_smoothing": 0.1, "row_max": rng.uniform(1, 2, batch).astype(dtype),
              "stats": rng.uniform(0.5, 2, 3 * batch).astype(dtype),
              "grad_output": rng.uniform(-2, 2, out).astype(dtype),
              "output": np.full(out, SENTINEL, dtype), "grad_logits": np.full(batch * VP_W, SENTINEL, dtype),
              "input": rng.uniform(-2, 2, batch * LCE_H).astype(dtype), "hidden": LCE_H,
              "linear_weight": rng.uniform(-1, 1, VP_W * LCE_H).astype(dtype),
              "linear_bias": rng.uniform(-1, 1, VP_W).astype(dtype),
              "local_max": rng.uniform(0, 1, batch).astype(dtype),
              "grad_input": np.full(batch * LCE_H, SENTINEL, dtype),
              "grad_linear_weight": np.full(VP_W * LCE_H, SENTINEL, dtype),
              "grad_linear_bias": np.full(VP_W, SENTINEL, dtype)}
    if name == "vocab_parallel_linear_stats":
        values["local_max"] = np.full(batch, SENTINEL, dtype)
    if name == "vocab_parallel_max":
        values["row_max"] = np.full(batch, SENTINEL, dtype)
    if name in ("vocab_parallel_stats", "vocab_parallel_linear_stats"):
        values["stats"] = np.full(3 * batch, SENTINEL, dtype)
    return {arg: values[arg] for _, arg in (r.split(":") for r in SIGNATURES[name])}


# Where the header allows an output to be the very same memory as an input.
IN_PLACE = {
    "softmax": [("output", "input")],
    "log_softmax": [("output", "input")],
    "softmax_backward": [("grad_input", "output"), ("grad_input", "grad_output")],
    "log_softmax_backward": [("grad_input", "output"), ("grad_input", "grad_output")],
    "cross_entropy_backward": [("grad_input", "input")],
    "cross_entropy_fused": [("grad_input", "input")],
    "cross_entropy_ex": [("grad_input", "input")],
    "cross_entropy_probs_backward": [("grad_input", "input")],
    **{name + "_backward": [("grad_input", "grad_output")] for name in REGRESSION + ["poisson_nll_loss"]},
    "multilabel_soft_margin_loss_backward": [("grad_input", "input")],
    "multi_margin_loss_backward": [("grad_input", "input")],
    "vocab_parallel_backward": [("grad_logits", "logits")],
}


def valid_arguments(name, dtype, batch=B, classes=C, inner=I, count=N, reduction=NONE, seed=0):
    """A valid call of name: {argument: value} (buffers are fresh numpy arrays)."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if name.startswith("ctc"):
        return ctc_arguments(name, dtype, batch, classes, reduction, rng)
    if name == "linear_cross_entropy":
        return lce_arguments(dtype, batch, classes, reduction, rng)
    if name.startswith("vocab_parallel"):
        return vocab_parallel_arguments(name, dtype, batch, reduction, rng)
    if name.startswith(MARGIN):
        inner = 1  # (N, C) only
    samples, total = batch * inner, batch * classes * inner
    out_samples = samples if reduction == NONE else 1
    out_count = count if reduction == NONE else 1

    def floats(n, low=-2.0, high=2.0):
        return rng.uniform(low, high, n).astype(dtype)

    def probs(n):
        return rng.uniform(0.05, 0.95, n).astype(dtype)

    args = {}
    for role_name in SIGNATURES[name]:
        role, arg = role_name.split(":")
        if role == "size":
            args[arg] = {"outer": batch, "dim": classes, "inner": inner, "batch": batch, "classes": classes,
                         "count": count}[arg]
            if name.startswith("kl_div") and arg == "batch":
                args[arg] = 2
        elif role == "ignore":
            args[arg] = -100
        elif role == "reduction":
            args[arg] = reduction
        elif role == "flag":
            args[arg] = 0
        elif role == "eps":
            args[arg] = 0.1
        elif role == "param":
            args[arg] = 0.5
        elif role == "zl":
            args[arg] = 0.1
        elif role == "cap":
            args[arg] = 2.0
        elif role == "pflag":
            args[arg] = False
        elif role == "none":
            args[arg] = None
        elif role == "optw":
            args[arg] = floats(count, 0.2, 2.0)
        elif role == "target":
            args[arg] = rng.integers(0, classes, samples).astype(np.int64)
        elif role == "labels":
            args[arg] = rng.integers(-1, classes, total).astype(np.int64)
        elif role == "pint":
            args[arg] = 1
        elif role == "opt":
            if arg == "grad_output":  # cross_entropy_fused, cross_entropy_ex
                args[arg] = floats(out_samples)
            elif name.startswith(CLASS_WEIGHTED):
                args[arg] = floats(classes, 0.2, 2.0)
            else:
                args[arg] = floats(count // 2, 0.2, 2.0)  # a length dividing count
        elif role == "in":
            if name in ("softmax", "log_softmax"):
                args[arg] = floats(total)
            elif name in ("softmax_backward", "log_softmax_backward"):
                args[arg] = probs(total) if arg == "output" else floats(total)
            elif name.startswith(("nll", "cross") + MARGIN):
                if arg == "grad_output":
                    args[arg] = floats(out_samples)
                elif arg == "target":  # probabilities
                    args[arg] = probs(total)
                else:
                    args[arg] = floats(total)
            elif name.startswith("multilabel"):
                args[arg] = floats((batch if reduction == NONE else 1) if arg == "grad_output" else batch * classes)
            elif name.split("_backward")[0] in EMBEDDING:
                if arg == "grad_output":
                    args[arg] = floats(batch if reduction == NONE else 1)
                elif arg == "target":  # cosine's: one per row, +-1
                    args[arg] = rng.choice(np.array([-1.0, 1.0], dtype), batch)
                else:
                    args[arg] = floats(batch * classes)
            else:  # element-wise
                if arg == "grad_output":
                    args[arg] = floats(out_count)
                elif arg == "var":  # gaussian_nll_loss refuses a negative variance
                    args[arg] = floats(count, 0.2, 2.0)
                elif name.startswith("binary_cross_entropy") and not name.startswith("binary_cross_entropy_with"):
                    args[arg] = probs(count)
                else:
                    args[arg] = floats(count)
        elif role == "out":
            if arg == "grad_input" and name.startswith(("multilabel",) + MARGIN):
                n = batch * classes
            elif name.split("_backward")[0] in EMBEDDING:
                n = batch * classes if arg.startswith("grad_") else (batch if reduction == NONE else 1)
            elif several_gradient(name, arg) and name.split("_backward")[0] in SEVERAL:
                n = count
            elif arg == "grad_input":
                n = count if name.startswith(("binary", "kl", "poisson")) or name.split("_backward")[0] in REGRESSION else total
            elif name.startswith("multilabel"):
                n = batch if reduction == NONE else 1
            elif name in ("softmax", "log_softmax"):
                n = total
            elif name.startswith(("nll", "cross") + MARGIN):
                n = out_samples
            else:
                n = out_count
            args[arg] = np.full(n, SENTINEL, dtype=dtype)
    return args


def roles(name):
    return [tuple(role_name.split(":")) for role_name in SIGNATURES[name]]


def call(C, name, args):
    return getattr(C, name)(*(args[arg] for _, arg in roles(name)))


# ------------------------------------------------------------------------------------------
# Bad replacements
# ------------------------------------------------------------------------------------------

def other_float(dtype):
    return np.float64 if np.dtype(dtype) == np.float32 else np.float32


def float_buffer_variants(good):
    """(label, value, expectation) replacing a float buffer; expectation 'raise' or 'ok'/'any'."""
    n, dtype = good.size, good.dtype
    values = good.astype(np.float64)
    strided = np.zeros(2 * n + 1, dtype)[1::2]
    strided[...] = good
    variants = [
        ("int32", values.astype(np.int32), "raise"),
        ("int64", values.astype(np.int64), "raise"),
        ("float16", values.astype(np.float16), "raise"),
        ("complex64", values.astype(np.complex64), "raise"),
        ("bool", values.astype(np.bool_), "raise"),
        ("longdouble", values.astype(np.longdouble), "raise"),
        ("byte-swapped", good.astype(dtype.newbyteorder()), "raise"),
        ("the other float width", values.astype(other_float(dtype)), "raise"),
        ("bytes", good.tobytes(), "raise"),
        ("bytearray", bytearray(good.tobytes()), "raise"),
        ("memoryview cast to bytes", memoryview(good.copy()).cast("B"), "raise"),
        ("array.array('i')", array.array("i", [0] * n), "raise"),
        ("ctypes c_longdouble", (ctypes.c_longdouble * max(n, 1))(), "raise"),
        ("one element short", good[:-1].copy() if n else np.zeros(1, dtype), "raise"),
        ("one element long", np.append(good, dtype.type(0)), "raise"),
        ("empty", np.zeros(0, dtype), "raise" if n else "ok"),
        ("0-d", np.array(1, dtype=dtype), "raise" if n != 1 else "any"),
        ("non-contiguous", strided, "raise" if n > 1 else "any"),
        ("2-d non-contiguous", np.zeros((n, 2), dtype)[:, 0], "raise" if n > 1 else "any"),
        ("None", None, "raise"),
        ("a float", 1.0, "raise"),
        ("a str", "abc", "raise"),
        ("a list", [0.5] * n, "raise"),
        ("an object", object(), "raise"),
        # valid exporters of the same data: must work
        ("memoryview", memoryview(good.copy()), "ok"),
        ("read-only input", _readonly(good), "ok"),
        ("2-d C-contiguous", good.reshape(1, n).copy(), "ok"),
        ("bytearray cast", memoryview(bytearray(good.tobytes())).cast("f" if dtype == np.float32 else "d"), "ok"),
        ("ctypes array", (ctypes.c_float if dtype == np.float32 else ctypes.c_double).from_buffer_copy(good.tobytes())
         if n == 1 else ((ctypes.c_float if dtype == np.float32 else ctypes.c_double) * n).from_buffer_copy(good.tobytes()),
         "ok" if n > 1 else "any"),
    ]
    return variants


def divides(value, base):
    """The expectation for an element-wise weight replacement: valid iff its length divides
    the element count (an empty one may be taken for no weight, or refused)."""
    if value is None:
        return "ok"
    try:
        view = memoryview(value)
    except TypeError:
        return "raise"
    want = "f" if np.asarray(base["input"]).dtype == np.float32 else "d"
    if view.format.lstrip("@=<") != want or not view.c_contiguous or \
            (view.format.startswith("<") and sys.byteorder != "little"):
        return "raise"
    size = view.nbytes // view.itemsize
    if size == 0:
        return "any"
    return "ok" if base["count"] % size == 0 else "raise"


def per_class_or_element(value, base):
    """The expectation for multilabel_soft_margin_loss's weight: a valid float buffer of
    classes or batch * classes elements (an empty one, as `divides`, may mean no weight)."""
    verdict = divides(value, {**base, "count": base["batch"] * base["classes"]})
    if verdict != "ok" or value is None:
        return verdict
    n = memoryview(value).nbytes // memoryview(value).itemsize
    return "ok" if n in (base["classes"], base["batch"] * base["classes"]) else "raise"


def exact(value, base):
    """The expectation for a regression weight: valid iff it has exactly count elements."""
    verdict = divides(value, base)
    if verdict != "ok" or value is None:
        return verdict
    return "ok" if memoryview(value).nbytes // memoryview(value).itemsize == base["count"] else "raise"


def _readonly(a):
    b = a.copy()
    b.flags.writeable = False
    return b


def target_variants(good):
    n = good.size
    strided = np.zeros(2 * n + 1, np.int64)[1::2]
    strided[...] = good
    return [
        ("int32", good.astype(np.int32), "raise"),
        ("uint64", good.astype(np.uint64), "raise"),
        ("int8", good.astype(np.int8), "raise"),
        ("float64", good.astype(np.float64), "raise"),
        ("bool", good.astype(np.bool_), "raise"),
        ("byte-swapped", good.astype(">i8"), "raise"),
        ("memoryview cast to bytes", memoryview(good.copy()).cast("B"), "raise"),
        ("one element short", good[:-1].copy(), "raise"),
        ("one element long", np.append(good, 0), "raise"),
        ("empty", np.zeros(0, np.int64), "raise" if n else "ok"),
        ("non-contiguous", strided, "raise" if n > 1 else "any"),
        ("None", None, "raise"),
        ("a list", good.tolist(), "raise"),
        ("out of bounds", np.full(n, 10**12, np.int64), "raise"),
        ("negative", np.full(n, -5, np.int64), "raise"),
        ("int64 min", np.full(n, np.iinfo(np.int64).min, np.int64), "raise"),
        ("array.array('q')", array.array("q", good.tolist()), "ok"),
        ("read-only", _readonly(good), "ok"),
        ("ctypes c_int64", (ctypes.c_int64 * n)(*good.tolist()), "ok"),
        ("ctypes c_long", (ctypes.c_long * n)(*good.tolist()), "any"),
    ]


def output_variants(good, dtype):
    n = good.size
    readonly = np.full(n, SENTINEL, dtype)
    readonly.flags.writeable = False
    return [
        ("read-only numpy", readonly, "raise"),
        ("bytes", np.full(n, SENTINEL, dtype).tobytes(), "raise"),
        ("memoryview of bytes", memoryview(np.full(n, SENTINEL, dtype).tobytes()).cast(
            "f" if np.dtype(dtype) == np.float32 else "d"), "raise"),
        ("zero-stride broadcast", np.broadcast_to(np.array(SENTINEL, dtype), (n,)), "raise" if n > 1 else "any"),
    ]


def size_variants(value):
    return [
        ("-1", -1, "raise"),
        ("sys.maxsize", HUGE, "raise"),
        ("2**63", 2**63, "raise"),
        ("2**64", 2**64, "raise"),
        ("-2**63", -(2**63), "raise"),
        ("2**32", 2**32, "raise"),
        ("plus one", value + 1, "raise"),
        ("minus one", value - 1, "raise" if value > 0 else "raise"),
        ("zero", 0, "raise" if value else "any"),
        ("a float", float(value), "raise"),
        ("a str", str(value), "raise"),
        ("None", None, "raise"),
    ]


INT_VARIANTS = {
    "reduction": [("-1", -1, "raise"), ("4", 4, "raise"), ("99", 99, "raise"), ("2**31", 2**31, "raise"),
                  ("-2**31 - 1", -(2**31) - 1, "raise"), ("a float", 0.0, "raise"), ("a str", "0", "raise"),
                  ("None", None, "raise")],
    "ignore": [("2**63", 2**63, "raise"), ("-2**63 - 1", -(2**63) - 1, "raise"), ("a float", -100.0, "raise"),
               ("None", None, "raise"), ("int64 max", 2**63 - 1, "ok"), ("int64 min", -(2**63), "ok"),
               ("0", 0, "any"), ("255", 255, "ok")],
    "flag": [("2", 2, "raise"), ("-1", -1, "raise"), ("2**31", 2**31, "raise"), ("a float", 1.0, "raise"),
             ("1", 1, "ok")],
    # multi_margin_loss's p: 1 or 2 (the library refuses anything else)
    "pint": [("0", 0, "raise"), ("3", 3, "raise"), ("-1", -1, "raise"), ("2**31", 2**31, "raise"),
             ("-2**31 - 1", -(2**31) - 1, "raise"), ("a float", 1.0, "raise"), ("None", None, "raise"),
             ("2", 2, "ok")],
    # linear_cross_entropy's probs: 0 for int64 class indices (anything else wants float targets)
    "lceprobs": [("1", 1, "raise"), ("2", 2, "raise"), ("-1", -1, "raise"), ("2**31", 2**31, "raise"),
                 ("a float", 0.0, "raise"), ("None", None, "raise"), ("0", 0, "ok")],
    # z_loss: finite and >= 0; softcap: 0 (none) or finite and > 0
    "zloss": [("-1", -1.0, "raise"), ("nan", math.nan, "raise"), ("inf", math.inf, "raise"),
              ("a str", "0.1", "raise"), ("None", None, "raise"), ("0", 0.0, "ok"), ("2", 2.0, "ok")],
    "softcap": [("-1", -1.0, "raise"), ("nan", math.nan, "raise"), ("inf", math.inf, "raise"),
                ("-inf", -math.inf, "raise"), ("a str", "1", "raise"), ("None", None, "raise"), ("0", 0.0, "ok"),
                ("1e-3", 1e-3, "ok")],
    # ctc_loss's blank: an int64 in [0, classes)
    "blank": [("-1", -1, "raise"), ("classes", C, "raise"), ("2**63", 2**63, "raise"), ("a float", 0.0, "raise"),
              ("None", None, "raise"), ("int64 min", -(2**63), "raise"), ("2", 2, "ok")],
    # beta / delta: any float reaches the library, which checks it for its loss only
    "param": [("a str", "0.5", "raise"), ("None", None, "raise"), ("nan", math.nan, "any"),
              ("-1", -1.0, "any"), ("0", 0.0, "any"), ("inf", math.inf, "any"), ("1", 1.0, "ok")],
    # cross_entropy_ex's z_loss (finite, >= 0) and softcap (0: none; else finite, > 0)
    "zl": [("-1e-3", -1e-3, "raise"), ("nan", math.nan, "raise"), ("inf", math.inf, "raise"), ("a str", "0.1", "raise"),
           ("None", None, "raise"), ("0", 0.0, "ok"), ("1e6", 1e6, "ok")],
    "cap": [("-1", -1.0, "raise"), ("nan", math.nan, "raise"), ("inf", math.inf, "raise"), ("-0.0", -0.0, "ok"),
            ("a str", "2", "raise"), ("None", None, "raise"), ("0", 0.0, "ok"), ("1e-300", 1e-300, "ok")],
    # the probability-target switch: int64 class indices are not probabilities
    "pflag": [("True", True, "raise"), ("1", 1, "raise")],
    "eps": [("nan", math.nan, "raise"), ("inf", math.inf, "raise"), ("1.5", 1.5, "raise"),
            ("1 + 1e-15", 1.0 + 1e-15, "raise"), ("a str", "0.1", "raise"), ("None", None, "raise"),
            ("-1", -1.0, "ok"), ("-inf", -math.inf, "ok"), ("1", 1.0, "ok"), ("0", 0.0, "ok")],
}


def cases(name, dtype):
    """(label, args, expectation) for every replacement of every argument of name."""
    base = valid_arguments(name, dtype)
    out = []
    for role, arg in roles(name):
        good = base[arg]
        if role in ("in", "opt"):
            variants = float_buffer_variants(good)
            if role == "opt":
                variants = [v for v in variants if v[0] != "None"] + [("None", None, "ok")]
            if arg == "var":
                variants += [("a negative entry", np.where(np.arange(good.size) == good.size - 1, -good, good), "raise"),
                             ("NaN entries", np.full(good.size, np.nan, good.dtype), "ok")]
            if role == "opt" and arg == "weight" and name.startswith(CLASS_WEIGHTED):
                # an empty class weight is taken for none (the library reads weight_len 0 as
                # "every class weighs 1" whatever the pointer): harmless, either is fine
                variants = [(label, value, "any" if label == "empty" else expectation)
                            for label, value, expectation in variants]
            if name == "linear_cross_entropy" and arg == "weight":
                variants = [(label, value, "any" if label == "empty" else expectation)
                            for label, value, expectation in variants]
            elif role == "opt" and arg in ("weight", "pos_weight") and not name.startswith(CLASS_WEIGHTED):
                # the library takes any length that divides the element count (k % len)
                variants = [(label, value, divides(value, base)) for label, value, expectation in variants]
        elif role == "optw" and name.startswith("multilabel"):
            variants = [(label, value, per_class_or_element(value, base))
                        for label, value, _ in float_buffer_variants(good) if label != "None"]
            variants += [("None", None, "ok"), ("per class", np.ones(base["classes"], dtype), "ok")]
        elif role == "optw":
            # exactly count elements, or None
            variants = [(label, value, exact(value, base)) for label, value, _ in float_buffer_variants(good)
                        if label != "None"] + [("None", None, "ok")]
        elif role == "none":
            variants = [("a buffer", np.ones(base["count"], dtype), "raise"), ("None", None, "ok")]
        elif role in ("target", "labels", "lengths"):
            variants = target_variants(good)
        elif role == "out":
            variants = float_buffer_variants(good)
            variants = [v for v in variants if v[2] == "raise"] + output_variants(good, dtype)
            if several_gradient(name, arg) or (name == "linear_cross_entropy" and arg != "output"):
                # an optional gradient (or z output): None skips it
                variants = [v for v in variants if v[0] != "None"] + [("None", None, "ok")]
        elif role == "size":
            variants = size_variants(good)
            if name.startswith("kl_div") and arg == "batch":
                # the batch only divides a 'batchmean' sum: other values may be accepted
                variants = [(label, value, "any" if isinstance(value, int) and value >= 0 else expectation)
                            for label, value, expectation in variants]
            if arg == "vocab_start":  # any start that keeps the shard inside [0, classes) is valid
                variants = [(label, value, "ok" if type(value) is int and 0 <= value <= C_VP - VP_W else expectation)
                            for label, value, expectation in variants]
            if name == "vocab_parallel_rescale" and arg == "shard_classes":  # no buffer of the shard's size
                variants = [(label, value, "ok" if type(value) is int and 0 <= value <= C_VP - VP_START else expectation)
                            for label, value, expectation in variants]
        else:
            variants = INT_VARIANTS[role]
            if role == "ignore" and "probs" in name:
                # probability targets support no ignore_index >= 0
                variants = [(label, value, "raise" if isinstance(value, int) and value >= 0 else expectation)
                            for label, value, expectation in variants]
        for label, value, expectation in variants:
            args = valid_arguments(name, dtype)
            args[arg] = value
            out.append((f"{arg} = {label}", args, expectation))
    # Outputs overlapping inputs: partially, and exactly (allowed only where the header says so).
    allowed = IN_PLACE.get(name, [])
    for out_role, out_arg in roles(name):
        if out_role != "out":
            continue
        for in_role, in_arg in roles(name):
            if in_role not in ("in", "opt", "optw", "target", "labels", "lengths", "out") or in_arg == out_arg:
                continue
            args = valid_arguments(name, dtype)
            n_out, n_in = args[out_arg].size, np.asarray(args[in_arg]).size
            if n_out == 0 or n_in == 0:
                continue
            in_dtype = np.asarray(args[in_arg]).dtype
            # one memory block: the input first, the output starting inside it
            itemsize = np.dtype(dtype).itemsize
            block = np.zeros((n_in * in_dtype.itemsize + n_out * itemsize) // itemsize + 2, dtype)
            in_view = block.view(np.uint8)[: n_in * in_dtype.itemsize].view(in_dtype)
            in_view[...] = args[in_arg]
            start_bytes = max(in_dtype.itemsize * (n_in - 1), 0)
            start_bytes -= start_bytes % itemsize
            out_view = block.view(np.uint8)[start_bytes: start_bytes + n_out * itemsize].view(dtype)
            out_view[...] = SENTINEL
            args[in_arg], args[out_arg] = in_view, out_view
            out.append((f"{out_arg} overlapping the end of {in_arg}", args, "raise"))
            if in_dtype == np.dtype(dtype) and n_in == n_out:
                args = valid_arguments(name, dtype)
                args[out_arg] = args[in_arg]
                expectation = "inplace" if (out_arg, in_arg) in allowed else "raise"
                out.append((f"{out_arg} is {in_arg}", args, expectation))
    # Sizes together: every size huge, a product overflowing size_t, all zero with empty buffers.
    size_args = [arg for role, arg in roles(name) if role == "size"]
    for label, values in [("every size sys.maxsize", [HUGE] * len(size_args)),
                          ("every size 2**32", [2**32] * len(size_args)),
                          ("every size 2**21", [2**21] * len(size_args))]:
        args = valid_arguments(name, dtype)
        for arg, value in zip(size_args, values):
            args[arg] = value
        out.append((label, args, "raise"))
    args = valid_arguments(name, dtype, batch=0, count=0)
    for arg in size_args:
        if arg in ("classes", "dim"):
            args[arg] = HUGE  # zero elements in total, a huge middle size
    out.append(("zero elements, huge classes", args, "any"))
    return out


# ------------------------------------------------------------------------------------------
# The child: runs one entry point's matrix, reports each case as a JSON line
# ------------------------------------------------------------------------------------------

def outputs_of(name, args):
    return [args[arg] for role, arg in roles(name) if role == "out" and isinstance(args[arg], np.ndarray)]


def run_child(name):
    from swiftloss import _swiftloss as C

    def say(**record):
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()

    for dtype in (np.float32, np.float64):
        # the valid call works (else the matrix proves nothing)
        args = valid_arguments(name, dtype)
        call(C, name, args)
        for index, (label, args, expectation) in enumerate(cases(name, dtype)):
            case = f"{np.dtype(dtype).name}: {label}"
            say(start=case)
            outputs = [(o, o.tobytes()) for o in outputs_of(name, args)]
            try:
                call(C, name, args)
                outcome = "ok"
            except RAISES as error:
                outcome = type(error).__name__
            except BaseException as error:  # any other exception type is a failure
                say(case=case, fail=f"unexpected {type(error).__name__}: {error}")
                continue
            if expectation == "raise":
                if outcome == "ok":
                    say(case=case, fail="returned instead of raising")
                    continue
                if any(o.tobytes() != before for o, before in outputs):
                    say(case=case, fail="an output changed on error")
                    continue
            elif expectation == "ok" and outcome != "ok":
                say(case=case, fail=f"raised {outcome} on a valid call")
                continue
            elif expectation == "inplace":
                if outcome != "ok":
                    say(case=case, fail=f"in place raised {outcome}")
                    continue
            say(case=case, outcome=outcome)
    say(done=name)


# ------------------------------------------------------------------------------------------
# The parent: one subprocess per entry point
# ------------------------------------------------------------------------------------------

def run_subprocess(args, timeout=CHILD_TIMEOUT):
    """This file as a script in a fresh interpreter (run from a neutral directory, so the
    installed swiftloss is imported)."""
    return subprocess.run([sys.executable, os.path.abspath(__file__)] + args, capture_output=True, text=True,
                          timeout=timeout, cwd=tempfile.gettempdir())


def check_child(result, what):
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    started = [r["start"] for r in records if "start" in r]
    if result.returncode != 0:
        last = started[-1] if started else "(before the first case)"
        raise AssertionError(
            f"{what}: the child process died (exit code {result.returncode}) during case: {last}\n"
            f"stderr:\n{result.stderr[-3000:]}"
        )
    failures = [f"{r['case']}: {r['fail']}" for r in records if "fail" in r]
    assert not failures, f"{what}:\n" + "\n".join(failures)
    assert any("done" in r for r in records), f"{what}: the child did not finish\n{result.stderr[-3000:]}"
    return records


def parametrize(name, values):
    return pytest.mark.parametrize(name, values) if pytest is not None else (lambda f: f)


@parametrize("entry_point", sorted(SIGNATURES))
def test_every_bad_argument_raises(entry_point):
    records = check_child(run_subprocess(["--child", entry_point]), entry_point)
    outcomes = [r for r in records if "outcome" in r]
    assert len(outcomes) >= 60, f"only {len(outcomes)} cases ran"
    raised = sum(1 for r in outcomes if r["outcome"] != "ok")
    print(f"{entry_point}: {len(outcomes)} bad-argument cases, {raised} raised")


def test_the_signatures_cover_the_module():
    from swiftloss import _swiftloss as C

    computing = {n for n in dir(C) if callable(getattr(C, n)) and not n.startswith("_")}
    computing -= {"version_string", "version_number", "status_string", "set_num_threads", "get_num_threads",
                  "kernels_string"}
    assert computing == set(SIGNATURES)


# ------------------------------------------------------------------------------------------
# In place where allowed: bitwise equal to the out-of-place result, small and large (threaded)
# ------------------------------------------------------------------------------------------

def run_in_place():
    """Each allowed aliasing gives the out-of-place result, bit for bit, in small and large
    (threaded, >= 2^18 elements) calls, for the (N, C) and (N, C, d) layouts."""
    from swiftloss import _swiftloss as C

    bad = []
    shapes = [(2, 3, 2), (3, 5, 1), (1, 7, 300), (4096, 80, 1), (8, 40, 1024), (2, 2, 1 << 17)]
    for name, pairs in IN_PLACE.items():
        for batch, classes, inner in shapes:
            for dtype in (np.float32, np.float64):
                regression = name.split("_backward")[0] in REGRESSION + ["poisson_nll_loss"]
                if name.startswith("multilabel"):
                    inner = 1
                for reduction in (NONE, MEAN):
                    if reduction != NONE and ("softmax" in name or regression):
                        continue  # grad_input over grad_output: the same size for 'none' only
                    args = valid_arguments(name, dtype, batch=batch, classes=classes, inner=inner,
                                           count=batch * classes * inner if regression or name.startswith("multilabel") else N,
                                           reduction=reduction, seed=batch + classes)
                    reference = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in args.items()}
                    call(C, name, reference)
                    for out_arg, in_arg in pairs:
                        aliased = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in args.items()}
                        aliased[out_arg] = aliased[in_arg]
                        call(C, name, aliased)
                        for role, arg in roles(name):
                            if role == "out" and aliased[arg].tobytes() != reference[arg].tobytes():
                                bad.append(f"{name} with {out_arg} = {in_arg}, {np.dtype(dtype).name} "
                                           f"{(batch, classes, inner)} reduction {reduction}: {arg} differs")
    print("\n".join(bad) if bad else "in place: every result equals the out-of-place one")
    return 1 if bad else 0


def test_in_place_equals_out_of_place():
    result = run_subprocess(["--in-place"])
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


# ------------------------------------------------------------------------------------------
# Races: another thread rewrites the targets while the library runs without the GIL
# ------------------------------------------------------------------------------------------

RACES = ["nll_loss", "cross_entropy", "cross_entropy_fused", "nll_loss_backward", "cross_entropy_backward",
         "multi_margin_loss", "multi_margin_loss_backward", "multilabel_margin_loss", "multilabel_margin_loss_backward"]


def run_race(which, seconds):
    import threading
    import time

    import swiftloss as F
    from swiftloss import _swiftloss as C

    n, classes = 200_000, 4
    x = np.random.default_rng(0).standard_normal((n, classes)).astype(np.float32)
    t = np.zeros(n, np.int64)
    labels = np.zeros((n, classes), np.int64)  # multilabel_margin_loss: every row lists class 0 four times
    grad = np.empty(n * classes, np.float32)
    g = np.ones(n, np.float32)
    stop = time.monotonic() + seconds

    def flip():
        while time.monotonic() < stop:
            t[::7] = 1 << 40
            t[::7] = -(1 << 40)
            t[::7] = 0
            labels[::7] = 1 << 40
            labels[::5] = -(1 << 40)
            labels[::7] = 0
            labels[::5] = 0

    thread = threading.Thread(target=flip)
    thread.start()
    calls = errors = 0
    while time.monotonic() < stop:
        try:
            if which == "nll_loss":
                F.nll_loss(x, t, reduction="none")
            elif which == "cross_entropy":
                F.cross_entropy(x, t, label_smoothing=0.1)
            elif which == "cross_entropy_fused":
                F.cross_entropy(x, t, with_grad=True)
            elif which == "nll_loss_backward":
                C.nll_loss_backward(t, n, classes, 1, None, -100, NONE, g, grad)
            elif which == "multi_margin_loss":
                F.multi_margin_loss(x, t, p=2, reduction="none")
            elif which == "multi_margin_loss_backward":
                C.multi_margin_loss_backward(x, t, n, classes, 1, 1.0, None, NONE, g, grad)
            elif which == "multilabel_margin_loss":
                F.multilabel_margin_loss(x, labels, reduction="none")
            elif which == "multilabel_margin_loss_backward":
                C.multilabel_margin_loss_backward(x, labels, n, classes, NONE, g, grad)
            else:
                C.cross_entropy_backward(x, t, n, classes, 1, None, -100, NONE, 0.0, g, grad)
            calls += 1
        except IndexError:
            errors += 1
    thread.join()
    print(which, "survived", calls, "calls,", errors, "IndexErrors")
    return 0


@parametrize("which", RACES)
def test_targets_rewritten_during_a_call_do_not_crash(which):
    """Found by this file: the library checks every target, then reads them again to index the
    input, weight and gradient; a target changed in between by another thread (the GIL is
    released) read or wrote outside the buffers (SIGSEGV). The extension now hands the library
    a private copy of the targets when it releases the GIL."""
    result = run_subprocess(["--race", which, "1.0"])
    assert result.returncode == 0, (
        f"{which}: the interpreter died (exit code {result.returncode}) while another thread rewrote the "
        f"targets\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    )
    assert "survived" in result.stdout


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        run_child(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "--in-place":
        sys.exit(run_in_place())
    elif len(sys.argv) == 4 and sys.argv[1] == "--race":
        sys.exit(run_race(sys.argv[2], float(sys.argv[3])))
    else:
        sys.exit("usage: test_bad_buffers.py --child ENTRY_POINT | --in-place | --race FUNCTION SECONDS")
