import SwiftLoss
import Testing

@Suite("README")
struct ReadmeExampleTests {
    @Test("the README's Swift example compiles and gives article A's 1.3669")
    func swiftExample() throws {
        // Kept word for word as in README.md's "Using it from Swift".
        let logits: [Float] = [0.1, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.1]
        let targets: [Int64] = [2, 3]
        let layout = try ClassLayout(batch: 2, classes: 4, of: Float.self)
        var loss: [Float] = [0]
        try logits.withUnsafeBufferPointer { x in
            try targets.withUnsafeBufferPointer { t in
                try loss.withUnsafeMutableBufferPointer { out in
                    try crossEntropy(x, targets: t, layout: layout, labelSmoothing: 0.1, into: out)
                }
            }
        }
        #expect(abs(Double(loss[0]) - 1.366915) < 1e-6)
    }
}
