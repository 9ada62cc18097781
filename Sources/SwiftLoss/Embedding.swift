import RealModule

/// The embedding losses: cosine_embedding_loss (input1, input2, target) and triplet_margin_loss
/// (anchor, positive, negative). Each gives one loss per row of `dim` elements over `batch`
/// rows (PyTorch's last axis), and every input but cosine's target is learned.
///
/// A row's sums (dot products, squared norms, p-norms) are taken in T lanes flushed to Double
/// (the powers of a p other than 0, 1, 2 and ±inf in Double lanes: `exp(p log|d|)`); the row's
/// loss follows PyTorch's steps in T, and the per-element gradient work is in T from
/// coefficients computed once per row. Rows are split over threads in fixed chunks, so results
/// do not depend on the thread count. The backward functions write the gradient of each
/// learned input whose buffer is given (nil: not computed).

/// Checks an embedding loss call: `a` and `b` of `batch * dim` elements, `c` of `batch * dim`
/// (triplet's negative) or `batch` (cosine's target, `cPerRow`), the reduction, and the
/// output (`batch` elements for `.none`, else 1) or upstream gradient of `outputCount`.
@inlinable
func checkRowsCall<T>(
    _ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>, _ c: UnsafeBufferPointer<T>, cPerRow: Bool,
    batch: Int, dim: Int, _ reduction: Reduction, outputCount: Int
) throws(LossError) {
    guard reduction != .batchMean else { throw .invalidReduction }
    let count = try elementCount(batch, dim, of: T.self)
    _ = try elementCount(batch, of: T.self)  // the 'none' output and cosine's target, even when dim is 0
    try checkCount(a.count, count)
    try checkCount(b.count, count)
    try checkCount(c.count, cPerRow ? batch : count)
    try checkCount(outputCount, reduction.outputCount(for: batch))
}

/// Checks the (optional) gradient buffers of a backward call: `batch * dim` elements each.
@inlinable
func checkRowGradients<T>(_ count: Int, _ gradients: UnsafeMutableBufferPointer<T>?...) throws(LossError) {
    for case let gradient? in gradients { try checkCount(gradient.count, count) }
}

/// A row pointer of a buffer that may be empty (`dim == 0`: never read through).
@inlinable @inline(__always)
func rowBase<T>(_ buffer: UnsafeBufferPointer<T>) -> UnsafePointer<T> {
    buffer.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<T>.alignment)!
}

@inlinable @inline(__always)
func rowBase<T>(_ buffer: UnsafeMutableBufferPointer<T>?) -> UnsafeMutablePointer<T>? {
    guard let buffer else { return nil }
    return buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: MemoryLayout<T>.alignment)!
}

/// The upstream gradient of row `n`: `gradOutput[n]` for `.none`, else `gradOutput[0]` divided
/// by `batch` for `.mean`, rounded to T once (PyTorch's mean backward).
@inlinable @inline(__always)
func rowUpstream<T: LossFloat>(_ g: UnsafePointer<T>, _ n: Int, _ reduction: Reduction, _ mean: T) -> T {
    reduction == .none ? g[n] : mean
}

/// Runs `body(rows)` over `batch` rows of `dim` elements in fixed chunks over threads and
/// returns the sum of the row losses it returns; `cost` is the work of one element (see
/// `ElementFormula.cost`).
@inlinable @inline(__always)
func sumOverRows(_ batch: Int, dim: Int, cost: Int, _ body: (Range<Int>) -> Double) -> Double {
    sumOverUnits(batch, unitElements: dim &* cost, body)
}

/// The forward pass of a loss per row: `loss(n)` of every row, written to `output` for
/// `.none`, else summed (in Double, rows in order) and reduced; `.mean` divides by `batch`.
@inlinable @inline(__always)
func reduceRows<T: LossFloat>(_ batch: Int, dim: Int, cost: Int, _ reduction: Reduction,
                              into output: UnsafeMutableBufferPointer<T>, _ loss: (Int) -> T) {
    let each = reduction == .none ? output.baseAddress : nil
    let sum = sumOverRows(batch, dim: dim, cost: cost) { rows in
        var partial = 0.0
        for n in rows {
            let value = loss(n)
            each?[n] = value
            partial += value.wide
        }
        return partial
    }
    finishReduction(output, reduction, sum: sum, divisor: reduction == .mean ? Double(batch) : 1)
}

// MARK: - cosine_embedding_loss

/// PyTorch's EPSILON of cosine_embedding_loss, added to each squared norm: a C++ `float`
/// 1e-12 (9.99999996e-13), in float64 too.
@usableFromInline let cosineEpsilon = Double(Float(1e-12))

/// `Σ a b`, `Σ a²` and `Σ b²` over `n` contiguous elements (products in T, sums in T lanes
/// flushed to Double every `flushEvery` vectors).
@inlinable @inline(__always)
func rowDots<T: LossFloat>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ n: Int) -> (ab: Double, aa: Double, bb: Double) {
    let L = T.lanes
    var ab = 0.0, aa = 0.0, bb = 0.0
    var j = 0
    while j + L <= n {
        var sab = T.Vector(), saa = T.Vector(), sbb = T.Vector()
        var k = 0
        while k < flushEvery && j + L <= n {
            let x = T.load(a + j), y = T.load(b + j)
            // (products and sums written out: `mulAdd` on the generic T.Vector calls the scalar
            // fused multiply-add lane by lane)
            sab += x * y
            saa += x * x
            sbb += y * y
            j &+= L
            k &+= 1
        }
        ab += T.wideSum(sab); aa += T.wideSum(saa); bb += T.wideSum(sbb)
    }
    if j < n {
        let x = T.loadPartial(a + j, n &- j, fill: 0), y = T.loadPartial(b + j, n &- j, fill: 0)
        ab += T.wideSum(x * y); aa += T.wideSum(x * x); bb += T.wideSum(y * y)
    }
    return (ab, aa, bb)
}

/// One row of cosine_embedding_loss: `cos = Σ a b / sqrt((Σ a² + ε)(Σ b² + ε))` (ε = the
/// float 1e-12, added to each squared norm as PyTorch's composite; computed in Double, so a product of
/// squared norms beyond T's range does not overflow), and the pieces its gradient needs.
@usableFromInline
struct CosineRow<T: LossFloat> {
    @usableFromInline let cos: Double, denominator: Double, squared1: Double, squared2: Double

    @inlinable @inline(__always)
    init(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ n: Int) {
        let (ab, aa, bb) = rowDots(a, b, n)
        squared1 = aa + cosineEpsilon
        squared2 = bb + cosineEpsilon
        denominator = (squared1 * squared2).squareRoot()
        cos = ab / denominator
    }

    /// The loss in T, as PyTorch's `where(y == 1, 1 - cos, 0) + where(y == -1, clamp_min(cos -
    /// margin, 0), 0)`: any other target gives 0; NaN propagates through the selected term.
    @inlinable @inline(__always)
    func loss(target y: T, margin: T) -> T {
        let c = T(narrowing: cos)
        if y == 1 { return 1 - c }
        if y == -1 {
            let z = c - margin
            return z < 0 ? 0 : z
        }
        return 0
    }

    /// The gradient of the loss with respect to cos for upstream gradient `s`: `-s` for a
    /// target of 1, `s` for -1 where `cos - margin > 0` (0 at the kink), 0 otherwise.
    @inlinable @inline(__always)
    func cosGradient(target y: T, margin: T, upstream s: T) -> T {
        if y == 1 { return -s }
        if y == -1 { return T(narrowing: cos) - margin > 0 ? s : 0 }
        return 0
    }

    /// `(c, c1, c2)` with `grad_input1 = c * b + c1 * a` and `grad_input2 = c * a + c2 * b`:
    /// autograd's chain through `prod / sqrt(m1 m2)` written out in Double (so that NaN and
    /// infinities propagate as in PyTorch), then rounded to T.
    @inlinable @inline(__always)
    func coefficients(cosGradient g: T) -> (T, T, T) {
        let gc = g.wide
        let dProduct = gc / denominator
        let dDenominator = -gc * (cos / denominator)
        let dSquares = dDenominator / (2 * denominator)
        return (T(narrowing: dProduct), T(narrowing: 2 * (dSquares * squared2)), T(narrowing: 2 * (dSquares * squared1)))
    }
}

/// cosine_embedding_loss, as PyTorch's composite, per row of `dim` elements:
///
///     cos = Σ x1 x2 / sqrt((Σ x1² + 1e-12) (Σ x2² + 1e-12))
///     loss = 1 - cos (target 1), max(cos - margin, 0) (target -1), 0 (any other target)
///
/// `input1`, `input2`: `batch * dim` elements (row-major); `target`: `batch`. A row of zeros
/// gives cos = 0; `dim == 0` gives cos = 0 too (loss 1 for a target of 1). Targets other than
/// ±1 give 0 but count in the mean. `.mean` divides by `batch`; no rows: 'sum' 0, 'mean' NaN.
/// - Throws: `.invalidReduction` (`.batchMean`), `.sizeOverflow`, `.bufferSize`; nothing is
///   written then.
@inlinable
public func cosineEmbeddingLoss<T: LossFloat>(
    _ input1: UnsafeBufferPointer<T>, _ input2: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    batch: Int, dim: Int, margin: Double = 0, reduction: Reduction = .mean,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkRowsCall(input1, input2, target, cPerRow: true, batch: batch, dim: dim, reduction,
                      outputCount: output.count)
    guard batch > 0, let y = target.baseAddress else {
        return finishReduction(output, reduction, sum: 0, divisor: reduction == .mean ? 0 : 1)
    }
    let a = rowBase(input1), b = rowBase(input2)
    let m = T(narrowing: margin)
    reduceRows(batch, dim: dim, cost: 2, reduction, into: output) { n in
        CosineRow(a + n &* dim, b + n &* dim, dim).loss(target: y[n], margin: m)
    }
}

/// The gradients of `cosineEmbeddingLoss` (PyTorch's autograd through its composite):
///
///     grad_input1 = g / D · x2 - g cos / m1 · x1,   grad_input2 = g / D · x1 - g cos / m2 · x2
///
/// with `m1, m2` the squared norms plus 1e-12, `D = sqrt(m1 m2)` and `g` the gradient of the row
/// with respect to cos (`-s` for a target of 1, `s` for -1 where `cos - margin > 0`, else 0;
/// `s` is `gradOutput[n]` for `.none`, else `gradOutput[0]`, divided by `batch` for `.mean`).
/// A zero row of input1 gets `g x2 / (1e-6 |x2|)`: about 1e6 times g, as PyTorch. Either
/// gradient buffer may be nil (not computed).
@inlinable
public func cosineEmbeddingLossBackward<T: LossFloat>(
    _ input1: UnsafeBufferPointer<T>, _ input2: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    batch: Int, dim: Int, margin: Double = 0, reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>,
    gradInput1: UnsafeMutableBufferPointer<T>?, gradInput2: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    try checkRowsCall(input1, input2, target, cPerRow: true, batch: batch, dim: dim, reduction,
                      outputCount: gradOutput.count)
    try checkRowGradients(input1.count, gradInput1, gradInput2)
    guard batch > 0, dim > 0, gradInput1 != nil || gradInput2 != nil,
          let y = target.baseAddress, let g = gradOutput.baseAddress else { return }
    let a = rowBase(input1), b = rowBase(input2)
    let g1 = rowBase(gradInput1), g2 = rowBase(gradInput2)
    let m = T(narrowing: margin)
    let mean = T(narrowing: g[0].wide / (reduction == .mean ? Double(batch) : 1))
    _ = sumOverRows(batch, dim: dim, cost: 4) { rows in
        for n in rows {
            let offset = n &* dim
            let row = CosineRow(a + offset, b + offset, dim)
            let s = row.cosGradient(target: y[n], margin: m, upstream: rowUpstream(g, n, reduction, mean))
            let (c, c1, c2) = row.coefficients(cosGradient: s)
            let cv = T.Vector(repeating: c), c1v = T.Vector(repeating: c1), c2v = T.Vector(repeating: c2)
            let x1 = a + offset, x2 = b + offset
            if let g1 { rowMap(x1, dim, into: g1 + offset) { j, v in c1v * v + cv * rowVector(x2, j, dim) } }
            if let g2 { rowMap(x2, dim, into: g2 + offset) { j, v in c2v * v + cv * rowVector(x1, j, dim) } }
        }
        return 0
    }
}

/// The elements `x[j ..< j + lanes]` of a row of `n` as a vector, zeros past its end.
@inlinable @inline(__always)
func rowVector<T: LossFloat>(_ x: UnsafePointer<T>, _ j: Int, _ n: Int) -> T.Vector {
    j &+ T.lanes <= n ? T.load(x + j) : T.loadPartial(x + j, n &- j, fill: 0)
}

// MARK: - triplet_margin_loss

/// The p of triplet_margin_loss's distance `‖x - y + eps‖_p` (PyTorch's pairwise_distance:
/// linalg.vector_norm over the last axis), with its own kernels for the special values.
@usableFromInline
enum PNorm: Sendable {
    /// `sqrt(Σ d²)`.
    case two
    /// `Σ |d|`.
    case one
    /// `max |d|` (NaN if any d is).
    case maximum
    /// `min |d|` (NaN if any d is).
    case minimum
    /// The count of nonzero d (NaN counts); no gradient.
    case zero
    /// `(Σ |d|^p)^(1/p)`, the powers in Double; p may be negative or NaN.
    case power(Double)

    @inlinable
    init(_ p: Double) {
        switch p {
        case 2: self = .two
        case 1: self = .one
        case .infinity: self = .maximum
        case -.infinity: self = .minimum
        case 0: self = .zero
        default: self = .power(p)
        }
    }

    /// The work of one element of a row (three pairs), as `ElementFormula.cost`.
    @inlinable var cost: Int {
        if case .power = self { return 48 }
        return 4
    }
}

extension LossFloat {
    /// `v` with its lanes from `count` on set to `fill` (a partial vector's padding).
    @inlinable @inline(__always)
    static func padded(_ v: Vector, _ count: Int, _ fill: Self) -> Vector {
        var v = v
        for l in count..<lanes { v[l] = fill }
        return v
    }

    /// Lanes `4 q ..< 4 q + 4` of `v`, widened to Double.
    @inlinable @inline(__always)
    static func quarter(_ v: Vector, _ q: Int) -> SIMD4<Double> {
        let l = q &* 4
        return SIMD4(v[l].wide, v[l &+ 1].wide, v[l &+ 2].wide, v[l &+ 3].wide)
    }
}

/// The three sums of a triplet row (anchor-positive, anchor-negative, positive-negative) as
/// one vector; the fourth lane repeats the third (a zero lane would compile to a zero-extending
/// move that valgrind 3.19, which the C tests run under, cannot decode).
@inlinable @inline(__always)
func triple(_ a: Double, _ b: Double, _ c: Double) -> SIMD4<Double> { SIMD4(a, b, c, c) }

/// An additive p-norm's term of one difference vector (before the root).
@usableFromInline
protocol NormTerm {
    associatedtype T: LossFloat
    static func term(_ d: T.Vector) -> T.Vector
}

/// `d²` (p = 2).
@usableFromInline
enum SquareTerm<T: LossFloat>: NormTerm {
    @inlinable @inline(__always) static func term(_ d: T.Vector) -> T.Vector { d * d }
}

/// `|d|` (p = 1).
@usableFromInline
enum AbsoluteTerm<T: LossFloat>: NormTerm {
    @inlinable @inline(__always) static func term(_ d: T.Vector) -> T.Vector { T.abs(vector: d) }
}

/// `d != 0` (p = 0: NaN counts, as PyTorch's).
@usableFromInline
enum NonzeroTerm<T: LossFloat>: NormTerm {
    @inlinable @inline(__always)
    static func term(_ d: T.Vector) -> T.Vector { T.select(d, equalTo: T.Vector(), T.Vector(), else: T.Vector(repeating: 1)) }
}

/// The three differences of a triplet at element `j`: `a - p + eps`, `a - n + eps`, `p - n + eps`
/// (zeros past the row's end when `lanes < T.lanes`, before eps is added).
@inlinable @inline(__always)
func tripletDifferences<T: LossFloat>(
    _ a: UnsafePointer<T>, _ p: UnsafePointer<T>, _ n: UnsafePointer<T>, _ j: Int, lanes: Int, eps: T.Vector
) -> (T.Vector, T.Vector, T.Vector) {
    let va: T.Vector, vp: T.Vector, vn: T.Vector
    if lanes == T.lanes {
        va = T.load(a + j); vp = T.load(p + j); vn = T.load(n + j)
    } else {
        va = T.loadPartial(a + j, lanes, fill: 0); vp = T.loadPartial(p + j, lanes, fill: 0)
        vn = T.loadPartial(n + j, lanes, fill: 0)
    }
    return (va - vp + eps, va - vn + eps, vp - vn + eps)
}

/// The sums of an additive norm's terms over a row, for the three pairs (the third only with
/// `swap`), in T lanes flushed to Double.
@inlinable @inline(__always)
func rowTermSums<N: NormTerm>(
    _ a: UnsafePointer<N.T>, _ p: UnsafePointer<N.T>, _ n: UnsafePointer<N.T>, _ dim: Int, eps: N.T.Vector,
    swap: Bool, _: N.Type
) -> SIMD4<Double> {
    typealias T = N.T
    let L = T.lanes
    var total = SIMD4<Double>()
    var j = 0
    while j + L <= dim {
        var s0 = T.Vector(), s1 = T.Vector(), s2 = T.Vector()
        var k = 0
        while k < flushEvery && j + L <= dim {
            let (dp, dn, ds) = tripletDifferences(a, p, n, j, lanes: L, eps: eps)
            s0 += N.term(dp)
            s1 += N.term(dn)
            if swap { s2 += N.term(ds) }
            j &+= L
            k &+= 1
        }
        total += triple(T.wideSum(s0), T.wideSum(s1), T.wideSum(s2))
    }
    if j < dim {
        let lanes = dim &- j
        let (dp, dn, ds) = tripletDifferences(a, p, n, j, lanes: lanes, eps: eps)
        total += triple(T.wideSum(T.padded(N.term(dp), lanes, 0)), T.wideSum(T.padded(N.term(dn), lanes, 0)),
                        swap ? T.wideSum(T.padded(N.term(ds), lanes, 0)) : 0)
    }
    return total
}

/// `max |d|` (or `min |d|` with `minimum`) of the three pairs over a row, NaN where any d is.
@inlinable @inline(__always)
func rowExtremes<T: LossFloat>(
    _ a: UnsafePointer<T>, _ p: UnsafePointer<T>, _ n: UnsafePointer<T>, _ dim: Int, eps: T.Vector,
    swap: Bool, minimum: Bool
) -> (T, T, T) {
    let L = T.lanes
    // The max of |d|, or of -|d| for the minimum; NaN lanes counted apart (`maximum` may drop them).
    var m0 = T.Vector(repeating: -.infinity), m1 = m0, m2 = m0
    var nan0 = T.Vector(), nan1 = T.Vector(), nan2 = T.Vector()
    let zero = T.Vector(), one = T.Vector(repeating: 1)
    var j = 0
    while j < dim {
        let lanes = min(L, dim &- j)
        var (dp, dn, ds) = tripletDifferences(a, p, n, j, lanes: lanes, eps: eps)
        if lanes < L { dp = T.padded(dp, lanes, 0); dn = T.padded(dn, lanes, 0); ds = T.padded(ds, lanes, 0) }
        var ep = T.abs(vector: dp), en = T.abs(vector: dn), es = T.abs(vector: ds)
        if minimum {
            ep = -ep; en = -en; es = -es
            if lanes < L { ep = T.padded(ep, lanes, -.infinity); en = T.padded(en, lanes, -.infinity); es = T.padded(es, lanes, -.infinity) }
        }
        m0 = T.maximum(m0, ep); m1 = T.maximum(m1, en)
        nan0 += T.select(dp, equalTo: dp, zero, else: one)
        nan1 += T.select(dn, equalTo: dn, zero, else: one)
        if swap { m2 = T.maximum(m2, es); nan2 += T.select(ds, equalTo: ds, zero, else: one) }
        j &+= L
    }
    func finish(_ m: T.Vector, _ nan: T.Vector) -> T {
        if nan.max() > 0 { return .nan }
        return minimum ? -m.max() : m.max()
    }
    return (finish(m0, nan0), finish(m1, nan1), swap ? finish(m2, nan2) : 0)
}

/// `|x|^q` lane by lane in Double, as `exp(q log|x|)`: 0 at x = 0 for q > 0 and inf for q < 0,
/// inf at |x| = inf for q > 0 and 0 for q < 0, NaN for NaN x or q.
@inlinable @inline(__always)
func powerOfAbsolute(_ x: SIMD4<Double>, _ q: Double) -> SIMD4<Double> {
    Double.exp(vector: SIMD4(repeating: q) * Double.log(vector: Double.abs(vector: x)))
}

/// `Σ |d|^p` of the three pairs over a row, in Double lanes.
@inlinable @inline(__always)
func rowPowerSums<T: LossFloat>(
    _ a: UnsafePointer<T>, _ p: UnsafePointer<T>, _ n: UnsafePointer<T>, _ dim: Int, eps: T.Vector,
    swap: Bool, power: Double
) -> SIMD4<Double> {
    let L = T.lanes
    var s0 = SIMD4<Double>(), s1 = s0, s2 = s0
    var j = 0
    while j < dim {
        let lanes = min(L, dim &- j)
        let (dp, dn, ds) = tripletDifferences(a, p, n, j, lanes: lanes, eps: eps)
        for q in 0..<(L / 4) {
            var t0 = powerOfAbsolute(T.quarter(dp, q), power), t1 = powerOfAbsolute(T.quarter(dn, q), power)
            var t2 = swap ? powerOfAbsolute(T.quarter(ds, q), power) : SIMD4<Double>()
            if lanes < L {
                // Lanes past the row's end would add |eps|^p: masked off.
                let past = SIMD4<Double>(0, 1, 2, 3) + Double(q &* 4) .>= SIMD4(repeating: Double(lanes))
                t0 = t0.replacing(with: 0, where: past)
                t1 = t1.replacing(with: 0, where: past)
                t2 = t2.replacing(with: 0, where: past)
            }
            s0 += t0; s1 += t1; s2 += t2
        }
        j &+= L
    }
    return triple(s0.sum(), s1.sum(), s2.sum())
}

/// The three distances of a triplet row (`pn` only with `swap`, else 0), each rounded to T:
/// PyTorch's pairwise_distance. A row of no elements has distance 0 for every p (PyTorch
/// raises for p < 0 and p = ±inf there).
@inlinable @inline(__always)
func tripletDistances<T: LossFloat>(
    _ a: UnsafePointer<T>, _ p: UnsafePointer<T>, _ n: UnsafePointer<T>, _ dim: Int, eps: T.Vector,
    swap: Bool, _ norm: PNorm
) -> (ap: T, an: T, pn: T) {
    guard dim > 0 else { return (0, 0, 0) }
    let sums: SIMD4<Double>
    switch norm {
    case .two:
        let s = rowTermSums(a, p, n, dim, eps: eps, swap: swap, SquareTerm<T>.self)
        sums = triple(s[0].squareRoot(), s[1].squareRoot(), s[2].squareRoot())
    case .one: sums = rowTermSums(a, p, n, dim, eps: eps, swap: swap, AbsoluteTerm<T>.self)
    case .zero: sums = rowTermSums(a, p, n, dim, eps: eps, swap: swap, NonzeroTerm<T>.self)
    case .maximum, .minimum:
        let minimum: Bool
        if case .minimum = norm { minimum = true } else { minimum = false }
        return rowExtremes(a, p, n, dim, eps: eps, swap: swap, minimum: minimum)
    case .power(let q):
        let s = rowPowerSums(a, p, n, dim, eps: eps, swap: swap, power: q)
        sums = triple(Double.pow(s[0], 1 / q), Double.pow(s[1], 1 / q), Double.pow(s[2], 1 / q))
    }
    return (T(narrowing: sums[0]), T(narrowing: sums[1]), swap ? T(narrowing: sums[2]) : 0)
}

/// One row of triplet_margin_loss in T, as PyTorch's composite: `d_neg = min(d(a, n), d(p, n))`
/// with swap (NaN propagates), `z = (margin + d(a, p)) - d_neg`, loss `clamp_min(z, 0)`.
@usableFromInline
struct TripletRow<T: LossFloat> {
    @usableFromInline let ap: T, an: T, pn: T, z: T

    @inlinable @inline(__always)
    init(_ a: UnsafePointer<T>, _ p: UnsafePointer<T>, _ n: UnsafePointer<T>, _ dim: Int, eps: T.Vector,
         swap: Bool, norm: PNorm, margin: T) {
        (ap, an, pn) = tripletDistances(a, p, n, dim, eps: eps, swap: swap, norm)
        var negative = an
        if swap { negative = an.isNaN || pn.isNaN ? .nan : (pn < an ? pn : an) }
        z = (margin + ap) - negative
    }

    @inlinable @inline(__always) var loss: T { z < 0 ? 0 : z }

    /// The upstream gradients of the three distances for the row's upstream gradient `s`:
    /// `s` for d(a, p) where z > 0 (0 at the kink), `-s` for the negative distance, split
    /// as `torch.minimum`'s gradient with swap: all to the smaller, half each at a tie, all to
    /// both when one is NaN.
    @inlinable @inline(__always)
    func distanceGradients(upstream s: T, swap: Bool) -> (ap: T, an: T, pn: T) {
        let gz: T = z > 0 ? s : 0
        guard swap else { return (gz, -gz, 0) }
        let g = -gz
        if an == pn { return (gz, g / 2, g / 2) }
        if an > pn { return (gz, 0, g) }
        if an < pn { return (gz, g, 0) }
        return (gz, g, g)
    }
}

/// The gradient of one distance `‖d‖_p` of a row with respect to its difference vector, scaled
/// by the distance's upstream gradient: PyTorch's norm backward for the row's p.
@usableFromInline
protocol DistanceGradient {
    associatedtype T: LossFloat
    func callAsFunction(_ d: T.Vector) -> T.Vector
}

/// p = 2: `(d / ‖d‖) g`, 0 where ‖d‖ = 0.
@usableFromInline
struct TwoNormGradient<T: LossFloat>: DistanceGradient {
    @usableFromInline let norm: T.Vector, g: T.Vector, zeroNorm: Bool
    @inlinable init(norm: T, g: T) { self.norm = T.Vector(repeating: norm); self.g = T.Vector(repeating: g); zeroNorm = norm == 0 }
    @inlinable @inline(__always)
    func callAsFunction(_ d: T.Vector) -> T.Vector { (zeroNorm ? T.Vector() : d / norm) * g }
}

/// p = 1: `sgn(d) g` (sgn(NaN) = 0).
@usableFromInline
struct OneNormGradient<T: LossFloat>: DistanceGradient {
    @usableFromInline let g: T.Vector
    @inlinable init(g: T) { self.g = T.Vector(repeating: g) }
    @inlinable @inline(__always) func callAsFunction(_ d: T.Vector) -> T.Vector { l1Sign(d, of: T.self) * g }
}

/// p = ±inf: `sgn(d) (g / k) [|d| == ‖d‖ or d is NaN]`, k the count of such elements of the
/// row: the gradient split evenly among tied maxima (minima).
@usableFromInline
struct ExtremeNormGradient<T: LossFloat>: DistanceGradient {
    @usableFromInline let norm: T.Vector, share: T.Vector
    @inlinable init(norm: T, share: T) { self.norm = T.Vector(repeating: norm); self.share = T.Vector(repeating: share) }
    @inlinable @inline(__always)
    func callAsFunction(_ d: T.Vector) -> T.Vector {
        let zero = T.Vector(), one = T.Vector(repeating: 1)
        let mask = T.select(T.abs(vector: d), equalTo: norm, one, else: T.select(d, equalTo: d, zero, else: one))
        return l1Sign(d, of: T.self) * (share * mask)
    }
}

/// p = 0: no gradient (PyTorch's is undefined: zeros, whatever d holds).
@usableFromInline
struct ZeroNormGradient<T: LossFloat>: DistanceGradient {
    @inlinable init() {}
    @inlinable @inline(__always) func callAsFunction(_ d: T.Vector) -> T.Vector { T.Vector() }
}

/// Any other p: `sgn(d) |d|^(p-1) k` in Double, with `k = g ‖d‖^(1-p)` for p < 1 (where the
/// element term is 0 at d = 0), `k = g / ‖d‖^(p-1)` for p > 1 (0 where ‖d‖ = 0).
@usableFromInline
struct PowerNormGradient<T: LossFloat>: DistanceGradient {
    @usableFromInline let exponent: Double, k: Double, belowOne: Bool
    @inlinable
    init(p: Double, norm: T, g: T) {
        exponent = p - 1
        belowOne = p < 1
        let r = norm.wide
        k = belowOne ? g.wide * Double.pow(r, 1 - p) : (r == 0 ? 0 : g.wide / Double.pow(r, p - 1))
    }
    @inlinable @inline(__always)
    func callAsFunction(_ d: T.Vector) -> T.Vector {
        var out = T.Vector()
        let sign = l1Sign(d, of: T.self)
        for q in 0..<(T.lanes / 4) {
            let x = T.quarter(d, q)
            var term = T.quarter(sign, q) * powerOfAbsolute(x, exponent)
            if belowOne { term = term.replacing(with: 0, where: x .== 0) }
            term *= SIMD4(repeating: k)
            for l in 0..<4 { out[q &* 4 &+ l] = T(narrowing: term[l]) }
        }
        return out
    }
}

/// triplet_margin_loss, as PyTorch's composite, per row of `dim` elements:
///
///     d(x, y) = ‖x - y + eps‖_p    (eps added to the difference, before the norm)
///     loss = max(margin + d(a, p) - d_neg, 0),   d_neg = d(a, n), or min(d(a, n), d(p, n)) with swap
///
/// in the inputs' precision (margin and eps rounded to it). p is not validated: 0 counts the
/// nonzero differences, ±inf takes the largest (smallest) |difference|, a negative p or NaN
/// runs the formula; neither is margin (PyTorch's margin > 0 check is in its Python layer).
/// A row of no elements has distance 0 for every p. `.mean` divides by `batch`.
/// - Throws: `.invalidReduction` (`.batchMean`), `.sizeOverflow`, `.bufferSize`; nothing is
///   written then.
@inlinable
public func tripletMarginLoss<T: LossFloat>(
    _ anchor: UnsafeBufferPointer<T>, positive: UnsafeBufferPointer<T>, negative: UnsafeBufferPointer<T>,
    batch: Int, dim: Int, margin: Double = 1, p: Double = 2, eps: Double = 1e-6, swap: Bool = false,
    reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkRowsCall(anchor, positive, negative, cPerRow: false, batch: batch, dim: dim, reduction,
                      outputCount: output.count)
    guard batch > 0 else { return finishReduction(output, reduction, sum: 0, divisor: reduction == .mean ? 0 : 1) }
    let a = rowBase(anchor), pp = rowBase(positive), nn = rowBase(negative)
    let norm = PNorm(p), m = T(narrowing: margin), e = T.Vector(repeating: T(narrowing: eps))
    if dim == 0 && reduction != .none {
        // Every row has distances 0 and the same loss: no loop over (possibly 2^60) rows.
        let loss = TripletRow(a, pp, nn, 0, eps: e, swap: swap, norm: norm, margin: m).loss.wide
        return finishReduction(output, reduction, sum: reduction == .mean ? loss : loss * Double(batch), divisor: 1)
    }
    reduceRows(batch, dim: dim, cost: norm.cost, reduction, into: output) { r in
        let offset = r &* dim
        return TripletRow(a + offset, pp + offset, nn + offset, dim, eps: e, swap: swap, norm: norm, margin: m).loss
    }
}

/// The gradients of `tripletMarginLoss` (PyTorch's autograd through its composite): with
/// `u(d, g)` the norm's gradient for difference `d` and upstream `g` (see the
/// `DistanceGradient` types: p = 2 `g d / ‖d‖`, p = 1 `g sgn(d)`, ±inf split among the tied
/// extremes, 0 none, others `g sgn(d) |d|^(p-1) / ‖d‖^(p-1)`),
///
///     grad_anchor   =  u(d_ap, g_ap) + u(d_an, g_an)
///     grad_positive = -u(d_ap, g_ap) + u(d_pn, g_pn)
///     grad_negative = -u(d_an, g_an) - u(d_pn, g_pn)
///
/// with `g_ap = s` where the loss is positive (0 elsewhere, at the kink too) and `-s` shared
/// between d(a, n) and d(p, n) as `TripletRow.distanceGradients` says; `s` is `gradOutput[n]`
/// for `.none`, else `gradOutput[0]`, divided by `batch` for `.mean`. Any gradient buffer may
/// be nil (not computed).
@inlinable
public func tripletMarginLossBackward<T: LossFloat>(
    _ anchor: UnsafeBufferPointer<T>, positive: UnsafeBufferPointer<T>, negative: UnsafeBufferPointer<T>,
    batch: Int, dim: Int, margin: Double = 1, p: Double = 2, eps: Double = 1e-6, swap: Bool = false,
    reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>, gradAnchor: UnsafeMutableBufferPointer<T>?,
    gradPositive: UnsafeMutableBufferPointer<T>?, gradNegative: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    try checkRowsCall(anchor, positive, negative, cPerRow: false, batch: batch, dim: dim, reduction,
                      outputCount: gradOutput.count)
    try checkRowGradients(anchor.count, gradAnchor, gradPositive, gradNegative)
    guard batch > 0, dim > 0, gradAnchor != nil || gradPositive != nil || gradNegative != nil,
          let g = gradOutput.baseAddress else { return }
    let rows = TripletRows(a: rowBase(anchor), p: rowBase(positive), n: rowBase(negative), dim: dim,
                           ga: rowBase(gradAnchor), gp: rowBase(gradPositive), gn: rowBase(gradNegative),
                           eps: T.Vector(repeating: T(narrowing: eps)), swap: swap)
    let norm = PNorm(p), m = T(narrowing: margin)
    let mean = T(narrowing: g[0].wide / (reduction == .mean ? Double(batch) : 1))
    _ = sumOverRows(batch, dim: dim, cost: 2 &* norm.cost) { range in
        for r in range {
            let offset = r &* dim
            let row = TripletRow(rows.a + offset, rows.p + offset, rows.n + offset, dim, eps: rows.eps, swap: swap,
                                 norm: norm, margin: m)
            let (gap, gan, gpn) = row.distanceGradients(upstream: rowUpstream(g, r, reduction, mean), swap: swap)
            switch norm {
            case .two:
                rows.write(offset, TwoNormGradient(norm: row.ap, g: gap), TwoNormGradient(norm: row.an, g: gan),
                           TwoNormGradient(norm: row.pn, g: gpn))
            case .one:
                rows.write(offset, OneNormGradient<T>(g: gap), OneNormGradient(g: gan), OneNormGradient(g: gpn))
            case .maximum, .minimum:
                let count = rows.extremeCounts(offset, row)
                rows.write(offset, ExtremeNormGradient(norm: row.ap, share: gap / count.ap),
                           ExtremeNormGradient(norm: row.an, share: gan / count.an),
                           ExtremeNormGradient(norm: row.pn, share: gpn / count.pn))
            case .zero:
                rows.write(offset, ZeroNormGradient<T>(), ZeroNormGradient<T>(), ZeroNormGradient<T>())
            case .power(let q):
                rows.write(offset, PowerNormGradient(p: q, norm: row.ap, g: gap), PowerNormGradient(p: q, norm: row.an, g: gan),
                           PowerNormGradient(p: q, norm: row.pn, g: gpn))
            }
        }
        return 0
    }
}

/// The buffers of a triplet backward call, and its per-row element passes.
@usableFromInline
struct TripletRows<T: LossFloat> {
    @usableFromInline let a: UnsafePointer<T>, p: UnsafePointer<T>, n: UnsafePointer<T>, dim: Int
    @usableFromInline let ga: UnsafeMutablePointer<T>?, gp: UnsafeMutablePointer<T>?, gn: UnsafeMutablePointer<T>?
    @usableFromInline let eps: T.Vector, swap: Bool

    @inlinable
    init(a: UnsafePointer<T>, p: UnsafePointer<T>, n: UnsafePointer<T>, dim: Int, ga: UnsafeMutablePointer<T>?,
         gp: UnsafeMutablePointer<T>?, gn: UnsafeMutablePointer<T>?, eps: T.Vector, swap: Bool) {
        self.a = a; self.p = p; self.n = n; self.dim = dim; self.ga = ga; self.gp = gp; self.gn = gn
        self.eps = eps; self.swap = swap
    }

    /// Writes the row at `offset` of every requested gradient from the three distances'
    /// gradients (`upn` used only with swap).
    @inlinable @inline(__always)
    func write<U: DistanceGradient>(_ offset: Int, _ uap: U, _ uan: U, _ upn: U) where U.T == T {
        let L = T.lanes
        let a = a + offset, p = p + offset, n = n + offset
        var j = 0
        while j < dim {
            let lanes = min(L, dim &- j)
            let (dp, dn, ds) = tripletDifferences(a, p, n, j, lanes: lanes, eps: eps)
            let vap = uap(dp), van = uan(dn)
            let vpn = swap ? upn(ds) : T.Vector()
            store(ga, offset &+ j, lanes, vap + van)
            store(gp, offset &+ j, lanes, swap ? vpn - vap : -vap)
            store(gn, offset &+ j, lanes, swap ? -van - vpn : -van)
            j &+= L
        }
    }

    @inlinable @inline(__always)
    func store(_ base: UnsafeMutablePointer<T>?, _ at: Int, _ lanes: Int, _ v: T.Vector) {
        guard let base else { return }
        if lanes == T.lanes { T.store(v, to: base + at) } else { T.storePartial(v, to: base + at, lanes) }
    }

    /// For p = ±inf: the number of elements of each difference that attain the row's distance
    /// (or are NaN), as T (PyTorch divides the upstream gradient by it).
    @inlinable @inline(__always)
    func extremeCounts(_ offset: Int, _ row: TripletRow<T>) -> (ap: T, an: T, pn: T) {
        let L = T.lanes
        let a = a + offset, p = p + offset, n = n + offset
        let zero = T.Vector(), one = T.Vector(repeating: 1)
        let nap = T.Vector(repeating: row.ap), nan = T.Vector(repeating: row.an), npn = T.Vector(repeating: row.pn)
        func hits(_ d: T.Vector, _ norm: T.Vector, _ lanes: Int) -> T.Vector {
            T.padded(T.select(T.abs(vector: d), equalTo: norm, one, else: T.select(d, equalTo: d, zero, else: one)), lanes, 0)
        }
        var c = SIMD4<Double>()
        var j = 0
        while j < dim {
            let lanes = min(L, dim &- j)
            let (dp, dn, ds) = tripletDifferences(a, p, n, j, lanes: lanes, eps: eps)
            c += triple(T.wideSum(hits(dp, nap, lanes)), T.wideSum(hits(dn, nan, lanes)),
                        swap ? T.wideSum(hits(ds, npn, lanes)) : 0)
            j &+= L
        }
        return (T(narrowing: c[0]), T(narrowing: c[1]), T(narrowing: c[2]))
    }
}
