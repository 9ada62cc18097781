import RealModule
@testable import SwiftLoss
import Testing

@Suite("binary_cross_entropy and binary_cross_entropy_with_logits")
struct BinaryCrossEntropyTests {
    static func naiveBCE(_ x: Double, _ t: Double) -> Double {
        -(t * max(Double.log(x), -100) + (1 - t) * max(Double.log(1 - x), -100))
    }

    static func naiveLogits(_ x: Double, _ t: Double, _ pw: Double) -> Double {
        // pw * t * softplus(-x) + (1 - t) * softplus(x), softplus written out directly.
        let softplus = { (v: Double) in v > 30 ? v + Double.log(1 + Double.exp(-v)) : Double.log(1 + Double.exp(v)) }
        return pw * t * softplus(-x) + (1 - t) * softplus(x)
    }

    @Test("BCE against the formula, float32 and float64, with a broadcast weight")
    func bceValues() throws {
        var rng = SeededGenerator(seed: 31)
        let (n, c) = (4, 3)
        let x = [Double].random(n * c, in: 0...1, using: &rng)
        let t = [Double].random(n * c, in: 0...1, using: &rng)
        let w = [Double].random(c, in: 0...2, using: &rng)
        let per = (0..<(n * c)).map { w[$0 % c] * Self.naiveBCE(x[$0], t[$0]) }
        expectClose(try bce(x, t, weight: w, reduction: .none), per, 1e-12)
        expectClose(try bce(x, t, weight: w, reduction: .sum), [per.reduce(0, +)], 1e-12)
        expectClose(try bce(x, t, weight: w), [per.reduce(0, +) / 12], 1e-12)
        expectClose(try bce(x.map { Float($0) }, t.map { Float($0) }, weight: w.map { Float($0) }, reduction: .none), per, 1e-5)
        // A full weight (one per element) is also a trailing broadcast.
        let full = (0..<(n * c)).map { w[$0 % c] }
        expectClose(try bce(x, t, weight: full, reduction: .none), per, 1e-12)
    }

    @Test("BCE clamps the log at -100: x = 0, t = 1 gives 100")
    func clamp() throws {
        #expect(try bce([Float](arrayLiteral: 0, 1, 0, 1), [1, 0, 0, 1], reduction: .none) == [100, 100, 0, 0])
    }

    @Test("BCE rejects input or target outside [0, 1], NaN included, input first")
    func bceRange() throws {
        #expect(throws: LossError.inputOutOfRange) { try bce([Float](arrayLiteral: 0.5, 1.5), [0, 1]) }
        #expect(throws: LossError.inputOutOfRange) { try bce([Float](arrayLiteral: .nan), [0]) }
        #expect(throws: LossError.targetOutOfRange) { try bce([Float](arrayLiteral: 0.5), [-0.1]) }
        #expect(throws: LossError.targetOutOfRange) { try bce([Double](arrayLiteral: 0.5), [.nan]) }
        #expect(throws: LossError.inputOutOfRange) { try bce([Double](arrayLiteral: 2), [2]) }
        #expect(throws: LossError.weightSize(expected: 4, actual: 3)) {
            try bce([Float](repeating: 0.5, count: 4), [Float](repeating: 0.5, count: 4), weight: [1, 1, 1])
        }
        #expect(throws: LossError.invalidReduction) { try bce([Float](arrayLiteral: 0.5), [0.5], reduction: .batchMean) }
        #expect(throws: LossError.bufferSize(expected: 2, actual: 1)) { try bce([Float](arrayLiteral: 0.5, 0.5), [0.5]) }
    }

    @Test("BCE with logits against the formula, weight and pos_weight broadcast")
    func logitsValues() throws {
        var rng = SeededGenerator(seed: 41)
        let (n, c) = (5, 4)
        let x = [Double].random(n * c, in: -20...20, using: &rng)
        let t = [Double].random(n * c, in: 0...1, using: &rng)
        let w = [Double].random(c, in: 0...2, using: &rng)
        let pw = [Double].random(c, in: 0.5...3, using: &rng)
        let per = (0..<(n * c)).map { w[$0 % c] * Self.naiveLogits(x[$0], t[$0], pw[$0 % c]) }
        expectClose(try bceLogits(x, t, weight: w, posWeight: pw, reduction: .none), per, 1e-12)
        expectClose(try bceLogits(x, t, weight: w, posWeight: pw), [per.reduce(0, +) / 20], 1e-12)
        let plain = (0..<(n * c)).map { Self.naiveLogits(x[$0], t[$0], 1) }
        expectClose(try bceLogits(x, t, reduction: .sum), [plain.reduce(0, +)], 1e-12)
        expectClose(try bceLogits(x.map { Float($0) }, t.map { Float($0) }, reduction: .none), plain, 1e-5)
        #expect(throws: LossError.weightSize(expected: 20, actual: 3)) { try bceLogits(x, t, posWeight: [1, 2, 3]) }
    }

    @Test("BCE with logits stays finite and exact for |x| in the hundreds")
    func logitsStable() throws {
        let l = try bceLogits([Float](arrayLiteral: 200, -200, 200, -200), [0, 1, 1, 0], reduction: .none)
        #expect(l == [200, 200, 0, 0])
        let d = try bceLogits([Double](arrayLiteral: 800, -800), [0, 1], posWeight: [3], reduction: .none)
        #expect(d == [800, 2400])
        // Agreement with the sigmoid-then-BCE route where that is accurate.
        let x: [Double] = [-3, -0.5, 0, 0.7, 4]
        let t: [Double] = [0, 1, 0.3, 1, 0]
        let p = x.map { 1 / (1 + Double.exp(-$0)) }
        expectClose(try bceLogits(x, t, reduction: .none), try bce(p, t, reduction: .none), 1e-12)
    }
}
