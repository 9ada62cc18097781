#!/usr/bin/env python3
"""swiftloss benchmark: one table against numpy, PyTorch and the memory bandwidth (issue 5).

For every case it prints swiftloss's median time, a numpy reference's, PyTorch's (when
``import torch`` works, else "-"), the time of one read of the logits (numpy sum), of one
read+write into a preallocated array (numpy copyto) and into a new one (x.copy(), whose pages
the OS supplies and zeroes, as for any call that returns a new array), and the ratios. Then the scaling of
cross_entropy with N*C, 1 thread against 2, and the targets (issue 13's memory-bound limits, issue 5's
call overhead and thread scaling) with "met" / "not met".

    python3 benchmarks/bench.py                 # full run, a few minutes
    python3 benchmarks/bench.py --quick         # smaller sizes, few repeats (< 60 s)
    python3 benchmarks/bench.py --cases 4096x32000,threads --repeat 9
    python3 benchmarks/bench.py --cases ctc     # ctc_loss fwd+bwd against torch (issue 16's three sizes)
    python3 benchmarks/bench.py --cases zloss   # cross_entropy with z_loss and softcap against torch's composite
    python3 benchmarks/bench.py --cases linear_cross_entropy   # against torch's reference and chunked paths
    python3 benchmarks/bench.py --cases gemm    # the library's gemm against numpy, torch and the FMA peak
    python3 benchmarks/bench.py --cases distributed   # 2 gloo ranks x (4096, 16000) vs torch on (4096, 32000)
    python3 benchmarks/bench.py --cases distributed_lm_head   # 2 ranks x (4096 x 1024, 16000 weight rows) vs torch
    python3 benchmarks/bench.py --no-torch      # the table as without PyTorch
    python3 benchmarks/bench.py --grid          # every function x size x dtype against torch

Every result is checked against the numpy reference (1e-4 relative) before it is timed, so
the columns compare the same work. See benchmarks/README.md for what each column means.
"""
from __future__ import annotations

import argparse
import datetime
import gc
import inspect
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

try:
    import swiftloss
    from swiftloss import _swiftloss as _C
except ImportError as error:  # pragma: no cover - an explicit message instead of a traceback
    sys.exit(
        f"bench.py: cannot import swiftloss ({error}); install it first: "
        "python3 -m pip install ./bindings/python"
    )

HERE = os.path.abspath(__file__)
RTOL = 1e-4

# ------------------------------------------------------------------------------------------
# Optional PyTorch
# ------------------------------------------------------------------------------------------

torch = None
TF = None


def load_torch(disabled: bool) -> Optional[str]:
    """Import torch unless disabled; None when it is not usable."""
    global torch, TF
    if disabled:
        return None
    try:
        import torch as _torch
        import torch.nn.functional as _F
    except Exception:  # ImportError, or a broken install
        return None
    torch, TF = _torch, _F
    return _torch.__version__


# ------------------------------------------------------------------------------------------
# swiftloss entry points (the public API; the fused and thread functions may be missing)
# ------------------------------------------------------------------------------------------

def has_keyword(function: Callable, name: str) -> bool:
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


HAS_WITH_GRAD = has_keyword(swiftloss.cross_entropy, "with_grad")
SET_THREADS = getattr(swiftloss, "set_num_threads", None) or getattr(_C, "set_num_threads", None)
GET_THREADS = getattr(swiftloss, "get_num_threads", None) or getattr(_C, "get_num_threads", None)


def c_get_num_threads() -> Optional[int]:
    """swiftloss_get_num_threads() of the loaded library, for the header when Python lacks it."""
    if GET_THREADS is not None:
        return int(GET_THREADS())
    try:
        import ctypes

        path = os.path.join(os.path.dirname(_C.__file__), "libswiftloss.so.0")
        lib = ctypes.CDLL(path)  # the already loaded copy: same handle, same state
        lib.swiftloss_get_num_threads.restype = ctypes.c_int
        return int(lib.swiftloss_get_num_threads())
    except Exception:
        return None


def layout(x: np.ndarray) -> Tuple[int, int, int]:
    """(batch, classes, inner) of a class-axis-1 array."""
    inner = int(np.prod(x.shape[2:], dtype=np.int64)) if x.ndim > 2 else 1
    return x.shape[0], x.shape[1], inner


def sl_fused_lowlevel(x: np.ndarray, t: np.ndarray, out: np.ndarray, grad: np.ndarray):
    n, c, inner = layout(x)
    _C.cross_entropy_fused(x, t, n, c, inner, None, -100, _C.REDUCTION_MEAN, 0.0, None, out, grad)
    return out[0], grad


def make_sl_fused(x: np.ndarray, t: np.ndarray, grad: np.ndarray):
    """The fused forward+backward call: the public with_grad=True, else the low-level one."""
    if HAS_WITH_GRAD:
        def run():
            result = swiftloss.cross_entropy(x, t, with_grad=True)
            return result[0], result[1]
        return run, "swiftloss.cross_entropy(with_grad=True)"
    out = np.empty(1, dtype=x.dtype)
    return (lambda: sl_fused_lowlevel(x, t, out, grad)), "_swiftloss.cross_entropy_fused(grad_input=buffer)"


# ------------------------------------------------------------------------------------------
# numpy references (straightforward: max-shifted logsumexp along axis 1)
# ------------------------------------------------------------------------------------------

def np_cross_entropy(x: np.ndarray, t: np.ndarray):
    m = x.max(axis=1, keepdims=True)
    e = x - m
    np.exp(e, out=e)
    lse = np.log(e.sum(axis=1)) + m[:, 0]
    picked = np.take_along_axis(x, t[:, None], axis=1)[:, 0]
    return (lse - picked).mean(dtype=x.dtype)


def np_cross_entropy_fused(x: np.ndarray, t: np.ndarray, grad: np.ndarray):
    """Loss and d(mean loss)/dx = (softmax(x) - onehot(t)) / count, the gradient into grad."""
    m = x.max(axis=1, keepdims=True)
    np.subtract(x, m, out=grad)
    np.exp(grad, out=grad)
    s = grad.sum(axis=1, keepdims=True)
    lse = np.log(s[:, 0]) + m[:, 0]
    picked = np.take_along_axis(x, t[:, None], axis=1)[:, 0]
    loss = (lse - picked).mean(dtype=x.dtype)
    count = t.size
    grad *= (1.0 / count) / s
    at_target = np.take_along_axis(grad, t[:, None], axis=1)
    np.put_along_axis(grad, t[:, None], at_target - x.dtype.type(1.0 / count), axis=1)
    return loss, grad


def np_log_softmax(x: np.ndarray):
    out = x - x.max(axis=1, keepdims=True)
    out -= np.log(np.exp(out).sum(axis=1, keepdims=True))
    return out


def np_bce_with_logits(x: np.ndarray, y: np.ndarray):
    return (np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))).mean(dtype=x.dtype)


# ------------------------------------------------------------------------------------------
# Timing
# ------------------------------------------------------------------------------------------

class Timer:
    """Median of k timed runs after one warm-up; k adapts to the case's duration."""

    def __init__(self, budget: float, kmin: int, kmax: int, repeat: Optional[int]):
        self.budget, self.kmin, self.kmax, self.repeat = budget, kmin, kmax, repeat

    def __call__(self, fn: Callable, setup: Optional[Callable] = None,
                 number: Optional[int] = None, repeat: Optional[int] = None) -> Dict:
        if setup:
            setup()
        t0 = time.perf_counter()
        fn()  # warm-up
        once = time.perf_counter() - t0
        if number is None:
            # Batch calls that take well under a millisecond so the timer's cost vanishes.
            number = 1 if once >= 1e-3 else max(1, min(10000, int(2e-3 / max(once, 1e-7))))
            if number > 1:  # re-estimate on a batch: the first call pays for cold caches
                t0 = time.perf_counter()
                for _ in range(number):
                    fn()
                once = (time.perf_counter() - t0) / number
                number = max(1, min(10000, int(2e-3 / max(once, 1e-7))))
        if repeat is None:
            repeat = self.repeat or max(self.kmin, min(self.kmax, int(self.budget / max(once * number, 1e-9))))
        samples = []
        for _ in range(repeat):
            if setup:
                setup()
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            samples.append((time.perf_counter() - t0) / number)
        return {"median": statistics.median(samples), "k": repeat, "number": number, "samples": samples}


def fmt_time(seconds: Optional[float]) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        us = seconds * 1e6
        return f"{us:.2f} us" if us < 10 else f"{us:.1f} us"
    if seconds < 1.0:
        ms = seconds * 1e3
        return f"{ms:.3f} ms" if ms < 10 else (f"{ms:.2f} ms" if ms < 100 else f"{ms:.1f} ms")
    return f"{seconds:.3f} s"


def fmt_ratio(a: Optional[float], b: Optional[float]) -> str:
    if a is None or b is None or b <= 0:
        return "-"
    r = a / b
    return f"{r:.3f}" if r < 0.1 else f"{r:.2f}" if r < 10 else f"{r:.1f}"


# ------------------------------------------------------------------------------------------
# Agreement checks (before timing)
# ------------------------------------------------------------------------------------------

def check_scalar(name: str, got, want) -> None:
    got, want = float(got), float(want)
    if not abs(got - want) <= RTOL * max(abs(want), 1e-30):
        raise AssertionError(f"{name}: {got!r} vs reference {want!r} (rel. tol. {RTOL})")


def check_array(name: str, got: np.ndarray, want: np.ndarray, rtol: float = RTOL) -> None:
    """Elementwise, relative to the array's scale (gradients have entries near 0).

    Compared in float64 chunk by chunk, so a 0.5 GB array does not cost 4 GB of temporaries.
    """
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        raise AssertionError(f"{name}: shape {got.shape} vs reference {want.shape}")
    g, w = got.reshape(-1), want.reshape(-1)
    scale = err = 0.0
    chunk = 1 << 20
    for start in range(0, w.size, chunk):
        wc = w[start:start + chunk].astype(np.float64)
        gc_ = g[start:start + chunk].astype(np.float64)
        scale = max(scale, float(np.max(np.abs(wc))))
        err = max(err, float(np.max(np.abs(gc_ - wc))))  # NaN propagates: fails below
    if not err <= rtol * max(scale, 1e-30):
        raise AssertionError(f"{name}: max |diff| {err:.3g} > {rtol} * max |ref| {scale:.3g}")


# ------------------------------------------------------------------------------------------
# Cases
# ------------------------------------------------------------------------------------------

# The regression losses (issue 12): each forward, and mse_loss's forward + backward; the
# embedding losses on (N, D) rows: forward, and forward + backward (every learned input).
EMBEDDING_OPS = ("cosine", "cosine_grad", "triplet", "triplet_grad")
REGRESSION_OPS = ("mse", "mse_grad", "l1", "smooth_l1", "huber", "soft_margin", "poisson", "margin_ranking",
                  "gaussian_nll") + EMBEDDING_OPS
REGRESSION_NAMES = {"mse": "mse_loss", "mse_grad": "mse_loss", "l1": "l1_loss", "smooth_l1": "smooth_l1_loss",
                    "huber": "huber_loss", "soft_margin": "soft_margin_loss", "poisson": "poisson_nll_loss",
                    "margin_ranking": "margin_ranking_loss", "gaussian_nll": "gaussian_nll_loss",
                    "cosine": "cosine_embedding_loss",
                    "cosine_grad": "cosine_embedding_loss", "triplet": "triplet_margin_loss",
                    "triplet_grad": "triplet_margin_loss"}


def np_regression(op: str, x: np.ndarray, y: np.ndarray, third: Optional[np.ndarray] = None):
    """The regression losses' 'mean' in numpy, in the input's precision (margin_ranking: x and
    y ranked as the +-1 array `third` says, margin 0.1; gaussian_nll: means x, samples y,
    variances `third`, eps 1e-6)."""
    if op == "margin_ranking":
        return np.maximum(-third * (x - y) + x.dtype.type(0.1), 0).mean()
    if op == "gaussian_nll":
        v = np.maximum(third, x.dtype.type(1e-6))
        return (x.dtype.type(0.5) * (np.log(v) + (x - y) ** 2 / v)).mean()
    d = x - y
    z = np.abs(d)
    if op in ("mse", "mse_grad"):
        loss = d * d
    elif op == "l1":
        loss = z
    elif op in ("smooth_l1", "huber"):  # beta = delta = 1: the same formula
        loss = np.where(z < 1, 0.5 * z * z, z - 0.5)
    elif op == "poisson":  # log_input: exp(x) - y x
        loss = np.exp(x) - y * x
    else:
        u = -y * x
        loss = np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))
    if op == "mse_grad":
        return loss.mean(), (2.0 / x.size) * d
    return loss.mean()


# The margin losses: multi_margin_loss (p=1, margin 1) and multilabel_margin_loss (lists of 1 to
# 4 classes, then -1), forward and forward + backward, 'mean'.
MARGIN_OPS = ("multi_margin", "multi_margin_grad", "multilabel_margin", "multilabel_margin_grad")
MARGIN_NAMES = {"multi_margin": "multi_margin_loss", "multi_margin_grad": "multi_margin_loss",
                "multilabel_margin": "multilabel_margin_loss", "multilabel_margin_grad": "multilabel_margin_loss"}


def label_lists(rng, shape):
    """1 to 4 target classes per row (duplicates possible), then -1: multilabel_margin_loss's
    target."""
    n, c = shape
    lists = np.full(shape, -1, np.int64)
    lengths = rng.integers(1, 5, n)
    for k in range(4):
        rows = lengths > k
        lists[rows, k] = rng.integers(0, c, int(rows.sum()))
    return lists


def np_margin(op: str, x: np.ndarray, t: np.ndarray):
    """The margin losses' 'mean' (and its gradient for the _grad ops) in numpy, in the input's
    precision: PyTorch's terms, vectorised over a row's (list entry, class) pairs."""
    n, c = x.shape
    rows = np.arange(n)
    if op.startswith("multi_margin"):
        z = 1 - x[rows, t][:, None] + x
        active = z > 0
        active[rows, t] = False
        loss = np.where(active, z, 0).sum(dtype=np.float64) / (n * c)
        if not op.endswith("grad"):
            return loss
        grad = active.astype(x.dtype) / (n * c)
        grad[rows, t] = -grad.sum(1)
        return loss, grad
    listed = np.cumprod(t >= 0, axis=1).astype(bool)
    longest = int(listed.sum(1).max())
    entries, valid = t[:, :longest].clip(0), listed[:, :longest]
    targets = np.zeros((n, c), bool)
    targets[np.repeat(rows, longest)[valid.reshape(-1)], entries[valid]] = True
    z = 1 - np.take_along_axis(x, entries, 1)[:, :, None] + x[:, None, :]
    active = (z > 0) & valid[:, :, None] & ~targets[:, None, :]
    loss = np.where(active, z, 0).sum(dtype=np.float64) / (n * c)
    if not op.endswith("grad"):
        return loss
    grad = active.sum(1).astype(x.dtype)
    np.add.at(grad, (np.repeat(rows, longest), entries.reshape(-1)), -active.sum(2).reshape(-1).astype(x.dtype))
    return loss, grad / (n * c)


def np_embedding(op: str, x: np.ndarray, y: np.ndarray, z: np.ndarray):
    """The embedding losses' 'mean' over the rows in numpy, in the input's precision, and for
    the _grad ops the gradients of the learned inputs: cosine_embedding_loss of x and y with
    the +-1 targets z[:, 0] > 0, margin 0.1; triplet_margin_loss of (x, y, z), p = 2, eps = 1e-6,
    margin 1."""
    n = x.shape[0]
    if op.startswith("cosine"):
        t = np.where(z[:, 0] > 0, 1, -1)
        m1, m2 = (x * x).sum(1) + 1e-12, (y * y).sum(1) + 1e-12
        d = np.sqrt(m1 * m2)
        cos = (x * y).sum(1) / d
        loss = np.where(t == 1, 1 - cos, np.maximum(cos - 0.1, 0)).mean()
        if op == "cosine":
            return loss
        g = np.where(t == 1, -1.0, (cos - 0.1 > 0).astype(x.dtype)).astype(x.dtype) / n
        return loss, ((g / d)[:, None] * y - (g * cos / m1)[:, None] * x,
                      (g / d)[:, None] * x - (g * cos / m2)[:, None] * y)
    e = x.dtype.type(1e-6)
    dp, dn = x - y + e, x - z + e
    rp, rn = np.sqrt((dp * dp).sum(1)), np.sqrt((dn * dn).sum(1))
    zr = 1 + rp - rn
    loss = np.maximum(zr, 0).mean()
    if op == "triplet":
        return loss
    g = ((zr > 0) / n).astype(x.dtype)
    up, un = g[:, None] * dp / rp[:, None], g[:, None] * dn / rn[:, None]
    return loss, (up - un, -up, un)


FULL_CASES = [
    # id, shape, dtype, ops
    ("2x4", (2, 4), np.float32, ("ce", "fused", "fused_inplace", "log_softmax")),
    ("256x1000", (256, 1000), np.float32, ("ce", "fused", "fused_inplace", "log_softmax")),
    ("4096x32000", (4096, 32000), np.float32, ("ce", "fused", "fused_out", "fused_inplace", "log_softmax", "log_softmax_out")),
    ("8x21x512x512", (8, 21, 512, 512), np.float32, ("ce", "fused", "fused_out", "fused_inplace", "log_softmax", "log_softmax_out")),
    ("bce-4096x1000", (4096, 1000), np.float32, ("bce",)),
    ("f64-1024x32000", (1024, 32000), np.float64, ("ce", "fused", "fused_inplace")),
    ("reg-64x10", (64, 10), np.float32, REGRESSION_OPS),
    ("reg-256x1000", (256, 1000), np.float32, REGRESSION_OPS),
    ("reg-4096x1000", (4096, 1000), np.float32, REGRESSION_OPS),
    ("margin-64x10", (64, 10), np.float32, MARGIN_OPS),
    ("margin-256x1000", (256, 1000), np.float32, MARGIN_OPS),
    ("margin-4096x1000", (4096, 1000), np.float32, MARGIN_OPS),
]
QUICK_CASES = [
    ("2x4", (2, 4), np.float32, ("ce", "fused", "fused_inplace", "log_softmax")),
    ("256x1000", (256, 1000), np.float32, ("ce", "fused", "fused_inplace", "log_softmax")),
    ("1024x8000", (1024, 8000), np.float32, ("ce", "fused", "fused_out", "fused_inplace", "log_softmax", "log_softmax_out")),
    ("2x21x128x128", (2, 21, 128, 128), np.float32, ("ce", "fused", "fused_out", "fused_inplace", "log_softmax", "log_softmax_out")),
    ("bce-4096x1000", (4096, 1000), np.float32, ("bce",)),
    ("f64-256x8000", (256, 8000), np.float64, ("ce", "fused", "fused_inplace")),
    ("reg-64x10", (64, 10), np.float32, REGRESSION_OPS),
    ("reg-1024x1000", (1024, 1000), np.float32, REGRESSION_OPS),
    ("margin-1024x1000", (1024, 1000), np.float32, MARGIN_OPS),
]
# Which case of the run stands for which issue-5 target (full run / --quick).
LARGE_ROWS = {"full": "4096x32000", "quick": "1024x8000"}
SEG_ROWS = {"full": "8x21x512x512", "quick": "2x21x128x128"}
SCALING = {"full": [(1024, 8000), (2048, 16000), (4096, 32000)],
           "quick": [(256, 2000), (512, 4000), (1024, 8000)]}
THREAD_CASES = {
    "full": [("4096x32000", (4096, 32000), np.float32), ("8x21x512x512", (8, 21, 512, 512), np.float32),
             ("f64-1024x32000", (1024, 32000), np.float64)],
    "quick": [("1024x8000", (1024, 8000), np.float32), ("2x21x128x128", (2, 21, 128, 128), np.float32),
              ("f64-256x8000", (256, 8000), np.float64)],
}
THREAD_OPS = ("ce", "fused", "fused_out", "log_softmax", "log_softmax_out")

OP_NAMES = {
    "ce": "cross_entropy fwd",
    "fused": "ce fwd+bwd",
    "fused_out": "ce fwd+bwd out=",
    "fused_inplace": "ce fwd+bwd in-place",
    "log_softmax": "log_softmax",
    "log_softmax_out": "log_softmax out=",
    "bce": "bce_with_logits fwd",
    "mse": "mse_loss fwd",
    "mse_grad": "mse_loss fwd+bwd",
    "l1": "l1_loss fwd",
    "smooth_l1": "smooth_l1_loss fwd",
    "huber": "huber_loss fwd",
    "soft_margin": "soft_margin_loss fwd",
    "poisson": "poisson_nll_loss fwd",
    "margin_ranking": "margin_ranking_loss fwd",
    "multi_margin": "multi_margin_loss fwd",
    "multi_margin_grad": "multi_margin_loss fwd+bwd",
    "multilabel_margin": "multilabel_margin_loss fwd",
    "multilabel_margin_grad": "multilabel_margin_loss fwd+bwd",
    "gaussian_nll": "gaussian_nll_loss fwd",
    "cosine": "cosine_embedding_loss fwd",
    "cosine_grad": "cosine_embedding fwd+bwd",
    "triplet": "triplet_margin_loss fwd",
    "triplet_grad": "triplet_margin fwd+bwd",
}
# The bandwidth reference of each op: one read, or one read + one write of the logits, into
# the same kind of memory as the op writes: a preallocated array (r+w: numpy copyto), or a new
# one whose pages the OS must first supply and zero (new: x.copy()).
OP_REF = {"ce": "read", "bce": "read", "fused": "new", "fused_out": "r+w", "fused_inplace": "r+w",
          "log_softmax": "new", "log_softmax_out": "r+w",
          **{op: "read" for op in REGRESSION_OPS + MARGIN_OPS}}


def selected(case_id: str, filters: Optional[List[str]]) -> bool:
    return not filters or any(f in case_id for f in filters)


def make_inputs(shape, dtype, rng):
    x = rng.standard_normal(shape, dtype=dtype)
    x *= 2.0
    target_shape = (shape[0],) + tuple(shape[2:])
    t = rng.integers(0, shape[1], size=target_shape, dtype=np.int64)
    return x, t


def bench_case(case_id, shape, dtype, ops, timer: Timer, rng, notes: List[str],
               small_calls: Tuple[int, int]) -> List[Dict]:
    """Check, then time, every op of one case; rows for the table."""
    rows = []
    x, t = make_inputs(shape, dtype, rng)
    tiny = x.size <= 64  # the call-overhead case: fixed batches of calls
    number, repeat = small_calls if tiny else (None, None)

    def run(fn, setup=None):
        return timer(fn, setup=setup, number=number, repeat=repeat)

    grad = np.zeros_like(x)  # preallocated gradient / copy destination (pages touched)
    read = run(lambda: x.sum())                 # one read of the logits
    rw = run(lambda: np.copyto(grad, x))        # one read + one write
    rw_new = run(lambda: x.copy())              # one read + one write into a new array
    xt = torch.from_numpy(x) if torch is not None else None
    tt = torch.from_numpy(t) if torch is not None else None

    refs: Dict[str, object] = {}  # numpy results (and times) shared by an op and its variant
    for op in ops:
        sl = np_fn = torch_fn = torch_setup = setup = None
        variant = op in ("fused_out", "fused_inplace", "log_softmax_out")  # same numpy/torch work as above
        if op == "bce":
            y = rng.random(shape, dtype=dtype)
            sl = lambda: swiftloss.binary_cross_entropy_with_logits(x, y)
            np_fn = lambda: np_bce_with_logits(x, y)
            ref = np_fn()
            check_scalar(f"{case_id} bce", sl(), ref)
            if torch is not None:
                yt = torch.from_numpy(y)
                torch_fn = lambda: TF.binary_cross_entropy_with_logits(xt, yt)
                check_scalar(f"{case_id} bce torch", torch_fn().item(), ref)
        elif op in REGRESSION_OPS:
            name = REGRESSION_NAMES[op]
            y = rng.standard_normal(shape, dtype=dtype)
            if op == "soft_margin":
                y = np.sign(y)
            if op == "poisson":
                y = rng.integers(0, 6, shape).astype(dtype)  # counts
            yt = torch.from_numpy(y) if torch is not None else None
            if op == "mse_grad":
                sl = lambda: swiftloss.mse_loss(x, y, with_grad=True)
                np_fn = lambda: np_regression(op, x, y)
                ref_loss, ref_grad = np_fn()
                loss, g = sl()
                check_scalar(f"{case_id} mse_loss fwd+bwd", loss, ref_loss)
                check_array(f"{case_id} mse_loss grad", g, ref_grad)
                if torch is not None:
                    xg = torch.from_numpy(x).requires_grad_()

                    def torch_fn(xg=xg, yt=yt):
                        xg.grad = None
                        loss = TF.mse_loss(xg, yt)
                        loss.backward()
                        return loss, xg.grad
                    tl, tg = torch_fn()
                    check_array(f"{case_id} mse_loss grad torch", tg.numpy(), ref_grad)
                    torch_setup = lambda xg=xg: setattr(xg, "grad", None)
            elif op in EMBEDDING_OPS:
                z = rng.standard_normal(shape, dtype=dtype)
                zt = torch.from_numpy(z) if torch is not None else None
                grad_op = op.endswith("_grad")
                if op.startswith("cosine"):
                    t = np.where(z[:, 0] > 0, 1.0, -1.0).astype(dtype)
                    args, kw = (x, y, t), dict(margin=0.1)
                else:
                    args, kw = (x, y, z), {}
                sl = lambda args=args, kw=kw, grad_op=grad_op: getattr(swiftloss, name)(*args, with_grad=grad_op, **kw)
                np_fn = lambda op=op: np_embedding(op, x, y, z)
                ref = np_fn()
                got = sl()
                check_scalar(f"{case_id} {name}", got[0] if grad_op else got, ref[0] if grad_op else ref)
                if grad_op:
                    for k, (g, w) in enumerate(zip(got[1], ref[1])):
                        check_array(f"{case_id} {name} grad {k}", g, w)
                if torch is not None:
                    learned = [torch.from_numpy(a.copy()).requires_grad_(grad_op) for a in args[:2 if op.startswith("cosine") else 3]]
                    rest = [torch.from_numpy(a) for a in args[len(learned):]]

                    def torch_fn(learned=learned, rest=rest, kw=kw, grad_op=grad_op):
                        for leaf in learned:
                            leaf.grad = None
                        loss = getattr(TF, name)(*learned, *rest, **kw)
                        if grad_op:
                            loss.backward()
                        return loss
                    check_scalar(f"{case_id} {name} torch", torch_fn().item(), ref[0] if grad_op else ref)
                    if grad_op:
                        for k, (leaf, w) in enumerate(zip(learned, ref[1])):
                            check_array(f"{case_id} {name} grad {k} torch", leaf.grad.numpy(), w)
            elif op in ("margin_ranking", "gaussian_nll"):
                if op == "margin_ranking":  # +-1 targets, margin 0.1
                    third = np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(dtype)
                    kw = dict(margin=0.1)
                else:  # positive variances
                    third = (rng.random(shape, dtype=dtype) + dtype(0.1)).astype(dtype)
                    kw = {}
                sl = lambda name=name, third=third, kw=kw: getattr(swiftloss, name)(x, y, third, **kw)
                np_fn = lambda op=op, third=third: np_regression(op, x, y, third)
                ref = np_fn()
                check_scalar(f"{case_id} {name}", sl(), ref)
                if torch is not None:
                    tt3 = torch.from_numpy(third)
                    torch_fn = lambda name=name, tt3=tt3, kw=kw: getattr(TF, name)(xt, yt, tt3, **kw)
                    check_scalar(f"{case_id} {name} torch", torch_fn().item(), ref)
            else:
                sl = lambda name=name: getattr(swiftloss, name)(x, y)
                np_fn = lambda: np_regression(op, x, y)
                ref = np_fn()
                check_scalar(f"{case_id} {name}", sl(), ref)
                if torch is not None:
                    torch_fn = lambda name=name: getattr(TF, name)(xt, yt)
                    check_scalar(f"{case_id} {name} torch", torch_fn().item(), ref)
        elif op in MARGIN_OPS:
            name = MARGIN_NAMES[op]
            target = t if op.startswith("multi_margin") else label_lists(rng, shape)
            grad_op = op.endswith("grad")
            sl = lambda name=name, target=target: getattr(swiftloss, name)(x, target, with_grad=grad_op)
            np_fn = lambda target=target: np_margin(op, x, target)
            ref = np_fn()
            got = sl()
            check_scalar(f"{case_id} {name}", got[0] if grad_op else got, ref[0] if grad_op else ref)
            if grad_op:
                check_array(f"{case_id} {name} grad", got[1], ref[1])
            if torch is not None:
                tt_m = torch.from_numpy(target)
                if grad_op:
                    xg = torch.from_numpy(x).requires_grad_()

                    def torch_fn(xg=xg, tt_m=tt_m, name=name):
                        xg.grad = None
                        loss = getattr(TF, name)(xg, tt_m)
                        loss.backward()
                        return loss, xg.grad
                    tl, tg = torch_fn()
                    check_scalar(f"{case_id} {name} torch", tl.item(), ref[0])
                    check_array(f"{case_id} {name} grad torch", tg.numpy(), ref[1])
                    torch_setup = lambda xg=xg: setattr(xg, "grad", None)
                else:
                    torch_fn = lambda name=name, tt_m=tt_m: getattr(TF, name)(xt, tt_m)
                    check_scalar(f"{case_id} {name} torch", torch_fn().item(), ref)
        elif op == "ce":
            sl = lambda: swiftloss.cross_entropy(x, t)
            np_fn = lambda: np_cross_entropy(x, t)
            ref = np_fn()
            check_scalar(f"{case_id} cross_entropy", sl(), ref)
            if torch is not None:
                torch_fn = lambda: TF.cross_entropy(xt, tt)
                check_scalar(f"{case_id} cross_entropy torch", torch_fn().item(), ref)
        elif op in ("fused", "fused_out", "fused_inplace"):
            if "fused" not in refs:
                np_grad = np.empty_like(x)
                refs["fused"] = np_cross_entropy_fused(x, t, np_grad)  # (loss, np_grad)
            ref_loss, ref_grad = refs["fused"]
            if op == "fused":
                np_fn = lambda: np_cross_entropy_fused(x, t, ref_grad)  # rewrites the same values
                sl, how = make_sl_fused(x, t, grad)
                note = f"ce fwd+bwd calls {how}"
                if note not in notes:
                    notes.append(note)
                loss, g = sl()
                check_scalar(f"{case_id} fused loss", loss, ref_loss)
                check_array(f"{case_id} fused grad", g, ref_grad)
                del g
                if torch is not None:
                    xg = torch.from_numpy(x).requires_grad_()

                    def torch_fn(xg=xg):
                        xg.grad = None
                        loss = TF.cross_entropy(xg, tt)
                        loss.backward()
                        return loss, xg.grad
                    tl, tg = torch_fn()
                    check_scalar(f"{case_id} fused loss torch", tl.item(), ref_loss)
                    check_array(f"{case_id} fused grad torch", tg.numpy(), ref_grad)
                    del tl, tg
                    torch_setup = lambda xg=xg: setattr(xg, "grad", None)
            elif op == "fused_out":
                sl = lambda: swiftloss.cross_entropy(x, t, with_grad=True, out=(None, grad))
                loss, g = sl()
                check_scalar(f"{case_id} fused out= loss", loss, ref_loss)
                check_array(f"{case_id} fused out= grad", grad, ref_grad)
            else:
                xc = x.copy()
                out = np.empty(1, dtype=x.dtype)
                loss, _ = sl_fused_lowlevel(xc, t, out, xc)
                check_scalar(f"{case_id} in-place fused loss", loss, ref_loss)
                check_array(f"{case_id} in-place fused grad", xc, ref_grad)
                sl = lambda: sl_fused_lowlevel(xc, t, out, xc)
                setup = lambda: np.copyto(xc, x)  # fresh logits before each timed batch
        elif op in ("log_softmax", "log_softmax_out"):
            if "log_softmax" not in refs:
                refs["log_softmax"] = np_log_softmax(x)
            ref = refs["log_softmax"]
            if op == "log_softmax":
                sl = lambda: swiftloss.log_softmax(x, dim=1)
                np_fn = lambda: np_log_softmax(x)
                check_array(f"{case_id} log_softmax", sl(), ref)
                if torch is not None:
                    torch_fn = lambda: TF.log_softmax(xt, dim=1)
                    check_array(f"{case_id} log_softmax torch", torch_fn().numpy(), ref)
            else:
                sl = lambda: swiftloss.log_softmax(x, dim=1, out=grad)
                sl()
                check_array(f"{case_id} log_softmax out=", grad, ref)
        gc.collect()

        s = run(sl, setup)
        if variant:
            n_time, t_time = rows[-1]["numpy"], rows[-1]["torch"]
        else:
            n_time = run(np_fn)["median"]
            t_time = run(torch_fn, torch_setup)["median"] if torch_fn is not None else None
        if op == "fused_inplace":
            refs.pop("fused", None)
        if op == "log_softmax_out":
            refs.pop("log_softmax", None)
        ref_kind = OP_REF[op]
        rows.append({
            "case": case_id, "shape": shape, "dtype": np.dtype(dtype).name, "op": op,
            "swiftloss": s["median"], "k": s["k"], "number": s["number"],
            "numpy": n_time, "torch": t_time,
            "read": read["median"], "rw": rw["median"], "new": rw_new["median"], "ref_kind": ref_kind,
            "ref": {"read": read, "r+w": rw, "new": rw_new}[ref_kind]["median"],
        })
        sl = np_fn = torch_fn = torch_setup = setup = ref = None
        xg = xc = ref_grad = np_grad = None
        gc.collect()
    return rows


# ------------------------------------------------------------------------------------------
# ctc_loss (issue 16): forward + backward, 'mean', float32, every input and target full length
# ------------------------------------------------------------------------------------------

# id, T, N, C, S; the issue's torch times (2 threads, measured when it was written)
CTC_CASES = [("ctc-150x16x40x30", 150, 16, 40, 30, 4.0e-3), ("ctc-400x4x29x80", 400, 4, 29, 80, 7.0e-3),
             ("ctc-1000x32x100x200", 1000, 32, 100, 200, 262e-3)]


def ctc_section(timer: Timer, filters: Optional[List[str]]) -> None:
    """swiftloss.ctc_loss(with_grad=True) against torch's ctc_loss forward + backward, side by
    side in one run (results checked against torch first); the goal is at most 0.5x torch."""
    rng = np.random.default_rng(16)
    print("ctc_loss fwd+bwd ('mean', float32, log_softmax inputs, full lengths); goal: at most 0.5x torch")
    print(f"  {'T x N x C, S':<22} {'swiftloss':>10} {'torch':>10} {'sl/torch':>9} {'issue torch':>12}  goal")
    for case_id, T, N, C, S, issue in CTC_CASES:
        if filters and not any(f in case_id for f in filters) and "ctc" not in filters:
            continue
        x = rng.standard_normal((T, N, C), dtype=np.float32)
        lp = (x - np.log(np.exp(x).sum(2, keepdims=True))).astype(np.float32)
        targets = rng.integers(1, C, (N, S), dtype=np.int64)
        il, tl = np.full(N, T, np.int64), np.full(N, S, np.int64)
        sl = lambda lp=lp, targets=targets, il=il, tl=tl: swiftloss.ctc_loss(lp, targets, il, tl, with_grad=True)
        loss, grad = sl()
        torch_time = None
        if torch is not None:
            xg = torch.from_numpy(lp.copy()).requires_grad_()
            args = (torch.from_numpy(targets), torch.from_numpy(il), torch.from_numpy(tl))

            def torch_fn(xg=xg, args=args):
                xg.grad = None
                out = TF.ctc_loss(xg, *args)
                out.backward()
                return out
            check_scalar(f"{case_id} ctc_loss torch", torch_fn().item(), float(loss))
            # float32 CTC gradients of long inputs are only about 1e-3 of their scale accurate
            # (alpha + beta + nll - lp cancels values of hundreds), torch's and swiftloss's alike:
            # both 5.8e-4 from the float64 gradient at T = 400
            check_array(f"{case_id} ctc_loss grad torch", grad, xg.grad.numpy(), rtol=2e-3)
        mine = timer(sl)["median"]
        if torch is not None:
            torch_time = timer(torch_fn)["median"]
        ratio = mine / torch_time if torch_time else None
        goal = "-" if ratio is None else ("met" if ratio <= 0.5 else "not met")
        print(f"  {f'{T}x{N}x{C}, {S}':<22} {fmt_time(mine):>10} {fmt_time(torch_time):>10} "
              f"{fmt_ratio(mine, torch_time):>9} {fmt_time(issue):>12}  {goal}")
        gc.collect()
    print()


# ------------------------------------------------------------------------------------------
# cross_entropy with z_loss and softcap (issue 14's keywords, beyond torch): forward + backward
# ------------------------------------------------------------------------------------------

# id, N, C, dtype; z_loss 1e-4 and softcap 30 (Gemma 2's final-logit cap), 'mean'
ZLOSS_CASES = [("zloss-256x1000-f32", 256, 1000, np.float32), ("zloss-8x128256-f32", 8, 128256, np.float32),
               ("zloss-4096x32000-f32", 4096, 32000, np.float32), ("zloss-4096x32000-f64", 4096, 32000, np.float64)]


def zloss_section(timer: Timer, filters: Optional[List[str]]) -> None:
    """swiftloss.cross_entropy(z_loss=, softcap=, with_grad=True) against the torch composite
    it is defined by (softcap, cross_entropy, z_loss * mean(logsumexp^2), autograd backward), and
    against swiftloss's plain cross_entropy fwd+bwd (what the two terms cost)."""
    rng = np.random.default_rng(14)
    print("cross_entropy with z_loss=1e-4, softcap=30, fwd+bwd ('mean'); torch: the composite with autograd")
    print(f"  {'N x C, dtype':<22} {'swiftloss':>10} {'torch':>10} {'sl/torch':>9} {'plain sl':>10} {'sl/plain':>9}")
    for case_id, N, C, dtype in ZLOSS_CASES:
        if filters and not any(f in case_id for f in filters) and "zloss" not in filters:
            continue
        x = (rng.standard_normal((N, C)) * 4).astype(dtype)
        t = rng.integers(0, C, N)
        sl = lambda x=x, t=t: swiftloss.cross_entropy(x, t, z_loss=1e-4, softcap=30.0, with_grad=True)
        plain = lambda x=x, t=t: swiftloss.cross_entropy(x, t, with_grad=True)
        loss, grad = sl()
        torch_time = None
        if torch is not None:
            xg = torch.from_numpy(x.copy()).requires_grad_()
            tt = torch.from_numpy(t)

            def torch_fn(xg=xg, tt=tt):
                xg.grad = None
                r = 30.0 * torch.tanh(xg / 30.0)
                out = TF.cross_entropy(r, tt) + 1e-4 * torch.logsumexp(r, 1).square().mean()
                out.backward()
                return out
            check_scalar(f"{case_id} torch composite", torch_fn().item(), float(loss))
            check_array(f"{case_id} grad torch composite", grad, xg.grad.numpy(), rtol=2e-3)
        mine = timer(sl)["median"]
        base = timer(plain)["median"]
        if torch is not None:
            torch_time = timer(torch_fn)["median"]
        print(f"  {f'{N}x{C}, {np.dtype(dtype).name}':<22} {fmt_time(mine):>10} {fmt_time(torch_time):>10} "
              f"{fmt_ratio(mine, torch_time):>9} {fmt_time(base):>10} {fmt_ratio(mine, base):>9}")
        xg = torch_fn = None
        gc.collect()
    print()



# ------------------------------------------------------------------------------------------
# linear_cross_entropy (issue 14): forward + backward (input and weight gradients), 'mean'
# ------------------------------------------------------------------------------------------

# id, N, H, V, dtype; only with --cases linear_cross_entropy (not in the default run)
LCE_CASES = [("lce-4096x1024x32000-f32", 4096, 1024, 32000, "float32"),
             ("lce-1024x1024x32000-f64", 1024, 1024, 32000, "float64"),
             ("lce-1024x1024x128256-f32", 1024, 1024, 128256, "float32")]
# who runs in the worker: swiftloss, torch's reference path, its chunked path (1024 rows, default)
LCE_RUNNERS = ["swiftloss", "torch-ref", "torch-chunk1024", "torch-chunk-default"]


def _rss_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def lce_worker(spec: str) -> Dict:
    """One measurement in this (fresh) process: the inputs are made, then the peak RSS is reset
    (/proc/self/clear_refs, 5) and one call runs: its peak minus the RSS before it is the extra
    memory (outputs and gradients included); then the minimum time of a few calls."""
    case_id, runner, repeat = spec.split(":")
    _, N, H, V, dtype = next(c for c in LCE_CASES if c[0] == case_id)
    rng = np.random.default_rng(14)
    x = rng.standard_normal((N, H), dtype=np.float32).astype(dtype)
    w = (rng.standard_normal((V, H), dtype=np.float32) * 0.03).astype(dtype)
    t = rng.integers(0, V, N, dtype=np.int64)
    if runner == "swiftloss":
        def call():
            loss, grads = swiftloss.linear_cross_entropy(x, w, t, with_grad=True)
            return float(loss), grads
    else:
        load_torch(False)
        torch.set_num_threads(c_get_num_threads() or os.cpu_count())
        options = None
        if runner == "torch-chunk1024":
            options = torch.nn.LinearCrossEntropyOptions(batch_chunk_size=1024)
        elif runner == "torch-chunk-default":
            options = torch.nn.LinearCrossEntropyOptions()
        xt = torch.from_numpy(x).requires_grad_()
        wt = torch.from_numpy(w).requires_grad_()
        tt = torch.from_numpy(t)

        def call():
            xt.grad = wt.grad = None
            loss = TF.linear_cross_entropy(xt, wt, tt, options=options)
            loss.backward()
            return float(loss), (xt.grad, wt.grad)
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        reset = True
    except OSError:
        reset = False
    before = _rss_kb("VmRSS")
    loss, grads = call()
    peak = _rss_kb("VmHWM")
    del grads
    gc.collect()
    times = []
    for _ in range(int(repeat)):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return {"loss": loss, "time": min(times), "extra_mb": (peak - before) / 1024 if reset else None}


def lce_section(filters: Optional[List[str]], repeat: Optional[int]) -> None:
    """swiftloss.linear_cross_entropy(with_grad=True) against torch's reference and chunked
    paths, each measurement in a fresh subprocess (time: min of a few calls; extra memory: the
    call's peak RSS above the inputs)."""
    print("linear_cross_entropy fwd+bwd ('mean', input and weight gradients), 2 threads; goal: at most 0.85x "
          "torch's best time and at most half of its chunked path's extra memory")
    print(f"  {'N x H x V dtype':<26} {'runner':<20} {'time':>9} {'extra MB':>9} {'loss':>12}")
    for case_id, N, H, V, dtype in LCE_CASES:
        if filters and not any(f in case_id for f in filters) and "linear_cross_entropy" not in filters:
            continue
        results = {}
        for runner in LCE_RUNNERS:
            if runner != "swiftloss" and torch is None:
                continue
            spec = f"{case_id}:{runner}:{repeat or 3}"
            proc = subprocess.run([sys.executable, HERE, "--lce-worker", spec], capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"  {case_id:<26} {runner:<20} failed: {proc.stderr.strip().splitlines()[-1:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            results[runner] = r
            mb = "-" if r["extra_mb"] is None else f"{r['extra_mb']:.0f}"
            print(f"  {f'{N}x{H}x{V} {dtype}':<26} {runner:<20} {fmt_time(r['time']):>9} {mb:>9} {r['loss']:>12.6f}")
        mine = results.get("swiftloss")
        others = [results[k] for k in LCE_RUNNERS[1:] if k in results]
        if mine and others:
            best = min(o["time"] for o in others)
            chunked = [results[k]["extra_mb"] for k in ("torch-chunk1024", "torch-chunk-default")
                       if k in results and results[k]["extra_mb"] is not None]
            ratio = mine["time"] / best
            mem = (mine["extra_mb"] / min(chunked)) if chunked and mine["extra_mb"] is not None else None
            print(f"  {'':<26} {'-> swiftloss/best':<20} {ratio:>8.2f}x {'' if mem is None else f'{mem:.2f}x':>9}"
                  f"  time goal {'met' if ratio <= 0.85 else 'not met'}, memory goal "
                  f"{'-' if mem is None else ('met' if mem <= 0.5 else 'not met')}")
    flops = 6.0 * 4096 * 1024 * 32000
    print(f"  the three GEMMs of 4096x1024x32000 are {flops / 1e9:.0f} GFLOP (the machine's FMA peak: --cases gemm)")
    print()

# gemm (issue 14): the library's own matrix multiplication, reached through ctypes (it has no
# Python wrapper). Shapes: linear_cross_entropy's three products for a block of 256 rows
# (N = 4096, H = 1024, V = 32000) and the plain big ones. (id, transA, transB, m, n, k, what)
GEMM_CASES = [
    ("gemm-logits-256", 0, 1, 256, 32000, 1024, "X_b W^T"),
    ("gemm-grad_input-256", 0, 0, 256, 1024, 32000, "G W"),
    ("gemm-grad_weight-256", 1, 0, 32000, 1024, 256, "G^T X_b (+=)"),
    ("gemm-logits-4096", 0, 1, 4096, 32000, 1024, "X W^T"),
    ("gemm-grad_input-4096", 0, 0, 4096, 1024, 32000, "G W"),
    ("gemm-grad_weight-4096", 1, 0, 32000, 1024, 4096, "G^T X"),
]


def fma_peak(threads: int) -> Optional[Dict[str, float]]:
    """The FMA peak (GFLOP/s) of `threads` threads, measured by benchmarks/fma_peak.c compiled
    here (cc -O2 -mavx2 -mfma): keys f32 and f64 (AVX2), and f32_avx512 and f64_avx512 where the
    CPU has AVX-512F; None without a C compiler."""
    import tempfile
    source = os.path.join(os.path.dirname(HERE), "fma_peak.c")
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "fma_peak")
        try:
            subprocess.run([os.environ.get("CC", "cc"), "-O2", "-mavx2", "-mfma", "-pthread", source, "-o", exe],
                           check=True, capture_output=True)
            best: Dict[str, float] = {}
            for _ in range(3):  # the best of three: the machine may be shared
                out = subprocess.run([exe, str(threads), "0.5"], check=True, capture_output=True, text=True).stdout
                for line in out.split("\n"):
                    if line.strip():
                        kind, value = line.split()
                        best[kind] = max(best.get(kind, 0.0), float(value))
            return best
        except (OSError, subprocess.CalledProcessError):
            return None


def gemm_section(timer: Timer, filters: Optional[List[str]]) -> None:
    """swiftloss_gemm_f32/_f64 against numpy's matmul (OpenBLAS) and torch.matmul, in GFLOP/s
    (best of the timed runs), with the FMA peak of one core and of every thread swiftloss uses."""
    import ctypes
    lib = ctypes.CDLL(os.path.join(os.path.dirname(_C.__file__), "libswiftloss.so.0"))
    P, S, I = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int
    for f in (lib.swiftloss_gemm_f32, lib.swiftloss_gemm_f64):
        f.argtypes = [I, I, S, S, S, P, S, P, S, P, S, I]
        f.restype = I
    threads = c_get_num_threads() or os.cpu_count() or 1
    one, all_threads = fma_peak(1), fma_peak(threads)
    kernels = _C.kernels_string()
    # The peak of the instructions swiftloss's gemm runs: AVX-512 with the AVX-512 GEMM.
    suffix = "_avx512" if kernels == "avx2+avx512-gemm" else ""
    print(f"gemm: GFLOP/s (2mnk / best time), {threads} threads each; swiftloss's kernels: {kernels}")
    if one and all_threads:
        for isa, tag in (("AVX2", ""), ("AVX-512", "_avx512")):
            if "f32" + tag in one:
                print(f"  FMA peak ({isa}, fma_peak.c): f32 {one['f32' + tag]:.1f} a core, "
                      f"{all_threads['f32' + tag]:.1f} on {threads} threads; f64 {one['f64' + tag]:.1f} a core, "
                      f"{all_threads['f64' + tag]:.1f} on {threads} threads")
        print(f"  sl/peak: against the {'AVX-512' if suffix else 'AVX2'} peak on {threads} threads")
    else:
        print("  FMA peak not measured (no C compiler)")
    print(f"  {'case':<22} {'op':<13} {'m x n x k':<18} {'dtype':<5} {'swiftloss':>9} {'numpy':>7} {'torch':>7} "
          f"{'sl/peak':>7} {'sl/numpy':>8}")
    rng = np.random.default_rng(14)
    for case_id, ta, tb, m, n, k, what in GEMM_CASES:
        if not any(f in case_id for f in filters) and "gemm" not in filters:
            continue
        for dtype, name in ((np.float32, "f32"), (np.float64, "f64")):
            a = rng.standard_normal((k, m) if ta else (m, k)).astype(dtype)
            b = rng.standard_normal((n, k) if tb else (k, n)).astype(dtype)
            c = np.zeros((m, n), dtype)
            fn = lib.swiftloss_gemm_f32 if dtype == np.float32 else lib.swiftloss_gemm_f64
            accumulate = 1 if "+=" in what else 0
            args = (ta, tb, m, n, k, a.ctypes.data, a.shape[1], b.ctypes.data, b.shape[1], c.ctypes.data, n, accumulate)
            opa, opb = (a.T if ta else a), (b.T if tb else b)
            if fn(*args) != 0:
                raise SystemExit(f"{case_id}: swiftloss_gemm failed")
            want = opa @ opb
            if accumulate:
                c[...] = 0
                fn(*args)
            check_array(f"{case_id} {name} gemm", c, want, rtol=1e-4 if dtype == np.float32 else 1e-10)
            flops = 2.0 * m * n * k
            best = lambda f: min(timer(f, repeat=3)["samples"])
            mine = best(lambda: fn(*args))
            ref = best(lambda: np.matmul(opa, opb))
            theirs = None
            if torch is not None:
                ta_, tb_ = torch.from_numpy(opa), torch.from_numpy(opb)
                theirs = best(lambda: torch.matmul(ta_, tb_))
            peak = all_threads and all_threads.get(name + suffix)
            print(f"  {case_id:<22} {what:<13} {f'{m}x{n}x{k}':<18} {name:<5} {flops / mine / 1e9:>9.1f} "
                  f"{flops / ref / 1e9:>7.1f} {('-' if theirs is None else f'{flops / theirs / 1e9:.1f}'):>7} "
                  f"{(f'{flops / mine / 1e9 / peak:.0%}' if peak else '-'):>7} {ref / mine:>7.2f}x")
            del a, b, c, want
            gc.collect()
    print()


# ------------------------------------------------------------------------------------------
# Vocabulary-parallel cross_entropy (issue 15): 2 gloo ranks on this machine
# ------------------------------------------------------------------------------------------

DIST_N, DIST_V, DIST_RANKS, DIST_ITERS = 4096, 16000, 2, 15


def join_group(spec: str):
    """A rank of a benchmark's gloo group: joins it (spec "rank,world,rendezvous file") and
    gives swiftloss one thread (the ranks share the machine's cores); returns (rank, world)."""
    import torch.distributed as dist
    rank, world, init = spec.split(",", 2)
    rank, world = int(rank), int(world)
    dist.init_process_group("gloo", init_method=f"file://{init}", rank=rank, world_size=world)
    swiftloss.set_num_threads(1)
    return rank, world


def time_ranks(call, buffers, warmups: int, runs: int):
    """Runs call(all_reduce) warmups + runs times on every rank (a barrier before each) and
    returns its last result and the medians of: the call, the time inside its all-reduces, and
    the same all-reduces alone (buffers: (numpy array, "max" | "sum"))."""
    import torch.distributed as dist
    ops = {"max": dist.ReduceOp.MAX, "sum": dist.ReduceOp.SUM}
    inside = [0.0]

    def all_reduce(array, op):
        t0 = time.perf_counter()
        dist.all_reduce(torch.from_numpy(array), op=ops[op])
        inside[0] += time.perf_counter() - t0

    totals, reduces, alone = [], [], []
    result = None
    for i in range(warmups + runs):  # every rank runs the same number
        dist.barrier()
        inside[0] = 0.0
        t0 = time.perf_counter()
        result = call(all_reduce)
        total = time.perf_counter() - t0
        dist.barrier()
        t0 = time.perf_counter()
        for b, op in buffers:
            dist.all_reduce(torch.from_numpy(b), op=ops[op])
        if i >= warmups:
            totals.append(total)
            reduces.append(inside[0])
            alone.append(time.perf_counter() - t0)
    return result, {"total": statistics.median(totals), "inside": statistics.median(reduces),
                    "alone": statistics.median(alone)}


def dist_worker(spec: str) -> int:
    """One rank of distributed_section: times swiftloss.distributed.cross_entropy(with_grad=True)
    on its (4096, 16000) float32 shard, the time spent inside its all-reduces, and the same
    all-reduces alone."""
    import torch.distributed as dist
    rank, world = join_group(spec)
    x = np.random.default_rng(100 + rank).standard_normal((DIST_N, DIST_V), dtype=np.float32) * 2
    t = np.random.default_rng(7).integers(0, DIST_V * world, DIST_N)
    buffers = [(np.zeros(17), "max"), (np.zeros(DIST_N, np.float32), "max"),
               (np.zeros(3 * DIST_N + 2, np.float32), "sum")]
    (loss, grad), times = time_ranks(
        lambda reduce: swiftloss.distributed.cross_entropy(x, t, vocab_start=rank * DIST_V, num_classes=world * DIST_V,
                                                           all_reduce=reduce, with_grad=True),
        buffers, 3, DIST_ITERS)
    print(json.dumps({"rank": rank, "loss": float(loss), "grad_rows": grad[:2].tolist(), **times}))
    dist.destroy_process_group()
    return 0


def distributed_section(timer: Timer) -> None:
    """2 ranks x (4096, 2 x 16000) float32 forward+backward through swiftloss.distributed on a
    gloo group of this machine, against F.cross_entropy forward+backward on one process over the
    gathered (4096, 32000) logits (and swiftloss.cross_entropy on it); results checked first."""
    import tempfile
    print(f"Vocabulary-parallel cross_entropy fwd+bwd, float32: {DIST_RANKS} gloo ranks x ({DIST_N}, {DIST_V}) "
          f"(1 swiftloss thread each) vs one process over ({DIST_N}, {DIST_RANKS * DIST_V})")
    with tempfile.TemporaryDirectory() as tmp:
        init = os.path.join(tmp, "rendezvous")
        procs = [subprocess.Popen([sys.executable, HERE, "--dist-worker", f"{r},{DIST_RANKS},{init}"],
                                  stdout=subprocess.PIPE, text=True) for r in range(DIST_RANKS)]
        reports = [json.loads(p.communicate(timeout=900)[0].strip().splitlines()[-1]) for p in procs]
    x = np.concatenate([np.random.default_rng(100 + r).standard_normal((DIST_N, DIST_V), dtype=np.float32) * 2
                        for r in range(DIST_RANKS)], axis=1)
    t = np.random.default_rng(7).integers(0, DIST_V * DIST_RANKS, DIST_N)
    sl_full = lambda: swiftloss.cross_entropy(x, t, with_grad=True)
    loss, grad = sl_full()
    for r, report in enumerate(reports):
        check_scalar(f"distributed rank {r} loss", report["loss"], float(loss))
        check_array(f"distributed rank {r} grad rows", np.array(report["grad_rows"], np.float32),
                    grad[:2, r * DIST_V:(r + 1) * DIST_V])
    torch_time = None
    if torch is not None:
        xg = torch.from_numpy(x.copy()).requires_grad_()
        tt = torch.from_numpy(t)

        def torch_fn():
            xg.grad = None
            out = TF.cross_entropy(xg, tt)
            out.backward()
            return out
        check_scalar("distributed torch loss", torch_fn().item(), float(loss))
        torch_time = timer(torch_fn, setup=lambda: setattr(xg, "grad", None))["median"]
    full_time = timer(sl_full)["median"]
    slowest = max(reports, key=lambda r: r["total"])
    print(f"  {'':<44} {'time':>10} {'vs torch':>9}")
    print(f"  {'swiftloss.distributed, 2 ranks (slowest)':<44} {fmt_time(slowest['total']):>10} "
          f"{fmt_ratio(slowest['total'], torch_time):>9}")
    print(f"  {'  of which inside its 3 all-reduces':<44} {fmt_time(slowest['inside']):>10}")
    print(f"  {'  the same 3 all-reduces alone':<44} {fmt_time(max(r['alone'] for r in reports)):>10}")
    print(f"  {'  shard-local work (total - all-reduces)':<44} {fmt_time(slowest['total'] - slowest['inside']):>10}")
    print(f"  {'F.cross_entropy fwd+bwd, one process':<44} {fmt_time(torch_time):>10}")
    print(f"  {'swiftloss.cross_entropy fwd+bwd, one process':<44} {fmt_time(full_time):>10} "
          f"{fmt_ratio(full_time, torch_time):>9}")
    print(f"  (medians of {DIST_ITERS} runs per rank after 3 warm-ups; torch and the one-process swiftloss "
          f"with {torch.get_num_threads() if torch is not None else '-'} / {c_get_num_threads()} threads)")
    print()


# ------------------------------------------------------------------------------------------
# Vocabulary-parallel linear_cross_entropy, a sharded LM head (issue 15 part 3): 2 gloo ranks
# ------------------------------------------------------------------------------------------

HEAD_H = 1024


def head_data(rank: int):
    """The (N, H) hidden states (the same on every rank), this rank's (DIST_V, H) weight rows
    and the targets."""
    x = np.random.default_rng(99).standard_normal((DIST_N, HEAD_H), dtype=np.float32)
    w = np.random.default_rng(200 + rank).standard_normal((DIST_V, HEAD_H), dtype=np.float32) * 0.03
    t = np.random.default_rng(7).integers(0, DIST_V * DIST_RANKS, DIST_N)
    return x, w, t


def dist_head_worker(spec: str) -> int:
    """One rank of distributed_head_section: times swiftloss.distributed.linear_cross_entropy
    (with_grad=True) on its 16000 weight rows, the time inside its four all-reduces, and the
    same all-reduces alone."""
    import torch.distributed as dist
    rank, world = join_group(spec)
    x, w, t = head_data(rank)
    buffers = [(np.zeros(21), "max"), (np.zeros(DIST_N, np.float32), "max"),
               (np.zeros(3 * DIST_N + 2, np.float32), "sum"), (np.zeros(DIST_N * HEAD_H, np.float32), "sum")]
    (loss, (gx, gw)), times = time_ranks(  # 2 warm-ups, 3 timed runs: each call takes seconds
        lambda reduce: swiftloss.distributed.linear_cross_entropy(
            x, w, t, vocab_start=rank * DIST_V, num_classes=world * DIST_V, all_reduce=reduce, with_grad=True),
        buffers, 2, 3)
    print(json.dumps({"rank": rank, "loss": float(loss), "gx_row": gx[0].tolist(), "gw_row": gw[0].tolist(),
                      **times}))
    dist.destroy_process_group()
    return 0


def distributed_head_section(timer: Timer) -> None:
    """2 ranks x (4096 x 1024 hidden, 2 x 16000 weight rows) float32 forward+backward through
    swiftloss.distributed.linear_cross_entropy on a gloo group of this machine, against torch's
    F.linear_cross_entropy forward+backward on one process over the full (32000, 1024) weight;
    results checked first (loss, a row of grad_input, a row of each rank's weight gradient)."""
    import tempfile
    print(f"Vocabulary-parallel linear_cross_entropy (sharded LM head) fwd+bwd, float32: {DIST_RANKS} gloo ranks x "
          f"({DIST_N} x {HEAD_H}, {DIST_V} weight rows) (1 swiftloss thread each) vs one process over "
          f"{DIST_RANKS * DIST_V} rows")
    with tempfile.TemporaryDirectory() as tmp:
        init = os.path.join(tmp, "rendezvous")
        procs = [subprocess.Popen([sys.executable, HERE, "--dist-head-worker", f"{r},{DIST_RANKS},{init}"],
                                  stdout=subprocess.PIPE, text=True) for r in range(DIST_RANKS)]
        reports = [json.loads(p.communicate(timeout=1800)[0].strip().splitlines()[-1]) for p in procs]
    x, _, t = head_data(0)
    w = np.concatenate([head_data(r)[1] for r in range(DIST_RANKS)])
    loss, (gx, gw) = swiftloss.linear_cross_entropy(x, w, t, with_grad=True)
    for r, report in enumerate(reports):
        check_scalar(f"distributed head rank {r} loss", report["loss"], float(loss))
        check_array(f"distributed head rank {r} grad_input row", np.array(report["gx_row"], np.float32), gx[0])
        check_array(f"distributed head rank {r} grad_weight row", np.array(report["gw_row"], np.float32),
                    gw[r * DIST_V])
    torch_time = None
    if torch is not None and hasattr(TF, "linear_cross_entropy"):
        xg = torch.from_numpy(x.copy()).requires_grad_()
        wg = torch.from_numpy(w.copy()).requires_grad_()
        tt = torch.from_numpy(t)

        def torch_fn():
            xg.grad = wg.grad = None
            out = TF.linear_cross_entropy(xg, wg, tt)
            out.backward()
            return out
        check_scalar("distributed head torch loss", torch_fn().item(), float(loss))
        torch_time = timer(torch_fn)["median"]
    slowest = max(reports, key=lambda r: r["total"])
    print(f"  {'':<48} {'time':>10} {'vs torch':>9}")
    print(f"  {'swiftloss.distributed.linear_cross_entropy, 2 ranks':<48} {fmt_time(slowest['total']):>10} "
          f"{fmt_ratio(slowest['total'], torch_time):>9}")
    print(f"  {'  of which inside its 4 all-reduces':<48} {fmt_time(slowest['inside']):>10}")
    print(f"  {'  the same 4 all-reduces alone':<48} {fmt_time(max(r['alone'] for r in reports)):>10}")
    print(f"  {'F.linear_cross_entropy fwd+bwd, one process':<48} {fmt_time(torch_time):>10}")
    print(f"  (medians of 3 runs per rank after 2 warm-ups; torch with "
          f"{torch.get_num_threads() if torch is not None else '-'} threads)")
    print()


def print_table(rows: List[Dict], torch_version: Optional[str]) -> None:
    headers = ["case", "dtype", "op", "swiftloss", "numpy", "torch", "read", "r+w", "new",
               "sl/ref", "sl/numpy", "sl/torch", "k"]
    lines = []
    for r in rows:
        lines.append([
            "x".join(str(d) for d in r["shape"]), r["dtype"].replace("float", "f"), OP_NAMES[r["op"]],
            fmt_time(r["swiftloss"]), fmt_time(r["numpy"]), fmt_time(r["torch"]),
            fmt_time(r["read"]), fmt_time(r["rw"]), fmt_time(r["new"]),
            f"{fmt_ratio(r['swiftloss'], r['ref'])} {r['ref_kind']}",
            fmt_ratio(r["swiftloss"], r["numpy"]), fmt_ratio(r["swiftloss"], r["torch"]),
            f"{r['k']}" + (f"x{r['number']}" if r["number"] > 1 else ""),
        ])
    widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h) for i, h in enumerate(headers)]
    left = {0, 1, 2}

    def fmt(cells):
        return "  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    print(fmt(headers))
    print("  ".join("-" * w for w in widths))
    previous = None
    for r, l in zip(rows, lines):
        if previous is not None and r["case"] != previous:
            print()
        previous = r["case"]
        print(fmt(l))


# ------------------------------------------------------------------------------------------
# Call overhead, scaling, threads
# ------------------------------------------------------------------------------------------

def call_overhead(timer: Timer, small_calls: Tuple[int, int]) -> Dict:
    number, repeat = small_calls
    x = np.array([[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], dtype=np.float32)
    t = np.array([2, 3], dtype=np.int64)
    out = np.empty(1, dtype=np.float32)
    check_scalar("2x4 cross_entropy", swiftloss.cross_entropy(x, t), np_cross_entropy(x, t))
    result = {
        "public": timer(lambda: swiftloss.cross_entropy(x, t), number=number, repeat=repeat)["median"],
        "lowlevel": timer(lambda: _C.cross_entropy(x, t, 2, 4, 1, None, -100, _C.REDUCTION_MEAN, 0.0, out),
                          number=number, repeat=repeat)["median"],
        "numpy": timer(lambda: np_cross_entropy(x, t), number=number, repeat=repeat)["median"],
        "torch": None, "calls": number * repeat,
    }
    if torch is not None:
        xt, tt = torch.from_numpy(x), torch.from_numpy(t)
        result["torch"] = timer(lambda: TF.cross_entropy(xt, tt), number=number, repeat=repeat)["median"]
    return result


def scaling(sizes, timer: Timer, rng) -> List[Dict]:
    largest = max(n * c for n, c in sizes)
    buf = rng.standard_normal(largest, dtype=np.float32)
    rows = []
    for n, c in sizes:
        x = buf[: n * c].reshape(n, c)  # a contiguous prefix: no copy
        t = rng.integers(0, c, size=n, dtype=np.int64)
        check_scalar(f"scaling {n}x{c}", swiftloss.cross_entropy(x, t), np_cross_entropy(x, t))
        s = timer(lambda: swiftloss.cross_entropy(x, t))["median"]
        r = timer(lambda: x.sum())["median"]
        rows.append({"n": n, "c": c, "elements": n * c, "swiftloss": s, "read": r})
    return rows


def thread_times(cases, timer: Timer, rng) -> Dict[str, float]:
    """swiftloss medians of the thread section's cases at the current thread count."""
    times = {}
    for case_id, shape, dtype in cases:
        x, t = make_inputs(shape, dtype, rng)
        grad = np.zeros_like(x)
        fused, _ = make_sl_fused(x, t, grad)
        fns = {"ce": lambda: swiftloss.cross_entropy(x, t), "fused": fused,
               "fused_out": lambda: swiftloss.cross_entropy(x, t, with_grad=True, out=(None, grad)),
               "log_softmax": lambda: swiftloss.log_softmax(x, dim=1),
               "log_softmax_out": lambda: swiftloss.log_softmax(x, dim=1, out=grad)}
        for op in THREAD_OPS:
            if op.startswith("log_softmax") and dtype == np.float64:
                continue
            times[f"{case_id}|{op}"] = timer(fns[op])["median"]
        del x, t, grad, fns, fused
        gc.collect()
    return times


def numpy_bandwidth_threads(shape, timer: Timer, threads: int) -> Dict[str, float]:
    """numpy sum / copyto of one large array split over `threads` Python threads (numpy releases
    the GIL): how much the memory bandwidth itself grows with a second thread."""
    from concurrent.futures import ThreadPoolExecutor

    x = np.random.default_rng(3).standard_normal(shape, dtype=np.float32)
    dst = np.zeros_like(x)
    parts = np.array_split(np.arange(shape[0]), threads)
    xs = [x[p[0]:p[-1] + 1] for p in parts]
    ds = [dst[p[0]:p[-1] + 1] for p in parts]
    with ThreadPoolExecutor(threads) as pool:
        read = timer(lambda: list(pool.map(lambda a: a.sum(), xs)))["median"]
        rw = timer(lambda: list(pool.map(lambda ab: np.copyto(ab[0], ab[1]), zip(ds, xs))))["median"]
    return {"read": read, "rw": rw}


def thread_section(mode: str, args, timer: Timer, filters) -> Tuple[Dict[int, Dict[str, float]], str]:
    """1 thread vs 2 on the large cases; other --cases filters narrow the cases (else all)."""
    others = [f for f in (filters or []) if f != "threads"]
    cases = [c for c in THREAD_CASES[mode] if selected(c[0], others)] or THREAD_CASES[mode]
    counts = [1, 2]
    results: Dict[int, Dict[str, float]] = {}
    if SET_THREADS is not None:
        how = "set_num_threads(n) in this process"
        for n in counts:
            SET_THREADS(n)
            reported = c_get_num_threads()
            if reported is not None and reported != n:
                raise RuntimeError(f"set_num_threads({n}) but the library reports {reported} threads")
            results[n] = thread_times(cases, timer, np.random.default_rng(1))
        SET_THREADS(0)
        return results, how
    how = "SWIFTLOSS_NUM_THREADS=n in a subprocess per count (no swiftloss.set_num_threads)"
    for n in counts:
        env = dict(os.environ, SWIFTLOSS_NUM_THREADS=str(n))
        command = [sys.executable, HERE, "--thread-worker", ",".join(c[0] for c in cases)]
        if args.quick:
            command.append("--quick")
        if args.repeat:
            command += ["--repeat", str(args.repeat)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=os.path.dirname(HERE))
        if done.returncode != 0:
            raise RuntimeError(f"thread worker ({n} threads) failed:\n{done.stderr}")
        reply = json.loads(done.stdout.strip().splitlines()[-1])
        if reply["threads"] is not None and reply["threads"] != n:
            raise RuntimeError(f"SWIFTLOSS_NUM_THREADS={n} but the library reports {reply['threads']} threads")
        results[n] = reply["times"]
    return results, how


# ------------------------------------------------------------------------------------------
# Header, footer
# ------------------------------------------------------------------------------------------

def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            info = f.read()
    except OSError:
        return platform.processor() or "unknown"
    model = next((l.split(":", 1)[1].strip() for l in info.splitlines() if l.startswith("model name")), "unknown")
    flags = next((l.split(":", 1)[1].split() for l in info.splitlines() if l.startswith("flags")), [])
    simd = [f for f in ("avx512f", "avx2", "fma", "sse4_2") if f in flags]
    return model + (f" ({', '.join(simd)})" if simd else "")


class CpuMonitor:
    """The share of the machine's CPUs that other processes used while this script ran."""

    def __init__(self):
        self.start = self._sample()

    @staticmethod
    def _sample():
        try:
            with open("/proc/stat", encoding="utf-8") as f:
                fields = [int(v) for v in f.readline().split()[1:]]
            busy = (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None
        own = os.times()
        return busy, own.user + own.system + own.children_user + own.children_system, time.perf_counter()

    def other_share(self) -> Optional[float]:
        end = self._sample()
        if self.start is None or end is None:
            return None
        busy, own, wall = (e - s for e, s in zip(end, self.start))
        return max(0.0, (busy - own) / (wall * (os.cpu_count() or 1)))


def cpu_busy(seconds: float = 0.5) -> Optional[float]:
    """Fraction of all CPUs busy over a short sleep of this process: other work on the machine."""
    def sample():
        with open("/proc/stat", encoding="utf-8") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields[:8])  # idle + iowait, total (no guest time)
    try:
        idle0, total0 = sample()
        time.sleep(seconds)
        idle1, total1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1.0 - (idle1 - idle0) / max(total1 - total0, 1)


def header(mode: str, torch_version: Optional[str], threads: Optional[int], torch_threads: Optional[int]) -> None:
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    try:
        with open("/proc/loadavg", encoding="utf-8") as f:
            load = " ".join(f.read().split()[:3])
    except OSError:
        load = "?"
    env_threads = os.environ.get("SWIFTLOSS_NUM_THREADS")
    busy = cpu_busy()
    print(f"swiftloss benchmark ({mode} run), {datetime.datetime.now().strftime('%Y-%m-%d %H:%M:%S')}")
    print(f"machine : {cpu_model()}, {cores} logical CPUs ({usable} usable), load avg {load}"
          + (f", other CPU use at start {busy:.0%}" if busy is not None else ""))
    if busy is not None and busy > 0.1:
        print("WARNING : other processes are using the CPUs: times will be noisy and slower")
    print(f"software: python {platform.python_version()}, numpy {np.__version__}, "
          f"torch {torch_version or 'not available (torch columns: -)'}, swiftloss {swiftloss.__version__} "
          f"(kernels {_C.kernels_string() if hasattr(_C, 'kernels_string') else '?'})")
    print(f"threads : swiftloss {threads if threads is not None else '?'}"
          f"{' (SWIFTLOSS_NUM_THREADS=' + env_threads + ')' if env_threads else ' (default)'}"
          + (f", torch {torch_threads} (torch.set_num_threads)" if torch_threads else ""))
    print("times are medians of k timed runs after one warm-up (k x b: k batches of b calls); "
          "sl/ref = swiftloss / read (forward), / read+write (r+w: into a preallocated array, for out= "
          "and in-place) or / read+write into a new array (new: x.copy(), for calls that return a new array)")
    print()


def footer(rows, overhead, thread_results, mode) -> None:
    def row(case, op):
        return next((r for r in rows if r["case"] == case and r["op"] == op), None)

    targets = []   # (label, measured, met, counted): info rows are shown but not counted
    large, seg = LARGE_ROWS[mode], SEG_ROWS[mode]
    # Issue 13's memory-bound limits (stricter than issue 5's 1.5x / 2x, which they replace),
    # issue 5's other targets; "(info)" rows are shown but not counted.
    for case, op, limit, label, counted in [
        (large, "ce", 1.3, f"cross_entropy fwd {large}: <= 1.3x one read", True),
        (large, "fused", 1.3, f"ce fwd+bwd {large}, new gradient: <= 1.3x read+write new", True),
        (large, "fused_out", 1.3, f"ce fwd+bwd {large}, out=: <= 1.3x read+write", True),
        (seg, "ce", 1.5, f"cross_entropy fwd {seg}: <= 1.5x one read", True),
        (large, "log_softmax", 1.5, f"log_softmax {large}, new result: <= 1.5x read+write new", True),
        (large, "log_softmax_out", 1.3, f"log_softmax {large}, out=: <= 1.3x read+write", True),
        (seg, "log_softmax", 1.5, f"(info) log_softmax {seg}, new result: <= 1.5x read+write new", False),
        (seg, "log_softmax_out", 1.5, f"(info) log_softmax {seg}, out=: <= 1.5x read+write", False),
        (large, "fused_inplace", 1.3, f"(info) ce fwd+bwd in-place {large}: <= 1.3x read+write", False),
        (seg, "fused", 1.5, f"(info) ce fwd+bwd {seg}, new gradient: <= 1.5x read+write new", False),
        (seg, "fused_out", 1.5, f"(info) ce fwd+bwd {seg}, out=: <= 1.5x read+write", False),
    ]:
        r = row(case, op)
        if r is not None:
            ratio = r["swiftloss"] / r["ref"]
            targets.append((label, f"{ratio:.3f}x ({fmt_time(r['swiftloss'])} vs {fmt_time(r['ref'])})",
                            ratio <= limit, counted))
    if overhead is not None:
        us = overhead["public"] * 1e6
        targets.append(("2x4 swiftloss.cross_entropy through Python: < 3 us", f"{us:.2f} us", us < 3.0, True))
    if thread_results:
        one, two = thread_results.get(1, {}), thread_results.get(2, {})
        for key in one:
            if key in two:
                case, op = key.split("|")
                speedup = one[key] / two[key]
                targets.append((f"2 threads vs 1, {OP_NAMES[op]} {case}: >= 1.6x", f"{speedup:.3f}x",
                                speedup >= 1.6, True))
    if not targets:
        return
    print("Targets (issue 13's memory-bound limits, issue 5's call overhead and thread scaling)"
          + (" (on --quick sizes, not the issues')" if mode == "quick" else ""))
    width = max(len(t[0]) for t in targets)
    for label, value, met, counted in targets:
        verdict = ("met" if met else "not met") if counted else ("(within)" if met else "(beyond)")
        print(f"  {label.ljust(width)}  {value:<36} {verdict}")
    counted = [t for t in targets if t[3]]
    failed = sum(1 for t in counted if not t[2])
    print(f"  {len(counted) - failed} of {len(counted)} targets met")


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, few repeats (a smoke test, < 60 s)")
    parser.add_argument("--cases", default="",
                        help="comma-separated filters on case ids (substrings): e.g. 2x4,4096x32000,bce,f64,"
                             "overhead,scaling,threads; default all")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per measurement (default adaptive)")
    parser.add_argument("--no-torch", action="store_true", help="do not import torch (torch columns: -)")
    parser.add_argument("--grid", action="store_true",
                        help="the speed grid instead of the table: every function x size x dtype against "
                             "torch (benchmarks/grid.py; --cases filters its cell ids, e.g. "
                             "mse_loss,256x1000,f64; --quick: smaller largest sizes)")
    parser.add_argument("--thread-worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--lce-worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--dist-worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--dist-head-worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    filters = [f.strip() for f in args.cases.split(",") if f.strip()] or None
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if filters and not args.grid:
        ids = ([c[0] for c in (QUICK_CASES if args.quick else FULL_CASES)] + [c[0] for c in CTC_CASES]
               + [c[0] for c in ZLOSS_CASES]
               + ["overhead", "scaling", "threads", "linear_cross_entropy"] + [c[0] for c in LCE_CASES]
               + [c[0] for c in GEMM_CASES] + ["distributed", "distributed_lm_head"])
        unknown = [f for f in filters if not any(f in i for i in ids)]
        if unknown:
            parser.error(f"--cases {','.join(unknown)} matches nothing; ids: {', '.join(ids)}")

    if mode == "quick":
        timer = Timer(budget=0.15, kmin=3, kmax=50, repeat=args.repeat)
        small_calls = (100, args.repeat or 40)     # 4000 calls
    else:
        timer = Timer(budget=1.5, kmin=5, kmax=200, repeat=args.repeat)
        small_calls = (100, args.repeat or 200)    # 20000 calls

    if args.lce_worker is not None:  # child of the linear_cross_entropy section: JSON on stdout
        print(json.dumps(lce_worker(args.lce_worker)))
        return 0
    if args.thread_worker is not None:  # child of the thread section: JSON on stdout
        wanted = args.thread_worker.split(",")
        cases = [c for c in THREAD_CASES[mode] if c[0] in wanted]
        times = thread_times(cases, timer, np.random.default_rng(1))
        print(json.dumps({"threads": c_get_num_threads(), "times": times}))
        return 0

    if args.dist_worker is not None:  # a rank of the distributed section: JSON on stdout
        load_torch(False)
        return dist_worker(args.dist_worker)
    if args.dist_head_worker is not None:  # a rank of the sharded LM head's section
        load_torch(False)
        return dist_head_worker(args.dist_head_worker)

    torch_version = load_torch(args.no_torch)
    threads = c_get_num_threads()
    torch_threads = None
    if torch is not None:
        torch_threads = threads or os.cpu_count()
        torch.set_num_threads(torch_threads)
    header(mode, torch_version, threads, torch_threads)
    if args.grid:
        if torch is None:
            parser.error("--grid compares with torch, which cannot be imported")
        sys.path.insert(0, os.path.dirname(HERE))
        import grid
        started = time.perf_counter()
        monitor = CpuMonitor()
        grid_timer = Timer(budget=0.4, kmin=5, kmax=100, repeat=args.repeat)
        grid.run(swiftloss, torch, TF, grid_timer, filters, args.quick, fmt_time)
        other = monitor.other_share()
        print(f"total time {time.perf_counter() - started:.0f} s"
              + (f", other processes used {other:.0%} of the CPUs meanwhile" if other is not None else ""))
        return 0

    started = time.perf_counter()
    monitor = CpuMonitor()
    rng = np.random.default_rng(0)
    notes: List[str] = []
    rows: List[Dict] = []
    for case_id, shape, dtype, ops in (QUICK_CASES if args.quick else FULL_CASES):
        if selected(case_id, filters):
            rows += bench_case(case_id, shape, dtype, ops, timer, rng, notes, small_calls)
            gc.collect()
    if rows:
        print_table(rows, torch_version)
        print()
        for note in notes:
            print(f"note: {note}")
        print("note: out= = the public call writing into a preallocated array (with_grad=True, "
              "out=(None, grad) / log_softmax(out=)); in-place = _swiftloss.cross_entropy_fused with grad_input "
              "= the logits buffer (a copy, refreshed before each timed batch); their numpy/torch columns "
              "repeat the row above (numpy and torch allocate their results)")
        print()

    if not filters or any(f in c[0] for f in filters for c in CTC_CASES):
        ctc_section(timer, filters)
    if filters and any(f in c[0] for f in filters for c in ZLOSS_CASES):
        zloss_section(timer, filters)
    if filters and ("linear_cross_entropy" in filters or any(f in c[0] for f in filters for c in LCE_CASES)):
        lce_section(filters, args.repeat)

    if filters and any(f in c[0] for f in filters for c in GEMM_CASES):  # not in the default run
        gemm_section(timer, filters)

    if filters and "distributed" in filters:  # only on demand: it starts a process group
        distributed_section(timer)
    if filters and ("distributed" in filters or "distributed_lm_head" in filters):
        distributed_head_section(timer)

    overhead = None
    if selected("2x4", filters) or (filters and "overhead" in filters):
        overhead = call_overhead(timer, small_calls)
        print(f"Call overhead, 2x4 float32 cross_entropy (median over {overhead['calls']} calls, "
              f"batches of {small_calls[0]}):")
        print(f"  swiftloss.cross_entropy        {overhead['public'] * 1e6:8.2f} us")
        print(f"  _swiftloss.cross_entropy (C)   {overhead['lowlevel'] * 1e6:8.2f} us   "
              "(the extension alone, preallocated output)")
        print(f"  numpy reference                {overhead['numpy'] * 1e6:8.2f} us")
        print(f"  torch.nn.functional            {overhead['torch'] * 1e6:8.2f} us" if overhead["torch"] is not None
              else "  torch.nn.functional                   -")
        print()

    if not filters or "scaling" in filters:
        sizes = SCALING[mode]
        print("Scaling: cross_entropy forward (float32) against N*C")
        print(f"  {'N x C':>13}  {'elements':>11}  {'swiftloss':>10}  {'ns/elem':>8}  {'GB/s':>6}  "
              f"{'read':>10}  {'read ns/elem':>12}  {'sl/read':>7}")
        for r in scaling(sizes, timer, np.random.default_rng(2)):
            nbytes = r["elements"] * 4
            print(f"  {str(r['n']) + ' x ' + str(r['c']):>13}  {r['elements']:>11,}  {fmt_time(r['swiftloss']):>10}  "
                  f"{r['swiftloss'] / r['elements'] * 1e9:>8.3f}  {nbytes / r['swiftloss'] / 1e9:>6.1f}  "
                  f"{fmt_time(r['read']):>10}  {r['read'] / r['elements'] * 1e9:>12.3f}  "
                  f"{r['swiftloss'] / r['read']:>7.2f}")
        print()
        gc.collect()

    thread_results = None
    if not filters or "threads" in filters:
        thread_results, how = thread_section(mode, args, timer, filters)
        print(f"Threads: swiftloss median, 1 thread vs 2 ({how})")
        print(f"  {'case':<16} {'op':<26} {'1 thread':>10} {'2 threads':>10} {'speedup':>8}")
        for key, one in thread_results[1].items():
            case, op = key.split("|")
            two = thread_results[2].get(key)
            print(f"  {case:<16} {OP_NAMES[op]:<26} {fmt_time(one):>10} {fmt_time(two):>10} "
                  f"{(one / two if two else float('nan')):>7.2f}x")
        shape = THREAD_CASES[mode][0][1]
        bw = {n: numpy_bandwidth_threads(shape, timer, n) for n in (1, 2)}
        gc.collect()
        label = "x".join(str(d) for d in shape)
        for kind, name in (("read", "numpy read (sum)"), ("rw", "numpy read+write (copyto)")):
            print(f"  {label:<16} {name:<26} {fmt_time(bw[1][kind]):>10} {fmt_time(bw[2][kind]):>10} "
                  f"{bw[1][kind] / bw[2][kind]:>7.2f}x   (memory bandwidth: halves on 2 Python threads)")
        print()

    footer(rows, overhead, thread_results, mode)
    try:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2  # KiB -> GiB
        peak_text = f", peak memory {peak:.2f} GiB"
    except ImportError:
        peak_text = ""
    other = monitor.other_share()
    other_text = f", other processes used {other:.0%} of the CPUs meanwhile" if other is not None else ""
    print(f"\ntotal time {time.perf_counter() - started:.0f} s{peak_text}{other_text}")
    if other is not None and other > 0.05:
        print("WARNING: the machine was not idle during the run: rerun on an idle machine for numbers to quote")
    return 0


if __name__ == "__main__":
    sys.exit(main())
