@testable import SwiftLoss
import Testing

/// multi_margin_loss and multilabel_margin_loss: PyTorch's formulas written out in float64
/// (every p, margin, weight and reduction; label lists with duplicates, -1 terminators and
/// rows whose every class is a target), the empty batch, every error, the gradients against
/// central differences, the in-place multi_margin gradient, and threaded calls bit for bit
/// equal to single-threaded ones.
@Suite("margin losses")
struct MarginTests {
    // MARK: float64 references

    static func multiMarginNaive(_ x: [Double], _ t: [Int64], classes: Int, p: Int, margin: Double,
                                 _ w: [Double]?) -> [Double] {
        (0..<t.count).map { n in
            let y = Int(t[n])
            var s = 0.0
            for j in 0..<classes where j != y {
                let z = margin - x[n * classes + y] + x[n * classes + j]
                if z > 0 { s += (p == 1 ? z : z * z) * (w?[y] ?? 1) }
            }
            return s / Double(classes)
        }
    }

    static func multilabelNaive(_ x: [Double], _ t: [Int64], classes: Int) -> [Double] {
        (0..<(x.count / classes)).map { n in
            let row = Array(t[n * classes ..< (n + 1) * classes])
            let list = Array(row.prefix { $0 >= 0 }).map { Int($0) }
            var s = 0.0
            for j in list {
                for k in 0..<classes where !list.contains(k) {
                    let z = 1 - x[n * classes + j] + x[n * classes + k]
                    if z > 0 { s += z }
                }
            }
            return s / Double(classes)
        }
    }

    static func reduce(_ rows: [Double], _ reduction: Reduction) -> [Double] {
        switch reduction {
        case .none: rows
        case .sum: [rows.reduce(0, +)]
        default: [rows.reduce(0, +) / Double(rows.count)]
        }
    }

    // MARK: calls

    static func multiMargin<T: LossFloat>(_ x: [T], _ t: [Int64], classes: Int, p: Int = 1, margin: Double = 1,
                                          weight: [T]? = nil, reduction: Reduction) throws(LossError) -> [T] {
        let batch = t.count
        return try withOptional(weight) { w throws(LossError) in
            try withOutput(reduction.outputCount(for: batch)) { o throws(LossError) in
                try x.withUnsafeBufferPointer { xb throws(LossError) in
                    try t.withUnsafeBufferPointer { tb throws(LossError) in
                        try multiMarginLoss(xb, targets: tb, batch: batch, classes: classes, p: p, margin: margin,
                                            weight: w, reduction: reduction, into: o)
                    }
                }
            }
        }
    }

    static func multiMarginGradient<T: LossFloat>(_ x: [T], _ t: [Int64], classes: Int, p: Int, margin: Double,
                                                  weight: [T]?, reduction: Reduction, _ g: [T]) throws(LossError) -> [T] {
        try withOptional(weight) { w throws(LossError) in
            try withOutput(x.count) { o throws(LossError) in
                try x.withUnsafeBufferPointer { xb throws(LossError) in
                    try t.withUnsafeBufferPointer { tb throws(LossError) in
                        try g.withUnsafeBufferPointer { gb throws(LossError) in
                            try multiMarginLossBackward(xb, targets: tb, batch: t.count, classes: classes, p: p,
                                                        margin: margin, weight: w, reduction: reduction,
                                                        gradOutput: gb, into: o)
                        }
                    }
                }
            }
        }
    }

    static func multilabel<T: LossFloat>(_ x: [T], _ t: [Int64], classes: Int,
                                         reduction: Reduction) throws(LossError) -> [T] {
        let batch = classes == 0 ? 0 : x.count / classes
        return try withOutput(reduction.outputCount(for: batch)) { o throws(LossError) in
            try x.withUnsafeBufferPointer { xb throws(LossError) in
                try t.withUnsafeBufferPointer { tb throws(LossError) in
                    try multilabelMarginLoss(xb, targets: tb, batch: batch, classes: classes, reduction: reduction, into: o)
                }
            }
        }
    }

    static func multilabelGradient<T: LossFloat>(_ x: [T], _ t: [Int64], classes: Int, reduction: Reduction,
                                                 _ g: [T]) throws(LossError) -> [T] {
        try withOutput(x.count) { o throws(LossError) in
            try x.withUnsafeBufferPointer { xb throws(LossError) in
                try t.withUnsafeBufferPointer { tb throws(LossError) in
                    try g.withUnsafeBufferPointer { gb throws(LossError) in
                        try multilabelMarginLossBackward(xb, targets: tb, batch: x.count / classes, classes: classes,
                                                         reduction: reduction, gradOutput: gb, into: o)
                    }
                }
            }
        }
    }

    /// Random label lists: up to `classes` entries (duplicates possible), then -1 and junk.
    static func labelLists(batch: Int, classes: Int, using rng: inout SeededGenerator) -> [Int64] {
        (0..<batch).flatMap { n -> [Int64] in
            let length = n == 0 ? classes : Int.random(in: 0...min(classes, 5), using: &rng)
            return (0..<classes).map { i in
                if i < length { return Int64.random(in: 0..<Int64(classes), using: &rng) }
                return i == length ? -1 : Int64.random(in: -1..<Int64(classes), using: &rng)
            }
        }
    }

    // MARK: tests

    @Test("multi_margin_loss: p 1 and 2, margins, weights, every reduction, against float64",
          arguments: [1, 2], [1.0, -0.5, 2.75])
    func multiMarginValues(p: Int, margin: Double) throws {
        var rng = SeededGenerator(seed: 41)
        let batch = 9, classes = 37  // rows of several vectors and a partial tail
        let x = [Double].random(batch * classes, in: -2...2, using: &rng)
        let t = randomTargets(batch, classes: classes, using: &rng)
        for w in [nil, [Double].random(classes, in: 0...2, using: &rng)] {
            let rows = Self.multiMarginNaive(x, t, classes: classes, p: p, margin: margin, w)
            for r in [Reduction.none, .sum, .mean] {
                expectClose(try Self.multiMargin(x, t, classes: classes, p: p, margin: margin, weight: w, reduction: r),
                            Self.reduce(rows, r), 1e-13)
                let f = try Self.multiMargin(x.map { Float($0) }, t, classes: classes, p: p, margin: margin,
                                             weight: w?.map { Float($0) }, reduction: r)
                expectClose(f, Self.reduce(Self.multiMarginNaive(x.map { Double(Float($0)) }, t, classes: classes, p: p,
                                                                 margin: Double(Float(margin)), w?.map { Double(Float($0)) }),
                                           r), 2e-6)
            }
        }
    }

    @Test("multi_margin_loss: NaN swallowed, one class, the target's own term, empty batch")
    func multiMarginEdges() throws {
        // x[y] NaN: every term NaN, none counts; another NaN: that term only.
        #expect(try Self.multiMargin([Double.nan, 1, 2], [0], classes: 3, reduction: .none) == [0])
        #expect(try Self.multiMargin([0, Double.nan, 2], [0], classes: 3, reduction: .none) == [1])
        #expect(try Self.multiMargin([0, .infinity, 2], [0], classes: 3, reduction: .none) == [.infinity])
        #expect(try Self.multiMargin([3.0], [0], classes: 1, reduction: .none) == [0])
        #expect(try Self.multiMargin([0.0, 0, 0], [1], classes: 3, margin: .nan, reduction: .sum) == [0])
        // A weight that is NaN or inf on a row with no positive term: 0, as PyTorch.
        #expect(try Self.multiMargin([0.0, -5, -5], [0], classes: 3, weight: [.nan, 1, 1], reduction: .none) == [0])
        #expect(try Self.multiMargin([Double](), [], classes: 4, reduction: .sum) == [0])
        #expect(try Self.multiMargin([Double](), [], classes: 4, reduction: .mean)[0].isNaN)
        #expect(try Self.multiMargin([Float](), [], classes: 4, reduction: .none).isEmpty)
    }

    @Test("multi_margin_loss: every error, nothing written")
    func multiMarginErrors() {
        let x: [Double] = [0, 1, 2, 3], t: [Int64] = [0, 1]
        #expect(throws: LossError.zeroClasses) { try Self.multiMargin([Double](), [0, 0], classes: 0, reduction: .sum) }
        #expect(throws: LossError.invalidArgument("p must be 1 or 2")) {
            try Self.multiMargin(x, t, classes: 2, p: 3, reduction: .sum)
        }
        #expect(throws: LossError.weightSize(expected: 2, actual: 3)) {
            try Self.multiMargin(x, t, classes: 2, weight: [1, 1, 1], reduction: .sum)
        }
        #expect(throws: LossError.targetOutOfBounds(target: 2)) { try Self.multiMargin(x, [0, 2], classes: 2, reduction: .sum) }
        #expect(throws: LossError.targetOutOfBounds(target: -1)) { try Self.multiMargin(x, [-1, 0], classes: 2, reduction: .sum) }
        #expect(throws: LossError.invalidReduction) { try Self.multiMargin(x, t, classes: 2, reduction: .batchMean) }
        #expect(throws: LossError.bufferSize(expected: 4, actual: 3)) {
            try Self.multiMargin([0.0, 1, 2], t, classes: 2, reduction: .sum)
        }
        var out: [Double] = [42]
        x.withUnsafeBufferPointer { xb in
            [Int64(0), 5].withUnsafeBufferPointer { tb in
                out.withUnsafeMutableBufferPointer { o in
                    #expect(throws: LossError.targetOutOfBounds(target: 5)) {
                        try multiMarginLoss(xb, targets: tb, batch: 2, classes: 2, reduction: .sum, into: o)
                    }
                }
            }
        }
        #expect(out == [42])
    }

    @Test("multi_margin_loss gradient: central differences; in place over the input", arguments: [1, 2])
    func multiMarginGradient(p: Int) throws {
        var rng = SeededGenerator(seed: 43)
        let batch = 4, classes = 11
        let x = [Double].random(batch * classes, in: -2...2, using: &rng)
        let t = randomTargets(batch, classes: classes, using: &rng)
        let w = [Double].random(classes, in: 0.5...2, using: &rng)
        let g = [Double].random(batch, in: -1...1, using: &rng)
        let grad = try Self.multiMarginGradient(x, t, classes: classes, p: p, margin: 0.7, weight: w, reduction: .none, g)
        try expectCentralDifferences(grad, at: x) { v throws(LossError) in
            zip(try Self.multiMargin(v, t, classes: classes, p: p, margin: 0.7, weight: w, reduction: .none), g)
                .map { $0 * $1 }.reduce(0, +)
        }
        // 'mean' is 'sum' divided by the batch; in place gives the same bits.
        let mean = try Self.multiMarginGradient(x, t, classes: classes, p: p, margin: 0.7, weight: w, reduction: .mean, [2.0])
        let sum = try Self.multiMarginGradient(x, t, classes: classes, p: p, margin: 0.7, weight: w, reduction: .sum, [2.0])
        expectClose(mean, sum.map { $0 / Double(batch) }, 1e-14)
        var inPlace = x
        try t.withUnsafeBufferPointer { tb in
            try w.withUnsafeBufferPointer { wb in
                try [2.0].withUnsafeBufferPointer { gb in
                    try inPlace.withUnsafeMutableBufferPointer { buffer in
                        try multiMarginLossBackward(UnsafeBufferPointer(buffer), targets: tb, batch: batch, classes: classes,
                                                    p: p, margin: 0.7, weight: wb, reduction: .mean, gradOutput: gb,
                                                    into: buffer)
                    }
                }
            }
        }
        #expect(inPlace == mean)
    }

    @Test("multilabel_margin_loss: duplicates, -1, every class a target, every reduction, against float64")
    func multilabelValues() throws {
        var rng = SeededGenerator(seed: 47)
        let batch = 8, classes = 21
        let x = [Double].random(batch * classes, in: -2...2, using: &rng)
        var t = Self.labelLists(batch: batch, classes: classes, using: &rng)
        t[classes] = 3; t[classes + 1] = 3; t[classes + 2] = 3; t[classes + 3] = -1  // duplicates count each
        let rows = Self.multilabelNaive(x, t, classes: classes)
        for r in [Reduction.none, .sum, .mean] {
            expectClose(try Self.multilabel(x, t, classes: classes, reduction: r), Self.reduce(rows, r), 1e-13)
            let f = try Self.multilabel(x.map { Float($0) }, t, classes: classes, reduction: r)
            expectClose(f, Self.reduce(Self.multilabelNaive(x.map { Double(Float($0)) }, t, classes: classes), r), 2e-6)
        }
        // PyTorch's worked example: [0.1, 0.2, 0.4, 0.8] with targets 3, 0 gives 0.85.
        expectClose(try Self.multilabel([0.1, 0.2, 0.4, 0.8], [3, 0, -1, 1], classes: 4, reduction: .none), [0.85], 1e-15)
        // A row whose every class is a target, an empty list, NaN swallowed, a 1 x 1 input.
        #expect(try Self.multilabel([0.3, -2, 5], [2, 0, 1], classes: 3, reduction: .none) == [0])
        #expect(try Self.multilabel([0.3, -2, 5], [-1, 0, 1], classes: 3, reduction: .none) == [0])
        #expect(try Self.multilabel([Double.nan, 0.5, -1], [0, -1, 1], classes: 3, reduction: .none) == [0])
        #expect(try Self.multilabel([0.3], [0], classes: 1, reduction: .none) == [0])
        #expect(try Self.multilabel([Double](), [], classes: 3, reduction: .sum) == [0])
        #expect(try Self.multilabel([Double](), [], classes: 3, reduction: .mean)[0].isNaN)
    }

    @Test("multilabel_margin_loss: every error (entries after -1 checked too), nothing written")
    func multilabelErrors() {
        #expect(throws: LossError.zeroClasses) { try Self.multilabel([Double](), [], classes: 0, reduction: .sum) }
        #expect(throws: LossError.targetOutOfBounds(target: 3)) {
            try Self.multilabel([0.0, 1, 2], [0, -1, 3], classes: 3, reduction: .sum)
        }
        #expect(throws: LossError.targetOutOfBounds(target: -2)) {
            try Self.multilabel([0.0, 1, 2], [-2, 0, 0], classes: 3, reduction: .sum)
        }
        #expect(throws: LossError.invalidReduction) { try Self.multilabel([0.0], [0], classes: 1, reduction: .batchMean) }
        #expect(throws: LossError.bufferSize(expected: 3, actual: 2)) {
            try Self.multilabel([0.0, 1, 2], [0, -1], classes: 3, reduction: .sum)
        }
    }

    @Test("multilabel_margin_loss gradient against central differences")
    func multilabelGradient() throws {
        var rng = SeededGenerator(seed: 53)
        let batch = 5, classes = 9
        let x = [Double].random(batch * classes, in: -2...2, using: &rng)
        let t = Self.labelLists(batch: batch, classes: classes, using: &rng)
        let g = [Double].random(batch, in: -1...1, using: &rng)
        let grad = try Self.multilabelGradient(x, t, classes: classes, reduction: .none, g)
        try expectCentralDifferences(grad, at: x) { v throws(LossError) in
            zip(try Self.multilabel(v, t, classes: classes, reduction: .none), g).map { $0 * $1 }.reduce(0, +)
        }
    }

    @Test("threaded calls give the single-threaded bits")
    func threads() throws {
        var rng = SeededGenerator(seed: 59)
        let batch = 700, classes = 300  // 210K elements: above the threading threshold
        let x = [Float].random(batch * classes, in: -2...2, using: &rng)
        let t = randomTargets(batch, classes: classes, using: &rng)
        let lists = Self.labelLists(batch: batch, classes: classes, using: &rng)
        let w = [Float].random(classes, in: 0.5...2, using: &rng)
        func all() throws -> [[Float]] {
            [try Self.multiMargin(x, t, classes: classes, p: 2, weight: w, reduction: .mean),
             try Self.multiMargin(x, t, classes: classes, reduction: .none),
             try Self.multiMarginGradient(x, t, classes: classes, p: 1, margin: 1, weight: w, reduction: .sum, [1]),
             try Self.multilabel(x, lists, classes: classes, reduction: .sum),
             try Self.multilabelGradient(x, lists, classes: classes, reduction: .mean, [1])]
        }
        setThreadCount(1)
        let single = try all()
        setThreadCount(0)
        defer { setThreadCount(0) }
        for (a, b) in zip(try all(), single) {
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        }
    }
}
