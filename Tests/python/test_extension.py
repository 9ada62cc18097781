"""The C extension swiftloss._swiftloss called directly: bad buffers never reach the library.

Wrong dtypes, short buffers, 0-d and empty arrays, huge claimed sizes, overlapping or read-only
outputs and non-buffers all raise Python exceptions; the interpreter survives every one.
"""
import array
import os
import sys

import numpy as np
import pytest

import swiftloss
from swiftloss import _swiftloss as C

NONE, SUM, MEAN, BATCHMEAN = C.REDUCTION_NONE, C.REDUCTION_SUM, C.REDUCTION_MEAN, C.REDUCTION_BATCHMEAN
HUGE = sys.maxsize  # a claimed size no buffer holds


def f32(*shape):
    return np.zeros(shape, dtype=np.float32)


# ------------------------------------------------------------------------------------------
# Version, status strings, the bundled library
# ------------------------------------------------------------------------------------------

def test_version():
    assert swiftloss.__version__ == C.version_string() == C.HEADER_VERSION
    major, minor, patch = (int(p) for p in C.version_string().split("."))
    assert C.version_number() == major * 10000 + minor * 100 + patch


def test_kernels_string_follows_the_cpu():
    """The dispatch picks the AVX-512 GEMM exactly when /proc/cpuinfo lists what it needs, and
    SWIFTLOSS_ISA asks for less (in a child: the pick is made once per process)."""
    import os
    import platform
    import subprocess
    import sys

    picked = C.kernels_string()
    assert picked in ("baseline", "avx2", "avx2+avx512-gemm")
    if platform.machine() == "x86_64" and os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
        avx2 = {"avx", "avx2", "fma"} <= set(flags)
        avx512 = avx2 and {"avx512f", "avx512cd", "avx512dq", "avx512bw", "avx512vl"} <= set(flags)
        assert picked == ("avx2+avx512-gemm" if avx512 else "avx2" if avx2 else "baseline")
    code = "from swiftloss import _swiftloss as C; print(C.kernels_string())"
    for asked, expected in (("baseline", "baseline"), ("avx2", "avx2" if picked != "baseline" else "baseline")):
        env = dict(os.environ, SWIFTLOSS_ISA=asked)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected


def test_status_strings():
    assert C.status_string(0)
    assert C.status_string(4) != C.status_string(5)
    assert C.status_string(9999) == C.status_string(-1) == C.status_string(2**80) == "unknown status"
    with pytest.raises(TypeError):
        C.status_string("4")


def test_reduction_constants_follow_the_header():
    assert (NONE, SUM, MEAN, BATCHMEAN) == (0, 1, 2, 3)
    assert C.GIL_THRESHOLD == 4096


def test_installed_package_bundles_the_library():
    """The tests run against the installed package, whose extension loads the bundled .so."""
    package_dir = os.path.dirname(C.__file__)
    assert os.path.isfile(os.path.join(package_dir, "libswiftloss.so.0"))
    assert os.path.isfile(os.path.join(package_dir, "py.typed"))
    assert os.path.isfile(os.path.join(package_dir, "__init__.pyi"))
    with open("/proc/self/maps") as maps:
        loaded = {line.split()[-1] for line in maps if "libswiftloss" in line}
    assert loaded == {os.path.join(package_dir, "libswiftloss.so.0")}


# ------------------------------------------------------------------------------------------
# Status codes become exceptions
# ------------------------------------------------------------------------------------------

def test_status_target_out_of_bounds_is_index_error():
    out = f32(1)
    with pytest.raises(IndexError, match=C.status_string(4)):
        C.nll_loss(f32(2, 3), np.array([0, 7]), 2, 3, 1, None, -100, MEAN, out)


def test_status_codes_are_value_errors_and_output_is_untouched():
    x, t = f32(2, 3), np.array([0, 1])
    out = np.full(1, 42.0, np.float32)
    cases = [
        (lambda: C.nll_loss(x, t, 2, 3, 1, f32(2), -100, MEAN, out), 5),          # weight size
        (lambda: C.nll_loss(x, t, 2, 3, 1, None, -100, 7, out), 6),               # reduction
        (lambda: C.nll_loss(x, t, 2, 3, 1, None, -100, BATCHMEAN, out), 6),
        (lambda: C.cross_entropy(x, t, 2, 3, 1, None, -100, MEAN, 1.5, out), 7),  # smoothing
        (lambda: C.cross_entropy(x, t, 2, 3, 1, None, -100, MEAN, float("nan"), out), 7),
        (lambda: C.cross_entropy_probs(x, x, 2, 3, 1, None, 0, MEAN, 0.0, out), 10),
        (lambda: C.binary_cross_entropy(np.full(2, 2.0, np.float32), f32(2), 2, None, MEAN, out), 8),
        (lambda: C.binary_cross_entropy(f32(2), np.full(2, 2.0, np.float32), 2, None, MEAN, out), 9),
        (lambda: C.binary_cross_entropy(f32(4), f32(4), 4, f32(3), MEAN, out), 5),
        (lambda: C.binary_cross_entropy_with_logits(f32(4), f32(4), 4, None, f32(3), MEAN, out), 5),
        (lambda: C.kl_div(f32(4), f32(4), 4, 3, BATCHMEAN, 0, out), 11),          # bad batch
        (lambda: C.kl_div(f32(4), f32(4), 4, 2, SUM, 2, out), 11),                # log_target
        (lambda: C.kl_div(f32(4), f32(4), 4, 2, 9, 0, out), 6),
    ]
    for call, status in cases:
        with pytest.raises(ValueError) as error:
            call()
        assert str(error.value) == C.status_string(status)
        assert out[0] == 42.0


def test_zero_classes():
    with pytest.raises(ValueError, match=C.status_string(3)):
        C.cross_entropy(f32(0), np.zeros(2, np.int64), 2, 0, 1, None, -100, MEAN, 0.0, f32(1))


# ------------------------------------------------------------------------------------------
# Buffers of the wrong kind
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    np.zeros(6, np.int32), np.zeros(6, np.int64), np.zeros(6, np.float16), np.zeros(6, np.complex64),
    np.zeros(6, np.bool_), np.zeros(6, ">f4"), np.zeros(6, np.longdouble), b"\0" * 24,
    array.array("i", [0] * 6),
])
def test_wrong_input_dtype(bad):
    with pytest.raises(TypeError, match="input: expected a float32 or float64 buffer"):
        C.softmax(bad, 2, 3, 1, f32(6))


def test_float_buffers_must_match_the_input():
    with pytest.raises(TypeError, match="output: expected a float32 buffer"):
        C.softmax(f32(6), 2, 3, 1, np.zeros(6))
    with pytest.raises(TypeError, match="target: expected a float64 buffer"):
        C.binary_cross_entropy(np.zeros(3), f32(3), 3, None, MEAN, np.zeros(1))
    with pytest.raises(TypeError, match="weight: expected a float32 buffer"):
        C.nll_loss(f32(2, 3), np.array([0, 1]), 2, 3, 1, np.zeros(3), -100, MEAN, f32(1))
    with pytest.raises(TypeError, match="pos_weight: expected a float32 buffer"):
        C.binary_cross_entropy_with_logits(f32(3), f32(3), 3, None, np.zeros(3), MEAN, f32(1))


@pytest.mark.parametrize("bad", [np.zeros(2, np.int32), np.zeros(2, np.uint64), np.zeros(2, np.float64),
                                 array.array("d", [0, 0])])
def test_class_targets_must_be_int64(bad):
    with pytest.raises(TypeError, match="target: expected a int64 buffer"):
        C.cross_entropy(f32(2, 3), bad, 2, 3, 1, None, -100, MEAN, 0.0, f32(1))


def test_int64_from_the_array_module_works():
    out = f32(1)
    C.nll_loss(np.array([[0.0, -1.0]], np.float32), array.array("q", [1]), 1, 2, 1, None, -100, SUM, out)
    assert out[0] == 1.0


@pytest.mark.parametrize("not_a_buffer", [None, 3, "abc", [1.0, 2.0], object()])
def test_non_buffers(not_a_buffer):
    with pytest.raises(TypeError):
        C.softmax(not_a_buffer, 1, 2, 1, f32(2))


def test_non_contiguous_buffers_are_rejected():
    x = np.zeros((4, 6), np.float32)[:, ::2]
    with pytest.raises((BufferError, ValueError)):
        C.softmax(x, 4, 3, 1, f32(12))


def test_read_only_output_is_rejected():
    out = f32(6)
    out.flags.writeable = False
    with pytest.raises((BufferError, ValueError)):
        C.softmax(f32(6), 2, 3, 1, out)
    with pytest.raises((BufferError, ValueError, TypeError)):
        C.softmax(f32(6), 2, 3, 1, bytes(24))


# ------------------------------------------------------------------------------------------
# Sizes: short buffers, huge claims, 0-d and empty arrays
# ------------------------------------------------------------------------------------------

def test_short_and_long_buffers():
    with pytest.raises(ValueError, match="input: buffer holds 6 elements, the call needs 8"):
        C.softmax(f32(6), 2, 4, 1, f32(8))
    with pytest.raises(ValueError, match="output: buffer holds 5 elements, the call needs 6"):
        C.log_softmax(f32(6), 2, 3, 1, f32(5))
    with pytest.raises(ValueError, match="target: buffer holds 1 elements, the call needs 2"):
        C.nll_loss(f32(2, 3), np.array([0]), 2, 3, 1, None, -100, MEAN, f32(1))
    with pytest.raises(ValueError, match="output: buffer holds 1 elements, the call needs 2"):
        C.nll_loss(f32(2, 3), np.array([0, 1]), 2, 3, 1, None, -100, NONE, f32(1))
    with pytest.raises(ValueError, match="output: buffer holds 2 elements, the call needs 1"):
        C.nll_loss(f32(2, 3), np.array([0, 1]), 2, 3, 1, None, -100, SUM, f32(2))
    with pytest.raises(ValueError, match="target: buffer holds 5 elements, the call needs 6"):
        C.cross_entropy_probs(f32(2, 3), f32(5), 2, 3, 1, None, -100, MEAN, 0.0, f32(1))
    with pytest.raises(ValueError, match="target: buffer holds 3 elements, the call needs 4"):
        C.binary_cross_entropy(f32(4), f32(3), 4, None, MEAN, f32(1))
    with pytest.raises(ValueError, match="input: buffer holds 4 elements, the call needs 5"):
        C.kl_div(f32(4), f32(4), 5, 1, SUM, 0, f32(1))


@pytest.mark.parametrize("call", [
    lambda: C.softmax(f32(6), HUGE, HUGE, HUGE, f32(6)),
    lambda: C.softmax(f32(6), 2, HUGE, 1, f32(6)),
    lambda: C.log_softmax(f32(6), 2**31, 2**31, 2**31, f32(6)),
    lambda: C.nll_loss(f32(6), np.zeros(2, np.int64), HUGE, 3, 1, None, -100, MEAN, f32(1)),
    lambda: C.nll_loss(f32(6), np.zeros(2, np.int64), 2, HUGE, HUGE, None, -100, MEAN, f32(1)),
    lambda: C.cross_entropy(f32(6), np.zeros(2, np.int64), 2, 3, HUGE, None, -100, NONE, 0.0, f32(2)),
    lambda: C.cross_entropy_probs(f32(6), f32(6), 2**40, 2**40, 1, None, -100, MEAN, 0.0, f32(1)),
    lambda: C.binary_cross_entropy(f32(6), f32(6), HUGE, None, MEAN, f32(1)),
    lambda: C.binary_cross_entropy_with_logits(f32(6), f32(6), HUGE, None, None, NONE, f32(6)),
    lambda: C.kl_div(f32(6), f32(6), HUGE, 1, SUM, 0, f32(1)),
])
def test_huge_claimed_sizes(call):
    with pytest.raises(ValueError):
        call()


@pytest.mark.parametrize("call", [
    lambda: C.softmax(f32(6), -1, 3, 1, f32(6)),
    lambda: C.nll_loss(f32(6), np.zeros(2, np.int64), 2, -3, 1, None, -100, MEAN, f32(1)),
    lambda: C.kl_div(f32(6), f32(6), 6, -1, BATCHMEAN, 0, f32(1)),
])
def test_negative_sizes(call):
    with pytest.raises(ValueError, match="must be non-negative"):
        call()


@pytest.mark.parametrize("call", [
    lambda: C.softmax(f32(6), 2**80, 1, 1, f32(6)),
    lambda: C.nll_loss(f32(2, 3), np.zeros(2, np.int64), 2, 3, 1, None, 2**70, MEAN, f32(1)),
    lambda: C.nll_loss(f32(2, 3), np.zeros(2, np.int64), 2, 3, 1, None, -100, 2**40, f32(1)),
])
def test_integers_out_of_c_range(call):
    with pytest.raises(OverflowError):
        call()


def test_zero_dimensional_buffers():
    x = np.array(0.5, np.float32)
    out = np.array(0.0, np.float32)
    C.softmax(x, 1, 1, 1, out)
    assert out == 1.0
    C.binary_cross_entropy(x, np.array(1.0, np.float32), 1, None, SUM, out)
    assert out == pytest.approx(np.log(2), rel=1e-6)
    C.nll_loss(np.array([-1.0, -2.0], np.float32), np.array(1), 1, 2, 1, None, -100, NONE, out)
    assert out == 2.0
    with pytest.raises(ValueError):
        C.softmax(x, 2, 1, 1, out)


def test_empty_buffers():
    empty = f32(0)
    C.softmax(empty, 0, 3, 1, empty.copy())
    C.softmax(empty, 4, 0, 2, f32(0))
    C.log_softmax(empty, 0, 0, 0, f32(0))
    out = f32(1)
    C.nll_loss(f32(0, 3), np.zeros(0, np.int64), 0, 3, 1, None, -100, MEAN, out)
    assert np.isnan(out[0])
    C.nll_loss(f32(0, 3), np.zeros(0, np.int64), 0, 3, 1, None, -100, SUM, out)
    assert out[0] == 0.0
    C.cross_entropy(f32(0, 3), np.zeros(0, np.int64), 0, 3, 1, None, -100, NONE, 0.1, f32(0))
    C.cross_entropy_probs(f32(0, 3), f32(0, 3), 0, 3, 1, None, -100, MEAN, 0.0, out)
    assert np.isnan(out[0])
    C.binary_cross_entropy(empty, empty, 0, None, MEAN, out)
    assert np.isnan(out[0])
    C.binary_cross_entropy_with_logits(empty, empty, 0, None, None, SUM, out)
    assert out[0] == 0.0
    C.kl_div(empty, empty, 0, 0, BATCHMEAN, 0, out)
    C.kl_div(empty, empty, 0, 0, NONE, 1, f32(0))


def test_bytearray_and_memoryview_buffers():
    data = bytearray(np.array([1.0, 2.0, 3.0], np.float32).tobytes())
    view = memoryview(data).cast("f")
    out = bytearray(12)
    C.softmax(view, 1, 3, 1, memoryview(out).cast("f"))
    np.testing.assert_allclose(np.frombuffer(out, np.float32), np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum(), rtol=1e-6)
    with pytest.raises(TypeError):  # bytes are format 'B'
        C.softmax(bytes(data), 1, 3, 1, memoryview(out).cast("f"))


# ------------------------------------------------------------------------------------------
# Overlap
# ------------------------------------------------------------------------------------------

def test_softmax_in_place_is_allowed():
    x = np.array([[1.0, 2.0, 3.0]], np.float32)
    expected = np.exp(x) / np.exp(x).sum()
    C.softmax(x, 1, 3, 1, x)
    np.testing.assert_allclose(x, expected, rtol=1e-6)


def test_partial_overlap_is_rejected():
    buffer = np.arange(8, dtype=np.float32)
    with pytest.raises(ValueError, match="output must not overlap input"):
        C.softmax(buffer[:6], 2, 3, 1, buffer[2:8])
    x = np.zeros(4, np.float32)
    with pytest.raises(ValueError, match="output must not overlap input"):
        C.binary_cross_entropy_with_logits(x, f32(4), 4, None, None, NONE, x)
    with pytest.raises(ValueError, match="output must not overlap target"):
        t = np.full(4, 0.5, np.float32)
        C.binary_cross_entropy(np.full(4, 0.5, np.float32), t, 4, None, SUM, t[:1])
    with pytest.raises(ValueError, match="output must not overlap weight"):
        w = np.ones(3, np.float32)
        C.nll_loss(f32(2, 3), np.array([0, 1]), 2, 3, 1, w, -100, MEAN, w[2:])


def test_wrong_argument_counts():
    with pytest.raises(TypeError):
        C.softmax(f32(6), 2, 3, 1)
    with pytest.raises(TypeError):
        C.nll_loss(f32(6))
    with pytest.raises(TypeError):
        C.kl_div()


def test_stubs_match_the_runtime():
    import ast

    package_dir = os.path.dirname(swiftloss.__file__)

    def stub_functions(name):
        with open(os.path.join(package_dir, name)) as stub:
            tree = ast.parse(stub.read())
        return {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}

    runtime = {n for n in dir(C) if callable(getattr(C, n)) and not n.startswith("__")}
    assert stub_functions("_swiftloss.pyi") == runtime
    assert set(swiftloss.functional.__all__) <= stub_functions("functional.pyi")
    assert set(swiftloss.modules.__all__) <= stub_functions("modules.pyi")
