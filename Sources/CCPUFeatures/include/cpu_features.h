/* CPU feature detection for libswiftloss's dispatch (internal; not part of the C API). */
#ifndef SWIFTLOSS_CPU_FEATURES_H
#define SWIFTLOSS_CPU_FEATURES_H

/* 1 when the CPU supports AVX2 and the OS has enabled the YMM state (XCR0), else 0.
 * Always 0 outside x86-64. Hidden: libswiftloss.so exports only the documented API. */
__attribute__((visibility("hidden"))) int swiftloss_internal_cpu_has_avx2(void);

/* 1 when the CPU supports AVX-512 F, CD, DQ, BW and VL (the skylake-avx512 target's set: every
 * AVX-512 CPU from Skylake-SP and Zen 4 on), AVX2 and FMA, and the OS has enabled the opmask
 * and ZMM state, else 0. Always 0 outside x86-64. */
__attribute__((visibility("hidden"))) int swiftloss_internal_cpu_has_avx512(void);

#endif
