#!/usr/bin/env python3
"""Article A with libswiftloss from Python through ctypes: no compiler, no extension, no numpy.

For people who cannot build the swiftloss Python package: only the shared library is needed.
It is found, in order, at $SWIFTLOSS_LIBRARY (a path to libswiftloss.so.0 or .so), in
`pkg-config --variable=libdir swiftloss` (an installed swiftloss; honours PKG_CONFIG_PATH),
by ctypes.util.find_library (the loader's cache: /usr/local/lib after ldconfig), or in this
checkout's .build/release (make lib).

    PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig python3 examples/python-ctypes/articles.py
"""
import ctypes
import ctypes.util
import os
import pathlib
import subprocess
import sys

SWIFTLOSS_OK = 0
SWIFTLOSS_REDUCTION_MEAN = 2


def find_library():
    """The path (or name) of libswiftloss to load, or exit with a message."""
    candidates = []
    if os.environ.get("SWIFTLOSS_LIBRARY"):
        candidates.append(os.environ["SWIFTLOSS_LIBRARY"])
    try:
        libdir = subprocess.run(
            ["pkg-config", "--variable=libdir", "swiftloss"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        if libdir:
            candidates.append(os.path.join(libdir, "libswiftloss.so.0"))
    except (OSError, subprocess.CalledProcessError):
        pass  # no pkg-config, or swiftloss not on its path
    found = ctypes.util.find_library("swiftloss")
    if found:
        candidates.append(found)
    checkout = pathlib.Path(__file__).resolve().parents[2] / ".build" / "release" / "libswiftloss.so"
    candidates.append(str(checkout))
    for candidate in candidates:
        if os.sep not in candidate or os.path.exists(candidate):
            return candidate
    sys.exit("libswiftloss not found: install it (make install PREFIX=...) and set "
             "PKG_CONFIG_PATH, or set SWIFTLOSS_LIBRARY to its path")


lib = ctypes.CDLL(find_library())

# The declarations of include/swiftloss.h used here. size_t is c_size_t; the status enum is int.
c_float_p = ctypes.POINTER(ctypes.c_float)
c_int64_p = ctypes.POINTER(ctypes.c_int64)
lib.swiftloss_version_string.restype = ctypes.c_char_p
lib.swiftloss_version_string.argtypes = []
lib.swiftloss_status_string.restype = ctypes.c_char_p
lib.swiftloss_status_string.argtypes = [ctypes.c_int]
for name in ("swiftloss_softmax_f32", "swiftloss_log_softmax_f32"):
    getattr(lib, name).restype = ctypes.c_int
    getattr(lib, name).argtypes = [c_float_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_size_t, c_float_p]
lib.swiftloss_nll_loss_f32.restype = ctypes.c_int
lib.swiftloss_nll_loss_f32.argtypes = [
    c_float_p, c_int64_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_size_t,
    c_float_p, ctypes.c_size_t, ctypes.c_int64, ctypes.c_int, c_float_p,
]
lib.swiftloss_cross_entropy_f32.restype = ctypes.c_int
lib.swiftloss_cross_entropy_f32.argtypes = [
    c_float_p, c_int64_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_size_t,
    c_float_p, ctypes.c_size_t, ctypes.c_int64, ctypes.c_int, ctypes.c_double, c_float_p,
]


def check(status, what):
    if status != SWIFTLOSS_OK:
        sys.exit(f"{what}: {lib.swiftloss_status_string(status).decode()}")


def print_rows(title, values, classes):
    print(f"{title}:")
    for start in range(0, len(values), classes):
        print("  [" + ", ".join(f"{v:.6f}" for v in values[start:start + classes]) + "]")


N, C = 2, 4  # samples, classes
preds = (ctypes.c_float * (N * C))(0.1, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.1)
target = (ctypes.c_int64 * N)(2, 3)
probs = (ctypes.c_float * (N * C))()
logp = (ctypes.c_float * (N * C))()
nll, ce, ce_smooth = ctypes.c_float(), ctypes.c_float(), ctypes.c_float()

print(f"swiftloss {lib.swiftloss_version_string().decode()}, article A (Python ctypes)")
check(lib.swiftloss_softmax_f32(preds, N, C, 1, probs), "softmax")
check(lib.swiftloss_log_softmax_f32(preds, N, C, 1, logp), "log_softmax")
print_rows("softmax(preds, dim=1)", list(probs), C)
print_rows("log_softmax(preds, dim=1)", list(logp), C)

# No class weights (None, 0), ignore_index -100, 'mean'.
check(lib.swiftloss_nll_loss_f32(logp, target, N, C, 1, None, 0, -100,
                                 SWIFTLOSS_REDUCTION_MEAN, ctypes.byref(nll)), "nll_loss")
check(lib.swiftloss_cross_entropy_f32(preds, target, N, C, 1, None, 0, -100,
                                      SWIFTLOSS_REDUCTION_MEAN, 0.0, ctypes.byref(ce)), "cross_entropy")
check(lib.swiftloss_cross_entropy_f32(preds, target, N, C, 1, None, 0, -100,
                                      SWIFTLOSS_REDUCTION_MEAN, 0.1, ctypes.byref(ce_smooth)), "cross_entropy")
print(f"nll_loss(log_softmax(preds), target) = {nll.value:.6f}")
print(f"cross_entropy(preds, target) = {ce.value:.6f}")
print(f"cross_entropy(preds, target, label_smoothing=0.1) = {ce_smooth.value:.6f}")
