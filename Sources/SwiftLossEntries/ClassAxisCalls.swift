#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

/// A class-axis call whose sizes, weight and reduction have been checked; its methods turn
/// the caller's pointers into buffers of exactly the documented sizes (NULL only when empty).
struct ClassAxisCall<T: LossFloat> {
    let layout: ClassLayout
    let weight: UnsafeBufferPointer<T>?
    let reduction: Reduction

    /// Elements of a loss output or upstream gradient: one per sample for `.none`, else 1.
    var reducedCount: Int { reduction.outputCount(for: layout.samples) }

    init(_ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
         _ reductionCode: Int32) throws {
        layout = try ClassLayout(batch: try size(batch), classes: try size(classes),
                                 inner: try size(inner), of: T.self)
        _ = try elementCount(layout.samples, of: Int64.self)
        reduction = try parseReduction(reductionCode)
        self.weight = try weightBuffer(weight, weightLen)
    }

    func input(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, layout.count) }
    func targets(_ p: UnsafePointer<Int64>?) throws -> UnsafeBufferPointer<Int64> { try inputBuffer(p, layout.samples) }
    func probabilities(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, layout.count) }
    func output(_ p: UnsafeMutablePointer<T>?) throws -> UnsafeMutableBufferPointer<T> { try outputBuffer(p, reducedCount) }
    func gradOutput(_ p: UnsafePointer<T>?) throws -> UnsafeBufferPointer<T> { try inputBuffer(p, reducedCount) }
    func gradInput(_ p: UnsafeMutablePointer<T>?) throws -> UnsafeMutableBufferPointer<T> { try outputBuffer(p, layout.count) }

    /// Throws `.overlap` unless `output` is disjoint from the weight and the given inputs.
    func checkDisjoint<U>(_ output: UnsafeMutableBufferPointer<T>, from input: UnsafeBufferPointer<T>?,
                          _ target: UnsafeBufferPointer<U>, _ other: UnsafeBufferPointer<T>? = nil) throws {
        try requireDisjoint(output, input)
        try requireDisjoint(output, target)
        try requireDisjoint(output, other)
        try requireDisjoint(output, weight)
    }

    /// The same for a gradient, which may be exactly the input's memory (in place).
    func checkDisjoint<U>(gradient: UnsafeMutableBufferPointer<T>, input: UnsafeBufferPointer<T>,
                          _ target: UnsafeBufferPointer<U>, _ gradOutput: UnsafeBufferPointer<T>?) throws {
        try requireDisjoint(gradient, input, sameAllowed: true)
        try checkDisjoint(gradient, from: nil, target, gradOutput)
    }
}

func nllCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ output: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, inner, weight, weightLen, reduction)
        let x = try c.input(input), t = try c.targets(target), y = try c.output(output)
        try c.checkDisjoint(y, from: x, t)
        try nllLoss(x, targets: t, layout: c.layout, weight: c.weight,
                    ignoreIndex: ignoreIndex, reduction: c.reduction, into: y)
    }
}

func nllBackwardCall<T: LossFloat>(
    _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ gradOutput: UnsafePointer<T>?,
    _ gradInput: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, inner, weight, weightLen, reduction)
        let t = try c.targets(target), g = try c.gradOutput(gradOutput), gx = try c.gradInput(gradInput)
        try c.checkDisjoint(gx, from: g, t)
        try nllLossBackward(targets: t, layout: c.layout, weight: c.weight,
                            ignoreIndex: ignoreIndex, reduction: c.reduction, gradOutput: g, into: gx)
    }
}

func crossEntropyCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<Int64>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?,
    _ gradInput: UnsafeMutablePointer<T>?, computing kind: CrossEntropyKind
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, inner, weight, weightLen, reduction)
        let x = try c.input(input), t = try c.targets(target)
        switch kind {
        case .forward:
            let y = try c.output(output)
            try c.checkDisjoint(y, from: x, t)
            try crossEntropy(x, targets: t, layout: c.layout, weight: c.weight, ignoreIndex: ignoreIndex,
                             reduction: c.reduction, labelSmoothing: labelSmoothing, into: y)
        case .backward:
            let g = try c.gradOutput(gradOutput), gx = try c.gradInput(gradInput)
            try c.checkDisjoint(gradient: gx, input: x, t, g)
            try crossEntropyBackward(x, targets: t, layout: c.layout, weight: c.weight, ignoreIndex: ignoreIndex,
                                     reduction: c.reduction, labelSmoothing: labelSmoothing,
                                     gradOutput: g, into: gx)
        case .fused:
            // A NULL grad_output stands for ones.
            let g = gradOutput == nil ? nil : try c.gradOutput(gradOutput)
            let y = try c.output(output), gx = try c.gradInput(gradInput)
            try c.checkDisjoint(gradient: gx, input: x, t, g)
            try c.checkDisjoint(y, from: x, t, g)
            try requireDisjoint(y, gx)
            try crossEntropyWithGradient(x, targets: t, layout: c.layout, weight: c.weight,
                                         ignoreIndex: ignoreIndex, reduction: c.reduction,
                                         labelSmoothing: labelSmoothing, gradOutput: g,
                                         into: y, gradInput: gx)
        }
    }
}

enum CrossEntropyKind { case forward, backward, fused }

func crossEntropyProbsCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?,
    _ gradInput: UnsafeMutablePointer<T>?, backward: Bool
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, inner, weight, weightLen, reduction)
        let x = try c.input(input), q = try c.probabilities(target)
        if backward {
            let g = try c.gradOutput(gradOutput), gx = try c.gradInput(gradInput)
            try c.checkDisjoint(gradient: gx, input: x, q, g)
            try crossEntropyBackward(x, probabilities: q, layout: c.layout, weight: c.weight,
                                     ignoreIndex: ignoreIndex, reduction: c.reduction,
                                     labelSmoothing: labelSmoothing, gradOutput: g, into: gx)
        } else {
            let y = try c.output(output)
            try c.checkDisjoint(y, from: x, q)
            try crossEntropy(x, probabilities: q, layout: c.layout, weight: c.weight, ignoreIndex: ignoreIndex,
                             reduction: c.reduction, labelSmoothing: labelSmoothing, into: y)
        }
    }
}

/// cross_entropy with z-loss and softcapping (swiftloss_cross_entropy_ex and _probs_ex): any
/// of the loss, the z term and the gradient (each output NULL when not wanted; a NULL
/// grad_output stands for ones). `target` is class indices (Int64) or probabilities (T).
func crossEntropyExCall<T: LossFloat, U>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<U>?,
    _ batch: UInt, _ classes: UInt, _ inner: UInt, _ weight: UnsafePointer<T>?, _ weightLen: UInt,
    _ ignoreIndex: Int64, _ reduction: Int32, _ labelSmoothing: Double, _ zLoss: Double, _ softcap: Double,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?, _ zOutput: UnsafeMutablePointer<T>?,
    _ gradInput: UnsafeMutablePointer<T>?
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, inner, weight, weightLen, reduction)
        let x = try c.input(input)
        let t = try inputBuffer(target, U.self == Int64.self ? c.layout.samples : c.layout.count)
        let g = gradOutput == nil ? nil : try c.gradOutput(gradOutput)
        let y = output == nil ? nil : try c.output(output)
        let z = zOutput == nil ? nil : try c.output(zOutput)
        let gx = gradInput == nil ? nil : try c.gradInput(gradInput)
        for out in [y, z].compactMap({ $0 }) {
            try c.checkDisjoint(out, from: x, t, g)
            try gx.map { try requireDisjoint(out, $0) }
        }
        if let y, let z { try requireDisjoint(y, z) }
        if let gx { try c.checkDisjoint(gradient: gx, input: x, t, g) }
        // softcap 0 means none; anything else must be a positive finite number (checked below).
        let cap: Double? = softcap == 0 ? nil : softcap
        if let targets = t as? UnsafeBufferPointer<Int64> {
            try crossEntropy(x, targets: targets, layout: c.layout, weight: c.weight, ignoreIndex: ignoreIndex,
                             reduction: c.reduction, labelSmoothing: labelSmoothing, zLoss: zLoss, softcap: cap,
                             gradOutput: g, output: y, zOutput: z, gradInput: gx)
        } else if let q = t as? UnsafeBufferPointer<T> {
            try crossEntropy(x, probabilities: q, layout: c.layout, weight: c.weight, ignoreIndex: ignoreIndex,
                             reduction: c.reduction, labelSmoothing: labelSmoothing, zLoss: zLoss, softcap: cap,
                             gradOutput: g, output: y, zOutput: z, gradInput: gx)
        }
    }
}

/// multi_margin_loss, forward or backward (`output` is then the gradient, which may be the
/// input's memory).
func multiMarginCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<Int64>?, _ batch: UInt, _ classes: UInt, _ p: Int32,
    _ margin: Double, _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?, backward: Bool
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, 1, weight, weightLen, reduction)
        let x = try c.input(input), t = try c.targets(target)
        let b = c.layout.batch, n = c.layout.classes
        if backward {
            let g = try c.gradOutput(gradOutput), gx = try c.gradInput(output)
            try c.checkDisjoint(gradient: gx, input: x, t, g)
            try multiMarginLossBackward(x, targets: t, batch: b, classes: n, p: Int(p), margin: margin, weight: c.weight,
                                        reduction: c.reduction, gradOutput: g, into: gx)
        } else {
            let y = try c.output(output)
            try c.checkDisjoint(y, from: x, t)
            try multiMarginLoss(x, targets: t, batch: b, classes: n, p: Int(p), margin: margin, weight: c.weight,
                                reduction: c.reduction, into: y)
        }
    }
}

/// multilabel_margin_loss, forward or backward (`output` is then the gradient, which may not
/// overlap the input). The targets are `batch * classes` entries, the input's size.
func multilabelMarginCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<Int64>?, _ batch: UInt, _ classes: UInt,
    _ reduction: Int32, _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?, backward: Bool
) -> Int32 {
    status {
        let c = try ClassAxisCall(batch, classes, 1, nil as UnsafePointer<T>?, 0, reduction)
        _ = try elementCount(c.layout.count, of: Int64.self)
        let x = try c.input(input), t = try inputBuffer(target, c.layout.count)
        let b = c.layout.batch, n = c.layout.classes
        if backward {
            let g = try c.gradOutput(gradOutput), gx = try c.gradInput(output)
            try c.checkDisjoint(gx, from: x, t, g)
            try multilabelMarginLossBackward(x, targets: t, batch: b, classes: n, reduction: c.reduction,
                                             gradOutput: g, into: gx)
        } else {
            let y = try c.output(output)
            try c.checkDisjoint(y, from: x, t)
            try multilabelMarginLoss(x, targets: t, batch: b, classes: n, reduction: c.reduction, into: y)
        }
    }
}
