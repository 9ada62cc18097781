import RealModule
@testable import SwiftLoss
import Testing

/// The embedding losses (cosine_embedding_loss, triplet_margin_loss): the formulas in float64
/// written out here, every reduction, the gradients of every learned input against central
/// differences and alone (the others skipped), p's special values, swap, rows of no elements,
/// threaded calls equal to single-threaded ones, and the argument checks.
@Suite("embedding losses")
struct EmbeddingTests {
    // MARK: - Array wrappers

    static func cosine<T: LossFloat>(_ a: [T], _ b: [T], _ y: [T], dim: Int, margin: Double,
                                     reduction: Reduction) throws(LossError) -> [T] {
        try withOutput(reduction.outputCount(for: y.count)) { o throws(LossError) in
            try a.withUnsafeBufferPointer { ab throws(LossError) in
                try b.withUnsafeBufferPointer { bb throws(LossError) in
                    try y.withUnsafeBufferPointer { yb throws(LossError) in
                        try cosineEmbeddingLoss(ab, bb, target: yb, batch: y.count, dim: dim, margin: margin,
                                                reduction: reduction, into: o)
                    }
                }
            }
        }
    }

    /// The gradients (nil where not wanted: that buffer is not passed, and stays 42).
    static func cosineGradients<T: LossFloat>(
        _ a: [T], _ b: [T], _ y: [T], dim: Int, margin: Double, reduction: Reduction, g: [T],
        want: (Bool, Bool) = (true, true)
    ) throws(LossError) -> ([T], [T]) {
        var g1 = [T](repeating: 42, count: a.count), g2 = [T](repeating: 42, count: a.count)
        var failure: LossError?
        a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                y.withUnsafeBufferPointer { yb in
                    g.withUnsafeBufferPointer { gb in
                        g1.withUnsafeMutableBufferPointer { o1 in
                            g2.withUnsafeMutableBufferPointer { o2 in
                                do throws(LossError) {
                                    try cosineEmbeddingLossBackward(ab, bb, target: yb, batch: y.count, dim: dim,
                                                                    margin: margin, reduction: reduction, gradOutput: gb,
                                                                    gradInput1: want.0 ? o1 : nil, gradInput2: want.1 ? o2 : nil)
                                } catch { failure = error }
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return (g1, g2)
    }

    struct Triplet {
        var margin = 1.0, p = 2.0, eps = 1e-6, swap = false
    }

    static func triplet<T: LossFloat>(_ a: [T], _ p: [T], _ n: [T], dim: Int, _ k: Triplet,
                                      reduction: Reduction) throws(LossError) -> [T] {
        let batch = dim == 0 ? 0 : a.count / dim
        return try withOutput(reduction.outputCount(for: batch)) { o throws(LossError) in
            try a.withUnsafeBufferPointer { ab throws(LossError) in
                try p.withUnsafeBufferPointer { pb throws(LossError) in
                    try n.withUnsafeBufferPointer { nb throws(LossError) in
                        try tripletMarginLoss(ab, positive: pb, negative: nb, batch: batch, dim: dim, margin: k.margin,
                                              p: k.p, eps: k.eps, swap: k.swap, reduction: reduction, into: o)
                    }
                }
            }
        }
    }

    static func tripletGradients<T: LossFloat>(
        _ a: [T], _ p: [T], _ n: [T], dim: Int, _ k: Triplet, reduction: Reduction, g: [T],
        want: [Bool] = [true, true, true]
    ) throws(LossError) -> [[T]] {
        var g0 = [T](repeating: 42, count: a.count), g1 = g0, g2 = g0
        var failure: LossError?
        a.withUnsafeBufferPointer { ab in
            p.withUnsafeBufferPointer { pb in
                n.withUnsafeBufferPointer { nb in
                    g.withUnsafeBufferPointer { gb in
                        g0.withUnsafeMutableBufferPointer { o0 in
                            g1.withUnsafeMutableBufferPointer { o1 in
                                g2.withUnsafeMutableBufferPointer { o2 in
                                    do throws(LossError) {
                                        try tripletMarginLossBackward(
                                            ab, positive: pb, negative: nb, batch: a.count / dim, dim: dim,
                                            margin: k.margin, p: k.p, eps: k.eps, swap: k.swap, reduction: reduction,
                                            gradOutput: gb, gradAnchor: want[0] ? o0 : nil,
                                            gradPositive: want[1] ? o1 : nil, gradNegative: want[2] ? o2 : nil)
                                    } catch { failure = error }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return [g0, g1, g2]
    }

    // MARK: - float64 formulas

    static func naiveCosine(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>, _ y: Double, _ margin: Double) -> Double {
        let eps = Double(Float(1e-12))
        let ab = zip(a, b).map { $0 * $1 }.reduce(0, +)
        let cos = ab / ((a.map { $0 * $0 }.reduce(0, +) + eps) * (b.map { $0 * $0 }.reduce(0, +) + eps)).squareRoot()
        return y == 1 ? 1 - cos : y == -1 ? max(cos - margin, 0) : 0
    }

    static func naiveNorm(_ d: [Double], _ p: Double) -> Double {
        if d.isEmpty { return 0 }
        let a = d.map { Swift.abs($0) }
        switch p {
        case .infinity: return a.contains { $0.isNaN } ? .nan : a.max()!
        case -.infinity: return a.contains { $0.isNaN } ? .nan : a.min()!
        case 0: return Double(d.filter { $0 != 0 }.count)
        default: return Double.pow(a.map { Double.pow($0, p) }.reduce(0, +), 1 / p)
        }
    }

    static func naiveTriplet(_ a: ArraySlice<Double>, _ p: ArraySlice<Double>, _ n: ArraySlice<Double>, _ k: Triplet) -> Double {
        func d(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double { naiveNorm(zip(x, y).map { $0 - $1 + k.eps }, k.p) }
        let negative = k.swap ? min(d(a, n), d(p, n)) : d(a, n)
        return max(k.margin + d(a, p) - negative, 0)
    }

    static func rows(_ x: [Double], _ dim: Int) -> [ArraySlice<Double>] {
        stride(from: 0, to: x.count, by: dim).map { x[$0 ..< $0 + dim] }
    }

    static func reduce(_ each: [Double], _ r: Reduction) -> [Double] {
        r == .none ? each : r == .sum ? [each.reduce(0, +)] : [each.reduce(0, +) / Double(each.count)]
    }

    static let reductions = Reduction.allCases.filter { $0 != .batchMean }

    // MARK: - cosine_embedding_loss

    @Test("cosine_embedding_loss: values, every reduction and margin, float32 and float64", arguments: reductions)
    func cosineValues(reduction: Reduction) throws {
        var rng = SeededGenerator(seed: 17)
        let batch = 9, dim = 37
        var a = [Double].random(batch * dim, using: &rng), b = [Double].random(batch * dim, using: &rng)
        for j in 0..<dim { a[j] = 0; b[dim + j] = a[dim + j] }  // a zero row; identical rows
        let y = (0..<batch).map { _ in [1.0, -1.0, 0.0, 2.0].randomElement(using: &rng)! }
        for margin in [0.0, 0.25, -0.5] {
            let want = Self.reduce(zip(zip(Self.rows(a, dim), Self.rows(b, dim)), y).map {
                Self.naiveCosine($0.0, $0.1, $1, margin)
            }, reduction)
            expectClose(try Self.cosine(a, b, y, dim: dim, margin: margin, reduction: reduction), want, 1e-14)
            let f: [Float] = try Self.cosine(a.map(Float.init), b.map(Float.init), y.map(Float.init), dim: dim,
                                             margin: margin, reduction: reduction)
            expectClose(f, want, 2e-6)
        }
    }

    @Test("cosine_embedding_loss: gradients are the derivatives; each alone gives the same")
    func cosineGradientsAreDerivatives() throws {
        var rng = SeededGenerator(seed: 5)
        let batch = 4, dim = 11
        let a = [Double].random(batch * dim, using: &rng), b = [Double].random(batch * dim, using: &rng)
        let y = [1.0, -1.0, -1.0, 1.0], g = [0.5, 1.5, 2.0, 1.0]
        let (g1, g2) = try Self.cosineGradients(a, b, y, dim: dim, margin: -0.8, reduction: .none, g: g)
        let h = 1e-6
        func loss(_ a: [Double], _ b: [Double]) -> Double {
            zip(zip(Self.rows(a, dim), Self.rows(b, dim)), zip(y, g)).map { Self.naiveCosine($0.0, $0.1, $1.0, -0.8) * $1.1 }
                .reduce(0, +)
        }
        for k in 0..<a.count {
            var ap = a, am = a, bp = b, bm = b
            ap[k] += h; am[k] -= h; bp[k] += h; bm[k] -= h
            #expect(close(g1[k], (loss(ap, b) - loss(am, b)) / (2 * h), 1e-6))
            #expect(close(g2[k], (loss(a, bp) - loss(a, bm)) / (2 * h), 1e-6))
        }
        let (only1, untouched2) = try Self.cosineGradients(a, b, y, dim: dim, margin: -0.8, reduction: .none, g: g,
                                                          want: (true, false))
        let (untouched1, only2) = try Self.cosineGradients(a, b, y, dim: dim, margin: -0.8, reduction: .none, g: g,
                                                          want: (false, true))
        #expect(only1 == g1 && only2 == g2)
        #expect(untouched1.allSatisfy { $0 == 42 } && untouched2.allSatisfy { $0 == 42 })
        // 'mean': the upstream gradient divided by the row count
        let (m1, _) = try Self.cosineGradients(a, b, y, dim: dim, margin: -0.8, reduction: .mean, g: [2.0])
        let (s1, _) = try Self.cosineGradients(a, b, y, dim: dim, margin: -0.8, reduction: .sum, g: [0.5])
        expectClose(m1, s1, 1e-15)
    }

    @Test("cosine_embedding_loss: a zero vector's gradient is about 1e6; dim 0 gives cos 0")
    func cosineZeroVectorsAndEmptyRows() throws {
        let (g1, _) = try Self.cosineGradients([0, 0], [3, 4], [-1.0], dim: 2, margin: -1, reduction: .sum, g: [1])
        // x2 / sqrt(eps |x2|^2) with the float eps 1e-12
        let scale = 1 / (Double(Float(1e-12)) * 25).squareRoot()
        expectClose(g1, [3 * scale, 4 * scale], 1e-12)
        let none: [Double] = try Self.cosine([], [], [1, -1, 0], dim: 0, margin: -0.25, reduction: .none)
        #expect(none == [1, 0.25, 0])
    }

    // MARK: - triplet_margin_loss

    static let ps: [Double] = [2, 1, 3.5, 1.5, 0.5, .infinity, -.infinity, 0, -1]

    @Test("triplet_margin_loss: values for every p, with and without swap, every reduction", arguments: ps)
    func tripletValues(p: Double) throws {
        var rng = SeededGenerator(seed: 23)
        let batch = 7, dim = 19
        let a = [Double].random(batch * dim, using: &rng), q = [Double].random(batch * dim, using: &rng)
        var n = [Double].random(batch * dim, using: &rng)
        for j in 0..<dim { n[j] = a[j] }  // an identical pair
        for swap in [false, true] {
            let k = Triplet(margin: 1.5, p: p, eps: 1e-3, swap: swap)
            let each = (0..<batch).map { r in
                Self.naiveTriplet(Self.rows(a, dim)[r], Self.rows(q, dim)[r], Self.rows(n, dim)[r], k)
            }
            for reduction in Self.reductions {
                expectClose(try Self.triplet(a, q, n, dim: dim, k, reduction: reduction), Self.reduce(each, reduction), 1e-12)
                let f: [Float] = try Self.triplet(a.map(Float.init), q.map(Float.init), n.map(Float.init), dim: dim, k,
                                                  reduction: reduction)
                expectClose(f, Self.reduce(each, reduction), 2e-5)
            }
        }
    }

    @Test("triplet_margin_loss: gradients are the derivatives (smooth p); each alone gives the same",
          arguments: [2.0, 1.5, 3.5, 0.5, -1])
    func tripletGradientsAreDerivatives(p: Double) throws {
        var rng = SeededGenerator(seed: 29)
        let batch = 3, dim = 5
        let a = [Double].random(batch * dim, using: &rng), q = [Double].random(batch * dim, using: &rng)
        let n = [Double].random(batch * dim, using: &rng), g = [1.0, 0.5, 2.0]
        for swap in [false, true] {
            let k = Triplet(margin: 5, p: p, eps: 1e-6, swap: swap)
            let grads = try Self.tripletGradients(a, q, n, dim: dim, k, reduction: .none, g: g)
            func loss(_ x: [[Double]]) -> Double {
                (0..<batch).map { r in
                    Self.naiveTriplet(Self.rows(x[0], dim)[r], Self.rows(x[1], dim)[r], Self.rows(x[2], dim)[r], k) * g[r]
                }.reduce(0, +)
            }
            let h = 1e-6
            for input in 0..<3 {
                for e in 0..<a.count {
                    var plus = [a, q, n], minus = [a, q, n]
                    plus[input][e] += h
                    minus[input][e] -= h
                    #expect(close(grads[input][e], (loss(plus) - loss(minus)) / (2 * h), 1e-5),
                            "p \(p) swap \(swap) input \(input) element \(e)")
                }
            }
            for input in 0..<3 {
                var want = [false, false, false]
                want[input] = true
                let alone = try Self.tripletGradients(a, q, n, dim: dim, k, reduction: .none, g: g, want: want)
                #expect(alone[input] == grads[input])
                #expect((0..<3).filter { $0 != input }.allSatisfy { other in alone[other].allSatisfy { $0 == 42 } })
            }
        }
    }

    @Test("triplet_margin_loss: ±inf splits the gradient among tied extremes; 0 gives none; ties with swap split 50/50")
    func tripletSpecialGradients() throws {
        // |d| = [2, 2, 1]: the max is tied between the first two
        let a: [Double] = [2, -2, 1], zero: [Double] = [0, 0, 0], far: [Double] = [9, 9, 9]
        let k = Triplet(margin: 100, p: .infinity, eps: 0, swap: false)
        let grads = try Self.tripletGradients(a, zero, far, dim: 3, k, reduction: .sum, g: [1])
        #expect(grads[1] == [-0.5, 0.5, 0])
        let minimum = try Self.tripletGradients(a, zero, far, dim: 3, Triplet(margin: 100, p: -.infinity, eps: 0),
                                                reduction: .sum, g: [1])
        #expect(minimum[1] == [0, 0, -1])
        let none = try Self.tripletGradients(a, zero, far, dim: 3, Triplet(margin: 100, p: 0), reduction: .sum, g: [1])
        #expect(none.allSatisfy { $0.allSatisfy { $0 == 0 } })
        // anchor == positive: d(a, n) == d(p, n); with swap each gets half of -g
        let n: [Double] = [1, 2, 3]
        let swapped = try Self.tripletGradients(a, a, n, dim: 3, Triplet(margin: 100, swap: true), reduction: .sum, g: [1])
        let plain = try Self.tripletGradients(a, a, n, dim: 3, Triplet(margin: 100, swap: false), reduction: .sum, g: [1])
        expectClose(swapped[2], plain[2], 1e-15)  // the negative gets both halves back
        for j in 0..<3 { #expect(close(swapped[1][j] - plain[1][j], -plain[2][j] / 2, 1e-12)) }
    }

    @Test("triplet_margin_loss: rows of no elements have distance 0 for every p; no rows")
    func tripletEmpty() throws {
        for p in Self.ps + [.nan] {
            let k = Triplet(margin: 0.75, p: p)
            let none: [Double] = try withOutput(3) { o throws(LossError) in
                try tripletMarginLoss(UnsafeBufferPointer(start: nil, count: 0), positive: UnsafeBufferPointer(start: nil, count: 0),
                                      negative: UnsafeBufferPointer(start: nil, count: 0), batch: 3, dim: 0, margin: k.margin,
                                      p: p, reduction: .none, into: o)
            }
            #expect(none == [0.75, 0.75, 0.75])
        }
        // no loop over a huge batch of empty rows
        let sum: [Float] = try withOutput(1) { o throws(LossError) in
            try tripletMarginLoss(UnsafeBufferPointer(start: nil, count: 0), positive: UnsafeBufferPointer(start: nil, count: 0),
                                  negative: UnsafeBufferPointer(start: nil, count: 0), batch: 1 << 60, dim: 0, margin: 0.5,
                                  reduction: .mean, into: o)
        }
        #expect(sum == [0.5])
        let empty: [Double] = []
        #expect((try Self.triplet(empty, empty, empty, dim: 4, Triplet(), reduction: .mean))[0].isNaN)
        #expect(try Self.triplet(empty, empty, empty, dim: 4, Triplet(), reduction: .sum) == [0])
    }

    // MARK: - threads and checks

    @Test("threaded calls give the single-threaded bits")
    func threads() throws {
        var rng = SeededGenerator(seed: 3)
        let batch = 256, dim = 520  // above the threading threshold, several chunks
        let a = [Float].random(batch * dim, using: &rng), b = [Float].random(batch * dim, using: &rng)
        let c = [Float].random(batch * dim, using: &rng)
        let y = (0..<batch).map { _ in Float(Double.random(in: 0..<1, using: &rng) < 0.5 ? -1 : 1) }
        func run() throws -> [[Float]] {
            var out = [try Self.cosine(a, b, y, dim: dim, margin: 0.1, reduction: .mean)]
            let (g1, g2) = try Self.cosineGradients(a, b, y, dim: dim, margin: 0.1, reduction: .sum, g: [1])
            out += [g1, g2]
            for p in [2.0, 3.5] {
                let k = Triplet(margin: 1, p: p, swap: true)
                out.append(try Self.triplet(a, b, c, dim: dim, k, reduction: .mean))
                out += try Self.tripletGradients(a, b, c, dim: dim, k, reduction: .mean, g: [1])
            }
            return out
        }
        setThreadCount(1)
        let one = try run()
        setThreadCount(4)
        let many = try run()
        setThreadCount(0)
        #expect(one == many)
    }

    @Test("argument checks")
    func checks() {
        let a: [Double] = [1, 2, 3, 4], y: [Double] = [1, 1]
        #expect(throws: LossError.bufferSize(expected: 4, actual: 3)) {
            try Self.cosine(a, [1, 2, 3], y, dim: 2, margin: 0, reduction: .mean)
        }
        #expect(throws: LossError.invalidReduction) {
            try Self.cosine(a, a, y, dim: 2, margin: 0, reduction: .batchMean)
        }
        #expect(throws: LossError.bufferSize(expected: 2, actual: 1)) {  // a target of one element for two rows
            try withOutput(1) { (o: UnsafeMutableBufferPointer<Double>) throws(LossError) in
                try a.withUnsafeBufferPointer { ab throws(LossError) in
                    try [1.0].withUnsafeBufferPointer { yb throws(LossError) in
                        try cosineEmbeddingLoss(ab, ab, target: yb, batch: 2, dim: 2, reduction: .sum, into: o)
                    }
                }
            }
        }
        #expect(throws: LossError.bufferSize(expected: 1, actual: 2)) {
            try Self.cosineGradients(a, a, y, dim: 2, margin: 0, reduction: .sum, g: [1, 1])
        }
        #expect(throws: LossError.invalidReduction) {
            try Self.triplet(a, a, a, dim: 2, Triplet(), reduction: .batchMean)
        }
        #expect(throws: LossError.bufferSize(expected: 4, actual: 2)) {
            try Self.triplet(a, a, [1, 2], dim: 2, Triplet(), reduction: .sum)
        }
        #expect(throws: LossError.sizeOverflow) {
            try withOutput(1) { (o: UnsafeMutableBufferPointer<Float>) throws(LossError) in
                try tripletMarginLoss(UnsafeBufferPointer(start: nil, count: 0), positive: UnsafeBufferPointer(start: nil, count: 0),
                                      negative: UnsafeBufferPointer(start: nil, count: 0), batch: 1 << 62, dim: 4,
                                      reduction: .sum, into: o)
            }
        }
    }
}
