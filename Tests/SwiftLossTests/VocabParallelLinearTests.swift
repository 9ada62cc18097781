@testable import SwiftLoss
import Testing

/// The sharded LM head: weight rows split over simulated ranks (17, 0 and 23 of 40 classes), the
/// all-reduces done by hand, against linearCrossEntropy on the full weight.
@Suite("vocab_parallel_linear")
struct VocabParallelLinearTests {
    static let widths = [17, 0, 23], starts = [0, 17, 17], classes = 40, batch = 9, hidden = 5

    /// Buffers that live until the end of a test.
    final class Arena {
        var blocks: [UnsafeMutableBufferPointer<Double>] = []
        func copy(_ a: [Double]) -> UnsafeMutableBufferPointer<Double> {
            let p = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(a.count, 1))
            p.initialize(repeating: 0)
            for (i, v) in a.enumerated() { p[i] = v }
            blocks.append(p)
            return UnsafeMutableBufferPointer(rebasing: p[0 ..< a.count])
        }
        func zeros(_ n: Int) -> UnsafeMutableBufferPointer<Double> { copy([Double](repeating: 0, count: n)) }
        deinit { for b in blocks { b.deallocate() } }
    }

    @Test("loss, grad_input and each rank's weight and bias rows are linearCrossEntropy's")
    func sharded() throws {
        var rng = SeededGenerator(seed: 21)
        let n = Self.batch, h = Self.hidden, classes = Self.classes
        let x = [Double].random(n * h, in: -2...2, using: &rng), W = [Double].random(classes * h, in: -1...1, using: &rng)
        let b = [Double].random(classes, in: -1...1, using: &rng), cw = [Double].random(classes, in: 0.1...2, using: &rng)
        var t = randomTargets(n, classes: classes, using: &rng)
        t[1] = -100
        let a = Arena()
        let xb = UnsafeBufferPointer(a.copy(x))
        try t.withUnsafeBufferPointer { targets in
            for reduction in [Reduction.none, .sum, .mean] {
                for weight in [nil, UnsafeBufferPointer(a.copy(cw))] {
                    for eps in [0.0, 0.3] {
                        let outs = reduction.outputCount(for: n)
                        let g = UnsafeBufferPointer(a.copy([Double].random(outs, in: 0.5...1.5, using: &rng)))
                        // The reference on the full weight.
                        let want = a.zeros(outs), wx = a.zeros(n * h), wW = a.zeros(classes * h), wb = a.zeros(classes)
                        try linearCrossEntropy(xb, linearWeight: UnsafeBufferPointer(a.copy(W)),
                                               linearBias: UnsafeBufferPointer(a.copy(b)), targets: .classIndices(targets),
                                               batch: n, hidden: h, classes: classes, weight: weight, reduction: reduction,
                                               labelSmoothing: eps, gradOutput: g,
                                               into: LinearCrossEntropyOutputs(loss: want, gradInput: wx,
                                                                               gradLinearWeight: wW, gradLinearBias: wb))
                        // The three ranks: stats, MAX, rescale, SUM, loss, backward, SUM of grad_input.
                        var local: [UnsafeMutableBufferPointer<Double>] = [], stats: [UnsafeMutableBufferPointer<Double>] = []
                        var rowMax = [Double](repeating: -.infinity, count: n)
                        for r in 0..<3 {
                            let rows = Array(W[Self.starts[r] * h ..< (Self.starts[r] + Self.widths[r]) * h])
                            let bias = Array(b[Self.starts[r] ..< Self.starts[r] + Self.widths[r]])
                            let m = a.zeros(n), s = a.zeros(3 * n)
                            try vocabParallelLinearStats(xb, linearWeight: UnsafeBufferPointer(a.copy(rows)),
                                                         linearBias: UnsafeBufferPointer(a.copy(bias)), batch: n, hidden: h,
                                                         shardClasses: Self.widths[r], vocabStart: Self.starts[r],
                                                         classes: classes, targets: targets, weight: weight,
                                                         ignoreIndex: -100, labelSmoothing: eps, localMax: m, stats: s)
                            for i in 0..<n { rowMax[i] = max(rowMax[i], m[i]) }
                            local.append(m)
                            stats.append(s)
                        }
                        let M = UnsafeBufferPointer(a.copy(rowMax)), sum = a.zeros(3 * n)
                        for r in 0..<3 {
                            try vocabParallelRescale(UnsafeBufferPointer(local[r]), batch: n, shardClasses: Self.widths[r],
                                                     vocabStart: Self.starts[r], classes: classes, targets: targets,
                                                     weight: weight, ignoreIndex: -100, labelSmoothing: eps, rowMax: M,
                                                     stats: stats[r])
                            for k in 0..<(3 * n) { sum[k] += stats[r][k] }
                        }
                        let loss = a.zeros(outs)
                        try vocabParallelLoss(targets: targets, batch: n, classes: classes, weight: weight,
                                              ignoreIndex: -100, reduction: reduction, labelSmoothing: eps, rowMax: M,
                                              stats: UnsafeBufferPointer(sum), into: loss)
                        expectClose(Array(loss), Array(want), 1e-12)
                        var gx = [Double](repeating: 0, count: n * h)
                        for r in 0..<3 {
                            let lo = Self.starts[r], hi = lo + Self.widths[r]
                            let part = a.zeros(n * h), gW = a.zeros(Self.widths[r] * h), gb = a.zeros(Self.widths[r])
                            try vocabParallelLinearBackward(
                                xb, linearWeight: UnsafeBufferPointer(a.copy(Array(W[lo * h ..< hi * h]))),
                                linearBias: UnsafeBufferPointer(a.copy(Array(b[lo ..< hi]))), batch: n, hidden: h,
                                shardClasses: hi - lo, vocabStart: lo, classes: classes, targets: targets, weight: weight,
                                ignoreIndex: -100, reduction: reduction, labelSmoothing: eps, rowMax: M,
                                stats: UnsafeBufferPointer(sum), gradOutput: g, gradInput: part, gradLinearWeight: gW,
                                gradLinearBias: gb)
                            for k in 0..<(n * h) { gx[k] += part[k] }
                            expectClose(Array(gW), Array(wW[lo * h ..< hi * h]), 1e-12)
                            expectClose(Array(gb), Array(wb[lo ..< hi]), 1e-12)
                        }
                        expectClose(gx, Array(wx), 1e-12)
                    }
                }
            }
        }
    }

    @Test("a shard outside [0, classes), a bad weight row count, a bad target: refused, nothing written")
    func checks() {
        let a = Arena()
        let x = UnsafeBufferPointer(a.copy([1, 2, 3, 4])), W = UnsafeBufferPointer(a.copy([1, 0, 0, 1, 1, 1]))
        let m = a.copy([7, 7]), s = a.copy([Double](repeating: 7, count: 6))
        func stats(start: Int, classes: Int, weightRows: Int = 3, targets: [Int64] = [0, 1]) -> LossError? {
            targets.withUnsafeBufferPointer { tb in
                do throws(LossError) {
                    try vocabParallelLinearStats(x, linearWeight: UnsafeBufferPointer(rebasing: W[0 ..< weightRows * 2]),
                                                 linearBias: nil, batch: 2, hidden: 2, shardClasses: 3, vocabStart: start,
                                                 classes: classes, targets: tb, weight: nil, ignoreIndex: -100,
                                                 labelSmoothing: 0, localMax: m, stats: s)
                    return nil
                } catch { return error }
            }
        }
        #expect(stats(start: 1, classes: 3) == .invalidArgument("the shard [vocab_start, vocab_start + shard_classes) is not inside [0, classes)"))
        #expect(stats(start: 0, classes: 0) == .zeroClasses)
        #expect(stats(start: 0, classes: 3, weightRows: 2) == .bufferSize(expected: 6, actual: 4))
        #expect(stats(start: 0, classes: 3, targets: [0, 3]) == .targetOutOfBounds(target: 3))
        #expect(Array(m) == [7, 7] && Array(s) == [Double](repeating: 7, count: 6))
        #expect(stats(start: 1, classes: 4) == nil)
        #expect(m[0] == 3 && m[1] == 7)  // rows (1, 2) and (3, 4) times the weight rows (1, 0), (0, 1), (1, 1)
    }
}
