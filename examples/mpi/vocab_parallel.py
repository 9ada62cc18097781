"""Cross-entropy over a vocabulary split across MPI ranks, with swiftloss.distributed and mpi4py.

    mpiexec -n 2 -host 127.0.0.1 python3 vocab_parallel.py

Each rank holds a block of columns of the (N, C) logits (uneven: rank r < R - 1 gets
C // R - 150 (r + 1) columns, the last one the rest); swiftloss computes the shard-local steps and MPI's Allreduce
carries the two reductions (MAX of N values, SUM of 3N + 2) after a small metadata MAX. Every
rank checks its loss and the gradient of its block against swiftloss.cross_entropy on the full
logits (one process, no communication) and rank 0 prints the result. No torch needed.
"""
import sys

import numpy as np
from mpi4py import MPI

import swiftloss

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()


def all_reduce(array, op):
    comm.Allreduce(MPI.IN_PLACE, array, op=MPI.MAX if op == "max" else MPI.SUM)


N, C = 64, 1000
rng = np.random.default_rng(2026)  # the same full logits and targets on every rank
logits = (rng.standard_normal((N, C)) * 3).astype(np.float32)
target = rng.integers(0, C, N)
target[::7] = -100  # some ignored rows
weight = (rng.random(C) + 0.5).astype(np.float32)

widths = [max(0, C // size - 150 * (r + 1)) for r in range(size - 1)]
widths.append(C - sum(widths))
start = sum(widths[:rank])
block = np.ascontiguousarray(logits[:, start:start + widths[rank]])

loss, grad = swiftloss.distributed.cross_entropy(
    block, target, vocab_start=start, num_classes=C, all_reduce=all_reduce,
    weight=weight, label_smoothing=0.1, with_grad=True)

want, want_grad = swiftloss.cross_entropy(logits, target, weight=weight, label_smoothing=0.1, with_grad=True)
loss_ok = abs(float(loss) - float(want)) <= 1e-5 * abs(float(want))
grad_ok = np.allclose(grad, want_grad[:, start:start + widths[rank]], rtol=1e-4, atol=1e-7)
same = comm.allgather(float(loss))
ok = comm.allreduce(int(loss_ok and grad_ok and len(set(same)) == 1), op=MPI.MIN)
if rank == 0:
    print(f"{size} ranks, columns {widths}: loss {float(loss):.6f} (one process: {float(want):.6f}); "
          f"gradients {'match' if ok else 'DIFFER'}")
sys.exit(0 if ok else 1)
