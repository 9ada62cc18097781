import RealModule
@testable import SwiftLoss
import Testing

/// The losses of three inputs with two learned (margin_ranking_loss): the formula in float64
/// written out here, the reductions, the gradients of both inputs against central differences
/// and alone (the other skipped), threaded calls equal to single-threaded ones, and the
/// argument checks.
@Suite("three-input losses")
struct ThreeInputTests {
    static func marginRanking<T: LossFloat>(_ a: [T], _ b: [T], _ y: [T], margin: Double,
                                            reduction: Reduction) throws(LossError) -> [T] {
        try withOutput(reduction.outputCount(for: a.count)) { o throws(LossError) in
            try a.withUnsafeBufferPointer { ab throws(LossError) in
                try b.withUnsafeBufferPointer { bb throws(LossError) in
                    try y.withUnsafeBufferPointer { yb throws(LossError) in
                        try marginRankingLoss(ab, bb, target: yb, margin: margin, reduction: reduction, into: o)
                    }
                }
            }
        }
    }

    /// Both gradients (or one, the other buffer nil), for upstream gradient `g`.
    static func marginRankingGradients<T: LossFloat>(
        _ a: [T], _ b: [T], _ y: [T], margin: Double, reduction: Reduction, g: [T], want: (Bool, Bool) = (true, true)
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
                                    try marginRankingLossBackward(ab, bb, target: yb, margin: margin, reduction: reduction,
                                                                  gradOutput: gb, gradInput1: want.0 ? o1 : nil,
                                                                  gradInput2: want.1 ? o2 : nil)
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
}
