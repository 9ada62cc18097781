/* CPU feature detection for libswiftloss's dispatch: cpuid and xgetbv, as zstd and
 * libdeflate do it. */
#include "cpu_features.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>

int swiftloss_internal_cpu_has_avx2(void)
{
    unsigned int eax, ebx, ecx, edx, xcr0_lo, xcr0_hi;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return 0;
    /* OSXSAVE (27) and AVX (28): the OS may enable the YMM state, the CPU has AVX. */
    if (!(ecx & (1u << 27)) || !(ecx & (1u << 28)))
        return 0;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 6u) != 6u) /* XMM and YMM state enabled */
        return 0;
    if (__get_cpuid_max(0, 0) < 7)
        return 0;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx & (1u << 5)) ? 1 : 0; /* AVX2 */
}

int swiftloss_internal_cpu_has_avx512(void)
{
    unsigned int eax, ebx, ecx, edx, xcr0_lo, xcr0_hi;
    const unsigned int need7 = (1u << 5) | (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31);
    if (!swiftloss_internal_cpu_has_avx2())
        return 0;
    __cpuid(1, eax, ebx, ecx, edx);
    if (!(ecx & (1u << 12))) /* FMA */
        return 0;
    /* XMM, YMM, opmask, ZMM_Hi256 and Hi16_ZMM state enabled. */
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 0xe6u) != 0xe6u)
        return 0;
    /* AVX2 (5), AVX512F (16), DQ (17), CD (28), BW (30), VL (31). */
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    return (ebx & need7) == need7 ? 1 : 0;
}
#else
int swiftloss_internal_cpu_has_avx2(void)
{
    return 0;
}

int swiftloss_internal_cpu_has_avx512(void)
{
    return 0;
}
#endif
