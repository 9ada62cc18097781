// A placeholder matrix product for linear_cross_entropy (LinearCrossEntropy.swift): simple,
// correct and deterministic, to be replaced wholesale by the packed BLIS-style kernel.

/// c[i*ldc + j] = (accumulate ? c[i*ldc + j] : 0) + sum_{p < k} opA(i, p) * opB(p, j)
/// for i < m, j < n, with opA(i, p) = transA ? a[p*lda + i] : a[i*lda + p] and
/// opB(p, j) = transB ? b[j*ldb + p] : b[p*ldb + j] (row-major, element strides).
/// Runs on the library's worker pool; the sum over p is in a fixed order, so the result does
/// not depend on the thread count. m, n or k may be 0 (k == 0: c = accumulate ? c : 0).
@inlinable
func gemm<T: LossFloat>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                        a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                        c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool) {
    guard m > 0 && n > 0 else { return }
    if k == 0 {
        if !accumulate { for i in 0..<m { (c + i &* ldc).update(repeating: 0, count: n) } }
        return
    }
    // Tiles of C: mc x nc, over the pool; inside a tile, blocks of kc along p (in order), with
    // A packed as 4-row slivers [p][r] and B as rows of nr = 2 vectors [p][j], and a 4 x nr
    // register tile per (sliver, strip): each element of C sees p in ascending order.
    let L = T.lanes, nr = 2 &* L, mr = 4
    let mc = 128, nc = 256, kc = 256
    let rowTiles = (m &- 1) / mc &+ 1, colTiles = (n &- 1) / nc &+ 1
    _ = sumOverChunks(rowTiles &* colTiles, work: m &* n &* k) { chunk in
        let i0 = (chunk / colTiles) &* mc, j0 = (chunk % colTiles) &* nc
        let mb = min(mc, m &- i0), nb = min(nc, n &- j0)
        let slivers = (mb &+ mr &- 1) / mr, strips = (nb &+ nr &- 1) / nr
        withUnsafeTemporaryAllocation(of: T.self, capacity: slivers &* mr &* kc &+ strips &* nr &* kc
                                                             &+ mr &* nr) { scratch in
            let ap = scratch.baseAddress!, bp = ap + slivers &* mr &* kc, edge = bp + strips &* nr &* kc
            var p0 = 0
            while p0 < k {
                let kb = min(kc, k &- p0)
                // Pack B: strip s, row p at bp[(s * kb + p) * nr], zero-padded past nb.
                for s in 0..<strips {
                    let dst = bp + s &* kb &* nr
                    for p in 0..<kb {
                        for jj in 0..<nr {
                            let j = s &* nr &+ jj
                            dst[p &* nr &+ jj] = j < nb
                                ? (transB ? b[(j0 &+ j) &* ldb &+ p0 &+ p] : b[(p0 &+ p) &* ldb &+ j0 &+ j]) : 0
                        }
                    }
                }
                // Pack A: sliver r, column p at ap[(r * kb + p) * mr], zero-padded past mb.
                for sl in 0..<slivers {
                    let dst = ap + sl &* kb &* mr
                    for p in 0..<kb {
                        for ii in 0..<mr {
                            let i = sl &* mr &+ ii
                            dst[p &* mr &+ ii] = i < mb
                                ? (transA ? a[(p0 &+ p) &* lda &+ i0 &+ i] : a[(i0 &+ i) &* lda &+ p0 &+ p]) : 0
                        }
                    }
                }
                let first = p0 == 0 && !accumulate
                for sl in 0..<slivers {
                    let rows = min(mr, mb &- sl &* mr)
                    for s in 0..<strips {
                        let cols = min(nr, nb &- s &* nr)
                        let origin = c + ((i0 &+ sl &* mr) &* ldc &+ j0 &+ s &* nr)
                        // The tile of C this sliver and strip update: in place, or through
                        // `edge` at the borders.
                        let full = rows == mr && cols == nr
                        let tile = full ? origin : edge
                        let ldt = full ? ldc : nr
                        if !full {
                            for r in 0..<mr {
                                for jj in 0..<nr {
                                    let inside = r < rows && jj < cols
                                    edge[r &* nr &+ jj] = inside ? origin[r &* ldc &+ jj] : T.zero
                                }
                            }
                        }
                        microKernel(kb, ap + sl &* kb &* mr, bp + s &* kb &* nr, tile, ldt, zero: first)
                        if !full {
                            for r in 0..<rows {
                                for jj in 0..<cols { origin[r &* ldc &+ jj] = edge[r &* nr &+ jj] }
                            }
                        }
                    }
                }
                p0 &+= kb
            }
        }
        return SIMD2()
    }
}

/// c (4 x 2 vectors, row stride ldc) = (zero ? 0 : c) + sum_p a[p][0..<4] * b[p][0..<2L], p in order.
@inlinable @inline(__always)
func microKernel<T: LossFloat>(_ k: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                               _ c: UnsafeMutablePointer<T>, _ ldc: Int, zero: Bool) {
    let L = T.lanes
    var c00 = T.Vector(), c01 = T.Vector(), c10 = T.Vector(), c11 = T.Vector()
    var c20 = T.Vector(), c21 = T.Vector(), c30 = T.Vector(), c31 = T.Vector()
    if !zero {
        c00 = T.load(c); c01 = T.load(c + L)
        c10 = T.load(c + ldc); c11 = T.load(c + (ldc &+ L))
        c20 = T.load(c + (2 &* ldc)); c21 = T.load(c + (2 &* ldc &+ L))
        c30 = T.load(c + (3 &* ldc)); c31 = T.load(c + (3 &* ldc &+ L))
    }
    var pa = a, pb = b
    for _ in 0..<k {
        let b0 = T.load(pb), b1 = T.load(pb + L)
        let a0 = T.Vector(repeating: pa[0]), a1 = T.Vector(repeating: pa[1])
        let a2 = T.Vector(repeating: pa[2]), a3 = T.Vector(repeating: pa[3])
        c00 += a0 * b0; c01 += a0 * b1
        c10 += a1 * b0; c11 += a1 * b1
        c20 += a2 * b0; c21 += a2 * b1
        c30 += a3 * b0; c31 += a3 * b1
        pa += 4
        pb += 2 &* L
    }
    T.store(c00, to: c); T.store(c01, to: c + L)
    T.store(c10, to: c + ldc); T.store(c11, to: c + (ldc &+ L))
    T.store(c20, to: c + (2 &* ldc)); T.store(c21, to: c + (2 &* ldc &+ L))
    T.store(c30, to: c + (3 &* ldc)); T.store(c31, to: c + (3 &* ldc &+ L))
}
