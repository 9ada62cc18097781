"""Concurrency from Python: threads (the GIL released during large calls) and processes
(multiprocessing with the 'fork', 'spawn' and 'forkserver' start methods), each compared
bitwise with a single-threaded run in this process.

Every call here is large enough (at least 2^16 elements of work) for the library to run it
on its worker pool, and above the extension's GIL threshold. The workload covers
every function, forward and with_grad=True, float32 and float64, the (N, C) and (N, C, d)
layouts. Results are compared by SHA-256 of their bytes, dtype and shape (so NaNs compare
too); they must be identical whatever the thread count (swiftloss.set_num_threads).

The library keeps a persistent pool of worker threads; a fork()ed child, which has none of
them, must start its own and get the same results: also when the parent's pool was in use
(a thread of the parent inside a large call) at the moment of the fork (the child must not
inherit a held lock or wait for a worker that does not exist; every child runs under a
timeout and a hang fails the test).
"""
import hashlib
import multiprocessing
import os
import threading
import time
import warnings

import numpy as np
import pytest

import swiftloss
import swiftloss as F
from swiftloss import _swiftloss

ROWS, CLASSES = 2048, 160          # 327,680 elements: above the library's 2^16 threshold
SPATIAL = (64, 40, 128)            # (N, C, d): 327,680 elements
CHILD_TIMEOUT = 120                # seconds for a child process or a pool's results


def digest(value):
    array = np.asarray(value)
    h = hashlib.sha256()
    h.update(str(array.dtype).encode())
    h.update(repr(array.shape).encode())
    h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def inputs(seed, dtype):
    """The workload's arrays, the same in every process (a seeded generator), read-only."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((ROWS, CLASSES)) * 3).astype(dtype)
    x[::97, 5] = -np.inf                     # a few -inf logits
    t = rng.integers(0, CLASSES, ROWS)
    t[::13] = 7                              # ignored below (ignore_index=7)
    q = rng.random((ROWS, CLASSES)).astype(dtype)
    q /= q.sum(axis=1, keepdims=True)
    p = (1 / (1 + np.exp(-rng.standard_normal((ROWS, CLASSES))))).astype(dtype)
    y = rng.random((ROWS, CLASSES)).astype(dtype)
    w = rng.uniform(0.2, 2.0, CLASSES).astype(dtype)
    xs = rng.standard_normal(SPATIAL).astype(dtype)
    ts = rng.integers(0, SPATIAL[1], (SPATIAL[0], SPATIAL[2]))
    lp = F.log_softmax(rng.standard_normal((ROWS, CLASSES)), 1).astype(dtype)
    arrays = dict(x=x, t=t, q=q, p=p, y=y, w=w, xs=xs, ts=ts, lp=lp)
    for a in arrays.values():
        a.flags.writeable = False
    return arrays


def calls(a):
    """(name, thunk) for every function, forward and with gradients."""
    x, t, q, p, y, w, xs, ts, lp = (a[k] for k in ("x", "t", "q", "p", "y", "w", "xs", "ts", "lp"))
    g = np.linspace(-1, 1, ROWS).astype(x.dtype)
    return [
        ("softmax", lambda: F.softmax(x, 1)),
        ("softmax dim 0 grad", lambda: F.softmax(x, 0, with_grad=True, grad_output=q)),
        ("log_softmax", lambda: F.log_softmax(x, -1)),
        ("log_softmax grad", lambda: F.log_softmax(xs, 1, with_grad=True)),
        ("nll_loss none", lambda: F.nll_loss(lp, t, weight=w, ignore_index=7, reduction="none")),
        ("nll_loss mean grad", lambda: F.nll_loss(lp, t, weight=w, ignore_index=7, with_grad=True)),
        ("cross_entropy", lambda: F.cross_entropy(x, t, weight=w, ignore_index=7, label_smoothing=0.1)),
        ("cross_entropy none grad", lambda: F.cross_entropy(x, t, reduction="none", with_grad=True, grad_output=g)),
        ("cross_entropy spatial grad", lambda: F.cross_entropy(xs, ts, label_smoothing=0.2, with_grad=True)),
        ("cross_entropy probabilities", lambda: F.cross_entropy(x, q, weight=w, reduction="sum")),
        ("cross_entropy probabilities grad", lambda: F.cross_entropy(x, q, label_smoothing=0.1, with_grad=True)),
        ("binary_cross_entropy", lambda: F.binary_cross_entropy(p, y, weight=w)),
        ("binary_cross_entropy grad", lambda: F.binary_cross_entropy(p, y, reduction="none", with_grad=True)),
        ("bce_with_logits", lambda: F.binary_cross_entropy_with_logits(x, y, pos_weight=w, reduction="sum")),
        ("bce_with_logits grad", lambda: F.binary_cross_entropy_with_logits(x, y, weight=w, with_grad=True)),
        ("kl_div", lambda: F.kl_div(lp, q, reduction="batchmean")),
        ("kl_div log_target grad", lambda: F.kl_div(lp, lp, reduction="sum", log_target=True, with_grad=True)),
        ("modules", lambda: swiftloss.CrossEntropyLoss(weight=w, reduction="none")(x, t)),
    ]


def workload(seed, dtype_name, threads=None):
    """{name: digests} of every call (a picklable, module-level function for the pools)."""
    if threads is not None:
        swiftloss.set_num_threads(threads)
    try:
        out = {}
        for name, thunk in calls(inputs(seed, np.dtype(dtype_name))):
            result = thunk()
            parts = result if isinstance(result, tuple) else (result,)
            out[name] = [digest(part) for part in parts]
        return out
    finally:
        if threads is not None:
            swiftloss.set_num_threads(0)


def child_info(_=None):
    return os.getpid(), swiftloss.get_num_threads()


CASES = [(11, "float32"), (12, "float64")]


@pytest.fixture(scope="module")
def expected():
    """The single-threaded answers of this process."""
    swiftloss.set_num_threads(1)
    try:
        return {case: workload(*case) for case in CASES}
    finally:
        swiftloss.set_num_threads(0)


def test_the_workload_is_large_enough():
    a = inputs(11, np.float32)
    assert a["x"].size >= 1 << 18 and a["xs"].size >= 1 << 18
    assert a["x"].size > _swiftloss.GIL_THRESHOLD


def test_thread_count_does_not_change_results(expected):
    for threads in (0, 2, 3, 8):
        for case in CASES:
            assert workload(*case, threads=threads) == expected[case], f"threads={threads}"


# ------------------------------------------------------------------------------------------
# Threads
# ------------------------------------------------------------------------------------------

def run_in_threads(count, work):
    results, errors = [None] * count, []
    barrier = threading.Barrier(count)

    def body(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=CHILD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert not errors, errors
    return results


def test_threads_share_inputs_and_match_single_thread(expected):
    """Four Python threads run the whole workload twice each on shared read-only inputs,
    float32 and float64 interleaved, while a fifth changes the library's thread count."""
    stop = threading.Event()

    def chaos():
        counts = [1, 2, 3, 8, 0]
        i = 0
        while not stop.is_set():
            swiftloss.set_num_threads(counts[i % len(counts)])
            i += 1
            time.sleep(0.002)

    changer = threading.Thread(target=chaos)
    changer.start()
    try:
        results = run_in_threads(4, lambda i: [workload(*CASES[(i + r) % 2]) for r in range(2)])
    finally:
        stop.set()
        changer.join()
        swiftloss.set_num_threads(0)
    for i, rounds in enumerate(results):
        for r, answer in enumerate(rounds):
            assert answer == expected[CASES[(i + r) % 2]], f"thread {i} round {r}"


def test_threads_calling_one_function_on_shared_arrays(expected):
    """Eight threads hammer one large fused cross_entropy call on the same arrays."""
    a = inputs(11, np.float32)
    reference = F.cross_entropy(a["x"], a["t"], weight=a["w"], ignore_index=7, with_grad=True)

    def work(i):
        return [F.cross_entropy(a["x"], a["t"], weight=a["w"], ignore_index=7, with_grad=True) for _ in range(5)]

    for answers in run_in_threads(8, work):
        for loss, grad in answers:
            assert digest(loss) == digest(reference[0]) and digest(grad) == digest(reference[1])


# ------------------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------------------

START_METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]


@pytest.mark.parametrize("method", START_METHODS)
def test_processes_match_this_process(expected, method):
    """A pool of two workers per start method runs the workload with 1, 2 and 5 threads.
    This process has already run large (threaded) calls before the pool starts."""
    context = multiprocessing.get_context(method)
    jobs = [(seed, dtype, threads) for seed, dtype in CASES for threads in (1, 2, 5)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (Python 3.12+)
        with context.Pool(2) as pool:
            pids = {pid for pid, _ in pool.map(child_info, range(4))}
            pending = [(job, pool.apply_async(workload, job)) for job in jobs]
            answers = [(job, result.get(timeout=CHILD_TIMEOUT)) for job, result in pending]
    assert os.getpid() not in pids
    for (seed, dtype, threads), answer in answers:
        assert answer == expected[(seed, dtype)], f"{method}: {dtype} with {threads} threads"


def forked_child(case, digests, conn):
    """In a fork()ed child: run the workload (library threads included), report, exit."""
    try:
        conn.send(workload(*case) == digests)
    except BaseException as error:  # pragma: no cover - reported through the pipe
        conn.send(repr(error))
    finally:
        conn.close()


@pytest.mark.skipif("fork" not in START_METHODS, reason="no fork on this platform")
def test_fork_while_other_threads_are_inside_the_library(expected):
    """Fork children while two threads of this process are in the middle of large calls
    (library threads running): each child must finish the workload, with the right answers,
    within the timeout."""
    context = multiprocessing.get_context("fork")
    a = inputs(12, np.float64)
    stop = threading.Event()
    calls_done = [0, 0]

    def busy(k):
        while not stop.is_set():
            F.cross_entropy(a["x"], a["t"], label_smoothing=0.1, with_grad=True)
            F.softmax(a["xs"], 1)
            calls_done[k] += 1

    busy_threads = [threading.Thread(target=busy, args=(k,)) for k in range(2)]
    for thread in busy_threads:
        thread.start()
    children = []
    try:
        while min(calls_done) == 0:  # both threads have been inside the library
            time.sleep(0.001)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            for i in range(6):
                case = CASES[i % 2]
                receive, send = context.Pipe(duplex=False)
                child = context.Process(target=forked_child, args=(case, expected[case], send))
                child.start()
                send.close()
                children.append((child, receive))
                time.sleep(0.003 * i)  # fork at different points of the busy threads' calls
        for child, receive in children:
            child.join(timeout=CHILD_TIMEOUT)
            if child.is_alive():
                child.kill()
                child.join()
                pytest.fail("a child forked during a large call hung (a lock held across fork?)")
            assert child.exitcode == 0, f"child died with exit code {child.exitcode}"
            assert receive.poll(1) and receive.recv() is True
    finally:
        stop.set()
        for thread in busy_threads:
            thread.join()
    assert min(calls_done) > 0
