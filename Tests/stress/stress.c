/*
 * stress.c - many threads calling every exported function of libswiftloss at once.
 *
 * Every computing entry point (f32 and f64, forward, backward, fused, in place where the
 * header allows it) is set up as a "case" on shared, read-only inputs, at two sizes: small
 * (below the library's threading threshold of 64K elements of work) and large (above
 * it, so each call also runs on the worker pool). A single-threaded run
 * (swiftloss_set_num_threads(1)) gives the reference bytes of every case. The class-axis and
 * softmax cases also come with long rows (70001 classes: the online max/sum path). Then W worker
 * threads (default 8) each run every case R times (default 3) in their own order, into
 * private output buffers (scribbled over before each call), and compare the bytes with the
 * reference; meanwhile another thread keeps calling swiftloss_set_num_threads with varying
 * counts (0, 1, 2, 3, 4, 7, 8, 16) and swiftloss_get_num_threads. The header promises
 * results independent of the thread count, so any difference is a failure.
 *
 * Usage: stress [workers] [rounds] [small-only: 0|1]
 * Output: the cases, "W threads x N calls" and the number of mismatches; exit 1 on any.
 */
#include "swiftloss.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    K_SOFTMAX, K_LOG_SOFTMAX, K_SOFTMAX_INPLACE, K_SOFTMAX_BW, K_LOG_SOFTMAX_BW,
    K_NLL, K_NLL_BW, K_CE, K_CE_NONE, K_CE_BW, K_CE_FUSED, K_CE_FUSED_INPLACE, K_CE_EX,
    K_CE_PROBS, K_CE_PROBS_BW, K_CE_PROBS_EX, K_BCE, K_BCE_BW, K_BCEL, K_BCEL_BW, K_KL, K_KL_BW,
    K_MSE, K_MSE_BW, K_HUBER, K_SL1_BW, K_SOFT, K_SOFT_BW, K_POISSON, K_POISSON_BW,
    K_MULTILABEL, K_MULTILABEL_BW, K_MULTI_MARGIN, K_MULTI_MARGIN_BW, K_LABEL_MARGIN, K_LABEL_MARGIN_BW,
    K_MARGIN_RANKING, K_MARGIN_RANKING_BW, K_GAUSSIAN, K_GAUSSIAN_BW,
    K_COSINE, K_COSINE_BW, K_TRIPLET, K_TRIPLET_BW, K_CTC, K_CTC_BW, K_LCE, K_VP_STATS, K_VP_BW,
    K_VPL_STATS, K_VPL_BW,
    NKINDS
};
static const char *const names[NKINDS] = {
    "softmax", "log_softmax", "softmax (in place)", "softmax_backward", "log_softmax_backward",
    "nll_loss", "nll_loss_backward", "cross_entropy", "cross_entropy (none)", "cross_entropy_backward",
    "cross_entropy_fused", "cross_entropy_fused (in place)",
    "cross_entropy_ex (z_loss, softcap, loss and gradient)", "cross_entropy_probs",
    "cross_entropy_probs_backward", "cross_entropy_probs_ex (softcap, none, in place)", "binary_cross_entropy", "binary_cross_entropy_backward",
    "binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits_backward", "kl_div",
    "kl_div_backward", "mse_loss", "mse_loss_backward", "huber_loss", "smooth_l1_loss_backward",
    "soft_margin_loss", "soft_margin_loss_backward", "poisson_nll_loss (full)",
    "poisson_nll_loss_backward (rates)", "multilabel_soft_margin_loss (per class weight)",
    "multilabel_soft_margin_loss_backward", "multi_margin_loss (p 2, weight, none)",
    "multi_margin_loss_backward (in place)", "multilabel_margin_loss", "multilabel_margin_loss_backward",
    "margin_ranking_loss", "margin_ranking_loss_backward (input1's gradient only)", "gaussian_nll_loss (full)",
    "gaussian_nll_loss_backward (var's gradient only)",
    "cosine_embedding_loss_backward (both gradients)", "triplet_margin_loss (swap)",
    "triplet_margin_loss_backward (p = 3.5, swap, three gradients)",
    "ctc_loss (none, zero_infinity)", "ctc_loss_backward (mean)",
    "linear_cross_entropy (mean, z_loss, softcap, smoothing; loss, grad_input, grad_linear_weight)",
    "vocab_parallel_stats (weight, smoothing)", "vocab_parallel_backward (mean, weight, smoothing, in place)",
    "vocab_parallel_linear_stats (weight, smoothing)",
    "vocab_parallel_linear_backward (mean, weight, smoothing; grad_input, grad_linear_weight)",
};

/* Shared, read-only inputs (one float and one double copy), big enough for every case. */
#define MAXN (1u << 19)
#define MAXC (1u << 17)
static float xf[MAXN], qf[MAXN], pf[MAXN], yf[MAXN], gf[MAXN], sf[MAXN], wf[MAXC], pwf[MAXC];
static double xd[MAXN], qd[MAXN], pd[MAXN], yd[MAXN], gd[MAXN], sd[MAXN], wd[MAXC], pwd[MAXC];
static int64_t tg[MAXN];

typedef struct {
    int kind, f64;
    size_t batch, classes, inner;  /* class axis / softmax (outer, dim, inner) */
    size_t count;                  /* element-wise */
    int reduction;
    double smoothing;
    int weighted;
    size_t out_n, gx_n;            /* output and gradient elements */
    const char *size;
    unsigned char *ref_out, *ref_gx;  /* reference bytes */
} Case;

#define MAXCASES 512
static Case cases[MAXCASES];
static int ncases;

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void setup_inputs(void)
{
    for (size_t k = 0; k < MAXN; k++) {
        xd[k] = uniform() * 8 - 4;        /* logits */
        qd[k] = uniform();                /* probability targets (not normalised: allowed) */
        pd[k] = 0.001 + 0.998 * uniform();/* BCE probabilities */
        yd[k] = uniform() < 0.5 ? 0.0 : uniform();
        gd[k] = uniform() * 2 - 1;        /* upstream gradients */
        sd[k] = uniform() < 0.5 ? -1.0 : 1.0;  /* cosine_embedding_loss targets */
        xf[k] = (float)xd[k]; qf[k] = (float)qd[k]; pf[k] = (float)pd[k];
        yf[k] = (float)yd[k]; gf[k] = (float)gd[k]; sf[k] = (float)sd[k];
        tg[k] = uniform() < 0.05 ? -100 : (int64_t)(uniform() * 1e9);  /* reduced mod classes per case */
    }
    for (size_t c = 0; c < MAXC; c++) {
        wd[c] = 0.25 + 2 * uniform();
        pwd[c] = 0.5 + uniform();
        wf[c] = (float)wd[c];
        pwf[c] = (float)pwd[c];
    }
}

/* Targets of a case: tg mod classes, -100 kept. Built per case, shared read-only. */
static int64_t *targets_for[MAXCASES];

static int run_case(int ci, void *out, void *gx)
{
    const Case *c = &cases[ci];
    const int64_t *t = targets_for[ci];
    size_t b = c->batch, C = c->classes, i = c->inner, n = c->count;
    int r = c->reduction;
    double eps = c->smoothing;
    size_t wl = c->weighted ? C : 0;
    if (c->f64) {
        const double *w = c->weighted ? wd : NULL;
        double *o = (double *)out, *g = (double *)gx;
        switch (c->kind) {
        case K_SOFTMAX: return swiftloss_softmax_f64(xd, b, C, i, o);
        case K_LOG_SOFTMAX: return swiftloss_log_softmax_f64(xd, b, C, i, o);
        case K_SOFTMAX_INPLACE:
            memcpy(o, xd, b * C * i * sizeof *o);
            return swiftloss_softmax_f64(o, b, C, i, o);
        case K_SOFTMAX_BW: return swiftloss_softmax_backward_f64(pd, gd, b, C, i, o);
        case K_LOG_SOFTMAX_BW: return swiftloss_log_softmax_backward_f64(xd, gd, b, C, i, o);
        case K_NLL: return swiftloss_nll_loss_f64(xd, t, b, C, i, w, wl, -100, r, o);
        case K_NLL_BW: return swiftloss_nll_loss_backward_f64(t, b, C, i, w, wl, -100, r, gd, g);
        case K_CE:
        case K_CE_NONE: return swiftloss_cross_entropy_f64(xd, t, b, C, i, w, wl, -100, r, eps, o);
        case K_CE_BW: return swiftloss_cross_entropy_backward_f64(xd, t, b, C, i, w, wl, -100, r, eps, gd, g);
        case K_CE_FUSED: return swiftloss_cross_entropy_fused_f64(xd, t, b, C, i, w, wl, -100, r, eps, NULL, o, g);
        case K_CE_FUSED_INPLACE:
            memcpy(g, xd, b * C * i * sizeof *g);
            return swiftloss_cross_entropy_fused_f64(g, t, b, C, i, w, wl, -100, r, eps, gd, o, g);
        case K_CE_EX:
            return swiftloss_cross_entropy_ex_f64(xd, t, b, C, i, w, wl, -100, r, eps, 1e-3, 7.5, NULL, o, NULL, g);
        case K_CE_PROBS_EX:
            memcpy(g, xd, b * C * i * sizeof *g);
            return swiftloss_cross_entropy_probs_ex_f64(g, qd, b, C, i, w, wl, -100, r, eps, 0.0, 3.0, gd, o, NULL, g);
        case K_CE_PROBS: return swiftloss_cross_entropy_probs_f64(xd, qd, b, C, i, w, wl, -100, r, eps, o);
        case K_CE_PROBS_BW:
            return swiftloss_cross_entropy_probs_backward_f64(xd, qd, b, C, i, w, wl, -100, r, eps, gd, g);
        case K_BCE: return swiftloss_binary_cross_entropy_f64(pd, yd, n, wd, 100, r, o);
        case K_BCE_BW: return swiftloss_binary_cross_entropy_backward_f64(pd, yd, n, wd, 100, r, gd, g);
        case K_BCEL: return swiftloss_binary_cross_entropy_with_logits_f64(xd, yd, n, wd, 100, pwd, 50, r, o);
        case K_BCEL_BW:
            return swiftloss_binary_cross_entropy_with_logits_backward_f64(xd, yd, n, wd, 100, pwd, 50, r, gd, g);
        case K_KL: return swiftloss_kl_div_f64(xd, qd, n, 100, r, 0, o);
        /* the regression losses' weights are count elements: pd serves */
        case K_MSE: return swiftloss_mse_loss_f64(xd, yd, n, pd, n, r, o);
        case K_MSE_BW: return swiftloss_mse_loss_backward_f64(xd, yd, n, pd, n, r, gd, g);
        case K_HUBER: return swiftloss_huber_loss_f64(xd, yd, n, pd, n, 0.5, r, o);
        case K_SL1_BW: return swiftloss_smooth_l1_loss_backward_f64(xd, yd, n, 0.25, r, gd, g);
        case K_SOFT: return swiftloss_soft_margin_loss_f64(xd, yd, n, r, o);
        case K_SOFT_BW: return swiftloss_soft_margin_loss_backward_f64(xd, yd, n, r, gd, g);
        case K_POISSON: return swiftloss_poisson_nll_loss_f64(xd, yd, n, 1, 1, 1e-8, r, o);
        case K_POISSON_BW: return swiftloss_poisson_nll_loss_backward_f64(pd, yd, n, 0, 0, 1e-8, r, gd, g);
        /* multilabel: rows of 100 classes (n is a multiple of 100); 'none' gives n / 100 rows */
        case K_MULTILABEL: return swiftloss_multilabel_soft_margin_loss_f64(xd, qd, n / 100, 100, wd, 100, r, o);
        case K_MULTILABEL_BW:
            return swiftloss_multilabel_soft_margin_loss_backward_f64(xd, qd, n / 100, 100, NULL, 0, r, gd, g);
        case K_MARGIN_RANKING: return swiftloss_margin_ranking_loss_f64(xd, qd, gd, n, 0.1, r, o);
        case K_MARGIN_RANKING_BW: return swiftloss_margin_ranking_loss_backward_f64(xd, qd, gd, n, 0.1, r, gd, g, NULL);
        /* the margin losses: rows of 100 classes too, class indices or label lists in t */
        case K_MULTI_MARGIN: return swiftloss_multi_margin_loss_f64(xd, t, n / 100, 100, 2, 0.5, wd, 100, r, o);
        case K_MULTI_MARGIN_BW:
            memcpy(g, xd, n * sizeof *g);
            return swiftloss_multi_margin_loss_backward_f64(g, t, n / 100, 100, 1, 1.0, NULL, 0, r, gd, g);
        case K_LABEL_MARGIN: return swiftloss_multilabel_margin_loss_f64(xd, t, n / 100, 100, r, o);
        case K_LABEL_MARGIN_BW: return swiftloss_multilabel_margin_loss_backward_f64(xd, t, n / 100, 100, r, gd, g);
        case K_GAUSSIAN: return swiftloss_gaussian_nll_loss_f64(xd, gd, qd, n, 1, 1e-6, r, o);
        case K_GAUSSIAN_BW: return swiftloss_gaussian_nll_loss_backward_f64(xd, gd, qd, n, 0, 1e-6, r, gd, NULL, g);
        /* the embedding losses: rows of 100; the gradients side by side in one buffer */
        case K_COSINE: return swiftloss_cosine_embedding_loss_f64(xd, qd, sd, n / 100, 100, 0.1, r, o);
        case K_COSINE_BW: return swiftloss_cosine_embedding_loss_backward_f64(xd, qd, sd, n / 100, 100, 0.1, r, gd, g, g + n);
        case K_TRIPLET: return swiftloss_triplet_margin_loss_f64(xd, qd, pd, n / 100, 100, 1.0, 2.0, 1e-6, 1, r, o);
        case K_TRIPLET_BW:
            return swiftloss_triplet_margin_loss_backward_f64(xd, qd, pd, n / 100, 100, 1.0, 3.5, 1e-6, 1, r, gd, g, g + n,
                                                              g + 2 * n);
        /* ctc_loss: 50 frames of 20 classes, n / 1000 samples; targets padded to 10, then the
         * input and target lengths, in t */
        case K_CTC:
            return swiftloss_ctc_loss_f64(xd, 50, n / 1000, 20, t, n / 100, 10, t + n / 100, t + n / 100 + n / 1000, 0, r,
                                          1, o);
        case K_CTC_BW:
            return swiftloss_ctc_loss_backward_f64(xd, 50, n / 1000, 20, t, n / 100, 10, t + n / 100,
                                                   t + n / 100 + n / 1000, 0, r, 0, gd, g);
        /* linear_cross_entropy: n / 1000 rows of 16 features, 100 classes (weight from qd), the
         * gradients of the input and of the weight one after the other in g */
        case K_LCE:
            return swiftloss_linear_cross_entropy_f64(xd, qd, NULL, t, n / 1000, 16, 100, wd, 100, -100, r, 0.1, 0.01,
                                                      4.0, NULL, o, NULL, g, g + n / 1000 * 16, NULL);
        /* vocab_parallel: rows of 100 columns at vocab_start 4 of 107 classes; row maxima from
         * gd, statistics from pd (any values: the steps are checked bit for bit, not for sense) */
        case K_VP_STATS:
            return swiftloss_vocab_parallel_stats_f64(xd, n / 100, 100, 4, 107, t, wd, 107, -100, 0.1, gd, o);
        case K_VP_BW:
            memcpy(g, xd, n * sizeof *g);
            return swiftloss_vocab_parallel_backward_f64(g, n / 100, 100, 4, 107, t, wd, 107, -100, r, 0.1, gd, pd,
                                                          gd + n / 100, g);
        /* vocab_parallel_linear: n / 1000 rows of 16 features, a shard of 100 weight rows (from
         * qd) at vocab_start 4 of 107 classes; local maxima then statistics in o; row maxima from
         * gd, statistics from pd; the gradients of the input and of the weight rows in g */
        case K_VPL_STATS:
            return swiftloss_vocab_parallel_linear_stats_f64(xd, n / 1000, 16, qd, NULL, 100, 4, 107, t, wd, 107, -100,
                                                             0.1, o, o + n / 1000);
        case K_VPL_BW:
            return swiftloss_vocab_parallel_linear_backward_f64(xd, n / 1000, 16, qd, NULL, 100, 4, 107, t, wd, 107,
                                                                -100, r, 0.1, gd, pd, gd + n / 1000, g,
                                                                g + n / 1000 * 16, NULL);
        default: return swiftloss_kl_div_backward_f64(qd, n, 100, r, 1, gd, g);
        }
    } else {
        const float *w = c->weighted ? wf : NULL;
        float *o = (float *)out, *g = (float *)gx;
        switch (c->kind) {
        case K_SOFTMAX: return swiftloss_softmax_f32(xf, b, C, i, o);
        case K_LOG_SOFTMAX: return swiftloss_log_softmax_f32(xf, b, C, i, o);
        case K_SOFTMAX_INPLACE:
            memcpy(o, xf, b * C * i * sizeof *o);
            return swiftloss_softmax_f32(o, b, C, i, o);
        case K_SOFTMAX_BW: return swiftloss_softmax_backward_f32(pf, gf, b, C, i, o);
        case K_LOG_SOFTMAX_BW: return swiftloss_log_softmax_backward_f32(xf, gf, b, C, i, o);
        case K_NLL: return swiftloss_nll_loss_f32(xf, t, b, C, i, w, wl, -100, r, o);
        case K_NLL_BW: return swiftloss_nll_loss_backward_f32(t, b, C, i, w, wl, -100, r, gf, g);
        case K_CE:
        case K_CE_NONE: return swiftloss_cross_entropy_f32(xf, t, b, C, i, w, wl, -100, r, eps, o);
        case K_CE_BW: return swiftloss_cross_entropy_backward_f32(xf, t, b, C, i, w, wl, -100, r, eps, gf, g);
        case K_CE_FUSED: return swiftloss_cross_entropy_fused_f32(xf, t, b, C, i, w, wl, -100, r, eps, NULL, o, g);
        case K_CE_FUSED_INPLACE:
            memcpy(g, xf, b * C * i * sizeof *g);
            return swiftloss_cross_entropy_fused_f32(g, t, b, C, i, w, wl, -100, r, eps, gf, o, g);
        case K_CE_EX:
            return swiftloss_cross_entropy_ex_f32(xf, t, b, C, i, w, wl, -100, r, eps, 1e-3, 7.5, NULL, o, NULL, g);
        case K_CE_PROBS_EX:
            memcpy(g, xf, b * C * i * sizeof *g);
            return swiftloss_cross_entropy_probs_ex_f32(g, qf, b, C, i, w, wl, -100, r, eps, 0.0, 3.0, gf, o, NULL, g);
        case K_CE_PROBS: return swiftloss_cross_entropy_probs_f32(xf, qf, b, C, i, w, wl, -100, r, eps, o);
        case K_CE_PROBS_BW:
            return swiftloss_cross_entropy_probs_backward_f32(xf, qf, b, C, i, w, wl, -100, r, eps, gf, g);
        case K_BCE: return swiftloss_binary_cross_entropy_f32(pf, yf, n, wf, 100, r, o);
        case K_BCE_BW: return swiftloss_binary_cross_entropy_backward_f32(pf, yf, n, wf, 100, r, gf, g);
        case K_BCEL: return swiftloss_binary_cross_entropy_with_logits_f32(xf, yf, n, wf, 100, pwf, 50, r, o);
        case K_BCEL_BW:
            return swiftloss_binary_cross_entropy_with_logits_backward_f32(xf, yf, n, wf, 100, pwf, 50, r, gf, g);
        case K_KL: return swiftloss_kl_div_f32(xf, qf, n, 100, r, 0, o);
        case K_MSE: return swiftloss_mse_loss_f32(xf, yf, n, pf, n, r, o);
        case K_MSE_BW: return swiftloss_mse_loss_backward_f32(xf, yf, n, pf, n, r, gf, g);
        case K_HUBER: return swiftloss_huber_loss_f32(xf, yf, n, pf, n, 0.5, r, o);
        case K_SL1_BW: return swiftloss_smooth_l1_loss_backward_f32(xf, yf, n, 0.25, r, gf, g);
        case K_SOFT: return swiftloss_soft_margin_loss_f32(xf, yf, n, r, o);
        case K_SOFT_BW: return swiftloss_soft_margin_loss_backward_f32(xf, yf, n, r, gf, g);
        case K_POISSON: return swiftloss_poisson_nll_loss_f32(xf, yf, n, 1, 1, 1e-8, r, o);
        case K_POISSON_BW: return swiftloss_poisson_nll_loss_backward_f32(pf, yf, n, 0, 0, 1e-8, r, gf, g);
        case K_MULTILABEL: return swiftloss_multilabel_soft_margin_loss_f32(xf, qf, n / 100, 100, wf, 100, r, o);
        case K_MULTILABEL_BW:
            return swiftloss_multilabel_soft_margin_loss_backward_f32(xf, qf, n / 100, 100, NULL, 0, r, gf, g);
        case K_MARGIN_RANKING: return swiftloss_margin_ranking_loss_f32(xf, qf, gf, n, 0.1, r, o);
        case K_MARGIN_RANKING_BW: return swiftloss_margin_ranking_loss_backward_f32(xf, qf, gf, n, 0.1, r, gf, g, NULL);
        case K_MULTI_MARGIN: return swiftloss_multi_margin_loss_f32(xf, t, n / 100, 100, 2, 0.5, wf, 100, r, o);
        case K_MULTI_MARGIN_BW:
            memcpy(g, xf, n * sizeof *g);
            return swiftloss_multi_margin_loss_backward_f32(g, t, n / 100, 100, 1, 1.0, NULL, 0, r, gf, g);
        case K_LABEL_MARGIN: return swiftloss_multilabel_margin_loss_f32(xf, t, n / 100, 100, r, o);
        case K_LABEL_MARGIN_BW: return swiftloss_multilabel_margin_loss_backward_f32(xf, t, n / 100, 100, r, gf, g);
        case K_GAUSSIAN: return swiftloss_gaussian_nll_loss_f32(xf, gf, qf, n, 1, 1e-6, r, o);
        case K_GAUSSIAN_BW: return swiftloss_gaussian_nll_loss_backward_f32(xf, gf, qf, n, 0, 1e-6, r, gf, NULL, g);
        case K_COSINE: return swiftloss_cosine_embedding_loss_f32(xf, qf, sf, n / 100, 100, 0.1, r, o);
        case K_COSINE_BW: return swiftloss_cosine_embedding_loss_backward_f32(xf, qf, sf, n / 100, 100, 0.1, r, gf, g, g + n);
        case K_TRIPLET: return swiftloss_triplet_margin_loss_f32(xf, qf, pf, n / 100, 100, 1.0, 2.0, 1e-6, 1, r, o);
        case K_TRIPLET_BW:
            return swiftloss_triplet_margin_loss_backward_f32(xf, qf, pf, n / 100, 100, 1.0, 3.5, 1e-6, 1, r, gf, g, g + n,
                                                              g + 2 * n);
        case K_CTC:
            return swiftloss_ctc_loss_f32(xf, 50, n / 1000, 20, t, n / 100, 10, t + n / 100, t + n / 100 + n / 1000, 0, r,
                                          1, o);
        case K_CTC_BW:
            return swiftloss_ctc_loss_backward_f32(xf, 50, n / 1000, 20, t, n / 100, 10, t + n / 100,
                                                   t + n / 100 + n / 1000, 0, r, 0, gf, g);
        case K_LCE:
            return swiftloss_linear_cross_entropy_f32(xf, qf, NULL, t, n / 1000, 16, 100, wf, 100, -100, r, 0.1, 0.01,
                                                      4.0, NULL, o, NULL, g, g + n / 1000 * 16, NULL);
        /* vocab_parallel: rows of 100 columns at vocab_start 4 of 107 classes; row maxima from
         * gf, statistics from pf (any values: the steps are checked bit for bit, not for sense) */
        case K_VP_STATS:
            return swiftloss_vocab_parallel_stats_f32(xf, n / 100, 100, 4, 107, t, wf, 107, -100, 0.1, gf, o);
        case K_VP_BW:
            memcpy(g, xf, n * sizeof *g);
            return swiftloss_vocab_parallel_backward_f32(g, n / 100, 100, 4, 107, t, wf, 107, -100, r, 0.1, gf, pf,
                                                          gf + n / 100, g);
        case K_VPL_STATS:
            return swiftloss_vocab_parallel_linear_stats_f32(xf, n / 1000, 16, qf, NULL, 100, 4, 107, t, wf, 107, -100,
                                                             0.1, o, o + n / 1000);
        case K_VPL_BW:
            return swiftloss_vocab_parallel_linear_backward_f32(xf, n / 1000, 16, qf, NULL, 100, 4, 107, t, wf, 107,
                                                                -100, r, 0.1, gf, pf, gf + n / 1000, g,
                                                                g + n / 1000 * 16, NULL);
        default: return swiftloss_kl_div_backward_f32(qf, n, 100, r, 1, gf, g);
        }
    }
}

static void add_case(int kind, int f64, const char *size, size_t b, size_t C, size_t i, size_t n)
{
    if (ncases >= MAXCASES) {
        fprintf(stderr, "stress: more than MAXCASES (%d) cases\n", MAXCASES);
        exit(2);
    }
    Case *c = &cases[ncases];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->f64 = f64;
    c->size = size;
    c->batch = b;
    c->classes = C;
    c->inner = i;
    c->count = n;
    c->reduction = SWIFTLOSS_REDUCTION_MEAN;
    size_t total = b * C * i, samples = b * i;
    switch (kind) {
    case K_SOFTMAX: case K_LOG_SOFTMAX: case K_SOFTMAX_INPLACE: case K_SOFTMAX_BW: case K_LOG_SOFTMAX_BW:
        c->out_n = total;
        break;
    case K_NLL: c->weighted = 1; c->out_n = 1; break;
    case K_NLL_BW: c->weighted = 1; c->reduction = SWIFTLOSS_REDUCTION_SUM; c->gx_n = total; break;
    case K_CE: c->weighted = 1; c->smoothing = 0.1; c->out_n = 1; break;
    case K_CE_NONE: c->reduction = SWIFTLOSS_REDUCTION_NONE; c->smoothing = 0.2; c->out_n = samples; break;
    case K_CE_BW: c->weighted = 1; c->smoothing = 0.1; c->gx_n = total; break;
    case K_CE_FUSED: c->smoothing = 0.05; c->out_n = 1; c->gx_n = total; break;
    case K_CE_FUSED_INPLACE:
        c->weighted = 1; c->reduction = SWIFTLOSS_REDUCTION_NONE; c->out_n = samples; c->gx_n = total;
        break;
    case K_CE_PROBS: c->weighted = 1; c->smoothing = 0.1; c->out_n = 1; break;
    case K_CE_PROBS_BW: c->gx_n = total; break;
    case K_CE_EX: c->weighted = 1; c->smoothing = 0.1; c->out_n = 1; c->gx_n = total; break;
    case K_CE_PROBS_EX: c->reduction = SWIFTLOSS_REDUCTION_NONE; c->out_n = samples; c->gx_n = total; break;
    case K_BCE: case K_BCEL: c->out_n = 1; break;
    case K_MSE: case K_HUBER: case K_SOFT: case K_POISSON: case K_MULTILABEL: case K_LABEL_MARGIN:
    case K_MARGIN_RANKING: case K_GAUSSIAN:
        c->out_n = 1;  /* 'mean' */
        break;
    case K_MULTI_MARGIN: c->reduction = SWIFTLOSS_REDUCTION_NONE; c->out_n = n / 100; break;
    case K_KL: c->reduction = SWIFTLOSS_REDUCTION_BATCHMEAN; c->out_n = 1; break;
    case K_COSINE: c->reduction = SWIFTLOSS_REDUCTION_NONE; c->out_n = n / 100; break;
    case K_TRIPLET: c->out_n = 1; break;  /* 'mean' */
    case K_CTC: c->reduction = SWIFTLOSS_REDUCTION_NONE; c->out_n = n / 1000; break;
    case K_CTC_BW: c->gx_n = n; break;  /* 'mean' */
    case K_LCE: c->out_n = 1; c->gx_n = n / 1000 * 16 + 1600; break;  /* 'mean' */
    case K_VP_STATS: c->out_n = 3 * (n / 100); break;
    case K_VP_BW: c->gx_n = n; break;  /* 'mean' */
    case K_VPL_STATS: c->out_n = 4 * (n / 1000); break;
    case K_VPL_BW: c->gx_n = n / 1000 * 16 + 1600; break;  /* 'mean' */
    case K_COSINE_BW: case K_TRIPLET_BW:  /* 'none': one upstream gradient per row */
        c->reduction = SWIFTLOSS_REDUCTION_NONE;
        c->gx_n = (kind == K_COSINE_BW ? 2 : 3) * n;
        break;
    default: /* element-wise backward */
        c->reduction = SWIFTLOSS_REDUCTION_NONE;
        c->gx_n = n;
        break;
    }
    if (kind == K_BCE || kind == K_BCEL) c->reduction = SWIFTLOSS_REDUCTION_SUM;
    targets_for[ncases] = NULL;
    if (samples && kind >= K_NLL && kind <= K_CE_EX) {
        int64_t *t = (int64_t *)malloc(samples * sizeof *t);
        for (size_t k = 0; k < samples; k++) t[k] = tg[k] < 0 ? -100 : tg[k] % (int64_t)C;
        targets_for[ncases] = t;
    }
    if (kind >= K_MULTI_MARGIN && kind <= K_LABEL_MARGIN_BW) {
        /* class indices of n / 100 rows, or label lists of n entries: up to 5-8 classes, -1,
         * then any entry in [-1, 100) */
        int labels = kind >= K_LABEL_MARGIN;
        size_t m = labels ? n : n / 100;
        int64_t *t = (int64_t *)malloc((m ? m : 1) * sizeof *t);
        for (size_t k = 0; k < m; k++) {
            int64_t v = tg[k] < 0 ? -1 : tg[k] % 100;
            t[k] = labels ? ((int64_t)(k % 100) == 5 + (tg[k] & 3) ? -1 : v) : (v < 0 ? 0 : v);
        }
        targets_for[ncases] = t;
    }
    if (kind == K_LCE) {
        size_t m = n / 1000;
        int64_t *t = (int64_t *)malloc((m + 1) * sizeof *t);
        for (size_t k = 0; k < m; k++) t[k] = tg[k] < 0 ? -100 : tg[k] % 100;
        targets_for[ncases] = t;
    }
    if (kind == K_VPL_STATS || kind == K_VPL_BW) {
        size_t m = n / 1000;
        int64_t *t = (int64_t *)malloc((m + 1) * sizeof *t);
        for (size_t k = 0; k < m; k++) t[k] = tg[k] < 0 ? -100 : tg[k] % 107;
        targets_for[ncases] = t;
    }
    if (kind == K_VP_STATS || kind == K_VP_BW) {
        size_t m = n / 100;
        int64_t *t = (int64_t *)malloc((m ? m : 1) * sizeof *t);
        for (size_t k = 0; k < m; k++) t[k] = tg[k] < 0 ? -100 : tg[k] % 107;
        targets_for[ncases] = t;
    }
    if (kind == K_CTC || kind == K_CTC_BW) {
        /* labels in [1, 20), input lengths 30-50, target lengths 0-10 (some alignments impossible) */
        size_t m = n / 1000;
        int64_t *t = (int64_t *)malloc((12 * m + 1) * sizeof *t);
        for (size_t k = 0; k < 10 * m; k++) t[k] = 1 + (tg[k] < 0 ? 5 : tg[k] % 19);
        for (size_t k = 0; k < m; k++) {
            t[10 * m + k] = 30 + (tg[k + 7] < 0 ? 20 : tg[k + 7] % 21);
            t[11 * m + k] = tg[k + 3] < 0 ? 0 : tg[k + 3] % 11;
        }
        targets_for[ncases] = t;
    }
    ncases++;
}

static void setup_cases(int small_only)
{
    for (int f64 = 0; f64 <= 1; f64++) {
        for (int kind = 0; kind < NKINDS; kind++) {
            int elementwise = kind >= K_BCE;
            /* small: rows (inner 1) and the (N, C, d) layout alternate by kind */
            if (elementwise) add_case(kind, f64, "small", 0, 0, 0, 3000);
            else if (kind % 2) add_case(kind, f64, "small", 24, 37, 1, 0);
            else add_case(kind, f64, "small", 6, 11, 21, 0);
            if (small_only) continue;
            /* large: >= 2^18 elements of work */
            if (elementwise) add_case(kind, f64, "large", 0, 0, 0, 300000);
            else if (kind % 2) add_case(kind, f64, "large", 600, 500, 1, 0);
            else add_case(kind, f64, "large", 64, 16, 300, 0);
            /* rows longer than 64K elements */
            if (!elementwise) add_case(kind, f64, "long rows", 4, 70001, 1, 0);
        }
    }
}

static size_t esize(const Case *c) { return c->f64 ? 8 : 4; }

/* ---- workers ---- */

static int g_rounds = 3;
static atomic_int g_stop;
static unsigned long long g_calls_total, g_mismatches, g_set_calls;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct { int id; unsigned long long calls, mismatches; } Worker;

static void *worker(void *arg)
{
    Worker *wk = (Worker *)arg;
    size_t maxo = 1, maxg = 1;
    for (int k = 0; k < ncases; k++) {
        if (cases[k].out_n * esize(&cases[k]) > maxo) maxo = cases[k].out_n * esize(&cases[k]);
        if (cases[k].gx_n * esize(&cases[k]) > maxg) maxg = cases[k].gx_n * esize(&cases[k]);
    }
    unsigned char *out = (unsigned char *)malloc(maxo), *gx = (unsigned char *)malloc(maxg);
    unsigned seed = 12345u + 977u * (unsigned)wk->id;
    for (int r = 0; r < g_rounds; r++) {
        for (int step = 0; step < ncases; step++) {
            seed = seed * 1103515245u + 12345u;
            int k = (int)((seed >> 8) % (unsigned)ncases);  /* a different order per worker */
            const Case *c = &cases[k];
            memset(out, 0xA5, maxo);
            memset(gx, 0xA5, maxg);
            int st = run_case(k, out, gx);
            wk->calls++;
            int bad = st != SWIFTLOSS_OK ||
                      memcmp(out, c->ref_out, c->out_n * esize(c)) != 0 ||
                      memcmp(gx, c->ref_gx, c->gx_n * esize(c)) != 0;
            if (bad) {
                wk->mismatches++;
                pthread_mutex_lock(&g_lock);
                fprintf(stderr, "MISMATCH: worker %d, %s %s (%s): status %d\n", wk->id, names[c->kind],
                        c->f64 ? "f64" : "f32", c->size, st);
                pthread_mutex_unlock(&g_lock);
            }
        }
    }
    free(out);
    free(gx);
    return NULL;
}

static void *thread_count_changer(void *arg)
{
    (void)arg;
    static const int counts[8] = {0, 1, 2, 3, 4, 7, 8, 16};
    unsigned long long n = 0;
    struct timespec ts = {0, 200000};  /* 0.2 ms */
    while (!atomic_load(&g_stop)) {
        swiftloss_set_num_threads(counts[n % 8]);
        if (swiftloss_get_num_threads() < 1) {
            fprintf(stderr, "get_num_threads < 1\n");
            exit(1);
        }
        n++;
        nanosleep(&ts, NULL);
    }
    g_set_calls = n;
    return NULL;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int workers = argc > 1 ? atoi(argv[1]) : 8;
    g_rounds = argc > 2 ? atoi(argv[2]) : 3;
    int small_only = argc > 3 ? atoi(argv[3]) : 0;
    if (workers < 1 || workers > 256 || g_rounds < 1) {
        fprintf(stderr, "usage: %s [workers] [rounds] [small-only]\n", argv[0]);
        return 2;
    }
    setup_inputs();
    setup_cases(small_only);

    /* The single-threaded reference. */
    double t0 = now();
    swiftloss_set_num_threads(1);
    for (int k = 0; k < ncases; k++) {
        Case *c = &cases[k];
        c->ref_out = (unsigned char *)calloc(c->out_n * esize(c) + 1, 1);
        c->ref_gx = (unsigned char *)calloc(c->gx_n * esize(c) + 1, 1);
        int st = run_case(k, c->ref_out, c->ref_gx);
        if (st != SWIFTLOSS_OK) {
            fprintf(stderr, "reference %s %s (%s): status %d\n", names[c->kind], c->f64 ? "f64" : "f32", c->size, st);
            return 1;
        }
    }
    /* The default thread count (the library's own threads) must give the same bytes. */
    swiftloss_set_num_threads(0);
    int nlarge = 0;
    for (int k = 0; k < ncases; k++) nlarge += strcmp(cases[k].size, "small") != 0;
    printf("stress: %d cases (every entry point and in place variants; small, large and long-row sizes; %d above the threading threshold), "
           "reference in %.2fs, library default %d threads\n",
           ncases, nlarge, now() - t0, swiftloss_get_num_threads());

    pthread_t changer;
    pthread_t *tids = (pthread_t *)calloc((size_t)workers, sizeof *tids);
    Worker *wks = (Worker *)calloc((size_t)workers, sizeof *wks);
    t0 = now();
    pthread_create(&changer, NULL, thread_count_changer, NULL);
    for (int k = 0; k < workers; k++) {
        wks[k].id = k;
        pthread_create(&tids[k], NULL, worker, &wks[k]);
    }
    for (int k = 0; k < workers; k++) {
        pthread_join(tids[k], NULL);
        g_calls_total += wks[k].calls;
        g_mismatches += wks[k].mismatches;
    }
    atomic_store(&g_stop, 1);
    pthread_join(changer, NULL);
    swiftloss_set_num_threads(0);
    double dt = now() - t0;
    printf("stress: %d threads x %llu calls = %llu calls in %.2fs (%d rounds of %d cases each), "
           "%llu set_num_threads calls meanwhile, %llu mismatches\n",
           workers, g_calls_total / (unsigned long long)workers, g_calls_total, dt, g_rounds, ncases, g_set_calls,
           g_mismatches);
    free(tids);
    free(wks);
    return g_mismatches ? 1 : 0;
}
