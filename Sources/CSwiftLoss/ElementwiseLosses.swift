import SwiftLoss

/// The validated buffers of an element-wise loss call.
struct ElementwiseArguments<T: LossFloat> {
    let input: UnsafeBufferPointer<T>
    let target: UnsafeBufferPointer<T>
    let reduction: Reduction
    let output: UnsafeMutableBufferPointer<T>
}

/// Checks sizes, pointers and the reduction of an element-wise call, then runs `body`.
func elementwiseCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?, _ count: UInt, _ reductionCode: Int32,
    _ output: UnsafeMutablePointer<T>?, _ body: (ElementwiseArguments<T>) throws -> Void
) -> Int32 {
    status {
        let n = try elementCount(try size(count), of: T.self)
        let r = try reduction(reductionCode)
        try body(ElementwiseArguments(
            input: try inputBuffer(input, n), target: try inputBuffer(target, n),
            reduction: r, output: try outputBuffer(output, r.outputCount(for: n))))
    }
}

func bceCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?, _ count: UInt,
    _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ reduction: Int32, _ output: UnsafeMutablePointer<T>?
) -> Int32 {
    elementwiseCall(input, target, count, reduction, output) { a in
        try binaryCrossEntropy(a.input, target: a.target, weight: try weightBuffer(weight, weightLen),
                               reduction: a.reduction, into: a.output)
    }
}

func bceLogitsCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?, _ count: UInt,
    _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ posWeight: UnsafePointer<T>?, _ posWeightLen: UInt,
    _ reduction: Int32, _ output: UnsafeMutablePointer<T>?
) -> Int32 {
    elementwiseCall(input, target, count, reduction, output) { a in
        try binaryCrossEntropyWithLogits(
            a.input, target: a.target, weight: try weightBuffer(weight, weightLen),
            posWeight: try weightBuffer(posWeight, posWeightLen), reduction: a.reduction, into: a.output)
    }
}

func klDivCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?, _ count: UInt, _ batch: UInt,
    _ reduction: Int32, _ logTarget: Int32, _ output: UnsafeMutablePointer<T>?
) -> Int32 {
    elementwiseCall(input, target, count, reduction, output) { a in
        let batchSize = Int(exactly: batch) ?? -1  // too large to divide any count: rejected
        try klDiv(a.input, target: a.target, reduction: a.reduction, logTarget: try flag(logTarget),
                  batchSize: batchSize, into: a.output)
    }
}

@_cdecl("swiftloss_binary_cross_entropy_f32")
public func swiftloss_binary_cross_entropy_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    bceCall(input, target, count, weight, weightLen, reduction, output)
}

@_cdecl("swiftloss_binary_cross_entropy_f64")
public func swiftloss_binary_cross_entropy_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    bceCall(input, target, count, weight, weightLen, reduction, output)
}

@_cdecl("swiftloss_binary_cross_entropy_with_logits_f32")
public func swiftloss_binary_cross_entropy_with_logits_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Float>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    bceLogitsCall(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, output)
}

@_cdecl("swiftloss_binary_cross_entropy_with_logits_f64")
public func swiftloss_binary_cross_entropy_with_logits_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Double>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    bceLogitsCall(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, output)
}

@_cdecl("swiftloss_kl_div_f32")
public func swiftloss_kl_div_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt, _ batch: UInt,
    _ reduction: Int32, _ logTarget: Int32, _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    klDivCall(input, target, count, batch, reduction, logTarget, output)
}

@_cdecl("swiftloss_kl_div_f64")
public func swiftloss_kl_div_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt, _ batch: UInt,
    _ reduction: Int32, _ logTarget: Int32, _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    klDivCall(input, target, count, batch, reduction, logTarget, output)
}
