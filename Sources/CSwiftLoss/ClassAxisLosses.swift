import SwiftLoss

/// The validated buffers of a class-axis loss call.
struct ClassAxisArguments<T: LossFloat, Target> {
    let input: UnsafeBufferPointer<T>
    let target: UnsafeBufferPointer<Target>
    let layout: ClassLayout
    let weight: UnsafeBufferPointer<T>?
    let reduction: Reduction
    let output: UnsafeMutableBufferPointer<T>
}

/// Checks sizes, pointers and the reduction of a class-axis call, then runs `body`.
/// Class-index targets have one element per sample; probability targets one per input element.
func classAxisCall<T: LossFloat, Target>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<Target>?, perInputElement: Bool,
    _ batch: UInt, _ classes: UInt, _ inner: UInt,
    _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ reductionCode: Int32,
    _ output: UnsafeMutablePointer<T>?,
    _ body: (ClassAxisArguments<T, Target>) throws(LossError) -> Void
) -> Int32 {
    status {
        let layout = try ClassLayout(batch: try size(batch), classes: try size(classes),
                                     inner: try size(inner), of: T.self)
        let r = try reduction(reductionCode)
        let targetCount = perInputElement ? layout.count : layout.samples
        _ = try elementCount(targetCount, of: Target.self)
        let w = try weightBuffer(weight, weightLen)
        try body(ClassAxisArguments(
            input: try inputBuffer(input, layout.count),
            target: try inputBuffer(target, targetCount),
            layout: layout, weight: w, reduction: r,
            output: try outputBuffer(output, r.outputCount(for: layout.samples))))
    }
}

func nllCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ output: UnsafeMutablePointer<T>?
) -> Int32 {
    classAxisCall(input, target, perInputElement: false, batch, classes, inner, weight, weightLen,
                  reduction, output) { a throws(LossError) in
        try nllLoss(a.input, targets: a.target, layout: a.layout, weight: a.weight,
                    ignoreIndex: ignoreIndex, reduction: a.reduction, into: a.output)
    }
}

func crossEntropyCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<T>?
) -> Int32 {
    classAxisCall(input, target, perInputElement: false, batch, classes, inner, weight, weightLen,
                  reduction, output) { a throws(LossError) in
        try crossEntropy(a.input, targets: a.target, layout: a.layout, weight: a.weight,
                         ignoreIndex: ignoreIndex, reduction: a.reduction,
                         labelSmoothing: labelSmoothing, into: a.output)
    }
}

func crossEntropyProbsCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<T>?
) -> Int32 {
    classAxisCall(input, target, perInputElement: true, batch, classes, inner, weight, weightLen,
                  reduction, output) { a throws(LossError) in
        try crossEntropy(a.input, probabilities: a.target, layout: a.layout, weight: a.weight,
                         ignoreIndex: ignoreIndex, reduction: a.reduction,
                         labelSmoothing: labelSmoothing, into: a.output)
    }
}

@_cdecl("swiftloss_nll_loss_f32")
public func swiftloss_nll_loss_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    nllCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, output)
}

@_cdecl("swiftloss_nll_loss_f64")
public func swiftloss_nll_loss_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    nllCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, output)
}

@_cdecl("swiftloss_cross_entropy_f32")
public func swiftloss_cross_entropy_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    crossEntropyCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex,
                     reduction, labelSmoothing, output)
}

@_cdecl("swiftloss_cross_entropy_f64")
public func swiftloss_cross_entropy_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    crossEntropyCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex,
                     reduction, labelSmoothing, output)
}

@_cdecl("swiftloss_cross_entropy_probs_f32")
public func swiftloss_cross_entropy_probs_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    crossEntropyProbsCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex,
                          reduction, labelSmoothing, output)
}

@_cdecl("swiftloss_cross_entropy_probs_f64")
public func swiftloss_cross_entropy_probs_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    crossEntropyProbsCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex,
                          reduction, labelSmoothing, output)
}
