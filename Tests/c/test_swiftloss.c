/*
 * test_swiftloss.c - the C test suite of libswiftloss (include/swiftloss.h is the contract).
 *
 * Plain C99 that also compiles as C++17, with no test framework:
 *     cc  -std=c99 -Wall -Wextra -Werror -pedantic -Iinclude Tests/c/test_swiftloss.c -lswiftloss
 *     c++ -x c++ -std=c++17 -Wall -Wextra -Werror -Iinclude Tests/c/test_swiftloss.c -lswiftloss
 * (Tests/c/run.sh does both and runs them.)
 *
 * How it is organised
 *   - Every test runs twice, once against the _f32 and once against the _f64 functions.
 *     Test data are written once, in double, and held in a `vec`, which carries a double and a
 *     float copy. The wrappers sm, lsm, nll, ce, cep, bce, bcel and kl (and the gradients'
 *     sm_bw, ..., kl_bw and ce_fused) call the function of the current precision (g_f32)
 *     and copy a float result back into the double copy.
 *   - Each wrapper first fills its output with SENTINEL (except in place, when the output is
 *     the input), so a check can tell exactly which elements a call wrote: CHECK_VALUES wants
 *     the expected values followed by untouched sentinels, and CHECK_ERROR wants the status
 *     and an output that is all sentinels.
 *   - Expected values come from articles.md (the PyTorch 2.15 float32 column) or are
 *     computed by hand from SEMANTICS.md. The program calls no libm function, so
 *     that it links with -lswiftloss alone: values that need log or exp are written out, with
 *     their formula beside them.
 *
 * Output: one line per failed check (file:line, precision, what failed), then a last line
 * "N passed, M failed". The exit status is 1 if any check failed.
 */
#if !defined(_POSIX_C_SOURCE) && !defined(__cplusplus)
#define _POSIX_C_SOURCE 200809L /* fork, waitpid, alarm in test_threads */
#endif
#include "swiftloss.h"

#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <sys/wait.h>
#include <unistd.h>
#endif

/* ========================================================================================
 * Checks
 * ======================================================================================== */

#define TOL 1e-5           /* articles.md: agree with PyTorch's float32 values to 1e-5 */
#define SENTINEL 12345.0   /* what an output holds before a call (exact in float too)  */

static int g_passed, g_failed;
static int g_f32;                 /* 1: call the _f32 functions; 0: the _f64 ones */
static const char *g_prec = "any"; /* "f32" or "f64", for the failure lines */
static char g_ctx[96];            /* extra context for checks inside a loop, or "" */
static const char *g_test = "";   /* the test function running, for a crash report */

static void record(int ok, const char *file, int line, const char *what, const char *detail)
{
    if (ok) {
        g_passed++;
        return;
    }
    g_failed++;
    printf("%s:%d: FAILED [%s%s%s] %s%s%s\n", file, line, g_prec, g_ctx[0] ? ", " : "",
           g_ctx, what, detail[0] ? ": " : "", detail);
    fflush(stdout);
}

/* A crash inside the library still names the test and ends with the summary line. */
static void on_crash(int sig)
{
    printf("CRASHED with signal %d in %s [%s%s%s]\n%d passed, %d failed\n", sig, g_test,
           g_prec, g_ctx[0] ? ", " : "", g_ctx, g_passed, g_failed + 1);
    fflush(stdout);
    _Exit(1);
}

static int is_nan(double x) { return x != x; }

/* |a - b| <= tol; equal infinities match, and NaN matches only NaN. */
static int near(double a, double b, double tol)
{
    if (is_nan(a) || is_nan(b))
        return is_nan(a) && is_nan(b);
    if (a == b)
        return 1;
    return (a > b ? a - b : b - a) <= tol;
}

static void check_true(int ok, const char *file, int line, const char *expr)
{
    record(ok, file, line, expr, "");
}

static void check_near(double got, double want, double tol, const char *file, int line,
                       const char *expr)
{
    char detail[96];
    snprintf(detail, sizeof detail, "got %.9g, expected %.9g (tol %g)", got, want, tol);
    record(near(got, want, tol), file, line, expr, detail);
}

static void check_status(int got, int want, const char *file, int line, const char *expr)
{
    char detail[160];
    snprintf(detail, sizeof detail, "returned %d (%s), expected %d (%s)", got,
             swiftloss_status_string(got), want, swiftloss_status_string(want));
    record(got == want, file, line, expr, detail);
}

#define CHECK(cond) check_true((cond) ? 1 : 0, __FILE__, __LINE__, #cond)
#define CHECK_NEAR(a, b, tol) check_near((a), (b), (tol), __FILE__, __LINE__, #a)
#define CHECK_STATUS(call, expected) \
    check_status((int)(call), (int)(expected), __FILE__, __LINE__, #call)

/* ========================================================================================
 * vec: a test buffer with a double and a float copy. All vecs are freed by vec_free_all().
 * ======================================================================================== */

typedef struct vec {
    size_t n;
    double *d;
    float *f;
    struct vec *next;
} vec;

static vec *g_vecs;

static vec *vec_new(size_t n)
{
    vec *v = (vec *)calloc(1, sizeof *v);
    if (v != NULL) {
        v->d = (double *)calloc(n ? n : 1, sizeof *v->d);
        v->f = (float *)calloc(n ? n : 1, sizeof *v->f);
    }
    if (v == NULL || v->d == NULL || v->f == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    v->n = n;
    v->next = g_vecs;
    g_vecs = v;
    return v;
}

static void vec_set(vec *v, size_t i, double x)
{
    v->d[i] = x;
    v->f[i] = (float)x;
}

static void vec_fill(vec *v, double x)
{
    size_t i;
    for (i = 0; i < v->n; i++)
        vec_set(v, i, x);
}

static vec *vec_of(const double *a, size_t n)
{
    vec *v = vec_new(n);
    size_t i;
    for (i = 0; i < n; i++)
        vec_set(v, i, a[i]);
    return v;
}

#define VEC(array) vec_of((array), sizeof(array) / sizeof((array)[0]))

/* n elements, all x. */
static vec *vec_const(size_t n, double x)
{
    vec *v = vec_new(n);
    vec_fill(v, x);
    return v;
}

/* An output buffer of n elements, all SENTINEL. */
static vec *vec_out(size_t n) { return vec_const(n, SENTINEL); }

static void vec_free_all(void)
{
    while (g_vecs != NULL) {
        vec *next = g_vecs->next;
        free(g_vecs->d);
        free(g_vecs->f);
        free(g_vecs);
        g_vecs = next;
    }
}

/* The first n elements of out are want[0..n), the rest are still SENTINEL. */
static void check_values(const vec *out, const double *want, size_t n, double tol,
                         const char *file, int line, const char *expr)
{
    char detail[128] = "";
    size_t i;
    int ok = n <= out->n;
    if (!ok)
        snprintf(detail, sizeof detail, "buffer has %zu elements, %zu expected", out->n, n);
    for (i = 0; ok && i < out->n; i++) {
        if (i < n && !near(out->d[i], want[i], tol)) {
            snprintf(detail, sizeof detail, "element %zu is %.9g, expected %.9g (tol %g)", i,
                     out->d[i], want[i], tol);
            ok = 0;
        } else if (i >= n && out->d[i] != SENTINEL) {
            snprintf(detail, sizeof detail, "element %zu was written (%zu expected)", i, n);
            ok = 0;
        }
    }
    record(ok, file, line, expr, detail);
}

/* The call returned `want` (an error) and left every element of out at SENTINEL. */
static void check_error(int got, int want, const vec *out, const char *file, int line,
                        const char *expr)
{
    size_t i;
    check_status(got, want, file, line, expr);
    if (out == NULL)
        return;
    for (i = 0; i < out->n && out->d[i] == SENTINEL; i++) {
    }
    record(i == out->n, file, line, expr, "output written on error");
}

#define CHECK_VALUES(out, want, n, tol) \
    check_values((out), (want), (n), (tol), __FILE__, __LINE__, #out " == " #want)
#define CHECK_SCALAR(out, want, tol)                                           \
    do {                                                                       \
        double want_ = (want);                                                 \
        check_values((out), &want_, 1, (tol), __FILE__, __LINE__, #out " == " #want); \
    } while (0)
#define CHECK_ERROR(out, call, expected) \
    check_error((int)(call), (int)(expected), (out), __FILE__, __LINE__, #call)

/* ========================================================================================
 * Wrappers: call the _f32 or _f64 function (g_f32). A NULL vec is passed as NULL.
 * ======================================================================================== */

enum {
    OK = SWIFTLOSS_OK,
    NONE = SWIFTLOSS_REDUCTION_NONE,
    SUM = SWIFTLOSS_REDUCTION_SUM,
    MEAN = SWIFTLOSS_REDUCTION_MEAN,
    BATCHMEAN = SWIFTLOSS_REDUCTION_BATCHMEAN
};
#define IGNORE (-100) /* PyTorch's default ignore_index */

static float *F(const vec *v) { return v ? v->f : NULL; }
static double *D(const vec *v) { return v ? v->d : NULL; }

/* Fill out with SENTINEL, unless it is one of the inputs (an in-place call). */
static void before(vec *out, const vec *input, const vec *input2)
{
    if (out != NULL && out != input && out != input2)
        vec_fill(out, SENTINEL);
}

static swiftloss_status after(vec *out, swiftloss_status status)
{
    size_t i;
    if (g_f32 && out != NULL)
        for (i = 0; i < out->n; i++)
            out->d[i] = out->f[i];
    return status;
}

static swiftloss_status sm(const vec *x, size_t outer, size_t dim, size_t inner, vec *out)
{
    before(out, x, NULL);
    return after(out, g_f32 ? swiftloss_softmax_f32(F(x), outer, dim, inner, F(out))
                            : swiftloss_softmax_f64(D(x), outer, dim, inner, D(out)));
}

static swiftloss_status lsm(const vec *x, size_t outer, size_t dim, size_t inner, vec *out)
{
    before(out, x, NULL);
    return after(out, g_f32 ? swiftloss_log_softmax_f32(F(x), outer, dim, inner, F(out))
                            : swiftloss_log_softmax_f64(D(x), outer, dim, inner, D(out)));
}

static swiftloss_status nll(const vec *x, const int64_t *t, size_t batch, size_t classes,
                            size_t inner, const vec *w, size_t wlen, int64_t ignore,
                            int reduction, vec *out)
{
    before(out, x, NULL);
    return after(out, g_f32 ? swiftloss_nll_loss_f32(F(x), t, batch, classes, inner, F(w),
                                                     wlen, ignore, reduction, F(out))
                            : swiftloss_nll_loss_f64(D(x), t, batch, classes, inner, D(w),
                                                     wlen, ignore, reduction, D(out)));
}

static swiftloss_status ce(const vec *x, const int64_t *t, size_t batch, size_t classes,
                           size_t inner, const vec *w, size_t wlen, int64_t ignore,
                           int reduction, double smoothing, vec *out)
{
    before(out, x, NULL);
    return after(out, g_f32 ? swiftloss_cross_entropy_f32(F(x), t, batch, classes, inner,
                                                          F(w), wlen, ignore, reduction,
                                                          smoothing, F(out))
                            : swiftloss_cross_entropy_f64(D(x), t, batch, classes, inner,
                                                          D(w), wlen, ignore, reduction,
                                                          smoothing, D(out)));
}

static swiftloss_status cep(const vec *x, const vec *q, size_t batch, size_t classes,
                            size_t inner, const vec *w, size_t wlen, int64_t ignore,
                            int reduction, double smoothing, vec *out)
{
    before(out, x, NULL);
    return after(out, g_f32 ? swiftloss_cross_entropy_probs_f32(F(x), F(q), batch, classes,
                                                                inner, F(w), wlen, ignore,
                                                                reduction, smoothing, F(out))
                            : swiftloss_cross_entropy_probs_f64(D(x), D(q), batch, classes,
                                                                inner, D(w), wlen, ignore,
                                                                reduction, smoothing, D(out)));
}

static swiftloss_status bce(const vec *x, const vec *t, size_t count, const vec *w,
                            size_t wlen, int reduction, vec *out)
{
    before(out, x, NULL);
    return after(out, g_f32 ? swiftloss_binary_cross_entropy_f32(F(x), F(t), count, F(w),
                                                                 wlen, reduction, F(out))
                            : swiftloss_binary_cross_entropy_f64(D(x), D(t), count, D(w),
                                                                 wlen, reduction, D(out)));
}

static swiftloss_status bcel(const vec *x, const vec *t, size_t count, const vec *w,
                             size_t wlen, const vec *pw, size_t pwlen, int reduction,
                             vec *out)
{
    before(out, x, NULL);
    return after(out, g_f32 ? swiftloss_binary_cross_entropy_with_logits_f32(
                                  F(x), F(t), count, F(w), wlen, F(pw), pwlen, reduction,
                                  F(out))
                            : swiftloss_binary_cross_entropy_with_logits_f64(
                                  D(x), D(t), count, D(w), wlen, D(pw), pwlen, reduction,
                                  D(out)));
}

static swiftloss_status kl(const vec *x, const vec *t, size_t count, size_t batch,
                           int reduction, int log_target, vec *out)
{
    before(out, x, NULL);
    return after(out, g_f32 ? swiftloss_kl_div_f32(F(x), F(t), count, batch, reduction,
                                                   log_target, F(out))
                            : swiftloss_kl_div_f64(D(x), D(t), count, batch, reduction,
                                                   log_target, D(out)));
}

/* The gradients: grad_input is written where the forward functions write out. */

static swiftloss_status sm_bw(const vec *y, const vec *g, size_t outer, size_t dim, size_t inner,
                              vec *gx)
{
    before(gx, y, g);
    return after(gx, g_f32 ? swiftloss_softmax_backward_f32(F(y), F(g), outer, dim, inner, F(gx))
                           : swiftloss_softmax_backward_f64(D(y), D(g), outer, dim, inner, D(gx)));
}

static swiftloss_status lsm_bw(const vec *y, const vec *g, size_t outer, size_t dim, size_t inner,
                               vec *gx)
{
    before(gx, y, g);
    return after(gx, g_f32 ? swiftloss_log_softmax_backward_f32(F(y), F(g), outer, dim, inner,
                                                                F(gx))
                           : swiftloss_log_softmax_backward_f64(D(y), D(g), outer, dim, inner,
                                                                D(gx)));
}

static swiftloss_status nll_bw(const int64_t *t, size_t batch, size_t classes, size_t inner,
                               const vec *w, size_t wlen, int64_t ignore, int reduction,
                               const vec *g, vec *gx)
{
    before(gx, g, NULL);
    return after(gx, g_f32 ? swiftloss_nll_loss_backward_f32(t, batch, classes, inner, F(w), wlen,
                                                             ignore, reduction, F(g), F(gx))
                           : swiftloss_nll_loss_backward_f64(t, batch, classes, inner, D(w), wlen,
                                                             ignore, reduction, D(g), D(gx)));
}

static swiftloss_status ce_bw(const vec *x, const int64_t *t, size_t batch, size_t classes,
                              size_t inner, const vec *w, size_t wlen, int64_t ignore,
                              int reduction, double smoothing, const vec *g, vec *gx)
{
    before(gx, x, g);
    return after(gx, g_f32 ? swiftloss_cross_entropy_backward_f32(F(x), t, batch, classes, inner,
                                                                  F(w), wlen, ignore, reduction,
                                                                  smoothing, F(g), F(gx))
                           : swiftloss_cross_entropy_backward_f64(D(x), t, batch, classes, inner,
                                                                  D(w), wlen, ignore, reduction,
                                                                  smoothing, D(g), D(gx)));
}

static swiftloss_status ce_fused(const vec *x, const int64_t *t, size_t batch, size_t classes,
                                 size_t inner, const vec *w, size_t wlen, int64_t ignore,
                                 int reduction, double smoothing, const vec *g, vec *out,
                                 vec *gx)
{
    swiftloss_status status;
    before(out, NULL, NULL);
    before(gx, x, g);
    status = g_f32 ? swiftloss_cross_entropy_fused_f32(F(x), t, batch, classes, inner, F(w),
                                                       wlen, ignore, reduction, smoothing, F(g),
                                                       F(out), F(gx))
                   : swiftloss_cross_entropy_fused_f64(D(x), t, batch, classes, inner, D(w),
                                                       wlen, ignore, reduction, smoothing, D(g),
                                                       D(out), D(gx));
    after(out, status);
    return after(gx, status);
}

static swiftloss_status cep_bw(const vec *x, const vec *q, size_t batch, size_t classes,
                               size_t inner, const vec *w, size_t wlen, int64_t ignore,
                               int reduction, double smoothing, const vec *g, vec *gx)
{
    before(gx, x, g);
    return after(gx, g_f32 ? swiftloss_cross_entropy_probs_backward_f32(
                                 F(x), F(q), batch, classes, inner, F(w), wlen, ignore,
                                 reduction, smoothing, F(g), F(gx))
                           : swiftloss_cross_entropy_probs_backward_f64(
                                 D(x), D(q), batch, classes, inner, D(w), wlen, ignore,
                                 reduction, smoothing, D(g), D(gx)));
}

static swiftloss_status bce_bw(const vec *x, const vec *t, size_t count, const vec *w,
                               size_t wlen, int reduction, const vec *g, vec *gx)
{
    before(gx, x, g);
    return after(gx, g_f32 ? swiftloss_binary_cross_entropy_backward_f32(
                                 F(x), F(t), count, F(w), wlen, reduction, F(g), F(gx))
                           : swiftloss_binary_cross_entropy_backward_f64(
                                 D(x), D(t), count, D(w), wlen, reduction, D(g), D(gx)));
}

static swiftloss_status bcel_bw(const vec *x, const vec *t, size_t count, const vec *w,
                                size_t wlen, const vec *pw, size_t pwlen, int reduction,
                                const vec *g, vec *gx)
{
    before(gx, x, g);
    return after(gx, g_f32 ? swiftloss_binary_cross_entropy_with_logits_backward_f32(
                                 F(x), F(t), count, F(w), wlen, F(pw), pwlen, reduction, F(g),
                                 F(gx))
                           : swiftloss_binary_cross_entropy_with_logits_backward_f64(
                                 D(x), D(t), count, D(w), wlen, D(pw), pwlen, reduction, D(g),
                                 D(gx)));
}

static swiftloss_status kl_bw(const vec *t, size_t count, size_t batch, int reduction,
                              int log_target, const vec *g, vec *gx)
{
    before(gx, g, NULL);
    return after(gx, g_f32 ? swiftloss_kl_div_backward_f32(F(t), count, batch, reduction,
                                                           log_target, F(g), F(gx))
                           : swiftloss_kl_div_backward_f64(D(t), count, batch, reduction,
                                                           log_target, D(g), D(gx)));
}

/* cross_entropy(x) (via_nll == 0) or nll_loss(log_softmax(x)) (via_nll == 1): PyTorch's
 * CrossEntropyLoss is exactly NLLLoss after LogSoftmax (article 000), so tests run both. */
static swiftloss_status ce_or_nll(int via_nll, const vec *x, const int64_t *t, size_t batch,
                                  size_t classes, size_t inner, const vec *w, size_t wlen,
                                  int64_t ignore, int reduction, vec *out)
{
    vec *lp;
    swiftloss_status status;
    if (!via_nll)
        return ce(x, t, batch, classes, inner, w, wlen, ignore, reduction, 0.0, out);
    lp = vec_new(x->n);
    status = lsm(x, batch, classes, inner, lp);
    if (status != SWIFTLOSS_OK)
        return status;
    return nll(lp, t, batch, classes, inner, w, wlen, ignore, reduction, out);
}

static const char *const VIA_NAME[2] = {"cross_entropy", "nll_loss(log_softmax)"};

/* ========================================================================================
 * Version and status strings (no precision)
 * ======================================================================================== */

static void test_version_and_status_strings(void)
{
    static const int unknown[] = {-1, 13, 999}; /* 13: the first unused code */
    int code;
    size_t i;

    CHECK(swiftloss_version_number() == SWIFTLOSS_VERSION_NUMBER);
    CHECK(swiftloss_version_string() != NULL &&
          strcmp(swiftloss_version_string(), SWIFTLOSS_VERSION_STRING) == 0);
    {
        const char *k = swiftloss_kernels_string();
        CHECK(k != NULL && (strcmp(k, "baseline") == 0 || strcmp(k, "avx2") == 0 ||
                            strcmp(k, "avx2+avx512-gemm") == 0));
        CHECK(k == swiftloss_kernels_string()); /* static storage, picked once */
    }

    for (code = SWIFTLOSS_OK; code <= SWIFTLOSS_ERROR_OVERLAP; code++) {
        const char *s = swiftloss_status_string(code);
        snprintf(g_ctx, sizeof g_ctx, "status %d", code);
        CHECK(s != NULL && s[0] != '\0' && strcmp(s, "unknown status") != 0);
    }
    for (i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = swiftloss_status_string(unknown[i]);
        snprintf(g_ctx, sizeof g_ctx, "status %d", unknown[i]);
        CHECK(s != NULL && strcmp(s, "unknown status") == 0);
    }
    g_ctx[0] = '\0';
    CHECK(strcmp(swiftloss_status_string(SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS),
                 "target out of bounds") == 0); /* the header's example */
}

/* ========================================================================================
 * articles.md A: softmax, log_softmax, NLLLoss, CrossEntropyLoss, label smoothing (001)
 * ======================================================================================== */

static const double A_PREDS[] = {0.1, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.1}; /* (2, 4) */
static const int64_t A_TARGET[] = {2, 3};

static void test_article_a(void)
{
    static const double softmax_want[] = {0.213838, 0.236328, 0.261183, 0.288651,
                                          0.25,     0.25,     0.25,     0.25};
    static const double log_softmax_want[] = {-1.542536, -1.442536, -1.342536, -1.242536,
                                              -1.386294, -1.386294, -1.386294, -1.386294};
    static const double one_hot[] = {0, 0, 1, 0, 0, 0, 0, 1};
    static const double uniform[] = {0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25};
    /* per-row nll = -log_softmax[target]; per-row smoothing term = -sum(log_softmax) / 4 */
    static const double nll_rows[] = {1.342536, 1.386294};
    static const double smooth_rows[] = {5.570142 / 4, 5.545177 / 4};
    static const double eps01_rows[] = {0.9 * 1.342536 + 0.1 * 5.570142 / 4,
                                        0.9 * 1.386294 + 0.1 * 5.545177 / 4};
    vec *x = VEC(A_PREDS), *out = vec_out(9), *lp = vec_out(9);
    int via;

    CHECK_STATUS(sm(x, 2, 4, 1, out), OK);
    CHECK_VALUES(out, softmax_want, 8, TOL);
    CHECK_STATUS(lsm(x, 2, 4, 1, lp), OK);
    CHECK_VALUES(lp, log_softmax_want, 8, TOL);

    /* nll_loss(log_softmax(preds), target) and cross_entropy(preds, target): 1.364415 */
    CHECK_STATUS(nll(lp, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, MEAN, out), OK);
    CHECK_SCALAR(out, 1.364415, TOL);
    for (via = 0; via < 2; via++) {
        snprintf(g_ctx, sizeof g_ctx, "%s", VIA_NAME[via]);
        CHECK_STATUS(ce_or_nll(via, x, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, MEAN, out), OK);
        CHECK_SCALAR(out, 1.364415, TOL);
        CHECK_STATUS(ce_or_nll(via, x, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, NONE, out), OK);
        CHECK_VALUES(out, nll_rows, 2, TOL);
        CHECK_STATUS(ce_or_nll(via, x, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, SUM, out), OK);
        CHECK_SCALAR(out, 1.342536 + 1.386294, TOL);
    }
    g_ctx[0] = '\0';

    /* label smoothing 0.1: 0.9 * 1.364415 + 0.1 * 1.389415 = 1.366915 */
    CHECK_STATUS(ce(x, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, MEAN, 0.1, out), OK);
    CHECK_SCALAR(out, 1.366915, TOL);
    CHECK_STATUS(ce(x, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, NONE, 0.1, out), OK);
    CHECK_VALUES(out, eps01_rows, 2, TOL);
    /* label_smoothing 1.0 leaves only the smoothing term: -sum(log_softmax) / (N*K) */
    CHECK_STATUS(ce(x, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, MEAN, 1.0, out), OK);
    CHECK_SCALAR(out, 1.389415, TOL);
    CHECK_STATUS(ce(x, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, NONE, 1.0, out), OK);
    CHECK_VALUES(out, smooth_rows, 2, TOL);
    CHECK_STATUS(ce(x, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, SUM, 1.0, out), OK);
    CHECK_SCALAR(out, 2 * 1.389415, TOL);

    /* The same with probability targets: manual -sum(one_hot * log_softmax) / N = 1.364415;
     * a uniform target is the smoothing term; one-hot smoothed by 0.1 is 1.366915. */
    CHECK_STATUS(cep(x, VEC(one_hot), 2, 4, 1, NULL, 0, IGNORE, MEAN, 0.0, out), OK);
    CHECK_SCALAR(out, 1.364415, TOL);
    CHECK_STATUS(cep(x, VEC(uniform), 2, 4, 1, NULL, 0, IGNORE, MEAN, 0.0, out), OK);
    CHECK_SCALAR(out, 1.389415, TOL);
    CHECK_STATUS(cep(x, VEC(uniform), 2, 4, 1, NULL, 0, IGNORE, MEAN, 0.5, out), OK);
    CHECK_SCALAR(out, 1.389415, TOL);
    CHECK_STATUS(cep(x, VEC(one_hot), 2, 4, 1, NULL, 0, IGNORE, MEAN, 0.1, out), OK);
    CHECK_SCALAR(out, 1.366915, TOL);
    CHECK_STATUS(cep(x, VEC(one_hot), 2, 4, 1, NULL, 0, IGNORE, NONE, 0.1, out), OK);
    CHECK_VALUES(out, eps01_rows, 2, TOL);
}

/* ========================================================================================
 * articles.md B: an MNIST-style label is a class index (003)
 * ======================================================================================== */

static void test_article_b(void)
{
    static const double inputs[] = {-0.5, -0.2, -0.3};
    static const int64_t target[] = {0};
    vec *x = VEC(inputs), *out = vec_out(2);
    int via;

    for (via = 0; via < 2; via++) {
        snprintf(g_ctx, sizeof g_ctx, "%s", VIA_NAME[via]);
        CHECK_STATUS(ce_or_nll(via, x, target, 1, 3, 1, NULL, 0, IGNORE, MEAN, out), OK);
        CHECK_SCALAR(out, 1.272919, TOL);
        CHECK_STATUS(ce_or_nll(via, x, target, 1, 3, 1, NULL, 0, IGNORE, NONE, out), OK);
        CHECK_SCALAR(out, 1.272919, TOL);
        CHECK_STATUS(ce_or_nll(via, x, target, 1, 3, 1, NULL, 0, IGNORE, SUM, out), OK);
        CHECK_SCALAR(out, 1.272919, TOL);
    }
    g_ctx[0] = '\0';
}

/* ========================================================================================
 * articles.md C: weight and reduction (002)
 * ======================================================================================== */

/* The course's example: inputs [[1, 2], [1, 3], [1, 3]], target [0, 1, 1], weight [1, 2]. */
static const double C_INPUTS[] = {1, 2, 1, 3, 1, 3};
static const int64_t C_TARGET[] = {0, 1, 1};
static const double C_WEIGHT[] = {1, 2};
static const double C_NONE[] = {1.313262, 0.126928, 0.126928};
static const double C_NONE_WEIGHTED[] = {1.313262, 0.253856, 0.253856};
static const double C_ONE_HOT[] = {1, 0, 0, 1, 0, 1}; /* the target as probabilities */
/* ... with label_smoothing 0.2: 0.8 * C_NONE_WEIGHTED + 0.2 / 2 * s (see its test) */
static const double SMOOTHED_WEIGHTED[] = {1.2445878562700452, 0.441163220981648,
                                           0.441163220981648};

static void test_article_c(void)
{
    /* The article's illustrative losses [0.2, 0.3, 0.4]: a row [0, m] with label 0 (or
     * [m, 0] with label 1) has loss log(1 + e^m), so m = log(e^L - 1). */
    static const double illus_inputs[] = {0, -1.5077718009705199,  /* m(0.2), label 0 */
                                          -1.0502256128148464, 0,  /* m(0.3), label 1 */
                                          -0.709632931588928, 0};  /* m(0.4), label 1 */
    static const double illus_none[] = {0.2, 0.6, 0.8};
    vec *w = VEC(C_WEIGHT), *out = vec_out(4);
    struct {
        const char *name;
        vec *x;
        const vec *w;
        size_t wlen;
        const double *none;
        double sum, mean;
    } cases[3] = {
        {"no weight", VEC(C_INPUTS), NULL, 0, C_NONE, 1.567118, 0.522373},
        {"weight [1, 2]", VEC(C_INPUTS), w, 2, C_NONE_WEIGHTED, 1.820974, 0.364195},
        {"illustrative", VEC(illus_inputs), w, 2, illus_none, 1.6, 0.32},
    };
    size_t i;
    int via;

    for (i = 0; i < 3; i++) {
        for (via = 0; via < 2; via++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, %s", cases[i].name, VIA_NAME[via]);
            CHECK_STATUS(ce_or_nll(via, cases[i].x, C_TARGET, 3, 2, 1, cases[i].w, cases[i].wlen,
                                   IGNORE, NONE, out), OK);
            CHECK_VALUES(out, cases[i].none, 3, TOL);
            CHECK_STATUS(ce_or_nll(via, cases[i].x, C_TARGET, 3, 2, 1, cases[i].w, cases[i].wlen,
                                   IGNORE, SUM, out), OK);
            CHECK_SCALAR(out, cases[i].sum, TOL);
            CHECK_STATUS(ce_or_nll(via, cases[i].x, C_TARGET, 3, 2, 1, cases[i].w, cases[i].wlen,
                                   IGNORE, MEAN, out), OK);
            CHECK_SCALAR(out, cases[i].mean, TOL);
        }
    }
    g_ctx[0] = '\0';
}

/* ========================================================================================
 * articles.md D and E: cross_entropy == nll_loss(log_softmax) for any data (000);
 * nll_loss given probabilities returns -p[target] (004)
 * ======================================================================================== */

static void test_articles_d_e(void)
{
    static const int64_t target_d[] = {1, 2};
    static const double probs[] = {0.3, 0.7, 0.6, 0.4};
    static const int64_t target_e[] = {1, 0};
    static const double minus_p[] = {-0.7, -0.6};
    vec *x = vec_new(12), *a = vec_out(3), *b = vec_out(3), *out = vec_out(3);
    static const int reductions[] = {NONE, SUM, MEAN};
    uint32_t seed = 12345u;
    size_t i;

    for (i = 0; i < x->n; i++) { /* a fixed pseudo-random (2, 6) "randn" in [-3, 3) */
        seed = seed * 1664525u + 1013904223u;
        vec_set(x, i, (double)(seed >> 8) / (double)(1u << 24) * 6.0 - 3.0);
    }
    for (i = 0; i < 3; i++) {
        snprintf(g_ctx, sizeof g_ctx, "reduction %d", reductions[i]);
        CHECK_STATUS(ce_or_nll(0, x, target_d, 2, 6, 1, NULL, 0, IGNORE, reductions[i], a), OK);
        CHECK_STATUS(ce_or_nll(1, x, target_d, 2, 6, 1, NULL, 0, IGNORE, reductions[i], b), OK);
        CHECK_VALUES(a, b->d, reductions[i] == NONE ? 2 : 1, TOL);
    }
    g_ctx[0] = '\0';

    CHECK_STATUS(nll(VEC(probs), target_e, 2, 2, 1, NULL, 0, IGNORE, NONE, out), OK);
    CHECK_VALUES(out, minus_p, 2, TOL);
    CHECK_STATUS(nll(VEC(probs), target_e, 2, 2, 1, NULL, 0, IGNORE, MEAN, out), OK);
    CHECK_SCALAR(out, -0.65, TOL);
}

/* ========================================================================================
 * SEMANTICS.md: ignore_index, empty and zero-weight means, negative weights
 * ======================================================================================== */

static void test_ignore_index(void)
{
    /* article C's inputs; per-row losses 1.313262 (label 0), 0.126928 (label 1) */
    static const int64_t t_default[] = {0, -100, 1};
    static const int64_t t_255[] = {0, 255, 1};
    static const int64_t t_class1[] = {0, 1, 1}; /* ignore_index 1: a real class */
    static const int64_t t_all[] = {7, 7, 7};
    static const double none_plain[] = {1.313262, 0, 0.126928};
    static const double none_weighted[] = {1.313262, 0, 0.253856};
    static const double none_class1[] = {1.313262, 0, 0};
    static const double zeros[] = {0, 0, 0};
    vec *x = VEC(C_INPUTS), *w = VEC(C_WEIGHT), *out = vec_out(4);
    struct {
        const char *name;
        const int64_t *target;
        int64_t ignore;
        const vec *w;
        size_t wlen;
        const double *none;
        double sum, mean;
    } cases[] = {
        /* ignored rows give 0 and are not counted in the mean: (1.313262 + 0.126928) / 2 */
        {"ignore -100", t_default, -100, NULL, 0, none_plain, 1.440190, 0.720095},
        {"ignore 255", t_255, 255, NULL, 0, none_plain, 1.440190, 0.720095},
        /* weighted: (1.313262 + 2 * 0.126928) / (1 + 2) */
        {"ignore -100, weight", t_default, -100, w, 2, none_weighted, 1.567118, 0.522373},
        {"ignore 255, weight", t_255, 255, w, 2, none_weighted, 1.567118, 0.522373},
        /* an ignored real class still counts in the softmax denominator */
        {"ignore class 1", t_class1, 1, NULL, 0, none_class1, 1.313262, 1.313262},
        /* every target ignored: none is zeros, sum 0, mean 0/0 = NaN */
        {"all ignored", t_all, 7, NULL, 0, zeros, 0, NAN},
        {"all ignored, weight", t_all, 7, w, 2, zeros, 0, NAN},
    };
    size_t i;
    int via;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (via = 0; via < 2; via++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, %s", cases[i].name, VIA_NAME[via]);
            CHECK_STATUS(ce_or_nll(via, x, cases[i].target, 3, 2, 1, cases[i].w, cases[i].wlen,
                                   cases[i].ignore, NONE, out), OK);
            CHECK_VALUES(out, cases[i].none, 3, TOL);
            CHECK_STATUS(ce_or_nll(via, x, cases[i].target, 3, 2, 1, cases[i].w, cases[i].wlen,
                                   cases[i].ignore, SUM, out), OK);
            CHECK_SCALAR(out, cases[i].sum, TOL);
            CHECK_STATUS(ce_or_nll(via, x, cases[i].target, 3, 2, 1, cases[i].w, cases[i].wlen,
                                   cases[i].ignore, MEAN, out), OK);
            CHECK_SCALAR(out, cases[i].mean, TOL);
        }
        /* with label smoothing an ignored row is still exactly 0, and the mean still NaN */
        snprintf(g_ctx, sizeof g_ctx, "%s, label_smoothing 0.2", cases[i].name);
        CHECK_STATUS(ce(x, cases[i].target, 3, 2, 1, cases[i].w, cases[i].wlen,
                        cases[i].ignore, NONE, 0.2, out), OK);
        CHECK(out->d[1] == 0.0);
        if (is_nan(cases[i].mean)) {
            CHECK_STATUS(ce(x, cases[i].target, 3, 2, 1, cases[i].w, cases[i].wlen,
                            cases[i].ignore, MEAN, 0.2, out), OK);
            CHECK_SCALAR(out, NAN, 0);
        }
    }
    g_ctx[0] = '\0';
}

static void test_class_index_edge_cases(void)
{
    const int64_t *target = C_TARGET;
    static const double zero_w[] = {0, 0};
    static const double neg_w[] = {-1, 2};
    static const double none_neg[] = {-1.313262, 0.253856, 0.253856};
    vec *x = VEC(C_INPUTS), *out = vec_out(4);
    int via;

    for (via = 0; via < 2; via++) {
        snprintf(g_ctx, sizeof g_ctx, "%s", VIA_NAME[via]);
        /* weights summing to 0: mean NaN, sum 0 */
        CHECK_STATUS(ce_or_nll(via, x, target, 3, 2, 1, VEC(zero_w), 2, IGNORE, MEAN, out), OK);
        CHECK_SCALAR(out, NAN, 0);
        CHECK_STATUS(ce_or_nll(via, x, target, 3, 2, 1, VEC(zero_w), 2, IGNORE, SUM, out), OK);
        CHECK_SCALAR(out, 0.0, TOL);
        /* negative weights are allowed: (-1.313262 + 2 * 0.253856) / (-1 + 2 + 2) */
        CHECK_STATUS(ce_or_nll(via, x, target, 3, 2, 1, VEC(neg_w), 2, IGNORE, NONE, out), OK);
        CHECK_VALUES(out, none_neg, 3, TOL);
        CHECK_STATUS(ce_or_nll(via, x, target, 3, 2, 1, VEC(neg_w), 2, IGNORE, MEAN, out), OK);
        CHECK_SCALAR(out, (-1.313262 + 2 * 0.253856) / 3, TOL);
        /* an empty batch: mean NaN, sum 0, none writes nothing */
        CHECK_STATUS(ce_or_nll(via, vec_new(0), NULL, 0, 2, 1, NULL, 0, IGNORE, MEAN, out), OK);
        CHECK_SCALAR(out, NAN, 0);
        CHECK_STATUS(ce_or_nll(via, vec_new(0), NULL, 0, 2, 1, NULL, 0, IGNORE, SUM, out), OK);
        CHECK_SCALAR(out, 0.0, 0);
        CHECK_STATUS(ce_or_nll(via, vec_new(0), NULL, 0, 2, 1, NULL, 0, IGNORE, NONE, out), OK);
        CHECK_VALUES(out, NULL, 0, 0);
    }
    g_ctx[0] = '\0';

    /* the same with NULL pointers for the empty buffers, straight to the library */
    CHECK_STATUS(nll(NULL, NULL, 0, 2, 1, NULL, 0, IGNORE, NONE, NULL), OK);
    CHECK_STATUS(ce(NULL, NULL, 0, 2, 1, NULL, 0, IGNORE, NONE, 0.1, NULL), OK);
    CHECK_STATUS(nll(NULL, NULL, 2, 2, 0, NULL, 0, IGNORE, NONE, NULL), OK); /* inner 0 */
    CHECK_STATUS(ce(NULL, NULL, 2, 2, 0, NULL, 0, IGNORE, SUM, 0.0, out), OK);
    CHECK_SCALAR(out, 0.0, 0);
    CHECK_STATUS(cep(NULL, NULL, 0, 2, 1, NULL, 0, IGNORE, NONE, 0.0, NULL), OK);
    CHECK_STATUS(cep(NULL, NULL, 0, 2, 1, NULL, 0, IGNORE, MEAN, 0.0, out), OK);
    CHECK_SCALAR(out, NAN, 0); /* 0 / (batch * inner) */

    /* label smoothing with weights: each class of the smoothing term has its own weight,
     * s_i = -sum_c w[c] lp[i, c], and 'mean' divides both terms by sum w[y_i] = 5:
     * s = [1.313262 + 2 * 0.313262, 2.126928 + 2 * 0.126928 (twice)] */
    CHECK_STATUS(ce(x, target, 3, 2, 1, VEC(C_WEIGHT), 2, IGNORE, NONE, 0.2, out), OK);
    CHECK_VALUES(out, SMOOTHED_WEIGHTED, 3, TOL);
    CHECK_STATUS(ce(x, target, 3, 2, 1, VEC(C_WEIGHT), 2, IGNORE, MEAN, 0.2, out), OK);
    CHECK_SCALAR(out, 2.1269142982333413 / 5, TOL);

    /* a negative label_smoothing behaves as 0 */
    CHECK_STATUS(ce(x, target, 3, 2, 1, NULL, 0, IGNORE, MEAN, -0.5, out), OK);
    CHECK_SCALAR(out, 0.522373, TOL);
    CHECK_STATUS(ce(x, target, 3, 2, 1, NULL, 0, IGNORE, NONE, -0.5, out), OK);
    CHECK_VALUES(out, C_NONE, 3, TOL);
}

/* ========================================================================================
 * SEMANTICS.md: cross_entropy with probability targets
 * ======================================================================================== */

static void test_probability_targets(void)
{
    /* article C as one-hot probabilities, (3, 2) and again as (1, 2, 3) with inner 3 */
    static const double x_inner[] = {1, 1, 1, 2, 3, 3};
    static const double q_inner[] = {1, 0, 0, 0, 1, 1};
    static const double half[] = {0.5, 0.5};
    vec *x = VEC(C_INPUTS), *q = VEC(C_ONE_HOT), *w = VEC(C_WEIGHT);
    vec *out = vec_out(4), *a = vec_out(4);

    CHECK_STATUS(cep(x, q, 3, 2, 1, w, 2, IGNORE, NONE, 0.0, out), OK);
    CHECK_VALUES(out, C_NONE_WEIGHTED, 3, TOL);
    CHECK_STATUS(cep(x, q, 3, 2, 1, w, 2, IGNORE, SUM, 0.0, out), OK);
    CHECK_SCALAR(out, 1.820974, TOL);
    /* 'mean' divides by the number of samples, 3, not by the weights (5) */
    CHECK_STATUS(cep(x, q, 3, 2, 1, w, 2, IGNORE, MEAN, 0.0, out), OK);
    CHECK_SCALAR(out, 1.820974 / 3, TOL);
    CHECK_STATUS(cep(VEC(x_inner), VEC(q_inner), 1, 2, 3, w, 2, IGNORE, NONE, 0.0, out), OK);
    CHECK_VALUES(out, C_NONE_WEIGHTED, 3, TOL);
    CHECK_STATUS(cep(VEC(x_inner), VEC(q_inner), 1, 2, 3, w, 2, IGNORE, MEAN, 0.0, out), OK);
    CHECK_SCALAR(out, 1.820974 / 3, TOL); /* batch * inner = 3 */

    /* smoothing 0.2 of a one-hot target gives class-index smoothing's numbers; mean / 3 */
    CHECK_STATUS(cep(x, q, 3, 2, 1, w, 2, IGNORE, NONE, 0.2, out), OK);
    CHECK_VALUES(out, SMOOTHED_WEIGHTED, 3, TOL);
    CHECK_STATUS(cep(x, q, 3, 2, 1, w, 2, IGNORE, MEAN, 0.2, out), OK);
    CHECK_SCALAR(out, 2.1269142982333413 / 3, TOL);
    /* a soft target: row [1, 2] has log_softmax [-1.313262, -0.313262] */
    CHECK_STATUS(cep(x, VEC(half), 1, 2, 1, NULL, 0, IGNORE, NONE, 0.0, out), OK);
    CHECK_SCALAR(out, 0.5 * (1.313262 + 0.313262), TOL);
    /* ignore_index < 0 is accepted, -1 as well as -100; a negative smoothing behaves as 0 */
    CHECK_STATUS(cep(x, q, 3, 2, 1, w, 2, -1, MEAN, -0.5, a), OK);
    CHECK_SCALAR(a, 1.820974 / 3, TOL);
}

/* ========================================================================================
 * SEMANTICS.md: (N, C, d) gives the same numbers as moving C last, (N*d, C)
 * ======================================================================================== */

static void test_layout(void)
{
    enum { N = 2, C = 3, K = 2 }; /* input (N, C, K) */
    static const int64_t target[N * K] = {0, 2, 1, -100}; /* (N, K); same order as (N*K,) */
    static const double weight[C] = {0.5, 1, 2};
    vec *x = vec_new(N * C * K), *xt = vec_new(N * K * C);
    vec *q = vec_new(N * C * K), *qt = vec_new(N * K * C);
    vec *w = VEC(weight), *got = vec_out(N * C * K + 1), *want = vec_out(N * C * K + 1);
    static const int reductions[] = {NONE, SUM, MEAN};
    size_t n, c, k, r;

    for (n = 0; n < N; n++)
        for (c = 0; c < C; c++)
            for (k = 0; k < K; k++) {
                size_t i = (n * C + c) * K + k;  /* (n, c, k) in (N, C, K) */
                size_t it = (n * K + k) * C + c; /* (n, k, c) in (N, K, C) */
                double xv = (double)((i * 7) % 11) / 4.0 - 1.0, qv = (double)(c + k + 1) / 9.0;
                vec_set(x, i, xv);
                vec_set(xt, it, xv);
                vec_set(q, i, qv);
                vec_set(qt, it, qv);
            }

    for (r = 0; r < 3; r++) {
        size_t len = reductions[r] == NONE ? N * K : 1;
        snprintf(g_ctx, sizeof g_ctx, "reduction %d", reductions[r]);
        CHECK_STATUS(ce(x, target, N, C, K, w, C, IGNORE, reductions[r], 0.1, got), OK);
        CHECK_STATUS(ce(xt, target, N * K, C, 1, w, C, IGNORE, reductions[r], 0.1, want), OK);
        CHECK_VALUES(got, want->d, len, TOL);
        CHECK_STATUS(ce_or_nll(1, x, target, N, C, K, w, C, IGNORE, reductions[r], got), OK);
        CHECK_STATUS(ce_or_nll(1, xt, target, N * K, C, 1, w, C, IGNORE, reductions[r], want),
                     OK);
        CHECK_VALUES(got, want->d, len, TOL);
        CHECK_STATUS(cep(x, q, N, C, K, w, C, IGNORE, reductions[r], 0.1, got), OK);
        CHECK_STATUS(cep(xt, qt, N * K, C, 1, w, C, IGNORE, reductions[r], 0.1, want), OK);
        CHECK_VALUES(got, want->d, len, TOL);
    }
    g_ctx[0] = '\0';

    /* softmax over the middle axis of (N, C, K) is softmax over the rows of (N*K, C) */
    CHECK_STATUS(sm(xt, N * K, C, 1, want), OK);
    CHECK_STATUS(sm(x, N, C, K, got), OK);
    for (n = 0; n < N; n++)
        for (c = 0; c < C; c++)
            for (k = 0; k < K; k++)
                CHECK_NEAR(got->d[(n * C + c) * K + k], want->d[(n * K + k) * C + c], TOL);
    CHECK_STATUS(lsm(xt, N * K, C, 1, want), OK);
    CHECK_STATUS(lsm(x, N, C, K, got), OK);
    for (n = 0; n < N; n++)
        for (c = 0; c < C; c++)
            for (k = 0; k < K; k++)
                CHECK_NEAR(got->d[(n * C + c) * K + k], want->d[(n * K + k) * C + c], TOL);
}

/* ========================================================================================
 * softmax and log_softmax: special values, inner axis, in place, empty shapes
 * ======================================================================================== */

static void test_softmax(void)
{
    static const double rows[] = {
        0,         -INFINITY, 0,         /* -inf entry of a finite row */
        -INFINITY, -INFINITY, -INFINITY, /* all -inf: NaN */
        0,         INFINITY,  1,         /* +inf: NaN */
        0,         NAN,       1,         /* NaN: NaN */
        1000,      1000,      -1000,     /* large values stay finite */
    };
    static const double softmax_want[] = {0.5, 0, 0.5, NAN, NAN, NAN, NAN, NAN, NAN,
                                          NAN, NAN, NAN, 0.5, 0.5, 0};
    static const double log_softmax_want[] = {
        -0.6931471805599453, -INFINITY, -0.6931471805599453, /* -log 2 */
        NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN,
        -0.6931471805599453, -0.6931471805599453, -2000.6931471805599453};
    /* (1, 2, 2): softmax over the classes of each of the 2 inner positions */
    static const double inner_x[] = {0, 1, 0, 3};
    static const double inner_softmax[] = {0.5, 0.11920292202211757, /* 1 / (1 + e^2) */
                                           0.5, 0.88079707797788243};
    static const double inner_log_softmax[] = {-0.6931471805599453, -2.1269280110429727,
                                               -0.6931471805599453, -0.1269280110429727};
    static const double three_ones[] = {1, 1, 1}, three_zeros[] = {0, 0, 0};
    vec *x = VEC(rows), *out = vec_out(16), *v;

    CHECK_STATUS(sm(x, 5, 3, 1, out), OK);
    CHECK_VALUES(out, softmax_want, 15, TOL);
    CHECK_STATUS(lsm(x, 5, 3, 1, out), OK);
    CHECK_VALUES(out, log_softmax_want, 15, g_f32 ? 1e-3 : TOL); /* -2000.69 in float */
    CHECK_STATUS(sm(VEC(inner_x), 1, 2, 2, out), OK);
    CHECK_VALUES(out, inner_softmax, 4, TOL);
    CHECK_STATUS(lsm(VEC(inner_x), 1, 2, 2, out), OK);
    CHECK_VALUES(out, inner_log_softmax, 4, TOL);
    /* dim of size 1 */
    CHECK_STATUS(sm(VEC(A_PREDS), 1, 1, 3, out), OK);
    CHECK_VALUES(out, three_ones, 3, 0);
    CHECK_STATUS(lsm(VEC(A_PREDS), 3, 1, 1, out), OK);
    CHECK_VALUES(out, three_zeros, 3, 0);

    /* in place: output == input */
    v = VEC(A_PREDS);
    CHECK_STATUS(sm(v, 2, 4, 1, v), OK);
    CHECK_STATUS(sm(VEC(A_PREDS), 2, 4, 1, out), OK);
    CHECK_VALUES(v, out->d, 8, 1e-7);
    v = VEC(inner_x);
    CHECK_STATUS(lsm(v, 1, 2, 2, v), OK);
    CHECK_VALUES(v, inner_log_softmax, 4, TOL);

    /* any size may be zero, and then the pointers may be NULL */
    CHECK_STATUS(sm(NULL, 0, 3, 1, NULL), OK);
    CHECK_STATUS(sm(NULL, 2, 0, 1, NULL), OK);
    CHECK_STATUS(lsm(NULL, 2, 3, 0, NULL), OK);
    CHECK_STATUS(lsm(NULL, 0, 0, 0, NULL), OK);
}

/* ========================================================================================
 * binary_cross_entropy and binary_cross_entropy_with_logits
 * ======================================================================================== */

#define LN2 0.6931471805599453

static void test_bce(void)
{
    static const double x[] = {0, 1, 0, 0.5, 1, 0.25};
    static const double t[] = {1, 0, 0, 1, 1, 0.5};
    /* log clamped at -100: x = 0, t = 1 and x = 1, t = 0 give 100; 0 * (-100) is 0;
     * x = 0.25, t = 0.5: -(0.5 log 0.25 + 0.5 log 0.75) */
    static const double none[] = {100, 100, 0, LN2, 0, 0.8369882167858358};
    static const double w2[] = {1, 2};
    static const double none_w2[] = {100, 200, 0, 2 * LN2, 0, 2 * 0.8369882167858358};
    static const double w6[] = {1, 0, 1, 3, 1, 0.5};
    static const double none_w6[] = {100, 0, 0, 3 * LN2, 0, 0.5 * 0.8369882167858358};
    vec *vx = VEC(x), *vt = VEC(t), *out = vec_out(7);
    const double sum = 200 + LN2 + 0.8369882167858358;

    CHECK_STATUS(bce(vx, vt, 6, NULL, 0, NONE, out), OK);
    CHECK_VALUES(out, none, 6, TOL);
    CHECK_STATUS(bce(vx, vt, 6, NULL, 0, SUM, out), OK);
    CHECK_SCALAR(out, sum, 1e-4); /* 200.0 in float */
    CHECK_STATUS(bce(vx, vt, 6, NULL, 0, MEAN, out), OK);
    CHECK_SCALAR(out, sum / 6, TOL);
    /* weight of 2 elements broadcast over (3, 2), and a full weight */
    CHECK_STATUS(bce(vx, vt, 6, VEC(w2), 2, NONE, out), OK);
    CHECK_VALUES(out, none_w2, 6, TOL);
    CHECK_STATUS(bce(vx, vt, 6, VEC(w6), 6, NONE, out), OK);
    CHECK_VALUES(out, none_w6, 6, TOL);
    CHECK_STATUS(bce(vx, vt, 6, VEC(w6), 6, MEAN, out), OK);
    CHECK_SCALAR(out, (100 + 3 * LN2 + 0.5 * 0.8369882167858358) / 6, TOL);
    /* empty: NULL allowed, mean NaN, sum 0 */
    CHECK_STATUS(bce(NULL, NULL, 0, NULL, 0, NONE, NULL), OK);
    CHECK_STATUS(bce(NULL, NULL, 0, NULL, 0, MEAN, out), OK);
    CHECK_SCALAR(out, NAN, 0);
    CHECK_STATUS(bce(NULL, NULL, 0, NULL, 0, SUM, out), OK);
    CHECK_SCALAR(out, 0.0, 0);
}

static void test_bce_with_logits(void)
{
    /* softplus(z) = log(1 + e^z); softplus(-200) ~ 1e-87, softplus(200) = 200 */
    static const double x[] = {200, 200, -200, -200, 0, 0, 1, -1, 1, 0};
    static const double t[] = {1, 0, 1, 0, 1, 0.5, 1, 0, 0, 2}; /* t = 2: not checked */
    static const double none[] = {0, 200, 200, 0, LN2, LN2,
                                  0.31326168751822286, 0.31326168751822286,
                                  1.3132616875182228, LN2};
    /* pos_weight [3, 1] broadcast: pw * t * softplus(-x) + (1 - t) * softplus(x) */
    static const double pw[] = {3, 1};
    static const double none_pw[] = {0, 200, 600, 0, 3 * LN2, LN2,
                                     3 * 0.31326168751822286, 0.31326168751822286,
                                     1.3132616875182228, LN2};
    static const double w[] = {2, 1};
    static const double none_w_pw[] = {0, 200, 1200, 0, 6 * LN2, LN2,
                                       6 * 0.31326168751822286, 0.31326168751822286,
                                       2 * 1.3132616875182228, LN2};
    vec *vx = VEC(x), *vt = VEC(t), *out = vec_out(11);
    double sum = 0;
    size_t i;

    for (i = 0; i < 10; i++)
        sum += none[i];
    CHECK_STATUS(bcel(vx, vt, 10, NULL, 0, NULL, 0, NONE, out), OK);
    CHECK_VALUES(out, none, 10, TOL);
    CHECK_STATUS(bcel(vx, vt, 10, NULL, 0, NULL, 0, SUM, out), OK);
    CHECK_SCALAR(out, sum, 1e-4);
    CHECK_STATUS(bcel(vx, vt, 10, NULL, 0, NULL, 0, MEAN, out), OK);
    CHECK_SCALAR(out, sum / 10, TOL);
    CHECK_STATUS(bcel(vx, vt, 10, NULL, 0, VEC(pw), 2, NONE, out), OK);
    CHECK_VALUES(out, none_pw, 10, 1e-4);
    CHECK_STATUS(bcel(vx, vt, 10, VEC(w), 2, VEC(pw), 2, NONE, out), OK);
    CHECK_VALUES(out, none_w_pw, 10, 1e-4);
    CHECK_STATUS(bcel(NULL, NULL, 0, NULL, 0, NULL, 0, NONE, NULL), OK);
    CHECK_STATUS(bcel(NULL, NULL, 0, NULL, 0, NULL, 0, MEAN, out), OK);
    CHECK_SCALAR(out, NAN, 0);
}

/* ========================================================================================
 * kl_div
 * ======================================================================================== */

#define LN_HALF (-0.6931471805599453)
#define LN_QUARTER (-1.3862943611198906)

static void test_kl_div(void)
{
    /* input = log q. t = 0 gives 0 whatever the input (0 * log 0 = 0). */
    static const double x[] = {-1, LN_QUARTER, LN_HALF, LN_QUARTER};
    static const double t[] = {0, 0.5, 0.25, 0.25};
    /* 0; 0.5 (log 0.5 - log 0.25) = 0.5 ln 2; 0.25 (log 0.25 - log 0.5) = -0.25 ln 2; 0 */
    static const double none[] = {0, 0.5 * LN2, -0.25 * LN2, 0};
    /* log_target: loss = exp(t) (t - input), the same numbers with t given as log t */
    static const double x_lt[] = {LN_QUARTER, LN_HALF, LN_QUARTER, LN_HALF};
    static const double t_lt[] = {LN_HALF, LN_QUARTER, LN_QUARTER, LN_HALF};
    static const double none_lt[] = {0.5 * LN2, -0.25 * LN2, 0, 0};
    vec *vx = VEC(x), *vt = VEC(t), *out = vec_out(5);

    CHECK_STATUS(kl(vx, vt, 4, 0, NONE, 0, out), OK); /* batch is read only for BATCHMEAN */
    CHECK_VALUES(out, none, 4, TOL);
    CHECK_STATUS(kl(vx, vt, 4, 3, SUM, 0, out), OK);
    CHECK_SCALAR(out, 0.25 * LN2, TOL);
    CHECK_STATUS(kl(vx, vt, 4, 0, MEAN, 0, out), OK);
    CHECK_SCALAR(out, 0.25 * LN2 / 4, TOL);
    CHECK_STATUS(kl(vx, vt, 4, 2, BATCHMEAN, 0, out), OK);
    CHECK_SCALAR(out, 0.25 * LN2 / 2, TOL);
    CHECK_STATUS(kl(vx, vt, 4, 4, BATCHMEAN, 0, out), OK);
    CHECK_SCALAR(out, 0.25 * LN2 / 4, TOL);

    CHECK_STATUS(kl(VEC(x_lt), VEC(t_lt), 4, 0, NONE, 1, out), OK);
    CHECK_VALUES(out, none_lt, 4, TOL);
    CHECK_STATUS(kl(VEC(x_lt), VEC(t_lt), 4, 1, BATCHMEAN, 1, out), OK);
    CHECK_SCALAR(out, 0.25 * LN2, TOL);

    CHECK_STATUS(kl(NULL, NULL, 0, 0, NONE, 0, NULL), OK);
    CHECK_STATUS(kl(NULL, NULL, 0, 0, SUM, 1, out), OK);
    CHECK_SCALAR(out, 0.0, 0);
    CHECK_STATUS(kl(NULL, NULL, 0, 0, MEAN, 0, out), OK);
    CHECK_SCALAR(out, NAN, 0);
    CHECK_STATUS(kl(NULL, NULL, 0, 0, BATCHMEAN, 0, out), OK); /* batch 0 with count 0 */
}

/* ========================================================================================
 * Gradients (SEMANTICS.md's formulas). Article A's cross_entropy gradient is
 * (softmax - one_hot) / N.
 * ======================================================================================== */

static const double A_SOFTMAX_MINUS_ONE_HOT[] = {0.213838, 0.236328, 0.261183 - 1, 0.288651,
                                                 0.25,     0.25,     0.25,         0.25 - 1};

static void test_gradients_softmax(void)
{
    /* softmax: y * (g - sum(g * y)). Row 0: g = ones gives 0; row 1 (y = 0.25): g = e_0. */
    static const double g[] = {1, 1, 1, 1, 1, 0, 0, 0};
    static const double softmax_want[] = {0, 0, 0, 0, 0.1875, -0.0625, -0.0625, -0.0625};
    /* log_softmax: g - exp(y) * sum(g). Row 0: g = -e_2 (nll's gradient) gives p - e_2. */
    static const double g_log[] = {0, 0, -1, 0, 1, 0, 0, 0};
    static const double log_softmax_want[] = {0.213838, 0.236328, -0.738817, 0.288651,
                                              0.75,     -0.25,    -0.25,     -0.25};
    vec *x = VEC(A_PREDS), *y = vec_out(8), *ly = vec_out(8), *gx = vec_out(9), *v;

    CHECK_STATUS(sm(x, 2, 4, 1, y), OK);
    CHECK_STATUS(sm_bw(y, VEC(g), 2, 4, 1, gx), OK);
    CHECK_VALUES(gx, softmax_want, 8, TOL);
    CHECK_STATUS(lsm(x, 2, 4, 1, ly), OK);
    CHECK_STATUS(lsm_bw(ly, VEC(g_log), 2, 4, 1, gx), OK);
    CHECK_VALUES(gx, log_softmax_want, 8, TOL);

    /* in place: grad_input == output, and grad_input == grad_output */
    v = vec_of(y->d, 8);
    CHECK_STATUS(sm_bw(v, VEC(g), 2, 4, 1, v), OK);
    CHECK_VALUES(v, softmax_want, 8, TOL);
    v = VEC(g_log);
    CHECK_STATUS(lsm_bw(ly, v, 2, 4, 1, v), OK);
    CHECK_VALUES(v, log_softmax_want, 8, TOL);

    CHECK_STATUS(sm_bw(NULL, NULL, 0, 4, 1, NULL), OK);
    CHECK_STATUS(lsm_bw(NULL, NULL, 2, 4, 0, NULL), OK);
}

static void test_gradients_class_index(void)
{
    static const double g1[] = {1}, g3[] = {3}, g12[] = {1, 2}, g_mixed[] = {0.5, 2, -1};
    static const double one_hot_a[] = {0, 0, 1, 0, 0, 0, 0, 1};
    static const double a_rows[] = {1.342536, 1.386294};
    /* nll_loss, article C with weight [1, 2] and row 1 ignored: -weight[t] * s at each
     * target; 'mean' has s = 1 / (1 + 2), 'none' s = grad_output of the row */
    static const int64_t t_ignored[] = {0, -100, 1}, t_all_ignored[] = {-100, -100, -100};
    static const double nll_mean[] = {-1.0 / 3, 0, 0, 0, 0, -2.0 / 3};
    static const double nll_none[] = {-0.5, 0, 0, 0, 0, 2};
    static const double zeros[6] = {0};
    /* label smoothing 0.2 with weight [1, 2], article C, 'mean':
     * ((1 - eps) w[y] (p_j - [j == y]) + (eps / C) (p_j sum(w) - w[j])) / 5 */
    static const double smoothed_mean[] = {-0.12083288729860106, 0.12083288729860106,
                                           0.02529711036840467,  -0.025297110368404718,
                                           0.02529711036840467,  -0.025297110368404718};
    double a_mean[8], a_none[8], a_sum[8], smoothed_sum[6];
    vec *xa = VEC(A_PREDS), *xc = VEC(C_INPUTS), *w = VEC(C_WEIGHT), *q = VEC(C_ONE_HOT);
    vec *gx = vec_out(9), *loss = vec_out(4), *v;
    vec *gn = vec_out(6), *ly = vec_out(6), *chain = vec_out(6);
    size_t i;

    for (i = 0; i < 8; i++) {
        a_mean[i] = A_SOFTMAX_MINUS_ONE_HOT[i] / 2;
        a_none[i] = A_SOFTMAX_MINUS_ONE_HOT[i] * (i < 4 ? 1 : 2); /* grad_output [1, 2] */
        a_sum[i] = A_SOFTMAX_MINUS_ONE_HOT[i] * 3;                 /* grad_output [3] */
    }
    for (i = 0; i < 6; i++)
        smoothed_sum[i] = smoothed_mean[i] * 5;

    /* cross_entropy, article A */
    CHECK_STATUS(ce_bw(xa, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, MEAN, 0.0, VEC(g1), gx), OK);
    CHECK_VALUES(gx, a_mean, 8, TOL);
    CHECK_STATUS(ce_bw(xa, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, NONE, 0.0, VEC(g12), gx), OK);
    CHECK_VALUES(gx, a_none, 8, TOL);
    CHECK_STATUS(ce_bw(xa, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, SUM, 0.0, VEC(g3), gx), OK);
    CHECK_VALUES(gx, a_sum, 8, TOL);
    v = VEC(A_PREDS); /* in place */
    CHECK_STATUS(ce_bw(v, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, MEAN, 0.0, VEC(g1), v), OK);
    CHECK_VALUES(v, a_mean, 8, TOL);
    /* probability targets: one-hot gives the same gradient (N = 2 = the weight sum here) */
    CHECK_STATUS(cep_bw(xa, VEC(one_hot_a), 2, 4, 1, NULL, 0, IGNORE, MEAN, 0.0, VEC(g1), gx),
                 OK);
    CHECK_VALUES(gx, a_mean, 8, TOL);
    v = VEC(A_PREDS);
    CHECK_STATUS(cep_bw(v, VEC(one_hot_a), 2, 4, 1, NULL, 0, IGNORE, NONE, 0.0, VEC(g12), v), OK);
    CHECK_VALUES(v, a_none, 8, TOL);

    /* fused: the loss and the same gradient; a NULL grad_output means ones */
    CHECK_STATUS(ce_fused(xa, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, MEAN, 0.0, NULL, loss, gx), OK);
    CHECK_SCALAR(loss, 1.364415, TOL);
    CHECK_VALUES(gx, a_mean, 8, TOL);
    CHECK_STATUS(ce_fused(xa, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, NONE, 0.0, VEC(g12), loss, gx),
                 OK);
    CHECK_VALUES(loss, a_rows, 2, TOL);
    CHECK_VALUES(gx, a_none, 8, TOL);
    v = VEC(A_PREDS); /* in place: the logits overwritten by their gradient */
    CHECK_STATUS(ce_fused(v, A_TARGET, 2, 4, 1, NULL, 0, IGNORE, SUM, 0.0, VEC(g3), loss, v), OK);
    CHECK_SCALAR(loss, 1.342536 + 1.386294, TOL);
    CHECK_VALUES(v, a_sum, 8, TOL);

    /* nll_loss: weights, ignore_index, every target ignored (a zero gradient, not NaN) */
    CHECK_STATUS(nll_bw(t_ignored, 3, 2, 1, w, 2, IGNORE, MEAN, VEC(g1), gx), OK);
    CHECK_VALUES(gx, nll_mean, 6, TOL);
    CHECK_STATUS(nll_bw(t_ignored, 3, 2, 1, w, 2, IGNORE, NONE, VEC(g_mixed), gx), OK);
    CHECK_VALUES(gx, nll_none, 6, TOL);
    CHECK_STATUS(nll_bw(t_all_ignored, 3, 2, 1, w, 2, IGNORE, MEAN, VEC(g1), gx), OK);
    CHECK_VALUES(gx, zeros, 6, 0);
    CHECK_STATUS(ce_bw(xc, t_all_ignored, 3, 2, 1, w, 2, IGNORE, MEAN, 0.2, VEC(g1), gx), OK);
    CHECK_VALUES(gx, zeros, 6, 0);
    CHECK_STATUS(ce_fused(xc, t_all_ignored, 3, 2, 1, w, 2, IGNORE, MEAN, 0.2, NULL, loss, gx),
                 OK);
    CHECK_SCALAR(loss, NAN, 0);
    CHECK_VALUES(gx, zeros, 6, 0);

    /* the chain rule: cross_entropy's gradient is log_softmax_backward(nll_loss_backward) */
    CHECK_STATUS(nll_bw(t_ignored, 3, 2, 1, w, 2, IGNORE, NONE, VEC(g_mixed), gn), OK);
    CHECK_STATUS(lsm(xc, 3, 2, 1, ly), OK);
    CHECK_STATUS(lsm_bw(ly, gn, 3, 2, 1, chain), OK);
    CHECK_STATUS(ce_bw(xc, t_ignored, 3, 2, 1, w, 2, IGNORE, NONE, 0.0, VEC(g_mixed), gx), OK);
    CHECK_VALUES(gx, chain->d, 6, TOL);

    /* label smoothing with weights; probability targets (one-hot, smoothed alike) give the
     * same per-sample gradient, but their 'mean' divides by 3, not by the weights' 5 */
    CHECK_STATUS(ce_bw(xc, C_TARGET, 3, 2, 1, w, 2, IGNORE, MEAN, 0.2, VEC(g1), gx), OK);
    CHECK_VALUES(gx, smoothed_mean, 6, TOL);
    CHECK_STATUS(ce_fused(xc, C_TARGET, 3, 2, 1, w, 2, IGNORE, MEAN, 0.2, NULL, loss, gx), OK);
    CHECK_SCALAR(loss, 2.1269142982333413 / 5, TOL);
    CHECK_VALUES(gx, smoothed_mean, 6, TOL);
    CHECK_STATUS(cep_bw(xc, q, 3, 2, 1, w, 2, IGNORE, SUM, 0.2, VEC(g1), gx), OK);
    CHECK_VALUES(gx, smoothed_sum, 6, TOL);
    CHECK_STATUS(cep_bw(xc, q, 3, 2, 1, w, 2, IGNORE, MEAN, 0.2, VEC(g3), gx), OK);
    CHECK_VALUES(gx, smoothed_sum, 6, TOL); /* grad_output 3, divided by 3 */

    /* empty batches: NULL allowed for the empty buffers */
    CHECK_STATUS(nll_bw(NULL, 0, 2, 1, NULL, 0, IGNORE, NONE, NULL, NULL), OK);
    CHECK_STATUS(ce_bw(NULL, NULL, 0, 2, 1, NULL, 0, IGNORE, NONE, 0.1, NULL, NULL), OK);
    CHECK_STATUS(cep_bw(NULL, NULL, 0, 2, 1, NULL, 0, IGNORE, NONE, 0.1, NULL, NULL), OK);
    CHECK_STATUS(ce_fused(NULL, NULL, 0, 2, 1, NULL, 0, IGNORE, NONE, 0.1, NULL, NULL, NULL), OK);
}

static void test_gradients_elementwise(void)
{
    /* binary_cross_entropy: w * (x - t) / max(x (1 - x), 1e-12) */
    static const double x[] = {0.5, 0.25, 0.1, 0.9}, t[] = {1, 0.5, 0, 1};
    static const double bce_want[] = {-2, -4.0 / 3, 10.0 / 9, -10.0 / 9};
    static const double bce_weighted[] = {-2, -8.0 / 3, 10.0 / 9, -20.0 / 9}; /* w [1, 2] */
    static const double x_edge[] = {0, 1}, t_edge[] = {1, 0};
    static const double bce_clamped[] = {-1e12, 1e12};
    /* with logits: w * ((pw t + 1 - t) sigmoid(x) - pw t); pos_weight [3, 1], w [1, 0.5],
     * 'sum' with grad_output 2 */
    static const double xl[] = {0, 0, 200, -200, 1, -1}, tl[] = {1, 0, 0, 1, 1, 0.5};
    static const double bcel_want[] = {-3, 0.5, 2, -1, -1.6136485282199704,
                                       -0.2310585786300049};
    static const double pw[] = {3, 1}, wl[] = {1, 0.5};
    /* kl_div: -t s, or -exp(t) s with log_target */
    static const double tk[] = {0, 0.5, 0.25, 0.25};
    static const double kl_mean[] = {0, -0.125, -0.0625, -0.0625};
    static const double kl_none[] = {0, -1, -0.75, -1}; /* grad_output [1, 2, 3, 4] */
    static const double kl_batchmean[] = {0, -0.5, -0.25, -0.25};
    static const double tk_log[] = {LN_HALF, LN_QUARTER, LN_QUARTER, LN_HALF};
    static const double kl_log[] = {-0.5, -0.25, -0.25, -0.5};
    static const double g1[] = {1}, g2[] = {2}, g4[] = {4}, g1234[] = {1, 2, 3, 4};
    vec *vx = VEC(x), *vt = VEC(t), *gx = vec_out(7), *all1 = vec_const(6, 1.0);
    size_t i;
    double bce_mean[4];

    for (i = 0; i < 4; i++)
        bce_mean[i] = bce_want[i] / 4;
    CHECK_STATUS(bce_bw(vx, vt, 4, NULL, 0, NONE, all1, gx), OK);
    CHECK_VALUES(gx, bce_want, 4, TOL);
    CHECK_STATUS(bce_bw(vx, vt, 4, VEC(C_WEIGHT), 2, NONE, all1, gx), OK);
    CHECK_VALUES(gx, bce_weighted, 4, TOL);
    CHECK_STATUS(bce_bw(vx, vt, 4, NULL, 0, MEAN, VEC(g1), gx), OK);
    CHECK_VALUES(gx, bce_mean, 4, TOL);
    CHECK_STATUS(bce_bw(VEC(x_edge), VEC(t_edge), 2, NULL, 0, SUM, VEC(g1), gx), OK);
    CHECK_VALUES(gx, bce_clamped, 2, 1e6); /* 1e12 to 1e-6 */

    CHECK_STATUS(bcel_bw(VEC(xl), VEC(tl), 6, VEC(wl), 2, VEC(pw), 2, SUM, VEC(g2), gx), OK);
    CHECK_VALUES(gx, bcel_want, 6, TOL);

    CHECK_STATUS(kl_bw(VEC(tk), 4, 0, MEAN, 0, VEC(g1), gx), OK);
    CHECK_VALUES(gx, kl_mean, 4, TOL);
    CHECK_STATUS(kl_bw(VEC(tk), 4, 0, NONE, 0, VEC(g1234), gx), OK);
    CHECK_VALUES(gx, kl_none, 4, TOL);
    CHECK_STATUS(kl_bw(VEC(tk), 4, 2, BATCHMEAN, 0, VEC(g2), gx), OK); /* 2 / batch 2 */
    CHECK_VALUES(gx, kl_batchmean, 4, TOL);
    CHECK_STATUS(kl_bw(VEC(tk_log), 4, 4, BATCHMEAN, 1, VEC(g4), gx), OK);
    CHECK_VALUES(gx, kl_log, 4, TOL);

    CHECK_STATUS(bce_bw(NULL, NULL, 0, NULL, 0, NONE, NULL, NULL), OK);
    CHECK_STATUS(bcel_bw(NULL, NULL, 0, NULL, 0, NULL, 0, NONE, NULL, NULL), OK);
    CHECK_STATUS(kl_bw(NULL, 0, 0, NONE, 0, NULL, NULL), OK);
}

/* ========================================================================================
 * SEMANTICS.md, dtypes: reductions accumulate more precisely than a running float sum (as
 * PyTorch's pairwise sums). 2^20 float losses of ln 2 summed one by one give a mean 0.68864.
 * ======================================================================================== */

static void test_precise_reductions(void)
{
    enum { N = 1 << 20 };
    vec *x = vec_new(N), *t = vec_new(N), *out = vec_out(2);
    int64_t *target = (int64_t *)calloc(N / 2, sizeof *target); /* all class 0 */

    vec_fill(x, 0.5);
    vec_fill(t, 1.0);
    CHECK_STATUS(bce(x, t, N, NULL, 0, MEAN, out), OK); /* each -log 0.5 */
    CHECK_SCALAR(out, LN2, TOL);
    CHECK_STATUS(bce(x, t, N, NULL, 0, SUM, out), OK);
    CHECK_SCALAR(out, N * LN2, N * 1e-6);

    vec_fill(x, 0.0);
    CHECK_STATUS(bcel(x, t, N, NULL, 0, NULL, 0, MEAN, out), OK); /* each softplus(0) */
    CHECK_SCALAR(out, LN2, TOL);
    CHECK_STATUS(ce(x, target, N / 2, 2, 1, NULL, 0, IGNORE, MEAN, 0.0, out), OK); /* [0, 0] */
    CHECK_SCALAR(out, LN2, TOL);
    CHECK_STATUS(ce(x, target, N / 2, 2, 1, NULL, 0, IGNORE, SUM, 0.0, out), OK);
    CHECK_SCALAR(out, N / 2 * LN2, N * 1e-6);

    vec_fill(x, LN_QUARTER);
    vec_fill(t, 0.5);
    CHECK_STATUS(kl(x, t, N, 0, MEAN, 0, out), OK); /* each 0.5 (log 0.5 - log 0.25) */
    CHECK_SCALAR(out, 0.5 * LN2, TOL);
    free(target);
}

/* ========================================================================================
 * Errors: every status each function documents, and the outputs left untouched.
 * A gradient checks the arguments it shares with its forward call exactly as there, so each
 * error test runs the forward function and its gradient alike: the *_fn helpers below call
 * one of them by number, a gradient with a grad_output of ones and its grad_input in place
 * of the forward output.
 * ======================================================================================== */

#define HALF_BITS (sizeof(size_t) * 4)
#define PTRDIFF_LIMIT ((size_t)PTRDIFF_MAX)

/* Shapes (outer/batch, dim/classes, inner) whose element or byte count overflows. */
static const size_t HUGE_SHAPES[][3] = {
    {SIZE_MAX / 2, 4, 1},                                /* the product wraps       */
    {(size_t)1 << HALF_BITS, (size_t)1 << HALF_BITS, 1}, /* wraps to exactly 0      */
    {1, 2, (size_t)1 << (HALF_BITS * 2 - 1)},            /* wraps to exactly 0      */
    {1, SIZE_MAX, 1},                                    /* SIZE_MAX elements       */
    {PTRDIFF_LIMIT + 1, 1, 1},                           /* > PTRDIFF_MAX elements  */
    {1, 1, PTRDIFF_LIMIT / 2},                           /* only the bytes overflow */
};
#define N_HUGE (sizeof HUGE_SHAPES / sizeof HUGE_SHAPES[0])

/* Element counts for the element-wise losses. */
static const size_t HUGE_COUNTS[] = {SIZE_MAX, PTRDIFF_LIMIT + 1, PTRDIFF_LIMIT / 2};
#define N_HUGE_COUNTS (sizeof HUGE_COUNTS / sizeof HUGE_COUNTS[0])

static const int BAD_REDUCTIONS[] = {-1, BATCHMEAN, 4, 1000}; /* BATCHMEAN is kl_div's only */
#define N_BAD_REDUCTIONS (sizeof BAD_REDUCTIONS / sizeof BAD_REDUCTIONS[0])

/* grad_output for the error tests: ones, enough for any of their (small) shapes */
static vec *ones(void) { return vec_const(16, 1.0); }

enum { SOFTMAX, LOG_SOFTMAX, SOFTMAX_BACKWARD, LOG_SOFTMAX_BACKWARD, N_SOFTMAX_FNS };
static const char *const SOFTMAX_FN[] = {"softmax", "log_softmax", "softmax_backward",
                                         "log_softmax_backward"};

static swiftloss_status softmax_fn(int fn, const vec *x, size_t outer, size_t dim, size_t inner,
                                   vec *out)
{
    switch (fn) {
    case SOFTMAX: return sm(x, outer, dim, inner, out);
    case LOG_SOFTMAX: return lsm(x, outer, dim, inner, out);
    case SOFTMAX_BACKWARD: return sm_bw(x, ones(), outer, dim, inner, out);
    default: return lsm_bw(x, ones(), outer, dim, inner, out);
    }
}

enum { NLL, CE, NLL_BACKWARD, CE_BACKWARD, CE_FUSED, N_CLASS_FNS };
static const char *const CLASS_FN[] = {"nll_loss", "cross_entropy", "nll_loss_backward",
                                       "cross_entropy_backward", "cross_entropy_fused"};

static swiftloss_status class_fn(int fn, const vec *x, const int64_t *t, size_t batch,
                                 size_t classes, size_t inner, const vec *w, size_t wlen,
                                 int64_t ignore, int reduction, double smoothing, vec *out)
{
    vec *loss;
    swiftloss_status status;
    switch (fn) {
    case NLL: return nll(x, t, batch, classes, inner, w, wlen, ignore, reduction, out);
    case CE:
        return ce(x, t, batch, classes, inner, w, wlen, ignore, reduction, smoothing, out);
    case NLL_BACKWARD:
        return nll_bw(t, batch, classes, inner, w, wlen, ignore, reduction, ones(), out);
    case CE_BACKWARD:
        return ce_bw(x, t, batch, classes, inner, w, wlen, ignore, reduction, smoothing, ones(),
                     out);
    default: /* CE_FUSED: the gradient goes to out; on error the loss must stay untouched too */
        loss = vec_out(16);
        status = ce_fused(x, t, batch, classes, inner, w, wlen, ignore, reduction, smoothing,
                          ones(), loss, out);
        if (status != SWIFTLOSS_OK)
            CHECK_VALUES(loss, NULL, 0, 0);
        return status;
    }
}

static swiftloss_status probs_fn(int backward, const vec *x, const vec *q, size_t batch,
                                 size_t classes, size_t inner, const vec *w, size_t wlen,
                                 int64_t ignore, int reduction, double smoothing, vec *out)
{
    return backward ? cep_bw(x, q, batch, classes, inner, w, wlen, ignore, reduction, smoothing,
                             ones(), out)
                    : cep(x, q, batch, classes, inner, w, wlen, ignore, reduction, smoothing,
                          out);
}

static swiftloss_status bce_fn(int backward, const vec *x, const vec *t, size_t count,
                               const vec *w, size_t wlen, int reduction, vec *out)
{
    return backward ? bce_bw(x, t, count, w, wlen, reduction, ones(), out)
                    : bce(x, t, count, w, wlen, reduction, out);
}

static swiftloss_status bcel_fn(int backward, const vec *x, const vec *t, size_t count,
                                const vec *w, size_t wlen, const vec *pw, size_t pwlen,
                                int reduction, vec *out)
{
    return backward ? bcel_bw(x, t, count, w, wlen, pw, pwlen, reduction, ones(), out)
                    : bcel(x, t, count, w, wlen, pw, pwlen, reduction, out);
}

static swiftloss_status kl_fn(int backward, const vec *x, const vec *t, size_t count,
                              size_t batch, int reduction, int log_target, vec *out)
{
    return backward ? kl_bw(t, count, batch, reduction, log_target, ones(), out)
                    : kl(x, t, count, batch, reduction, log_target, out);
}

static const char *direction(int backward) { return backward ? "backward" : "forward"; }

static void test_errors_softmax(void)
{
    vec *x = VEC(A_PREDS), *out = vec_out(9);
    size_t i;
    int fn;

    for (fn = 0; fn < N_SOFTMAX_FNS; fn++) {
        snprintf(g_ctx, sizeof g_ctx, "%s", SOFTMAX_FN[fn]);
        CHECK_STATUS(softmax_fn(fn, x, 2, 4, 1, out), OK);
        CHECK_ERROR(out, softmax_fn(fn, NULL, 2, 4, 1, out), SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(NULL, softmax_fn(fn, x, 1, 1, 1, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
        for (i = 0; i < N_HUGE; i++) {
            const size_t *s = HUGE_SHAPES[i];
            snprintf(g_ctx, sizeof g_ctx, "%s, huge shape %zu", SOFTMAX_FN[fn], i);
            CHECK_ERROR(out, softmax_fn(fn, x, s[0], s[1], s[2], out),
                        SWIFTLOSS_ERROR_SIZE_OVERFLOW);
            CHECK_ERROR(out, softmax_fn(fn, x, s[2], s[0], s[1], out),
                        SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        }
    }
    g_ctx[0] = '\0';
    CHECK_ERROR(out, sm_bw(x, NULL, 2, 4, 1, out), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_ERROR(out, lsm_bw(x, NULL, 1, 8, 1, out), SWIFTLOSS_ERROR_NULL_POINTER);
}

/* nll_loss and cross_entropy with class-index targets, their gradients, the fused one */
static void test_errors_class_index(void)
{
    static const double inputs[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}; /* (2, 3) */
    static const int64_t target[] = {0, 2};
    static const int64_t t_3[] = {0, 3}, t_minus1[] = {-1, 0}, t_minus100[] = {0, -100};
    static const int64_t t_255[] = {255, 0}, t_ignored[] = {-100, -100};
    static const int64_t t_2_32[] = {0, ((int64_t)1 << 32) + 1}; /* 1 if cut to 32 bits */
    static const double w3[] = {1, 1, 1}, w4[] = {1, 1, 1, 1};
    static const double bad_smoothing[] = {1.5, 1.0000001, NAN, INFINITY};
    vec *x = VEC(inputs), *out = vec_out(8), *loss = vec_out(2), *w2 = VEC(C_WEIGHT);
    vec *w3v = VEC(w3), *w4v = VEC(w4);
    size_t i;
    int fn;

    for (fn = 0; fn < N_CLASS_FNS; fn++) {
#define CALL(x_, t_, b_, c_, i_, w_, wl_, ig_, red_, out_) \
    class_fn(fn, (x_), (t_), (b_), (c_), (i_), (w_), (wl_), (ig_), (red_), 0.1, (out_))
        snprintf(g_ctx, sizeof g_ctx, "%s", CLASS_FN[fn]);
        CHECK_STATUS(CALL(x, target, 2, 3, 1, w3v, 3, IGNORE, NONE, out), OK);
        if (fn != NLL_BACKWARD) /* the only one without the input */
            CHECK_ERROR(out, CALL(NULL, target, 2, 3, 1, NULL, 0, IGNORE, MEAN, out),
                        SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, CALL(x, NULL, 2, 3, 1, NULL, 0, IGNORE, NONE, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, CALL(x, target, 2, 3, 1, NULL, 3, IGNORE, MEAN, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(NULL, CALL(x, target, 2, 3, 1, NULL, 0, IGNORE, SUM, NULL),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, CALL(x, t_ignored, 2, 0, 1, NULL, 0, IGNORE, MEAN, out),
                    SWIFTLOSS_ERROR_ZERO_CLASSES);
        CHECK_ERROR(out, CALL(x, target, 2, 3, 1, w2, 2, IGNORE, MEAN, out),
                    SWIFTLOSS_ERROR_WEIGHT_SIZE);
        CHECK_ERROR(out, CALL(x, target, 2, 3, 1, w4v, 4, IGNORE, NONE, out),
                    SWIFTLOSS_ERROR_WEIGHT_SIZE);
        CHECK_ERROR(out, CALL(x, t_3, 2, 3, 1, NULL, 0, IGNORE, NONE, out),
                    SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
        CHECK_ERROR(out, CALL(x, t_minus1, 2, 3, 1, NULL, 0, IGNORE, MEAN, out),
                    SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
        CHECK_ERROR(out, CALL(x, t_minus100, 2, 3, 1, NULL, 0, 255, SUM, out),
                    SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
        CHECK_ERROR(out, CALL(x, t_255, 2, 3, 1, NULL, 0, IGNORE, NONE, out),
                    SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
        CHECK_ERROR(out, CALL(x, t_2_32, 2, 3, 1, NULL, 0, IGNORE, SUM, out),
                    SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
        CHECK_STATUS(CALL(x, t_255, 2, 3, 1, NULL, 0, 255, NONE, out), OK);
        /* one class: the float input's bytes fit, the int64 target's bytes do not */
        CHECK_ERROR(out, CALL(x, target, PTRDIFF_LIMIT / 6, 1, 1, NULL, 0, IGNORE, MEAN, out),
                    SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        for (i = 0; i < N_BAD_REDUCTIONS; i++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, reduction %d", CLASS_FN[fn], BAD_REDUCTIONS[i]);
            CHECK_ERROR(out, CALL(x, target, 2, 3, 1, NULL, 0, IGNORE, BAD_REDUCTIONS[i], out),
                        SWIFTLOSS_ERROR_INVALID_REDUCTION);
        }
        for (i = 0; i < N_HUGE; i++) {
            const size_t *s = HUGE_SHAPES[i];
            snprintf(g_ctx, sizeof g_ctx, "%s, huge shape %zu", CLASS_FN[fn], i);
            CHECK_ERROR(out, CALL(x, target, s[0], s[1], s[2], NULL, 0, IGNORE, MEAN, out),
                        SWIFTLOSS_ERROR_SIZE_OVERFLOW);
            CHECK_ERROR(out, CALL(x, target, s[0], s[1], s[2], NULL, 0, IGNORE, NONE, out),
                        SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        }
#undef CALL
        /* label_smoothing must be <= 1 and not NaN (1 itself is fine); nll has none */
        if (fn == NLL || fn == NLL_BACKWARD)
            continue;
        for (i = 0; i < sizeof bad_smoothing / sizeof bad_smoothing[0]; i++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, label_smoothing %g", CLASS_FN[fn],
                     bad_smoothing[i]);
            CHECK_ERROR(out, class_fn(fn, x, target, 2, 3, 1, NULL, 0, IGNORE, MEAN,
                                      bad_smoothing[i], out),
                        SWIFTLOSS_ERROR_INVALID_LABEL_SMOOTHING);
            CHECK_STATUS(class_fn(fn, x, target, 2, 3, 1, NULL, 0, IGNORE, MEAN, 1.0, out), OK);
        }
    }
    g_ctx[0] = '\0';

    /* grad_output NULL is an error, except for the fused function (there it means ones) */
    CHECK_ERROR(out, nll_bw(target, 2, 3, 1, NULL, 0, IGNORE, MEAN, NULL, out),
                SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_ERROR(out, ce_bw(x, target, 2, 3, 1, NULL, 0, IGNORE, NONE, 0.0, NULL, out),
                SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(ce_fused(x, target, 2, 3, 1, NULL, 0, IGNORE, NONE, 0.0, NULL, loss, out), OK);
    /* the fused function's loss output may not be NULL */
    CHECK_ERROR(out, ce_fused(x, target, 2, 3, 1, NULL, 0, IGNORE, SUM, 0.0, NULL, NULL, out),
                SWIFTLOSS_ERROR_NULL_POINTER);
}

static void test_errors_probability_targets(void)
{
    static const double inputs[] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}; /* (2, 3) */
    static const double q[] = {1, 0, 0, 0.2, 0.3, 0.5};
    static const double w3[] = {1, 2, 3};
    static const int64_t bad_ignore[] = {0, 1, 255, INT64_MAX};
    static const double bad_smoothing[] = {1.5, NAN};
    vec *x = VEC(inputs), *vq = VEC(q), *w3v = VEC(w3), *out = vec_out(8);
    size_t i;
    int bw;

    for (bw = 0; bw < 2; bw++) {
        snprintf(g_ctx, sizeof g_ctx, "%s", direction(bw));
        CHECK_STATUS(probs_fn(bw, x, vq, 2, 3, 1, w3v, 3, IGNORE, NONE, 0.0, out), OK);
        CHECK_STATUS(probs_fn(bw, x, vq, 2, 3, 1, w3v, 3, INT64_MIN, NONE, 0.0, out), OK);
        CHECK_ERROR(out, probs_fn(bw, NULL, vq, 2, 3, 1, NULL, 0, IGNORE, MEAN, 0.0, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, probs_fn(bw, x, NULL, 2, 3, 1, NULL, 0, IGNORE, NONE, 0.0, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, probs_fn(bw, x, vq, 2, 3, 1, NULL, 3, IGNORE, NONE, 0.0, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(NULL, probs_fn(bw, x, vq, 2, 3, 1, NULL, 0, IGNORE, MEAN, 0.0, NULL),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, probs_fn(bw, x, vq, 2, 0, 1, NULL, 0, IGNORE, MEAN, 0.0, out),
                    SWIFTLOSS_ERROR_ZERO_CLASSES);
        CHECK_ERROR(out, probs_fn(bw, x, vq, 2, 3, 1, VEC(C_WEIGHT), 2, IGNORE, MEAN, 0.0, out),
                    SWIFTLOSS_ERROR_WEIGHT_SIZE);
        for (i = 0; i < 2; i++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, label_smoothing %g", direction(bw),
                     bad_smoothing[i]);
            CHECK_ERROR(out, probs_fn(bw, x, vq, 2, 3, 1, NULL, 0, IGNORE, NONE,
                                      bad_smoothing[i], out),
                        SWIFTLOSS_ERROR_INVALID_LABEL_SMOOTHING);
        }
        for (i = 0; i < sizeof bad_ignore / sizeof bad_ignore[0]; i++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, ignore_index %lld", direction(bw),
                     (long long)bad_ignore[i]);
            CHECK_ERROR(out, probs_fn(bw, x, vq, 2, 3, 1, NULL, 0, bad_ignore[i], MEAN, 0.0, out),
                        SWIFTLOSS_ERROR_IGNORE_INDEX_UNSUPPORTED);
        }
        for (i = 0; i < N_BAD_REDUCTIONS; i++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, reduction %d", direction(bw), BAD_REDUCTIONS[i]);
            CHECK_ERROR(out, probs_fn(bw, x, vq, 2, 3, 1, NULL, 0, IGNORE, BAD_REDUCTIONS[i], 0.0,
                                      out),
                        SWIFTLOSS_ERROR_INVALID_REDUCTION);
        }
        for (i = 0; i < N_HUGE; i++) {
            const size_t *s = HUGE_SHAPES[i];
            snprintf(g_ctx, sizeof g_ctx, "%s, huge shape %zu", direction(bw), i);
            CHECK_ERROR(out, probs_fn(bw, x, vq, s[0], s[1], s[2], NULL, 0, IGNORE, MEAN, 0.0,
                                      out),
                        SWIFTLOSS_ERROR_SIZE_OVERFLOW);
            CHECK_ERROR(out, probs_fn(bw, x, vq, s[0], s[1], s[2], NULL, 0, IGNORE, NONE, 0.0,
                                      out),
                        SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        }
    }
    g_ctx[0] = '\0';
    CHECK_ERROR(out, cep_bw(x, vq, 2, 3, 1, NULL, 0, IGNORE, MEAN, 0.0, NULL, out),
                SWIFTLOSS_ERROR_NULL_POINTER); /* grad_output */
}

static void test_errors_binary(void)
{
    static const double x[] = {0.1, 0.5, 0.9, 1, 0, 0.3};
    static const double t[] = {0, 1, 0.5, 1, 0, 0.2};
    static const double x_bad[][6] = {{0.1, 1.5, 0.9, 1, 0, 0.3},
                                      {0.1, 0.5, -0.1, 1, 0, 0.3},
                                      {0.1, 0.5, 0.9, 1, 0, NAN},
                                      {0.1, 0.5, 0.9, 1, INFINITY, 0.3}};
    static const double w4[] = {1, 1, 1, 1}, w7[] = {1, 1, 1, 1, 1, 1, 1};
    vec *vx = VEC(x), *vt = VEC(t), *out = vec_out(8), *w4v = VEC(w4), *w7v = VEC(w7);
    size_t i;
    int bw;

    for (bw = 0; bw < 2; bw++) {
        /* binary_cross_entropy */
        snprintf(g_ctx, sizeof g_ctx, "binary_cross_entropy %s", direction(bw));
        CHECK_STATUS(bce_fn(bw, vx, vt, 6, w4v, 2, NONE, out), OK); /* 2 divides 6 */
        CHECK_ERROR(out, bce_fn(bw, NULL, vt, 6, NULL, 0, NONE, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, bce_fn(bw, vx, NULL, 6, NULL, 0, MEAN, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, bce_fn(bw, vx, vt, 6, NULL, 3, MEAN, out), SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(NULL, bce_fn(bw, vx, vt, 6, NULL, 0, SUM, NULL),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, bce_fn(bw, vx, vt, 6, w4v, 4, NONE, out), SWIFTLOSS_ERROR_WEIGHT_SIZE);
        CHECK_ERROR(out, bce_fn(bw, vx, vt, 6, w7v, 7, MEAN, out), SWIFTLOSS_ERROR_WEIGHT_SIZE);

        /* binary_cross_entropy_with_logits */
        snprintf(g_ctx, sizeof g_ctx, "binary_cross_entropy_with_logits %s", direction(bw));
        CHECK_STATUS(bcel_fn(bw, vx, vt, 6, w4v, 3, w4v, 1, MEAN, out), OK);
        CHECK_ERROR(out, bcel_fn(bw, NULL, vt, 6, NULL, 0, NULL, 0, NONE, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, bcel_fn(bw, vx, NULL, 6, NULL, 0, NULL, 0, NONE, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, bcel_fn(bw, vx, vt, 6, NULL, 2, NULL, 0, NONE, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, bcel_fn(bw, vx, vt, 6, NULL, 0, NULL, 2, SUM, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(NULL, bcel_fn(bw, vx, vt, 6, NULL, 0, NULL, 0, MEAN, NULL),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, bcel_fn(bw, vx, vt, 6, w4v, 4, NULL, 0, NONE, out),
                    SWIFTLOSS_ERROR_WEIGHT_SIZE);
        CHECK_ERROR(out, bcel_fn(bw, vx, vt, 6, NULL, 0, w4v, 4, NONE, out),
                    SWIFTLOSS_ERROR_WEIGHT_SIZE);
        CHECK_ERROR(out, bcel_fn(bw, vx, vt, 6, w7v, 7, w4v, 2, MEAN, out),
                    SWIFTLOSS_ERROR_WEIGHT_SIZE);

        for (i = 0; i < sizeof x_bad / sizeof x_bad[0]; i++) {
            vec *bad = vec_of(x_bad[i], 6);
            snprintf(g_ctx, sizeof g_ctx, "%s, bad element %zu", direction(bw), i);
            CHECK_ERROR(out, bce_fn(bw, bad, vt, 6, NULL, 0, NONE, out),
                        SWIFTLOSS_ERROR_INPUT_OUT_OF_RANGE);
            CHECK_ERROR(out, bce_fn(bw, vx, bad, 6, NULL, 0, MEAN, out),
                        SWIFTLOSS_ERROR_TARGET_OUT_OF_RANGE);
            /* binary_cross_entropy_with_logits does not check the target range */
            CHECK_STATUS(bcel_fn(bw, vx, bad, 6, NULL, 0, NULL, 0, NONE, out), OK);
        }
        for (i = 0; i < N_BAD_REDUCTIONS; i++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, reduction %d", direction(bw), BAD_REDUCTIONS[i]);
            CHECK_ERROR(out, bce_fn(bw, vx, vt, 6, NULL, 0, BAD_REDUCTIONS[i], out),
                        SWIFTLOSS_ERROR_INVALID_REDUCTION);
            CHECK_ERROR(out, bcel_fn(bw, vx, vt, 6, NULL, 0, NULL, 0, BAD_REDUCTIONS[i], out),
                        SWIFTLOSS_ERROR_INVALID_REDUCTION);
        }
        for (i = 0; i < N_HUGE_COUNTS; i++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, huge count %zu", direction(bw), i);
            CHECK_ERROR(out, bce_fn(bw, vx, vt, HUGE_COUNTS[i], NULL, 0, MEAN, out),
                        SWIFTLOSS_ERROR_SIZE_OVERFLOW);
            CHECK_ERROR(out, bcel_fn(bw, vx, vt, HUGE_COUNTS[i], NULL, 0, NULL, 0, NONE, out),
                        SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        }
    }
    g_ctx[0] = '\0';
    /* grad_output */
    CHECK_ERROR(out, bce_bw(vx, vt, 6, NULL, 0, MEAN, NULL, out), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_ERROR(out, bcel_bw(vx, vt, 6, NULL, 0, NULL, 0, NONE, NULL, out),
                SWIFTLOSS_ERROR_NULL_POINTER);
}

static void test_errors_kl_div(void)
{
    static const double x[] = {-1, -2, -0.5, -3}, t[] = {0.1, 0.2, 0.3, 0.4};
    static const int bad_kl_reductions[] = {-1, 4, 1000};
    static const int bad_log_target[] = {-1, 2, 100};
    vec *vx = VEC(x), *vt = VEC(t), *out = vec_out(5);
    size_t i;
    int bw;

    for (bw = 0; bw < 2; bw++) {
        snprintf(g_ctx, sizeof g_ctx, "%s", direction(bw));
        CHECK_STATUS(kl_fn(bw, vx, vt, 4, 2, BATCHMEAN, 1, out), OK);
        if (!bw) /* the gradient does not take the input */
            CHECK_ERROR(out, kl_fn(bw, NULL, vt, 4, 2, NONE, 0, out),
                        SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(out, kl_fn(bw, vx, NULL, 4, 2, BATCHMEAN, 0, out),
                    SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_ERROR(NULL, kl_fn(bw, vx, vt, 4, 2, MEAN, 1, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
        /* batchmean: batch must divide count, and may be 0 only when count is 0 */
        CHECK_ERROR(out, kl_fn(bw, vx, vt, 4, 0, BATCHMEAN, 0, out),
                    SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        CHECK_ERROR(out, kl_fn(bw, vx, vt, 4, 3, BATCHMEAN, 0, out),
                    SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        CHECK_ERROR(out, kl_fn(bw, vx, vt, 4, 8, BATCHMEAN, 1, out),
                    SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        for (i = 0; i < 3; i++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, reduction %d / log_target %d", direction(bw),
                     bad_kl_reductions[i], bad_log_target[i]);
            CHECK_ERROR(out, kl_fn(bw, vx, vt, 4, 2, bad_kl_reductions[i], 0, out),
                        SWIFTLOSS_ERROR_INVALID_REDUCTION);
            CHECK_ERROR(out, kl_fn(bw, vx, vt, 4, 2, MEAN, bad_log_target[i], out),
                        SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        }
        for (i = 0; i < N_HUGE_COUNTS; i++) {
            snprintf(g_ctx, sizeof g_ctx, "%s, huge count %zu", direction(bw), i);
            CHECK_ERROR(out, kl_fn(bw, vx, vt, HUGE_COUNTS[i], 1, BATCHMEAN, 0, out),
                        SWIFTLOSS_ERROR_SIZE_OVERFLOW);
            CHECK_ERROR(out, kl_fn(bw, vx, vt, HUGE_COUNTS[i], 0, NONE, 1, out),
                        SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        }
    }
    g_ctx[0] = '\0';
    CHECK_ERROR(out, kl_bw(vt, 4, 2, SUM, 0, NULL, out), SWIFTLOSS_ERROR_NULL_POINTER);
}

/* ======================================================================================== */

#define RUN(test) (g_test = #test, test())

/* The thread count: setting, defaults, clamping, and results that do not depend on it.
 * 64 x 8192 float32 logits are above the threshold at which a call splits its work. */
static void test_threads(void)
{
    enum { N = 64, C = 8192 };
    static float x[N * C], grad1[N * C], grad2[N * C];
    static int64_t t[N];
    float loss1[N], loss2[N], mean1, mean2;
    int default_threads, i;

    swiftloss_set_num_threads(0);
    default_threads = swiftloss_get_num_threads();
    CHECK(default_threads >= 1 && default_threads <= 256);
    swiftloss_set_num_threads(1);
    CHECK(swiftloss_get_num_threads() == 1);
    swiftloss_set_num_threads(1000);
    CHECK(swiftloss_get_num_threads() == 256);
    swiftloss_set_num_threads(-5);
    CHECK(swiftloss_get_num_threads() == default_threads);

    for (i = 0; i < N * C; i++) x[i] = (float)(((unsigned long)i * 7919u) % 1000u) / 100.0f - 5.0f;
    for (i = 0; i < N; i++) t[i] = (i * 31) % C;
    swiftloss_set_num_threads(1);
    CHECK_STATUS(swiftloss_cross_entropy_f32(x, t, N, C, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_NONE, 0.1, loss1), SWIFTLOSS_OK);
    CHECK_STATUS(swiftloss_cross_entropy_fused_f32(x, t, N, C, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.1, NULL, &mean1, grad1), SWIFTLOSS_OK);
    swiftloss_set_num_threads(3);
    CHECK_STATUS(swiftloss_cross_entropy_f32(x, t, N, C, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_NONE, 0.1, loss2), SWIFTLOSS_OK);
    CHECK_STATUS(swiftloss_cross_entropy_fused_f32(x, t, N, C, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.1, NULL, &mean2, grad2), SWIFTLOSS_OK);
    CHECK(memcmp(loss1, loss2, sizeof loss1) == 0);
    CHECK(memcmp(&mean1, &mean2, sizeof mean1) == 0);
    CHECK(memcmp(grad1, grad2, sizeof grad1) == 0);
#if defined(__unix__) || defined(__APPLE__)
    {
        /* fork() after the pool has run a call: the child has none of the parent's workers
         * and must start its own (and not wait for the parent's), with the same results. */
        int status = -1;
        pid_t pid = getenv("SWIFTLOSS_TEST_NO_FORK") != NULL ? -2 : fork();
        CHECK(pid >= 0 || pid == -2);
        if (pid == 0) {
            float child_loss[N];
            alarm(20); /* a hang fails the test */
            int ok = swiftloss_cross_entropy_f32(x, t, N, C, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_NONE, 0.1, child_loss) == SWIFTLOSS_OK &&
                     memcmp(child_loss, loss1, sizeof loss1) == 0;
            _exit(ok ? 0 : 1);
        }
        if (pid > 0) {
            CHECK(waitpid(pid, &status, 0) == pid);
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
    }
#endif
    swiftloss_set_num_threads(0);
}

/* Overlapping buffers: every overlap the header does not allow gives SWIFTLOSS_ERROR_OVERLAP
 * with the buffers untouched; the allowed exact aliases still work. Both precisions. */
#define OVERLAP_CASE(expr, buf, len, want)                                               \
    do {                                                                                  \
        memcpy(before, (buf), (len) * sizeof *(buf));                                     \
        CHECK_STATUS(expr, want);                                                         \
        if ((want) != SWIFTLOSS_OK)                                                       \
            CHECK(memcmp(before, (buf), (len) * sizeof *(buf)) == 0);                     \
    } while (0)

static void test_errors_overlap(void)
{
    static const int64_t target[2] = {2, 3};
    const int OV = SWIFTLOSS_ERROR_OVERLAP, OK = SWIFTLOSS_OK;
    unsigned char before[64 * sizeof(double)];
    float f[64];
    double d[64];
    int64_t t[4];
    size_t i;

    for (i = 0; i < 64; i++) { f[i] = (float)(0.1 * (double)(i % 7)); d[i] = 0.1 * (double)(i % 7); }
    snprintf(g_ctx, sizeof g_ctx, "overlap f32");
    /* The issue's example: output == input == grad_input in the fused call. */
    OVERLAP_CASE(swiftloss_cross_entropy_fused_f32(f, target, 2, 4, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_MEAN, 0.0, NULL, f, f), f, 8, OV);
    /* The loss inside the gradient, and the loss inside the logits. */
    OVERLAP_CASE(swiftloss_cross_entropy_fused_f32(f, target, 2, 4, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_MEAN, 0.0, NULL, f + 3, f + 8), f, 16, OV);
    OVERLAP_CASE(swiftloss_cross_entropy_fused_f32(f, target, 2, 4, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_MEAN, 0.0, NULL, f + 20, f + 1), f, 24, OV);
    /* Allowed: the gradient over the logits, the loss elsewhere. */
    OVERLAP_CASE(swiftloss_cross_entropy_fused_f32(f, target, 2, 4, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_MEAN, 0.0, NULL, f + 20, f), f, 24, OK);
    /* softmax: shifted by one element is an overlap; the same pointer is in place. */
    OVERLAP_CASE(swiftloss_softmax_f32(f, 2, 4, 1, f + 1), f, 9, OV);
    OVERLAP_CASE(swiftloss_softmax_f32(f + 1, 2, 4, 1, f), f, 9, OV);
    OVERLAP_CASE(swiftloss_log_softmax_f32(f, 2, 4, 1, f), f, 8, OK);
    /* Same start, different lengths: not the same buffer. */
    OVERLAP_CASE(swiftloss_cross_entropy_backward_f32(f, target, 1, 4, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_SUM, 0.0, f + 4, f + 4), f, 8, OV);
    /* A 'none' output over the weight, the target, the probabilities. */
    OVERLAP_CASE(swiftloss_nll_loss_f32(f, target, 2, 4, 1, f + 40, 4, -100,
                 SWIFTLOSS_REDUCTION_NONE, f + 41), f, 48, OV);
    memcpy(t, target, sizeof target);
    OVERLAP_CASE(swiftloss_cross_entropy_f32(f, t, 2, 4, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_NONE, 0.0, (float *)(void *)t), f, 8, OV);
    OVERLAP_CASE(swiftloss_cross_entropy_probs_f32(f, f + 8, 2, 4, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_NONE, 0.0, f + 9), f, 16, OV);
    /* Element-wise: the output over the input or target; grad_input == grad_output is allowed,
     * grad_input == input is not. */
    OVERLAP_CASE(swiftloss_binary_cross_entropy_with_logits_f32(f, f + 8, 8, NULL, 0, NULL, 0,
                 SWIFTLOSS_REDUCTION_NONE, f + 4), f, 16, OV);
    OVERLAP_CASE(swiftloss_binary_cross_entropy_with_logits_f32(f, f + 8, 8, NULL, 0, f + 16, 8,
                 SWIFTLOSS_REDUCTION_NONE, f + 16), f, 24, OV);
    OVERLAP_CASE(swiftloss_binary_cross_entropy_with_logits_backward_f32(f, f + 8, 8, NULL, 0, NULL,
                 0, SWIFTLOSS_REDUCTION_NONE, f + 16, f + 16), f, 24, OK);
    OVERLAP_CASE(swiftloss_binary_cross_entropy_backward_f32(f + 32, f + 8, 8, NULL, 0,
                 SWIFTLOSS_REDUCTION_NONE, f + 16, f + 32), f, 40, OV);
    OVERLAP_CASE(swiftloss_kl_div_f32(f, f + 8, 8, 1, SWIFTLOSS_REDUCTION_SUM, 0, f + 15), f, 16, OV);
    OVERLAP_CASE(swiftloss_kl_div_backward_f32(f + 8, 8, 1, SWIFTLOSS_REDUCTION_NONE, 0, f + 16,
                 f + 20), f, 24, OV);
    OVERLAP_CASE(swiftloss_softmax_backward_f32(f, f + 8, 1, 8, 1, f + 8), f, 16, OK);
    OVERLAP_CASE(swiftloss_softmax_backward_f32(f, f + 8, 1, 8, 1, f + 4), f, 16, OV);
    /* Empty buffers overlap nothing. */
    OVERLAP_CASE(swiftloss_softmax_f32(f, 0, 4, 1, f + 1), f, 8, OK);

    snprintf(g_ctx, sizeof g_ctx, "overlap f64");
    OVERLAP_CASE(swiftloss_cross_entropy_fused_f64(d, target, 2, 4, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_MEAN, 0.0, NULL, d, d), d, 8, OV);
    OVERLAP_CASE(swiftloss_cross_entropy_fused_f64(d, target, 2, 4, 1, d + 1, 4, -100,
                 SWIFTLOSS_REDUCTION_MEAN, 0.0, NULL, d + 20, d), d, 24, OV);
    OVERLAP_CASE(swiftloss_cross_entropy_fused_f64(d, target, 2, 4, 1, d + 12, 4, -100,
                 SWIFTLOSS_REDUCTION_MEAN, 0.0, NULL, d + 20, d), d, 24, OK);
    OVERLAP_CASE(swiftloss_softmax_f64(d, 2, 4, 1, d + 7), d, 16, OV);
    OVERLAP_CASE(swiftloss_binary_cross_entropy_f64(d, d + 8, 8, d + 16, 8, SWIFTLOSS_REDUCTION_NONE,
                 d + 16), d, 24, OV);
    OVERLAP_CASE(swiftloss_cross_entropy_probs_backward_f64(d, d + 8, 1, 8, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_SUM, 0.0, d + 16, d), d, 24, OK);
    OVERLAP_CASE(swiftloss_cross_entropy_probs_backward_f64(d, d + 8, 1, 8, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_SUM, 0.0, d + 16, d + 8), d, 24, OV);
    OVERLAP_CASE(swiftloss_nll_loss_backward_f64(target, 1, 4, 1, NULL, 0, -100,
                 SWIFTLOSS_REDUCTION_SUM, d + 3, d), d, 8, OV);
    g_ctx[0] = '\0';
}

/* The regression losses: known values, gradients, weights, beta == 0, every status. */
static void test_regression_losses(void)
{
    static const double xd[4] = {1.0, 2.0, 3.0, -1.0}, td[4] = {1.5, 2.0, 5.0, 1.0};
    static const double wd[4] = {1.0, 0.0, 3.0, 2.0};
    static const double g_none[4] = {1.0, 2.0, 3.0, 4.0};
    float xf[4], tf[4], wf[4], gf[4], outf[4], gxf[4];
    double outd[4], gxd[4];
    size_t i;
    for (i = 0; i < 4; i++) { xf[i] = (float)xd[i]; tf[i] = (float)td[i]; wf[i] = (float)wd[i]; gf[i] = (float)g_none[i]; }

    snprintf(g_ctx, sizeof g_ctx, "regression f64");
    /* d = [-0.5, 0, -2, -2] */
    CHECK_STATUS(swiftloss_mse_loss_f64(xd, td, 4, NULL, 0, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], (0.25 + 0 + 4 + 4) / 4, 1e-15);
    CHECK_STATUS(swiftloss_mse_loss_f64(xd, td, 4, wd, 4, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], (0.25 + 0 + 12 + 8) / 6, 1e-15); /* weighted mean / sum(w) */
    CHECK_STATUS(swiftloss_mse_loss_backward_f64(xd, td, 4, wd, 4, SWIFTLOSS_REDUCTION_NONE, g_none, gxd), SWIFTLOSS_OK);
    CHECK_NEAR(gxd[0], 2 * -0.5 * 1 * 1, 1e-15);
    CHECK_NEAR(gxd[2], 2 * -2.0 * 3 * 3, 1e-15);
    CHECK_STATUS(swiftloss_l1_loss_f64(xd, td, 4, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], 4.5, 1e-15);
    CHECK_STATUS(swiftloss_l1_loss_backward_f64(xd, td, 4, NULL, 0, SWIFTLOSS_REDUCTION_NONE, g_none, gxd), SWIFTLOSS_OK);
    CHECK(gxd[0] == -1 && gxd[1] == 0 && gxd[2] == -3 && gxd[3] == -4);
    /* smooth_l1, beta 1: [0.125, 0, 1.5, 1.5]; beta 0 is l1 */
    CHECK_STATUS(swiftloss_smooth_l1_loss_f64(xd, td, 4, 1.0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], 3.125, 1e-15);
    CHECK_STATUS(swiftloss_smooth_l1_loss_f64(xd, td, 4, 0.0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], 4.5, 1e-15);
    /* huber, delta 1, weights: [0.125, 0, 3 * 1.5, 2 * 1.5] / 4 (numel, not sum(w)) */
    CHECK_STATUS(swiftloss_huber_loss_f64(xd, td, 4, wd, 4, 1.0, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], (0.125 + 4.5 + 3.0) / 4, 1e-15);
    CHECK_STATUS(swiftloss_huber_loss_backward_f64(xd, td, 4, NULL, 0, 1.0, SWIFTLOSS_REDUCTION_NONE, g_none, gxd), SWIFTLOSS_OK);
    CHECK(gxd[0] == -0.5 && gxd[1] == 0 && gxd[2] == -3 && gxd[3] == -4);
    /* soft margin: log(1 + exp(-t x)) */
    CHECK_STATUS(swiftloss_soft_margin_loss_f64(xd, td, 4, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[2], log1p(exp(-15.0)), 1e-15);
    CHECK_NEAR(outd[3], log1p(exp(1.0)), 1e-15);
    /* hinge embedding, margin 1, targets [1.5, 2, 5, 1]: both terms, then x itself for t = 1 */
    CHECK_STATUS(swiftloss_hinge_embedding_loss_f64(xd, td, 4, 1.0, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 1.0 && outd[1] == 2.0 && outd[2] == 3.0 && outd[3] == -1.0);
    {
        static const double hx[3] = {0.25, 2.0, 1.0}, ht[3] = {-1.0, 1.0, -1.0}, hg[3] = {1, 1, 1};
        CHECK_STATUS(swiftloss_hinge_embedding_loss_backward_f64(hx, ht, 3, 1.0, SWIFTLOSS_REDUCTION_NONE, hg, gxd), SWIFTLOSS_OK);
        CHECK(gxd[0] == -1 && gxd[1] == 1 && gxd[2] == 0); /* 0 at the kink x == margin */
    }
    /* poisson_nll_loss: exp(x) - t x; x - t log(x + eps); the Stirling term
     * t log t - t + 0.5 log(2 pi t) where t > 1 (values computed in double by hand) */
    {
        static const double plain[4] = {1.218281828459045, 3.3890560989306504, 5.085536923187668, 1.3678794411714423};
        static const double full[4] = {1.4481505778800465, 4.040862583535186, 9.856383974779892, 1.3678794411714423};
        static const double grad[4] = {1.218281828459045, 10.7781121978613, 45.256610769563004, -2.5284822353142307}; /* (exp(x) - t) g */
        CHECK_STATUS(swiftloss_poisson_nll_loss_f64(xd, td, 4, 1, 0, 1e-8, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
        for (i = 0; i < 4; i++) CHECK_NEAR(outd[i], plain[i], 1e-15);
        CHECK_STATUS(swiftloss_poisson_nll_loss_f64(xd, td, 4, 1, 1, 1e-8, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
        for (i = 0; i < 4; i++) CHECK_NEAR(outd[i], full[i], 1e-15);
        CHECK_STATUS(swiftloss_poisson_nll_loss_f64(xd, td, 4, 0, 0, 0.5, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
        CHECK_NEAR(outd[0], 0.3918023378377534, 1e-15); /* 1 - 1.5 log(1.5) */
        CHECK(is_nan(outd[3])); /* a negative rate: the log of a negative number, as PyTorch */
        CHECK_STATUS(swiftloss_poisson_nll_loss_backward_f64(xd, td, 4, 1, 1, 1e-8, SWIFTLOSS_REDUCTION_NONE, g_none, gxd), SWIFTLOSS_OK);
        for (i = 0; i < 4; i++) CHECK_NEAR(gxd[i], grad[i], 1e-14);
        CHECK_STATUS(swiftloss_poisson_nll_loss_backward_f64(xd, td, 2, 0, 0, 0.5, SWIFTLOSS_REDUCTION_NONE, g_none, gxd), SWIFTLOSS_OK);
        CHECK_NEAR(gxd[1], (1 - 2.0 / 2.5) * 2.0, 1e-15);
        CHECK_STATUS(swiftloss_poisson_nll_loss_f32(xf, tf, 4, 1, 0, 1e-8, SWIFTLOSS_REDUCTION_SUM, outf), SWIFTLOSS_OK);
        CHECK_NEAR(outf[0], 11.060754291748806, 1e-5);
    }
    /* multilabel_soft_margin_loss, 2 rows of 2 classes: the mean over the classes of
     * (1 - t) x - logsigmoid(x), with a per-class weight, and its gradient (values by hand) */
    {
        static const double plain[2] = {-1.0299051507194024, -5.319075480454018};
        static const double per_class[2] = {-0.09336915624088857, -5.975706324213129}; /* weight {1, 0} */
        static const double grad[4] = {-0.38447071068499755, -0.5596014610110589, -4.047425873177566, -0.7310585786300049}; /* (sigmoid(x) - t) g / 2 */
        static const double g2[2] = {1.0, 2.0};
        double row[4];
        memcpy(row, xd, sizeof row);
        CHECK_STATUS(swiftloss_multilabel_soft_margin_loss_f64(xd, td, 2, 2, NULL, 0, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
        CHECK_NEAR(outd[0], plain[0], 1e-15);
        CHECK_NEAR(outd[1], plain[1], 1e-15);
        CHECK_STATUS(swiftloss_multilabel_soft_margin_loss_f64(xd, td, 2, 2, wd, 2, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
        CHECK_NEAR(outd[0], (per_class[0] + per_class[1]) / 2, 1e-15);
        CHECK_STATUS(swiftloss_multilabel_soft_margin_loss_backward_f64(xd, td, 2, 2, NULL, 0, SWIFTLOSS_REDUCTION_NONE, g2, gxd), SWIFTLOSS_OK);
        for (i = 0; i < 4; i++) CHECK_NEAR(gxd[i], grad[i], 1e-15);
        /* in place over the input */
        CHECK_STATUS(swiftloss_multilabel_soft_margin_loss_backward_f64(row, td, 2, 2, NULL, 0, SWIFTLOSS_REDUCTION_NONE, g2, row), SWIFTLOSS_OK);
        CHECK(memcmp(row, gxd, sizeof row) == 0);
        CHECK_STATUS(swiftloss_multilabel_soft_margin_loss_f64(xd, td, 2, 2, wd, 3, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_ERROR_WEIGHT_SIZE);
        CHECK_STATUS(swiftloss_multilabel_soft_margin_loss_f64(xd, td, 2, 2, NULL, 0, SWIFTLOSS_REDUCTION_BATCHMEAN, outd), SWIFTLOSS_ERROR_INVALID_REDUCTION);
        CHECK_STATUS(swiftloss_multilabel_soft_margin_loss_f64(xd, td, 2, 2, NULL, 0, SWIFTLOSS_REDUCTION_NONE, (double *)(void *)td), SWIFTLOSS_ERROR_OVERLAP);
        CHECK_STATUS(swiftloss_multilabel_soft_margin_loss_f64(xd, td, 2, 0, NULL, 0, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
        CHECK(is_nan(outd[0]) && is_nan(outd[1])); /* rows of no classes: 0 / 0 */
        /* a NULL upstream gradient is an error, never a forward call into grad_input */
        gxd[0] = 42;
        CHECK_STATUS(swiftloss_multilabel_soft_margin_loss_backward_f64(xd, td, 2, 2, NULL, 0, SWIFTLOSS_REDUCTION_NONE, NULL, gxd), SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK(gxd[0] == 42);
        CHECK_STATUS(swiftloss_multilabel_soft_margin_loss_f32(xf, tf, 2, 2, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outf), SWIFTLOSS_OK);
        CHECK_NEAR(outf[0], -6.34898063117342, 1e-5);
    }
    /* statuses, outputs untouched */
    outd[0] = 42;
    CHECK_STATUS(swiftloss_poisson_nll_loss_f64(xd, td, 4, 2, 0, 1e-8, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_poisson_nll_loss_f64(xd, td, 4, 1, -1, 1e-8, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_poisson_nll_loss_backward_f64(xd, td, 4, 1, 0, 1e-8, SWIFTLOSS_REDUCTION_BATCHMEAN, g_none, outd), SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_mse_loss_f64(xd, td, 4, wd, 3, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_ERROR_WEIGHT_SIZE);
    CHECK_STATUS(swiftloss_mse_loss_f64(xd, td, 4, NULL, 0, SWIFTLOSS_REDUCTION_BATCHMEAN, outd), SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_smooth_l1_loss_f64(xd, td, 4, -1.0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_huber_loss_f64(xd, td, 4, NULL, 0, 0.0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_huber_loss_f64(xd, td, 4, NULL, 0, NAN, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_l1_loss_f64(NULL, td, 4, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_soft_margin_loss_f64(xd, td, 4, SWIFTLOSS_REDUCTION_NONE, (double *)(void *)xd), SWIFTLOSS_ERROR_OVERLAP);
    CHECK(outd[0] == 42);
    /* empty: sum 0, mean NaN */
    CHECK_STATUS(swiftloss_mse_loss_f64(NULL, NULL, 0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 0);
    CHECK_STATUS(swiftloss_mse_loss_f64(NULL, NULL, 0, NULL, 0, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK(is_nan(outd[0]));

    snprintf(g_ctx, sizeof g_ctx, "regression f32");
    CHECK_STATUS(swiftloss_mse_loss_f32(xf, tf, 4, wf, 4, SWIFTLOSS_REDUCTION_MEAN, outf), SWIFTLOSS_OK);
    CHECK_NEAR(outf[0], (0.25 + 0 + 12 + 8) / 6, 1e-6);
    CHECK_STATUS(swiftloss_smooth_l1_loss_backward_f32(xf, tf, 4, 1.0, SWIFTLOSS_REDUCTION_NONE, gf, gxf), SWIFTLOSS_OK);
    CHECK(gxf[0] == -0.5f && gxf[1] == 0 && gxf[2] == -3 && gxf[3] == -4);
    CHECK_STATUS(swiftloss_soft_margin_loss_backward_f32(xf, tf, 4, SWIFTLOSS_REDUCTION_SUM, gf, gxf), SWIFTLOSS_OK);
    CHECK_NEAR(gxf[3], -1.0 / (1.0 + exp(-1.0)), 1e-6);
    /* grad_input over grad_output is allowed */
    for (i = 0; i < 4; i++) gxf[i] = gf[i];
    CHECK_STATUS(swiftloss_l1_loss_backward_f32(xf, tf, 4, NULL, 0, SWIFTLOSS_REDUCTION_NONE, gxf, gxf), SWIFTLOSS_OK);
    CHECK(gxf[0] == -1 && gxf[3] == -4);
    g_ctx[0] = '\0';
}

/* The losses of several learned inputs: values, each gradient alone or both, NULL skipping
 * one, statuses with the outputs untouched, overlaps (no alias is allowed). */
static void test_several_learned_inputs(void)
{
    static const double x1[4] = {1.0, 2.0, 3.0, -1.0}, x2[4] = {1.5, 2.0, 5.0, 1.0};
    static const double y[4] = {1.0, -1.0, 1.0, -1.0}, g_none[4] = {1.0, 2.0, 3.0, 4.0};
    float x1f[4], x2f[4], yf[4], outf[4], g1f[4], g2f[4];
    double outd[4], g1[4], g2[4], g1_alone[4], g2_alone[4];
    size_t i;
    for (i = 0; i < 4; i++) { x1f[i] = (float)x1[i]; x2f[i] = (float)x2[i]; yf[i] = (float)y[i]; }

    snprintf(g_ctx, sizeof g_ctx, "margin_ranking_loss");
    /* margin 0.5: -y (x1 - x2) + 0.5 = [1, 0.5, 2.5, -1.5] -> [1, 0.5, 2.5, 0] */
    CHECK_STATUS(swiftloss_margin_ranking_loss_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 1.0 && outd[1] == 0.5 && outd[2] == 2.5 && outd[3] == 0.0);
    CHECK_STATUS(swiftloss_margin_ranking_loss_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 1.0);
    CHECK_STATUS(swiftloss_margin_ranking_loss_f32(x1f, x2f, yf, 4, 0.5, SWIFTLOSS_REDUCTION_SUM, outf), SWIFTLOSS_OK);
    CHECK(outf[0] == 4.0f);
    /* gradients: -y g and y g where the loss is positive */
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, g_none, g1, g2),
                 SWIFTLOSS_OK);
    CHECK(g1[0] == -1 && g1[1] == 2 && g1[2] == -3 && g1[3] == 0);
    CHECK(g2[0] == 1 && g2[1] == -2 && g2[2] == 3 && g2[3] == 0);
    /* each alone (the other NULL) gives the same bits */
    for (i = 0; i < 4; i++) { g1_alone[i] = 42; g2_alone[i] = 42; }
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, g_none, g1_alone, NULL),
                 SWIFTLOSS_OK);
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, g_none, NULL, g2_alone),
                 SWIFTLOSS_OK);
    CHECK(memcmp(g1, g1_alone, sizeof g1) == 0 && memcmp(g2, g2_alone, sizeof g2) == 0);
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, g_none, NULL, NULL),
                 SWIFTLOSS_OK);
    /* 'mean' with grad_output 2: g = 2 / 4 */
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f32(x1f, x2f, yf, 4, 0.5, SWIFTLOSS_REDUCTION_MEAN, (const float[]){2.0f},
                                                            g1f, g2f), SWIFTLOSS_OK);
    CHECK(g1f[0] == -0.5f && g1f[1] == 0.5f && g2f[2] == 0.5f && g2f[3] == 0.0f);
    /* statuses, outputs untouched */
    for (i = 0; i < 4; i++) { outd[i] = 42; g1[i] = 42; g2[i] = 42; }
    CHECK_STATUS(swiftloss_margin_ranking_loss_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_BATCHMEAN, outd),
                 SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_margin_ranking_loss_f64(x1, x2, NULL, 4, 0.5, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_margin_ranking_loss_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, (double *)(void *)(y + 2)),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, NULL, g1, g2),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, g_none, g1, g1),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, g_none, g1, g1 + 3),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, g_none, g1,
                                                            (double *)(void *)g_none), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f64(x1, x2, y, 4, 0.5, SWIFTLOSS_REDUCTION_NONE, g_none,
                                                            (double *)(void *)x1, g2), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_margin_ranking_loss_backward_f64(x1, x2, y, SIZE_MAX, 0.5, SWIFTLOSS_REDUCTION_NONE, g_none, g1, g2),
                 SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK(outd[0] == 42 && g1[0] == 42 && g2[0] == 42 && g1[3] == 42 && g2[3] == 42);
    /* empty: sum 0, mean NaN; NaN propagates */
    CHECK_STATUS(swiftloss_margin_ranking_loss_f64(NULL, NULL, NULL, 0, 0.5, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 0);
    CHECK_STATUS(swiftloss_margin_ranking_loss_f64(NULL, NULL, NULL, 0, 0.5, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK(is_nan(outd[0]));
    CHECK_STATUS(swiftloss_margin_ranking_loss_f64((const double[]){NAN}, x2, y, 1, 0.5, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_OK);
    CHECK(is_nan(outd[0]));

    /* gaussian_nll_loss: input x1, target x2, var v (below eps, zero, ordinary); learned: input, var */
    {
        static const double v[4] = {1e-9, 0.0, 2.0, 0.5};
        /* log of the clamped variances 1e-6, 1e-6, 2, 0.5 and 0.5 log(2 pi) (no libm here) */
        static const double log_v[4] = {-13.815510557964274, -13.815510557964274, 0.6931471805599453,
                                        -0.6931471805599453};
        const double half_log_2pi = 0.9189385332046727;
        double want[4], wgx[4], wgv[4], gx[4], gv[4], gx_alone[4], gv_alone[4], sum = 0;
        float vf[4], gvf[4], gxf[4];
        snprintf(g_ctx, sizeof g_ctx, "gaussian_nll_loss");
        for (i = 0; i < 4; i++) {
            double vc = v[i] < 1e-6 ? 1e-6 : v[i], d = x1[i] - x2[i];
            want[i] = 0.5 * (log_v[i] + d * d / vc);
            wgx[i] = d / vc * g_none[i];
            wgv[i] = 0.5 * (1.0 / vc - d * d / (vc * vc)) * g_none[i];
            sum += want[i];
            vf[i] = (float)v[i];
        }
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
        for (i = 0; i < 4; i++) CHECK_NEAR(outd[i], want[i], 1e-12 * fabs(want[i]));
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, v, 4, 1, 1e-6, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
        CHECK_NEAR(outd[0], sum / 4 + half_log_2pi, 1e-12 * fabs(sum));
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f32(x1f, x2f, vf, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_SUM, outf), SWIFTLOSS_OK);
        CHECK_NEAR(outf[0], sum, 1e-6 * fabs(sum));
        /* both gradients; the var gradient is taken at eps below it (-5e11 for var 1e-9) */
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, g_none,
                                                              gx, gv), SWIFTLOSS_OK);
        for (i = 0; i < 4; i++) {
            CHECK_NEAR(gx[i], wgx[i], 1e-12 * fabs(wgx[i]));
            CHECK_NEAR(gv[i], wgv[i], 1e-12 * fabs(wgv[i]));
        }
        CHECK(gv[0] < -1e11);
        /* each alone (the other NULL) gives the same bits and leaves nothing else written */
        for (i = 0; i < 4; i++) { gx_alone[i] = 42; gv_alone[i] = 42; }
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, g_none,
                                                              gx_alone, NULL), SWIFTLOSS_OK);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, g_none,
                                                              NULL, gv_alone), SWIFTLOSS_OK);
        CHECK(memcmp(gx, gx_alone, sizeof gx) == 0 && memcmp(gv, gv_alone, sizeof gv) == 0);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, 4, 1, 1e-6, SWIFTLOSS_REDUCTION_NONE, g_none,
                                                              NULL, NULL), SWIFTLOSS_OK);
        /* 'mean' with grad_output 2: g = 2 / 4 */
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f32(x1f, x2f, vf, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_MEAN,
                                                              (const float[]){2.0f}, gxf, gvf), SWIFTLOSS_OK);
        for (i = 0; i < 4; i++) {
            CHECK_NEAR(gxf[i], wgx[i] / g_none[i] * 0.5, 1e-6 * fabs(wgx[i]));
            CHECK_NEAR(gvf[i], wgv[i] / g_none[i] * 0.5, 2e-6 * fabs(wgv[i]) / g_none[i]);
        }
        /* NaN var and NaN eps give NaN; var == 0 takes eps; -0.0 is not negative */
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, (const double[]){NAN, 0.0, 1e-6, -0.0}, 4, 0, 1e-6,
                                                     SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
        CHECK(is_nan(outd[0]) && !is_nan(outd[1]) && !is_nan(outd[3]));
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, v, 4, 0, NAN, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_OK);
        CHECK(is_nan(outd[0]));
        /* statuses, outputs untouched */
        for (i = 0; i < 4; i++) { outd[i] = 42; gx[i] = 42; gv[i] = 42; }
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, (const double[]){1.0, 1.0, -1e-300, 1.0}, 4, 0, 1e-6,
                                                     SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, (const double[]){1.0, 1.0, 1.0, -1.0}, 4, 0, 1e-6,
                                                              SWIFTLOSS_REDUCTION_NONE, g_none, gx, gv),
                     SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, v, 4, 2, 1e-6, SWIFTLOSS_REDUCTION_NONE, outd),
                     SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f32(x1f, x2f, vf, 4, -1, 1e-6, SWIFTLOSS_REDUCTION_SUM,
                                                              (const float[]){1.0f}, gxf, gvf),
                     SWIFTLOSS_ERROR_INVALID_ARGUMENT);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_BATCHMEAN, outd),
                     SWIFTLOSS_ERROR_INVALID_REDUCTION);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, v, 4, 0, 1e-6, 7, outd), SWIFTLOSS_ERROR_INVALID_REDUCTION);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, NULL, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_SUM, outd),
                     SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, NULL),
                     SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE,
                                                     (double *)(void *)(v + 1)), SWIFTLOSS_ERROR_OVERLAP);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, NULL, gx, gv),
                     SWIFTLOSS_ERROR_NULL_POINTER);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, g_none, gx,
                                                              gx), SWIFTLOSS_ERROR_OVERLAP);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, g_none, gx,
                                                              gx + 3), SWIFTLOSS_ERROR_OVERLAP);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, g_none,
                                                              (double *)(void *)v, NULL), SWIFTLOSS_ERROR_OVERLAP);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, g_none,
                                                              NULL, (double *)(void *)(x2 + 1)), SWIFTLOSS_ERROR_OVERLAP);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, 4, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, g_none, gx,
                                                              (double *)(void *)g_none), SWIFTLOSS_ERROR_OVERLAP);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(x1, x2, v, SIZE_MAX, 0, 1e-6, SWIFTLOSS_REDUCTION_SUM, outd),
                     SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(x1, x2, v, SIZE_MAX, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE,
                                                              g_none, gx, gv), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
        CHECK(outd[0] == 42 && outd[3] == 42 && gx[0] == 42 && gv[0] == 42 && gx[3] == 42 && gv[3] == 42);
        /* empty: sum 0, mean NaN */
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(NULL, NULL, NULL, 0, 0, 1e-6, SWIFTLOSS_REDUCTION_SUM, outd),
                     SWIFTLOSS_OK);
        CHECK(outd[0] == 0);
        CHECK_STATUS(swiftloss_gaussian_nll_loss_f64(NULL, NULL, NULL, 0, 1, 1e-6, SWIFTLOSS_REDUCTION_MEAN, outd),
                     SWIFTLOSS_OK);
        CHECK(is_nan(outd[0]));
        CHECK_STATUS(swiftloss_gaussian_nll_loss_backward_f64(NULL, NULL, NULL, 0, 0, 1e-6, SWIFTLOSS_REDUCTION_NONE, NULL,
                                                              NULL, NULL), SWIFTLOSS_OK);
    }
    g_ctx[0] = '\0';
}

/* multi_margin_loss and multilabel_margin_loss: values and gradients by hand, both precisions,
 * every status with the output untouched, the empty batch, the aliases allowed and refused. */
#define UNTOUCHED(buf, n) do { size_t k_; for (k_ = 0; k_ < (n); k_++) CHECK((buf)[k_] == 42); } while (0)
#define FILL42(buf, n) do { size_t k_; for (k_ = 0; k_ < (n); k_++) (buf)[k_] = 42; } while (0)

static void test_margin_losses(void)
{
    /* multi_margin: rows [0.1, 0.2, 0.4] (target 1: z = 0.9, 1.2) and [0.8, -1, 0.3] (target 0:
     * z = -0.8, 0.5); weight indexed by the target. */
    static const double xd[6] = {0.1, 0.2, 0.4, 0.8, -1.0, 0.3}, wd[3] = {2.0, 0.5, 3.0};
    static const int64_t t[2] = {1, 0}, bad_high[2] = {1, 3}, bad_low[2] = {-1, 0};
    /* multilabel: PyTorch's example [0.1, 0.2, 0.4, 0.8] with [3, 0, -1, 1] (0.85), and
     * [0.5, -1, 2, 0] with [1, 1, 2, -1] (1 twice: 2 * (2.5 + 2) / 4 = 2.25). */
    static const double ld[8] = {0.1, 0.2, 0.4, 0.8, 0.5, -1.0, 2.0, 0.0};
    static const int64_t lists[8] = {3, 0, -1, 1, 1, 1, 2, -1};
    static const int64_t after_end[8] = {3, 0, -1, 4, 1, 1, 2, -1}, below[8] = {3, -2, 0, 1, 1, 1, 2, -1};
    static const double g2[2] = {1.0, 2.0}, one[1] = {1.0};
    const double third = 1.0 / 3.0;
    float xf[6], wf[3], lf[8], g2f[2], outf[8], gxf[8];
    double outd[8], gxd[8], rowd[6];
    size_t i;
    for (i = 0; i < 6; i++) xf[i] = (float)xd[i];
    for (i = 0; i < 3; i++) wf[i] = (float)wd[i];
    for (i = 0; i < 8; i++) lf[i] = (float)ld[i];
    g2f[0] = 1.0f; g2f[1] = 2.0f;

    snprintf(g_ctx, sizeof g_ctx, "margin f64");
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], (0.9 + 1.2) / 3, 1e-15);
    CHECK_NEAR(outd[1], 0.5 / 3, 1e-15);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, 2, 3, 2, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], (0.81 + 1.44 + 0.25) / 3, 1e-15);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, 2, 3, 1, 1.0, wd, 3, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], (0.5 * 2.1 / 3 + 2.0 * 0.5 / 3) / 2, 1e-15); /* divided by batch, not the weights */
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, 2, 3, 1, -0.05, NULL, 0, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], 0.15 / 3, 1e-15); /* a negative margin: z = -0.15 (not counted), 0.15 */
    CHECK(outd[1] == 0);                  /* z = -1.85, -0.55 */
    /* gradients: 'none' with g = [1, 2], h = g / 3 per active term, the target -sum */
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f64(xd, t, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_NONE, g2, gxd), SWIFTLOSS_OK);
    CHECK_NEAR(gxd[0], third, 1e-15); CHECK_NEAR(gxd[1], -2 * third, 1e-15); CHECK_NEAR(gxd[2], third, 1e-15);
    CHECK_NEAR(gxd[3], -2 * third, 1e-15); CHECK(gxd[4] == 0); CHECK_NEAR(gxd[5], 2 * third, 1e-15);
    /* p = 2, 'sum': h = 2 z / 3 */
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f64(xd, t, 2, 3, 2, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, one, gxd), SWIFTLOSS_OK);
    CHECK_NEAR(gxd[0], 0.6, 1e-15); CHECK_NEAR(gxd[1], -1.4, 1e-15); CHECK_NEAR(gxd[2], 0.8, 1e-15);
    CHECK_NEAR(gxd[3], -third, 1e-15); CHECK(gxd[4] == 0); CHECK_NEAR(gxd[5], third, 1e-15);
    /* in place over the input gives the same bits */
    memcpy(rowd, xd, sizeof rowd);
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f64(rowd, t, 2, 3, 2, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, one, rowd), SWIFTLOSS_OK);
    CHECK(memcmp(rowd, gxd, sizeof rowd) == 0);

    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(ld, lists, 2, 4, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], 0.85, 1e-15);
    CHECK_NEAR(outd[1], 2.25, 1e-15);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(ld, lists, 2, 4, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], 1.55, 1e-15);
    /* gradient, 'none', g = [1, 2]: row 0 [-0.5, 0.5, 0.5, -0.5], row 1 2 * [0.5, -1, 0, 0.5] */
    CHECK_STATUS(swiftloss_multilabel_margin_loss_backward_f64(ld, lists, 2, 4, SWIFTLOSS_REDUCTION_NONE, g2, gxd), SWIFTLOSS_OK);
    CHECK(gxd[0] == -0.5 && gxd[1] == 0.5 && gxd[2] == 0.5 && gxd[3] == -0.5);
    CHECK(gxd[4] == 1 && gxd[5] == -2 && gxd[6] == 0 && gxd[7] == 1);

    /* the empty batch: 'sum' 0, 'mean' NaN (PyTorch: uninitialised memory), 'none' nothing */
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(NULL, NULL, 0, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 0);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(NULL, NULL, 0, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK(is_nan(outd[0]));
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(NULL, NULL, 0, 3, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK(is_nan(outd[0]));
    FILL42(outd, 1);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(NULL, NULL, 0, 3, SWIFTLOSS_REDUCTION_NONE, NULL), SWIFTLOSS_OK);
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f64(NULL, NULL, 0, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_MEAN, one, NULL), SWIFTLOSS_OK);

    /* every status, the outputs untouched */
    FILL42(outd, 8);
    FILL42(gxd, 8);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(NULL, t, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, NULL, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, (size_t)1 << 62, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, 2, 0, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_ZERO_CLASSES);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(NULL, NULL, 0, 0, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_ZERO_CLASSES);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, bad_high, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, bad_low, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, 2, 3, 1, 1.0, wd, 2, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_WEIGHT_SIZE);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_BATCHMEAN, outd), SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, 2, 3, 1, 1.0, NULL, 0, 7, outd), SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, 2, 3, 0, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_multi_margin_loss_f64(xd, t, 2, 3, 3, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f64(xd, t, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, NULL, gxd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f64(xd, t, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, one, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f64(xd, bad_high, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, one, gxd), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f64(xd, t, 2, 3, 2, 1.0, wd, 4, SWIFTLOSS_REDUCTION_SUM, one, gxd), SWIFTLOSS_ERROR_WEIGHT_SIZE);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(NULL, lists, 2, 4, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(ld, NULL, 2, 4, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(ld, lists, (size_t)1 << 31, (size_t)1 << 31, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(ld, lists, 2, 0, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_ERROR_ZERO_CLASSES);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(ld, after_end, 2, 4, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(ld, below, 2, 4, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f64(ld, lists, 2, 4, -1, outd), SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_backward_f64(ld, lists, 2, 4, SWIFTLOSS_REDUCTION_NONE, NULL, gxd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_backward_f64(ld, below, 2, 4, SWIFTLOSS_REDUCTION_NONE, g2, gxd), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    UNTOUCHED(outd, 8);
    UNTOUCHED(gxd, 8);

    snprintf(g_ctx, sizeof g_ctx, "margin f32");
    CHECK_STATUS(swiftloss_multi_margin_loss_f32(xf, t, 2, 3, 2, 1.0, wf, 3, SWIFTLOSS_REDUCTION_NONE, outf), SWIFTLOSS_OK);
    CHECK_NEAR(outf[0], 0.5 * (0.81 + 1.44) / 3, 1e-7);
    CHECK_NEAR(outf[1], 2.0 * 0.25 / 3, 1e-7);
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f32(xf, t, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_NONE, g2f, gxf), SWIFTLOSS_OK);
    CHECK_NEAR(gxf[1], -2 * third, 1e-7);
    CHECK_NEAR(gxf[5], 2 * third, 1e-7);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f32(lf, lists, 2, 4, SWIFTLOSS_REDUCTION_SUM, outf), SWIFTLOSS_OK);
    CHECK_NEAR(outf[0], 3.1, 1e-6);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_backward_f32(lf, lists, 2, 4, SWIFTLOSS_REDUCTION_MEAN, g2f, gxf), SWIFTLOSS_OK);
    CHECK(gxf[0] == -0.25f && gxf[5] == -0.5f && gxf[4] == 0.25f); /* g = 1 / 8, grad_output[0] = 1 */
    /* 2^30 x 2^30 float32 inputs fit in bytes; their int64 targets do not */
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f32(lf, lists, (size_t)1 << 30, (size_t)1 << 30, SWIFTLOSS_REDUCTION_SUM, outf), SWIFTLOSS_ERROR_SIZE_OVERFLOW);

    /* aliases: multi_margin's gradient may be its input; nothing else may overlap */
    memcpy(gxf, xf, sizeof xf);
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f32(gxf, t, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_MEAN, g2f, gxf), SWIFTLOSS_OK);
    CHECK_NEAR(gxf[1], -third, 1e-7); /* row 0: 2 active terms of g = 1 / 6 */
    memcpy(gxf, xf, sizeof xf);
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f32(gxf, t, 1, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_SUM, g2f, gxf + 1), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_multi_margin_loss_f32(xf, t, 2, 3, 1, 1.0, wf, 3, SWIFTLOSS_REDUCTION_NONE, wf + 1), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_multi_margin_loss_f32(xf, t, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_NONE, (float *)(void *)t), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_multi_margin_loss_backward_f32(xf, t, 2, 3, 1, 1.0, NULL, 0, SWIFTLOSS_REDUCTION_NONE, gxf, gxf), SWIFTLOSS_ERROR_OVERLAP);
    memcpy(gxf, lf, sizeof lf);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_backward_f32(gxf, lists, 2, 4, SWIFTLOSS_REDUCTION_NONE, g2f, gxf), SWIFTLOSS_ERROR_OVERLAP);
    CHECK(memcmp(gxf, lf, sizeof lf) == 0);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_f32(lf, lists, 2, 4, SWIFTLOSS_REDUCTION_NONE, lf + 6), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_multilabel_margin_loss_backward_f32(lf, lists, 2, 4, SWIFTLOSS_REDUCTION_NONE, gxf + 6, gxf), SWIFTLOSS_ERROR_OVERLAP);
    g_ctx[0] = '\0';
}

/* The embedding losses (rows of dim elements): values, each gradient alone or together, NULL
 * skipping any, rows of no elements and no rows, statuses with the outputs untouched,
 * overlaps (no alias is allowed). */
static void test_embedding_losses(void)
{
    /* cosine: rows [1,0]/[0,1] (cos 0), [1,2]/[2,4] (cos ~1), [0,0]/[3,4] (a zero vector) */
    static const double c1[6] = {1, 0, 1, 2, 0, 0}, c2[6] = {0, 1, 2, 4, 3, 4}, cy[3] = {1, -1, -1};
    static const double g_rows[3] = {1.0, 2.0, 3.0};
    /* triplet: row 0 d(a,p) = 1, d(a,n) = 2; row 1 d(a,p) = 0, d(a,n) = 5 (eps 0) */
    static const double ta[4] = {0, 0, 1, 1}, tp[4] = {1, 0, 1, 1}, tn[4] = {0, 2, 4, 5}, tg[2] = {2.0, 3.0};
    float c1f[6], c2f[6], cyf[3], outf[3];
    double outd[3], g1[6], g2[6], g3[6], alone[6];
    size_t i;
    for (i = 0; i < 6; i++) { c1f[i] = (float)c1[i]; c2f[i] = (float)c2[i]; }
    for (i = 0; i < 3; i++) cyf[i] = (float)cy[i];

    snprintf(g_ctx, sizeof g_ctx, "cosine_embedding_loss");
    CHECK_STATUS(swiftloss_cosine_embedding_loss_f64(c1, c2, cy, 3, 2, 0.5, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 1.0 && outd[2] == 0.0);
    CHECK_NEAR(outd[1], 0.5, 1e-12);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_f32(c1f, c2f, cyf, 3, 2, 0.5, SWIFTLOSS_REDUCTION_MEAN, outf), SWIFTLOSS_OK);
    CHECK_NEAR(outf[0], 0.5, 1e-7);
    /* gradients, NONE with grad_output [1, 2, 3]: row 0 (target 1, cos 0): -x2 and -x1; row 1 (at
     * cos ~1 the two terms cancel); row 2 (cos - margin < 0): 0 */
    CHECK_STATUS(swiftloss_cosine_embedding_loss_backward_f64(c1, c2, cy, 3, 2, 0.5, SWIFTLOSS_REDUCTION_NONE, g_rows, g1, g2),
                 SWIFTLOSS_OK);
    CHECK(g1[0] == 0 && g2[1] == 0);
    CHECK_NEAR(g1[1], -1, 1e-11); /* -x2 / sqrt((1 + 1e-12)^2) */
    CHECK_NEAR(g2[0], -1, 1e-11);
    CHECK_NEAR(g1[2], 0, 1e-12);
    CHECK_NEAR(g2[3], 0, 1e-12);
    CHECK(g1[4] == 0 && g1[5] == 0 && g2[4] == 0 && g2[5] == 0);
    for (i = 0; i < 6; i++) alone[i] = 42;
    CHECK_STATUS(swiftloss_cosine_embedding_loss_backward_f64(c1, c2, cy, 3, 2, 0.5, SWIFTLOSS_REDUCTION_NONE, g_rows, NULL, alone),
                 SWIFTLOSS_OK);
    CHECK(memcmp(alone, g2, sizeof alone) == 0);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_backward_f64(c1, c2, cy, 3, 2, 0.5, SWIFTLOSS_REDUCTION_NONE, g_rows, NULL, NULL),
                 SWIFTLOSS_OK);
    /* a zero vector (margin -1: off the kink): x2 / sqrt(1e-12 |x2|^2), 1e-12 the float EPSILON */
    CHECK_STATUS(swiftloss_cosine_embedding_loss_backward_f64(c1 + 4, c2 + 4, cy + 2, 1, 2, -1.0, SWIFTLOSS_REDUCTION_SUM,
                                                              (const double[]){1.0}, g1, NULL), SWIFTLOSS_OK);
    CHECK_NEAR(g1[0] / 600000.0012, 1.0, 1e-9);
    CHECK_NEAR(g1[1] / 800000.0016, 1.0, 1e-9);
    /* dim 0: cos 0 (NULL rows); no rows: sum 0, mean NaN */
    CHECK_STATUS(swiftloss_cosine_embedding_loss_f64(NULL, NULL, cy, 3, 0, -0.25, SWIFTLOSS_REDUCTION_NONE, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 1.0 && outd[1] == 0.25 && outd[2] == 0.25);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_f64(NULL, NULL, NULL, 0, 5, 0, SWIFTLOSS_REDUCTION_SUM, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 0);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_f64(NULL, NULL, NULL, 0, 5, 0, SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK(is_nan(outd[0]));
    /* statuses, outputs untouched */
    for (i = 0; i < 6; i++) { g1[i] = 42; g2[i] = 42; }
    outd[0] = outd[1] = outd[2] = 42;
    CHECK_STATUS(swiftloss_cosine_embedding_loss_f64(c1, c2, cy, 3, 2, 0, SWIFTLOSS_REDUCTION_BATCHMEAN, outd),
                 SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_f64(c1, c2, NULL, 3, 2, 0, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_f64(c1, c2, cy, 3, 2, 0, SWIFTLOSS_REDUCTION_NONE, (double *)(void *)(c2 + 4)),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_f64(c1, c2, cy, 3, 2, 0, SWIFTLOSS_REDUCTION_NONE, (double *)(void *)cy),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_f64(c1, c2, cy, SIZE_MAX / 4, 4, 0, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_backward_f64(c1, c2, cy, 3, 2, 0, SWIFTLOSS_REDUCTION_NONE, NULL, g1, g2),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_backward_f64(c1, c2, cy, 3, 2, 0, SWIFTLOSS_REDUCTION_NONE, g_rows, g1, g1),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_backward_f64(c1, c2, cy, 3, 2, 0, SWIFTLOSS_REDUCTION_NONE, g_rows, g1, g1 + 5),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_backward_f64(c1, c2, cy, 3, 2, 0, SWIFTLOSS_REDUCTION_NONE, g_rows,
                                                              (double *)(void *)c1, NULL), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_cosine_embedding_loss_backward_f64(c1, c2, cy, 3, 2, 0, SWIFTLOSS_REDUCTION_NONE, g_rows, NULL,
                                                              (double *)(void *)g_rows), SWIFTLOSS_ERROR_OVERLAP);
    CHECK(outd[0] == 42 && outd[2] == 42 && g1[0] == 42 && g1[5] == 42 && g2[0] == 42 && g2[5] == 42);

    snprintf(g_ctx, sizeof g_ctx, "triplet_margin_loss");
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, 1.5, 2.0, 0.0, 0, SWIFTLOSS_REDUCTION_NONE, outd),
                 SWIFTLOSS_OK);
    CHECK(outd[0] == 0.5 && outd[1] == 0.0);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, 1.5, 2.0, 0.0, 1, SWIFTLOSS_REDUCTION_MEAN, outd),
                 SWIFTLOSS_OK);
    CHECK(outd[0] == 0.25);
    /* p = 1, +inf: the same distances here; p = 0 counts the nonzero differences (1 and 1) */
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, 1.5, 1.0, 0.0, 0, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_OK);
    CHECK(outd[0] == 0.5);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, 1.5, (double)INFINITY, 0.0, 0, SWIFTLOSS_REDUCTION_SUM,
                                                   outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 0.5);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 1, 2, 1.5, 0.0, 0.0, 0, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_OK);
    CHECK(outd[0] == 1.5);
    /* gradients, NONE with [2, 3]: row 0 u(d_ap) = 2 (a - p) / 1, u(d_an) = -2 (a - n) / 2 */
    CHECK_STATUS(swiftloss_triplet_margin_loss_backward_f64(ta, tp, tn, 2, 2, 1.5, 2.0, 0.0, 0, SWIFTLOSS_REDUCTION_NONE, tg,
                                                            g1, g2, g3), SWIFTLOSS_OK);
    CHECK(g1[0] == -2 && g1[1] == 2 && g2[0] == 2 && g2[1] == 0 && g3[0] == 0 && g3[1] == -2);
    CHECK(g1[2] == 0 && g1[3] == 0 && g2[2] == 0 && g2[3] == 0 && g3[2] == 0 && g3[3] == 0);
    for (i = 0; i < 6; i++) alone[i] = 42;
    CHECK_STATUS(swiftloss_triplet_margin_loss_backward_f64(ta, tp, tn, 2, 2, 1.5, 2.0, 0.0, 0, SWIFTLOSS_REDUCTION_NONE, tg,
                                                            NULL, alone, NULL), SWIFTLOSS_OK);
    CHECK(memcmp(alone, g2, 4 * sizeof alone[0]) == 0 && alone[4] == 42);
    CHECK_STATUS(swiftloss_triplet_margin_loss_backward_f64(ta, tp, tn, 2, 2, 1.5, 2.0, 0.0, 0, SWIFTLOSS_REDUCTION_NONE, tg,
                                                            NULL, NULL, alone), SWIFTLOSS_OK);
    CHECK(memcmp(alone, g3, 4 * sizeof alone[0]) == 0);
    /* float32, MEAN with grad_output 4: s = 2 */
    {
        float af[4], pf[4], nf[4], gaf[4], gpf[4], gnf[4];
        for (i = 0; i < 4; i++) { af[i] = (float)ta[i]; pf[i] = (float)tp[i]; nf[i] = (float)tn[i]; }
        CHECK_STATUS(swiftloss_triplet_margin_loss_backward_f32(af, pf, nf, 2, 2, 1.5, 2.0, 0.0, 1, SWIFTLOSS_REDUCTION_MEAN,
                                                                (const float[]){4.0f}, gaf, gpf, gnf), SWIFTLOSS_OK);
        CHECK(gaf[0] == -2.0f && gaf[1] == 2.0f && gpf[0] == 2.0f && gnf[1] == -2.0f && gnf[3] == 0.0f);
        CHECK_STATUS(swiftloss_triplet_margin_loss_f32(af, pf, nf, 2, 2, 1.5, 2.0, 0.0, 0, SWIFTLOSS_REDUCTION_SUM, outf),
                     SWIFTLOSS_OK);
        CHECK(outf[0] == 0.5f);
    }
    /* dim 0: distance 0 for every p; no rows */
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(NULL, NULL, NULL, 2, 0, 0.75, -1.0, 1e-6, 1, SWIFTLOSS_REDUCTION_NONE, outd),
                 SWIFTLOSS_OK);
    CHECK(outd[0] == 0.75 && outd[1] == 0.75);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(NULL, NULL, NULL, (size_t)1 << 58, 0, 0.75, 2.0, 1e-6, 0,
                                                   SWIFTLOSS_REDUCTION_MEAN, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 0.75);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(NULL, NULL, NULL, 0, 3, 1, 2, 1e-6, 0, SWIFTLOSS_REDUCTION_MEAN, outd),
                 SWIFTLOSS_OK);
    CHECK(is_nan(outd[0]));
    /* statuses, outputs untouched */
    for (i = 0; i < 6; i++) { g1[i] = 42; g2[i] = 42; g3[i] = 42; }
    outd[0] = outd[1] = 42;
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, 1, 2, 0, 2, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, 1, 2, 0, -1, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, 1, 2, 0, 0, 7, outd), SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, NULL, tn, 2, 2, 1, 2, 0, 0, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, 1, 2, 0, 0, SWIFTLOSS_REDUCTION_SUM, NULL),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, 1, 2, 0, 0, SWIFTLOSS_REDUCTION_NONE,
                                                   (double *)(void *)(tn + 3)), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, SIZE_MAX, 2, 1, 2, 0, 0, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_triplet_margin_loss_backward_f64(ta, tp, tn, 2, 2, 1, 2, 0, 0, SWIFTLOSS_REDUCTION_NONE, tg, g1, g2,
                                                            g1 + 3), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_triplet_margin_loss_backward_f64(ta, tp, tn, 2, 2, 1, 2, 0, 0, SWIFTLOSS_REDUCTION_NONE, tg, NULL,
                                                            g2, g2), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_triplet_margin_loss_backward_f64(ta, tp, tn, 2, 2, 1, 2, 0, 0, SWIFTLOSS_REDUCTION_NONE, tg, NULL,
                                                            NULL, (double *)(void *)tp), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_triplet_margin_loss_backward_f64(ta, tp, tn, 2, 2, 1, 2, 0, 0, SWIFTLOSS_REDUCTION_NONE,
                                                            tg, (double *)(void *)tg, NULL, NULL), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_triplet_margin_loss_backward_f64(ta, tp, tn, 2, 2, 1, 2, 0, 3, SWIFTLOSS_REDUCTION_NONE, tg, g1, g2,
                                                            g3), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_triplet_margin_loss_backward_f64(ta, tp, tn, 2, 2, 1, 2, 0, 0, SWIFTLOSS_REDUCTION_SUM, NULL, g1,
                                                            g2, g3), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK(outd[0] == 42 && outd[1] == 42 && g1[0] == 42 && g1[3] == 42 && g2[0] == 42 && g3[3] == 42);
    /* NaN p, negative p, NaN margin: computed, never refused */
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, 1, (double)NAN, 0, 0, SWIFTLOSS_REDUCTION_SUM, outd),
                 SWIFTLOSS_OK);
    CHECK(is_nan(outd[0]));
    CHECK_STATUS(swiftloss_triplet_margin_loss_f64(ta, tp, tn, 2, 2, (double)NAN, -3.0, 0, 1, SWIFTLOSS_REDUCTION_NONE, outd),
                 SWIFTLOSS_OK);
    CHECK(is_nan(outd[0]) && is_nan(outd[1]));
    g_ctx[0] = '\0';
}

/* ctc_loss: uniform log-probabilities over 3 classes and 4 frames, where the target [1, 2]
 * has 15 alignments (nll = log(81 / 15)), PyTorch's gradient (rows of 'sum' add up to
 * sum(exp(lp)) - 1 = 0), padded and concatenated targets, empty targets and inputs, an
 * impossible alignment (inf, NaN gradient; 0 with zero_infinity), every status with the outputs
 * untouched, overlaps, and threads. */
static void test_ctc_loss(void)
{
    static const int64_t padded[4] = {1, 2, 2, 0}, concat[3] = {1, 2, 2}, full[2] = {4, 4};
    static const int64_t lengths[2] = {2, 1}, empty_lengths[2] = {0, 0}, too_long[2] = {5, 4};
    static const int64_t negative[2] = {2, -1}, bad_label[4] = {1, 3, 2, 0}, repeat[2] = {1, 1};
    static const int64_t two[1] = {2}, bad_tail[4] = {1, 2, 2, 99};
    static const double one[1] = {1.0}, g2[2] = {1.0, 2.0};
    static const float onef[1] = {1.0f};
    double lp[24], outd[24], gxd[24], gx2[24], rows;
    float lpf[24], outf[24], gxf[24];
    const double l3 = log(3.0);
    size_t i, t;
    for (i = 0; i < 24; i++) { lp[i] = -l3; lpf[i] = (float)-l3; }

    snprintf(g_ctx, sizeof g_ctx, "ctc f64");
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_NONE, 0, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], log(81.0 / 15.0), 1e-14);
    CHECK_NEAR(outd[1], -log(10.0 / 81.0), 1e-14); /* [2] in 4 frames: 10 alignments */
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, concat, 3, 0, full, lengths, 0, SWIFTLOSS_REDUCTION_MEAN, 0, outd + 2), SWIFTLOSS_OK);
    CHECK_NEAR(outd[2], (outd[0] / 2 + outd[1]) / 2, 1e-14);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, NULL, 0, 0, full, empty_lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_OK);
    CHECK_NEAR(outd[0], 8 * l3, 1e-13); /* empty targets: -sum of lp(blank) */
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, empty_lengths, lengths, 0, SWIFTLOSS_REDUCTION_NONE, 0, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == INFINITY && outd[1] == INFINITY); /* no frame for a label */
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, empty_lengths, empty_lengths, 0, SWIFTLOSS_REDUCTION_NONE, 0, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 0 && signbit(outd[0])); /* -0.0, as PyTorch */
    /* the gradient: 'sum' rows add up to 0; row 0 of sample 0 is [0, -1/3, 1/3] */
    CHECK_STATUS(swiftloss_ctc_loss_backward_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, one, gxd), SWIFTLOSS_OK);
    for (t = 0; t < 8; t++) {
        rows = gxd[3 * t] + gxd[3 * t + 1] + gxd[3 * t + 2];
        CHECK_NEAR(rows, 0, 1e-14);
    }
    CHECK_NEAR(gxd[0], 0, 1e-15); CHECK_NEAR(gxd[1], -1.0 / 3, 1e-14); CHECK_NEAR(gxd[2], 1.0 / 3, 1e-14);
    /* 'none' with [1, 2] upstream: sample 1's rows doubled; the concatenated layout the same */
    CHECK_STATUS(swiftloss_ctc_loss_backward_f64(lp, 4, 2, 3, concat, 3, 0, full, lengths, 0, SWIFTLOSS_REDUCTION_NONE, 0, g2, gx2), SWIFTLOSS_OK);
    for (t = 0; t < 4; t++) {
        for (i = 0; i < 3; i++) {
            CHECK(gx2[6 * t + i] == gxd[6 * t + i]);
            CHECK(gx2[6 * t + 3 + i] == 2 * gxd[6 * t + 3 + i]);
        }
    }
    /* an impossible alignment ([1, 1] needs 3 frames): inf, NaN gradient below the input
     * length, 0 beyond it; with zero_infinity 0 and a zero gradient */
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 1, 6, repeat, 2, 2, two, two, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == INFINITY);
    CHECK_STATUS(swiftloss_ctc_loss_backward_f64(lp, 4, 1, 6, repeat, 2, 2, two, two, 0, SWIFTLOSS_REDUCTION_SUM, 0, one, gxd), SWIFTLOSS_OK);
    CHECK(is_nan(gxd[0]) && is_nan(gxd[11]) && gxd[12] == 0 && gxd[23] == 0);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 1, 6, repeat, 2, 2, two, two, 0, SWIFTLOSS_REDUCTION_MEAN, 1, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 0);
    CHECK_STATUS(swiftloss_ctc_loss_backward_f64(lp, 4, 1, 6, repeat, 2, 2, two, two, 0, SWIFTLOSS_REDUCTION_SUM, 1, one, gxd), SWIFTLOSS_OK);
    for (i = 0; i < 24; i++) CHECK(gxd[i] == 0 && !signbit(gxd[i]));
    /* an empty batch: 'sum' 0, 'mean' NaN */
    CHECK_STATUS(swiftloss_ctc_loss_f64(NULL, 4, 0, 3, NULL, 0, 0, NULL, NULL, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_OK);
    CHECK(outd[0] == 0);
    CHECK_STATUS(swiftloss_ctc_loss_f64(NULL, 4, 0, 3, NULL, 0, 0, NULL, NULL, 0, SWIFTLOSS_REDUCTION_MEAN, 0, outd), SWIFTLOSS_OK);
    CHECK(is_nan(outd[0]));

    /* every status, the outputs untouched */
    FILL42(outd, 24);
    FILL42(gxd, 24);
    CHECK_STATUS(swiftloss_ctc_loss_f64(NULL, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, NULL, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, NULL, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, NULL, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, (size_t)1 << 62, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, (size_t)1 << 62, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_BATCHMEAN, 0, outd), SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 3, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, -1, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 8, 1, 0, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 2, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, too_long, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, negative, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 1, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, concat, 2, 0, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 3, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, bad_label, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outd), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    CHECK_STATUS(swiftloss_ctc_loss_backward_f64(lp, 4, 2, 3, bad_label, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, one, gxd), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    CHECK_STATUS(swiftloss_ctc_loss_backward_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, NULL, gxd), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_ctc_loss_backward_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, one, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_ctc_loss_backward_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, 9, 0, one, gxd), SWIFTLOSS_ERROR_INVALID_REDUCTION);
    /* a label past a sample's length is not read */
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, bad_tail, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_NONE, 0, gx2), SWIFTLOSS_OK);
    UNTOUCHED(outd, 24);
    UNTOUCHED(gxd, 24);

    /* overlaps: no alias at all */
    memcpy(gxd, lp, sizeof lp);
    CHECK_STATUS(swiftloss_ctc_loss_backward_f64(gxd, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, one, gxd), SWIFTLOSS_ERROR_OVERLAP);
    CHECK(memcmp(gxd, lp, sizeof lp) == 0);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_NONE, 0, lp + 23), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, (double *)(void *)(padded + 1)), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_ctc_loss_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, (double *)(void *)lengths), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_ctc_loss_backward_f64(lp, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_NONE, 0, gxd + 23, gxd), SWIFTLOSS_ERROR_OVERLAP);

    snprintf(g_ctx, sizeof g_ctx, "ctc f32");
    CHECK_STATUS(swiftloss_ctc_loss_f32(lpf, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, outf), SWIFTLOSS_OK);
    CHECK_NEAR(outf[0], log(81.0 / 15.0) + log(8.1), 1e-5);
    CHECK_STATUS(swiftloss_ctc_loss_backward_f32(lpf, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_MEAN, 0, onef, gxf), SWIFTLOSS_OK);
    CHECK_NEAR(gxf[1], -1.0 / 12, 1e-6); /* g = 1 / (2 * 2) */
    CHECK_STATUS(swiftloss_ctc_loss_f32(lpf, 4, 2, 3, padded, 4, 2, full, lengths, 0, SWIFTLOSS_REDUCTION_SUM, 0, lpf + 2), SWIFTLOSS_ERROR_OVERLAP);
    g_ctx[0] = '\0';
}

/* cross_entropy_ex: z-loss and softcapping. Checked against hand-computed composites:
 * z term = z_loss * lse^2 (lse of the capped logits), the gradient by central differences. */
static void test_cross_entropy_ex(void)
{
    static const int64_t t[3] = {2, -100, 0};
    static const double x[12] = {0.5, -1.0, 2.0, 0.25, 3.0, 3.0, -2.0, 0.0, -0.5, 1.5, 0.75, -3.0};
    static const float xf[12] = {0.5f, -1.0f, 2.0f, 0.25f, 3.0f, 3.0f, -2.0f, 0.0f, -0.5f, 1.5f, 0.75f, -3.0f};
    const double zl = 0.1, cap = 2.5;
    double loss[3], z[3], grad[12], plain[3], sum, zsum, lse[3], r[12], lossm, zm, h = 1e-6;
    float lossf, zf, gradf[12];
    size_t n, c;
    int OK = SWIFTLOSS_OK, BAD = SWIFTLOSS_ERROR_INVALID_ARGUMENT;

    snprintf(g_ctx, sizeof g_ctx, "cross_entropy_ex f64");
    for (n = 0; n < 3; n++) {
        double m = -INFINITY, s = 0;
        for (c = 0; c < 4; c++) { r[n * 4 + c] = cap * tanh(x[n * 4 + c] / cap); if (r[n * 4 + c] > m) m = r[n * 4 + c]; }
        for (c = 0; c < 4; c++) s += exp(r[n * 4 + c] - m);
        lse[n] = m + log(s);
    }
    /* 'none': cross_entropy of the capped logits plus the z term (0 for the ignored sample). */
    CHECK_STATUS(swiftloss_cross_entropy_f64(r, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_NONE, 0.0, plain), OK);
    CHECK_STATUS(swiftloss_cross_entropy_ex_f64(x, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_NONE, 0.0, zl, cap,
                                                NULL, loss, z, NULL), OK);
    CHECK_NEAR(loss[0], plain[0] + zl * lse[0] * lse[0], 1e-14);
    CHECK(loss[1] == 0 && z[1] == 0);
    CHECK_NEAR(loss[2], plain[2] + zl * lse[2] * lse[2], 1e-14);
    CHECK_NEAR(z[2], zl * lse[2] * lse[2], 1e-14);
    /* 'mean': the z term divided by the number of counted samples (2), the loss by their weight. */
    CHECK_STATUS(swiftloss_cross_entropy_ex_f64(x, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl, cap,
                                                NULL, &lossm, &zm, grad), OK);
    zsum = zl * (lse[0] * lse[0] + lse[2] * lse[2]);
    sum = plain[0] + plain[2];
    CHECK_NEAR(lossm, sum / 2 + zsum / 2, 1e-14);
    CHECK_NEAR(zm, zsum / 2, 1e-14);
    /* The gradient against central differences of the 'mean' loss. */
    for (n = 0; n < 12; n++) {
        double xp[12], lp, lm;
        memcpy(xp, x, sizeof xp);
        xp[n] = x[n] + h;
        swiftloss_cross_entropy_ex_f64(xp, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl, cap, NULL, &lp, NULL, NULL);
        xp[n] = x[n] - h;
        swiftloss_cross_entropy_ex_f64(xp, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl, cap, NULL, &lm, NULL, NULL);
        CHECK_NEAR(grad[n], (lp - lm) / (2 * h), 1e-8);
    }
    CHECK(grad[4] == 0 && grad[7] == 0); /* the ignored sample's row */
    /* A NaN among an ignored sample's logits: its gradient row stays zero with a cap as without
     * one (the cap's derivative once multiplied the zero row by 1 - tanh(NaN)^2), in the (N, C)
     * and the (N, C, d) layouts; the counted rows are as before. */
    {
        double xn[12], gn[12];
        size_t inner;
        memcpy(xn, x, sizeof xn);
        xn[5] = NAN;
        CHECK_STATUS(swiftloss_cross_entropy_ex_f64(xn, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl,
                                                    cap, NULL, NULL, NULL, gn), OK);
        for (c = 0; c < 4; c++) CHECK(gn[4 + c] == 0);
        CHECK(memcmp(gn, grad, 4 * sizeof *gn) == 0 && memcmp(gn + 8, grad + 8, 4 * sizeof *gn) == 0);
        /* (1, 4, 3): sample i's class c at c * 3 + i, sample 1 ignored. */
        for (inner = 0; inner < 3; inner++)
            for (c = 0; c < 4; c++) xn[c * 3 + inner] = x[inner * 4 + c];
        xn[1 * 3 + 1] = NAN;
        CHECK_STATUS(swiftloss_cross_entropy_ex_f64(xn, t, 1, 4, 3, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl,
                                                    cap, NULL, NULL, NULL, gn), OK);
        for (c = 0; c < 4; c++) {
            CHECK(gn[c * 3 + 1] == 0);
            CHECK_NEAR(gn[c * 3], grad[c], 1e-15);
            CHECK_NEAR(gn[c * 3 + 2], grad[8 + c], 1e-15);
        }
    }
    /* Off (z_loss 0, softcap 0): plain cross_entropy, bit for bit; the z term 0. */
    CHECK_STATUS(swiftloss_cross_entropy_ex_f64(x, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_NONE, 0.2, 0.0, 0.0,
                                                NULL, loss, z, NULL), OK);
    CHECK_STATUS(swiftloss_cross_entropy_f64(x, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_NONE, 0.2, plain), OK);
    CHECK(memcmp(loss, plain, sizeof loss) == 0 && z[0] == 0 && z[2] == 0);
    /* Nothing wanted: a valid call that writes nothing. */
    CHECK_STATUS(swiftloss_cross_entropy_ex_f64(x, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl, cap,
                                                NULL, NULL, NULL, NULL), OK);

    snprintf(g_ctx, sizeof g_ctx, "cross_entropy_ex f32");
    CHECK_STATUS(swiftloss_cross_entropy_ex_f32(xf, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl, cap,
                                                NULL, &lossf, &zf, gradf), OK);
    CHECK_NEAR(lossf, lossm, 1e-6);
    CHECK_NEAR(zf, zm, 1e-6);
    for (n = 0; n < 12; n++) CHECK_NEAR(gradf[n], grad[n], 1e-6);
    /* In place: the gradient over the logits. */
    {
        float work[12];
        memcpy(work, xf, sizeof work);
        CHECK_STATUS(swiftloss_cross_entropy_ex_f32(work, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl,
                                                    cap, NULL, &lossf, NULL, work), OK);
        CHECK(memcmp(work, gradf, sizeof work) == 0);
    }

    /* Bad z_loss and softcap: _INVALID_ARGUMENT, outputs untouched. */
    snprintf(g_ctx, sizeof g_ctx, "cross_entropy_ex errors");
    {
        const double bad_z[3] = {-1e-3, NAN, INFINITY}, bad_cap[3] = {-1.0, NAN, INFINITY};
        for (n = 0; n < 3; n++) {
            double y = 42.0, zz = 42.0;
            CHECK_STATUS(swiftloss_cross_entropy_ex_f64(x, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0,
                                                        bad_z[n], 0.0, NULL, &y, &zz, NULL), BAD);
            CHECK_STATUS(swiftloss_cross_entropy_probs_ex_f64(x, x, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN,
                                                              0.0, 0.0, bad_cap[n], NULL, &y, &zz, NULL), BAD);
            CHECK(y == 42.0 && zz == 42.0);
        }
        /* The z output over the loss, over the logits; the loss over the gradient. */
        CHECK_STATUS(swiftloss_cross_entropy_ex_f64(x, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl,
                                                    cap, NULL, loss, loss, NULL), SWIFTLOSS_ERROR_OVERLAP);
        CHECK_STATUS(swiftloss_cross_entropy_ex_f64(x, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl,
                                                    cap, NULL, NULL, (double *)x + 3, NULL), SWIFTLOSS_ERROR_OVERLAP);
        CHECK_STATUS(swiftloss_cross_entropy_ex_f64(x, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl,
                                                    cap, NULL, grad + 5, NULL, grad), SWIFTLOSS_ERROR_OVERLAP);
        CHECK_STATUS(swiftloss_cross_entropy_ex_f64(x, t, 3, 0, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl,
                                                    cap, NULL, loss, NULL, NULL), SWIFTLOSS_ERROR_ZERO_CLASSES);
        CHECK_STATUS(swiftloss_cross_entropy_ex_f64(x, t, 3, 4, 1, NULL, 0, 7, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl,
                                                    cap, NULL, loss, NULL, NULL), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
        CHECK_STATUS(swiftloss_cross_entropy_probs_ex_f64(x, x, 3, 4, 1, NULL, 0, 0, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl,
                                                          cap, NULL, loss, NULL, NULL), SWIFTLOSS_ERROR_IGNORE_INDEX_UNSUPPORTED);
        CHECK_STATUS(swiftloss_cross_entropy_ex_f64(NULL, t, 3, 4, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0, zl,
                                                    cap, NULL, loss, NULL, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
    }
}

/* linear_cross_entropy on 3 samples of 4 features and 5 classes (one ignored), against values
 * and gradients of torch 2.15's float64 composite cross_entropy(softcap(linear)) + z_loss * lse^2
 * (a: z_loss 0.01, softcap 2; b: neither); every status with outputs untouched; overlaps of
 * each output with inputs and other outputs. */
static void test_linear_cross_entropy(void)
{
    double x[12], w[20], b[5], out[2], z[2], gx[12], gw[20], gb[5], rgb[5];
    float xf[12], wf[20], bf[5], outf[1], gxf[12], gwf[20], gbf[5];
    const int64_t t[3] = {2, -100, 4}, bad[3] = {2, 5, 4};
    static const double a_loss = 1.6752760677613785, a_z = 0.04967570247001414;
    static const double a_gx[12] = {0.34700312373579223, 0.09229543091122437, -0.3497368476816163, 0.32934056900331876, 0.0, 0.0, 0.0, 0.0, -0.009502769696637853, -0.018714048837992003, -0.12861056278800265, -0.00964846195938715};
    static const double a_gw[20] = {-0.1674156363582, 0.09949128528923273, -0.05302695565215739, -0.04167384700863905, -0.2334142876904649, 0.10811044551949292, -0.08704654488619726, 0.13862673484063442, 0.43900085009338147, -0.14264128641728835, 0.18972564873166584, -0.6508804805080801, -0.10462930037546582, 0.04304266898463568, -0.04134131350685089, 0.09697320072543428, 0.12201808852660201, -0.13035447978431972, 0.013858416393349837, 0.4022141967327625};
    static const double a_gb[5] = {0.15251824094139013, 0.19515699040569018, -0.33236693514895416, 0.08438398249148657, -0.14421289617766958};
    static const double b_loss = 1.6711243544945915;
    static const double b_gx[12] = {0.37586049929150434, 0.18341025090682975, -0.3947422465904613, 0.3758604992915043, 0.0, 0.0, 0.0, 0.0, -0.06460052471455213, -0.07496260179924198, -0.1595810839199429, -0.06460052471455213};
    static const double b_gw[20] = {-0.24669632027659122, 0.16103198650439957, -0.07195561737045231, -0.15414734082617138, -0.31050350153550565, 0.13559235013045048, -0.11931956510723875, 0.2372759689310529, 0.38794319703125757, -0.10150915981530317, 0.1781779012398744, -0.732952533441828, -0.09650957214058961, 0.03999872384840563, -0.03800601671673451, 0.08754239004806955, 0.265766196921429, -0.2351139006679525, 0.051103297954551194, 0.5622815152888769};
    static const double b_gb[5] = {0.23298760387485187, 0.25491191523768925, -0.2796870610551776, 0.07800474056514015, -0.2862171986225037};
    int k;
    for (k = 0; k < 12; k++) { x[k] = ((k * 7) % 11 - 5) / 4.0; xf[k] = (float)x[k]; }
    for (k = 0; k < 20; k++) { w[k] = ((k * 5) % 13 - 6) / 5.0; wf[k] = (float)w[k]; }
    for (k = 0; k < 5; k++) { b[k] = 0.1 * k - 0.2; bf[k] = (float)b[k]; rgb[k] = 0; }

    snprintf(g_ctx, sizeof g_ctx, "linear_cross_entropy f64");
    CHECK_STATUS(swiftloss_linear_cross_entropy_f64(x, w, b, t, 3, 4, 5, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0,
                                                    0.01, 2.0, NULL, out, z, gx, gw, gb), SWIFTLOSS_OK);
    CHECK_NEAR(out[0], a_loss, 1e-12);
    CHECK_NEAR(z[0], a_z, 1e-12);
    for (k = 0; k < 12; k++) CHECK_NEAR(gx[k], a_gx[k], 1e-12);
    for (k = 0; k < 20; k++) CHECK_NEAR(gw[k], a_gw[k], 1e-12);
    for (k = 0; k < 5; k++) CHECK_NEAR(gb[k], a_gb[k], 1e-12);
    /* the forward alone, without the z output */
    CHECK_STATUS(swiftloss_linear_cross_entropy_f64(x, w, b, t, 3, 4, 5, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.0,
                                                    0.01, 2.0, NULL, out + 1, NULL, NULL, NULL, NULL), SWIFTLOSS_OK);
    CHECK(out[0] == out[1]);
    /* probability targets: one-hot rows equal class indices (no sample ignored) */
    {
        const int64_t all[3] = {2, 0, 4};
        double q[15] = {0}, o2[2];
        q[2] = q[5] = q[14] = 1;
        CHECK_STATUS(swiftloss_linear_cross_entropy_f64(x, w, NULL, all, 3, 4, 5, NULL, 0, -100,
                                                        SWIFTLOSS_REDUCTION_SUM, 0.0, 0.0, 0.0, NULL, o2, NULL, NULL,
                                                        NULL, NULL), SWIFTLOSS_OK);
        CHECK_STATUS(swiftloss_linear_cross_entropy_probs_f64(x, w, NULL, q, 3, 4, 5, NULL, 0, -100,
                                                              SWIFTLOSS_REDUCTION_SUM, 0.0, 0.0, 0.0, NULL, o2 + 1,
                                                              NULL, NULL, NULL, NULL), SWIFTLOSS_OK);
        CHECK_NEAR(o2[0], o2[1], 1e-12);
        CHECK_STATUS(swiftloss_linear_cross_entropy_probs_f64(x, w, NULL, q, 3, 4, 5, NULL, 0, 0,
                                                              SWIFTLOSS_REDUCTION_SUM, 0.0, 0.0, 0.0, NULL, o2 + 1,
                                                              NULL, NULL, NULL, NULL),
                     SWIFTLOSS_ERROR_IGNORE_INDEX_UNSUPPORTED);
    }

    /* statuses, outputs untouched */
    for (k = 0; k < 2; k++) out[k] = 42;
    for (k = 0; k < 12; k++) gx[k] = 42;
#define LCE(...) swiftloss_linear_cross_entropy_f64(__VA_ARGS__)
    CHECK_STATUS(LCE(NULL, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(LCE(x, NULL, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(LCE(x, w, b, NULL, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, NULL, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 5, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(LCE(x, w, b, t, 3, (size_t)1 << 62, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 0, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_ZERO_CLASSES);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, w, 4, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_WEIGHT_SIZE);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, SWIFTLOSS_REDUCTION_BATCHMEAN, 0.0, 0.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 1.5, 0.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_INVALID_LABEL_SMOOTHING);
    CHECK_STATUS(LCE(x, w, b, bad, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, -1.0, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, NAN, 0.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, -2.0, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, INFINITY, NULL, out, NULL, gx, NULL, NULL), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    UNTOUCHED(out, 2);
    UNTOUCHED(gx, 12);
    /* overlaps: every output against the inputs and the other outputs */
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, x + 3, NULL, NULL, NULL, NULL), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, NULL, w, NULL), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, NULL, NULL, b), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, NULL, NULL, (double *)(void *)t), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, out, NULL, NULL, NULL), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, gw, gw + 8, NULL), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, NULL, 0, -100, 1, 0.0, 0.0, 0.0, rgb, out, NULL, rgb, NULL, NULL), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(LCE(x, w, b, t, 3, 4, 5, b, 5, -100, 1, 0.0, 0.0, 0.0, NULL, out, NULL, gx, NULL, (double *)b), SWIFTLOSS_ERROR_OVERLAP);
#undef LCE
    UNTOUCHED(out, 2);
    UNTOUCHED(gx, 12);

    snprintf(g_ctx, sizeof g_ctx, "linear_cross_entropy f32");
    CHECK_STATUS(swiftloss_linear_cross_entropy_f32(xf, wf, bf, t, 3, 4, 5, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN,
                                                    0.0, 0.0, 0.0, NULL, outf, NULL, gxf, gwf, gbf), SWIFTLOSS_OK);
    CHECK_NEAR(outf[0], b_loss, 1e-5);
    for (k = 0; k < 12; k++) CHECK_NEAR(gxf[k], b_gx[k], 1e-5);
    for (k = 0; k < 20; k++) CHECK_NEAR(gwf[k], b_gw[k], 1e-5);
    for (k = 0; k < 5; k++) CHECK_NEAR(gbf[k], b_gb[k], 1e-5);
    g_ctx[0] = '\0';
}

/* gemm: a 2 x 3 times 3 x 2 product in every transpose (stored with wider rows), accumulate,
 * k = 0, a 37 x 29 x 300 product (edge tiles, two blocks of the sum) against a naive sum in
 * double, every status with c untouched, overlaps. */
static void gemm_naive(int ta, int tb, size_t m, size_t n, size_t k, const double *a, size_t lda,
                       const double *b, size_t ldb, double *c, size_t ldc)
{
    size_t i, j, p;
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++) {
            double s = 0;
            for (p = 0; p < k; p++)
                s += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
            c[i * ldc + j] = s;
        }
}

static void test_gemm(void)
{
    /* A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]]: AB = [[58, 64], [139, 154]] */
    static const double a[8] = {1, 2, 3, -1, 4, 5, 6, -1}, at[6] = {1, 4, 2, 5, 3, 6};
    static const double b[6] = {7, 8, 9, 10, 11, 12}, bt[8] = {7, 9, 11, -1, 8, 10, 12, -1};
    static const float af[8] = {1, 2, 3, -1, 4, 5, 6, -1}, bf[6] = {7, 8, 9, 10, 11, 12};
    static const double want[2] = {58 + 64, 139 + 154};
    double c[6], big_a[300 * 38], big_b[300 * 30], big_c[37 * 31], ref[37 * 31];
    float cf[6], big_af[300 * 38], big_bf[300 * 30], big_cf[37 * 31];
    int ta, tb;
    size_t i, bad = 0, badf = 0;

    snprintf(g_ctx, sizeof g_ctx, "gemm f64");
    for (ta = 0; ta < 2; ta++)
        for (tb = 0; tb < 2; tb++) {
            FILL42(c, 6);
            CHECK_STATUS(swiftloss_gemm_f64(ta, tb, 2, 2, 3, ta ? at : a, ta ? 2 : 4, tb ? bt : b, tb ? 4 : 2, c, 3, 0),
                         SWIFTLOSS_OK);
            CHECK(c[0] == 58 && c[1] == 64 && c[2] == 42 && c[3] == 139 && c[4] == 154 && c[5] == 42);
            CHECK_STATUS(swiftloss_gemm_f64(ta, tb, 2, 2, 3, ta ? at : a, ta ? 2 : 4, tb ? bt : b, tb ? 4 : 2, c, 3, 1),
                         SWIFTLOSS_OK);
            CHECK(c[0] + c[1] == 2 * want[0] && c[3] + c[4] == 2 * want[1] && c[5] == 42);
        }
    FILL42(c, 6);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 0, NULL, 0, NULL, 2, c, 3, 1), SWIFTLOSS_OK);
    UNTOUCHED(c, 6);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 0, NULL, 0, NULL, 2, c, 3, 0), SWIFTLOSS_OK);
    CHECK(c[0] == 0 && c[1] == 0 && c[2] == 42 && c[3] == 0 && c[4] == 0 && c[5] == 42);
    FILL42(c, 6);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 0, 2, 3, NULL, 3, b, 2, NULL, 2, 0), SWIFTLOSS_OK);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 0, 3, a, 4, NULL, 0, NULL, 0, 0), SWIFTLOSS_OK);

    /* 37 x 29 x 300, A transposed, B not, rows one wider than needed */
    for (i = 0; i < 300 * 38; i++) { big_a[i] = (double)((i * 7919) % 1001) / 500.0 - 1.0; big_af[i] = (float)big_a[i]; }
    for (i = 0; i < 300 * 30; i++) { big_b[i] = (double)((i * 104729) % 997) / 498.0 - 1.0; big_bf[i] = (float)big_b[i]; }
    gemm_naive(1, 0, 37, 29, 300, big_a, 38, big_b, 30, ref, 31);
    CHECK_STATUS(swiftloss_gemm_f64(1, 0, 37, 29, 300, big_a, 38, big_b, 30, big_c, 31, 0), SWIFTLOSS_OK);
    CHECK_STATUS(swiftloss_gemm_f32(1, 0, 37, 29, 300, big_af, 38, big_bf, 30, big_cf, 31, 0), SWIFTLOSS_OK);
    for (i = 0; i < 37 * 31; i++) {
        if (i % 31 >= 29) continue;
        if (fabs(big_c[i] - ref[i]) > 1e-12 * 300) bad++;
        if (fabs(big_cf[i] - ref[i]) > 1e-5 * 300) badf++;
    }
    CHECK(bad == 0);
    CHECK(badf == 0);
    /* A not transposed, B transposed: the same sums */
    gemm_naive(0, 1, 37, 29, 300, big_a, 301, big_b, 300, ref, 31);
    CHECK_STATUS(swiftloss_gemm_f64(0, 1, 37, 29, 300, big_a, 301, big_b, 300, big_c, 31, 0), SWIFTLOSS_OK);
    for (i = 0, bad = 0; i < 37 * 31; i++)
        if (i % 31 < 29 && fabs(big_c[i] - ref[i]) > 1e-12 * 300) bad++;
    CHECK(bad == 0);

    /* errors: c untouched */
    FILL42(c, 6);
    CHECK_STATUS(swiftloss_gemm_f64(2, 0, 2, 2, 3, a, 4, b, 2, c, 3, 0), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_gemm_f64(0, -1, 2, 2, 3, a, 4, b, 2, c, 3, 0), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, a, 4, b, 2, c, 3, 2), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, a, 2, b, 2, c, 3, 0), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, a, 4, b, 1, c, 3, 0), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, a, 4, b, 2, c, 1, 0), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_gemm_f64(1, 0, 2, 2, 3, at, 1, b, 2, c, 3, 0), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_gemm_f64(0, 1, 2, 2, 3, a, 4, bt, 2, c, 3, 0), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, NULL, 4, b, 2, c, 3, 0), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, a, 4, NULL, 2, c, 3, 0), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, a, 4, b, 2, NULL, 3, 0), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 0, NULL, 0, NULL, 2, NULL, 3, 0), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, SIZE_MAX, 2, 3, a, 4, b, 2, c, 3, 0), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, (size_t)1 << 61, 1, 1, a, 1, b, 1, c, 1, 0), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, a, (size_t)1 << 62, b, 2, c, 3, 0), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, a, 4, b, 2, c, SIZE_MAX, 0), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    UNTOUCHED(c, 6);
    /* overlaps: c over a or b (a and b may overlap each other) */
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, big_c, 4, b, 2, big_c + 6, 3, 0), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, a, 4, big_c + 4, 2, big_c, 3, 0), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, big_a, 4, big_a, 2, big_c, 3, 0), SWIFTLOSS_OK);
    /* c's span ends before a's starts: no overlap (a's first row begins right after) */
    CHECK_STATUS(swiftloss_gemm_f64(0, 0, 2, 2, 3, big_c + 5, 4, b, 2, big_c, 3, 0), SWIFTLOSS_OK);

    snprintf(g_ctx, sizeof g_ctx, "gemm f32");
    CHECK_STATUS(swiftloss_gemm_f32(0, 0, 2, 2, 3, af, 4, bf, 2, cf, 3, 0), SWIFTLOSS_OK);
    CHECK(cf[0] == 58 && cf[1] == 64 && cf[3] == 139 && cf[4] == 154);
    CHECK_STATUS(swiftloss_gemm_f32(0, 0, 2, 2, 3, af, 4, bf, 2, (float *)(void *)(af + 2), 3, 0),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_gemm_f32(0, 0, 2, 2, 3, af, 4, bf, 2, cf, 3, 5), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    g_ctx[0] = '\0';
}

/* Vocabulary-parallel cross_entropy: three simulated ranks holding 4, 0 and 7 of 11 classes
 * (uneven, one empty), the all-reduces done by hand (MAX of the row maxima, SUM of the
 * statistics), against swiftloss_cross_entropy_* and _backward_* on the full rows: every
 * reduction, with and without weight and label smoothing, ignore_index, a row that is -inf over
 * all of rank 2's columns, the gradient in place. Then the checks: outputs untouched on error. */
enum { VP_N = 5, VP_C = 11, VP_R = 3 };
static const size_t VP_WIDTH[VP_R] = {4, 0, 7}, VP_START[VP_R] = {0, 4, 4};

#define DEFINE_VP_CASE(T, SFX)                                                                       \
    static void vp_case_##SFX(int reduction, int weighted, double eps, double tol)                   \
    {                                                                                                \
        T x[VP_N * VP_C], w[VP_C], block[VP_R][VP_N * VP_C], m[VP_N], mr[VP_N], st[3 * VP_N];       \
        T str[3 * VP_N], loss[VP_N], want[VP_N], g[VP_N], gfull[VP_N * VP_C], gb[VP_N * VP_C];      \
        int64_t t[VP_N] = {3, IGNORE, 10, 5, 0};                                                     \
        size_t n, c, r, j, outs = reduction == NONE ? VP_N : 1;                                      \
        const T *wp = weighted ? w : NULL;                                                           \
        size_t wl = weighted ? VP_C : 0;                                                             \
        for (n = 0; n < VP_N; n++)                                                                   \
            for (c = 0; c < VP_C; c++)                                                               \
                x[n * VP_C + c] = (T)((double)((n * VP_C + c) * 37 % 23) / 2.875 - 4.0);                \
        for (c = 4; c < VP_C; c++) x[3 * VP_C + c] = (T)-INFINITY; /* rank 2's shard max is -inf */ \
        x[0] = (T)-INFINITY;                                                                         \
        for (c = 0; c < VP_C; c++) w[c] = (T)(0.25 + 0.1 * (double)c);                               \
        for (n = 0; n < VP_N; n++) g[n] = (T)(0.5 + 0.25 * (double)n);                               \
        for (n = 0; n < VP_N; n++) { m[n] = (T)-INFINITY; }                                          \
        memset(st, 0, sizeof st);                                                                    \
        for (r = 0; r < VP_R; r++) {                                                                 \
            for (n = 0; n < VP_N; n++)                                                               \
                for (j = 0; j < VP_WIDTH[r]; j++)                                                    \
                    block[r][n * VP_WIDTH[r] + j] = x[n * VP_C + VP_START[r] + j];                   \
            CHECK_STATUS(swiftloss_vocab_parallel_max_##SFX(block[r], VP_N, VP_WIDTH[r], mr), OK);    \
            for (n = 0; n < VP_N; n++) if (mr[n] > m[n]) m[n] = mr[n];                               \
        }                                                                                            \
        for (r = 0; r < VP_R; r++) {                                                                 \
            CHECK_STATUS(swiftloss_vocab_parallel_stats_##SFX(block[r], VP_N, VP_WIDTH[r], VP_START[r], \
                         VP_C, t, wp, wl, IGNORE, eps, m, str), OK);                                 \
            for (j = 0; j < 3 * VP_N; j++) st[j] += str[j];                                          \
        }                                                                                            \
        CHECK_STATUS(swiftloss_vocab_parallel_loss_##SFX(t, VP_N, VP_C, wp, wl, IGNORE, reduction, eps, \
                                                         m, st, loss), OK);                           \
        CHECK_STATUS(swiftloss_cross_entropy_##SFX(x, t, VP_N, VP_C, 1, wp, wl, IGNORE, reduction, eps, \
                                                   want), OK);                                        \
        for (n = 0; n < outs; n++) CHECK_NEAR(loss[n], want[n], tol);                                \
        CHECK_STATUS(swiftloss_cross_entropy_backward_##SFX(x, t, VP_N, VP_C, 1, wp, wl, IGNORE, reduction, \
                                                            eps, g, gfull), OK);                     \
        for (r = 0; r < VP_R; r++) {                                                                 \
            T *gx = (r == 2) ? block[r] : gb; /* rank 2 in place */                                 \
            CHECK_STATUS(swiftloss_vocab_parallel_backward_##SFX(block[r], VP_N, VP_WIDTH[r], VP_START[r], \
                         VP_C, t, wp, wl, IGNORE, reduction, eps, m, st, g, gx), OK);                \
            for (n = 0; n < VP_N; n++)                                                               \
                for (j = 0; j < VP_WIDTH[r]; j++)                                                    \
                    CHECK_NEAR(gx[n * VP_WIDTH[r] + j], gfull[n * VP_C + VP_START[r] + j], tol);    \
        }                                                                                            \
    }
DEFINE_VP_CASE(double, f64)
DEFINE_VP_CASE(float, f32)

static void test_vocab_parallel(void)
{
    static const int reductions[3] = {NONE, SUM, MEAN};
    static const int64_t t2[2] = {1, 2}, bad[2] = {1, 3};
    double x[6] = {0.5, -1.0, 2.0, 0.25, 1.5, -0.5}, m[2] = {2.0, 1.5}, st[6] = {1, 1, 0, 0, 0, 0};
    double out[6], w3[3] = {1, 2, 3};
    float xf[6] = {0.5f, -1.0f, 2.0f, 0.25f, 1.5f, -0.5f}, mf[2] = {2.0f, 1.5f}, stf[6] = {0};
    int k, weighted, e;
    for (k = 0; k < 3; k++)
        for (weighted = 0; weighted < 2; weighted++)
            for (e = 0; e < 2; e++) {
                snprintf(g_ctx, sizeof g_ctx, "vocab_parallel reduction %d weight %d eps %d", reductions[k],
                         weighted, e);
                vp_case_f64(reductions[k], weighted, e ? 0.2 : 0.0, 1e-12);
                vp_case_f32(reductions[k], weighted, e ? 0.2 : 0.0, 2e-5);
            }
    g_ctx[0] = '\0';

    /* An empty shard: the max is -inf, the statistics 0; nothing to write for the gradient. */
    CHECK_STATUS(swiftloss_vocab_parallel_max_f64(NULL, 2, 0, out), OK);
    CHECK(out[0] == -INFINITY && out[1] == -INFINITY);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(NULL, 2, 0, 3, 3, t2, NULL, 0, IGNORE, 0.1, m, out), OK);
    for (k = 0; k < 6; k++) CHECK(out[k] == 0.0);
    CHECK_STATUS(swiftloss_vocab_parallel_backward_f64(NULL, 2, 0, 3, 3, t2, NULL, 0, IGNORE, SUM, 0.0, m, st,
                                                       w3, NULL), OK);
    /* An empty batch. */
    CHECK_STATUS(swiftloss_vocab_parallel_loss_f64(NULL, 0, 3, NULL, 0, IGNORE, MEAN, 0.0, NULL, NULL, out), OK);
    CHECK(is_nan(out[0]));

    /* Errors: outputs untouched. Shard (2, 3) at vocab_start 0 of 3 classes. */
    FILL42(out, 6);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 2, 3, 1, 3, t2, NULL, 0, IGNORE, 0.0, m, out),
                 SWIFTLOSS_ERROR_INVALID_ARGUMENT); /* columns [1, 4) of 3 */
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 2, 3, 4, 3, t2, NULL, 0, IGNORE, 0.0, m, out),
                 SWIFTLOSS_ERROR_INVALID_ARGUMENT); /* vocab_start past classes */
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 2, 0, (size_t)-1, 3, t2, NULL, 0, IGNORE, 0.0, m, out),
                 SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 2, 3, 0, 0, t2, NULL, 0, IGNORE, 0.0, m, out),
                 SWIFTLOSS_ERROR_ZERO_CLASSES);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 2, 3, 0, 3, bad, NULL, 0, IGNORE, 0.0, m, out),
                 SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 2, 3, 0, 3, t2, w3, 2, IGNORE, 0.0, m, out),
                 SWIFTLOSS_ERROR_WEIGHT_SIZE);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 2, 3, 0, 3, t2, NULL, 0, IGNORE, 1.5, m, out),
                 SWIFTLOSS_ERROR_INVALID_LABEL_SMOOTHING);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 2, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, NULL, out),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 2, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, m, NULL),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_vocab_parallel_max_f64(x, (size_t)1 << 62, 4, out), SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(swiftloss_vocab_parallel_max_f64(x, 2, 3, NULL), SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_vocab_parallel_loss_f64(t2, 2, 3, NULL, 0, IGNORE, BATCHMEAN, 0.0, m, st, out),
                 SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_vocab_parallel_loss_f64(t2, 2, 3, NULL, 0, IGNORE, 7, 0.0, m, st, out),
                 SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(swiftloss_vocab_parallel_loss_f64(t2, 2, 3, NULL, 0, IGNORE, SUM, 0.0, m, NULL, out),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_vocab_parallel_backward_f64(x, 2, 3, 1, 3, t2, NULL, 0, IGNORE, SUM, 0.0, m, st, w3,
                                                       out), SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_vocab_parallel_backward_f64(x, 2, 3, 0, 3, t2, NULL, 0, IGNORE, NONE, 0.0, m, st, NULL,
                                                       out), SWIFTLOSS_ERROR_NULL_POINTER);
    UNTOUCHED(out, 6);
    /* Overlaps: an output over an input (the gradient may only be exactly the logits). */
    CHECK_STATUS(swiftloss_vocab_parallel_max_f64(x, 2, 3, x + 4), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 2, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, m, x),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f64(x, 1, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, st + 3, st + 2),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_vocab_parallel_loss_f64(t2, 2, 3, NULL, 0, IGNORE, NONE, 0.0, m, st, st + 4),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_vocab_parallel_loss_f64(t2, 2, 3, NULL, 0, IGNORE, SUM, 0.0, m, st, (double *)(void *)t2),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_vocab_parallel_backward_f64(x, 2, 3, 0, 3, t2, NULL, 0, IGNORE, SUM, 0.0, m, st, w3,
                                                       x + 1), SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(swiftloss_vocab_parallel_backward_f64(x, 1, 3, 0, 3, t2, NULL, 0, IGNORE, SUM, 0.0, m, st, w3,
                                                       st), SWIFTLOSS_ERROR_OVERLAP);
    CHECK(x[1] == -1.0 && x[4] == 1.5 && m[0] == 2.0 && st[0] == 1.0);
    /* float32: the same checks reach the _f32 functions. */
    CHECK_STATUS(swiftloss_vocab_parallel_max_f32(xf, 2, 3, mf), OK);
    CHECK(mf[0] == 2.0f && mf[1] == 1.5f);
    CHECK_STATUS(swiftloss_vocab_parallel_stats_f32(xf, 2, 3, 2, 4, t2, NULL, 0, IGNORE, 0.0, mf, stf),
                 SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_vocab_parallel_backward_f32(xf, 2, 3, 0, 3, t2, NULL, 0, IGNORE, SUM, 0.0, mf, stf,
                                                       xf + 5, xf), SWIFTLOSS_ERROR_OVERLAP);
}

/* Vocabulary-parallel linear_cross_entropy: three simulated ranks holding 4, 0 and 7 of the 11
 * weight rows (H = 3), the all-reduces by hand (MAX of the local maxima into a copy, the
 * rescale, SUM of the statistics, SUM of grad_input), against swiftloss_linear_cross_entropy_*
 * on the full weight: loss, grad_input, each rank's weight rows and bias slice; every
 * reduction, weight, label smoothing, bias or not, ignore_index; with `special` the bias is
 * -inf over rank 2's rows (its local maxima are -inf). Then statuses, outputs untouched. */
enum { VPL_H = 3 };

#define DEFINE_VPL_CASE(T, SFX)                                                                      \
    static void vpl_case_##SFX(int reduction, int weighted, double eps, int biased, int special,     \
                               double tol)                                                           \
    {                                                                                                \
        T x[VP_N * VPL_H], W[VP_C * VPL_H], b[VP_C], w[VP_C], lm[VP_R][VP_N], m[VP_N];               \
        T st[VP_R][3 * VP_N], sum[3 * VP_N], loss[VP_N], want[VP_N], g[VP_N];                        \
        T gx[VP_N * VPL_H], gxr[VP_N * VPL_H], gW[VP_C * VPL_H], gb[VP_C];                           \
        T wantx[VP_N * VPL_H], wantW[VP_C * VPL_H], wantb[VP_C];                                     \
        int64_t t[VP_N] = {3, IGNORE, 10, 5, 0};                                                     \
        size_t n, c, r, j, outs = reduction == NONE ? VP_N : 1;                                      \
        const T *wp = weighted ? w : NULL, *bp = biased ? b : NULL;                                  \
        size_t wl = weighted ? VP_C : 0;                                                             \
        for (j = 0; j < VP_N * VPL_H; j++) x[j] = (T)((double)(j * 7 % 11) / 3.0 - 1.5);            \
        for (j = 0; j < VP_C * VPL_H; j++) W[j] = (T)((double)(j * 5 % 13) / 4.0 - 1.25);           \
        for (c = 0; c < VP_C; c++) b[c] = (T)(0.3 * (double)(c % 4) - 0.4);                          \
        if (special) { for (c = 4; c < VP_C; c++) b[c] = (T)-INFINITY; t[2] = 1; t[3] = 2; }        \
        for (c = 0; c < VP_C; c++) w[c] = (T)(0.25 + 0.1 * (double)c);                               \
        for (n = 0; n < VP_N; n++) g[n] = (T)(0.5 + 0.25 * (double)n);                               \
        for (n = 0; n < VP_N; n++) m[n] = (T)-INFINITY;                                              \
        for (r = 0; r < VP_R; r++) {                                                                 \
            CHECK_STATUS(swiftloss_vocab_parallel_linear_stats_##SFX(x, VP_N, VPL_H,                 \
                         W + VP_START[r] * VPL_H, bp ? bp + VP_START[r] : NULL, VP_WIDTH[r],          \
                         VP_START[r], VP_C, t, wp, wl, IGNORE, eps, lm[r], st[r]), OK);              \
            for (n = 0; n < VP_N; n++) if (lm[r][n] > m[n]) m[n] = lm[r][n];                         \
        }                                                                                            \
        memset(sum, 0, sizeof sum);                                                                  \
        for (r = 0; r < VP_R; r++) {                                                                 \
            CHECK_STATUS(swiftloss_vocab_parallel_rescale_##SFX(lm[r], VP_N, VP_WIDTH[r], VP_START[r], \
                         VP_C, t, wp, wl, IGNORE, eps, m, st[r]), OK);                               \
            for (j = 0; j < 3 * VP_N; j++) sum[j] += st[r][j];                                       \
        }                                                                                            \
        CHECK_STATUS(swiftloss_vocab_parallel_loss_##SFX(t, VP_N, VP_C, wp, wl, IGNORE, reduction, eps, \
                                                         m, sum, loss), OK);                          \
        CHECK_STATUS(swiftloss_linear_cross_entropy_##SFX(x, W, bp, t, VP_N, VPL_H, VP_C, wp, wl, IGNORE, \
                     reduction, eps, 0.0, 0.0, g, want, NULL, wantx, wantW, biased ? wantb : NULL), OK);  \
        for (n = 0; n < outs; n++) CHECK_NEAR(loss[n], want[n], tol);                                \
        memset(gx, 0, sizeof gx);                                                                    \
        for (r = 0; r < VP_R; r++) {                                                                 \
            CHECK_STATUS(swiftloss_vocab_parallel_linear_backward_##SFX(x, VP_N, VPL_H,              \
                         W + VP_START[r] * VPL_H, bp ? bp + VP_START[r] : NULL, VP_WIDTH[r],          \
                         VP_START[r], VP_C, t, wp, wl, IGNORE, reduction, eps, m, sum, g, gxr,        \
                         gW + VP_START[r] * VPL_H, biased ? gb + VP_START[r] : NULL), OK);            \
            for (j = 0; j < VP_N * VPL_H; j++) gx[j] += gxr[j];                                      \
        }                                                                                            \
        for (j = 0; j < VP_N * VPL_H; j++) CHECK_NEAR(gx[j], wantx[j], tol);                         \
        for (j = 0; j < VP_C * VPL_H; j++) CHECK_NEAR(gW[j], wantW[j], tol);                         \
        for (c = 0; biased && c < VP_C; c++) CHECK_NEAR(gb[c], wantb[c], tol);                       \
    }
DEFINE_VPL_CASE(double, f64)
DEFINE_VPL_CASE(float, f32)

static void test_vocab_parallel_linear(void)
{
    static const int reductions[3] = {NONE, SUM, MEAN};
    static const int64_t t2[2] = {1, 2}, bad[2] = {1, 3};
    double x[6] = {0.5, -1.0, 2.0, 0.25, 1.5, -0.5}, W[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    double lm[2] = {1, 1}, m[2] = {2, 2}, st[6] = {1, 1, 0, 0, 0, 0}, g1[1] = {1}, out[12], out2[12];
    float xf[6] = {0.5f, -1.0f, 2.0f, 0.25f, 1.5f, -0.5f}, Wf[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1}, lmf[2], stf[6];
    int k, weighted, e, biased;
    for (k = 0; k < 3; k++)
        for (weighted = 0; weighted < 2; weighted++)
            for (e = 0; e < 2; e++)
                for (biased = 0; biased < 2; biased++) {
                    snprintf(g_ctx, sizeof g_ctx, "vocab_parallel_linear reduction %d weight %d eps %d bias %d",
                             reductions[k], weighted, e, biased);
                    vpl_case_f64(reductions[k], weighted, e ? 0.2 : 0.0, biased, 0, 1e-12);
                    vpl_case_f32(reductions[k], weighted, e ? 0.2 : 0.0, biased, 0, 2e-5);
                }
    for (k = 0; k < 3; k++) {
        snprintf(g_ctx, sizeof g_ctx, "vocab_parallel_linear -inf bias over rank 2, reduction %d", reductions[k]);
        vpl_case_f64(reductions[k], 1, 0.0, 1, 1, 1e-12);
        vpl_case_f32(reductions[k], 0, 0.0, 1, 1, 2e-5);
    }
    g_ctx[0] = '\0';

    /* One rank holding every class equals linear_cross_entropy exactly in its statistics: the
     * rescale against its own maxima changes nothing. */
    CHECK_STATUS(swiftloss_vocab_parallel_linear_stats_f64(x, 2, 3, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, 0.1,
                                                           out, out + 2), OK);
    CHECK(out[0] == 2.0 && out[1] == 1.5);
    memcpy(out2, out, sizeof out);
    CHECK_STATUS(swiftloss_vocab_parallel_rescale_f64(out, 2, 3, 0, 3, t2, NULL, 0, IGNORE, 0.1, out, out2 + 2), OK);
    CHECK(memcmp(out, out2, 8 * sizeof(double)) == 0);
    /* An empty shard (0 rows of the weight): local maxima -inf, statistics 0, the rescale keeps
     * them, grad_input is zeros. */
    CHECK_STATUS(swiftloss_vocab_parallel_linear_stats_f64(x, 2, 3, NULL, NULL, 0, 3, 3, t2, NULL, 0, IGNORE, 0.1,
                                                           out, out + 2), OK);
    CHECK(out[0] == -INFINITY && out[1] == -INFINITY);
    for (k = 2; k < 8; k++) CHECK(out[k] == 0.0);
    CHECK_STATUS(swiftloss_vocab_parallel_rescale_f64(out, 2, 0, 3, 3, t2, NULL, 0, IGNORE, 0.1, m, out + 2), OK);
    for (k = 2; k < 8; k++) CHECK(out[k] == 0.0);
    FILL42(out, 12);
    CHECK_STATUS(swiftloss_vocab_parallel_linear_backward_f64(x, 2, 3, NULL, NULL, 0, 3, 3, t2, NULL, 0, IGNORE, SUM,
                                                              0.0, m, st, g1, out, NULL, NULL), OK);
    for (k = 0; k < 6; k++) CHECK(out[k] == 0.0);
    /* An empty batch: the weight's gradient is zeros. */
    FILL42(out, 12);
    CHECK_STATUS(swiftloss_vocab_parallel_linear_backward_f64(NULL, 0, 3, W, NULL, 3, 0, 3, NULL, NULL, 0, IGNORE,
                                                              SUM, 0.0, NULL, NULL, g1, NULL, out, NULL), OK);
    for (k = 0; k < 9; k++) CHECK(out[k] == 0.0);
    /* hidden == 0: logits are the bias alone. */
    CHECK_STATUS(swiftloss_vocab_parallel_linear_stats_f64(NULL, 2, 0, NULL, x, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0,
                                                           out, out + 2), OK);
    CHECK(out[0] == 2.0 && out[1] == 2.0);

    /* Errors: outputs untouched. Shard of 3 rows (H = 3) at vocab_start 0 of 3 classes. */
    FILL42(out, 12);
#define VPL_STATS(...) swiftloss_vocab_parallel_linear_stats_f64(__VA_ARGS__)
#define VPL_BACK(...) swiftloss_vocab_parallel_linear_backward_f64(__VA_ARGS__)
    CHECK_STATUS(VPL_STATS(x, 2, 3, W, NULL, 3, 1, 3, t2, NULL, 0, IGNORE, 0.0, out, out + 2),
                 SWIFTLOSS_ERROR_INVALID_ARGUMENT); /* rows [1, 4) of 3 */
    CHECK_STATUS(VPL_STATS(x, 2, 3, W, NULL, 0, 4, 3, t2, NULL, 0, IGNORE, 0.0, out, out + 2),
                 SWIFTLOSS_ERROR_INVALID_ARGUMENT); /* vocab_start past classes */
    CHECK_STATUS(VPL_STATS(x, 2, 3, W, NULL, 0, (size_t)-1, 3, t2, NULL, 0, IGNORE, 0.0, out, out + 2),
                 SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(VPL_STATS(x, 2, (size_t)1 << 62, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, out, out + 2),
                 SWIFTLOSS_ERROR_SIZE_OVERFLOW);
    CHECK_STATUS(VPL_STATS(x, 2, 3, W, NULL, 3, 0, 0, t2, NULL, 0, IGNORE, 0.0, out, out + 2),
                 SWIFTLOSS_ERROR_ZERO_CLASSES);
    CHECK_STATUS(VPL_STATS(x, 2, 3, W, NULL, 3, 0, 3, bad, NULL, 0, IGNORE, 0.0, out, out + 2),
                 SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS);
    CHECK_STATUS(VPL_STATS(x, 2, 3, W, NULL, 3, 0, 3, t2, x, 2, IGNORE, 0.0, out, out + 2),
                 SWIFTLOSS_ERROR_WEIGHT_SIZE);
    CHECK_STATUS(VPL_STATS(x, 2, 3, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, 1.5, out, out + 2),
                 SWIFTLOSS_ERROR_INVALID_LABEL_SMOOTHING);
    CHECK_STATUS(VPL_STATS(NULL, 2, 3, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, out, out + 2),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(VPL_STATS(x, 2, 3, NULL, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, out, out + 2),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(VPL_STATS(x, 2, 3, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, NULL, out + 2),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(VPL_STATS(x, 2, 3, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, out, out + 1),
                 SWIFTLOSS_ERROR_OVERLAP); /* local_max over stats */
    CHECK_STATUS(swiftloss_vocab_parallel_rescale_f64(lm, 2, 3, 1, 3, t2, NULL, 0, IGNORE, 0.0, m, out),
                 SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_vocab_parallel_rescale_f64(NULL, 2, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, m, out),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(swiftloss_vocab_parallel_rescale_f64(lm, 2, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, NULL, out),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    CHECK_STATUS(VPL_BACK(x, 2, 3, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, BATCHMEAN, 0.0, m, st, g1, out, NULL, NULL),
                 SWIFTLOSS_ERROR_INVALID_REDUCTION);
    CHECK_STATUS(VPL_BACK(x, 2, 3, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, NONE, 0.0, m, st, NULL, out, NULL, NULL),
                 SWIFTLOSS_ERROR_NULL_POINTER);
    UNTOUCHED(out, 12);
    /* Overlaps: an output over an input or over another output. */
    CHECK_STATUS(swiftloss_vocab_parallel_rescale_f64(lm, 1, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, m, lm),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(VPL_STATS(x, 2, 3, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0, out, x),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(VPL_BACK(x, 2, 3, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, SUM, 0.0, m, st, g1, x, NULL, NULL),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(VPL_BACK(x, 2, 3, W, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, SUM, 0.0, m, st, g1, out, out + 5, NULL),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK_STATUS(VPL_BACK(x, 2, 3, W, W, 3, 0, 3, t2, NULL, 0, IGNORE, SUM, 0.0, m, st, g1, NULL, NULL, st + 3),
                 SWIFTLOSS_ERROR_OVERLAP);
    CHECK(x[1] == -1.0 && W[0] == 1.0 && lm[0] == 1.0 && st[0] == 1.0);
#undef VPL_STATS
#undef VPL_BACK
    /* float32: the same checks reach the _f32 functions. */
    CHECK_STATUS(swiftloss_vocab_parallel_linear_stats_f32(xf, 2, 3, Wf, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, 0.0,
                                                           lmf, stf), OK);
    CHECK(lmf[0] == 2.0f && lmf[1] == 1.5f);
    CHECK_STATUS(swiftloss_vocab_parallel_rescale_f32(lmf, 2, 3, 2, 4, t2, NULL, 0, IGNORE, 0.0, lmf, stf),
                 SWIFTLOSS_ERROR_INVALID_ARGUMENT);
    CHECK_STATUS(swiftloss_vocab_parallel_linear_backward_f32(xf, 2, 3, Wf, NULL, 3, 0, 3, t2, NULL, 0, IGNORE, SUM,
                                                              0.0, lmf, stf, xf, NULL, Wf, NULL),
                 SWIFTLOSS_ERROR_OVERLAP);
}

int main(void)
{
    int precision;

    signal(SIGSEGV, on_crash);
    signal(SIGFPE, on_crash);
    signal(SIGILL, on_crash); /* a Swift runtime trap (overflow, bounds) on x86-64 */
#ifdef SIGTRAP
    signal(SIGTRAP, on_crash); /* ... and on arm64 */
#endif
#ifdef SIGBUS
    signal(SIGBUS, on_crash);
#endif

    RUN(test_version_and_status_strings);
    RUN(test_threads);
    RUN(test_errors_overlap);
    RUN(test_regression_losses);
    RUN(test_several_learned_inputs);
    RUN(test_margin_losses);
    RUN(test_embedding_losses);
    RUN(test_ctc_loss);
    RUN(test_cross_entropy_ex);
    RUN(test_linear_cross_entropy);
    RUN(test_gemm);
    RUN(test_vocab_parallel);
    RUN(test_vocab_parallel_linear);
    for (precision = 0; precision < 2; precision++) {
        g_f32 = precision == 0;
        g_prec = g_f32 ? "f32" : "f64";
        RUN(test_article_a);
        RUN(test_article_b);
        RUN(test_article_c);
        RUN(test_articles_d_e);
        RUN(test_ignore_index);
        RUN(test_class_index_edge_cases);
        RUN(test_probability_targets);
        RUN(test_layout);
        RUN(test_softmax);
        RUN(test_bce);
        RUN(test_bce_with_logits);
        RUN(test_kl_div);
        RUN(test_precise_reductions);
        RUN(test_gradients_softmax);
        RUN(test_gradients_class_index);
        RUN(test_gradients_elementwise);
        RUN(test_errors_softmax);
        RUN(test_errors_class_index);
        RUN(test_errors_probability_targets);
        RUN(test_errors_binary);
        RUN(test_errors_kl_div);
        vec_free_all();
    }
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed ? 1 : 0;
}
