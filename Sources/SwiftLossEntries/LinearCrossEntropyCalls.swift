#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

/// linear_cross_entropy with class-index (`probabilities == nil`) or probability targets: every
/// size, pointer and overlap checked, then the core. NULL bias: none; NULL grad_output: ones;
/// NULL z_output or gradient: not computed.
func linearCrossEntropyCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ linearWeight: UnsafePointer<T>?, _ linearBias: UnsafePointer<T>?,
    _ indices: UnsafePointer<Int64>?, _ probabilities: UnsafePointer<T>?, probs: Bool,
    _ batch: UInt, _ hidden: UInt, _ classes: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double, _ zLoss: Double, _ softcap: Double,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?, _ zOutput: UnsafeMutablePointer<T>?,
    _ gradInput: UnsafeMutablePointer<T>?, _ gradLinearWeight: UnsafeMutablePointer<T>?,
    _ gradLinearBias: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let n = try size(batch), h = try size(hidden), c = try size(classes)
        let inputCount = try elementCount(n, h, of: T.self), weightCount = try elementCount(c, h, of: T.self)
        let classCount = try elementCount(c, of: T.self)
        // The logits' shape (never formed whole), checked by the core as cross_entropy's class
        // axis: a size, so before any buffer (a size overflow before an overlap).
        _ = try elementCount(n, c, of: T.self)
        let r = try parseReduction(reduction)
        // The 'none' output (and grad_output) has batch elements even when hidden and classes are
        // 0: its bytes must fit too (batch 2^62 beside hidden = classes = 0 trapped in the
        // overlap checks' byte views, found by a session's fuzz run).
        let outputCount = try elementCount(r.outputCount(for: n), of: T.self)
        // The scalar arguments, in the core's order, before any buffer's overlap: a bad z_loss
        // or zero classes beside buffers that overlap is reported as itself (batch 2^60 + 1,
        // no classes, z_loss -1 reported the overlap of its outputs: a session's fuzz run).
        _ = try checkLinearCrossEntropyScalars(labelSmoothing: labelSmoothing, zLoss: zLoss, softcap: softcap)
        guard c > 0 else { throw LossError.zeroClasses }
        guard r != .batchMean else { throw LossError.invalidReduction }
        let x = try inputBuffer(input, inputCount), w = try inputBuffer(linearWeight, weightCount)
        let b = linearBias.map { UnsafeBufferPointer(start: $0, count: classCount) }
        let targetBuffer: UnsafeRawBufferPointer, targets: LinearCrossEntropyTargets<T>
        if probs {
            let q = try inputBuffer(probabilities, try elementCount(n, c, of: T.self))
            targetBuffer = UnsafeRawBufferPointer(q); targets = .probabilities(q)
        } else {
            let t = try inputBuffer(indices, try elementCount(n, of: Int64.self))
            targetBuffer = UnsafeRawBufferPointer(t); targets = .classIndices(t)
        }
        let cw = try weightBuffer(weight, weightLen)
        let g = gradOutput.map { UnsafeBufferPointer(start: $0, count: outputCount) }
        let y = try outputBuffer(output, outputCount)
        let z = zOutput.map { UnsafeMutableBufferPointer(start: $0, count: outputCount) }
        let gx = gradInput.map { UnsafeMutableBufferPointer(start: $0, count: inputCount) }
        let gw = gradLinearWeight.map { UnsafeMutableBufferPointer(start: $0, count: weightCount) }
        let gb = gradLinearBias.map { UnsafeMutableBufferPointer(start: $0, count: classCount) }
        let outputs: [UnsafeMutableRawBufferPointer] = [y, z, gx, gw, gb].compactMap {
            $0.map { UnsafeMutableRawBufferPointer($0) }
        }
        let inputs: [UnsafeRawBufferPointer] = [UnsafeRawBufferPointer(x), UnsafeRawBufferPointer(w),
                                                targetBuffer] + [b.map { UnsafeRawBufferPointer($0) },
                                                cw.map { UnsafeRawBufferPointer($0) },
                                                g.map { UnsafeRawBufferPointer($0) }].compactMap { $0 }
        for (k, out) in outputs.enumerated() {
            let bytes = out.bindMemory(to: UInt8.self)
            for input in inputs { try requireDisjoint(bytes, input.bindMemory(to: UInt8.self)) }
            for other in outputs[(k + 1)...] { try requireDisjoint(bytes, other.bindMemory(to: UInt8.self)) }
        }
        try linearCrossEntropy(
            x, linearWeight: w, linearBias: b, targets: targets, batch: n, hidden: h, classes: c, weight: cw,
            ignoreIndex: ignoreIndex, reduction: r, labelSmoothing: labelSmoothing, zLoss: zLoss, softcap: softcap,
            gradOutput: g, into: LinearCrossEntropyOutputs(loss: y, zLoss: z, gradInput: gx, gradLinearWeight: gw,
                                                           gradLinearBias: gb))
    }
}
