@testable import SwiftLoss
import Testing

@Suite("reductions and accumulation")
struct ReductionTests {
    @Test("a float32 mean over 10 million elements is within 1e-6 relative of float64")
    func longFloat32Mean() throws {
        var rng = SeededGenerator(seed: 61)
        let count = 10_000_000
        let xd = (0..<count).map { _ in Double(Float(Double.random(in: -4...4, using: &rng))) }
        let td = (0..<count).map { _ in Double(Float(Double.random(in: 0...1, using: &rng))) }
        let f = try bceLogits(xd.map { Float($0) }, td.map { Float($0) })[0]
        let d = try bceLogits(xd, td)[0]
        #expect(abs(Double(f) - d) <= 1e-6 * abs(d), "float32 \(f) vs float64 \(d)")
        // The same through cross_entropy: 1 million samples of 10 classes.
        let t = randomTargets(count / 10, classes: 10, using: &rng)
        let cf = try ce(xd.map { Float($0) }, t, batch: count / 10, classes: 10)[0]
        let cd = try ce(xd, t, batch: count / 10, classes: 10)[0]
        #expect(abs(Double(cf) - cd) <= 1e-6 * abs(cd), "float32 \(cf) vs float64 \(cd)")
    }

    @Test("output counts", arguments: Reduction.allCases)
    func outputCount(r: Reduction) {
        #expect(r.outputCount(for: 7) == (r == .none ? 7 : 1))
    }

    @Test("ClassLayout rejects overflowing and negative sizes")
    func layout() throws {
        #expect(throws: LossError.sizeOverflow) { try ClassLayout(batch: Int.max, classes: 2, of: Float.self) }
        #expect(throws: LossError.sizeOverflow) { try ClassLayout(batch: Int.max / 4, classes: 1, of: Double.self) }
        #expect(throws: LossError.sizeOverflow) { try ClassLayout(batch: 1, classes: -2, of: Float.self) }
        let l = try ClassLayout(batch: 2, classes: 3, inner: 4, of: Float.self)
        #expect(l.count == 24 && l.samples == 8)
    }
}
