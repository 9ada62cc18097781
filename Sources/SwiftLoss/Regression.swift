/// Regression losses on an input and a target of the same element count: mse_loss, l1_loss,
/// smooth_l1_loss, huber_loss, soft_margin_loss, hinge_embedding_loss and poisson_nll_loss
/// (torch.nn.functional's).
///
/// Each loss is its element formula (vectorised, in the input's precision) run by
/// `sumElementwise` (fixed chunks over threads, sums in Float lanes flushed to Double) and its
/// derivative run by `differentiateVectors`. An optional `weight` has exactly `input.count`
/// elements (PyTorch requires the weight's size to equal the input's); the loss of each element
/// is multiplied by it.

/// How a regression loss's `.mean` divides its weighted sum: by the element count, or (mse_loss
/// and l1_loss with a weight, as PyTorch) by the sum of the weights.
@usableFromInline
enum MeanDivisor { case count, weightSum }

@inlinable
func checkRegressionCall<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>, _ weight: UnsafeBufferPointer<T>?,
    _ reduction: Reduction, _ output: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    try checkElementwiseCall(input, target, reduction, output)
    if let weight, weight.count != input.count { throw .weightSize(expected: input.count, actual: weight.count) }
}

/// The divisor of a regression loss's reduction.
@inlinable
func regressionDivisor<T: LossFloat>(_ reduction: Reduction, count: Int, weight: UnsafeBufferPointer<T>?,
                                     _ mean: MeanDivisor) -> Double {
    guard reduction == .mean else { return 1 }
    guard mean == .weightSum, let weight else { return Double(count) }
    var sum = 0.0
    for w in weight { sum += w.wide }
    return sum
}

/// The shared body of the forward calls: checks, the element loop, the reduction.
@inlinable
func regressionLoss<F: ElementFormula>(
    _ input: UnsafeBufferPointer<F.T>, _ target: UnsafeBufferPointer<F.T>, _ weight: UnsafeBufferPointer<F.T>?,
    _ reduction: Reduction, _ mean: MeanDivisor, _ output: UnsafeMutableBufferPointer<F.T>, _ loss: F
) throws(LossError) {
    try checkRegressionCall(input, target, weight, reduction, output)
    let each = reduction == .none ? output.baseAddress : nil
    let sum = sumElementwise(input, target, weight: weight, each: each, loss)
    finishReduction(output, reduction, sum: sum,
                    divisor: regressionDivisor(reduction, count: input.count, weight: weight, mean))
}

/// The shared body of the backward calls: `gradInput[k] = derivative(x, t) * w * s`, with `s`
/// the upstream gradient (divided by the mean's divisor), vectorised and threaded.
@inlinable
func regressionBackward<G: GradientFormula>(
    _ input: UnsafeBufferPointer<G.T>, _ target: UnsafeBufferPointer<G.T>, _ weight: UnsafeBufferPointer<G.T>?,
    _ reduction: Reduction, _ mean: MeanDivisor, _ gradOutput: UnsafeBufferPointer<G.T>,
    _ gradInput: UnsafeMutableBufferPointer<G.T>, _ derivative: G
) throws(LossError) {
    try checkRegressionCall(input, target, weight, reduction, nil)
    try checkGradientBuffers(input, reduction, gradOutput, gradInput)
    let divisor = regressionDivisor(reduction, count: input.count, weight: weight, mean)
    differentiateVectors(input, target, weight: weight, reduction, gradOutput, gradInput, divisor: divisor, derivative)
}

/// sign(d) lane-wise as PyTorch's `sgn` in the L1 gradient: 0 for 0 and for NaN, ±1 otherwise.
@inlinable @inline(__always)
func l1Sign<T: LossFloat>(_ d: T.Vector, of _: T.Type = T.self) -> T.Vector {
    let zero = T.Vector(), one = T.Vector(repeating: 1)
    return T.select(zero, lessThan: d, one, else: T.select(d, lessThan: zero, -one, else: zero))
}

/// mse_loss: `w * (x - t)^2`. `.mean` divides by the element count, or with a weight by the sum
/// of the weights (NaN when it is 0), as PyTorch.
/// - Throws: `.invalidReduction` (`.batchMean`), `.bufferSize`, `.weightSize` (a weight whose
///   count is not the input's); nothing is written then.
@inlinable
public func mseLoss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, weight: UnsafeBufferPointer<T>? = nil,
    reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try regressionLoss(input, target, weight, reduction, .weightSum, output, SquaredError<T>())
}

/// The gradient of `mseLoss` with respect to its input: `2 (x - t) w s`.
@inlinable
public func mseLossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, weight: UnsafeBufferPointer<T>? = nil,
    reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try regressionBackward(input, target, weight, reduction, .weightSum, gradOutput, gradInput, SquaredErrorGradient<T>())
}

/// l1_loss: `w * |x - t|`. `.mean` divides as `mseLoss`'s.
@inlinable
public func l1Loss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, weight: UnsafeBufferPointer<T>? = nil,
    reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try regressionLoss(input, target, weight, reduction, .weightSum, output, AbsoluteError<T>())
}

/// The gradient of `l1Loss`: `sign(x - t) w s`, with sign 0 at 0 and at NaN (PyTorch's `sgn`).
@inlinable
public func l1LossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, weight: UnsafeBufferPointer<T>? = nil,
    reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try regressionBackward(input, target, weight, reduction, .weightSum, gradOutput, gradInput, AbsoluteErrorGradient<T>())
}

@inlinable
func checkBeta(_ beta: Double) throws(LossError) {
    guard !(beta < 0) else { throw .invalidArgument("smooth_l1_loss does not support negative values for beta.") }
}

/// smooth_l1_loss: with `z = |x - t|`, `z < beta ? 0.5 z^2 / beta : z - 0.5 beta`; `beta == 0`
/// is l1_loss exactly (value and gradient), as PyTorch. `.mean` divides by the element count.
/// - Throws: `.invalidArgument` for `beta < 0` (a NaN beta is allowed and gives NaN, as
///   PyTorch), and as `mseLoss`.
@inlinable
public func smoothL1Loss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, beta: Double = 1,
    reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkBeta(beta)
    if beta == 0 {
        return try l1Loss(input, target: target, reduction: reduction, into: output)
    }
    try regressionLoss(input, target, nil, reduction, .count, output, SmoothL1<T>(beta: T(beta)))
}

/// The gradient of `smoothL1Loss`: `(|d| >= beta ? sign(d) : d / beta) s` (l1's for beta = 0).
@inlinable
public func smoothL1LossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, beta: Double = 1,
    reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkBeta(beta)
    if beta == 0 {
        return try l1LossBackward(input, target: target, reduction: reduction, gradOutput: gradOutput, into: gradInput)
    }
    try regressionBackward(input, target, nil, reduction, .count, gradOutput, gradInput, SmoothL1Gradient<T>(beta: T(beta)))
}

@inlinable
func checkDelta(_ delta: Double) throws(LossError) {
    guard delta > 0 else { throw .invalidArgument("huber_loss does not support non-positive values for delta.") }
}

/// huber_loss: with `z = |x - t|`, `z < delta ? 0.5 z^2 : delta (z - 0.5 delta)`, times the
/// weight. `.mean` divides by the element count, with a weight too (PyTorch's rule for huber,
/// unlike mse and l1).
/// - Throws: `.invalidArgument` unless `delta > 0` (NaN included), and as `mseLoss`.
@inlinable
public func huberLoss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, weight: UnsafeBufferPointer<T>? = nil,
    delta: Double = 1, reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkDelta(delta)
    try regressionLoss(input, target, weight, reduction, .count, output, Huber<T>(delta: T(delta)))
}

/// The gradient of `huberLoss`: `clamp(d, -delta, delta) w s` (NaN stays NaN).
@inlinable
public func huberLossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, weight: UnsafeBufferPointer<T>? = nil,
    delta: Double = 1, reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>,
    into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkDelta(delta)
    try regressionBackward(input, target, weight, reduction, .count, gradOutput, gradInput, HuberGradient<T>(delta: T(delta)))
}

/// soft_margin_loss: `log(1 + exp(-t x))`, computed as `softplus(-t x)` = `max(u, 0) +
/// log(1 + exp(-|u|))`, finite wherever the value is (PyTorch computes `log1p(exp(-t x))`, which
/// overflows to inf once `-t x` passes about 88.7 in float32). `.mean` divides by the count.
@inlinable
public func softMarginLoss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try regressionLoss(input, target, nil, reduction, .count, output, SoftMargin<T>())
}

/// hinge_embedding_loss, as PyTorch's composite: `(t != 1 ? max(margin - x, 0) : 0) + (t != -1 ?
/// x : 0)`; so `t = 1` gives `x` itself, `t = -1` the hinge, and any other target both (NaN
/// propagates). `.mean` divides by the count; nothing is checked beyond the buffers.
@inlinable
public func hingeEmbeddingLoss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, margin: Double = 1,
    reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try regressionLoss(input, target, nil, reduction, .count, output, HingeEmbedding<T>(margin: T(margin)))
}

/// The gradient of `hingeEmbeddingLoss`: `(t != 1 ? (margin - x > 0 ? -1 : 0) : 0) + (t != -1 ?
/// 1 : 0)` times the upstream gradient (0 at the kink `x == margin`, and for the hinge at NaN).
@inlinable
public func hingeEmbeddingLossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, margin: Double = 1,
    reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try regressionBackward(input, target, nil, reduction, .count, gradOutput, gradInput,
                           HingeEmbeddingGradient<T>(margin: T(margin)))
}

/// The gradient of `softMarginLoss`: `-t sigmoid(-t x) s`, computed without overflow (PyTorch's
/// `-t z / (z + 1)` with `z = exp(-t x)` gives NaN where z overflows).
@inlinable
public func softMarginLossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try regressionBackward(input, target, nil, reduction, .count, gradOutput, gradInput, SoftMarginGradient<T>())
}

/// poisson_nll_loss, PyTorch's composite: with `logInput`, `exp(x) - t x`; else
/// `x - t log(x + eps)`. With `full`, plus the Stirling term `t log t - t + 0.5 log(2 pi t)`
/// where `t > 1` (0 elsewhere). Nothing is validated (a negative `x` without `logInput` gives
/// NaN, as PyTorch); `.mean` divides by the element count.
/// - Throws: `.invalidReduction` (`.batchMean`), `.bufferSize`; nothing is written then.
@inlinable
public func poissonNLLLoss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, logInput: Bool = true, full: Bool = false,
    eps: Double = 1e-8, reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try regressionLoss(input, target, nil, reduction, .count, output,
                       PoissonNLL<T>(logInput: logInput, full: full, eps: T(eps)))
}

/// The gradient of `poissonNLLLoss` with respect to its input: `(exp(x) - t) s` with
/// `logInput`, else `(1 - t / (x + eps)) s` (the Stirling term does not depend on the input).
@inlinable
public func poissonNLLLossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, logInput: Bool = true, full: Bool = false,
    eps: Double = 1e-8, reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>,
    into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try regressionBackward(input, target, nil, reduction, .count, gradOutput, gradInput,
                           PoissonNLLGradient<T>(logInput: logInput, eps: T(eps)))
}

// MARK: - The formulas (types, so that the kernels specialize for them on every thread)

/// `w (x - t)^2`.
@usableFromInline
struct SquaredError<T: LossFloat>: ElementFormula {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        let d = x - t
        return d * d * w
    }
}

/// `2 (x - t)`.
@usableFromInline
struct SquaredErrorGradient<T: LossFloat>: GradientFormula {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector) -> T.Vector { T.Vector(repeating: 2) * (x - t) }
}

/// `w |x - t|`.
@usableFromInline
struct AbsoluteError<T: LossFloat>: ElementFormula {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        T.abs(vector: x - t) * w
    }
}

/// `sign(x - t)`, 0 at 0 and at NaN.
@usableFromInline
struct AbsoluteErrorGradient<T: LossFloat>: GradientFormula {
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector) -> T.Vector { l1Sign(x - t, of: T.self) }
}

/// With `z = |x - t|`: `z < beta ? 0.5 z^2 / beta : z - 0.5 beta` (beta > 0).
@usableFromInline
struct SmoothL1<T: LossFloat>: ElementFormula {
    @usableFromInline let beta: T
    @inlinable init(beta: T) { self.beta = beta }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        let b = T.Vector(repeating: beta), half = T.Vector(repeating: 0.5)
        let z = T.abs(vector: x - t)
        return T.select(z, lessThan: b, half * z * z / b, else: z - half * b) * w
    }
}

/// `|d| >= beta ? sign(d) : d / beta`, NaN staying NaN (PyTorch's d / beta branch).
@usableFromInline
struct SmoothL1Gradient<T: LossFloat>: GradientFormula {
    @usableFromInline let beta: T
    @inlinable init(beta: T) { self.beta = beta }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector) -> T.Vector {
        let b = T.Vector(repeating: beta)
        let d = x - t
        let r = T.select(T.abs(vector: d), lessThan: b, d / b, else: l1Sign(d, of: T.self))
        return T.select(d, equalTo: d, r, else: d)
    }
}

/// With `z = |x - t|`: `w (z < delta ? 0.5 z^2 : delta (z - 0.5 delta))`.
@usableFromInline
struct Huber<T: LossFloat>: ElementFormula {
    @usableFromInline let delta: T
    @inlinable init(delta: T) { self.delta = delta }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        let dv = T.Vector(repeating: delta), half = T.Vector(repeating: 0.5)
        let z = T.abs(vector: x - t)
        return T.select(z, lessThan: dv, half * z * z, else: dv * (z - half * dv)) * w
    }
}

/// `clamp(x - t, -delta, delta)`, NaN staying NaN.
@usableFromInline
struct HuberGradient<T: LossFloat>: GradientFormula {
    @usableFromInline let delta: T
    @inlinable init(delta: T) { self.delta = delta }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector) -> T.Vector {
        let dv = T.Vector(repeating: delta)
        let d = x - t
        return T.select(d, lessThan: -dv, -dv, else: T.select(dv, lessThan: d, dv, else: d))
    }
}

/// `softplus(-t x) = max(u, 0) + log(1 + exp(-|u|))`, `u = -t x`.
@usableFromInline
struct SoftMargin<T: LossFloat>: ElementFormula {
    @inlinable static var cost: Int { 8 }
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        let u = -(t * x)
        return (T.maximum(u, T.Vector()) + T.logOnePlusUnit(vector: T.exp(vector: -T.abs(vector: u)))) * w
    }
}

/// `-t sigmoid(-t x)`, with `e = exp(-|u|)`: `1 / (1 + e)` for `u >= 0`, `e / (1 + e)` below.
@usableFromInline
struct SoftMarginGradient<T: LossFloat>: GradientFormula {
    @inlinable static var cost: Int { 8 }
    @inlinable init() {}
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector) -> T.Vector {
        let u = -(t * x)
        let one = T.Vector(repeating: 1)
        let e = T.exp(vector: -T.abs(vector: u))
        return -t * T.select(u, lessThan: T.Vector(), e / (one + e), else: one / (one + e))
    }
}

/// `(t != 1 ? max(margin - x, 0) : 0) + (t != -1 ? x : 0)`, the clamp propagating NaN.
@usableFromInline
struct HingeEmbedding<T: LossFloat>: ElementFormula {
    @usableFromInline let margin: T
    @inlinable init(margin: T) { self.margin = margin }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        let zero = T.Vector(), one = T.Vector(repeating: 1)
        let h = T.Vector(repeating: margin) - x
        let hinge = T.select(h, lessThan: zero, zero, else: h)  // clamp_min(h, 0), NaN stays NaN
        let negative = T.select(t, equalTo: one, zero, else: hinge)
        let positive = T.select(t, equalTo: -one, zero, else: x)
        return (negative + positive) * w
    }
}

/// `(t != 1 ? (margin - x > 0 ? -1 : 0) : 0) + (t != -1 ? 1 : 0)`.
@usableFromInline
struct HingeEmbeddingGradient<T: LossFloat>: GradientFormula {
    @usableFromInline let margin: T
    @inlinable init(margin: T) { self.margin = margin }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector) -> T.Vector {
        let zero = T.Vector(), one = T.Vector(repeating: 1)
        let active = T.select(zero, lessThan: T.Vector(repeating: margin) - x, -one, else: zero)
        return T.select(t, equalTo: one, zero, else: active) + T.select(t, equalTo: -one, zero, else: one)
    }
}

/// `exp(x) - t x` (`logInput`) or `x - t log(x + eps)`, plus with `full` the Stirling term
/// `t log t - t + 0.5 log(2 pi t)` where `t > 1` (PyTorch's masked_fill(t <= 1, 0)).
@usableFromInline
struct PoissonNLL<T: LossFloat>: ElementFormula {
    @inlinable static var cost: Int { 8 }
    @usableFromInline let logInput: Bool, full: Bool, eps: T
    @inlinable init(logInput: Bool, full: Bool, eps: T) { self.logInput = logInput; self.full = full; self.eps = eps }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector {
        var loss = logInput ? T.exp(vector: x) - t * x : x - t * T.log(vector: x + T.Vector(repeating: eps))
        if full {
            let twoPi = T.Vector(repeating: T(2 * Double.pi)), half = T.Vector(repeating: 0.5)
            let stirling = t * T.log(vector: t) - t + half * T.log(vector: twoPi * t)
            loss += T.select(T.Vector(repeating: 1), lessThan: t, stirling, else: T.Vector())
        }
        return loss
    }
}

/// `exp(x) - t` (`logInput`) or `1 - t / (x + eps)`.
@usableFromInline
struct PoissonNLLGradient<T: LossFloat>: GradientFormula {
    @inlinable static var cost: Int { 8 }
    @usableFromInline let logInput: Bool, eps: T
    @inlinable init(logInput: Bool, eps: T) { self.logInput = logInput; self.eps = eps }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector) -> T.Vector {
        logInput ? T.exp(vector: x) - t : T.Vector(repeating: 1) - t / (x + T.Vector(repeating: eps))
    }
}
