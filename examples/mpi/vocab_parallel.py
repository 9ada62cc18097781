"""Cross-entropy over a vocabulary split across MPI ranks, with swiftloss.distributed and mpi4py.

    mpiexec -n 2 -host 127.0.0.1 python3 vocab_parallel.py

Each rank holds a block of columns of the (N, C) logits (uneven: rank r < R - 1 gets
C // R - 150 (r + 1) columns, the last one the rest); swiftloss computes the shard-local steps and MPI's Allreduce
carries the two reductions (MAX of N values, SUM of 3N + 2) after a small metadata MAX. Every
rank checks its loss and the gradient of its block against swiftloss.cross_entropy on the full
logits (one process, no communication) and rank 0 prints the result. No torch needed.

Then the same for a sharded LM head (swiftloss.distributed.linear_cross_entropy): each rank
holds the weight rows (and bias slice) of its classes, every rank the same (N, H) hidden
states; the loss and the gradients of the hidden states (all-reduced: one more SUM), of each
rank's weight rows and bias slice are checked against swiftloss.linear_cross_entropy on the
full weight.
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

# The sharded LM head: rank r holds rows [start, start + widths[r]) of the (C, H) weight.
H = 32
hidden = rng.standard_normal((N, H)).astype(np.float32)
head = (rng.standard_normal((C, H)) * 0.2).astype(np.float32)
bias = (rng.standard_normal(C) * 0.1).astype(np.float32)
rows = slice(start, start + widths[rank])
hloss, (g_hidden, g_head, g_bias) = swiftloss.distributed.linear_cross_entropy(
    hidden, np.ascontiguousarray(head[rows]), target, vocab_start=start, num_classes=C,
    linear_bias=np.ascontiguousarray(bias[rows]), all_reduce=all_reduce, weight=weight, label_smoothing=0.1,
    with_grad=True)
hwant, (w_hidden, w_head, w_bias) = swiftloss.linear_cross_entropy(
    hidden, head, target, linear_bias=bias, weight=weight, label_smoothing=0.1, with_grad=True)
head_ok = (abs(float(hloss) - float(hwant)) <= 1e-5 * abs(float(hwant))
           and np.allclose(g_hidden, w_hidden, rtol=1e-4, atol=1e-7)
           and np.allclose(g_head, w_head[rows], rtol=1e-4, atol=1e-7)
           and np.allclose(g_bias, w_bias[rows], rtol=1e-4, atol=1e-7))
head_ok = comm.allreduce(int(head_ok and len(set(comm.allgather(float(hloss)))) == 1), op=MPI.MIN)
if rank == 0:
    print(f"LM head, {size} ranks, weight rows {widths}, H {H}: loss {float(hloss):.6f} (one process: "
          f"{float(hwant):.6f}); gradients {'match' if head_ok else 'DIFFER'}")
sys.exit(0 if ok and head_ok else 1)
