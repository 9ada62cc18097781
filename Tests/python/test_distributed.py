"""swiftloss.distributed.cross_entropy and swiftloss.torch's VocabParallelCrossEntropyLoss on real
torch.distributed gloo groups of 2 and 3 processes on this machine (distributed_worker.py, one
subprocess per rank, a file:// rendezvous in a temporary directory): uneven shards and an
empty one, float32 and float64, every keyword and reduction, grad_output, rows whose shard
max is -inf, through the group and through an all_reduce callable, against
torch.nn.functional.cross_entropy on the full logits (the loss, the same bits on every rank,
and each rank's gradient slice); bad arguments on one rank or disagreeing ranks raise on every
rank instead of hanging. Also the single-process paths: the import without torch, and the
local checks made before any collective.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import swiftloss

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "distributed_worker.py")

torch = pytest.importorskip("torch") if not os.environ.get("SWIFTLOSS_REQUIRE_TORCH") else __import__("torch")


def run_group(tmp_path, split, suite, timeout=600):
    """Starts one process per shard width in split; returns their JSON reports."""
    init = tmp_path / f"rendezvous-{suite}-{len(split)}"
    env = dict(os.environ, OMP_NUM_THREADS="1", SWIFTLOSS_NUM_THREADS="1")
    procs = [subprocess.Popen([sys.executable, WORKER, str(r), str(len(split)), str(init),
                               ",".join(map(str, split)), suite],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for r in range(len(split))]
    reports = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=timeout)
            assert p.returncode == 0, f"rank exited with {p.returncode}:\n{err[-3000:]}"
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    return reports


def check_reports(reports, minimum):
    for report in reports:
        assert report["failures"] == [], "\n".join(report["failures"][:20])
        assert report["checks"] >= minimum


def test_two_ranks_uneven_every_keyword(tmp_path):
    # 37 classes as 23 + 14: both dtypes, every reduction, weight, label smoothing, ignore_index,
    # grad_output, the group and the callable, the bridge; row 2 is -inf over all of rank 1's
    # columns (its shard max is -inf), row 3 has -inf entries, row 4 is all -inf (NaN).
    check_reports(run_group(tmp_path, [23, 14], "cases"), minimum=600)


def test_three_ranks_with_an_empty_shard(tmp_path):
    # 29 classes as 11 + 0 + 18: rank 1 holds no column (V_rank == 0) yet takes part in every
    # collective and gets a (9, 0) gradient.
    check_reports(run_group(tmp_path, [11, 0, 18], "cases"), minimum=600)


def test_errors_raise_on_every_rank(tmp_path):
    # Three ranks, uneven: a bad argument on one rank, ranks that disagree on N or on a keyword,
    # shards that do not tile [0, C): an error on every rank, then the group still works.
    check_reports(run_group(tmp_path, [9, 3, 8], "errors"), minimum=10)


def test_linear_two_ranks_uneven(tmp_path):
    # The sharded LM head: 37 classes as 23 + 14 weight rows, H = 6; both dtypes, bias or not,
    # every keyword and reduction, grad_output, the group and the callable, the bridge; the
    # special cases put a -inf bias on the last rank's rows (its local maxima are -inf). Then
    # the bad arguments (vocab_start, H against the weight or between ranks, shards that do not
    # tile, a bias on one rank, z_loss / softcap) on every rank.
    check_reports(run_group(tmp_path, [23, 14], "linear"), minimum=700)


def test_linear_three_ranks_with_an_empty_shard(tmp_path):
    # 29 classes as 11 + 0 + 18 weight rows: rank 1 holds no row, still all-reduces and gets a
    # (0, H) weight gradient and the full grad_input.
    check_reports(run_group(tmp_path, [11, 0, 18], "linear"), minimum=700)


def test_linear_one_process_equals_linear_cross_entropy():
    rng = np.random.default_rng(1)
    x, W, b = rng.standard_normal((7, 5)), rng.standard_normal((11, 5)), rng.standard_normal(11)
    t = np.array([1, 2, 3, -100, 10, 0, 5])
    cw = rng.random(11) + 0.5
    for red in ("none", "sum", "mean"):
        loss, grads = swiftloss.distributed.linear_cross_entropy(
            x, W, t, vocab_start=0, num_classes=11, linear_bias=b, weight=cw, reduction=red, label_smoothing=0.1,
            all_reduce=lambda a, op: None, with_grad=True)
        want, want_grads = swiftloss.linear_cross_entropy(x, W, t, linear_bias=b, weight=cw, reduction=red,
                                                          label_smoothing=0.1, with_grad=True)
        np.testing.assert_allclose(loss, want, rtol=1e-13)
        for got, expected in zip(grads, want_grads):
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_linear_local_errors_before_any_collective():
    seen = []

    def record(array, op):
        seen.append(op)

    x, W = np.zeros((2, 3), np.float32), np.zeros((4, 3), np.float32)
    lce = swiftloss.distributed.linear_cross_entropy
    with pytest.raises(ValueError, match="are not inside"):
        lce(x, W, [0, 1], vocab_start=2, num_classes=5, all_reduce=record)
    with pytest.raises(ValueError, match="in_features"):
        lce(x, np.zeros((4, 2), np.float32), [0, 1], vocab_start=0, num_classes=4, all_reduce=record)
    with pytest.raises(ValueError, match=r"linear_bias shape \(4,\)"):
        lce(x, W, [0, 1], vocab_start=0, num_classes=4, linear_bias=np.zeros(3), all_reduce=record)
    with pytest.raises(ValueError, match=r"\(N, H\) hidden states"):
        lce(np.zeros(3, np.float32), W, [0], vocab_start=0, num_classes=4, all_reduce=record)
    with pytest.raises(ValueError, match="not supported across ranks"):
        lce(x, W, [0, 1], vocab_start=0, num_classes=4, z_loss=0.1, all_reduce=record)
    with pytest.raises(IndexError, match="out of bounds"):
        lce(x, W, [0, 4], vocab_start=0, num_classes=4, all_reduce=record)
    assert seen == ["max"] * 6


def test_one_process_equals_cross_entropy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 10)).astype(np.float64)
    t = np.array([1, 9, -100, 0, 3, 3])
    loss, grad = swiftloss.distributed.cross_entropy(x, t, vocab_start=0, num_classes=10,
                                                     all_reduce=lambda a, op: None, with_grad=True,
                                                     label_smoothing=0.1)
    want, want_grad = swiftloss.cross_entropy(x, t, label_smoothing=0.1, with_grad=True)
    np.testing.assert_allclose(loss, want, rtol=1e-13)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-12, atol=1e-15)


def test_local_errors_before_any_collective():
    seen = []

    def record(array, op):
        seen.append(op)

    x = np.zeros((2, 3), np.float32)
    ce = swiftloss.distributed.cross_entropy
    with pytest.raises(ValueError, match="are not inside"):
        ce(x, [0, 1], vocab_start=2, num_classes=4, all_reduce=record)
    with pytest.raises(ValueError, match="not both"):
        ce(x, [0, 1], vocab_start=0, num_classes=3, all_reduce=record, group=object())
    with pytest.raises(ValueError, match="batch_size"):
        ce(x, [0, 1, 2], vocab_start=0, num_classes=3, all_reduce=record)
    with pytest.raises(ValueError, match=r"\(N, V_rank\) block"):
        ce(np.zeros(3, np.float32), [0], vocab_start=0, num_classes=3, all_reduce=record)
    with pytest.raises(TypeError, match="floating-point"):
        ce(np.zeros((2, 3), np.int64), [0, 1], vocab_start=0, num_classes=3, all_reduce=record)
    with pytest.raises(ValueError, match="grad_output is only used"):
        ce(x, [0, 1], vocab_start=0, num_classes=3, all_reduce=record, grad_output=1.0)
    # Each local error still took part in the metadata all-reduce (so that peers do not hang),
    # and in nothing else; grad_output's check comes first, before any collective.
    assert seen == ["max"] * 5


def test_without_torch_process_group():
    # No process group initialised and no all_reduce: torch's own message.
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(RuntimeError, match="init_process_group"):
        swiftloss.distributed.cross_entropy(x, [0, 1], vocab_start=0, num_classes=3)


def test_imports_without_torch(tmp_path):
    # swiftloss.distributed with all_reduce= needs no torch: run it where torch cannot import.
    blocker = tmp_path / "torch.py"
    blocker.write_text("raise ImportError('torch hidden by the test')\n")
    code = ("import numpy as np, swiftloss.distributed as D\n"
            "print(float(D.cross_entropy(np.eye(3, dtype=np.float32), [0, 1, 2], vocab_start=0, num_classes=3,"
            " all_reduce=lambda a, op: None)))\n"
            "import sys; assert 'torch' not in sys.modules or not hasattr(sys.modules['torch'], 'Tensor')\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    want = float(swiftloss.cross_entropy(np.eye(3, dtype=np.float32), [0, 1, 2]))
    assert abs(float(out.stdout) - want) < 1e-6


def test_mpi_example():
    # examples/mpi/vocab_parallel.py under MPICH's mpiexec from the venv (pip packages mpich and
    # mpi4py, which `make test` installs and requires through SWIFTLOSS_REQUIRE_MPI=1).
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    try:
        import mpi4py  # noqa: F401
        assert os.path.exists(mpiexec), mpiexec
    except (ImportError, AssertionError):
        if os.environ.get("SWIFTLOSS_REQUIRE_MPI"):
            raise
        pytest.skip("mpi4py / mpiexec not installed (pip install mpich mpi4py)")
    example = os.path.join(HERE, "..", "..", "examples", "mpi", "vocab_parallel.py")
    out = subprocess.run([mpiexec, "-n", "2", "-host", "127.0.0.1", sys.executable, example],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 ranks, columns [350, 650]" in out.stdout and "gradients match" in out.stdout, out.stdout
    assert "LM head, 2 ranks, weight rows [350, 650]" in out.stdout, out.stdout
    assert out.stdout.count("gradients match") == 2, out.stdout


def run_readme_example(tmp_path, marker):
    """The README's python block holding marker, as written, in a 2-rank gloo group started as
    torchrun would (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT on a free port of 127.0.0.1);
    returns each rank's printed words, sorted by rank."""
    import re
    import socket
    readme = open(os.path.join(HERE, "..", "..", "README.md"), encoding="utf-8").read()
    code = next(c for c in re.findall(r"```python\n(.*?)```", readme, re.S) if marker in c)
    script = tmp_path / "tp_example.py"
    script.write_text(code)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    procs = [subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=dict(os.environ, RANK=str(r), WORLD_SIZE="2", MASTER_ADDR="127.0.0.1",
                                       MASTER_PORT=str(port), OMP_NUM_THREADS="1"))
             for r in range(2)]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err[-2000:]
    lines = sorted(out.split() for out, _ in outs)
    assert [l[0] for l in lines] == ["0", "1"], lines
    for rank, loss, reference, *shape in lines:
        assert loss == reference, lines
    return lines


def test_readme_tensor_parallel_example(tmp_path):
    lines = run_readme_example(tmp_path, "VocabParallelCrossEntropyLoss")
    assert lines[0][3:] == ["(8,", "16000)"] and lines[1][3:] == ["(8,", "16000)"], lines


def test_readme_sharded_lm_head_example(tmp_path):
    lines = run_readme_example(tmp_path, "VocabParallelLinearCrossEntropyLoss")
    assert lines[0][3:] == ["(16000,", "64)"] and lines[1][3:] == ["(16000,", "64)"], lines
