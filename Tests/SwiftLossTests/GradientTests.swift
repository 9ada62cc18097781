import RealModule
@testable import SwiftLoss
import Testing

/// Central finite differences of `f` at `x`, in float64.
func numericGradient(_ x: [Double], step h: Double = 1e-6, _ f: ([Double]) throws -> Double) rethrows -> [Double] {
    var g = [Double](repeating: 0, count: x.count)
    var xp = x
    for k in x.indices {
        xp[k] = x[k] + h
        let up = try f(xp)
        xp[k] = x[k] - h
        let down = try f(xp)
        xp[k] = x[k]
        g[k] = (up - down) / (2 * h)
    }
    return g
}

/// `sum(loss * g)`: what a backward call differentiates.
func weighted(_ loss: [Double], _ g: [Double]) -> Double { zip(loss, g).reduce(0) { $0 + $1.0 * $1.1 } }

/// Runs a backward call into a fresh array of `count` elements.
func gradient<T: LossFloat>(_ count: Int, _ body: (UnsafeMutableBufferPointer<T>) throws(LossError) -> Void) throws(LossError) -> [T] {
    try withOutput(count, body)
}

@Suite("gradients")
struct GradientTests {
    static let reductions: [Reduction] = [.none, .sum, .mean]

    /// Upstream gradients for a reduction's output: random for 'none', a scalar otherwise.
    static func upstream(_ r: Reduction, samples: Int, using rng: inout SeededGenerator) -> [Double] {
        r == .none ? [Double].random(samples, in: -1...1, using: &rng) : [1.7]
    }

    @Test("softmax and log_softmax backward match finite differences", arguments: [(2, 5, 1), (2, 3, 4)])
    func softmaxFamily(outer: Int, dim: Int, inner: Int) throws {
        var rng = SeededGenerator(seed: 71)
        let n = outer * dim * inner
        let x = [Double].random(n, using: &rng), g = [Double].random(n, in: -1...1, using: &rng)
        for logarithmic in [false, true] {
            let forward = { (x: [Double]) throws -> [Double] in
                logarithmic ? try logSoftmax(x, outer: outer, dim: dim, inner: inner)
                            : try softmax(x, outer: outer, dim: dim, inner: inner)
            }
            let y = try forward(x)
            let got: [Double] = try gradient(n) { gx throws(LossError) in
                try y.withUnsafeBufferPointer { yb throws(LossError) in
                    try g.withUnsafeBufferPointer { gb throws(LossError) in
                        if logarithmic {
                            try logSoftmaxBackward(output: yb, gradOutput: gb, outer: outer, dim: dim, inner: inner, into: gx)
                        } else {
                            try softmaxBackward(output: yb, gradOutput: gb, outer: outer, dim: dim, inner: inner, into: gx)
                        }
                    }
                }
            }
            expectClose(got, try numericGradient(x) { weighted(try forward($0), g) }, 1e-7)
        }
    }

    static func ceGradient(_ x: [Double], _ t: [Int64], _ n: Int, _ c: Int, _ inner: Int, _ w: [Double]?,
                           _ ignore: Int64, _ r: Reduction, _ eps: Double, _ g: [Double]) throws(LossError) -> [Double] {
        let layout = try ClassLayout(batch: n, classes: c, inner: inner, of: Double.self)
        return try withOptional(w) { wb throws(LossError) in
            try gradient(x.count) { gx throws(LossError) in
                try x.withUnsafeBufferPointer { xb throws(LossError) in
                    try t.withUnsafeBufferPointer { tb throws(LossError) in
                        try g.withUnsafeBufferPointer { gb throws(LossError) in
                            try crossEntropyBackward(xb, targets: tb, layout: layout, weight: wb, ignoreIndex: ignore,
                                                     reduction: r, labelSmoothing: eps, gradOutput: gb, into: gx)
                        }
                    }
                }
            }
        }
    }

    @Test("cross_entropy and nll_loss backward: every keyword and reduction vs finite differences",
          arguments: [(3, 4, 1), (2, 3, 5)])
    func classIndex(batch: Int, classes: Int, inner: Int) throws {
        var rng = SeededGenerator(seed: UInt64(73 + inner))
        let x = [Double].random(batch * classes * inner, using: &rng)
        var t = randomTargets(batch * inner, classes: classes, using: &rng)
        t[1] = 99
        let w = [Double].random(classes, in: 0.2...2, using: &rng)
        for weight in [nil, w] {
            for r in Self.reductions {
                let g = Self.upstream(r, samples: batch * inner, using: &rng)
                for eps in [0.0, 0.25] {
                    let got = try Self.ceGradient(x, t, batch, classes, inner, weight, 99, r, eps, g)
                    let fd = try numericGradient(x) {
                        weighted(try ce($0, t, batch: batch, classes: classes, inner: inner, weight: weight,
                                        ignore: 99, reduction: r, smoothing: eps), g)
                    }
                    expectClose(got, fd, 1e-7)
                }
                // nll_loss is linear in its input: the finite difference is exact.
                let layout = try ClassLayout(batch: batch, classes: classes, inner: inner, of: Double.self)
                let nllGot: [Double] = try withOptional(weight) { wb throws(LossError) in
                    try gradient(x.count) { gx throws(LossError) in
                        try t.withUnsafeBufferPointer { tb throws(LossError) in
                            try g.withUnsafeBufferPointer { gb throws(LossError) in
                                try nllLossBackward(targets: tb, layout: layout, weight: wb, ignoreIndex: 99,
                                                    reduction: r, gradOutput: gb, into: gx)
                            }
                        }
                    }
                }
                let nllFD = try numericGradient(x) {
                    weighted(try nll($0, t, batch: batch, classes: classes, inner: inner, weight: weight, ignore: 99, reduction: r), g)
                }
                expectClose(nllGot, nllFD, 1e-8)
            }
        }
    }

    @Test("article A: the gradient of cross_entropy(preds, [2, 3]) is (softmax - one_hot) / 2")
    func articleGradient() throws {
        let preds: [Double] = [0.1, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.1]
        let p = try softmax(preds, outer: 2, dim: 4)
        var expected = p.map { $0 / 2 }
        expected[2] -= 0.5
        expected[7] -= 0.5
        expectClose(try Self.ceGradient(preds, [2, 3], 2, 4, 1, nil, -100, .mean, 0, [1]), expected, 1e-15)
    }

    @Test("ignored targets give zero rows; all ignored gives a NaN mean and a zero gradient")
    func ignored() throws {
        let x: [Double] = [0.3, -1, 2, 0.5, 0.1, -0.4]
        let g = try Self.ceGradient(x, [1, -100], 2, 3, 1, nil, -100, .mean, 0.1, [1])
        #expect(g[3...] == [0, 0, 0])
        #expect(g[..<3].allSatisfy { $0 != 0 })
        let all = try Self.ceGradient(x, [-100, -100], 2, 3, 1, nil, -100, .mean, 0.1, [1])
        #expect(all == [0, 0, 0, 0, 0, 0])
        var out: [Double] = [0]
        var gx = [Double](repeating: 9, count: 6)
        let layout = try ClassLayout(batch: 2, classes: 3, of: Double.self)
        try x.withUnsafeBufferPointer { xb in
            try [Int64](arrayLiteral: -100, -100).withUnsafeBufferPointer { tb in
                try out.withUnsafeMutableBufferPointer { o in
                    try gx.withUnsafeMutableBufferPointer { gb in
                        try crossEntropyWithGradient(xb, targets: tb, layout: layout, into: o, gradInput: gb)
                    }
                }
            }
        }
        #expect(out[0].isNaN && gx == [0, 0, 0, 0, 0, 0])
    }

    /// Runs the fused call; `inPlace` overwrites a copy of the logits with the gradient.
    static func fused<T: LossFloat>(_ x: [T], _ t: [Int64], _ layout: ClassLayout, _ w: [T]?, _ r: Reduction,
                                    _ eps: Double, _ g: [T]?, inPlace: Bool) throws(LossError) -> (loss: [T], grad: [T]) {
        var buffer = x
        var gradOut = [T](repeating: 0, count: x.count)
        var loss = [T](repeating: 0, count: r.outputCount(for: layout.samples))
        try withOptional(w) { wb throws(LossError) in
            try withOptional(g) { gb throws(LossError) in
                try t.withUnsafeBufferPointer { tb throws(LossError) in
                    try loss.withUnsafeMutableBufferPointer { lb throws(LossError) in
                        try buffer.withUnsafeMutableBufferPointer { xb throws(LossError) in
                            if inPlace {
                                try crossEntropyWithGradient(UnsafeBufferPointer(xb), targets: tb, layout: layout, weight: wb,
                                                             reduction: r, labelSmoothing: eps, gradOutput: gb,
                                                             into: lb, gradInput: xb)
                            } else {
                                try gradOut.withUnsafeMutableBufferPointer { gx throws(LossError) in
                                    try crossEntropyWithGradient(UnsafeBufferPointer(xb), targets: tb, layout: layout, weight: wb,
                                                                 reduction: r, labelSmoothing: eps, gradOutput: gb,
                                                                 into: lb, gradInput: gx)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (loss, inPlace ? buffer : gradOut)
    }

    @Test("fused loss+gradient equals forward + backward, in place and out of place",
          arguments: [(4, 6, 3), (5, 37, 1), (2, 70_000, 1)])  // blocks, rows, rows reduced online
    func fusedMatchesUnfused(n: Int, c: Int, inner: Int) throws {
        var rng = SeededGenerator(seed: 79)
        let layout = try ClassLayout(batch: n, classes: c, inner: inner, of: Float.self)
        let x = [Float].random(n * c * inner, using: &rng)
        var t = randomTargets(n * inner, classes: c, using: &rng)
        t[1] = -100
        let w = [Float].random(c, in: 0.2...2, using: &rng)
        for r in Self.reductions {
            let g = Self.upstream(r, samples: n * inner, using: &rng).map { Float($0) }
            for eps in [0.0, 0.1] {
                let loss = try ce(x, t, batch: n, classes: c, inner: inner, weight: w, reduction: r, smoothing: eps)
                let grad: [Float] = try withOptional(w) { wb throws(LossError) in
                    try gradient(x.count) { gx throws(LossError) in
                        try x.withUnsafeBufferPointer { xb throws(LossError) in
                            try t.withUnsafeBufferPointer { tb throws(LossError) in
                                try g.withUnsafeBufferPointer { gb throws(LossError) in
                                    try crossEntropyBackward(xb, targets: tb, layout: layout, weight: wb, reduction: r,
                                                             labelSmoothing: eps, gradOutput: gb, into: gx)
                                }
                            }
                        }
                    }
                }
                for inPlace in [false, true] {
                    let f = try Self.fused(x, t, layout, w, r, eps, g, inPlace: inPlace)
                    #expect(f.loss == loss, "loss, \(r) eps \(eps) in place \(inPlace)")
                    #expect(f.grad == grad, "gradient, \(r) eps \(eps) in place \(inPlace)")
                }
                // A nil upstream gradient stands for ones.
                if r != .none {
                    let ones = try Self.fused(x, t, layout, w, r, eps, nil, inPlace: false)
                    let scaled = try Self.fused(x, t, layout, w, r, eps, [1], inPlace: false)
                    #expect(ones.grad == scaled.grad)
                }
            }
        }
    }

    @Test("cross_entropy with probability targets: backward vs finite differences")
    func probabilityTargets() throws {
        var rng = SeededGenerator(seed: 83)
        let (n, c, inner) = (2, 4, 3)
        let layout = try ClassLayout(batch: n, classes: c, inner: inner, of: Double.self)
        let x = [Double].random(n * c * inner, using: &rng)
        let q = try softmax([Double].random(n * c * inner, using: &rng), outer: n, dim: c, inner: inner)
        let w = [Double].random(c, in: 0.2...2, using: &rng)
        for r in Self.reductions {
            let g = Self.upstream(r, samples: n * inner, using: &rng)
            for (weight, eps) in [(nil, 0.0), (w, 0.2)] {
                let got: [Double] = try withOptional(weight) { wb throws(LossError) in
                    try gradient(x.count) { gx throws(LossError) in
                        try x.withUnsafeBufferPointer { xb throws(LossError) in
                            try q.withUnsafeBufferPointer { qb throws(LossError) in
                                try g.withUnsafeBufferPointer { gb throws(LossError) in
                                    try crossEntropyBackward(xb, probabilities: qb, layout: layout, weight: wb, reduction: r,
                                                             labelSmoothing: eps, gradOutput: gb, into: gx)
                                }
                            }
                        }
                    }
                }
                let fd = try numericGradient(x) {
                    weighted(try ceProbs($0, q, batch: n, classes: c, inner: inner, weight: weight, reduction: r, smoothing: eps), g)
                }
                expectClose(got, fd, 1e-7)
            }
        }
    }

    @Test("binary_cross_entropy, with logits, and kl_div backward vs finite differences")
    func elementwise() throws {
        var rng = SeededGenerator(seed: 89)
        let (n, c) = (3, 4)
        let p = [Double].random(n * c, in: 0.05...0.95, using: &rng)
        let logits = [Double].random(n * c, in: -6...6, using: &rng)
        let t = [Double].random(n * c, in: 0...1, using: &rng)
        let w = [Double].random(c, in: 0.2...2, using: &rng)
        let pw = [Double].random(c, in: 0.5...3, using: &rng)
        for r in Self.reductions {
            let g = Self.upstream(r, samples: n * c, using: &rng)
            let bceGot: [Double] = try withOptional(w) { wb throws(LossError) in
                try gradient(p.count) { gx throws(LossError) in
                    try elementwiseBackward(p, t, g) { xb, tb, gb throws(LossError) in
                        try binaryCrossEntropyBackward(xb, target: tb, weight: wb, reduction: r, gradOutput: gb, into: gx)
                    }
                }
            }
            expectClose(bceGot, try numericGradient(p) { weighted(try bce($0, t, weight: w, reduction: r), g) }, 1e-6)

            let logitsGot: [Double] = try withOptional(w) { wb throws(LossError) in
                try withOptional(pw) { pwb throws(LossError) in
                    try gradient(logits.count) { gx throws(LossError) in
                        try elementwiseBackward(logits, t, g) { xb, tb, gb throws(LossError) in
                            try binaryCrossEntropyWithLogitsBackward(xb, target: tb, weight: wb, posWeight: pwb,
                                                                     reduction: r, gradOutput: gb, into: gx)
                        }
                    }
                }
            }
            expectClose(logitsGot, try numericGradient(logits) {
                weighted(try bceLogits($0, t, weight: w, posWeight: pw, reduction: r), g)
            }, 1e-7)

            for (logTarget, target) in [(false, t), (true, t.map { Double.log($0) })] {
                for kr in r == .mean ? [Reduction.mean, .batchMean] : [r] {
                    let klGot: [Double] = try gradient(p.count) { gx throws(LossError) in
                        try target.withUnsafeBufferPointer { tb throws(LossError) in
                            try g.withUnsafeBufferPointer { gb throws(LossError) in
                                try klDivBackward(target: tb, reduction: kr, logTarget: logTarget, batchSize: n,
                                                  gradOutput: gb, into: gx)
                            }
                        }
                    }
                    expectClose(klGot, try numericGradient(logits) {
                        weighted(try kl($0, target, reduction: kr, logTarget: logTarget, batch: n), g)
                    }, 1e-7)
                }
            }
        }
    }
}

/// Runs an element-wise backward body with input, target and upstream gradient buffers.
func elementwiseBackward(
    _ x: [Double], _ t: [Double], _ g: [Double],
    _ body: (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) throws(LossError) -> Void
) throws(LossError) {
    try x.withUnsafeBufferPointer { xb throws(LossError) in
        try t.withUnsafeBufferPointer { tb throws(LossError) in
            try g.withUnsafeBufferPointer { gb throws(LossError) in try body(xb, tb, gb) }
        }
    }
}
