import RealModule
@testable import SwiftLoss
import Testing

/// multilabel_soft_margin_loss: the per-row mean of w ((1 - t) x - logsigmoid(x)) written out
/// in float64, the weight per class and per element, the empty cases, and the gradient against
/// central differences.
@Suite("multilabel_soft_margin_loss")
struct MultiLabelTests {
    static func naive(_ x: [Double], _ t: [Double], _ w: [Double]?, classes: Int) -> [Double] {
        let batch = classes == 0 ? 0 : x.count / classes
        return (0..<batch).map { n in
            var s = 0.0
            for c in 0..<classes {
                let k = n * classes + c
                let logSigmoid = -Double.log(onePlus: Double.exp(-x[k]))
                let wk = w.map { $0.count == classes ? $0[c] : $0[k] } ?? 1
                s += wk * ((1 - t[k]) * x[k] - logSigmoid)
            }
            return s / Double(classes)
        }
    }

    static func run(_ x: [Double], _ t: [Double], _ w: [Double]?, batch: Int, classes: Int,
                    reduction: Reduction) throws(LossError) -> [Double] {
        var out = [Double](repeating: -1, count: reduction.outputCount(for: batch))
        var failure: LossError?
        x.withUnsafeBufferPointer { xb in
            t.withUnsafeBufferPointer { tb in
                out.withUnsafeMutableBufferPointer { o in
                    do throws(LossError) {
                        try withOptional(w) { wb throws(LossError) in
                            try multilabelSoftMarginLoss(xb, target: tb, batch: batch, classes: classes, weight: wb,
                                                         reduction: reduction, into: o)
                        }
                    } catch { failure = error }
                }
            }
        }
        if let failure { throw failure }
        return out
    }

    @Test("values: no weight, per class, per element; every reduction")
    func values() throws {
        var rng = SeededGenerator(seed: 31)
        let batch = 5, classes = 19
        let x = [Double].random(batch * classes, in: -4...4, using: &rng)
        let t = [Double].random(batch * classes, in: 0...1, using: &rng)
        for w in [nil, [Double].random(classes, in: 0...2, using: &rng), [Double].random(batch * classes, in: 0...2, using: &rng)] {
            let rows = Self.naive(x, t, w, classes: classes)
            expectClose(try Self.run(x, t, w, batch: batch, classes: classes, reduction: .none), rows, 1e-13)
            expectClose(try Self.run(x, t, w, batch: batch, classes: classes, reduction: .sum), [rows.reduce(0, +)], 1e-13)
            expectClose(try Self.run(x, t, w, batch: batch, classes: classes, reduction: .mean),
                        [rows.reduce(0, +) / Double(batch)], 1e-13)
        }
    }

    @Test("empty: no rows ('sum' 0, 'mean' NaN), rows of no classes (NaN); bad weight and reduction")
    func edges() throws {
        #expect(try Self.run([], [], nil, batch: 0, classes: 3, reduction: .sum) == [0])
        #expect(try Self.run([], [], nil, batch: 0, classes: 3, reduction: .mean)[0].isNaN)
        #expect(try Self.run([], [], nil, batch: 2, classes: 0, reduction: .none).allSatisfy(\.isNaN))
        #expect(throws: LossError.self) { try Self.run([1, 2], [0, 1], [1, 1, 1], batch: 1, classes: 2, reduction: .sum) }
        #expect(throws: LossError.invalidReduction) { try Self.run([1, 2], [0, 1], nil, batch: 1, classes: 2, reduction: .batchMean) }
    }

    @Test("gradient against central differences")
    func gradient() throws {
        var rng = SeededGenerator(seed: 37)
        let batch = 3, classes = 7
        let x = [Double].random(batch * classes, in: -3...3, using: &rng)
        let t = [Double].random(batch * classes, in: 0...1, using: &rng)
        let w = [Double].random(classes, in: 0.5...2, using: &rng)
        let g = [Double].random(batch, in: -1...1, using: &rng)
        var grad = [Double](repeating: 0, count: x.count)
        x.withUnsafeBufferPointer { xb in t.withUnsafeBufferPointer { tb in w.withUnsafeBufferPointer { wb in
            g.withUnsafeBufferPointer { gb in grad.withUnsafeMutableBufferPointer { o in
                try? multilabelSoftMarginLossBackward(xb, target: tb, batch: batch, classes: classes, weight: wb,
                                                      reduction: .none, gradOutput: gb, into: o)
            } }
        } } }
        let h = 1e-6
        for k in 0..<x.count {
            var up = x, down = x
            up[k] += h
            down[k] -= h
            let f = { (v: [Double]) throws(LossError) -> Double in
                zip(try Self.run(v, t, w, batch: batch, classes: classes, reduction: .none), g).map { $0 * $1 }.reduce(0, +)
            }
            let numeric = (try f(up) - (try f(down))) / (2 * h)
            #expect(Swift.abs(grad[k] - numeric) <= 1e-7 * max(1, Swift.abs(numeric)))
        }
    }
}
