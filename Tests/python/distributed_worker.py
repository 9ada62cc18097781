"""One rank of test_distributed.py's gloo groups (started by the test as a subprocess):

    python distributed_worker.py RANK WORLD INIT_FILE SPLIT SUITE

SPLIT is the comma-separated shard widths of the ranks (they add up to the classes), SUITE
'cases' (every keyword, both dtypes, the torch bridge, the all_reduce callable), 'errors'
(bad arguments on one or every rank) or 'linear' (both for the sharded LM head,
swiftloss.distributed.linear_cross_entropy: each rank holds the weight rows of its shard). Each rank builds the same full logits from a fixed
seed, takes its columns, and compares swiftloss.distributed / swiftloss.torch with
torch.nn.functional.cross_entropy on the full logits: the loss and its own gradient slice.
It prints one JSON line: the number of checks made and the failures found.
"""
import itertools
import json
import sys

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as TF

import swiftloss
import swiftloss.torch as sl

RANK, WORLD, INIT_FILE, SPLIT, SUITE = (int(sys.argv[1]), int(sys.argv[2]), sys.argv[3],
                                        [int(v) for v in sys.argv[4].split(",")], sys.argv[5])
CLASSES = sum(SPLIT)
START = sum(SPLIT[:RANK])
WIDTH = SPLIT[RANK]
TOL = {np.float32: (2e-5, 2e-6), np.float64: (1e-10, 1e-13)}  # rtol, atol relative to the scale
failures = []
checks = 0


def close(name, got, want, dtype):
    global checks
    checks += 1
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    rtol, atol = TOL[dtype]
    scale = max(1.0, float(np.nanmax(np.abs(want))) if want.size and np.isfinite(want).any() else 1.0)
    same_nan = np.array_equal(np.isnan(got), np.isnan(want))
    ok = same_nan and got.shape == want.shape and np.allclose(got, want, rtol=rtol, atol=atol * scale,
                                                              equal_nan=True)
    if not ok:
        diff = np.nanmax(np.abs(got - want)) if got.shape == want.shape else "shape"
        failures.append(f"rank {RANK}: {name}: max diff {diff}")


def data(n, dtype, seed, special=False):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal((n, CLASSES)) * 4 + 2).astype(dtype)
    t = rng.integers(0, CLASSES, n)
    t[1] = -100
    if special:
        # Row 2: -inf over the whole of rank 1's columns (its shard max is -inf); row 3: some
        # -inf entries; row 4 is all -inf (NaN, as torch).
        x[2, SPLIT[0]:SPLIT[0] + SPLIT[1]] = -np.inf
        t[2] = 0
        x[3, ::3] = -np.inf
        t[3] = 1
        x[4, :] = -np.inf
    w = (rng.random(CLASSES) + 0.2).astype(dtype)
    return x, t, w


def same_on_every_rank(name, loss):
    """Gathers the losses of every rank: they must be the same bits."""
    global checks
    mine = torch.tensor(np.asarray(loss, dtype=np.float64).reshape(-1))
    every = [torch.empty_like(mine) for _ in range(WORLD)]
    dist.all_gather(every, mine)
    checks += 1
    if not all(np.array_equal(e.numpy(), mine.numpy(), equal_nan=True) for e in every):
        failures.append(f"rank {RANK}: {name}: the ranks' losses differ")


def reference(x, t, w, ignore, red, eps, g):
    xt = torch.tensor(x, requires_grad=True)
    loss = TF.cross_entropy(xt, torch.tensor(t), weight=None if w is None else torch.tensor(w),
                            ignore_index=ignore, reduction=red, label_smoothing=eps)
    (loss * torch.tensor(g)).sum().backward()
    return loss.detach().numpy(), xt.grad.numpy()[:, START:START + WIDTH]


def cases():
    global checks
    calls = 0

    def counting(array, op):  # the all_reduce callable path, over torch.distributed
        nonlocal calls
        calls += 1
        tensor = torch.from_numpy(array)
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX if op == "max" else dist.ReduceOp.SUM)

    for dtype, special in ((np.float32, False), (np.float64, False), (np.float32, True), (np.float64, True)):
        n = 9
        x, t, w = data(n, dtype, 7 if not special else 8, special)
        block = np.ascontiguousarray(x[:, START:START + WIDTH])
        for red, use_w, eps, ignore, via in itertools.product(
                ("none", "sum", "mean"), (False, True), (0.0, 0.25), (-100, 5), ("group", "callable")):
            weight = w if use_w else None
            tgt = t.copy()
            if ignore == 5:
                tgt[0], tgt[1] = 5, 2
            g = (np.random.default_rng(3).random(n) + 0.5).astype(dtype) if red == "none" else np.asarray(1.5, dtype)
            want_loss, want_grad = reference(x, tgt, weight, ignore, red, eps, g)
            kwargs = dict(vocab_start=START, num_classes=CLASSES, weight=weight, ignore_index=ignore,
                          reduction=red, label_smoothing=eps, with_grad=True, grad_output=g)
            if via == "callable":
                kwargs["all_reduce"] = counting
            loss, grad = swiftloss.distributed.cross_entropy(block, tgt, **kwargs)
            name = f"{np.dtype(dtype).name} special={special} {red} weight={use_w} eps={eps} ignore={ignore} {via}"
            close(name + " loss", loss, want_loss, dtype)
            close(name + " grad", grad, want_grad, dtype)
            same_on_every_rank(name, loss)
        # Without with_grad: the loss alone; a CPU tensor block.
        loss = swiftloss.distributed.cross_entropy(torch.from_numpy(block), t, vocab_start=START,
                                                   num_classes=CLASSES)
        close(f"{np.dtype(dtype).name} special={special} tensor block", loss,
              TF.cross_entropy(torch.tensor(x), torch.tensor(t)).numpy(), dtype)
        # The torch bridge: module and function, gradients into each shard.
        for red, eps in (("mean", 0.1), ("none", 0.0), ("sum", 0.3)):
            mod = sl.VocabParallelCrossEntropyLoss(START, CLASSES, weight=torch.tensor(w), reduction=red,
                                                   label_smoothing=eps)
            shard = torch.tensor(block, requires_grad=True)
            loss = mod(shard, torch.tensor(t))
            g = torch.linspace(0.5, 1.5, n, dtype=shard.dtype) if red == "none" else torch.tensor(2.0, dtype=shard.dtype)
            (loss * g).sum().backward()
            want_loss, want_grad = reference(x, t, w, -100, red, eps, g.numpy())
            close(f"bridge {np.dtype(dtype).name} special={special} {red} loss", loss.detach().numpy(), want_loss, dtype)
            close(f"bridge {np.dtype(dtype).name} special={special} {red} grad", shard.grad.numpy(), want_grad, dtype)
        shard = torch.tensor(block, requires_grad=True)
        sl.vocab_parallel_cross_entropy(shard, torch.tensor(t), vocab_start=START, num_classes=CLASSES,
                                        all_reduce=counting).backward()
        close(f"bridge function {np.dtype(dtype).name} special={special}", shard.grad.numpy(),
              reference(x, t, None, -100, "mean", 0.0, np.asarray(1.0, dtype))[1], dtype)
    # Three collectives per call through the callable (metadata MAX, row MAX, statistics SUM).
    checks += 1
    expected = 4 * (3 * 2 * 2 * 2 * 3 + 3)
    if calls != expected:
        failures.append(f"rank {RANK}: the all_reduce callable ran {calls} times, expected {expected}")
    # An empty batch: N == 0 on every rank.
    loss = swiftloss.distributed.cross_entropy(np.zeros((0, WIDTH), np.float32), np.zeros(0, np.int64),
                                               vocab_start=START, num_classes=CLASSES, reduction="sum")
    close("empty batch sum", loss, 0.0, np.float32)


def expect(name, exc_type, text, call):
    """Runs call; records a failure unless it raises exc_type with text in the message."""
    global checks
    checks += 1
    try:
        call()
    except exc_type as e:
        if text not in str(e):
            failures.append(f"rank {RANK}: {name}: message {str(e)!r} lacks {text!r}")
        return
    except Exception as e:  # noqa: BLE001 - reported
        failures.append(f"rank {RANK}: {name}: raised {type(e).__name__}: {e}")
        return
    failures.append(f"rank {RANK}: {name}: did not raise")


def errors():
    n = 6
    x, t, w = data(n, np.float32, 11)
    block = np.ascontiguousarray(x[:, START:START + WIDTH])
    ce = swiftloss.distributed.cross_entropy
    kw = dict(vocab_start=START, num_classes=CLASSES)
    # vocab_start out of range on rank 0 only: ValueError there, RuntimeError elsewhere.
    if RANK == 0:
        expect("vocab_start out of range", ValueError, "are not inside [0, num_classes",
               lambda: ce(block, t, vocab_start=CLASSES, num_classes=CLASSES))
    else:
        expect("a peer's vocab_start", RuntimeError, "another rank refused its arguments", lambda: ce(block, t, **kw))
    # A target out of bounds on the last rank only.
    bad = t.copy()
    bad[0] = CLASSES
    if RANK == WORLD - 1:
        expect("target out of bounds", IndexError, f"Target {CLASSES} is out of bounds.", lambda: ce(block, bad, **kw))
    else:
        expect("a peer's target", RuntimeError, "another rank refused", lambda: ce(block, t, **kw))
    # Ranks that disagree on N: ValueError on every rank.
    rows = n if RANK else n - 1
    expect("N disagrees", ValueError, "disagree on N",
           lambda: ce(block[:rows], t[:rows], **kw))
    # Shards that do not add up: every rank claims to start at 0 with its own width.
    expect("shards do not tile", ValueError, "do not tile",
           lambda: ce(block, t, vocab_start=0, num_classes=CLASSES))
    # Widths that add up to less than num_classes while starting at 0 and ending at C: rank 0
    # drops its last column.
    if RANK == 0:
        short = np.ascontiguousarray(block[:, :-1])
        expect("widths too small", ValueError, "shard widths add up to", lambda: ce(short, t, **kw))
    else:
        expect("widths too small (peer)", ValueError, "shard widths add up to", lambda: ce(block, t, **kw))
    # Keywords that disagree (reduction).
    expect("reduction disagrees", ValueError, "disagree on reduction",
           lambda: ce(block, t, reduction="sum" if RANK else "mean", **kw))
    # A bad reduction everywhere: torch's message on every rank.
    expect("bad reduction", ValueError, "foo is not a valid value for reduction",
           lambda: ce(block, t, reduction="foo", **kw))
    # Weight of the wrong size (local), label_smoothing above 1 (local) on every rank.
    expect("weight size", ValueError, "weight tensor should be defined either for all",
           lambda: ce(block, t, weight=w[:-1], **kw))
    expect("label smoothing", ValueError, "label_smoothing must be between 0.0 and 1.0",
           lambda: ce(block, t, label_smoothing=1.5, **kw))
    # After all that, the group still works.
    loss = ce(block, t, **kw)
    close("after the errors", loss, TF.cross_entropy(torch.tensor(x), torch.tensor(t)).numpy(), np.float32)


# ------------------------------------------------------------------------------------------
# The sharded LM head: swiftloss.distributed.linear_cross_entropy and its torch bridge
# ------------------------------------------------------------------------------------------

HIDDEN = 6
LINEAR_TOL = {np.float32: (1e-4, 1e-6), np.float64: (1e-9, 1e-12)}


def close_linear(name, got, want, dtype):
    global TOL
    saved, TOL = TOL, {dtype: LINEAR_TOL[dtype]}
    try:
        close(name, got, want, dtype)
    finally:
        TOL = saved


def head(n, dtype, seed, special=False):
    """The full (n, H) input, (C, H) weight, (C,) bias, targets and class weights; with
    special, the bias is -inf over the last rank's rows (its local maxima are -inf)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, HIDDEN)).astype(dtype)
    W = (rng.standard_normal((CLASSES, HIDDEN)) * 1.5).astype(dtype)
    b = rng.standard_normal(CLASSES).astype(dtype)
    if special:
        b[CLASSES - SPLIT[-1]:] = -np.inf
    t = rng.integers(0, CLASSES - (SPLIT[-1] if special else 0), n)
    t[1] = -100
    w = (rng.random(CLASSES) + 0.2).astype(dtype)
    return x, W, b, t, w


def linear_reference(x, W, b, t, w, ignore, red, eps, g):
    xt, Wt = torch.tensor(x, requires_grad=True), torch.tensor(W, requires_grad=True)
    bt = None if b is None else torch.tensor(b, requires_grad=True)
    loss = TF.cross_entropy(TF.linear(xt, Wt, bt), torch.tensor(t), weight=None if w is None else torch.tensor(w),
                            ignore_index=ignore, reduction=red, label_smoothing=eps)
    (loss * torch.tensor(g)).sum().backward()
    rows = slice(START, START + WIDTH)
    return (loss.detach().numpy(), xt.grad.numpy(), Wt.grad.numpy()[rows],
            None if b is None else bt.grad.numpy()[rows])


def linear_cases():
    global checks
    calls = 0

    def counting(array, op):
        nonlocal calls
        calls += 1
        tensor = torch.from_numpy(array)
        dist.all_reduce(tensor, op=dist.ReduceOp.MAX if op == "max" else dist.ReduceOp.SUM)

    n = 9
    rows = slice(START, START + WIDTH)
    expected_calls = 0
    for dtype, special in ((np.float32, False), (np.float64, False), (np.float32, True), (np.float64, True)):
        x, W, b, t, w = head(n, dtype, 17 if not special else 18, special)
        Wr, br = np.ascontiguousarray(W[rows]), np.ascontiguousarray(b[rows])
        grid = itertools.product(("none", "sum", "mean"), (False, True), (0.0, 0.25), (-100, 5), (False, True),
                                 ("group", "callable"))
        for red, use_w, eps, ignore, bias, via in grid:
            if special and (eps > 0 or not bias):
                continue  # -inf logits with smoothing: inf in torch too; the special rows need the bias
            weight = w if use_w else None
            tgt = t.copy()
            if ignore == 5:
                tgt[0], tgt[1] = 5, 2
            g = (np.random.default_rng(3).random(n) + 0.5).astype(dtype) if red == "none" else np.asarray(1.5, dtype)
            want = linear_reference(x, W, b if bias else None, tgt, weight, ignore, red, eps, g)
            kwargs = dict(vocab_start=START, num_classes=CLASSES, linear_bias=br if bias else None, weight=weight,
                          ignore_index=ignore, reduction=red, label_smoothing=eps, with_grad=True, grad_output=g)
            if via == "callable":
                kwargs["all_reduce"] = counting
                expected_calls += 4
            loss, grads = swiftloss.distributed.linear_cross_entropy(x, Wr, tgt, **kwargs)
            name = (f"linear {np.dtype(dtype).name} special={special} {red} weight={use_w} eps={eps} "
                    f"ignore={ignore} bias={bias} {via}")
            checks += 1
            if len(grads) != (3 if bias else 2):
                failures.append(f"rank {RANK}: {name}: {len(grads)} gradients")
                continue
            close_linear(name + " loss", loss, want[0], dtype)
            close_linear(name + " grad_input", grads[0], want[1], dtype)
            close_linear(name + " grad_linear_weight", grads[1], want[2], dtype)
            if bias:
                close_linear(name + " grad_linear_bias", grads[2], want[3], dtype)
            same_on_every_rank(name, loss)
        # Without with_grad, tensors in.
        loss = swiftloss.distributed.linear_cross_entropy(torch.from_numpy(x), torch.from_numpy(Wr), t,
                                                          linear_bias=torch.from_numpy(br), vocab_start=START,
                                                          num_classes=CLASSES)
        close_linear(f"linear {np.dtype(dtype).name} special={special} tensors", loss,
                     linear_reference(x, W, b, t, None, -100, "mean", 0.0, np.asarray(1.0, dtype))[0], dtype)
        # The torch bridge: the module (its own nn.Linear) and the function.
        for red, eps, bias in (("mean", 0.1 if not special else 0.0, True), ("none", 0.0, True),
                               ("sum", 0.3 if not special else 0.0, not special)):
            mod = sl.VocabParallelLinearCrossEntropyLoss(HIDDEN, CLASSES, START, WIDTH, bias=bias,
                                                         weight=torch.tensor(w), reduction=red, label_smoothing=eps,
                                                         dtype=torch.float64 if dtype == np.float64 else torch.float32)
            with torch.no_grad():
                mod.linear.weight.copy_(torch.from_numpy(Wr))
                if bias:
                    mod.linear.bias.copy_(torch.from_numpy(br))
            xt = torch.tensor(x, requires_grad=True)
            loss = mod(xt, torch.tensor(t))
            g = torch.linspace(0.5, 1.5, n, dtype=xt.dtype) if red == "none" else torch.tensor(2.0, dtype=xt.dtype)
            (loss * g).sum().backward()
            want = linear_reference(x, W, b if bias else None, t, w, -100, red, eps, g.numpy())
            name = f"linear bridge {np.dtype(dtype).name} special={special} {red} bias={bias}"
            close_linear(name + " loss", loss.detach().numpy(), want[0], dtype)
            close_linear(name + " grad_input", xt.grad.numpy(), want[1], dtype)
            close_linear(name + " grad_weight", mod.linear.weight.grad.numpy(), want[2], dtype)
            if bias:
                close_linear(name + " grad_bias", mod.linear.bias.grad.numpy(), want[3], dtype)
        xt, Wt = torch.tensor(x, requires_grad=True), torch.tensor(Wr, requires_grad=True)
        sl.vocab_parallel_linear_cross_entropy(xt, Wt, torch.tensor(t), vocab_start=START, num_classes=CLASSES,
                                               all_reduce=counting).backward()
        expected_calls += 4
        want = linear_reference(x, W, None, t, None, -100, "mean", 0.0, np.asarray(1.0, dtype))
        close_linear(f"linear bridge function {np.dtype(dtype).name} special={special} grad_input",
                     xt.grad.numpy(), want[1], dtype)
        close_linear(f"linear bridge function {np.dtype(dtype).name} special={special} grad_weight",
                     Wt.grad.numpy(), want[2], dtype)
    # Four collectives per call with a gradient through the callable.
    checks += 1
    if calls != expected_calls:
        failures.append(f"rank {RANK}: the all_reduce callable ran {calls} times, expected {expected_calls}")
    # An empty batch.
    loss, (gx, gw) = swiftloss.distributed.linear_cross_entropy(
        np.zeros((0, HIDDEN), np.float32), np.ones((WIDTH, HIDDEN), np.float32), np.zeros(0, np.int64),
        vocab_start=START, num_classes=CLASSES, reduction="sum", with_grad=True)
    close("linear empty batch sum", loss, 0.0, np.float32)
    close("linear empty batch grad_weight", gw, np.zeros((WIDTH, HIDDEN)), np.float32)


def linear_errors():
    n = 6
    x, W, b, t, w = head(n, np.float32, 19)
    Wr = np.ascontiguousarray(W[START:START + WIDTH])
    ce = swiftloss.distributed.linear_cross_entropy
    kw = dict(vocab_start=START, num_classes=CLASSES)
    if RANK == 0:
        expect("linear vocab_start out of range", ValueError, "are not inside [0, num_classes",
               lambda: ce(x, Wr, t, vocab_start=CLASSES + 1, num_classes=CLASSES))
    else:
        expect("linear: a peer's vocab_start", RuntimeError, "another rank refused its arguments",
               lambda: ce(x, Wr, t, **kw))
    # H disagrees with the weight on the last rank (a local error there).
    if RANK == WORLD - 1:
        expect("linear H vs weight", ValueError, "expected equal input and linear_weight last dimensions",
               lambda: ce(x[:, :-1], Wr, t, **kw))
    else:
        expect("linear: a peer's H vs weight", RuntimeError, "another rank refused", lambda: ce(x, Wr, t, **kw))
    # H disagrees between ranks (each rank consistent with its own weight).
    h = HIDDEN - (1 if RANK == 0 else 0)
    expect("linear H disagrees", ValueError, "disagree on H",
           lambda: ce(np.ascontiguousarray(x[:, :h]), np.ascontiguousarray(Wr[:, :h]), t, **kw))
    # Shards that do not tile num_classes: every rank claims to start at 0.
    expect("linear shards do not tile", ValueError, "do not tile",
           lambda: ce(x, Wr, t, vocab_start=0, num_classes=CLASSES))
    # Widths that do not add up although the shards start at 0 and end at num_classes.
    if RANK == 0:
        expect("linear widths too small", ValueError, "shard widths add up to",
               lambda: ce(x, np.ascontiguousarray(Wr[:-1]), t, **kw))
    else:
        expect("linear widths too small (peer)", ValueError, "shard widths add up to", lambda: ce(x, Wr, t, **kw))
    # A bias on rank 0 only.
    bias = np.zeros(WIDTH, np.float32) if RANK == 0 else None
    expect("linear bias on one rank", ValueError, "disagree on whether a bias is given",
           lambda: ce(x, Wr, t, linear_bias=bias, **kw))
    # z_loss / softcap are refused on every rank.
    expect("linear z_loss", ValueError, "z_loss and softcap are not supported", lambda: ce(x, Wr, t, z_loss=1e-4, **kw))
    expect("linear softcap", ValueError, "z_loss and softcap are not supported", lambda: ce(x, Wr, t, softcap=30.0, **kw))
    # After all that, the group still works.
    loss = ce(x, Wr, t, **kw)
    close_linear("linear after the errors", loss,
                 linear_reference(x, W, None, t, None, -100, "mean", 0.0, np.asarray(1.0, np.float32))[0], np.float32)


def main():
    dist.init_process_group("gloo", init_method=f"file://{INIT_FILE}", rank=RANK, world_size=WORLD)
    try:
        if SUITE == "cases":
            cases()
        elif SUITE == "errors":
            errors()
        else:  # "linear"
            linear_cases()
            linear_errors()
    finally:
        dist.barrier()
        dist.destroy_process_group()
    print(json.dumps({"rank": RANK, "checks": checks, "failures": failures}))


if __name__ == "__main__":
    main()
