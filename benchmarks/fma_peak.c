/* The machine's FMA peak, for bench.py --cases gemm: each thread runs independent chains of
 * vfmadd231ps (float32) or vfmadd231pd (float64) on registers, enough of them (12) to cover
 * the instruction's latency on two FMA pipes, and reports GFLOP/s (2 flops a lane a FMA): on
 * YMM registers (AVX2), and on ZMM registers (AVX-512) when the CPU has AVX-512F (on some CPUs
 * twice the AVX2 peak, on others the same: Zen 4 splits a 512-bit FMA in two).
 * Compiled at run time: cc -O2 -mavx2 -mfma -pthread fma_peak.c -o fma_peak
 * Usage: fma_peak THREADS SECONDS   prints "f32 GFLOPS" and "f64 GFLOPS" for that many threads,
 * then "f32_avx512 GFLOPS" and "f64_avx512 GFLOPS" where the CPU has AVX-512F. */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

enum { ITER = 1 << 20 };
static double seconds;

#define CHAINS(T, SET, FMA, STORE, LANES)                                                   \
    /* Twelve different starting values: with equal ones the compiler merges the twelve      \
     * identical chains into one (GCC did), and the rate counted is latency-bound, not the   \
     * peak (the first versions of this file reported 3 FMAs a cycle that way). */          \
    T c0 = SET(1.00), c1 = SET(1.01), c2 = SET(1.02), c3 = SET(1.03), c4 = SET(1.04);       \
    T c5 = SET(1.05), c6 = SET(1.06), c7 = SET(1.07), c8 = SET(1.08), c9 = SET(1.09);       \
    T c10 = SET(1.10), c11 = SET(1.11);                                                     \
    T x = SET(0.999999), y = SET(1e-7);                                                     \
    long rounds = 0;                                                                        \
    double start = now();                                                                   \
    do {                                                                                    \
        for (int i = 0; i < ITER; i++) {                                                    \
            c0 = FMA(c0, x, y); c1 = FMA(c1, x, y); c2 = FMA(c2, x, y); c3 = FMA(c3, x, y); \
            c4 = FMA(c4, x, y); c5 = FMA(c5, x, y); c6 = FMA(c6, x, y); c7 = FMA(c7, x, y); \
            c8 = FMA(c8, x, y); c9 = FMA(c9, x, y); c10 = FMA(c10, x, y); c11 = FMA(c11, x, y); \
        }                                                                                   \
        rounds++;                                                                           \
    } while (now() - start < seconds);                                                      \
    double elapsed = now() - start;                                                         \
    T sum = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;                    \
    volatile float sink = (float)STORE(sum);                                                \
    (void)sink;                                                                             \
    return 12.0 * 2 * LANES * (double)ITER * rounds / elapsed;

static float first_ps(__m256 v) { return _mm256_cvtss_f32(v); }
static double first_pd(__m256d v) { return _mm256_cvtsd_f64(v); }

static double run_f32(void) { CHAINS(__m256, _mm256_set1_ps, _mm256_fmadd_ps, first_ps, 8) }
static double run_f64(void) { CHAINS(__m256d, _mm256_set1_pd, _mm256_fmadd_pd, first_pd, 4) }

#define AVX512 __attribute__((target("avx512f")))
AVX512 static float first_ps512(__m512 v) { return _mm512_cvtss_f32(v); }
AVX512 static double first_pd512(__m512d v) { return _mm512_cvtsd_f64(v); }
AVX512 static double run_f32_512(void) { CHAINS(__m512, _mm512_set1_ps, _mm512_fmadd_ps, first_ps512, 16) }
AVX512 static double run_f64_512(void) { CHAINS(__m512d, _mm512_set1_pd, _mm512_fmadd_pd, first_pd512, 8) }

static double rates[256];
static int use_f64, use_512;

static void *worker(void *arg) {
    long i = (long)arg;
    rates[i] = use_512 ? (use_f64 ? run_f64_512() : run_f32_512()) : (use_f64 ? run_f64() : run_f32());
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    seconds = argc > 2 ? atof(argv[2]) : 0.5;
    if (threads < 1 || threads > 256) return 2;
    __builtin_cpu_init();
    for (int variant = 0; variant < (__builtin_cpu_supports("avx512f") ? 4 : 2); variant++) {
        use_f64 = variant & 1;
        use_512 = variant >> 1;
        pthread_t tid[256];
        for (long i = 0; i < threads; i++) pthread_create(&tid[i], NULL, worker, (void *)i);
        double total = 0;
        for (long i = 0; i < threads; i++) {
            pthread_join(tid[i], NULL);
            total += rates[i];
        }
        printf("%s%s %.2f\n", use_f64 ? "f64" : "f32", use_512 ? "_avx512" : "", total / 1e9);
    }
    return 0;
}
