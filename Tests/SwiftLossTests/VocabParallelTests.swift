import RealModule
@testable import SwiftLoss
import Testing

/// Vocabulary-parallel cross_entropy: rows split over simulated ranks (17, 0 and 23 of 40
/// classes), the all-reduces done by hand, against crossEntropy on the full rows; the checks.
@Suite("vocab_parallel")
struct VocabParallelTests {
    static let widths = [17, 0, 23], starts = [0, 17, 17], classes = 40, batch = 7

    /// The loss of the split rows, through the four steps and the hand-made reductions.
    static func split(_ x: [Double], _ t: [Int64], weight: [Double]?, reduction: Reduction,
                      smoothing: Double) throws(LossError) -> [Double] {
        let n = batch
        var rowMax = [Double](repeating: -.infinity, count: n), stats = [Double](repeating: 0, count: 3 * n)
        var blocks: [[Double]] = []
        for r in 0..<3 {
            var block: [Double] = []
            for i in 0..<n {
                let first: Int = i * classes + starts[r]
                block += x[first ..< first + widths[r]]
            }
            blocks.append(block)
        }
        for r in 0..<3 {
            let m = try withOutput(n) { (o: UnsafeMutableBufferPointer<Double>) throws(LossError) in
                try blocks[r].withUnsafeBufferPointer { b throws(LossError) in
                    try vocabParallelMax(b, batch: n, shardClasses: widths[r], into: o)
                }
            }
            for i in 0..<n { rowMax[i] = max(rowMax[i], m[i]) }
        }
        for r in 0..<3 {
            let s = try withOptional(weight) { w throws(LossError) in
                try withOutput(3 * n) { (o: UnsafeMutableBufferPointer<Double>) throws(LossError) in
                    try blocks[r].withUnsafeBufferPointer { b throws(LossError) in
                        try t.withUnsafeBufferPointer { tb throws(LossError) in
                            try rowMax.withUnsafeBufferPointer { mb throws(LossError) in
                                try vocabParallelStats(b, batch: n, shardClasses: widths[r], vocabStart: starts[r],
                                                       classes: classes, targets: tb, weight: w, ignoreIndex: -100,
                                                       labelSmoothing: smoothing, rowMax: mb, into: o)
                            }
                        }
                    }
                }
            }
            for k in 0..<(3 * n) { stats[k] += s[k] }
        }
        return try withOptional(weight) { w throws(LossError) in
            try withOutput(reduction.outputCount(for: n)) { (o: UnsafeMutableBufferPointer<Double>) throws(LossError) in
                try t.withUnsafeBufferPointer { tb throws(LossError) in
                    try rowMax.withUnsafeBufferPointer { mb throws(LossError) in
                        try stats.withUnsafeBufferPointer { sb throws(LossError) in
                            try vocabParallelLoss(targets: tb, batch: n, classes: classes, weight: w, ignoreIndex: -100,
                                                  reduction: reduction, labelSmoothing: smoothing, rowMax: mb,
                                                  stats: sb, into: o)
                        }
                    }
                }
            }
        }
    }

    @Test("the split loss is cross_entropy's for every reduction, weight and label smoothing")
    func loss() throws {
        var rng = SeededGenerator(seed: 15)
        let batch = Self.batch, classes = Self.classes
        let x = [Double].random(batch * classes, in: -6...6, using: &rng)
        var t = randomTargets(batch, classes: classes, using: &rng)
        t[1] = -100
        let w = [Double].random(classes, in: 0.1...2, using: &rng)
        for reduction in [Reduction.none, .sum, .mean] {
            for weight in [nil, w] {
                for eps in [0.0, 0.3] {
                    let got = try Self.split(x, t, weight: weight, reduction: reduction, smoothing: eps)
                    let want = try ce(x, t, batch: batch, classes: classes, weight: weight, reduction: reduction,
                                      smoothing: eps)
                    expectClose(got, want, 1e-12)
                }
            }
        }
    }

    @Test("a shard outside [0, classes), zero classes, a bad target: refused")
    func checks() {
        let x = [Double](repeating: 0, count: 6), t: [Int64] = [0, 1], m = [0.0, 0.0]
        var s = [Double](repeating: 7, count: 6)
        func stats(start: Int, classes: Int, targets: [Int64] = t) -> LossError? {
            x.withUnsafeBufferPointer { xb in
                targets.withUnsafeBufferPointer { tb in
                    m.withUnsafeBufferPointer { mb in
                        s.withUnsafeMutableBufferPointer { sb in
                            do throws(LossError) {
                                try vocabParallelStats(xb, batch: 2, shardClasses: 3, vocabStart: start, classes: classes,
                                                       targets: tb, weight: nil, ignoreIndex: -100, labelSmoothing: 0,
                                                       rowMax: mb, into: sb)
                                return nil
                            } catch { return error }
                        }
                    }
                }
            }
        }
        #expect(stats(start: 1, classes: 3) == .invalidArgument("the shard [vocab_start, vocab_start + shard_classes) is not inside [0, classes)"))
        #expect(stats(start: 4, classes: 3) != nil)
        #expect(stats(start: 0, classes: 0) == .zeroClasses)
        #expect(stats(start: 0, classes: 3, targets: [0, 3]) == .targetOutOfBounds(target: 3))
        #expect(s == [Double](repeating: 7, count: 6))
        #expect(stats(start: 1, classes: 4) == nil)
    }
}
