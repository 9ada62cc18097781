#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CCPUFeatures

/// Whether the exports call the AVX2 build: the CPU has AVX2 and the OS saves the YMM
/// registers (checked with cpuid and xgetbv in CCPUFeatures), unless the environment variable
/// SWIFTLOSS_ISA is "baseline" (read once, at the first call). Both builds compute the same
/// operations in the same order; the AVX2 build fuses the multiply-adds of exp and log, so the
/// results agree to a few ULP (Tests/c/run.sh compares them).
let useAVX2: Bool = {
    if let s = getenv("SWIFTLOSS_ISA"), String(cString: s) == "baseline" { return false }
    return swiftloss_internal_cpu_has_avx2() != 0
}()
