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
    // One branch-free pass (which the compiler vectorises) finds whether any element is out
    // of range (NaN included); only then the element-by-element pass that reports the first
    // bad one (the input before the target, as PyTorch).
    var bad: UInt8 = 0
    for k in 0..<input.count {
        let x = input[k], t = target[k]
        bad |= (x >= 0 ? 0 : 1) | (x <= 1 ? 0 : 1) | (t >= 0 ? 0 : 1) | (t <= 1 ? 0 : 1)
    }
    guard bad != 0 else { return }
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
    let count = T.Vector(repeating: reduction == .mean ? T(input.count) : 1)
    differentiateElementwise(input, target, weight: weight, reduction, gradOutput, gradInput, divisor: 1,
                             BinaryCrossEntropyGradient<T>(count: count))
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
    differentiateElementwise(input, target, weight: weight, posWeight: posWeight, reduction, gradOutput, gradInput,
                             divisor: elementwiseDivisor(reduction, count: input.count),
                             BinaryCrossEntropyWithLogitsGradient<T>())
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
        differentiateVectors(target, target, weight: nil, reduction, gradOutput, gradInput, divisor: divisor,
                             KLDivLogTargetGradient<T>())
    } else {
        differentiateVectors(target, target, weight: nil, reduction, gradOutput, gradInput, divisor: divisor,
                             KLDivGradient<T>())
    }
}

// MARK: - The element formulas (types, so that the kernels specialize for them on every thread)

/// binary_cross_entropy: `(t - 1) * max(log1p(-x), -100) - t * max(log(x), -100)`, times the
/// weight (PyTorch's order).
@usableFromInline
struct BinaryCrossEntropyFormula<T: LossFloat>: ElementFormula {
    @inlinable static var cost: Int { 8 }
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
    @inlinable static var cost: Int { 8 }
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
    @inlinable static var cost: Int { 8 }
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
    @inlinable static var cost: Int { 8 }
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        T.exp(vector: t) * (t - x)
    }
}

/// binary_cross_entropy's gradient in PyTorch's order: `((s (x - t)) / max((1 - x) x, eps)) w`,
/// then divided by `count` (the element count for `.mean`, else 1), with `eps = 1e-12` rounded
/// to Float as PyTorch's constant.
@usableFromInline
struct BinaryCrossEntropyGradient<T: LossFloat>: WeightedGradientFormula {
    @inlinable static var cost: Int { 2 }
    @usableFromInline let count: T.Vector
    @inlinable init(count: T.Vector) { self.count = count }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector, _ s: T.Vector) -> T.Vector {
        let one = T.Vector(repeating: 1), epsilon = T.Vector(repeating: T(Float(1e-12)))
        return s * (x - t) / T.maximum((one - x) * x, epsilon) * w / count
    }
}

/// binary_cross_entropy_with_logits's gradient: `(((pw t) + 1 - t) sigmoid(x) - pw t) w s`.
@usableFromInline
struct BinaryCrossEntropyWithLogitsGradient<T: LossFloat>: WeightedGradientFormula {
    @inlinable static var cost: Int { 8 }
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector, _ s: T.Vector) -> T.Vector {
        let one = T.Vector(repeating: 1)
        let pt = pw * t
        let sigmoid = one / (one + T.exp(vector: -x))
        return ((pt + one - t) * sigmoid - pt) * w * s
    }
}

/// kl_div's gradient: `-t` (the input does not enter).
@usableFromInline
struct KLDivGradient<T: LossFloat>: GradientFormula {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector) -> T.Vector { -t }
}

/// kl_div's gradient with `log_target`: `-exp(t)`.
@usableFromInline
struct KLDivLogTargetGradient<T: LossFloat>: GradientFormula {
    @inlinable static var cost: Int { 8 }
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector) -> T.Vector { -T.exp(vector: t) }
}
