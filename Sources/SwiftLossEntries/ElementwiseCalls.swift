#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

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

    /// Throws `.overlap` unless `output` is disjoint from every input given.
    func checkDisjoint(_ output: UnsafeMutableBufferPointer<T>, from a: UnsafeBufferPointer<T>?,
                       _ b: UnsafeBufferPointer<T>?, _ c: UnsafeBufferPointer<T>? = nil,
                       _ d: UnsafeBufferPointer<T>? = nil) throws {
        try requireDisjoint(output, a)
        try requireDisjoint(output, b)
        try requireDisjoint(output, c)
        try requireDisjoint(output, d)
    }

    /// The same for a gradient, which may be exactly the upstream gradient's memory (in place).
    func checkDisjoint(gradient: UnsafeMutableBufferPointer<T>, gradOutput: UnsafeBufferPointer<T>,
                       from a: UnsafeBufferPointer<T>?, _ b: UnsafeBufferPointer<T>? = nil,
                       _ c: UnsafeBufferPointer<T>? = nil, _ d: UnsafeBufferPointer<T>? = nil) throws {
        try requireDisjoint(gradient, gradOutput, sameAllowed: true)
        try checkDisjoint(gradient, from: a, b, c, d)
    }
}

func bceCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?, _ count: UInt,
    _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?, backward: Bool
) -> Int32 {
    pointwiseCall(input, target, count, weight, weightLen, reduction, gradOutput, output,
                  backward: backward) { x, t, w, r, g, y throws(LossError) in
        if backward {
            try binaryCrossEntropyBackward(x, target: t, weight: w, reduction: r, gradOutput: g, into: y)
        } else {
            try binaryCrossEntropy(x, target: t, weight: w, reduction: r, into: y)
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
            let g = try c.gradOutput(gradOutput), gx = try c.gradInput(output)
            try c.checkDisjoint(gradient: gx, gradOutput: g, from: x, t, w, pw)
            try binaryCrossEntropyWithLogitsBackward(
                x, target: t, weight: w, posWeight: pw, reduction: c.reduction, gradOutput: g, into: gx)
        } else {
            let y = try c.output(output)
            try c.checkDisjoint(y, from: x, t, w, pw)
            try binaryCrossEntropyWithLogits(x, target: t, weight: w, posWeight: pw, reduction: c.reduction, into: y)
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
            let g = try c.gradOutput(gradOutput), gx = try c.gradInput(output)
            try c.checkDisjoint(gradient: gx, gradOutput: g, from: t)
            try klDivBackward(target: t, reduction: c.reduction, logTarget: log, batchSize: batchSize,
                              gradOutput: g, into: gx)
        } else {
            let x = try c.elements(input), y = try c.output(output)
            try c.checkDisjoint(y, from: x, t)
            try klDiv(x, target: t, reduction: c.reduction, logTarget: log, batchSize: batchSize, into: y)
        }
    }
}

/// An element-wise call on an input and a target of `count` elements with an optional weight:
/// checks the sizes, pointers and overlaps, then runs `body(x, t, w, reduction, g, y)`, where
/// for a forward call `g` is empty and `y` the loss output, for a backward call `g` the upstream
/// gradient and `y` the gradient (which may be exactly the upstream gradient's memory).
func pointwiseCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?, _ count: UInt,
    _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<T>?, _ output: UnsafeMutablePointer<T>?, backward: Bool,
    _ body: (UnsafeBufferPointer<T>, UnsafeBufferPointer<T>, UnsafeBufferPointer<T>?, Reduction,
             UnsafeBufferPointer<T>, UnsafeMutableBufferPointer<T>) throws(LossError) -> Void
) -> Int32 {
    status {
        let c = try ElementwiseCall<T>(count, reduction)
        let x = try c.elements(input), t = try c.elements(target), w = try weightBuffer(weight, weightLen)
        if backward {
            let g = try c.gradOutput(gradOutput), gx = try c.gradInput(output)
            try c.checkDisjoint(gradient: gx, gradOutput: g, from: x, t, w)
            try body(x, t, w, c.reduction, g, gx)
        } else {
            let y = try c.output(output)
            try c.checkDisjoint(y, from: x, t, w)
            try body(x, t, w, c.reduction, UnsafeBufferPointer(start: nil, count: 0), y)
        }
    }
}

/// multilabel_soft_margin_loss, forward or backward (`output` is then the gradient, which may
/// be the input's memory).
func multilabelCall<T: LossFloat>(
    _ input: UnsafePointer<T>?, _ target: UnsafePointer<T>?, _ batch: UInt, _ classes: UInt,
    _ weight: UnsafePointer<T>?, _ weightLen: UInt, _ reduction: Int32, _ gradOutput: UnsafePointer<T>?,
    _ output: UnsafeMutablePointer<T>?, backward: Bool
) -> Int32 {
    status {
        let b = try size(batch), c = try size(classes)
        let count = try elementCount(b, c, of: T.self)
        _ = try elementCount(b, of: T.self)  // the 'none' output has batch elements, even for no classes
        let r = try parseReduction(reduction)
        let x = try inputBuffer(input, count), t = try inputBuffer(target, count)
        let w = try weightBuffer(weight, weightLen)
        let reduced = r.outputCount(for: b)
        if backward {
            let g = try inputBuffer(gradOutput, reduced), gx = try outputBuffer(output, count)
            try requireDisjoint(gx, x, sameAllowed: true)
            try requireDisjoint(gx, t)
            try requireDisjoint(gx, w)
            try requireDisjoint(gx, g)
            try multilabelSoftMarginLossBackward(x, target: t, batch: b, classes: c, weight: w, reduction: r,
                                                 gradOutput: g, into: gx)
        } else {
            let y = try outputBuffer(output, reduced)
            try requireDisjoint(y, x)
            try requireDisjoint(y, t)
            try requireDisjoint(y, w)
            try multilabelSoftMarginLoss(x, target: t, batch: b, classes: c, weight: w, reduction: r, into: y)
        }
    }
}

/// The forward call of a loss of three inputs of `count` elements (margin_ranking_loss,
/// gaussian_nll_loss): checks the sizes, pointers and overlaps, then runs
/// `body(a, b, c, reduction, output)`.
func threeInputCall<T: LossFloat>(
    _ a: UnsafePointer<T>?, _ b: UnsafePointer<T>?, _ c: UnsafePointer<T>?, _ count: UInt, _ reduction: Int32,
    _ output: UnsafeMutablePointer<T>?,
    _ body: (UnsafeBufferPointer<T>, UnsafeBufferPointer<T>, UnsafeBufferPointer<T>, Reduction,
             UnsafeMutableBufferPointer<T>) throws(LossError) -> Void
) -> Int32 {
    status {
        let call = try ElementwiseCall<T>(count, reduction)
        let x = try call.elements(a), y = try call.elements(b), z = try call.elements(c)
        let out = try call.output(output)
        try call.checkDisjoint(out, from: x, y, z)
        try body(x, y, z, call.reduction, out)
    }
}

/// The backward call of such a loss: the gradients of its first two inputs, each skipped when
/// its pointer is NULL. Checks the sizes, pointers and overlaps (no alias allowed), then runs
/// `body(a, b, c, reduction, gradOutput, gradA, gradB)`.
func threeInputBackwardCall<T: LossFloat>(
    _ a: UnsafePointer<T>?, _ b: UnsafePointer<T>?, _ c: UnsafePointer<T>?, _ count: UInt, _ reduction: Int32,
    _ gradOutput: UnsafePointer<T>?, _ gradA: UnsafeMutablePointer<T>?, _ gradB: UnsafeMutablePointer<T>?,
    _ body: (UnsafeBufferPointer<T>, UnsafeBufferPointer<T>, UnsafeBufferPointer<T>, Reduction,
             UnsafeBufferPointer<T>, UnsafeMutableBufferPointer<T>?,
             UnsafeMutableBufferPointer<T>?) throws(LossError) -> Void
) -> Int32 {
    status {
        let call = try ElementwiseCall<T>(count, reduction)
        let x = try call.elements(a), y = try call.elements(b), z = try call.elements(c)
        let g = try call.gradOutput(gradOutput)
        let ga = gradA.map { UnsafeMutableBufferPointer(start: $0, count: call.count) }
        let gb = gradB.map { UnsafeMutableBufferPointer(start: $0, count: call.count) }
        for gradient in [ga, gb] {
            if let gradient { try call.checkDisjoint(gradient, from: x, y, z, g) }
        }
        if let ga, let gb { try requireDisjoint(ga, gb) }
        try body(x, y, z, call.reduction, g, ga, gb)
    }
}
