"""Several Python threads calling concurrently on large arrays (above the extension's GIL
threshold, so the library runs without the GIL) get the answers one thread gets."""
import threading
import time

import numpy as np
import pytest

import swiftloss
import swiftloss as F
from swiftloss import _swiftloss

THREADS = 4
ROUNDS = 6


def run_concurrently(work):
    """Run work(i) in THREADS threads started together; return their results in order."""
    results = [None] * THREADS
    errors = []
    barrier = threading.Barrier(THREADS)

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors
    return results


@pytest.fixture(scope="module")
def cases():
    rng = np.random.default_rng(11)
    data = []
    for i in range(THREADS):
        x = rng.standard_normal((2000, 50)).astype(np.float32 if i % 2 == 0 else np.float64)
        t = rng.integers(0, 50, 2000)
        data.append((x, t))
    assert data[0][0].size > _swiftloss.GIL_THRESHOLD
    return data


@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_cross_entropy_in_threads(cases, reduction):
    weight = np.linspace(0.5, 1.5, 50)
    single = [F.cross_entropy(x, t, weight=weight, reduction=reduction, label_smoothing=0.1) for x, t in cases]

    def work(i):
        x, t = cases[i]
        return [F.cross_entropy(x, t, weight=weight, reduction=reduction, label_smoothing=0.1) for _ in range(ROUNDS)]

    for i, answers in enumerate(run_concurrently(work)):
        for answer in answers:
            np.testing.assert_array_equal(answer, single[i])


def test_every_function_in_threads(cases):
    def compute(i):
        x, t = cases[i]
        p = 1 / (1 + np.exp(-x))
        return [
            F.softmax(x, 1),
            F.log_softmax(x, 0),
            F.nll_loss(F.log_softmax(x, 1), t, reduction="sum"),
            F.cross_entropy(x, F.softmax(x[::-1], 1)),
            F.binary_cross_entropy(p, p[::-1], reduction="none"),
            F.binary_cross_entropy_with_logits(x, p, pos_weight=np.full(50, 2.0)),
            F.kl_div(F.log_softmax(x, 1), F.softmax(x[::-1], 1), reduction="batchmean"),
        ]

    single = [compute(i) for i in range(THREADS)]
    for i, answers in enumerate(run_concurrently(compute)):
        for answer, expected in zip(answers, single[i]):
            np.testing.assert_array_equal(answer, expected)


def test_modules_shared_between_threads(cases):
    loss = swiftloss.CrossEntropyLoss(reduction="sum")
    single = [loss(x, t) for x, t in cases]
    results = run_concurrently(lambda i: [loss(*cases[i]) for _ in range(ROUNDS)])
    for i, answers in enumerate(results):
        assert all(answer == single[i] for answer in answers)


def gil_probe(size):
    """(call duration, main-thread stamps in the middle half of the call) while a second thread
    spends its time in one log_softmax call over size float64 elements."""
    x = np.random.default_rng(5).standard_normal(size)
    out = np.empty_like(x)
    started, done = threading.Event(), threading.Event()
    span = []

    def call():
        started.set()
        begin = time.perf_counter()
        _swiftloss.log_softmax(x, size >> 11, 1 << 11, 1, out)
        span.extend([begin, time.perf_counter()])
        done.set()

    thread = threading.Thread(target=call)
    thread.start()
    started.wait()
    stamps = []
    while not done.is_set():
        stamps.append(time.perf_counter())
    thread.join()
    begin, end = span
    quarter = (end - begin) / 4
    return end - begin, sum(begin + quarter < stamp < end - quarter for stamp in stamps)


def test_the_gil_is_released_during_large_calls():
    """While one thread is inside a large library call, another runs Python code.

    With the GIL held during the call, no stamp of the main thread could fall in the middle
    half of a call lasting tens of milliseconds (the interpreter's switch interval is 5 ms)."""
    for size in (1 << 22, 1 << 23, 1 << 24):
        duration, inside = gil_probe(size)
        if duration >= 0.03:
            assert inside > 10
            return
    pytest.skip(f"the library is too fast to observe ({duration:.3f} s for {size} elements)")
