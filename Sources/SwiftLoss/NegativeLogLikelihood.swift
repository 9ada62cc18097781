/// Checks the buffers and options of a class-index loss (`nllLoss`, `crossEntropy`) and
/// every target (PyTorch checks ignore_index first: it may be any value, even a real class),
/// and returns the sum of `weight[t]` (1 without a weight) over the targets that are not
/// ignored, the divisor of a class-index `.mean`, from the same pass over the targets.
/// `outputCount` is the number of elements of the loss / upstream gradient.
@inlinable
func checkClassIndexCall<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>?, _ targets: UnsafeBufferPointer<Int64>, _ layout: ClassLayout,
    _ weight: UnsafeBufferPointer<T>?, _ ignoreIndex: Int64, _ reduction: Reduction, _ outputCount: Int
) throws(LossError) -> Double {
    guard layout.classes > 0 else { throw .zeroClasses }
    guard reduction != .batchMean else { throw .invalidReduction }
    if let input { try checkCount(input.count, layout.count) }
    try checkCount(targets.count, layout.samples)
    try checkWeight(weight, classes: layout.classes)
    let classes = Int64(layout.classes)
    guard let weight else {
        // Without weights the sum is a count: no chain of dependent floating-point adds (4096
        // targets took about 5 us), and one pass without a branch per target; the first
        // target out of range is looked for only when there is one.
        var count = 0, bad = 0
        let limit = UInt64(classes)  // t out of [0, classes) iff its bits, unsigned, reach it
        for t in targets {
            let counts = t != ignoreIndex ? 1 : 0
            count &+= counts
            bad |= counts & (UInt64(bitPattern: t) >= limit ? 1 : 0)
        }
        if bad != 0 {
            for t in targets where t != ignoreIndex && (t < 0 || t >= classes) { throw .targetOutOfBounds(target: t) }
        }
        return Double(count)
    }
    var counted = 0.0
    for t in targets where t != ignoreIndex {  // each target read once: checked, then used
        guard t >= 0 && t < classes else { throw .targetOutOfBounds(target: t) }
        counted += weight[Int(truncatingIfNeeded: t)].wide
    }
    return counted
}

/// A target at the point of use: its class index, or nil for the ignore index. Targets are
/// all checked before anything is computed, so nil for a value out of range can only happen
/// when another thread rewrote the targets during the call (a race in the caller); such a
/// sample is then left out like an ignored one, never read or written out of bounds.
@inlinable @inline(__always)
func classIndex(_ t64: Int64, classes: Int, ignoreIndex: Int64) -> Int? {
    guard t64 != ignoreIndex, t64 >= 0, t64 < Int64(classes) else { return nil }
    return Int(truncatingIfNeeded: t64)
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
    let outputCount = reduction.outputCount(for: layout.samples)
    let counted = try checkClassIndexCall(input, targets, layout, weight, ignoreIndex, reduction, outputCount)
    try checkCount(output.count, outputCount)
    let divisor = classIndexDivisor(reduction, totalWeight: counted)
    guard let x = input.baseAddress, let tp = targets.baseAddress else {
        return finishReduction(output, reduction, sum: 0, divisor: divisor)
    }
    let classes = layout.classes, inner = layout.inner
    let each = reduction == .none ? output.baseAddress : nil
    let w = weight?.baseAddress
    // One gather per sample: a cache line (and, for rows of a page or more, a page) each, whose
    // latency dominates; samples are threaded in fixed chunks (the sum does not depend on the
    // thread count). The line of the sample `ahead` places further on is prefetched (a cache
    // hint, see Hints.swift) in the (N, C, d) layout, whose class planes' lines are needed in
    // no order a hardware prefetcher follows ((8, 21, 512, 512) float32: 16.5 -> 11.5-12.6 ms,
    // 2 threads); rows (a line per row) gained nothing from it.
    let rowBytes = classes &* inner &* MemoryLayout<T>.stride
    let ahead = 32
    let total = sumOverUnits(layout.samples, unitElements: rowBytes >= 4096 ? 64 : 8) { range in
        var partial = 0.0
        // One sample whose class c is at x[base + c * stride].
        @inline(__always) func gather(_ sample: Int, base: Int, stride: Int) {
            var value: T = 0
            if let t = classIndex(tp[sample], classes: classes, ignoreIndex: ignoreIndex) {
                value = -(w?[t] ?? 1) * x[base &+ t &* stride]
            }
            each?[sample] = value
            partial += value.wide
        }
        if inner == 1 {
            // Rows: a loop of a few instructions per sample (the general one below took
            // about 35).
            for sample in range { gather(sample, base: sample &* classes, stride: 1) }
            return partial
        }
        var sample = range.lowerBound
        var (n, i) = sample.quotientAndRemainder(dividingBy: inner)
        var (nAhead, iAhead) = (sample &+ ahead).quotientAndRemainder(dividingBy: inner)
        while sample < range.upperBound {
            if sample &+ ahead < range.upperBound {
                if let t = classIndex(tp[sample &+ ahead], classes: classes, ignoreIndex: ignoreIndex) {
                    Hint.read(x + ((nAhead &* classes &+ t) &* inner &+ iAhead))
                }
                iAhead &+= 1
                if iAhead == inner { iAhead = 0; nAhead &+= 1 }
            }
            gather(sample, base: n &* classes &* inner &+ i, stride: inner)
            sample &+= 1
            i &+= 1
            if i == inner { i = 0; n &+= 1 }
        }
        return partial
    }
    finishReduction(output, reduction, sum: total, divisor: divisor)
}

/// The gradient of `nllLoss` with respect to its input:
/// `grad(n, t, i) = -weight[t] * s` at each counted sample's target and 0 elsewhere, with
/// `s = gradOutput(n, i)` for `.none`, `gradOutput[0]` for `.sum`, and `gradOutput[0]` divided
/// by the summed weights for `.mean` (a zero sum gives a zero gradient).
/// - Parameters:
///   - gradOutput: `reduction.outputCount(for: layout.samples)` elements.
///   - gradInput: `layout.count` elements (every one is written).
/// - Throws: as `nllLoss`; nothing is written then.
@inlinable
public func nllLossBackward<T: LossFloat>(
    targets: UnsafeBufferPointer<Int64>, layout: ClassLayout,
    weight: UnsafeBufferPointer<T>? = nil, ignoreIndex: Int64 = -100,
    reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>,
    into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    let outputCount = reduction.outputCount(for: layout.samples)
    let counted = try checkClassIndexCall(nil, targets, layout, weight, ignoreIndex, reduction, outputCount)
    try checkCount(gradOutput.count, outputCount)
    try checkCount(gradInput.count, layout.count)
    guard let gx = gradInput.baseAddress else { return }
    let divisor = classIndexDivisor(reduction, totalWeight: counted)
    gx.update(repeating: 0, count: layout.count)
    let classes = layout.classes, inner = layout.inner
    var n = 0, i = 0
    for sample in 0..<layout.samples {
        defer {
            i &+= 1
            if i == inner { i = 0; n &+= 1 }
        }
        guard let t = classIndex(targets[sample], classes: classes, ignoreIndex: ignoreIndex) else { continue }
        let w = weight.map { $0[t].wide } ?? 1
        let scale = upstreamScale(Optional(gradOutput), reduction, sample, divisor: divisor)
        gx[(n &* classes &+ t) &* inner &+ i] = T(narrowing: -w * scale)
    }
}
