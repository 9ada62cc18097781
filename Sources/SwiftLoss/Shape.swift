/// Multiplies sizes, throwing `.sizeOverflow` when the product (or its byte count for
/// elements of `T`) does not fit in `Int`, or when a size is negative.
@inlinable
public func elementCount<T>(_ sizes: Int..., of _: T.Type) throws(LossError) -> Int {
    var n = 1
    for s in sizes {
        guard s >= 0 else { throw .sizeOverflow }
        let (p, o) = n.multipliedReportingOverflow(by: s)
        guard !o else { throw .sizeOverflow }
        n = p
    }
    let (_, o) = n.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
    guard !o else { throw .sizeOverflow }
    return n
}

/// The memory layout of the class-axis functions: `[batch][classes][inner]`, row-major.
///
/// PyTorch's `(N, C)` is `batch = N, classes = C, inner = 1`; `(N, C, d1, ..., dk)` is
/// `inner = d1 * ... * dk`; an unbatched `(C,)` is `batch = 1, inner = 1`. Element
/// `(n, c, i)` is at `(n * classes + c) * inner + i`; a sample `(n, i)` is at `n * inner + i`
/// in targets and per-sample outputs. softmax uses the same layout for any axis.
public struct ClassLayout: Sendable, Equatable {
    public let batch: Int
    public let classes: Int
    public let inner: Int
    /// `batch * classes * inner`.
    public let count: Int
    /// `batch * inner`: the number of samples (targets, per-sample losses).
    public let samples: Int

    /// - Throws: `.sizeOverflow` if a size is negative or the element count overflows.
    @inlinable
    public init<T>(batch: Int, classes: Int, inner: Int = 1, of type: T.Type) throws(LossError) {
        self.count = try elementCount(batch, classes, inner, of: type)
        self.samples = try elementCount(batch, inner, of: type)  // classes == 0: not implied by count
        self.batch = batch
        self.classes = classes
        self.inner = inner
    }
}
