@testable import SwiftLoss
import Testing

@Suite("nll_loss")
struct NegativeLogLikelihoodTests {
    @Test("article A: nll_loss(log_softmax(preds), target) = 1.364415")
    func articleA() throws {
        let preds: [Float] = [0.1, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.1]
        let lp = try logSoftmax(preds, outer: 2, dim: 4)
        let loss = try nll(lp, [2, 3], batch: 2, classes: 4)
        expectClose(loss, [1.364415], 1e-6)
        expectClose(loss, [1.3644], 5e-5)
        // The article's manual form: -sum(one_hot * log_softmax) / N.
        let manual = -(lp[2] + lp[7]) / 2
        expectClose(loss, [manual], 1e-7)
    }

    @Test("article B: NLLLoss(LogSoftmax(inputs)) = 1.272919")
    func articleB() throws {
        let lp = try logSoftmax([Float](arrayLiteral: -0.5, -0.2, -0.3), outer: 1, dim: 3)
        expectClose(try nll(lp, [0], batch: 1, classes: 3), [1.272919], 1e-6)
    }

    @Test("article E: probabilities (not log-probabilities) give -mean(p[target])")
    func articleE() throws {
        var rng = SeededGenerator(seed: 4)
        let p = try softmax([Float].random(10, using: &rng), outer: 5, dim: 2)
        let t: [Int64] = [0, 1, 1, 0, 1]
        let loss = try nll(p, t, batch: 5, classes: 2)[0]
        let expected = -(0..<5).map { Double(p[$0 * 2 + Int(t[$0])]) }.reduce(0, +) / 5
        #expect(loss < 0)
        #expect(close(Double(loss), expected, 1e-6))
    }

    @Test("weights: each loss times weight[target]; mean divides by the summed weights")
    func weights() throws {
        let x: [Double] = [-1, -2, -3, -4, -5, -6]
        let w: [Double] = [1, 2, 3]
        #expect(try nll(x, [0, 2], batch: 2, classes: 3, weight: w, reduction: .none) == [1, 18])
        #expect(try nll(x, [0, 2], batch: 2, classes: 3, weight: w, reduction: .sum) == [19])
        #expect(try nll(x, [0, 2], batch: 2, classes: 3, weight: w, reduction: .mean) == [19.0 / 4])
        // Negative weights are not checked (PyTorch); zero weights make the mean 0 / 0.
        #expect(try nll(x, [0, 2], batch: 2, classes: 3, weight: [-1, 0, 1], reduction: .sum) == [-1 + 6])
        #expect(try nll(x, [1, 1], batch: 2, classes: 3, weight: [1, 0, 1])[0].isNaN)
    }

    @Test("ignore_index: any value, checked before the bounds; ignored samples do not count")
    func ignoreIndex() throws {
        let x: [Float] = [-1, -2, -3, -4, -5, -6, -7, -8, -9]
        #expect(try nll(x, [0, 255, 2], batch: 3, classes: 3, ignore: 255, reduction: .none) == [1, 0, 9])
        #expect(try nll(x, [0, 255, 2], batch: 3, classes: 3, ignore: 255) == [5])
        // ignore_index naming a real class.
        #expect(try nll(x, [0, 1, 1], batch: 3, classes: 3, ignore: 1) == [1])
        // Every target ignored, or an empty batch: mean NaN, sum 0, none zeros.
        #expect(try nll(x, [-100, -100, -100], batch: 3, classes: 3)[0].isNaN)
        #expect(try nll(x, [-100, -100, -100], batch: 3, classes: 3, reduction: .sum) == [0])
        #expect(try nll(x, [-100, -100, -100], batch: 3, classes: 3, reduction: .none) == [0, 0, 0])
        #expect(try nll([Float](), [], batch: 0, classes: 3)[0].isNaN)
        #expect(try nll([Float](), [], batch: 0, classes: 3, reduction: .sum) == [0])
    }

    @Test("bad arguments throw and leave the output untouched")
    func badArguments() throws {
        let x: [Float] = [-1, -2, -3, -4, -5, -6]
        #expect(throws: LossError.targetOutOfBounds(target: 5)) { try nll(x, [0, 5], batch: 2, classes: 3) }
        #expect(throws: LossError.targetOutOfBounds(target: -1)) { try nll(x, [-1, 0], batch: 2, classes: 3) }
        #expect(throws: LossError.weightSize(expected: 3, actual: 2)) {
            try nll(x, [0, 1], batch: 2, classes: 3, weight: [1, 2])
        }
        #expect(throws: LossError.zeroClasses) { try nll([Float](), [0, 1], batch: 2, classes: 0) }
        #expect(throws: LossError.invalidReduction) { try nll(x, [0, 1], batch: 2, classes: 3, reduction: .batchMean) }
        #expect(throws: LossError.bufferSize(expected: 2, actual: 3)) { try nll(x, [0, 1, 1], batch: 2, classes: 3) }

        var out: [Float] = [42, 42]
        let layout = try ClassLayout(batch: 2, classes: 3, of: Float.self)
        _ = x.withUnsafeBufferPointer { xb in
            [Int64](arrayLiteral: 0, 7).withUnsafeBufferPointer { tb in
                out.withUnsafeMutableBufferPointer { o in
                    #expect(throws: LossError.targetOutOfBounds(target: 7)) {
                        try nllLoss(xb, targets: tb, layout: layout, reduction: .none, into: o)
                    }
                }
            }
        }
        #expect(out == [42, 42])
    }
}
