/// Element-wise losses of three inputs of one element count, two of them learned:
/// margin_ranking_loss (input1, input2, target) and gaussian_nll_loss (input, target, var).
///
/// The forward pass is `sumElementwise` with the third input in the weight's place (a formula
/// of `(a, b, c)` reads it as `w`); the backward pass writes the gradients of the two learned
/// inputs from one read of the three (`ElementwisePairGradient`), either of them optional.

/// Checks the three inputs' counts, the reduction and the output's size.
@inlinable
func checkThreeInputCall<T>(
    _ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>, _ c: UnsafeBufferPointer<T>,
    _ reduction: Reduction, _ output: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    try checkElementwiseCall(a, b, reduction, output)
    try checkCount(c.count, a.count)
}

/// Checks a backward call's upstream gradient and its (optional) gradient buffers.
@inlinable
func checkPairGradientBuffers<T>(
    _ a: UnsafeBufferPointer<T>, _ reduction: Reduction, _ gradOutput: UnsafeBufferPointer<T>,
    _ gradA: UnsafeMutableBufferPointer<T>?, _ gradB: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    try checkCount(gradOutput.count, reduction.outputCount(for: a.count))
    if let gradA { try checkCount(gradA.count, a.count) }
    if let gradB { try checkCount(gradB.count, a.count) }
}

/// The gradients of a three-input loss with respect to its first two inputs, given the
/// upstream gradient `s` of each element (already divided by the mean's divisor).
@usableFromInline
protocol PairGradientFormula {
    associatedtype T: LossFloat
    func callAsFunction(_ a: T.Vector, _ b: T.Vector, _ c: T.Vector, _ s: T.Vector) -> (T.Vector, T.Vector)
    /// As `ElementFormula.cost`.
    static var cost: Int { get }
}

extension PairGradientFormula {
    @inlinable static var cost: Int { 1 }
}

/// The units (of `T.lanes` elements) of `differentiatePairs`.
@usableFromInline
struct ElementwisePairGradient<G: PairGradientFormula>: UnitsSum {
    @usableFromInline let a: UnsafePointer<G.T>, b: UnsafePointer<G.T>, c: UnsafePointer<G.T>
    @usableFromInline let g: UnsafePointer<G.T>, n: Int
    @usableFromInline let ga: UnsafeMutablePointer<G.T>?, gb: UnsafeMutablePointer<G.T>?
    @usableFromInline let perElement: Bool, scale: G.T.Vector
    @usableFromInline let derivative: G

    @inlinable
    init(a: UnsafePointer<G.T>, b: UnsafePointer<G.T>, c: UnsafePointer<G.T>, g: UnsafePointer<G.T>, n: Int,
         ga: UnsafeMutablePointer<G.T>?, gb: UnsafeMutablePointer<G.T>?, perElement: Bool, scale: G.T.Vector,
         derivative: G) {
        self.a = a; self.b = b; self.c = c; self.g = g; self.n = n; self.ga = ga; self.gb = gb
        self.perElement = perElement; self.scale = scale; self.derivative = derivative
    }

    @inlinable
    func sum(_ range: Range<Int>) -> SIMD2<Double> {
        typealias T = G.T
        let L = T.lanes
        // The fields as locals: the stores through ga and gb could otherwise alias them, and
        // each would be loaded again for every vector.
        let (a, b, c, g, ga, gb) = (self.a, self.b, self.c, self.g, self.ga, self.gb)
        let (perElement, scale, derivative) = (self.perElement, self.scale, self.derivative)
        let fullEnd = min(range.upperBound, n / L)
        var u = range.lowerBound
        while u < fullEnd {
            let k = u &* L
            let s = perElement ? T.load(g + k) : scale
            let (da, db) = derivative(T.load(a + k), T.load(b + k), T.load(c + k), s)
            if let ga { T.store(da, to: ga + k) }
            if let gb { T.store(db, to: gb + k) }
            u &+= 1
        }
        if u < range.upperBound {  // the last, partial unit
            let k = u &* L, lanes = n &- k
            let s = perElement ? T.loadPartial(g + k, lanes, fill: 0) : scale
            let (da, db) = derivative(T.loadPartial(a + k, lanes, fill: 0), T.loadPartial(b + k, lanes, fill: 0),
                                      T.loadPartial(c + k, lanes, fill: 0), s)
            if let ga { T.storePartial(da, to: ga + k, lanes) }
            if let gb { T.storePartial(db, to: gb + k, lanes) }
        }
        return SIMD2()
    }
}

/// Writes the gradients of a three-input loss with respect to its first two inputs (each
/// only when its buffer is given), in fixed chunks over threads; `s` is `gradOutput[k]` for
/// `.none`, else `gradOutput[0] / divisor` (rounded to T once).
@inlinable
func differentiatePairs<G: PairGradientFormula>(
    _ a: UnsafeBufferPointer<G.T>, _ b: UnsafeBufferPointer<G.T>, _ c: UnsafeBufferPointer<G.T>,
    _ reduction: Reduction, _ gradOutput: UnsafeBufferPointer<G.T>,
    _ gradA: UnsafeMutableBufferPointer<G.T>?, _ gradB: UnsafeMutableBufferPointer<G.T>?,
    divisor: Double, _ derivative: G
) {
    typealias T = G.T
    let n = a.count
    guard let pa = a.baseAddress, let pb = b.baseAddress, let pc = c.baseAddress,
          let g = gradOutput.baseAddress, n > 0, gradA != nil || gradB != nil else { return }
    let perElement = reduction == .none
    let scale = T.Vector(repeating: perElement ? 1 : T(narrowing: g[0].wide / divisor))
    let body = ElementwisePairGradient(a: pa, b: pb, c: pc, g: g, n: n, ga: gradA?.baseAddress,
                                       gb: gradB?.baseAddress, perElement: perElement, scale: scale,
                                       derivative: derivative)
    _ = sumPairsOverUnits((n - 1) / T.lanes + 1, unitElements: T.lanes &* G.cost, body)
}

/// The forward pass of a three-input loss, after its checks: `formula(a, b, c)` (c in the
/// weight's place) over every element, each loss written for `.none`, else the sum or the
/// mean (over the count) into `output[0]`.
@inlinable
func threeInputLoss<F: ElementFormula>(
    _ a: UnsafeBufferPointer<F.T>, _ b: UnsafeBufferPointer<F.T>, _ c: UnsafeBufferPointer<F.T>,
    _ reduction: Reduction, _ output: UnsafeMutableBufferPointer<F.T>, _ formula: F
) {
    let each = reduction == .none ? output.baseAddress : nil
    let sum = sumElementwise(a, b, weight: c, each: each, formula)
    finishReduction(output, reduction, sum: sum, divisor: elementwiseDivisor(reduction, count: a.count))
}

/// The backward pass of a three-input loss, after its checks of the inputs: the upstream
/// gradient's and the gradient buffers' sizes checked, then `differentiatePairs` with the
/// count as `.mean`'s divisor.
@inlinable
func threeInputBackward<G: PairGradientFormula>(
    _ a: UnsafeBufferPointer<G.T>, _ b: UnsafeBufferPointer<G.T>, _ c: UnsafeBufferPointer<G.T>,
    _ reduction: Reduction, _ gradOutput: UnsafeBufferPointer<G.T>,
    _ gradA: UnsafeMutableBufferPointer<G.T>?, _ gradB: UnsafeMutableBufferPointer<G.T>?, _ derivative: G
) throws(LossError) {
    try checkPairGradientBuffers(a, reduction, gradOutput, gradA, gradB)
    differentiatePairs(a, b, c, reduction, gradOutput, gradA, gradB,
                       divisor: elementwiseDivisor(reduction, count: a.count), derivative)
}

// MARK: - margin_ranking_loss

/// margin_ranking_loss, as PyTorch's composite: `max(-y (x1 - x2) + margin, 0)` element by
/// element, in the inputs' precision (margin rounded to it). The target is not validated: `y =
/// 0` gives the margin, `y = 2` doubles. NaN propagates. `.mean` divides by the count.
/// - Throws: `.invalidReduction` (`.batchMean`), `.bufferSize` (inputs of different counts, an
///   output of the wrong size); nothing is written then.
@inlinable
public func marginRankingLoss<T: LossFloat>(
    _ input1: UnsafeBufferPointer<T>, _ input2: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    margin: Double = 0, reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkThreeInputCall(input1, input2, target, reduction, output)
    threeInputLoss(input1, input2, target, reduction, output, MarginRanking<T>(margin: T(margin)))
}

/// The gradients of `marginRankingLoss`: where the loss is positive, `-y s` for input1 and
/// `y s` for input2; 0 elsewhere, at the kink included (PyTorch's `clamp_min`). `s` is the
/// upstream gradient (`gradOutput[k]` for `.none`, else `gradOutput[0]`, divided by the count
/// for `.mean`). Either gradient buffer may be nil (not computed).
@inlinable
public func marginRankingLossBackward<T: LossFloat>(
    _ input1: UnsafeBufferPointer<T>, _ input2: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    margin: Double = 0, reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>,
    gradInput1: UnsafeMutableBufferPointer<T>?, gradInput2: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    try checkThreeInputCall(input1, input2, target, reduction, nil)
    try threeInputBackward(input1, input2, target, reduction, gradOutput, gradInput1, gradInput2,
                           MarginRankingGradient<T>(margin: T(margin)))
}

/// `max(-y (x1 - x2) + margin, 0)` with `y` in the weight's place; NaN stays NaN.
@usableFromInline
struct MarginRanking<T: LossFloat>: ElementFormula {
    @usableFromInline let margin: T
    @inlinable init(margin: T) { self.margin = margin }
    @inlinable @inline(__always)
    func callAsFunction(_ x1: T.Vector, _ x2: T.Vector, _ y: T.Vector, _ pw: T.Vector) -> T.Vector {
        let z = -y * (x1 - x2) + T.Vector(repeating: margin)
        return T.select(z, lessThan: T.Vector(), T.Vector(), else: z)  // clamp_min(z, 0), NaN stays NaN
    }
}

/// `(-y s, y s)` where `-y (x1 - x2) + margin > 0`, zeros elsewhere.
@usableFromInline
struct MarginRankingGradient<T: LossFloat>: PairGradientFormula {
    @usableFromInline let margin: T
    @inlinable init(margin: T) { self.margin = margin }
    @inlinable @inline(__always)
    func callAsFunction(_ x1: T.Vector, _ x2: T.Vector, _ y: T.Vector, _ s: T.Vector) -> (T.Vector, T.Vector) {
        let zero = T.Vector()
        let z = -y * (x1 - x2) + T.Vector(repeating: margin)
        let d1 = T.select(zero, lessThan: z, s, else: zero) * -y  // PyTorch's order: signed zeros too
        return (d1, -d1)
    }
}
