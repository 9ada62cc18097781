/// General matrix multiplication, in the BLIS style: no BLAS.
///
/// `C = (accumulate ? C : 0) + op(A) op(B)`, row-major with element strides. The operands are
/// copied ("packed") block by block into contiguous micro-panels, the transposes handled by the
/// packing:
///
///     for each column block of C (nc columns):
///       for each superblock of the sum (as many blocks of kc terms as fit in 4 MB of B):
///         pack B's part into panels of NR columns, block by block (L3; one panel, kc x NR,
///         stays in L1 while it is used)
///         for each row block of C (mc rows; the mc x nc block of C stays in cache):
///           for each block of the sum (kc terms) in the superblock:
///             pack A's mc x kc block into panels of MR rows (L2)
///             for each panel of B, for each panel of A: the MR x NR micro-kernel
///
/// The micro-kernel keeps an MR x NR tile of C in twelve vector registers (MR = 6 rows of two
/// vectors: 6 x 16 floats, 6 x 8 doubles) and adds one rank-1 product a step: two vector loads
/// of B, six broadcasts of A, twelve fused multiply-adds on the AVX2 build. Edge tiles are
/// computed on zero-padded panels into a local tile, of which the valid part is written.
///
/// Every element of C is the same sum whatever the threads: the terms of each block of `kc`
/// are added in order into a register (from 0), and the blocks' sums are added to C one after
/// the other in block order. Threads take whole column (or row) ranges of C, whose bounds
/// depend on the sizes only, so the result is bitwise independent of the thread count.

/// Not API: a build of `gemmRange` for wider vectors (the AVX-512 one in libswiftloss.so,
/// module SwiftLossGemmAVX512), installed by the library's dispatch when the CPU has them.
/// Its micro-kernel is the same 6 x (two vectors) tile with every element's sum in the same
/// order (blocks of `gemmKC` terms, each in order from 0 with fused multiply-adds), so `gemm`
/// gives the same bits with it as without it.
public struct _GemmWideKernels: Sendable {
    public typealias Range32 = @Sendable (Bool, Bool, Range<Int>, Range<Int>, Int, UnsafePointer<Float>, Int,
                                          UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Bool) -> Void
    public typealias Range64 = @Sendable (Bool, Bool, Range<Int>, Range<Int>, Int, UnsafePointer<Double>, Int,
                                          UnsafePointer<Double>, Int, UnsafeMutablePointer<Double>, Int, Bool) -> Void
    @usableFromInline let f32: Range32
    @usableFromInline let f64: Range64
    /// The micro-kernel's columns: NR for float32 and for float64.
    @usableFromInline let columns32: Int, columns64: Int

    public init(f32: @escaping Range32, columns32: Int, f64: @escaping Range64, columns64: Int) {
        self.f32 = f32
        self.f64 = f64
        self.columns32 = columns32
        self.columns64 = columns64
    }

    @inlinable @inline(__always)
    func columns<T: LossFloat>(_: T.Type) -> Int { MemoryLayout<T>.size == 4 ? columns32 : columns64 }

    /// `gemmRange` on the wide kernels.
    @inlinable
    func range<T: LossFloat>(transA: Bool, transB: Bool, rows: Range<Int>, columns: Range<Int>, k: Int,
                             a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                             c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool) {
        @inline(__always) func cast<U>(_ p: UnsafePointer<T>, _: U.Type) -> UnsafePointer<U> {
            UnsafeRawPointer(p).assumingMemoryBound(to: U.self)
        }
        let raw = UnsafeMutableRawPointer(c)
        if MemoryLayout<T>.size == 4 {
            f32(transA, transB, rows, columns, k, cast(a, Float.self), lda, cast(b, Float.self), ldb,
                raw.assumingMemoryBound(to: Float.self), ldc, accumulate)
        } else {
            f64(transA, transB, rows, columns, k, cast(a, Double.self), lda, cast(b, Double.self), ldb,
                raw.assumingMemoryBound(to: Double.self), ldc, accumulate)
        }
    }
}

/// The installed wide kernels, if any (set once, before the first call that can use them).
@usableFromInline nonisolated(unsafe) var gemmWideKernels: _GemmWideKernels?

/// Not API: installs the wide kernels `gemm` uses from then on (nil: its own). Called by
/// libswiftloss.so's dispatch before any entry point runs; not thread-safe against calls of
/// `gemm` in flight.
public func _installGemmWideKernels(_ kernels: _GemmWideKernels?) {
    gemmWideKernels = kernels
}

/// `c[i*ldc + j] = (accumulate ? c[i*ldc + j] : 0) + sum_{p < k} opA(i, p) * opB(p, j)` for
/// `i < m`, `j < n`, with `opA(i, p) = transA ? a[p*lda + i] : a[i*lda + p]` and
/// `opB(p, j) = transB ? b[j*ldb + p] : b[p*ldb + j]` (row-major, element strides).
///
/// Runs on the library's worker pool; the sum over `p` is in a fixed order (blocks of `kc`
/// terms, each summed in order and added to C in block order), so the result does not depend
/// on the thread count. `m`, `n` or `k` may be 0 (`k == 0`: `c = accumulate ? c : 0`).
/// Nothing is checked: the caller guarantees sizes, strides (`lda` at least the row width of
/// the stored A, and so on) and buffers, and that C overlaps neither A nor B.
@inlinable
public func gemm<T: LossFloat>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                               a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                               c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool) {
    if m <= 0 || n <= 0 { return }
    if k <= 0 {
        if !accumulate {
            for i in 0..<m { (c + i &* ldc).update(repeating: 0, count: n) }
        }
        return
    }
    let wide = gemmWideKernels
    let mr = gemmMR, nr = wide.map { $0.columns(T.self) } ?? gemmNR(T.self)
    // Threads take ranges of the longer side of C: columns in multiples of NR, rows in
    // multiples of MR, about an eighth of the side each (at least 256 columns or 96 rows, so
    // that the operand packed again for each range stays a small part of the work).
    let splitColumns = n >= m
    let side = splitColumns ? n : m, unit = splitColumns ? nr : mr
    let least = splitColumns ? 256 : 96
    var step = max((side &+ 7) / 8, least)
    step = (step &+ unit &- 1) / unit &* unit
    let chunks = (side &+ step &- 1) / step
    // Multiply-adds, saturated (the pool only compares it with its threshold).
    let (mn, o1) = m.multipliedReportingOverflow(by: n)
    let (work, o2) = mn.multipliedReportingOverflow(by: k)
    _ = sumOverChunks(chunks, work: o1 || o2 ? Int.max : work) { chunk in
        let low = chunk &* step, high = min(low &+ step, side)
        let rows = splitColumns ? 0..<m : low..<high, columns = splitColumns ? low..<high : 0..<n
        if let wide {
            wide.range(transA: transA, transB: transB, rows: rows, columns: columns, k: k,
                       a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
        } else {
            gemmRange(transA: transA, transB: transB, rows: rows, columns: columns, k: k,
                      a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
        }
        return SIMD2()
    }
}
