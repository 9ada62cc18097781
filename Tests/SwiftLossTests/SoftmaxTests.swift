import RealModule
@testable import SwiftLoss
import Testing

@Suite("softmax and log_softmax")
struct SoftmaxTests {
    // Article A (001): preds = [[0.1, 0.2, 0.3, 0.4], [0.1, 0.1, 0.1, 0.1]].
    let preds: [Float] = [0.1, 0.2, 0.3, 0.4, 0.1, 0.1, 0.1, 0.1]

    @Test("article A: softmax(preds, dim=1)")
    func articleSoftmax() throws {
        let y = try softmax(preds, outer: 2, dim: 4)
        expectClose(y, [0.213838, 0.236328, 0.261183, 0.288651, 0.25, 0.25, 0.25, 0.25], 1e-6)
        expectClose(y, [0.2138, 0.2363, 0.2612, 0.2887, 0.2500, 0.2500, 0.2500, 0.2500], 5e-5)
    }

    @Test("article A: log_softmax(preds, dim=1)")
    func articleLogSoftmax() throws {
        let y = try logSoftmax(preds, outer: 2, dim: 4)
        expectClose(y, [-1.542536, -1.442536, -1.342536, -1.242536,
                        -1.386294, -1.386294, -1.386294, -1.386294], 1e-6)
        expectClose(y, [-1.5425, -1.4425, -1.3425, -1.2425, -1.3863, -1.3863, -1.3863, -1.3863], 5e-5)
    }

    @Test("any axis of a (3, 4, 5) tensor matches the naive reference", arguments: [0, 1, 2])
    func anyAxis(axis: Int) throws {
        var rng = SeededGenerator(seed: 7 + UInt64(axis))
        let shape = [3, 4, 5]
        let x = [Double].random(60, using: &rng)
        let outer = shape[..<axis].reduce(1, *), dim = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        let expected = Naive.logSoftmax(x, batch: outer, classes: dim, inner: inner)
        expectClose(try logSoftmax(x, outer: outer, dim: dim, inner: inner), expected, 1e-12)
        expectClose(try softmax(x, outer: outer, dim: dim, inner: inner), expected.map { Double.exp($0) }, 1e-12)
        let xf = x.map { Float($0) }
        expectClose(try logSoftmax(xf, outer: outer, dim: dim, inner: inner), expected, 1e-5)
    }

    @Test("softmax slices sum to 1; large logits stay finite")
    func normalised() throws {
        var rng = SeededGenerator(seed: 3)
        let x = [Float].random(10 * 33, in: -500...500, using: &rng)
        let y = try softmax(x, outer: 10, dim: 33)
        for r in 0..<10 {
            let s = y[(r * 33)..<((r + 1) * 33)].reduce(0.0) { $0 + Double($1) }
            #expect(abs(s - 1) < 1e-5)
        }
        #expect(try logSoftmax(x, outer: 10, dim: 33).allSatisfy(\.isFinite))
    }

    @Test("-inf, +inf and NaN behave as in PyTorch")
    func specialValues() throws {
        let inf = Double.infinity
        // -inf entries of a finite row: 0 and -inf.
        let a = try softmax([0, -inf, 0], outer: 1, dim: 3)
        #expect(a == [0.5, 0, 0.5])
        let la = try logSoftmax([0, -inf, 0], outer: 1, dim: 3)
        #expect(la[1] == -inf && close(la[0], -Double.log(2), 1e-15))
        // A row of all -inf, a row with +inf, a row with NaN: NaN everywhere in that row only.
        for row: [Double] in [[-inf, -inf], [inf, 1], [.nan, 1]] {
            let x = row + [1, 2]
            let y = try softmax(x, outer: 2, dim: 2), ly = try logSoftmax(x, outer: 2, dim: 2)
            #expect(y[0].isNaN && y[1].isNaN && ly[0].isNaN && ly[1].isNaN)
            #expect(y[2].isFinite && ly[3].isFinite)
        }
    }

    @Test("in place: output may be the input")
    func inPlace() throws {
        var x: [Float] = preds
        x.withUnsafeMutableBufferPointer { b in
            #expect(throws: Never.self) { try softmax(UnsafeBufferPointer(b), outer: 2, dim: 4, into: b) }
        }
        #expect(x == (try softmax(preds, outer: 2, dim: 4)))
    }

    @Test("empty axes and bad sizes")
    func sizes() throws {
        #expect(try softmax([Float](), outer: 0, dim: 5).isEmpty)
        #expect(try logSoftmax([Double](), outer: 3, dim: 0).isEmpty)
        #expect(throws: LossError.bufferSize(expected: 6, actual: 5)) { try softmax([Float](repeating: 0, count: 5), outer: 2, dim: 3) }
        #expect(throws: LossError.sizeOverflow) { try softmax([Float](), outer: Int.max / 2, dim: 3) }
        #expect(throws: LossError.sizeOverflow) { try softmax([Float](), outer: -1, dim: 3) }
    }

    @Test("rows longer than the online threshold: same numbers and special cases")
    func longRows() throws {
        var rng = SeededGenerator(seed: 13)
        let n = onlineRowThreshold + 4_099  // several online blocks and a ragged tail
        let x = [Double].random(n, in: -20...20, using: &rng)
        expectClose(try logSoftmax(x, outer: 1, dim: n), Naive.logSoftmax(x, batch: 1, classes: n, inner: 1), 1e-11)
        // A first block of -inf, then finite values: the -inf entries add nothing.
        var y = [Float](repeating: -.infinity, count: n)
        y[n - 1] = 3
        y[n - 2] = 3
        let ly = try logSoftmax(y, outer: 1, dim: n), sy = try softmax(y, outer: 1, dim: n)
        #expect(ly[0] == -.infinity && sy[0] == 0)
        #expect(close(Double(ly[n - 1]), -Double.log(2), 1e-7) && sy[n - 1] == 0.5)
        // A NaN hidden among -inf, and a row of all -inf: NaN everywhere.
        var z = [Float](repeating: -.infinity, count: n)
        z[5] = .nan
        z[n - 1] = 1
        #expect(try logSoftmax(z, outer: 1, dim: n).allSatisfy(\.isNaN))
        #expect(try softmax([Float](repeating: -.infinity, count: n), outer: 1, dim: n).allSatisfy(\.isNaN))
        // cross_entropy over the same long row agrees with nll_loss(log_softmax).
        let t: [Int64] = [17]
        expectClose(try ce(x, t, batch: 1, classes: n), try nll(try logSoftmax(x, outer: 1, dim: n), t, batch: 1, classes: n), 1e-12)
    }
}
