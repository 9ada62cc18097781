import RealModule
@testable import SwiftLoss
import Testing

/// mse_loss, l1_loss, smooth_l1_loss, huber_loss, soft_margin_loss, hinge_embedding_loss,
/// poisson_nll_loss (log_input, full): the formulas in float64
/// written out here, the weighted means, beta == 0, the argument checks, and the gradients
/// against central differences.
@Suite("regression losses")
struct RegressionTests {
    enum Kind: CaseIterable { case mse, l1, smoothL1, huber, softMargin, hinge, poisson }

    static func naive(_ kind: Kind, _ x: Double, _ t: Double, beta: Double = 1, delta: Double = 1) -> Double {
        let d = x - t, z = Swift.abs(d)
        switch kind {
        case .mse: return d * d
        case .l1: return z
        case .smoothL1: return beta == 0 ? z : (z < beta ? 0.5 * z * z / beta : z - 0.5 * beta)
        case .huber: return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta)
        case .softMargin: return Double.log(1 + Double.exp(-t * x))
        case .hinge: return (t != 1 ? max(delta - x, 0) : 0) + (t != -1 ? x : 0)  // delta as the margin
        case .poisson:  // log_input and full: the Stirling term where t > 1
            let stirling = t > 1 ? t * Double.log(t) - t + 0.5 * Double.log(2 * Double.pi * t) : 0
            return Double.exp(x) - t * x + stirling
        }
    }

    static func run<T: LossFloat>(_ kind: Kind, _ x: [T], _ t: [T], weight: [T]? = nil, beta: Double = 1,
                                  delta: Double = 1, reduction: Reduction = .mean) throws(LossError) -> [T] {
        try withOptional(weight) { w throws(LossError) in
            try elementwise(x, t, reduction) { xb, tb, o throws(LossError) in
                switch kind {
                case .mse: try mseLoss(xb, target: tb, weight: w, reduction: reduction, into: o)
                case .l1: try l1Loss(xb, target: tb, weight: w, reduction: reduction, into: o)
                case .smoothL1: try smoothL1Loss(xb, target: tb, beta: beta, reduction: reduction, into: o)
                case .huber: try huberLoss(xb, target: tb, weight: w, delta: delta, reduction: reduction, into: o)
                case .softMargin: try softMarginLoss(xb, target: tb, reduction: reduction, into: o)
                case .hinge: try hingeEmbeddingLoss(xb, target: tb, margin: delta, reduction: reduction, into: o)
                case .poisson: try poissonNLLLoss(xb, target: tb, logInput: true, full: true, reduction: reduction, into: o)
                }
            }
        }
    }

    static func gradient(_ kind: Kind, _ x: [Double], _ t: [Double], weight: [Double]? = nil, beta: Double = 1,
                         delta: Double = 1, reduction: Reduction, g: [Double]) throws(LossError) -> [Double] {
        var out = [Double](repeating: 0, count: x.count)
        var failure: LossError?
        x.withUnsafeBufferPointer { xb in
            t.withUnsafeBufferPointer { tb in
                g.withUnsafeBufferPointer { gb in
                    out.withUnsafeMutableBufferPointer { o in
                        do throws(LossError) {
                            try withOptional(weight) { w throws(LossError) in
                                switch kind {
                                case .mse: try mseLossBackward(xb, target: tb, weight: w, reduction: reduction, gradOutput: gb, into: o)
                                case .l1: try l1LossBackward(xb, target: tb, weight: w, reduction: reduction, gradOutput: gb, into: o)
                                case .smoothL1: try smoothL1LossBackward(xb, target: tb, beta: beta, reduction: reduction, gradOutput: gb, into: o)
                                case .huber: try huberLossBackward(xb, target: tb, weight: w, delta: delta, reduction: reduction, gradOutput: gb, into: o)
                                case .softMargin: try softMarginLossBackward(xb, target: tb, reduction: reduction, gradOutput: gb, into: o)
                                case .hinge: try hingeEmbeddingLossBackward(xb, target: tb, margin: delta, reduction: reduction, gradOutput: gb, into: o)
                                case .poisson:
                                    try poissonNLLLossBackward(xb, target: tb, logInput: true, full: true, reduction: reduction,
                                                               gradOutput: gb, into: o)
                                }
                            }
                        } catch { failure = error }
                    }
                }
            }
        }
        if let failure { throw failure }
        return out
    }

    @Test("values against the formulas, float64 and float32, every reduction", arguments: Kind.allCases)
    func values(kind: Kind) throws {
        var rng = SeededGenerator(seed: 71)
        let n = 37
        let x = [Double].random(n, in: -3...3, using: &rng)
        let t = kind == .softMargin || kind == .hinge ? (0..<n).map { [1.0, -1.0, 1.0, -1.0, 0.5][$0 % 5] }
                                                      : [Double].random(n, in: -3...3, using: &rng)
        let per = zip(x, t).map { Self.naive(kind, $0, $1, beta: 0.7, delta: 0.7) }
        expectClose(try Self.run(kind, x, t, beta: 0.7, delta: 0.7, reduction: .none), per, 1e-12)
        expectClose(try Self.run(kind, x, t, beta: 0.7, delta: 0.7, reduction: .sum), [per.reduce(0, +)], 1e-12)
        expectClose(try Self.run(kind, x, t, beta: 0.7, delta: 0.7), [per.reduce(0, +) / Double(n)], 1e-12)
        let xf = x.map { Float($0) }, tf = t.map { Float($0) }
        expectClose(try Self.run(kind, xf, tf, beta: 0.7, delta: 0.7, reduction: .none), per, 1e-5)
    }

    @Test("weighted means: mse and l1 divide by the summed weight, huber by the count")
    func weightedMeans() throws {
        let x: [Double] = [1, 2, 4], t: [Double] = [0, 0, 0], w: [Double] = [1, 0, 3]
        #expect(try Self.run(.mse, x, t, weight: w) == [49.0 / 4])
        #expect(try Self.run(.l1, x, t, weight: w) == [13.0 / 4])
        #expect(try Self.run(.huber, x, t, weight: w) == [(0.5 + 10.5) / 3])
        #expect(try Self.run(.mse, x, t, weight: [0, 0, 0])[0].isNaN)
    }

    @Test("beta == 0 is l1_loss; soft margin is finite past the float32 overflow")
    func edges() throws {
        let x: [Float] = [0.25, -3, 7], t: [Float] = [1, 1, -2]
        #expect(try Self.run(.smoothL1, x, t, beta: 0, reduction: .none) == (try Self.run(.l1, x, t, reduction: .none)))
        let big = try Self.run(.softMargin, [Float](arrayLiteral: -100, -1000), [1, 1], reduction: .none)
        #expect(big == [100, 1000])
    }

    @Test("argument checks: beta < 0, delta <= 0 or NaN, the weight's size, batchmean")
    func checks() throws {
        let x: [Float] = [1, 2], t: [Float] = [0, 0]
        #expect(throws: LossError.self) { try Self.run(.smoothL1, x, t, beta: -1) }
        #expect(throws: LossError.self) { try Self.run(.huber, x, t, delta: 0) }
        #expect(throws: LossError.self) { try Self.run(.huber, x, t, delta: .nan) }
        #expect(throws: LossError.weightSize(expected: 2, actual: 1)) { try Self.run(.mse, x, t, weight: [1]) }
        #expect(throws: LossError.invalidReduction) { try Self.run(.l1, x, t, reduction: .batchMean) }
        #expect(try Self.run(.smoothL1, x, t, beta: .nan)[0].isNaN)  // PyTorch: NaN, not an error
    }

    @Test("gradients against central differences, every reduction", arguments: Kind.allCases)
    func gradients(kind: Kind) throws {
        var rng = SeededGenerator(seed: 83)
        let n = 9
        // Away from the kinks (|d| = 0, beta, delta), where the difference quotient is exact enough.
        let x = [Double].random(n, in: -2...2, using: &rng)
        var t: [Double] = []
        for k in 0..<n {
            switch kind {
            case .softMargin: t.append(1)
            case .hinge: t.append([1.0, -1.0, 2.0][k % 3])
            default:
                let sign = Double(Int.random(in: 0...1, using: &rng)) * 2 - 1
                t.append(x[k] + sign * 0.3 * Double.random(in: 0.5...2, using: &rng))
            }
        }
        let weight = [.mse, .l1, .huber].contains(kind) ? [Double].random(n, in: 0.5...2, using: &rng) : nil
        for reduction in [Reduction.none, .sum, .mean] {
            let g = reduction == .none ? [Double].random(n, in: -1...1, using: &rng) : [0.7]
            let grad = try Self.gradient(kind, x, t, weight: weight, beta: 0.45, delta: 0.45, reduction: reduction, g: g)
            let h = 1e-6
            for k in 0..<n {
                var up = x, down = x
                up[k] += h
                down[k] -= h
                let f = { (v: [Double]) throws(LossError) -> Double in
                    let loss = try Self.run(kind, v, t, weight: weight, beta: 0.45, delta: 0.45, reduction: reduction)
                    return zip(loss, g).map { $0 * $1 }.reduce(0, +)
                }
                let numeric = (try f(up) - (try f(down))) / (2 * h)
                #expect(close(grad[k], numeric, 1e-6), "\(kind) \(reduction) element \(k): \(grad[k]) vs \(numeric)")
            }
        }
    }
}
