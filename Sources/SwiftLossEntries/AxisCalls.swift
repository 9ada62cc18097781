#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

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
        try requireDisjoint(y, x, sameAllowed: true)
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
        try requireDisjoint(gx, y, sameAllowed: true)
        try requireDisjoint(gx, g, sameAllowed: true)
        if logarithmic {
            try logSoftmaxBackward(output: y, gradOutput: g, outer: o, dim: d, inner: i, into: gx)
        } else {
            try softmaxBackward(output: y, gradOutput: g, outer: o, dim: d, inner: i, into: gx)
        }
    }
}
