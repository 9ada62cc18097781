@testable import SwiftLoss
import Testing

/// gemm against a naive triple loop in Double: every transpose and accumulate combination,
/// sizes around the micro-kernel's 6 x 16 (6 x 8) tile and the 256-term blocks of the sum,
/// leading dimensions wider than the rows (their padding NaN in A and B, never read, and a
/// sentinel in C, never written), k = 0, m or n = 0, and results bitwise equal on 1 and 2
/// threads.
@Suite("gemm")
struct GemmTests {
    /// One call's operands: A and B as stored (with padding), C before the call.
    struct Operands<T: LossFloat> {
        var a: [T], b: [T], c: [T]
        let lda: Int, ldb: Int, ldc: Int
    }

    static let sentinel = 12345.0

    /// Random operands for `C (m x n) = opA (m x k) opB (k x n)`, each stored row padded by
    /// `pad` elements (NaN in A and B, the sentinel in C; C's rows hold random values).
    static func operands<T: LossFloat>(_: T.Type, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                       pad: Int, seed: UInt64) -> Operands<T> {
        var rng = SeededGenerator(seed: seed)
        func matrix(rows: Int, width: Int, padding: T) -> (values: [T], ld: Int) {
            let ld = width + pad
            var values = [T](repeating: padding, count: rows * ld)
            for r in 0..<rows {
                for j in 0..<width { values[r * ld + j] = T(Double.random(in: -2...2, using: &rng)) }
            }
            return (values, ld)
        }
        let a = transA ? matrix(rows: k, width: m, padding: .nan) : matrix(rows: m, width: k, padding: .nan)
        let b = transB ? matrix(rows: n, width: k, padding: .nan) : matrix(rows: k, width: n, padding: .nan)
        let c = matrix(rows: m, width: n, padding: T(sentinel))
        return Operands(a: a.values, b: b.values, c: c.values, lda: a.ld, ldb: b.ld, ldc: c.ld)
    }

    /// Runs gemm on `x` and returns C after the call.
    static func run<T: LossFloat>(_ x: Operands<T>, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                                  accumulate: Bool) -> [T] {
        var c = x.c
        // Empty operands still need a valid pointer (the call reads nothing through it).
        let a = x.a.isEmpty ? [T](repeating: 0, count: 1) : x.a
        let b = x.b.isEmpty ? [T](repeating: 0, count: 1) : x.b
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    let out = pc.baseAddress ?? UnsafeMutablePointer<T>.allocate(capacity: 1)
                    defer { if pc.baseAddress == nil { out.deallocate() } }
                    gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: pa.baseAddress!, lda: x.lda,
                         b: pb.baseAddress!, ldb: x.ldb, c: out, ldc: x.ldc, accumulate: accumulate)
                }
            }
        }
        return c
    }

    /// Checks `c` (after the call) against the naive sum in Double, within `tol` of the sum of
    /// the terms' magnitudes; padding untouched.
    static func check<T: LossFloat>(_ c: [T], _ x: Operands<T>, transA: Bool, transB: Bool, m: Int, n: Int,
                                    k: Int, accumulate: Bool, tol: Double) {
        var bad = 0
        for i in 0..<m {
            for j in 0..<n {
                var sum = accumulate ? Double(x.c[i * x.ldc + j]) : 0
                var scale = abs(sum)
                for p in 0..<k {
                    let a = Double(transA ? x.a[p * x.lda + i] : x.a[i * x.lda + p])
                    let b = Double(transB ? x.b[j * x.ldb + p] : x.b[p * x.ldb + j])
                    sum += a * b
                    scale += abs(a * b)
                }
                let got = Double(c[i * x.ldc + j])
                if !(abs(got - sum) <= tol * scale) { bad += 1 }
            }
            for j in n..<x.ldc where c[i * x.ldc + j] != T(sentinel) { bad += 1 }
        }
        #expect(bad == 0, "\(T.self) transA \(transA) transB \(transB) \(m)x\(n)x\(k) accumulate \(accumulate)")
    }

    static let shapes: [(m: Int, n: Int, k: Int)] = [
        (1, 1, 1), (5, 7, 3), (6, 16, 1), (7, 17, 5), (15, 15, 15), (16, 6, 17), (17, 63, 257),
        (63, 17, 300), (257, 5, 7), (6, 257, 513), (1, 300, 16), (300, 1, 16), (13, 33, 256),
    ]

    static func allCombinations<T: LossFloat>(_: T.Type, tol: Double) {
        var seed: UInt64 = 1
        for (m, n, k) in shapes {
            for flags in 0..<8 {
                let transA = flags & 1 != 0, transB = flags & 2 != 0, accumulate = flags & 4 != 0
                seed += 1
                let x = operands(T.self, transA: transA, transB: transB, m: m, n: n, k: k, pad: Int(seed % 3) * 2,
                                 seed: seed)
                let c = run(x, transA: transA, transB: transB, m: m, n: n, k: k, accumulate: accumulate)
                check(c, x, transA: transA, transB: transB, m: m, n: n, k: k, accumulate: accumulate, tol: tol)
            }
        }
    }

    @Test func float32AgainstNaiveSums() { Self.allCombinations(Float.self, tol: 2e-6) }
    @Test func float64AgainstNaiveSums() { Self.allCombinations(Double.self, tol: 1e-14) }

    /// k = 0 writes zeros, or leaves C as it is with accumulate; m = 0 or n = 0 writes nothing.
    @Test(arguments: [false, true])
    func emptySizes(accumulate: Bool) {
        let x = Self.operands(Float.self, transA: false, transB: true, m: 7, n: 9, k: 0, pad: 2, seed: 3)
        let c = Self.run(x, transA: false, transB: true, m: 7, n: 9, k: 0, accumulate: accumulate)
        for i in 0..<7 {
            for j in 0..<11 {
                let want = j >= 9 ? Float(Self.sentinel) : accumulate ? x.c[i * x.ldc + j] : 0
                #expect(c[i * x.ldc + j] == want)
            }
        }
        for (m, n) in [(0, 9), (7, 0), (0, 0)] {
            let y = Self.operands(Double.self, transA: true, transB: false, m: m, n: n, k: 4, pad: 1, seed: 4)
            let d = Self.run(y, transA: true, transB: false, m: m, n: n, k: 4, accumulate: accumulate)
            #expect(d == y.c)
        }
    }

    /// Shapes split over rows and over columns, with sums longer than one block: bitwise equal
    /// results on 1 and 2 threads.
    @Test func threadCountIndependence() {
        func compare<T: LossFloat>(_: T.Type) {
            for (m, n, k, transA, transB) in [(300, 40, 300, false, true), (40, 600, 300, true, false),
                                              (60, 520, 260, true, true)] {
                let x = Self.operands(T.self, transA: transA, transB: transB, m: m, n: n, k: k, pad: 1, seed: 9)
                setThreadCount(1)
                let one = Self.run(x, transA: transA, transB: transB, m: m, n: n, k: k, accumulate: true)
                setThreadCount(2)
                let two = Self.run(x, transA: transA, transB: transB, m: m, n: n, k: k, accumulate: true)
                setThreadCount(0)
                #expect(one.count == two.count && zip(one, two).allSatisfy { $0 == $1 && $0.sign == $1.sign },
                        "\(T.self) \(m)x\(n)x\(k)")
            }
        }
        compare(Float.self)
        compare(Double.self)
    }
}
