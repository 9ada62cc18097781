/*
 * fuzz_swiftloss.c - libFuzzer harness for every exported function of libswiftloss.so.
 *
 * Build (Tests/fuzz/run.sh does this):
 *   /opt/swift/usr/bin/clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
 *       Tests/fuzz/fuzz_swiftloss.c -L.build/release -lswiftloss -o fuzz_swiftloss
 *
 * One fuzz input is one call. It is decoded as a 64-byte header followed by a stream of
 * values (the stream is cycled when a buffer needs more values than it holds):
 *
 *   h[0]      entry point: h[0] % 121 (0..119: the 120 computing functions, f32 and f64, in the
 *             order of kind_names below, f32 = even, f64 = odd; 120: threads/status/version)
 *   h[1]      bits 0-2 size mode: 0-4 small, 5 huge, 6 zero-size-with-huge-dims,
 *                                 7 large (above the threading threshold) when h[15] is 'L'
 *                                 (large calls are slow: rare on purpose), else small
 *             bits 3-4 value mode: 0 and 3 nice (small multiples of 1/8), 1 specials
 *                                 (NaN, inf, huge, tiny, subnormal, ...), 2 raw bits
 *             bit 5 aliasing (in place where the header allows it); bit 6 NULL injection
 *             (h[2] says which pointers); bit 7 weight present
 *   h[2]      NULL mask (bit k: k-th pointer argument NULL), used with h[1] bit 6
 *   h[3]      bit 0 which alias for softmax backward; bits 1-3 misalignment of the data
 *             (in elements); bit 4 pos_weight present; bit 5 fused: grad_output NULL
 *   h[4..7]   sizes (small mode) or selectors into a table of huge sizes (huge mode)
 *   h[8]      reduction   (h[8] < 240: h[8] % 4, else odd values: -1, 4, INT_MIN, ...)
 *   h[9]      ignore_index selector    h[10] label_smoothing selector
 *   h[11]     log_target / log_input selector; multi_margin_loss's p (h[11] < 240: 1 + bit 0,
 *             else a bad value)
 *   h[12]     kl_div batch / regression beta, delta, margin, eps selector (bits 0-2); bits 3-5
 *             poisson_nll_loss's full (7: an invalid 2, else bit 3); multi_margin_loss's margin
 *             (bits 0-2)
 *             poisson_nll_loss's and gaussian_nll_loss's full (7: an invalid 2, else bit 3);
 *             bit 6 gaussian_nll_loss's var made non-negative (fabs: a valid call more often)
 *             (the embedding losses: h[11] swap (>= 240: an invalid -1 or 2), h[12] margin,
 *             h[13] p, h[14] eps; h[3] bits 5-7 which gradient buffers are NULL)
 *             (ctc_loss: sizes time, classes, target_stride; h[13] batch, h[14] bit 0
 *             concatenated targets, bits 1-2 == 3 a wrong targets_len; h[9] blank; h[11]
 *             zero_infinity (>= 240: an invalid 2))
 *             (cross_entropy_ex / _probs_ex: h[11] z_loss, h[12] softcap selectors (bits 0-2;
 *             5-7 invalid values); h[3] bit 5 grad_output NULL (ones), bit 6 no output, bit 7 no
 *             grad_input; h[14] bit 0 a z_output)
 *             (linear_cross_entropy: sizes batch, classes, hidden; h[3] bit 4 a bias; h[3]
 *             bit 5 grad_output NULL (ones); h[11] bits 0-3 which of z_output, grad_input,
 *             grad_linear_weight, grad_linear_bias are wanted; h[12] z_loss, h[14] softcap)
 *             (gemm: sizes m, n, k; h[9] the leading dimensions' padding (bits 0-1 lda, 2-3
 *             ldb, 4-5 ldc; >= 240: one of them a row short); h[11] bit 0 trans_a, 1 trans_b,
 *             2 accumulate (>= 240: one flag an invalid 2 or -1))
 *             (vocab_parallel: sizes batch, shard_classes, classes - shard_classes - vocab_start
 *             (h[6] >= 224: classes h[6] % 5, often too small); h[14] vocab_start (>= 240: past
 *             classes or raw); h[1] bit 5: the gradient in place over the logits)
 *             (vocab_parallel_linear_* and _rescale: the same sizes and vocab_start, hidden from
 *             h[12] (small: h[12] % 5); h[3] bit 4 a bias; h[11] bits 0-2 which of grad_input,
 *             grad_linear_weight, grad_linear_bias are wanted; h[1] bit 5: grad_input over input)
 *   h[13]     weight_len selector      h[14] pos_weight_len selector
 *   h[15]     'L' enables large mode (also rows of 65537 and 100003 classes: the online path)
 *   h[16..63] six little-endian u64: raw sizes, raw ignore_index, raw smoothing bits, ...
 *
 * Invariants checked on every call (abort() on violation, after printing the call):
 *   - the status is OK exactly when every argument is valid per include/swiftloss.h, and
 *     otherwise one of the statuses that apply (computed here independently);
 *   - guard bytes before every buffer and after every output are intact (an input ends where
 *     its allocation ends, so that AddressSanitizer sees an instrumented library's over-read);
 *     const inputs are unchanged;
 *   - on error every output buffer is byte-identical to before;
 *   - on success every documented output element is written (outputs are pre-filled with a
 *     signalling-NaN sentinel whose payload never occurs in the inputs) and nothing else;
 *   - on success with finite, moderate inputs, outputs are finite where PyTorch's are, and
 *     NaN / zero exactly where PyTorch's are by design ('mean' over nothing is NaN, 'sum'
 *     over nothing is 0, ignored samples give 0 and zero gradient rows, kl_div of a
 *     negative target is NaN, ...), plus range checks (softmax in [0, 1], log_softmax <= 0,
 *     non-negative losses for non-negative weights);
 *   - the fused cross_entropy equals the separate forward and backward calls bit for bit (any NaN
 *     equal to any NaN);
 *   - in large mode (threaded), the result equals a single-threaded run bit for bit.
 *
 * At exit it prints the number of calls per entry point (and how many returned OK).
 * SWIFTLOSS_FUZZ_VERBOSE=1 prints every call, its status and its first outputs;
 * SWIFTLOSS_FUZZ_LARGE=0 turns large mode off (long campaigns with --asan-lib otherwise spend
 * most of their time on the slow large inputs, which reach new library code);
 * SWIFTLOSS_FUZZ_ONLY=text calls only the entry points whose name contains text (a campaign on
 * new entry points, e.g. SWIFTLOSS_FUZZ_ONLY=vocab_parallel).
 */
#include "swiftloss.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================================================
 * Entry points
 * ====================================================================================== */

enum {
    K_SOFTMAX, K_LOG_SOFTMAX, K_SOFTMAX_BW, K_LOG_SOFTMAX_BW,
    K_NLL, K_NLL_BW, K_CE, K_CE_BW, K_CE_FUSED, K_CE_PROBS, K_CE_PROBS_BW,
    K_BCE, K_BCE_BW, K_BCEL, K_BCEL_BW, K_KL, K_KL_BW,
    K_MSE, K_MSE_BW, K_L1, K_L1_BW, K_SL1, K_SL1_BW, K_HUBER, K_HUBER_BW, K_SOFT, K_SOFT_BW,
    K_HINGE, K_HINGE_BW, K_POISSON, K_POISSON_BW, K_MULTILABEL, K_MULTILABEL_BW,
    K_MULTI_MARGIN, K_MULTI_MARGIN_BW, K_LABEL_MARGIN, K_LABEL_MARGIN_BW,
    K_MARGIN_RANKING, K_MARGIN_RANKING_BW, K_GAUSSIAN, K_GAUSSIAN_BW,
    K_COSINE, K_COSINE_BW, K_TRIPLET, K_TRIPLET_BW, K_CTC, K_CTC_BW,
    K_CE_EX, K_CE_PROBS_EX,
    K_LCE, K_LCE_PROBS,
    K_GEMM,
    K_VP_MAX, K_VP_STATS, K_VP_LOSS, K_VP_BW,
    K_VPL_STATS, K_VP_RESCALE, K_VPL_BW,
    NKINDS
};
#define NENTRIES (2 * NKINDS + 1)
#define E_MISC (2 * NKINDS)

static const char *const kind_names[NKINDS] = {
    "softmax", "log_softmax", "softmax_backward", "log_softmax_backward",
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
    "triplet_margin_loss", "triplet_margin_loss_backward",
    "ctc_loss", "ctc_loss_backward",
    "cross_entropy_ex", "cross_entropy_probs_ex",
    "linear_cross_entropy", "linear_cross_entropy_probs",
    "gemm",
    "vocab_parallel_max", "vocab_parallel_stats", "vocab_parallel_loss", "vocab_parallel_backward",
    "vocab_parallel_linear_stats", "vocab_parallel_rescale", "vocab_parallel_linear_backward",
};

static unsigned long long g_calls[NENTRIES], g_ok[NENTRIES];

static void entry_name(int e, char *out, size_t n)
{
    if (e == E_MISC)
        snprintf(out, n, "threads/status_string/version");
    else
        snprintf(out, n, "swiftloss_%s_%s", kind_names[e / 2], (e & 1) ? "f64" : "f32");
}

static void print_stats(void)
{
    unsigned long long total = 0, ok = 0;
    char name[96];
    fprintf(stderr, "\n== executions per entry point (calls, of which returned SWIFTLOSS_OK)\n");
    for (int e = 0; e < NENTRIES; e++) {
        entry_name(e, name, sizeof name);
        fprintf(stderr, "  %-58s %10llu %10llu\n", name, g_calls[e], g_ok[e]);
        total += g_calls[e];
        ok += g_ok[e];
    }
    fprintf(stderr, "  %-58s %10llu %10llu\n", "total", total, ok);
}

static int g_verbose;  /* SWIFTLOSS_FUZZ_VERBOSE=1: print every call, its status and outputs */
static int g_no_large; /* SWIFTLOSS_FUZZ_LARGE=0: no large mode (faster long campaigns) */
static const char *g_only; /* SWIFTLOSS_FUZZ_ONLY=text: call only the entry points whose name holds it */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *v = getenv("SWIFTLOSS_FUZZ_VERBOSE");
    g_verbose = v && v[0] == '1';
    const char *l = getenv("SWIFTLOSS_FUZZ_LARGE");
    g_no_large = l && l[0] == '0';
    g_only = getenv("SWIFTLOSS_FUZZ_ONLY");
    atexit(print_stats);
    return 0;
}

/* ======================================================================================
 * Failure reports
 * ====================================================================================== */

static char g_desc[512];  /* the current call, for the report */

#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
static void fail(const char *fmt, ...);

#include <stdarg.h>
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "\nINVARIANT VIOLATED: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n  call: %s\n", g_desc);
    va_end(ap);
    abort();
}

/* ======================================================================================
 * Input decoding
 * ====================================================================================== */

#define HEADER 64

typedef struct {
    const uint8_t *h;          /* the 64-byte header (zero-padded copy) */
    const uint8_t *v;          /* the value stream */
    size_t vn, vi;
} Input;

static uint8_t vbyte(Input *in)
{
    if (in->vn == 0) return 0;
    uint8_t b = in->v[in->vi % in->vn];
    in->vi++;
    return b;
}

static uint64_t vbytes(Input *in, int n)
{
    uint64_t x = 0;
    for (int k = 0; k < n; k++) x |= (uint64_t)vbyte(in) << (8 * k);
    return x;
}

static uint64_t hu64(const Input *in, int k)
{
    uint64_t x = 0;
    for (int b = 0; b < 8; b++) x |= (uint64_t)in->h[16 + 8 * k + b] << (8 * b);
    return x;
}

/* The sentinel every output is pre-filled with: a signalling NaN with a payload that no
 * input value is allowed to carry (inputs with a similar payload are replaced by a quiet
 * NaN), so an element that still holds it was not written. */
#define SENT32 UINT32_C(0x7FA5A5A5)
#define SENT64 UINT64_C(0x7FF4A5A5A5A5A5A5)

static float f_from(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static double d_from(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static uint32_t f_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t d_bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

/* Specials, as doubles (converted to float for f32: overflow to inf, underflow to 0 are
 * fine, and the f32-specific ones are listed too). */
static const double specials[32] = {
    NAN, -NAN, INFINITY, -INFINITY, 0.0, -0.0, 1.0, -1.0,
    FLT_MAX, -FLT_MAX, FLT_MIN, -FLT_MIN, 1.401298464324817e-45, -1.401298464324817e-45,
    1e-40, -1e-40, DBL_MAX, -DBL_MAX, DBL_MIN, 4.9406564584124654e-324,
    88.72, 89.0, -104.0, -87.4, 709.8, -745.5, 1e30, -1e30,
    1e300, -1e300, 0.5, 1e-7,
};
static const double prob_specials[16] = {
    0.0, -0.0, 1.0, 0.99999994039535522, 1.0000001192092896, 1.401298464324817e-45,
    FLT_MIN, 1e-30, 0.5, NAN, -1.401298464324817e-45, 1e-7,
    0.9999999, 4.9406564584124654e-324, 1e-12, 1.0 - 1e-16,
};

enum { VAL_GENERIC, VAL_PROB, VAL_WEIGHT, VAL_KLTARGET };

/* A value of the given role as a double (the caller rounds to float for f32). */
static double decode_value(Input *in, int valmode, int role, int is64)
{
    if (valmode == 2) {
        if (is64) return d_from(vbytes(in, 8));
        return (double)f_from((uint32_t)vbytes(in, 4));
    }
    uint8_t b = vbyte(in);
    if (valmode == 1 && (b & 0x80)) {
        if (role == VAL_PROB && (b & 0x40)) return prob_specials[b & 15];
        return specials[b & 31];
    }
    if (valmode == 1) b = (uint8_t)(b << 1);
    switch (role) {
    case VAL_PROB: return b / 255.0;
    case VAL_WEIGHT: return b < 224 ? b / 32.0 : -(double)(b - 223) / 8.0;
    case VAL_KLTARGET: return b < 224 ? b / 224.0 : -(double)(b - 223) / 16.0;
    default: return (int8_t)b / 8.0;
    }
}

/* ======================================================================================
 * Buffers with guards
 * ====================================================================================== */

#define GUARD 64
#define GUARD_BYTE 0xA5
#define MAXBUFS 12

typedef struct {
    const char *name;
    uint8_t *base;       /* GUARD + misalign + n * es (+ GUARD: tail) bytes */
    uint8_t *data;       /* base + GUARD + misalign */
    size_t n, es, bytes; /* elements, element size */
    void *ptr;           /* what the call is given: data or NULL */
    uint8_t *snap;       /* data before the call */
    int output;          /* 1: the call may write it on success */
    size_t tail;         /* guard bytes after the data: GUARD for outputs (and for every buffer
                            of a call with aliasing), 0 for inputs, so that AddressSanitizer's
                            redzone follows an input directly (an instrumented library's
                            over-read is then reported) */
} Buf;

static Buf g_bufs[MAXBUFS];
static int g_nbufs;
static size_t g_misalign;
static int g_guard_inputs;  /* aliasing: inputs may become outputs, guard them too */

static void free_bufs(void)
{
    for (int k = 0; k < g_nbufs; k++) {
        free(g_bufs[k].base);
        free(g_bufs[k].snap);
    }
    g_nbufs = 0;
}

/* A buffer of n elements of es bytes (n may be 0), guards around it. */
static Buf *new_buf(const char *name, size_t n, size_t es, int output)
{
    Buf *b = &g_bufs[g_nbufs++];
    memset(b, 0, sizeof *b);
    b->name = name;
    b->n = n;
    b->es = es;
    b->bytes = n * es;
    b->output = output;
    size_t mis = g_misalign * es;
    b->tail = output || g_guard_inputs ? GUARD : 0;
    b->base = (uint8_t *)malloc(GUARD + mis + b->bytes + b->tail);
    if (!b->base) { fprintf(stderr, "out of memory\n"); abort(); }
    memset(b->base, GUARD_BYTE, GUARD + mis + b->bytes + b->tail);
    b->data = b->base + GUARD + mis;
    b->ptr = b->data;
    if (output) {
        for (size_t k = 0; k < n; k++) {
            if (es == 4) { uint32_t s = SENT32; memcpy(b->data + 4 * k, &s, 4); }
            else { uint64_t s = SENT64; memcpy(b->data + 8 * k, &s, 8); }
        }
    }
    return b;
}

static double getv(const Buf *b, size_t k)
{
    if (b->es == 4) { float f; memcpy(&f, b->data + 4 * k, 4); return f; }
    double d; memcpy(&d, b->data + 8 * k, 8); return d;
}

static int is_sentinel(const Buf *b, size_t k)
{
    if (b->es == 4) { uint32_t u; memcpy(&u, b->data + 4 * k, 4); return u == SENT32; }
    uint64_t u; memcpy(&u, b->data + 8 * k, 8); return u == SENT64;
}

/* Stores a decoded value, never one with the sentinel's payload. */
static void setv(Buf *b, size_t k, double v)
{
    if (b->es == 4) {
        float f = (float)v;
        uint32_t u = f_bits(f);
        if (isnan(f) && (u & UINT32_C(0x003FFFFF)) == (SENT32 & UINT32_C(0x003FFFFF)))
            f = NAN;
        memcpy(b->data + 4 * k, &f, 4);
    } else {
        uint64_t u = d_bits(v);
        if (isnan(v) && (u & UINT64_C(0x0007FFFFFFFFFFFF)) == (SENT64 & UINT64_C(0x0007FFFFFFFFFFFF)))
            v = NAN;
        memcpy(b->data + 8 * k, &v, 8);
    }
}

#define FILL_PERIOD 4096

static void fill(Buf *b, Input *in, int valmode, int role, int is64)
{
    /* Large buffers repeat their first FILL_PERIOD values (decoding each one is slow). */
    size_t n = b->n < FILL_PERIOD ? b->n : FILL_PERIOD;
    for (size_t k = 0; k < n; k++) setv(b, k, decode_value(in, valmode, role, is64));
    for (size_t k = n; k < b->n; k += n) {
        size_t m = b->n - k < n ? b->n - k : n;
        memcpy(b->data + k * b->es, b->data, m * b->es);
    }
}

static void snapshot_all(void)
{
    for (int k = 0; k < g_nbufs; k++) {
        Buf *b = &g_bufs[k];
        b->snap = (uint8_t *)malloc(b->bytes ? b->bytes : 1);
        if (!b->snap) abort();
        memcpy(b->snap, b->data, b->bytes);
    }
}

static void check_guards(void)
{
    for (int k = 0; k < g_nbufs; k++) {
        Buf *b = &g_bufs[k];
        for (uint8_t *p = b->base; p < b->data; p++)
            if (*p != GUARD_BYTE) fail("write before buffer %s (byte %td before it)", b->name, b->data - p);
        for (size_t j = 0; j < b->tail; j++)
            if (b->data[b->bytes + j] != GUARD_BYTE)
                fail("write after buffer %s of %zu elements (byte %zu after its end)", b->name, b->n, j);
    }
}

static void check_unchanged(const Buf *b, const char *why)
{
    if (memcmp(b->snap, b->data, b->bytes) != 0) {
        size_t k = 0;
        while (k < b->bytes && b->snap[k] == b->data[k]) k++;
        fail("%s: buffer %s changed (first at element %zu of %zu)", why, b->name, k / b->es, b->n);
    }
}

/* ======================================================================================
 * Sizes
 * ====================================================================================== */

#define SMALL_CAP 8192        /* elements: larger documented buffers are passed as NULL */
#define LARGE_CAP (1u << 21)  /* in large mode */
static size_t g_cap;

static const uint64_t huge_sizes[24] = {
    0, 1, 2, 3, 7, UINT64_C(1) << 31, UINT64_C(1) << 32, (UINT64_C(1) << 32) + 1,
    UINT64_C(1) << 40, UINT64_C(1) << 61, UINT64_C(1) << 62, INT64_MAX,
    UINT64_C(1) << 63, UINT64_MAX, UINT64_MAX / 4, (UINT64_C(1) << 63) / 4,
    (UINT64_C(1) << 63) / 8 + 1, (UINT64_C(1) << 61) + 1, 1000003, UINT64_C(1) << 20,
    0, 0, 0, 0, /* 20..23: raw */
};

static uint64_t huge_size(const Input *in, int k, uint8_t sel)
{
    uint8_t s = sel % 24;
    if (s < 20) return huge_sizes[s];
    uint64_t r = hu64(in, k % 3);
    return s == 20 ? r : s == 21 ? r >> (sel % 64) : s == 22 ? r % 100000 : (r >> 20);
}

/* Element count (times the element size) as the header defines it: every size and the
 * product (in the given order, as the library multiplies) must fit in ptrdiff_t. */
static int count_fits(uint64_t *out, size_t es, int nsizes, const uint64_t *sizes)
{
    uint64_t n = 1;
    for (int k = 0; k < nsizes; k++) {
        if (sizes[k] > (uint64_t)PTRDIFF_MAX) return 0;
        if (__builtin_mul_overflow(n, sizes[k], &n) || n > (uint64_t)PTRDIFF_MAX) return 0;
    }
    uint64_t bytes;
    if (__builtin_mul_overflow(n, (uint64_t)es, &bytes) || bytes > (uint64_t)PTRDIFF_MAX) return 0;
    *out = n;
    return 1;
}

/* ======================================================================================
 * Status expectations
 * ====================================================================================== */

#define S(x) (1u << (x))
static unsigned g_expect;   /* statuses that apply (0: the call is valid) */

static void expect_if(int cond, int status) { if (cond) g_expect |= S(status); }

static void check_status(int st)
{
    if (st < 0 || st > SWIFTLOSS_ERROR_OVERLAP) fail("unknown status %d", st);
    if (g_expect == 0 && st != SWIFTLOSS_OK)
        fail("valid call returned %d (%s)", st, swiftloss_status_string(st));
    if (g_expect != 0 && !(g_expect & S(st)))
        fail("status %d (%s) is not one that applies (mask 0x%x)", st, swiftloss_status_string(st), g_expect);
}

/* After the call: guards, inputs, outputs on error, every output element written on success. */
static void check_buffers(int st)
{
    check_guards();
    for (int k = 0; k < g_nbufs; k++) {
        Buf *b = &g_bufs[k];
        if (!b->output || st != SWIFTLOSS_OK) {
            check_unchanged(b, b->output ? "error status" : "input of the call");
        } else if (b->ptr) {
            for (size_t j = 0; j < b->n; j++)
                if (is_sentinel(b, j)) fail("output %s: element %zu of %zu not written", b->name, j, b->n);
        }
    }
}

/* ======================================================================================
 * Value checks
 * ====================================================================================== */

static int all_within(const Buf *b, double lim)
{
    if (!b) return 1;
    for (size_t k = 0; k < b->n; k++) {
        double v = getv(b, k);
        if (!(isfinite(v) && fabs(v) <= lim)) return 0;
    }
    return 1;
}

static void expect_finite(const Buf *b, const char *why)
{
    for (size_t k = 0; k < b->n; k++)
        if (!isfinite(getv(b, k))) fail("%s: %s[%zu] = %g is not finite", why, b->name, k, getv(b, k));
}

static void expect_nan1(const Buf *b, const char *why)
{
    if (!isnan(getv(b, 0))) fail("%s: %s = %g, expected NaN", why, b->name, getv(b, 0));
}

static void expect_zero(const Buf *b, size_t k, const char *why)
{
    if (getv(b, k) != 0) fail("%s: %s[%zu] = %g, expected 0", why, b->name, k, getv(b, k));
}

/* Weights whose mean divisor is either exactly 0 or >= 1e-3 (no cancellation, no tiny
 * divisor): then a 'mean' of finite terms is finite or NaN by design. */
static int weights_plain(const Buf *w)
{
    if (!w) return 1;
    for (size_t k = 0; k < w->n; k++) {
        double v = getv(w, k);
        if (!(v == 0 || (v >= 1e-3 && v <= 64))) return 0;
    }
    return 1;
}

/* ======================================================================================
 * The calls
 * ====================================================================================== */

typedef struct {
    Input in;
    int entry, kind, is64;
    size_t es;
    int sizemode, valmode, alias, nullinj, hasw, haspw;
    uint8_t nullmask, misc;
    int npointer;          /* pointer arguments handed out so far (for the NULL mask) */
} Ctx;

/* Whether the next pointer argument is to be NULL (NULL injection). */
static int want_null(Ctx *c)
{
    int k = c->npointer++;
    return c->nullinj && ((c->nullmask >> (k & 7)) & 1);
}

/* A buffer argument of `n` documented elements (`known` = 0 when the sizes overflow and n is
 * meaningless). Too large to allocate: NULL. Unknown: NULL or a small dummy buffer that
 * must not be touched. */
static Buf *arg(Ctx *c, const char *name, int known, uint64_t n, size_t es, int output)
{
    int null = want_null(c);
    Buf *b;
    if (!known) {
        b = new_buf(name, 16, es, output);
        if (null || (c->misc & 0x40)) b->ptr = NULL;
    } else if (n > g_cap) {
        b = new_buf(name, 0, es, output);
        b->ptr = NULL;
    } else {
        b = new_buf(name, (size_t)n, es, output);
        if (null) b->ptr = NULL;
    }
    return b;
}

static int reduction_code(const Ctx *c)
{
    uint8_t r = c->in.h[8];
    if (r < 240) return r % 4;
    static const int odd[8] = {-1, 4, 5, INT32_MIN, INT32_MAX, 0x10000, 0x100, -3};
    return odd[r & 7];
}

static int64_t ignore_value(const Ctx *c, uint64_t classes)
{
    switch (c->in.h[9] % 16) {
    case 1: return -1;
    case 2: return 0;
    case 3: return 1;
    case 4: return (int64_t)(classes - 1);
    case 5: return (int64_t)classes;
    case 6: return INT64_MIN;
    case 7: return INT64_MAX;
    case 8: return (int64_t)hu64(&c->in, 3);
    case 9: return 2;
    default: return -100;
    }
}

static double smoothing_value(const Ctx *c)
{
    switch (c->in.h[10] % 16) {
    case 1: return 0.1;
    case 2: return 0.25;
    case 3: return 0.5;
    case 4: return 1.0;
    case 5: return nextafter(1.0, 2.0);
    case 6: return -0.5;
    case 7: return -INFINITY;
    case 8: return INFINITY;
    case 9: return NAN;
    case 10: return 1e-300;
    case 11: return d_from(hu64(&c->in, 4));
    case 12: return 0.9999999;
    case 13: return 2.0;
    default: return 0.0;
    }
}

static int log_target_value(const Ctx *c)
{
    uint8_t b = c->in.h[11];
    if (b < 240) return b & 1;
    static const int odd[4] = {2, -1, INT32_MIN, 256};
    return odd[b & 3];
}

/* A class-index target. */
static int64_t decode_target(Input *in, int valmode, uint64_t classes, int64_t ignore)
{
    uint8_t b = vbyte(in);
    if (valmode == 2 && b >= 248) return (int64_t)vbytes(in, 8);
    if (b < 224) return classes ? (int64_t)(b % classes) : 0;
    if (b < 240) return ignore;
    if (b < 248) return (int64_t)(classes + (uint64_t)(b - 240));
    if (b < 252) return -1 - (int64_t)(b - 248);
    static const int64_t odd[4] = {INT64_MIN, INT64_MAX, -100, (int64_t)1 << 32};
    return odd[b & 3];
}

static uint64_t small_classes(uint8_t s) { return s < 240 ? s % 10 : 10 + (uint64_t)(s - 240) * 5; }

/* Sizes of a class-axis or axis call: A (batch/outer), B (classes/dim), C (inner). */
static void decode_sizes3(Ctx *c, uint64_t sz[3])
{
    const uint8_t *h = c->in.h;
    switch (c->sizemode) {
    case 5:
        for (int k = 0; k < 3; k++) sz[k] = huge_size(&c->in, k, h[4 + k]);
        break;
    case 6:
        for (int k = 0; k < 3; k++) sz[k] = huge_size(&c->in, k, h[4 + k]);
        sz[h[7] % 3] = 0;
        break;
    case 7: {
        /* 65537 and 100003 classes: rows longer than 64K elements (the online max/sum path). */
        static const uint64_t cls[8] = {1, 2, 5, 33, 100, 1000, 65537, 100003};
        static const uint64_t inn[8] = {1, 1, 1, 2, 7, 9, 64, 1};
        sz[1] = cls[h[5] & 7];
        sz[2] = sz[1] > 1000 ? 1 : inn[h[6] & 7];
        sz[0] = ((UINT64_C(1) << 18) + sz[1] * sz[2] - 1) / (sz[1] * sz[2]) + h[4] % 5;
        break;
    }
    default:
        sz[0] = h[4] % 7;
        sz[1] = small_classes(h[5]);
        sz[2] = h[6] % 13;
        break;
    }
}

static uint64_t decode_count(Ctx *c)
{
    const uint8_t *h = c->in.h;
    switch (c->sizemode) {
    case 5: return huge_size(&c->in, 0, h[4]);
    case 6: return 0;
    case 7: return (UINT64_C(1) << 18) + h[4] * 3u;
    default: return h[4] + (h[5] >= 240 ? 256u * (h[5] - 239u) : 0);
    }
}

/* weight_len for a class-axis call. */
static uint64_t class_weight_len(Ctx *c, uint64_t classes)
{
    if (!c->hasw) return 0;
    uint8_t b = c->in.h[13];
    if (b < 200) return classes;
    switch (b % 8) {
    case 0: return classes + 1;
    case 1: return classes ? classes - 1 : 1;
    case 2: return UINT64_MAX;
    case 3: return (UINT64_C(1) << 62) + 1;
    case 4: return hu64(&c->in, 5);
    default: return classes;
    }
}

/* weight_len / pos_weight_len for an element-wise call: divisors of count mostly. */
static uint64_t elem_weight_len(Ctx *c, uint64_t count, uint8_t b, int present)
{
    if (!present) return 0;
    if (count > 0 && count <= g_cap && b < 200) {
        uint64_t d = 1 + b % (count < 64 ? count : 64);
        while (count % d) d--;
        return d;
    }
    switch (b % 8) {
    case 0: return count;
    case 1: return count + 1;
    case 2: return 3;
    case 3: return UINT64_MAX;
    case 4: return (UINT64_C(1) << 62) + 1;
    case 5: return hu64(&c->in, 5);
    case 6: return 1;
    default: return count ? count : 1;
    }
}

#define F32(b) ((float *)(b)->ptr)
#define F64(b) ((double *)(b)->ptr)
#define CF32(b) ((const float *)(b)->ptr)
#define CF64(b) ((const double *)(b)->ptr)
#define I64(b) ((const int64_t *)(b)->ptr)

/* Copies a buffer's data (for a second, reference call). */
static void *dup_data(const Buf *b, int from_snapshot)
{
    void *p = malloc(b->bytes ? b->bytes : 1);
    if (!p) abort();
    memcpy(p, from_snapshot ? b->snap : b->data, b->bytes);
    return p;
}

static void same_bits(const void *a, const void *b, size_t bytes, const char *what)
{
    if (memcmp(a, b, bytes) != 0) fail("%s: results differ", what);
}

/* The same numbers: equal bits, except that any NaN equals any NaN (the forward kernel sums
 * its exponentials with a cheaper exp than the fused one stores, and a NaN's sign or payload
 * may come out differently). */
static void same_values(const void *a, const void *b, size_t n, int is64, const char *what)
{
    for (size_t j = 0; j < n; j++) {
        double x = is64 ? ((const double *)a)[j] : ((const float *)a)[j];
        double y = is64 ? ((const double *)b)[j] : ((const float *)b)[j];
        int same = is64 ? memcmp((const double *)a + j, (const double *)b + j, sizeof(double)) == 0
                        : memcmp((const float *)a + j, (const float *)b + j, sizeof(float)) == 0;
        if (!same && !(isnan(x) && isnan(y))) fail("%s: results differ at %zu: %a vs %a", what, j, x, y);
    }
}

/* ---------------- softmax, log_softmax and their gradients ---------------- */

static int call_axis(int kind, int is64, const void *x, const void *g, const uint64_t *sz, void *y)
{
    size_t o = (size_t)sz[0], d = (size_t)sz[1], i = (size_t)sz[2];
    switch (kind) {
    case K_SOFTMAX:
        return is64 ? swiftloss_softmax_f64((const double *)x, o, d, i, (double *)y)
                    : swiftloss_softmax_f32((const float *)x, o, d, i, (float *)y);
    case K_LOG_SOFTMAX:
        return is64 ? swiftloss_log_softmax_f64((const double *)x, o, d, i, (double *)y)
                    : swiftloss_log_softmax_f32((const float *)x, o, d, i, (float *)y);
    case K_SOFTMAX_BW:
        return is64 ? swiftloss_softmax_backward_f64((const double *)x, (const double *)g, o, d, i, (double *)y)
                    : swiftloss_softmax_backward_f32((const float *)x, (const float *)g, o, d, i, (float *)y);
    default:
        return is64 ? swiftloss_log_softmax_backward_f64((const double *)x, (const double *)g, o, d, i, (double *)y)
                    : swiftloss_log_softmax_backward_f32((const float *)x, (const float *)g, o, d, i, (float *)y);
    }
}

static int run_axis(Ctx *c)
{
    uint64_t sz[3], n = 0;
    decode_sizes3(c, sz);
    int known = count_fits(&n, c->es, 3, sz);
    int bw = c->kind == K_SOFTMAX_BW || c->kind == K_LOG_SOFTMAX_BW;
    snprintf(g_desc, sizeof g_desc, "swiftloss_%s_%s(outer=%" PRIu64 ", dim=%" PRIu64 ", inner=%" PRIu64 ")",
             kind_names[c->kind], c->is64 ? "f64" : "f32", sz[0], sz[1], sz[2]);

    Buf *x = arg(c, bw ? "output" : "input", known, n, c->es, 0);
    Buf *g = bw ? arg(c, "grad_output", known, n, c->es, 0) : NULL;
    fill(x, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);
    Buf *y;
    int aliased = c->alias && known && x->ptr;
    if (aliased) {
        /* softmax: output == input; backward: grad_input == output or == grad_output. */
        y = (bw && (c->misc & 1) && g->ptr) ? g : x;
        y->output = 1;
        y->name = "aliased output";
        c->npointer++;
    } else {
        y = arg(c, bw ? "grad_input" : "output", known, n, c->es, 1);
    }
    snapshot_all();

    g_expect = 0;
    expect_if(!known, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    if (known) {
        expect_if(!x->ptr && n > 0, SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(g && !g->ptr && n > 0, SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(!y->ptr && n > 0, SWIFTLOSS_ERROR_NULL_POINTER);
    } else {
        expect_if(!x->ptr || (g && !g->ptr) || !y->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
    }

    int st = call_axis(c->kind, c->is64, x->ptr, g ? g->ptr : NULL, sz, y->ptr);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    /* Values. x is the input as it was (snapshot when aliased). */
    size_t dim = (size_t)sz[1];
    double lim = c->is64 ? 1e300 : 1e30;
    Buf xs = *x, gs = g ? *g : *x;
    xs.data = x->snap;
    if (g) gs.data = g->snap;
    if (c->kind == K_SOFTMAX || c->kind == K_LOG_SOFTMAX) {
        int finite_in = all_within(&xs, INFINITY);
        int bounded = all_within(&xs, lim);
        for (size_t k = 0; k < y->n; k++) {
            double v = getv(y, k);
            if (c->kind == K_SOFTMAX && finite_in && !(v >= 0 && v <= 1))
                fail("softmax of a finite slice: output[%zu] = %g outside [0, 1]", k, v);
            if (c->kind == K_LOG_SOFTMAX && finite_in && !(v <= 0))
                fail("log_softmax of a finite slice: output[%zu] = %g not <= 0", k, v);
            if (c->kind == K_LOG_SOFTMAX && bounded && !isfinite(v))
                fail("log_softmax of moderate input: output[%zu] = %g", k, v);
        }
        if (c->kind == K_SOFTMAX && finite_in && y->n > 0) {
            /* Each slice sums to 1. */
            size_t outer = (size_t)sz[0], inner = (size_t)sz[2];
            for (size_t o = 0; o < outer; o++)
                for (size_t i = 0; i < inner; i++) {
                    double s = 0;
                    for (size_t d = 0; d < dim; d++) s += getv(y, (o * dim + d) * inner + i);
                    if (fabs(s - 1) > (c->is64 ? 1e-12 : 1e-5) * (double)(dim + 1))
                        fail("softmax slice (%zu, %zu) sums to %.9g", o, i, s);
                }
        }
    } else if (all_within(&xs, 20) && all_within(&gs, 20) && dim <= 1000) {
        expect_finite(y, "gradient of moderate values");
    }
    return st;
}

/* ---------------- class-index and probability-target losses ---------------- */

typedef struct {
    int kind, is64;
    const void *x, *t, *w, *g;
    uint64_t sz[3], wl;
    int64_t ignore;
    int red;
    double eps, zl, cap;
    void *out, *gx, *zout;
} ClassCall;

static int call_class(const ClassCall *k)
{
    size_t b = (size_t)k->sz[0], C = (size_t)k->sz[1], i = (size_t)k->sz[2], wl = (size_t)k->wl;
    if (k->is64) {
        const double *x = (const double *)k->x, *w = (const double *)k->w, *g = (const double *)k->g;
        const int64_t *t = (const int64_t *)k->t;
        double *o = (double *)k->out, *gx = (double *)k->gx;
        switch (k->kind) {
        case K_NLL: return swiftloss_nll_loss_f64(x, t, b, C, i, w, wl, k->ignore, k->red, o);
        case K_NLL_BW: return swiftloss_nll_loss_backward_f64(t, b, C, i, w, wl, k->ignore, k->red, g, gx);
        case K_CE: return swiftloss_cross_entropy_f64(x, t, b, C, i, w, wl, k->ignore, k->red, k->eps, o);
        case K_CE_BW: return swiftloss_cross_entropy_backward_f64(x, t, b, C, i, w, wl, k->ignore, k->red, k->eps, g, gx);
        case K_CE_FUSED: return swiftloss_cross_entropy_fused_f64(x, t, b, C, i, w, wl, k->ignore, k->red, k->eps, g, o, gx);
        case K_CE_EX:
            return swiftloss_cross_entropy_ex_f64(x, t, b, C, i, w, wl, k->ignore, k->red, k->eps, k->zl, k->cap, g, o,
                                                  (double *)k->zout, gx);
        case K_CE_PROBS_EX:
            return swiftloss_cross_entropy_probs_ex_f64(x, (const double *)k->t, b, C, i, w, wl, k->ignore, k->red, k->eps,
                                                        k->zl, k->cap, g, o, (double *)k->zout, gx);
        case K_CE_PROBS:
            return swiftloss_cross_entropy_probs_f64(x, (const double *)k->t, b, C, i, w, wl, k->ignore, k->red, k->eps, o);
        default:
            return swiftloss_cross_entropy_probs_backward_f64(x, (const double *)k->t, b, C, i, w, wl, k->ignore, k->red,
                                                              k->eps, g, gx);
        }
    } else {
        const float *x = (const float *)k->x, *w = (const float *)k->w, *g = (const float *)k->g;
        const int64_t *t = (const int64_t *)k->t;
        float *o = (float *)k->out, *gx = (float *)k->gx;
        switch (k->kind) {
        case K_NLL: return swiftloss_nll_loss_f32(x, t, b, C, i, w, wl, k->ignore, k->red, o);
        case K_NLL_BW: return swiftloss_nll_loss_backward_f32(t, b, C, i, w, wl, k->ignore, k->red, g, gx);
        case K_CE: return swiftloss_cross_entropy_f32(x, t, b, C, i, w, wl, k->ignore, k->red, k->eps, o);
        case K_CE_BW: return swiftloss_cross_entropy_backward_f32(x, t, b, C, i, w, wl, k->ignore, k->red, k->eps, g, gx);
        case K_CE_FUSED: return swiftloss_cross_entropy_fused_f32(x, t, b, C, i, w, wl, k->ignore, k->red, k->eps, g, o, gx);
        case K_CE_EX:
            return swiftloss_cross_entropy_ex_f32(x, t, b, C, i, w, wl, k->ignore, k->red, k->eps, k->zl, k->cap, g, o,
                                                  (float *)k->zout, gx);
        case K_CE_PROBS_EX:
            return swiftloss_cross_entropy_probs_ex_f32(x, (const float *)k->t, b, C, i, w, wl, k->ignore, k->red, k->eps,
                                                        k->zl, k->cap, g, o, (float *)k->zout, gx);
        case K_CE_PROBS:
            return swiftloss_cross_entropy_probs_f32(x, (const float *)k->t, b, C, i, w, wl, k->ignore, k->red, k->eps, o);
        default:
            return swiftloss_cross_entropy_probs_backward_f32(x, (const float *)k->t, b, C, i, w, wl, k->ignore, k->red,
                                                              k->eps, g, gx);
        }
    }
}

static int run_class(Ctx *c)
{
    const int kind = c->kind;
    const int ex = kind == K_CE_EX || kind == K_CE_PROBS_EX;  /* any output optional */
    const int probs = kind == K_CE_PROBS || kind == K_CE_PROBS_BW || kind == K_CE_PROBS_EX;
    const int has_x = kind != K_NLL_BW;
    const int has_out = kind == K_NLL || kind == K_CE || kind == K_CE_FUSED || kind == K_CE_PROBS ||
                        (ex && !(c->misc & 0x40));
    const int has_gx = kind == K_NLL_BW || kind == K_CE_BW || kind == K_CE_FUSED || kind == K_CE_PROBS_BW ||
                       (ex && !(c->misc & 0x80));
    const int has_g = has_gx;
    const int has_eps = kind == K_CE || kind == K_CE_BW || kind == K_CE_FUSED || probs || ex;
    /* grad_output may be NULL (ones) in the fused and _ex calls */
    const int ones_ok = kind == K_CE_FUSED || ex;

    ClassCall k;
    memset(&k, 0, sizeof k);
    k.kind = kind;
    k.is64 = c->is64;
    decode_sizes3(c, k.sz);
    const uint64_t batch = k.sz[0], classes = k.sz[1], inner = k.sz[2];
    k.red = reduction_code(c);
    k.ignore = probs ? (c->in.h[9] < 128 ? -100 : ignore_value(c, classes)) : ignore_value(c, classes);
    k.eps = has_eps ? smoothing_value(c) : 0;
    k.wl = class_weight_len(c, classes);
    if (ex) {
        static const double zls[8] = {0.0, 1e-4, 0.1, 1.0, 1e3, -1e-3, NAN, INFINITY};
        static const double caps[8] = {0.0, 30.0, 1.0, 1e-3, 0.0, -1.0, NAN, INFINITY};
        k.zl = zls[c->in.h[11] & 7];
        k.cap = caps[c->in.h[12] & 7];
    }

    uint64_t count = 0, samples = 0, wbytes_ok = 1;
    uint64_t s3[3] = {batch, classes, inner}, s2[2] = {batch, inner}, tmp;
    int known = count_fits(&count, c->es, 3, s3);
    int samples_known = count_fits(&samples, 8, 2, s2) && count_fits(&tmp, c->es, 2, s2);
    known = known && samples_known;
    if (k.wl) wbytes_ok = count_fits(&tmp, c->es, 1, &k.wl);
    const int red_ok = k.red >= 0 && k.red <= 2;
    const uint64_t nout = k.red == SWIFTLOSS_REDUCTION_NONE ? samples : 1;

    snprintf(g_desc, sizeof g_desc,
             "swiftloss_%s_%s(batch=%" PRIu64 ", classes=%" PRIu64 ", inner=%" PRIu64 ", weight_len=%" PRIu64
             ", ignore_index=%" PRId64 ", reduction=%d, label_smoothing=%.17g, z_loss=%g, softcap=%g%s)",
             kind_names[kind], c->is64 ? "f64" : "f32", batch, classes, inner, k.wl, k.ignore, k.red, k.eps,
             k.zl, k.cap, c->alias ? ", in place" : "");

    Buf *x = has_x ? arg(c, "input", known, count, c->es, 0) : NULL;
    Buf *t = probs ? arg(c, "target", known, count, c->es, 0) : arg(c, "target", known, samples, 8, 0);
    Buf *w = NULL;
    if (k.wl) {
        int null = want_null(c);
        if (k.wl <= (g_cap == LARGE_CAP ? 131072u : 4096u)) {
            w = new_buf("weight", (size_t)k.wl, c->es, 0);
            if (null) w->ptr = NULL;
        } else {
            w = new_buf("weight", 0, c->es, 0);
            w->ptr = NULL;
        }
    } else if (c->hasw && want_null(c) == 0 && (c->misc & 0x80)) {
        /* weight_len 0 with a non-NULL pointer: no weight (the pointer is ignored). */
        w = new_buf("weight (len 0)", 4, c->es, 0);
    }
    Buf *g = NULL;
    int g_null_ones = 0;
    if (has_g) {
        if (ones_ok && (c->misc & 0x20)) {
            g_null_ones = 1;
            c->npointer++;
        } else {
            g = arg(c, "grad_output", known && red_ok, nout, c->es, 0);
        }
    }

    /* Values. */
    if (x) fill(x, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (probs) {
        fill(t, &c->in, c->valmode, VAL_GENERIC, c->is64);
    } else {
        for (size_t j = 0; j < t->n; j++) {
            int64_t v = decode_target(&c->in, c->valmode, classes, k.ignore);
            memcpy(t->data + 8 * j, &v, 8);
        }
    }
    if (w) fill(w, &c->in, c->valmode, VAL_WEIGHT, c->is64);
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);

    Buf *out = has_out ? arg(c, "output", known && red_ok, nout, c->es, 1) : NULL;
    Buf *zout = ex && (c->in.h[14] & 1) ? arg(c, "z_output", known && red_ok, nout, c->es, 1) : NULL;
    Buf *gx = NULL;

    if (has_gx) {
        if (c->alias && kind != K_NLL_BW && x->ptr && known) {
            gx = x;
            gx->output = 1;
            gx->name = "grad_input (== input)";

            c->npointer++;
        } else {
            gx = arg(c, "grad_input", known, count, c->es, 1);
        }
    }
    snapshot_all();

    k.x = x ? x->ptr : NULL;
    k.t = t->ptr;
    k.w = w ? w->ptr : NULL;
    k.g = g ? g->ptr : NULL;
    k.out = out ? out->ptr : NULL;
    k.gx = gx ? gx->ptr : NULL;
    k.zout = zout ? zout->ptr : NULL;

    /* Which statuses apply. */
    g_expect = 0;
    const int wl_known = k.wl == 0 || wbytes_ok;
    expect_if(!known || !wl_known, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(classes == 0, SWIFTLOSS_ERROR_ZERO_CLASSES);
    expect_if(!red_ok, SWIFTLOSS_ERROR_INVALID_REDUCTION);
    expect_if(has_eps && (isnan(k.eps) || k.eps > 1), SWIFTLOSS_ERROR_INVALID_LABEL_SMOOTHING);
    expect_if(probs && k.ignore >= 0, SWIFTLOSS_ERROR_IGNORE_INDEX_UNSUPPORTED);
    expect_if(k.wl != 0 && k.wl != classes, SWIFTLOSS_ERROR_WEIGHT_SIZE);
    expect_if(k.wl != 0 && !k.w, SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(ex && !(isfinite(k.zl) && k.zl >= 0), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_if(ex && k.cap != 0 && !(isfinite(k.cap) && k.cap > 0), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    if (known) {
        expect_if(x && !x->ptr && count > 0, SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(!t->ptr && (probs ? count : samples) > 0, SWIFTLOSS_ERROR_NULL_POINTER);
        /* the _ex calls take a NULL output, z_output or grad_input as not wanted */
        expect_if(gx && !gx->ptr && count > 0 && !ex, SWIFTLOSS_ERROR_NULL_POINTER);
        if (red_ok) {
            expect_if(out && !out->ptr && nout > 0 && !ex, SWIFTLOSS_ERROR_NULL_POINTER);
            /* The fused call takes a NULL grad_output as ones. */
            expect_if(g && !g->ptr && nout > 0 && !ones_ok, SWIFTLOSS_ERROR_NULL_POINTER);
        } else {
            expect_if(((out && !out->ptr) && !ex) || (g && !g->ptr && !ones_ok), SWIFTLOSS_ERROR_NULL_POINTER);
        }
        if (!probs && t->ptr && t->n == samples) {
            const int64_t *tv = (const int64_t *)t->data;
            for (size_t j = 0; j < t->n; j++)
                expect_if(tv[j] != k.ignore && (tv[j] < 0 || (uint64_t)tv[j] >= classes),
                          SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
        }
    } else {
        expect_if((x && !x->ptr) || !t->ptr || (gx && !gx->ptr && !ex) || (out && !out->ptr && !ex) ||
                      (g && !g->ptr && !ones_ok),
                  SWIFTLOSS_ERROR_NULL_POINTER);
    }

    int st = call_class(&k);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;
    if (ex) {  /* what was not wanted is not there */
        if (out && !out->ptr) out = NULL;
        if (gx && !gx->ptr) gx = NULL;
        if (zout && !zout->ptr) zout = NULL;
    }

    /* ---- values ---- */
    Buf xs;
    if (x) { xs = *x; xs.data = x->snap; }
    const Buf *wv = k.wl ? w : NULL;  /* the weight in effect (weight_len 0: none) */
    const double xlim = 1e4;
    int moderate = (!x || all_within(&xs, xlim)) && all_within(wv, 20) && all_within(g, 20);
    if (probs) moderate = moderate && all_within(t, 20);
    const int plain = weights_plain(wv);
    int any_neg_w = 0;
    if (wv)
        for (size_t j = 0; j < wv->n; j++) any_neg_w |= getv(wv, j) < 0;

    /* The divisor of a class-index 'mean', summed as the library and PyTorch do. */
    double divisor = 0;
    size_t counted = 0;
    if (!probs) {
        const int64_t *tv = (const int64_t *)t->data;
        for (size_t j = 0; j < t->n; j++)
            if (tv[j] != k.ignore) {
                counted++;
                divisor += wv ? getv(wv, (size_t)tv[j]) : 1.0;
            }
    }
    const int mean = k.red == SWIFTLOSS_REDUCTION_MEAN;
    const int sum = k.red == SWIFTLOSS_REDUCTION_SUM;
    const int none = k.red == SWIFTLOSS_REDUCTION_NONE;

    if (out && moderate) {
        if (probs) {
            if (mean && samples == 0) expect_nan1(out, "probability-target 'mean' over no samples");
            else expect_finite(out, "probability-target cross_entropy of moderate values");
        } else {
            /* Every target counted or ignored; 'mean' over a zero divisor (nothing counted, or
             * only zero weights) is NaN by design (PyTorch: 0 / 0). */
            int zero_div = counted == 0 || divisor == 0;
            if (mean && plain && zero_div) {
                expect_nan1(out, "class-index 'mean' with a zero divisor");
            } else if (!mean || plain) expect_finite(out, "class-index loss of moderate values");
            if (sum && counted == 0) expect_zero(out, 0, "'sum' over no counted sample");
        }
    }
    if (out && !probs && none) {
        const int64_t *tv = (const int64_t *)t->data;
        for (size_t j = 0; j < t->n; j++) {
            if (tv[j] == k.ignore) expect_zero(out, j, "ignored sample");
            else if (moderate && !any_neg_w && (kind == K_NLL ? 0 : k.eps <= 0) && !(getv(out, j) >= 0))
                fail("cross_entropy of a counted sample with a non-negative weight: output[%zu] = %g", j,
                     getv(out, j));
        }
    }
    if (gx) {
        /* Ignored samples get zero rows; a 'mean' over a zero divisor gives a zero gradient. */
        if (!probs) {
            const int64_t *tv = (const int64_t *)t->data;
            for (size_t j = 0; j < t->n; j++) {
                size_t n = j / (size_t)inner, i = j % (size_t)inner;
                for (size_t cl = 0; cl < classes; cl++) {
                    size_t at = (n * (size_t)classes + cl) * (size_t)inner + i;
                    if (tv[j] == k.ignore) expect_zero(gx, at, "gradient of an ignored sample");
                    else if (mean && divisor == 0 && moderate && !(ex && k.zl > 0 && counted > 0))
                        expect_zero(gx, at, "'mean' gradient with a zero divisor");
                    else if (kind == K_NLL_BW && (int64_t)cl != tv[j]) expect_zero(gx, at, "nll_loss gradient off the target");
                }
            }
        }
        int grad_finite = moderate && (!mean || probs || plain);
        if (grad_finite) expect_finite(gx, "gradient of moderate values");
    }

    /* ---- fused == forward + backward, bit for bit (NaN == NaN) ---- */
    if (kind == K_CE_FUSED) {
        void *x2 = dup_data(x, 1);
        size_t ng = (size_t)nout;
        void *ones = NULL;
        const void *gp = k.g;
        if (g_null_ones || (g && !g->ptr)) {
            ones = malloc(ng * c->es + 1);
            for (size_t j = 0; j < ng; j++) {
                if (c->is64) ((double *)ones)[j] = 1.0;
                else ((float *)ones)[j] = 1.0f;
            }
            gp = ones;
        }
        void *o2 = malloc(ng * c->es + 1), *gx2 = malloc((size_t)count * c->es + 1);
        ClassCall f = k;
        f.x = x2;
        f.kind = K_CE;
        f.out = o2;
        f.gx = NULL;
        int s1 = call_class(&f);
        f.kind = K_CE_BW;
        f.g = gp;
        f.out = NULL;
        f.gx = gx2;
        int s2 = call_class(&f);
        if (s1 != SWIFTLOSS_OK || s2 != SWIFTLOSS_OK) fail("fused OK but separate calls gave %d, %d", s1, s2);
        same_values(o2, out->data, ng, c->is64, "fused loss vs cross_entropy");
        same_values(gx2, gx->data, (size_t)count, c->is64, "fused gradient vs cross_entropy_backward");
        free(x2);
        free(ones);
        free(o2);
        free(gx2);
    }

    /* ---- _ex: the z term; one call for everything == one call per output ---- */
    if (ex && zout && moderate) {
        if (mean && (probs ? samples : counted) == 0) expect_nan1(zout, "z term 'mean' over no counted sample");
        else
            for (size_t j = 0; j < zout->n; j++)
                if (!(getv(zout, j) >= 0)) fail("z term %zu is %g, not >= 0", j, getv(zout, j));
    }
    if (ex && (out || zout) && gx) {
        void *x2 = dup_data(x, 1);
        void *o2 = out ? malloc(out->bytes + 1) : NULL, *z2 = zout ? malloc(zout->bytes + 1) : NULL;
        void *gx2 = malloc(gx->bytes + 1);
        ClassCall f = k;
        f.x = x2;
        f.out = o2;
        f.zout = z2;
        f.gx = NULL;
        int s1 = call_class(&f);
        f.out = NULL;
        f.zout = NULL;
        f.gx = gx2;
        int s2 = call_class(&f);
        if (s1 != SWIFTLOSS_OK || s2 != SWIFTLOSS_OK) fail("_ex OK but separate calls gave %d, %d", s1, s2);
        if (out) same_values(o2, out->data, out->n, c->is64, "_ex loss alone vs with the gradient");
        if (zout) same_values(z2, zout->data, zout->n, c->is64, "_ex z term alone vs with the gradient");
        same_values(gx2, gx->data, gx->n, c->is64, "_ex gradient alone vs with the loss");
        free(x2);
        free(o2);
        free(z2);
        free(gx2);
    }

    /* ---- large (threaded) calls equal a single-threaded run ---- */
    if (c->sizemode == 7) {
        void *x2 = x ? dup_data(x, 1) : NULL;
        void *o2 = out ? malloc(out->bytes + 1) : NULL, *gx2 = gx ? malloc(gx->bytes + 1) : NULL;
        void *z2 = zout ? malloc(zout->bytes + 1) : NULL;
        ClassCall f = k;
        f.x = x2;
        f.out = o2;
        f.gx = gx2;
        f.zout = z2;
        swiftloss_set_num_threads(1);
        int s1 = call_class(&f);
        swiftloss_set_num_threads(0);
        if (s1 != SWIFTLOSS_OK) fail("single-threaded rerun gave %d", s1);
        if (out) same_bits(o2, out->data, out->bytes, "threaded vs single-threaded loss");
        if (gx) same_bits(gx2, gx->data, gx->bytes, "threaded vs single-threaded gradient");
        if (zout) same_bits(z2, zout->data, zout->bytes, "threaded vs single-threaded z term");
        free(x2);
        free(o2);
        free(gx2);
        free(z2);
    }
    return st;
}

/* ---------------- element-wise losses ---------------- */

typedef struct {
    int kind, is64;
    const void *x, *t, *w, *pw, *g;
    uint64_t count, wl, pwl, batch;
    int red, logt, full;
    double param; /* beta (smooth_l1_loss) or delta (huber_loss) */
    void *out;
} ElemCall;

static int call_elem(const ElemCall *k)
{
    size_t n = (size_t)k->count, wl = (size_t)k->wl, pwl = (size_t)k->pwl, b = (size_t)k->batch;
    if (k->is64) {
        const double *x = (const double *)k->x, *t = (const double *)k->t, *w = (const double *)k->w,
                     *pw = (const double *)k->pw, *g = (const double *)k->g;
        double *o = (double *)k->out;
        switch (k->kind) {
        case K_BCE: return swiftloss_binary_cross_entropy_f64(x, t, n, w, wl, k->red, o);
        case K_BCE_BW: return swiftloss_binary_cross_entropy_backward_f64(x, t, n, w, wl, k->red, g, o);
        case K_BCEL: return swiftloss_binary_cross_entropy_with_logits_f64(x, t, n, w, wl, pw, pwl, k->red, o);
        case K_BCEL_BW:
            return swiftloss_binary_cross_entropy_with_logits_backward_f64(x, t, n, w, wl, pw, pwl, k->red, g, o);
        case K_KL: return swiftloss_kl_div_f64(x, t, n, b, k->red, k->logt, o);
        case K_MSE: return swiftloss_mse_loss_f64(x, t, n, w, wl, k->red, o);
        case K_MSE_BW: return swiftloss_mse_loss_backward_f64(x, t, n, w, wl, k->red, g, o);
        case K_L1: return swiftloss_l1_loss_f64(x, t, n, w, wl, k->red, o);
        case K_L1_BW: return swiftloss_l1_loss_backward_f64(x, t, n, w, wl, k->red, g, o);
        case K_SL1: return swiftloss_smooth_l1_loss_f64(x, t, n, k->param, k->red, o);
        case K_SL1_BW: return swiftloss_smooth_l1_loss_backward_f64(x, t, n, k->param, k->red, g, o);
        case K_HUBER: return swiftloss_huber_loss_f64(x, t, n, w, wl, k->param, k->red, o);
        case K_HUBER_BW: return swiftloss_huber_loss_backward_f64(x, t, n, w, wl, k->param, k->red, g, o);
        case K_SOFT: return swiftloss_soft_margin_loss_f64(x, t, n, k->red, o);
        case K_SOFT_BW: return swiftloss_soft_margin_loss_backward_f64(x, t, n, k->red, g, o);
        case K_HINGE: return swiftloss_hinge_embedding_loss_f64(x, t, n, k->param, k->red, o);
        case K_HINGE_BW: return swiftloss_hinge_embedding_loss_backward_f64(x, t, n, k->param, k->red, g, o);
        case K_POISSON: return swiftloss_poisson_nll_loss_f64(x, t, n, k->logt, k->full, k->param, k->red, o);
        case K_POISSON_BW:
            return swiftloss_poisson_nll_loss_backward_f64(x, t, n, k->logt, k->full, k->param, k->red, g, o);
        default: return swiftloss_kl_div_backward_f64(t, n, b, k->red, k->logt, g, o);
        }
    } else {
        const float *x = (const float *)k->x, *t = (const float *)k->t, *w = (const float *)k->w,
                    *pw = (const float *)k->pw, *g = (const float *)k->g;
        float *o = (float *)k->out;
        switch (k->kind) {
        case K_BCE: return swiftloss_binary_cross_entropy_f32(x, t, n, w, wl, k->red, o);
        case K_BCE_BW: return swiftloss_binary_cross_entropy_backward_f32(x, t, n, w, wl, k->red, g, o);
        case K_BCEL: return swiftloss_binary_cross_entropy_with_logits_f32(x, t, n, w, wl, pw, pwl, k->red, o);
        case K_BCEL_BW:
            return swiftloss_binary_cross_entropy_with_logits_backward_f32(x, t, n, w, wl, pw, pwl, k->red, g, o);
        case K_KL: return swiftloss_kl_div_f32(x, t, n, b, k->red, k->logt, o);
        case K_MSE: return swiftloss_mse_loss_f32(x, t, n, w, wl, k->red, o);
        case K_MSE_BW: return swiftloss_mse_loss_backward_f32(x, t, n, w, wl, k->red, g, o);
        case K_L1: return swiftloss_l1_loss_f32(x, t, n, w, wl, k->red, o);
        case K_L1_BW: return swiftloss_l1_loss_backward_f32(x, t, n, w, wl, k->red, g, o);
        case K_SL1: return swiftloss_smooth_l1_loss_f32(x, t, n, k->param, k->red, o);
        case K_SL1_BW: return swiftloss_smooth_l1_loss_backward_f32(x, t, n, k->param, k->red, g, o);
        case K_HUBER: return swiftloss_huber_loss_f32(x, t, n, w, wl, k->param, k->red, o);
        case K_HUBER_BW: return swiftloss_huber_loss_backward_f32(x, t, n, w, wl, k->param, k->red, g, o);
        case K_SOFT: return swiftloss_soft_margin_loss_f32(x, t, n, k->red, o);
        case K_SOFT_BW: return swiftloss_soft_margin_loss_backward_f32(x, t, n, k->red, g, o);
        case K_HINGE: return swiftloss_hinge_embedding_loss_f32(x, t, n, k->param, k->red, o);
        case K_HINGE_BW: return swiftloss_hinge_embedding_loss_backward_f32(x, t, n, k->param, k->red, g, o);
        case K_POISSON: return swiftloss_poisson_nll_loss_f32(x, t, n, k->logt, k->full, k->param, k->red, o);
        case K_POISSON_BW:
            return swiftloss_poisson_nll_loss_backward_f32(x, t, n, k->logt, k->full, k->param, k->red, g, o);
        default: return swiftloss_kl_div_backward_f32(t, n, b, k->red, k->logt, g, o);
        }
    }
}

static Buf *weight_arg(Ctx *c, const char *name, uint64_t len)
{
    int null = want_null(c);
    Buf *w;
    if (len == 0) return NULL;
    if (len <= 4096) {
        w = new_buf(name, (size_t)len, c->es, 0);
        if (null) w->ptr = NULL;
    } else {
        w = new_buf(name, 0, c->es, 0);
        w->ptr = NULL;
    }
    return w;
}

/* The output of a batch x classes call: grad_input (the input itself when in_place: an alias
 * the header allows) or the loss output. */
static Buf *row_output(Ctx *c, int bw, int in_place, Buf *x, int known, int red_ok, uint64_t count, uint64_t nout)
{
    if (in_place) {
        x->output = 1;
        x->name = "grad_input (== input)";
        c->npointer++;
        return x;
    }
    return bw ? arg(c, "grad_input", known, count, c->es, 1) : arg(c, "output", known && red_ok, nout, c->es, 1);
}

/* The NULL_POINTER expectations of a batch x classes call's input, output and grad_output
 * (count elements of input and gradient, nout of loss and upstream gradient). */
static void expect_row_pointers(int known, int bw, int red_ok, uint64_t count, uint64_t nout, const Buf *x,
                                const Buf *out, const Buf *g)
{
    if (!known) {
        expect_if(!x->ptr || !out->ptr || (g && !g->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
        return;
    }
    expect_if(count > 0 && !x->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(bw && count > 0 && !out->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
    if (red_ok) {
        expect_if(!bw && nout > 0 && !out->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(g && nout > 0 && !g->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
    } else {
        expect_if(!out->ptr || (g && !g->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
    }
}

/* multilabel_soft_margin_loss: batch x classes from the class-axis sizes (inner unused), a
 * weight of classes elements (or a bad length, as the class-axis losses), or of batch * classes
 * when h[3] bit 6 is set. */
static int run_multilabel(Ctx *c)
{
    const int bw = c->kind == K_MULTILABEL_BW;
    uint64_t sz[3];
    decode_sizes3(c, sz);
    const uint64_t batch = sz[0], classes = sz[1];
    const int red = reduction_code(c);
    uint64_t wl = class_weight_len(c, classes);
    uint64_t count = 0, tmp, s2[2] = {batch, classes};
    /* batch * classes, and batch alone (the 'none' output), must fit in bytes. */
    int known = count_fits(&count, c->es, 2, s2) && count_fits(&tmp, c->es, 1, &batch);
    if (wl && known && (c->in.h[3] & 0x40)) wl = count;
    int wbytes_ok = wl == 0 || count_fits(&tmp, c->es, 1, &wl);
    const int red_ok = red >= 0 && red <= 2;
    const uint64_t nout = red == SWIFTLOSS_REDUCTION_NONE ? batch : 1;

    snprintf(g_desc, sizeof g_desc,
             "swiftloss_%s_%s(batch=%" PRIu64 ", classes=%" PRIu64 ", weight_len=%" PRIu64 ", reduction=%d%s)",
             kind_names[c->kind], c->is64 ? "f64" : "f32", batch, classes, wl, red, c->alias ? ", in place" : "");

    Buf *x = arg(c, "input", known, count, c->es, 0);
    Buf *t = arg(c, "target", known, count, c->es, 0);
    Buf *w = weight_arg(c, "weight", wl);
    Buf *g = bw ? arg(c, "grad_output", known && red_ok, nout, c->es, 0) : NULL;
    fill(x, &c->in, c->valmode, VAL_GENERIC, c->is64);
    fill(t, &c->in, c->valmode, VAL_PROB, c->is64);
    if (w) fill(w, &c->in, c->valmode, VAL_WEIGHT, c->is64);
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);
    /* grad_input over the input: allowed */
    Buf *out = row_output(c, bw, bw && c->alias && x->ptr && known, x, known, red_ok, count, nout);
    snapshot_all();

    g_expect = 0;
    expect_if(!known || !wbytes_ok, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(!red_ok, SWIFTLOSS_ERROR_INVALID_REDUCTION);
    expect_if(wl != 0 && !(w && w->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
    expect_row_pointers(known, bw, red_ok, count, nout, x, out, g);
    if (known) {
        expect_if(wl != 0 && wl != classes && wl != count, SWIFTLOSS_ERROR_WEIGHT_SIZE);
        expect_if(count > 0 && !t->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
    } else {
        expect_if(1, SWIFTLOSS_ERROR_WEIGHT_SIZE);
        expect_if(!t->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
    }

    int st;
    if (c->is64) {
        st = bw ? swiftloss_multilabel_soft_margin_loss_backward_f64(
                      (const double *)x->ptr, (const double *)t->ptr, batch, classes, w ? (const double *)w->ptr : NULL,
                      wl, red, g ? (const double *)g->ptr : NULL, (double *)out->ptr)
                : swiftloss_multilabel_soft_margin_loss_f64(
                      (const double *)x->ptr, (const double *)t->ptr, batch, classes, w ? (const double *)w->ptr : NULL,
                      wl, red, (double *)out->ptr);
    } else {
        st = bw ? swiftloss_multilabel_soft_margin_loss_backward_f32(
                      (const float *)x->ptr, (const float *)t->ptr, batch, classes, w ? (const float *)w->ptr : NULL,
                      wl, red, g ? (const float *)g->ptr : NULL, (float *)out->ptr)
                : swiftloss_multilabel_soft_margin_loss_f32(
                      (const float *)x->ptr, (const float *)t->ptr, batch, classes, w ? (const float *)w->ptr : NULL,
                      wl, red, (float *)out->ptr);
    }
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    /* Values: 'sum' of no rows is 0 and 'mean' NaN; a row of no classes NaN; moderate inputs
     * (logits within 20, targets and weights in range) give finite results. */
    const int moderate = all_within(x, 20) && all_within(t, 20) && all_within(w, 20) && all_within(g, 20);
    if (!bw && batch == 0 && red == SWIFTLOSS_REDUCTION_SUM) expect_zero(out, 0, "'sum' over no row");
    if (!bw && batch == 0 && red == SWIFTLOSS_REDUCTION_MEAN) expect_nan1(out, "'mean' over no row");
    if (!bw && batch > 0 && classes == 0)
        for (size_t j = 0; j < out->n; j++)
            if (!isnan(getv(out, j))) fail("a row of no classes gives %g, not NaN", getv(out, j));
    if (moderate && classes > 0 && (bw || batch > 0)) expect_finite(out, "multilabel_soft_margin_loss of moderate values");
    return st;
}

/* One call of a three-input loss: `out` for the forward call, else the upstream gradient `g`
 * and the two learned inputs' gradients (either NULL). margin_ranking_loss: (a, b, c) =
 * (input1, input2, target), learned a and b, param the margin; gaussian_nll_loss: (input,
 * target, var), learned a and c, param eps, flag full. */
static int three_call(int kind, int is64, const void *a, const void *b, const void *c3, uint64_t n, double param,
                      int flag, int red, const void *g, void *out, void *g1, void *g2)
{
    switch (kind) {
    case K_MARGIN_RANKING:
        return is64 ? swiftloss_margin_ranking_loss_f64(a, b, c3, n, param, red, out)
                    : swiftloss_margin_ranking_loss_f32(a, b, c3, n, param, red, out);
    case K_MARGIN_RANKING_BW:
        return is64 ? swiftloss_margin_ranking_loss_backward_f64(a, b, c3, n, param, red, g, g1, g2)
                    : swiftloss_margin_ranking_loss_backward_f32(a, b, c3, n, param, red, g, g1, g2);
    case K_GAUSSIAN:
        return is64 ? swiftloss_gaussian_nll_loss_f64(a, b, c3, n, flag, param, red, out)
                    : swiftloss_gaussian_nll_loss_f32(a, b, c3, n, flag, param, red, out);
    default:
        return is64 ? swiftloss_gaussian_nll_loss_backward_f64(a, b, c3, n, flag, param, red, g, g1, g2)
                    : swiftloss_gaussian_nll_loss_backward_f32(a, b, c3, n, flag, param, red, g, g1, g2);
    }
}

/* The statuses of a call of a loss of several learned inputs (run_three, run_rows): sizes that
 * overflow, a bad reduction, a NULL non-empty input (null_input), output or upstream gradient,
 * and an alias among the outputs (gradient pointers may be NULL: skipped). */
static void expect_several(int known, int red_ok, int bw, int null_input, const Buf *out, const Buf *g, uint64_t nout,
                           int aliased)
{
    expect_if(!known, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(!red_ok, SWIFTLOSS_ERROR_INVALID_REDUCTION);
    expect_if(null_input, SWIFTLOSS_ERROR_NULL_POINTER);
    if (known && red_ok) {
        expect_if(!bw && nout > 0 && !out->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(g && nout > 0 && !g->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
    } else {
        expect_if((out && !out->ptr) || (g && !g->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
    }
    expect_if(known && aliased, SWIFTLOSS_ERROR_OVERLAP);
}

/* The losses of three inputs of count elements with two learned (margin_ranking_loss,
 * gaussian_nll_loss): forward, or backward writing either gradient, both or none (h[3] bits
 * 6-7: which are NULL); no alias is allowed (h[1] bit 5 makes the second gradient the
 * first's memory, or an input's, which must be refused). A margin or eps from h[12], and
 * gaussian_nll_loss's full (an invalid 2 sometimes); its var is drawn as a weight (mostly
 * non-negative) and made non-negative by h[12] bit 6: a negative element must be refused. */
static int run_three(Ctx *c)
{
    const int gaussian = c->kind >= K_GAUSSIAN;
    const int bw = (c->kind - K_MARGIN_RANKING) % 2 == 1;
    static const double margins[8] = {0.0, 0.5, 1.0, -1.0, 1e-30, 1e30, NAN, INFINITY};
    static const double epsilons[8] = {1e-6, 0.5, 1.0, -1.0, 1e-30, 0.0, NAN, INFINITY};
    const double param = (gaussian ? epsilons : margins)[c->in.h[12] % 8];
    const int full = gaussian ? (((c->in.h[12] >> 3) & 7) == 7 ? 2 : (c->in.h[12] >> 3) & 1) : 0;
    const uint64_t n = decode_count(c);
    const int red = reduction_code(c);
    uint64_t tmp;
    const int known = count_fits(&tmp, c->es, 1, &n);
    const int red_ok = red >= 0 && red <= 2;
    const uint64_t nout = red == SWIFTLOSS_REDUCTION_NONE ? n : 1;
    const int skip1 = bw && (c->in.h[3] & 0x40), skip2 = bw && (c->in.h[3] & 0x80);
    const char *const *names = gaussian ? (const char *const[]){"input", "target", "var", "grad_input", "grad_var"}
                                        : (const char *const[]){"input1", "input2", "target", "grad_input1",
                                                                "grad_input2"};

    snprintf(g_desc, sizeof g_desc, "swiftloss_%s_%s(count=%" PRIu64 ", param=%g, full=%d, reduction=%d%s%s%s)",
             kind_names[c->kind], c->is64 ? "f64" : "f32", n, param, full, red, skip1 ? ", grad 1 NULL" : "",
             skip2 ? ", grad 2 NULL" : "", c->alias ? ", aliased" : "");

    Buf *a = arg(c, names[0], known, n, c->es, 0);
    Buf *b = arg(c, names[1], known, n, c->es, 0);
    Buf *t = arg(c, names[2], known, n, c->es, 0);
    Buf *g = bw ? arg(c, "grad_output", known && red_ok, nout, c->es, 0) : NULL;
    fill(a, &c->in, c->valmode, VAL_GENERIC, c->is64);
    fill(b, &c->in, c->valmode, VAL_GENERIC, c->is64);
    fill(t, &c->in, c->valmode, gaussian ? VAL_WEIGHT : VAL_GENERIC, c->is64);
    if (gaussian && (c->in.h[12] & 0x40))
        for (size_t j = 0; j < t->n; j++) setv(t, j, fabs(getv(t, j)));
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);
    Buf *out = NULL, *g1 = NULL, *g2 = NULL;
    int aliased = 0;
    if (!bw) {
        out = arg(c, "output", known && red_ok, nout, c->es, 1);
    } else {
        if (!skip1) g1 = arg(c, names[3], known, n, c->es, 1);
        if (!skip2) {
            if (c->alias && known && n > 0 && n <= g_cap) {
                /* the second gradient over the first (or over the first input): always refused */
                g2 = g1 && g1->ptr ? g1 : a;
                aliased = g2->ptr != NULL;
                if (!aliased) g2 = arg(c, names[4], known, n, c->es, 1);
            } else {
                g2 = arg(c, names[4], known, n, c->es, 1);
            }
        }
    }
    snapshot_all();

    /* gaussian_nll_loss's var: a negative element (NaN is not) is refused */
    int negative_var = 0;
    if (gaussian && known && t->ptr)
        for (size_t j = 0; j < t->n; j++) negative_var |= getv(t, j) < 0;

    g_expect = 0;
    expect_if(!known, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(!red_ok, SWIFTLOSS_ERROR_INVALID_REDUCTION);
    if (known) {
        expect_if(n > 0 && (!a->ptr || !b->ptr || !t->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
        if (red_ok) {
            expect_if(!bw && nout > 0 && !out->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
            expect_if(g && nout > 0 && !g->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
        } else {
            expect_if((out && !out->ptr) || (g && !g->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
        }
        expect_if(aliased, SWIFTLOSS_ERROR_OVERLAP);
        expect_if(full == 2 || negative_var, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    } else {
        expect_if(!a->ptr || !b->ptr || !t->ptr || (out && !out->ptr) || (g && !g->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
    }
    /* a NULL gradient pointer means "skip it", never an error */
    void *p1 = g1 ? g1->ptr : NULL, *p2 = g2 ? g2->ptr : NULL;
    if (g1 && !p1 && known && n > 0 && n <= g_cap) g1 = NULL;  /* NULL-injected: skipped too */
    if (g2 && !p2 && known && n > 0 && n <= g_cap) g2 = NULL;

    const void *pa = a->ptr, *pb = b->ptr, *pt = t->ptr, *pg = g ? g->ptr : NULL;
    int st = three_call(c->kind, c->is64, pa, pb, pt, n, param, full, red, pg, out ? out->ptr : NULL, p1, p2);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    /* 'sum' of nothing is 0, 'mean' NaN; moderate values give finite results (gaussian: var
     * finite and at most 1e6, eps in [1e-6, 1e6], so that no quotient overflows). */
    int moderate = all_within(a, 1e6) && all_within(b, 1e6) && all_within(g, 1e6) && isfinite(param) &&
                   fabs(param) < 1e6 && (gaussian ? param >= 1e-6 : all_within(t, 1e6));
    if (gaussian)
        for (size_t j = 0; j < t->n; j++) moderate &= isfinite(getv(t, j)) && getv(t, j) >= 0 && getv(t, j) <= 1e6;
    const char *what = kind_names[c->kind];
    if (!bw && n == 0 && red == SWIFTLOSS_REDUCTION_SUM) expect_zero(out, 0, "'sum' over nothing");
    if (!bw && n == 0 && red == SWIFTLOSS_REDUCTION_MEAN) expect_nan1(out, "'mean' over nothing");
    if (moderate && (bw || n > 0)) {
        if (out) expect_finite(out, what);
        if (g1) expect_finite(g1, what);
        if (g2) expect_finite(g2, what);
    }
    if (!gaussian && !bw && red == SWIFTLOSS_REDUCTION_NONE)
        for (size_t j = 0; j < n; j++)
            if (getv(out, j) < 0) fail("margin_ranking_loss element %zu is negative: %g", j, getv(out, j));
    if (!gaussian && g1 && g2)
        for (size_t j = 0; j < n; j++)
            if (!(getv(g1, j) == -getv(g2, j)) && !(isnan(getv(g1, j)) && isnan(getv(g2, j))))
                fail("margin_ranking_loss gradients %g and %g at %zu are not opposite", getv(g1, j), getv(g2, j), j);
    /* gaussian_nll_loss: a NaN var element (or a NaN eps) gives a NaN loss and NaN gradients
     * there (its clamp keeps NaN), and a NaN 'sum' / 'mean' */
    if (gaussian)
        for (size_t j = 0; j < n; j++) {
            if (!isnan(getv(t, j)) && !isnan(param)) continue;
            if (out && red == SWIFTLOSS_REDUCTION_NONE && !isnan(getv(out, j)))
                fail("gaussian_nll_loss of NaN var at %zu is %g", j, getv(out, j));
            if (out && red != SWIFTLOSS_REDUCTION_NONE && red_ok && !isnan(getv(out, 0)))
                fail("gaussian_nll_loss reduced over a NaN var at %zu is %g", j, getv(out, 0));
            if (g1 && !isnan(getv(g1, j))) fail("gaussian_nll_loss input gradient at NaN var %zu is %g", j, getv(g1, j));
            if (g2 && !isnan(getv(g2, j))) fail("gaussian_nll_loss var gradient at NaN var %zu is %g", j, getv(g2, j));
        }

    if (c->sizemode == 7 && (out || g1 || g2)) {
        Buf *first = out ? out : g1 ? g1 : g2;
        void *o2 = malloc(first->bytes + 1), *other = malloc(first->bytes + 1);
        swiftloss_set_num_threads(1);
        int s1 = three_call(c->kind, c->is64, pa, pb, pt, n, param, full, red, pg, o2, g1 ? o2 : NULL,
                            g1 ? (g2 ? other : NULL) : o2);
        swiftloss_set_num_threads(0);
        if (s1 != SWIFTLOSS_OK) fail("single-threaded rerun gave %d", s1);
        same_bits(o2, first->data, first->bytes, "threaded vs single-threaded");
        if (g1 && g2) same_bits(other, g2->data, g2->bytes, "threaded vs single-threaded second gradient");
        free(o2);
        free(other);
    }
    return st;
}

/* multilabel_margin_loss's target entries: mostly classes, -1 (the list's end), some outside
 * [-1, classes). */
static int64_t decode_label(Input *in, int valmode, uint64_t classes)
{
    uint8_t b = vbyte(in);
    if (valmode == 2 && b >= 252) return (int64_t)vbytes(in, 8);
    if (b < 192) return classes ? (int64_t)(b % classes) : -1;
    if (b < 232) return -1;
    if (b < 244) return (int64_t)(classes + (uint64_t)(b - 232));
    if (b < 248) return -2 - (int64_t)(b - 244);
    static const int64_t odd[4] = {INT64_MIN, INT64_MAX, -100, (int64_t)1 << 32};
    return odd[b & 3];
}

/* multi_margin_loss and multilabel_margin_loss: batch x classes from the class-axis sizes
 * (inner unused). multi_margin_loss: p from h[11], margin from h[12], a class weight as the
 * class-axis losses, batch class indices; its gradient may be the input itself.
 * multilabel_margin_loss: batch * classes label entries, no weight, no alias. */
static int run_margin(Ctx *c)
{
    const int labels = c->kind == K_LABEL_MARGIN || c->kind == K_LABEL_MARGIN_BW;
    const int bw = c->kind == K_MULTI_MARGIN_BW || c->kind == K_LABEL_MARGIN_BW;
    uint64_t sz[3];
    decode_sizes3(c, sz);
    const uint64_t batch = sz[0], classes = sz[1];
    /* multilabel_margin_loss pairs every listed class of a row with every class: batch *
     * classes^2 work. Buffers beyond 2^26 / classes elements are passed as NULL, so that work
     * stays bounded (a 7 x 65537 backward ran past the 10 s timeout under the sanitizers). */
    if (labels && classes > 0 && g_cap > (UINT64_C(1) << 26) / classes) g_cap = (size_t)((UINT64_C(1) << 26) / classes);
    const int red = reduction_code(c);
    static const int odd_p[4] = {0, 3, -1, INT32_MIN};
    const int p = c->in.h[11] < 240 ? 1 + (c->in.h[11] & 1) : odd_p[c->in.h[11] & 3];
    static const double margins[8] = {1.0, 0.5, -0.3, 0.0, NAN, INFINITY, -INFINITY, 1e30};
    const double margin = margins[c->in.h[12] % 8];
    const uint64_t wl = labels ? 0 : class_weight_len(c, classes);
    uint64_t count = 0, tmp, s2[2] = {batch, classes};
    /* What the library multiplies: batch * classes elements, batch (the targets and the 'none'
     * output) in elements and in int64 bytes, the label lists in int64 bytes. */
    int known = count_fits(&count, c->es, 2, s2) && count_fits(&tmp, c->es, 1, &batch) &&
                count_fits(&tmp, 8, 1, &batch) && (!labels || count_fits(&tmp, 8, 2, s2));
    const int wbytes_ok = wl == 0 || count_fits(&tmp, c->es, 1, &wl);
    const int red_ok = red >= 0 && red <= 2;
    const uint64_t nout = red == SWIFTLOSS_REDUCTION_NONE ? batch : 1;
    const uint64_t ntargets = labels ? count : batch;

    snprintf(g_desc, sizeof g_desc,
             "swiftloss_%s_%s(batch=%" PRIu64 ", classes=%" PRIu64 ", p=%d, margin=%g, weight_len=%" PRIu64
             ", reduction=%d%s)", kind_names[c->kind], c->is64 ? "f64" : "f32", batch, classes, p, margin, wl, red,
             c->alias ? ", in place" : "");

    Buf *x = arg(c, "input", known, count, c->es, 0);
    Buf *t = arg(c, "target", known, ntargets, 8, 0);
    Buf *w = weight_arg(c, "weight", wl);
    Buf *g = bw ? arg(c, "grad_output", known && red_ok, nout, c->es, 0) : NULL;
    fill(x, &c->in, c->valmode, VAL_GENERIC, c->is64);
    for (size_t j = 0; j < t->n; j++) {
        int64_t v = labels ? decode_label(&c->in, c->valmode, classes) : decode_target(&c->in, c->valmode, classes, -1);
        memcpy(t->data + 8 * j, &v, 8);
    }
    if (w) fill(w, &c->in, c->valmode, VAL_WEIGHT, c->is64);
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);
    /* grad_input over the input: allowed for multi_margin_loss only */
    const int in_place = bw && !labels && c->alias && x->ptr && known;
    Buf *out = row_output(c, bw, in_place, x, known, red_ok, count, nout);
    snapshot_all();

    g_expect = 0;
    expect_if(!known || !wbytes_ok, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(!red_ok, SWIFTLOSS_ERROR_INVALID_REDUCTION);
    expect_if(classes == 0, SWIFTLOSS_ERROR_ZERO_CLASSES);
    expect_if(!labels && p != 1 && p != 2, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_if(wl != 0 && wl != classes, SWIFTLOSS_ERROR_WEIGHT_SIZE);
    expect_if(wl != 0 && !(w && w->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
    expect_row_pointers(known, bw, red_ok, count, nout, x, out, g);
    expect_if(!t->ptr && (!known || ntargets > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (known && t->ptr && t->n == ntargets) {
        const int64_t *tv = (const int64_t *)t->data;
        for (size_t j = 0; j < t->n; j++)
            expect_if(tv[j] < (labels ? -1 : 0) || (tv[j] >= 0 && (uint64_t)tv[j] >= classes),
                      SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    }

    const void *xp = x->ptr, *wp = w ? w->ptr : NULL, *gp = g ? g->ptr : NULL;
    const int64_t *tp = I64(t);
    void *op = out->ptr;
#define MARGIN_CALL(xp, op)                                                                                    \
    (c->is64 ? (labels ? (bw ? swiftloss_multilabel_margin_loss_backward_f64(xp, tp, batch, classes, red, gp, op) \
                             : swiftloss_multilabel_margin_loss_f64(xp, tp, batch, classes, red, op))             \
                       : (bw ? swiftloss_multi_margin_loss_backward_f64(xp, tp, batch, classes, p, margin, wp, wl, red, gp, op) \
                             : swiftloss_multi_margin_loss_f64(xp, tp, batch, classes, p, margin, wp, wl, red, op))) \
             : (labels ? (bw ? swiftloss_multilabel_margin_loss_backward_f32(xp, tp, batch, classes, red, gp, op) \
                             : swiftloss_multilabel_margin_loss_f32(xp, tp, batch, classes, red, op))             \
                       : (bw ? swiftloss_multi_margin_loss_backward_f32(xp, tp, batch, classes, p, margin, wp, wl, red, gp, op) \
                             : swiftloss_multi_margin_loss_f32(xp, tp, batch, classes, p, margin, wp, wl, red, op))))
    int st = MARGIN_CALL(xp, op);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    /* Values: 'sum' of no rows is 0 and 'mean' NaN; moderate inputs (logits within 1e4, a
     * margin within 1e4 or NaN, weights in [0, 20], upstream within 20) give finite losses,
     * never negative, and finite gradients. */
    Buf xs = *x;
    xs.data = x->snap;
    int nonneg_w = 1;
    for (size_t j = 0; w && j < w->n; j++) nonneg_w &= getv(w, j) >= 0;
    const int moderate = all_within(&xs, 1e4) && all_within(w, 20) && nonneg_w && all_within(g, 20) &&
                         (isnan(margin) || fabs(margin) <= 1e4);
    if (!bw && batch == 0 && red == SWIFTLOSS_REDUCTION_SUM) expect_zero(out, 0, "'sum' over no row");
    if (!bw && batch == 0 && red == SWIFTLOSS_REDUCTION_MEAN) expect_nan1(out, "'mean' over no row");
    if (moderate && (bw || batch > 0)) {
        expect_finite(out, bw ? "margin loss gradient of moderate values" : "margin loss of moderate values");
        for (size_t j = 0; !bw && j < out->n; j++)
            if (getv(out, j) < 0) fail("a margin loss of %g < 0", getv(out, j));
    }
    /* In place equals out of place, and threaded equals single-threaded, bit for bit. */
    if (in_place || c->sizemode == 7) {
        void *x2 = dup_data(x, 1), *o2 = malloc(out->bytes + 1);
        if (c->sizemode == 7) swiftloss_set_num_threads(1);
        int s1 = MARGIN_CALL(x2, o2);
        swiftloss_set_num_threads(0);
        if (s1 != SWIFTLOSS_OK) fail("rerun gave %d", s1);
        same_bits(o2, out->data, out->bytes, in_place ? "in place vs out of place" : "threaded vs single-threaded");
        free(x2);
        free(o2);
    }
#undef MARGIN_CALL
    return st;
}

/* The embedding losses (cosine_embedding_loss, triplet_margin_loss): batch rows of dim
 * elements (the sizes of decode_sizes3's first two), cosine's target one value per row.
 * Forward, or backward writing any of the learned inputs' gradients (h[3] bits 5-7: which
 * are NULL); no alias is allowed (h[1] bit 5 puts the second gradient over the first, or over
 * the first input, which must be refused). margin, p, eps and swap from h[12], h[13], h[14],
 * h[11]. */
static int call_rows(const Ctx *c, double margin, double p, double eps, int swap, int red, const void *a,
                     const void *b, const void *t, size_t batch, size_t dim, const void *g, void *y0, void *y1,
                     void *y2)
{
    if (c->kind == K_COSINE)
        return c->is64 ? swiftloss_cosine_embedding_loss_f64(a, b, t, batch, dim, margin, red, y0)
                       : swiftloss_cosine_embedding_loss_f32(a, b, t, batch, dim, margin, red, y0);
    if (c->kind == K_COSINE_BW)
        return c->is64 ? swiftloss_cosine_embedding_loss_backward_f64(a, b, t, batch, dim, margin, red, g, y0, y1)
                       : swiftloss_cosine_embedding_loss_backward_f32(a, b, t, batch, dim, margin, red, g, y0, y1);
    if (c->kind == K_TRIPLET)
        return c->is64 ? swiftloss_triplet_margin_loss_f64(a, b, t, batch, dim, margin, p, eps, swap, red, y0)
                       : swiftloss_triplet_margin_loss_f32(a, b, t, batch, dim, margin, p, eps, swap, red, y0);
    return c->is64 ? swiftloss_triplet_margin_loss_backward_f64(a, b, t, batch, dim, margin, p, eps, swap, red, g, y0,
                                                                y1, y2)
                   : swiftloss_triplet_margin_loss_backward_f32(a, b, t, batch, dim, margin, p, eps, swap, red, g, y0,
                                                                y1, y2);
}

static int run_rows(Ctx *c)
{
    const int triplet = c->kind >= K_TRIPLET, bw = (c->kind - K_COSINE) % 2 == 1;
    const int learned = triplet ? 3 : 2;
    static const double margins[8] = {0.0, 0.5, 1.0, -1.0, 1e-30, 1e30, NAN, INFINITY};
    static const double ps[16] = {2, 1, 3.5, INFINITY, -INFINITY, 0, -1, 0.5, 1.5, NAN, 1e-300, -0.0, 300, 2, 2, 1};
    static const double epss[8] = {1e-6, 0, 1e-3, -1e-6, 1, NAN, INFINITY, 1e-6};
    const uint8_t *h = c->in.h;
    const double margin = margins[h[12] % 8], p = ps[h[13] % 16], eps = epss[h[14] % 8];
    const int swap = h[11] < 240 ? (h[11] & 1) : (h[11] & 1) ? 2 : -1;
    uint64_t sz[3];
    decode_sizes3(c, sz);
    const uint64_t batch = sz[0], dim = sz[1];
    const int red = reduction_code(c);
    uint64_t count = 0, tmp;
    const int known = count_fits(&count, c->es, 2, sz) && count_fits(&tmp, c->es, 1, &batch);
    const int red_ok = red >= 0 && red <= 2;
    const uint64_t nout = red == SWIFTLOSS_REDUCTION_NONE ? batch : 1, nthird = triplet ? count : batch;

    snprintf(g_desc, sizeof g_desc,
             "swiftloss_%s_%s(batch=%" PRIu64 ", dim=%" PRIu64 ", margin=%g, p=%g, eps=%g, swap=%d, reduction=%d, "
             "NULL gradients 0x%x%s)",
             kind_names[c->kind], c->is64 ? "f64" : "f32", batch, dim, margin, p, eps, swap, red,
             bw ? (c->misc >> 5) & 7 : 0, c->alias ? ", aliased" : "");

    Buf *a = arg(c, triplet ? "anchor" : "input1", known, count, c->es, 0);
    Buf *b = arg(c, triplet ? "positive" : "input2", known, count, c->es, 0);
    Buf *t = arg(c, triplet ? "negative" : "target", known, nthird, c->es, 0);
    Buf *g = bw ? arg(c, "grad_output", known && red_ok, nout, c->es, 0) : NULL;
    fill(a, &c->in, c->valmode, VAL_GENERIC, c->is64);
    fill(b, &c->in, c->valmode, VAL_GENERIC, c->is64);
    fill(t, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (!triplet && c->valmode == 0) {  /* targets of 1 and -1 mostly (0 and 2 give 0) */
        static const double targets[8] = {1, -1, 1, -1, 1, -1, 0, 2};
        for (size_t j = 0; j < t->n; j++) setv(t, j, targets[vbyte(&c->in) % 8]);
    }
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);
    Buf *out = NULL, *grads[3] = {NULL, NULL, NULL};
    int aliased = 0;
    if (!bw) {
        out = arg(c, "output", known && red_ok, nout, c->es, 1);
    } else {
        static const char *const names[2][3] = {{"grad_input1", "grad_input2", ""},
                                                {"grad_anchor", "grad_positive", "grad_negative"}};
        for (int k = 0; k < learned; k++) {
            if ((c->misc >> (5 + k)) & 1) continue;  /* not wanted: NULL */
            if (k == 1 && c->alias && known && count > 0 && count <= g_cap) {
                /* over the first gradient (or the first input): always refused */
                grads[1] = grads[0] && grads[0]->ptr ? grads[0] : a;
                aliased = grads[1]->ptr != NULL;
                if (aliased) continue;
            }
            grads[k] = arg(c, names[triplet][k], known, count, c->es, 1);
        }
    }
    snapshot_all();

    g_expect = 0;
    expect_if(triplet && swap != 0 && swap != 1, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_several(known, red_ok, bw,
                   known ? (count > 0 && (!a->ptr || !b->ptr)) || (nthird > 0 && !t->ptr) : !a->ptr || !b->ptr || !t->ptr,
                   out, g, nout, aliased);
    /* a NULL gradient pointer means "skip it", never an error (NULL-injected ones too) */
    void *y[3] = {out ? out->ptr : NULL, NULL, NULL};
    for (int k = 0; bw && k < 3; k++) {
        y[k] = grads[k] ? grads[k]->ptr : NULL;
        if (grads[k] && !y[k] && known && count > 0 && count <= g_cap) grads[k] = NULL;
    }
    if (aliased) y[1] = grads[1] == a ? (void *)a->ptr : grads[0]->ptr;
    const void *pg = g ? g->ptr : NULL;
    int st = call_rows(c, margin, p, eps, swap, red, a->ptr, b->ptr, t->ptr, (size_t)batch, (size_t)dim, pg, y[0], y[1],
                       y[2]);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    /* 'sum' of no rows is 0, 'mean' NaN; moderate values give finite results (for triplet, the
     * p whose powers cannot overflow or blow up at 0); the triplet losses are never negative;
     * the three triplet gradients sum to 0 (to round-off). */
    const int moderate_p = !triplet || p == 2 || p == 1 || p == 0 || isinf(p) || p == 1.5 || p == 3.5;
    const int moderate = all_within(a, triplet ? 1e3 : 1e6) && all_within(b, triplet ? 1e3 : 1e6) &&
                         all_within(t, triplet ? 1e3 : 1e6) && all_within(g, 1e6) && isfinite(margin) &&
                         fabs(margin) < 1e6 && isfinite(eps) && moderate_p;
    if (!bw && batch == 0 && red == SWIFTLOSS_REDUCTION_SUM) expect_zero(out, 0, "'sum' over no row");
    if (!bw && batch == 0 && red == SWIFTLOSS_REDUCTION_MEAN) expect_nan1(out, "'mean' over no row");
    if (moderate && (bw || batch > 0)) {
        if (out) expect_finite(out, "an embedding loss of moderate values");
        for (int k = 0; k < 3; k++)
            if (grads[k]) expect_finite(grads[k], "an embedding loss gradient of moderate values");
    }
    if (!bw && triplet && red == SWIFTLOSS_REDUCTION_NONE)
        for (size_t j = 0; j < out->n; j++)
            if (getv(out, j) < 0) fail("triplet_margin_loss row %zu is negative: %g", j, getv(out, j));
    if (bw && triplet && grads[0] && grads[1] && grads[2] && moderate)
        for (size_t j = 0; j < grads[0]->n; j++) {
            double u = getv(grads[0], j), v = getv(grads[1], j), w = getv(grads[2], j);
            double scale = fabs(u) + fabs(v) + fabs(w), tol = (c->is64 ? 4e-16 : 2.4e-7) * scale;
            if (!(fabs(u + v + w) <= tol)) fail("triplet gradients %g, %g, %g at %zu do not sum to 0", u, v, w, j);
        }

    if (c->sizemode == 7) {
        /* threaded (large mode) == single-threaded, for every output written */
        Buf *written[3] = {out ? out : grads[0], out ? NULL : grads[1], out ? NULL : grads[2]};
        void *again[3] = {NULL, NULL, NULL};
        for (int k = 0; k < 3; k++)
            if (written[k]) again[k] = malloc(written[k]->bytes + 1);
        swiftloss_set_num_threads(1);
        int s1 = call_rows(c, margin, p, eps, swap, red, a->ptr, b->ptr, t->ptr, (size_t)batch, (size_t)dim, pg,
                           again[0], again[1], again[2]);
        swiftloss_set_num_threads(0);
        if (s1 != SWIFTLOSS_OK) fail("single-threaded rerun gave %d", s1);
        for (int k = 0; k < 3; k++)
            if (written[k]) {
                same_bits(again[k], written[k]->data, written[k]->bytes, "threaded vs single-threaded");
                free(again[k]);
            }
    }
    return st;
}

static int run_elem(Ctx *c)
{
    const int kind = c->kind;
    const int bce = kind == K_BCE || kind == K_BCE_BW;
    const int bcel = kind == K_BCEL || kind == K_BCEL_BW;
    const int kl = kind == K_KL || kind == K_KL_BW;
    /* The regression losses: a weight of exactly count elements (mse, l1, huber), a
     * parameter (beta: smooth_l1, delta: huber); backward kinds are the odd offsets. */
    const int reg = kind >= K_MSE;
    const int reg_weighted = kind == K_MSE || kind == K_MSE_BW || kind == K_L1 || kind == K_L1_BW ||
                             kind == K_HUBER || kind == K_HUBER_BW;
    const int sl1 = kind == K_SL1 || kind == K_SL1_BW, huber = kind == K_HUBER || kind == K_HUBER_BW;
    const int soft = kind == K_SOFT || kind == K_SOFT_BW;
    const int hinge = kind == K_HINGE || kind == K_HINGE_BW; /* margin: any value is valid */
    /* poisson_nll_loss: eps any value; log_input and full must be 0 or 1. Its value is finite
     * for moderate values only with log_input (x - t log(x + eps) is NaN for x < -eps). */
    const int pois = kind == K_POISSON || kind == K_POISSON_BW;
    const int bw = kind == K_BCE_BW || kind == K_BCEL_BW || kind == K_KL_BW || (reg && (kind - K_MSE) % 2 == 1);

    ElemCall k;
    memset(&k, 0, sizeof k);
    k.kind = kind;
    k.is64 = c->is64;
    k.count = decode_count(c);
    k.red = reduction_code(c);
    k.logt = (kl || pois) ? log_target_value(c) : 0;
    if (pois) k.full = ((c->in.h[12] >> 3) & 7) == 7 ? 2 : (c->in.h[12] >> 3) & 1;
    uint64_t tmp;
    int known = count_fits(&tmp, c->es, 1, &k.count);
    const uint64_t n = k.count;
    if (!kl && (!reg || reg_weighted)) k.wl = elem_weight_len(c, n, c->in.h[13], c->hasw);
    if (reg_weighted && c->hasw && (c->in.h[13] & 1)) k.wl = n; /* the valid length, often */
    if (bcel) k.pwl = elem_weight_len(c, n, c->in.h[14], c->haspw);
    if (sl1 || huber || hinge || pois) {
        static const double params[8] = {1.0, 0.5, 0.0, -1.0, 1e-30, 1e30, NAN, INFINITY};
        k.param = params[c->in.h[12] % 8];
    }
    if (kl) {
        uint8_t b = c->in.h[12];
        if (c->sizemode == 5 || c->sizemode == 6) k.batch = huge_size(&c->in, 1, b);
        else if (b < 200 && n > 0) { uint64_t d = 1 + b % (n < 16 ? n : 16); while (n % d) d--; k.batch = d; }
        else k.batch = b % 4 == 0 ? 0 : b % 4 == 1 ? n + 1 : b % 4 == 2 ? 3 : 1;
    }
    const int red_ok = k.red >= 0 && k.red <= (kl ? 3 : 2);
    const uint64_t nout = k.red == SWIFTLOSS_REDUCTION_NONE ? n : 1;

    snprintf(g_desc, sizeof g_desc,
             "swiftloss_%s_%s(count=%" PRIu64 ", weight_len=%" PRIu64 ", pos_weight_len=%" PRIu64 ", batch=%" PRIu64
             ", reduction=%d, log_target/log_input=%d, full=%d, beta/delta/margin/eps=%g)",
             kind_names[kind], c->is64 ? "f64" : "f32", n, k.wl, k.pwl, k.batch, k.red, k.logt, k.full, k.param);

    Buf *x = kind == K_KL_BW ? NULL : arg(c, "input", known, n, c->es, 0);
    Buf *t = arg(c, "target", known, n, c->es, 0);
    Buf *w = weight_arg(c, "weight", k.wl);
    Buf *pw = weight_arg(c, "pos_weight", k.pwl);
    Buf *g = bw ? arg(c, "grad_output", known && red_ok, nout, c->es, 0) : NULL;
    if (x) fill(x, &c->in, c->valmode, bce ? VAL_PROB : VAL_GENERIC, c->is64);
    fill(t, &c->in, c->valmode, bce ? VAL_PROB : (kl && k.logt == 0) ? VAL_KLTARGET : VAL_GENERIC, c->is64);
    if (w) fill(w, &c->in, c->valmode, VAL_WEIGHT, c->is64);
    if (pw) fill(pw, &c->in, c->valmode, VAL_WEIGHT, c->is64);
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);
    Buf *out = bw ? arg(c, "grad_input", known, n, c->es, 1) : arg(c, "output", known && red_ok, nout, c->es, 1);
    snapshot_all();
    k.x = x ? x->ptr : NULL;
    k.t = t->ptr;
    k.w = w ? w->ptr : NULL;
    k.pw = pw ? pw->ptr : NULL;
    k.g = g ? g->ptr : NULL;
    k.out = out->ptr;

    g_expect = 0;
    int wl_fits = k.wl == 0 || count_fits(&tmp, c->es, 1, &k.wl);
    int pwl_fits = k.pwl == 0 || count_fits(&tmp, c->es, 1, &k.pwl);
    expect_if(!known || !wl_fits || !pwl_fits, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(!red_ok, SWIFTLOSS_ERROR_INVALID_REDUCTION);
    expect_if(k.wl != 0 && !k.w, SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(k.pwl != 0 && !k.pw, SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(sl1 && k.param < 0, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_if(huber && !(k.param > 0), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_if(pois && ((k.logt != 0 && k.logt != 1) || (k.full != 0 && k.full != 1)), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    if (kl) {
        expect_if(k.logt != 0 && k.logt != 1, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        expect_if(k.red == SWIFTLOSS_REDUCTION_BATCHMEAN && n > 0 && (k.batch == 0 || n % k.batch != 0 || !known),
                  SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    }
    if (known) {
        expect_if(k.wl != 0 && (reg ? k.wl != n : n % k.wl != 0), SWIFTLOSS_ERROR_WEIGHT_SIZE);
        expect_if(k.pwl != 0 && n % k.pwl != 0, SWIFTLOSS_ERROR_WEIGHT_SIZE);
        expect_if(x && !x->ptr && n > 0, SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(!t->ptr && n > 0, SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(bw && !out->ptr && n > 0, SWIFTLOSS_ERROR_NULL_POINTER);
        if (red_ok) {
            expect_if(!bw && !out->ptr && nout > 0, SWIFTLOSS_ERROR_NULL_POINTER);
            expect_if(g && !g->ptr && nout > 0, SWIFTLOSS_ERROR_NULL_POINTER);
        } else {
            expect_if(!out->ptr || (g && !g->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
        }
        if (bce) {
            if (x->ptr && x->n == n)
                for (size_t j = 0; j < n; j++) {
                    double v = getv(x, j);
                    expect_if(!(v >= 0 && v <= 1), SWIFTLOSS_ERROR_INPUT_OUT_OF_RANGE);
                }
            if (t->ptr && t->n == n)
                for (size_t j = 0; j < n; j++) {
                    double v = getv(t, j);
                    expect_if(!(v >= 0 && v <= 1), SWIFTLOSS_ERROR_TARGET_OUT_OF_RANGE);
                }
        }
    } else {
        expect_if(k.wl != 0 || k.pwl != 0, SWIFTLOSS_ERROR_WEIGHT_SIZE);
        expect_if((x && !x->ptr) || !t->ptr || !out->ptr || (g && !g->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(kl && k.red == SWIFTLOSS_REDUCTION_BATCHMEAN, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    }

    int st = call_elem(&k);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    /* ---- values ---- */
    const double lim = bcel ? 1e4 : 20;
    int moderate = (!x || all_within(x, lim)) && all_within(t, 20) && all_within(w, 20) && all_within(pw, 20) &&
                   all_within(g, 20);
    int nonneg_w = 1;
    if (w) for (size_t j = 0; j < w->n; j++) nonneg_w &= getv(w, j) >= 0;
    const int mean = k.red == SWIFTLOSS_REDUCTION_MEAN, sum = k.red == SWIFTLOSS_REDUCTION_SUM;
    const int batchmean = k.red == SWIFTLOSS_REDUCTION_BATCHMEAN;
    if (!bw && n == 0) {
        if (mean || (batchmean && k.batch == 0)) expect_nan1(out, "'mean' over no element");
        if (sum || (batchmean && k.batch > 0)) expect_zero(out, 0, "'sum' over no element");
    } else if (!bw && moderate) {
        int any_neg_t = 0;
        for (size_t j = 0; j < n; j++) any_neg_t |= getv(t, j) < 0;
        if (kl && k.logt == 0) {
            /* xlogy(t, t): NaN exactly for a negative target (PyTorch's xlogy). */
            if (k.red == SWIFTLOSS_REDUCTION_NONE) {
                for (size_t j = 0; j < n; j++) {
                    int neg = getv(t, j) < 0;
                    if (neg != !!isnan(getv(out, j)))
                        fail("kl_div: target[%zu] = %g gives %g", j, getv(t, j), getv(out, j));
                    if (!neg && !isfinite(getv(out, j))) fail("kl_div of moderate values: output[%zu] = %g", j, getv(out, j));
                }
            } else if (any_neg_t != !!isnan(getv(out, 0))) {
                fail("kl_div: a negative target %s, yet the reduced loss is %g", any_neg_t ? "exists" : "does not exist",
                     getv(out, 0));
            } else if (!any_neg_t) {
                expect_finite(out, "kl_div of moderate values");
            }
        } else if (reg_weighted && !huber && mean && w) {
            /* mse / l1 'mean' with a weight divides by the sum of the weights: over a zero sum
             * it is NaN (0 / 0) or an infinity (the weighted sum over 0, as PyTorch's); finite
             * for non-negative weights whose sum is not so small that the quotient overflows. */
            double wsum = 0;
            for (size_t j = 0; j < w->n; j++) wsum += getv(w, j);
            const double v = getv(out, 0);
            if (wsum == 0 && !(isnan(v) || isinf(v)))
                fail("weighted 'mean' whose weights sum to 0: %g, expected NaN or an infinity", v);
            else if (nonneg_w && wsum >= 1e-20 && !isfinite(v)) fail("weighted 'mean' of moderate values: %g", v);
        } else if (!((sl1 || huber || hinge || pois) && !isfinite(k.param)) && !(pois && k.logt != 1)) {
            expect_finite(out, "element-wise loss of moderate values");
            if ((bce || reg) && !hinge && !pois && nonneg_w)  /* hinge: t = 1 gives x itself, any sign */
                for (size_t j = 0; j < out->n; j++)
                    if (!(getv(out, j) >= 0)) fail("binary_cross_entropy with w >= 0: output[%zu] = %g < 0", j, getv(out, j));
        }
    } else if (bw && moderate && !((sl1 || huber || hinge || pois) && !isfinite(k.param)) &&
               !(reg_weighted && !huber && mean && w) && !(pois && k.logt != 1)) {
        expect_finite(out, "element-wise gradient of moderate values");
    }
    /* soft_margin_loss is softplus(-t x): finite and >= 0 for every finite element, however
     * large (PyTorch's log1p(exp(-t x)) overflows past 88.7 in float32), and its gradient is
     * finite too. */
    if (soft && k.red == SWIFTLOSS_REDUCTION_NONE && n > 0 && all_within(x, INFINITY) && all_within(t, INFINITY)) {
        int products_finite = 1;
        for (size_t j = 0; j < n; j++) {  /* -t x in the buffer's own precision */
            double p = getv(x, j) * getv(t, j);
            products_finite &= c->is64 ? isfinite(p) : isfinite((float)p);
        }
        if (products_finite) {
            if (!bw) {
                for (size_t j = 0; j < n; j++)
                    if (!(getv(out, j) >= 0) || !isfinite(getv(out, j)))
                        fail("soft_margin_loss of finite x = %g, t = %g gives %g", getv(x, j), getv(t, j), getv(out, j));
            } else if (all_within(g, 1e30) && all_within(t, 1e4)) {
                for (size_t j = 0; j < n; j++)
                    if (!isfinite(getv(out, j)))
                        fail("soft_margin_loss gradient at finite x = %g, t = %g is %g", getv(x, j), getv(t, j), getv(out, j));
            }
        }
    }

    if (c->sizemode == 7) {
        void *o2 = malloc(out->bytes + 1);
        ElemCall f = k;
        f.out = o2;
        swiftloss_set_num_threads(1);
        int s1 = call_elem(&f);
        swiftloss_set_num_threads(0);
        if (s1 != SWIFTLOSS_OK) fail("single-threaded rerun gave %d", s1);
        same_bits(o2, out->data, out->bytes, "threaded vs single-threaded");
        free(o2);
    }
    return st;
}

/* ---------------- threads, status strings, version ---------------- */

/* ctc_loss: time x batch x classes log-probabilities (time, classes and the padded width from
 * decode_sizes3, batch from h[13]), padded or concatenated int64 targets (h[14] bit 0), int64
 * lengths mostly in range, blank from h[9], zero_infinity from h[11]. Statuses as the header
 * says; the gradient is exactly 0 beyond each sample's input length; with aliasing the
 * gradient is put over log_probs (refused); large mode: threaded == single-threaded. */
static int run_ctc(Ctx *c)
{
    const int bw = c->kind == K_CTC_BW;
    const uint8_t *h = c->in.h;
    uint64_t sz[3];
    decode_sizes3(c, sz);
    uint64_t time = sz[0], classes = sz[1], stride = sz[2], batch = h[13] % 5;
    if (c->sizemode == 5 || c->sizemode == 6) batch = huge_size(&c->in, 1, h[13]);
    if (c->sizemode == 7) { time = 60 + h[4] % 60; classes = 2 + h[5] % 40; stride = h[6] % 30; batch = 4 + h[13] % 8; }
    /* stride 0 is the concatenated layout in the API: the padded mode with a stride of 0 is it */
    const int concat = (h[14] & 1) || stride == 0, wrong_len = ((h[14] >> 1) & 3) == 3;
    if (concat) stride = 0;
    static const int64_t odd_blank[4] = {-1, INT64_MIN, INT64_MAX, 1};
    int64_t blank = h[9] < 200 ? 0 : h[9] < 240 ? (int64_t)(classes - 1) : h[9] < 248 ? (int64_t)classes : odd_blank[h[9] & 3];
    const int zi = h[11] < 240 ? (h[11] & 1) : 2;
    const int red = reduction_code(c);
    const int red_ok = red >= 0 && red <= 2;
    uint64_t count = 0, tmp, s3[3] = {time, batch, classes};
    int known = count_fits(&count, c->es, 3, s3) && count_fits(&tmp, 8, 1, &batch);
    const uint64_t nout = red == SWIFTLOSS_REDUCTION_NONE ? batch : 1;

    Buf *x = arg(c, "log_probs", known, count, c->es, 0);
    Buf *il = arg(c, "input_lengths", known, batch, 8, 0);
    Buf *tl = arg(c, "target_lengths", known, batch, 8, 0);
    /* lengths first: the targets' count depends on them */
    uint64_t sum = 0, longest = 0, longest_in = 0;
    int lengths_ok = 1;
    for (size_t j = 0; j < il->n; j++) {
        uint8_t b = vbyte(&c->in);
        int64_t v = b >= 250 ? -1 - (int64_t)(b - 250) : (int64_t)(b % (time + 2));
        if (b < 200 && v > (int64_t)time) v = (int64_t)time;
        memcpy(il->data + 8 * j, &v, 8);
        lengths_ok &= v >= 0 && (uint64_t)v <= time;
        if (v >= 0 && (uint64_t)v <= time && (uint64_t)v > longest_in) longest_in = (uint64_t)v;
    }
    for (size_t j = 0; j < tl->n; j++) {
        uint8_t b = vbyte(&c->in);
        uint64_t cap = concat ? 6 : stride + 2;
        int64_t v = b >= 250 ? -1 : (int64_t)(b % cap);
        if (!concat && b < 200 && (uint64_t)v > stride) v = (int64_t)stride;
        memcpy(tl->data + 8 * j, &v, 8);
        if (v < 0) { lengths_ok = 0; continue; }
        sum += (uint64_t)v;
        if ((uint64_t)v > longest) longest = (uint64_t)v;
    }
    uint64_t nt = concat ? sum : 0;
    int tknown = concat || count_fits(&nt, 8, 2, (uint64_t[2]){batch, stride});
    if (wrong_len) nt += 1;
    known = known && tknown && nt <= (uint64_t)PTRDIFF_MAX / 8;
    Buf *t = arg(c, "targets", known, nt, 8, 0);
    for (size_t j = 0; j < t->n; j++) {
        int64_t v = decode_target(&c->in, c->valmode, classes, 0);
        memcpy(t->data + 8 * j, &v, 8);
    }
    Buf *g = bw ? arg(c, "grad_output", known && red_ok, nout, c->es, 0) : NULL;
    fill(x, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (c->valmode == 0)  /* log-probabilities: not positive */
        for (size_t j = 0; j < x->n; j++) setv(x, j, -fabs(getv(x, j)));
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);
    const int aliased = bw && c->alias && x->ptr && count > 0 && known;
    Buf *out = aliased ? x : bw ? arg(c, "grad_log_probs", known, count, c->es, 1)
                                : arg(c, "output", known && red_ok, nout, c->es, 1);
    if (aliased) { x->output = 1; x->name = "grad_log_probs (== log_probs)"; c->npointer++; }
    snapshot_all();

    snprintf(g_desc, sizeof g_desc,
             "swiftloss_%s_%s(time=%" PRIu64 ", batch=%" PRIu64 ", classes=%" PRIu64 ", targets_len=%" PRIu64
             ", target_stride=%" PRIu64 ", blank=%" PRId64 ", reduction=%d, zero_infinity=%d%s)",
             kind_names[c->kind], c->is64 ? "f64" : "f32", time, batch, classes, nt, stride, blank, red, zi,
             aliased ? ", aliased" : "");

    g_expect = 0;
    expect_if(!known, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(!red_ok, SWIFTLOSS_ERROR_INVALID_REDUCTION);
    expect_if(zi != 0 && zi != 1, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_if(blank < 0 || (uint64_t)blank >= classes, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_row_pointers(known, bw, red_ok, count, nout, x, out, g);
    expect_if(!il->ptr && (!known || batch > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(!tl->ptr && (!known || batch > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(!t->ptr && (!known || nt > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(aliased, SWIFTLOSS_ERROR_OVERLAP);
    /* no sample: every layout calls for no targets (the lengths may be NULL then) */
    expect_if(known && batch == 0 && nt != 0, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    if (known && il->ptr && tl->ptr) {
        expect_if(!lengths_ok || longest > nt, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        expect_if(!concat && longest > stride, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        expect_if(nt != (concat ? sum : batch * stride), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        /* the scratch of the widest sample: (its input length + 4) x (2 * longest + 1 + 3
         * lanes) elements, over the samples there are */
        uint64_t w = 2 * longest + 1 + (c->is64 ? 12 : 24), s2[2] = {longest_in + 4, w};
        expect_if(!count_fits(&tmp, c->es, 2, s2), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        if (t->ptr && t->n == nt) {
            const int64_t *tv = (const int64_t *)t->data, *tlv = (const int64_t *)tl->data;
            uint64_t start = 0;
            for (size_t n = 0; n < batch && lengths_ok; n++) {
                uint64_t first = concat ? start : n * stride;
                for (uint64_t k = first; k < first + (uint64_t)tlv[n] && k < nt; k++)
                    expect_if(tv[k] < 0 || (uint64_t)tv[k] >= classes, SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
                start += (uint64_t)tlv[n];
            }
        }
    }

    const void *xp = x->ptr, *gp = g ? g->ptr : NULL;
    const int64_t *tp = I64(t), *ilp = I64(il), *tlp = I64(tl);
    void *op = out->ptr;
#define CTC_CALL(xp, op)                                                                                        \
    (c->is64 ? (bw ? swiftloss_ctc_loss_backward_f64(xp, time, batch, classes, tp, nt, stride, ilp, tlp, blank, red, zi, gp, op) \
                   : swiftloss_ctc_loss_f64(xp, time, batch, classes, tp, nt, stride, ilp, tlp, blank, red, zi, op))             \
             : (bw ? swiftloss_ctc_loss_backward_f32(xp, time, batch, classes, tp, nt, stride, ilp, tlp, blank, red, zi, gp, op) \
                   : swiftloss_ctc_loss_f32(xp, time, batch, classes, tp, nt, stride, ilp, tlp, blank, red, zi, op)))
    int st = CTC_CALL(xp, op);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    if (!bw && batch == 0 && red == SWIFTLOSS_REDUCTION_SUM) expect_zero(out, 0, "'sum' over no sample");
    if (!bw && batch == 0 && red == SWIFTLOSS_REDUCTION_MEAN) expect_nan1(out, "'mean' over no sample");
    if (bw) {  /* PyTorch's gradient is exactly 0 beyond each input length */
        for (size_t n = 0; n < batch; n++)
            for (uint64_t tt = (uint64_t)ilp[n]; tt < time; tt++)
                for (size_t k = 0; k < classes; k++)
                    if (getv(out, (tt * batch + n) * classes + k) != 0)
                        fail("gradient at t=%" PRIu64 " >= input length %" PRId64 " of sample %zu is not 0", tt, ilp[n], n);
    }
    if (c->sizemode == 7) {
        void *o2 = malloc(out->bytes + 1);
        swiftloss_set_num_threads(1);
        int s1 = CTC_CALL(xp, o2);
        swiftloss_set_num_threads(0);
        if (s1 != SWIFTLOSS_OK) fail("rerun gave %d", s1);
        same_bits(o2, out->data, out->bytes, "threaded vs single-threaded");
        free(o2);
    }
#undef CTC_CALL
    return st;
}

/* linear_cross_entropy (class indices) and _probs: batch x hidden input, classes x hidden
 * weight, an optional bias (h[3] bit 4), class weights as the class-axis losses, grad_output
 * NULL (ones) or given (h[3] bit 5), z_output and the three gradients each wanted or NULL
 * (h[11] bits 0-3), z_loss (h[12]) and softcap (h[14]) valid or not. Statuses as the header
 * says, the scratch limit (256 MiB) included; with aliasing grad_input is put over the input
 * (refused); 'sum' / 'mean' over no sample give 0 / NaN; large mode: threaded ==
 * single-threaded for every output. Sizes are bounded (batch x hidden x classes small). */
static int run_lce(Ctx *c)
{
    const int probs = c->kind == K_LCE_PROBS;
    const uint8_t *h = c->in.h;
    static const double zls[8] = {0, 0.01, 1, -1, NAN, INFINITY, 1e-300, 0};
    static const double caps[8] = {0, 0, 5, 0.5, -1, NAN, INFINITY, 30};
    const double z_loss = zls[h[12] % 8], softcap = caps[h[14] % 8];
    uint64_t sz[3];
    decode_sizes3(c, sz);
    uint64_t batch = sz[0], classes = sz[1], hidden = sz[2];
    if (c->sizemode == 7) {
        static const uint64_t cls[8] = {1, 2, 5, 33, 100, 1000, 5000, 70000};
        classes = cls[h[5] & 7];
        batch = 4 + h[4] % 24;
        hidden = 1 + h[6] % 8;
    }
    const int red = reduction_code(c);
    const int red_ok = red >= 0 && red <= 2;
    const int64_t ignore = probs ? -100 : ignore_value(c, classes);
    const int64_t ig = probs && (h[9] % 16) == 9 ? 2 : ignore;  /* probability targets: sometimes a refused 2 */
    const double eps = smoothing_value(c);
    uint64_t nx = 0, nw = 0, nt = 0, tmp;
    const uint64_t s_nh[2] = {batch, hidden}, s_ch[2] = {classes, hidden}, s_nc[2] = {batch, classes};
    int known = count_fits(&nx, c->es, 2, s_nh) && count_fits(&nw, c->es, 2, s_ch) &&
                count_fits(&tmp, c->es, 1, &classes) && count_fits(&tmp, c->es, 2, s_nc) &&
                count_fits(&tmp, 8, 1, &batch);
    nt = probs ? batch * classes : batch;
    const uint64_t nout = red == SWIFTLOSS_REDUCTION_NONE ? batch : 1;
    const uint64_t wl = class_weight_len(c, classes);
    const int wl_fits = wl == 0 || count_fits(&tmp, c->es, 1, &wl);
    const int want_z = h[11] & 1, want_gx = (h[11] >> 1) & 1, want_gw = (h[11] >> 2) & 1, want_gb = (h[11] >> 3) & 1;
    const int has_bias = c->haspw, ones = (c->misc >> 5) & 1;

    Buf *x = arg(c, "input", known, nx, c->es, 0);
    Buf *w = arg(c, "linear_weight", known, nw, c->es, 0);
    Buf *b = has_bias ? arg(c, "linear_bias", known, classes, c->es, 0) : NULL;
    Buf *t = arg(c, "target", known, nt, probs ? c->es : 8, 0);
    Buf *cw = wl ? arg(c, "weight", known && wl_fits, wl, c->es, 0) : NULL;
    Buf *g = ones ? NULL : arg(c, "grad_output", known && red_ok, nout, c->es, 0);
    fill(x, &c->in, c->valmode, VAL_GENERIC, c->is64);
    fill(w, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (b) fill(b, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (cw) fill(cw, &c->in, c->valmode, VAL_WEIGHT, c->is64);
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (probs) {
        fill(t, &c->in, c->valmode, VAL_PROB, c->is64);
    } else {
        for (size_t j = 0; j < t->n; j++) {
            int64_t v = decode_target(&c->in, c->valmode, classes, ignore);
            memcpy(t->data + 8 * j, &v, 8);
        }
    }
    Buf *out = arg(c, "output", known && red_ok, nout, c->es, 1);
    /* A valid call computes all batch x classes logits, even with hidden 0 and tiny buffers:
     * beyond 2^27 of them (5089 x 1000003 with softcap and z_loss ran past the 10 s timeout)
     * the output is passed as NULL, so that the call is refused before any work. */
    if (known && classes > 0 && batch > (UINT64_C(1) << 27) / classes) out->ptr = NULL;
    Buf *zo = want_z ? arg(c, "z_output", known && red_ok, nout, c->es, 1) : NULL;
    const int aliased = want_gx && c->alias && known && x->ptr && nx > 0;
    Buf *gx = aliased ? x : want_gx ? arg(c, "grad_input", known, nx, c->es, 1) : NULL;
    if (aliased) { x->output = 1; x->name = "grad_input (== input)"; c->npointer++; }
    Buf *gw = want_gw ? arg(c, "grad_linear_weight", known, nw, c->es, 1) : NULL;
    Buf *gb = want_gb ? arg(c, "grad_linear_bias", known, classes, c->es, 1) : NULL;
    snapshot_all();

    snprintf(g_desc, sizeof g_desc,
             "swiftloss_%s_%s(batch=%" PRIu64 ", hidden=%" PRIu64 ", classes=%" PRIu64 ", bias=%d, weight_len=%" PRIu64
             ", ignore_index=%" PRId64 ", reduction=%d, label_smoothing=%g, z_loss=%g, softcap=%g, grad_output=%s, "
             "outputs z/gx/gw/gb=%d%d%d%d%s)",
             kind_names[c->kind], c->is64 ? "f64" : "f32", batch, hidden, classes, has_bias, wl, ig, red, eps,
             z_loss, softcap, ones ? "NULL" : "given", want_z, want_gx, want_gw, want_gb, aliased ? ", aliased" : "");

    g_expect = 0;
    const int any_grad = want_gx || want_gw || want_gb;
    expect_if(!known || !wl_fits, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(!red_ok, SWIFTLOSS_ERROR_INVALID_REDUCTION);
    expect_if(isnan(eps) || eps > 1, SWIFTLOSS_ERROR_INVALID_LABEL_SMOOTHING);
    expect_if(!(isfinite(z_loss) && z_loss >= 0) || !(isfinite(softcap) && softcap >= 0),
              SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_if(classes == 0, SWIFTLOSS_ERROR_ZERO_CLASSES);
    if (!known) {
        expect_if(!x->ptr || !w->ptr || !t->ptr || !out->ptr || (cw && !cw->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
    } else {
        expect_if((nx > 0 && !x->ptr) || (nw > 0 && !w->ptr) || (nt > 0 && !t->ptr) || (cw && !cw->ptr),
                  SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(!red_ok ? !out->ptr : (nout > 0 && !out->ptr), SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(wl > 0 && wl != classes, SWIFTLOSS_ERROR_WEIGHT_SIZE);
        expect_if(aliased, SWIFTLOSS_ERROR_OVERLAP);
        expect_if(probs && ig >= 0, SWIFTLOSS_ERROR_IGNORE_INDEX_UNSUPPORTED);
        if (!probs && t->ptr && classes > 0) {
            const int64_t *tv = I64(t);
            for (size_t j = 0; j < t->n; j++)
                expect_if(tv[j] != ignore && (tv[j] < 0 || (uint64_t)tv[j] >= classes),
                          SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
        }
        /* the scratch: max(4, 16 MiB / (classes x size)) rows (a multiple of 4, at most the
         * batch, at least 1), twice with a gradient and softcap or z_loss; at most 256 MiB */
        if (classes > 0) {
            uint64_t by_budget = ((UINT64_C(16) << 20) / (classes * c->es)) & ~UINT64_C(3);
            uint64_t rows = by_budget > 4 ? by_budget : 4, most = batch > 1 ? batch : 1;
            if (rows > most) rows = most;
            const int separate = any_grad && (softcap > 0 || z_loss > 0);
            const uint64_t s3[3] = {rows, classes, separate ? 2u : 1u};
            expect_if(!count_fits(&tmp, c->es, 3, s3) || tmp * c->es > (UINT64_C(1) << 28),
                      SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        }
    }

    const void *bp = b ? b->ptr : NULL, *cwp = cw ? cw->ptr : NULL, *gp = g ? g->ptr : NULL;
    void *zp = zo ? zo->ptr : NULL, *gbp = gb ? gb->ptr : NULL, *gwp = gw ? gw->ptr : NULL;
    void *gxp = aliased ? x->ptr : gx ? gx->ptr : NULL;
#define LCE_CALL(op, zp, gxp, gwp, gbp)                                                                            \
    (c->is64 ? (probs ? swiftloss_linear_cross_entropy_probs_f64(x->ptr, w->ptr, bp, t->ptr, batch, hidden, classes, \
                            cwp, wl, ig, red, eps, z_loss, softcap, gp, op, zp, gxp, gwp, gbp)                          \
                      : swiftloss_linear_cross_entropy_f64(x->ptr, w->ptr, bp, I64(t), batch, hidden, classes, cwp,   \
                            wl, ig, red, eps, z_loss, softcap, gp, op, zp, gxp, gwp, gbp))                             \
             : (probs ? swiftloss_linear_cross_entropy_probs_f32(x->ptr, w->ptr, bp, t->ptr, batch, hidden, classes, \
                            cwp, wl, ig, red, eps, z_loss, softcap, gp, op, zp, gxp, gwp, gbp)                          \
                      : swiftloss_linear_cross_entropy_f32(x->ptr, w->ptr, bp, I64(t), batch, hidden, classes, cwp,   \
                            wl, ig, red, eps, z_loss, softcap, gp, op, zp, gxp, gwp, gbp)))
    int st = LCE_CALL(out->ptr, zp, gxp, gwp, gbp);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    if (batch == 0 && red == SWIFTLOSS_REDUCTION_SUM) expect_zero(out, 0, "'sum' over no sample");
    if (batch == 0 && red == SWIFTLOSS_REDUCTION_MEAN) expect_nan1(out, "'mean' over no sample");
    if (c->sizemode == 7) {
        Buf *bufs[5] = {out, zo, gx, gw, gb};
        void *copies[5] = {NULL, NULL, NULL, NULL, NULL};
        for (int k = 0; k < 5; k++)
            if (bufs[k] && bufs[k]->ptr) copies[k] = malloc(bufs[k]->bytes + 1);
        swiftloss_set_num_threads(1);
        int s1 = LCE_CALL(copies[0], copies[1], copies[2], copies[3], copies[4]);
        swiftloss_set_num_threads(0);
        if (s1 != SWIFTLOSS_OK) fail("rerun gave %d", s1);
        for (int k = 0; k < 5; k++)
            if (copies[k]) {
                same_bits(copies[k], bufs[k]->data, bufs[k]->bytes, "threaded vs single-threaded");
                free(copies[k]);
            }
    }
#undef LCE_CALL
    return st;
}

/* The sizes of the vocab_parallel calls: batch, shard_classes, vocab_start and classes (large
 * mode: the batch is the caller's). */
static void decode_vocab_sizes(Ctx *c, uint64_t *batch, uint64_t *shard, uint64_t *start, uint64_t *classes)
{
    const uint8_t *h = c->in.h;
    switch (c->sizemode) {
    case 5:
    case 6:
        *batch = huge_size(&c->in, 0, h[4]);
        *shard = huge_size(&c->in, 1, h[5]);
        *classes = huge_size(&c->in, 2, h[6]);
        *start = h[14] < 128 ? 0 : huge_size(&c->in, 0, h[14]);
        if (c->sizemode == 6) { if (h[7] & 1) *batch = 0; else *shard = 0; }
        break;
    case 7: {
        static const uint64_t widths[4] = {33, 1000, 4097, 65537};
        *shard = widths[h[5] & 3];
        *batch = 0;
        *start = h[14] % 5;
        *classes = *start + *shard + h[6] % 3;
        break;
    }
    default:
        *batch = h[4] % 7;
        *shard = small_classes(h[5]);
        *start = h[14] < 240 ? h[14] % 4 : h[14] < 248 ? *shard + 7 : hu64(&c->in, 0);
        *classes = h[6] < 224 ? *start + *shard + h[6] % 3 : h[6] % 5;
        break;
    }
}

/* vocab_parallel_linear_stats / _rescale / _linear_backward: the sharded LM head. batch x
 * hidden input, shard_classes x hidden weight rows (and an optional bias slice) at vocab_start
 * of classes; class-index targets, the full class weight; local_max, row_max and stats (3 *
 * batch) as given inputs where they are inputs (rescale's stats are read and written in place).
 * Statuses as the header says (the scratch limit of linear_cross_entropy with shard_classes as
 * the class count); on success: an empty shard's local maxima are -inf and its statistics 0,
 * ignored rows give zero statistics and leave rescale's untouched, an empty shard's grad_input
 * is 0; large mode: threaded == single-threaded. */
static int run_vocab_linear(Ctx *c)
{
    const int kind = c->kind;
    const uint8_t *h = c->in.h;
    uint64_t batch, shard, start, classes;
    decode_vocab_sizes(c, &batch, &shard, &start, &classes);
    if (c->sizemode == 7) batch = 4 + h[4] % 24;  /* a few rows: the products dominate */
    const uint64_t hidden = c->sizemode == 5 || c->sizemode == 6 ? huge_size(&c->in, 2, h[12])
                          : c->sizemode == 7 ? 1 + h[12] % 8 : h[12] % 5;
    const int linear = kind != K_VP_RESCALE, bw = kind == K_VPL_BW;
    const int red = bw ? reduction_code(c) : SWIFTLOSS_REDUCTION_SUM;
    const int red_ok = red >= 0 && red <= 2;
    const uint64_t nout = red == SWIFTLOSS_REDUCTION_NONE ? batch : 1;
    const double eps = smoothing_value(c);
    const int64_t ignore = ignore_value(c, classes);
    uint64_t count = 0, nstats = 0, nx = 0, nw = 0, tmp;
    int known = count_fits(&count, c->es, 2, (uint64_t[2]){batch, shard}) && count_fits(&tmp, c->es, 1, &batch) &&
                count_fits(&tmp, 8, 1, &batch) && count_fits(&nstats, c->es, 2, (uint64_t[2]){batch, 3}) &&
                classes <= (uint64_t)PTRDIFF_MAX && start <= (uint64_t)PTRDIFF_MAX;
    if (linear)
        known = known && hidden <= (uint64_t)PTRDIFF_MAX && count_fits(&nx, c->es, 2, (uint64_t[2]){batch, hidden}) &&
                count_fits(&nw, c->es, 2, (uint64_t[2]){shard, hidden});
    const uint64_t wl = class_weight_len(c, classes);
    uint64_t wbytes;
    const int wl_fits = count_fits(&wbytes, c->es, 1, &wl);
    const int want_gx = h[11] & 1, want_gw = (h[11] >> 1) & 1, want_gb = (h[11] >> 2) & 1;
    const int has_bias = linear && c->haspw;

    Buf *x = linear ? arg(c, "input", known, nx, c->es, 0) : NULL;
    Buf *W = linear ? arg(c, "linear_weight", known, nw, c->es, 0) : NULL;
    Buf *b = has_bias ? arg(c, "linear_bias", known, shard, c->es, 0) : NULL;
    Buf *t = arg(c, "target", known, batch, 8, 0);
    Buf *w = wl > 0 ? arg(c, "weight", known && wl_fits, wl, c->es, 0) : NULL;
    Buf *lm_in = kind == K_VP_RESCALE ? arg(c, "local_max", known, batch, c->es, 0) : NULL;
    Buf *m = kind != K_VPL_STATS ? arg(c, "row_max", known, batch, c->es, 0) : NULL;
    Buf *st_in = kind != K_VPL_STATS ? arg(c, "stats", known, nstats, c->es, 0) : NULL;
    Buf *g = bw ? arg(c, "grad_output", known && red_ok, nout, c->es, 0) : NULL;
    if (x) fill(x, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (W) fill(W, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (b) fill(b, &c->in, c->valmode, VAL_GENERIC, c->is64);
    for (size_t j = 0; j < t->n; j++) {
        int64_t v = decode_target(&c->in, c->valmode, classes, ignore);
        memcpy(t->data + 8 * j, &v, 8);
    }
    if (w) fill(w, &c->in, c->valmode, VAL_WEIGHT, c->is64);
    if (lm_in) fill(lm_in, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (m) fill(m, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (st_in) fill(st_in, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);
    Buf *lm = NULL, *so = NULL, *gx = NULL, *gw = NULL, *gb = NULL;
    int aliased = 0;
    if (kind == K_VPL_STATS) {
        lm = arg(c, "local_max", known, batch, c->es, 1);
        so = arg(c, "stats", known, nstats, c->es, 1);
    } else if (kind == K_VP_RESCALE) {
        so = st_in;  /* read and written in place */
        so->output = 1;
        so->name = "stats (in place)";
    } else {
        aliased = want_gx && c->alias && known && x->ptr && nx > 0;
        if (aliased) { gx = x; x->output = 1; x->name = "grad_input (== input)"; c->npointer++; }
        else if (want_gx) gx = arg(c, "grad_input", known, nx, c->es, 1);
        if (want_gw) gw = arg(c, "grad_linear_weight", known, nw, c->es, 1);
        if (want_gb) gb = arg(c, "grad_linear_bias", known, shard, c->es, 1);
    }
    snapshot_all();

    snprintf(g_desc, sizeof g_desc,
             "swiftloss_%s_%s(batch=%" PRIu64 ", hidden=%" PRIu64 ", shard_classes=%" PRIu64 ", vocab_start=%" PRIu64
             ", classes=%" PRIu64 ", bias=%d, weight_len=%" PRIu64 ", ignore_index=%" PRId64 ", reduction=%d, "
             "label_smoothing=%g, gradients gx/gw/gb=%d%d%d%s)",
             kind_names[kind], c->is64 ? "f64" : "f32", batch, linear ? hidden : 0, shard, start, classes, has_bias,
             wl, ignore, red, eps, want_gx, want_gw, want_gb, aliased ? ", aliased" : "");

    g_expect = 0;
    expect_if(!known || !wl_fits, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(!count_fits(&tmp, c->es, 2, (uint64_t[2]){batch, classes}), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(classes == 0, SWIFTLOSS_ERROR_ZERO_CLASSES);
    expect_if(start > classes || shard > classes - start, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_if(!(eps <= 1.0), SWIFTLOSS_ERROR_INVALID_LABEL_SMOOTHING);
    expect_if(wl != 0 && wl != classes, SWIFTLOSS_ERROR_WEIGHT_SIZE);
    if (bw) expect_if(!red_ok, SWIFTLOSS_ERROR_INVALID_REDUCTION);
    expect_if(aliased, SWIFTLOSS_ERROR_OVERLAP);
    expect_if(w && !w->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(!t->ptr && (!known || batch > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (x) expect_if(!x->ptr && (!known || nx > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (W) expect_if(!W->ptr && (!known || nw > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (lm_in) expect_if(!lm_in->ptr && (!known || batch > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (m) expect_if(!m->ptr && (!known || batch > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (st_in) expect_if(!st_in->ptr && (!known || nstats > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (g) expect_if(!g->ptr && (!known || !red_ok || nout > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (lm) expect_if(!lm->ptr && (!known || batch > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (kind == K_VPL_STATS) expect_if(!so->ptr && (!known || nstats > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (known && t->ptr && t->n == batch && classes > 0)
        for (size_t j = 0; j < batch; j++) {
            int64_t v = ((const int64_t *)t->data)[j];
            expect_if(v != ignore && (v < 0 || (uint64_t)v >= classes), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
        }
    /* linear_cross_entropy's scratch with shard_classes as the class count: max(4, 16 MiB /
     * (max(shard, 1) x size)) rows (a multiple of 4, at most the batch, at least 1), at most
     * 256 MiB */
    if (linear && known) {
        uint64_t v1 = shard > 1 ? shard : 1;
        uint64_t by_budget = v1 > (uint64_t)PTRDIFF_MAX / c->es ? 0 : ((UINT64_C(16) << 20) / (v1 * c->es)) & ~UINT64_C(3);
        uint64_t rows = by_budget > 4 ? by_budget : 4, most = batch > 1 ? batch : 1;
        if (rows > most) rows = most;
        expect_if(!count_fits(&tmp, c->es, 2, (uint64_t[2]){rows, v1}) || tmp * c->es > (UINT64_C(1) << 28),
                  SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    }

    const void *xp = x ? x->ptr : NULL, *Wp = W ? W->ptr : NULL, *bp = b ? b->ptr : NULL, *wp = w ? w->ptr : NULL;
    const void *lmp = lm_in ? lm_in->ptr : NULL, *mp = m ? m->ptr : NULL, *sp = st_in ? st_in->ptr : NULL;
    const void *gp = g ? g->ptr : NULL;
    const int64_t *tp = I64(t);
    size_t nb = (size_t)batch, hd = (size_t)hidden, v = (size_t)shard, s0 = (size_t)start, cl = (size_t)classes;
    size_t wn = (size_t)wl;
#define VPL_CALL(o1, o2, o3)                                                                                         \
    (kind == K_VPL_STATS                                                                                             \
         ? (c->is64 ? swiftloss_vocab_parallel_linear_stats_f64(xp, nb, hd, Wp, bp, v, s0, cl, tp, wp, wn, ignore, eps,\
                                                                o1, o2)                                               \
                    : swiftloss_vocab_parallel_linear_stats_f32(xp, nb, hd, Wp, bp, v, s0, cl, tp, wp, wn, ignore, eps,\
                                                                o1, o2))                                              \
     : kind == K_VP_RESCALE                                                                                          \
         ? (c->is64 ? swiftloss_vocab_parallel_rescale_f64(lmp, nb, v, s0, cl, tp, wp, wn, ignore, eps, mp, o2)      \
                    : swiftloss_vocab_parallel_rescale_f32(lmp, nb, v, s0, cl, tp, wp, wn, ignore, eps, mp, o2))     \
     : (c->is64 ? swiftloss_vocab_parallel_linear_backward_f64(xp, nb, hd, Wp, bp, v, s0, cl, tp, wp, wn, ignore, red,   \
                                                               eps, mp, sp, gp, o1, o2, o3)                           \
                : swiftloss_vocab_parallel_linear_backward_f32(xp, nb, hd, Wp, bp, v, s0, cl, tp, wp, wn, ignore, red,   \
                                                               eps, mp, sp, gp, o1, o2, o3)))
    void *o1 = kind == K_VPL_STATS ? lm->ptr : gx ? gx->ptr : NULL;
    void *o2 = kind == K_VPL_BW ? (gw ? gw->ptr : NULL) : so->ptr;
    void *o3 = gb ? gb->ptr : NULL;
    int st = VPL_CALL(o1, o2, o3);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    for (size_t n = 0; n < nb; n++) {
        int ignored = tp[n] == ignore;
        if (kind == K_VPL_STATS) {
            if (v == 0 && getv(lm, n) != -INFINITY) fail("row %zu: an empty shard's local max is %g", n, getv(lm, n));
            if (ignored || v == 0) for (int k = 0; k < 3; k++) expect_zero(so, k * nb + n, "ignored row's or empty shard's statistics");
            if (!ignored && (tp[n] < (int64_t)s0 || tp[n] >= (int64_t)(s0 + v))) expect_zero(so, nb + n, "target logit of another shard");
            if (!(eps > 0)) expect_zero(so, 2 * nb + n, "smoothing sum without label smoothing");
        } else if (kind == K_VP_RESCALE && ignored) {
            for (int k = 0; k < 3; k++)
                if (memcmp(so->data + (k * nb + n) * c->es, so->snap + (k * nb + n) * c->es, c->es))
                    fail("row %zu: an ignored row's statistics changed", n);
        }
    }
    if (kind == K_VPL_BW && v == 0 && gx && gx->ptr)
        for (size_t j = 0; j < gx->n; j++) expect_zero(gx, j, "an empty shard's grad_input");
    if (c->sizemode == 7 && kind != K_VP_RESCALE && !aliased) {
        Buf *bufs[3] = {kind == K_VPL_STATS ? lm : gx, kind == K_VPL_STATS ? so : gw, gb};
        void *copies[3] = {NULL, NULL, NULL};
        for (int k = 0; k < 3; k++)
            if (bufs[k] && bufs[k]->ptr) copies[k] = malloc(bufs[k]->bytes + 1);
        swiftloss_set_num_threads(1);
        int s1 = VPL_CALL(copies[0], copies[1], copies[2]);
        swiftloss_set_num_threads(0);
        if (s1 != SWIFTLOSS_OK) fail("rerun gave %d", s1);
        for (int k = 0; k < 3; k++)
            if (copies[k]) {
                same_bits(copies[k], bufs[k]->data, bufs[k]->bytes, "threaded vs single-threaded");
                free(copies[k]);
            }
    }
#undef VPL_CALL
    return st;
}

/* vocab_parallel: the four shard-local steps of cross_entropy over a vocabulary split across
 * ranks. batch x shard_classes logits at vocab_start of classes, class-index targets, a
 * per-class weight of classes elements (weight_len as for the class-axis calls), row_max and
 * stats (3 * batch) as given inputs. Statuses as the header says; on success: an empty
 * shard's max is -inf and a NaN-free row's max is its max; ignored rows give zero statistics
 * and zero gradient rows; the target's logit is 0 unless the shard holds it; 'sum' over no
 * row is 0 and 'mean' NaN; with aliasing the gradient is written over the logits (allowed);
 * large mode: threaded == single-threaded. */
static int run_vocab(Ctx *c)
{
    const int kind = c->kind;
    const uint8_t *h = c->in.h;
    uint64_t batch, shard, start, classes;
    decode_vocab_sizes(c, &batch, &shard, &start, &classes);
    if (c->sizemode == 7) batch = ((UINT64_C(1) << 18) + shard - 1) / shard + h[4] % 5;
    if (kind == K_VP_LOSS) shard = 0, start = 0;
    const int has_x = kind != K_VP_LOSS, has_t = kind != K_VP_MAX, has_m_in = kind != K_VP_MAX;
    const int has_stats_in = kind == K_VP_LOSS || kind == K_VP_BW;
    const int has_red = has_stats_in, has_eps = kind != K_VP_MAX;
    const int red = has_red ? reduction_code(c) : SWIFTLOSS_REDUCTION_SUM;
    const int red_ok = red >= 0 && red <= 2;
    const uint64_t nout = red == SWIFTLOSS_REDUCTION_NONE ? batch : 1;
    const double eps = has_eps ? smoothing_value(c) : 0.0;
    const int64_t ignore = has_t ? ignore_value(c, classes) : -100;
    uint64_t count = 0, nstats = 0, tmp;
    int known = count_fits(&count, c->es, 2, (uint64_t[2]){batch, kind == K_VP_LOSS ? 0 : shard});
    known = known && count_fits(&tmp, c->es, 1, &batch);
    if (kind != K_VP_MAX) {
        known = known && count_fits(&nstats, c->es, 2, (uint64_t[2]){batch, 3});
        known = known && classes <= (uint64_t)PTRDIFF_MAX && start <= (uint64_t)PTRDIFF_MAX;
        /* the full logits' shape (batch, classes), which no rank holds, must fit too */
        known = known && count_fits(&tmp, c->es, 2, (uint64_t[2]){batch, classes});
    }
    const uint64_t wl = has_t ? class_weight_len(c, classes) : 0;
    uint64_t wbytes;
    const int wl_fits = count_fits(&wbytes, c->es, 1, &wl);

    Buf *x = has_x ? arg(c, "logits", known, count, c->es, 0) : NULL;
    Buf *t = has_t ? arg(c, "target", known, batch, 8, 0) : NULL;
    Buf *w = (has_t && wl > 0) ? arg(c, "weight", known && wl_fits, wl, c->es, 0) : NULL;
    Buf *m = has_m_in ? arg(c, "row_max", known, batch, c->es, 0) : NULL;
    Buf *st_in = has_stats_in ? arg(c, "stats", known, nstats, c->es, 0) : NULL;
    Buf *g = kind == K_VP_BW ? arg(c, "grad_output", known && red_ok, nout, c->es, 0) : NULL;
    if (x) fill(x, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (t)
        for (size_t j = 0; j < t->n; j++) {
            int64_t v = decode_target(&c->in, c->valmode, classes, ignore);
            memcpy(t->data + 8 * j, &v, 8);
        }
    if (w) fill(w, &c->in, c->valmode, VAL_WEIGHT, c->is64);
    if (m) fill(m, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (st_in) fill(st_in, &c->in, c->valmode, VAL_GENERIC, c->is64);
    if (g) fill(g, &c->in, c->valmode, VAL_GENERIC, c->is64);
    const int aliased = kind == K_VP_BW && c->alias && known && x->ptr && count > 0;
    Buf *out;
    if (aliased) {
        out = x;
        out->output = 1;
        out->name = "grad_logits (== logits)";
        c->npointer++;
    } else {
        const char *name = kind == K_VP_MAX ? "row_max" : kind == K_VP_STATS ? "stats"
                         : kind == K_VP_LOSS ? "output" : "grad_logits";
        uint64_t n = kind == K_VP_MAX ? batch : kind == K_VP_STATS ? nstats : kind == K_VP_LOSS ? nout : count;
        out = arg(c, name, known && (kind != K_VP_LOSS || red_ok), n, c->es, 1);
    }
    snapshot_all();

    snprintf(g_desc, sizeof g_desc,
             "swiftloss_%s_%s(batch=%" PRIu64 ", shard_classes=%" PRIu64 ", vocab_start=%" PRIu64 ", classes=%" PRIu64
             ", weight_len=%" PRIu64 ", ignore_index=%" PRId64 ", reduction=%d, label_smoothing=%g%s)",
             kind_names[kind], c->is64 ? "f64" : "f32", batch, shard, start, classes, wl, ignore, red, eps,
             aliased ? ", in place" : "");

    g_expect = 0;
    expect_if(!known, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    if (has_t) {
        expect_if(!wl_fits, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        /* the targets' class layout: batch x classes elements must fit as well */
        expect_if(!count_fits(&tmp, c->es, 2, (uint64_t[2]){batch, classes}), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        expect_if(classes == 0, SWIFTLOSS_ERROR_ZERO_CLASSES);
        expect_if(kind != K_VP_LOSS && (start > classes || shard > classes - start), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        expect_if(!(eps <= 1.0), SWIFTLOSS_ERROR_INVALID_LABEL_SMOOTHING);
        expect_if(wl != 0 && wl != classes, SWIFTLOSS_ERROR_WEIGHT_SIZE);
        expect_if(w && !w->ptr, SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(!t->ptr && (!known || batch > 0), SWIFTLOSS_ERROR_NULL_POINTER);
        expect_if(!m->ptr && (!known || batch > 0), SWIFTLOSS_ERROR_NULL_POINTER);
        if (known && t->ptr && t->n == batch)
            for (size_t j = 0; j < batch; j++) {
                int64_t v = ((const int64_t *)t->data)[j];
                expect_if(v != ignore && (v < 0 || (uint64_t)v >= classes), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
            }
    }
    if (has_red) expect_if(!red_ok, SWIFTLOSS_ERROR_INVALID_REDUCTION);
    if (x) expect_if(!x->ptr && (!known || count > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (st_in) expect_if(!st_in->ptr && (!known || nstats > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (g) expect_if(!g->ptr && (!known || !red_ok || nout > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    if (!aliased) {
        uint64_t n = kind == K_VP_MAX ? batch : kind == K_VP_STATS ? nstats : kind == K_VP_LOSS ? nout : count;
        expect_if(!out->ptr && (!known || (kind == K_VP_LOSS && !red_ok) || n > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    }

    const void *xp = x ? x->ptr : NULL, *mp = m ? m->ptr : NULL, *sp = st_in ? st_in->ptr : NULL;
    const void *wp = w ? w->ptr : NULL, *gp = g ? g->ptr : NULL;
    const int64_t *tp = t ? I64(t) : NULL;
    size_t b = (size_t)batch, v = (size_t)shard, s0 = (size_t)start, cl = (size_t)classes, wn = (size_t)wl;
#define VP_CALL(op)                                                                                                  \
    (kind == K_VP_MAX                                                                                                \
         ? (c->is64 ? swiftloss_vocab_parallel_max_f64(xp, b, v, op) : swiftloss_vocab_parallel_max_f32(xp, b, v, op)) \
     : kind == K_VP_STATS                                                                                            \
         ? (c->is64 ? swiftloss_vocab_parallel_stats_f64(xp, b, v, s0, cl, tp, wp, wn, ignore, eps, mp, op)          \
                    : swiftloss_vocab_parallel_stats_f32(xp, b, v, s0, cl, tp, wp, wn, ignore, eps, mp, op))         \
     : kind == K_VP_LOSS                                                                                             \
         ? (c->is64 ? swiftloss_vocab_parallel_loss_f64(tp, b, cl, wp, wn, ignore, red, eps, mp, sp, op)             \
                    : swiftloss_vocab_parallel_loss_f32(tp, b, cl, wp, wn, ignore, red, eps, mp, sp, op))            \
     : (c->is64 ? swiftloss_vocab_parallel_backward_f64(xp, b, v, s0, cl, tp, wp, wn, ignore, red, eps, mp, sp, gp, op) \
                : swiftloss_vocab_parallel_backward_f32(xp, b, v, s0, cl, tp, wp, wn, ignore, red, eps, mp, sp, gp, op)))
    int st = VP_CALL(out->ptr);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    const Buf *xs = aliased ? NULL : x;  /* the logits as given (not overwritten) */
    for (size_t n = 0; n < b; n++) {
        int ignored = t && ((const int64_t *)t->data)[n] == ignore;
        if (kind == K_VP_MAX) {
            double mx = -INFINITY;
            int nan = 0;
            for (size_t j = 0; j < v; j++) { double e = getv(xs, n * v + j); nan |= isnan(e); if (e > mx) mx = e; }
            if (!nan && getv(out, n) != mx) fail("row %zu: max %g, expected %g", n, getv(out, n), mx);
        } else if (kind == K_VP_STATS) {
            int64_t tv = ((const int64_t *)t->data)[n];
            if (ignored) for (int k = 0; k < 3; k++) expect_zero(out, k * b + n, "ignored row's statistics");
            if (!ignored && (tv < (int64_t)s0 || tv >= (int64_t)(s0 + v))) expect_zero(out, b + n, "target logit of another shard");
            if (!(eps > 0)) expect_zero(out, 2 * b + n, "smoothing sum without label smoothing");
        } else if (kind == K_VP_BW && ignored) {
            for (size_t j = 0; j < v; j++) expect_zero(out, n * v + j, "ignored row's gradient");
        }
    }
    if (kind == K_VP_LOSS && b == 0 && red == SWIFTLOSS_REDUCTION_SUM) expect_zero(out, 0, "'sum' over no row");
    if (kind == K_VP_LOSS && b == 0 && red == SWIFTLOSS_REDUCTION_MEAN) expect_nan1(out, "'mean' over no row");
    if (c->sizemode == 7 && !aliased) {
        void *o2 = malloc(out->bytes + 1);
        swiftloss_set_num_threads(1);
        int s1 = VP_CALL(o2);
        swiftloss_set_num_threads(0);
        if (s1 != SWIFTLOSS_OK) fail("rerun gave %d", s1);
        same_bits(o2, out->data, out->bytes, "threaded vs single-threaded");
        free(o2);
    }
#undef VP_CALL
    return st;
}

static void run_misc(Ctx *c)
{
    snprintf(g_desc, sizeof g_desc, "threads/status_string/version");
    int code = (int)(int32_t)hu64(&c->in, 0);
    int codes[3] = {code, (int)c->in.h[4] - 3, (int)(int8_t)c->in.h[5]};
    for (int k = 0; k < 3; k++) {
        const char *s = swiftloss_status_string(codes[k]);
        if (!s || !s[0] || strlen(s) > 200) fail("status_string(%d)", codes[k]);
        if ((codes[k] < 0 || codes[k] > SWIFTLOSS_ERROR_OVERLAP) && strcmp(s, "unknown status") != 0)
            fail("status_string(%d) = \"%s\", expected \"unknown status\"", codes[k], s);
    }
    if (swiftloss_version_number() != SWIFTLOSS_VERSION_NUMBER) fail("version number");
    if (strcmp(swiftloss_version_string(), SWIFTLOSS_VERSION_STRING) != 0) fail("version string");
    int n = (int)(int32_t)hu64(&c->in, 1);
    if (c->in.h[6] & 1) n = (int)c->in.h[7] - 8;
    swiftloss_set_num_threads(n);
    int got = swiftloss_get_num_threads();
    if (n > 0 && got != (n > 256 ? 256 : n)) fail("set_num_threads(%d) then get = %d", n, got);
    if (got < 1 || got > 256) fail("set_num_threads(%d) then get = %d", n, got);
    swiftloss_set_num_threads(0);
    if (swiftloss_get_num_threads() < 1) fail("default thread count < 1");
}

/* gemm: c (m x n, row-major, ldc) = (accumulate ? c : 0) + opA opB, sizes from decode_sizes3's
 * modes, leading dimensions padded (h[9]) or a row short, the flags from h[11]. Statuses as
 * the header says; c's padding between rows untouched; with moderate finite inputs the
 * result within float rounding of a naive sum in double; with aliasing c is put over a
 * (refused); large mode: threaded == single-threaded. */
static int span_of(uint64_t rows, uint64_t width, uint64_t ld, size_t es, uint64_t *out)
{
    if (rows == 0 || width == 0) { *out = 0; return 1; }
    uint64_t r;
    if (__builtin_mul_overflow(rows - 1, ld, &r) || __builtin_add_overflow(r, width, &r)) return 0;
    uint64_t s1[1] = {r};
    return count_fits(out, es, 1, s1);
}

static int run_gemm(Ctx *c)
{
    const uint8_t *h = c->in.h;
    uint64_t m, n, k;
    switch (c->sizemode) {
    case 5: case 6:
        m = huge_size(&c->in, 0, h[4]); n = huge_size(&c->in, 1, h[5]); k = huge_size(&c->in, 2, h[6]);
        if (c->sizemode == 6) { if (h[7] % 3 == 0) m = 0; else if (h[7] % 3 == 1) n = 0; else k = 0; }
        break;
    case 7:
        m = 20 + h[4] % 50; n = 30 + h[5] % 90; k = 250 + h[6] % 300;
        break;
    default:
        m = h[4] % 9; n = h[5] % 20; k = h[6] % 20;
        break;
    }
    int ta = h[11] & 1, tb = (h[11] >> 1) & 1, acc = (h[11] >> 2) & 1;
    int fa = ta, fb = tb, fc = acc;
    if (h[11] >= 240) {
        int bad = (h[11] & 8) ? 2 : -1;
        if (h[11] % 3 == 0) fa = bad; else if (h[11] % 3 == 1) fb = bad; else fc = bad;
    }
    const int flags_ok = fa == ta && fb == tb && fc == acc;
    uint64_t wa = ta ? m : k, ra = ta ? k : m, wb = tb ? k : n, rb = tb ? n : k;
    uint64_t lda = wa + (h[9] & 3), ldb = wb + ((h[9] >> 2) & 3), ldc = n + ((h[9] >> 4) & 3);
    if (h[9] >= 240) {
        if (h[9] % 3 == 0) lda = wa - 1; else if (h[9] % 3 == 1) ldb = wb - 1; else ldc = n - 1;
    }
    const int ld_ok = lda >= wa && ldb >= wb && ldc >= n;
    const uint64_t all[6] = {m, n, k, lda, ldb, ldc};
    int sizes_ok = 1;
    for (int j = 0; j < 6; j++) sizes_ok &= all[j] <= (uint64_t)PTRDIFF_MAX;
    uint64_t sa = 0, sb = 0, sc = 0;
    const int ka = span_of(ra, wa, lda, c->es, &sa), kb = span_of(rb, wb, ldb, c->es, &sb);
    const int kc = span_of(m, n, ldc, c->es, &sc);
    const int known = sizes_ok && ld_ok && ka && kb && kc;

    Buf *a = arg(c, "a", known, sa, c->es, 0);
    Buf *b = arg(c, "b", known, sb, c->es, 0);
    fill(a, &c->in, c->valmode, VAL_GENERIC, c->is64);
    fill(b, &c->in, c->valmode, VAL_GENERIC, c->is64);
    const int aliased = c->alias && known && a->ptr && sa > 0 && sc > 0;
    Buf *out = aliased ? a : arg(c, "c", known, sc, c->es, 1);
    if (aliased) { a->output = 1; a->name = "c (== a)"; c->npointer++; }
    else fill(out, &c->in, c->valmode, VAL_GENERIC, c->is64);  /* read with accumulate */
    snapshot_all();

    snprintf(g_desc, sizeof g_desc,
             "swiftloss_gemm_%s(trans_a=%d, trans_b=%d, m=%" PRIu64 ", n=%" PRIu64 ", k=%" PRIu64 ", lda=%" PRIu64
             ", ldb=%" PRIu64 ", ldc=%" PRIu64 ", accumulate=%d%s)",
             c->is64 ? "f64" : "f32", fa, fb, m, n, k, lda, ldb, ldc, fc, aliased ? ", aliased" : "");

    g_expect = 0;
    expect_if(!flags_ok, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_if(!ld_ok, SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    expect_if(!sizes_ok || !ka || !kb || !kc, SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    expect_if(!a->ptr && (!known || sa > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(!b->ptr && (!known || sb > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(!out->ptr && (!known || sc > 0), SWIFTLOSS_ERROR_NULL_POINTER);
    expect_if(aliased, SWIFTLOSS_ERROR_OVERLAP);

    const void *ap = a->ptr, *bp = b->ptr;
    void *op = out->ptr;
#define GEMM_CALL(op)                                                                          \
    (c->is64 ? swiftloss_gemm_f64(fa, fb, m, n, k, ap, lda, bp, ldb, op, ldc, fc)               \
             : swiftloss_gemm_f32(fa, fb, m, n, k, ap, lda, bp, ldb, op, ldc, fc))
    int st = GEMM_CALL(op);
    check_status(st);
    check_buffers(st);
    if (st != SWIFTLOSS_OK) return st;

    /* padding between c's rows untouched; the values against a naive sum when moderate */
    int moderate = all_within(a, 64) && all_within(b, 64) && (!acc || all_within(out, 64));
    for (uint64_t i = 0; i < m && sc > 0; i++) {  /* sc == 0: nothing to look at (m may be 2^62) */
        for (uint64_t j = n; j < ldc && i + 1 < m; j++)
            if (memcmp(out->snap + (i * ldc + j) * c->es, out->data + (i * ldc + j) * c->es, c->es) != 0)
                fail("c[%" PRIu64 "] between rows was written", i * ldc + j);
        if (!moderate) continue;
        for (uint64_t j = 0; j < n; j++) {
            double want = 0, scale = 0, old;
            if (c->es == 4) { float f; memcpy(&f, out->snap + 4 * (i * ldc + j), 4); old = f; }
            else memcpy(&old, out->snap + 8 * (i * ldc + j), 8);
            if (acc) { want = old; scale = fabs(old); }
            for (uint64_t p = 0; p < k; p++) {
                double x = getv(a, ta ? p * lda + i : i * lda + p), y = getv(b, tb ? j * ldb + p : p * ldb + j);
                want += x * y;
                scale += fabs(x * y);
            }
            double got = getv(out, i * ldc + j);
            /* plus the type's subnormal spacing a term: products below it underflow */
            double floor_ = (double)(k + 1) * (c->is64 ? 0x1p-1074 : 0x1p-149);
            if (!(fabs(got - want) <= (c->is64 ? 1e-13 : 1e-5) * scale + floor_))
                fail("c[%" PRIu64 ", %" PRIu64 "] = %.17g, naive sum %.17g", i, j, got, want);
        }
    }
    if (c->sizemode == 7 && sc > 0) {
        void *o2 = malloc(out->bytes + 1);
        memcpy(o2, out->snap, out->bytes);
        swiftloss_set_num_threads(1);
        int s1 = GEMM_CALL(o2);
        swiftloss_set_num_threads(0);
        if (s1 != SWIFTLOSS_OK) fail("rerun gave %d", s1);
        same_bits(o2, out->data, out->bytes, "threaded vs single-threaded");
        free(o2);
    }
#undef GEMM_CALL
    return st;
}


/* ======================================================================================
 * Entry
 * ====================================================================================== */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t header[HEADER];
    memset(header, 0, sizeof header);
    memcpy(header, data, size < HEADER ? size : HEADER);

    Ctx c;
    memset(&c, 0, sizeof c);
    c.in.h = header;
    c.in.v = size > HEADER ? data + HEADER : NULL;
    c.in.vn = size > HEADER ? size - HEADER : 0;
    c.entry = header[0] % NENTRIES;
    c.sizemode = header[1] & 7;
    if (c.sizemode == 7 && (header[15] != 'L' || g_no_large)) c.sizemode = 0;
    c.valmode = (header[1] >> 3) & 3;
    if (c.valmode == 3) c.valmode = 0;
    c.alias = (header[1] >> 5) & 1;
    c.nullinj = (header[1] >> 6) & 1;
    c.hasw = (header[1] >> 7) & 1;
    c.nullmask = header[2];
    c.misc = header[3];
    c.haspw = (header[3] >> 4) & 1;
    g_misalign = (header[3] >> 1) & 7;
    g_guard_inputs = c.alias;
    g_cap = c.sizemode == 7 ? LARGE_CAP : SMALL_CAP;
    g_nbufs = 0;

    if (g_only && g_only[0]) {
        char name[96];
        entry_name(c.entry, name, sizeof name);
        if (!strstr(name, g_only)) return 0;
    }
    g_calls[c.entry]++;
    if (c.entry == E_MISC) {
        run_misc(&c);
        g_ok[c.entry]++;
        return 0;
    }
    c.kind = c.entry / 2;
    c.is64 = c.entry & 1;
    c.es = c.is64 ? 8 : 4;

    int st;
    if (c.kind <= K_LOG_SOFTMAX_BW) st = run_axis(&c);
    else if (c.kind <= K_CE_PROBS_BW || c.kind == K_CE_EX || c.kind == K_CE_PROBS_EX) st = run_class(&c);
    else if (c.kind == K_LCE || c.kind == K_LCE_PROBS) st = run_lce(&c);
    else if (c.kind == K_GEMM) st = run_gemm(&c);
    else if (c.kind >= K_VP_MAX && c.kind <= K_VP_BW) st = run_vocab(&c);
    else if (c.kind >= K_VPL_STATS && c.kind <= K_VPL_BW) st = run_vocab_linear(&c);
    else if (c.kind > K_CTC_BW) abort();  /* a kind without a runner */
    else if (c.kind >= K_CTC) st = run_ctc(&c);
    else if (c.kind >= K_COSINE) st = run_rows(&c);
    else if (c.kind >= K_MARGIN_RANKING) st = run_three(&c);
    else if (c.kind >= K_MULTI_MARGIN) st = run_margin(&c);
    else if (c.kind >= K_MULTILABEL) st = run_multilabel(&c);
    else st = run_elem(&c);
    if (st == SWIFTLOSS_OK) g_ok[c.entry]++;
    if (g_verbose) {
        fprintf(stderr, "%s -> %d (%s)\n", g_desc, st, swiftloss_status_string(st));
        for (int k = 0; k < g_nbufs && st == SWIFTLOSS_OK; k++) {
            const Buf *b = &g_bufs[k];
            if (!b->output || !b->ptr) continue;
            fprintf(stderr, "    %s:", b->name);
            for (size_t j = 0; j < b->n && j < 8; j++) fprintf(stderr, " %.7g", getv(b, j));
            fprintf(stderr, "%s\n", b->n > 8 ? " ..." : "");
        }
    }
    free_bufs();
    return 0;
}
