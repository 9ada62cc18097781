/// multilabel_soft_margin_loss: rows of `classes` logits with targets of the same shape.
///
///     loss(n) = (1 / classes) * sum_c w(n, c) * ((1 - t) x - logsigmoid(x))
///
/// (PyTorch's `-(t logsigmoid(x) + (1 - t) logsigmoid(-x)) * weight`, summed over the last
/// axis and divided by its size), computed with the stable logsigmoid of
/// binary_cross_entropy_with_logits. `weight` is nil, `classes` elements (per class) or
/// `batch * classes` (per element). `.mean` divides the summed row losses by `batch`; a row of
/// no classes is NaN (0 / 0, as PyTorch).

@inlinable
func checkMultilabelCall<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>, batch: Int, classes: Int,
    _ weight: UnsafeBufferPointer<T>?, _ reduction: Reduction, outputCount: Int?
) throws(LossError) {
    guard reduction != .batchMean else { throw .invalidReduction }
    let count = try elementCount(batch, classes, of: T.self)
    _ = try elementCount(batch, of: T.self)  // the 'none' output, even when classes is 0
    try checkCount(input.count, count)
    try checkCount(target.count, count)
    if let outputCount { try checkCount(outputCount, reduction.outputCount(for: batch)) }
    if let weight, weight.count != classes && weight.count != count {
        throw .weightSize(expected: classes, actual: weight.count)
    }
}

/// The forward call; see the top of this file.
/// - Throws: `.invalidReduction` (`.batchMean`), `.sizeOverflow`, `.bufferSize`, `.weightSize`
///   (a weight of neither `classes` nor `batch * classes` elements); nothing is written then.
@inlinable
public func multilabelSoftMarginLoss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, batch: Int, classes: Int,
    weight: UnsafeBufferPointer<T>? = nil, reduction: Reduction = .mean,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkMultilabelCall(input, target, batch: batch, classes: classes, weight, reduction, outputCount: output.count)
    let divisor = reduction == .mean ? Double(batch) : 1
    guard batch > 0 else { return finishReduction(output, reduction, sum: 0, divisor: divisor) }
    guard classes > 0, let x = input.baseAddress, let t = target.baseAddress else {
        // Rows of no classes: 0 / 0 each, as PyTorch, and so every reduction of them.
        for n in 0..<output.count { output[n] = .nan }
        return
    }
    let each = reduction == .none ? output.baseAddress : nil
    let formula = BinaryCrossEntropyWithLogitsFormula<T>(hasPosWeight: false)
    let total = sumPairsOverUnits(batch, unitElements: classes &* 8) { range in
        var partial = SIMD2<Double>()
        for n in range {
            let row = ElementwiseSum(x: x + n &* classes, t: t + n &* classes, n: classes,
                                     weight: weight.map { rowWeight($0, n, classes) }, posWeight: nil, each: nil,
                                     formula: formula)
            let loss = row.sum(0 ..< (classes &+ T.lanes &- 1) / T.lanes)[0] / Double(classes)
            each?[n] = T(narrowing: loss)
            partial[0] += loss
        }
        return partial
    }
    finishReduction(output, reduction, sum: total[0], divisor: divisor)
}

/// The gradient with respect to the input: `(sigmoid(x) - t) w s / classes`, `s` the upstream
/// gradient of the row (`gradOutput[n]` for `.none`, else `gradOutput[0]`, divided by `batch`
/// for `.mean`). `gradInput` has `batch * classes` elements and may be the same memory as the
/// input.
@inlinable
public func multilabelSoftMarginLossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>, batch: Int, classes: Int,
    weight: UnsafeBufferPointer<T>? = nil, reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>,
    into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkMultilabelCall(input, target, batch: batch, classes: classes, weight, reduction, outputCount: gradOutput.count)
    try checkCount(gradInput.count, input.count)
    guard let x = input.baseAddress, let t = target.baseAddress, let g = gradOutput.baseAddress,
          let gx = gradInput.baseAddress, batch > 0, classes > 0 else { return }
    let divisor = reduction == .mean ? Double(batch) : 1
    let derivative = BinaryCrossEntropyWithLogitsGradient<T>()
    _ = sumPairsOverUnits(batch, unitElements: classes &* 8) { range in
        for n in range {
            let upstream = reduction == .none ? g[n].wide : g[0].wide / divisor
            let scale = T.Vector(repeating: T(narrowing: upstream / Double(classes)))
            let body = ElementwiseGradient(x: x + n &* classes, t: t + n &* classes, g: g, gx: gx + n &* classes,
                                           n: classes, weight: weight.map { rowWeight($0, n, classes) },
                                           posWeight: nil, perElement: false, scale: scale, derivative: derivative)
            _ = body.sum(0 ..< (classes &+ T.lanes &- 1) / T.lanes)
        }
        return SIMD2()
    }
}

/// Row `n`'s weights: the per-class weight itself, or its row of a per-element weight.
@inlinable @inline(__always)
func rowWeight<T>(_ weight: UnsafeBufferPointer<T>, _ n: Int, _ classes: Int) -> UnsafeBufferPointer<T> {
    weight.count == classes ? weight : UnsafeBufferPointer(rebasing: weight[n &* classes ..< (n &+ 1) &* classes])
}
