import RealModule
import Testing
#if SWIFTLOSS_AVX2_TESTS
// Tests/SwiftLossAVX2Tests links this file: the same tests against libswiftloss's AVX2 build
// of the core (fused multiply-adds), which may only run on a CPU with AVX2.
@testable import SwiftLossEntriesAVX2
import CCPUFeatures
let vectorMathRunnable: Bool = {
    #if arch(x86_64)
    return swiftloss_internal_cpu_has_avx2() != 0
    #else
    return true
    #endif
}()
#else
@testable import SwiftLoss
let vectorMathRunnable = true
#endif

/// Distance in units in the last place; 0 for equal values and for two NaNs.
func ulps<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> UInt64 where T.RawSignificand: FixedWidthInteger {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN ? 0 : .max }
    if a == b { return 0 }
    if a.isInfinite || b.isInfinite || (a.sign != b.sign && a != 0 && b != 0) { return .max }
    // Ordered integer image of the magnitudes: exponent and significand bits together.
    func image(_ v: T) -> UInt64 {
        (UInt64(v.exponentBitPattern) << UInt64(T.significandBitCount)) | UInt64(v.significandBitPattern)
    }
    let (x, y) = (image(a), image(b))
    return x > y ? x - y : y - x
}

/// Runs a vector function over `xs` lane by lane and returns the worst ULP error against the
/// scalar function, with the input where it happened.
func worstError<T: LossFloat>(_ xs: [T], vector: (T.Vector) -> T.Vector, scalar: (T) -> T) -> (ulps: UInt64, at: T)
where T.RawSignificand: FixedWidthInteger {
    var worst: (ulps: UInt64, at: T) = (0, 0)
    let lanes = T.Vector.scalarCount
    var i = 0
    while i < xs.count {
        var v = T.Vector()
        for l in 0..<lanes { v[l] = xs[min(i + l, xs.count - 1)] }
        let y = vector(v)
        for l in 0..<lanes where i + l < xs.count {
            let e = ulps(y[l], scalar(v[l]))
            if e > worst.ulps { worst = (e, v[l]) }
        }
        i += lanes
    }
    return worst
}

@Suite("vectorised exp and log", .enabled(if: vectorMathRunnable, "this CPU has no AVX2"))
struct VectorMathTests {
    static func sweep<T: LossFloat>(_ lo: T, _ hi: T, _ count: Int) -> [T] {
        (0...count).map { lo + (hi - lo) * T($0) / T(count) }
    }

    @Test("Float exp: <= 2 ULP over [-110, 95], special values exact")
    func floatExp() {
        var rng = SeededGenerator(seed: 101)
        var xs = Self.sweep(Float(-110), 95, 400_000)
        xs += (0..<200_000).map { _ in Float.random(in: -104...89, using: &rng) }
        xs += (0..<50_000).map { _ in Float.random(in: -1e-3...1e-3, using: &rng) }
        xs += [0, -0.0, .nan, .infinity, -.infinity, 88.72283, 88.72284, 88.7229, -87.33654, -87.3366,
               -103.9720, -103.9721, -103.97208, -104, .leastNonzeroMagnitude, -.leastNormalMagnitude, 1e-30]
        let w = worstError(xs, vector: Float.exp(vector:), scalar: { Float.exp($0) })
        #expect(w.ulps <= 2, "worst \(w.ulps) ULP at \(w.at)")
        let special = Float.exp(vector: SIMD8(.nan, .infinity, -.infinity, 0, 89, -105, 88.72284, -103.5))
        #expect(special[0].isNaN && special[1] == .infinity && special[2] == 0 && special[3] == 1)
        #expect(special[4] == .infinity && special[5] == 0 && special[6] == .infinity && special[7] > 0)
    }

    @Test("Double exp: <= 2 ULP over [-750, 712], special values exact")
    func doubleExp() {
        var rng = SeededGenerator(seed: 103)
        var xs = Self.sweep(-750.0, 712, 400_000)
        xs += (0..<200_000).map { _ in Double.random(in: -746...710, using: &rng) }
        xs += (0..<50_000).map { _ in Double.random(in: -1...1, using: &rng) }
        xs += [0, -0.0, .nan, .infinity, -.infinity, 709.78, 709.7827128933840, 709.79, -708.39641853226408,
               -708.4, -745.13, -745.1332191019411, -745.2, .leastNonzeroMagnitude]
        let w = worstError(xs, vector: Double.exp(vector:), scalar: { Double.exp($0) })
        #expect(w.ulps <= 2, "worst \(w.ulps) ULP at \(w.at)")
        let special = Double.exp(vector: SIMD4(.nan, .infinity, -.infinity, 710))
        #expect(special[0].isNaN && special[1] == .infinity && special[2] == 0 && special[3] == .infinity)
    }

    @Test("expForSum equals exp on [-87, 0] (Float) and [-708, 0] (Double) bit for bit; 0 below, NaN kept")
    func expForSum() {
        var rng = SeededGenerator(seed: 109)
        func check<T: LossFloat>(_ xs: [T], lo: T) {
            var i = 0
            var mismatches = 0, firstBad: T = 0
            while i < xs.count {
                var v = T.Vector()
                for l in 0..<T.Vector.scalarCount { v[l] = xs[min(i + l, xs.count - 1)] }
                let fast = T.expForSum(vector: v), full = T.exp(vector: v)
                for l in 0..<T.Vector.scalarCount {
                    let ok = v[l].isNaN ? fast[l].isNaN : v[l] < lo ? fast[l] == 0 : (fast[l] == full[l] && fast[l].sign == full[l].sign)
                    if !ok { mismatches += 1; firstBad = v[l] }
                }
                i += T.Vector.scalarCount
            }
            #expect(mismatches == 0, "\(mismatches) mismatches, e.g. at \(firstBad)")
        }
        var floats = Self.sweep(Float(-95), 0, 300_000) + (0..<100_000).map { _ in Float.random(in: -88...0, using: &rng) }
        floats += [0, -0.0, .nan, -.infinity, -87, -87.000008, -86.99999, -1e-30, -.leastNonzeroMagnitude]
        check(floats, lo: -87)
        var doubles = Self.sweep(-720.0, 0, 300_000) + (0..<100_000).map { _ in Double.random(in: -709...0, using: &rng) }
        doubles += [0, -0.0, .nan, -.infinity, -708, -708.0000000000001, -707.9999999999999, -1e-300]
        check(doubles, lo: -708)
    }

    @Test("expNonPositive equals exp bit for bit on [-inf, 0] and NaN, subnormal results included")
    func expNonPositive() {
        var rng = SeededGenerator(seed: 127)
        func check<T: LossFloat>(_ xs: [T]) {
            var i = 0
            var mismatches = 0, firstBad: T = 0, subnormals = 0
            while i < xs.count {
                var v = T.Vector()
                for l in 0..<T.Vector.scalarCount { v[l] = xs[min(i + l, xs.count - 1)] }
                let fast = T.expNonPositive(vector: v), full = T.exp(vector: v)
                for l in 0..<T.Vector.scalarCount {
                    let ok = v[l].isNaN ? fast[l].isNaN : (fast[l] == full[l] && fast[l].sign == full[l].sign)
                    if !ok { mismatches += 1; firstBad = v[l] }
                    if full[l].isSubnormal { subnormals += 1 }
                }
                i += T.Vector.scalarCount
            }
            #expect(mismatches == 0, "\(mismatches) mismatches, e.g. at \(firstBad)")
            #expect(subnormals > 1000, "the sweep reaches the subnormal results")
        }
        var floats = Self.sweep(Float(-110), 0, 400_000) + (0..<100_000).map { _ in Float.random(in: -104...(-80), using: &rng) }
        floats += [0, -0.0, .nan, -.infinity, -87, -87.33655, -88.72283, -103.27893, -103.97208, -104, -104.00001,
                   -1e-30, -.leastNonzeroMagnitude, -.greatestFiniteMagnitude]
        check(floats)
        var doubles = Self.sweep(-750.0, 0, 400_000) + (0..<100_000).map { _ in Double.random(in: -746...(-700), using: &rng) }
        doubles += [0, -0.0, .nan, -.infinity, -708, -708.3964185322641, -745.1332191019411, -745.1332191019412,
                    -746, -746.0000000000001, -1e-300, -.leastNonzeroMagnitude, -.greatestFiniteMagnitude]
        check(doubles)
    }

    @Test("logOnePlusUnit (BCE with logits' log(1 + exp(-|x|))): <= 2 ULP of log1p on [0, 1]")
    func logOnePlusUnit() {
        var rng = SeededGenerator(seed: 113)
        var xs = Self.sweep(Float(0), 1, 400_000) + (0..<100_000).map { _ in Float.random(in: 0...1e-3, using: &rng) }
        xs += [0, 1, .leastNonzeroMagnitude, .leastNormalMagnitude, 1e-30, 0.41421354, 0.41421357, 0.5, 0.99999994]
        let w = worstError(xs, vector: Float.logOnePlusUnit(vector:), scalar: { Float.log(onePlus: $0) })
        #expect(w.ulps <= 2, "worst \(w.ulps) ULP at \(w.at)")
        #expect(Float.logOnePlusUnit(vector: SIMD8(repeating: .nan))[0].isNaN)
        let d = Self.sweep(0.0, 1, 100_000)
        let wd = worstError(d, vector: Double.logOnePlusUnit(vector:), scalar: { Double.log(onePlus: $0) })
        #expect(wd.ulps <= 2, "Double: worst \(wd.ulps) ULP at \(wd.at)")
    }

    @Test("Float log: <= 2 ULP over every binade, subnormals included; special values exact")
    func floatLog() {
        var rng = SeededGenerator(seed: 107)
        var xs: [Float] = []
        for e in -149...127 {
            let base = Float(sign: .plus, exponent: e, significand: 1)
            xs += (0..<400).map { _ in base * Float.random(in: 1..<2, using: &rng) }
        }
        xs += Self.sweep(Float(0.5), 2, 200_000)
        xs += [1, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude, 0.70710677, 0.7071068]
        let w = worstError(xs.filter { $0.isFinite }, vector: Float.log(vector:), scalar: { Float.log($0) })
        #expect(w.ulps <= 2, "worst \(w.ulps) ULP at \(w.at)")
        let special = Float.log(vector: SIMD8(0, -0.0, -1, .nan, .infinity, -.infinity, 1, .leastNonzeroMagnitude))
        #expect(special[0] == -.infinity && special[1] == -.infinity && special[2].isNaN && special[3].isNaN)
        #expect(special[4] == .infinity && special[5].isNaN && special[6] == 0)
        #expect(abs(special[7] - Float.log(.leastNonzeroMagnitude)) <= 1e-4)
    }

    @Test("Double log: <= 1 ULP over every binade, subnormals included; special values exact")
    func doubleLog() {
        var rng = SeededGenerator(seed: 109)
        var xs: [Double] = []
        for e in stride(from: -1074, through: 1023, by: 1) {
            let base = Double(sign: .plus, exponent: e, significand: 1)
            xs += (0..<40).map { _ in base * Double.random(in: 1..<2, using: &rng) }
        }
        xs += Self.sweep(Double(0.5), 2, 100_000)
        xs += [1, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude,
               0.7071067811865475, 0.7071067811865476, 1.4142135623730950, 1.4142135623730951]
        let w = worstError(xs.filter { $0.isFinite && $0 > 0 }, vector: Double.log(vector:), scalar: { Double.log($0) })
        #expect(w.ulps <= 1, "worst \(w.ulps) ULP at \(w.at)")
        let special = Double.log(vector: SIMD4(0, -0.0, -1, .nan))
        #expect(special[0] == -.infinity && special[1] == -.infinity && special[2].isNaN && special[3].isNaN)
        let more = Double.log(vector: SIMD4(.infinity, -.infinity, 1, .leastNonzeroMagnitude))
        #expect(more[0] == .infinity && more[1].isNaN && more[2] == 0)
        #expect(more[3] == Double.log(.leastNonzeroMagnitude))
    }
}
