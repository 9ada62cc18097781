import SwiftLoss

func axisCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<T>?,
    _ kernel: (UnsafeBufferPointer<T>, Int, Int, Int, UnsafeMutableBufferPointer<T>) throws(LossError) -> Void
) -> Int32 {
    status {
        let (o, d, i) = (try size(outer), try size(dim), try size(inner))
        let n = try elementCount(o, d, i, of: T.self)
        let x = try inputBuffer(input, n)
        let y = try outputBuffer(output, n)
        try kernel(x, o, d, i, y)
    }
}

/// softmax / log_softmax backward: `output` and `gradOutput` in, `gradInput` out, all of
/// `outer * dim * inner` elements.
func axisBackwardCall<T: LossFloat>(
    _ output: UnsafePointer<T>?, _ gradOutput: UnsafePointer<T>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<T>?, logarithmic: Bool
) -> Int32 {
    status {
        let (o, d, i) = (try size(outer), try size(dim), try size(inner))
        let n = try elementCount(o, d, i, of: T.self)
        let y = try inputBuffer(output, n), g = try inputBuffer(gradOutput, n)
        let gx = try outputBuffer(gradInput, n)
        if logarithmic {
            try logSoftmaxBackward(output: y, gradOutput: g, outer: o, dim: d, inner: i, into: gx)
        } else {
            try softmaxBackward(output: y, gradOutput: g, outer: o, dim: d, inner: i, into: gx)
        }
    }
}

@_cdecl("swiftloss_softmax_f32")
public func swiftloss_softmax_f32(
    _ input: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    axisCall(input, outer, dim, inner, output) { x, o, d, i, y throws(LossError) in
        try softmax(x, outer: o, dim: d, inner: i, into: y)
    }
}

@_cdecl("swiftloss_softmax_f64")
public func swiftloss_softmax_f64(
    _ input: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    axisCall(input, outer, dim, inner, output) { x, o, d, i, y throws(LossError) in
        try softmax(x, outer: o, dim: d, inner: i, into: y)
    }
}

@_cdecl("swiftloss_log_softmax_f32")
public func swiftloss_log_softmax_f32(
    _ input: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Float>?
) -> Int32 {
    axisCall(input, outer, dim, inner, output) { x, o, d, i, y throws(LossError) in
        try logSoftmax(x, outer: o, dim: d, inner: i, into: y)
    }
}

@_cdecl("swiftloss_log_softmax_f64")
public func swiftloss_log_softmax_f64(
    _ input: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ output: UnsafeMutablePointer<Double>?
) -> Int32 {
    axisCall(input, outer, dim, inner, output) { x, o, d, i, y throws(LossError) in
        try logSoftmax(x, outer: o, dim: d, inner: i, into: y)
    }
}

@_cdecl("swiftloss_softmax_backward_f32")
public func swiftloss_softmax_backward_f32(
    _ output: UnsafePointer<Float>?, _ gradOutput: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    axisBackwardCall(output, gradOutput, outer, dim, inner, gradInput, logarithmic: false)
}

@_cdecl("swiftloss_softmax_backward_f64")
public func swiftloss_softmax_backward_f64(
    _ output: UnsafePointer<Double>?, _ gradOutput: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    axisBackwardCall(output, gradOutput, outer, dim, inner, gradInput, logarithmic: false)
}

@_cdecl("swiftloss_log_softmax_backward_f32")
public func swiftloss_log_softmax_backward_f32(
    _ output: UnsafePointer<Float>?, _ gradOutput: UnsafePointer<Float>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Float>?
) -> Int32 {
    axisBackwardCall(output, gradOutput, outer, dim, inner, gradInput, logarithmic: true)
}

@_cdecl("swiftloss_log_softmax_backward_f64")
public func swiftloss_log_softmax_backward_f64(
    _ output: UnsafePointer<Double>?, _ gradOutput: UnsafePointer<Double>?, _ outer: UInt, _ dim: UInt, _ inner: UInt,
    _ gradInput: UnsafeMutablePointer<Double>?
) -> Int32 {
    axisBackwardCall(output, gradOutput, outer, dim, inner, gradInput, logarithmic: true)
}
