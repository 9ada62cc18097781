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
