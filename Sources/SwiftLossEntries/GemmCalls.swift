#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

/// The elements a row-major matrix of `rows` rows of `width` elements, `ld` apart, spans:
/// `(rows - 1) * ld + width`, none when either is 0. `ld` below `width` is refused.
func matrixSpan<T>(rows: Int, width: Int, ld: Int, of _: T.Type) throws -> Int {
    guard ld >= width else { throw Failure(status: .invalidArgument) }
    if rows == 0 || width == 0 { return 0 }
    let (r, o1) = (rows &- 1).multipliedReportingOverflow(by: ld)
    let (span, o2) = r.addingReportingOverflow(width)
    guard !o1, !o2 else { throw LossError.sizeOverflow }
    return try elementCount(span, of: T.self)
}

/// gemm: `c = (accumulate ? c : 0) + opA(a) opB(b)` (see `gemm` in the core), every size,
/// stride, flag and buffer checked first.
func gemmCall<T: LossFloat>(
    _ transA: Int32, _ transB: Int32, _ m: UInt, _ n: UInt, _ k: UInt, _ a: UnsafePointer<T>?, _ lda: UInt,
    _ b: UnsafePointer<T>?, _ ldb: UInt, _ c: UnsafeMutablePointer<T>?, _ ldc: UInt, _ accumulate: Int32
) -> Int32 {
    status {
        let ta = try flag(transA), tb = try flag(transB), acc = try flag(accumulate)
        let rows = try size(m), columns = try size(n), depth = try size(k)
        let la = try size(lda), lb = try size(ldb), lc = try size(ldc)
        let aSpan = ta ? try matrixSpan(rows: depth, width: rows, ld: la, of: T.self)
                       : try matrixSpan(rows: rows, width: depth, ld: la, of: T.self)
        let bSpan = tb ? try matrixSpan(rows: columns, width: depth, ld: lb, of: T.self)
                       : try matrixSpan(rows: depth, width: columns, ld: lb, of: T.self)
        let cSpan = try matrixSpan(rows: rows, width: columns, ld: lc, of: T.self)
        let x = try inputBuffer(a, aSpan), y = try inputBuffer(b, bSpan)
        let z = try outputBuffer(c, cSpan)
        try requireDisjoint(z, x)
        try requireDisjoint(z, y)
        // An empty c (m or n is 0) is nothing to compute, whatever the pointers (c may be set
        // while a is NULL: m = n = 0 beside k > 0 once trapped on a NULL a here).
        guard rows > 0, columns > 0, let out = z.baseAddress else { return }
        if depth == 0 {
            gemm(transA: ta, transB: tb, m: rows, n: columns, k: 0, a: UnsafePointer(out), lda: la,
                 b: UnsafePointer(out), ldb: lb, c: out, ldc: lc, accumulate: acc)
            return
        }
        // m, n, k > 0: both spans are non-empty, so inputBuffer has refused NULL pointers.
        guard let pa = x.baseAddress, let pb = y.baseAddress else { return }
        gemm(transA: ta, transB: tb, m: rows, n: columns, k: depth, a: pa, lda: la, b: pb, ldb: lb,
             c: out, ldc: lc, accumulate: acc)
    }
}
