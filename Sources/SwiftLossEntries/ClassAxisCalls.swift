#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

/// A class-axis call whose sizes, weight and reduction have been checked; its methods turn
/// the caller's pointers into buffers of exactly the documented sizes (NULL only when empty).
struct ClassAxisCall<T: LossFloat> {
    let layout: ClassLayout
    let weight: UnsafeBufferPointer<T>?
    let reduction: Reduction

    /// Elements of a loss output or upstream gradient: one per sample for `.none`, else 1.
    var reducedCount: Int { reduction.outputCount(for: layout.samples) }

    init(_ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
         _ reductionCode: Int32) throws {
        layout = try ClassLayout(batch: try size(batch), classes: try size(classes),
                                 inner: try size(inner), of: T.self)
        _ = try elementCount(layout.samples, of: Int64.self)
        reduction = try parseReduction(reductionCode)
        self.weight = try weightBuffer(weight, weightLen)
    }

    func input(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, layout.count) }
    func targets(_ p: UnsafePointer<Int64>?) throws -> UnsafeBufferPointer<Int64> { try inputBuffer(p, layout.samples) }
    func probabilities(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, layout.count) }
    func output(_ p: UnsafeMutablePointer<T>?) throws -> UnsafeMutableBufferPointer<T> { try outputBuffer(p, reducedCount) }
    func gradOutput(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, reducedCount) }
    func gradInput(_ p: UnsafeMutablePointer<T>?) throws -> UnsafeMutableBufferPointer<T> { try outputBuffer(p, layout.count) }
}

func nllCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ output: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, inner, weight, weightLen, reduction)
        try nllLoss(try c.input(input), targets: try c.targets(target), layout: c.layout, weight: c.weight,
                    ignoreIndex: ignoreIndex, reduction: c.reduction, into: try c.output(output))
    }
}

func nllBackwardCall<T: LossFloat>(
    _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ gradOutput: UnsafePointer<T>?,
    _ gradInput: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, inner, weight, weightLen, reduction)
        try nllLossBackward(targets: try c.targets(target), layout: c.layout, weight: c.weight,
                            ignoreIndex: ignoreIndex, reduction: c.reduction,
                            gradOutput: try c.gradOutput(gradOutput), into: try c.gradInput(gradInput))
    }
}

func crossEntropyCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?,
    _ gradInput: UnsafeMutablePointer<T>?, computing kind: CrossEntropyKind
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, inner, weight, weightLen, reduction)
        let x = try c.input(input), t = try c.targets(target)
        switch kind {
        case .forward:
            try crossEntropy(x, targets: t, layout: c.layout, weight: c.weight, ignoreIndex: ignoreIndex,
                             reduction: c.reduction, labelSmoothing: labelSmoothing, into: try c.output(output))
        case .backward:
            try crossEntropyBackward(x, targets: t, layout: c.layout, weight: c.weight, ignoreIndex: ignoreIndex,
                                     reduction: c.reduction, labelSmoothing: labelSmoothing,
                                     gradOutput: try c.gradOutput(gradOutput), into: try c.gradInput(gradInput))
        case .fused:
            // A NULL grad_output stands for ones.
            let g = gradOutput == nil ? nil : try c.gradOutput(gradOutput)
            try crossEntropyWithGradient(x, targets: t, layout: c.layout, weight: c.weight,
                                         ignoreIndex: ignoreIndex, reduction: c.reduction,
                                         labelSmoothing: labelSmoothing, gradOutput: g,
                                         into: try c.output(output), gradInput: try c.gradInput(gradInput))
        }
    }
}

enum CrossEntropyKind { case forward, backward, fused }

func crossEntropyProbsCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?,
    _ gradInput: UnsafeMutablePointer<T>?, backward: Bool
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, inner, weight, weightLen, reduction)
        let x = try c.input(input), q = try c.probabilities(target)
        if backward {
            try crossEntropyBackward(x, probabilities: q, layout: c.layout, weight: c.weight,
                                     ignoreIndex: ignoreIndex, reduction: c.reduction,
                                     labelSmoothing: labelSmoothing, gradOutput: try c.gradOutput(gradOutput),
                                     into: try c.gradInput(gradInput))
        } else {
            try crossEntropy(x, probabilities: q, layout: c.layout, weight: c.weight, ignoreIndex: ignoreIndex,
                             reduction: c.reduction, labelSmoothing: labelSmoothing, into: try c.output(output))
        }
    }
}
