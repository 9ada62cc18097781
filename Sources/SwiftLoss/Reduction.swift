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

/// Accumulates per-element losses in `Double` and writes them out per `Reduction`.
/// For `.none` each value is written as it comes; otherwise the sum is kept.
@usableFromInline
struct ReducingSink<T: LossFloat> {
    @usableFromInline let output: UnsafeMutableBufferPointer<T>
    @usableFromInline let reduction: Reduction
    @usableFromInline var sum: Double = 0

    /// `output` must hold `reduction.outputCount(for:)` elements (checked by the caller).
    @inlinable
    init(_ output: UnsafeMutableBufferPointer<T>, _ reduction: Reduction) {
        self.output = output
        self.reduction = reduction
    }

    @inlinable @inline(__always)
    mutating func put(_ value: T, at index: Int) {
        if reduction == .none { output[index] = value } else { sum += value.wide }
    }

    /// Writes the reduced value (`sum / divisor`) unless the reduction is `.none`.
    @inlinable
    func finish(divisor: Double) { finishReduction(output, reduction, sum: sum, divisor: divisor) }
}

/// Writes a reduced loss (`sum / divisor`) to `output[0]`; nothing for `.none`.
@inlinable @inline(__always)
func finishReduction<T: LossFloat>(_ output: UnsafeMutableBufferPointer<T>, _ reduction: Reduction,
                                   sum: Double, divisor: Double) {
    if reduction != .none { output[0] = T(narrowing: sum / divisor) }

}
