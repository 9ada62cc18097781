#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

/// The sizes of an embedding loss call (cosine_embedding_loss, triplet_margin_loss): `batch`
/// rows of `dim` elements, checked; its methods turn the caller's pointers into buffers of
/// exactly the documented sizes (NULL only when empty).
struct RowsCall<T: LossFloat> {
    let batch: Int
    let dim: Int
    /// `batch * dim`: the elements of each learned input.
    let count: Int
    let reduction: Reduction

    init(_ batch: UInt, _ dim: UInt, _ reductionCode: Int32) throws {
        self.batch = try size(batch)
        self.dim = try size(dim)
        count = try elementCount(self.batch, self.dim, of: T.self)
        _ = try elementCount(self.batch, of: T.self)  // the 'none' output, even when dim is 0
        reduction = try parseReduction(reductionCode)
    }

    /// Elements of a loss output or upstream gradient: `batch` for `.none`, else 1.
    var reducedCount: Int { reduction.outputCount(for: batch) }

    func rows(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, count) }
    func perRow(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, batch) }

    /// An optional gradient buffer: nil when NULL (not computed), else `count` elements.
    func gradient(_ p: UnsafeMutablePointer<T>?) -> UnsafeMutableBufferPointer<T>? {
        p.map { UnsafeMutableBufferPointer(start: $0, count: count) }
    }
}

/// An embedding loss call, forward or backward: `a` and `b` of `batch * dim` elements, `c` of
/// `batch` (cosine's target, `cPerRow`) or `batch * dim` (triplet's negative). Forward
/// (`gradOutput` unused): `outputs.0` is the loss output. Backward: `gradOutput` the upstream
/// gradient and `outputs` the optional gradient buffers of the learned inputs (`outputs.2` NULL
/// for cosine), none overlapping an input, the upstream gradient or another. Checks sizes,
/// pointers and overlaps, then runs `body`.
func rowsCall<T: LossFloat>(
    _ a: UnsafePointer<T>?, _ b: UnsafePointer<T>?, _ c: UnsafePointer<T>?, cPerRow: Bool, _ batch: UInt,
    _ dim: UInt, _ reduction: Int32, backward: Bool, _ gradOutput: UnsafePointer<T>?,
    _ outputs: (UnsafeMutablePointer<T>?, UnsafeMutablePointer<T>?, UnsafeMutablePointer<T>?),
    _ body: (UnsafeBufferPointer<T>, UnsafeBufferPointer<T>, UnsafeBufferPointer<T>, RowsCall<T>,
             UnsafeBufferPointer<T>, UnsafeMutableBufferPointer<T>?, UnsafeMutableBufferPointer<T>?,
             UnsafeMutableBufferPointer<T>?) throws(LossError) -> Void
) -> Int32 {
    status {
        let call = try RowsCall<T>(batch, dim, reduction)
        let x = try call.rows(a), y = try call.rows(b), z = cPerRow ? try call.perRow(c) : try call.rows(c)
        guard backward else {
            let out = try outputBuffer(outputs.0, call.reducedCount)
            try requireDisjoint(out, x)
            try requireDisjoint(out, y)
            try requireDisjoint(out, z)
            return try body(x, y, z, call, UnsafeBufferPointer(start: nil, count: 0), out, nil, nil)
        }
        let g = try inputBuffer(gradOutput, call.reducedCount)
        let g0 = call.gradient(outputs.0), g1 = call.gradient(outputs.1), g2 = call.gradient(outputs.2)
        for gradient in [g0, g1, g2] {
            guard let gradient else { continue }
            try requireDisjoint(gradient, x)
            try requireDisjoint(gradient, y)
            try requireDisjoint(gradient, z)
            try requireDisjoint(gradient, g)
        }
        if let g0, let g1 { try requireDisjoint(g0, g1) }
        if let g0, let g2 { try requireDisjoint(g0, g2) }
        if let g1, let g2 { try requireDisjoint(g1, g2) }
        try body(x, y, z, call, g, g0, g1, g2)
    }
}
