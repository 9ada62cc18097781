#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CCPUFeatures
import SwiftLossEntriesAVX2
import SwiftLossGemmAVX512

/// The kernels the first call picked (SWIFTLOSS_ISA, read once, may ask for less):
/// - baseline: the CPU lacks AVX2 (or its OS the YMM state), or SWIFTLOSS_ISA=baseline;
/// - avx2: the AVX2 build, checked with cpuid and xgetbv in CCPUFeatures;
/// - avx512: the AVX2 build whose GEMM (gemm, linear_cross_entropy) runs the AVX-512 kernels of
///   SwiftLossGemmAVX512, when the CPU has AVX-512 F/CD/DQ/BW/VL and the OS the ZMM state, unless
///   SWIFTLOSS_ISA=avx2.
/// The baseline and AVX2 builds compute the same operations in the same order; the AVX2 build
/// fuses the multiply-adds of exp and log, so they agree to a few ULP (Tests/c/run.sh compares
/// them). The AVX-512 GEMM gives the AVX2 GEMM's bits (the same sums in the same order).
enum Kernels {
    case baseline, avx2, avx512
}

let kernels: Kernels = {
    let asked = getenv("SWIFTLOSS_ISA").map { String(cString: $0) }
    if asked == "baseline" || swiftloss_internal_cpu_has_avx2() == 0 { return .baseline }
    if asked == "avx2" || swiftloss_internal_cpu_has_avx512() == 0 { return .avx2 }
    SwiftLossEntriesAVX2._installGemmWideKernels(SwiftLossEntriesAVX2._GemmWideKernels(
        f32: SwiftLossGemmAVX512.gemmRangeF32, columns32: SwiftLossGemmAVX512.gemmColumnsF32,
        f64: SwiftLossGemmAVX512.gemmRangeF64, columns64: SwiftLossGemmAVX512.gemmColumnsF64))
    return .avx512
}()

/// Whether the exports call the AVX2 build (see `kernels`).
var useAVX2: Bool { kernels != .baseline }

/// The kernels' name (a string literal: static storage).
@_cdecl("swiftloss_kernels_string")
public func swiftloss_kernels_string() -> UnsafePointer<CChar> {
    let name: StaticString
    switch kernels {
    case .baseline: name = "baseline"
    case .avx2: name = "avx2"
    case .avx512: name = "avx2+avx512-gemm"
    }
    return UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
}
