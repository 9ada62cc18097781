#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

/// ctc_loss, forward or backward (`output` is then the gradient with respect to log_probs,
/// which may overlap nothing). `blank` beyond `Int` is refused as out of the label range.
func ctcCall<T: LossFloat>(
    _ logProbs: UnsafePointer<T>?, _ time: UInt, _ batch: UInt, _ classes: UInt, _ targets: UnsafePointer<Int64>?,
    _ targetsLen: UInt, _ targetStride: UInt, _ inputLengths: UnsafePointer<Int64>?,
    _ targetLengths: UnsafePointer<Int64>?, _ blank: Int64, _ reduction: Int32, _ zeroInfinity: Int32,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?, backward: Bool
) -> Int32 {
    status {
        let t = try size(time), b = try size(batch), c = try size(classes)
        let count = try elementCount(t, b, c, of: T.self)
        let r = try parseReduction(reduction), zero = try flag(zeroInfinity)
        let x = try inputBuffer(logProbs, count)
        let tg = try inputBuffer(targets, try elementCount(try size(targetsLen), of: Int64.self))
        let stride = try size(targetStride)
        let lengths = try elementCount(b, of: Int64.self)
        let il = try inputBuffer(inputLengths, lengths), tl = try inputBuffer(targetLengths, lengths)
        let bl = Int(exactly: blank) ?? -1
        if backward {
            let g = try inputBuffer(gradOutput, r.outputCount(for: b)), gx = try outputBuffer(output, count)
            try requireDisjoint(gx, x)
            try requireDisjoint(gx, g)
            try requireDisjoint(gx, tg)
            try requireDisjoint(gx, il)
            try requireDisjoint(gx, tl)
            try ctcLossBackward(x, time: t, batch: b, classes: c, targets: tg, targetStride: stride, inputLengths: il,
                                targetLengths: tl, blank: bl, reduction: r, zeroInfinity: zero, gradOutput: g,
                                into: gx)
        } else {
            let y = try outputBuffer(output, r == .batchMean ? 0 : r.outputCount(for: b))
            try requireDisjoint(y, x)
            try requireDisjoint(y, tg)
            try requireDisjoint(y, il)
            try requireDisjoint(y, tl)
            try ctcLoss(x, time: t, batch: b, classes: c, targets: tg, targetStride: stride, inputLengths: il,
                        targetLengths: tl, blank: bl, reduction: r, zeroInfinity: zero, into: y)
        }
    }
}
