import RealModule

// SIMD building blocks shared by the softmax and cross-entropy kernels.
//
// Two shapes of work: a contiguous row (inner == 1: the classes of one sample are adjacent,
// vectorised along the classes), and a block of `Vector.scalarCount` adjacent samples of the
// (N, C, d) layout (vectorised along d: class c of the block's samples is one vector load at
// offset c * inner, so nothing is gathered). Sums are taken in SIMD lanes and flushed to
// `Double` every `flushEvery` vectors, which keeps float32 sums at float64-like accuracy.

@usableFromInline let flushEvery = 32

// The kernels' vector operations, forwarded to `_VectorMath` (internal: nothing here is
// visible to `import SwiftLoss` users).
extension LossFloat {
    @inlinable @inline(__always)
    static func maximum(_ a: Vector, _ b: Vector) -> Vector { _VectorMath.maximum(a, b) }
    @inlinable @inline(__always)
    static func select(_ a: Vector, lessThan b: Vector, _ x: Vector, else y: Vector) -> Vector {
        _VectorMath.select(a, lessThan: b, x, else: y)
    }
    @inlinable @inline(__always)
    static func select(_ a: Vector, equalTo b: Vector, _ x: Vector, else y: Vector) -> Vector {
        _VectorMath.select(a, equalTo: b, x, else: y)
    }
    @inlinable @inline(__always) static func exp(vector x: Vector) -> Vector { _VectorMath.exp(x) }
    @inlinable @inline(__always) static func expForSum(vector x: Vector) -> Vector { _VectorMath.expForSum(x) }
    @inlinable @inline(__always) static func expNonPositive(vector x: Vector) -> Vector { _VectorMath.expNonPositive(x) }
    @inlinable @inline(__always) static func log(vector x: Vector) -> Vector { _VectorMath.log(x) }
    /// `log(1 + y)` for `y` in `[0, 1]` (or NaN), the softplus tail of BCE with logits.
    @inlinable @inline(__always)
    static func logOnePlusUnit(vector y: Vector) -> Vector { _VectorMath.logOnePlusUnit(y) }
    /// `self` widened to `Double` (exact).
    @inlinable @inline(__always) var wide: Double { Self._VectorMath.wide(self) }
    /// `d` rounded to `Self`.
    @inlinable @inline(__always) init(narrowing d: Double) { self = Self._VectorMath.narrow(d) }
}

extension LossFloat {
    @inlinable @inline(__always)
    static var lanes: Int { Vector.scalarCount }

    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Self>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inlinable @inline(__always)
    static func store(_ v: Vector, to p: UnsafeMutablePointer<Self>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    /// The first `count` (< lanes) elements at `p`, the other lanes set to `fill`.
    @inlinable @inline(__always)
    static func loadPartial(_ p: UnsafePointer<Self>, _ count: Int, fill: Self) -> Vector {
        var v = Vector(repeating: fill)
        for l in 0..<count { v[l] = p[l] }
        return v
    }

    @inlinable @inline(__always)
    static func storePartial(_ v: Vector, to p: UnsafeMutablePointer<Self>, _ count: Int) {
        for l in 0..<count { p[l] = v[l] }
    }

    /// The lanes of `v` summed in `Double`.
    @inlinable @inline(__always)
    static func wideSum(_ v: Vector) -> Double {
        var s = 0.0
        for l in 0..<Vector.scalarCount { s += v[l].wide }
        return s
    }
}

// MARK: - Contiguous rows

/// The max of `n >= 1` contiguous elements. NaN need not win here: a NaN element makes the
/// row's sum of exponentials NaN, which then reaches every output of the row.
@inlinable @inline(__always)
func rowMax<T: LossFloat>(_ x: UnsafePointer<T>, _ n: Int) -> T {
    let L = T.lanes
    var m0 = T.Vector(repeating: -.infinity), m1 = m0
    var j = 0
    let pairsEnd = n &- n % (2 &* L)
    while j < pairsEnd {
        m0 = T.maximum(m0, T.load(x + j))
        m1 = T.maximum(m1, T.load(x + (j &+ L)))
        j &+= 2 &* L
    }
    if j + L <= n { m0 = T.maximum(m0, T.load(x + j)); j += L }
    if j < n {
        // A row of a vector or more ends with the vector that ends with it (lanes read twice
        // change no max); a shorter one takes a partial vector.
        m1 = T.maximum(m1, n >= L ? T.load(x + n - L) : T.loadPartial(x + j, n - j, fill: -.infinity))
    }
    return T.maximum(m0, m1).max()
}

/// `sum(exp(x - m))` over `n` contiguous elements, in `Double`. With `store`, each
/// `exp(x - m)` is also written there (it may be `x` itself), so that a later pass can use the
/// exponentials without computing them again, or with `shifted`, each `x - m` (log_softmax's
/// first step); without, the exponentials are only summed (`expForSum`: the sum holds
/// exp(m - m) = 1, so it is the same sum).
@inlinable @inline(__always)
func rowSumExp<T: LossFloat>(_ x: UnsafePointer<T>, _ n: Int, _ m: T, store: UnsafeMutablePointer<T>? = nil,
                             shifted: Bool = false) -> Double {
    store == nil || shifted ? rowSumExp(x, n, m, store: store, storeShifted: shifted, exp: T.expForSum(vector:))
                            : rowSumExp(x, n, m, store: store, storeShifted: false, exp: T.expNonPositive(vector:))
}

@inlinable @inline(__always)
func rowSumExp<T: LossFloat>(_ x: UnsafePointer<T>, _ n: Int, _ m: T, store: UnsafeMutablePointer<T>?,
                             storeShifted: Bool, exp: (T.Vector) -> T.Vector) -> Double {
    let L = T.lanes
    let mv = T.Vector(repeating: m)
    // A row of a vector or more whose length is not a multiple of one ends with the vector
    // that ends with it, read before anything is stored (store may be x); its lanes already
    // summed count for nothing, and storing them again writes the same exponentials.
    let overlap = n > L && n % L != 0
    let tail = overlap ? T.load(x + n - L) : T.Vector()
    var total = 0.0
    var j = 0
    // Pairs of vectors, flushed to `total` every `flushEvery` pairs; the bounds are computed
    // once (no overflow checks in the loop) and the store test is outside it.
    let pairsEnd = n &- n % (2 &* L)
    while j < pairsEnd {
        var s0 = T.Vector(), s1 = T.Vector()
        let end = min(pairsEnd, j &+ flushEvery &* 2 &* L)
        if let store {
            while j < end {
                let d0 = T.load(x + j) - mv, d1 = T.load(x + (j &+ L)) - mv
                let e0 = exp(d0), e1 = exp(d1)
                T.store(storeShifted ? d0 : e0, to: store + j)
                T.store(storeShifted ? d1 : e1, to: store + (j &+ L))
                s0 += e0
                s1 += e1
                j &+= 2 &* L
            }
        } else {
            while j < end {
                s0 += exp(T.load(x + j) - mv)
                s1 += exp(T.load(x + (j &+ L)) - mv)
                j &+= 2 &* L
            }
        }
        total += T.wideSum(s0 + s1)
    }
    while j + L <= n {
        let d = T.load(x + j) - mv, e = exp(d)
        if let store { T.store(storeShifted ? d : e, to: store + j) }
        total += T.wideSum(e)
        j += L
    }
    if overlap {
        let d = tail - mv, e = exp(d)
        if let store { T.store(storeShifted ? d : e, to: store + n - L) }
        let seen = T.Vector(repeating: T(L - (n - j)))
        total += T.wideSum(T.select(laneIndices(of: T.self), lessThan: seen, T.Vector(), else: e))
    } else if j < n {
        let d = T.loadPartial(x + j, n - j, fill: -.infinity) - mv, e = exp(d)
        if let store { T.storePartial(storeShifted ? d : e, to: store + j, n - j) }
        total += T.wideSum(e)
    }
    return total
}

/// Rows longer than this are reduced online (`rowMaxSumExpOnline`): their two passes would
/// otherwise read them from memory twice.
@usableFromInline let onlineRowThreshold = 1 << 16

/// softmax's threshold: it stores the exponentials in its output and scales them there, one
/// exp per element, which beats the online reduction's two (sum, then output) up to rows of
/// about 1 MB (measured: 8 x 128256 float32 399 us online, see benchmarks/README.md).
@usableFromInline let softmaxOnlineRowThreshold = 1 << 18

/// Elements per block of the online row reduction: small enough to stay in L1 between the
/// block's max and its sum of exponentials.
@usableFromInline let onlineBlock = 4096

/// The max of a row and `sum(exp(x - max))` (in `Double`) with one read of the row from
/// memory: block by block, the block's max, then its exponentials against the running max
/// while the block is in cache, the running sum rescaled whenever a block raises the max.
/// Same special cases as the two passes: a NaN or +inf element, or a row of all -inf, makes
/// the sum NaN; -inf elements of a finite row add nothing.
@inlinable
func rowMaxSumExpOnline<T: LossFloat>(_ x: UnsafePointer<T>, _ n: Int) -> (max: T, sum: Double) {
    var m = -T.infinity
    var s = 0.0
    var j = 0
    while j < n {
        let len = min(onlineBlock, n &- j)
        let block = x + j
        let bm = rowMax(block, len)
        if bm > m {
            s *= Double.exp(m.wide - bm.wide)  // 0 while nothing has been added
            m = bm
        }
        if m == -.infinity {
            // All -inf so far: this block adds nothing, unless it hides a NaN.
            for k in 0..<len where block[k].isNaN { s = .nan }
        } else {
            s += rowSumExp(block, len, m)
        }
        j &+= len
    }
    return (m, m == -.infinity ? .nan : s)
}

/// The max and `sum(exp(x - max))` of a row; a short row in two passes, storing each
/// `exp(x - max)` (with `shifted`, each `x - max`) into `store` when given (then `stored` is
/// true), a long one online (then nothing is stored: a later pass must compute from `x`).
/// `readFirst` gets the max before anything is stored, while `x` is intact (`store` may be `x`
/// itself), and its result is returned with the statistics.
@inlinable @inline(__always)
func rowStats<T: LossFloat, R>(_ x: UnsafePointer<T>, _ n: Int, store: UnsafeMutablePointer<T>? = nil,
                               shifted: Bool = false, online: Int = onlineRowThreshold,
                               readFirst: (T) -> R) -> (max: T, sum: Double, stored: Bool, first: R) {
    if n > online {
        let (m, s) = rowMaxSumExpOnline(x, n)
        return (m, s, false, readFirst(m))
    }
    let m = rowMax(x, n)
    let first = readFirst(m)
    return (m, rowSumExp(x, n, m, store: store, shifted: shifted), store != nil, first)
}

/// `rowStats` with nothing to read first.
@inlinable @inline(__always)
func rowStats<T: LossFloat>(_ x: UnsafePointer<T>, _ n: Int, store: UnsafeMutablePointer<T>? = nil,
                            shifted: Bool = false,
                            online: Int = onlineRowThreshold) -> (max: T, sum: Double, stored: Bool) {
    let (m, s, stored, _) = rowStats(x, n, store: store, shifted: shifted, online: online) { _ in () }
    return (m, s, stored)
}

/// `sum(w * (x - m))` over `n` contiguous elements (`w` all ones when nil), in `Double`:
/// the smoothing term's sum before the log-sum is taken out.
@inlinable @inline(__always)
func rowWeightedShiftedSum<T: LossFloat>(_ x: UnsafePointer<T>, _ n: Int, _ m: T, _ w: UnsafePointer<T>?) -> Double {
    let L = T.lanes
    let mv = T.Vector(repeating: m)
    var total = 0.0
    var j = 0
    while j + L <= n {
        var s = T.Vector()
        var k = 0
        while k < flushEvery && j + L <= n {
            let d = T.load(x + j) - mv
            s += w.map { T.load($0 + j) * d } ?? d
            j += L
            k += 1
        }
        total += T.wideSum(s)
    }
    while j < n { total += ((w?[j] ?? 1) * (x[j] - m)).wide; j += 1 }
    return total
}

/// Calls `body(offset, vector)` over `n` contiguous elements of `x` and stores each result
/// at `y + offset`; a row of more than a vector ends with the vector that ends it (its lanes
/// shared with the last full vector computed twice, to the same values), a shorter one is a
/// partial vector. `body` must depend only on its arguments. `y` may be `x`.
@inlinable @inline(__always)
func rowMap<T: LossFloat>(_ x: UnsafePointer<T>, _ n: Int, into y: UnsafeMutablePointer<T>,
                          _ body: (Int, T.Vector) -> T.Vector) {
    let L = T.lanes
    let full = n &- n % L
    if n > L && full != n {
        // The tail as the vector that ends the row, read before anything is stored (y may be
        // x) and stored last: the lanes it shares with the last full vector get the same values.
        let tail = body(n - L, T.load(x + n - L))
        mapVectors(x, full, into: y, body)
        T.store(tail, to: y + n - L)
        return
    }
    mapVectors(x, full, into: y, body)
    if full < n { T.storePartial(body(full, T.loadPartial(x + full, n - full, fill: 0)), to: y + full, n - full) }
}

/// `rowMap`'s full vectors (`n` a multiple of the lanes), two at a time: both read before
/// either is stored (`y` may be `x`).
@inlinable @inline(__always)
func mapVectors<T: LossFloat>(_ x: UnsafePointer<T>, _ n: Int, into y: UnsafeMutablePointer<T>,
                              _ body: (Int, T.Vector) -> T.Vector) {
    let L = T.lanes
    let pairsEnd = n &- n % (2 &* L)
    var j = 0
    while j < pairsEnd {
        let a = body(j, T.load(x + j)), b = body(j &+ L, T.load(x + (j &+ L)))
        T.store(a, to: y + j)
        T.store(b, to: y + (j &+ L))
        j &+= 2 &* L
    }
    if j < n { T.store(body(j, T.load(x + j)), to: y + j) }
}

/// The weights `w[j ..< j + lanes]` as a vector (ones when nil), with a partial tail.
@inlinable @inline(__always)
func weightVector<T: LossFloat>(_ w: UnsafePointer<T>?, _ j: Int, _ n: Int) -> T.Vector {
    guard let w else { return T.Vector(repeating: 1) }
    return j + T.lanes <= n ? T.load(w + j) : T.loadPartial(w + j, n - j, fill: 0)
}

// MARK: - Blocks of adjacent samples in the (N, C, d) layout

/// Loads of one block: full vectors, or the first `count` lanes of a partial block.
@usableFromInline
struct BlockIO<T: LossFloat> {
    @usableFromInline let count: Int

    @inlinable @inline(__always) init(count: Int) { self.count = count }

    @inlinable @inline(__always)
    func load(_ p: UnsafePointer<T>) -> T.Vector {
        count == T.lanes ? T.load(p) : T.loadPartial(p, count, fill: 0)
    }

    @inlinable @inline(__always)
    func store(_ v: T.Vector, to p: UnsafeMutablePointer<T>) {
        if count == T.lanes { T.store(v, to: p) } else { T.storePartial(v, to: p, count) }
    }
}

/// Per lane, the max over `classes` vectors `x[0], x[stride], ...`.
@inlinable @inline(__always)
func blockMax<T: LossFloat>(_ x: UnsafePointer<T>, classes: Int, stride: Int, _ io: BlockIO<T>) -> T.Vector {
    // Two chains (even and odd classes): one chain of dependent maxes was its own bound.
    var m0 = T.Vector(repeating: -.infinity), m1 = m0
    var k = 0, c = 0
    while c &+ 2 <= classes {
        m0 = T.maximum(m0, io.load(x + k))
        m1 = T.maximum(m1, io.load(x + (k &+ stride)))
        k &+= 2 &* stride
        c &+= 2
    }
    if c < classes { m0 = T.maximum(m0, io.load(x + k)) }
    return T.maximum(m0, m1)
}

/// Per lane, the sum of `exp(x - m)` over `classes` vectors `x[0], x[stride], ...`,
/// accumulated in `Double` and returned rounded to `T`. With `store`, each `exp(x - m)` vector
/// is also written at the same offset there (it may be `x` itself); without, `expForSum` (as
/// `rowSumExp`; bit-equal to `exp` here, so both ways give the same sum). Transparent: the
/// optimizer left it out of line as `@inline(__always)`, its loads then testing for a partial
/// block at every class even where the caller's block was full.
@usableFromInline @_transparent
func blockSumExp<T: LossFloat>(_ x: UnsafePointer<T>, classes: Int, stride: Int, _ io: BlockIO<T>,
                               max m: T.Vector, store: UnsafeMutablePointer<T>? = nil) -> T.Vector {
    var acc = SIMD8<Double>()
    var c = 0
    var k = 0
    while c < classes {
        var s = T.Vector()
        let end = min(classes, c &+ flushEvery)
        if let store {
            while c < end {
                let e = T.expNonPositive(vector: io.load(x + k) - m)
                io.store(e, to: store + k)
                s += e
                k &+= stride
                c &+= 1
            }
        } else {
            while c < end {
                s += T.expForSum(vector: io.load(x + k) - m)
                k &+= stride
                c &+= 1
            }
        }
        // Up to flushEvery terms per lane are summed accurately enough in T (the common case
        // of a few dozen classes); longer sums go through Double.
        if c == classes && c <= flushEvery { return s }
        for l in 0..<T.lanes { acc[l] += s[l].wide }
    }
    var sum = T.Vector()
    for l in 0..<T.lanes { sum[l] = T(narrowing: acc[l]) }
    return sum
}

/// Runs `body(units)` over `units` units of work of `unitElements` elements each (or element
/// costs: see `ElementFormula.cost`), split into fixed chunks (see Parallel.swift), and
/// returns the sums (two, lane by lane) of what the chunks return.
@inlinable @inline(__always)
func sumPairsOverUnits(_ units: Int, unitElements: Int,
                       _ body: (Range<Int>) -> SIMD2<Double>) -> SIMD2<Double> {
    guard units > 0 else { return SIMD2() }
    let perChunk = max(1, chunkElements / max(1, unitElements))
    let chunks = (units - 1) / perChunk + 1
    return sumOverChunks(chunks, work: units &* unitElements) { c in
        body((c &* perChunk) ..< min(units, (c &+ 1) &* perChunk))
    }
}

/// `sumPairsOverUnits` with one sum.
@inlinable @inline(__always)
func sumOverUnits(_ units: Int, unitElements: Int, _ body: (Range<Int>) -> Double) -> Double {
    sumPairsOverUnits(units, unitElements: unitElements) { SIMD2(body($0), 0) }[0]
}

/// The units of an `[outer][dim][inner]` layout: a row per outer index when `inner == 1`,
/// else a block of `T.lanes` adjacent inner positions per (outer, block) pair.
@usableFromInline
struct AxisUnits<T: LossFloat> {
    @usableFromInline let outer: Int, dim: Int, inner: Int
    @usableFromInline let blocksPerOuter: Int

    @inlinable @inline(__always)
    init(outer: Int, dim: Int, inner: Int) {
        self.outer = outer; self.dim = dim; self.inner = inner
        blocksPerOuter = inner <= 1 ? inner : (inner - 1) / T.lanes + 1  // no unit when inner == 0
    }

    @inlinable @inline(__always) var count: Int { outer &* blocksPerOuter }
    @inlinable @inline(__always) var elementsPerUnit: Int { inner == 1 ? dim : dim &* T.lanes }

    /// For unit `u` of a strided layout: the offset of its first element, its first sample
    /// index (`outer * inner + i`), and its lanes.
    @inlinable @inline(__always)
    func block(_ u: Int) -> (offset: Int, sample: Int, io: BlockIO<T>) {
        let (o, b) = u.quotientAndRemainder(dividingBy: blocksPerOuter)
        let i = b &* T.lanes
        return (o &* dim &* inner &+ i, o &* inner &+ i, BlockIO(count: min(T.lanes, inner &- i)))
    }
}

// MARK: - Short rows, transposed into blocks

/// Rows at most this long (inner == 1) are processed `T.lanes` rows at a time through a
/// transposed tile (`RowTile`) by the block kernels of the (N, C, d) layout, vectorised across
/// the rows, instead of one row at a time with partial vectors (a row of 10 floats paid about
/// 50 ns for its partial loads, stores and per-row scalar work). 32: 64 float32 rows of 25 to
/// 32 classes took 1.9-2.3 us for cross_entropy through tiles against 3.5-6.1 us by rows; at 48
/// classes tiles were faster for the forward only, slower for probabilities and softmax.
@usableFromInline let shortRow = 32

/// `T.lanes` consecutive rows of `dim` elements (fewer at the end of the data) copied
/// class-major into `tile` (class c of row l at `c * T.lanes + l`), so that class c of the
/// rows is one vector: the layout `blockMax`, `blockSumExp` and the other block kernels read
/// with stride `T.lanes`. Missing rows read as 0 (never stored back).
@usableFromInline
struct RowTile<T: LossFloat> {
    @usableFromInline let tile: UnsafeMutablePointer<T>
    @usableFromInline let dim: Int

    @inlinable @inline(__always)
    init(_ tile: UnsafeMutablePointer<T>, dim: Int) { self.tile = tile; self.dim = dim }

    /// Copies `rows` (at most `T.lanes`) rows starting at `x` into the tile.
    @inlinable @inline(__always)
    func load(_ x: UnsafePointer<T>, rows: Int) {
        let L = T.lanes
        if rows == L {
            for c in 0..<dim {
                var k = c
                for l in 0..<L { tile[c &* L &+ l] = x[k]; k &+= dim }
            }
        } else {
            for c in 0..<dim {
                for l in 0..<L { tile[c &* L &+ l] = l < rows ? x[l &* dim &+ c] : 0 }
            }
        }
    }

    /// Copies the tile's first `rows` rows back, row-major, to `y`.
    @inlinable @inline(__always)
    func store(to y: UnsafeMutablePointer<T>, rows: Int) {
        let L = T.lanes
        for c in 0..<dim {
            var k = c
            for l in 0..<L where l < rows { y[k] = tile[c &* L &+ l]; k &+= dim }
        }
    }
}

/// Runs `body(tiles, first, rows)` over the rows `first ..< first + rows` of `outer` rows of
/// `dim` elements, `T.lanes` rows at a time (fewer at the end), in fixed chunks over threads as
/// `sumPairsOverUnits` (`cost` per element), and returns the sum of what it returns. `tiles`
/// are two `RowTile`s of temporary storage for the chunk (the logits and, where the call has
/// them, probability targets).
@inlinable @inline(__always)
func sumOverRowTiles<T: LossFloat>(
    _ outer: Int, _ dim: Int, cost: Int = 1,
    _ body: (_ tiles: (RowTile<T>, RowTile<T>), _ first: Int, _ rows: Int) -> SIMD2<Double>
) -> SIMD2<Double> {
    let L = T.lanes
    let units = (outer &+ L &- 1) / L
    let size = max(1, dim) &* L
    return sumPairsOverUnits(units, unitElements: dim &* L &* cost) { range in
        withUnsafeTemporaryAllocation(of: T.self, capacity: 2 &* size) { buffer in
            let tiles = (RowTile(buffer.baseAddress!, dim: dim), RowTile(buffer.baseAddress! + size, dim: dim))
            var partial = SIMD2<Double>()
            for u in range {
                let first = u &* L
                partial += body(tiles, first, min(L, outer &- first))
            }
            return partial
        }
    }
}

// MARK: - The (N, C, d) layout, through tiles

/// In the (N, C, d) layout, class c of a sample lies `inner` elements after class c - 1: the
/// C class rows of a block of positions sit at a stride of `inner * size` bytes (1 MB for
/// 512 x 512 float32 maps), which map to the same L1 and L2 sets, and a block kernel that
/// reads them in several passes (max, exponentials, results) fetched each line again from L3
/// in every pass (log_softmax of (8, 21, 512, 512) float32: 5x the time of one read of its
/// input). `StridedTiles` copies `width` adjacent positions of every class (two to eight
/// vectors: one to four 64-byte lines per class, as many as a tile of at most `tileBytes`
/// holds) into a contiguous tile first, where the block kernels run with stride `width`, and
/// copies results back: every line is read once and written once, and each class row is read
/// in runs of up to four lines instead of one (measured on (8, 21, 512, 512) float32, one
/// thread, one run each: cross_entropy 76 -> 72 ms, log_softmax into out= 141 -> 102 ms,
/// forward+backward into out= 176 -> 115 ms).
@usableFromInline
struct StridedTiles<T: LossFloat> {
    @usableFromInline let outer: Int, dim: Int, inner: Int
    @usableFromInline let perOuter: Int
    /// Positions per tile: `T.lanes` times 2, 4 or 8.
    @usableFromInline let width: Int

    /// The largest tile, in bytes (half of L1).
    @inlinable @inline(__always) static var tileBytes: Int { 16_384 }

    /// Whether a layout takes tiles: strided, and a tile of two vectors fits in `tileBytes`.
    @inlinable @inline(__always)
    static func applies(dim: Int, inner: Int) -> Bool {
        inner >= 2 &* T.lanes && dim &* 2 &* T.lanes &* MemoryLayout<T>.stride <= tileBytes
    }

    @inlinable @inline(__always)
    init(outer: Int, dim: Int, inner: Int) {
        self.outer = outer; self.dim = dim; self.inner = inner
        var vectors = 2
        while vectors < 8 && inner >= 2 &* vectors &* T.lanes
                && dim &* 2 &* vectors &* T.lanes &* MemoryLayout<T>.stride <= Self.tileBytes {
            vectors &*= 2
        }
        width = vectors &* T.lanes
        perOuter = (inner &+ width &- 1) / width
    }

    @inlinable @inline(__always) var count: Int { outer &* perOuter }
    @inlinable @inline(__always) var elementsPerUnit: Int { dim &* width }

    /// Tile `u`: the offset of its first element, its first sample (`outer * inner + i`), and
    /// how many positions it holds (`width`, fewer at the end of a map).
    @inlinable @inline(__always)
    func tile(_ u: Int) -> (offset: Int, sample: Int, count: Int) {
        let (o, b) = u.quotientAndRemainder(dividingBy: perOuter)
        let i = b &* width
        return (o &* dim &* inner &+ i, o &* inner &+ i, min(width, inner &- i))
    }

    /// Copies `count` positions of every class from `x` (a tile's offset) into `tile` (class c
    /// at `c * width`); missing positions read as 0.
    @inlinable @inline(__always)
    func load(_ x: UnsafePointer<T>, count: Int, into tile: UnsafeMutablePointer<T>) {
        let W = width
        if count == W {
            copyRows(from: x, stride: inner, to: tile, stride: W)
        } else {
            var k = 0, t = 0
            for _ in 0..<dim {
                for j in 0..<W { tile[t &+ j] = j < count ? x[k &+ j] : 0 }
                k &+= inner; t &+= W
            }
        }
    }

    /// Copies the tile's first `count` positions of every class back to `y`.
    @inlinable @inline(__always)
    func store(_ tile: UnsafePointer<T>, count: Int, to y: UnsafeMutablePointer<T>) {
        let W = width
        if count == W {
            copyRows(from: tile, stride: W, to: y, stride: inner)
        } else {
            var k = 0, t = 0
            for _ in 0..<dim {
                for j in 0..<count { y[k &+ j] = tile[t &+ j] }
                k &+= inner; t &+= W
            }
        }
    }

    /// Copies the `width` elements of `dim` rows, row c from `x + c * xs` to `y + c * ys`: the
    /// width as a constant (two, four or eight vectors) so that a row's copy is unrolled (a
    /// loop over the vectors took three more instructions per vector).
    @inlinable @inline(__always)
    func copyRows(from x: UnsafePointer<T>, stride xs: Int, to y: UnsafeMutablePointer<T>, stride ys: Int) {
        switch width / T.lanes {
        case 2: copyRows(from: x, stride: xs, to: y, stride: ys, vectors: 2)
        case 4: copyRows(from: x, stride: xs, to: y, stride: ys, vectors: 4)
        default: copyRows(from: x, stride: xs, to: y, stride: ys, vectors: 8)
        }
    }

    @inlinable @inline(__always)
    func copyRows(from x: UnsafePointer<T>, stride xs: Int, to y: UnsafeMutablePointer<T>, stride ys: Int,
                  vectors: Int) {
        var p = x, q = y
        for _ in 0..<dim {
            for v in 0..<vectors { T.store(T.load(p + v &* T.lanes), to: q + v &* T.lanes) }
            p += xs; q += ys
        }
    }

    /// Asks for tile `u`'s lines of `x` (for a read, or for a write) to be fetched into cache.
    @inlinable @inline(__always)
    func prefetch(_ u: Int, _ x: UnsafeRawPointer?, write: Bool) {
        guard let x else { return }
        let (offset, _, n) = tile(u)
        let size = MemoryLayout<T>.stride, line = 64
        var p = x + offset &* size
        for _ in 0..<dim {
            var b = 0
            while b < n &* size {
                if write { Hint.write(p + b) } else { Hint.read(p + b) }
                b &+= line
            }
            p += inner &* size
        }
    }

    /// Runs `body(tiles, u)` over the tiles in fixed chunks over threads (as
    /// `sumPairsOverUnits`, `cost` per element) with `count` tiles of temporary storage per
    /// chunk, and returns the sum of what it returns. Before each tile, the next tile's lines of
    /// `reads` and `write` are prefetched (cache hints, see Hints.swift): each class row is
    /// read in runs of a few lines at a large stride, which the hardware prefetchers follow
    /// poorly, and the copy into a tile waited on memory (the copy alone of (8, 21, 512, 512)
    /// float32 in 64-position tiles, in C on one thread: 13.9 ms, 10.4 ms with the prefetches,
    /// against 9.5 ms for a sequential read). `write` may be `reads.0` (results in place): its
    /// lines are then prefetched once, for the read.
    @inlinable @inline(__always)
    func sum(cost: Int = 1, tiles: Int = 1,
             reads: (UnsafePointer<T>?, UnsafePointer<T>?) = (nil, nil), write: UnsafeMutablePointer<T>? = nil,
             _ body: (UnsafeMutablePointer<T>, Int) -> SIMD2<Double>) -> SIMD2<Double> {
        let size = elementsPerUnit
        let total = count
        let read0 = reads.0.map(UnsafeRawPointer.init), read1 = reads.1.map(UnsafeRawPointer.init)
        let written = write.map(UnsafeRawPointer.init).flatMap { $0 == read0 ? nil : $0 }
        return sumPairsOverUnits(total, unitElements: size &* cost) { range in
            withUnsafeTemporaryAllocation(of: T.self, capacity: max(1, size &* tiles)) { buffer in
                var partial = SIMD2<Double>()
                for u in range {
                    if u &+ 1 < total {
                        prefetch(u &+ 1, read0, write: false)
                        prefetch(u &+ 1, read1, write: false)
                        prefetch(u &+ 1, written, write: true)
                    }
                    partial += body(buffer.baseAddress!, u)
                }
                return partial
            }
        }
    }

    /// Runs `compute(tile + j, io)` for each vector `j` of a tile holding `count` positions.
    /// A full tile's vectors get a `BlockIO` whose count is the constant `T.lanes`: inlined,
    /// its loads and stores lose the test for a partial vector (one per load before).
    @inlinable @inline(__always)
    func vectors(_ tile: UnsafeMutablePointer<T>, count: Int,
                 _ compute: (UnsafeMutablePointer<T>, Int, BlockIO<T>) -> SIMD2<Double>) -> SIMD2<Double> {
        var total = SIMD2<Double>()
        var j = 0
        if count == width {
            while j < count {
                total += compute(tile + j, j, BlockIO(count: T.lanes))
                j &+= T.lanes
            }
            return total
        }
        while j < count {
            total += compute(tile + j, j, BlockIO(count: min(T.lanes, count &- j)))
            j &+= T.lanes
        }
        return total
    }
}

// MARK: - Element-wise losses

/// Vector helpers built on the concrete selects.
extension LossFloat {
    @inlinable @inline(__always)
    static func abs(vector x: Vector) -> Vector { select(x, lessThan: Vector(), -x, else: x) }

    /// `log(1 + y)` for `y > -1`, accurate for small `y` too: `log(u) * y / (u - 1)` with
    /// `u = 1 + y` (exact `y` when `u` rounds to 1).
    @inlinable @inline(__always)
    static func logOnePlus(vector y: Vector) -> Vector {
        let u = 1 + y
        return select(u, equalTo: Vector(repeating: 1), y, else: log(vector: u) * (y / (u - 1)))
    }
}

/// A weight broadcast from the trailing dimensions, read a vector at a time: element `k` uses
/// `weight[k % count]`. Contiguous loads where the vector does not wrap, lane by lane where it
/// does; ones without a weight.
@usableFromInline
struct WeightCursor<T: LossFloat> {
    @usableFromInline let base: UnsafePointer<T>?
    @usableFromInline let count: Int
    @usableFromInline var offset: Int

    /// A cursor at element `start`.
    @inlinable @inline(__always)
    init(_ weight: UnsafeBufferPointer<T>?, start: Int) {
        base = weight?.baseAddress
        count = weight?.count ?? 1
        offset = count > 0 ? start % count : 0
    }

    /// The weights of the next `T.lanes` elements, then moves on.
    @inlinable @inline(__always)
    mutating func next() -> T.Vector {
        guard let base else { return T.Vector(repeating: 1) }
        if count == 1 { return T.Vector(repeating: base[0]) }
        var v: T.Vector
        if offset + T.lanes <= count {
            v = T.load(base + offset)
            offset += T.lanes
            if offset == count { offset = 0 }
        } else {
            v = T.Vector()
            for l in 0..<T.lanes {
                v[l] = base[offset]
                offset += 1
                if offset == count { offset = 0 }
            }
        }
        return v
    }
}

/// A unit of work of `sumPairsOverUnits` as a type: its `sum` is specialized and inlined on
/// the worker threads too, where a closure's body is reached through an indirect call.
@usableFromInline
protocol UnitsSum {
    func sum(_ units: Range<Int>) -> SIMD2<Double>
}

/// `sumPairsOverUnits` over a `UnitsSum`.
@inlinable @inline(__always)
func sumPairsOverUnits<B: UnitsSum>(_ units: Int, unitElements: Int, _ body: B) -> SIMD2<Double> {
    sumPairsOverUnits(units, unitElements: unitElements) { range in body.sum(range) }
}

/// An element-wise loss: `loss(x, t, w, pw)` on vectors of input, target, weight and
/// pos_weight (ones where absent), the weight applied by the formula itself.
@usableFromInline
protocol ElementFormula {
    associatedtype T: LossFloat
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector) -> T.Vector
    /// The work of one element, in units of a load and an add (1: arithmetic only; about 8 with
    /// an exp or a log): with the element count, what decides whether a call is worth
    /// splitting over threads, and how many elements a chunk holds.
    static var cost: Int { get }
}

extension ElementFormula {
    @inlinable static var cost: Int { 1 }
}

/// An element-wise gradient: `derivative(x, t)` on vectors (the weight and the upstream
/// gradient are applied by `differentiateVectors`, in that order).
@usableFromInline
protocol GradientFormula {
    associatedtype T: LossFloat
    func callAsFunction(_ x: T.Vector, _ t: T.Vector) -> T.Vector
    /// As `ElementFormula.cost`.
    static var cost: Int { get }
}

extension GradientFormula {
    @inlinable static var cost: Int { 1 }
}

/// An element-wise gradient that applies the weight `w`, the pos_weight `pw` (ones where
/// absent) and the upstream gradient `s` itself, in the order its PyTorch counterpart does.
@usableFromInline
protocol WeightedGradientFormula {
    associatedtype T: LossFloat
    func callAsFunction(_ x: T.Vector, _ t: T.Vector, _ w: T.Vector, _ pw: T.Vector, _ s: T.Vector) -> T.Vector
    /// As `ElementFormula.cost`.
    static var cost: Int { get }
}

extension WeightedGradientFormula {
    @inlinable static var cost: Int { 1 }
}

/// A `GradientFormula` as `derivative(x, t) * w * s`.
@usableFromInline
struct WeightedThenScaled<G: GradientFormula>: WeightedGradientFormula {
    @usableFromInline typealias T = G.T
    @inlinable static var cost: Int { G.cost }
    @usableFromInline let derivative: G
    @inlinable init(_ derivative: G) { self.derivative = derivative }
    @inlinable @inline(__always)
    func callAsFunction(_ x: G.T.Vector, _ t: G.T.Vector, _ w: G.T.Vector, _ pw: G.T.Vector, _ s: G.T.Vector) -> G.T.Vector {
        derivative(x, t) * w * s
    }
}

/// The weights of the element-wise loops' contiguous path: none (ones, a constant the
/// optimizer folds into the formula) or one value per element. Types rather than an optional
/// pointer, so that each is its own specialization (an optional was tested, and multiplied
/// by, for every vector).
@usableFromInline
protocol ElementWeights {
    associatedtype T: LossFloat
    /// The weights of the `T.lanes` elements from `k`.
    func at(_ k: Int) -> T.Vector
    /// The weights of the `lanes < T.lanes` elements from `k`, zeros after them.
    func partial(_ k: Int, _ lanes: Int) -> T.Vector
}

@usableFromInline
struct Unweighted<T: LossFloat>: ElementWeights {
    @inlinable init() {}
    @inlinable @inline(__always) func at(_ k: Int) -> T.Vector { T.Vector(repeating: 1) }
    @inlinable @inline(__always) func partial(_ k: Int, _ lanes: Int) -> T.Vector { T.Vector(repeating: 1) }
}

@usableFromInline
struct PerElementWeights<T: LossFloat>: ElementWeights {
    @usableFromInline let base: UnsafePointer<T>
    @inlinable init(_ base: UnsafePointer<T>) { self.base = base }
    @inlinable @inline(__always) func at(_ k: Int) -> T.Vector { T.load(base + k) }
    @inlinable @inline(__always) func partial(_ k: Int, _ lanes: Int) -> T.Vector { T.loadPartial(base + k, lanes, fill: 0) }
}

/// The units (of `T.lanes` elements) of `sumElementwise`.
@usableFromInline
struct ElementwiseSum<F: ElementFormula>: UnitsSum {
    @usableFromInline let x: UnsafePointer<F.T>, t: UnsafePointer<F.T>, n: Int
    @usableFromInline let weight: UnsafeBufferPointer<F.T>?, posWeight: UnsafeBufferPointer<F.T>?
    @usableFromInline let each: UnsafeMutablePointer<F.T>?
    @usableFromInline let formula: F

    @inlinable
    init(x: UnsafePointer<F.T>, t: UnsafePointer<F.T>, n: Int, weight: UnsafeBufferPointer<F.T>?,
         posWeight: UnsafeBufferPointer<F.T>?, each: UnsafeMutablePointer<F.T>?, formula: F) {
        self.x = x; self.t = t; self.n = n
        self.weight = weight; self.posWeight = posWeight; self.each = each; self.formula = formula
    }

    @inlinable
    func sum(_ range: Range<Int>) -> SIMD2<Double> {
        typealias T = F.T
        let L = T.lanes
        if posWeight == nil, weight == nil || weight?.count == n {
            // No weight, or one per element (a three-input loss's third input): read at the
            // element's own offset, without the cursors' bookkeeping (which cost margin_ranking
            // about 70 instructions per vector). The two loops are chosen here, outside.
            let total = weight?.baseAddress.map { contiguousSum(range, PerElementWeights($0)) }
                ?? contiguousSum(range, Unweighted<T>())
            return SIMD2(repeating: total)  // (both lanes: no zero-extending move, which valgrind 3.19 cannot decode)
        }
        let start = range.lowerBound &* L
        var w = WeightCursor(weight, start: start), pw = WeightCursor(posWeight, start: start)
        var total = 0.0
        var s = T.Vector()
        var pending = 0
        for u in range {
            let k = u &* L
            let lanes = min(L, n &- k)
            var v: T.Vector
            if lanes == L {
                v = formula(T.load(x + k), T.load(t + k), w.next(), pw.next())
                if let each { T.store(v, to: each + k) }
            } else {
                v = formula(T.loadPartial(x + k, lanes, fill: 0), T.loadPartial(t + k, lanes, fill: 0), w.next(), pw.next())
                for l in lanes..<L { v[l] = 0 }
                if let each { T.storePartial(v, to: each + k, lanes) }
            }
            s += v
            pending += 1
            if pending == flushEvery { total += T.wideSum(s); s = T.Vector(); pending = 0 }
        }
        return SIMD2(repeating: total + T.wideSum(s))
    }

    /// `sum` where the weight is absent or holds one value per element (`w`) and there is no
    /// pos_weight: the same sums in the same order as the general loop (flushEvery vectors
    /// from the range's start to a T-lane sum, then to Double), each loss stored for `.none`.
    @inlinable @inline(__always)
    func contiguousSum<W: ElementWeights>(_ range: Range<Int>, _ w: W) -> Double where W.T == F.T {
        typealias T = F.T
        let L = T.lanes
        let one = T.Vector(repeating: 1)
        let full = n / L  // units holding L elements
        var total = 0.0
        var u = range.lowerBound
        while u < range.upperBound {
            let blockEnd = min(range.upperBound, u &+ flushEvery)
            let fullEnd = min(blockEnd, full)
            var s = T.Vector()
            if let each {
                while u < fullEnd {
                    let k = u &* L
                    let v = formula(T.load(x + k), T.load(t + k), w.at(k), one)
                    T.store(v, to: each + k)
                    s += v
                    u &+= 1
                }
            } else {
                while u < fullEnd {
                    let k = u &* L
                    s += formula(T.load(x + k), T.load(t + k), w.at(k), one)
                    u &+= 1
                }
            }
            if u < blockEnd {  // the last, partial unit
                let k = u &* L, lanes = n &- k
                var v = formula(T.loadPartial(x + k, lanes, fill: 0), T.loadPartial(t + k, lanes, fill: 0),
                                w.partial(k, lanes), one)
                for l in lanes..<L { v[l] = 0 }
                if let each { T.storePartial(v, to: each + k, lanes) }
                s += v
                u &+= 1
            }
            total += T.wideSum(s)
        }
        return total
    }
}

/// Runs a vectorised element-wise loss over every element (with the broadcast weight and
/// pos_weight vectors), in fixed chunks over threads, writing each loss for `.none` and
/// returning the sum (accumulated in T lanes, flushed to Double).
@inlinable
func sumElementwise<F: ElementFormula>(
    _ input: UnsafeBufferPointer<F.T>, _ target: UnsafeBufferPointer<F.T>,
    weight: UnsafeBufferPointer<F.T>? = nil, posWeight: UnsafeBufferPointer<F.T>? = nil,
    each: UnsafeMutablePointer<F.T>?, _ formula: F
) -> Double {
    let n = input.count
    guard let x = input.baseAddress, let t = target.baseAddress, n > 0 else { return 0 }
    let body = ElementwiseSum(x: x, t: t, n: n, weight: weight, posWeight: posWeight, each: each, formula: formula)
    return sumPairsOverUnits((n - 1) / F.T.lanes + 1, unitElements: F.T.lanes &* F.cost, body)[0]
}

/// The units of `differentiateVectors`.
@usableFromInline
struct ElementwiseGradient<G: WeightedGradientFormula>: UnitsSum {
    @usableFromInline let x: UnsafePointer<G.T>, t: UnsafePointer<G.T>, g: UnsafePointer<G.T>
    @usableFromInline let gx: UnsafeMutablePointer<G.T>, n: Int
    @usableFromInline let weight: UnsafeBufferPointer<G.T>?, posWeight: UnsafeBufferPointer<G.T>?
    @usableFromInline let perElement: Bool, scale: G.T.Vector
    @usableFromInline let derivative: G

    @inlinable
    init(x: UnsafePointer<G.T>, t: UnsafePointer<G.T>, g: UnsafePointer<G.T>, gx: UnsafeMutablePointer<G.T>,
         n: Int, weight: UnsafeBufferPointer<G.T>?, posWeight: UnsafeBufferPointer<G.T>?, perElement: Bool,
         scale: G.T.Vector, derivative: G) {
        self.x = x; self.t = t; self.g = g; self.gx = gx; self.n = n; self.weight = weight
        self.posWeight = posWeight; self.perElement = perElement; self.scale = scale; self.derivative = derivative
    }

    @inlinable
    func sum(_ range: Range<Int>) -> SIMD2<Double> {
        typealias T = G.T
        let L = T.lanes
        if posWeight == nil, weight == nil || weight?.count == n {
            // No weight, or one per element: read at the element's own offset, without the
            // cursors' bookkeeping. The two loops are chosen here, outside.
            if let w = weight?.baseAddress { contiguous(range, PerElementWeights(w)) } else { contiguous(range, Unweighted<T>()) }
            return SIMD2()
        }
        let (x, t, g, gx, perElement, scale, derivative) = (self.x, self.t, self.g, self.gx, self.perElement,
                                                           self.scale, self.derivative)
        let start = range.lowerBound &* L
        var w = WeightCursor(weight, start: start), pw = WeightCursor(posWeight, start: start)
        for u in range {
            let k = u &* L
            let lanes = min(L, n &- k)
            if lanes == L {
                let s = perElement ? T.load(g + k) : scale
                T.store(derivative(T.load(x + k), T.load(t + k), w.next(), pw.next(), s), to: gx + k)
            } else {
                let s = perElement ? T.loadPartial(g + k, lanes, fill: 0) : scale
                let v = derivative(T.loadPartial(x + k, lanes, fill: 0), T.loadPartial(t + k, lanes, fill: 0),
                                   w.next(), pw.next(), s)
                T.storePartial(v, to: gx + k, lanes)
            }
        }
        return SIMD2()
    }

    /// `sum` where the weight is absent or holds one value per element (`w`) and there is no
    /// pos_weight; the fields as locals (the stores through gx could otherwise alias them,
    /// and each would be loaded again for every vector).
    @inlinable @inline(__always)
    func contiguous<W: ElementWeights>(_ range: Range<Int>, _ w: W) where W.T == G.T {
        typealias T = G.T
        let L = T.lanes
        let (x, t, g, gx, perElement, scale, derivative) = (self.x, self.t, self.g, self.gx, self.perElement,
                                                           self.scale, self.derivative)
        let one = T.Vector(repeating: 1)
        let fullEnd = min(range.upperBound, n / L)
        var u = range.lowerBound
        while u < fullEnd {
            let k = u &* L
            let s = perElement ? T.load(g + k) : scale
            T.store(derivative(T.load(x + k), T.load(t + k), w.at(k), one, s), to: gx + k)
            u &+= 1
        }
        if u < range.upperBound {  // the last, partial unit
            let k = u &* L, lanes = n &- k
            let s = perElement ? T.loadPartial(g + k, lanes, fill: 0) : scale
            let v = derivative(T.loadPartial(x + k, lanes, fill: 0), T.loadPartial(t + k, lanes, fill: 0),
                               w.partial(k, lanes), one, s)
            T.storePartial(v, to: gx + k, lanes)
        }
    }
}

/// Writes a vectorised element-wise gradient `gradInput = derivative(x, t, w, pw, s)` over
/// every element, in fixed chunks over threads, where `s` is `gradOutput[k]` for `.none`, else
/// `gradOutput[0] / divisor` (rounded to T once). `gradInput` may be `gradOutput` itself (each
/// element is read before it is written).
@inlinable
func differentiateElementwise<G: WeightedGradientFormula>(
    _ input: UnsafeBufferPointer<G.T>, _ target: UnsafeBufferPointer<G.T>,
    weight: UnsafeBufferPointer<G.T>? = nil, posWeight: UnsafeBufferPointer<G.T>? = nil,
    _ reduction: Reduction, _ gradOutput: UnsafeBufferPointer<G.T>, _ gradInput: UnsafeMutableBufferPointer<G.T>,
    divisor: Double, _ derivative: G
) {
    typealias T = G.T
    let n = input.count
    guard let x = input.baseAddress, let t = target.baseAddress, let g = gradOutput.baseAddress,
          let gx = gradInput.baseAddress, n > 0 else { return }
    let perElement = reduction == .none
    let scale = T.Vector(repeating: perElement ? 1 : T(narrowing: g[0].wide / divisor))
    let body = ElementwiseGradient(x: x, t: t, g: g, gx: gx, n: n, weight: weight, posWeight: posWeight,
                                   perElement: perElement, scale: scale, derivative: derivative)
    _ = sumPairsOverUnits((n - 1) / T.lanes + 1, unitElements: T.lanes &* G.cost, body)
}

/// `differentiateElementwise` for a `GradientFormula`: `derivative(x, t) * w * s`.
@inlinable
func differentiateVectors<G: GradientFormula>(
    _ input: UnsafeBufferPointer<G.T>, _ target: UnsafeBufferPointer<G.T>, weight: UnsafeBufferPointer<G.T>?,
    _ reduction: Reduction, _ gradOutput: UnsafeBufferPointer<G.T>, _ gradInput: UnsafeMutableBufferPointer<G.T>,
    divisor: Double, _ derivative: G
) {
    differentiateElementwise(input, target, weight: weight, reduction, gradOutput, gradInput, divisor: divisor,
                             WeightedThenScaled(derivative))
}
