/// gaussian_nll_loss (torch.nn.functional's, a composite of torch ops): the negative log
/// likelihood of a target under Gaussians of mean `input` and variance `var`, both learned.
///
/// A three-input loss (ThreeInputs.swift): the forward pass is `sumElementwise` with `var` in
/// the weight's place; the backward pass writes the gradients of `input` and `var` from one
/// read of the three (`differentiatePairs` over `(input, var, target)`), either optional.

/// Whether any element of `values` is below zero (NaN is not), in fixed chunks over threads
/// (a closure, not a `UnitsSum` type: per chunk, the indirect call costs nothing, and a type
/// would add value witnesses to both builds whose placement check_isa.py misreads).
@inlinable
func anyNegative<T: LossFloat>(_ values: UnsafeBufferPointer<T>) -> Bool {
    guard let base = values.baseAddress, values.count > 0 else { return false }
    let n = values.count, L = T.lanes
    let found = sumOverUnits((n - 1) / L + 1, unitElements: L) { range in
        let zero = T.Vector(), one = T.Vector(repeating: 1)
        var any = T.Vector()
        for u in range {
            let k = u &* L
            let v = n &- k >= L ? T.load(base + k) : T.loadPartial(base + k, n &- k, fill: 0)
            any = T.maximum(any, T.select(v, lessThan: zero, one, else: zero))
        }
        return any.max().wide
    }
    return found > 0
}

/// Checks a gaussian_nll_loss call: the three counts, the reduction, the output's size, and
/// PyTorch's sign check of `var` (NaN passes, as its `var < 0`).
@inlinable
func checkGaussianNLLCall<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>, _ variance: UnsafeBufferPointer<T>,
    _ reduction: Reduction, _ output: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    try checkThreeInputCall(input, target, variance, reduction, output)
    if anyNegative(variance) { throw .invalidArgument("var has negative entry/entries") }
}

/// gaussian_nll_loss, in PyTorch's order of operations: with `v = max(var, eps)` (eps rounded
/// to `T`, as PyTorch's `clamp_` of a `T` tensor; NaN stays NaN, a NaN eps gives NaN),
///
///     loss = 0.5 * (log(v) + (input - target)^2 / v)   (+ 0.5 * log(2 pi), rounded to T, with full)
///
/// element by element. `.mean` divides by the count.
/// - Throws: `.invalidArgument` for a `var` element below zero, `.invalidReduction`
///   (`.batchMean`), `.bufferSize` (inputs of different counts, an output of the wrong size);
///   nothing is written then.
@inlinable
public func gaussianNLLLoss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, variance: UnsafeBufferPointer<T>,
    full: Bool = false, eps: Double = 1e-6, reduction: Reduction = .mean,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkGaussianNLLCall(input, target, variance, reduction, output)
    threeInputLoss(input, target, variance, reduction, output, GaussianNLL<T>(full: full, eps: T(eps)))
}

/// The gradients of `gaussianNLLLoss` with respect to `input` and `var`, in the order of
/// PyTorch's autograd through its composite: with `h = 0.5 s`, `q = (x - t)^2 / v`,
///
///     grad_input = (h / v) * (2 (x - t)),   grad_var = h / v - h * (q / v)
///
/// at the clamped `v`. The var gradient is handed to `var` even where `var < eps` (PyTorch's
/// clamp runs under no_grad). `s` is the upstream gradient (`gradOutput[k]` for `.none`, else
/// `gradOutput[0]`, divided by the count for `.mean`). Either gradient buffer may be nil (not
/// computed).
@inlinable
public func gaussianNLLLossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, variance: UnsafeBufferPointer<T>,
    full: Bool = false, eps: Double = 1e-6, reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>,
    gradInput: UnsafeMutableBufferPointer<T>?, gradVariance: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    try checkGaussianNLLCall(input, target, variance, reduction, nil)
    try threeInputBackward(input, variance, target, reduction, gradOutput, gradInput, gradVariance,
                           GaussianNLLGradient<T>(eps: T(eps)))
}

/// `max(v, eps)` lane-wise as PyTorch's `clamp_min`: NaN lanes of `v` stay NaN, and a NaN `eps`
/// gives NaN everywhere.
@inlinable @inline(__always)
func clampVariance<T: LossFloat>(_ v: T.Vector, _ eps: T.Vector, of _: T.Type = T.self) -> T.Vector {
    T.select(eps, equalTo: eps, T.select(v, lessThan: eps, eps, else: v), else: eps)
}

/// `0.5 (log(v) + (x - t)^2 / v)` (+ `0.5 log(2 pi)` with `full`), `v` the clamped variance in
/// the weight's place.
@usableFromInline
struct GaussianNLL<T: LossFloat>: ElementFormula {
    @inlinable static var cost: Int { 8 }
    @usableFromInline let full: Bool, eps: T.Vector, constant: T.Vector
    @inlinable init(full: Bool, eps: T) {
        self.full = full
        self.eps = T.Vector(repeating: eps)
        constant = T.Vector(repeating: T(0.918_938_533_204_672_7))  // 0.5 log(2 pi), Python's double
    }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ variance: T.Vector, _ pw: T.Vector) -> T.Vector {
        let v = clampVariance(variance, eps, of: T.self)
        let d = x - t
        let loss = T.Vector(repeating: 0.5) * (T.log(vector: v) + d * d / v)
        return full ? loss + constant : loss
    }
}

/// `((h / v) 2 (x - t), h / v - h ((x - t)^2 / v / v))` with `h = 0.5 s`, `v` clamped.
@usableFromInline
struct GaussianNLLGradient<T: LossFloat>: PairGradientFormula {
    @inlinable static var cost: Int { 4 }
    @usableFromInline let eps: T.Vector
    @inlinable init(eps: T) { self.eps = T.Vector(repeating: eps) }
    @inlinable @inline(__always)
    func callAsFunction(_ x: T.Vector, _ variance: T.Vector, _ t: T.Vector, _ s: T.Vector) -> (T.Vector, T.Vector) {
        let v = clampVariance(variance, eps, of: T.self)
        let d = x - t
        let h = s * T.Vector(repeating: 0.5)
        let hv = h / v
        let q = d * d / v
        return (hv * (T.Vector(repeating: 2) * d), hv - h * (q / v))
    }
}
