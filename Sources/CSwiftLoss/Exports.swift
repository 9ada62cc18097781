import SwiftLossEntries
import SwiftLossEntriesAVX2

// The C ABI of include/swiftloss.h: each export calls the AVX2 build of its entry point when
// the CPU (and OS) support AVX2, else the baseline build (see Dispatch.swift).

@_cdecl("swiftloss_status_string")
public func swiftloss_status_string(_ code: Int32) -> UnsafePointer<CChar> {
    SwiftLossEntries.Entries.status_string(code)
}

@_cdecl("swiftloss_version_number")
public func swiftloss_version_number() -> UInt32 {
    SwiftLossEntries.Entries.version_number()
}

@_cdecl("swiftloss_version_string")
public func swiftloss_version_string() -> UnsafePointer<CChar> {
    SwiftLossEntries.Entries.version_string()
}

/// Each build keeps its own thread count; only the build in use matters (the choice is made
/// once per process). Nothing of the AVX2 build may run unless the dispatch chose it: even
/// this function is compiled for Haswell there (a SIGILL on older CPUs, caught by the test
/// that runs the C suite on an emulated pre-AVX CPU).
@_cdecl("swiftloss_set_num_threads")
public func swiftloss_set_num_threads(_ n: Int32) {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.set_num_threads(n) : SwiftLossEntries.Entries.set_num_threads(n)
}

@_cdecl("swiftloss_get_num_threads")
public func swiftloss_get_num_threads() -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.get_num_threads() : SwiftLossEntries.Entries.get_num_threads()
}

@_cdecl("swiftloss_softmax_f32")
public func swiftloss_softmax_f32(
    _ input: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.softmax_f32(input, outer, dim, inner, output) : SwiftLossEntries.Entries.softmax_f32(input, outer, dim, inner, output)
}

@_cdecl("swiftloss_softmax_f64")
public func swiftloss_softmax_f64(
    _ input: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.softmax_f64(input, outer, dim, inner, output) : SwiftLossEntries.Entries.softmax_f64(input, outer, dim, inner, output)
}

@_cdecl("swiftloss_log_softmax_f32")
public func swiftloss_log_softmax_f32(
    _ input: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.log_softmax_f32(input, outer, dim, inner, output) : SwiftLossEntries.Entries.log_softmax_f32(input, outer, dim, inner, output)
}

@_cdecl("swiftloss_log_softmax_f64")
public func swiftloss_log_softmax_f64(
    _ input: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.log_softmax_f64(input, outer, dim, inner, output) : SwiftLossEntries.Entries.log_softmax_f64(input, outer, dim, inner, output)
}

@_cdecl("swiftloss_softmax_backward_f32")
public func swiftloss_softmax_backward_f32(
    _ output: UnsafePointer<Float>?, _ gradOutput: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.softmax_backward_f32(output, gradOutput, outer, dim, inner, gradInput) : SwiftLossEntries.Entries.softmax_backward_f32(output, gradOutput, outer, dim, inner, gradInput)
}

@_cdecl("swiftloss_softmax_backward_f64")
public func swiftloss_softmax_backward_f64(
    _ output: UnsafePointer<Double>?, _ gradOutput: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.softmax_backward_f64(output, gradOutput, outer, dim, inner, gradInput) : SwiftLossEntries.Entries.softmax_backward_f64(output, gradOutput, outer, dim, inner, gradInput)
}

@_cdecl("swiftloss_log_softmax_backward_f32")
public func swiftloss_log_softmax_backward_f32(
    _ output: UnsafePointer<Float>?, _ gradOutput: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.log_softmax_backward_f32(output, gradOutput, outer, dim, inner, gradInput) : SwiftLossEntries.Entries.log_softmax_backward_f32(output, gradOutput, outer, dim, inner, gradInput)
}

@_cdecl("swiftloss_log_softmax_backward_f64")
public func swiftloss_log_softmax_backward_f64(
    _ output: UnsafePointer<Double>?, _ gradOutput: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.log_softmax_backward_f64(output, gradOutput, outer, dim, inner, gradInput) : SwiftLossEntries.Entries.log_softmax_backward_f64(output, gradOutput, outer, dim, inner, gradInput)
}

@_cdecl("swiftloss_nll_loss_f32")
public func swiftloss_nll_loss_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.nll_loss_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, output) : SwiftLossEntries.Entries.nll_loss_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, output)
}

@_cdecl("swiftloss_nll_loss_f64")
public func swiftloss_nll_loss_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.nll_loss_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, output) : SwiftLossEntries.Entries.nll_loss_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, output)
}

@_cdecl("swiftloss_cross_entropy_f32")
public func swiftloss_cross_entropy_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.cross_entropy_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, output) : SwiftLossEntries.Entries.cross_entropy_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, output)
}

@_cdecl("swiftloss_cross_entropy_f64")
public func swiftloss_cross_entropy_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.cross_entropy_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, output) : SwiftLossEntries.Entries.cross_entropy_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, output)
}

@_cdecl("swiftloss_cross_entropy_probs_f32")
public func swiftloss_cross_entropy_probs_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.cross_entropy_probs_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, output) : SwiftLossEntries.Entries.cross_entropy_probs_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, output)
}

@_cdecl("swiftloss_cross_entropy_probs_f64")
public func swiftloss_cross_entropy_probs_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.cross_entropy_probs_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, output) : SwiftLossEntries.Entries.cross_entropy_probs_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, output)
}

@_cdecl("swiftloss_nll_loss_backward_f32")
public func swiftloss_nll_loss_backward_f32(
    _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.nll_loss_backward_f32(target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, gradOutput, gradInput) : SwiftLossEntries.Entries.nll_loss_backward_f32(target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, gradOutput, gradInput)
}

@_cdecl("swiftloss_nll_loss_backward_f64")
public func swiftloss_nll_loss_backward_f64(
    _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.nll_loss_backward_f64(target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, gradOutput, gradInput) : SwiftLossEntries.Entries.nll_loss_backward_f64(target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, gradOutput, gradInput)
}

@_cdecl("swiftloss_cross_entropy_backward_f32")
public func swiftloss_cross_entropy_backward_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.cross_entropy_backward_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, gradInput) : SwiftLossEntries.Entries.cross_entropy_backward_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, gradInput)
}

@_cdecl("swiftloss_cross_entropy_backward_f64")
public func swiftloss_cross_entropy_backward_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.cross_entropy_backward_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, gradInput) : SwiftLossEntries.Entries.cross_entropy_backward_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, gradInput)
}

@_cdecl("swiftloss_cross_entropy_fused_f32")
public func swiftloss_cross_entropy_fused_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Float>?, _ output: UnsafeMutablePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.cross_entropy_fused_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, output, gradInput) : SwiftLossEntries.Entries.cross_entropy_fused_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, output, gradInput)
}

@_cdecl("swiftloss_cross_entropy_fused_f64")
public func swiftloss_cross_entropy_fused_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Double>?, _ output: UnsafeMutablePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.cross_entropy_fused_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, output, gradInput) : SwiftLossEntries.Entries.cross_entropy_fused_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, output, gradInput)
}

@_cdecl("swiftloss_cross_entropy_probs_backward_f32")
public func swiftloss_cross_entropy_probs_backward_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.cross_entropy_probs_backward_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, gradInput) : SwiftLossEntries.Entries.cross_entropy_probs_backward_f32(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, gradInput)
}

@_cdecl("swiftloss_cross_entropy_probs_backward_f64")
public func swiftloss_cross_entropy_probs_backward_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.cross_entropy_probs_backward_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, gradInput) : SwiftLossEntries.Entries.cross_entropy_probs_backward_f64(input, target, batch, classes, inner, weight, weightLen, ignoreIndex, reduction, labelSmoothing, gradOutput, gradInput)
}

@_cdecl("swiftloss_binary_cross_entropy_f32")
public func swiftloss_binary_cross_entropy_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.binary_cross_entropy_f32(input, target, count, weight, weightLen, reduction, output) : SwiftLossEntries.Entries.binary_cross_entropy_f32(input, target, count, weight, weightLen, reduction, output)
}

@_cdecl("swiftloss_binary_cross_entropy_f64")
public func swiftloss_binary_cross_entropy_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.binary_cross_entropy_f64(input, target, count, weight, weightLen, reduction, output) : SwiftLossEntries.Entries.binary_cross_entropy_f64(input, target, count, weight, weightLen, reduction, output)
}

@_cdecl("swiftloss_binary_cross_entropy_with_logits_f32")
public func swiftloss_binary_cross_entropy_with_logits_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Float>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.binary_cross_entropy_with_logits_f32(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, output) : SwiftLossEntries.Entries.binary_cross_entropy_with_logits_f32(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, output)
}

@_cdecl("swiftloss_binary_cross_entropy_with_logits_f64")
public func swiftloss_binary_cross_entropy_with_logits_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Double>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.binary_cross_entropy_with_logits_f64(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, output) : SwiftLossEntries.Entries.binary_cross_entropy_with_logits_f64(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, output)
}

@_cdecl("swiftloss_kl_div_f32")
public func swiftloss_kl_div_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt, _ batch: UInt,
    _ reduction: Int32, _ logTarget: Int32, _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.kl_div_f32(input, target, count, batch, reduction, logTarget, output) : SwiftLossEntries.Entries.kl_div_f32(input, target, count, batch, reduction, logTarget, output)
}

@_cdecl("swiftloss_kl_div_f64")
public func swiftloss_kl_div_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt, _ batch: UInt,
    _ reduction: Int32, _ logTarget: Int32, _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.kl_div_f64(input, target, count, batch, reduction, logTarget, output) : SwiftLossEntries.Entries.kl_div_f64(input, target, count, batch, reduction, logTarget, output)
}

@_cdecl("swiftloss_binary_cross_entropy_backward_f32")
public func swiftloss_binary_cross_entropy_backward_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.binary_cross_entropy_backward_f32(input, target, count, weight, weightLen, reduction, gradOutput, gradInput) : SwiftLossEntries.Entries.binary_cross_entropy_backward_f32(input, target, count, weight, weightLen, reduction, gradOutput, gradInput)
}

@_cdecl("swiftloss_binary_cross_entropy_backward_f64")
public func swiftloss_binary_cross_entropy_backward_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.binary_cross_entropy_backward_f64(input, target, count, weight, weightLen, reduction, gradOutput, gradInput) : SwiftLossEntries.Entries.binary_cross_entropy_backward_f64(input, target, count, weight, weightLen, reduction, gradOutput, gradInput)
}

@_cdecl("swiftloss_binary_cross_entropy_with_logits_backward_f32")
public func swiftloss_binary_cross_entropy_with_logits_backward_f32(
    _ input: UnsafePointer<Float>?, _ target: UnsafePointer<Float>?, _ count: UInt,
    _ weight: UnsafePointer<Float>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Float>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.binary_cross_entropy_with_logits_backward_f32(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, gradOutput, gradInput) : SwiftLossEntries.Entries.binary_cross_entropy_with_logits_backward_f32(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, gradOutput, gradInput)
}

@_cdecl("swiftloss_binary_cross_entropy_with_logits_backward_f64")
public func swiftloss_binary_cross_entropy_with_logits_backward_f64(
    _ input: UnsafePointer<Double>?, _ target: UnsafePointer<Double>?, _ count: UInt,
    _ weight: UnsafePointer<Double>?, _ weightLen: UInt,
    _ posWeight: UnsafePointer<Double>?, _ posWeightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.binary_cross_entropy_with_logits_backward_f64(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, gradOutput, gradInput) : SwiftLossEntries.Entries.binary_cross_entropy_with_logits_backward_f64(input, target, count, weight, weightLen, posWeight, posWeightLen, reduction, gradOutput, gradInput)
}

@_cdecl("swiftloss_kl_div_backward_f32")
public func swiftloss_kl_div_backward_f32(
    _ target: UnsafePointer<Float>?, _ count: UInt, _ batch: UInt, _ reduction: Int32, _ logTarget: Int32,
    _ gradOutput: UnsafePointer<Float>?, _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.kl_div_backward_f32(target, count, batch, reduction, logTarget, gradOutput, gradInput) : SwiftLossEntries.Entries.kl_div_backward_f32(target, count, batch, reduction, logTarget, gradOutput, gradInput)
}

@_cdecl("swiftloss_kl_div_backward_f64")
public func swiftloss_kl_div_backward_f64(
    _ target: UnsafePointer<Double>?, _ count: UInt, _ batch: UInt, _ reduction: Int32, _ logTarget: Int32,
    _ gradOutput: UnsafePointer<Double>?, _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    useAVX2 ? SwiftLossEntriesAVX2.Entries.kl_div_backward_f64(target, count, batch, reduction, logTarget, gradOutput, gradInput) : SwiftLossEntries.Entries.kl_div_backward_f64(target, count, batch, reduction, logTarget, gradOutput, gradInput)
}
