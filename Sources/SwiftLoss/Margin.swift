/// multi_margin_loss and multilabel_margin_loss: hinge losses over the classes of each row of a
/// `batch x classes` input (row-major), with int64 class indices.
///
/// multi_margin_loss, one target class `y` per row, `z_j = margin - x_y + x_j`:
///
///     loss(n) = (1 / classes) * sum_{j != y, z_j > 0} (p == 1 ? z_j : z_j^2) * w[y]
///
/// (the weight is indexed by the target class, as PyTorch's, and multiplies each term).
///
/// multilabel_margin_loss, a row of `classes` targets: the row's prefix up to the first -1 is
/// its target list (duplicates count once per entry), the classes in it are its targets:
///
///     loss(n) = (1 / classes) * sum_{j in list} sum_{k not a target} max(0, 1 - (x_j - x_k))
///
/// Both are PyTorch's native kernels (LossMultiMargin.cpp, LossMultiLabelMargin.cpp): each term
/// `z` is computed in `T` in PyTorch's order, `z > 0` is strict (a NaN term counts for nothing:
/// a NaN input is swallowed, as PyTorch's), and the terms are summed in `T` lanes flushed to
/// `Double`. `.mean` divides the sum of the row losses by `batch`, so an empty batch gives NaN
/// (`.sum` gives 0; PyTorch returns uninitialised memory there). Rows are threaded over fixed
/// chunks (Parallel.swift).

// MARK: - Checks

/// Checks a multi_margin_loss call (every target included) before anything is written.
/// `outputCount` is the number of elements of the loss / upstream gradient.
@inlinable
func checkMultiMarginCall<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ targets: UnsafeBufferPointer<Int64>, batch: Int, classes: Int, p: Int,
    _ weight: UnsafeBufferPointer<T>?, _ reduction: Reduction, outputCount: Int
) throws(LossError) {
    try checkMarginShape(input, targets, batch: batch, classes: classes, targetsPerRow: 1, reduction, outputCount)
    guard p == 1 || p == 2 else { throw .invalidArgument("p must be 1 or 2") }
    try checkWeight(weight, classes: classes)
    let c = Int64(classes)
    for t in targets where t < 0 || t >= c { throw .targetOutOfBounds(target: t) }
}

/// Checks a multilabel_margin_loss call: every target, also after a row's first -1, must be in
/// `-1 ..< classes` (PyTorch checks them all). Returns the number of label-list entries of the
/// batch (the rows' prefixes before their first -1), which sizes the work.
@inlinable
func checkMultilabelMarginCall<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ targets: UnsafeBufferPointer<Int64>, batch: Int, classes: Int,
    _ reduction: Reduction, outputCount: Int
) throws(LossError) -> Int {
    try checkMarginShape(input, targets, batch: batch, classes: classes, targetsPerRow: classes, reduction, outputCount)
    guard let base = targets.baseAddress else { return 0 }  // no rows
    let c = Int64(classes)
    var entries = 0
    for n in 0..<batch {
        let row = base + n &* classes
        var inList = true
        for i in 0..<classes {
            let t = row[i]
            guard t >= -1 && t < c else { throw .targetOutOfBounds(target: t) }
            inList = inList && t >= 0
            if inList { entries &+= 1 }
        }
    }
    return entries
}

/// What both losses check first: classes, reduction, and every buffer's element count.
@inlinable
func checkMarginShape<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ targets: UnsafeBufferPointer<Int64>, batch: Int, classes: Int,
    targetsPerRow: Int, _ reduction: Reduction, _ outputCount: Int
) throws(LossError) {
    guard classes > 0 else { throw .zeroClasses }
    guard reduction != .batchMean else { throw .invalidReduction }
    try checkCount(input.count, try elementCount(batch, classes, of: T.self))
    try checkCount(targets.count, try elementCount(batch, targetsPerRow, of: Int64.self))
    try checkCount(outputCount, reduction.outputCount(for: try elementCount(batch, of: T.self)))
}

/// A class index at the point of use, or nil if it is not in `0..<classes`. Targets are all
/// checked before anything is computed; nil can only come from another thread rewriting them
/// during the call (the caller's race), and such a row is then left out (loss 0, gradient 0)
/// or its list cut short, never read or written out of bounds.
@inlinable @inline(__always)
func marginClass(_ t: Int64, _ classes: Int) -> Int? {
    t >= 0 && t < Int64(classes) ? Int(truncatingIfNeeded: t) : nil
}

/// The upstream gradient of row `n` (PyTorch multiplies the gradient by it last).
@inlinable @inline(__always)
func rowUpstream<T: LossFloat>(_ g: UnsafePointer<T>, _ reduction: Reduction, _ n: Int) -> T {
    reduction == .none ? g[n] : g[0]
}

/// PyTorch's per-term gradient scale `g`: `1 / (batch * classes)` for `.mean`, else
/// `1 / classes`, computed in `Double` and rounded to `T` (as its kernels do).
@inlinable @inline(__always)
func marginTermScale<T: LossFloat>(_ reduction: Reduction, batch: Int, classes: Int) -> T {
    T(narrowing: 1 / (reduction == .mean ? Double(batch) * Double(classes) : Double(classes)))
}

// MARK: - multi_margin_loss

/// multi_margin_loss; see the top of this file.
/// - Parameters:
///   - input: `batch * classes` elements, row-major.
///   - targets: `batch` class indices in `0..<classes`.
///   - p: 1 or 2.
///   - margin: rounded to `T` (as PyTorch's `margin.to<scalar_t>()`); any value, NaN included
///     (then no term is positive and every loss is 0).
///   - weight: `nil` or `classes` weights; row `n` uses `weight[targets[n]]`.
///   - reduction: `.none` writes `batch` row losses; `.sum`; `.mean` divides by `batch`.
///   - output: `reduction.outputCount(for: batch)` elements.
/// - Throws: `.zeroClasses`, `.invalidReduction` (`.batchMean`), `.invalidArgument` (p not 1
///   or 2), `.sizeOverflow`, `.bufferSize`, `.weightSize`, `.targetOutOfBounds`; nothing is
///   written then.
@inlinable
public func multiMarginLoss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, targets: UnsafeBufferPointer<Int64>, batch: Int, classes: Int,
    p: Int = 1, margin: Double = 1, weight: UnsafeBufferPointer<T>? = nil, reduction: Reduction = .mean,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkMultiMarginCall(input, targets, batch: batch, classes: classes, p: p, weight, reduction,
                             outputCount: output.count)
    let divisor = reduction == .mean ? Double(batch) : 1
    guard let x = input.baseAddress, let t = targets.baseAddress else {
        return finishReduction(output, reduction, sum: 0, divisor: divisor)  // no rows
    }
    let each = reduction == .none ? output.baseAddress : nil
    let m = T(narrowing: margin), w = weight?.baseAddress
    let total = sumPairsOverUnits(batch, unitElements: classes) { range in
        // 'none': each row's sum; 'sum' / 'mean': one sum over the chunk's rows.
        var sum = LaneSum<T>()
        for n in range {
            if let y = marginClass(t[n], classes) {
                let row = x + n &* classes, readable = (batch &- n) &* classes
                if p == 1 {
                    multiMarginRowSum(row, classes, readable, y, m, w?[y] ?? 1, square: false, into: &sum)
                } else {
                    multiMarginRowSum(row, classes, readable, y, m, w?[y] ?? 1, square: true, into: &sum)
                }
            }
            sum.endRow(n, each, classes: classes)
        }
        return sum.rowLosses(classes: classes)
    }
    finishReduction(output, reduction, sum: total[0], divisor: divisor)
}

/// The gradient of `multiMarginLoss` with respect to its input, PyTorch's: with `g` =
/// `1 / (batch * classes)` for `.mean`, else `1 / classes` (rounded to `T`), each `j != y` with
/// `z_j > 0` gets `h_j = (p == 1 ? g : 2 g z_j) * w[y]`, the target `-sum_j h_j`, and the row is
/// then multiplied by its upstream gradient (`gradOutput[n]` for `.none`, else `gradOutput[0]`).
/// `gradInput` has `batch * classes` elements, every one written, and may be the same memory as
/// the input (each row is read before it is written).
/// - Throws: as `multiMarginLoss`; nothing is written then.
@inlinable
public func multiMarginLossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, targets: UnsafeBufferPointer<Int64>, batch: Int, classes: Int,
    p: Int = 1, margin: Double = 1, weight: UnsafeBufferPointer<T>? = nil, reduction: Reduction = .mean,
    gradOutput: UnsafeBufferPointer<T>, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkMultiMarginCall(input, targets, batch: batch, classes: classes, p: p, weight, reduction,
                             outputCount: gradOutput.count)
    try checkCount(gradInput.count, input.count)
    guard let x = input.baseAddress, let t = targets.baseAddress, let g = gradOutput.baseAddress,
          let gx = gradInput.baseAddress else { return }  // no rows
    let m = T(narrowing: margin), w = weight?.baseAddress
    let scale: T = marginTermScale(reduction, batch: batch, classes: classes)
    _ = sumPairsOverUnits(batch, unitElements: classes) { range in
        for n in range {
            let row = x + n &* classes, out = gx + n &* classes
            guard let y = marginClass(t[n], classes) else {
                out.update(repeating: 0, count: classes)
                continue
            }
            let upstream = rowUpstream(g, reduction, n)
            if p == 1 {
                multiMarginRowGradient(row, out, classes, y, m, w?[y] ?? 1, scale, upstream, square: false)
            } else {
                multiMarginRowGradient(row, out, classes, y, m, w?[y] ?? 1, scale, upstream, square: true)
            }
        }
        return SIMD2()
    }
}

/// Adds `sum_{j != y, z_j > 0} h_j * w` over a row of `n` elements to `sum`, with
/// `z_j = (margin - x_y) + x_j` and `h = z` or `z * z`. `readable` elements may be read from
/// `x` (the row and the rows after it): a tail with a full vector's worth of them is loaded
/// whole and its lanes past the row set to -inf (no term), else element by element.
@inlinable @inline(__always)
func multiMarginRowSum<T: LossFloat>(_ x: UnsafePointer<T>, _ n: Int, _ readable: Int, _ y: Int, _ margin: T,
                                     _ w: T, square: Bool, into sum: inout LaneSum<T>) {
    let L = T.lanes
    let base = T.Vector(repeating: margin - x[y]), wv = T.Vector(repeating: w), zero = T.Vector()
    var j = 0
    while j < n {
        var block = T.Vector()
        var k = 0
        while k < flushEvery && j < n {
            let v: T.Vector
            if j &+ L <= n {
                v = T.load(x + j)
            } else if j &+ L <= readable {
                v = T.select(laneIndices(of: T.self), lessThan: T.Vector(repeating: T(n &- j)), T.load(x + j),
                             else: T.Vector(repeating: -.infinity))
            } else {
                v = T.loadPartial(x + j, n &- j, fill: -.infinity)
            }
            let z = base + v
            var term = T.select(zero, lessThan: z, (square ? z * z : z) * wv, else: zero)
            if y >= j && y < j &+ L { term[y &- j] = 0 }  // the target itself is no term
            block += term
            j &+= L
            k &+= 1
        }
        sum.add(block, vectors: k)
    }
}

/// `0, 1, ..., lanes - 1`.
@inlinable @inline(__always)
func laneIndices<T: LossFloat>(of _: T.Type) -> T.Vector {
    var v = T.Vector()
    for l in 0..<T.lanes { v[l] = T(l) }
    return v
}

/// A sum of vectors in `T` lanes, flushed to `Double` every `flushEvery` vectors (as the
/// kernels of Kernels.swift sum): the terms of a row, or of a chunk of rows.
@usableFromInline
struct LaneSum<T: LossFloat> {
    @usableFromInline var lanes = T.Vector()
    @usableFromInline var pending = 0
    @usableFromInline var total = 0.0

    @inlinable init() {}

    /// Adds the sum of `vectors` vectors (at most `flushEvery`): no lane ever holds more than
    /// `flushEvery` terms.
    @inlinable @inline(__always)
    mutating func add(_ v: T.Vector, vectors: Int) {
        if pending &+ vectors > flushEvery { flush() }
        lanes += v
        pending &+= vectors
    }

    @inlinable @inline(__always)
    mutating func flush() {
        total += T.wideSum(lanes)
        lanes = T.Vector()
        pending = 0
    }

    /// The sum so far, in `Double`.
    @inlinable @inline(__always)
    mutating func value() -> Double {
        flush()
        return total
    }

    /// The end of row `n` of a forward kernel: for `.none` (`each` given) its loss, the sum
    /// divided by `classes`, is written there and the sum starts again; for `.sum` and `.mean`
    /// the rows of the chunk keep adding up.
    @inlinable @inline(__always)
    mutating func endRow(_ n: Int, _ each: UnsafeMutablePointer<T>?, classes: Int) {
        guard let each else { return }
        each[n] = T(narrowing: value() / Double(classes))
        self = LaneSum()
    }

    /// What a chunk of rows returns to `sumPairsOverUnits`: the sum of their losses.
    @inlinable @inline(__always)
    mutating func rowLosses(classes: Int) -> SIMD2<Double> { SIMD2(value() / Double(classes), 0) }
}

/// One row of `multiMarginLossBackward`: `out` may be `x` itself (the target's logit is read
/// first, each vector before it is overwritten, the target's gradient last).
@inlinable @inline(__always)
func multiMarginRowGradient<T: LossFloat>(_ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ n: Int,
                                          _ y: Int, _ margin: T, _ w: T, _ g: T, _ upstream: T, square: Bool) {
    let L = T.lanes
    let base = T.Vector(repeating: margin - x[y]), wv = T.Vector(repeating: w), zero = T.Vector()
    let gv = T.Vector(repeating: square ? 2 * g : g), up = T.Vector(repeating: upstream)
    var total = 0.0
    var j = 0
    while j < n {
        var s = T.Vector()
        var k = 0
        while k < flushEvery && j < n {
            let full = j &+ L <= n
            let z = base + (full ? T.load(x + j) : T.loadPartial(x + j, n &- j, fill: -.infinity))
            var h = T.select(zero, lessThan: z, (square ? gv * z : gv) * wv, else: zero)
            if y >= j && y < j &+ L { h[y &- j] = 0 }
            s += h
            if full { T.store(h * up, to: out + j) } else { T.storePartial(h * up, to: out + j, n &- j) }
            j &+= L
            k &+= 1
        }
        total += T.wideSum(s)
    }
    out[y] = T(narrowing: -total) * upstream
}

// MARK: - multilabel_margin_loss

/// multilabel_margin_loss; see the top of this file.
/// - Parameters:
///   - input: `batch * classes` elements, row-major.
///   - targets: `batch * classes` class indices in `-1..<classes`, a row's list ending at its
///     first -1 (or at its end); the entries after it are checked but not used.
///   - reduction: `.none` writes `batch` row losses; `.sum`; `.mean` divides by `batch`.
///   - output: `reduction.outputCount(for: batch)` elements.
/// - Throws: `.zeroClasses`, `.invalidReduction` (`.batchMean`), `.sizeOverflow`,
///   `.bufferSize`, `.targetOutOfBounds`; nothing is written then.
@inlinable
public func multilabelMarginLoss<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, targets: UnsafeBufferPointer<Int64>, batch: Int, classes: Int,
    reduction: Reduction = .mean, into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    let entries = try checkMultilabelMarginCall(input, targets, batch: batch, classes: classes, reduction,
                                                outputCount: output.count)
    let divisor = reduction == .mean ? Double(batch) : 1
    guard let x = input.baseAddress, let t = targets.baseAddress else {
        return finishReduction(output, reduction, sum: 0, divisor: divisor)  // no rows
    }
    let each = reduction == .none ? output.baseAddress : nil
    let total = sumPairsOverUnits(batch, unitElements: multilabelRowWork(entries, batch: batch, classes: classes)) { range in
        withMaskedRow(classes) { scratch in
            var sum = LaneSum<T>()  // 'none': each row's; 'sum' / 'mean': the chunk's
            for n in range {
                let offset = n &* classes
                let list = maskTargets(x + offset, t + offset, classes, into: scratch)
                for i in 0..<list {
                    guard let j = marginClass(t[offset &+ i], classes) else { continue }
                    hingeRowSum(1 - x[offset &+ j], scratch, classes, into: &sum)
                }
                sum.endRow(n, each, classes: classes)
            }
            return sum.rowLosses(classes: classes)
        }
    }
    finishReduction(output, reduction, sum: total[0], divisor: divisor)
}

/// The gradient of `multilabelMarginLoss` with respect to its input, PyTorch's: with `g` as
/// for `multiMarginLossBackward`, each list entry `j` and non-target `k` with
/// `1 - (x_j - x_k) > 0` add `g` to `k`'s gradient and `-g` to `j`'s, and the row is then
/// multiplied by its upstream gradient. `gradInput` has `batch * classes` elements, every one
/// written; it may not share memory with the input.
/// - Throws: as `multilabelMarginLoss`; nothing is written then.
@inlinable
public func multilabelMarginLossBackward<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, targets: UnsafeBufferPointer<Int64>, batch: Int, classes: Int,
    reduction: Reduction = .mean, gradOutput: UnsafeBufferPointer<T>,
    into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    let entries = try checkMultilabelMarginCall(input, targets, batch: batch, classes: classes, reduction,
                                                outputCount: gradOutput.count)
    try checkCount(gradInput.count, input.count)
    guard let x = input.baseAddress, let t = targets.baseAddress, let g = gradOutput.baseAddress,
          let gx = gradInput.baseAddress else { return }  // no rows
    let scale: T = marginTermScale(reduction, batch: batch, classes: classes)
    _ = sumPairsOverUnits(batch, unitElements: multilabelRowWork(entries, batch: batch, classes: classes)) { range in
        withMaskedRow(classes) { scratch in
            for n in range {
                let offset = n &* classes
                let out = gx + offset
                let list = maskTargets(x + offset, t + offset, classes, into: scratch)
                out.update(repeating: 0, count: classes)
                for i in 0..<list {
                    guard let j = marginClass(t[offset &+ i], classes) else { continue }
                    let active = hingeRowGradient(1 - x[offset &+ j], scratch, out, classes, scale)
                    out[j] -= scale * T(narrowing: active)
                }
                scaleRow(out, classes, by: rowUpstream(g, reduction, n))
            }
            return SIMD2()
        }
    }
}

/// The work of a multilabel row, in `sumPairsOverUnits`' units: a pass over its classes per
/// label-list entry (the batch's average, at least one), plus the pass that masks the targets.
/// Fixed by the targets, never by the thread count.
@inlinable @inline(__always)
func multilabelRowWork(_ entries: Int, batch: Int, classes: Int) -> Int {
    let perRow = batch > 0 ? entries / batch : 0
    let (work, overflow) = classes.multipliedReportingOverflow(by: perRow &+ 1)
    return overflow ? Int.max / max(1, batch) : work
}

/// Runs `body` with a scratch row of `classes` elements followed by a vector of -inf, so that
/// loops over the row load whole vectors (the padding counts for nothing in a hinge).
@inlinable @inline(__always)
func withMaskedRow<T: LossFloat, R>(_ classes: Int, _ body: (UnsafeMutablePointer<T>) -> R) -> R {
    withUnsafeTemporaryAllocation(of: T.self, capacity: classes &+ T.lanes) { scratch in
        let row = scratch.baseAddress!
        (row + classes).initialize(repeating: -.infinity, count: T.lanes)
        return body(row)
    }
}

/// Copies a row into `scratch` with its targets set to -inf (so that `c + scratch[k] > 0` is
/// never true for a target `k`: -inf, or NaN for a target of +inf), and returns the length of
/// its label list: the entries before the first one outside `0..<classes` (-1 once checked).
@inlinable @inline(__always)
func maskTargets<T: LossFloat>(_ x: UnsafePointer<T>, _ t: UnsafePointer<Int64>, _ n: Int,
                               into scratch: UnsafeMutablePointer<T>) -> Int {
    scratch.update(from: x, count: n)
    var list = 0
    while list < n, let c = marginClass(t[list], n) {
        scratch[c] = -.infinity
        list &+= 1
    }
    return list
}

/// Adds `sum_k max(0, c + s_k)` over `n` elements of a masked row (`withMaskedRow`: whole
/// vectors are read past its end) to `sum`; `z > 0` strict (NaN adds nothing), each term
/// `c + s_k` in `T` (PyTorch's `(1 - x_j) + x_k`).
@inlinable @inline(__always)
func hingeRowSum<T: LossFloat>(_ c: T, _ s: UnsafePointer<T>, _ n: Int, into sum: inout LaneSum<T>) {
    let cv = T.Vector(repeating: c), zero = T.Vector()
    var j = 0
    while j < n {
        var block = T.Vector()
        var k = 0
        while k < flushEvery && j < n {
            let z = cv + T.load(s + j)
            block += T.select(zero, lessThan: z, z, else: zero)
            j &+= T.lanes
            k &+= 1
        }
        sum.add(block, vectors: k)
    }
}

/// Adds `g` to `out[k]` for every `k` with `c + s_k > 0` (`s` a masked row) and returns how
/// many there are.
@inlinable @inline(__always)
func hingeRowGradient<T: LossFloat>(_ c: T, _ s: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ n: Int,
                                    _ g: T) -> Double {
    let L = T.lanes
    let cv = T.Vector(repeating: c), gv = T.Vector(repeating: g), one = T.Vector(repeating: 1), zero = T.Vector()
    var count = LaneSum<T>()
    var j = 0
    while j < n {
        var block = T.Vector()
        var k = 0
        while k < flushEvery && j < n {
            let z = cv + T.load(s + j)
            let add = T.select(zero, lessThan: z, gv, else: zero)
            if j &+ L <= n {
                T.store(T.load(out + j) + add, to: out + j)
            } else {
                T.storePartial(T.loadPartial(out + j, n &- j, fill: 0) + add, to: out + j, n &- j)
            }
            block += T.select(zero, lessThan: z, one, else: zero)
            j &+= L
            k &+= 1
        }
        count.add(block, vectors: k)
    }
    return count.value()
}

/// `out[k] *= s` over `n` elements.
@inlinable @inline(__always)
func scaleRow<T: LossFloat>(_ out: UnsafeMutablePointer<T>, _ n: Int, by s: T) {
    let sv = T.Vector(repeating: s)
    rowMap(UnsafePointer(out), n, into: out) { _, v in v * sv }
}
