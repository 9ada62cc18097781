#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

/// Vocabulary-parallel cross_entropy (include/swiftloss.h): the four steps of a shard. Sizes
/// are checked before any buffer is formed; outputs may overlap no input (the gradient may be
/// exactly the logits' memory) and nothing is written on error.
func vocabParallelMaxCall<T: LossFloat>(
    _ logits: UnsafePointer<T>?, _ batch: UInt, _ shardClasses: UInt, _ rowMax: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let b = try size(batch), v = try size(shardClasses)
        let x = try inputBuffer(logits, try elementCount(b, v, of: T.self))
        let m = try outputBuffer(rowMax, try elementCount(b, of: T.self))
        try requireDisjoint(m, x)
        try vocabParallelMax(x, batch: b, shardClasses: v, into: m)
    }
}

/// The sizes, targets and weight shared by the steps after the max.
struct VocabParallelCall<T: LossFloat> {
    let batch: Int, shardClasses: Int, vocabStart: Int, classes: Int
    let shardCount: Int
    let targets: UnsafeBufferPointer<Int64>
    let weight: UnsafeBufferPointer<T>?
    let rowMax: UnsafeBufferPointer<T>

    init(_ batch: UInt, _ shardClasses: UInt, _ vocabStart: UInt, _ classes: UInt, _ target: UnsafePointer<Int64>?,
         _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ rowMax: UnsafePointer<T>?, hasRowMax: Bool = true) throws {
        self.batch = try size(batch); self.shardClasses = try size(shardClasses)
        self.vocabStart = try size(vocabStart); self.classes = try size(classes)
        shardCount = try elementCount(self.batch, self.shardClasses, of: T.self)
        _ = try elementCount(self.batch, 3, of: T.self)
        // The full logits' shape, which no rank holds: checked with the targets' class axis
        // later too, but as a size before any buffer (a size overflow before an overlap).
        _ = try elementCount(self.batch, self.classes, of: T.self)
        targets = try inputBuffer(target, try elementCount(self.batch, of: Int64.self))
        self.weight = try weightBuffer(weight, weightLen)
        self.rowMax = try inputBuffer(rowMax, hasRowMax ? self.batch : 0)
    }

    func stats(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, batch &* 3) }

    /// Throws `.overlap` when `output` overlaps any input of the call.
    func checkDisjoint<U>(_ output: UnsafeMutableBufferPointer<T>, _ others: UnsafeBufferPointer<U>?...) throws {
        try requireDisjoint(output, targets)
        try requireDisjoint(output, weight)
        try requireDisjoint(output, rowMax)
        for other in others { try requireDisjoint(output, other) }
    }
}

func vocabParallelStatsCall<T: LossFloat>(
    _ logits: UnsafePointer<T>?, _ batch: UInt, _ shardClasses: UInt, _ vocabStart: UInt, _ classes: UInt,
    _ target: UnsafePointer<Int64>?, _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ ignoreIndex: Int64,
    _ labelSmoothing: Double, _ rowMax: UnsafePointer<T>?, _ stats: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try VocabParallelCall(batch, shardClasses, vocabStart, classes, target, weight, weightLen, rowMax)
        let x = try inputBuffer(logits, c.shardCount)
        let s = try outputBuffer(stats, c.batch &* 3)
        try c.checkDisjoint(s, x)
        try vocabParallelStats(x, batch: c.batch, shardClasses: c.shardClasses, vocabStart: c.vocabStart,
                               classes: c.classes, targets: c.targets, weight: c.weight, ignoreIndex: ignoreIndex,
                               labelSmoothing: labelSmoothing, rowMax: c.rowMax, into: s)
    }
}

func vocabParallelLossCall<T: LossFloat>(
    _ target: UnsafePointer<Int64>?, _ batch: UInt, _ classes: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double, _ rowMax: UnsafePointer<T>?,
    _ stats: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try VocabParallelCall(batch, 0, 0, classes, target, weight, weightLen, rowMax)
        let r = try parseReduction(reduction)
        let s = try c.stats(stats)
        let y = try outputBuffer(output, r == .batchMean ? 0 : r.outputCount(for: c.batch))
        try c.checkDisjoint(y, s)
        try vocabParallelLoss(targets: c.targets, batch: c.batch, classes: c.classes, weight: c.weight,
                              ignoreIndex: ignoreIndex, reduction: r, labelSmoothing: labelSmoothing,
                              rowMax: c.rowMax, stats: s, into: y)
    }
}

func vocabParallelBackwardCall<T: LossFloat>(
    _ logits: UnsafePointer<T>?, _ batch: UInt, _ shardClasses: UInt, _ vocabStart: UInt, _ classes: UInt,
    _ target: UnsafePointer<Int64>?, _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ ignoreIndex: Int64,
    _ reduction: Int32, _ labelSmoothing: Double, _ rowMax: UnsafePointer<T>?, _ stats: UnsafePointer<T>?,
    _ gradOutput: UnsafePointer<T>?, _ gradLogits: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try VocabParallelCall(batch, shardClasses, vocabStart, classes, target, weight, weightLen, rowMax)
        let r = try parseReduction(reduction)
        let x = try inputBuffer(logits, c.shardCount)
        let s = try c.stats(stats)
        let g = try inputBuffer(gradOutput, r == .batchMean ? 0 : r.outputCount(for: c.batch))
        let gx = try outputBuffer(gradLogits, c.shardCount)
        try c.checkDisjoint(gx, s, g)
        try requireDisjoint(gx, x, sameAllowed: true)
        try vocabParallelBackward(x, batch: c.batch, shardClasses: c.shardClasses, vocabStart: c.vocabStart,
                                  classes: c.classes, targets: c.targets, weight: c.weight, ignoreIndex: ignoreIndex,
                                  reduction: r, labelSmoothing: labelSmoothing, rowMax: c.rowMax, stats: s,
                                  gradOutput: g, into: gx)
    }
}

/// The weight shard of the LM-head steps: input (batch x hidden), the shard's weight rows
/// (shardClasses x hidden) and bias slice (NULL: none), sizes checked first.
struct VocabParallelLinearCall<T: LossFloat> {
    let hidden: Int
    let input: UnsafeBufferPointer<T>
    let linearWeight: UnsafeBufferPointer<T>
    let linearBias: UnsafeBufferPointer<T>?

    init(_ c: VocabParallelCall<T>, _ hidden: UInt, _ input: UnsafePointer<T>?, _ linearWeight: UnsafePointer<T>?,
         _ linearBias: UnsafePointer<T>?) throws {
        self.hidden = try size(hidden)
        self.input = try inputBuffer(input, try elementCount(c.batch, self.hidden, of: T.self))
        self.linearWeight = try inputBuffer(linearWeight, try elementCount(c.shardClasses, self.hidden, of: T.self))
        self.linearBias = linearBias.map { UnsafeBufferPointer(start: $0, count: c.shardClasses) }
    }
}

/// Throws `.overlap` when any two of `outputs` overlap.
func requireDisjointOutputs<T>(_ outputs: UnsafeMutableBufferPointer<T>?...) throws {
    let given = outputs.compactMap { $0 }
    for (k, out) in given.enumerated() {
        for other in given[(k + 1)...] { try requireDisjoint(out, other) }
    }
}

func vocabParallelLinearStatsCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ batch: UInt, _ hidden: UInt, _ linearWeight: UnsafePointer<T>?,
    _ linearBias: UnsafePointer<T>?, _ shardClasses: UInt, _ vocabStart: UInt, _ classes: UInt,
    _ target: UnsafePointer<Int64>?, _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ ignoreIndex: Int64,
    _ labelSmoothing: Double, _ localMax: UnsafeMutablePointer<T>?, _ stats: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try VocabParallelCall(batch, shardClasses, vocabStart, classes, target, weight, weightLen, nil,
                                      hasRowMax: false)
        let l = try VocabParallelLinearCall(c, hidden, input, linearWeight, linearBias)
        let m = try outputBuffer(localMax, c.batch)
        let s = try outputBuffer(stats, c.batch &* 3)
        for out in [m, s] { try c.checkDisjoint(out, l.input, l.linearWeight, l.linearBias) }
        try requireDisjoint(s, m)
        try vocabParallelLinearStats(l.input, linearWeight: l.linearWeight, linearBias: l.linearBias, batch: c.batch,
                                     hidden: l.hidden, shardClasses: c.shardClasses, vocabStart: c.vocabStart,
                                     classes: c.classes, targets: c.targets, weight: c.weight,
                                     ignoreIndex: ignoreIndex, labelSmoothing: labelSmoothing, localMax: m, stats: s)
    }
}

func vocabParallelRescaleCall<T: LossFloat>(
    _ localMax: UnsafePointer<T>?, _ batch: UInt, _ shardClasses: UInt, _ vocabStart: UInt, _ classes: UInt,
    _ target: UnsafePointer<Int64>?, _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ ignoreIndex: Int64,
    _ labelSmoothing: Double, _ rowMax: UnsafePointer<T>?, _ stats: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try VocabParallelCall(batch, shardClasses, vocabStart, classes, target, weight, weightLen, rowMax)
        let m = try inputBuffer(localMax, c.batch)
        let s = try outputBuffer(stats, c.batch &* 3)
        try c.checkDisjoint(s, m)
        try vocabParallelRescale(m, batch: c.batch, shardClasses: c.shardClasses, vocabStart: c.vocabStart,
                                 classes: c.classes, targets: c.targets, weight: c.weight, ignoreIndex: ignoreIndex,
                                 labelSmoothing: labelSmoothing, rowMax: c.rowMax, stats: s)
    }
}

func vocabParallelLinearBackwardCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ batch: UInt, _ hidden: UInt, _ linearWeight: UnsafePointer<T>?,
    _ linearBias: UnsafePointer<T>?, _ shardClasses: UInt, _ vocabStart: UInt, _ classes: UInt,
    _ target: UnsafePointer<Int64>?, _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ ignoreIndex: Int64,
    _ reduction: Int32, _ labelSmoothing: Double, _ rowMax: UnsafePointer<T>?, _ stats: UnsafePointer<T>?,
    _ gradOutput: UnsafePointer<T>?, _ gradInput: UnsafeMutablePointer<T>?,
    _ gradLinearWeight: UnsafeMutablePointer<T>?, _ gradLinearBias: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try VocabParallelCall(batch, shardClasses, vocabStart, classes, target, weight, weightLen, rowMax)
        let l = try VocabParallelLinearCall(c, hidden, input, linearWeight, linearBias)
        let r = try parseReduction(reduction)
        let s = try c.stats(stats)
        let g = try inputBuffer(gradOutput, r == .batchMean ? 0 : r.outputCount(for: c.batch))
        let gx = gradInput.map { UnsafeMutableBufferPointer(start: $0, count: l.input.count) }
        let gw = gradLinearWeight.map { UnsafeMutableBufferPointer(start: $0, count: l.linearWeight.count) }
        let gb = gradLinearBias.map { UnsafeMutableBufferPointer(start: $0, count: c.shardClasses) }
        for out in [gx, gw, gb] {
            guard let out else { continue }
            try c.checkDisjoint(out, s, g, l.input, l.linearWeight, l.linearBias)
        }
        try requireDisjointOutputs(gx, gw, gb)
        try vocabParallelLinearBackward(
            l.input, linearWeight: l.linearWeight, linearBias: l.linearBias, batch: c.batch, hidden: l.hidden,
            shardClasses: c.shardClasses, vocabStart: c.vocabStart, classes: c.classes, targets: c.targets,
            weight: c.weight, ignoreIndex: ignoreIndex, reduction: r, labelSmoothing: labelSmoothing, rowMax: c.rowMax,
            stats: s, gradOutput: g, gradInput: gx, gradLinearWeight: gw, gradLinearBias: gb)
    }
}
