/*
 * Article A with libswiftloss from C: softmax, log_softmax, nll_loss, cross_entropy and
 * label smoothing of two samples over four classes.
 *
 *   cc articles.c $(pkg-config --cflags --libs swiftloss) -o articles && ./articles
 *
 * (after installing swiftloss: make install PREFIX=...; the .pc file's Libs carry an rpath,
 * so ./articles runs without LD_LIBRARY_PATH.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <swiftloss.h>

#define N 2 /* samples */
#define C 4 /* classes */

/* Stops the program with the library's description of a failed status. */
static void check(swiftloss_status status, const char *what)
{
    if (status != SWIFTLOSS_OK) {
        fprintf(stderr, "%s: %s\n", what, swiftloss_status_string(status));
        exit(1);
    }
}

static void print_rows(const char *title, const float *x)
{
    printf("%s:\n", title);
    for (int n = 0; n < N; n++) {
        printf("  [");
        for (int c = 0; c < C; c++) {
            printf("%s%.6f", c ? ", " : "", (double)x[n * C + c]);
        }
        printf("]\n");
    }
}

int main(void)
{
    const float preds[N * C] = {0.1f, 0.2f, 0.3f, 0.4f, 0.1f, 0.1f, 0.1f, 0.1f};
    const int64_t target[N] = {2, 3};
    float probs[N * C], logp[N * C], nll, ce, ce_smooth;

    if (swiftloss_version_number() != SWIFTLOSS_VERSION_NUMBER) {
        fprintf(stderr, "header %s but library %s\n", SWIFTLOSS_VERSION_STRING,
                swiftloss_version_string());
        return 1;
    }
    printf("swiftloss %s, article A (C)\n", swiftloss_version_string());

    /* softmax / log_softmax over dim 1 of a (2, 4) array: outer 2, dim 4, inner 1. */
    check(swiftloss_softmax_f32(preds, N, C, 1, probs), "softmax");
    check(swiftloss_log_softmax_f32(preds, N, C, 1, logp), "log_softmax");
    print_rows("softmax(preds, dim=1)", probs);
    print_rows("log_softmax(preds, dim=1)", logp);

    /* Losses: batch 2, classes 4, inner 1, no class weights, ignore_index -100, 'mean'. */
    check(swiftloss_nll_loss_f32(logp, target, N, C, 1, NULL, 0, -100,
                                 SWIFTLOSS_REDUCTION_MEAN, &nll), "nll_loss");
    check(swiftloss_cross_entropy_f32(preds, target, N, C, 1, NULL, 0, -100,
                                      SWIFTLOSS_REDUCTION_MEAN, 0.0, &ce), "cross_entropy");
    check(swiftloss_cross_entropy_f32(preds, target, N, C, 1, NULL, 0, -100,
                                      SWIFTLOSS_REDUCTION_MEAN, 0.1, &ce_smooth), "cross_entropy");
    printf("nll_loss(log_softmax(preds), target) = %.6f\n", (double)nll);
    printf("cross_entropy(preds, target) = %.6f\n", (double)ce);
    printf("cross_entropy(preds, target, label_smoothing=0.1) = %.6f\n", (double)ce_smooth);
    return 0;
}
