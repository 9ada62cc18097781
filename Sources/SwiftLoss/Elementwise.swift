import RealModule

/// Checks a weight that broadcasts over `count` elements from the trailing dimensions:
/// element `k` uses `weight[k % weight.count]`, so `weight.count` must divide `count`
/// (an empty weight only for an empty input).
@inlinable
func checkBroadcastWeight<T>(_ weight: UnsafeBufferPointer<T>?, count: Int) throws(LossError) {
    guard let weight else { return }
    let ok = weight.count == 0 ? count == 0 : count % weight.count == 0
    guard ok else { throw .weightSize(expected: count, actual: weight.count) }
}

/// Cycles through a broadcast weight: `next()` returns `weight[k % weight.count]` for
/// k = 0, 1, 2, ... without a division per element, and 1 when there is no weight.
@usableFromInline
struct BroadcastWeight<T: LossFloat> {
    @usableFromInline let base: UnsafePointer<T>?
    @usableFromInline let count: Int
    @usableFromInline var index = 0

    @inlinable
    init(_ weight: UnsafeBufferPointer<T>?) {
        base = weight?.baseAddress
        count = weight?.count ?? 0
    }

    @inlinable @inline(__always)
    mutating func next() -> T {
        guard let base else { return 1 }
        let w = base[index]
        index &+= 1
        if index == count { index = 0 }
        return w
    }
}

/// Checks what every element-wise loss shares: the reduction, and the buffer sizes.
@inlinable
func checkElementwiseCall<T>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>, _ reduction: Reduction,
    _ output: UnsafeMutableBufferPointer<T>, allowBatchMean: Bool = false
) throws(LossError) {
    guard allowBatchMean || reduction != .batchMean else { throw .invalidReduction }
    try checkCount(target.count, input.count)
    try checkCount(output.count, reduction.outputCount(for: input.count))
}

/// Runs `loss(input[k], target[k])` over every element into the reducing sink.
@inlinable @inline(__always)
func reduceElements<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ target: UnsafeBufferPointer<T>, _ reduction: Reduction,
    _ output: UnsafeMutableBufferPointer<T>, divisor: Double, _ loss: (T, T) -> T
) {
    var sink = ReducingSink(output, reduction)
    if let x = input.baseAddress, let t = target.baseAddress {
        for k in 0..<input.count { sink.put(loss(x[k], t[k]), at: k) }
    }
    sink.finish(divisor: reduction == .mean ? Double(input.count) : divisor)
}

/// binary_cross_entropy: input are probabilities in [0, 1].
///
///     loss = -w * (t * max(log x, -100) + (1 - t) * max(log(1 - x), -100))
///
/// (so x = 0, t = 1 gives 100, as PyTorch). `weight` broadcasts from the trailing dimensions
/// (see `checkBroadcastWeight`); `.mean` divides by the element count.
/// - Throws: `.invalidReduction`, `.bufferSize`, `.weightSize`, `.inputOutOfRange`,
///   `.targetOutOfRange` (checked element by element, input first); nothing is written then.
@inlinable
public func binaryCrossEntropy<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    weight: UnsafeBufferPointer<T>? = nil, reduction: Reduction = .mean,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkElementwiseCall(input, target, reduction, output)
    try checkBroadcastWeight(weight, count: input.count)
    for k in 0..<input.count {
        guard input[k] >= 0 && input[k] <= 1 else { throw .inputOutOfRange }
        guard target[k] >= 0 && target[k] <= 1 else { throw .targetOutOfRange }
    }
    var w = BroadcastWeight(weight)
    let floor: T = -100
    reduceElements(input, target, reduction, output, divisor: 1) { x, t in
        let l = (t - 1) * max(T.log(onePlus: -x), floor) - t * max(T.log(x), floor)
        return l * w.next()
    }
}

/// binary_cross_entropy_with_logits: input are logits, computed stably for any |x|:
///
///     loss = w * ((1 - t) * x - (1 + (pw - 1) * t) * logsigmoid(x))
///          = w * (pw * t * softplus(-x) + (1 - t) * softplus(x))
///
/// `weight` and `posWeight` broadcast from the trailing dimensions; the target range is not
/// checked (as PyTorch); `.mean` divides by the element count.
/// - Throws: `.invalidReduction`, `.bufferSize`, `.weightSize`; nothing is written then.
@inlinable
public func binaryCrossEntropyWithLogits<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    weight: UnsafeBufferPointer<T>? = nil, posWeight: UnsafeBufferPointer<T>? = nil,
    reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkElementwiseCall(input, target, reduction, output)
    try checkBroadcastWeight(weight, count: input.count)
    try checkBroadcastWeight(posWeight, count: input.count)
    var w = BroadcastWeight(weight)
    var pw = BroadcastWeight(posWeight)
    let hasPosWeight = posWeight != nil
    reduceElements(input, target, reduction, output, divisor: 1) { x, t in
        // log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)), PyTorch's stable form.
        let logSigmoid = (x < 0 ? x : 0) - T.log(onePlus: T.exp(-abs(x)))
        let logWeight = hasPosWeight ? 1 + (pw.next() - 1) * t : 1
        return ((1 - t) * x - logWeight * logSigmoid) * w.next()
    }
}

/// kl_div: input is log q, target p (or log p with `logTarget`).
///
///     logTarget == false: loss = xlogy(t, t) - t * input      (0 * log 0 = 0)
///     logTarget == true:  loss = exp(t) * (t - input)
///
/// `.mean` divides by the element count (PyTorch warns that this is not the mathematical
/// KL divergence); `.batchMean` divides the sum by `batchSize`, the size of the input's first
/// dimension, which must divide the element count and be non-zero for a non-empty input.
/// - Throws: `.bufferSize`, `.invalidArgument` (bad batch size); nothing is written then.
@inlinable
public func klDiv<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, target: UnsafeBufferPointer<T>,
    reduction: Reduction = .mean, logTarget: Bool = false, batchSize: Int = 1,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkElementwiseCall(input, target, reduction, output, allowBatchMean: true)
    if reduction == .batchMean && input.count > 0 {
        guard batchSize > 0 && input.count % batchSize == 0 else {
            throw .invalidArgument("batch size must divide the element count")
        }
    }
    let divisor = reduction == .batchMean ? Double(batchSize) : 1
    if logTarget {
        reduceElements(input, target, reduction, output, divisor: divisor) { x, t in
            T.exp(t) * (t - x)
        }
    } else {
        reduceElements(input, target, reduction, output, divisor: divisor) { x, t in
            let xlogy: T = t.isNaN ? .nan : (t == 0 ? 0 : t * T.log(t))
            return xlogy - t * x
        }
    }
}
