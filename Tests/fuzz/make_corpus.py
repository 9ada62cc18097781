#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_swiftloss.c into Tests/fuzz/corpus/.

Every worked example of /work/shared/articles.md (articles A-E: softmax, log_softmax,
nll_loss, cross_entropy with weights, reductions and label smoothing, nll_loss on
probabilities) becomes a fuzz input for each entry point it exercises, in float32 and float64,
forward and backward, plus the element-wise losses the articles name (BCE, BCE with logits,
KL divergence), the edge cases (every target ignored, empty batch, one class, ...) and a few
inputs of the other size modes (huge sizes, zero sizes with huge dimensions, large calls
above the threading threshold). The input format is described at the top of
fuzz_swiftloss.c; values are stored as raw float bits (value mode 2), so the seeds carry the
articles' numbers exactly.

With --regressions it writes instead the reproducers of the bugs the fuzzer found into
Tests/fuzz/regressions/ (see the README.md there); run.sh replays them before fuzzing.

Usage: python3 Tests/fuzz/make_corpus.py [output directory]   (deterministic; no packages)
       python3 Tests/fuzz/make_corpus.py --regressions [directory]
"""
import hashlib
import math
import os
import random
import struct
import sys

KINDS = ["softmax", "log_softmax", "softmax_backward", "log_softmax_backward",
         "nll_loss", "nll_loss_backward", "cross_entropy", "cross_entropy_backward",
         "cross_entropy_fused", "cross_entropy_probs", "cross_entropy_probs_backward",
         "binary_cross_entropy", "binary_cross_entropy_backward",
         "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_backward",
         "kl_div", "kl_div_backward",
         "mse_loss", "mse_loss_backward", "l1_loss", "l1_loss_backward",
         "smooth_l1_loss", "smooth_l1_loss_backward", "huber_loss", "huber_loss_backward",
         "soft_margin_loss", "soft_margin_loss_backward",
         "hinge_embedding_loss", "hinge_embedding_loss_backward",
         "poisson_nll_loss", "poisson_nll_loss_backward",
         "multilabel_soft_margin_loss", "multilabel_soft_margin_loss_backward",
         "multi_margin_loss", "multi_margin_loss_backward", "multilabel_margin_loss", "multilabel_margin_loss_backward",
         "margin_ranking_loss", "margin_ranking_loss_backward",
         "gaussian_nll_loss", "gaussian_nll_loss_backward",
         "cosine_embedding_loss", "cosine_embedding_loss_backward",
         "triplet_margin_loss", "triplet_margin_loss_backward", "ctc_loss", "ctc_loss_backward",
         "cross_entropy_ex", "cross_entropy_probs_ex", "linear_cross_entropy", "linear_cross_entropy_probs",
         "gemm", "vocab_parallel_max", "vocab_parallel_stats", "vocab_parallel_loss", "vocab_parallel_backward",
         "vocab_parallel_linear_stats", "vocab_parallel_rescale", "vocab_parallel_linear_backward"]
# The entry-point count of the harness when each raw (hex) regression was recorded: its h[0] is
# taken modulo that count, so that appending entry points keeps each reproducer on its entry.
RAW_ENTRIES = 95
NONE, SUM, MEAN, BATCHMEAN = 0, 1, 2, 3
IGNORE = {-100: 0, -1: 1, 0: 2, 1: 3, 2: 9}       # ignore_index -> selector (h[9] % 16)
SMOOTH = {0.0: 0, 0.1: 1, 0.25: 2, 0.5: 3, 1.0: 4, -0.5: 6}  # label_smoothing -> selector


def header(kind, f64, *, sizes=(0, 0, 0), sizemode=0, valmode=2, alias=False, weight=False,
           reduction=MEAN, ignore=-100, smoothing=0.0, log_target=0, kl_batch=0,
           pos_weight=False, fused_ones=False, large=False, zero_dim=0, weight_sel=0, pos_weight_sel=0,
           raw=(0, 0, 0, 0, 0, 0)):
    h = bytearray(64)
    h[0] = KINDS.index(kind) * 2 + (1 if f64 else 0) if kind != "misc" else 2 * len(KINDS)
    h[1] = (sizemode & 7) | (valmode << 3) | (0x20 if alias else 0) | (0x80 if weight else 0)
    h[3] = (0x10 if pos_weight else 0) | (0x20 if fused_ones else 0)
    h[4], h[5], h[6] = sizes
    h[7] = zero_dim
    h[8] = reduction
    h[9] = IGNORE[ignore]
    h[10] = SMOOTH[smoothing]
    h[11] = log_target
    h[12] = kl_batch
    h[13] = weight_sel
    h[14] = pos_weight_sel
    h[15] = ord("L") if large else 0
    for k, r in enumerate(raw):
        h[16 + 8 * k:24 + 8 * k] = struct.pack("<Q", r)
    return bytes(h)


def floats(values, f64):
    return b"".join(struct.pack("<d" if f64 else "<f", v) for v in values)


def targets(ts):
    """Class-index targets in value mode 2: one byte each (< 224: the class; 224: ignore_index)."""
    return bytes(224 if t is None else t for t in ts)


def log_softmax_rows(rows):
    out = []
    for r in rows:
        m = max(r)
        lse = m + math.log(sum(math.exp(v - m) for v in r))
        out.append([v - lse for v in r])
    return out


def softmax_rows(rows):
    return [[math.exp(v) for v in r] for r in log_softmax_rows(rows)]


def flat(rows):
    return [v for r in rows for v in r]


seeds = {}


def add(name, data):
    assert name not in seeds, name
    seeds[name] = data


def class_axis(tag, rows, ts, *, weight=None, reductions=(NONE, SUM, MEAN), smoothing=(0.0,),
               ignore=-100):
    """nll_loss (on log_softmax of rows), cross_entropy and its gradients for one example."""
    batch, classes = len(rows), len(rows[0])
    lp = flat(log_softmax_rows(rows))
    x = flat(rows)
    for f64 in (False, True):
        p = "f64" if f64 else "f32"
        w = floats(weight, f64) if weight else b""
        for r in reductions:
            g = floats([1.0] * (len(ts) if r == NONE else 1), f64)
            common = dict(sizes=(batch, classes, 1), weight=bool(weight), reduction=r, ignore=ignore)
            add(f"{tag}_nll_loss_r{r}_{p}", header("nll_loss", f64, **common) + floats(lp, f64) + targets(ts) + w)
            add(f"{tag}_nll_loss_backward_r{r}_{p}",
                header("nll_loss_backward", f64, **common) + targets(ts) + w + g)
            for eps in smoothing:
                e = f"_ls{eps}" if eps else ""
                add(f"{tag}_cross_entropy_r{r}{e}_{p}",
                    header("cross_entropy", f64, smoothing=eps, **common) + floats(x, f64) + targets(ts) + w)
                add(f"{tag}_cross_entropy_backward_r{r}{e}_{p}",
                    header("cross_entropy_backward", f64, smoothing=eps, **common)
                    + floats(x, f64) + targets(ts) + w + g)
                add(f"{tag}_cross_entropy_fused_r{r}{e}_{p}",
                    header("cross_entropy_fused", f64, smoothing=eps, alias=(r == MEAN), fused_ones=(r != NONE),
                           **common) + floats(x, f64) + targets(ts) + w + g)


def raw_hex(text):
    """A reproducer recorded as raw bytes: its h[0] reduced modulo RAW_ENTRIES (the harness's
    entry count then), which names the same entry point whatever was appended since."""
    data = bytes.fromhex(text)
    return bytes([data[0] % RAW_ENTRIES]) + data[1:] if data else data


def regressions(out):
    """One minimal input per bug found (sizes in huge/zero mode are selectors: 8 -> 2^40,
    10 -> 2^62, 16 -> 2^60 + 1, 3 -> 3, 2 -> 2, 0 -> 0)."""
    regs = {
        # ClassLayout: batch * inner overflowing while classes == 0 trapped (arithmetic overflow).
        "trap_nll_loss_zero_classes_batch_inner_overflow_f32":
            header("nll_loss", False, sizemode=6, sizes=(10, 3, 10), zero_dim=1),
        "trap_cross_entropy_backward_zero_classes_batch_inner_overflow_f64":
            header("cross_entropy_backward", True, sizemode=6, sizes=(10, 3, 10), zero_dim=1),
        # inner == 0 (or dim == 0) with a huge other size looped over every empty unit/slice.
        "hang_softmax_zero_inner_f32": header("softmax", False, sizemode=6, sizes=(8, 3, 2), zero_dim=2),
        "hang_log_softmax_zero_inner_f64": header("log_softmax", True, sizemode=6, sizes=(3, 8, 2), zero_dim=2),
        "hang_softmax_backward_zero_dim_f32": header("softmax_backward", False, sizemode=6, sizes=(8, 3, 8), zero_dim=1),
        "hang_log_softmax_backward_zero_inner_f64":
            header("log_softmax_backward", True, sizemode=6, sizes=(8, 3, 2), zero_dim=2),
        "hang_cross_entropy_zero_inner_f32": header("cross_entropy", False, sizemode=6, sizes=(8, 3, 2), zero_dim=2),
        "hang_cross_entropy_probs_zero_inner_f64":
            header("cross_entropy_probs", True, sizemode=6, sizes=(8, 3, 2), zero_dim=2),
        # ... and with a batch of 2^60 + 1 it first asked for a 2^53-byte partial-sum buffer.
        "crash_cross_entropy_fused_huge_allocation_f64":
            header("cross_entropy_fused", True, sizemode=5, sizes=(16, 2, 0)),
        # The fuzzer's own input (kept as found): rows with NaN logits, where the forward sum's
        # cheaper exp and the fused kernel's stored exp give NaNs of different sign (the harness
        # now treats any NaN as equal to any NaN).
        # (Its first byte, 0x9d = 157, chose entry 157 % 35 = 17 before the regression losses
        # were added; it is 17 itself now, the same entry point whatever the entry count.)
        "nan_payload_fused_vs_forward_f64": raw_hex(
            "11b0e84020039db040208302000e010049161616161616161616161616f4702b6874ffffffffffffffffffff"
            "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff5a2b682a00161616161602"),
        # Not a library bug (found in CI): the harness checked soft_margin_loss's finiteness
        # with -t x computed in double, where in float32 it overflows to inf (and so does the
        # exact value); the check now computes the product in the call's precision.
        # multilabel_soft_margin_loss with a huge batch and no classes: batch * classes is 0,
        # and the 'none' output's batch elements were not checked to fit in bytes, so the
        # library wrote NaNs far past a 16-byte buffer (AddressSanitizer SEGV). (h[0] 0x41 =
        # 65: entry 65 of 67.)
        "crash_multilabel_zero_classes_huge_batch": raw_hex("415d00003f5dfffd44e7d65200ffffffffffff00440000"),
        # ... and its backward entry point took a NULL grad_output for a forward call, writing
        # the losses into grad_input (the entry now knows which call it is).
        "crash_multilabel_backward_null_grad_output": raw_hex("41dd4141dd00"),
        "harness_soft_margin_float32_product_overflow_f32": raw_hex(
            "3212000027030000000000000000000000000000000000000053747269000000000000000000000000007b00"
            "00000000003800000000000000000000000000000000000000c8c200007ac49a99b142004f9cb323d3550000"
            "3f000080bf"),
        # Not a library bug (a harness over-strictness, seen once in a session's fuzz run): a
        # weighted mse_loss 'mean' whose weights sum to 0 is the weighted sum over 0, so -inf
        # here ((1 - 4) / 0, as PyTorch's torch.sum(loss * w) / torch.sum(w)), where the harness
        # expected NaN; and a positive but tiny weight sum may overflow the quotient.
        "harness_mse_weighted_mean_zero_weight_sum_f32":
            header("mse_loss", False, sizes=(2, 0, 0), reduction=MEAN, weight=True, weight_sel=1)
            + floats([1.0, 2.0], False) + floats([0.0, 0.0], False) + floats([1.0, -1.0], False),
        # Not a library bug (the harness's own undefined behaviour, found by its first ctc_loss
        # run): blank = classes - 1 computed in int64 from a classes of 2^63 or more overflowed
        # (UBSan); now computed in uint64. (h[0] 0x5b = 91: ctc_loss_f64.)
        "harness_ctc_blank_of_huge_classes_f64": raw_hex("5b1500ffff54ab2916e2606aff0a0000e9468000"),
        # Not a library bug: the harness let a 7 x 65537 multilabel_margin_loss backward (batch *
        # classes^2 work) run past the 10 s timeout; it now bounds that work. (h[0] 0x48 = 72,
        # found as 0xa7 = 167, which named entry 72 of 95 before linear_cross_entropy's kinds.)
        "harness_multilabel_margin_quadratic_work_f32":
            raw_hex("48170000496e740000fc2f9e1afd3b4c1000803f002080804000000000803f"),
        # ctc_loss: batch 0 beside time 2^62 - 1 refused as a size overflow (the scratch check
        # used time, not the samples' input lengths).
        "ctc_empty_batch_beside_huge_time_f64": raw_hex("5b6e6e6e6e6e6e6e6e6e6e3f00000000000000000000000000000000000000000000000000000040000000000000000000000000000000000000000000000000000000000000004900000204016e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6e6ea5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a56e6e6e6e00ff0015280090fffe"),
        # The same check with padded targets: the harness still modelled the scratch on time.
        "ctc_scratch_check_empty_batch_padded_f64": raw_hex("5b15000d0a021090000000d40200000d0a021090000000d402"),
        # Not a library bug: with no sample (lengths NULL) the harness did not expect the
        # library's refusal of targets_len != 0. (h[0] 0x5c = 92, found as 0xbb = 187.)
        "harness_ctc_targets_len_of_empty_batch_f32": raw_hex("5cfef600f6f6f6f6089000000890f600000000020000000000000000000000000000000000000001000003000000000000000000000037161ac06f2cb4bfbbb1d0bebbb141d0be6f2cb4bf280040"),
        # The harness's own hang (its first gemm run): m = 2^62 beside n = k = 0 is a valid call
        # that computes nothing, and the harness looped over the 2^62 rows of an empty c.
        "harness_gemm_huge_rows_of_empty_c_f64": bytes([2 * KINDS.index("gemm") + 1]) + bytes.fromhex(
            "1500000a0000080302030000000000" "0000fbffffff" + "00" * 42),
        # gemm with m = n = 0 beside k = 3, a NULL a and a non-NULL c trapped (a force unwrap of
        # a's address: the entry took c's address for "something to compute").
        "trap_gemm_empty_c_null_a_f64": bytes([2 * KINDS.index("gemm") + 1]) + bytes.fromhex(
            "ff0b200000030405000200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"),
        # cross_entropy_ex with a softcap: an ignored sample whose logits hold a NaN got NaN in
        # its gradient row (the cap's derivative, 0 * (1 - tanh(NaN)^2)) where every other
        # path gives an ignored sample a zero row (found by the clean-clone CI's fuzz run).
        "wrong_cross_entropy_ex_softcap_nan_ignored_row_f32":
            header("cross_entropy_ex", False, sizes=(2, 3, 1), reduction=NONE, fused_ones=True,
                   log_target=2, kl_batch=2, pos_weight_sel=1)
            + floats([0.5, math.nan, 2.0, 1.0, -1.0, 0.25], False) + targets([None, 2]),
        # Not a library bug: vocab_parallel_stats with classes = 2^60 + 1 beside batch 2 is
        # refused as a size overflow (the full logits' batch * classes, in bytes, does not fit
        # a ptrdiff_t: the library checks the class-axis shape as cross_entropy does), where
        # the harness expected a valid call (found by a 300 s session run).
        "harness_vocab_parallel_full_logits_overflow_f32": bytes([2 * KINDS.index("vocab_parallel_stats")]) + bytes.fromhex(
            "156a6262321000000600000000000000000000000000ff07ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
            "00000000000000000000000000000000000000000000000000000000000000000000000000000000ffffffffffffffffffffffffffffff"
            "ffff42ffffffffffffffffffff6fffffffff00803f000080000080bf0000803f6f6c6aed156a6a6a6a"),
        # Not a library bug: a float32 gemm whose products all underflow (a true sum of 4e-53)
        # gives -0, which the harness's relative bound refused; the bound now adds the type's
        # subnormal spacing for each term (found by a 240 s session run).
        "harness_gemm_underflowing_products_f32": bytes([2 * KINDS.index("gemm")]) + bytes.fromhex(
            "170000520304050002f1007b000000000000000099999999000000d3d3d3d3d3d3d3d3d3d3d3d3d3d3d355150100000a0100"
            "02f1007b000000000000000099999900022620000006000000000000"),
        # ... and with batch = classes = 2^32 (the full logits overflow, the shard is empty) the
        # library reported the overlap of its dummy buffers before that size: the full shape is
        # now checked with the other sizes, before any buffer (found by the next 240 s run).
        "vocab_parallel_full_logits_overflow_before_overlap_f32": bytes([2 * KINDS.index("vocab_parallel_stats")])
            + bytes.fromhex("0606060606060606060606060606060606060606060606061d0301000200e64c0c00e731"),
        # linear_cross_entropy with batch = classes = 2^31 and hidden 0: the logits' shape
        # overflows (in bytes), but the call reported the overlap of buffers it should never
        # have formed: that shape is now checked with the other sizes (found by a 600 s run).
        "linear_cross_entropy_logits_overflow_before_overlap_f32":
            bytes([2 * KINDS.index("linear_cross_entropy")]) + bytes.fromhex("158f959595"),
        # vocab_parallel_backward with batch x classes overflowing (classes near 2^63): the
        # library rightly refuses the targets' layout as a size overflow; the harness expected OK.
        "harness_vocab_parallel_batch_classes_overflow_f64":
            bytes([2 * KINDS.index("vocab_parallel_backward") + 1])
            + bytes.fromhex("00000a08766f6361625f7016b3fff5ee766f6361625f70d8ac"),
        # ctc_loss with padded targets of stride 2^62 - 1 beside time 0: the padded targets'
        # size overflows, but a sample's lengths were checked first and gave invalid argument;
        # that size is now computed before the values (found by a session's fuzz run).
        "ctc_padded_targets_overflow_before_lengths_f64": raw_hex(
            "5b2d150000496e74000200000801000200000000080000000000000000000000000000000000000011bd138130651d0a5a9c21c4"
            "da5b3cd5d6427fa2b68536cd126bb22971c4450100000045cdcdcdcdcdcdcdcdcdcdcdcdcdcd"),
        # Not a library bug: the harness's padded-targets mode with a stride of 0 expected the
        # padded layout's checks, where the API reads stride 0 as the concatenated layout (and
        # the call, 3 samples with target lengths 0, 0, 1 and one target, is valid); the harness
        # now treats stride 0 as concatenated (found by a 900 s session run).
        "harness_ctc_stride_zero_is_concatenated_f64": raw_hex(
            "5b0700000803000000000000003f6effffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
            "0000420000000100004ca1afc863cd3f3ffffeff"),
        # A Swift trap: linear_cross_entropy_probs with batch 2^62 beside hidden = classes = 0,
        # 'none': the output's batch elements were never checked to fit in bytes (every other
        # count was 0), and the overlap checks' byte view of it overflowed (found by a 900 s
        # session run; the entry point dates from the previous session).
        "trap_linear_cross_entropy_probs_huge_batch_no_classes_f64":
            bytes([2 * KINDS.index("linear_cross_entropy_probs") + 1]) + bytes.fromhex("554a000a00"),
        # linear_cross_entropy_probs with batch 2^60 + 1 beside hidden = classes = 0, z_loss -1:
        # the entry point checked its outputs' overlaps before the scalar arguments the core
        # checks, and reported the overlap; z_loss, softcap, smoothing, zero classes and the
        # reduction now come first (found by a 900 s session run).
        "linear_cross_entropy_probs_scalars_before_overlap_f32": bytes([2 * KINDS.index("linear_cross_entropy_probs")])
            + bytes.fromhex("a5820310000012045d0073737373730000000e1ebb9500c2c2c2c2c2c22cc2c2c2c2c2c2c29999ffffffffffffffff7cff"
                            "ffffff993f9a99999999b93f9a990099999999c2c29999ffff"),
        # Not a library bug: a valid linear_cross_entropy call over 5089 x 1000003 logits (hidden
        # 0, softcap and z_loss) does its 5 billion elements' work, past libFuzzer's 10 s timeout;
        # the harness now passes the output as NULL beyond 2^27 logits (a 900 s session run).
        "harness_linear_cross_entropy_bounded_work_f32": bytes([2 * KINDS.index("linear_cross_entropy")])
            + bytes.fromhex("156a412ea200260000003b6a6a6a6a416a6c"),
        # Label smoothing with zero-weight targets, 'mean': gave inf, PyTorch NaN.
        "wrong_cross_entropy_smoothing_zero_target_weights_f64":
            header("cross_entropy", True, sizes=(1, 3, 1), weight=True, smoothing=0.1)
            + floats([1.0, 2.0, 3.0], True) + targets([0]) + floats([0.0, 1.0, 2.0], True),
    }
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(regs.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"make_corpus: {len(regs)} regression inputs in {out}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    if len(sys.argv) > 1 and sys.argv[1] == "--regressions":
        regressions(sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "regressions"))
        return
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    rng = random.Random(20240601)

    # A. preds = [[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]], target = [2, 3].
    preds = [[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]]
    for f64 in (False, True):
        p = "f64" if f64 else "f32"
        x = floats(flat(preds), f64)
        add(f"A_softmax_{p}", header("softmax", f64, sizes=(2, 4, 1)) + x)
        add(f"A_log_softmax_{p}", header("log_softmax", f64, sizes=(2, 4, 1)) + x)
        add(f"A_log_softmax_in_place_{p}", header("log_softmax", f64, sizes=(2, 4, 1), alias=True) + x)
        # dim=0 of the same 2 x 4 tensor: outer 1, dim 2, inner 4.
        add(f"A_softmax_dim0_{p}", header("softmax", f64, sizes=(1, 2, 4)) + x)
        y = floats(flat(softmax_rows(preds)), f64)
        ly = floats(flat(log_softmax_rows(preds)), f64)
        g = floats([1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0], f64)
        add(f"A_softmax_backward_{p}", header("softmax_backward", f64, sizes=(2, 4, 1)) + y + g)
        add(f"A_log_softmax_backward_{p}", header("log_softmax_backward", f64, sizes=(2, 4, 1)) + ly + g)
        # The one-hot target as probabilities, and with label smoothing 0.1.
        onehot = floats([0, 0, 1, 0, 0, 0, 0, 1], f64)
        for eps in (0.0, 0.1):
            add(f"A_cross_entropy_probs_ls{eps}_{p}",
                header("cross_entropy_probs", f64, sizes=(2, 4, 1), smoothing=eps) + x + onehot)
            add(f"A_cross_entropy_probs_backward_ls{eps}_{p}",
                header("cross_entropy_probs_backward", f64, sizes=(2, 4, 1), smoothing=eps, alias=True)
                + x + onehot + floats([1.0], f64))
    class_axis("A", preds, [2, 3], smoothing=(0.0, 0.1))

    # B. inputs = [[-0.5, -0.2, -0.3]], target = [0].
    class_axis("B", [[-0.5, -0.2, -0.3]], [0], reductions=(MEAN,))

    # C. two classes, weight [1, 2], labels [0, 1, 1]: the course's inputs, and the article's
    # illustrative losses 0.2, 0.3, 0.4 (row [0, m] with label 0 has loss log(1 + e^m)).
    class_axis("C", [[1, 2], [1, 3], [1, 3]], [0, 1, 1])
    class_axis("Cw", [[1, 2], [1, 3], [1, 3]], [0, 1, 1], weight=[1.0, 2.0])
    m = [math.log(math.exp(L) - 1) for L in (0.2, 0.3, 0.4)]
    class_axis("Cillus", [[0.0, m[0]], [m[1], 0.0], [m[2], 0.0]], [0, 1, 1], weight=[1.0, 2.0])

    # D. data = randn(2, 6), target = [1, 2] (fixed pseudo-random data).
    d = [[rng.gauss(0, 1) for _ in range(6)] for _ in range(2)]
    class_axis("D", d, [1, 2], reductions=(MEAN,), smoothing=(0.0, 0.25))

    # E. NLLLoss on softmax probabilities (not log-probabilities) of a Linear(10, 2) model on
    # random data: returns -mean(p[target]), a negative number.
    logits = [[rng.gauss(0, 0.5), rng.gauss(0, 0.5)] for _ in range(5)]
    probs = flat(softmax_rows(logits))
    for f64 in (False, True):
        p = "f64" if f64 else "f32"
        add(f"E_nll_loss_on_probabilities_{p}",
            header("nll_loss", f64, sizes=(5, 2, 1)) + floats(probs, f64) + targets([0, 1, 1, 0, 1]))

    # Edge cases of the class-index losses.
    class_axis("all_ignored", preds, [None, None], reductions=(NONE, SUM, MEAN))
    class_axis("ignore_a_class", [[1, 2, 3], [3, 2, 1], [0, 0, 0]], [0, 1, 1], ignore=1)
    class_axis("one_class", [[0.5], [-2.0], [7.0]], [0, 0, 0], smoothing=(0.0, 0.1))
    class_axis("zero_weight", [[1, 2, 3], [3, 2, 1]], [0, 0], weight=[0.0, 1.0, 2.0], reductions=(MEAN,))
    class_axis("negative_weight", [[1, 2, 3], [3, 2, 1]], [0, 2], weight=[-1.0, 0.5, 2.0])
    class_axis("subnormal", [[1e-40, -1e-40, 1.4e-45]], [1], reductions=(MEAN,))
    for f64 in (False, True):
        p = "f64" if f64 else "f32"
        # An empty batch: 'mean' is NaN, 'sum' 0.
        for r in (SUM, MEAN):
            add(f"empty_batch_cross_entropy_r{r}_{p}", header("cross_entropy", f64, sizes=(0, 4, 1), reduction=r))
        # (N, C, d) layout: batch 2, classes 3, inner 5 (the vectorised block path).
        xs = [rng.uniform(-3, 3) for _ in range(30)]
        ts = [rng.randrange(3) for _ in range(10)]
        for kind in ("cross_entropy", "cross_entropy_backward", "cross_entropy_fused", "nll_loss", "softmax",
                     "log_softmax"):
            extra = targets(ts) if "cross" in kind or "nll" in kind else b""
            g = floats([1.0], f64) if kind in ("cross_entropy_backward", "cross_entropy_fused") else b""
            add(f"ncd_{kind}_{p}", header(kind, f64, sizes=(2, 3, 5), smoothing=0.1 if "cross" in kind else 0.0)
                + floats(xs, f64) + extra + g)
        # Wide rows: 45 classes (past the 32-term float sums).
        xs = [rng.uniform(-5, 5) for _ in range(90)]
        # cross_entropy_ex / _probs_ex: z_loss 0.1 (selector 2), softcap 30 or 1 (selectors 1, 2),
        # a z output (h[14] bit 0), grad_output NULL (ones); 'none' with an ignored target.
        rows = [[0.5, -1.0, 2.0, 0.25], [3.0, 3.0, -2.0, 0.0], [-0.5, 1.5, 0.75, -3.0]]
        for cap_sel in (1, 2):
            for r in (NONE, MEAN):
                add(f"ce_ex_cap{cap_sel}_r{r}_{p}",
                    header("cross_entropy_ex", f64, sizes=(3, 4, 1), reduction=r, smoothing=0.1, fused_ones=True,
                           log_target=2, kl_batch=cap_sel, pos_weight_sel=1)
                    + floats(flat(rows), f64) + targets([2, None, 0]))
                add(f"ce_probs_ex_cap{cap_sel}_r{r}_{p}",
                    header("cross_entropy_probs_ex", f64, sizes=(3, 4, 1), reduction=r, fused_ones=True,
                           log_target=2, kl_batch=cap_sel, pos_weight_sel=1)
                    + floats(flat(rows), f64) + floats(flat(softmax_rows(rows)), f64))
        add(f"ncd_cross_entropy_ex_{p}",
            header("cross_entropy_ex", f64, sizes=(2, 3, 5), smoothing=0.1, log_target=3, kl_batch=2,
                   pos_weight_sel=1, alias=True) + floats(xs, f64) + targets(ts) + floats([1.0], f64))
        add(f"wide_cross_entropy_fused_{p}",
            header("cross_entropy_fused", f64, sizes=(2, 247, 1), fused_ones=True) + floats(xs, f64) + targets([7, 44]))

    # Element-wise losses the articles name: BCE (probabilities), BCE with logits, KL divergence.
    for f64 in (False, True):
        p = "f64" if f64 else "f32"
        z = [0.8, -1.2, 2.5, 0.0, -0.3, 1.7]
        t = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0]
        sig = [1 / (1 + math.exp(-v)) for v in z]
        w = [1.0, 2.0, 0.5]                 # a (C,) weight broadcast over (2, 3)
        for r in (NONE, SUM, MEAN):
            g = floats([1.0] * (6 if r == NONE else 1), f64)
            add(f"bce_r{r}_{p}", header("binary_cross_entropy", f64, sizes=(6, 0, 0), reduction=r, weight=True, weight_sel=2)
                + floats(sig, f64) + floats(t, f64) + floats(w, f64))
            add(f"bce_backward_r{r}_{p}",
                header("binary_cross_entropy_backward", f64, sizes=(6, 0, 0), reduction=r)
                + floats(sig, f64) + floats(t, f64) + g)
            add(f"bce_logits_r{r}_{p}",
                header("binary_cross_entropy_with_logits", f64, sizes=(6, 0, 0), reduction=r, weight=True,
                       weight_sel=2, pos_weight=True) + floats(z, f64) + floats(t, f64) + floats(w, f64) + floats([3.0], f64))
            add(f"bce_logits_backward_r{r}_{p}",
                header("binary_cross_entropy_with_logits_backward", f64, sizes=(6, 0, 0), reduction=r)
                + floats(z, f64) + floats(t, f64) + g)
        # BCE at the ends of [0, 1]: log clamped at -100.
        add(f"bce_ends_{p}", header("binary_cross_entropy", f64, sizes=(4, 0, 0), reduction=NONE)
            + floats([0.0, 1.0, 0.0, 1.0], f64) + floats([1.0, 0.0, 0.0, 1.0], f64))
        # KL: input log q, target p, two distributions over 3 classes, batch 2.
        q = flat(log_softmax_rows([[0.1, 0.5, 0.4], [2.0, 1.0, 0.0]]))
        pt = [0.2, 0.3, 0.5, 0.0, 0.5, 0.5]
        for r in (NONE, SUM, MEAN, BATCHMEAN):
            g = floats([1.0] * (6 if r == NONE else 1), f64)
            for lt in (0, 1):
                tv = pt if lt == 0 else [math.log(v) if v > 0 else -1e30 for v in pt]
                add(f"kl_div_r{r}_lt{lt}_{p}",
                    header("kl_div", f64, sizes=(6, 0, 0), reduction=r, log_target=lt, kl_batch=1)
                    + floats(q, f64) + floats(tv, f64))
                add(f"kl_div_backward_r{r}_lt{lt}_{p}",
                    header("kl_div_backward", f64, sizes=(6, 0, 0), reduction=r, log_target=lt, kl_batch=1)
                    + floats(tv, f64) + g)

        # The regression losses: a full weight (weight_sel 1: exactly count elements) where
        # they take one, beta / delta 1, 0.5 and 0 (h[12] selectors 0, 1, 2), +-1 targets for
        # soft_margin_loss, and a soft margin past the float32 overflow of PyTorch's formula.
        xr = [0.5, -1.25, 3.0, 0.0, 2.0, -0.5]
        tr = [1.0, -1.0, 1.0, 0.5, -2.0, 0.25]
        wr = [1.0, 0.5, 2.0, 0.0, 1.5, 3.0]
        for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "soft_margin_loss", "hinge_embedding_loss"):
            weighted = name in ("mse_loss", "l1_loss", "huber_loss")
            targets_r = [1.0 if v >= 0 else -1.0 for v in tr] if name in ("soft_margin_loss", "hinge_embedding_loss") else tr
            for r in (NONE, SUM, MEAN):
                for sel in ((0, 1, 2) if name in ("smooth_l1_loss", "huber_loss", "hinge_embedding_loss") else (0,)):
                    g = floats([1.0] * (6 if r == NONE else 1), f64)
                    add(f"{name}_r{r}_p{sel}_{p}",
                        header(name, f64, sizes=(6, 0, 0), reduction=r, weight=weighted, weight_sel=1, kl_batch=sel)
                        + floats(xr, f64) + floats(targets_r, f64) + (floats(wr, f64) if weighted else b""))
                    add(f"{name}_backward_r{r}_p{sel}_{p}",
                        header(name + "_backward", f64, sizes=(6, 0, 0), reduction=r, weight=weighted, weight_sel=1,
                               kl_batch=sel)
                        + floats(xr, f64) + floats(targets_r, f64) + (floats(wr, f64) if weighted else b"") + g)
        add(f"soft_margin_overflow_{p}", header("soft_margin_loss", f64, sizes=(3, 0, 0), reduction=NONE)
            + floats([-100.0, -1000.0, 88.8], f64) + floats([1.0, 1.0, -1.0], f64))
        # multilabel_soft_margin_loss: 3 rows of 4 classes (small-mode sizes h[4], h[5]), with
        # and without a per-class weight, in place for the backward.
        for r in (NONE, SUM, MEAN):
            for weighted in (False, True):
                xm = [0.5, -1.25, 3.0, 0.0, 2.0, -0.5, 1.0, 0.25, -3.0, 4.0, 0.125, -2.0]
                tm = [1.0, 0.0, 1.0, 0.0, 0.5, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0]
                wm = floats([1.0, 0.5, 2.0, 0.0], f64) if weighted else b""
                g = floats([1.0] * (3 if r == NONE else 1), f64)
                add(f"multilabel_r{r}_w{int(weighted)}_{p}",
                    header("multilabel_soft_margin_loss", f64, sizes=(3, 4, 1), reduction=r, weight=weighted)
                    + floats(xm, f64) + floats(tm, f64) + wm)
                add(f"multilabel_backward_r{r}_w{int(weighted)}_{p}",
                    header("multilabel_soft_margin_loss_backward", f64, sizes=(3, 4, 1), reduction=r,
                           weight=weighted, alias=weighted)
                    + floats(xm, f64) + floats(tm, f64) + wm + g)
        # multi_margin_loss: 3 rows of 4 classes, p 1 and 2 (h[11]), margins 1, 0.5, -0.3 (h[12]),
        # with and without a class weight, in place for the backward; multilabel_margin_loss:
        # lists with a duplicate, a -1, entries after it, a row listing every class. Targets
        # in value mode 2: one byte each (< 192: the class for label lists, < 224 for indices).
        xm = [0.5, -1.25, 3.0, 0.0, 2.0, -0.5, 1.0, 0.25, -3.0, 4.0, 0.125, -2.0]
        lists = bytes([1, 1, 200, 3, 200, 0, 0, 0, 3, 2, 1, 0])  # 200: -1
        for r in (NONE, SUM, MEAN):
            g = floats([1.0] * (3 if r == NONE else 1), f64)
            for pm, margin in ((1, 0), (2, 1), (1, 2)):
                for weighted in (False, True):
                    wm = floats([1.0, 0.5, 2.0, 0.0], f64) if weighted else b""
                    common = dict(sizes=(3, 4, 1), reduction=r, weight=weighted, log_target=pm - 1, kl_batch=margin)
                    add(f"multi_margin_r{r}_p{pm}_m{margin}_w{int(weighted)}_{p}",
                        header("multi_margin_loss", f64, **common) + floats(xm, f64) + targets([3, 0, 2]) + wm)
                    add(f"multi_margin_backward_r{r}_p{pm}_m{margin}_w{int(weighted)}_{p}",
                        header("multi_margin_loss_backward", f64, alias=weighted, **common)
                        + floats(xm, f64) + targets([3, 0, 2]) + wm + g)
            add(f"multilabel_margin_r{r}_{p}", header("multilabel_margin_loss", f64, sizes=(3, 4, 1), reduction=r)
                + floats(xm, f64) + lists)
            add(f"multilabel_margin_backward_r{r}_{p}",
                header("multilabel_margin_loss_backward", f64, sizes=(3, 4, 1), reduction=r)
                + floats(xm, f64) + lists + g)
        # poisson_nll_loss: log_input 0/1 (h[11]), full 0/1 (h[12] bit 3), eps 1.0 and 0.5
        # (h[12] selectors 0, 1); counts as targets, some above 1 (the Stirling term).
        counts = [0.0, 1.0, 2.0, 5.0, 0.5, 3.0]
        rates = [0.5, 1.25, 3.0, 0.0, 2.0, 0.75]
        for r in (NONE, SUM, MEAN):
            for log_input in (0, 1):
                for full in (0, 1):
                    sel = (1 if full else 0) << 3 | (1 if log_input == 0 else 0)
                    g = floats([1.0] * (6 if r == NONE else 1), f64)
                    add(f"poisson_nll_loss_r{r}_l{log_input}_f{full}_{p}",
                        header("poisson_nll_loss", f64, sizes=(6, 0, 0), reduction=r, log_target=log_input,
                               kl_batch=sel) + floats(rates, f64) + floats(counts, f64))
                    add(f"poisson_nll_loss_backward_r{r}_l{log_input}_f{full}_{p}",
                        header("poisson_nll_loss_backward", f64, sizes=(6, 0, 0), reduction=r, log_target=log_input,
                               kl_batch=sel) + floats(rates, f64) + floats(counts, f64) + g)

        # margin_ranking_loss: 5 elements, margin 0.5 (h[12] selector 1), targets 1, -1, 0, 2, 1.
        a = [1.0, 2.0, 3.0, -1.0, 0.25]
        b = [1.5, 2.0, 5.0, 1.0, 0.25]
        y = [1.0, -1.0, 0.0, 2.0, 1.0]
        for r in (NONE, SUM, MEAN):
            g = floats([1.0, 2.0, 3.0, 4.0, 5.0] if r == NONE else [1.0], f64)
            add(f"margin_ranking_r{r}_{p}", header("margin_ranking_loss", f64, sizes=(5, 0, 0), reduction=r, kl_batch=1)
                + floats(a, f64) + floats(b, f64) + floats(y, f64))
            add(f"margin_ranking_backward_r{r}_{p}",
                header("margin_ranking_loss_backward", f64, sizes=(5, 0, 0), reduction=r, kl_batch=1)
                + floats(a, f64) + floats(b, f64) + floats(y, f64) + g)

        # gaussian_nll_loss: input, target, var (below eps, zero, ordinary), eps 1e-6 and 0.5
        # (h[12] selectors 0, 1), full 0/1 (h[12] bit 3); one grad buffer NULL (h[3] bit 6 or 7),
        # a negative var (refused) and a NaN var.
        xg = [1.0, 2.0, 3.0, -1.0, 0.25]
        tg = [1.5, 2.0, 5.0, 1.0, 0.25]
        vg = [1e-9, 0.0, 2.0, 0.5, 1.0]
        for r in (NONE, SUM, MEAN):
            g = floats([1.0, 2.0, 3.0, 4.0, 5.0] if r == NONE else [1.0], f64)
            for eps_sel in (0, 1):
                for full in (0, 1):
                    sel = full << 3 | eps_sel
                    add(f"gaussian_nll_r{r}_e{eps_sel}_f{full}_{p}",
                        header("gaussian_nll_loss", f64, sizes=(5, 0, 0), reduction=r, kl_batch=sel)
                        + floats(xg, f64) + floats(tg, f64) + floats(vg, f64))
                add(f"gaussian_nll_backward_r{r}_e{eps_sel}_{p}",
                    header("gaussian_nll_loss_backward", f64, sizes=(5, 0, 0), reduction=r, kl_batch=eps_sel)
                    + floats(xg, f64) + floats(tg, f64) + floats(vg, f64) + g)
            skip = bytearray(header("gaussian_nll_loss_backward", f64, sizes=(5, 0, 0), reduction=r))
            skip[3] |= 0x40 if r != SUM else 0x80
            add(f"gaussian_nll_backward_one_grad_r{r}_{p}",
                bytes(skip) + floats(xg, f64) + floats(tg, f64) + floats(vg, f64) + g)
        add(f"gaussian_nll_negative_var_{p}", header("gaussian_nll_loss", f64, sizes=(5, 0, 0), reduction=NONE)
            + floats(xg, f64) + floats(tg, f64) + floats([1.0, 1.0, -0.5, 1.0, 1.0], f64))
        add(f"gaussian_nll_nan_var_{p}", header("gaussian_nll_loss_backward", f64, sizes=(5, 0, 0), reduction=NONE)
            + floats(xg, f64) + floats(tg, f64) + floats([1.0, math.nan, 0.5, 1.0, 1.0], f64)
            + floats([1.0] * 5, f64))

        # cosine_embedding_loss: 3 rows of 4 (a zero row, parallel rows, a generic pair), targets
        # 1, -1, 0, margin 0.5 (h[12] selector 1).
        x1 = [0.0, 0.0, 0.0, 0.0, 1.0, 2.0, -1.0, 0.5, 0.25, -3.0, 2.0, 1.0]
        x2 = [1.0, -2.0, 0.5, 3.0, 2.0, 4.0, -2.0, 1.0, 1.5, 1.0, -0.75, 2.0]
        y = [1.0, -1.0, 0.0]
        for r in (NONE, SUM, MEAN):
            g = floats([1.0, 2.0, 3.0] if r == NONE else [1.0], f64)
            add(f"cosine_r{r}_{p}", header("cosine_embedding_loss", f64, sizes=(3, 4, 0), reduction=r, kl_batch=1)
                + floats(x1, f64) + floats(x2, f64) + floats(y, f64))
            add(f"cosine_backward_r{r}_{p}",
                header("cosine_embedding_loss_backward", f64, sizes=(3, 4, 0), reduction=r, kl_batch=1)
                + floats(x1, f64) + floats(x2, f64) + floats(y, f64) + g)
        # triplet_margin_loss: 3 rows of 4 (an anchor equal to its positive), margin 1 (h[12]
        # selector 2); p 2, 1, 3.5, inf, -inf, 0 (h[13] selectors 0-5), swap on and off (h[11]).
        n = [0.5, 1.0, -1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 3.0, -2.0]
        for sel, name in ((0, "p2"), (1, "p1"), (2, "p3p5"), (3, "pinf"), (4, "pminf"), (5, "p0")):
            for swap in (0, 1):
                for r in ((NONE, SUM, MEAN) if sel == 0 else (MEAN,)):
                    g = floats([1.0, 2.0, 3.0] if r == NONE else [1.0], f64)
                    kw = dict(sizes=(3, 4, 0), reduction=r, kl_batch=2, weight_sel=sel, log_target=swap)
                    add(f"triplet_{name}_s{swap}_r{r}_{p}", header("triplet_margin_loss", f64, **kw)
                        + floats(x1, f64) + floats(x1[:4] + x2[4:], f64) + floats(n, f64))
                    add(f"triplet_backward_{name}_s{swap}_r{r}_{p}", header("triplet_margin_loss_backward", f64, **kw)
                        + floats(x1, f64) + floats(x1[:4] + x2[4:], f64) + floats(n, f64) + g)

        # ctc_loss: time 5, classes 4, 3 samples (h[13]), padded width 3 or concatenated (h[14]
        # bit 0), input lengths 5, 4, 2 (the last impossible for 3 labels), target lengths 2,
        # 3, 1; zero_infinity off and on (h[11]); blank 0 or classes - 1 (h[9] 200).
        lp = [-(0.25 + 0.125 * (k % 11)) for k in range(60)]
        padded = [1, 2, 0, 3, 3, 1, 2, 0, 0]
        concat = [1, 2, 3, 3, 1, 2]
        for concatenated in (0, 1):
            for zi in (0, 1):
                for r in (NONE, SUM, MEAN):
                    g = floats([1.0, -2.0, 0.5] if r == NONE else [1.5], f64)
                    kw = dict(sizes=(5, 4, 3), reduction=r, weight_sel=3, pos_weight_sel=concatenated, log_target=zi)
                    body = bytes([5, 4, 2, 2, 3, 1]) + bytes(concat if concatenated else padded) + floats(lp, f64)
                    tag = f"{'concat' if concatenated else 'padded'}_z{zi}_r{r}_{p}"
                    add(f"ctc_{tag}", header("ctc_loss", f64, **kw) + body)
                    add(f"ctc_backward_{tag}", header("ctc_loss_backward", f64, **kw) + body + g)
        blank_last = bytearray(header("ctc_loss_backward", f64, sizes=(5, 4, 3), reduction=SUM, weight_sel=3))
        blank_last[9] = 200  # blank = classes - 1, labels equal to it accepted
        add(f"ctc_backward_blank_last_{p}", bytes(blank_last) + bytes([5, 5, 5, 3, 3, 3]) + bytes([3, 1, 3] * 3)
            + floats(lp, f64) + floats([1.0], f64))

    # Other size modes: huge sizes (overflowing and not), zero sizes with huge dimensions.
    for f64 in (False, True):
        p = "f64" if f64 else "f32"
        add(f"huge_overflow_cross_entropy_{p}", header("cross_entropy", f64, sizemode=5, sizes=(13, 10, 1)))
        add(f"huge_null_softmax_{p}", header("softmax", f64, sizemode=5, sizes=(8, 19, 1)))
        add(f"huge_weight_len_bce_{p}", header("binary_cross_entropy", f64, sizemode=5, sizes=(3, 0, 0), weight=True, weight_sel=203))
        add(f"zero_inner_huge_batch_cross_entropy_{p}",
            header("cross_entropy", f64, sizemode=6, sizes=(8, 3, 2), zero_dim=2) + b"\x01" * 8)
        add(f"zero_inner_huge_outer_softmax_backward_{p}",
            header("softmax_backward", f64, sizemode=6, sizes=(8, 19, 2), zero_dim=2) + b"\x01" * 8)
        add(f"zero_classes_huge_batch_nll_loss_{p}",
            header("nll_loss", f64, sizemode=6, sizes=(10, 3, 10), zero_dim=1) + b"\x01" * 8)
        add(f"zero_count_kl_div_batchmean_{p}",
            header("kl_div", f64, sizemode=6, sizes=(0, 0, 0), reduction=BATCHMEAN))
        add(f"zero_dim_huge_batch_triplet_{p}",
            header("triplet_margin_loss", f64, sizemode=6, sizes=(8, 3, 0), zero_dim=1, reduction=MEAN))
        add(f"huge_overflow_cosine_backward_{p}",
            header("cosine_embedding_loss_backward", f64, sizemode=5, sizes=(13, 10, 1)))
    # Large calls (threaded path, compared with a single-threaded run): a few only, they are slow
    # (Tests/stress/stress.c covers every entry point above the threshold and with long rows).
    add("large_cross_entropy_fused_f32",
        header("cross_entropy_fused", False, sizemode=7, large=True, sizes=(0, 4, 0), smoothing=0.1, valmode=0)
        + bytes(rng.randrange(224) for _ in range(200)))
    # Rows longer than 64K elements (65537 and 100003 classes: the online max/sum path).
    add("large_long_rows_cross_entropy_fused_f32",
        header("cross_entropy_fused", False, sizemode=7, large=True, sizes=(0, 6, 0), smoothing=0.1, weight=True,
               valmode=0) + bytes(rng.randrange(224) for _ in range(200)))
    add("large_long_rows_log_softmax_f64",
        header("log_softmax", True, sizemode=7, large=True, sizes=(0, 7, 0), valmode=0)
        + bytes(rng.randrange(224) for _ in range(200)))
    add("large_multi_margin_backward_f32",
        header("multi_margin_loss_backward", False, sizemode=7, large=True, sizes=(0, 5, 0), log_target=1, weight=True,
               reduction=SUM, valmode=0) + bytes(rng.randrange(224) for _ in range(200)))
    add("large_multilabel_margin_f64",
        header("multilabel_margin_loss", True, sizemode=7, large=True, sizes=(0, 4, 0), reduction=NONE, valmode=0)
        + bytes(rng.randrange(224) for _ in range(200)))
    # gaussian_nll_loss above the threading threshold, var made non-negative (h[12] bit 6).
    large = bytearray(header("gaussian_nll_loss_backward", False, sizemode=7, large=True, sizes=(5, 0, 0), valmode=0,
                             reduction=SUM, kl_batch=0x40))
    add("large_gaussian_nll_backward_f32", bytes(large) + bytes(rng.randrange(224) for _ in range(200)))
    add("large_triplet_swap_backward_f32",
        header("triplet_margin_loss_backward", False, sizemode=7, large=True, sizes=(0, 5, 0), valmode=0,
               log_target=1, kl_batch=2) + bytes(rng.randrange(224) for _ in range(200)))
    add("large_cosine_f64",
        header("cosine_embedding_loss", True, sizemode=7, large=True, sizes=(0, 3, 0), valmode=0, kl_batch=1)
        + bytes(rng.randrange(224) for _ in range(200)))
    add("large_ctc_backward_f32",
        header("ctc_loss_backward", False, sizemode=7, large=True, sizes=(3, 20, 25), valmode=0, weight_sel=4,
               reduction=MEAN) + bytes(rng.randrange(224) for _ in range(400)))
    add("huge_ctc_f64", header("ctc_loss", True, sizemode=5, sizes=(13, 10, 1), weight_sel=8))

    # linear_cross_entropy: 3 samples, 4 classes, 2 features (sizes batch, classes, hidden), a
    # bias (h[3] bit 4), grad_output given or ones (h[3] bit 5), every output wanted (h[11] 15),
    # z_loss 0.01 / softcap 5 (h[12] 1, h[14] 2) or neither; probability targets too.
    for f64 in (False, True):
        p = "f64" if f64 else "f32"
        xs = [0.5, -1.0, 0.25, 2.0, -0.75, 1.5]
        ws = [1.0, -0.5, 0.25, 0.75, -1.25, 0.5, 0.125, -0.25]
        bias = [0.1, -0.2, 0.3, 0.0]
        for r in (NONE, SUM, MEAN):
            for zs in (0, 1):
                for ones in (0, 1):
                    h = bytearray(header("linear_cross_entropy", f64, sizes=(3, 4, 2), reduction=r, pos_weight=True,
                                         fused_ones=bool(ones), log_target=15, kl_batch=zs, pos_weight_sel=2 * zs))
                    g = b"" if ones else floats([1.0, -2.0, 0.5] if r == NONE else [1.5], f64)
                    body = floats(xs, f64) + floats(ws, f64) + floats(bias, f64)
                    add(f"lce_r{r}_z{zs}_o{ones}_{p}", bytes(h) + body + g + targets([1, None, 3]))
                    hp = bytearray(h)
                    hp[0] += 2
                    q = [0.25, 0.25, 0.5, 0.0, 1.0, 0.0, 0.0, 0.0, 0.1, 0.2, 0.3, 0.4]
                    add(f"lce_probs_r{r}_z{zs}_o{ones}_{p}", bytes(hp) + body + g + floats(q, f64))
        add(f"lce_weighted_smoothing_{p}",
            header("linear_cross_entropy", f64, sizes=(3, 4, 2), weight=True, smoothing=0.1, log_target=6)
            + floats(xs, f64) + floats(ws, f64) + floats([1.0, 2.0, 0.5, 1.0], f64) + targets([0, 2, 3]))
        add(f"huge_lce_{p}", header("linear_cross_entropy", f64, sizemode=5, sizes=(13, 10, 1), log_target=15))
    add("large_lce_f32", header("linear_cross_entropy", False, sizemode=7, large=True, sizes=(3, 6, 5), valmode=0,
                                log_target=15, kl_batch=1, pos_weight_sel=2, pos_weight=True)
        + bytes(rng.randrange(224) for _ in range(400)))
    # gemm: sizes m, n, k (h[4..6]); h[9] the leading dimensions' padding (bits 0-1 lda, 2-3
    # ldb, 4-5 ldc; >= 240 one a row short); h[11] bit 0 trans_a, 1 trans_b, 2 accumulate
    # (>= 240: an invalid flag).
    def gemm(f64, sizes, pad, flags, **kw):
        h = bytearray(header("gemm", f64, sizes=sizes, **kw))
        h[9], h[11] = pad, flags
        return bytes(h)
    for f64 in (False, True):
        p = "f64" if f64 else "f32"
        for flags in range(8):
            add(f"gemm_{flags}_{p}", gemm(f64, (7, 17, 5), 0x15 if flags & 1 else 0, flags, valmode=0)
                + bytes(rng.randrange(224) for _ in range(300)))
        add(f"gemm_k0_accumulate_{p}", gemm(f64, (4, 3, 0), 0x2a, 4, valmode=0) + bytes(range(40)))
        add(f"gemm_short_ld_{p}", gemm(f64, (3, 4, 5), 0xf1, 0, valmode=0))
        add(f"gemm_bad_flag_{p}", gemm(f64, (3, 4, 5), 0, 0xf2, valmode=0))
        add(f"gemm_aliased_{p}", gemm(f64, (3, 4, 5), 0, 0, valmode=0, alias=True))
        add(f"huge_gemm_{p}", gemm(f64, (10, 3, 8), 0, 3, sizemode=5))
        add(f"zero_dim_huge_gemm_{p}", gemm(f64, (10, 8, 10), 0, 0, sizemode=6, zero_dim=2))
    add("large_gemm_f32", gemm(False, (30, 50, 10), 0x05, 6, sizemode=7, large=True, valmode=0)
        + bytes(rng.randrange(224) for _ in range(400)))
    add("large_gemm_f64", gemm(True, (3, 70, 200), 0x10, 1, sizemode=7, large=True, valmode=0)
        + bytes(rng.randrange(224) for _ in range(400)))
    # vocab_parallel: 3 rows of a shard of 4 columns at vocab_start 2 (h[14]) of 7 classes (h[6]
    # = 1: classes = vocab_start + shard + 1), targets 0 (another shard), ignored, 4 (this one).
    for f64 in (False, True):
        p = "f64" if f64 else "f32"
        body = (floats([0.5, -1.0, 2.0, 0.25, 1.5, -0.5, 0.0, 3.0, -2.0, 1.0, 0.75, -0.25], f64) + bytes([0, 224, 4])
                + floats([1.0, 0.5, 2.0, 0.25, 1.5, 1.0, 0.5], f64) + floats([2.0, 3.0, 1.0], f64)
                + floats([1.5, 0.0, 2.5, 0.5, 0.0, 1.0, -0.5, 0.0, -1.0], f64) + floats([1.0, 0.5, 2.0], f64))
        for kind in ("vocab_parallel_max", "vocab_parallel_stats", "vocab_parallel_loss", "vocab_parallel_backward"):
            for r in (NONE, SUM, MEAN):
                name = kind.replace("vocab_parallel", "vp")
                add(f"{name}_r{r}_{p}", header(kind, f64, sizes=(3, 4, 1), reduction=r, smoothing=0.1, weight=True,
                                                pos_weight_sel=2) + body)
        add(f"vp_backward_in_place_{p}", header("vocab_parallel_backward", f64, sizes=(3, 4, 1), alias=True,
                                                 reduction=SUM, pos_weight_sel=2) + body)
        add(f"vp_stats_empty_shard_{p}", header("vocab_parallel_stats", f64, sizes=(3, 0, 1), pos_weight_sel=2) + body)
        add(f"vp_stats_past_classes_{p}", header("vocab_parallel_stats", f64, sizes=(3, 4, 230), pos_weight_sel=2) + body)
        add(f"huge_vp_backward_{p}", header("vocab_parallel_backward", f64, sizemode=5, sizes=(13, 10, 1)))
    add("large_vp_backward_f32",
        header("vocab_parallel_backward", False, sizemode=7, large=True, sizes=(0, 1, 0), valmode=0, weight=True,
               smoothing=0.1, pos_weight_sel=3) + bytes(rng.randrange(224) for _ in range(200)))
    add("large_vp_stats_long_rows_f64",
        header("vocab_parallel_stats", True, sizemode=7, large=True, sizes=(0, 3, 0), valmode=0, smoothing=0.1)
        + bytes(rng.randrange(224) for _ in range(200)))
    # vocab_parallel_linear / rescale: 3 rows of hidden 2 (h[12]), a shard of 4 weight rows at
    # vocab_start 2 (h[14]) of 7 classes, a bias (h[3] bit 4), every gradient wanted (h[11] = 7);
    # the stream: input, weight rows, bias, targets 0 / ignored / 4, class weight, then
    # local_max / row_max / stats / grad_output as the kind reads them.
    for f64 in (False, True):
        p = "f64" if f64 else "f32"
        body = (floats([0.5, -1.0, 2.0, 0.25, 1.5, -0.5], f64) + floats([1.0, 0.5, -0.5, 2.0, 0.0, 1.0, -1.0, 0.25], f64)
                + floats([0.1, -0.2, 0.3, 0.0], f64) + bytes([0, 224, 4])
                + floats([1.0, 0.5, 2.0, 0.25, 1.5, 1.0, 0.5], f64) + floats([2.0, 3.0, 1.0], f64)
                + floats([2.5, 3.0, 1.5], f64) + floats([1.5, 0.0, 2.5, 0.5, 0.0, 1.0, -0.5, 0.0, -1.0], f64)
                + floats([1.0, 0.5, 2.0], f64))
        for kind in ("vocab_parallel_linear_stats", "vocab_parallel_rescale", "vocab_parallel_linear_backward"):
            for r in (NONE, SUM, MEAN):
                name = kind.replace("vocab_parallel", "vp")
                add(f"{name}_r{r}_{p}", header(kind, f64, sizes=(3, 4, 1), reduction=r, smoothing=0.1, weight=True,
                                                pos_weight_sel=2, pos_weight=True, kl_batch=2, log_target=7) + body)
        add(f"vpl_backward_aliased_{p}", header("vocab_parallel_linear_backward", f64, sizes=(3, 4, 1), alias=True,
                                                 reduction=SUM, pos_weight_sel=2, kl_batch=2, log_target=1) + body)
        add(f"vpl_stats_empty_shard_{p}", header("vocab_parallel_linear_stats", f64, sizes=(3, 0, 1), pos_weight_sel=2,
                                                  kl_batch=2) + body)
        add(f"vpl_backward_empty_shard_{p}", header("vocab_parallel_linear_backward", f64, sizes=(3, 0, 1),
                                                     pos_weight_sel=2, kl_batch=2, log_target=7) + body)
        add(f"huge_vpl_stats_{p}", header("vocab_parallel_linear_stats", f64, sizemode=5, sizes=(13, 10, 1),
                                          kl_batch=3))
    add("large_vpl_backward_f32",
        header("vocab_parallel_linear_backward", False, sizemode=7, large=True, sizes=(0, 1, 0), valmode=0,
               weight=True, smoothing=0.1, pos_weight_sel=3, kl_batch=5, log_target=7, pos_weight=True)
        + bytes(rng.randrange(224) for _ in range(200)))
    add("large_vpl_stats_long_rows_f64",
        header("vocab_parallel_linear_stats", True, sizemode=7, large=True, sizes=(0, 3, 0), valmode=0, smoothing=0.1,
               kl_batch=2) + bytes(rng.randrange(224) for _ in range(200)))
    # Threads, status strings, version.
    add("misc_threads", header("misc", False, raw=(12, 3, 0, 0, 0, 0)))

    os.makedirs(out, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name.replace(".", "p")), "wb") as f:
            f.write(data)
    print(f"make_corpus: {len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes in {out}")


if __name__ == "__main__":
    main()
