import RealModule

/// Checks `labelSmoothing` as PyTorch 2.15 does: above 1 (or NaN) is an error, below 0
/// behaves as 0.
@inlinable
func effectiveSmoothing(_ eps: Double) throws(LossError) -> Double {
    guard !eps.isNaN, eps <= 1 else { throw .invalidLabelSmoothing(eps) }
    return max(eps, 0)
}

/// cross_entropy with class-index targets: `nllLoss(logSoftmax(input))` over the class axis,
/// with PyTorch's label smoothing.
///
/// With `eps = labelSmoothing`, `lp = logSoftmax(input)` over classes and `t = target(n, i)`:
///
///     nll(n, i)    = -weight[t] * lp(n, t, i)
///     smooth(n, i) = -sum_c weight[c] * lp(n, c, i)
///     loss(n, i)   = (1 - eps) * nll(n, i) + (eps / classes) * smooth(n, i)
///
/// Ignored samples give 0; `.mean` divides by the sum of `weight[t]` over counted samples
/// (NaN when that is 0). For `.none`/`.sum` this equals `crossEntropy(probabilities:)` with
/// the soft target `(1 - eps) * onehot(t) + eps / classes`.
/// - Parameters: as `nllLoss`, plus `labelSmoothing` (<= 1; negative behaves as 0).
/// - Throws: as `nllLoss`, plus `.invalidLabelSmoothing`; nothing is written then.
@inlinable
public func crossEntropy<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, targets: UnsafeBufferPointer<Int64>, layout: ClassLayout,
    weight: UnsafeBufferPointer<T>? = nil, ignoreIndex: Int64 = -100,
    reduction: Reduction = .mean, labelSmoothing: Double = 0,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    let eps = try effectiveSmoothing(labelSmoothing)
    try checkClassIndexCall(input, targets, layout, weight, ignoreIndex, reduction, output)
    var sink = ReducingSink(output, reduction)
    guard let x = input.baseAddress else {  // no samples: the sum is 0, the mean 0 / 0
        return sink.finish(divisor: classIndexDivisor(reduction, totalWeight: 0))
    }
    let classes = layout.classes, inner = layout.inner
    let keep = 1 - eps, spread = eps / Double(classes)
    let totalWeight = forEachCountedSample(targets, layout, weight, ignoreIndex, &sink) { _, t, offset in
        let (m, s) = maxAndSumExp(x + offset, count: classes, stride: inner)
        let logSum = T(narrowing: Double.log(s))
        let wt: T = weight.map { $0[t] } ?? 1
        let nll = -(wt * ((x[offset &+ t &* inner] - m) - logSum))
        guard eps > 0 else { return nll }
        var smooth = 0.0
        var k = offset
        for c in 0..<classes {
            let lp = (x[k] - m) - logSum
            smooth -= (weight.map { $0[c] * lp } ?? lp).wide
            k &+= inner
        }
        return T(narrowing: keep * nll.wide + spread * smooth)
    }
    sink.finish(divisor: classIndexDivisor(reduction, totalWeight: totalWeight))
}

/// cross_entropy with probability ("soft") targets of the input's shape.
///
///     q'(n, c, i)  = (1 - eps) * q(n, c, i) + eps / classes
///     loss(n, i)   = -sum_c weight[c] * q'(n, c, i) * logSoftmax(input)(n, c, i)
///
/// `q` is not validated. `.mean` divides by `layout.samples` (not by the weights).
/// PyTorch has no ignore_index here: `ignoreIndex >= 0` is an error (pass the default -100).
/// - Throws: `.zeroClasses`, `.invalidReduction`, `.bufferSize`, `.weightSize`,
///   `.invalidLabelSmoothing`, `.ignoreIndexUnsupported`; nothing is written then.
@inlinable
public func crossEntropy<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, probabilities target: UnsafeBufferPointer<T>,
    layout: ClassLayout, weight: UnsafeBufferPointer<T>? = nil, ignoreIndex: Int64 = -100,
    reduction: Reduction = .mean, labelSmoothing: Double = 0,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    let eps = try effectiveSmoothing(labelSmoothing)
    guard layout.classes > 0 else { throw .zeroClasses }
    guard reduction != .batchMean else { throw .invalidReduction }
    try checkCount(input.count, layout.count)
    try checkCount(target.count, layout.count)
    try checkCount(output.count, reduction.outputCount(for: layout.samples))
    try checkWeight(weight, classes: layout.classes)
    guard ignoreIndex < 0 else { throw .ignoreIndexUnsupported(ignoreIndex) }

    var sink = ReducingSink(output, reduction)
    defer { sink.finish(divisor: reduction == .mean ? Double(layout.samples) : 1) }
    guard let x = input.baseAddress, let q = target.baseAddress else { return }
    let classes = layout.classes, inner = layout.inner
    let keep = T(narrowing: 1 - eps), spread = T(narrowing: eps / Double(classes))
    var sample = 0
    for n in 0..<layout.batch {
        for i in 0..<inner {
            let offset = n &* classes &* inner &+ i
            let (m, s) = maxAndSumExp(x + offset, count: classes, stride: inner)
            let logSum = T(narrowing: Double.log(s))
            var acc = 0.0
            var k = offset
            for c in 0..<classes {
                let qc = keep * q[k] + spread
                let term = qc * ((x[k] - m) - logSum)
                acc += (weight.map { $0[c] * term } ?? term).wide
                k &+= inner
            }
            sink.put(T(narrowing: -acc), at: sample)
            sample &+= 1
        }
    }
}
