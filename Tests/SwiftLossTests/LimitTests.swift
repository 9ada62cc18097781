import RealModule
@testable import SwiftLoss
import Testing

/// An empty buffer whose base address is not nil (an empty array may give nil, which the
/// kernels treat as "nothing to do" before looking at the sizes).
private func withEmpty<T: LossFloat, R>(_: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R) rethrows -> R {
    let p = UnsafeMutablePointer<T>.allocate(capacity: 1)
    defer { p.deallocate() }
    return try body(UnsafeMutableBufferPointer(start: p, count: 0))
}

private func withEmptyTargets<R>(_ body: (UnsafeBufferPointer<Int64>) throws -> R) rethrows -> R {
    let p = UnsafeMutablePointer<Int64>.allocate(capacity: 1)
    defer { p.deallocate() }
    return try body(UnsafeBufferPointer(start: p, count: 0))
}

/// Sizes and values at the edges: each gives PyTorch's answer or a `LossError`, never a trap,
/// a hang or a wrong size. (The C entry points are covered the same way by
/// Tests/stress/limits.c, and at random by Tests/fuzz.)
@Suite("limits")
struct LimitTests {
    @Test("element and byte counts that overflow are rejected, as are negative sizes")
    func overflowingSizes() throws {
        #expect(throws: LossError.sizeOverflow) { try elementCount(Int.max / 4 + 1, of: Float.self) }   // bytes
        #expect(throws: LossError.sizeOverflow) { try elementCount(Int.max / 8 + 1, of: Double.self) }
        #expect(try elementCount(Int.max / 4, of: Float.self) == Int.max / 4)
        #expect(throws: LossError.sizeOverflow) { try elementCount(1 << 32, 1 << 31, of: Float.self) }  // elements
        #expect(throws: LossError.sizeOverflow) { try elementCount(3, -1, of: Float.self) }
        #expect(throws: LossError.sizeOverflow) { try ClassLayout(batch: 1 << 32, classes: 1 << 32, of: Float.self) }
        #expect(throws: LossError.sizeOverflow) { try ClassLayout(batch: 1 << 31, classes: 1 << 30, of: Double.self) }
        #expect(throws: LossError.sizeOverflow) { try ClassLayout(batch: -1, classes: 3, of: Float.self) }
        #expect(throws: LossError.sizeOverflow) {
            try withEmpty(Float.self) { e in try softmax(UnsafeBufferPointer(e), outer: 1 << 40, dim: 1 << 40, into: e) }
        }
    }

    @Test("classes == 0 with batch * inner overflowing: an error, not an arithmetic-overflow trap")
    func zeroClassesHugeSamples() throws {
        // batch * classes * inner is 0, but batch * inner (the number of targets) overflows.
        #expect(throws: LossError.sizeOverflow) { try ClassLayout(batch: 1 << 62, classes: 0, inner: 4, of: Float.self) }
        #expect(throws: LossError.sizeOverflow) { try ClassLayout(batch: Int.max, classes: 0, inner: 2, of: Double.self) }
        let ok = try ClassLayout(batch: 1 << 40, classes: 0, inner: 4, of: Float.self)
        #expect(ok.count == 0 && ok.samples == 1 << 42)
    }

    @Test("N * C beyond memory is rejected from the sizes alone (nothing read or allocated)")
    func beyondMemory() throws {
        let layout = try ClassLayout(batch: 1 << 40, classes: 1 << 20, of: Float.self)  // 4 PiB of logits
        #expect(layout.count == 1 << 60)
        var out: [Float] = [42]
        let x: [Float] = [1, 2, 3]
        let t: [Int64] = [0]
        x.withUnsafeBufferPointer { xb in
            t.withUnsafeBufferPointer { tb in
                out.withUnsafeMutableBufferPointer { o in
                    #expect(throws: LossError.bufferSize(expected: 1 << 60, actual: 3)) {
                        try crossEntropy(xb, targets: tb, layout: layout, into: o)
                    }
                    #expect(throws: LossError.bufferSize(expected: 1 << 40, actual: 1)) {
                        try nllLossBackward(targets: tb, layout: layout, reduction: .sum, gradOutput: UnsafeBufferPointer(rebasing: xb[0..<1]),
                                            into: o)
                    }
                }
            }
        }
        #expect(out == [42])
    }

    @Test("a zero size next to huge ones returns at once", .timeLimit(.minutes(1)))
    func emptyWithHugeDimensions() throws {
        try withEmpty(Float.self) { e in
            let x = UnsafeBufferPointer(e)
            // inner == 0 (an (N, C, 0) tensor) and dim == 0, with huge other sizes.
            try softmax(x, outer: 1 << 40, dim: 3, inner: 0, into: e)
            try logSoftmax(x, outer: 3, dim: 1 << 40, inner: 0, into: e)
            try softmax(x, outer: 0, dim: Int.max, inner: Int.max, into: e)
            try softmaxBackward(output: x, gradOutput: x, outer: 1 << 40, dim: 0, inner: 1 << 20, into: e)
            try logSoftmaxBackward(output: x, gradOutput: x, outer: 1 << 50, dim: 7, inner: 0, into: e)
            let layout = try ClassLayout(batch: 1 << 40, classes: 3, inner: 0, of: Float.self)
            #expect(layout.count == 0 && layout.samples == 0)
            var loss: [Float] = [42]
            try withEmptyTargets { t in
                try loss.withUnsafeMutableBufferPointer { o in
                    try crossEntropy(x, targets: t, layout: layout, into: o)
                    #expect(o[0].isNaN)  // 'mean' over no sample
                    try crossEntropy(x, targets: t, layout: layout, reduction: .sum, into: o)
                    #expect(o[0] == 0)
                    try crossEntropy(x, probabilities: x, layout: layout, into: o)
                    #expect(o[0].isNaN)
                    try crossEntropyWithGradient(x, targets: t, layout: layout, into: o, gradInput: e)
                    try crossEntropyBackward(x, probabilities: x, layout: layout, gradOutput: UnsafeBufferPointer(o),
                                             into: e)
                }
            }
        }
    }

    @Test("one class: cross_entropy is 0 with a zero gradient; softmax is 1, log_softmax 0",
          arguments: [0.0, 0.1])
    func oneClass(eps: Double) throws {
        let x: [Float] = [0.5, -7, 1e30]
        #expect(try softmax(x, outer: 3, dim: 1) == [1, 1, 1])
        #expect(try logSoftmax(x, outer: 3, dim: 1) == [0, 0, 0])
        for eps in [0.0, 0.1, 1.0] {
            #expect(try ce(x, [0, 0, 0], batch: 3, classes: 1, reduction: .none, smoothing: eps) == [0, 0, 0])
        }
        #expect(try nll(x, [0, 0, 0], batch: 3, classes: 1, reduction: .none) == [-0.5, 7, -1e30])
        let layout = try ClassLayout(batch: 3, classes: 1, of: Float.self)
        var g = [Float](repeating: 42, count: 3), loss: [Float] = [42]
        try x.withUnsafeBufferPointer { xb in
            try [Int64](arrayLiteral: 0, 0, 0).withUnsafeBufferPointer { tb in
                try g.withUnsafeMutableBufferPointer { gb in
                    try loss.withUnsafeMutableBufferPointer { o in
                        try crossEntropyWithGradient(xb, targets: tb, layout: layout, labelSmoothing: eps, into: o,
                                                     gradInput: gb)
                    }
                }
            }
        }
        // p = 1: the gradient is (a + b) - b - a, exactly 0 without smoothing, round-off with.
        #expect(loss == [0] && g.allSatisfy { abs($0) <= (eps == 0 ? 0 : 1e-7) })
    }

    @Test("a single sample: 'mean' equals 'sum' equals 'none'")
    func singleSample() throws {
        let x: [Double] = [-0.5, -0.2, -0.3]
        let none = try ce(x, [0], batch: 1, classes: 3, reduction: .none)
        #expect(try ce(x, [0], batch: 1, classes: 3, reduction: .sum) == none)
        #expect(try ce(x, [0], batch: 1, classes: 3, reduction: .mean) == none)
        #expect(close(none[0], 1.272919, 1e-6))  // article B
        #expect(try bce([0.25], [1], reduction: .mean) == bce([0.25], [1], reduction: .none))
    }

    @Test("empty batches: 'mean' is NaN, 'sum' is 0, 'none' writes nothing")
    func emptyBatches() throws {
        let none: [Float] = []
        #expect(try ce(none, [], batch: 0, classes: 4)[0].isNaN)
        #expect(try ce(none, [], batch: 0, classes: 4, reduction: .sum) == [0])
        #expect(try ce(none, [], batch: 0, classes: 4, reduction: .none) == [])
        #expect(try ceProbs(none, none, batch: 0, classes: 4)[0].isNaN)
        #expect(try nll(none, [], batch: 0, classes: 4, reduction: .sum) == [0])
        #expect(try bce(none, none)[0].isNaN)
        #expect(try bce(none, none, reduction: .sum) == [0])
        #expect(try bceLogits(none, none)[0].isNaN)
        #expect(try kl(none, none)[0].isNaN)
        #expect(try kl(none, none, reduction: .batchMean, batch: 0)[0].isNaN)  // 0 / 0, as torch with size(0) == 0
        #expect(try kl(none, none, reduction: .batchMean, batch: 3) == [0])     // a (3, 0) input
    }

    @Test("every target ignored: 'mean' NaN, 'sum' 0, zero losses and a zero gradient")
    func allIgnored() throws {
        let x: [Float] = [0.1, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.1]
        let t: [Int64] = [-100, -100]
        for eps in [0.0, 0.1] {
            #expect(try ce(x, t, batch: 2, classes: 4, smoothing: eps)[0].isNaN)
            #expect(try ce(x, t, batch: 2, classes: 4, reduction: .sum, smoothing: eps) == [0])
            #expect(try ce(x, t, batch: 2, classes: 4, reduction: .none, smoothing: eps) == [0, 0])
        }
        #expect(try nll(x, t, batch: 2, classes: 4)[0].isNaN)
        let layout = try ClassLayout(batch: 2, classes: 4, of: Float.self)
        var g = [Float](repeating: 42, count: 8), loss: [Float] = [42]
        try x.withUnsafeBufferPointer { xb in
            try t.withUnsafeBufferPointer { tb in
                try g.withUnsafeMutableBufferPointer { gb in
                    try loss.withUnsafeMutableBufferPointer { o in
                        try crossEntropyWithGradient(xb, targets: tb, layout: layout, labelSmoothing: 0.1, into: o,
                                                     gradInput: gb)
                    }
                }
            }
        }
        #expect(loss[0].isNaN && g == [Float](repeating: 0, count: 8))
    }

    @Test("class weights of zero: 0 / 0 for 'mean' (NaN), 0 for 'sum', a zero 'mean' gradient")
    func zeroWeights() throws {
        let x: [Double] = [1, 2, 3, 3, 2, 1]
        let w: [Double] = [0, 0, 0]
        #expect(try nll(x, [0, 2], batch: 2, classes: 3, weight: w)[0].isNaN)
        #expect(try ce(x, [0, 2], batch: 2, classes: 3, weight: w)[0].isNaN)
        #expect(try ce(x, [0, 2], batch: 2, classes: 3, weight: w, reduction: .sum) == [0])
        #expect(try ce(x, [0, 2], batch: 2, classes: 3, weight: w, reduction: .none) == [0, 0])
        // Only the counted targets' weights are zero: still 0 / 0 without smoothing.
        #expect(try ce(x, [0, 0], batch: 2, classes: 3, weight: [0, 1, 2])[0].isNaN)
        let layout = try ClassLayout(batch: 2, classes: 3, of: Double.self)
        var g = [Double](repeating: 42, count: 6)
        try x.withUnsafeBufferPointer { xb in
            try [Int64](arrayLiteral: 0, 0).withUnsafeBufferPointer { tb in
                try [Double](arrayLiteral: 0, 1, 2).withUnsafeBufferPointer { wb in
                    try [Double](arrayLiteral: 1).withUnsafeBufferPointer { go in
                        try g.withUnsafeMutableBufferPointer { gb in
                            try crossEntropyBackward(xb, targets: tb, layout: layout, weight: wb, gradOutput: go, into: gb)
                        }
                    }
                }
            }
        }
        #expect(g == [Double](repeating: 0, count: 6))
    }

    @Test("zero-weight targets with label smoothing: 'mean' is NaN, as PyTorch's (nll part 0 / 0)")
    func zeroWeightsWithSmoothing() throws {
        // PyTorch: (1 - eps) * nll_loss(mean) + eps / C * smooth.sum() / weight_sum, and the nll
        // mean with a zero weight sum is 0 / 0 = NaN, so the loss is NaN (the README says so).
        let x: [Float] = [1, 2, 3, 3, 2, 1]
        let loss = try ce(x, [0, 0], batch: 2, classes: 3, weight: [0, 1, 2], smoothing: 0.1)
        #expect(loss[0].isNaN)
        // The same through the (N, C, d) block kernel, and 'sum' stays finite.
        #expect(try ce(x, [0, 0], batch: 1, classes: 3, inner: 2, weight: [0, 1, 2], smoothing: 0.1)[0].isNaN)
        #expect(try ce(x, [0, 0], batch: 2, classes: 3, weight: [0, 1, 2], reduction: .sum, smoothing: 0.1)[0].isFinite)
    }

    @Test("an infinite class weight with label smoothing gives PyTorch's inf, not inf * 0 = NaN")
    func infiniteWeightWithSmoothing() throws {
        // PyTorch 2.15: -sum_c w_c * lp_c, term by term; lp < 0 for every class here.
        let x: [Float] = [1.41, -1.69, -2.90, 3.47]
        let w: [Float] = [0.34, 0.69, 1.29, .infinity]
        for reduction in [Reduction.sum, .none] {
            #expect(try ce(x, [2], batch: 1, classes: 4, weight: w, reduction: reduction, smoothing: 1) == [.infinity])
        }
        // Every row of a block of the (N, C, d) layout, the infinite weight on the max or not.
        let block: [Float] = [3, 0, 1, 2, 0, 3, 2, 1]  // (1, 2, 4): class 0 is the max in lanes 0 and 3
        let loss = try ce(block, [1, 1, 1, 1], batch: 1, classes: 2, inner: 4, weight: [.infinity, 1],
                          reduction: .none, smoothing: 0.5)
        #expect(loss == [Float](repeating: .infinity, count: 4))
        // A negative infinite weight: -inf; both signs: NaN, as term by term.
        #expect(try ce(x, [2], batch: 1, classes: 4, weight: [0.34, 0.69, 1.29, -.infinity], reduction: .sum, smoothing: 0.5) == [-.infinity])
        #expect(try ce(x, [2], batch: 1, classes: 4, weight: [-.infinity, 0.69, 1.29, .infinity], reduction: .sum, smoothing: 0.5)[0].isNaN)
        // The max class alone holds all the probability (lp = 0): inf * 0 is NaN in PyTorch too.
        #expect(try ce([0, -200], [1], batch: 1, classes: 2, weight: [.infinity, 1], reduction: .sum, smoothing: 0.5)[0].isNaN)
    }

    @Test("negative class weights are allowed, as in PyTorch")
    func negativeWeights() throws {
        let x: [Double] = [-1, -2, -3, -4, -5, -6]
        let w: [Double] = [-1, 0.5, 2]
        #expect(try nll(x, [0, 2], batch: 2, classes: 3, weight: w, reduction: .none) == [-1, 12])
        #expect(try nll(x, [0, 2], batch: 2, classes: 3, weight: w) == [11.0 / 1.0])
        let lp = Naive.logSoftmax(x, batch: 2, classes: 3, inner: 1)
        let expected = (w[0] * -lp[0] + w[2] * -lp[5]) / (w[0] + w[2])
        #expect(close(try ce(x, [0, 2], batch: 2, classes: 3, weight: w)[0], expected, 1e-12))
        #expect(try bce([0.5, 0.5], [1, 0], weight: [-2], reduction: .none).allSatisfy { $0 < 0 })
    }

    @Test("subnormal inputs give the limits of the formulas (float32)")
    func subnormals() throws {
        let tiny = Float.leastNonzeroMagnitude, sub: Float = 1e-40
        #expect(try softmax([tiny, -tiny, sub, 0], outer: 1, dim: 4) == [0.25, 0.25, 0.25, 0.25])
        let ln4 = Float(-Double.log(4))
        #expect(try logSoftmax([tiny, -tiny, sub, 0], outer: 1, dim: 4) == [ln4, ln4, ln4, ln4])
        #expect(close(Double(try ce([sub, -sub, tiny], [1], batch: 1, classes: 3)[0]), Double.log(3), 1e-6))
        // exp underflowing into the subnormals: softmax([0, -100]) = e^-100 / (1 + e^-100).
        let p = try softmax([Float](arrayLiteral: 0, -100), outer: 1, dim: 2)
        #expect(p[0] == 1 && p[1] > 0 && p[1] < Float.leastNormalMagnitude)
        #expect(abs(Double(p[1]) - Double.exp(-100)) < 2 * Double(tiny))
        // BCE: log clamped at -100, so x = tiny with t = 1 gives 100; 1 - tiny rounds to 1.
        #expect(try bce([tiny, sub], [1, 0], reduction: .none) == [100, sub])
        #expect(try bce([tiny], [1], reduction: .none) == [100])
        let g = try withOutput(2) { (o: UnsafeMutableBufferPointer<Float>) throws(LossError) in
            try [tiny, sub].withUnsafeBufferPointer { xb throws(LossError) in
                try [Float](arrayLiteral: 1, 0).withUnsafeBufferPointer { tb throws(LossError) in
                    try [Float](arrayLiteral: 1, 1).withUnsafeBufferPointer { gb throws(LossError) in
                        try binaryCrossEntropyBackward(xb, target: tb, reduction: .none, gradOutput: gb, into: o)
                    }
                }
            }
        }
        #expect(g.allSatisfy { $0.isFinite })  // (x - t) / max(x (1 - x), 1e-12)
        // kl_div: xlogy(t, t) of a subnormal target is a tiny negative number, finite.
        let k = try kl([0, 0], [sub, tiny], reduction: .none)
        #expect(k.allSatisfy { $0.isFinite && $0 <= 0 })
        #expect(try bceLogits([sub, -sub], [1, 0], reduction: .none).allSatisfy { abs($0 - Float(Double.log(2))) < 1e-6 })
    }

    @Test("huge finite logits: finite losses (max-shifted log-sum-exp)")
    func hugeLogits() throws {
        let big = Float.greatestFiniteMagnitude / 2
        let loss = try ce([big, 0, -big], [0], batch: 1, classes: 3, reduction: .none)
        #expect(loss.count == 1 && loss[0] == 0)
        #expect(try ce([big, big / 2], [1], batch: 1, classes: 2).allSatisfy { $0.isFinite })
        #expect(try bceLogits([1e30, -1e30], [1, 0], reduction: .none) == [0, 0])
    }
}
