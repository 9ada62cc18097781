/// The packed GEMM's kernels built for AVX-512 (Skylake-SP, Zen 4 and later): the core's
/// GemmKernel.swift (a symbolic link) compiled with -target-cpu skylake-avx512, on vectors of
/// 512 bits, so the micro-kernel is 6 x 32 floats (6 x 16 doubles) in twelve ZMM registers.
/// Every element's sum runs in the same order as in the AVX2 build's kernel (blocks of kc
/// terms, each in order with fused multiply-adds), so the products are bitwise the same.
///
/// Not API: libswiftloss.so's dispatch installs `gemmRangeF32` / `gemmRangeF64` into the AVX2
/// build's `gemm` when the CPU and the OS support AVX-512 (F, CD, DQ, BW, VL and the ZMM state);
/// nothing else may call them.

/// The scalar types of the kernels, each with its vector: what GemmKernel.swift needs of the
/// core's `LossFloat`.
@usableFromInline protocol LossFloat: BinaryFloatingPoint, SIMDScalar {
    associatedtype Vector: SIMD where Vector.Scalar == Self
}

extension Float: LossFloat {
    @usableFromInline typealias Vector = SIMD16<Float>
}

extension Double: LossFloat {
    @usableFromInline typealias Vector = SIMD8<Double>
}

/// `c + a * b`, fused (vfmadd231ps / pd).
@inlinable @inline(__always)
func mulAdd<V: SIMD>(_ a: V, _ b: V, _ c: V) -> V where V.Scalar: FloatingPoint {
    c.addingProduct(a, b)
}

/// The micro-kernel's columns (NR): 32 for float32, 16 for float64.
public let gemmColumnsF32 = gemmNR(Float.self)
public let gemmColumnsF64 = gemmNR(Double.self)

/// One thread's part of a float32 product (the core's `gemmRange`, see Gemm.swift).
public func gemmRangeF32(_ transA: Bool, _ transB: Bool, _ rows: Range<Int>, _ columns: Range<Int>, _ k: Int,
                         _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                         _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool) {
    gemmRange(transA: transA, transB: transB, rows: rows, columns: columns, k: k, a: a, lda: lda, b: b, ldb: ldb,
              c: c, ldc: ldc, accumulate: accumulate)
}

/// One thread's part of a float64 product.
public func gemmRangeF64(_ transA: Bool, _ transB: Bool, _ rows: Range<Int>, _ columns: Range<Int>, _ k: Int,
                         _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
                         _ c: UnsafeMutablePointer<Double>, _ ldc: Int, _ accumulate: Bool) {
    gemmRange(transA: transA, transB: transB, rows: rows, columns: columns, k: k, a: a, lda: lda, b: b, ldb: ldb,
              c: c, ldc: ldc, accumulate: accumulate)
}
