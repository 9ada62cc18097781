import SwiftLoss

/// An element-wise call whose size and reduction have been checked; its methods turn the
/// caller's pointers into buffers of exactly the documented sizes (NULL only when empty).
struct ElementwiseCall<T: LossFloat> {
    let count: Int
    let reduction: Reduction

    /// Elements of a loss output or upstream gradient: `count` for `.none`, else 1.
    var reducedCount: Int { reduction.outputCount(for: count) }

    init(_ count: UInt, _ reductionCode: Int32) throws {
        self.count = try elementCount(try size(count), of: T.self)
        reduction = try parseReduction(reductionCode)
    }

    func elements(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, count) }
    func output(_ p: UnsafeMutablePointer<T>?) throws -> UnsafeMutableBufferPointer<T> { try outputBuffer(p, reducedCount) }
    func gradOutput(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, reducedCount) }
    func gradInput(_ p: UnsafeMutablePointer<T>?) throws -> UnsafeMutableBufferPointer<T> { try outputBuffer(p, count) }
}

func bceCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?, _ count: UInt,
    _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?, backward: Bool
) -> Int32 {
    status {
        let c = try ElementwiseCall<T>(count, reduction)
        let x = try c.elements(input), t = try c.elements(target), w = try weightBuffer(weight, weightLen)
        if backward {
            try binaryCrossEntropyBackward(x, target: t, weight: w, reduction: c.reduction,
                                           gradOutput: try c.gradOutput(gradOutput), into: try c.gradInput(output))
        } else {
            try binaryCrossEntropy(x, target: t, weight: w, reduction: c.reduction, into: try c.output(output))
        }
    }
}

func bceLogitsCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?, _ count: UInt,
    _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ posWeight: UnsafePointer<T>?, _ posWeightLen: UInt,
    _ reduction: Int32, _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?, backward: Bool
) -> Int32 {
    status {
        let c = try ElementwiseCall<T>(count, reduction)
        let x = try c.elements(input), t = try c.elements(target)
        let w = try weightBuffer(weight, weightLen), pw = try weightBuffer(posWeight, posWeightLen)
        if backward {
            try binaryCrossEntropyWithLogitsBackward(
                x, target: t, weight: w, posWeight: pw, reduction: c.reduction,
                gradOutput: try c.gradOutput(gradOutput), into: try c.gradInput(output))
        } else {
            try binaryCrossEntropyWithLogits(x, target: t, weight: w, posWeight: pw, reduction: c.reduction,
                                             into: try c.output(output))
        }
    }
}

func klDivCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?, _ count: UInt, _ batch: UInt,
    _ reduction: Int32, _ logTarget: Int32, _ gradOutput: UnsafePointer<T>?,
    _ output: UnsafeMutablePointer<T>?, backward: Bool
) -> Int32 {
    status {
        let c = try ElementwiseCall<T>(count, reduction)
        let t = try c.elements(target), log = try flag(logTarget)
        let batchSize = Int(exactly: batch) ?? -1  // too large to divide any count: rejected
        if backward {
            try klDivBackward(target: t, reduction: c.reduction, logTarget: log, batchSize: batchSize,
                              gradOutput: try c.gradOutput(gradOutput), into: try c.gradInput(output))
        } else {
            try klDiv(try c.elements(input), target: t, reduction: c.reduction, logTarget: log,
                      batchSize: batchSize, into: try c.output(output))
        }
    }
}

@_cdecl("swiftloss_binary_cross_entropy_f32")
public func swiftloss_binary_cross_entropy_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    bceCall(input, target, count, weight, weightLen, reduction, nil, output, backward: false)
}

@_cdecl("swiftloss_binary_cross_entropy_f64")
public func swiftloss_binary_cross_entropy_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    bceCall(input, target, count, weight, weightLen, reduction, nil, output, backward: false)
}

@_cdecl("swiftloss_binary_cross_entropy_with_logits_f32")
public func swiftloss_binary_cross_entropy_with_logits_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Float>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    bceLogitsCall(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, nil, output,
                  backward: false)
}

@_cdecl("swiftloss_binary_cross_entropy_with_logits_f64")
public func swiftloss_binary_cross_entropy_with_logits_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Double>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    bceLogitsCall(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, nil, output,
                  backward: false)
}

@_cdecl("swiftloss_kl_div_f32")
public func swiftloss_kl_div_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt, _ batch: UInt,
    _ reduction: Int32, _ logTarget: Int32, _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    klDivCall(input, target, count, batch, reduction, logTarget, nil, output, backward: false)
}

@_cdecl("swiftloss_kl_div_f64")
public func swiftloss_kl_div_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt, _ batch: UInt,
    _ reduction: Int32, _ logTarget: Int32, _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    klDivCall(input, target, count, batch, reduction, logTarget, nil, output, backward: false)
}

@_cdecl("swiftloss_binary_cross_entropy_backward_f32")
public func swiftloss_binary_cross_entropy_backward_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    bceCall(input, target, count, weight, weightLen, reduction, gradOutput, gradInput, backward: true)
}

@_cdecl("swiftloss_binary_cross_entropy_backward_f64")
public func swiftloss_binary_cross_entropy_backward_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    bceCall(input, target, count, weight, weightLen, reduction, gradOutput, gradInput, backward: true)
}

@_cdecl("swiftloss_binary_cross_entropy_with_logits_backward_f32")
public func swiftloss_binary_cross_entropy_with_logits_backward_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Float>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    bceLogitsCall(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, gradOutput,
                  gradInput, backward: true)
}

@_cdecl("swiftloss_binary_cross_entropy_with_logits_backward_f64")
public func swiftloss_binary_cross_entropy_with_logits_backward_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Double>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    bceLogitsCall(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, gradOutput,
                  gradInput, backward: true)
}

@_cdecl("swiftloss_kl_div_backward_f32")
public func swiftloss_kl_div_backward_f32(
    _ target: UnsafePointer<Float>?, _ count: UInt, _ batch: UInt, _ reduction: Int32, _ logTarget: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    klDivCall(nil, target, count, batch, reduction, logTarget, gradOutput, gradInput, backward: true)
}

@_cdecl("swiftloss_kl_div_backward_f64")
public func swiftloss_kl_div_backward_f64(
    _ target: UnsafePointer<Double>?, _ count: UInt, _ batch: UInt, _ reduction: Int32, _ logTarget: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    klDivCall(nil, target, count, batch, reduction, logTarget, gradOutput, gradInput, backward: true)
}
