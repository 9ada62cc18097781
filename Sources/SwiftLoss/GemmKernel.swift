/// The packed GEMM's kernels (see Gemm.swift): one thread's part of a product, the packing of
/// its operands and the micro-kernel. Generic over `LossFloat` and its `Vector`, so the same
/// source builds the AVX2 kernels (two SIMD8<Float> / SIMD4<Double> a row) in the core and the
/// AVX-512 ones (two SIMD16<Float> / SIMD8<Double>) in libswiftloss.so's SwiftLossGemmAVX512
/// module, which compiles this file alone beside a small protocol of its own. Nothing here
/// uses more of `LossFloat` than `Vector` and `mulAdd`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Packing buffers kept between calls, as BLIS's memory broker keeps them: up to
/// `gemmBufferSlots.count` buffers (one a thread that runs a product at the same time, about
/// 4 MB each) wait in lock-free slots (safe after fork: no lock to inherit held). A buffer is
/// mapped from the OS (its first 64 bytes record its size) and unmapped when no slot takes it
/// back. From malloc instead, each freed buffer of several MB raised glibc's mmap threshold and
/// the next ones came from its per-thread heaps, where a linear_cross_entropy call's peak
/// memory grew by about 30 MB.
@usableFromInline let gemmBufferSlots = InlineArray<8, Atomic<Int>> { _ in Atomic(0) }

/// The bytes of the header before a buffer's usable part (its mapped size; keeps 64-byte
/// alignment).
@usableFromInline let gemmBufferHeader = 64

/// A buffer of at least `bytes` usable bytes, 64-byte aligned: a kept one that is large enough,
/// else a new mapping (the allocator's where mmap fails: header size 0 marks it).
@inlinable
func gemmTakeBuffer(bytes: Int) -> UnsafeMutableRawPointer {
    let need = bytes &+ gemmBufferHeader
    for i in gemmBufferSlots.indices {
        let p = gemmBufferSlots[i].exchange(0, ordering: .acquiring)
        guard let base = UnsafeMutableRawPointer(bitPattern: p) else { continue }
        if base.load(as: Int.self) >= need { return base + gemmBufferHeader }
        gemmReleaseMapping(base)
    }
    #if canImport(Darwin)
    let flags = MAP_PRIVATE | MAP_ANON
    #else
    let flags = MAP_PRIVATE | MAP_ANONYMOUS
    #endif
    if let base = mmap(nil, need, PROT_READ | PROT_WRITE, flags, -1, 0), base != UnsafeMutableRawPointer(bitPattern: -1) {
        base.storeBytes(of: need, as: Int.self)
        return base + gemmBufferHeader
    }
    let base = UnsafeMutableRawPointer.allocate(byteCount: need, alignment: 64)
    base.storeBytes(of: 0, as: Int.self)
    return base + gemmBufferHeader
}

/// Gives a buffer of `gemmTakeBuffer` back: into a free slot, else to the OS.
@inlinable
func gemmGiveBuffer(_ buffer: UnsafeMutableRawPointer) {
    let base = buffer - gemmBufferHeader
    if base.load(as: Int.self) > 0 {
        let p = Int(bitPattern: base)
        for i in gemmBufferSlots.indices {
            if gemmBufferSlots[i].compareExchange(expected: 0, desired: p, ordering: .releasing).exchanged { return }
        }
    }
    gemmReleaseMapping(base)
}

/// Returns a buffer's memory (mapped, or from the allocator when its recorded size is 0).
@inlinable
func gemmReleaseMapping(_ base: UnsafeMutableRawPointer) {
    let size = base.load(as: Int.self)
    if size > 0 { munmap(base, size) } else { base.deallocate() }
}

/// The micro-kernel's rows.
@usableFromInline let gemmMR = 6

/// Blocking for these CPUs (32-48 KB L1d, 512 KB-1 MB L2 per core, a shared L3 of several MB):
/// a kc x NR panel of B is 16 KB for kc = 256 (32 KB with the AVX-512 kernels' NR = 32; L1,
/// beside a 6 x kc panel of A); the mc x kc block of A is 144 KB (L2); B is packed nc = 1024
/// columns by as many blocks of kc as fit in 4 MB (L3). kc is the same for every build: it
/// fixes the order of each element's sum.
@usableFromInline let gemmKC = 256
@usableFromInline let gemmNC = 1024
/// Bytes of one packed superblock of B.
@usableFromInline let gemmPackedB = 4 << 20

/// The micro-kernel's columns for `T`: two vectors.
@inlinable @inline(__always)
func gemmNR<T: LossFloat>(_: T.Type) -> Int { 2 &* T.Vector.scalarCount }

/// The rows of a packed A block for `T` (a multiple of MR, about 144 KB at kc = 256).
@inlinable @inline(__always)
func gemmMC<T: LossFloat>(_: T.Type) -> Int { MemoryLayout<T>.size == 4 ? 144 : 72 }

/// One thread's part of `gemm`: the rows `rows` and columns `columns` of C, with packing
/// buffers of its own.
///
/// B is packed a superblock at a time: up to `gemmNC` columns by as many blocks of `kc` terms
/// as fit in `gemmPackedB` bytes (all of k = 1024 for float32, 512 for float64), so that each mc x nc block of
/// C (576 KB) is updated by every block of the superblock while it is still in cache, instead
/// of coming back from memory once per block of `kc`. The order of every element's sum is the
/// same (blocks of `kc` in order).
@inlinable
func gemmRange<T: LossFloat>(transA: Bool, transB: Bool, rows: Range<Int>, columns: Range<Int>, k: Int,
                             a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
                             c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool) {
    let mr = gemmMR, nr = gemmNR(T.self), mc = gemmMC(T.self), kc = gemmKC
    let ncMax = (min(columns.count, gemmNC) &+ nr &- 1) / nr &* nr
    // Terms of the sum in one packed superblock of B: whole blocks of kc, at least one.
    let kb = min(k, max(kc, gemmPackedB / MemoryLayout<T>.size / ncMax / kc &* kc))
    let mcMax = min(rows.count, mc)
    let bCount = kb &* ncMax
    let aCount = min(kb, kc) &* ((mcMax &+ mr &- 1) / mr &* mr)
    let size = MemoryLayout<T>.stride
    let raw = gemmTakeBuffer(bytes: (aCount &+ bCount) &* size)
    defer { gemmGiveBuffer(raw) }
    let packedB = raw.bindMemory(to: T.self, capacity: aCount &+ bCount)
    let packedA = packedB + bCount
    // A tile for the edges of C: the micro-kernel's output before its valid part is written.
    withUnsafeTemporaryAllocation(of: T.Vector.self, capacity: 2 &* mr) { tileVectors in
        let tile = UnsafeMutableRawPointer(tileVectors.baseAddress!).assumingMemoryBound(to: T.self)
        var jc = columns.lowerBound
        while jc < columns.upperBound {
            let ncur = min(gemmNC, columns.upperBound &- jc)
            let ncPadded = (ncur &+ nr &- 1) / nr &* nr
            var pk = 0
            while pk < k {
                let kbcur = min(kb, k &- pk)
                // Pack the superblock: block q (kc terms) at q * kc * ncPadded.
                var pc = pk
                while pc < pk &+ kbcur {
                    let kcur = min(kc, pk &+ kbcur &- pc)
                    gemmPackB(transB, b, ldb, p0: pc, kcur: kcur, j0: jc, ncur: ncur,
                              into: packedB + (pc &- pk) &* ncPadded)
                    pc &+= kcur
                }
                var ic = rows.lowerBound
                while ic < rows.upperBound {
                    let mcur = min(mc, rows.upperBound &- ic)
                    pc = pk
                    while pc < pk &+ kbcur {
                        let kcur = min(kc, pk &+ kbcur &- pc)
                        let add = accumulate || pc > 0
                        let bBlock = packedB + (pc &- pk) &* ncPadded
                        gemmPackA(transA, a, lda, i0: ic, mcur: mcur, p0: pc, kcur: kcur, into: packedA)
                        var jr = 0
                        while jr < ncur {
                            let width = min(nr, ncur &- jr)
                            let bPanel = UnsafePointer(bBlock + jr &* kcur)
                            var ir = 0
                            while ir < mcur {
                                let height = min(mr, mcur &- ir)
                                let aPanel = UnsafePointer(packedA + ir &* kcur)
                                let cTile = c + ((ic &+ ir) &* ldc &+ jc &+ jr)
                                if height == mr && width == nr {
                                    gemmMicroKernel(kcur, aPanel, bPanel, cTile, ldc, add: add)
                                } else {
                                    gemmMicroKernel(kcur, aPanel, bPanel, tile, nr, add: false)
                                    for r in 0..<height {
                                        let from = tile + r &* nr, to = cTile + r &* ldc
                                        if add {
                                            for j in 0..<width { to[j] += from[j] }
                                        } else {
                                            to.update(from: from, count: width)
                                        }
                                    }
                                }
                                ir &+= mr
                            }
                            jr &+= nr
                        }
                        pc &+= kcur
                    }
                    ic &+= mc
                }
                pk &+= kbcur
            }
            jc &+= ncur
        }
    }
}

/// Packs `opA(i0 ..< i0 + mcur, p0 ..< p0 + kcur)` into panels of MR rows, each `kcur` steps
/// of MR values (`panel[p * MR + r] = opA(i0 + 6q + r, p0 + p)`), the last panel padded with
/// zeros.
@inlinable
func gemmPackA<T: LossFloat>(_ transA: Bool, _ a: UnsafePointer<T>, _ lda: Int, i0: Int, mcur: Int,
                             p0: Int, kcur: Int, into packed: UnsafeMutablePointer<T>) {
    let mr = gemmMR
    var panel = packed
    var i = 0
    while i < mcur {
        let height = min(mr, mcur &- i)
        if transA {
            var src = a + (p0 &* lda &+ i0 &+ i)
            var dst = panel
            for _ in 0..<kcur {
                for r in 0..<height { dst[r] = src[r] }
                for r in height..<mr { dst[r] = 0 }
                src += lda
                dst += mr
            }
        } else {
            if height == mr {
                let s0 = a + ((i0 &+ i) &* lda &+ p0)
                let s1 = s0 + lda, s2 = s1 + lda, s3 = s2 + lda, s4 = s3 + lda, s5 = s4 + lda
                var dst = panel
                for p in 0..<kcur {
                    dst[0] = s0[p]; dst[1] = s1[p]; dst[2] = s2[p]
                    dst[3] = s3[p]; dst[4] = s4[p]; dst[5] = s5[p]
                    dst += mr
                }
            } else {
                for r in 0..<mr {
                    if r < height {
                        let src = a + ((i0 &+ i &+ r) &* lda &+ p0)
                        for p in 0..<kcur { panel[p &* mr &+ r] = src[p] }
                    } else {
                        for p in 0..<kcur { panel[p &* mr &+ r] = 0 }
                    }
                }
            }
        }
        panel += mr &* kcur
        i &+= mr
    }
}

/// Packs `opB(p0 ..< p0 + kcur, j0 ..< j0 + ncur)` into panels of NR columns, each `kcur` steps
/// of NR values (`panel[p * NR + j] = opB(p0 + p, j0 + NR q + j)`), the last panel padded with
/// zeros.
@inlinable
func gemmPackB<T: LossFloat>(_ transB: Bool, _ b: UnsafePointer<T>, _ ldb: Int, p0: Int, kcur: Int,
                             j0: Int, ncur: Int, into packed: UnsafeMutablePointer<T>) {
    let nr = gemmNR(T.self)
    var panel = packed
    var j = 0
    while j < ncur {
        let width = min(nr, ncur &- j)
        if transB {
            // Rows of the stored B are columns of opB: read NR rows side by side.
            for q in 0..<nr {
                if q < width {
                    let src = b + ((j0 &+ j &+ q) &* ldb &+ p0)
                    var dst = panel + q
                    for p in 0..<kcur {
                        dst.pointee = src[p]
                        dst += nr
                    }
                } else {
                    var dst = panel + q
                    for _ in 0..<kcur {
                        dst.pointee = 0
                        dst += nr
                    }
                }
            }
        } else {
            var src = b + (p0 &* ldb &+ j0 &+ j)
            var dst = panel
            if width == nr {
                for _ in 0..<kcur {
                    dst.update(from: src, count: nr)
                    src += ldb
                    dst += nr
                }
            } else {
                for _ in 0..<kcur {
                    dst.update(from: src, count: width)
                    (dst + width).update(repeating: 0, count: nr &- width)
                    src += ldb
                    dst += nr
                }
            }
        }
        panel += nr &* kcur
        j &+= nr
    }
}

/// Loads a vector from `p` (any alignment).
@inlinable @inline(__always)
func gemmLoad<T: LossFloat>(_ p: UnsafePointer<T>) -> T.Vector {
    UnsafeRawPointer(p).loadUnaligned(as: T.Vector.self)
}

/// Writes a row of the micro-kernel's tile (two vectors) at `p`, or adds it to what is there.
@inlinable @inline(__always)
func gemmStoreRow<T: LossFloat>(_ p: UnsafeMutablePointer<T>, _ v0: T.Vector, _ v1: T.Vector, add: Bool) {
    let w = T.Vector.scalarCount
    let raw = UnsafeMutableRawPointer(p)
    if add {
        raw.storeBytes(of: gemmLoad(UnsafePointer(p)) + v0, as: T.Vector.self)
        raw.storeBytes(of: gemmLoad(UnsafePointer(p + w)) + v1, toByteOffset: w &* MemoryLayout<T>.stride,
                       as: T.Vector.self)
    } else {
        raw.storeBytes(of: v0, as: T.Vector.self)
        raw.storeBytes(of: v1, toByteOffset: w &* MemoryLayout<T>.stride, as: T.Vector.self)
    }
}

/// The micro-kernel: the 6 x NR tile `sum_{p < k} a[p*6 + i] * b[p*NR + j]` (packed panels,
/// `b` 32-byte aligned) written at `c` (rows `ldc` apart), or added to it. Each element's sum
/// runs over `p` in order from 0.
@inlinable @inline(__always)
func gemmMicroKernel<T: LossFloat>(_ k: Int, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                   _ c: UnsafeMutablePointer<T>, _ ldc: Int, add: Bool) {
    typealias V = T.Vector
    let w = V.scalarCount
    var c00 = V(), c01 = V(), c10 = V(), c11 = V(), c20 = V(), c21 = V()
    var c30 = V(), c31 = V(), c40 = V(), c41 = V(), c50 = V(), c51 = V()
    var a = a, b = UnsafeRawPointer(b)
    let step = 2 &* w &* MemoryLayout<T>.stride
    for _ in 0..<k {
        let b0 = b.load(as: V.self)
        let b1 = b.load(fromByteOffset: w &* MemoryLayout<T>.stride, as: V.self)
        var s = V(repeating: a[0])
        c00 = mulAdd(s, b0, c00); c01 = mulAdd(s, b1, c01)
        s = V(repeating: a[1])
        c10 = mulAdd(s, b0, c10); c11 = mulAdd(s, b1, c11)
        s = V(repeating: a[2])
        c20 = mulAdd(s, b0, c20); c21 = mulAdd(s, b1, c21)
        s = V(repeating: a[3])
        c30 = mulAdd(s, b0, c30); c31 = mulAdd(s, b1, c31)
        s = V(repeating: a[4])
        c40 = mulAdd(s, b0, c40); c41 = mulAdd(s, b1, c41)
        s = V(repeating: a[5])
        c50 = mulAdd(s, b0, c50); c51 = mulAdd(s, b1, c51)
        a += gemmMR
        b += step
    }
    var row = c
    gemmStoreRow(row, c00, c01, add: add); row += ldc
    gemmStoreRow(row, c10, c11, add: add); row += ldc
    gemmStoreRow(row, c20, c21, add: add); row += ldc
    gemmStoreRow(row, c30, c31, add: add); row += ldc
    gemmStoreRow(row, c40, c41, add: add); row += ldc
    gemmStoreRow(row, c50, c51, add: add)
}
