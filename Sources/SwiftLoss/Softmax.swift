import RealModule

@inlinable
func checkedAxisLayout<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, _ output: UnsafeMutableBufferPointer<T>,
    outer: Int, dim: Int, inner: Int
) throws(LossError) {
    let n = try elementCount(outer, dim, inner, of: T.self)
    try checkCount(input.count, n)
    try checkCount(output.count, n)
}

/// softmax along one axis: `exp(x - M) / sum(exp(x - M))`, `M` the max along the axis.
///
/// The data is laid out `[outer][dim][inner]` (see `ClassLayout`): for a tensor of shape
/// `(s0, ..., s(k-1))` and axis `a`, `outer = s0 * ... * s(a-1)`, `dim = s(a)`,
/// `inner = s(a+1) * ... * s(k-1)`. `output` may be the same memory as `input`.
/// A slice of all -inf, or one containing +inf or NaN, gives NaN (as PyTorch).
/// - Throws: `.sizeOverflow`, `.bufferSize` when a buffer does not hold `outer * dim * inner`.
@inlinable
public func softmax<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, outer: Int, dim: Int, inner: Int = 1,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkedAxisLayout(input, output, outer: outer, dim: dim, inner: inner)
    guard let x = input.baseAddress, let y = output.baseAddress, dim > 0 else { return }
    if throughTiles(x, y, outer, dim, inner, { v, stride in
        softmaxBlock(v, into: v, classes: dim, stride: stride, BlockIO(count: T.lanes))
    }) {
        return
    }
    let units = AxisUnits<T>(outer: outer, dim: dim, inner: inner)
    _ = sumOverUnits(units.count, unitElements: units.elementsPerUnit) { range in
        for u in range {
            if inner == 1 {
                // The exponentials go to the output (rows below the online threshold), then are
                // scaled there.
                let row = x + u &* dim, out = y + u &* dim
                let (m, sum, stored) = rowStats(row, dim, store: out, online: softmaxOnlineRowThreshold)
                let scale = T.Vector(repeating: T(narrowing: 1 / sum))
                if stored {
                    rowMap(out, dim, into: out) { _, e in e * scale }
                } else {
                    let mv = T.Vector(repeating: m)
                    rowMap(row, dim, into: out) { _, v in T.expNonPositive(vector: v - mv) * scale }
                }
            } else {
                let (offset, _, io) = units.block(u)
                softmaxBlock(x + offset, into: y + offset, classes: dim, stride: inner, io)
            }
        }
        return 0
    }
}

/// log_softmax along one axis: `x - M - log(sum(exp(x - M)))`. Layout as `softmax`;
/// `output` may be the same memory as `input`. -inf entries of a finite slice stay -inf.
/// - Throws: `.sizeOverflow`, `.bufferSize`.
@inlinable
public func logSoftmax<T: LossFloat>(
    _ input: UnsafeBufferPointer<T>, outer: Int, dim: Int, inner: Int = 1,
    into output: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkedAxisLayout(input, output, outer: outer, dim: dim, inner: inner)
    guard let x = input.baseAddress, let y = output.baseAddress, dim > 0 else { return }
    if throughTiles(x, y, outer, dim, inner, { v, stride in
        logSoftmaxBlock(v, into: v, classes: dim, stride: stride, BlockIO(count: T.lanes))
    }) {
        return
    }
    let units = AxisUnits<T>(outer: outer, dim: dim, inner: inner)
    _ = sumOverUnits(units.count, unitElements: units.elementsPerUnit) { range in
        for u in range {
            if inner == 1 {
                // x - max goes to the output while the exponentials are summed (rows below the
                // online threshold), and the log of the sum is taken from it there: the output's
                // lines are fetched for writing during that pass's arithmetic rather than in a
                // last pass of little arithmetic (4096 x 32000 float32 `out=`, 2 threads: about
                // 61 -> 49 ms). The same operations, the same results.
                let row = x + u &* dim, out = y + u &* dim
                let (m, sum, stored) = rowStats(row, dim, store: out, shifted: true)
                let mv = T.Vector(repeating: m)
                let logSum = T.Vector(repeating: T(narrowing: Double.log(sum)))
                if stored {
                    rowMap(out, dim, into: out) { _, d in d - logSum }
                } else {
                    rowMap(row, dim, into: out) { _, v in (v - mv) - logSum }
                }
            } else {
                let (offset, _, io) = units.block(u)
                logSoftmaxBlock(x + offset, into: y + offset, classes: dim, stride: inner, io)
            }
        }
        return 0
    }
}

/// The gradient of `softmax` given its output `y` and the upstream gradient `g`, per slice:
/// `gradInput = y * (g - sum(g * y))`. Layout as `softmax`; `gradInput` may be the same
/// memory as `output` or `gradOutput`.
/// - Throws: `.sizeOverflow`, `.bufferSize`.
@inlinable
public func softmaxBackward<T: LossFloat>(
    output: UnsafeBufferPointer<T>, gradOutput: UnsafeBufferPointer<T>,
    outer: Int, dim: Int, inner: Int = 1, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkedAxisLayout(output, gradInput, outer: outer, dim: dim, inner: inner)
    try checkCount(gradOutput.count, output.count)
    guard let y = output.baseAddress, let g = gradOutput.baseAddress, let gx = gradInput.baseAddress
    else { return }
    axisBackward(y, g, gx, outer, dim, inner, term: { y, g in g * y }, apply: { y, g, dot in y * (g - dot) })
}

/// The gradient of `logSoftmax` given its output `y` and the upstream gradient `g`, per
/// slice: `gradInput = g - exp(y) * sum(g)`. Layout as `softmax`; `gradInput` may be the
/// same memory as `output` or `gradOutput`.
/// - Throws: `.sizeOverflow`, `.bufferSize`.
@inlinable
public func logSoftmaxBackward<T: LossFloat>(
    output: UnsafeBufferPointer<T>, gradOutput: UnsafeBufferPointer<T>,
    outer: Int, dim: Int, inner: Int = 1, into gradInput: UnsafeMutableBufferPointer<T>
) throws(LossError) {
    try checkedAxisLayout(output, gradInput, outer: outer, dim: dim, inner: inner)
    try checkCount(gradOutput.count, output.count)
    guard let y = output.baseAddress, let g = gradOutput.baseAddress, let gx = gradInput.baseAddress
    else { return }
    axisBackward(y, g, gx, outer, dim, inner, term: { _, g in g },
                 apply: { y, g, sum in g - T.exp(vector: y) * sum })
}

/// The backward of softmax and log_softmax, per slice: `d = sum(term(y, g))` (summed in `T`
/// lanes, flushed to `Double` every `flushEvery` vectors), then `gx = apply(y, g, d)`; rows
/// (inner == 1) vectorised along the slice, the strided layout a block of `T.lanes` adjacent
/// positions at a time, threaded in fixed chunks. Each element of `gx` is written after its
/// slice's sum has read `y` and `g` and after `apply` has read them at the same place, so
/// `gx` may be `y` or `g`. Elements missing from a partial vector read as 0 (adding nothing).
@inlinable @inline(__always)
func axisBackward<T: LossFloat>(
    _ y: UnsafePointer<T>, _ g: UnsafePointer<T>, _ gx: UnsafeMutablePointer<T>,
    _ outer: Int, _ dim: Int, _ inner: Int,
    term: (T.Vector, T.Vector) -> T.Vector, apply: (T.Vector, T.Vector, T.Vector) -> T.Vector
) {
    guard dim > 0 else { return }
    let L = T.lanes
    let units = AxisUnits<T>(outer: outer, dim: dim, inner: inner)
    _ = sumOverUnits(units.count, unitElements: units.elementsPerUnit &* 2) { range in
        for u in range {
            if inner == 1 {
                let o = u &* dim
                var total = 0.0
                var j = 0
                while j < dim {
                    var s = T.Vector()
                    var k = 0
                    while k < flushEvery && j &+ L <= dim {
                        s += term(T.load(y + (o &+ j)), T.load(g + (o &+ j)))
                        j &+= L; k &+= 1
                    }
                    if k < flushEvery && j < dim {  // the partial vector at the end
                        s += term(T.loadPartial(y + (o &+ j), dim &- j, fill: 0),
                                  T.loadPartial(g + (o &+ j), dim &- j, fill: 0))
                        j = dim
                    }
                    total += T.wideSum(s)
                }
                let d = T.Vector(repeating: T(narrowing: total))
                j = 0
                while j &+ L <= dim {
                    T.store(apply(T.load(y + (o &+ j)), T.load(g + (o &+ j)), d), to: gx + (o &+ j))
                    j &+= L
                }
                if j < dim {
                    let n = dim &- j
                    T.storePartial(apply(T.loadPartial(y + (o &+ j), n, fill: 0),
                                         T.loadPartial(g + (o &+ j), n, fill: 0), d), to: gx + (o &+ j), n)
                }
            } else {
                let (offset, _, io) = units.block(u)
                var acc = SIMD8<Double>()
                var c = 0, k = offset
                while c < dim {
                    var s = T.Vector()
                    let end = min(dim, c &+ flushEvery)
                    while c < end { s += term(io.load(y + k), io.load(g + k)); k &+= inner; c &+= 1 }
                    for l in 0..<L { acc[l] += s[l].wide }
                }
                var d = T.Vector()
                for l in 0..<L { d[l] = T(narrowing: acc[l]) }
                k = offset
                for _ in 0..<dim { io.store(apply(io.load(y + k), io.load(g + k), d), to: gx + k); k &+= inner }
            }
        }
        return 0
    }
}

/// `softmax` on an array; see the buffer version.
@inlinable
public func softmax<T: LossFloat>(_ input: [T], outer: Int, dim: Int, inner: Int = 1) throws(LossError) -> [T] {
    try mapAxis(input) { x, y throws(LossError) in try softmax(x, outer: outer, dim: dim, inner: inner, into: y) }
}

/// `logSoftmax` on an array; see the buffer version.
@inlinable
public func logSoftmax<T: LossFloat>(_ input: [T], outer: Int, dim: Int, inner: Int = 1) throws(LossError) -> [T] {
    try mapAxis(input) { x, y throws(LossError) in try logSoftmax(x, outer: outer, dim: dim, inner: inner, into: y) }
}

@inlinable
func mapAxis<T: LossFloat>(
    _ input: [T],
    _ body: (UnsafeBufferPointer<T>, UnsafeMutableBufferPointer<T>) throws(LossError) -> Void
) throws(LossError) -> [T] {
    var out = [T](repeating: 0, count: input.count)
    var failure: LossError?
    input.withUnsafeBufferPointer { x in
        out.withUnsafeMutableBufferPointer { y in
            do throws(LossError) { try body(x, y) } catch { failure = error }
        }
    }
    if let failure { throw failure }
    return out
}

/// softmax over a block of `io.count` adjacent slices whose class c is the vector at
/// `x + c * stride`, written in the same layout to `y` (which may be `x`).
@inlinable @inline(__always)
func softmaxBlock<T: LossFloat>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, classes: Int, stride: Int,
                                _ io: BlockIO<T>) {
    let m = blockMax(x, classes: classes, stride: stride, io)
    let scale = 1 / blockSumExp(x, classes: classes, stride: stride, io, max: m, store: y)
    var k = 0
    for _ in 0..<classes { io.store(io.load(y + k) * scale, to: y + k); k &+= stride }
}

/// log_softmax over a block, laid out as `softmaxBlock`'s.
@inlinable @inline(__always)
func logSoftmaxBlock<T: LossFloat>(_ x: UnsafePointer<T>, into y: UnsafeMutablePointer<T>, classes: Int, stride: Int,
                                   _ io: BlockIO<T>) {
    let m = blockMax(x, classes: classes, stride: stride, io)
    let logSum = T.log(vector: blockSumExp(x, classes: classes, stride: stride, io, max: m))
    var k = 0
    for _ in 0..<classes { io.store((io.load(x + k) - m) - logSum, to: y + k); k &+= stride }
}

/// softmax and log_softmax through tiles where the layout takes them: short rows (`dim <=
/// shortRow`, inner 1) `T.lanes` rows at a time transposed into a `RowTile`, or the strided
/// layout's `StridedTiles`. `compute(v, stride)` works on a tile's vector of slices in place,
/// always a full vector (class c at `v + c * stride`; slices missing at the end of the data
/// read as 0 and are not stored back), whose loads and stores are then `BlockIO`'s full ones
/// (a `BlockIO` passed in, the closure left out of line tested for a partial vector at each).
/// Returns false, having done nothing, for other layouts.
@inlinable @inline(__always)
func throughTiles<T: LossFloat>(
    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ outer: Int, _ dim: Int, _ inner: Int,
    _ compute: (UnsafeMutablePointer<T>, Int) -> Void
) -> Bool {
    if inner == 1 && dim <= shortRow {
        _ = sumOverRowTiles(outer, dim) { (tiles: (RowTile<T>, RowTile<T>), first: Int, rows: Int) in
            let tile = tiles.0
            tile.load(x + first &* dim, rows: rows)
            compute(tile.tile, T.lanes)
            tile.store(to: y + first &* dim, rows: rows)
            return SIMD2()
        }
        return true
    }
    guard StridedTiles<T>.applies(dim: dim, inner: inner) else { return false }
    let tiles = StridedTiles<T>(outer: outer, dim: dim, inner: inner)
    _ = tiles.sum(reads: (x, nil), write: y) { tile, u in
        let (offset, _, n) = tiles.tile(u)
        tiles.load(x + offset, count: n, into: tile)
        _ = tiles.vectors(tile, count: n) { v, _, _ in
            compute(v, tiles.width)
            return SIMD2()
        }
        tiles.store(tile, count: n, to: y + offset)
        return SIMD2()
    }
    return true
}
