import RealModule
@testable import SwiftLoss
import Testing

/// ctc_loss: the loss against a brute-force sum over every path of a tiny input (every label
/// sequence of T frames that collapses to the target), padded and concatenated targets, the
/// special lengths, PyTorch's gradient (its second term against central differences of the
/// loss, the first being exp(lp)), and the checks.
@Suite("ctc_loss")
struct CTCTests {
    /// -log of the summed probability of every path over `classes` that collapses (repeats
    /// merged, then blanks removed) to `target`.
    static func bruteForce(_ lp: [Double], frames: Int, classes: Int, target: [Int], blank: Int) -> Double {
        var total = 0.0
        var path = [Int](repeating: 0, count: frames)
        func visit(_ t: Int, _ logP: Double) {
            if t == frames {
                var collapsed: [Int] = []
                var previous = -1
                for c in path where c != previous {
                    previous = c
                    if c != blank { collapsed.append(c) }
                }
                if collapsed == target { total += Double.exp(logP) }
                return
            }
            for c in 0..<classes {
                path[t] = c
                visit(t + 1, logP + lp[t * classes + c])
            }
        }
        visit(0, 0)
        return -Double.log(total)
    }

    static func run(_ lp: [Double], time: Int, batch: Int, classes: Int, targets: [Int64], stride: Int,
                    inputLengths: [Int64], targetLengths: [Int64], blank: Int = 0, reduction: Reduction = .none,
                    zeroInfinity: Bool = false) throws(LossError) -> [Double] {
        var out = [Double](repeating: -1, count: reduction.outputCount(for: batch))
        var failure: LossError?
        lp.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { t in
                inputLengths.withUnsafeBufferPointer { il in
                    targetLengths.withUnsafeBufferPointer { tl in
                        out.withUnsafeMutableBufferPointer { o in
                            do throws(LossError) {
                                try ctcLoss(x, time: time, batch: batch, classes: classes, targets: t, targetStride: stride,
                                            inputLengths: il, targetLengths: tl, blank: blank, reduction: reduction,
                                            zeroInfinity: zeroInfinity, into: o)
                            } catch { failure = error }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return out
    }

    static func gradient(_ lp: [Double], time: Int, batch: Int, classes: Int, targets: [Int64], stride: Int,
                         inputLengths: [Int64], targetLengths: [Int64], blank: Int = 0,
                         reduction: Reduction = .sum) throws(LossError) -> [Double] {
        var out = [Double](repeating: -1, count: lp.count)
        let g = [Double](repeating: 1, count: reduction.outputCount(for: batch))
        var failure: LossError?
        lp.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { t in
                inputLengths.withUnsafeBufferPointer { il in
                    targetLengths.withUnsafeBufferPointer { tl in
                        g.withUnsafeBufferPointer { gb in
                            out.withUnsafeMutableBufferPointer { o in
                                do throws(LossError) {
                                    try ctcLossBackward(x, time: time, batch: batch, classes: classes, targets: t,
                                                        targetStride: stride, inputLengths: il, targetLengths: tl,
                                                        blank: blank, reduction: reduction, gradOutput: gb, into: o)
                                } catch { failure = error }
                            }
                        }
                    }
                }
            }
        }
        if let failure { throw failure }
        return out
    }

    @Test("values: brute force over every path, padded and concatenated, repeats, blank 2")
    func values() throws {
        var rng = SeededGenerator(seed: 16)
        let time = 5, classes = 3
        let rows = [Double].random(time * 2 * classes, in: -2...1, using: &rng)
        // log_softmax over the classes of each (t, n)
        var lp = rows
        for k in stride(from: 0, to: lp.count, by: classes) {
            let m = lp[k..<k + classes].max()!
            let s = Double.log(lp[k..<k + classes].reduce(0) { $0 + Double.exp($1 - m) }) + m
            for c in 0..<classes { lp[k + c] -= s }
        }
        for blank in [0, 2] {
            let other = blank == 0 ? 2 : 0
            let cases: [[Int]] = [[1], [1, 1], [1, other], []]
            for target0 in cases {
                let target1 = [other]
                let padded = (target0 + [Int](repeating: 1, count: 2 - target0.count) + target1 + [1]).map(Int64.init)
                let lengths: [Int64] = [Int64(target0.count), 1]
                let inputs: [Int64] = [5, 4]
                let got = try Self.run(lp, time: time, batch: 2, classes: classes, targets: padded, stride: 2,
                                       inputLengths: inputs, targetLengths: lengths, blank: blank)
                let concat = try Self.run(lp, time: time, batch: 2, classes: classes,
                                          targets: (target0 + target1).map(Int64.init), stride: 0,
                                          inputLengths: inputs, targetLengths: lengths, blank: blank)
                #expect(got == concat)
                for n in 0..<2 {
                    let frames = Int(inputs[n])
                    var sample: [Double] = []
                    for t in 0..<frames {
                        let first: Int = (t * 2 + n) * classes
                        sample += lp[first ..< first + classes]
                    }
                    let target: [Int] = n == 0 ? target0 : target1
                    let expected: Double = Self.bruteForce(sample, frames: frames, classes: classes, target: target,
                                                           blank: blank)
                    expectClose([got[n]], [expected], 1e-12)
                }
            }
        }
    }

    @Test("special lengths, impossible alignments, zero_infinity, the reductions")
    func specials() throws {
        let lp = [Double](repeating: -Double.log(3), count: 4 * 2 * 3)
        let none = try Self.run(lp, time: 4, batch: 2, classes: 3, targets: [1, 1, 2, 0], stride: 2,
                                inputLengths: [2, 0], targetLengths: [2, 0])
        #expect(none[0] == .infinity)                       // [1, 1] needs 3 frames
        #expect(none[1] == 0 && none[1].sign == .minus)     // no frame, no label: -0.0
        let zeroed = try Self.run(lp, time: 4, batch: 2, classes: 3, targets: [1, 1, 2, 0], stride: 2,
                                  inputLengths: [2, 0], targetLengths: [2, 0], zeroInfinity: true)
        #expect(zeroed[0] == 0)
        let both = try Self.run(lp, time: 4, batch: 2, classes: 3, targets: [1, 2, 2, 0], stride: 2,
                                inputLengths: [4, 4], targetLengths: [2, 1])
        let mean = try Self.run(lp, time: 4, batch: 2, classes: 3, targets: [1, 2, 2, 0], stride: 2,
                                inputLengths: [4, 4], targetLengths: [2, 1], reduction: .mean)
        let sum = try Self.run(lp, time: 4, batch: 2, classes: 3, targets: [1, 2, 2, 0], stride: 2,
                               inputLengths: [4, 4], targetLengths: [2, 1], reduction: .sum)
        expectClose(both, [Double.log(81.0 / 15), Double.log(81.0 / 10)], 1e-14)
        expectClose(mean, [(both[0] / 2 + both[1]) / 2], 1e-14)
        expectClose(sum, [both[0] + both[1]], 1e-14)
    }

    @Test("gradient: exp(lp) plus the derivative of the loss (central differences); 0 past the input length")
    func gradient() throws {
        var rng = SeededGenerator(seed: 7)
        let time = 6, batch = 2, classes = 4
        let lp = [Double].random(time * batch * classes, in: -3...0, using: &rng)
        let targets: [Int64] = [1, 2, 2, 3, 3, 1], inputs: [Int64] = [6, 5], lengths: [Int64] = [3, 2]
        let grad = try Self.gradient(lp, time: time, batch: batch, classes: classes, targets: targets, stride: 3,
                                     inputLengths: inputs, targetLengths: lengths)
        for t in 5..<6 {
            for c in 0..<classes { #expect(grad[(t * batch + 1) * classes + c] == 0) }
        }
        var derivative = grad
        for k in 0..<lp.count {
            let t = k / (batch * classes), n = (k / classes) % batch
            if t < Int(inputs[n]) { derivative[k] -= Double.exp(lp[k]) }
        }
        try expectCentralDifferences(derivative, at: lp) { x throws(LossError) in
            try Self.run(x, time: time, batch: batch, classes: classes, targets: targets, stride: 3,
                         inputLengths: inputs, targetLengths: lengths, reduction: .sum)[0]
        }
    }

    @Test("checks: blank, labels, lengths, layout, reduction")
    func checks() {
        let lp = [Double](repeating: -1, count: 4 * 2 * 3)
        func call(targets: [Int64] = [1, 2, 2, 0], stride: Int = 2, inputs: [Int64] = [4, 4],
                  lengths: [Int64] = [2, 1], blank: Int = 0, reduction: Reduction = .none) throws(LossError) {
            _ = try Self.run(lp, time: 4, batch: 2, classes: 3, targets: targets, stride: stride, inputLengths: inputs,
                             targetLengths: lengths, blank: blank, reduction: reduction)
        }
        #expect(throws: LossError.invalidArgument("blank must be in label range")) { try call(blank: 3) }
        #expect(throws: LossError.invalidArgument("blank must be in label range")) { try call(blank: -1) }
        #expect(throws: LossError.targetOutOfBounds(target: 3)) { try call(targets: [1, 3, 2, 0]) }
        #expect(throws: LossError.targetOutOfBounds(target: -2)) { try call(targets: [1, 2, -2, 0]) }
        #expect(throws: LossError.self) { try call(inputs: [5, 4]) }
        #expect(throws: LossError.self) { try call(lengths: [3, 1]) }
        #expect(throws: LossError.self) { try call(lengths: [2, -1]) }
        #expect(throws: LossError.self) { try call(targets: [1, 2], stride: 0) }
        #expect(throws: Never.self) { try call(targets: [1, 2, 2], stride: 0) }  // concatenated: 2 + 1 labels
        #expect(throws: LossError.invalidReduction) { try call(reduction: .batchMean) }
        #expect(throws: Never.self) { try call(targets: [1, 2, 2, 99]) }  // past the length: not read
    }
}
