/* isa_dump.c - writes the main kernels' outputs on fixed inputs to stdout, each output as a
 * segment: one type byte ('f' float32, 'd' float64), the element count (uint64, native order),
 * then the raw elements. run.sh runs it with the dispatch free and with SWIFTLOSS_ISA=baseline
 * and compares the two dumps with compare_dumps.py: the AVX2 build (FMA) and the baseline
 * build must agree to a few ULP; two runs of the same build must agree bit for bit. */
#include <stdio.h>
#include <stdlib.h>
#include <swiftloss.h>

#define N 37
#define C 1003
#define D 13

static void segment(char type, const void *p, size_t bytes)
{
    uint64_t count = bytes / (type == 'f' ? sizeof(float) : sizeof(double));
    fwrite(&type, 1, 1, stdout);
    fwrite(&count, sizeof count, 1, stdout);
    fwrite(p, 1, bytes, stdout);
}
#define dump(p, bytes) segment(_Generic(*(p), float: 'f', double: 'd'), (p), (bytes))

int main(void)
{
    static float xf[N * C * D], gf[N * C * D], wf[C];
    static double xd[N * C * D], gd[N * C * D];
    static int64_t t[N * D];
    float lf[N * D];
    double ld[N * D];
    size_t i;
    int ok = 1;

    for (i = 0; i < N * C * D; i++) {
        xf[i] = (float)((i * 2654435761u) % 20011) / 1000.0f - 10.0f;
        xd[i] = xf[i] * 1.000001;
    }
    for (i = 0; i < C; i++) wf[i] = 0.5f + (float)(i % 7) / 4.0f;
    for (i = 0; i < N * D; i++) t[i] = (i % 11 == 3) ? -100 : (int64_t)((i * 40503u) % C);

    /* rows (inner 1) and the (N, C, d) layout, float32 and float64, forward and fused */
    ok &= swiftloss_log_softmax_f32(xf, N, C, D, gf) == SWIFTLOSS_OK; dump(gf, sizeof gf);
    ok &= swiftloss_softmax_f32(xf, N * D, C, 1, gf) == SWIFTLOSS_OK; dump(gf, sizeof gf);
    ok &= swiftloss_softmax_f64(xd, N, C, D, gd) == SWIFTLOSS_OK; dump(gd, sizeof gd);
    ok &= swiftloss_cross_entropy_f32(xf, t, N, C, D, wf, C, -100, SWIFTLOSS_REDUCTION_NONE, 0.1, lf) == SWIFTLOSS_OK; dump(lf, sizeof lf);
    ok &= swiftloss_cross_entropy_fused_f32(xf, t, N * D, C, 1, NULL, 0, -100, SWIFTLOSS_REDUCTION_MEAN, 0.2, NULL, lf, gf) == SWIFTLOSS_OK; dump(lf, sizeof *lf); dump(gf, sizeof gf);
    ok &= swiftloss_cross_entropy_fused_f64(xd, t, N, C, D, NULL, 0, -100, SWIFTLOSS_REDUCTION_NONE, 0.0, NULL, ld, gd) == SWIFTLOSS_OK; dump(ld, sizeof ld); dump(gd, sizeof gd);
    ok &= swiftloss_binary_cross_entropy_with_logits_f32(xf, gf, N * C * D, wf, C, NULL, 0, SWIFTLOSS_REDUCTION_SUM, lf) == SWIFTLOSS_OK; dump(lf, sizeof *lf);
    if (!ok) { fprintf(stderr, "isa_dump: a call failed\n"); return 1; }
    return 0;
}
