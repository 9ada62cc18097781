/* isa_dump.c - writes the main kernels' outputs on fixed inputs to stdout, each output as a
 * segment: one type byte ('f' float32, 'd' float64), the element count (uint64, native order),
 * then the raw elements. run.sh runs it with the dispatch free and with SWIFTLOSS_ISA=baseline
 * and compares the dumps with compare_dumps.py: the AVX2 build (FMA) and the baseline build
 * must agree to a few ULP; two runs of the same build bit for bit. With --gemm it dumps the
 * GEMM's outputs instead, which run.sh compares with SWIFTLOSS_ISA=avx2's (the AVX-512 GEMM,
 * where the CPU has it, gives the AVX2 GEMM's bits) and the baseline's (to 64 ULP);
 * --kernels prints swiftloss_kernels_string(). */
#include <stdio.h>
#include <string.h>
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

int main(int argc, char **argv)
{
    static float xf[N * C * D], gf[N * C * D], wf[C];
    static double xd[N * C * D], gd[N * C * D];
    static int64_t t[N * D];
    float lf[N * D];
    double ld[N * D];
    size_t i;
    int ok = 1, gemm_only;

    if (argc > 1 && strcmp(argv[1], "--kernels") == 0) { /* the build the dispatch picks */
        puts(swiftloss_kernels_string());
        return 0;
    }
    gemm_only = argc > 1 && strcmp(argv[1], "--gemm") == 0;

    for (i = 0; i < N * C * D; i++) {
        xf[i] = (float)((i * 2654435761u) % 20011) / 1000.0f - 10.0f;
        xd[i] = xf[i] * 1.000001;
    }
    for (i = 0; i < C; i++) wf[i] = 0.5f + (float)(i % 7) / 4.0f;
    for (i = 0; i < N * D; i++) t[i] = (i % 11 == 3) ? -100 : (int64_t)((i * 40503u) % C);

    if (!gemm_only) {
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
    /* --gemm: gemm, every transpose, sizes off the micro-kernel's tiles (the AVX-512 kernels
     * where the CPU has them: the same bits as the AVX2 build's), and linear_cross_entropy with
     * its gradients, on the first elements of the logits as operands. Apart from the rest: their
     * sums of many products differ more between the FMA and the baseline builds. */
    {
        enum { M = 37, NN = 83, K = 61, H = 29, V = 101 };
        static float cf[M * NN], gxf[N * H], gwf[V * H], gbf[V];
        static double cd[M * NN], gxd[N * H], gwd[V * H], gbd[V];
        int ta, tb;
        for (ta = 0; ta < 2; ta++)
            for (tb = 0; tb < 2; tb++) {
                ok &= swiftloss_gemm_f32(ta, tb, M, NN, K, xf, ta ? M : K, xf + M * K, tb ? K : NN, cf, NN, 0) == SWIFTLOSS_OK; dump(cf, sizeof cf);
                ok &= swiftloss_gemm_f64(ta, tb, M, NN, K, xd, ta ? M : K, xd + M * K, tb ? K : NN, cd, NN, 0) == SWIFTLOSS_OK; dump(cd, sizeof cd);
            }
        for (i = 0; i < N; i++) t[i] = (int64_t)((i * 40503u) % V);
        for (i = 0; i < N * H; i++) { xf[i] /= 8; xd[i] /= 8; }
        ok &= swiftloss_linear_cross_entropy_f32(xf, xf + N * H, xf + N * H + V * H, t, N, H, V, NULL, 0, -100,
                                                 SWIFTLOSS_REDUCTION_MEAN, 0.1, 0.0, 0.0, NULL, lf, NULL, gxf, gwf, gbf) == SWIFTLOSS_OK;
        dump(lf, sizeof *lf); dump(gxf, sizeof gxf); dump(gwf, sizeof gwf); dump(gbf, sizeof gbf);
        ok &= swiftloss_linear_cross_entropy_f64(xd, xd + N * H, xd + N * H + V * H, t, N, H, V, NULL, 0, -100,
                                                 SWIFTLOSS_REDUCTION_SUM, 0.0, 1e-3, 0.0, NULL, ld, NULL, gxd, gwd, gbd) == SWIFTLOSS_OK;
        dump(ld, sizeof *ld); dump(gxd, sizeof gxd); dump(gwd, sizeof gwd); dump(gbd, sizeof gbd);
    }
    if (!ok) { fprintf(stderr, "isa_dump: a call failed\n"); return 1; }
    return 0;
}
