import RealModule

// cross_entropy with the two terms large-vocabulary training adds, which PyTorch's
// cross_entropy does not have:
//
// - logit softcapping (Gemma 2): the logits become `softcap * tanh(logits / softcap)` before
//   everything else (max, log-sum-exp, smoothing, the target's logit);
// - z-loss (PaLM; Liger-Kernel's lse_square_scale): `zLoss * lse^2` per counted sample, `lse`
//   the log-sum-exp over all classes of the (capped) logits. Class weights do not scale it;
//   'mean' divides its sum by the number of counted samples (not by the weights), 'sum' sums
//   it, 'none' adds it to each sample's loss (0 for ignored samples).
//
// Both go through the row kernels of plain cross_entropy (crossEntropyRow, probabilityRow),
// which also return the log-sum-exp and fold the z term's gradient `2 * zLoss * lse * softmax`
// into the softmax coefficient of their gradient pass: without a cap, rows are used where they
// are. With a cap (or for the (N, C, d) layout) each sample's logits are copied into a row of
// scratch and capped there, and its gradient row gets the cap's derivative
// `1 - (capped / softcap)^2` before it is copied back. One pass over memory, threaded over fixed
// chunks of samples (results do not depend on the thread count).

extension LossFloat {
    /// `tanh(y)`, a vector at a time: `(1 - e) / (1 + e)` with `e = exp(-2|y|)` (no overflow;
    /// a few ulp, the cancellation in `1 - e` is at most about a bit for |y| >= 1/4), the Taylor
    /// series below 1/4, the sign of `y`. NaN gives NaN, +-inf gives +-1.
    @inlinable @inline(__always)
    static func tanh(vector y: Vector) -> Vector {
        let a = abs(vector: y)
        let e = exp(vector: -(a + a))
        let large = (1 - e) / (1 + e)
        // tanh's odd Taylor series below |y| = 1/4: to x^21 in Double, where the next term is
        // below 2^-53 of the sum; to x^11 in Float (below 2^-24).
        let a2 = a * a
        @inline(__always) func c(_ d: Double) -> Vector { Vector(repeating: Self(narrowing: d)) }
        var p = c(-0x1.226e355e6c23dp-7)
        if Self.self == Double.self {
            p = c(0x1.967e18afcafadp-14)
            p = p * a2 + c(-0x1.f57d7734d1664p-13)
            p = p * a2 + c(0x1.3558248036744p-11)
            p = p * a2 + c(-0x1.7da36452b75e3p-10)
            p = p * a2 + c(0x1.d6d3d0e157de0p-9)
            p = p * a2 + c(-0x1.226e355e6c23dp-7)
        }
        p = p * a2 + c(0x1.664f4882c10fap-6)
        p = p * a2 + c(-0x1.ba1ba1ba1ba1cp-5)
        p = p * a2 + c(0x1.1111111111111p-3)
        p = p * a2 + c(-0x1.5555555555555p-2)
        p = p * a2 + c(1)
        let t = select(a, lessThan: Vector(repeating: 0.25), a * p, else: large)
        return select(y, lessThan: Vector(), -t, else: t)
    }
}

/// `y = cap * tanh(x / cap)` over `n` contiguous elements (`y` may be `x`).
@inlinable
func softcapRow<T: LossFloat>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, _ n: Int, cap: T) {
    let L = T.lanes
    let capV = T.Vector(repeating: cap), inv = T.Vector(repeating: 1 / cap)
    var j = 0
    while j &+ L <= n {
        T.store(capV * T.tanh(vector: T.load(x + j) * inv), to: y + j)
        j &+= L
    }
    if j < n {
        let v = T.loadPartial(x + j, n &- j, fill: 0)
        T.storePartial(capV * T.tanh(vector: v * inv), to: y + j, n &- j)
    }
}

/// The cap's derivative on a gradient row: `out = g * (1 - (r / cap)^2)`, `r` the capped
/// logits (`out` may be `g`). A zero `g` stays zero even where `r` is NaN, so that an ignored
/// sample's row is zero with a cap as without one (a counted row with a NaN logit has NaN `g`
/// throughout, and keeps it).
@inlinable
func applyCapDerivative<T: LossFloat>(_ g: UnsafePointer<T>, _ r: UnsafePointer<T>, _ n: Int, cap: T,
                                      into out: UnsafeMutablePointer<T>) {
    let L = T.lanes
    let inv = T.Vector(repeating: 1 / cap), one = T.Vector(repeating: 1), zero = T.Vector()
    var j = 0
    while j &+ L <= n {
        let u = T.load(r + j) * inv, gj = T.load(g + j)
        T.store(T.select(gj, equalTo: zero, gj, else: gj * (one - u * u)), to: out + j)
        j &+= L
    }
    while j < n {
        let u = r[j] / cap
        out[j] = g[j] == 0 ? g[j] : g[j] * (1 - u * u)
        j &+= 1
    }
}

/// Checks the regularisation arguments: `zLoss` finite and >= 0, `softcap` nil or finite > 0.
@inlinable
func checkRegularization(zLoss: Double, softcap: Double?) throws(LossError) {
    guard zLoss.isFinite, zLoss >= 0 else { throw .invalidArgument("z_loss must be a non-negative finite number") }
    if let softcap, !(softcap.isFinite && softcap > 0) {
        throw .invalidArgument("softcap must be a positive finite number")
    }
}

/// cross_entropy with class-index targets plus z-loss and logit softcapping: any of the loss,
/// the z term alone and the gradient with respect to the (uncapped) logits, from one pass.
///
/// With `r = softcap * tanh(input / softcap)` (or `input`) and `lse = logsumexp(r)` over classes:
///
///     loss(n, i) = crossEntropy(r)(n, i) + zLoss * lse(n, i)^2   (0 for an ignored sample)
///
/// reduced as `crossEntropy` reduces for its part; the z part is summed over counted samples
/// and, for `.mean`, divided by their number (NaN when there is none). With `zLoss == 0` and no
/// softcap this is `crossEntropy` (and its gradient) exactly, through the same kernels.
/// - Parameters:
///   - zLoss: finite, >= 0.
///   - softcap: `nil`, or finite and > 0.
///   - gradOutput: `nil` for ones, or `reduction.outputCount(for: layout.samples)` elements
///     (the upstream gradient of the loss; the z output is not differentiated).
///   - output, zOutput: `nil`, or `reduction.outputCount(for: layout.samples)` elements: the
///     loss (z term included) and the z term alone.
///   - gradInput: `nil`, or `layout.count` elements; may be the same memory as `input`.
/// - Throws: as `crossEntropy`, plus `.invalidArgument` for `zLoss` or `softcap`; nothing is
///   written then.
@inlinable
public func crossEntropy<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, targets: UnsafeBufferPointer<Int64>, layout: ClassLayout,
    weight: UnsafeBufferPointer<T>? = nil, ignoreIndex: Int64 = -100,
    reduction: Reduction = .mean, labelSmoothing: Double = 0, zLoss: Double, softcap: Double?,
    gradOutput: UnsafeBufferPointer<T>? = nil, output: UnsafeMutableBufferPointer<T>?,
    zOutput: UnsafeMutableBufferPointer<T>? = nil, gradInput: UnsafeMutableBufferPointer<T>? = nil
) throws(LossError) {
    try checkRegularization(zLoss: zLoss, softcap: softcap)
    let eps = try effectiveSmoothing(labelSmoothing)
    let outputCount = reduction.outputCount(for: layout.samples)
    let counted = try checkClassIndexCall(input, targets, layout, weight, ignoreIndex, reduction, outputCount)
    try checkOptionalCounts(layout, reduction, output, zOutput, gradOutput: gradOutput, gradient: gradInput)
    let samples = targets.reduce(0) { $0 &+ ($1 == ignoreIndex ? 0 : 1) }
    let zDivisor = reduction == .mean ? Double(samples) : 1

    if zLoss == 0 && softcap == nil {
        // Plain cross_entropy through its own kernels; the z term is 0 (0 / 0 for a 'mean' of
        // no sample, as the loss).
        if output != nil || gradInput != nil {
            try crossEntropyKernel(input, targets, layout, weight, ignoreIndex, reduction, labelSmoothing,
                                   gradOutput: gradOutput, loss: output, gradient: gradInput)
        }
        zOutput?.update(repeating: 0)
        if let zOutput, reduction == .mean { zOutput[0] = T(narrowing: 0 / zDivisor) }
        return
    }

    let classes = layout.classes
    let terms = CrossEntropyTerms(
        classes: classes, weight: weight,
        keep: 1 - eps, spread: eps / Double(classes), smoothing: eps > 0, reduction: reduction,
        divisor: classIndexDivisor(reduction, totalWeight: counted), gradOutput: gradOutput)
    let each = reduction == .none ? output?.baseAddress : nil
    let zEach = reduction == .none ? zOutput?.baseAddress : nil
    let wantLoss = output != nil
    let cap = softcap.map { T(narrowing: $0) }
    let gx = gradInput?.baseAddress
    var total = SIMD2<Double>(), zTotal = 0.0
    if let x = input.baseAddress, let t = targets.baseAddress {
        (total, zTotal) = overSampleRows(layout, x, gx, cap: cap, scratchRows: 0) { u, r, g, _ in
            var lse = 0.0
            let zUpstream = g == nil ? 0 : upstreamScale(gradOutput, reduction, u, divisor: zDivisor)
            let parts = crossEntropyRow(r, target: t[u], sample: u, ignoreIndex, terms, wantLoss: wantLoss,
                                        each: each, gradient: g, logSumExp: &lse, zLoss: zLoss, zUpstream: zUpstream)
            guard classIndex(t[u], classes: classes, ignoreIndex: ignoreIndex) != nil else {
                zEach?[u] = 0
                return (parts, 0)
            }
            let z = zLoss * lse * lse
            if let each { each[u] = T(narrowing: each[u].wide + z) }
            zEach?[u] = T(narrowing: z)
            return (parts, z)
        }
    }
    let z = reduction == .mean ? zTotal / zDivisor : zTotal
    if let output, reduction != .none { output[0] = T(narrowing: terms.reducedLoss(total).wide + z) }
    if let zOutput, reduction != .none { zOutput[0] = T(narrowing: z) }
}

/// cross_entropy with probability targets plus z-loss and logit softcapping; see the
/// class-index form. Every sample counts: the z term's 'mean' divides by `layout.samples`.
/// - Throws: as `crossEntropy(probabilities:)`, plus `.invalidArgument` for `zLoss` or
///   `softcap`; nothing is written then.
@inlinable
public func crossEntropy<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, probabilities target: UnsafeBufferPointer<T>, layout: ClassLayout,
    weight: UnsafeBufferPointer<T>? = nil, ignoreIndex: Int64 = -100,
    reduction: Reduction = .mean, labelSmoothing: Double = 0, zLoss: Double, softcap: Double?,
    gradOutput: UnsafeBufferPointer<T>? = nil, output: UnsafeMutableBufferPointer<T>?,
    zOutput: UnsafeMutableBufferPointer<T>? = nil, gradInput: UnsafeMutableBufferPointer<T>? = nil
) throws(LossError) {
    try checkRegularization(zLoss: zLoss, softcap: softcap)
    let eps = try effectiveSmoothing(labelSmoothing)
    try checkProbabilityCall(input, target, layout, weight, ignoreIndex, reduction)
    try checkOptionalCounts(layout, reduction, output, zOutput, gradOutput: gradOutput, gradient: gradInput)

    let divisor = reduction == .mean ? Double(layout.samples) : 1
    if zLoss == 0 && softcap == nil {
        if let output {
            try probabilityCrossEntropyKernel(input, target, layout, weight, ignoreIndex, reduction, labelSmoothing,
                                              gradOutput: nil, loss: output, gradient: nil)
        }
        if let gradInput {  // a nil gradOutput stands for ones
            try probabilityCrossEntropyKernel(input, target, layout, weight, ignoreIndex, reduction, labelSmoothing,
                                              gradOutput: gradOutput, loss: nil, gradient: gradInput)
        }
        zOutput?.update(repeating: 0)
        if let zOutput, reduction == .mean { zOutput[0] = T(narrowing: 0 / divisor) }
        return
    }

    let classes = layout.classes, inner = layout.inner
    let keep = T(narrowing: 1 - eps), spread = T(narrowing: eps / Double(classes))
    let w = weight?.baseAddress
    let each = reduction == .none ? output?.baseAddress : nil
    let zEach = reduction == .none ? zOutput?.baseAddress : nil
    let wantLoss = output != nil
    let cap = softcap.map { T(narrowing: $0) }
    let gx = gradInput?.baseAddress
    var total = SIMD2<Double>(), zTotal = 0.0
    if let x = input.baseAddress, let q = target.baseAddress {
        (total, zTotal) = overSampleRows(layout, x, gx, cap: cap, scratchRows: inner == 1 ? 0 : 1) { u, r, g, scratch in
            // The sample's target row: in place for rows, gathered from the (N, C, d) layout.
            let qRow: UnsafePointer<T>
            if inner == 1 { qRow = q + u &* classes } else { gatherRow(q, layout, sample: u, into: scratch); qRow = UnsafePointer(scratch) }
            var lse = 0.0
            let scale = g == nil ? 0 : upstreamScale(gradOutput, reduction, u, divisor: divisor)
            let l = probabilityRow(r, qRow, classes, w, keep, spread, wantLoss: wantLoss, scale: scale, gradient: g,
                                   logSumExp: &lse, zLoss: zLoss)
            let z = zLoss * lse * lse
            each?[u] = T(narrowing: l + z)
            zEach?[u] = T(narrowing: z)
            return (SIMD2(l, 0), z)
        }
    }
    let z = zTotal / divisor
    if let output, reduction != .none { output[0] = T(narrowing: total[0] / divisor + z) }
    if let zOutput, reduction != .none { zOutput[0] = T(narrowing: z) }
}

/// Copies sample `u`'s `classes` elements of the `[batch][classes][inner]` layout into `row`.
@inlinable @inline(__always)
func gatherRow<T: LossFloat>(_ x: UnsafePointer<T>, _ layout: ClassLayout, sample u: Int,
                             into row: UnsafeMutablePointer<T>) {
    let inner = layout.inner, classes = layout.classes
    if inner == 1 { row.update(from: x + u &* classes, count: classes); return }
    let n = u / inner, i = u &- n &* inner
    var k = n &* classes &* inner &+ i
    for c in 0..<classes { row[c] = x[k]; k &+= inner }
}

/// Copies `row` into sample `u`'s elements of the layout (the inverse of `gatherRow`).
@inlinable @inline(__always)
func scatterRow<T: LossFloat>(_ row: UnsafePointer<T>, _ layout: ClassLayout, sample u: Int,
                              into x: UnsafeMutablePointer<T>) {
    let inner = layout.inner, classes = layout.classes
    if inner == 1 { (x + u &* classes).update(from: row, count: classes); return }
    let n = u / inner, i = u &- n &* inner
    var k = n &* classes &* inner &+ i
    for c in 0..<classes { x[k] = row[c]; k &+= inner }
}

/// Runs `body(u, r, g, scratch)` for every sample `u` of `layout`: `r` the sample's logits (capped
/// when `cap` is given), `g` where its gradient row goes (nil without `gradient`), `scratch`
/// `scratchRows` rows of `classes` elements. Rows without a cap are used where they are (`g` the
/// gradient's own row, which may be `r` itself: the row kernels read before they write);
/// otherwise the logits are copied into a row of scratch and capped there, and the gradient,
/// written to another, gets the cap's derivative and is copied back to `gradient` (which may be
/// `x` itself). Fixed chunks of samples over the library's threads; returns the chunk-ordered
/// sums of what `body` returns.
@inlinable
func overSampleRows<T: LossFloat>(
    _ layout: ClassLayout, _ x: UnsafePointer<T>, _ gradient: UnsafeMutablePointer<T>?, cap: T?, scratchRows: Int,
    _ body: (Int, UnsafePointer<T>, UnsafeMutablePointer<T>?, UnsafeMutablePointer<T>) -> (SIMD2<Double>, Double)
) -> (SIMD2<Double>, Double) {
    let samples = layout.samples, classes = layout.classes
    guard samples > 0 else { return (SIMD2(), 0) }
    let direct = layout.inner == 1 && cap == nil
    let rows = scratchRows &+ (direct ? 0 : 2)
    // The work per element: two exps (sums, gradient), and a tanh and two copies with a cap.
    let cost = classes &* (cap == nil ? 3 : 6)
    let perChunk = max(1, chunkElements / max(1, cost))
    let chunks = (samples &- 1) / perChunk &+ 1
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks) { zSums in
        let total = sumOverChunks(chunks, work: samples &* cost) { c in
            withUnsafeTemporaryAllocation(of: T.self, capacity: max(1, rows &* classes)) { buffer in
                let scratch = buffer.baseAddress!
                var parts = SIMD2<Double>(), z = 0.0
                for u in (c &* perChunk) ..< min(samples, (c &+ 1) &* perChunk) {
                    let (p, zu): (SIMD2<Double>, Double)
                    if direct {
                        (p, zu) = body(u, x + u &* classes, gradient.map { $0 + u &* classes }, scratch)
                    } else {
                        // Rows are capped straight from x and their gradient written straight
                        // to its place; the (N, C, d) layout is gathered and scattered.
                        let r = scratch, g = scratch + classes
                        let rowCap = layout.inner == 1 ? cap : nil  // not direct: a row has a cap
                        if let rowCap { softcapRow(x + u &* classes, into: r, classes, cap: rowCap) } else {
                            gatherRow(x, layout, sample: u, into: r)
                            if let cap { softcapRow(r, into: r, classes, cap: cap) }
                        }
                        (p, zu) = body(u, r, gradient == nil ? nil : g, scratch + 2 &* classes)
                        if let gradient {
                            if let rowCap { applyCapDerivative(g, r, classes, cap: rowCap, into: gradient + u &* classes) } else {
                                if let cap { applyCapDerivative(g, r, classes, cap: cap, into: g) }
                                scatterRow(g, layout, sample: u, into: gradient)
                            }
                        }
                    }
                    parts += p
                    z += zu
                }
                zSums[c] = z
                return parts
            }
        }
        var z = 0.0
        for c in 0..<chunks { z += zSums[c] }
        return (total, z)
    }
}
