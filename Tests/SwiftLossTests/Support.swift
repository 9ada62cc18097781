import RealModule
import Testing
#if SWIFTLOSS_AVX2_TESTS
@testable import SwiftLossEntriesAVX2  // linked into Tests/SwiftLossAVX2Tests too
#else
@testable import SwiftLoss
#endif

/// SplitMix64: a small deterministic generator so that random cases are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array where Element: LossFloat {
    static func random(_ count: Int, in range: ClosedRange<Double> = -3...3,
                       using rng: inout SeededGenerator) -> [Element] {
        (0..<count).map { _ in Element(Double.random(in: range, using: &rng)) }
    }
}

func randomTargets(_ count: Int, classes: Int, using rng: inout SeededGenerator) -> [Int64] {
    (0..<count).map { _ in Int64.random(in: 0..<Int64(classes), using: &rng) }
}

/// `|a - b| <= tol * max(1, |b|)`, with NaN equal to NaN and infinities equal to themselves.
func close(_ a: Double, _ b: Double, _ tol: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return abs(a - b) <= tol * max(1, abs(b))
}

func expectClose<T: LossFloat, U: LossFloat>(_ a: [T], _ b: [U], _ tol: Double,
                                             sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (i, (x, y)) in zip(a, b).enumerated() where !close(x.wide, y.wide, tol) {
        Issue.record("element \(i): \(x) vs expected \(y)", sourceLocation: sourceLocation)
        return
    }
}

// MARK: - Array wrappers over the buffer API (the output sized by the reduction)

func withOutput<T: LossFloat>(
    _ count: Int, _ body: (UnsafeMutableBufferPointer<T>) throws(LossError) -> Void
) throws(LossError) -> [T] {
    var out = [T](repeating: 0, count: count)
    var failure: LossError?
    out.withUnsafeMutableBufferPointer { o in
        do throws(LossError) { try body(o) } catch { failure = error }
    }
    if let failure { throw failure }
    return out
}

/// Runs `body` with optional array arguments as optional buffers.
func withOptional<T, R>(_ a: [T]?, _ body: (UnsafeBufferPointer<T>?) throws(LossError) -> R) throws(LossError) -> R {
    guard let a else { return try body(nil) }
    var result: Result<R, LossError>!
    a.withUnsafeBufferPointer { b in
        do throws(LossError) { result = .success(try body(b)) } catch { result = .failure(error) }
    }
    return try result.get()
}

func nll<T: LossFloat>(_ x: [T], _ t: [Int64], batch: Int, classes: Int, inner: Int = 1,
                       weight: [T]? = nil, ignore: Int64 = -100, reduction: Reduction = .mean) throws(LossError) -> [T] {
    let layout = try ClassLayout(batch: batch, classes: classes, inner: inner, of: T.self)
    return try withOptional(weight) { w throws(LossError) in
        try withOutput(reduction.outputCount(for: layout.samples)) { o throws(LossError) in
            try x.withUnsafeBufferPointer { xb throws(LossError) in
                try t.withUnsafeBufferPointer { tb throws(LossError) in
                    try nllLoss(xb, targets: tb, layout: layout, weight: w, ignoreIndex: ignore,
                                reduction: reduction, into: o)
                }
            }
        }
    }
}

func ce<T: LossFloat>(_ x: [T], _ t: [Int64], batch: Int, classes: Int, inner: Int = 1,
                      weight: [T]? = nil, ignore: Int64 = -100, reduction: Reduction = .mean,
                      smoothing: Double = 0) throws(LossError) -> [T] {
    let layout = try ClassLayout(batch: batch, classes: classes, inner: inner, of: T.self)
    return try withOptional(weight) { w throws(LossError) in
        try withOutput(reduction.outputCount(for: layout.samples)) { o throws(LossError) in
            try x.withUnsafeBufferPointer { xb throws(LossError) in
                try t.withUnsafeBufferPointer { tb throws(LossError) in
                    try crossEntropy(xb, targets: tb, layout: layout, weight: w, ignoreIndex: ignore,
                                     reduction: reduction, labelSmoothing: smoothing, into: o)
                }
            }
        }
    }
}

func ceProbs<T: LossFloat>(_ x: [T], _ q: [T], batch: Int, classes: Int, inner: Int = 1,
                           weight: [T]? = nil, ignore: Int64 = -100, reduction: Reduction = .mean,
                           smoothing: Double = 0) throws(LossError) -> [T] {
    let layout = try ClassLayout(batch: batch, classes: classes, inner: inner, of: T.self)
    return try withOptional(weight) { w throws(LossError) in
        try withOutput(reduction.outputCount(for: layout.samples)) { o throws(LossError) in
            try x.withUnsafeBufferPointer { xb throws(LossError) in
                try q.withUnsafeBufferPointer { qb throws(LossError) in
                    try crossEntropy(xb, probabilities: qb, layout: layout, weight: w, ignoreIndex: ignore,
                                     reduction: reduction, labelSmoothing: smoothing, into: o)
                }
            }
        }
    }
}

/// Runs an element-wise loss (`input`, `target` arrays) with its output sized by `reduction`.
func elementwise<T: LossFloat>(
    _ x: [T], _ t: [T], _ reduction: Reduction,
    _ body: (UnsafeBufferPointer<T>, UnsafeBufferPointer<T>, UnsafeMutableBufferPointer<T>) throws(LossError) -> Void
) throws(LossError) -> [T] {
    try withOutput(reduction.outputCount(for: x.count)) { o throws(LossError) in
        try x.withUnsafeBufferPointer { xb throws(LossError) in
            try t.withUnsafeBufferPointer { tb throws(LossError) in try body(xb, tb, o) }
        }
    }
}

func bce<T: LossFloat>(_ x: [T], _ t: [T], weight: [T]? = nil, reduction: Reduction = .mean) throws(LossError) -> [T] {
    try withOptional(weight) { w throws(LossError) in
        try elementwise(x, t, reduction) { xb, tb, o throws(LossError) in
            try binaryCrossEntropy(xb, target: tb, weight: w, reduction: reduction, into: o)
        }
    }
}

func bceLogits<T: LossFloat>(_ x: [T], _ t: [T], weight: [T]? = nil, posWeight: [T]? = nil,
                             reduction: Reduction = .mean) throws(LossError) -> [T] {
    try withOptional(weight) { w throws(LossError) in
        try withOptional(posWeight) { pw throws(LossError) in
            try elementwise(x, t, reduction) { xb, tb, o throws(LossError) in
                try binaryCrossEntropyWithLogits(xb, target: tb, weight: w, posWeight: pw,
                                                 reduction: reduction, into: o)
            }
        }
    }
}

func kl<T: LossFloat>(_ x: [T], _ t: [T], reduction: Reduction = .mean, logTarget: Bool = false,
                      batch: Int = 1) throws(LossError) -> [T] {
    try elementwise(x, t, reduction) { xb, tb, o throws(LossError) in
        try klDiv(xb, target: tb, reduction: reduction, logTarget: logTarget, batchSize: batch, into: o)
    }
}

// MARK: - An independent, naive float64 reference (no max shift, no shared code)

enum Naive {
    /// log_softmax of each (n, i) slice of a [batch][classes][inner] array.
    static func logSoftmax(_ x: [Double], batch: Int, classes: Int, inner: Int) -> [Double] {
        var out = x
        for n in 0..<batch {
            for i in 0..<inner {
                let idx = (0..<classes).map { (n * classes + $0) * inner + i }
                let lse = Double.log(idx.map { Double.exp(x[$0]) }.reduce(0, +))
                for j in idx { out[j] = x[j] - lse }
            }
        }
        return out
    }

    /// cross_entropy per sample, straight from the definition with a soft target
    /// q = (1 - eps) * onehot + eps / C; ignored samples give nil.
    static func crossEntropy(_ x: [Double], _ t: [Int64], batch: Int, classes: Int, inner: Int,
                             weight: [Double]?, ignore: Int64, eps: Double) -> [(loss: Double, weight: Double)?] {
        let lp = logSoftmax(x, batch: batch, classes: classes, inner: inner)
        var out: [(loss: Double, weight: Double)?] = []
        for n in 0..<batch {
            for i in 0..<inner {
                let y = t[n * inner + i]
                if y == ignore { out.append(nil); continue }
                var loss = 0.0
                for c in 0..<classes {
                    let w = weight?[c] ?? 1
                    let q = (1 - eps) * (Int64(c) == y ? 1 : 0) + eps / Double(classes)
                    loss -= w * q * lp[(n * classes + c) * inner + i]
                }
                out.append((loss, weight?[Int(y)] ?? 1))
            }
        }
        return out
    }

    static func reduce(_ per: [(loss: Double, weight: Double)?], _ r: Reduction) -> [Double] {
        switch r {
        case .none: return per.map { $0?.loss ?? 0 }
        case .sum: return [per.compactMap { $0?.loss }.reduce(0, +)]
        default:
            return [per.compactMap { $0?.loss }.reduce(0, +) / per.compactMap { $0?.weight }.reduce(0, +)]
        }
    }
}

/// Expects `grad` to be the derivative of `f` at `x`: central differences of step 1e-6, element
/// by element, within 1e-7 relative.
func expectCentralDifferences(_ grad: [Double], at x: [Double], _ f: ([Double]) throws(LossError) -> Double,
                              sourceLocation: SourceLocation = #_sourceLocation) throws(LossError) {
    let h = 1e-6
    for k in 0..<x.count {
        var up = x, down = x
        up[k] += h
        down[k] -= h
        let numeric = (try f(up) - (try f(down))) / (2 * h)
        #expect(abs(grad[k] - numeric) <= 1e-7 * max(1, abs(numeric)), "element \(k)", sourceLocation: sourceLocation)
    }
}
