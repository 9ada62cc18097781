/*
 * swiftloss.h — PyTorch's loss functions from a small native library.
 *
 * swiftloss computes softmax, log_softmax, nll_loss, cross_entropy (class-index and
 * probability targets, class weights, ignore_index, label smoothing), binary_cross_entropy,
 * binary_cross_entropy_with_logits, kl_div, mse_loss, l1_loss, smooth_l1_loss, huber_loss,
 * soft_margin_loss, hinge_embedding_loss, poisson_nll_loss, multilabel_soft_margin_loss,
 * multi_margin_loss, multilabel_margin_loss, margin_ranking_loss, gaussian_nll_loss,
 * cosine_embedding_loss, triplet_margin_loss, linear_cross_entropy and ctc_loss with the
 * semantics of PyTorch 2.15's torch.nn.functional, in float32 (suffix _f32) and float64 (suffix
 * _f64); cross_entropy with z-loss and logit softcapping; a matrix product (gemm); and the
 * shard-local steps of cross_entropy and of linear_cross_entropy over a vocabulary split across
 * processes (tensor parallelism).
 *
 * Ownership:  the caller allocates every buffer; the library never allocates memory it hands
 *             back and never keeps a pointer after a call returns. Its only global state is
 *             the thread count below and its pool of worker threads.
 * Threading:  every function is reentrant; concurrent calls are safe as long as their output
 *             buffers do not overlap each other or another call's inputs. A call on a large
 *             input (about 128K elements, fewer for losses with an exp or a log per element)
 *             splits its work into chunks fixed by the sizes and runs them on the calling
 *             thread and a pool of worker threads, so results are bitwise identical whatever
 *             the thread count. The workers are started on first need; after a call each
 *             keeps polling for the next one for at most 100 microseconds, then sleeps on a
 *             condition variable until a call needs it (idle, they use no CPU). They live
 *             as long as the process (the library is linked -z nodelete: dlclose() keeps it
 *             mapped). One call uses the pool at a time: a call made while another thread's
 *             call holds it runs on its own thread. After fork() the child starts a pool of
 *             its own when it first needs one. Workers block every signal.
 * CPU:        on x86-64 the first call picks an AVX2 build of the kernels when the CPU and OS
 *             support it, else the baseline build. The AVX2 build uses fused multiply-adds,
 *             so the two agree to a few ULP, not bit for bit. On CPUs with AVX-512 (F, CD,
 *             DQ, BW, VL: Skylake-SP, Zen 4 and later) the AVX2 build's GEMM runs AVX-512
 *             kernels, which give the same bits. The environment variable SWIFTLOSS_ISA
 *             (read once) asks for less: "baseline" forces the baseline build, "avx2" the
 *             AVX2 build without the AVX-512 GEMM. swiftloss_kernels_string() names the pick.
 * Errors:     every function validates all of its arguments before it writes anything. On any
 *             status other than SWIFTLOSS_OK the output buffer is left untouched.
 * Pointers:   a pointer may be NULL only when the buffer it points to holds zero elements, or
 *             where a function says otherwise (the gradient buffers of the losses of several
 *             learned inputs: NULL skips that gradient).
 * Sizes:      counts are element counts, not bytes. A shape whose element count (or byte count)
 *             does not fit in a ptrdiff_t is rejected with SWIFTLOSS_SIZE_OVERFLOW; the sizes
 *             are multiplied left to right, so (2^62, 10, 0) is rejected too, although it
 *             holds no element.
 * Aliasing:   an output must share no byte with any input (weights and targets included) or
 *             with another output, except for these exact aliases (the same pointer for
 *             buffers of the same length, i.e. an in-place call):
 *               softmax, log_softmax:                     output == input
 *               softmax_backward, log_softmax_backward:   grad_input == output or grad_output
 *               cross_entropy_backward, cross_entropy_fused (grad_input; never output),
 *               cross_entropy_probs_backward, multi_margin_loss_backward:
 *                                                         grad_input == input
 *               vocab_parallel_backward:                  grad_logits == logits
 *               binary_cross_entropy_backward, binary_cross_entropy_with_logits_backward,
 *               kl_div_backward, and the regression losses' _backward functions:
 *                                                         grad_input == grad_output
 *             The losses of several learned inputs allow no alias.
 *             Any other overlap, partial ones included, is rejected with
 *             SWIFTLOSS_ERROR_OVERLAP before anything is written. Inputs may overlap each
 *             other freely. Empty buffers overlap nothing.
 *
 * Layout of the class-axis functions.  PyTorch's input shapes (C,), (N, C) and
 * (N, C, d1, ..., dk) are all one memory layout, [batch][classes][inner], row-major:
 *     input(n, c, i) = input[(n * classes + c) * inner + i]
 * with batch = N, classes = C and inner = d1 * ... * dk (inner = 1 for (N, C); batch = 1 and
 * inner = 1 for an unbatched (C,) input). Class-index targets and 'none' outputs have
 * batch * inner elements, target(n, i) = target[n * inner + i].
 * softmax and log_softmax use the same layout for any dimension: outer = product of the sizes
 * before `dim`, dim = size of `dim`, inner = product of the sizes after it.
 */
#ifndef SWIFTLOSS_H
#define SWIFTLOSS_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) && !defined(SWIFTLOSS_STATIC)
#  define SWIFTLOSS_API __declspec(dllimport)
#elif defined(__GNUC__) || defined(__clang__)
#  define SWIFTLOSS_API __attribute__((visibility("default")))
#else
#  define SWIFTLOSS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ==========================================================================================
 * Version
 * ========================================================================================== */

#define SWIFTLOSS_VERSION_MAJOR 0
#define SWIFTLOSS_VERSION_MINOR 1
#define SWIFTLOSS_VERSION_PATCH 0
#define SWIFTLOSS_VERSION_NUMBER \
    (SWIFTLOSS_VERSION_MAJOR * 10000 + SWIFTLOSS_VERSION_MINOR * 100 + SWIFTLOSS_VERSION_PATCH)
#define SWIFTLOSS_VERSION_STRING "0.1.0"

/* The library's SWIFTLOSS_VERSION_NUMBER. Compare it with the header's to check that the
 * library loaded at run time is the one compiled against. */
SWIFTLOSS_API unsigned swiftloss_version_number(void);

/* The library's SWIFTLOSS_VERSION_STRING, e.g. "0.1.0". Static storage; never NULL. */
SWIFTLOSS_API const char *swiftloss_version_string(void);

/* The build of the kernels the calls run (picked at the first call; see CPU above):
 * "baseline", "avx2", or "avx2+avx512-gemm" (the AVX2 build, whose GEMM - swiftloss_gemm_*,
 * swiftloss_linear_cross_entropy_* - runs AVX-512 kernels). Static storage; never NULL. */
SWIFTLOSS_API const char *swiftloss_kernels_string(void);

/* ==========================================================================================
 * Status
 * Every computing function returns one of these. The numbers never change once published.
 * ========================================================================================== */

typedef enum swiftloss_status {
    SWIFTLOSS_OK = 0,
    /* A pointer is NULL while its buffer holds one or more elements. */
    SWIFTLOSS_ERROR_NULL_POINTER = 1,
    /* An element count or byte count does not fit in a ptrdiff_t. */
    SWIFTLOSS_ERROR_SIZE_OVERFLOW = 2,
    /* A class-axis loss was given classes == 0. */
    SWIFTLOSS_ERROR_ZERO_CLASSES = 3,
    /* A class-index target is < 0 or >= classes and is not ignore_index (multilabel_margin_loss:
     * a target entry outside [-1, classes)). */
    SWIFTLOSS_ERROR_TARGET_OUT_OF_BOUNDS = 4,
    /* weight or pos_weight has the wrong number of elements. */
    SWIFTLOSS_ERROR_WEIGHT_SIZE = 5,
    /* reduction is not one of swiftloss_reduction, or is BATCHMEAN outside kl_div. */
    SWIFTLOSS_ERROR_INVALID_REDUCTION = 6,
    /* label_smoothing is greater than 1 (or NaN). */
    SWIFTLOSS_ERROR_INVALID_LABEL_SMOOTHING = 7,
    /* binary_cross_entropy: an input element is outside [0, 1] (NaN included). */
    SWIFTLOSS_ERROR_INPUT_OUT_OF_RANGE = 8,
    /* binary_cross_entropy: a target element is outside [0, 1] (NaN included). */
    SWIFTLOSS_ERROR_TARGET_OUT_OF_RANGE = 9,
    /* cross_entropy with probability targets was given an ignore_index >= 0. */
    SWIFTLOSS_ERROR_IGNORE_INDEX_UNSUPPORTED = 10,
    /* Any other bad argument: a flag other than 0 or 1, a batch size that does not divide
     * the element count, multi_margin_loss's p other than 1 or 2. */
    SWIFTLOSS_ERROR_INVALID_ARGUMENT = 11,
    /* An output buffer shares memory with an input or with another output, other than the
     * exact in-place aliases a function allows (see Aliasing above). Added in 0.2.0. */
    SWIFTLOSS_ERROR_OVERLAP = 12
} swiftloss_status;

/* A short English description of a status, e.g. "target out of bounds". Static storage;
 * never NULL, never to be freed. Unknown values give "unknown status". */
SWIFTLOSS_API const char *swiftloss_status_string(int status);

/* ==========================================================================================
 * Threads
 * ========================================================================================== */

/* Sets the number of threads a large call may use: 1 keeps every call on the calling thread;
 * 0 restores the default, which is the environment variable SWIFTLOSS_NUM_THREADS (read once,
 * when the library first needs it) or else the number of online processors (at most 64).
 * Negative values count as 0, values above 256 as 256. Safe to call at any time, from any
 * thread; calls already running keep the count they started with. */
SWIFTLOSS_API void swiftloss_set_num_threads(int n);

/* The number of threads a large call uses now (at least 1). */
SWIFTLOSS_API int swiftloss_get_num_threads(void);

/* ==========================================================================================
 * Reduction
 * ========================================================================================== */

typedef enum swiftloss_reduction {
    SWIFTLOSS_REDUCTION_NONE = 0,      /* one loss per element or sample                  */
    SWIFTLOSS_REDUCTION_SUM = 1,       /* the sum of those                                 */
    SWIFTLOSS_REDUCTION_MEAN = 2,      /* the mean; each function says what it divides by  */
    SWIFTLOSS_REDUCTION_BATCHMEAN = 3  /* kl_div only: the sum divided by the batch size    */
} swiftloss_reduction;

/* ==========================================================================================
 * Softmax
 * softmax(x)     = exp(x - M) / sum(exp(x - M))        M = max along dim
 * log_softmax(x) = x - M - log(sum(exp(x - M)))
 * A slice that is all -inf gives NaN; a slice containing +inf or NaN gives NaN; -inf entries
 * of an otherwise finite slice give 0 (softmax) and -inf (log_softmax), as PyTorch.
 *
 * input, output: outer * dim * inner elements each. output may be the same pointer as input
 * (in place); no other overlap is allowed. Any of the three sizes may be zero.
 * Returns SWIFTLOSS_OK, _NULL_POINTER or _SIZE_OVERFLOW.
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_softmax_f32(
    const float *input, size_t outer, size_t dim, size_t inner, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_softmax_f64(
    const double *input, size_t outer, size_t dim, size_t inner, double *output);

SWIFTLOSS_API swiftloss_status swiftloss_log_softmax_f32(
    const float *input, size_t outer, size_t dim, size_t inner, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_log_softmax_f64(
    const double *input, size_t outer, size_t dim, size_t inner, double *output);

/* ==========================================================================================
 * Losses with class-index targets
 *
 * Shapes (see Layout above):
 *   input   batch * classes * inner elements (log-probabilities for nll_loss, logits for
 *           cross_entropy)
 *   target  batch * inner int64 class indices
 *   weight  NULL with weight_len 0 (every class weighs 1), or weight_len == classes elements
 *   output  batch * inner elements for SWIFTLOSS_REDUCTION_NONE, else 1 element
 *
 * A target equal to ignore_index (any int64; -100 is PyTorch's default) contributes 0 and is
 * not counted; ignore_index is checked before the bounds. Every other target must be in
 * [0, classes). 'mean' divides the weighted sum by the sum of weight[target] over the
 * non-ignored targets; when that is 0 (all ignored, an empty batch, zero weights) the mean is
 * NaN, as PyTorch's. Negative weights are allowed, as in PyTorch.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW (also when batch * classes, the full
 * logits' element or byte count, does not fit a ptrdiff_t, though no rank holds them),
 * _ZERO_CLASSES, _WEIGHT_SIZE, _INVALID_REDUCTION (NONE, SUM and MEAN are valid), _TARGET_OUT_OF_BOUNDS, and for
 * cross_entropy also _INVALID_LABEL_SMOOTHING.
 * ========================================================================================== */

/* nll_loss: loss(n, i) = -weight[t] * input(n, t, i), t = target(n, i).
 * input is taken as log-probabilities and not checked: given probabilities it returns -p[t]. */
SWIFTLOSS_API swiftloss_status swiftloss_nll_loss_f32(
    const float *input, const int64_t *target, size_t batch, size_t classes, size_t inner,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    float *output);
SWIFTLOSS_API swiftloss_status swiftloss_nll_loss_f64(
    const double *input, const int64_t *target, size_t batch, size_t classes, size_t inner,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double *output);

/* cross_entropy: nll_loss(log_softmax(input over classes)) with label smoothing eps:
 *   loss = (1 - eps) * nll + (eps / classes) * smooth,
 *   smooth(n, i) = -sum_c weight[c] * log_softmax(input)(n, c, i)  (0 for ignored targets),
 * both reduced alike ('mean' divides both by the sum of weight[target]).
 * label_smoothing must be <= 1; a negative value behaves as 0 (as PyTorch 2.15). */
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_f32(
    const float *input, const int64_t *target, size_t batch, size_t classes, size_t inner,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_f64(
    const double *input, const int64_t *target, size_t batch, size_t classes, size_t inner,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, double *output);

/* ==========================================================================================
 * cross_entropy with probability targets (target has the input's shape)
 *   q' = (1 - eps) * q + eps / classes,   loss(n, i) = -sum_c weight[c] * q'(n, c, i) * lsm(n, c, i)
 * where lsm = log_softmax(input) over classes. q is not validated.
 *   input, target  batch * classes * inner elements each
 *   weight         NULL with weight_len 0, or weight_len == classes elements
 *   output         batch * inner elements for NONE, else 1 element
 * 'mean' divides by batch * inner (not by the weights). PyTorch does not support ignore_index
 * here: any ignore_index >= 0 gives _IGNORE_INDEX_UNSUPPORTED (pass -100).
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW, _ZERO_CLASSES, _WEIGHT_SIZE,
 * _INVALID_REDUCTION, _INVALID_LABEL_SMOOTHING, _IGNORE_INDEX_UNSUPPORTED.
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_probs_f32(
    const float *input, const float *target, size_t batch, size_t classes, size_t inner,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_probs_f64(
    const double *input, const double *target, size_t batch, size_t classes, size_t inner,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, double *output);

/* ==========================================================================================
 * Element-wise losses
 *   input, target  count elements each
 *   weight         NULL with weight_len 0, or weight_len elements where weight_len divides
 *                  count: element k uses weight[k % weight_len]. That is PyTorch's broadcast
 *                  of a weight whose shape is a trailing part of the input's shape ((C,) on
 *                  (N, C)); weight_len == count is a full weight. Same for pos_weight.
 *   output         count elements for NONE, else 1 element
 * 'mean' divides by count (an empty input gives NaN).
 * ========================================================================================== */

/* binary_cross_entropy: input are probabilities.
 *   loss = -w * (t * max(log x, -100) + (1 - t) * max(log(1 - x), -100))
 * Every input and target element must be in [0, 1].
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW, _WEIGHT_SIZE, _INVALID_REDUCTION,
 * _INPUT_OUT_OF_RANGE, _TARGET_OUT_OF_RANGE. */
SWIFTLOSS_API swiftloss_status swiftloss_binary_cross_entropy_f32(
    const float *input, const float *target, size_t count,
    const float *weight, size_t weight_len, int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_binary_cross_entropy_f64(
    const double *input, const double *target, size_t count,
    const double *weight, size_t weight_len, int reduction, double *output);

/* binary_cross_entropy_with_logits: input are logits; stable for any |x|.
 *   loss = w * (pw * t * softplus(-x) + (1 - t) * softplus(x))
 * The target range is not checked (as PyTorch).
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW, _WEIGHT_SIZE, _INVALID_REDUCTION. */
SWIFTLOSS_API swiftloss_status swiftloss_binary_cross_entropy_with_logits_f32(
    const float *input, const float *target, size_t count,
    const float *weight, size_t weight_len, const float *pos_weight, size_t pos_weight_len,
    int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_binary_cross_entropy_with_logits_f64(
    const double *input, const double *target, size_t count,
    const double *weight, size_t weight_len, const double *pos_weight, size_t pos_weight_len,
    int reduction, double *output);

/* kl_div: input is log q.
 *   log_target == 0: loss = xlogy(t, t) - t * input     (0 * log 0 = 0)
 *   log_target == 1: loss = exp(t) * (t - input)
 * 'mean' divides by count; SWIFTLOSS_REDUCTION_BATCHMEAN divides the sum by batch (the size
 * of the input's first dimension; it must divide count and may be 0 only when count is 0).
 * batch is read only for BATCHMEAN.
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW, _INVALID_REDUCTION,
 * _INVALID_ARGUMENT (log_target not 0 or 1; a bad batch). */
SWIFTLOSS_API swiftloss_status swiftloss_kl_div_f32(
    const float *input, const float *target, size_t count, size_t batch,
    int reduction, int log_target, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_kl_div_f64(
    const double *input, const double *target, size_t count, size_t batch,
    int reduction, int log_target, double *output);

/* ==========================================================================================
 * Gradients
 *
 * Each *_backward_* function writes the gradient of its loss (or of softmax / log_softmax)
 * with respect to the input, given the upstream gradient grad_output:
 *   grad_input = d(sum(output * grad_output)) / d(input)
 * where grad_output has the size of the forward call's output: one element per sample (or
 * element) for SWIFTLOSS_REDUCTION_NONE, else 1 element. grad_input has the size of the
 * forward call's input and every element of it is written. The arguments shared with the
 * forward call are checked exactly as there, with the same statuses; on error nothing is
 * written. The formulas are PyTorch's (torch.autograd gives the same numbers).
 * ========================================================================================== */

/* softmax:     grad_input = y * (g - sum(g * y))  per slice, y = softmax output.
 * log_softmax: grad_input = g - exp(y) * sum(g)   per slice, y = log_softmax output.
 * output, grad_output, grad_input: outer * dim * inner elements each. grad_input may be the
 * same pointer as output or grad_output. */
SWIFTLOSS_API swiftloss_status swiftloss_softmax_backward_f32(
    const float *output, const float *grad_output, size_t outer, size_t dim, size_t inner,
    float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_softmax_backward_f64(
    const double *output, const double *grad_output, size_t outer, size_t dim, size_t inner,
    double *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_log_softmax_backward_f32(
    const float *output, const float *grad_output, size_t outer, size_t dim, size_t inner,
    float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_log_softmax_backward_f64(
    const double *output, const double *grad_output, size_t outer, size_t dim, size_t inner,
    double *grad_input);

/* nll_loss: grad_input(n, t, i) = -weight[t] * s at each counted sample's target t and 0
 * elsewhere; s = grad_output(n, i) for NONE, grad_output[0] for SUM, grad_output[0] divided
 * by the summed weight of the counted targets for MEAN (0 when that sum is 0: every target
 * ignored gives a zero gradient). The input's values are not needed, only its shape.
 * grad_input: batch * classes * inner elements. */
SWIFTLOSS_API swiftloss_status swiftloss_nll_loss_backward_f32(
    const int64_t *target, size_t batch, size_t classes, size_t inner,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_nll_loss_backward_f64(
    const int64_t *target, size_t batch, size_t classes, size_t inner,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    const double *grad_output, double *grad_input);

/* cross_entropy (class-index targets), with p = softmax(input) over classes, W = sum of the
 * weights (classes without a weight), y the sample's target and s as for nll_loss:
 *   grad(n, j, i) = s * ((1 - eps) * weight[y] * (p_j - [j == y]) + (eps / classes) * (p_j * W - weight[j]))
 * Ignored samples get zero rows. grad_input (batch * classes * inner elements) may be the
 * same pointer as input. */
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_backward_f32(
    const float *input, const int64_t *target, size_t batch, size_t classes, size_t inner,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_backward_f64(
    const double *input, const int64_t *target, size_t batch, size_t classes, size_t inner,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, const double *grad_output, double *grad_input);

/* Fused cross_entropy: the loss (into output, as swiftloss_cross_entropy_*) and its gradient
 * (into grad_input, as swiftloss_cross_entropy_backward_*) from one pass over each sample's
 * logits. grad_output may be NULL, meaning ones (the gradient of the loss itself; for NONE,
 * of the sum of the per-sample losses). grad_input may be the same pointer as input: the
 * logits are then overwritten by their gradient, and no second batch * classes * inner
 * buffer is needed. */
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_fused_f32(
    const float *input, const int64_t *target, size_t batch, size_t classes, size_t inner,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, const float *grad_output, float *output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_fused_f64(
    const double *input, const int64_t *target, size_t batch, size_t classes, size_t inner,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, const double *grad_output, double *output, double *grad_input);

/* cross_entropy with probability targets, q' = (1 - eps) * q + eps / classes:
 *   grad(n, j, i) = s * (p_j * sum_c weight[c] * q'_c - weight[j] * q'_j)
 * s = grad_output(n, i) for NONE, grad_output[0] for SUM, grad_output[0] / (batch * inner)
 * for MEAN. grad_input (batch * classes * inner elements) may be the same pointer as input. */
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_probs_backward_f32(
    const float *input, const float *target, size_t batch, size_t classes, size_t inner,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_probs_backward_f64(
    const double *input, const double *target, size_t batch, size_t classes, size_t inner,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, const double *grad_output, double *grad_input);

/* ==========================================================================================
 * cross_entropy with z-loss and logit softcapping (beyond PyTorch)
 * Large-vocabulary training adds two terms to cross_entropy:
 *   softcap > 0   the logits become r = softcap * tanh(input / softcap) (Gemma 2) before
 *                 everything else (max, log-sum-exp, smoothing, the target's logit);
 *   z_loss > 0    each counted sample adds z_loss * lse^2 (PaLM's z-loss), lse the
 *                 log-sum-exp of its (capped) logits over all classes. Class weights do not
 *                 scale it. SUM sums it over the counted samples (targets != ignore_index;
 *                 every sample for probability targets), MEAN divides that sum by their
 *                 NUMBER (NaN when there is none), NONE adds it to each sample's loss (0 for
 *                 an ignored sample).
 * With z_loss == 0 and softcap == 0 these are swiftloss_cross_entropy_* exactly (same kernels).
 * One call computes any of: output (the loss, z term included), z_output (the z term alone,
 * reduced the same way) and grad_input (the gradient of the loss with respect to input, the
 * uncapped logits: cross_entropy's gradient with respect to r plus
 * s * 2 * z_loss * lse * softmax(r), times 1 - (r / softcap)^2 when capped; s is the upstream
 * scale, as cross_entropy's but divided by the number of counted samples for MEAN). Each of
 * the three may be NULL (not wanted); grad_output may be NULL (ones). An ignored sample's
 * gradient row is zero, as in swiftloss_cross_entropy_backward_*, even where its logits hold
 * a NaN (PyTorch's composite gives NaN there: 0 times the cap's derivative at NaN).
 * Sizes, aliasing (grad_input
 * may be input itself; nothing else may overlap) and the other arguments as
 * swiftloss_cross_entropy_* / swiftloss_cross_entropy_probs_*.
 * z_loss must be finite and >= 0; softcap 0 (none) or finite and > 0; else
 * _INVALID_ARGUMENT. Other statuses as swiftloss_cross_entropy_* / _probs_*.
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_ex_f32(
    const float *input, const int64_t *target, size_t batch, size_t classes, size_t inner,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, double z_loss, double softcap, const float *grad_output,
    float *output, float *z_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_ex_f64(
    const double *input, const int64_t *target, size_t batch, size_t classes, size_t inner,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, double z_loss, double softcap, const double *grad_output,
    double *output, double *z_output, double *grad_input);

SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_probs_ex_f32(
    const float *input, const float *target, size_t batch, size_t classes, size_t inner,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, double z_loss, double softcap, const float *grad_output,
    float *output, float *z_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_cross_entropy_probs_ex_f64(
    const double *input, const double *target, size_t batch, size_t classes, size_t inner,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, double z_loss, double softcap, const double *grad_output,
    double *output, double *z_output, double *grad_input);

/* binary_cross_entropy: grad = ((g * (x - t)) / max((1 - x) * x, eps)) * w, divided by count
 * for MEAN, with g = grad_output[k] for NONE, grad_output[0] for SUM and MEAN, and eps = 1e-12
 * rounded to float (in the f64 function too): PyTorch's formula and order of operations.
 * grad_input: count elements. */
SWIFTLOSS_API swiftloss_status swiftloss_binary_cross_entropy_backward_f32(
    const float *input, const float *target, size_t count,
    const float *weight, size_t weight_len, int reduction,
    const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_binary_cross_entropy_backward_f64(
    const double *input, const double *target, size_t count,
    const double *weight, size_t weight_len, int reduction,
    const double *grad_output, double *grad_input);

/* binary_cross_entropy_with_logits: grad = s * w * ((pw * t + 1 - t) * sigmoid(x) - pw * t),
 * s as for binary_cross_entropy. grad_input: count elements. */
SWIFTLOSS_API swiftloss_status swiftloss_binary_cross_entropy_with_logits_backward_f32(
    const float *input, const float *target, size_t count,
    const float *weight, size_t weight_len, const float *pos_weight, size_t pos_weight_len,
    int reduction, const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_binary_cross_entropy_with_logits_backward_f64(
    const double *input, const double *target, size_t count,
    const double *weight, size_t weight_len, const double *pos_weight, size_t pos_weight_len,
    int reduction, const double *grad_output, double *grad_input);

/* kl_div: grad = -t * s (log_target == 0) or -exp(t) * s (log_target == 1), with
 * s = grad_output[k] for NONE, grad_output[0] for SUM, grad_output[0] / count for MEAN and
 * grad_output[0] / batch for BATCHMEAN. The gradient does not depend on the input, so only
 * the target is taken. grad_input: count elements. */
SWIFTLOSS_API swiftloss_status swiftloss_kl_div_backward_f32(
    const float *target, size_t count, size_t batch, int reduction, int log_target,
    const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_kl_div_backward_f64(
    const double *target, size_t count, size_t batch, int reduction, int log_target,
    const double *grad_output, double *grad_input);

/* ==========================================================================================
 * Regression losses: mse_loss, l1_loss, smooth_l1_loss, huber_loss, soft_margin_loss,
 * hinge_embedding_loss, poisson_nll_loss
 *
 * input, target: count elements each (PyTorch broadcasts them first: pass the broadcast
 * arrays). weight: NULL with weight_len 0, or exactly count elements (PyTorch requires the
 * weight's size to equal the input's); each element's loss is multiplied by it. output: count
 * elements for NONE, else 1. 'sum' of no elements is 0, 'mean' NaN.
 *
 *   mse_loss          w * (x - t)^2;        MEAN divides by count, with a weight by sum(w)
 *   l1_loss           w * |x - t|;          MEAN as mse_loss
 *   smooth_l1_loss    z = |x - t|:  z < beta ? 0.5 z^2 / beta : z - 0.5 beta  (beta == 0 is
 *                     l1_loss exactly); MEAN divides by count
 *   huber_loss        w * (z < delta ? 0.5 z^2 : delta (z - 0.5 delta)); MEAN divides by count,
 *                     with a weight too (PyTorch's rule for huber_loss)
 *   soft_margin_loss  log(1 + exp(-t x)), computed as softplus(-t x): finite where the value is
 *                     (PyTorch's log1p(exp(-t x)) overflows to inf once -t x passes about 88.7
 *                     in float32); MEAN divides by count
 *   hinge_embedding_loss  (t != 1 ? max(margin - x, 0) : 0) + (t != -1 ? x : 0): t = 1 gives x,
 *                     t = -1 the hinge, any other target both (PyTorch's composite); NaN
 *                     propagates; MEAN divides by count
 *   poisson_nll_loss  log_input != 0: exp(x) - t x;  log_input == 0: x - t log(x + eps); with
 *                     full != 0 plus t log t - t + 0.5 log(2 pi t) where t > 1 (0 elsewhere, as
 *                     PyTorch's masked_fill); nothing is validated (a negative x without
 *                     log_input gives NaN); MEAN divides by count
 *
 * Gradients (the _backward functions; g = grad_output[k] for NONE, grad_output[0] divided by
 * the MEAN divisor for MEAN, grad_output[0] for SUM; grad_input: count elements, which may be
 * the same pointer as grad_output):
 *   mse_loss          2 (x - t) w g
 *   l1_loss           sign(x - t) w g, with sign 0 at 0 and at NaN (PyTorch's)
 *   smooth_l1_loss    (|d| >= beta ? sign(d) : d / beta) g, d = x - t; l1_loss's for beta == 0
 *   huber_loss        clamp(d, -delta, delta) w g
 *   soft_margin_loss  -t sigmoid(-t x) g, without overflow (PyTorch gives NaN past the overflow)
 *   hinge_embedding_loss  ((t != 1 ? (margin - x > 0 ? -1 : 0) : 0) + (t != -1 ? 1 : 0)) g
 *   poisson_nll_loss  (exp(x) - t) g with log_input, else (1 - t / (x + eps)) g
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW, _WEIGHT_SIZE (weight_len neither 0 nor
 * count), _INVALID_REDUCTION (NONE, SUM and MEAN are valid), _OVERLAP, and _INVALID_ARGUMENT
 * for beta < 0 (smooth_l1_loss; a NaN beta gives NaN, as PyTorch), delta not > 0
 * (huber_loss; NaN included), or log_input or full not 0 or 1 (poisson_nll_loss; eps is not
 * checked, as PyTorch).
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_mse_loss_f32(
    const float *input, const float *target, size_t count, const float *weight, size_t weight_len,
    int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_mse_loss_f64(
    const double *input, const double *target, size_t count, const double *weight, size_t weight_len,
    int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_mse_loss_backward_f32(
    const float *input, const float *target, size_t count, const float *weight, size_t weight_len,
    int reduction, const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_mse_loss_backward_f64(
    const double *input, const double *target, size_t count, const double *weight, size_t weight_len,
    int reduction, const double *grad_output, double *grad_input);

SWIFTLOSS_API swiftloss_status swiftloss_l1_loss_f32(
    const float *input, const float *target, size_t count, const float *weight, size_t weight_len,
    int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_l1_loss_f64(
    const double *input, const double *target, size_t count, const double *weight, size_t weight_len,
    int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_l1_loss_backward_f32(
    const float *input, const float *target, size_t count, const float *weight, size_t weight_len,
    int reduction, const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_l1_loss_backward_f64(
    const double *input, const double *target, size_t count, const double *weight, size_t weight_len,
    int reduction, const double *grad_output, double *grad_input);

SWIFTLOSS_API swiftloss_status swiftloss_smooth_l1_loss_f32(
    const float *input, const float *target, size_t count, double beta, int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_smooth_l1_loss_f64(
    const double *input, const double *target, size_t count, double beta, int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_smooth_l1_loss_backward_f32(
    const float *input, const float *target, size_t count, double beta, int reduction,
    const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_smooth_l1_loss_backward_f64(
    const double *input, const double *target, size_t count, double beta, int reduction,
    const double *grad_output, double *grad_input);

SWIFTLOSS_API swiftloss_status swiftloss_huber_loss_f32(
    const float *input, const float *target, size_t count, const float *weight, size_t weight_len,
    double delta, int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_huber_loss_f64(
    const double *input, const double *target, size_t count, const double *weight, size_t weight_len,
    double delta, int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_huber_loss_backward_f32(
    const float *input, const float *target, size_t count, const float *weight, size_t weight_len,
    double delta, int reduction, const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_huber_loss_backward_f64(
    const double *input, const double *target, size_t count, const double *weight, size_t weight_len,
    double delta, int reduction, const double *grad_output, double *grad_input);

SWIFTLOSS_API swiftloss_status swiftloss_soft_margin_loss_f32(
    const float *input, const float *target, size_t count, int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_soft_margin_loss_f64(
    const double *input, const double *target, size_t count, int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_soft_margin_loss_backward_f32(
    const float *input, const float *target, size_t count, int reduction,
    const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_soft_margin_loss_backward_f64(
    const double *input, const double *target, size_t count, int reduction,
    const double *grad_output, double *grad_input);

SWIFTLOSS_API swiftloss_status swiftloss_hinge_embedding_loss_f32(
    const float *input, const float *target, size_t count, double margin, int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_hinge_embedding_loss_f64(
    const double *input, const double *target, size_t count, double margin, int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_hinge_embedding_loss_backward_f32(
    const float *input, const float *target, size_t count, double margin, int reduction,
    const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_hinge_embedding_loss_backward_f64(
    const double *input, const double *target, size_t count, double margin, int reduction,
    const double *grad_output, double *grad_input);

SWIFTLOSS_API swiftloss_status swiftloss_poisson_nll_loss_f32(
    const float *input, const float *target, size_t count, int log_input, int full, double eps,
    int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_poisson_nll_loss_f64(
    const double *input, const double *target, size_t count, int log_input, int full, double eps,
    int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_poisson_nll_loss_backward_f32(
    const float *input, const float *target, size_t count, int log_input, int full, double eps,
    int reduction, const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_poisson_nll_loss_backward_f64(
    const double *input, const double *target, size_t count, int log_input, int full, double eps,
    int reduction, const double *grad_output, double *grad_input);

/* ==========================================================================================
 * multilabel_soft_margin_loss
 *
 * input, target: batch x classes, row-major (PyTorch's (N, C), or any shape with the classes
 * on the last axis: batch is the product of the others). weight: NULL with weight_len 0,
 * classes elements (one per class) or batch * classes (one per element: pass PyTorch's
 * broadcast weight expanded). Per row n:
 *
 *   loss(n) = (1 / classes) sum_c w * ((1 - t) x - logsigmoid(x))
 *
 * (PyTorch's -(t logsigmoid(x) + (1 - t) logsigmoid(-x)) * weight summed over the classes and
 * divided by their number), with the stable logsigmoid of BCE with logits. output: batch
 * elements for NONE, else 1; MEAN divides the summed row losses by batch. A row of no classes
 * is NaN (0 / 0, as PyTorch); 'sum' of no rows is 0, 'mean' NaN.
 *
 * Gradient: (sigmoid(x) - t) w g / classes, g = grad_output[n] for NONE, grad_output[0] (divided
 * by batch for MEAN) otherwise; grad_input: batch * classes elements, which may be the same
 * pointer as input.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW (batch * classes elements, or batch
 * alone, beyond the address space), _WEIGHT_SIZE (weight_len not 0, classes or
 * batch * classes), _INVALID_REDUCTION (NONE, SUM and MEAN are valid), _OVERLAP.
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_multilabel_soft_margin_loss_f32(
    const float *input, const float *target, size_t batch, size_t classes, const float *weight,
    size_t weight_len, int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_multilabel_soft_margin_loss_f64(
    const double *input, const double *target, size_t batch, size_t classes, const double *weight,
    size_t weight_len, int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_multilabel_soft_margin_loss_backward_f32(
    const float *input, const float *target, size_t batch, size_t classes, const float *weight,
    size_t weight_len, int reduction, const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_multilabel_soft_margin_loss_backward_f64(
    const double *input, const double *target, size_t batch, size_t classes, const double *weight,
    size_t weight_len, int reduction, const double *grad_output, double *grad_input);

/* ==========================================================================================
 * multi_margin_loss and multilabel_margin_loss (PyTorch's native hinge losses)
 *
 * input: batch x classes, row-major (PyTorch's (N, C); an unbatched (C,) input is batch 1, a
 * 0-d input batch 1 and classes 1). classes must be at least 1 (PyTorch refuses an input with
 * no classes, whatever the batch). output: batch elements for NONE, else 1; MEAN divides the
 * summed row losses by batch, so an empty batch gives NaN for MEAN and 0 for SUM (PyTorch
 * returns uninitialised memory there). Each term is computed in the input's precision in
 * PyTorch's order and is counted only when it is > 0: a NaN term counts for nothing (a NaN
 * input is swallowed, as PyTorch's). Sums are accumulated in float64.
 *
 * multi_margin_loss: target has batch int64 class indices, each in [0, classes). With
 * y = target[n] and z_j = (margin - x_y) + x_j:
 *
 *   loss(n) = (1 / classes) sum_{j != y, z_j > 0} (p == 1 ? z_j : z_j^2) * w[y]
 *
 * p must be 1 or 2; margin is rounded to the input's precision and may be anything (negative,
 * NaN: then every loss is 0). weight: NULL with weight_len 0, or weight_len == classes; the
 * weight is indexed by the target class (PyTorch's rule) and multiplies each term.
 *
 * multilabel_margin_loss: target has batch * classes int64 entries, each in [-1, classes) (all
 * of them, also after a row's first -1: PyTorch checks them all). A row's label list is its
 * entries up to the first -1 (or all of them); its targets are the classes in the list. Entries
 * that repeat a class count once per entry (PyTorch's rule). The margin is 1:
 *
 *   loss(n) = (1 / classes) sum_{j in list} sum_{k not a target} max(0, 1 - (x_j - x_k))
 *
 * A row whose list is empty, or whose every class is a target, has loss 0.
 *
 * Gradients (the _backward functions), PyTorch's: with g = 1 / (batch * classes) for MEAN and
 * 1 / classes otherwise (rounded to the input's precision), then the row multiplied by its
 * upstream gradient s = grad_output[n] for NONE, grad_output[0] otherwise:
 *   multi_margin_loss       each j != y with z_j > 0 gets h_j = (p == 1 ? g : 2 g z_j) w[y],
 *                           the target -sum_j h_j; z_j == 0 gives 0 (the kink)
 *   multilabel_margin_loss  each (list entry j, non-target k) with 1 - (x_j - x_k) > 0 adds g
 *                           to k's gradient and -g to j's
 * grad_input: batch * classes elements, every one written. For multi_margin_loss_backward it
 * may be the same pointer as input; multilabel_margin_loss_backward allows no alias (each row
 * is read again while its gradient is accumulated).
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW, _ZERO_CLASSES, _INVALID_REDUCTION (NONE,
 * SUM and MEAN are valid), _TARGET_OUT_OF_BOUNDS, _OVERLAP, and for multi_margin_loss
 * _WEIGHT_SIZE (weight_len not 0 or classes) and _INVALID_ARGUMENT (p not 1 or 2).
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_multi_margin_loss_f32(
    const float *input, const int64_t *target, size_t batch, size_t classes, int p, double margin,
    const float *weight, size_t weight_len, int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_multi_margin_loss_f64(
    const double *input, const int64_t *target, size_t batch, size_t classes, int p, double margin,
    const double *weight, size_t weight_len, int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_multi_margin_loss_backward_f32(
    const float *input, const int64_t *target, size_t batch, size_t classes, int p, double margin,
    const float *weight, size_t weight_len, int reduction, const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_multi_margin_loss_backward_f64(
    const double *input, const int64_t *target, size_t batch, size_t classes, int p, double margin,
    const double *weight, size_t weight_len, int reduction, const double *grad_output, double *grad_input);

SWIFTLOSS_API swiftloss_status swiftloss_multilabel_margin_loss_f32(
    const float *input, const int64_t *target, size_t batch, size_t classes, int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_multilabel_margin_loss_f64(
    const double *input, const int64_t *target, size_t batch, size_t classes, int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_multilabel_margin_loss_backward_f32(
    const float *input, const int64_t *target, size_t batch, size_t classes, int reduction,
    const float *grad_output, float *grad_input);
SWIFTLOSS_API swiftloss_status swiftloss_multilabel_margin_loss_backward_f64(
    const double *input, const int64_t *target, size_t batch, size_t classes, int reduction,
    const double *grad_output, double *grad_input);

/* ==========================================================================================
 * Losses of several learned inputs
 *
 * Their _backward functions write the gradient of each learned input into its own buffer:
 * grad_input1, grad_input2, ... in argument order (gaussian_nll_loss: grad_input, grad_var;
 * triplet_margin_loss: grad_anchor, grad_positive, grad_negative). Each of them may be NULL,
 * and that gradient is then not computed (a caller that needs only one pays only for it); the
 * others are written in full. Gradient buffers must not overlap each other or any input.
 * ========================================================================================== */

/* margin_ranking_loss (PyTorch's composite):
 *
 *   loss = max(-target * (input1 - input2) + margin, 0)
 *
 * element by element, computed in the inputs' precision (margin rounded to it). input1, input2,
 * target: count elements each (PyTorch broadcasts them first: pass the broadcast arrays). The
 * target is not validated (0 gives the margin, 2 doubles the term); NaN propagates. output:
 * count elements for NONE, else 1; MEAN divides by count ('sum' of no elements is 0, 'mean'
 * NaN).
 *
 * Gradients, where the loss is positive (0 elsewhere, at the kink too):
 *   grad_input1 = -target * g,   grad_input2 = target * g
 * with g = grad_output[k] for NONE, grad_output[0] for SUM, grad_output[0] / count for MEAN.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW, _INVALID_REDUCTION (NONE, SUM and MEAN
 * are valid), _OVERLAP. */
SWIFTLOSS_API swiftloss_status swiftloss_margin_ranking_loss_f32(
    const float *input1, const float *input2, const float *target, size_t count, double margin,
    int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_margin_ranking_loss_f64(
    const double *input1, const double *input2, const double *target, size_t count, double margin,
    int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_margin_ranking_loss_backward_f32(
    const float *input1, const float *input2, const float *target, size_t count, double margin,
    int reduction, const float *grad_output, float *grad_input1, float *grad_input2);
SWIFTLOSS_API swiftloss_status swiftloss_margin_ranking_loss_backward_f64(
    const double *input1, const double *input2, const double *target, size_t count, double margin,
    int reduction, const double *grad_output, double *grad_input1, double *grad_input2);

/* gaussian_nll_loss (PyTorch's composite), with v = max(var, eps):
 *
 *   loss = 0.5 * (log(v) + (input - target)^2 / v)        (+ 0.5 * log(2 pi) when full)
 *
 * element by element, in that order of operations, computed in the inputs' precision: eps is
 * rounded to it (as PyTorch's clamp_ of a tensor of that precision; an eps beyond float's
 * range becomes +-inf in _f32, where PyTorch refuses it), and so is the constant 0.5 log(2 pi).
 * The clamp keeps a NaN var NaN, and a NaN eps makes every v NaN. input, target, var: count
 * elements each (PyTorch reshapes var and broadcasts the three first: pass the broadcast
 * arrays). full: 0 or 1. output: count elements for NONE, else 1; MEAN divides by count ('sum'
 * of no elements is 0, 'mean' NaN).
 *
 * Gradients of the two learned inputs, input and var (grad_input, grad_var; either may be
 * NULL), in the order of PyTorch's autograd through its composite, at the clamped v:
 *   h = 0.5 g,   q = (input - target)^2 / v
 *   grad_input = (h / v) * (2 (input - target)),   grad_var = h / v - h * (q / v)
 * with g = grad_output[k] for NONE, grad_output[0] for SUM, grad_output[0] / count for MEAN.
 * grad_var is written where var < eps too (PyTorch clamps under no_grad: the clamp passes the
 * gradient straight through), e.g. -5e11 for var = 1e-9, input - target = 1, eps = 1e-6.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW, _INVALID_REDUCTION (NONE, SUM and MEAN
 * are valid), _OVERLAP, and _INVALID_ARGUMENT when full is neither 0 nor 1 or an element of
 * var is below 0 (PyTorch's "var has negative entry/entries"; NaN is not below 0). */
SWIFTLOSS_API swiftloss_status swiftloss_gaussian_nll_loss_f32(
    const float *input, const float *target, const float *var, size_t count, int full, double eps,
    int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_gaussian_nll_loss_f64(
    const double *input, const double *target, const double *var, size_t count, int full, double eps,
    int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_gaussian_nll_loss_backward_f32(
    const float *input, const float *target, const float *var, size_t count, int full, double eps,
    int reduction, const float *grad_output, float *grad_input, float *grad_var);
SWIFTLOSS_API swiftloss_status swiftloss_gaussian_nll_loss_backward_f64(
    const double *input, const double *target, const double *var, size_t count, int full, double eps,
    int reduction, const double *grad_output, double *grad_input, double *grad_var);

/* cosine_embedding_loss (PyTorch's composite), one loss per row of dim elements:
 *
 *   cos  = sum(input1 * input2) / sqrt((sum(input1^2) + 1e-12) * (sum(input2^2) + 1e-12))
 *   loss = 1 - cos                  where target == 1
 *          max(cos - margin, 0)     where target == -1
 *          0                        for any other target (it still counts in MEAN's divisor)
 *
 * (1e-12 is added to each squared norm, as PyTorch's EPSILON, a C float: 9.99999996e-13 in
 * float64 too. A row of zeros gives cos = 0, and dim == 0 gives cos = 0 too.) input1, input2: batch x dim, row-major (PyTorch's (N, D),
 * or (D,) as batch 1; pass inputs broadcast over the rows expanded); target: batch elements.
 * Row sums are accumulated in double, cos is computed in double (so float32 rows whose squared
 * norms multiply beyond FLT_MAX do not overflow, as they do in PyTorch) and rounded to the
 * inputs' precision, where the loss is taken (margin rounded to it). output: batch elements
 * for NONE, else 1; MEAN divides by batch ('sum' of no rows is 0, 'mean' NaN).
 *
 * Gradients, with g the row's gradient with respect to cos (-s for a target of 1, s for -1
 * where cos - margin > 0, 0 otherwise: at the kink too), m1, m2 the squared norms plus 1e-12
 * and D = sqrt(m1 * m2):
 *   grad_input1 = g / D * input2 - g * cos / m1 * input1
 *   grad_input2 = g / D * input1 - g * cos / m2 * input2
 * with s = grad_output[n] for NONE, grad_output[0] for SUM, grad_output[0] / batch for MEAN.
 * A zero row of input1 gets g * input2 / (1e-6 * |input2|): about 1e6 times g, as PyTorch.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW (batch * dim elements, or batch alone,
 * beyond the address space), _INVALID_REDUCTION (NONE, SUM and MEAN are valid), _OVERLAP. */
SWIFTLOSS_API swiftloss_status swiftloss_cosine_embedding_loss_f32(
    const float *input1, const float *input2, const float *target, size_t batch, size_t dim,
    double margin, int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_cosine_embedding_loss_f64(
    const double *input1, const double *input2, const double *target, size_t batch, size_t dim,
    double margin, int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_cosine_embedding_loss_backward_f32(
    const float *input1, const float *input2, const float *target, size_t batch, size_t dim,
    double margin, int reduction, const float *grad_output, float *grad_input1, float *grad_input2);
SWIFTLOSS_API swiftloss_status swiftloss_cosine_embedding_loss_backward_f64(
    const double *input1, const double *input2, const double *target, size_t batch, size_t dim,
    double margin, int reduction, const double *grad_output, double *grad_input1,
    double *grad_input2);

/* triplet_margin_loss (PyTorch's composite), one loss per row of dim elements:
 *
 *   d(x, y) = || x - y + eps ||_p           (eps added to the difference, before the norm)
 *   loss    = max(margin + d(anchor, positive) - d_neg, 0)
 *   d_neg   = d(anchor, negative), or with swap min(d(anchor, negative), d(positive, negative))
 *
 * computed in the inputs' precision (margin and eps rounded to it; each distance rounded to it
 * before the loss is taken), the row sums accumulated in double. p is not validated, as in
 * PyTorch: p = 0 counts the nonzero differences (NaN counts), p = +inf takes the largest
 * |difference| and -inf the smallest (NaN if any is NaN), p = 1 and 2 have their own kernels,
 * and any other p (negative, or NaN) computes (sum |d|^p)^(1/p) with the powers in double. A
 * row of no elements (dim == 0) has distance 0 for every p (PyTorch raises for p < 0 and
 * p = +-inf there). Neither margin nor eps is validated: PyTorch's margin > 0 check is in its
 * Python layer. anchor, positive, negative: batch x dim, row-major (PyTorch's (N, D), (D,) as
 * batch 1, or (..., D) with batch the product of the leading sizes; pass inputs broadcast
 * against each other expanded). swap: 0 or 1. output: batch elements for NONE, else 1; MEAN
 * divides by batch ('sum' of no rows is 0, 'mean' NaN).
 *
 * Gradients (PyTorch's autograd through the composite): with u(d, g) the gradient of ||d||_p
 * with respect to d scaled by g (p = 2: g d / ||d||, 0 where ||d|| = 0; p = 1: g sgn(d); p =
 * +-inf: g sgn(d) / k on the k elements that attain the norm (or are NaN), 0 elsewhere; p = 0:
 * 0; other p: g sgn(d) |d|^(p-1) / ||d||^(p-1), 0 where ||d|| = 0 (for p < 1, 0 where d = 0)),
 *   grad_anchor   =  u(d_ap, g_ap) + u(d_an, g_an)
 *   grad_positive = -u(d_ap, g_ap) + u(d_pn, g_pn)
 *   grad_negative = -u(d_an, g_an) - u(d_pn, g_pn)
 * where g_ap = s where the loss is positive (0 elsewhere, at the kink too), and -g_ap goes to
 * d_neg: without swap all to d(anchor, negative) (g_pn = 0, d_pn not used); with swap all to
 * the smaller of the two distances, half to each when they are equal, all to both when one is
 * NaN (torch.minimum's gradient). s = grad_output[n] for NONE, grad_output[0] for SUM,
 * grad_output[0] / batch for MEAN.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW (batch * dim elements, or batch alone,
 * beyond the address space), _INVALID_REDUCTION (NONE, SUM and MEAN are valid),
 * _INVALID_ARGUMENT (swap not 0 or 1), _OVERLAP. */
SWIFTLOSS_API swiftloss_status swiftloss_triplet_margin_loss_f32(
    const float *anchor, const float *positive, const float *negative, size_t batch, size_t dim,
    double margin, double p, double eps, int swap, int reduction, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_triplet_margin_loss_f64(
    const double *anchor, const double *positive, const double *negative, size_t batch, size_t dim,
    double margin, double p, double eps, int swap, int reduction, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_triplet_margin_loss_backward_f32(
    const float *anchor, const float *positive, const float *negative, size_t batch, size_t dim,
    double margin, double p, double eps, int swap, int reduction, const float *grad_output,
    float *grad_anchor, float *grad_positive, float *grad_negative);
SWIFTLOSS_API swiftloss_status swiftloss_triplet_margin_loss_backward_f64(
    const double *anchor, const double *positive, const double *negative, size_t batch, size_t dim,
    double margin, double p, double eps, int swap, int reduction, const double *grad_output,
    double *grad_anchor, double *grad_positive, double *grad_negative);

/* ==========================================================================================
 * linear_cross_entropy (PyTorch 2.15's torch.nn.functional.linear_cross_entropy: the loss of a
 * language model's head without its batch x classes logits), with z-loss and softcapping
 *
 *   input          batch x hidden, row-major
 *   linear_weight  classes x hidden (the head's weight, as torch.nn.Linear's)
 *   linear_bias    NULL (no bias) or classes elements
 *   target         class indices: batch int64 entries (ignore_index as cross_entropy's);
 *                  _probs: batch x classes probabilities (not validated)
 *   weight         NULL with weight_len 0, or weight_len == classes elements (class weights)
 *
 * The logits x = input linear_weight^T + linear_bias are computed a block of rows at a time
 * and never stored whole; then, with softcap > 0, x' = softcap * tanh(x / softcap) (else
 * x' = x), and each sample's loss is cross_entropy(x') (see the cross_entropy sections: class
 * weights, ignore_index, label_smoothing, probability targets) plus, for counted samples,
 * z_loss * lse^2 with lse = logsumexp(x') over the classes. Counted: target != ignore_index
 * (class indices), every sample (_probs). output (batch elements for NONE, else 1): NONE
 * gives each sample's loss (0 for ignored ones), SUM the sum, MEAN cross_entropy's mean (the
 * summed weight of the counted targets; batch for _probs) plus the z terms' sum divided by the
 * NUMBER of counted samples (0 / 0 = NaN). z_output (NULL: not wanted) receives the z term
 * alone, reduced the same way. Sums are accumulated in float64.
 *
 * Gradients (each NULL: not computed): with G the gradient of the loss times the upstream
 * gradient with respect to the logits x,
 *   grad_input = G linear_weight,  grad_linear_weight = G^T input,  grad_linear_bias = sum_n G
 * where G is cross_entropy's gradient (see cross_entropy_backward) plus
 * s * 2 * z_loss * lse * softmax(x') (s: grad_output[n] for NONE, grad_output[0] for SUM,
 * grad_output[0] / counted samples for MEAN; 0 for ignored samples), times
 * 1 - tanh(x / softcap)^2 with a softcap. grad_output: NULL (ones) or as many elements as
 * output. The gradients need no second call: pass them with the forward.
 *
 * z_loss: finite and >= 0 (0: no z term). softcap: 0 (none) or finite and > 0.
 * label_smoothing: as cross_entropy's.
 *
 * Scratch: blocks of max(4, 16 MiB / (classes x element size), 128) rows (a multiple of 4; 128
 * rows for 32000 float32 classes, 128 rows (63 MiB) for 128256; the 128 only while a block
 * stays within the limit below; every row when batch is smaller) of logits, twice that with a
 * gradient and softcap or z_loss, so memory stays bounded whatever the batch; a call needing
 * more than 256 MiB of scratch (vocabularies of millions of classes) is refused with
 * _SIZE_OVERFLOW. The products run on the worker pool with a fixed order of
 * summation: results do not depend on the thread count.
 *
 * Aliasing: no output may overlap an input or another output.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW, _ZERO_CLASSES, _WEIGHT_SIZE,
 * _INVALID_REDUCTION (NONE, SUM and MEAN are valid), _INVALID_LABEL_SMOOTHING,
 * _TARGET_OUT_OF_BOUNDS, _IGNORE_INDEX_UNSUPPORTED (_probs with ignore_index >= 0), _OVERLAP,
 * _INVALID_ARGUMENT (z_loss or softcap out of range).
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_linear_cross_entropy_f32(
    const float *input, const float *linear_weight, const float *linear_bias,
    const int64_t *target, size_t batch, size_t hidden, size_t classes,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, double z_loss, double softcap, const float *grad_output,
    float *output, float *z_output, float *grad_input, float *grad_linear_weight,
    float *grad_linear_bias);
SWIFTLOSS_API swiftloss_status swiftloss_linear_cross_entropy_f64(
    const double *input, const double *linear_weight, const double *linear_bias,
    const int64_t *target, size_t batch, size_t hidden, size_t classes,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, double z_loss, double softcap, const double *grad_output,
    double *output, double *z_output, double *grad_input, double *grad_linear_weight,
    double *grad_linear_bias);
SWIFTLOSS_API swiftloss_status swiftloss_linear_cross_entropy_probs_f32(
    const float *input, const float *linear_weight, const float *linear_bias,
    const float *target, size_t batch, size_t hidden, size_t classes,
    const float *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, double z_loss, double softcap, const float *grad_output,
    float *output, float *z_output, float *grad_input, float *grad_linear_weight,
    float *grad_linear_bias);
SWIFTLOSS_API swiftloss_status swiftloss_linear_cross_entropy_probs_f64(
    const double *input, const double *linear_weight, const double *linear_bias,
    const double *target, size_t batch, size_t hidden, size_t classes,
    const double *weight, size_t weight_len, int64_t ignore_index, int reduction,
    double label_smoothing, double z_loss, double softcap, const double *grad_output,
    double *output, double *z_output, double *grad_input, double *grad_linear_weight,
    double *grad_linear_bias);

/* ==========================================================================================
 * gemm (general matrix multiplication, the library's own kernel: no BLAS)
 *
 *   c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0) + sum over p < k of opA(i, p) * opB(p, j)
 *
 * for i < m, j < n, row-major with element strides: opA(i, p) = trans_a ? a[p * lda + i] :
 * a[i * lda + p] (A stored as m rows of k, or with trans_a as k rows of m), opB(p, j) =
 * trans_b ? b[j * ldb + p] : b[p * ldb + j] (B stored as k rows of n, or with trans_b as n
 * rows of k); c: m rows of n. A matrix stored as R rows of W elements spans (R - 1) * ld + W
 * elements (none when R or W is 0; a may then be NULL, and so on); ld must be at least W.
 * trans_a, trans_b, accumulate: 0 or 1. k == 0 writes zeros (or leaves c as it is with
 * accumulate); m == 0 or n == 0 writes nothing. Elements of c between rows (j >= n) are not
 * touched.
 *
 * Computed in the input's precision with fused multiply-adds where the CPU has them: the
 * operands are packed into panels and an MR x NR tile of c is accumulated in registers (6 x 16
 * float32, 6 x 8 float64). The sum over p runs in blocks of 256 terms, each summed in order
 * and added to c in block order; the threads take fixed ranges of c's rows or columns, so
 * results do not depend on the thread count. Scratch: each thread allocates its packed blocks
 * of A and B, at most 4 MB of B (1024 columns by up to 1024 float32 / 512 float64 terms of the
 * sum) and 256 x 144 float32 (256 x 72 float64) elements of A: about 4.2 MB.
 *
 * Aliasing: c may not overlap a or b (the spans above); a and b may overlap.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW (a span beyond the address space),
 * _OVERLAP, and _INVALID_ARGUMENT: a flag not 0 or 1, a leading dimension smaller than its
 * row's width.
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_gemm_f32(
    int trans_a, int trans_b, size_t m, size_t n, size_t k, const float *a, size_t lda,
    const float *b, size_t ldb, float *c, size_t ldc, int accumulate);
SWIFTLOSS_API swiftloss_status swiftloss_gemm_f64(
    int trans_a, int trans_b, size_t m, size_t n, size_t k, const double *a, size_t lda,
    const double *b, size_t ldb, double *c, size_t ldc, int accumulate);

/* ==========================================================================================
 * ctc_loss (PyTorch's connectionist temporal classification loss, LossCTC.cpp)
 *
 * log_probs: time x batch x classes, row-major (PyTorch's (T, N, C); an unbatched (T, C) input
 * is batch 1): lp(t, n, c) = log_probs[(t * batch + n) * classes + c]. input_lengths,
 * target_lengths: batch int64 entries each, input_lengths[n] in [0, time], target_lengths[n]
 * >= 0. targets: targets_len int64 labels, either padded (target_stride > 0: sample n's labels
 * start at n * target_stride, targets_len == batch * target_stride, every target length at most
 * target_stride; entries past a sample's length are not read) or concatenated (target_stride
 * == 0: the samples' labels one after the other, targets_len == the sum of the lengths). Every
 * label read must be in [0, classes) (PyTorch does not check them and reads out of bounds); a
 * label equal to blank is accepted and computed as given. blank: in [0, classes).
 * zero_infinity: 0 or 1.
 *
 * With L = target_lengths[n], Tn = input_lengths[n] and l' the labels with blanks interleaved
 * (2L + 1 entries), computed in the input's precision with PyTorch's max trick (m the largest
 * term, 0 when every term is -inf):
 *   alpha(0, 0) = lp(0, blank), alpha(0, 1) = lp(0, l'(1)), any other alpha(0, s) = -inf
 *   alpha(t, s) = log(e^(a1-m) + e^(a2-m) + e^(a3-m)) + m + lp(t, l'(s)),  a1 = alpha(t-1, s),
 *                 a2 = alpha(t-1, s-1), a3 = alpha(t-1, s-2) where l'(s-2) != l'(s) (else -inf)
 *   nll(n) = -logsumexp(alpha(Tn-1, 2L), alpha(Tn-1, 2L-1)); -alpha(Tn-1, 0) when L == 0;
 *            for Tn == 0: -0.0 when L == 0, +inf otherwise
 * An impossible alignment (Tn smaller than L plus the repeated neighbours) gives +inf; with
 * zero_infinity, +inf losses are replaced by 0 before the reduction (NaN is kept). output:
 * batch elements for NONE, else 1: SUM adds the losses, MEAN averages nll(n) / max(L, 1) over
 * the batch (both accumulated in float64; an empty batch gives NaN for MEAN, 0 for SUM).
 *
 * Gradient (the _backward functions): PyTorch's, which is NOT the derivative of the loss with
 * respect to log_probs. For t < Tn,
 *   grad_log_probs(t, n, c) = (exp(lp(t, n, c)) - exp(lcab(t, c) + nll(n) - lp(t, n, c))) * g
 * with lcab(t, c) the logsumexp of alpha(t, s) + beta(t, s) over the s with l'(s) == c (beta
 * the backward variables, which include lp(t)), and 0 for t >= Tn. The true derivative is the
 * second term alone; the extra exp(lp) cancels through log_softmax's backward, which is what
 * PyTorch relies on. An impossible sample gets NaN for t < Tn (-inf + inf), or zeros for every
 * t with zero_infinity. g = grad_output[n] for NONE, grad_output[0] for SUM, grad_output[0] /
 * (batch * max(L, 1)) for MEAN. grad_log_probs: time * batch * classes elements, every one
 * written.
 *
 * Scratch: each thread allocates, for the sample it works on, rows of W = 2L + 1 elements
 * (rounded up to 8 float32 / 4 float64, plus 16 / 8) of the input's type, and W int64: 4 rows
 * for the forward; for the backward Tn + 5 rows (every alpha row of the sample) while
 * Tn x W is at most 2^22 (16 MB of float32), e.g. 1000 x 424 x 4 bytes = 1.7 MB for T = 1000,
 * L = 200 in float32; above that, every k-th alpha row (k = ceil(sqrt(Tn))) and k more,
 * 2k + 7 rows at most, for one more alpha pass.
 * The samples are split over the threads in chunks fixed by the sizes: results do not depend
 * on the thread count.
 *
 * Aliasing: output and grad_log_probs may overlap no input and no other output.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW, _INVALID_REDUCTION (NONE, SUM and MEAN
 * are valid), _TARGET_OUT_OF_BOUNDS (a label read outside [0, classes)), _OVERLAP, and
 * _INVALID_ARGUMENT: blank outside [0, classes) (so any call with classes == 0), zero_infinity
 * not 0 or 1, a length out of range, targets_len not what the layout calls for.
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_ctc_loss_f32(
    const float *log_probs, size_t time, size_t batch, size_t classes, const int64_t *targets,
    size_t targets_len, size_t target_stride, const int64_t *input_lengths,
    const int64_t *target_lengths, int64_t blank, int reduction, int zero_infinity, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_ctc_loss_f64(
    const double *log_probs, size_t time, size_t batch, size_t classes, const int64_t *targets,
    size_t targets_len, size_t target_stride, const int64_t *input_lengths,
    const int64_t *target_lengths, int64_t blank, int reduction, int zero_infinity, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_ctc_loss_backward_f32(
    const float *log_probs, size_t time, size_t batch, size_t classes, const int64_t *targets,
    size_t targets_len, size_t target_stride, const int64_t *input_lengths,
    const int64_t *target_lengths, int64_t blank, int reduction, int zero_infinity,
    const float *grad_output, float *grad_log_probs);
SWIFTLOSS_API swiftloss_status swiftloss_ctc_loss_backward_f64(
    const double *log_probs, size_t time, size_t batch, size_t classes, const int64_t *targets,
    size_t targets_len, size_t target_stride, const int64_t *input_lengths,
    const int64_t *target_lengths, int64_t blank, int reduction, int zero_infinity,
    const double *grad_output, double *grad_log_probs);

/* ==========================================================================================
 * Vocabulary-parallel cross_entropy (tensor parallelism)
 *
 * cross_entropy with class-index targets over (batch, classes) logits whose columns are split
 * over R ranks: rank r holds the (batch, shard_classes) block of columns
 * [vocab_start, vocab_start + shard_classes), row-major, and no rank holds a whole row. These
 * functions do the shard-local work; the caller's engine (torch.distributed, MPI, NCCL, ...)
 * does the two all-reduces between them. Only class-index targets on the (N, C) layout are
 * covered (no probability targets, no inner dimensions: flatten (N, C, d) first).
 *
 * Protocol, on every rank, in this order:
 *   1. swiftloss_vocab_parallel_max_*(logits, batch, shard_classes, row_max)
 *        row_max: batch elements, each row's max over the shard (-inf for an empty shard).
 *   2. all-reduce row_max with MAX (batch elements of the logits' type). Now it holds the
 *      global max M of each row.
 *   3. swiftloss_vocab_parallel_stats_*(logits, ..., row_max, stats)
 *        stats: 3 * batch elements, [S | XT | SH] where for row n
 *          S[n]  = sum over the shard of exp(x_c - M[n])
 *          XT[n] = the target's logit x_t if this shard holds column t, else 0
 *          SH[n] = sum over the shard of weight[c] * (x_c - M[n]) if label_smoothing > 0, else 0
 *        (all three are 0 for an ignored row).
 *   4. all-reduce stats with SUM (3 * batch elements of the logits' type). Exactly one rank
 *      adds a nonzero XT[n], so XT becomes the target's logit exactly.
 *   5. swiftloss_vocab_parallel_loss_*(target, ..., row_max, stats, output): the loss, the same
 *      on every rank (the logits are not needed any more), and/or
 *      swiftloss_vocab_parallel_backward_*(logits, ..., row_max, stats, grad_output,
 *      grad_logits): the gradient of this rank's block. grad_logits may be the same pointer as
 *      logits (in place: the logits are overwritten by their gradient).
 * Every rank must pass the same batch, classes, target, weight, ignore_index, reduction and
 * label_smoothing, and the shards must tile [0, classes) (their shard_classes add up to
 * classes, without overlap; uneven splits and empty shards, shard_classes == 0, are fine).
 * The library cannot see the other ranks: it checks each call's own arguments (the shard lies
 * inside [0, classes), the targets are in range, ...) and the caller checks what spans ranks
 * before the first all-reduce (swiftloss.distributed all-reduces the metadata first).
 *
 * With L = log(S[n]) (computed in double, rounded to the logits' type), the loss of a counted
 * row with target t is cross_entropy's (see above):
 *   nll    = -weight[t] * ((XT[n] - M[n]) - L)
 *   smooth = L * W - SH[n]                    W = sum of the weights (classes without weight)
 *   loss   = (1 - eps) * nll + (eps / classes) * smooth
 * reduced as swiftloss_cross_entropy_* reduces ('mean' divides by the summed weight of the
 * counted targets, computed from target and weight on each rank; NaN when it is 0), and the
 * gradient is swiftloss_cross_entropy_backward_*'s restricted to the shard's columns, with
 * p_j = exp(x_j - M[n]) / S[n]. A row that is all -inf, or holds +inf or NaN, in any shard gives
 * NaN as in cross_entropy; -inf entries of a finite row give p = 0. A non-finite class weight
 * with label_smoothing > 0 gives NaN or inf where cross_entropy keeps the exact infinity.
 * Work splits into chunks of rows fixed by the sizes: results do not depend on the thread
 * count. The statistics are rounded to the logits' type, so the loss agrees with
 * swiftloss_cross_entropy_* on the gathered logits to the type's round-off, not bit for bit.
 *
 * Shapes: logits and grad_logits batch * shard_classes; row_max and target batch; stats
 * 3 * batch; weight NULL with weight_len 0, or weight_len == classes elements (the full weight,
 * indexed by global class); output and grad_output batch elements for NONE, else 1.
 * Aliasing: the outputs (row_max, stats, output, grad_logits) may overlap no input, except
 * grad_logits == logits.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW (also when batch * classes, the full
 * logits' element or byte count, does not fit a ptrdiff_t, though no rank holds them),
 * _ZERO_CLASSES, _WEIGHT_SIZE, _INVALID_REDUCTION (NONE, SUM and MEAN are valid), _TARGET_OUT_OF_BOUNDS,
 * _INVALID_LABEL_SMOOTHING, _OVERLAP, and _INVALID_ARGUMENT when vocab_start > classes or
 * vocab_start + shard_classes > classes.
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_max_f32(
    const float *logits, size_t batch, size_t shard_classes, float *row_max);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_max_f64(
    const double *logits, size_t batch, size_t shard_classes, double *row_max);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_stats_f32(
    const float *logits, size_t batch, size_t shard_classes, size_t vocab_start, size_t classes,
    const int64_t *target, const float *weight, size_t weight_len, int64_t ignore_index,
    double label_smoothing, const float *row_max, float *stats);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_stats_f64(
    const double *logits, size_t batch, size_t shard_classes, size_t vocab_start, size_t classes,
    const int64_t *target, const double *weight, size_t weight_len, int64_t ignore_index,
    double label_smoothing, const double *row_max, double *stats);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_loss_f32(
    const int64_t *target, size_t batch, size_t classes, const float *weight, size_t weight_len,
    int64_t ignore_index, int reduction, double label_smoothing, const float *row_max,
    const float *stats, float *output);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_loss_f64(
    const int64_t *target, size_t batch, size_t classes, const double *weight, size_t weight_len,
    int64_t ignore_index, int reduction, double label_smoothing, const double *row_max,
    const double *stats, double *output);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_backward_f32(
    const float *logits, size_t batch, size_t shard_classes, size_t vocab_start, size_t classes,
    const int64_t *target, const float *weight, size_t weight_len, int64_t ignore_index,
    int reduction, double label_smoothing, const float *row_max, const float *stats,
    const float *grad_output, float *grad_logits);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_backward_f64(
    const double *logits, size_t batch, size_t shard_classes, size_t vocab_start, size_t classes,
    const int64_t *target, const double *weight, size_t weight_len, int64_t ignore_index,
    int reduction, double label_smoothing, const double *row_max, const double *stats,
    const double *grad_output, double *grad_logits);

/* ==========================================================================================
 * Vocabulary-parallel linear_cross_entropy (a sharded LM head, tensor parallelism)
 *
 * The loss of linear_cross_entropy (class-index targets, no z_loss, no softcap) when the rows
 * of the head's (classes, hidden) weight are split over R ranks: rank r holds the
 * (shard_classes, hidden) rows [vocab_start, vocab_start + shard_classes) of linear_weight
 * and, optionally, the same slice of linear_bias; every rank holds the same (batch, hidden)
 * input, target and class weight. The loss is
 *     cross_entropy(input linear_weight^T + linear_bias, target, weight, ignore_index,
 *                   reduction, label_smoothing)
 * over the full weight, and the gradients are those of the input (all-reduced), of this rank's
 * weight rows and of its bias slice. No logits are ever held beyond a block of rows of the
 * shard's width (linear_cross_entropy's blocks and scratch limit, with shard_classes as the
 * class count).
 *
 * Protocol, on every rank, in this order (two all-reduces in the forward, one in the backward):
 *   1. swiftloss_vocab_parallel_linear_stats_*(input, ..., local_max, stats): one pass of the
 *      matrix product over the shard; per row n
 *        local_max[n] = the max of the shard's logits of row n (-inf for an empty shard)
 *        stats        = [S | XT | SH] as swiftloss_vocab_parallel_stats_* gives them, but
 *                       relative to local_max[n] instead of the global max (relative to 0
 *                       where local_max[n] is -inf: S[n] is 0 then).
 *   2. row_max = a copy of local_max; all-reduce row_max with MAX (batch elements). Keep
 *      local_max: step 3 needs both (passing the same buffer as both makes step 3 a no-op,
 *      which is right only on a single rank).
 *   3. swiftloss_vocab_parallel_rescale_*(local_max, ..., row_max, stats): stats relative to
 *      row_max, in place: for a counted row whose local max is not -inf, with
 *      d = row_max[n] - local_max[n], S[n] *= exp(-d) and (label_smoothing > 0)
 *      SH[n] -= d * W_shard, W_shard the sum of weight[vocab_start, vocab_start + shard_classes)
 *      (shard_classes without weight). XT, ignored rows and rows with local max -inf stay.
 *   4. all-reduce stats with SUM (3 * batch elements). They now mean exactly what step 4 of the
 *      logit-shard protocol above gives: swiftloss_vocab_parallel_loss_*(target, ..., row_max,
 *      stats, output) gives the loss, the same on every rank.
 *   5. swiftloss_vocab_parallel_linear_backward_*(input, ..., row_max, stats, grad_output,
 *      grad_input, grad_linear_weight, grad_linear_bias): the matrix product again, block by
 *      block, each block's logit gradient G as swiftloss_vocab_parallel_backward_* gives it, then
 *        grad_input         (batch x hidden)         = G linear_weight_shard: this rank's PART;
 *                                                      all-reduce it with SUM (batch * hidden)
 *        grad_linear_weight (shard_classes x hidden) = G^T input
 *        grad_linear_bias   (shard_classes)          = the column sums of G
 *      Each of the three may be NULL (not computed). With shard_classes == 0 grad_input is
 *      zeros; with batch == 0 the weight and bias gradients are zeros.
 * Every rank must pass the same batch, hidden, classes, input, target, weight, ignore_index,
 * reduction and label_smoothing, and the shards must tile [0, classes) (uneven splits and
 * empty shards are fine); as for the logit shards, the library checks each call's own
 * arguments and the caller what spans ranks (swiftloss.distributed.linear_cross_entropy
 * all-reduces the metadata first). z_loss and softcap are not available across ranks.
 * Special values: a row whose logits hold NaN or +inf in any shard, or are -inf in every shard,
 * gives NaN as in cross_entropy. Results do not depend on the thread count; the statistics are
 * rounded to the input's type after the rescale, so the loss agrees with
 * swiftloss_linear_cross_entropy_* on the full weight to the type's round-off.
 *
 * Shapes: input and grad_input batch * hidden; linear_weight and grad_linear_weight
 * shard_classes * hidden; linear_bias (NULL: no bias) and grad_linear_bias shard_classes;
 * target, local_max and row_max batch; stats 3 * batch; weight NULL with weight_len 0, or
 * weight_len == classes elements (the full weight); grad_output batch elements for NONE, else 1.
 * Aliasing: no output (local_max, stats, the gradients) may overlap an input or another output;
 * rescale's stats are read and written in place.
 *
 * Returns SWIFTLOSS_OK, _NULL_POINTER, _SIZE_OVERFLOW (also a block beyond linear_cross_entropy's
 * 256 MiB of scratch), _ZERO_CLASSES, _WEIGHT_SIZE, _INVALID_REDUCTION (NONE, SUM and MEAN are
 * valid), _TARGET_OUT_OF_BOUNDS, _INVALID_LABEL_SMOOTHING, _OVERLAP, and _INVALID_ARGUMENT when
 * vocab_start > classes or vocab_start + shard_classes > classes.
 * ========================================================================================== */

SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_linear_stats_f32(
    const float *input, size_t batch, size_t hidden, const float *linear_weight, const float *linear_bias,
    size_t shard_classes, size_t vocab_start, size_t classes, const int64_t *target, const float *weight,
    size_t weight_len, int64_t ignore_index, double label_smoothing, float *local_max, float *stats);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_linear_stats_f64(
    const double *input, size_t batch, size_t hidden, const double *linear_weight, const double *linear_bias,
    size_t shard_classes, size_t vocab_start, size_t classes, const int64_t *target, const double *weight,
    size_t weight_len, int64_t ignore_index, double label_smoothing, double *local_max, double *stats);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_rescale_f32(
    const float *local_max, size_t batch, size_t shard_classes, size_t vocab_start, size_t classes,
    const int64_t *target, const float *weight, size_t weight_len, int64_t ignore_index,
    double label_smoothing, const float *row_max, float *stats);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_rescale_f64(
    const double *local_max, size_t batch, size_t shard_classes, size_t vocab_start, size_t classes,
    const int64_t *target, const double *weight, size_t weight_len, int64_t ignore_index,
    double label_smoothing, const double *row_max, double *stats);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_linear_backward_f32(
    const float *input, size_t batch, size_t hidden, const float *linear_weight, const float *linear_bias,
    size_t shard_classes, size_t vocab_start, size_t classes, const int64_t *target, const float *weight,
    size_t weight_len, int64_t ignore_index, int reduction, double label_smoothing, const float *row_max,
    const float *stats, const float *grad_output, float *grad_input, float *grad_linear_weight,
    float *grad_linear_bias);
SWIFTLOSS_API swiftloss_status swiftloss_vocab_parallel_linear_backward_f64(
    const double *input, size_t batch, size_t hidden, const double *linear_weight, const double *linear_bias,
    size_t shard_classes, size_t vocab_start, size_t classes, const int64_t *target, const double *weight,
    size_t weight_len, int64_t ignore_index, int reduction, double label_smoothing, const double *row_max,
    const double *stats, const double *grad_output, double *grad_input, double *grad_linear_weight,
    double *grad_linear_bias);

#ifdef __cplusplus
}
#endif

#endif /* SWIFTLOSS_H */
