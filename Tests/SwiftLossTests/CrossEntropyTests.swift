import RealModule
@testable import SwiftLoss
import Testing

@Suite("cross_entropy")
struct CrossEntropyTests {
    let preds: [Float] = [0.1, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.1]

    @Test("article A: cross_entropy, the smoothing term and label_smoothing=0.1")
    func articleA() throws {
        let plain = try ce(preds, [2, 3], batch: 2, classes: 4)
        expectClose(plain, [1.364415], 1e-6)
        expectClose(plain, [1.3644], 5e-5)
        // With eps = 1 the loss is the smoothing term alone: -sum(log_softmax) / (N * K).
        let smoothing = try ce(preds, [2, 3], batch: 2, classes: 4, smoothing: 1)
        expectClose(smoothing, [1.389415], 1e-6)
        expectClose(smoothing, [1.3894], 5e-5)
        let smoothed = try ce(preds, [2, 3], batch: 2, classes: 4, smoothing: 0.1)
        expectClose(smoothed, [1.366915], 1e-6)
        expectClose(smoothed, [1.3669], 5e-5)
        // The article's hand-written LabelSmoothing_CrossEntropy: 0.9 * nll + 0.1 * smoothing term.
        expectClose(smoothed, [0.9 * Double(plain[0]) + 0.1 * Double(smoothing[0])], 1e-6)
    }

    @Test("article B: the MNIST-style label, three ways")
    func articleB() throws {
        let inputs: [Float] = [-0.5, -0.2, -0.3]
        let loss = try ce(inputs, [0], batch: 1, classes: 3)
        expectClose(loss, [1.272919], 1e-6)
        expectClose(loss, [1.2729], 5e-5)
        let formula = -Double(inputs[0]) + Double.log(inputs.map { Double.exp(Double($0)) }.reduce(0, +))
        expectClose(loss, [formula], 1e-6)
        // Unbatched (C,) input with a 0-d target is batch 1.
        expectClose(try ce(inputs, [0], batch: 1, classes: 3, reduction: .none), [1.272919], 1e-6)
    }

    @Test("article C: the course's table, with and without weight [1, 2]")
    func articleC() throws {
        let x: [Float] = [1, 2, 1, 3, 1, 3]
        let t: [Int64] = [0, 1, 1]
        expectClose(try ce(x, t, batch: 3, classes: 2, reduction: .none), [1.313262, 0.126928, 0.126928], 1e-6)
        expectClose(try ce(x, t, batch: 3, classes: 2, reduction: .sum), [1.567118], 1e-6)
        expectClose(try ce(x, t, batch: 3, classes: 2, reduction: .mean), [0.522373], 1e-6)
        let w: [Float] = [1, 2]
        expectClose(try ce(x, t, batch: 3, classes: 2, weight: w, reduction: .none), [1.313262, 0.253856, 0.253856], 1e-6)
        expectClose(try ce(x, t, batch: 3, classes: 2, weight: w, reduction: .sum), [1.820974], 1e-6)
        expectClose(try ce(x, t, batch: 3, classes: 2, weight: w, reduction: .mean), [0.364195], 1e-6)
    }

    @Test("article C: the illustrative losses [0.2, 0.3, 0.4] with weight [1, 2]")
    func articleCIllustrative() throws {
        // A row [0, m] with label 0 has loss log(1 + e^m); m = log(e^L - 1). Label 1 uses [m, 0].
        let m = [0.2, 0.3, 0.4].map { Double.log(Double.exp($0) - 1) }
        let x: [Double] = [0, m[0], m[1], 0, m[2], 0]
        let t: [Int64] = [0, 1, 1]
        expectClose(try ce(x, t, batch: 3, classes: 2, reduction: .none), [0.2, 0.3, 0.4], 1e-12)
        expectClose(try ce(x, t, batch: 3, classes: 2, weight: [1, 2], reduction: .none), [0.2, 0.6, 0.8], 1e-12)
        expectClose(try ce(x, t, batch: 3, classes: 2, weight: [1, 2], reduction: .sum), [1.6], 1e-12)
        expectClose(try ce(x, t, batch: 3, classes: 2, weight: [1, 2], reduction: .mean), [0.32], 1e-12)
    }

    @Test("article D: cross_entropy == nll_loss(log_softmax) on random data",
          arguments: [(2, 6), (1, 1), (7, 3), (64, 100)])
    func articleD(batch: Int, classes: Int) throws {
        var rng = SeededGenerator(seed: UInt64(batch * 1000 + classes))
        let x = [Float].random(batch * classes, using: &rng)
        let t = randomTargets(batch, classes: classes, using: &rng)
        let lp = try logSoftmax(x, outer: batch, dim: classes)
        for r in [Reduction.none, .sum, .mean] {
            expectClose(try ce(x, t, batch: batch, classes: classes, reduction: r),
                        try nll(lp, t, batch: batch, classes: classes, reduction: r), 1e-6)
        }
    }

    @Test("(N, C, d1, d2) equals the transposed-and-flattened (N * d1 * d2, C)")
    func spatialLayout() throws {
        var rng = SeededGenerator(seed: 11)
        let (n, c, inner) = (3, 5, 4 * 6)
        let x = [Double].random(n * c * inner, using: &rng)
        var t = randomTargets(n * inner, classes: c, using: &rng)
        t[5] = -100
        let w = [Double].random(c, in: 0.1...2, using: &rng)
        var flat = [Double](repeating: 0, count: x.count)
        for b in 0..<n { for k in 0..<c { for i in 0..<inner { flat[(b * inner + i) * c + k] = x[(b * c + k) * inner + i] } } }
        for r in [Reduction.none, .sum, .mean] {
            for eps in [0.0, 0.2] {
                expectClose(try ce(x, t, batch: n, classes: c, inner: inner, weight: w, reduction: r, smoothing: eps),
                            try ce(flat, t, batch: n * inner, classes: c, weight: w, reduction: r, smoothing: eps), 1e-12)
            }
        }
    }

    @Test("label smoothing equals the soft target (1 - eps) * onehot + eps / C for none and sum")
    func smoothingIsSoftTarget() throws {
        var rng = SeededGenerator(seed: 5)
        let (n, c, eps) = (6, 5, 0.3)
        let x = [Double].random(n * c, using: &rng)
        let t = randomTargets(n, classes: c, using: &rng)
        let w = [Double].random(c, in: 0.1...2, using: &rng)
        var q = [Double](repeating: 0, count: n * c)
        for i in 0..<n { q[i * c + Int(t[i])] = 1 }
        for r in [Reduction.none, .sum] {
            expectClose(try ce(x, t, batch: n, classes: c, weight: w, reduction: r, smoothing: eps),
                        try ceProbs(x, q, batch: n, classes: c, weight: w, reduction: r, smoothing: eps), 1e-12)
        }
    }

    @Test("float64 against the naive reference: every keyword and reduction",
          arguments: [(1, 4, 1), (5, 3, 1), (2, 4, 6), (3, 7, 2)])
    func againstNaive(batch: Int, classes: Int, inner: Int) throws {
        var rng = SeededGenerator(seed: UInt64(batch * 100 + classes * 10 + inner))
        let x = [Double].random(batch * classes * inner, using: &rng)
        var t = randomTargets(batch * inner, classes: classes, using: &rng)
        if t.count > 1 { t[1] = 3 + Int64(classes) }  // an ignore_index outside the classes
        let w = [Double].random(classes, in: 0.1...3, using: &rng)
        for weight in [nil, w] {
            for eps in [0.0, 0.15, 1.0] {
                let per = Naive.crossEntropy(x, t, batch: batch, classes: classes, inner: inner,
                                             weight: weight, ignore: 3 + Int64(classes), eps: eps)
                for r in [Reduction.none, .sum, .mean] {
                    let got = try ce(x, t, batch: batch, classes: classes, inner: inner, weight: weight,
                                     ignore: 3 + Int64(classes), reduction: r, smoothing: eps)
                    expectClose(got, Naive.reduce(per, r), 1e-12)
                }
            }
        }
    }

    @Test("probability targets: mean divides by the sample count, not the weights")
    func probabilityTargets() throws {
        var rng = SeededGenerator(seed: 21)
        let (n, c, inner) = (2, 3, 2)
        let x = [Double].random(n * c * inner, using: &rng)
        let q = try softmax([Double].random(n * c * inner, using: &rng), outer: n, dim: c, inner: inner)
        let w: [Double] = [0.5, 2, 1]
        let lp = Naive.logSoftmax(x, batch: n, classes: c, inner: inner)
        var per = [Double](repeating: 0, count: n * inner)
        for b in 0..<n { for i in 0..<inner { for k in 0..<c {
            let j = (b * c + k) * inner + i
            per[b * inner + i] -= w[k] * (0.9 * q[j] + 0.1 / 3) * lp[j]
        } } }
        expectClose(try ceProbs(x, q, batch: n, classes: c, inner: inner, weight: w, reduction: .none, smoothing: 0.1), per, 1e-12)
        expectClose(try ceProbs(x, q, batch: n, classes: c, inner: inner, weight: w, smoothing: 0.1),
                    [per.reduce(0, +) / 4], 1e-12)
        #expect(throws: LossError.ignoreIndexUnsupported(0)) { try ceProbs(x, q, batch: n, classes: c, inner: inner, ignore: 0) }
        #expect(throws: Never.self) { try ceProbs(x, q, batch: n, classes: c, inner: inner, ignore: -1) }
    }

    @Test("label_smoothing: above 1 or NaN is an error, negative behaves as 0")
    func smoothingRange() throws {
        #expect(throws: LossError.invalidLabelSmoothing(1.5)) { try ce(preds, [2, 3], batch: 2, classes: 4, smoothing: 1.5) }
        #expect(throws: LossError.invalidLabelSmoothing(.nan)) { try ce(preds, [2, 3], batch: 2, classes: 4, smoothing: .nan) }
        #expect(try ce(preds, [2, 3], batch: 2, classes: 4, smoothing: -0.5) == (try ce(preds, [2, 3], batch: 2, classes: 4)))
        #expect(throws: LossError.invalidLabelSmoothing(2)) {
            try ceProbs(preds, preds, batch: 2, classes: 4, smoothing: 2)
        }
    }

    @Test("NaN and infinities in logits propagate; huge finite logits stay finite")
    func specialLogits() throws {
        let inf = Float.infinity
        let x: [Float] = [.nan, 0, 1, 2, inf, 0, 1e30, -1e30, 5, -inf, 0, 0]
        let l = try ce(x, [1, 0, 1, 1], batch: 4, classes: 3, reduction: .none)
        #expect(l[0].isNaN && l[1].isNaN)           // NaN row, +inf row
        #expect(l[2] == 2e30)                       // -(x_t - max) with no overflow
        #expect(close(Double(l[3]), Double.log(2), 1e-7)) // -inf entries vanish from the softmax
        #expect(try ce([Float](arrayLiteral: 1e4, -1e4), [0], batch: 1, classes: 2) == [0])
    }

    @Test("ignored targets: zero rows; all ignored gives a NaN mean")
    func allIgnored() throws {
        #expect(try ce(preds, [-100, -100], batch: 2, classes: 4)[0].isNaN)
        #expect(try ce(preds, [-100, -100], batch: 2, classes: 4, reduction: .sum, smoothing: 0.2) == [0])
        expectClose(try ce(preds, [2, -100], batch: 2, classes: 4, reduction: .none, smoothing: 0.1)
                        .map(\.wide), [try ce(Array(preds[0..<4]), [2], batch: 1, classes: 4, smoothing: 0.1)[0].wide, 0], 1e-7)
    }
}
