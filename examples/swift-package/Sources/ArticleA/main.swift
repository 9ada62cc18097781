// Article A with swiftloss's Swift API (the SwiftLoss product): softmax, log_softmax,
// nll_loss, cross_entropy and label smoothing of two samples over four classes.
//
//     swift run -c release        (in examples/swift-package)
import SwiftLoss

let preds: [Float] = [0.1, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.1]
let targets: [Int64] = [2, 3]
let layout = try ClassLayout(batch: 2, classes: 4, of: Float.self)

/// A value with 6 decimals, as C's "%.6f" (no Foundation needed).
func fixed6(_ value: Float) -> String {
    let scaled = (Double(value).magnitude * 1_000_000).rounded()
    let units = Int(scaled) / 1_000_000, micros = String(Int(scaled) % 1_000_000)
    let sign = value < 0 && scaled != 0 ? "-" : ""
    return sign + String(units) + "." + String(repeating: "0", count: 6 - micros.count) + micros
}

func printRows(_ title: String, _ x: [Float]) {
    print("\(title):")
    for row in stride(from: 0, to: x.count, by: layout.classes) {
        print("  [" + x[row..<row + layout.classes].map(fixed6).joined(separator: ", ") + "]")
    }
}

/// A reduced loss: `compute` writes one element.
func scalarLoss(_ compute: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows -> Float {
    var out: [Float] = [0]
    try out.withUnsafeMutableBufferPointer { try compute($0) }
    return out[0]
}

print("swiftloss \(SwiftLossVersion.string), article A (Swift)")
let logp = try logSoftmax(preds, outer: layout.batch, dim: layout.classes)
printRows("softmax(preds, dim=1)", try softmax(preds, outer: layout.batch, dim: layout.classes))
printRows("log_softmax(preds, dim=1)", logp)

let (nll, ce, ceSmooth) = try targets.withUnsafeBufferPointer { t in
    try preds.withUnsafeBufferPointer { x in
        try logp.withUnsafeBufferPointer { lp in
            (try scalarLoss { try nllLoss(lp, targets: t, layout: layout, into: $0) },
             try scalarLoss { try crossEntropy(x, targets: t, layout: layout, into: $0) },
             try scalarLoss { try crossEntropy(x, targets: t, layout: layout, labelSmoothing: 0.1, into: $0) })
        }
    }
}
print("nll_loss(log_softmax(preds), target) = \(fixed6(nll))")
print("cross_entropy(preds, target) = \(fixed6(ce))")
print("cross_entropy(preds, target, label_smoothing=0.1) = \(fixed6(ceSmooth))")
