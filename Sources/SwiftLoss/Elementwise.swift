import RealModule

/// Checks a weight that broadcasts over `count` elements from the trailing dimensions:
/// element `k` uses `weight[k % weight.count]`, so `weight.count` must divide `count`
/// (an empty weight only for an empty input).
@inlinable
func checkBroadcastWeight<T>(_ weight: UnsafeBufferPointer<T>?, count: Int) throws(LossError) {
    guard let weight else { return }
    let ok = weight.count == 0 ? count == 0 : count % weight.count == 0
    guard ok else { throw .weightSize(expected: count, actual: weight.count) }
}

/// Cycles through a broadcast weight: `next()` returns `weight[k % weight.count]` for
/// k = 0, 1, 2, ... without a division per element, and 1 when there is no weight.
@usableFromInline
struct BroadcastWeight<T: LossFloat> {
    @usableFromInline let base: UnsafePointer<T>?
    @usableFromInline let count: Int
    @usableFromInline var index = 0

    @inlinable
    init(_ weight: UnsafeBufferPointer<T>?) {
        base = weight?.baseAddress
        count = weight?.count ?? 0
    }

    @inlinable @inline(__always)
    mutating func next() -> T {
        guard let base else { return 1 }
        let w = base[index]
        index &+= 1
        if index == count { index = 0 }
        return w
    }
}

/// Checks what every element-wise loss shares: the reduction, and the buffer sizes
/// (`output`: `reduction.outputCount(for: input.count)` elements, when given).
@inlinable
func checkElementwiseCall<T>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>, _ reduction: Reduction,
    _ output: UnsafeMutableBufferPointer<T>?, allowBatchMean: Bool = false
) throws(LossError) {
    guard allowBatchMean || reduction != .batchMean else { throw .invalidReduction }
    try checkCount(target.count, input.count)
    if let output { try checkCount(output.count, reduction.outputCount(for: input.count)) }
}

/// Writes a reduced loss (`sum / divisor`) to `output[0]`; nothing for `.none`.
@inlinable @inline(__always)
func finishReduction<T: LossFloat>(_ output: UnsafeMutableBufferPointer<T>, _ reduction: Reduction,
                                   sum: Double, divisor: Double) {
    if reduction != .none { output[0] = T(narrowing: sum / divisor) }
}

/// Writes `gradInput[k] = derivative(input[k], target[k]) * s_k` where `s_k` is the upstream
/// gradient: `gradOutput[k]` for `.none`, else `gradOutput[0] / divisor` (`divisor` is 1 for
/// `.sum`). Checks the gradient buffers first.
@inlinable
func differentiateElements<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>, _ reduction: Reduction,
    _ gradOutput: UnsafeBufferPointer<T>, _ gradInput: UnsafeMutableBufferPointer<T>,
    divisor: Double, _ derivative: (T, T) -> T
) {
    guard let x = input.baseAddress, let t = target.baseAddress, let g = gradOutput.baseAddress,
          let gx = gradInput.baseAddress else { return }
    if reduction == .none {
        for k in 0..<input.count { gx[k] = derivative(x[k], t[k]) * g[k] }
    } else {
        let scale = T(narrowing: g[0].wide / divisor)
        for k in 0..<input.count { gx[k] = derivative(x[k], t[k]) * scale }
    }
}

/// Checks the upstream gradient (`reduction.outputCount(for: input.count)` elements) and the
/// gradient buffer (`input.count` elements) of an element-wise backward call.
@inlinable
func checkGradientBuffers<T>(
    _ input: UnsafeBufferPointer<T>, _ reduction: Reduction, _ gradOutput: UnsafeBufferPointer<T>,
    _ gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkCount(gradOutput.count, reduction.outputCount(for: input.count))
    try checkCount(gradInput.count, input.count)
}

/// The divisor of an element-wise `.mean` (the element count) or `.batchMean`.
@inlinable @inline(__always)
func elementwiseDivisor(_ reduction: Reduction, count: Int, batch: Int = 1) -> Double {
    switch reduction {
    case .mean: return Double(count)
    case .batchMean: return Double(batch)
    default: return 1
    }
}

@inlinable
func checkBinaryCrossEntropyCall<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>,
    _ weight: UnsafeBufferPointer<T>?, _ reduction: Reduction, _ output: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    try checkElementwiseCall(input, target, reduction, output)
    try checkBroadcastWeight(weight, count: input.count)
    for k in 0..<input.count {
        guard input[k] >= 0 && input[k] <= 1 else { throw .inputOutOfRange }
        guard target[k] >= 0 && target[k] <= 1 else { throw .targetOutOfRange }
    }
}

/// binary_cross_entropy: input are probabilities in [0, 1].
///
///     loss = -w * (t * max(log x, -100) + (1 - t) * max(log(1 - x), -100))
///
/// (so x = 0, t = 1 gives 100, as PyTorch). `weight` broadcasts from the trailing dimensions
/// (see `checkBroadcastWeight`); `.mean` divides by the element count.
/// - Throws: `.invalidReduction`, `.bufferSize`, `.weightSize`, `.inputOutOfRange`,
///   `.targetOutOfRange` (checked element by element, input first); nothing is written then.
@inlinable
public func binaryCrossEntropy<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    weight: UnsafeBufferPointer<T>? = nil, reduction: Reduction = .mean,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkBinaryCrossEntropyCall(input, target, weight, reduction, output)
    let sum = sumElementwise(input, target, weight: weight, each: reduction == .none ? output.baseAddress : nil,
                             BinaryCrossEntropyFormula<T>())
    finishReduction(output, reduction, sum: sum, divisor: elementwiseDivisor(reduction, count: input.count))
}

/// The gradient of `binaryCrossEntropy` with respect to its input, in PyTorch's order of
/// operations: `((g * (x - t)) / max((1 - x) * x, eps)) * w`, then divided by the element
/// count for `.mean`, where `g` is the upstream gradient (`gradOutput[k]` for `.none`, else
/// `gradOutput[0]`) and `eps` is `1e-12` rounded to Float (PyTorch's `float` constant, also in
/// Double). Same checks as the forward call; `gradInput` has `input.count` elements and may be
/// the same memory as `gradOutput` for `.none`.
@inlinable
public func binaryCrossEntropyBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    weight: UnsafeBufferPointer<T>? = nil, reduction: Reduction = .mean,
    gradOutput: UnsafeBufferPointer<T>, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkBinaryCrossEntropyCall(input, target, weight, reduction, nil)
    try checkGradientBuffers(input, reduction, gradOutput, gradInput)
    guard let x = input.baseAddress, let t = target.baseAddress, let g = gradOutput.baseAddress,
          let gx = gradInput.baseAddress else { return }
    var w = BroadcastWeight(weight)
    let epsilon = T(Float(1e-12))
    let perElement = reduction == .none
    let count = T(input.count)
    for k in 0..<input.count {
        let gk = perElement ? g[k] : g[0]
        var d = gk * (x[k] - t[k]) / max((1 - x[k]) * x[k], epsilon)
        if weight != nil { d = d * w.next() }
        gx[k] = reduction == .mean ? d / count : d
    }
}

/// binary_cross_entropy_with_logits: input are logits, computed stably for any |x|:
///
///     loss = w * ((1 - t) * x - (1 + (pw - 1) * t) * logsigmoid(x))
///          = w * (pw * t * softplus(-x) + (1 - t) * softplus(x))
///
/// `weight` and `posWeight` broadcast from the trailing dimensions; the target range is not
/// checked (as PyTorch); `.mean` divides by the element count.
/// - Throws: `.invalidReduction`, `.bufferSize`, `.weightSize`; nothing is written then.
@inlinable
public func binaryCrossEntropyWithLogits<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    weight: UnsafeBufferPointer<T>? = nil, posWeight: UnsafeBufferPointer<T>? = nil,
    reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkElementwiseCall(input, target, reduction, output)
    try checkBroadcastWeight(weight, count: input.count)
    try checkBroadcastWeight(posWeight, count: input.count)
    let sum = sumElementwise(input, target, weight: weight, posWeight: posWeight,
                             each: reduction == .none ? output.baseAddress : nil,
                             BinaryCrossEntropyWithLogitsFormula<T>(hasPosWeight: posWeight != nil))
    finishReduction(output, reduction, sum: sum, divisor: elementwiseDivisor(reduction, count: input.count))
}

/// The gradient of `binaryCrossEntropyWithLogits` with respect to its input:
/// `w * ((pw * t + 1 - t) * sigmoid(x) - pw * t)` times the upstream gradient (divided by the
/// element count for `.mean`). `gradInput` has `input.count` elements.
@inlinable
public func binaryCrossEntropyWithLogitsBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    weight: UnsafeBufferPointer<T>? = nil, posWeight: UnsafeBufferPointer<T>? = nil,
    reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>,
    into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkElementwiseCall(input, target, reduction, nil)
    try checkBroadcastWeight(weight, count: input.count)
    try checkBroadcastWeight(posWeight, count: input.count)
    try checkGradientBuffers(input, reduction, gradOutput, gradInput)
    var w = BroadcastWeight(weight)
    var pw = BroadcastWeight(posWeight)
    differentiateElements(input, target, reduction, gradOutput, gradInput,
                          divisor: elementwiseDivisor(reduction, count: input.count)) { x, t in
        let pt = pw.next() * t
        let sigmoid = 1 / (1 + T.exp(-x))
        return ((pt + 1 - t) * sigmoid - pt) * w.next()
    }
}

@inlinable
func checkKLDivCall<T>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>, _ reduction: Reduction,
    _ batchSize: Int, _ output: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    try checkElementwiseCall(input, target, reduction, output, allowBatchMean: true)
    if reduction == .batchMean && input.count > 0 {
        guard batchSize > 0 && input.count % batchSize == 0 else {
            throw .invalidArgument("batch size must divide the element count")
        }
    }
}

/// kl_div: input is log q, target p (or log p with `logTarget`).
///
///     logTarget == false: loss = xlogy(t, t) - t * input      (0 * log 0 = 0)
///     logTarget == true:  loss = exp(t) * (t - input)
///
/// `.mean` divides by the element count (PyTorch warns that this is not the mathematical
/// KL divergence); `.batchMean` divides the sum by `batchSize`, the size of the input's first
/// dimension, which must divide the element count and be non-zero for a non-empty input.
/// - Throws: `.bufferSize`, `.invalidArgument` (bad batch size); nothing is written then.
@inlinable
public func klDiv<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    reduction: Reduction = .mean, logTarget: Bool = false, batchSize: Int = 1,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkKLDivCall(input, target, reduction, batchSize, output)
    let each = reduction == .none ? output.baseAddress : nil
    let sum: Double
    if logTarget {
        sum = sumElementwise(input, target, each: each, KLDivLogTargetFormula<T>())
    } else {
        sum = sumElementwise(input, target, each: each, KLDivFormula<T>())
    }
    finishReduction(output, reduction, sum: sum,
                    divisor: elementwiseDivisor(reduction, count: input.count, batch: batchSize))
}

/// The gradient of `klDiv` with respect to its input: `-t` (or `-exp(t)` with `logTarget`)
/// times the upstream gradient, divided by the element count for `.mean` and by `batchSize`
/// for `.batchMean`. It does not depend on the input, so only the target is taken;
/// `gradInput` has `target.count` elements.
@inlinable
public func klDivBackward<T: LossFloat>(
    target: UnsafeBufferPointer<T>, reduction: Reduction = .mean, logTarget: Bool = false,
    batchSize: Int = 1, gradOutput: UnsafeBufferPointer<T>,
    into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkKLDivCall(target, target, reduction, batchSize, nil)
    try checkGradientBuffers(target, reduction, gradOutput, gradInput)
    let divisor = elementwiseDivisor(reduction, count: target.count, batch: batchSize)
    if logTarget {
        differentiateElements(target, target, reduction, gradOutput, gradInput, divisor: divisor) { _, t in -T.exp(t) }
    } else {
        differentiateElements(target, target, reduction, gradOutput, gradInput, divisor: divisor) { _, t in -t }
    }
}

// MARK: - The element formulas (types, so that the kernels specialize for them on every thread)

/// binary_cross_entropy: `(t - 1) * max(log1p(-x), -100) - t * max(log(x), -100)`, times the
/// weight (PyTorch's order).
@usableFromInline
struct BinaryCrossEntropyFormula<T: LossFloat>: ElementFormula {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        let floor = T.Vector(repeating: -100)
        let logX = T.maximum(T.log(vector: x), floor)
        let log1mX = T.maximum(T.logOnePlus(vector: -x), floor)
        return ((t - 1) * log1mX - t * logX) * w
    }
}

/// binary_cross_entropy_with_logits: `((1 - t) x - (1 + (pw - 1) t) logsigmoid(x)) w`, with
/// `logsigmoid(x) = min(x, 0) - log(1 + exp(-|x|))`, PyTorch's stable form.
@usableFromInline
struct BinaryCrossEntropyWithLogitsFormula<T: LossFloat>: ElementFormula {
    @usableFromInline let hasPosWeight: Bool
    @inlinable init(hasPosWeight: Bool) { self.hasPosWeight = hasPosWeight }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        let zero = T.Vector()
        let logSigmoid = T.select(x, lessThan: zero, x, else: zero) - T.logOnePlusUnit(vector: T.exp(vector: -T.abs(vector: x)))
        let logWeight = hasPosWeight ? 1 + (pw - 1) * t : T.Vector(repeating: 1)
        return ((1 - t) * x - logWeight * logSigmoid) * w
    }
}

/// kl_div: `xlogy(t, t) - t x` (0 log 0 = 0, NaN stays NaN).
@usableFromInline
struct KLDivFormula<T: LossFloat>: ElementFormula {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        let zero = T.Vector()
        return T.select(t, equalTo: zero, zero, else: t * T.log(vector: t)) - t * x
    }
}

/// kl_div with `log_target`: `exp(t) (t - x)`.
@usableFromInline
struct KLDivLogTargetFormula<T: LossFloat>: ElementFormula {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        T.exp(vector: t) * (t - x)
    }
}
