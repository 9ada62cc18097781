@testable import SwiftLoss
import Synchronization
import Testing

/// Tells the thread-count changer of `concurrentCallers` to stop.
private let stopChanging = Atomic<Int>(0)

/// Concurrent calls on shared read-only inputs, with private outputs, while another thread
/// changes the thread count: every result must equal the single-threaded one bit for bit
/// (the split into chunks depends only on the sizes). Large enough to use the library's own
/// threads. Run under ThreadSanitizer by Tests/stress/sanitizers.sh; the C entry points are
/// hammered the same way by Tests/stress/stress.c.
@Suite("concurrency")
struct ConcurrencyTests {
    /// One call's results: the loss and the gradient (or softmax output) bytes.
    struct Result: Equatable {
        var loss: [Float]
        var grad: [Float]
    }

    static let batch = 600, classes = 500  // 300K logits: above the 64K threading threshold

    static let logits: [Float] = {
        var rng = SeededGenerator(seed: 6)
        return .random(batch * classes, in: -4...4, using: &rng)
    }()
    static let targets: [Int64] = {
        var rng = SeededGenerator(seed: 7)
        return (0..<batch).map { n in n % 17 == 0 ? -100 : Int64.random(in: 0..<Int64(classes), using: &rng) }
    }()
    static let weight: [Float] = (0..<classes).map { Float(1 + $0 % 3) / 2 }

    /// Runs call `kind` (0: fused cross_entropy, 1: cross_entropy_backward with smoothing,
    /// 2: softmax, 3: nll_loss 'none', 4: BCE with logits) into fresh buffers.
    static func run(_ kind: Int) throws -> Result {
        let layout = try ClassLayout(batch: batch, classes: classes, of: Float.self)
        var loss = [Float](repeating: kind == 1 ? 1 : .nan, count: kind == 3 ? batch : 1)  // kind 1: upstream 1
        var grad = [Float](repeating: .nan, count: kind == 3 ? 0 : batch * classes)
        try logits.withUnsafeBufferPointer { x in
            try targets.withUnsafeBufferPointer { t in
                try weight.withUnsafeBufferPointer { w in
                    try loss.withUnsafeMutableBufferPointer { o in
                        try grad.withUnsafeMutableBufferPointer { g in
                            switch kind {
                            case 0:
                                try crossEntropyWithGradient(x, targets: t, layout: layout, weight: w, labelSmoothing: 0.1,
                                                             into: o, gradInput: g)
                            case 1:
                                try crossEntropyBackward(x, targets: t, layout: layout, reduction: .sum, labelSmoothing: 0.2,
                                                         gradOutput: UnsafeBufferPointer(o.extracting(0..<1)), into: g)
                            case 2:
                                try softmax(x, outer: batch / 10, dim: 10, inner: classes, into: g)
                            case 3:
                                try nllLoss(x, targets: t, layout: layout, weight: w, reduction: .none, into: o)
                            default:
                                try binaryCrossEntropyWithLogits(x, target: x, weight: w, reduction: .mean, into: o)
                            }
                        }
                    }
                }
            }
        }
        return Result(loss: loss, grad: grad)
    }

    static func sameBits(_ a: Result, _ b: Result) -> Bool {
        a.loss.map(\.bitPattern) == b.loss.map(\.bitPattern) && a.grad.map(\.bitPattern) == b.grad.map(\.bitPattern)
    }

    @Test("8 concurrent callers x 5 functions, thread count changing meanwhile: bitwise equal results",
          .timeLimit(.minutes(2)))
    func concurrentCallers() async throws {
        setThreadCount(1)
        let kinds = 0..<5
        var reference: [Result] = []
        for k in kinds { reference.append(try Self.run(k)) }
        setThreadCount(0)

        // A task that keeps changing the thread count while the calls run.
        stopChanging.store(0, ordering: .sequentiallyConsistent)
        let changer = Task.detached {
            var n = 0
            let counts = [0, 1, 2, 3, 5, 8]
            while stopChanging.load(ordering: .sequentiallyConsistent) == 0 {
                setThreadCount(counts[n % counts.count])
                #expect(threadCount() >= 1)
                n += 1
                await Task.yield()
            }
            return n
        }
        let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var bad = 0
                    for round in 0..<1 {
                        for step in kinds {
                            let k = (step + worker + round) % kinds.count
                            if !Self.sameBits(try Self.run(k), reference[k]) { bad += 1 }
                        }
                    }
                    return bad
                }
            }
            return try await group.reduce(0, +)
        }
        stopChanging.store(1, ordering: .sequentiallyConsistent)
        let changes = await changer.value
        setThreadCount(0)
        #expect(mismatches == 0)
        #expect(changes > 0)
    }
}
