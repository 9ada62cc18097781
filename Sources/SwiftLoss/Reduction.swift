/// How a loss turns its per-element values into the output, as PyTorch's `reduction=`.
public enum Reduction: Int32, Sendable, CaseIterable {
    /// One value per element (or per sample, for the class-axis losses).
    case none = 0
    /// The sum of those values.
    case sum = 1
    /// Their mean; each loss documents what it divides by.
    case mean = 2
    /// `klDiv` only: the sum divided by the batch size (the input's first dimension).
    case batchMean = 3

    /// Number of output elements for `count` per-element losses.
    @inlinable
    public func outputCount(for count: Int) -> Int { self == .none ? count : 1 }
}

/// Writes a reduced loss (`sum / divisor`) to `output[0]`; nothing for `.none`.
@inlinable @inline(__always)
func finishReduction<T: LossFloat>(_ output: UnsafeMutableBufferPointer<T>, _ reduction: Reduction,
                                   sum: Double, divisor: Double) {
    if reduction != .none { output[0] = T(narrowing: sum / divisor) }

}
