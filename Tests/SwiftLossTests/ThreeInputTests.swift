import RealModule
@testable import SwiftLoss
import Testing

/// The losses of three inputs with two learned (margin_ranking_loss, gaussian_nll_loss): the
/// formula in float64 written out here, the reductions, the gradients of both learned inputs
/// against central differences and alone (the other skipped), threaded calls equal to
/// single-threaded ones, and the argument checks.
@Suite("three-input losses")
struct ThreeInputTests {
    typealias Input<T> = UnsafeBufferPointer<T>
    typealias Gradient<T> = UnsafeMutableBufferPointer<T>?

    /// A forward call on three arrays, into an output sized by the reduction.
    static func threeInputOutput<T: LossFloat>(
        _ a: [T], _ b: [T], _ c: [T], reduction: Reduction,
        _ call: (Input<T>, Input<T>, Input<T>, UnsafeMutableBufferPointer<T>) throws(LossError) -> Void
    ) throws(LossError) -> [T] {
        try withOutput(reduction.outputCount(for: a.count)) { o throws(LossError) in
            try a.withUnsafeBufferPointer { ab throws(LossError) in
                try b.withUnsafeBufferPointer { bb throws(LossError) in
                    try c.withUnsafeBufferPointer { cb throws(LossError) in try call(ab, bb, cb, o) }
                }
            }
        }
    }

    /// A backward call on three arrays and the upstream gradient `g`: both gradients, or one
    /// (the other buffer nil, then left at 42).
    static func pairGradients<T: LossFloat>(
        _ a: [T], _ b: [T], _ c: [T], g: [T], want: (Bool, Bool),
        _ call: (Input<T>, Input<T>, Input<T>, Input<T>, Gradient<T>, Gradient<T>) throws(LossError) -> Void
    ) throws(LossError) -> ([T], [T]) {
        var g1 = [T](repeating: 42, count: a.count), g2 = [T](repeating: 42, count: a.count)
        var failure: LossError?
        a.withUnsafeBufferPointer { ab in
            b.withUnsafeBufferPointer { bb in
                c.withUnsafeBufferPointer { cb in
                    g.withUnsafeBufferPointer { gb in
                        g1.withUnsafeMutableBufferPointer { o1 in
                            g2.withUnsafeMutableBufferPointer { o2 in
                                do throws(LossError) {
                                    try call(ab, bb, cb, gb, want.0 ? o1 : nil, want.1 ? o2 : nil)
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

    static func marginRanking<T: LossFloat>(_ a: [T], _ b: [T], _ y: [T], margin: Double,
                                            reduction: Reduction) throws(LossError) -> [T] {
        try threeInputOutput(a, b, y, reduction: reduction) { ab, bb, yb, o throws(LossError) in
            try marginRankingLoss(ab, bb, target: yb, margin: margin, reduction: reduction, into: o)
        }
    }

    /// Both gradients (or one, the other buffer nil), for upstream gradient `g`.
    static func marginRankingGradients<T: LossFloat>(
        _ a: [T], _ b: [T], _ y: [T], margin: Double, reduction: Reduction, g: [T], want: (Bool, Bool) = (true, true)
    ) throws(LossError) -> ([T], [T]) {
        try pairGradients(a, b, y, g: g, want: want) { ab, bb, yb, gb, o1, o2 throws(LossError) in
            try marginRankingLossBackward(ab, bb, target: yb, margin: margin, reduction: reduction, gradOutput: gb,
                                          gradInput1: o1, gradInput2: o2)
        }
    }

    static func naive(_ a: Double, _ b: Double, _ y: Double, _ margin: Double) -> Double {
        max(-y * (a - b) + margin, 0)
    }

    @Test("margin_ranking_loss: values, every reduction", arguments: Reduction.allCases.filter { $0 != .batchMean })
    func marginRankingValues(reduction: Reduction) throws {
        var rng = SeededGenerator(seed: 7)
        let n = 37
        let a = [Double].random(n, using: &rng), b = [Double].random(n, using: &rng)
        let y = (0..<n).map { _ in [-1.0, 1.0, 0.0, 2.0].randomElement(using: &rng)! }
        let each = (0..<n).map { Self.naive(a[$0], b[$0], y[$0], 0.3) }
        let want: [Double] = reduction == .none ? each : reduction == .sum ? [each.reduce(0, +)] : [each.reduce(0, +) / Double(n)]
        expectClose(try Self.marginRanking(a, b, y, margin: 0.3, reduction: reduction), want, 1e-14)
        let f: [Float] = try Self.marginRanking(a.map(Float.init), b.map(Float.init), y.map(Float.init), margin: 0.3,
                                                reduction: reduction)
        expectClose(f, want, 1e-6)
    }

    @Test("margin_ranking_loss: gradients are the derivatives; each alone gives the same")
    func marginRankingGradients() throws {
        var rng = SeededGenerator(seed: 11)
        let n = 19
        let a = [Double].random(n, using: &rng), b = [Double].random(n, using: &rng)
        let y = (0..<n).map { _ in Double.random(in: 0..<1, using: &rng) < 0.5 ? -1.0 : 1.0 }
        let g = [Double].random(n, using: &rng)
        let (g1, g2) = try Self.marginRankingGradients(a, b, y, margin: 0.2, reduction: .none, g: g)
        let h = 1e-6
        for k in 0..<n {
            let d1 = (Self.naive(a[k] + h, b[k], y[k], 0.2) - Self.naive(a[k] - h, b[k], y[k], 0.2)) / (2 * h) * g[k]
            let d2 = (Self.naive(a[k], b[k] + h, y[k], 0.2) - Self.naive(a[k], b[k] - h, y[k], 0.2)) / (2 * h) * g[k]
            #expect(close(g1[k], d1, 1e-6) && close(g2[k], d2, 1e-6))
        }
        let (only1, untouched2) = try Self.marginRankingGradients(a, b, y, margin: 0.2, reduction: .none, g: g,
                                                                  want: (true, false))
        let (untouched1, only2) = try Self.marginRankingGradients(a, b, y, margin: 0.2, reduction: .none, g: g,
                                                                  want: (false, true))
        #expect(only1 == g1 && only2 == g2)
        #expect(untouched1.allSatisfy { $0 == 42 } && untouched2.allSatisfy { $0 == 42 })
        // 'mean': the upstream gradient divided by the count
        let (m1, _) = try Self.marginRankingGradients(a, b, y, margin: 0.2, reduction: .mean, g: [2.0])
        let (s1, _) = try Self.marginRankingGradients(a, b, y, margin: 0.2, reduction: .sum, g: [2.0 / Double(n)])
        expectClose(m1, s1, 1e-15)
    }

    @Test("margin_ranking_loss: threaded calls give the single-threaded bits")
    func marginRankingThreads() throws {
        var rng = SeededGenerator(seed: 3)
        let n = 300_001
        let a = [Float].random(n, using: &rng), b = [Float].random(n, using: &rng)
        let y = (0..<n).map { _ in Float(Double.random(in: 0..<1, using: &rng) < 0.5 ? -1 : 1) }
        let g = [Float](repeating: 1, count: 1)
        setThreadCount(1)
        let one = try Self.marginRanking(a, b, y, margin: 0.1, reduction: .mean)
        let (one1, one2) = try Self.marginRankingGradients(a, b, y, margin: 0.1, reduction: .sum, g: g)
        setThreadCount(4)
        let many = try Self.marginRanking(a, b, y, margin: 0.1, reduction: .mean)
        let (many1, many2) = try Self.marginRankingGradients(a, b, y, margin: 0.1, reduction: .sum, g: g)
        setThreadCount(0)
        #expect(one == many && one1 == many1 && one2 == many2)
    }

    @Test("margin_ranking_loss: argument checks")
    func marginRankingChecks() {
        let a: [Double] = [1, 2], b: [Double] = [1], y: [Double] = [1, 1]
        #expect(throws: LossError.bufferSize(expected: 2, actual: 1)) {
            try Self.marginRanking(a, b, y, margin: 0, reduction: .mean)
        }
        #expect(throws: LossError.invalidReduction) {
            try Self.marginRanking(a, a, y, margin: 0, reduction: .batchMean)
        }
        #expect(throws: LossError.bufferSize(expected: 1, actual: 2)) {
            try Self.marginRankingGradients(a, a, y, margin: 0, reduction: .sum, g: [1, 1])
        }
        let empty: [Double] = []
        #expect((try? Self.marginRanking(empty, empty, empty, margin: 1, reduction: .mean))?[0].isNaN == true)
        #expect((try? Self.marginRanking(empty, empty, empty, margin: 1, reduction: .sum)) == [0])
    }

    // MARK: - gaussian_nll_loss

    static func gaussianNLL<T: LossFloat>(_ x: [T], _ t: [T], _ v: [T], full: Bool = false, eps: Double = 1e-6,
                                          reduction: Reduction) throws(LossError) -> [T] {
        try threeInputOutput(x, t, v, reduction: reduction) { xb, tb, vb, o throws(LossError) in
            try gaussianNLLLoss(xb, target: tb, variance: vb, full: full, eps: eps, reduction: reduction, into: o)
        }
    }

    /// Both gradients (input, var), or one, the other buffer nil (then left at 42).
    static func gaussianNLLGradients<T: LossFloat>(
        _ x: [T], _ t: [T], _ v: [T], eps: Double = 1e-6, reduction: Reduction, g: [T],
        want: (Bool, Bool) = (true, true)
    ) throws(LossError) -> ([T], [T]) {
        try pairGradients(x, t, v, g: g, want: want) { xb, tb, vb, gb, ox, ov throws(LossError) in
            try gaussianNLLLossBackward(xb, target: tb, variance: vb, eps: eps, reduction: reduction, gradOutput: gb,
                                        gradInput: ox, gradVariance: ov)
        }
    }

    static func naiveGaussian(_ x: Double, _ t: Double, _ v: Double, eps: Double = 1e-6, full: Bool = false) -> Double {
        let c = v.isNaN ? v : max(v, eps)
        return 0.5 * (Double.log(c) + (x - t) * (x - t) / c) + (full ? 0.5 * Double.log(2 * Double.pi) : 0)
    }

    @Test("gaussian_nll_loss: values, every reduction, full", arguments: [false, true])
    func gaussianValues(full: Bool) throws {
        var rng = SeededGenerator(seed: 17)
        let n = 37
        let x = [Double].random(n, using: &rng), t = [Double].random(n, using: &rng)
        var v = [Double].random(n, in: 0.01...3, using: &rng)
        v[3] = 0; v[5] = 1e-9; v[7] = 1e-6
        let each = (0..<n).map { Self.naiveGaussian(x[$0], t[$0], v[$0], full: full) }
        for reduction in [Reduction.none, .sum, .mean] {
            let want: [Double] = reduction == .none ? each
                : reduction == .sum ? [each.reduce(0, +)] : [each.reduce(0, +) / Double(n)]
            expectClose(try Self.gaussianNLL(x, t, v, full: full, reduction: reduction), want, 1e-13)
            // Float: eps rounded to Float, as PyTorch's clamp_ of a float32 tensor
            let eps32 = Double(Float(1e-6))
            let want32 = (0..<n).map { Self.naiveGaussian(Double(Float(x[$0])), Double(Float(t[$0])),
                                                          Double(Float(v[$0])), eps: eps32, full: full) }
            let reduced32: [Double] = reduction == .none ? want32
                : reduction == .sum ? [want32.reduce(0, +)] : [want32.reduce(0, +) / Double(n)]
            let f: [Float] = try Self.gaussianNLL(x.map(Float.init), t.map(Float.init), v.map(Float.init), full: full,
                                                  reduction: reduction)
            expectClose(f, reduced32, 2e-6)
        }
    }

    @Test("gaussian_nll_loss: NaN var and NaN eps give NaN; var = 0 takes eps; a negative var is refused")
    func gaussianSpecialValues() throws {
        let x: [Double] = [1, 1, 1], t: [Double] = [0, 0, 0]
        let v: [Double] = [.nan, 0, 1e-6]
        let out = try Self.gaussianNLL(x, t, v, reduction: .none)
        #expect(out[0].isNaN && out[1] == out[2])
        #expect(try Self.gaussianNLL(x, t, [1, 1, 1], eps: .nan, reduction: .none).allSatisfy { $0.isNaN })
        // a NaN eps makes the clamped var NaN: the gradients too
        let (gx, gv) = try Self.gaussianNLLGradients(x, t, [1, 1, 1], eps: .nan, reduction: .none, g: [1, 1, 1])
        #expect(gx.allSatisfy { $0.isNaN } && gv.allSatisfy { $0.isNaN })
        var output: [Double] = [42, 42, 42]
        #expect(throws: LossError.invalidArgument("var has negative entry/entries")) {
            output = try Self.gaussianNLL(x, t, [1, -0.5, 1], reduction: .none)
        }
        #expect(output == [42, 42, 42])
        #expect(throws: LossError.invalidArgument("var has negative entry/entries")) {
            try Self.gaussianNLLGradients(x, t, [1, 1, -1e-300], reduction: .sum, g: [1])
        }
        // -0.0 is not negative (torch's var < 0)
        #expect(try Self.gaussianNLL(x, t, [1, -0.0, 1], reduction: .sum)[0].isFinite)
    }

    @Test("gaussian_nll_loss: gradients are the derivatives; var's passes through the clamp; each alone")
    func gaussianGradients() throws {
        var rng = SeededGenerator(seed: 23)
        let n = 19
        let x = [Double].random(n, using: &rng), t = [Double].random(n, using: &rng)
        let v = [Double].random(n, in: 0.2...3, using: &rng)
        let g = [Double].random(n, using: &rng)
        let (gx, gv) = try Self.gaussianNLLGradients(x, t, v, reduction: .none, g: g)
        let h = 1e-6
        for k in 0..<n {
            let dx = (Self.naiveGaussian(x[k] + h, t[k], v[k]) - Self.naiveGaussian(x[k] - h, t[k], v[k])) / (2 * h) * g[k]
            let dv = (Self.naiveGaussian(x[k], t[k], v[k] + h) - Self.naiveGaussian(x[k], t[k], v[k] - h)) / (2 * h) * g[k]
            #expect(close(gx[k], dx, 1e-6) && close(gv[k], dv, 1e-6))
        }
        // below eps: the gradient at eps, handed to var (PyTorch's examples)
        let (_, clamped) = try Self.gaussianNLLGradients([1, 0], [0, 0], [1e-9, 1e-8], reduction: .sum, g: [1])
        #expect(close(clamped[0], 0.5 * (1 / 1e-6 - 1 / 1e-12), 1e-12) && close(clamped[1], 0.5 / 1e-6, 1e-12))
        let (onlyX, untouchedV) = try Self.gaussianNLLGradients(x, t, v, reduction: .none, g: g, want: (true, false))
        let (untouchedX, onlyV) = try Self.gaussianNLLGradients(x, t, v, reduction: .none, g: g, want: (false, true))
        #expect(onlyX == gx && onlyV == gv)
        #expect(untouchedX.allSatisfy { $0 == 42 } && untouchedV.allSatisfy { $0 == 42 })
        // 'mean': the upstream gradient divided by the count
        let (m1, m2) = try Self.gaussianNLLGradients(x, t, v, reduction: .mean, g: [2.0])
        let (s1, s2) = try Self.gaussianNLLGradients(x, t, v, reduction: .sum, g: [2.0 / Double(n)])
        expectClose(m1, s1, 1e-15)
        expectClose(m2, s2, 1e-15)
    }

    @Test("gaussian_nll_loss: threaded calls give the single-threaded bits")
    func gaussianThreads() throws {
        var rng = SeededGenerator(seed: 5)
        let n = 300_001
        let x = [Float].random(n, using: &rng), t = [Float].random(n, using: &rng)
        let v = [Float].random(n, in: 0...2, using: &rng)
        let g = [Float](repeating: 1, count: 1)
        setThreadCount(1)
        let one = try Self.gaussianNLL(x, t, v, full: true, reduction: .mean)
        let (one1, one2) = try Self.gaussianNLLGradients(x, t, v, reduction: .sum, g: g)
        setThreadCount(4)
        let many = try Self.gaussianNLL(x, t, v, full: true, reduction: .mean)
        let (many1, many2) = try Self.gaussianNLLGradients(x, t, v, reduction: .sum, g: g)
        var late = v
        late[n - 1] = -1  // the sign check reads the last chunk too
        #expect(throws: LossError.invalidArgument("var has negative entry/entries")) {
            try Self.gaussianNLL(x, t, late, reduction: .sum)
        }
        setThreadCount(0)
        #expect(one == many && one1 == many1 && one2 == many2)
    }

    @Test("gaussian_nll_loss: argument checks")
    func gaussianChecks() {
        let a: [Double] = [1, 2], b: [Double] = [1]
        #expect(throws: LossError.bufferSize(expected: 2, actual: 1)) {
            try Self.gaussianNLL(a, a, b, reduction: .mean)
        }
        #expect(throws: LossError.invalidReduction) {
            try Self.gaussianNLL(a, a, a, reduction: .batchMean)
        }
        #expect(throws: LossError.bufferSize(expected: 1, actual: 2)) {
            try Self.gaussianNLLGradients(a, a, a, reduction: .sum, g: [1, 1])
        }
        let empty: [Double] = []
        #expect((try? Self.gaussianNLL(empty, empty, empty, reduction: .mean))?[0].isNaN == true)
        #expect((try? Self.gaussianNLL(empty, empty, empty, reduction: .sum)) == [0])
    }
}
