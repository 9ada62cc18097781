import RealModule
@testable import SwiftLoss
import Testing

/// cross_entropy with z-loss and softcapping against the definition written out in Double:
/// r = cap * tanh(x / cap), loss = crossEntropy(r) + zLoss * lse(r)^2 per counted sample.
@Suite("cross_entropy with z_loss and softcap")
struct RegularizedCrossEntropyTests {
    /// (loss, z term, gradient) of the class-index form from one call.
    func run(_ x: [Double], _ t: [Int64], batch: Int, classes: Int, inner: Int = 1, weight: [Double]? = nil,
             reduction: Reduction, eps: Double = 0, zLoss: Double, softcap: Double?) throws(LossError)
        -> (loss: [Double], z: [Double], grad: [Double]) {
        let layout = try ClassLayout(batch: batch, classes: classes, inner: inner, of: Double.self)
        let n = reduction.outputCount(for: layout.samples)
        var loss = [Double](repeating: .nan, count: n), z = loss, grad = [Double](repeating: .nan, count: x.count)
        var failure: LossError?
        x.withUnsafeBufferPointer { xb in
            t.withUnsafeBufferPointer { tb in
                loss.withUnsafeMutableBufferPointer { lb in
                    z.withUnsafeMutableBufferPointer { zb in
                        grad.withUnsafeMutableBufferPointer { gb in
                            do throws(LossError) {
                                try withOptional(weight) { (w: UnsafeBufferPointer<Double>?) throws(LossError) in
                                    try crossEntropy(xb, targets: tb, layout: layout, weight: w, reduction: reduction,
                                                     labelSmoothing: eps, zLoss: zLoss, softcap: softcap,
                                                     output: lb, zOutput: zb, gradInput: gb)
                                }
                            } catch { failure = error }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return (loss, z, grad)
    }

    func capped(_ x: [Double], _ cap: Double?) -> [Double] {
        guard let cap else { return x }
        return x.map { cap * Double.tanh($0 / cap) }
    }

    /// The definition: per-sample cross_entropy of the capped logits (Naive) plus the z term.
    func reference(_ x: [Double], _ t: [Int64], batch: Int, classes: Int, inner: Int, weight: [Double]?,
                   reduction: Reduction, eps: Double, zLoss: Double, softcap: Double?) -> (loss: [Double], z: [Double]) {
        let r = capped(x, softcap)
        let per = Naive.crossEntropy(r, t, batch: batch, classes: classes, inner: inner, weight: weight, ignore: -100, eps: eps)
        var zs: [Double] = []
        for n in 0..<batch {
            for i in 0..<inner {
                guard t[n * inner + i] != -100 else { zs.append(0); continue }
                let lse = Double.log((0..<classes).map { Double.exp(r[(n * classes + $0) * inner + i]) }.reduce(0, +))
                zs.append(zLoss * lse * lse)
            }
        }
        let counted = Double(t.filter { $0 != -100 }.count)
        let ce = Naive.reduce(per, reduction)
        switch reduction {
        case .none: return (zip(ce, zs).map { $0 + $1 }, zs)
        case .sum: return ([ce[0] + zs.reduce(0, +)], [zs.reduce(0, +)])
        default: return ([ce[0] + zs.reduce(0, +) / counted], [zs.reduce(0, +) / counted])
        }
    }

    @Test("values and gradients: rows and (N, C, d), every reduction, weights and smoothing",
          arguments: [Reduction.none, .sum, .mean])
    func againstDefinition(_ reduction: Reduction) throws {
        var rng = SeededGenerator(seed: 11)
        for (batch, classes, inner) in [(4, 5, 1), (2, 3, 4), (3, 40, 1)] {
            let x = [Double].random(batch * classes * inner, in: -6...6, using: &rng)
            var t = randomTargets(batch * inner, classes: classes, using: &rng)
            t[1] = -100
            let w = [Double].random(classes, in: 0.5...2, using: &rng)
            for (zLoss, cap) in [(0.0, 2.0), (0.3, nil), (0.05, 0.5)] as [(Double, Double?)] {
                let got = try run(x, t, batch: batch, classes: classes, inner: inner, weight: w, reduction: reduction,
                                  eps: 0.15, zLoss: zLoss, softcap: cap)
                let want = reference(x, t, batch: batch, classes: classes, inner: inner, weight: w,
                                     reduction: reduction, eps: 0.15, zLoss: zLoss, softcap: cap)
                expectClose(got.loss, want.loss, 1e-12)
                expectClose(got.z, want.z, 1e-12)
                // The gradient of the summed loss ('none' with ones upstream) by central differences.
                try expectCentralDifferences(got.grad, at: x) { (v: [Double]) throws(LossError) -> Double in
                    try run(v, t, batch: batch, classes: classes, inner: inner, weight: w, reduction: reduction,
                            eps: 0.15, zLoss: zLoss, softcap: cap).loss.reduce(0, +)
                }
            }
        }
    }

    @Test("off: exactly cross_entropy")
    func off() throws {
        var rng = SeededGenerator(seed: 12)
        let x = [Double].random(24, using: &rng), t = randomTargets(4, classes: 6, using: &rng)
        let got = try run(x, t, batch: 4, classes: 6, reduction: .mean, eps: 0.1, zLoss: 0, softcap: nil)
        #expect(got.loss == (try ce(x, t, batch: 4, classes: 6, smoothing: 0.1)))
        #expect(got.z == [0])
    }

    @Test("bad z_loss and softcap are refused")
    func refused() {
        for (zLoss, cap) in [(-1.0, nil), (.nan, nil), (.infinity, nil), (0, 0.0), (0, -1.0), (0, .nan), (0, .infinity)]
            as [(Double, Double?)] {
            #expect(throws: LossError.self) {
                _ = try run([1, 2], [0], batch: 1, classes: 2, reduction: .mean, zLoss: zLoss, softcap: cap)
            }
        }
    }
}
