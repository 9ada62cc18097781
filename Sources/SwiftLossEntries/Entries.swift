#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

/// Every entry point of include/swiftloss.h, with its C signature, as a plain Swift function.
///
/// This file and the helpers beside it are compiled twice: in `SwiftLossEntries` for the
/// baseline of the architecture, and (through symbolic links, together with the core's
/// sources) in `SwiftLossEntriesAVX2` for x86-64 CPUs with AVX2. Each module has its own copy
/// of every function, so nothing compiled for AVX2 can be reached on the baseline path. The
/// `@_cdecl` exports in CSwiftLoss pick one of the two at run time.
public enum Entries {
    public static func status_string(_ code: Int32) -> UnsafePointer<CChar> {
        let text: StaticString = Status(rawValue: code)?.text ?? "unknown status"
        return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    public static func version_number() -> UInt32 {
        UInt32(SwiftLossVersion.number)
    }

    public static func version_string() -> UnsafePointer<CChar> {
        UnsafeRawPointer(SwiftLossVersion.string.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    public static func set_num_threads(_ n: Int32) {
        setThreadCount(Int(n))
    }

    public static func get_num_threads() -> Int32 {
        Int32(threadCount())
    }

    public static func softmax_f32(
    _ input: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
        axisCall(input, outer, dim, inner, output) { x, o, d, i, y throws(LossError) in
            try softmax(x, outer: o, dim: d, inner: i, into: y)
        }
    }

    public static func softmax_f64(
    _ input: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
        axisCall(input, outer, dim, inner, output) { x, o, d, i, y throws(LossError) in
            try softmax(x, outer: o, dim: d, inner: i, into: y)
        }
    }

    public static func log_softmax_f32(
    _ input: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
        axisCall(input, outer, dim, inner, output) { x, o, d, i, y throws(LossError) in
            try logSoftmax(x, outer: o, dim: d, inner: i, into: y)
        }
    }

    public static func log_softmax_f64(
    _ input: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
        axisCall(input, outer, dim, inner, output) { x, o, d, i, y throws(LossError) in
            try logSoftmax(x, outer: o, dim: d, inner: i, into: y)
        }
    }

    public static func softmax_backward_f32(
    _ output: UnsafePointer<Float>?, _ gradOutput: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
        axisBackwardCall(output, gradOutput, outer, dim, inner, gradInput, logarithmic: false)
    }

    public static func softmax_backward_f64(
    _ output: UnsafePointer<Double>?, _ gradOutput: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
        axisBackwardCall(output, gradOutput, outer, dim, inner, gradInput, logarithmic: false)
    }

    public static func log_softmax_backward_f32(
    _ output: UnsafePointer<Float>?, _ gradOutput: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
        axisBackwardCall(output, gradOutput, outer, dim, inner, gradInput, logarithmic: true)
    }

    public static func log_softmax_backward_f64(
    _ output: UnsafePointer<Double>?, _ gradOutput: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
        axisBackwardCall(output, gradOutput, outer, dim, inner, gradInput, logarithmic: true)
    }

    public static func nll_loss_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
        nllCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, output)
    }

    public static func nll_loss_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
        nllCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, output)
    }

    public static func cross_entropy_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
        crossEntropyCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction,
                         labelSmoothing, nil, output, nil, computing: .forward)
    }

    public static func cross_entropy_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
        crossEntropyCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction,
                         labelSmoothing, nil, output, nil, computing: .forward)
    }

    public static func cross_entropy_probs_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
        crossEntropyProbsCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction,
                              labelSmoothing, nil, output, nil, backward: false)
    }

    public static func cross_entropy_probs_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
        crossEntropyProbsCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction,
                              labelSmoothing, nil, output, nil, backward: false)
    }

    public static func nll_loss_backward_f32(
    _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
        nllBackwardCall(target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, gradOutput, gradInput)
    }

    public static func nll_loss_backward_f64(
    _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
        nllBackwardCall(target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, gradOutput, gradInput)
    }

    public static func cross_entropy_backward_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
        crossEntropyCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction,
                         labelSmoothing, gradOutput, nil, gradInput, computing: .backward)
    }

    public static func cross_entropy_backward_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
        crossEntropyCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction,
                         labelSmoothing, gradOutput, nil, gradInput, computing: .backward)
    }

    public static func cross_entropy_fused_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Float>?, _ output: UnsafeMutablePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
        crossEntropyCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction,
                         labelSmoothing, gradOutput, output, gradInput, computing: .fused)
    }

    public static func cross_entropy_fused_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Double>?, _ output: UnsafeMutablePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
        crossEntropyCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction,
                         labelSmoothing, gradOutput, output, gradInput, computing: .fused)
    }

    public static func cross_entropy_probs_backward_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
        crossEntropyProbsCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction,
                              labelSmoothing, gradOutput, nil, gradInput, backward: true)
    }

    public static func cross_entropy_probs_backward_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
        crossEntropyProbsCall(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction,
                              labelSmoothing, gradOutput, nil, gradInput, backward: true)
    }

    public static func binary_cross_entropy_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
        bceCall(input, target, count, weight, weightLen, reduction, nil, output, backward: false)
    }

    public static func binary_cross_entropy_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
        bceCall(input, target, count, weight, weightLen, reduction, nil, output, backward: false)
    }

    public static func binary_cross_entropy_with_logits_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Float>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
        bceLogitsCall(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, nil, output,
                      backward: false)
    }

    public static func binary_cross_entropy_with_logits_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Double>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
        bceLogitsCall(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, nil, output,
                      backward: false)
    }

    public static func kl_div_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt, _ batch: UInt,
    _ reduction: Int32, _ logTarget: Int32, _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
        klDivCall(input, target, count, batch, reduction, logTarget, nil, output, backward: false)
    }

    public static func kl_div_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt, _ batch: UInt,
    _ reduction: Int32, _ logTarget: Int32, _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
        klDivCall(input, target, count, batch, reduction, logTarget, nil, output, backward: false)
    }

    public static func binary_cross_entropy_backward_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
        bceCall(input, target, count, weight, weightLen, reduction, gradOutput, gradInput, backward: true)
    }

    public static func binary_cross_entropy_backward_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
        bceCall(input, target, count, weight, weightLen, reduction, gradOutput, gradInput, backward: true)
    }

    public static func binary_cross_entropy_with_logits_backward_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Float>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
        bceLogitsCall(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, gradOutput,
                      gradInput, backward: true)
    }

    public static func binary_cross_entropy_with_logits_backward_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Double>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
        bceLogitsCall(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, gradOutput,
                      gradInput, backward: true)
    }

    public static func kl_div_backward_f32(
    _ target: UnsafePointer<Float>?, _ count: UInt, _ batch: UInt, _ reduction: Int32, _ logTarget: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
        klDivCall(nil, target, count, batch, reduction, logTarget, gradOutput, gradInput, backward: true)
    }

    public static func kl_div_backward_f64(
    _ target: UnsafePointer<Double>?, _ count: UInt, _ batch: UInt, _ reduction: Int32, _ logTarget: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
        klDivCall(nil, target, count, batch, reduction, logTarget, gradOutput, gradInput, backward: true)
    }

}
