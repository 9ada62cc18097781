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

/// What the cross_entropy kernel needs per sample besides the logits: the options, the
/// weights and the upstream gradient.
@usableFromInline
struct CrossEntropyTerms<T: LossFloat> {
    @usableFromInline let classes: Int
    @usableFromInline let weight: UnsafePointer<T>?
    @usableFromInline let weightSum: Double          // sum of the weights (classes if none)
    @usableFromInline let finiteWeightSum: Double    // sum of the finite weights
    @usableFromInline let exactSmoothing: Bool       // a non-finite weight: see smoothingSums
    @usableFromInline let keep: Double               // 1 - eps
    @usableFromInline let spread: Double             // eps / classes
    @usableFromInline let smoothing: Bool            // eps > 0
    @usableFromInline let reduction: Reduction
    @usableFromInline let divisor: Double
    @usableFromInline let gradOutput: UnsafeBufferPointer<T>?

    @inlinable
    init(classes: Int, weight: UnsafeBufferPointer<T>?, keep: Double, spread: Double,
         smoothing: Bool, reduction: Reduction, divisor: Double, gradOutput: UnsafeBufferPointer<T>?) {
        self.classes = classes; self.weight = weight?.baseAddress
        // Only smoothing uses the weights' sums: without it they are not read (a sequential
        // sum over 128K class weights cost more than the cross_entropy of 8 such rows).
        if smoothing, let weight {
            (weightSum, finiteWeightSum) = Self.sums(weight)
        } else {
            (weightSum, finiteWeightSum) = (Double(classes), Double(classes))
        }
        exactSmoothing = smoothing && !weightSum.isFinite
        self.keep = keep; self.spread = spread; self.smoothing = smoothing
        self.reduction = reduction; self.divisor = divisor; self.gradOutput = gradOutput
    }

    @inlinable @inline(__always)
    func weight(_ c: Int) -> T { weight?[c] ?? 1 }

    /// The sum of the weights and of the finite ones, in `Double`, in four independent lanes.
    @inlinable
    static func sums(_ w: UnsafeBufferPointer<T>) -> (all: Double, finite: Double) {
        var all = SIMD4<Double>(), finite = SIMD4<Double>()
        var j = 0
        while j &+ 4 <= w.count {
            for l in 0..<4 {
                let v = w[j &+ l].wide
                all[l] += v
                finite[l] += v.isFinite ? v : 0
            }
            j &+= 4
        }
        while j < w.count {
            let v = w[j].wide
            all[0] += v
            finite[0] += v.isFinite ? v : 0
            j &+= 1
        }
        return (all.sum(), finite.sum())
    }

    /// The two parts of a sample's loss, from its target's shifted logit `x_t - max`, its
    /// log-sum `L = log(sum(exp(x - max)))` and (with smoothing) its `smoothingSums`:
    /// `nll = -w_t * (x_t - max - L)` and `smooth = -sum_c w_c * (x_c - max - L)` (0 without
    /// smoothing), rearranged as `L * W - sum_c w_c * (x_c - max)`.
    @inlinable @inline(__always)
    func lossParts(target t: Int, shiftedTarget: T, logSum: T, _ sums: SmoothingSums) -> SIMD2<Double> {
        let nll = -(weight(t) * (shiftedTarget - logSum))
        guard smoothing else { return SIMD2(nll.wide, 0) }
        return SIMD2(nll.wide, logSum.wide * (finiteWeightSum + sums.atMax) - sums.shifted)
    }

    /// A sample's loss from its parts: `(1 - eps) * nll + (eps / C) * smooth`.
    @inlinable @inline(__always)
    func loss(_ parts: SIMD2<Double>) -> T {
        smoothing ? T(narrowing: keep * parts[0] + spread * parts[1]) : T(narrowing: parts[0])
    }

    /// The reduced loss from the summed parts: 'sum' and 'mean' reduce the nll and the
    /// smoothing parts separately, then mix them (so a zero 'mean' divisor gives PyTorch's
    /// NaN from the nll part's 0 / 0, not the smoothing part's x / 0).
    @inlinable @inline(__always)
    func reducedLoss(_ total: SIMD2<Double>) -> T {
        let nll = total[0] / divisor
        return T(narrowing: smoothing ? keep * nll + spread * (total[1] / divisor) : nll)
    }

    /// The sums a sample's smoothing part needs, over its `classes` logits `x[0], x[stride], ...`
    /// and their max `m`: `shifted = sum_c w_c * (x_c - m)` (vectorised by the callers), or
    /// with a non-finite weight (`exactSmoothing`) that sum without the non-finite weights of
    /// the classes at the max, whose sum is `atMax`. Then `L * (finite W + atMax) - shifted`
    /// equals PyTorch's `-sum_c w_c * lp_c` term by term: an infinite weight gives an infinite
    /// loss, not the NaN of `inf * 0` or `inf - inf` in the rearranged sum. (`lp_c = d_c - L`
    /// with `d_c <= 0 <= L`, so `w_c * (L - d_c)` for an infinite `w_c` is `-w_c * d_c` when
    /// `d_c < 0`, and `w_c * L` when `d_c == 0`.)
    @inlinable @inline(__always)
    func exactSmoothingSums(_ x: UnsafePointer<T>, stride: Int, max m: T) -> SmoothingSums {
        var sums = SmoothingSums()
        var k = 0
        for c in 0..<classes {
            let d = x[k] - m, w = weight(c)
            if !w.isFinite && d == 0 { sums.atMax += w.wide } else { sums.shifted += (w * d).wide }
            k &+= stride
        }
        return sums
    }

    /// The gradient of sample `sample` (target `t`) is `coefP * p_j - b * w_j - [j == t] * a`.
    @inlinable @inline(__always)
    func gradientCoefficients(sample: Int, target t: Int) -> (coefP: T, b: T, a: T) {
        let scale = upstreamScale(gradOutput, reduction, sample, divisor: divisor)
        let a = keep * weight(t).wide * scale, b = spread * scale
        // Without smoothing b is 0: leave out b * weightSum, which is NaN for an infinite weight.
        return (T(narrowing: smoothing ? a + b * weightSum : a), T(narrowing: b), T(narrowing: a))
    }
}

/// See `CrossEntropyTerms.exactSmoothingSums`.
@usableFromInline
struct SmoothingSums {
    @usableFromInline var shifted = 0.0, atMax = 0.0
    @inlinable init() {}
    @inlinable init(shifted: Double, atMax: Double = 0) { self.shifted = shifted; self.atMax = atMax }
}

/// The one cross_entropy kernel behind the forward, backward and fused entry points.
///
/// Per sample: the max and the sum of exponentials of its logits (the first read of the
/// logits from memory), then the loss from the target's logit, and the gradient row written
/// while the logits are still in cache. Contiguous rows (inner == 1) are vectorised along the
/// classes; the (N, C, d) layout along d, a block of adjacent samples at a time. Work is split
/// into fixed chunks over threads (Parallel.swift), so results do not depend on the thread
/// count.
@inlinable
func crossEntropyKernel<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ targets: UnsafeBufferPointer<Int64>, _ layout: ClassLayout,
    _ weight: UnsafeBufferPointer<T>?, _ ignoreIndex: Int64, _ reduction: Reduction,
    _ labelSmoothing: Double, gradOutput: UnsafeBufferPointer<T>?,
    loss: UnsafeMutableBufferPointer<T>?, gradient: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    let eps = try effectiveSmoothing(labelSmoothing)
    let outputCount = reduction.outputCount(for: layout.samples)
    let counted = try checkClassIndexCall(input, targets, layout, weight, ignoreIndex, reduction, outputCount)
    try checkOptionalCounts(layout, reduction, loss, gradOutput: gradOutput, gradient: gradient)

    let classes = layout.classes, inner = layout.inner
    let terms = CrossEntropyTerms(
        classes: classes, weight: weight,
        keep: 1 - eps, spread: eps / Double(classes), smoothing: eps > 0, reduction: reduction,
        divisor: classIndexDivisor(reduction, totalWeight: counted),
        gradOutput: gradOutput)
    let each = reduction == .none ? loss?.baseAddress : nil
    let wantLoss = loss != nil
    var total = SIMD2<Double>()  // the summed nll and smoothing parts
    if let x = input.baseAddress, let t = targets.baseAddress {
        let gx = gradient?.baseAddress
        if inner == 1 && classes <= shortRow {
            // Short rows: T.lanes rows at a time, transposed into a tile, through the block
            // kernel (the gradient computed in the tile and transposed back).
            total = sumOverRowTiles(layout.batch, classes, cost: 2) { (tiles: (RowTile<T>, RowTile<T>), first: Int, rows: Int) in
                let tile = tiles.0
                tile.load(x + first &* classes, rows: rows)
                let parts = crossEntropyBlock(tile.tile, targets: t + first, firstSample: first, stride: T.lanes,
                                              BlockIO(count: rows), ignoreIndex, terms, wantLoss: wantLoss,
                                              each: each, gradient: gx == nil ? nil : tile.tile)
                if let gx { tile.store(to: gx + first &* classes, rows: rows) }
                return parts
            }
        } else if StridedTiles<T>.applies(dim: classes, inner: inner) && !terms.smoothing {
            // The (N, C, d) layout without smoothing, the common case: see crossEntropyTile.
            let tiles = StridedTiles<T>(outer: layout.batch, dim: classes, inner: inner)
            total = tiles.sum(cost: 2, reads: (x, nil), write: gx) { tile, u in
                let (offset, sample, n) = tiles.tile(u)
                tiles.load(x + offset, count: n, into: tile)
                // `gradient` as a constant in each call: the forward alone keeps none of its steps.
                guard let gx else {
                    return crossEntropyTile(tile, width: tiles.width, count: n, targets: t + sample, firstSample: sample,
                                            ignoreIndex, terms, wantLoss: wantLoss, each: each, gradient: false)
                }
                let parts = crossEntropyTile(tile, width: tiles.width, count: n, targets: t + sample, firstSample: sample,
                                             ignoreIndex, terms, wantLoss: wantLoss, each: each, gradient: true)
                tiles.store(tile, count: n, to: gx + offset)
                return parts
            }
        } else if StridedTiles<T>.applies(dim: classes, inner: inner) {
            // The (N, C, d) layout with smoothing, through tiles of two to eight vectors of positions (StridedTiles).
            let tiles = StridedTiles<T>(outer: layout.batch, dim: classes, inner: inner)
            total = tiles.sum(cost: 2, reads: (x, nil), write: gx) { tile, u in
                let (offset, sample, n) = tiles.tile(u)
                tiles.load(x + offset, count: n, into: tile)
                let parts = tiles.vectors(tile, count: n) { v, j, io in
                    crossEntropyBlock(v, targets: t + (sample &+ j), firstSample: sample &+ j,
                                      stride: tiles.width, io, ignoreIndex, terms, wantLoss: wantLoss,
                                      each: each, gradient: gx == nil ? nil : v)
                }
                if let gx { tiles.store(tile, count: n, to: gx + offset) }
                return parts
            }
        } else {
            let units = AxisUnits<T>(outer: layout.batch, dim: classes, inner: inner)
            total = sumPairsOverUnits(units.count, unitElements: units.elementsPerUnit) { range in
                var partial = SIMD2<Double>()
                for u in range {
                    if inner == 1 {
                        partial += crossEntropyRow(x + u &* classes, target: t[u], sample: u, ignoreIndex,
                                                   terms, wantLoss: wantLoss, each: each, gradient: gx.map { $0 + u &* classes })
                    } else {
                        let (offset, sample, io) = units.block(u)
                        partial += crossEntropyBlock(x + offset, targets: t + sample, firstSample: sample, stride: inner,
                                                     io, ignoreIndex, terms, wantLoss: wantLoss, each: each,
                                                     gradient: gx.map { $0 + offset })
                    }
                }
                return partial
            }
        }
    }
    if let loss, reduction != .none { loss[0] = terms.reducedLoss(total) }
}

/// One contiguous row of `cross_entropy`: writes its loss to `each[sample]` (reduction
/// 'none') and its gradient row, and returns its loss parts (nll, smoothing) for the sums.
@inlinable @inline(__always)
func crossEntropyRow<T: LossFloat>(
    _ x: UnsafePointer<T>, target t64: Int64, sample: Int, _ ignoreIndex: Int64,
    _ terms: CrossEntropyTerms<T>, wantLoss: Bool, each: UnsafeMutablePointer<T>?,
    gradient gx: UnsafeMutablePointer<T>?, logSumExp lse: UnsafeMutablePointer<Double>? = nil,
    zLoss: Double = 0, zUpstream: Double = 0
) -> SIMD2<Double> {
    let classes = terms.classes
    guard let t = classIndex(t64, classes: classes, ignoreIndex: ignoreIndex) else {
        each?[sample] = 0
        if let gx { gx.update(repeating: 0, count: classes) }
        return SIMD2()
    }
    // Read everything the loss needs from the logits before the exponentials are stored over
    // the gradient buffer (which may be the logits themselves).
    let xt = x[t]
    let needShifted = wantLoss && terms.smoothing
    // The smoothing sums read the logits: before the exponentials are stored over them.
    let (m, s, stored, sums) = rowStats(x, classes, store: gx) { (m: T) -> SmoothingSums in
        guard needShifted else { return SmoothingSums() }
        return terms.exactSmoothing ? terms.exactSmoothingSums(x, stride: 1, max: m)
                                    : SmoothingSums(shifted: rowWeightedShiftedSum(x, classes, m, terms.weight))
    }
    let shiftedTarget = xt - m
    let logSum = T(narrowing: Double.log(s))
    let rowLSE = m.wide + Double.log(s)
    lse?.pointee = rowLSE
    var parts = SIMD2<Double>()
    if wantLoss {
        parts = terms.lossParts(target: t, shiftedTarget: shiftedTarget, logSum: logSum, sums)
        each?[sample] = terms.loss(parts)
    }
    if let gx {
        // grad = coefP / s * exp(x - m) - b * w, minus a at the target. gx already holds the
        // exponentials of a short row; a long one's are computed here from x.
        var (coefP, b, a) = terms.gradientCoefficients(sample: sample, target: t)
        // The z-loss term zLoss * lse^2 adds 2 * zLoss * lse * softmax_j (times its upstream scale).
        if zLoss != 0 { coefP += T(narrowing: 2 * zLoss * rowLSE * zUpstream) }
        let pScale = T.Vector(repeating: coefP * T(narrowing: 1 / s)), bv = T.Vector(repeating: b)
        let mv = T.Vector(repeating: m)
        // The loop is chosen outside: `stored` tested per vector cost a branch in each.
        @inline(__always) func write(_ source: UnsafePointer<T>, _ exps: (T.Vector) -> T.Vector) {
            if let w = terms.weight, terms.smoothing {
                rowMap(source, classes, into: gx) { j, v in pScale * exps(v) - bv * weightVector(w, j, classes) }
            } else {  // b is 0 without smoothing: no b * w (NaN for an infinite or NaN weight)
                rowMap(source, classes, into: gx) { _, v in pScale * exps(v) - bv }
            }
        }
        if stored {
            write(gx) { $0 }
        } else {
            write(x) { T.expNonPositive(vector: $0 - mv) }
        }
        gx[t] -= a
    }
    return parts
}

/// One block of `io.count` adjacent samples of the (N, C, d) layout: `x` points at class 0 of
/// the first sample, class c is at `x + c * stride`. Writes the losses to `each` ('none') and
/// the gradient, and returns the block's summed loss parts (nll, smoothing).
@inlinable @inline(__always)
func crossEntropyBlock<T: LossFloat>(
    _ x: UnsafePointer<T>, targets: UnsafePointer<Int64>, firstSample: Int, stride: Int,
    _ io: BlockIO<T>, _ ignoreIndex: Int64, _ terms: CrossEntropyTerms<T>, wantLoss: Bool,
    each: UnsafeMutablePointer<T>?, gradient gx: UnsafeMutablePointer<T>?
) -> SIMD2<Double> {
    let classes = terms.classes
    // The loss needs the logits: read the max, the target logits and the smoothing sums first,
    // then let the exponentials be stored over the gradient buffer (which may be the logits).
    let m = blockMax(x, classes: classes, stride: stride, io)
    var k = 0
    // Each lane's class index, read once (-1: ignored, see classIndex, or past the end of a
    // partial block). Loops over the lanes run over all T.lanes, a constant, so that they are
    // unrolled: a lane written at a variable index costs a vector spill and reload per lane.
    var cls = SIMD8<Int>(repeating: -1)
    for l in 0..<T.lanes where l < io.count {
        if let t = classIndex(targets[l], classes: classes, ignoreIndex: ignoreIndex) { cls[l] = t }
    }
    var shiftedTarget = T.Vector()
    for l in 0..<T.lanes where cls[l] >= 0 {
        shiftedTarget[l] = x[cls[l] &* stride &+ l] - m[l]
    }
    // With smoothing, each lane's smoothing sums: sum_c w_c * (x_c - max), vectorised, or
    // with a non-finite weight its exact split (exactSmoothingSums).
    var shifted = SIMD8<Double>(), atMax = SIMD8<Double>()
    if wantLoss && terms.exactSmoothing {
        for l in 0..<T.lanes where l < io.count {
            let sums = terms.exactSmoothingSums(x + l, stride: stride, max: m[l])
            shifted[l] = sums.shifted
            atMax[l] = sums.atMax
        }
    } else if wantLoss && terms.smoothing {
        k = 0
        for c in 0..<classes {
            let d = (io.load(x + k) - m) * T.Vector(repeating: terms.weight(c))
            for l in 0..<T.lanes { shifted[l] += d[l].wide }
            k &+= stride
        }
    }
    let s = blockSumExp(x, classes: classes, stride: stride, io, max: m, store: gx)
    let logSum = T.log(vector: s)
    var total = SIMD2<Double>()
    if wantLoss {
        if terms.smoothing {
            for l in 0..<T.lanes where cls[l] >= 0 {
                let parts = terms.lossParts(target: cls[l], shiftedTarget: shiftedTarget[l], logSum: logSum[l],
                                            SmoothingSums(shifted: shifted[l], atMax: atMax[l]))
                each?[firstSample &+ l] = terms.loss(parts)
                total += parts
            }
        } else {
            // nll = -w_t * (x_t - max - logSum) for the whole block at once.
            var wt = T.Vector()
            for l in 0..<T.lanes where cls[l] >= 0 { wt[l] = terms.weight(cls[l]) }
            let nll = -(wt * (shiftedTarget - logSum))
            for l in 0..<T.lanes where cls[l] >= 0 {
                each?[firstSample &+ l] = nll[l]
                total[0] += nll[l].wide
            }
        }
        if each != nil {
            for l in 0..<T.lanes where l < io.count && cls[l] < 0 { each?[firstSample &+ l] = 0 }
        }
    }
    guard let gx else { return total }
    var coefP = T.Vector(), b = T.Vector(), a = T.Vector()
    for l in 0..<T.lanes where cls[l] >= 0 {
        (coefP[l], b[l], a[l]) = terms.gradientCoefficients(sample: firstSample &+ l, target: cls[l])
    }
    // gx holds exp(x - max) per class: grad = coefP / s * e - b * w_c, minus a at the target.
    let pScale = coefP * (1 / s)
    k = 0
    for c in 0..<classes {
        let g = terms.smoothing ? pScale * io.load(gx + k) - b * T.Vector(repeating: terms.weight(c))
                                : pScale * io.load(gx + k)  // b is 0: no b * w (NaN for a non-finite w)
        io.store(g, to: gx + k)
        k &+= stride
    }
    for l in 0..<T.lanes where l < io.count {
        let t = cls[l]
        if t < 0 {  // exact zeros, as the row kernel writes, even for NaN logits
            var k = l
            for _ in 0..<classes { gx[k] = 0; k &+= stride }
        } else {
            gx[t &* stride &+ l] -= a[l]
        }
    }
    return total
}

/// cross_entropy without label smoothing over one tile of the (N, C, d) layout
/// (`StridedTiles`: class c of position j at `tile[c * width + j]`, `count` positions filled,
/// the rest 0): writes the losses to `each` ('none'), with `gradient` the gradient over the
/// tile's logits, and returns the summed nll.
///
/// crossEntropyBlock's results, bit for bit, with about a third fewer instructions (callgrind,
/// (1, 21, 512, 512) float32 forward: 50.7M -> 33.9M): a scalar pass gathers each position's
/// target logit, weight, gradient coefficient and whether it counts into small buffers, so
/// that every vector of the tile (the padded ones too) runs full-width vector code, its
/// ignored and missing lanes masked at the end (crossEntropyBlock's per-lane inserts,
/// partial-vector tests and branches cost more instructions than its exponentials).
@inlinable @inline(__always)
func crossEntropyTile<T: LossFloat>(
    _ tile: UnsafeMutablePointer<T>, width: Int, count: Int, targets: UnsafePointer<Int64>, firstSample: Int,
    _ ignoreIndex: Int64, _ terms: CrossEntropyTerms<T>, wantLoss: Bool, each: UnsafeMutablePointer<T>?,
    gradient: Bool
) -> SIMD2<Double> {
    let classes = terms.classes, L = T.lanes
    // Per position: the target's logit, its weight, 1 where it counts (0: ignored, or past
    // `count`), and the gradient's coefficient `a` (grad = a * (softmax - onehot)).
    // Each target is read once, into `index` (class 0 where it does not count), so that a
    // target changed meanwhile by another thread cannot lead a read or write out of bounds.
    return withUnsafeTemporaryAllocation(of: Int.self, capacity: 8 &* L) { indices in
        withUnsafeTemporaryAllocation(of: T.self, capacity: 4 &* 8 &* L) { buffer in
            let index = indices.baseAddress!
            let target = buffer.baseAddress!, weight = target + width, counts = weight + width, coef = counts + width
            // Branch-free: a target counts when it is in range and not ignoreIndex; one that does
            // not reads class 0's logit (masked out below).
            let limit = UInt64(classes)
            for j in 0..<count {
                let t64 = targets[j]
                let counted = UInt64(bitPattern: t64) < limit && t64 != ignoreIndex
                let c = counted ? Int(truncatingIfNeeded: t64) : 0
                index[j] = c
                target[j] = tile[c &* width &+ j]
                counts[j] = counted ? 1 : 0
            }
            if let w = terms.weight {
                for j in 0..<count { weight[j] = counts[j] == 0 ? 0 : w[index[j]] }
            } else {
                for j in 0..<count { weight[j] = counts[j] }
            }
            for j in count..<width { target[j] = 0; weight[j] = 0; counts[j] = 0 }
            if gradient {
                for j in 0..<width {
                    coef[j] = counts[j] == 0 ? 0
                        : terms.gradientCoefficients(sample: firstSample &+ j, target: index[j]).a
                }
            }
            let full = BlockIO<T>(count: L), zero = T.Vector()
            var total = SIMD2<Double>()
            var j = 0
            while j < width {
                let v = tile + j
                let m = blockMax(v, classes: classes, stride: width, full)
                // With the gradient, the exponentials are kept in the tile.
                let s = blockSumExp(v, classes: classes, stride: width, full, max: m, store: gradient ? v : nil)
                if wantLoss {
                    let logSum = T.log(vector: s)
                    // nll = -w_t * (x_t - max - logSum), as crossEntropyBlock's; 0 where not counted.
                    let nll = T.select(T.load(counts + j), equalTo: zero, zero,
                                       else: -(T.load(weight + j) * ((T.load(target + j) - m) - logSum)))
                    var part = 0.0
                    for l in 0..<L { part += nll[l].wide }
                    total[0] += part
                    if let each {
                        if j &+ L <= count { T.store(nll, to: each + (firstSample &+ j)) }
                        else if j < count { T.storePartial(nll, to: each + (firstSample &+ j), count &- j) }
                    }
                }
                if gradient {
                    // grad = a / s * exp(x - max), minus a at the target (crossEntropyBlock's steps).
                    let pScale = T.load(coef + j) * (1 / s)
                    var k = 0
                    for _ in 0..<classes {
                        T.store(pScale * T.load(v + k), to: v + k)
                        k &+= width
                    }
                    for l in 0..<L where j &+ l < count {
                        if counts[j &+ l] == 0 {  // exact zeros, as the row kernel writes, even for NaN logits
                            var k = l
                            for _ in 0..<classes { v[k] = 0; k &+= width }
                        } else {
                            v[index[j &+ l] &* width &+ l] -= coef[j &+ l]
                        }
                    }
                }
                j &+= L
            }
            return total
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
    try checkProbabilityCall(input, target, layout, weight, ignoreIndex, reduction)
    try checkOptionalCounts(layout, reduction, loss, gradOutput: gradOutput, gradient: gradient)

    let divisor = reduction == .mean ? Double(layout.samples) : 1
    guard let x = input.baseAddress, let q = target.baseAddress, layout.count > 0 else {
        if let loss { finishReduction(loss, reduction, sum: 0, divisor: divisor) }
        return
    }
    let gx = gradient?.baseAddress
    let each = reduction == .none ? loss?.baseAddress : nil
    let wantLoss = loss != nil
    let classes = layout.classes, inner = layout.inner
    let keep = T(narrowing: 1 - eps), spread = T(narrowing: eps / Double(classes))
    let w = weight?.baseAddress
    // Work in fixed chunks of rows, or of blocks of adjacent samples of the (N, C, d) layout,
    // over threads (a cost of about 4 per element: an exp in the sums, another in the
    // gradient); each sample's loss is its own, so the sums do not depend on the thread count.
    // The upstream gradient's scale of `count` (at most T.lanes) samples from `first`, a lane
    // each (0 without a gradient).
    func laneScales(_ first: Int, _ count: Int) -> T.Vector {
        var scale = T.Vector()
        if gx != nil {
            for l in 0..<T.lanes where l < count {
                scale[l] = T(narrowing: upstreamScale(gradOutput, reduction, first &+ l, divisor: divisor))
            }
        }
        return scale
    }
    let total: SIMD2<Double>
    if inner == 1 && classes <= shortRow {
        // Short rows: T.lanes rows at a time, logits and targets transposed into tiles, through
        // the block kernel (the gradient computed in the logits' tile and transposed back).
        total = sumOverRowTiles(layout.batch, classes, cost: 4) { (tiles: (RowTile<T>, RowTile<T>), first: Int, rows: Int) in
            tiles.0.load(x + first &* classes, rows: rows)
            tiles.1.load(q + first &* classes, rows: rows)
            let l = probabilityBlock(tiles.0.tile, tiles.1.tile, classes, stride: T.lanes, BlockIO(count: rows), w,
                                     keep, spread, wantLoss: wantLoss, each: each.map { $0 + first },
                                     scale: laneScales(first, rows),
                                     gradient: gx == nil ? nil : tiles.0.tile)
            if let gx { tiles.0.store(to: gx + first &* classes, rows: rows) }
            return SIMD2(l, 0)
        }
    } else if inner == 1 {
        total = sumPairsOverUnits(layout.batch, unitElements: classes &* 4) { range in
            var partial = SIMD2<Double>()
            for n in range {
                let scale = gx == nil ? 0 : upstreamScale(gradOutput, reduction, n, divisor: divisor)
                let l = probabilityRow(x + n &* classes, q + n &* classes, classes, w, keep, spread,
                                       wantLoss: wantLoss, scale: scale, gradient: gx.map { $0 + n &* classes })
                each?[n] = T(narrowing: l)
                partial[0] += l
            }
            return partial
        }
    } else if StridedTiles<T>.applies(dim: classes, inner: inner) {
        // The (N, C, d) layout through tiles (StridedTiles): logits and targets.
        let tiles = StridedTiles<T>(outer: layout.batch, dim: classes, inner: inner)
        let size = tiles.elementsPerUnit
        total = tiles.sum(cost: 4, tiles: 2, reads: (x, q), write: gx) { tile, u in
            let (offset, sample, n) = tiles.tile(u)
            tiles.load(x + offset, count: n, into: tile)
            tiles.load(q + offset, count: n, into: tile + size)
            let parts = tiles.vectors(tile, count: n) { v, j, io in
                SIMD2(probabilityBlock(v, v + size, classes, stride: tiles.width, io, w, keep, spread,
                                       wantLoss: wantLoss, each: each.map { $0 + (sample &+ j) },
                                       scale: laneScales(sample &+ j, io.count), gradient: gx == nil ? nil : v), 0)
            }
            if let gx { tiles.store(tile, count: n, to: gx + offset) }
            return parts
        }
    } else {
        let units = AxisUnits<T>(outer: layout.batch, dim: classes, inner: inner)
        total = sumPairsOverUnits(units.count, unitElements: units.elementsPerUnit &* 4) { range in
            var partial = SIMD2<Double>()
            for u in range {
                let (offset, sample, io) = units.block(u)
                partial[0] += probabilityBlock(x + offset, q + offset, classes, stride: inner, io, w, keep, spread,
                                               wantLoss: wantLoss, each: each.map { $0 + sample },
                                               scale: laneScales(sample, io.count),
                                               gradient: gx.map { $0 + offset })
            }
            return partial
        }
    }
    if let loss { finishReduction(loss, reduction, sum: total[0], divisor: divisor) }
}

/// Checks a probability-target call's sizes, weight, reduction and ignore_index (PyTorch has no
/// ignore_index for probabilities: any value >= 0 is refused).
@inlinable
func checkProbabilityCall<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>, _ layout: ClassLayout,
    _ weight: UnsafeBufferPointer<T>?, _ ignoreIndex: Int64, _ reduction: Reduction
) throws(LossError) {
    guard layout.classes > 0 else { throw .zeroClasses }
    guard reduction != .batchMean else { throw .invalidReduction }
    try checkCount(input.count, layout.count)
    try checkCount(target.count, layout.count)
    try checkWeight(weight, classes: layout.classes)
    guard ignoreIndex < 0 else { throw .ignoreIndexUnsupported(ignoreIndex) }
}

/// Checks the sizes of a class-axis call's optional buffers: outputs (losses, z terms) and the
/// upstream gradient of `reduction.outputCount` elements, a gradient of `layout.count`.
@inlinable
func checkOptionalCounts<T: LossFloat>(
    _ layout: ClassLayout, _ reduction: Reduction, _ outputs: UnsafeMutableBufferPointer<T>?...,
    gradOutput: UnsafeBufferPointer<T>?, gradient: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    let outputCount = reduction.outputCount(for: layout.samples)
    for case let output? in outputs { try checkCount(output.count, outputCount) }
    if let gradOutput { try checkCount(gradOutput.count, outputCount) }
    if let gradient { try checkCount(gradient.count, layout.count) }
}

/// One contiguous row of probability-target cross_entropy, vectorised along the classes:
/// returns its loss `-sum_c w_c q'_c logSoftmax(x)_c` (0 when `wantLoss` is false) and, with
/// `gradient`, writes `scale * (softmax(x)_j * sum_c w_c q'_c - w_j q'_j)`. Sums in T lanes,
/// flushed to Double every `flushEvery` vectors; the last partial vector element by element.
@inlinable @inline(__always)
func probabilityRow<T: LossFloat>(
    _ x: UnsafePointer<T>, _ q: UnsafePointer<T>, _ classes: Int, _ w: UnsafePointer<T>?, _ keep: T, _ spread: T,
    wantLoss: Bool, scale: Double, gradient gx: UnsafeMutablePointer<T>?,
    logSumExp lse: UnsafeMutablePointer<Double>? = nil, zLoss: Double = 0
) -> Double {
    let L = T.lanes
    let (m, s, _) = rowStats(x, classes)
    let logSum = T(narrowing: Double.log(s))
    let rowLSE = m.wide + Double.log(s)
    lse?.pointee = rowLSE
    let shift = T.Vector(repeating: m), logSumV = T.Vector(repeating: logSum)
    let keepV = T.Vector(repeating: keep), spreadV = T.Vector(repeating: spread)
    var acc = 0.0, weightedTarget = 0.0
    var j = 0
    while j &+ L <= classes {
        var a = T.Vector(), b = T.Vector()
        var k = 0
        while k < flushEvery && j &+ L <= classes {
            // PyTorch's order, (lp * q') * w: an overflowing lp * q' times a zero weight is NaN.
            let qs = keepV * T.load(q + j) + spreadV, wc: T.Vector = weightVector(w, j, classes)
            if wantLoss { a += (((T.load(x + j) - shift) - logSumV) * qs) * wc }
            b += wc * qs
            j &+= L
            k &+= 1
        }
        acc += T.wideSum(a)
        weightedTarget += T.wideSum(b)
    }
    let tail = j
    while j < classes {
        let qs = keep * q[j] + spread, wc = w?[j] ?? 1
        if wantLoss { acc += ((((x[j] - m) - logSum) * qs) * wc).wide }
        weightedTarget += (wc * qs).wide
        j &+= 1
    }
    if let gx {
        // The z-loss term zLoss * lse^2 adds 2 * zLoss * lse * softmax_j (times the scale).
        let pCoef = scale * weightedTarget + (zLoss != 0 ? 2 * zLoss * rowLSE * scale : 0)
        let coefP = T.Vector(repeating: T(narrowing: pCoef))
        let invSum = T.Vector(repeating: T(narrowing: 1 / s)), scaleT = T.Vector(repeating: T(narrowing: scale))
        j = 0
        while j < tail {
            let wq = weightVector(w, j, classes) * (keepV * T.load(q + j) + spreadV)
            T.store(coefP * (T.expNonPositive(vector: T.load(x + j) - shift) * invSum) - scaleT * wq, to: gx + j)
            j &+= L
        }
        let c0 = T(narrowing: pCoef), inv = T(narrowing: 1 / s), sc = T(narrowing: scale)
        while j < classes {
            let wq = (w?[j] ?? 1) * (keep * q[j] + spread)
            gx[j] = c0 * (T.exp(x[j] - m) * inv) - sc * wq
            j &+= 1
        }
    }
    return -acc
}

/// One block of `io.count` adjacent samples of the (N, C, d) layout of probability-target
/// cross_entropy, vectorised along the samples (class c of the block is one vector at
/// `c * stride`): writes each sample's loss to `each` (when given) and, with `gradient`, its
/// gradient with the per-lane upstream scale; returns the block's summed loss. `gradient` may
/// be the input itself: each element is read before it is written.
@inlinable @inline(__always)
func probabilityBlock<T: LossFloat>(
    _ x: UnsafePointer<T>, _ q: UnsafePointer<T>, _ classes: Int, stride: Int, _ io: BlockIO<T>,
    _ w: UnsafePointer<T>?, _ keep: T, _ spread: T, wantLoss: Bool, each: UnsafeMutablePointer<T>?,
    scale: T.Vector, gradient gx: UnsafeMutablePointer<T>?
) -> Double {
    let m = blockMax(x, classes: classes, stride: stride, io)
    let s = blockSumExp(x, classes: classes, stride: stride, io, max: m)
    let logSum = T.log(vector: s)
    let keepV = T.Vector(repeating: keep), spreadV = T.Vector(repeating: spread)
    // Per lane: the loss sum_c w_c q'_c lsm_c and the weighted target sum_c w_c q'_c, in T lanes
    // flushed to Double every flushEvery classes.
    var acc = SIMD8<Double>(), weighted = SIMD8<Double>()
    var c = 0, k = 0
    while c < classes {
        var a = T.Vector(), b = T.Vector()
        let end = min(classes, c &+ flushEvery)
        while c < end {
            // PyTorch's order, (lp * q') * w: an overflowing lp * q' times a zero weight is NaN.
            let qs = keepV * io.load(q + k) + spreadV, wc = T.Vector(repeating: w?[c] ?? 1)
            if wantLoss { a += (((io.load(x + k) - m) - logSum) * qs) * wc }
            b += wc * qs
            k &+= stride
            c &+= 1
        }
        for l in 0..<T.lanes {
            acc[l] += a[l].wide
            weighted[l] += b[l].wide
        }
    }
    var total = 0.0
    if wantLoss {
        for l in 0..<T.lanes where l < io.count {
            each?[l] = T(narrowing: -acc[l])
            total -= acc[l]
        }
    }
    guard let gx else { return total }
    var coefP = T.Vector()
    for l in 0..<T.lanes { coefP[l] = T(narrowing: scale[l].wide * weighted[l]) }
    let invSum = 1 / s
    k = 0
    for c in 0..<classes {
        let wq = T.Vector(repeating: w?[c] ?? 1) * (keepV * io.load(q + k) + spreadV)
        io.store(coefP * (T.expNonPositive(vector: io.load(x + k) - m) * invSum) - scale * wq, to: gx + k)
        k &+= stride
    }
    return total
}
