import RealModule

/// Checks the buffers and options of a class-index loss (`nllLoss`, `crossEntropy`).
@inlinable
func checkClassIndexCall<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ targets: UnsafeBufferPointer<Int64>, _ layout: ClassLayout,
    _ weight: UnsafeBufferPointer<T>?, _ ignoreIndex: Int64, _ reduction: Reduction,
    _ output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    guard layout.classes > 0 else { throw .zeroClasses }
    guard reduction != .batchMean else { throw .invalidReduction }
    try checkCount(input.count, layout.count)
    try checkCount(targets.count, layout.samples)
    try checkCount(output.count, reduction.outputCount(for: layout.samples))
    try checkWeight(weight, classes: layout.classes)
    // PyTorch checks ignore_index first: it may be any value, even a real class.
    let classes = Int64(layout.classes)
    for t in targets where t != ignoreIndex && (t < 0 || t >= classes) {
        throw .targetOutOfBounds(target: t)
    }
}

/// Calls `body(sample, target, offset)` for every sample whose target is not `ignoreIndex`,
/// where `offset` is the position of the sample's class 0 in the input (class `c` is at
/// `offset + c * layout.inner`). Ignored samples get a 0 in the sink. Returns the sum of the
/// weights of the non-ignored targets (`weight[t]`, or 1 per target without a weight).
@inlinable @inline(__always)
func forEachCountedSample<T: LossFloat>(
    _ targets: UnsafeBufferPointer<Int64>, _ layout: ClassLayout, _ weight: UnsafeBufferPointer<T>?,
    _ ignoreIndex: Int64, _ sink: inout ReducingSink<T>, _ body: (Int, Int, Int) -> T
) -> Double {
    var totalWeight = 0.0
    let inner = layout.inner, classes = layout.classes
    var sample = 0
    for n in 0..<layout.batch {
        let rowBase = n &* classes &* inner
        for i in 0..<inner {
            let t64 = targets[sample]
            if t64 == ignoreIndex {
                sink.put(0, at: sample)
            } else {
                let t = Int(truncatingIfNeeded: t64)
                totalWeight += weight.map { $0[t].wide } ?? 1
                sink.put(body(sample, t, rowBase &+ i), at: sample)
            }
            sample &+= 1
        }
    }
    return totalWeight
}

/// The divisor of a class-index loss: the summed weight for `.mean` (0 gives NaN), else 1.
@inlinable @inline(__always)
func classIndexDivisor(_ reduction: Reduction, totalWeight: Double) -> Double {
    reduction == .mean ? totalWeight : 1
}

/// nll_loss: `loss(n, i) = -weight[t] * input(n, t, i)` with `t = target(n, i)`.
///
/// `input` is taken as log-probabilities and is not checked (given probabilities it returns
/// `-p[t]`, as PyTorch does). Samples whose target is `ignoreIndex` give 0 and do not count.
/// - Parameters:
///   - input: `layout.count` elements, `[batch][classes][inner]`.
///   - targets: `layout.samples` class indices in `0..<classes` (or `ignoreIndex`).
///   - weight: `nil` or `layout.classes` per-class weights (negative weights are allowed).
///   - reduction: `.none` writes `layout.samples` values; `.sum`; `.mean` divides by the sum
///     of `weight[t]` over the counted samples (NaN when that is 0, as PyTorch).
///   - output: `reduction.outputCount(for: layout.samples)` elements.
/// - Throws: `.zeroClasses`, `.invalidReduction` (`.batchMean`), `.bufferSize`,
///   `.weightSize`, `.targetOutOfBounds`; nothing is written then.
@inlinable
public func nllLoss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, targets: UnsafeBufferPointer<Int64>, layout: ClassLayout,
    weight: UnsafeBufferPointer<T>? = nil, ignoreIndex: Int64 = -100,
    reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkClassIndexCall(input, targets, layout, weight, ignoreIndex, reduction, output)
    var sink = ReducingSink(output, reduction)
    guard let x = input.baseAddress else {  // no samples: the sum is 0, the mean 0 / 0
        return sink.finish(divisor: classIndexDivisor(reduction, totalWeight: 0))
    }
    let inner = layout.inner
    let totalWeight = forEachCountedSample(targets, layout, weight, ignoreIndex, &sink) { _, t, offset in
        let w: T = weight.map { $0[t] } ?? 1
        return -w * x[offset &+ t &* inner]
    }
    sink.finish(divisor: classIndexDivisor(reduction, totalWeight: totalWeight))
}
