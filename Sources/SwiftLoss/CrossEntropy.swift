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
    try crossEntropyKernel(input, targets, layout, weight, ignoreIndex, reduction, labelSmoothing,
                           gradOutput: nil, loss: output, gradient: nil)
}

/// The gradient of `crossEntropy` with respect to its input, given the upstream gradient.
///
/// For a counted sample with target `y`, `p = softmax(input)` over classes, `W = sum_c weight[c]`:
///
///     grad(n, j, i) = s * ((1 - eps) * weight[y] * (p_j - [j == y]) + (eps / C) * (p_j * W - weight[j]))
///
/// where `s = gradOutput(n, i)` for `.none`, `gradOutput[0]` for `.sum`, and
/// `gradOutput[0] / sum(weight[t])` for `.mean` (0 when that sum is 0). Ignored samples get
/// zero rows. `gradInput` may be the same memory as `input` (in place).
/// - Parameters:
///   - gradOutput: `reduction.outputCount(for: layout.samples)` elements.
///   - gradInput: `layout.count` elements.
/// - Throws: as `crossEntropy`; nothing is written then.
@inlinable
public func crossEntropyBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, targets: UnsafeBufferPointer<Int64>, layout: ClassLayout,
    weight: UnsafeBufferPointer<T>? = nil, ignoreIndex: Int64 = -100,
    reduction: Reduction = .mean, labelSmoothing: Double = 0,
    gradOutput: UnsafeBufferPointer<T>, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try crossEntropyKernel(input, targets, layout, weight, ignoreIndex, reduction, labelSmoothing,
                           gradOutput: gradOutput, loss: nil, gradient: gradInput)
}

/// Fused cross_entropy: the loss and its gradient with respect to the logits from one pass
/// over each row (max, sum of exponentials and target logit, then the gradient written while
/// the row is still in cache). Same semantics as `crossEntropy` and `crossEntropyBackward`.
/// - Parameters:
///   - gradOutput: `nil` for ones (the gradient of the summed or reduced loss), or
///     `reduction.outputCount(for: layout.samples)` elements.
///   - output: the loss, `reduction.outputCount(for: layout.samples)` elements.
///   - gradInput: `layout.count` elements; may be the same memory as `input`, in which case
///     the logits are overwritten by their gradient and no second buffer is needed.
/// - Throws: as `crossEntropy`; nothing is written then.
@inlinable
public func crossEntropyWithGradient<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, targets: UnsafeBufferPointer<Int64>, layout: ClassLayout,
    weight: UnsafeBufferPointer<T>? = nil, ignoreIndex: Int64 = -100,
    reduction: Reduction = .mean, labelSmoothing: Double = 0,
    gradOutput: UnsafeBufferPointer<T>? = nil,
    into output: UnsafeMutableBufferPointer<T>, gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try crossEntropyKernel(input, targets, layout, weight, ignoreIndex, reduction, labelSmoothing,
                           gradOutput: gradOutput, loss: output, gradient: gradInput)
}

/// The upstream-gradient scale of sample `sample`: `g[sample]` for `.none`, else
/// `g[0] / divisor`, with a zero divisor giving 0 (PyTorch's zero gradient when every
/// target is ignored). `nil` stands for ones.
@inlinable @inline(__always)
func upstreamScale<T: LossFloat>(_ g: UnsafeBufferPointer<T>?, _ reduction: Reduction,
                                 _ sample: Int, divisor: Double) -> Double {
    let gv = g.map { reduction == .none ? $0[sample] : $0[0] }?.wide ?? 1
    if reduction == .mean { return divisor == 0 ? 0 : gv / divisor }
    return gv
}

/// `-sum_c weight[c] * logSoftmax(x)_c` over one sample's logits, in `Double`.
@inlinable @inline(__always)
func smoothingSum<T: LossFloat>(_ x: UnsafePointer<T>, classes: Int, stride: Int, max m: T,
                                logSum: T, weight: UnsafeBufferPointer<T>?) -> Double {
    var smooth = 0.0
    var k = 0
    for c in 0..<classes {
        let lp = (x[k] - m) - logSum
        smooth -= (weight.map { $0[c] * lp } ?? lp).wide
        k &+= stride
    }
    return smooth
}

/// The one cross_entropy kernel behind the forward, backward and fused entry points: per
/// sample, the max and sum of exponentials of its logits, then (for the loss) the target's
/// log-probability and the smoothing sum, and (for the gradient) the gradient row.
@inlinable
func crossEntropyKernel<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ targets: UnsafeBufferPointer<Int64>, _ layout: ClassLayout,
    _ weight: UnsafeBufferPointer<T>?, _ ignoreIndex: Int64, _ reduction: Reduction,
    _ labelSmoothing: Double, gradOutput: UnsafeBufferPointer<T>?,
    loss: UnsafeMutableBufferPointer<T>?, gradient: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    let eps = try effectiveSmoothing(labelSmoothing)
    let outputCount = reduction.outputCount(for: layout.samples)
    try checkClassIndexCall(input, targets, layout, weight, ignoreIndex, reduction, outputCount)
    if let loss { try checkCount(loss.count, outputCount) }
    if let gradOutput { try checkCount(gradOutput.count, outputCount) }
    if let gradient { try checkCount(gradient.count, layout.count) }

    let divisor = classIndexDivisor(reduction, totalWeight: countedWeight(targets, weight, ignoreIndex))
    var sink = loss.map { ReducingSink($0, reduction) }
    defer { sink?.finish(divisor: divisor) }
    guard let x = input.baseAddress else { return }
    let gx = gradient?.baseAddress
    let classes = layout.classes, inner = layout.inner
    let keep = 1 - eps, spread = eps / Double(classes)
    let weightSum = weight.map { w in w.reduce(0.0) { $0 + $1.wide } } ?? Double(classes)
    var sample = 0
    for n in 0..<layout.batch {
        for i in 0..<inner {
            let offset = n &* classes &* inner &+ i
            let t64 = targets[sample]
            if t64 == ignoreIndex {
                sink?.put(0, at: sample)
                if let gx { var k = offset; for _ in 0..<classes { gx[k] = 0; k &+= inner } }
                sample &+= 1
                continue
            }
            let t = Int(truncatingIfNeeded: t64)
            let (m, s) = maxAndSumExp(x + offset, count: classes, stride: inner)
            let logSum = T(narrowing: Double.log(s))
            let wt: T = weight.map { $0[t] } ?? 1
            let nll = -(wt * ((x[offset &+ t &* inner] - m) - logSum))
            if sink != nil {
                var value = nll
                if eps > 0 {
                    let smooth = smoothingSum(x + offset, classes: classes, stride: inner, max: m,
                                              logSum: logSum, weight: weight)
                    value = T(narrowing: keep * nll.wide + spread * smooth)
                }
                sink?.put(value, at: sample)
            }
            if let gx {
                // grad_j = coefP * p_j - b * w_j - [j == t] * a, with a and b the scales of the
                // NLL and smoothing terms. Written last: in place, it overwrites the logits.
                let scale = upstreamScale(gradOutput, reduction, sample, divisor: divisor)
                let a = keep * wt.wide * scale, b = spread * scale
                let coefP = T(narrowing: a + b * weightSum), invSum = T(narrowing: 1 / s)
                let aT = T(narrowing: a), bT = T(narrowing: b)
                var k = offset
                for c in 0..<classes {
                    let wc: T = weight.map { $0[c] } ?? 1
                    var g = coefP * (T.exp(x[k] - m) * invSum) - bT * wc
                    if c == t { g -= aT }
                    gx[k] = g
                    k &+= inner
                }
            }
            sample &+= 1
        }
    }
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
    try probabilityCrossEntropyKernel(input, target, layout, weight, ignoreIndex, reduction,
                                      labelSmoothing, gradOutput: nil, loss: output, gradient: nil)
}

/// The gradient of `crossEntropy(probabilities:)` with respect to its input:
///
///     grad(n, j, i) = s * (p_j * sum_c weight[c] * q'_c - weight[j] * q'_j)
///
/// with `p = softmax(input)` over classes and `s = gradOutput(n, i)` for `.none`,
/// `gradOutput[0]` for `.sum`, `gradOutput[0] / layout.samples` for `.mean`.
/// `gradInput` (`layout.count` elements) may be the same memory as `input`.
/// - Throws: as `crossEntropy(probabilities:)`; nothing is written then.
@inlinable
public func crossEntropyBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, probabilities target: UnsafeBufferPointer<T>,
    layout: ClassLayout, weight: UnsafeBufferPointer<T>? = nil, ignoreIndex: Int64 = -100,
    reduction: Reduction = .mean, labelSmoothing: Double = 0,
    gradOutput: UnsafeBufferPointer<T>, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try probabilityCrossEntropyKernel(input, target, layout, weight, ignoreIndex, reduction,
                                      labelSmoothing, gradOutput: gradOutput, loss: nil, gradient: gradInput)
}

@inlinable
func probabilityCrossEntropyKernel<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>, _ layout: ClassLayout,
    _ weight: UnsafeBufferPointer<T>?, _ ignoreIndex: Int64, _ reduction: Reduction,
    _ labelSmoothing: Double, gradOutput: UnsafeBufferPointer<T>?,
    loss: UnsafeMutableBufferPointer<T>?, gradient: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    let eps = try effectiveSmoothing(labelSmoothing)
    guard layout.classes > 0 else { throw .zeroClasses }
    guard reduction != .batchMean else { throw .invalidReduction }
    let outputCount = reduction.outputCount(for: layout.samples)
    try checkCount(input.count, layout.count)
    try checkCount(target.count, layout.count)
    if let loss { try checkCount(loss.count, outputCount) }
    if let gradOutput { try checkCount(gradOutput.count, outputCount) }
    if let gradient { try checkCount(gradient.count, layout.count) }
    try checkWeight(weight, classes: layout.classes)
    guard ignoreIndex < 0 else { throw .ignoreIndexUnsupported(ignoreIndex) }

    let divisor = reduction == .mean ? Double(layout.samples) : 1
    var sink = loss.map { ReducingSink($0, reduction) }
    defer { sink?.finish(divisor: divisor) }
    guard let x = input.baseAddress, let q = target.baseAddress else { return }
    let gx = gradient?.baseAddress
    let classes = layout.classes, inner = layout.inner
    let keep = T(narrowing: 1 - eps), spread = T(narrowing: eps / Double(classes))
    var sample = 0
    for n in 0..<layout.batch {
        for i in 0..<inner {
            let offset = n &* classes &* inner &+ i
            let (m, s) = maxAndSumExp(x + offset, count: classes, stride: inner)
            let logSum = T(narrowing: Double.log(s))
            var acc = 0.0, weightedTarget = 0.0
            var k = offset
            for c in 0..<classes {
                let wq = (weight.map { $0[c] } ?? 1) * (keep * q[k] + spread)
                acc += (wq * ((x[k] - m) - logSum)).wide
                weightedTarget += wq.wide
                k &+= inner
            }
            sink?.put(T(narrowing: -acc), at: sample)
            if let gx {
                let scale = upstreamScale(gradOutput, reduction, sample, divisor: divisor)
                let coefP = T(narrowing: scale * weightedTarget), invSum = T(narrowing: 1 / s)
                let scaleT = T(narrowing: scale)
                k = offset
                for c in 0..<classes {
                    let wq = (weight.map { $0[c] } ?? 1) * (keep * q[k] + spread)
                    gx[k] = coefP * (T.exp(x[k] - m) * invSum) - scaleT * wq
                    k &+= inner
                }
            }
            sample &+= 1
        }
    }
}
