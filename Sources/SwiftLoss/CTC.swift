import RealModule

/// ctc_loss: PyTorch's connectionist temporal classification loss (LossCTC.cpp's CPU kernel).
///
/// `logProbs` is `(time, batch, classes)`, row-major: `lp(t, n, c) = logProbs[(t * batch + n) *
/// classes + c]`. Sample `n` uses its first `Tn = inputLengths[n]` time steps and its
/// `L = targetLengths[n]` labels, taken from `targets` at `n * targetStride` (the padded
/// `(batch, targetStride)` layout) or, with `targetStride == 0`, one after the other (the
/// concatenated layout: `targets.count` is the sum of the lengths). With `l'` the labels with
/// blanks interleaved (`2L + 1` entries), the forward variables are
///
///     alpha(0, 0) = lp(0, blank), alpha(0, 1) = lp(0, l1), every other alpha(0, s) = -inf
///     alpha(t, s) = logsumexp(alpha(t-1, s), alpha(t-1, s-1), alpha(t-1, s-2) [l'(s-2) != l'(s)])
///                   + lp(t, l'(s))
///
/// each log-sum-exp taken with PyTorch's max trick (the largest term subtracted, 0 when every
/// term is -inf), all arithmetic in `T` as PyTorch's. The loss is
/// `nll = -logsumexp(alpha(Tn-1, 2L), alpha(Tn-1, 2L-1))`, `-alpha(Tn-1, 0)` for `L = 0`, and
/// for `Tn = 0` -0.0 when `L = 0`, +inf otherwise. An impossible alignment gives +inf;
/// `zeroInfinity` replaces +inf losses by 0 before the reduction. `.mean` divides each loss by
/// `max(L, 1)` and averages over the batch; `.sum` adds the losses (both in `Double`).
///
/// The vectors of the recursion run along `s` (every `alpha(t, s)` depends on row `t - 1`
/// only), the samples are split over threads one or more at a time in fixed chunks.
///
/// Scratch: the forward holds three rows of `2L + 1` (rounded up) elements per sample in flight;
/// the backward holds the whole `alpha` of the sample, `Tn` rows, plus four rows.

/// Validates a ctc_loss call and returns the largest target length (0 for an empty batch).
@inlinable
func checkCTCCall<T: LossFloat>(
    _ logProbs: UnsafeBufferPointer<T>, time: Int, batch: Int, classes: Int,
    targets: UnsafeBufferPointer<Int64>, targetStride: Int,
    inputLengths: UnsafeBufferPointer<Int64>, targetLengths: UnsafeBufferPointer<Int64>,
    blank: Int, reduction: Reduction, outputCount: Int
) throws(LossError) -> Int {
    guard reduction != .batchMean else { throw .invalidReduction }
    try checkCount(logProbs.count, try elementCount(time, batch, classes, of: T.self))
    _ = try elementCount(batch, of: Int64.self)
    try checkCount(inputLengths.count, batch)
    try checkCount(targetLengths.count, batch)
    try checkCount(outputCount, reduction.outputCount(for: batch))
    guard blank >= 0 && blank < classes else { throw .invalidArgument("blank must be in label range") }
    guard targetStride >= 0 else { throw .sizeOverflow }
    // The padded targets' size first: a size overflow before any value's error.
    let paddedCount = targetStride > 0 ? try elementCount(batch, targetStride, of: Int64.self) : 0
    var total = 0, longest = 0, longestInput = 0
    for n in 0..<batch {
        guard inputLengths[n] >= 0 && inputLengths[n] <= Int64(time) else {
            throw .invalidArgument("input_lengths must be in [0, time]")
        }
        longestInput = max(longestInput, Int(inputLengths[n]))
        let l = targetLengths[n]
        guard l >= 0 && l <= Int64(targets.count) else { throw .invalidArgument("target_lengths out of range") }
        if targetStride > 0 && l > Int64(targetStride) {
            throw .invalidArgument("a target length exceeds the padded targets' width")
        }
        total &+= Int(l)  // at most batch * targets.count, far from overflow after the check below
        guard total <= targets.count || targetStride > 0 else {
            throw .invalidArgument("the concatenated targets are shorter than the target lengths' sum")
        }
        longest = max(longest, Int(l))
    }
    if targetStride > 0 {
        try checkCount(targets.count, paddedCount)
    } else {
        try checkCount(targets.count, total)
    }
    // The scratch of the widest sample: (its input length + 4) rows of 2L + 1 + 3 lanes, over
    // the samples there are (an empty batch beside a huge time needs none: the fuzzer found
    // time 2^62 - 1 with batch 0 refused as a size overflow).
    _ = try elementCount(longestInput &+ 4, try elementCount(longest, 2, of: T.self) &+ 1 &+ 3 &* T.lanes, of: T.self)
    var start = 0
    for n in 0..<batch {
        let base = targetStride > 0 ? n &* targetStride : start
        let l = Int(targetLengths[n])
        for k in base ..< base &+ l where targets[k] < 0 || targets[k] >= Int64(classes) {
            throw .targetOutOfBounds(target: targets[k])
        }
        start &+= l
    }
    return longest
}

/// One sample's labels with blanks interleaved, padded with blanks to whole vectors, and the
/// skip mask of the forward recursion (0 where `l'(s-2) != l'(s)`, 1 elsewhere, past the end
/// too), both in a caller's scratch.
@usableFromInline
struct CTCSample<T: LossFloat> {
    @usableFromInline let s: Int          // 2L + 1
    @usableFromInline let width: Int      // a row's elements: lanes of -inf, s rounded up, lanes
    @usableFromInline let labels: UnsafeMutablePointer<Int>
    @usableFromInline let skip: UnsafeMutablePointer<T>   // at offset lanes, as the rows

    @inlinable
    static func width(_ l: Int) -> Int { ((2 &* l &+ 1 &+ T.lanes &- 1) / T.lanes) &* T.lanes &+ 2 &* T.lanes }

    @inlinable
    init(_ target: UnsafePointer<Int64>?, _ l: Int, blank: Int, labels: UnsafeMutablePointer<Int>,
         skip: UnsafeMutablePointer<T>) {
        s = 2 &* l &+ 1
        width = Self.width(l)
        self.labels = labels
        self.skip = skip
        let padded = width &- 2 &* T.lanes
        for k in 0..<padded { labels[k] = k < s && k & 1 == 1 ? Int(target![k >> 1]) : blank }
        for k in 0..<width { skip[k] = 1 }
        for k in stride(from: 2, to: s, by: 1) where labels[k] != labels[k &- 2] { skip[T.lanes &+ k] = 0 }
    }

    /// `lp(t, l'(s))` for every padded `s`, at `row + lanes`.
    @inlinable @inline(__always)
    func gather(_ lp: UnsafePointer<T>, into row: UnsafeMutablePointer<T>) {
        for k in 0 ..< width &- 2 &* T.lanes { row[T.lanes &+ k] = lp[labels[k]] }
    }
}

/// `log(e^(a-m) + e^(b-m) + e^(c-m)) + m`, `m` the largest of the three (0 if all are -inf).
extension LossFloat {
    @inlinable @inline(__always)
    static func logSumExp3(_ a: Vector, _ b: Vector, _ c: Vector) -> Vector {
        let negInf = Vector(repeating: -.infinity)
        var m = maximum(maximum(a, b), c)
        m = select(m, equalTo: negInf, Vector(), else: m)
        // One of the three terms is exp(0) = 1 (or all are 0, when m was -inf): the cheaper
        // expForSum, exact down to where a term vanishes next to that 1, serves.
        return log(vector: expForSum(vector: a - m) + expForSum(vector: b - m) + expForSum(vector: c - m)) + m
    }
}

/// Row `t` of the forward variables from row `t - 1` (`prev`), into `cur` (whose leading
/// `lanes` elements are -inf); `lpRow` is a row of scratch.
@inlinable @inline(__always)
func ctcAlphaStep<T: LossFloat>(_ lp: UnsafePointer<T>, step: Int, t: Int, _ sample: CTCSample<T>,
                                prev: UnsafePointer<T>, cur: UnsafeMutablePointer<T>, lpRow: UnsafeMutablePointer<T>) {
    let lanes = T.lanes, negInf = T.Vector(repeating: -.infinity)
    sample.gather(lp + t &* step, into: lpRow)
    for b in 0 ..< (sample.width &- 2 &* lanes) / lanes {
        let o = lanes &+ b &* lanes
        let a1 = T.load(prev + o), a2 = T.load(prev + (o &- 1))
        let a3 = T.select(T.load(sample.skip + o), equalTo: T.Vector(), T.load(prev + (o &- 2)), else: negInf)
        T.store(T.logSumExp3(a1, a2, a3) + T.load(lpRow + o), to: cur + o)
    }
}

/// The forward variables of one sample: rows `alpha(0) ... alpha(tn - 1)` at `rows + t * width`
/// (all of them with `keepAll`, else alternating between two rows, and with `checkpoints`
/// every `every`-th row copied there, row `t` at `(t / every) * width`), each with `lanes`
/// leading -inf; `lpRow` is a row of scratch. Returns the sample's nll (tn >= 1).
@inlinable
func ctcAlpha<T: LossFloat>(_ lp: UnsafePointer<T>, step: Int, tn: Int, _ sample: CTCSample<T>,
                            rows: UnsafeMutablePointer<T>, lpRow: UnsafeMutablePointer<T>, keepAll: Bool,
                            checkpoints: UnsafeMutablePointer<T>? = nil, every: Int = 1) -> T {
    let w = sample.width, lanes = T.lanes
    for k in 0 ..< (keepAll ? tn &* w : 2 &* w) { rows[k] = -.infinity }
    rows[lanes] = lp[sample.labels[0]]
    if sample.s > 1 { rows[lanes &+ 1] = lp[sample.labels[1]] }
    var prev = rows
    for t in 0 ..< max(tn, 1) {
        let cur = keepAll ? rows + t &* w : rows + (t & 1) &* w
        if t > 0 { ctcAlphaStep(lp, step: step, t: t, sample, prev: prev, cur: cur, lpRow: lpRow) }
        if let checkpoints, t % every == 0 { (checkpoints + (t / every) &* w).update(from: cur, count: w) }
        prev = cur
    }
    let s = sample.s
    if s == 1 { return -prev[lanes] }
    let l1 = prev[lanes &+ s &- 1], l2 = prev[lanes &+ s &- 2]
    var m = max(l1, l2)
    if m == -.infinity { m = 0 }
    return -(T.log(T.exp(l1 - m) + T.exp(l2 - m)) + m)
}

/// The backward keeps every alpha row of a sample up to this many elements; above, it keeps
/// every k-th row (k about sqrt(Tn)) and recomputes the k rows of each segment when its beta
/// pass reaches it: at most 2 sqrt(Tn) + 7 rows instead of Tn + 5, for one more alpha pass.
@usableFromInline let ctcFullAlphaElements = 1 << 22

/// (keep every alpha row, the checkpoint interval k) of a sample of `tn` frames and rows of `w`.
@inlinable @inline(__always)
func ctcAlphaPlan(_ tn: Int, _ w: Int) -> (full: Bool, every: Int) {
    if tn &* w <= ctcFullAlphaElements { return (true, 1) }
    var k = 1
    while k &* k < tn { k &+= 1 }
    return (false, k)
}

/// Rows of scratch (of the sample's width) the backward of a sample of `tn` frames needs,
/// besides its mask row: four, then every alpha row, or two, the checkpoints and a segment.
@inlinable @inline(__always)
func ctcBackwardRows(_ tn: Int, _ w: Int) -> Int {
    let plan = ctcAlphaPlan(tn, w)
    return plan.full ? tn &+ 4 : 4 &+ 2 &+ (tn &+ plan.every &- 1) / plan.every &+ plan.every
}

/// Runs `body(n, sample, scratch)` for every sample of a ctc_loss call over the library's
/// threads in fixed chunks, with a scratch of `rows` rows per sample (plus the sample's label
/// and mask rows), and returns the sums the bodies return.
@inlinable
func ctcOverSamples<T: LossFloat>(
    time: Int, batch: Int, longest: Int, targets: UnsafeBufferPointer<Int64>, targetStride: Int,
    inputLengths: UnsafeBufferPointer<Int64>, targetLengths: UnsafeBufferPointer<Int64>, blank: Int,
    rows: (Int, Int) -> Int, _ body: (Int, CTCSample<T>, UnsafeMutablePointer<T>) -> SIMD2<Double>
) -> SIMD2<Double> {
    withUnsafeTemporaryAllocation(of: Int.self, capacity: max(1, batch)) { starts in
        var start = 0
        for n in 0..<batch { starts[n] = start; start &+= Int(targetLengths[n]) }
        let maxWidth = CTCSample<T>.width(longest)
        let work = max(1, time) &* maxWidth &* 32
        return sumPairsOverUnits(batch, unitElements: work) { range in
            var widest = 0, capacity = 0
            for n in range {
                let w = CTCSample<T>.width(Int(targetLengths[n]))
                widest = max(widest, w)
                capacity = max(capacity, w &* (rows(Int(inputLengths[n]), w) &+ 1))
            }
            return withUnsafeTemporaryAllocation(of: T.self, capacity: capacity) { scratch in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: widest) { labels in
                    var sum = SIMD2<Double>()
                    for n in range {
                        let l = Int(targetLengths[n])
                        let first = targetStride > 0 ? n &* targetStride : starts[n]
                        let sample = CTCSample<T>(targets.baseAddress.map { $0 + first }, l, blank: blank,
                                                  labels: labels.baseAddress!, skip: scratch.baseAddress!)
                        sum += body(n, sample, scratch.baseAddress! + sample.width)
                    }
                    return sum
                }
            }
        }
    }
}

/// Sample `n`'s nll, or its special values for `tn == 0`.
@inlinable @inline(__always)
func ctcEmptyInput<T: LossFloat>(_ l: Int) -> T { l == 0 ? -0.0 : .infinity }

/// The forward call; see the top of this file. `output` has `batch` elements for `.none`, else 1
/// (`.mean` of an empty batch is NaN, `.sum` 0).
/// - Throws: `.invalidReduction` (`.batchMean`), `.sizeOverflow`, `.bufferSize`,
///   `.invalidArgument` (blank outside `0..<classes`, a length out of range),
///   `.targetOutOfBounds` (a label outside `0..<classes`); nothing is written then.
@inlinable
public func ctcLoss<T: LossFloat>(
    _ logProbs: UnsafeBufferPointer<T>, time: Int, batch: Int, classes: Int,
    targets: UnsafeBufferPointer<Int64>, targetStride: Int,
    inputLengths: UnsafeBufferPointer<Int64>, targetLengths: UnsafeBufferPointer<Int64>,
    blank: Int = 0, reduction: Reduction = .mean, zeroInfinity: Bool = false,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    let longest = try checkCTCCall(logProbs, time: time, batch: batch, classes: classes, targets: targets,
                                   targetStride: targetStride, inputLengths: inputLengths,
                                   targetLengths: targetLengths, blank: blank, reduction: reduction,
                                   outputCount: output.count)
    let each = reduction == .none ? output.baseAddress : nil
    let step = batch &* classes
    let total = ctcOverSamples(time: time, batch: batch, longest: longest, targets: targets,
                               targetStride: targetStride, inputLengths: inputLengths,
                               targetLengths: targetLengths, blank: blank, rows: { _, _ in 3 }) {
        n, sample, scratch -> SIMD2<Double> in
        let tn = Int(inputLengths[n]), l = Int(targetLengths[n])
        var nll: T = tn == 0 ? ctcEmptyInput(l)
            : ctcAlpha(logProbs.baseAddress! + n &* classes, step: step, tn: tn, sample, rows: scratch,
                       lpRow: scratch + 2 &* sample.width, keepAll: false)
        if zeroInfinity && nll == .infinity { nll = 0 }
        each?[n] = nll
        return SIMD2(nll.wide / Double(max(l, 1)), nll.wide)
    }
    switch reduction {
    case .mean: output[0] = T(narrowing: total[0] / Double(batch))
    case .sum: output[0] = T(narrowing: total[1])
    default: break
    }
}

/// PyTorch's gradient with respect to `logProbs` (`_ctc_loss_backward`): for `t < Tn`,
///
///     grad(t, n, c) = (exp(lp(t, n, c)) - exp(lcab(t, c) + nll - lp(t, n, c))) * g
///
/// with `lcab(t, c)` the log of the sum of `exp(alpha(t, s) + beta(t, s))` over the `s` with
/// `l'(s) = c` (-inf for the other classes), and 0 for `t >= Tn`. This is not the derivative of
/// the loss with respect to `logProbs`, which is the second term alone: the `exp(lp)` term
/// cancels through log_softmax's backward (the rows of `exp(lp)` sum to 1), as PyTorch relies on.
/// An impossible sample (nll = +inf) gets NaN for `t < Tn` (PyTorch's `-inf + inf`), or zeros
/// with `zeroInfinity`. `g` is `gradOutput[n]` for `.none`, `gradOutput[0]` for `.sum`,
/// `gradOutput[0] / (batch * max(L, 1))` for `.mean`. `gradLogProbs` has the input's size and
/// may not overlap anything.
@inlinable
public func ctcLossBackward<T: LossFloat>(
    _ logProbs: UnsafeBufferPointer<T>, time: Int, batch: Int, classes: Int,
    targets: UnsafeBufferPointer<Int64>, targetStride: Int,
    inputLengths: UnsafeBufferPointer<Int64>, targetLengths: UnsafeBufferPointer<Int64>,
    blank: Int = 0, reduction: Reduction = .mean, zeroInfinity: Bool = false,
    gradOutput: UnsafeBufferPointer<T>, into gradLogProbs: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    let longest = try checkCTCCall(logProbs, time: time, batch: batch, classes: classes, targets: targets,
                                   targetStride: targetStride, inputLengths: inputLengths,
                                   targetLengths: targetLengths, blank: blank, reduction: reduction,
                                   outputCount: gradOutput.count)
    try checkCount(gradLogProbs.count, logProbs.count)
    guard let x = logProbs.baseAddress, let gx = gradLogProbs.baseAddress, let g = gradOutput.baseAddress else {
        return
    }
    let step = batch &* classes
    _ = ctcOverSamples(time: time, batch: batch, longest: longest, targets: targets, targetStride: targetStride,
                       inputLengths: inputLengths, targetLengths: targetLengths, blank: blank,
                       rows: ctcBackwardRows) {
        (n: Int, sample: CTCSample<T>, scratch: UnsafeMutablePointer<T>) -> SIMD2<Double> in
        let tn = Int(inputLengths[n]), l = Int(targetLengths[n])
        let upstream: Double = reduction == .none ? g[n].wide
            : reduction == .sum ? g[0].wide : g[0].wide / Double(batch) / Double(max(l, 1))
        let lp = x + n &* classes, grad = gx + n &* classes, w = sample.width
        let plan = ctcAlphaPlan(tn, w)
        // full: every alpha row after the four working rows; else two rolling rows, the
        // checkpoints, then a segment of `every` rows
        let alpha = scratch + 4 &* w, rolling = scratch + 4 &* w, checkpoints = rolling + 2 &* w
        let segment = checkpoints + ((tn &+ plan.every &- 1) / plan.every) &* w
        let nll: T = tn == 0 ? ctcEmptyInput(l)
            : ctcAlpha(lp, step: step, tn: tn, sample, rows: plan.full ? alpha : rolling, lpRow: scratch,
                       keepAll: plan.full, checkpoints: plan.full ? nil : checkpoints, every: plan.every)
        let zero = zeroInfinity && nll == .infinity
        for t in (zero ? 0 : tn) ..< time { for c in 0..<classes { grad[t &* step &+ c] = 0 } }
        guard !zero && tn > 0 else { return SIMD2() }
        let scale = T(narrowing: upstream), k = plan.every
        if plan.full {
            ctcBeta(lp, grad, step: step, classes: classes, tn: tn, nll: nll, scale: scale, sample, scratch: scratch) {
                (t: Int) -> UnsafePointer<T> in UnsafePointer(alpha + t &* w)
            }
        } else {
            ctcBeta(lp, grad, step: step, classes: classes, tn: tn, nll: nll, scale: scale, sample, scratch: scratch) {
                (t: Int) -> UnsafePointer<T> in
                let first = (t / k) &* k
                if t == tn &- 1 || t % k == k &- 1 {  // entering a segment: its rows from its checkpoint
                    for j in 0..<w { segment[j] = -.infinity }
                    segment.update(from: checkpoints + (t / k) &* w, count: w)
                    for u in stride(from: first &+ 1, through: t, by: 1) {
                        let row = segment + (u &- first) &* w
                        for j in 0..<T.lanes { row[j] = -.infinity }
                        ctcAlphaStep(lp, step: step, t: u, sample, prev: row - w, cur: row, lpRow: scratch)
                    }
                }
                return UnsafePointer(segment + (t &- first) &* w)
            }
        }
        return SIMD2()
    }
}

/// The backward variables of one sample from `t = tn - 1` down to 0, each row turned into the
/// gradient row of that time step as soon as it is known (see `ctcLossBackward`). `scratch`
/// holds four rows: lp(t, l'), beta(t + 1), beta(t) and the terms of the gradient.
@inlinable
func ctcBeta<T: LossFloat>(_ lp: UnsafePointer<T>, _ grad: UnsafeMutablePointer<T>, step: Int, classes: Int,
                           tn: Int, nll: T, scale: T, _ sample: CTCSample<T>, scratch: UnsafeMutablePointer<T>,
                           alphaRow: (Int) -> UnsafePointer<T>) {
    let w = sample.width, lanes = T.lanes, s = sample.s, negInf = T.Vector(repeating: -.infinity)
    let blocks = (w &- 2 &* lanes) / lanes
    let lpRow = scratch, terms = scratch + 3 &* w
    var next = scratch + w, cur = scratch + 2 &* w
    for k in 0 ..< 2 &* w { next[k] = -.infinity }
    let nllV = T.Vector(repeating: nll)
    for t in stride(from: tn &- 1, through: 0, by: -1) {
        let a = alphaRow(t)  // first: recomputing alpha rows uses lpRow too
        let lpt = lp + t &* step
        sample.gather(lpt, into: lpRow)
        if t == tn &- 1 {
            cur[lanes &+ s &- 1] = lpt[sample.labels[s &- 1]]
            if s > 1 { cur[lanes &+ s &- 2] = lpt[sample.labels[s &- 2]] }
        } else {
            for b in 0..<blocks {
                let o = lanes &+ b &* lanes
                let b1 = T.load(next + o), b2 = T.load(next + (o &+ 1))
                let b3 = T.select(T.load(sample.skip + (o &+ 2)), equalTo: T.Vector(), T.load(next + (o &+ 2)),
                                  else: negInf)
                T.store(T.logSumExp3(b1, b2, b3) + T.load(lpRow + o), to: cur + o)
            }
            for k in lanes &+ s ..< w { cur[k] = -.infinity }  // the next step reads beta(t, s + 1), beta(t, s + 2)
        }
        // The gradient row: exp(lp) - exp(-inf + nll - lp) for every class (0, or NaN as
        // PyTorch's where nll - lp is +inf or NaN), minus each exp(alpha + beta + nll - lp).
        for b in 0..<blocks {
            let o = lanes &+ b &* lanes
            T.store(T.exp(vector: T.load(a + o) + T.load(cur + o) + nllV - T.load(lpRow + o)), to: terms + o)
        }
        let row = grad + t &* step
        var c = 0
        while c &+ lanes <= classes {
            let v = T.load(lpt + c)
            T.store(T.exp(vector: v) - T.exp(vector: negInf + nllV - v), to: row + c)
            c &+= lanes
        }
        if c < classes {
            let v = T.loadPartial(lpt + c, classes &- c, fill: 0)
            T.storePartial(T.exp(vector: v) - T.exp(vector: negInf + nllV - v), to: row + c, classes &- c)
        }
        // At the last step PyTorch assigns the term of 2L - 1 over that of 2L (it assumes a blank
        // and a label differ): a last label equal to blank drops the 2L term there.
        let last = t == tn &- 1 && s > 1 && sample.labels[s &- 2] == sample.labels[s &- 1] ? s &- 1 : s
        for k in 0..<last { row[sample.labels[k]] -= terms[lanes &+ k] }
        for c in 0..<classes { row[c] *= scale }
        swap(&next, &cur)
    }
}
