import RealModule

// Vocabulary-parallel cross_entropy: the shard-local math of cross_entropy (class-index
// targets, (N, C) layout) when the C classes of each row are split over ranks. Each rank holds
// the columns [vocabStart, vocabStart + shardClasses) of the (N, C) logits; an engine outside
// the library (torch.distributed, MPI, NCCL) all-reduces what these functions produce:
//
//   1. vocabParallelMax      each row's max over the shard           -> all-reduce MAX (N)
//   2. vocabParallelStats    given the global max M, per row:         -> all-reduce SUM (3N)
//                              S     = sum_c exp(x_c - M)
//                              xt    = the target's logit if this shard holds it, else 0
//                              shift = sum_c w_c * (x_c - M)   (label smoothing only, else 0)
//   3. vocabParallelLoss     the loss from M and the reduced statistics (no logits needed)
//   4. vocabParallelBackward the gradient of the shard's logits (in place allowed)
//
// With L = log S the loss of a counted row with target t is the one cross_entropy computes:
//   nll = -w_t * ((xt - M) - L),  smooth = L * W - shift,  W = sum of all weights (C if none),
//   loss = (1 - eps) * nll + (eps / C) * smooth,
// reduced as cross_entropy reduces (CrossEntropyTerms).

/// The shape of one rank's shard: `batch` rows of `shardClasses` logits, columns
/// `[vocabStart, vocabStart + shardClasses)` of rows of `classes`.
@usableFromInline
struct VocabShard {
    @usableFromInline let batch: Int
    @usableFromInline let shardClasses: Int
    @usableFromInline let vocabStart: Int
    @usableFromInline let classes: Int
    @usableFromInline let count: Int

    /// - Throws: `.sizeOverflow` (a negative size, an element count that overflows),
    ///   `.zeroClasses`, `.invalidArgument` (the shard does not lie inside `0..<classes`).
    @inlinable
    init<T>(batch: Int, shardClasses: Int, vocabStart: Int, classes: Int, of type: T.Type) throws(LossError) {
        count = try elementCount(batch, shardClasses, of: type)
        _ = try elementCount(batch, 3, of: type)  // the statistics' buffer
        guard classes >= 0, vocabStart >= 0 else { throw .sizeOverflow }
        guard classes > 0 else { throw .zeroClasses }
        guard vocabStart <= classes, shardClasses <= classes &- vocabStart else {
            throw .invalidArgument("the shard [vocab_start, vocab_start + shard_classes) is not inside [0, classes)")
        }
        self.batch = batch; self.shardClasses = shardClasses; self.vocabStart = vocabStart; self.classes = classes
    }

    /// The column of global class `t` in this shard, or nil when another shard holds it.
    @inlinable @inline(__always)
    func column(_ t: Int) -> Int? {
        let j = t &- vocabStart
        return j >= 0 && j < shardClasses ? j : nil
    }
}

/// Checks the targets and the weight (as cross_entropy does) and returns the summed weight of
/// the counted targets (the 'mean' divisor).
@inlinable
func checkVocabParallelTargets<T: LossFloat>(
    _ targets: UnsafeBufferPointer<Int64>, batch: Int, classes: Int, _ weight: UnsafeBufferPointer<T>?,
    _ ignoreIndex: Int64, _ reduction: Reduction
) throws(LossError) -> Double {
    let layout = try ClassLayout(batch: batch, classes: classes, of: T.self)
    return try checkClassIndexCall(nil as UnsafeBufferPointer<T>?, targets, layout, weight, ignoreIndex,
                                   reduction, reduction.outputCount(for: batch))
}

/// Step 1: `rowMax[n]` = the max of row `n` of the shard (-inf for an empty shard). A NaN
/// logit need not win here: it makes the row's sum of exponentials NaN in step 2.
/// - Throws: `.sizeOverflow`, `.bufferSize`; nothing is written then.
@inlinable
public func vocabParallelMax<T: LossFloat>(
    _ logits: UnsafeBufferPointer<T>, batch: Int, shardClasses: Int, into maxima: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkCount(logits.count, try elementCount(batch, shardClasses, of: T.self))
    try checkCount(maxima.count, batch)
    guard let m = maxima.baseAddress else { return }
    let v = shardClasses
    guard v > 0, let x = logits.baseAddress else {
        m.update(repeating: -.infinity, count: batch)
        return
    }
    _ = sumOverUnits(batch, unitElements: v) { range in
        for n in range { m[n] = rowMax(x + n &* v, v) }
        return 0
    }
}

/// Step 2: the shard's statistics given the global max `rowMax` (all-reduced with MAX):
/// `stats[n]` = `sum_c exp(x_c - M_n)`, `stats[batch + n]` = the target's logit when this
/// shard holds it (else 0), `stats[2 * batch + n]` = `sum_c w_c * (x_c - M_n)` when
/// `labelSmoothing > 0` (else 0); every statistic of an ignored row is 0.
/// - Throws: as `VocabShard` and cross_entropy (targets, weight, label smoothing); nothing is
///   written then.
@inlinable
public func vocabParallelStats<T: LossFloat>(
    _ logits: UnsafeBufferPointer<T>, batch: Int, shardClasses: Int, vocabStart: Int, classes: Int,
    targets: UnsafeBufferPointer<Int64>, weight: UnsafeBufferPointer<T>?, ignoreIndex: Int64,
    labelSmoothing: Double, rowMax: UnsafeBufferPointer<T>, into stats: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    let shard = try VocabShard(batch: batch, shardClasses: shardClasses, vocabStart: vocabStart,
                               classes: classes, of: T.self)
    let eps = try effectiveSmoothing(labelSmoothing)
    try checkCount(logits.count, shard.count)
    _ = try checkVocabParallelTargets(targets, batch: batch, classes: classes, weight, ignoreIndex, .sum)
    try checkCount(rowMax.count, batch)
    try checkCount(stats.count, batch &* 3)
    guard let s = stats.baseAddress, let t = targets.baseAddress, let m = rowMax.baseAddress else { return }
    let v = shardClasses
    let x = logits.baseAddress
    let w = weight?.baseAddress.map { $0 + vocabStart }
    let smoothing = eps > 0
    _ = sumOverUnits(batch, unitElements: max(1, v)) { range in
        for n in range {
            guard let target = classIndex(t[n], classes: classes, ignoreIndex: ignoreIndex), let x else {
                s[n] = 0; s[batch &+ n] = 0; s[2 &* batch &+ n] = 0
                continue
            }
            vocabParallelRowStats(x + n &* v, shard, m[n], target: target, weight: w, smoothing: smoothing,
                                  into: s + n, stride: batch)
        }
        return 0
    }
}

/// One row's three statistics relative to `m`, at `out[0]`, `out[stride]`, `out[2 * stride]`:
/// `sum exp(x - m)`, the target's logit when the shard holds it (else 0), and with smoothing
/// `sum w * (x - m)` (else 0); `w` is the shard's part of the class weights.
@inlinable @inline(__always)
func vocabParallelRowStats<T: LossFloat>(
    _ row: UnsafePointer<T>, _ shard: VocabShard, _ m: T, target: Int, weight w: UnsafePointer<T>?, smoothing: Bool,
    into out: UnsafeMutablePointer<T>, stride: Int
) {
    let v = shard.shardClasses
    out[0] = T(narrowing: rowSumExp(row, v, m))
    out[stride] = shard.column(target).map { row[$0] } ?? 0
    out[2 &* stride] = smoothing ? T(narrowing: rowWeightedShiftedSum(row, v, m, w)) : 0
}

/// The gradient of `rows` rows of `shard.shardClasses > 0` logits, samples `first ..< first +
/// rows`, from the global maxima and the reduced sums of exponentials (`stats[n]`): counted
/// rows as `vocabParallelBackward` says, ignored rows zeros; `gx` may be `x`.
@inlinable
func vocabParallelGradientRows<T: LossFloat>(
    _ x: UnsafePointer<T>, into gx: UnsafeMutablePointer<T>, rows: Int, first: Int, _ shard: VocabShard,
    targets: UnsafeBufferPointer<Int64>, ignoreIndex: Int64, _ terms: CrossEntropyTerms<T>, weight w: UnsafePointer<T>?,
    rowMax: UnsafeBufferPointer<T>, stats: UnsafeBufferPointer<T>
) {
    let v = shard.shardClasses, classes = shard.classes
    _ = sumOverUnits(rows, unitElements: v &* 2) { range in
        for i in range {
            let n = first &+ i, row = x + i &* v, grad = gx + i &* v
            guard let t = classIndex(targets[n], classes: classes, ignoreIndex: ignoreIndex) else {
                grad.update(repeating: 0, count: v)
                continue
            }
            let (coefP, b, a) = terms.gradientCoefficients(sample: n, target: t)
            let pScale = T.Vector(repeating: coefP * T(narrowing: 1 / stats[n].wide)), bv = T.Vector(repeating: b)
            let mv = T.Vector(repeating: rowMax[n])
            if let w, terms.smoothing {
                rowMap(row, v, into: grad) { j, u in pScale * T.exp(vector: u - mv) - bv * weightVector(w, j, v) }
            } else {  // b is 0 without smoothing: no b * w (NaN for an infinite or NaN weight)
                rowMap(row, v, into: grad) { _, u in pScale * T.exp(vector: u - mv) - bv }
            }
            if let j = shard.column(t) { grad[j] -= a }
        }
        return 0
    }
}

/// The loss terms of the reduced statistics, shared by the loss and the gradient.
@inlinable
func vocabParallelTerms<T: LossFloat>(
    classes: Int, weight: UnsafeBufferPointer<T>?, eps: Double, reduction: Reduction, divisor: Double,
    gradOutput: UnsafeBufferPointer<T>?
) -> CrossEntropyTerms<T> {
    CrossEntropyTerms(classes: classes, weight: weight, keep: 1 - eps, spread: eps / Double(classes),
                      smoothing: eps > 0, reduction: reduction, divisor: divisor, gradOutput: gradOutput)
}

/// Step 3: the loss from the global max and the all-reduced (SUM) statistics, as
/// `crossEntropy` gives it for the full rows: `output` holds `batch` losses for `.none`, else 1.
/// - Throws: as cross_entropy; nothing is written then.
@inlinable
public func vocabParallelLoss<T: LossFloat>(
    targets: UnsafeBufferPointer<Int64>, batch: Int, classes: Int, weight: UnsafeBufferPointer<T>?,
    ignoreIndex: Int64, reduction: Reduction, labelSmoothing: Double,
    rowMax: UnsafeBufferPointer<T>, stats: UnsafeBufferPointer<T>, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    _ = try VocabShard(batch: batch, shardClasses: 0, vocabStart: 0, classes: classes, of: T.self)
    let eps = try effectiveSmoothing(labelSmoothing)
    let counted = try checkVocabParallelTargets(targets, batch: batch, classes: classes, weight, ignoreIndex, reduction)
    try checkCount(rowMax.count, batch)
    try checkCount(stats.count, batch &* 3)
    try checkCount(output.count, reduction.outputCount(for: batch))
    let terms = vocabParallelTerms(classes: classes, weight: weight, eps: eps, reduction: reduction,
                                   divisor: classIndexDivisor(reduction, totalWeight: counted), gradOutput: nil)
    var total = SIMD2<Double>()
    for n in 0..<batch {
        guard let t = classIndex(targets[n], classes: classes, ignoreIndex: ignoreIndex) else {
            if reduction == .none { output[n] = 0 }
            continue
        }
        let logSum = T(narrowing: Double.log(stats[n].wide))
        let shiftedTarget = stats[batch &+ n] - rowMax[n]
        let nll = -(terms.weight(t) * (shiftedTarget - logSum))
        let parts = SIMD2(nll.wide, terms.smoothing ? logSum.wide * terms.weightSum - stats[2 &* batch &+ n].wide : 0)
        if reduction == .none { output[n] = terms.loss(parts) } else { total += parts }
    }
    if reduction != .none { output[0] = terms.reducedLoss(total) }
}

/// Step 4: the gradient of the shard's logits, from the global max and the all-reduced
/// statistics: for a counted row with target `t`, `p_j = exp(x_j - M) / S`,
/// `grad_j = s * ((1 - eps) * w_t * (p_j - [j == t]) + (eps / C) * (p_j * W - w_j))` with `s` as
/// for `crossEntropyBackward`; ignored rows get zeros. `gradLogits` may be the logits' memory.
/// - Throws: as `vocabParallelStats`, `.invalidReduction`; nothing is written then.
@inlinable
public func vocabParallelBackward<T: LossFloat>(
    _ logits: UnsafeBufferPointer<T>, batch: Int, shardClasses: Int, vocabStart: Int, classes: Int,
    targets: UnsafeBufferPointer<Int64>, weight: UnsafeBufferPointer<T>?, ignoreIndex: Int64,
    reduction: Reduction, labelSmoothing: Double, rowMax: UnsafeBufferPointer<T>, stats: UnsafeBufferPointer<T>,
    gradOutput: UnsafeBufferPointer<T>, into gradLogits: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    let shard = try VocabShard(batch: batch, shardClasses: shardClasses, vocabStart: vocabStart,
                               classes: classes, of: T.self)
    let eps = try effectiveSmoothing(labelSmoothing)
    try checkCount(logits.count, shard.count)
    let counted = try checkVocabParallelTargets(targets, batch: batch, classes: classes, weight, ignoreIndex, reduction)
    try checkCount(rowMax.count, batch)
    try checkCount(stats.count, batch &* 3)
    try checkCount(gradOutput.count, reduction.outputCount(for: batch))
    try checkCount(gradLogits.count, shard.count)
    let v = shardClasses
    guard v > 0, let x = logits.baseAddress, let gx = gradLogits.baseAddress else { return }
    let terms = vocabParallelTerms(classes: classes, weight: weight, eps: eps, reduction: reduction,
                                   divisor: classIndexDivisor(reduction, totalWeight: counted), gradOutput: gradOutput)
    vocabParallelGradientRows(x, into: gx, rows: batch, first: 0, shard, targets: targets, ignoreIndex: ignoreIndex,
                              terms, weight: weight?.baseAddress.map { $0 + vocabStart }, rowMax: rowMax, stats: stats)
}
