import RealModule
@testable import SwiftLoss
import Testing

/// linear_cross_entropy: the placeholder gemm against a naive product (every transpose,
/// accumulate, k = 0); the loss against crossEntropy of the logits computed naively (weights,
/// smoothing, ignored targets, probability targets, several blocks); z_loss and softcap against
/// their formulas written out, with the gradients against central differences; the checks.
@Suite("linear_cross_entropy")
struct LinearCrossEntropyTests {
    static func naiveProduct(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: [Double], b: [Double],
                             c: [Double], accumulate: Bool) -> [Double] {
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s = accumulate ? c[i * n + j] : 0
                for p in 0..<k {
                    s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j])
                }
                out[i * n + j] = s
            }
        }
        return out
    }

    @Test("gemm equals the naive product", arguments: [(7, 19, 5), (37, 45, 70), (4, 16, 1), (3, 2, 0)])
    func gemmMatchesNaive(sizes: (Int, Int, Int)) {
        let (m, n, k) = sizes
        var rng = SeededGenerator(seed: UInt64(m * 1000 + n))
        let a = [Double].random(m * k, using: &rng), b = [Double].random(k * n, using: &rng)
        let c0 = [Double].random(m * n, using: &rng)
        for transA in [false, true] {
            for transB in [false, true] {
                for accumulate in [false, true] {
                    var c = c0
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            c.withUnsafeMutableBufferPointer { pc in
                                gemm(transA: transA, transB: transB, m: m, n: n, k: k,
                                     a: pa.baseAddress ?? UnsafePointer(pc.baseAddress!), lda: transA ? m : k,
                                     b: pb.baseAddress ?? UnsafePointer(pc.baseAddress!), ldb: transB ? k : n,
                                     c: pc.baseAddress!, ldc: n, accumulate: accumulate)
                            }
                        }
                    }
                    let want = Self.naiveProduct(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b,
                                                 c: c0, accumulate: accumulate)
                    expectClose(c, want, 1e-12)
                }
            }
        }
    }

    struct Call {
        var x: [Double], w: [Double], bias: [Double]?, batch: Int, hidden: Int, classes: Int
        var targets: [Int64]? = nil, probabilities: [Double]? = nil, weight: [Double]? = nil
        var ignoreIndex: Int64 = -100, reduction: Reduction = .mean, smoothing = 0.0, zLoss = 0.0, softcap = 0.0

        /// (loss, z, gradInput, gradWeight, gradBias)
        func run(gradOutput: [Double]? = nil) throws(LossError)
            -> ([Double], [Double], [Double], [Double], [Double]) {
            let nout = reduction.outputCount(for: batch)
            var loss = [Double](repeating: .nan, count: nout), z = loss
            var gx = [Double](repeating: .nan, count: x.count), gw = [Double](repeating: .nan, count: w.count)
            var gb = [Double](repeating: .nan, count: classes)
            var failure: LossError?
            let t = targets ?? [], q = probabilities ?? []
            x.withUnsafeBufferPointer { px in w.withUnsafeBufferPointer { pw in
            t.withUnsafeBufferPointer { pt in q.withUnsafeBufferPointer { pq in
            loss.withUnsafeMutableBufferPointer { pl in z.withUnsafeMutableBufferPointer { pz in
            gx.withUnsafeMutableBufferPointer { pgx in gw.withUnsafeMutableBufferPointer { pgw in
            gb.withUnsafeMutableBufferPointer { pgb in
                do throws(LossError) {
                    try withOptional(bias) { (pb) throws(LossError) in
                        try withOptional(weight) { (pcw) throws(LossError) in
                            try withOptional(gradOutput) { (pg) throws(LossError) in
                                try linearCrossEntropy(
                                    px, linearWeight: pw, linearBias: pb,
                                    targets: targets != nil ? .classIndices(pt) : .probabilities(pq),
                                    batch: batch, hidden: hidden, classes: classes, weight: pcw,
                                    ignoreIndex: ignoreIndex, reduction: reduction, labelSmoothing: smoothing,
                                    zLoss: zLoss, softcap: softcap, gradOutput: pg,
                                    into: LinearCrossEntropyOutputs(loss: pl, zLoss: pz, gradInput: pgx,
                                                                    gradLinearWeight: pgw, gradLinearBias: pgb))
                            }
                        }
                    }
                } catch { failure = error }
            } } } } } } } } }
            if let failure { throw failure }
            return (loss, z, gx, gw, gb)
        }

        /// The logits x W^T + bias, naively.
        var logits: [Double] {
            var out = [Double](repeating: 0, count: batch * classes)
            for n in 0..<batch {
                for c in 0..<classes {
                    var s = bias?[c] ?? 0
                    for h in 0..<hidden { s += x[n * hidden + h] * w[c * hidden + h] }
                    out[n * classes + c] = s
                }
            }
            return out
        }
    }

    @Test("equals crossEntropy of the logits", arguments: [Reduction.none, .sum, .mean])
    func equalsCrossEntropy(reduction: Reduction) throws {
        var rng = SeededGenerator(seed: 14)
        // 17 classes: one block; 270000 classes: blocks of 4 float64 rows, so 6 rows take two
        // (only for 'mean': the tests run in a debug build).
        for (batch, hidden, classes) in reduction == .mean ? [(23, 6, 17), (6, 2, 270_000)] : [(23, 6, 17)] {
            let x = [Double].random(batch * hidden, using: &rng), w = [Double].random(classes * hidden, using: &rng)
            let bias = [Double].random(classes, using: &rng)
            let weight = [Double].random(classes, in: 0.2...2, using: &rng)
            var t = randomTargets(batch, classes: classes, using: &rng)
            for n in stride(from: 0, to: batch, by: 4) { t[n] = 1 }
            var call = Call(x: x, w: w, bias: bias, batch: batch, hidden: hidden, classes: classes, targets: t,
                            weight: weight, ignoreIndex: 1, reduction: reduction, smoothing: 0.2)
            let logits = call.logits
            let want: [Double] = try withOutput(reduction.outputCount(for: batch)) { (o) throws(LossError) in
                try logits.withUnsafeBufferPointer { (pl) throws(LossError) in
                    try t.withUnsafeBufferPointer { (pt) throws(LossError) in
                        try weight.withUnsafeBufferPointer { (pw) throws(LossError) in
                            try crossEntropy(pl, targets: pt, layout: ClassLayout(batch: batch, classes: classes,
                                                                                  of: Double.self),
                                             weight: pw, ignoreIndex: 1, reduction: reduction, labelSmoothing: 0.2,
                                             into: o)
                        }
                    }
                }
            }
            let (loss, z, _, _, _) = try call.run()
            expectClose(loss, want, 1e-12)
            #expect(z.allSatisfy { $0 == 0 })
            // probability targets: one-hot rows of the class indices (none ignored; no class
            // weights, which 'mean' divides by differently for the two), the small case only
            guard classes < 100 else { continue }
            var q = [Double](repeating: 0, count: batch * classes)
            for n in 0..<batch { q[n * classes + Int(t[n])] = 1 }
            call.weight = nil
            call.targets = nil
            call.probabilities = q
            call.ignoreIndex = -100
            let (lp, _, _, _, _) = try call.run()
            call.probabilities = nil
            call.targets = t
            let (li, _, _, _, _) = try call.run()
            expectClose(lp, li, 1e-12)
        }
    }

    /// The loss of the definition written out: cross_entropy of the capped logits plus
    /// z_loss * lse^2 per counted sample, 'mean' over the counted samples.
    static func composite(_ call: Call) -> Double {
        let logits = call.logits
        var ce = 0.0, zs = 0.0, counted = 0.0
        for n in 0..<call.batch {
            let t = call.targets![n]
            if t == call.ignoreIndex { continue }
            let row = (0..<call.classes).map { c -> Double in
                let v = logits[n * call.classes + c]
                return call.softcap > 0 ? call.softcap * Double.tanh(v / call.softcap) : v
            }
            let m = row.max()!
            let lse = m + Double.log(row.reduce(0) { $0 + Double.exp($1 - m) })
            ce += lse - row[Int(t)]
            zs += call.zLoss * lse * lse
            counted += 1
        }
        return ce / counted + zs / counted
    }

    @Test("z_loss and softcap: values and gradients")
    func zLossAndSoftcap() throws {
        var rng = SeededGenerator(seed: 7)
        let (batch, hidden, classes) = (5, 3, 6)
        let call = Call(x: [Double].random(batch * hidden, using: &rng), w: [Double].random(classes * hidden, using: &rng),
                        bias: nil, batch: batch, hidden: hidden, classes: classes,
                        targets: [0, 5, -100, 2, 3], zLoss: 0.05, softcap: 2.5)
        let (loss, z, gx, gw, _) = try call.run()
        #expect(close(loss[0], Self.composite(call), 1e-13))
        var noZ = call
        noZ.zLoss = 0
        #expect(close(z[0], Self.composite(call) - Self.composite(noZ), 1e-12))
        try expectCentralDifferences(gx, at: call.x) { (x) throws(LossError) in
            var c = call
            c.x = x
            return Self.composite(c)
        }
        try expectCentralDifferences(gw, at: call.w) { (w) throws(LossError) in
            var c = call
            c.w = w
            return Self.composite(c)
        }
    }

    @Test("checks, nothing written on error")
    func checks() {
        let call = Call(x: [1, 2], w: [1, 2, 3, 4], bias: nil, batch: 1, hidden: 2, classes: 2, targets: [0])
        for (zLoss, softcap) in [(-1.0, 0.0), (Double.nan, 0.0), (0.0, -1.0), (0.0, Double.infinity)] {
            var bad = call
            bad.zLoss = zLoss
            bad.softcap = softcap
            #expect(throws: LossError.self) { try bad.run() }
        }
        var oob = call
        oob.targets = [2]
        #expect(throws: LossError.targetOutOfBounds(target: 2)) { try oob.run() }
        var probs = call
        probs.targets = nil
        probs.probabilities = [0.5, 0.5]
        probs.ignoreIndex = 0
        #expect(throws: LossError.ignoreIndexUnsupported(0)) { try probs.run() }
    }
}
