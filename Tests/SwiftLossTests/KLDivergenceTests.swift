import RealModule
@testable import SwiftLoss
import Testing

@Suite("kl_div")
struct KLDivergenceTests {
    @Test("pointwise values, 0 * log 0 = 0, and log_target")
    func values() throws {
        let input: [Double] = [-1, -2, -0.5, -3]
        let target: [Double] = [0.5, 0, 0.25, 0.25]
        let expected = zip(input, target).map { x, t in (t == 0 ? 0 : t * Double.log(t)) - t * x }
        expectClose(try kl(input, target, reduction: .none), expected, 1e-15)
        #expect(try kl(input, target, reduction: .none)[1] == 0)
        let logT = target.map { Double.log($0) }
        let expectedLog = zip(input, logT).map { x, lt in Double.exp(lt) * (lt - x) }
        expectClose(Array(try kl(input, logT, reduction: .none, logTarget: true)[2...]), Array(expectedLog[2...]), 1e-15)
        // log_target with t = log 0 = -inf: exp(-inf) * (-inf - x) = 0 * -inf = NaN, as PyTorch.
        #expect(try kl(input, logT, reduction: .none, logTarget: true)[1].isNaN)
    }

    @Test("reductions: sum, mean over elements, batchmean over the first dimension")
    func reductions() throws {
        var rng = SeededGenerator(seed: 51)
        let x = try logSoftmax([Float].random(12, using: &rng), outer: 3, dim: 4)
        let t = try softmax([Float].random(12, using: &rng), outer: 3, dim: 4)
        let per = try kl(x, t, reduction: .none).map(\.wide)
        let sum = per.reduce(0, +)
        expectClose(try kl(x, t, reduction: .sum), [sum], 1e-6)
        expectClose(try kl(x, t, reduction: .mean), [sum / 12], 1e-6)
        expectClose(try kl(x, t, reduction: .batchMean, batch: 3), [sum / 3], 1e-6)
        #expect(try kl([Float](), [], reduction: .batchMean, batch: 0)[0].isNaN)
        #expect(try kl([Float](), [], reduction: .mean)[0].isNaN)
        #expect(throws: LossError.self) { try kl(x, t, reduction: .batchMean, batch: 5) }
        #expect(throws: LossError.self) { try kl(x, t, reduction: .batchMean, batch: 0) }
        #expect(throws: LossError.bufferSize(expected: 12, actual: 11)) { try kl(x, Array(t.dropLast()), reduction: .sum) }
    }
}
