import RealModule

/// The targets of `linearCrossEntropy`: class indices (one per sample) or probabilities
/// (`classes` per sample, row-major).
public enum LinearCrossEntropyTargets<T: LossFloat> {
    case classIndices(UnsafeBufferPointer<Int64>)
    case probabilities(UnsafeBufferPointer<T>)
}

/// The outputs of `linearCrossEntropy`; each optional one is computed only when given.
public struct LinearCrossEntropyOutputs<T: LossFloat> {
    /// The loss (z term included): `reduction.outputCount(for: batch)` elements.
    public var loss: UnsafeMutableBufferPointer<T>
    /// The z term alone, reduced as the loss: `reduction.outputCount(for: batch)` elements.
    public var zLoss: UnsafeMutableBufferPointer<T>?
    /// `batch * hidden`, `classes * hidden` and `classes` elements.
    public var gradInput: UnsafeMutableBufferPointer<T>?
    public var gradLinearWeight: UnsafeMutableBufferPointer<T>?
    public var gradLinearBias: UnsafeMutableBufferPointer<T>?

    @inlinable
    public init(loss: UnsafeMutableBufferPointer<T>, zLoss: UnsafeMutableBufferPointer<T>? = nil,
                gradInput: UnsafeMutableBufferPointer<T>? = nil,
                gradLinearWeight: UnsafeMutableBufferPointer<T>? = nil,
                gradLinearBias: UnsafeMutableBufferPointer<T>? = nil) {
        self.loss = loss; self.zLoss = zLoss; self.gradInput = gradInput
        self.gradLinearWeight = gradLinearWeight; self.gradLinearBias = gradLinearBias
    }
}

/// The bytes of logits (and of their gradient) one block of rows may hold: the block has
/// `max(4, budget / (classes * size))` rows (a multiple of 4), so 128 rows of V = 32000 float32,
/// and at least `linearCrossEntropyMinRows`.
@usableFromInline let linearCrossEntropyBlockBytes = 16 << 20

/// The fewest rows of a block where the vocabulary is large (V = 128256 float32: 128 rows, 63
/// MiB, where 16 MiB would hold 32 rows and the three products ran at about half speed; the
/// block is then about 128 / hidden of grad_weight's size), within the scratch limit.
@usableFromInline let linearCrossEntropyMinRows = 128

/// The most scratch one call may ask for (a block of at least 4 rows of `classes` logits, or
/// of every row when there are fewer, and with softcap or z-loss and a gradient as much again):
/// beyond 256 MiB the call is refused as `.sizeOverflow` (a vocabulary of millions of classes:
/// 4M float32 classes with a gradient and z-loss; 128256 classes need 4 MiB).
@usableFromInline let linearCrossEntropyMaxScratchBytes = 1 << 28

/// linear_cross_entropy: `crossEntropy(input W^T + bias, targets)` without ever holding the
/// `batch x classes` logits, with two terms PyTorch's losses do not have: z-loss and logit
/// softcapping.
///
/// `input` is `(batch, hidden)`, `linearWeight` `(classes, hidden)`, `linearBias` `nil` or
/// `(classes,)`, all row-major. The logits `x = input W^T + bias` are computed a block of rows
/// at a time (`gemm`), then:
///
///     x'     = softcap * tanh(x / softcap)          (softcap > 0; else x' = x)
///     loss_n = crossEntropy(x'_n, target_n; weight, ignoreIndex, labelSmoothing)
///              + zLoss * lse_n^2                    (counted samples), lse_n = logsumexp(x'_n)
///
/// Counted samples: target != ignoreIndex (class indices), every sample (probabilities).
/// `.none` gives each sample's loss (0 for ignored ones); `.sum` their sum; `.mean` the
/// cross_entropy part divided as `crossEntropy` does (the summed weight of the counted
/// targets; `batch` for probabilities) plus the z part divided by the NUMBER of counted
/// samples (0 / 0 = NaN). `outputs.zLoss` receives the z part alone, reduced the same way.
///
/// The gradients (any of `gradInput`, `gradLinearWeight`, `gradLinearBias`) are those of the
/// loss times `gradOutput` (nil: ones): with `G` the gradient with respect to the logits,
/// `gradInput = G W`, `gradLinearWeight = G^T input`, `gradLinearBias = column sums of G`,
/// where `G` is cross_entropy's gradient (see `crossEntropyBackward`) plus
/// `s * 2 * zLoss * lse_n * softmax(x'_n)` (s: the z part's upstream scale), times
/// `1 - tanh(x / softcap)^2` with a softcap. Results do not depend on the thread count.
/// - Parameters:
///   - zLoss: finite and >= 0 (0: no z term).
///   - softcap: finite and >= 0 (0: no softcap).
///   - gradOutput: nil (ones) or `reduction.outputCount(for: batch)` elements.
/// - Throws: `.zeroClasses`, `.invalidReduction` (`.batchMean`), `.bufferSize`, `.weightSize`,
///   `.invalidLabelSmoothing`, `.targetOutOfBounds`, `.ignoreIndexUnsupported` (probabilities
///   with `ignoreIndex >= 0`), `.invalidArgument` (zLoss or softcap), `.sizeOverflow` (the
///   scratch beyond 256 MiB); nothing is written then.
@inlinable
public func linearCrossEntropy<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, linearWeight: UnsafeBufferPointer<T>, linearBias: UnsafeBufferPointer<T>?,
    targets: LinearCrossEntropyTargets<T>, batch: Int, hidden: Int, classes: Int,
    weight: UnsafeBufferPointer<T>? = nil, ignoreIndex: Int64 = -100, reduction: Reduction = .mean,
    labelSmoothing: Double = 0, zLoss: Double = 0, softcap: Double = 0,
    gradOutput: UnsafeBufferPointer<T>? = nil, into outputs: LinearCrossEntropyOutputs<T>
) throws(LossError) {
    // Checks, in the order of crossEntropy's, then the linear layer's.
    let eps = try checkLinearCrossEntropyScalars(labelSmoothing: labelSmoothing, zLoss: zLoss, softcap: softcap)
    let layout = try ClassLayout(batch: batch, classes: classes, of: T.self)
    guard classes > 0 else { throw .zeroClasses }
    guard reduction != .batchMean else { throw .invalidReduction }
    let outputCount = reduction.outputCount(for: batch)
    try checkCount(input.count, try elementCount(batch, hidden, of: T.self))
    try checkCount(linearWeight.count, try elementCount(classes, hidden, of: T.self))
    if let linearBias { try checkCount(linearBias.count, classes) }
    try checkCount(outputs.loss.count, outputCount)
    if let z = outputs.zLoss { try checkCount(z.count, outputCount) }
    if let g = gradOutput { try checkCount(g.count, outputCount) }
    if let g = outputs.gradInput { try checkCount(g.count, input.count) }
    if let g = outputs.gradLinearWeight { try checkCount(g.count, linearWeight.count) }
    if let g = outputs.gradLinearBias { try checkCount(g.count, classes) }
    // The divisors of 'mean': cross_entropy's, and the number of counted samples (z term).
    let divisor: Double, zCount: Double
    switch targets {
    case .classIndices(let t):
        let counted = try checkClassIndexCall(nil as UnsafeBufferPointer<T>?, t, layout, weight, ignoreIndex,
                                              reduction, outputCount)
        divisor = classIndexDivisor(reduction, totalWeight: counted)
        var n = 0
        for v in t where v != ignoreIndex { n &+= 1 }
        zCount = reduction == .mean ? Double(n) : 1
    case .probabilities(let q):
        try checkCount(q.count, layout.count)
        try checkWeight(weight, classes: classes)
        guard ignoreIndex < 0 else { throw .ignoreIndexUnsupported(ignoreIndex) }
        divisor = reduction == .mean ? Double(batch) : 1
        zCount = divisor
    }
    let wantGradient = outputs.gradInput != nil || outputs.gradLinearWeight != nil || outputs.gradLinearBias != nil
    let separate = wantGradient && (softcap > 0 || zLoss > 0)  // G beside the (capped) logits
    let (rows, blockElements) = try linearCrossEntropyBlock(batch: batch, classes: classes, copies: separate ? 2 : 1,
                                                            of: T.self)

    guard batch > 0 else {
        if reduction != .none {
            outputs.loss[0] = T(narrowing: 0 / divisor + 0 / zCount)
            outputs.zLoss?[0] = T(narrowing: 0 / zCount)
        }
        if let g = outputs.gradLinearWeight { g.update(repeating: 0) }
        if let g = outputs.gradLinearBias { g.update(repeating: 0) }
        return
    }
    // Every argument is checked: the blocks throw only if another thread rewrites the targets
    // during the call (a race in the caller), and the error is passed on then.
    var failure: LossError?
    withUnsafeTemporaryAllocation(of: T.self, capacity: blockElements &+ 2 &* rows) { scratch in
        withUnsafeTemporaryAllocation(of: Double.self, capacity: rows) { lseBuffer in
            let s = scratch.baseAddress!
            do {
                try linearCrossEntropyBlocks(
                    input.baseAddress ?? UnsafePointer(s), linearWeight.baseAddress, linearBias?.baseAddress, targets,
                    batch: batch, hidden: hidden, classes: classes, rows: rows, weight: weight,
                    ignoreIndex: ignoreIndex, reduction: reduction, eps: eps, zLoss: zLoss, softcap: softcap,
                    divisor: divisor, zCount: zCount, gradOutput: gradOutput, outputs, separate: separate,
                    wantGradient: wantGradient, scratch: s, lse: lseBuffer.baseAddress!)
            } catch {
                failure = (error as? LossError) ?? .invalidArgument("linear_cross_entropy")
            }
        }
    }
    if let failure { throw failure }
}

/// linear_cross_entropy's first checks, of its scalar arguments (also made by the C entry
/// points before their buffers' overlaps): label smoothing as cross_entropy's, `zLoss` finite
/// and >= 0, `softcap` finite and >= 0 (0: none). Returns the effective smoothing.
@inlinable
public func checkLinearCrossEntropyScalars(labelSmoothing: Double, zLoss: Double, softcap: Double) throws(LossError)
    -> Double {
    let eps = try effectiveSmoothing(labelSmoothing)
    guard zLoss.isFinite && zLoss >= 0 else { throw .invalidArgument("z_loss must be a non-negative finite number") }
    guard softcap.isFinite && softcap >= 0 else { throw .invalidArgument("softcap must be a positive finite number") }
    return eps
}

/// The rows of one block of `classes > 0` logits (the budget above; every row when `batch` is
/// smaller) and the elements of `copies` such blocks.
/// - Throws: `.sizeOverflow` beyond `linearCrossEntropyMaxScratchBytes`.
@inlinable
func linearCrossEntropyBlock<T>(batch: Int, classes: Int, copies: Int, of _: T.Type) throws(LossError)
    -> (rows: Int, elements: Int) {
    let classBytes = max(try elementCount(classes, of: T.self) &* MemoryLayout<T>.stride, 1)
    // At least `linearCrossEntropyMinRows` rows where the scratch limit allows: a block of
    // fewer rows leaves the products short (each packs all of W for the block's rows).
    let rowsByBudget = max(linearCrossEntropyBlockBytes / classBytes,
                           min(linearCrossEntropyMinRows, linearCrossEntropyMaxScratchBytes / max(copies, 1) / classBytes))
    let rows = min(max(4, rowsByBudget & ~3), max(batch, 1))
    let elements = try elementCount(rows, classes, copies, of: T.self)
    guard elements <= linearCrossEntropyMaxScratchBytes / MemoryLayout<T>.stride else { throw .sizeOverflow }
    return (rows, elements)
}

/// GEMM 1 of a block: `logits` (rows x classes) = `x` (rows x hidden) `w^T` (+ `bias`).
@inlinable
func linearLogits<T: LossFloat>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ bias: UnsafePointer<T>?, rows: Int,
                                classes: Int, hidden: Int, into logits: UnsafeMutablePointer<T>) {
    if let bias {
        for i in 0..<rows { (logits + i &* classes).update(from: bias, count: classes) }
    }
    gemm(transA: false, transB: true, m: rows, n: classes, k: hidden, a: x, lda: hidden, b: w, ldb: hidden,
         c: logits, ldc: classes, accumulate: bias != nil)
}

/// The gradients of a block of rows from the gradient `grad` (rows x classes) of its logits:
/// GEMM 2, `gIn` (rows x hidden) = grad w; GEMM 3, `gW` (+)= grad^T x; `gB` (+)= column sums
/// (`accumulate`: add to what the earlier blocks left). Each output may be nil.
@inlinable
func linearBlockGradients<T: LossFloat>(
    _ grad: UnsafePointer<T>, _ x: UnsafePointer<T>, _ w: UnsafePointer<T>, rows: Int, classes: Int, hidden: Int,
    gradInput gIn: UnsafeMutablePointer<T>?, gradWeight gW: UnsafeMutablePointer<T>?,
    gradBias gB: UnsafeMutablePointer<T>?, accumulate: Bool
) {
    if let gIn {
        gemm(transA: false, transB: false, m: rows, n: hidden, k: classes, a: grad, lda: classes, b: w, ldb: hidden,
             c: gIn, ldc: hidden, accumulate: false)
    }
    if let gW {
        gemm(transA: true, transB: false, m: classes, n: hidden, k: rows, a: grad, lda: classes, b: x, ldb: hidden,
             c: gW, ldc: hidden, accumulate: accumulate)
    }
    if let gB { addColumnSums(grad, rows: rows, classes: classes, into: gB, accumulate: accumulate) }
}

/// The blocks of rows of `linearCrossEntropy` (checked arguments, `batch > 0`).
@inlinable
func linearCrossEntropyBlocks<T: LossFloat>(
    _ x: UnsafePointer<T>, _ w: UnsafePointer<T>?, _ bias: UnsafePointer<T>?, _ targets: LinearCrossEntropyTargets<T>,
    batch: Int, hidden: Int, classes: Int, rows: Int, weight: UnsafeBufferPointer<T>?, ignoreIndex: Int64,
    reduction: Reduction, eps: Double, zLoss: Double, softcap: Double, divisor: Double, zCount: Double,
    gradOutput: UnsafeBufferPointer<T>?, _ outputs: LinearCrossEntropyOutputs<T>, separate: Bool,
    wantGradient: Bool, scratch: UnsafeMutablePointer<T>, lse: UnsafeMutablePointer<Double>
) throws(LossError) {
    let V = classes, H = hidden
    let logits = scratch
    let grad = separate ? scratch + rows &* V : scratch
    let each = scratch + rows &* V &* (separate ? 2 : 1), scales = each + rows
    // An empty weight (hidden == 0) has no address: any pointer will do for a product over 0.
    let wp = w ?? UnsafePointer(logits)
    let gIn = outputs.gradInput?.baseAddress, gW = outputs.gradLinearWeight?.baseAddress
    let gB = outputs.gradLinearBias?.baseAddress
    let wantZ = zLoss > 0
    var ceTotal = 0.0, zTotal = 0.0
    var r0 = 0
    while r0 < batch {
        let nb = min(rows, batch &- r0)
        let block = ClassLayout(unchecked: nb, classes: V)
        // GEMM 1: logits = x_b W^T (+ bias).
        linearLogits(x + r0 &* H, wp, bias, rows: nb, classes: V, hidden: H, into: logits)
        if softcap > 0 { applySoftcap(logits, rows: nb, classes: V, softcap: softcap) }
        // The log-sum-exp of each counted sample (z term), before the gradient overwrites anything.
        var counted = [Bool]()
        if wantZ || outputs.zLoss != nil {
            counted = (0..<nb).map { i in
                if case .classIndices(let t) = targets { return t[r0 &+ i] != ignoreIndex }
                return true
            }
            if wantZ { rowLogSumExp(logits, rows: nb, classes: V, into: lse) }
        }
        // Each sample's upstream scale (cross_entropy part), for the kernel's 'none'.
        if wantGradient {
            for i in 0..<nb {
                scales[i] = T(narrowing: upstreamScale(gradOutput, reduction, r0 &+ i, divisor: divisor))
            }
        }
        let eachBuffer = UnsafeMutableBufferPointer(start: each, count: nb)
        let scaleBuffer = wantGradient ? UnsafeBufferPointer(start: UnsafePointer(scales), count: nb) : nil
        let gradBuffer = wantGradient ? UnsafeMutableBufferPointer(start: grad, count: nb &* V) : nil
        let logitBuffer = UnsafeBufferPointer(start: UnsafePointer(logits), count: nb &* V)
        switch targets {
        case .classIndices(let t):
            try crossEntropyKernel(logitBuffer, UnsafeBufferPointer(rebasing: t[r0 ..< r0 &+ nb]), block, weight,
                                   ignoreIndex, .none, eps, gradOutput: scaleBuffer, loss: eachBuffer,
                                   gradient: gradBuffer)
        case .probabilities(let q):
            try probabilityCrossEntropyKernel(logitBuffer, UnsafeBufferPointer(rebasing: q[r0 &* V ..< (r0 &+ nb) &* V]),
                                              block, weight, ignoreIndex, .none, eps, gradOutput: scaleBuffer,
                                              loss: eachBuffer, gradient: gradBuffer)
        }
        // The losses, the z term, and the z term's gradient.
        for i in 0..<nb {
            let ce = each[i].wide
            ceTotal += ce
            var z = 0.0
            if wantZ && counted[i] { z = zLoss * lse[i] * lse[i] }
            zTotal += z
            if reduction == .none {
                outputs.loss[r0 &+ i] = T(narrowing: ce + z)
                outputs.zLoss?[r0 &+ i] = T(narrowing: z)
            }
        }
        if wantGradient && wantZ {
            for i in 0..<nb {
                // s * 2 * zLoss * lse, s the z part's upstream scale (0 for ignored samples).
                let s = counted[i] ? upstreamScale(gradOutput, reduction, r0 &+ i, divisor: zCount) : 0
                scales[i] = T(narrowing: s * 2 * zLoss * lse[i])
                lse[i] = counted[i] ? lse[i] : .nan
            }
            addZGradient(logits, grad, rows: nb, classes: V, coefficients: scales, lse: lse)
        }
        if wantGradient && softcap > 0 { applySoftcapDerivative(logits, grad, rows: nb, classes: V, softcap: softcap) }
        if wantGradient {
            linearBlockGradients(grad, x + r0 &* H, wp, rows: nb, classes: V, hidden: H, gradInput: gIn.map { $0 + r0 &* H },
                                 gradWeight: gW, gradBias: gB, accumulate: r0 > 0)
        }
        r0 &+= nb
    }
    if reduction != .none {
        let z = zTotal / zCount
        outputs.loss[0] = T(narrowing: ceTotal / divisor + z)
        outputs.zLoss?[0] = T(narrowing: z)
    }
}

extension ClassLayout {
    /// A layout whose sizes are known to fit (a block of checked rows).
    @inlinable
    init(unchecked batch: Int, classes: Int) {
        self = try! ClassLayout(batch: batch, classes: classes, of: UInt8.self)
    }
}

/// Runs `body(rowRange)` over `rows` rows of `classes` elements on the pool, in fixed chunks.
@inlinable @inline(__always)
func forEachRowChunk(_ rows: Int, _ classes: Int, cost: Int, _ body: (Range<Int>) -> Void) {
    _ = sumPairsOverUnits(rows, unitElements: classes &* cost) { range in
        body(range)
        return SIMD2()
    }
}

/// x = softcap * tanh(x / softcap), in place.
@inlinable
func applySoftcap<T: LossFloat>(_ x: UnsafeMutablePointer<T>, rows: Int, classes: Int, softcap: Double) {
    let c = T(narrowing: softcap)
    forEachRowChunk(rows, classes, cost: 8) { range in
        for i in range { softcapRow(x + i &* classes, into: x + i &* classes, classes, cap: c) }
    }
}

/// g *= 1 - (x / softcap)^2, with x the capped logits (so x / softcap = tanh(logit / softcap)),
/// row by row through cross_entropy's `applyCapDerivative`.
@inlinable
func applySoftcapDerivative<T: LossFloat>(_ x: UnsafePointer<T>, _ g: UnsafeMutablePointer<T>, rows: Int, classes: Int,
                                          softcap: Double) {
    let cap = T(narrowing: softcap)
    forEachRowChunk(rows, classes, cost: 1) { range in
        for i in range {
            let row = i &* classes
            applyCapDerivative(g + row, x + row, classes, cap: cap, into: g + row)
        }
    }
}

/// lse[i] = log(sum_j exp(x[i][j])), in Double.
@inlinable
func rowLogSumExp<T: LossFloat>(_ x: UnsafePointer<T>, rows: Int, classes: Int, into lse: UnsafeMutablePointer<Double>) {
    forEachRowChunk(rows, classes, cost: 2) { range in
        for i in range {
            let (m, s, _) = rowStats(x + i &* classes, classes)
            lse[i] = m.wide + Double.log(s)
        }
    }
}

/// g[i][j] += coefficients[i] * exp(x[i][j] - lse[i]) for the rows whose lse is not NaN.
@inlinable
func addZGradient<T: LossFloat>(_ x: UnsafePointer<T>, _ g: UnsafeMutablePointer<T>, rows: Int, classes: Int,
                                coefficients: UnsafePointer<T>, lse: UnsafePointer<Double>) {
    let L = T.lanes
    forEachRowChunk(rows, classes, cost: 2) { range in
        for i in range where !lse[i].isNaN {
            let xr = x + i &* classes, gr = g + i &* classes
            let shift = T.Vector(repeating: T(narrowing: lse[i])), coef = T.Vector(repeating: coefficients[i])
            var j = 0
            while j &+ L <= classes {
                T.store(T.load(gr + j) + coef * T.exp(vector: T.load(xr + j) - shift), to: gr + j)
                j &+= L
            }
            if j < classes {
                let n = classes &- j
                let v = T.loadPartial(gr + j, n, fill: 0) + coef * T.exp(vector: T.loadPartial(xr + j, n, fill: 0) - shift)
                T.storePartial(v, to: gr + j, n)
            }
        }
    }
}

/// out[j] = (accumulate ? out[j] : 0) + sum_i g[i][j], rows in order (columns over the pool).
@inlinable
func addColumnSums<T: LossFloat>(_ g: UnsafePointer<T>, rows: Int, classes: Int, into out: UnsafeMutablePointer<T>,
                                 accumulate: Bool) {
    let L = T.lanes, width = 256
    let strips = (classes &- 1) / width &+ 1
    _ = sumOverChunks(strips, work: rows &* classes) { s in
        let j0 = s &* width, j1 = min(classes, j0 &+ width)
        for j in j0..<j1 where !accumulate { out[j] = 0 }
        var j = j0
        while j &+ L <= j1 {
            var acc = T.load(out + j)
            for i in 0..<rows { acc += T.load(g + (i &* classes &+ j)) }
            T.store(acc, to: out + j)
            j &+= L
        }
        while j < j1 {
            var acc = out[j]
            for i in 0..<rows { acc += g[i &* classes &+ j] }
            out[j] = acc
            j &+= 1
        }
        return SIMD2()
    }
}
