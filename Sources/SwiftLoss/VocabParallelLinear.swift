import RealModule

// Vocabulary-parallel linear_cross_entropy: a language model's head whose weight rows (the
// classes) are split over ranks. Each rank holds rows [vocabStart, vocabStart + shardClasses)
// of the (classes, hidden) weight (and of the bias); every rank holds the same (batch, hidden)
// input. The shard's logits x = input W_shard^T + b_shard are formed a block of rows at a time
// (linearCrossEntropy's blocks and GEMM), never whole. An engine outside the library
// all-reduces what these functions produce:
//
//   1. vocabParallelLinearStats  one GEMM pass over the shard: per row the shard's max m and
//                                the statistics of vocabParallelStats relative to m
//                                (localMax)                            -> copy, all-reduce MAX (N)
//   2. vocabParallelRescale      the statistics relative to the global max M, in place
//                                                                       -> all-reduce SUM (3N)
//   3. vocabParallelLoss         the loss (unchanged: the statistics mean what they mean there)
//   4. vocabParallelLinearBackward  the GEMM again, block by block: this rank's part of the
//                                input's gradient (to all-reduce with SUM) and the gradients
//                                of its weight rows and bias slice.

/// The checked sizes of a call on a weight shard: the shard, `hidden` and the rows of a block.
@usableFromInline
struct LinearShard {
    @usableFromInline let shard: VocabShard
    @usableFromInline let hidden: Int
    @usableFromInline let rows: Int

    /// - Throws: as `VocabShard`, `.bufferSize` (input, weight, bias), `.sizeOverflow` (a block
    ///   beyond linearCrossEntropy's scratch limit).
    @inlinable
    init<T>(_ input: UnsafeBufferPointer<T>, _ linearWeight: UnsafeBufferPointer<T>,
            _ linearBias: UnsafeBufferPointer<T>?, batch: Int, hidden: Int, shardClasses: Int, vocabStart: Int,
            classes: Int) throws(LossError) {
        shard = try VocabShard(batch: batch, shardClasses: shardClasses, vocabStart: vocabStart, classes: classes,
                               of: T.self)
        try checkCount(input.count, try elementCount(batch, hidden, of: T.self))
        try checkCount(linearWeight.count, try elementCount(shardClasses, hidden, of: T.self))
        if let linearBias { try checkCount(linearBias.count, shardClasses) }
        self.hidden = hidden
        rows = try linearCrossEntropyBlock(batch: batch, classes: max(shardClasses, 1), copies: 1, of: T.self).rows
    }

    /// Runs `body(r0, nb, logits)` over the blocks of rows with the block's logits formed in
    /// scratch (`shardClasses > 0`, `batch > 0`); `body` may overwrite them.
    @inlinable
    func forEachBlock<T: LossFloat>(
        _ input: UnsafeBufferPointer<T>, _ linearWeight: UnsafeBufferPointer<T>, _ linearBias: UnsafeBufferPointer<T>?,
        _ body: (_ r0: Int, _ nb: Int, _ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ logits: UnsafeMutablePointer<T>) -> Void
    ) {
        let v = shard.shardClasses, h = hidden, batch = shard.batch
        withUnsafeTemporaryAllocation(of: T.self, capacity: rows &* v) { scratch in
            guard let logits = scratch.baseAddress else { return }
            // hidden == 0: the input and weight hold no element; any address will do for a product over 0.
            let x = input.baseAddress ?? UnsafePointer(logits), w = linearWeight.baseAddress ?? UnsafePointer(logits)
            var r0 = 0
            while r0 < batch {
                let nb = min(rows, batch &- r0)
                linearLogits(x + r0 &* h, w, linearBias?.baseAddress, rows: nb, classes: v, hidden: h, into: logits)
                body(r0, nb, x, w, logits)
                r0 &+= nb
            }
        }
    }
}

/// Step 1: the shard's logits `input W^T + bias` block by block, and per row `n`:
/// `localMax[n]` = the row's max over the shard (-inf for an empty shard), and the statistics
/// of `vocabParallelStats` relative to it (relative to 0 when it is -inf: then the sum of
/// exponentials is 0): `stats[n]` = `sum_c exp(x_c - localMax[n])`, `stats[batch + n]` = the
/// target's logit when this shard holds it (else 0), `stats[2 * batch + n]` =
/// `sum_c w_c * (x_c - localMax[n])` with `labelSmoothing > 0` (else 0); the statistics of an
/// ignored row are 0 (its max is still written).
/// - Throws: as `LinearShard` and `vocabParallelStats`; nothing is written then.
@inlinable
public func vocabParallelLinearStats<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, linearWeight: UnsafeBufferPointer<T>, linearBias: UnsafeBufferPointer<T>?,
    batch: Int, hidden: Int, shardClasses: Int, vocabStart: Int, classes: Int,
    targets: UnsafeBufferPointer<Int64>, weight: UnsafeBufferPointer<T>?, ignoreIndex: Int64,
    labelSmoothing: Double, localMax: UnsafeMutableBufferPointer<T>, stats: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    let eps = try effectiveSmoothing(labelSmoothing)
    let layout = try LinearShard(input, linearWeight, linearBias, batch: batch, hidden: hidden,
                                 shardClasses: shardClasses, vocabStart: vocabStart, classes: classes)
    _ = try checkVocabParallelTargets(targets, batch: batch, classes: classes, weight, ignoreIndex, .sum)
    try checkCount(localMax.count, batch)
    try checkCount(stats.count, batch &* 3)
    guard batch > 0, let m = localMax.baseAddress, let s = stats.baseAddress, let t = targets.baseAddress else { return }
    let shard = layout.shard, v = shardClasses
    guard v > 0 else {
        m.update(repeating: -.infinity, count: batch)
        s.update(repeating: 0, count: batch &* 3)
        return
    }
    let w = weight?.baseAddress.map { $0 + vocabStart }
    let smoothing = eps > 0
    layout.forEachBlock(input, linearWeight, linearBias) { r0, nb, _, _, logits in
        _ = sumOverUnits(nb, unitElements: v &* 2) { range in
            for i in range {
                let n = r0 &+ i, row = logits + i &* v
                let mx = rowMax(row, v)
                m[n] = mx
                guard let target = classIndex(t[n], classes: classes, ignoreIndex: ignoreIndex) else {
                    s[n] = 0; s[batch &+ n] = 0; s[2 &* batch &+ n] = 0
                    continue
                }
                vocabParallelRowStats(row, shard, mx == -.infinity ? 0 : mx, target: target, weight: w,
                                      smoothing: smoothing, into: s + n, stride: batch)
            }
            return 0
        }
    }
}

/// Step 2: turns the statistics of `vocabParallelLinearStats` (relative to `localMax`) into
/// those of `vocabParallelStats` (relative to the all-reduced MAX `rowMax`), in place: for a
/// counted row with a finite-or-+inf local max, with `d = rowMax[n] - localMax[n]`,
/// `S *= exp(-d)` and (label smoothing) `SH -= d * W_shard`, `W_shard` the sum of the shard's
/// class weights (its width without weights). Rows whose local max is -inf (an empty shard, a
/// shard of -inf logits) and ignored rows are left as they are. The target's logit needs no
/// change.
/// - Throws: as `vocabParallelStats`; nothing is written then.
@inlinable
public func vocabParallelRescale<T: LossFloat>(
    _ localMax: UnsafeBufferPointer<T>, batch: Int, shardClasses: Int, vocabStart: Int, classes: Int,
    targets: UnsafeBufferPointer<Int64>, weight: UnsafeBufferPointer<T>?, ignoreIndex: Int64,
    labelSmoothing: Double, rowMax: UnsafeBufferPointer<T>, stats: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    _ = try VocabShard(batch: batch, shardClasses: shardClasses, vocabStart: vocabStart, classes: classes,
                       of: T.self)
    let eps = try effectiveSmoothing(labelSmoothing)
    _ = try checkVocabParallelTargets(targets, batch: batch, classes: classes, weight, ignoreIndex, .sum)
    try checkCount(localMax.count, batch)
    try checkCount(rowMax.count, batch)
    try checkCount(stats.count, batch &* 3)
    let smoothing = eps > 0
    var shardWeight = Double(shardClasses)
    if smoothing, let weight {
        shardWeight = CrossEntropyTerms<T>.sums(UnsafeBufferPointer(rebasing: weight[vocabStart ..< vocabStart &+ shardClasses])).all
    }
    for n in 0..<batch {
        guard classIndex(targets[n], classes: classes, ignoreIndex: ignoreIndex) != nil,
              localMax[n] != -.infinity else { continue }
        let d = rowMax[n].wide - localMax[n].wide
        guard d != 0 else { continue }  // (0 * an infinite shard weight would be NaN)
        stats[n] = T(narrowing: stats[n].wide * Double.exp(-d))
        if smoothing {
            stats[2 &* batch &+ n] = T(narrowing: stats[2 &* batch &+ n].wide - d * shardWeight)
        }
    }
}

/// Step 4: from the global max and the all-reduced statistics, the gradients of a shard:
/// `gradInput` (batch x hidden) = G W_shard, this rank's part of the input's gradient (the
/// caller all-reduces it with SUM), `gradLinearWeight` (shardClasses x hidden) = G^T input and
/// `gradLinearBias` (shardClasses) = the column sums of G, with G the gradient of the shard's
/// logits as `vocabParallelBackward` gives it, formed a block of rows at a time. Each output
/// may be nil (not computed).
/// - Throws: as `LinearShard` and `vocabParallelBackward`; nothing is written then.
@inlinable
public func vocabParallelLinearBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, linearWeight: UnsafeBufferPointer<T>, linearBias: UnsafeBufferPointer<T>?,
    batch: Int, hidden: Int, shardClasses: Int, vocabStart: Int, classes: Int,
    targets: UnsafeBufferPointer<Int64>, weight: UnsafeBufferPointer<T>?, ignoreIndex: Int64,
    reduction: Reduction, labelSmoothing: Double, rowMax: UnsafeBufferPointer<T>, stats: UnsafeBufferPointer<T>,
    gradOutput: UnsafeBufferPointer<T>, gradInput: UnsafeMutableBufferPointer<T>?,
    gradLinearWeight: UnsafeMutableBufferPointer<T>?, gradLinearBias: UnsafeMutableBufferPointer<T>?
) throws(LossError) {
    let eps = try effectiveSmoothing(labelSmoothing)
    let layout = try LinearShard(input, linearWeight, linearBias, batch: batch, hidden: hidden,
                                 shardClasses: shardClasses, vocabStart: vocabStart, classes: classes)
    let counted = try checkVocabParallelTargets(targets, batch: batch, classes: classes, weight, ignoreIndex, reduction)
    try checkCount(rowMax.count, batch)
    try checkCount(stats.count, batch &* 3)
    try checkCount(gradOutput.count, reduction.outputCount(for: batch))
    if let g = gradInput { try checkCount(g.count, input.count) }
    if let g = gradLinearWeight { try checkCount(g.count, linearWeight.count) }
    if let g = gradLinearBias { try checkCount(g.count, shardClasses) }
    let v = shardClasses, h = hidden
    guard batch > 0, v > 0 else {
        // No logits: the input's part is 0 (an empty shard), the weight's and bias' sums are empty.
        gradInput?.update(repeating: 0)
        gradLinearWeight?.update(repeating: 0)
        gradLinearBias?.update(repeating: 0)
        return
    }
    guard gradInput != nil || gradLinearWeight != nil || gradLinearBias != nil else { return }
    let shard = layout.shard
    let terms = vocabParallelTerms(classes: classes, weight: weight, eps: eps, reduction: reduction,
                                   divisor: classIndexDivisor(reduction, totalWeight: counted), gradOutput: gradOutput)
    let w = weight?.baseAddress.map { $0 + vocabStart }
    let gIn = gradInput?.baseAddress, gW = gradLinearWeight?.baseAddress, gB = gradLinearBias?.baseAddress
    layout.forEachBlock(input, linearWeight, linearBias) { r0, nb, x, wp, logits in
        vocabParallelGradientRows(logits, into: logits, rows: nb, first: r0, shard, targets: targets,
                                  ignoreIndex: ignoreIndex, terms, weight: w, rowMax: rowMax, stats: stats)
        linearBlockGradients(logits, x + r0 &* h, wp, rows: nb, classes: v, hidden: h,
                             gradInput: gIn.map { $0 + r0 &* h }, gradWeight: gW, gradBias: gB, accumulate: r0 > 0)
    }
}
