import RealModule

// Vectorised exp and log for the kernels, written for the x86-64 and arm64 baselines (no
// rounding instructions needed): Cody-Waite range reduction, a polynomial, and the exponent
// built from bits. Accurate to a few ULP over the whole range, with IEEE special cases (NaN,
// +-inf, overflow to +inf, gradual underflow to subnormals and 0); tested against the scalar
// functions in VectorMathTests.
//
// Multiply-adds go through `mulAdd`: fused (one rounding) where the build has FMA (the AVX2
// build of libswiftloss, and arm64), a multiply and an add otherwise. So the x86-64 baseline
// and AVX2 builds agree to a few ULP, not bit for bit.

/// Cephes' logf kernel: `log(2^e * (1 + m))` for `m` in `[sqrt(0.5) - 1, sqrt(2) - 1]`, with
/// `ln 2` split so that `e * ln2Hi` is exact. Shared by `_FloatVectorMath.log` and
/// `_FloatVectorMath.logOnePlusUnit`.
@inlinable @inline(__always)
func cephesLogf<V: SIMD>(_ m: V, exponent e: V) -> V where V.Scalar: BinaryFloatingPoint {
    let z = m * m
    var p = V(repeating: 7.0376836292e-2)
    p = mulAdd(p, m, V(repeating: -1.1514610310e-1))
    p = mulAdd(p, m, V(repeating: 1.1676998740e-1))
    p = mulAdd(p, m, V(repeating: -1.2420140846e-1))
    p = mulAdd(p, m, V(repeating: 1.4249322787e-1))
    p = mulAdd(p, m, V(repeating: -1.6668057665e-1))
    p = mulAdd(p, m, V(repeating: 2.0000714765e-1))
    p = mulAdd(p, m, V(repeating: -2.4999993993e-1))
    p = mulAdd(p, m, V(repeating: 3.3333331174e-1))
    var y = p * m * z
    y = mulAdd(e, V(repeating: -2.12194440e-4), y)
    y = mulAdd(z, V(repeating: -0.5), y)
    return mulAdd(e, V(repeating: 0.693359375), m + y)
}

/// Whether every lane of a 32-byte mask is set (lanes of all ones), as a bitwise AND of its
/// four 64-bit words. The standard library's `all` reduces through a generic `max` that is
/// not inlined: a call per vector, compiled without AVX (so every live vector register was
/// spilled around it and the loop's iterations no longer overlapped).
@inlinable @inline(__always)
func allLanesSet<M>(_ mask: M) -> Bool {
    let words = unsafeBitCast(mask, to: SIMD4<UInt64>.self)
    return words[0] & words[1] & words[2] & words[3] == UInt64.max
}

/// `a * b + c`, fused where the build targets FMA.
@inlinable @inline(__always)
func mulAdd<V: SIMD>(_ a: V, _ b: V, _ c: V) -> V where V.Scalar: FloatingPoint {
    #if SWIFTLOSS_AVX2 || arch(arm64)
    return c.addingProduct(a, b)
    #else
    return a * b + c
    #endif
}

/// Not API (public only because `LossFloat`'s conformances need it): the vector operations
/// the kernels are built on, one implementation per scalar type. Kept off `Float` and
/// `Double` themselves so that `import SwiftLoss` adds no overloads of standard names to
/// them; the kernels reach these through internal forwarding members of `LossFloat`
/// (Kernels.swift).
public protocol _LossVectorMath {
    associatedtype Scalar: BinaryFloatingPoint & SIMDScalar
    associatedtype Vector: SIMD where Vector.Scalar == Scalar
    /// Lane-wise max. Which operand wins for NaN is unspecified.
    ///
    /// Kernels generic over `Vector` get the standard library's generic, lane-by-lane SIMD
    /// code for masks and selects, which does not vectorise; operations that need them are
    /// implemented here on the concrete vector types instead.
    static func maximum(_ a: Vector, _ b: Vector) -> Vector
    /// Lane-wise `a < b ? x : y`.
    static func select(_ a: Vector, lessThan b: Vector, _ x: Vector, else y: Vector) -> Vector
    /// Lane-wise `a == b ? x : y`.
    static func select(_ a: Vector, equalTo b: Vector, _ x: Vector, else y: Vector) -> Vector
    /// `exp` of every lane.
    static func exp(_ x: Vector) -> Vector
    /// `exp` of every lane for arguments `x - max <= 0` (or NaN) whose results are only added
    /// to a sum that also holds `exp(0) = 1`: equal to `exp` bit for bit down to about
    /// `log(leastNormalMagnitude)`, 0 below, where the exact value vanishes in such a sum.
    /// Cheaper: no clamping, one scaling step.
    static func expForSum(_ x: Vector) -> Vector
    /// `exp` of every lane for arguments `x <= 0` (or NaN), such as `x - max`: equal to `exp`
    /// bit for bit, subnormal results included. Cheaper: one clamp, `2^k` in one shift.
    static func expNonPositive(_ x: Vector) -> Vector
    /// `log` of every lane.
    static func log(_ x: Vector) -> Vector
    /// `log(1 + y)` for `y` in `[0, 1]` (or NaN), the softplus tail of BCE with logits.
    static func logOnePlusUnit(_ y: Vector) -> Vector
    /// `x` widened to `Double` (exact for both scalar types).
    static func wide(_ x: Scalar) -> Double
    /// `d` rounded to `Scalar`.
    static func narrow(_ d: Double) -> Scalar
}

/// Not API: `Float`'s `_LossVectorMath`.
public enum _FloatVectorMath: _LossVectorMath {
    public typealias Scalar = Float
    public typealias Vector = SIMD8<Float>

    @inlinable @inline(__always)
    public static func maximum(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        a.replacing(with: b, where: a .< b)
    }

    @inlinable @inline(__always)
    public static func select(_ a: SIMD8<Float>, lessThan b: SIMD8<Float>, _ x: SIMD8<Float>, else y: SIMD8<Float>) -> SIMD8<Float> {
        y.replacing(with: x, where: a .< b)
    }

    @inlinable @inline(__always)
    public static func select(_ a: SIMD8<Float>, equalTo b: SIMD8<Float>, _ x: SIMD8<Float>, else y: SIMD8<Float>) -> SIMD8<Float> {
        y.replacing(with: x, where: a .== b)
    }

    @inlinable @inline(__always)
    public static func exp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        typealias I = SIMD8<Int32>
        // Clamping is all the special-casing needed: exp(hi) overflows to +inf and exp(lo)
        // rounds to 0 in the arithmetic below, and a NaN passes both selects and stays NaN.
        let hi: Float = 88.72290   // just above log(Float.greatestFiniteMagnitude)
        let lo: Float = -104       // exp(lo) is below half the least subnormal
        var xc = x.replacing(with: V(repeating: lo), where: x .< lo)
        xc = xc.replacing(with: V(repeating: hi), where: xc .> hi)
        let (p, t) = expReduced(xc)
        let ki = t &- SIMD8(repeating: expBiasedMagic)
        // 2^k in two halves so that k in [-150, 128] never leaves the normal range.
        let k1 = ki &>> 1, k2 = ki &- k1
        let s1 = unsafeBitCast((k1 &+ 127) &<< 23, to: V.self)
        let s2 = unsafeBitCast((k2 &+ 127) &<< 23, to: V.self)
        return p * s1 * s2
    }

    /// exp's core, shared by `exp` and `expForSum` (so that the two agree bit for bit where
    /// both apply): `x = k * ln 2 + r` with `|r| <= ln 2 / 2`; returns `exp(r)`, `k` as an
    /// integer (`exp(x) = exp(r) * 2^k`) as the bits of `t`, whose low bits hold `k + 127`
    /// (shifted into the exponent field they are `2^k` for `k` in [-126, 127]; `k` itself is
    /// `t - expBiasedMagic`).
    @inlinable @inline(__always)
    static func expReduced(_ x: SIMD8<Float>) -> (p: SIMD8<Float>, t: SIMD8<Int32>) {
        typealias V = SIMD8<Float>
        typealias I = SIMD8<Int32>
        // k = round(x / ln 2) with the 1.5 * 2^23 trick (plus the exponent bias, 127, so that
        // t's low bits are k + 127 as an integer).
        let magic: Float = 12_583_039  // 1.5 * 2^23 + 127
        let t = mulAdd(x, V(repeating: 1.44269504088896341), V(repeating: magic))
        let k = t - magic
        let r = mulAdd(k, V(repeating: 2.12194440e-4), mulAdd(k, V(repeating: -0.693359375), x))
        // Minimax polynomial of degree 6 for exp(r) on |r| <= ln2 / 2 (relative error 2.6e-9;
        // 1.02 ULP with the float32 Horner steps), six multiply-adds: Cephes' expf polynomial
        // (degree 7, 0.83 ULP) took nine operations.
        var p = V(repeating: 1.4061241e-3)
        p = mulAdd(p, r, V(repeating: 8.379011e-3))
        p = mulAdd(p, r, V(repeating: 4.1664775e-2))
        p = mulAdd(p, r, V(repeating: 1.6666366e-1))
        p = mulAdd(p, r, V(repeating: 5.0000006e-1))
        p = mulAdd(p, r, V(repeating: 1.0000000))
        p = mulAdd(p, r, V(repeating: 1))
        return (p, unsafeBitCast(t, to: I.self))
    }

    /// The bits of `expReduced`'s `t` for `k = 0`: 1.5 * 2^23 + 127 as a float.
    @inlinable @inline(__always)
    static var expBiasedMagic: Int32 { 0x4B40_0000 + 127 }

    @inlinable @inline(__always)
    public static func expForSum(_ x: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        typealias I = SIMD8<Int32>
        // exp's steps for x in [lo, 0], where 2^k is one normal power of two (its two-step
        // scaling gives the same product) and t's low bits shifted into the exponent field are
        // 2^k; 0 below lo (exactly: log-space sums such as CTC's take all -inf terms to 0).
        // NaN stays NaN.
        let lo: Float = -87  // k >= -126
        let (p, tb) = expReduced(x)
        let e = p * unsafeBitCast(tb &<< 23, to: V.self)
        return e.replacing(with: V(), where: x .< lo)
    }

    @inlinable @inline(__always)
    public static func expNonPositive(_ x: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        // exp's steps for x <= 0 (or NaN): the lower clamp only, and 2^k as 2^(k + 64) * 2^-64.
        // For k in [-150, 0] the first product is exact (2^(k + 64) is normal) and the second
        // rounds once, as exp's two half steps do: the same results. NaN stays NaN.
        let lo: Float = -104
        let (p, t) = expReduced(x.replacing(with: V(repeating: lo), where: x .< lo))
        return p * unsafeBitCast((t &+ 64) &<< 23, to: V.self) * V(repeating: 0x1p-64)
    }

    /// Cephes' logf on `x = 2^e (1 + m)`, `1 + m` in `[sqrt(2)/2, sqrt(2))`, reduced with integer
    /// operations only (musl's: add the bits of 1 - sqrt(2)/2, take the exponent, put the
    /// mantissa back over sqrt(2)/2's): no lane masks, which the compiler turned into a branch
    /// per lane. Vectors holding a subnormal, 0, a negative number, +inf or NaN take
    /// `logSpecial`.
    @inlinable @inline(__always)
    public static func log(_ x: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        let ordinary = (x .>= V(repeating: Float.leastNormalMagnitude)) .& (x .< V(repeating: .infinity))
        guard allLanesSet(ordinary) else { return logSpecial(x) }
        return logReduced(x, scaled: V())
    }

    /// The steps of `log` for positive lanes of `x`; `scaled` is subtracted from the exponent
    /// (23 for lanes scaled up from subnormals).
    @inlinable @inline(__always)
    static func logReduced(_ x: SIMD8<Float>, scaled: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        typealias I = SIMD8<Int32>
        var ix = unsafeBitCast(x, to: I.self) &+ I(repeating: 0x3F80_0000 - 0x3F35_04F3)
        // The biased exponent (1...255) as a float, exactly, via the low mantissa bits of 2^23
        // (the generic integer-vector conversion is not inlined).
        let e = unsafeBitCast(((ix &>> 23) & I(repeating: 0xFF)) | I(repeating: 0x4B00_0000), to: V.self)
            - V(repeating: 8_388_608 + 127) - scaled
        ix = (ix & I(repeating: 0x007F_FFFF)) &+ I(repeating: 0x3F35_04F3)
        return cephesLogf(unsafeBitCast(ix, to: V.self) - V(repeating: 1), exponent: e)
    }

    /// `log` for vectors with a subnormal (scaled by 2^23 first), 0 (-inf), a negative
    /// number (NaN), +inf or NaN (themselves).
    @inlinable @inline(never)
    public static func logSpecial(_ x: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        let tiny = x .< Float.leastNormalMagnitude
        let xs = x.replacing(with: x * 8_388_608, where: tiny)
        var y = logReduced(xs, scaled: V().replacing(with: V(repeating: 23), where: tiny))
        y = y.replacing(with: V(repeating: -.infinity), where: x .== 0)
        y = y.replacing(with: V(repeating: .nan), where: x .< 0)
        // +inf and NaN are themselves. NaN is found on the bits: a float test (`x != x`) folds
        // with `x == inf` into AVX's unordered-equal predicate, which valgrind evaluates as
        // ordered (log_softmax of a row with +inf gave -inf instead of NaN under it).
        let magnitude = unsafeBitCast(x, to: SIMD8<Int32>.self) & SIMD8(repeating: 0x7FFF_FFFF)
        let nan = magnitude .> SIMD8(repeating: 0x7F80_0000)
        y = y.replacing(with: x, where: (x .== .infinity) .| nan)
        return y
    }

    /// Cephes' kernel on `f = y` below `sqrt(2) - 1`, else on `f = (y - 1) / 2` plus `ln 2`,
    /// both exact arguments: no division, no special cases.
    @inlinable @inline(__always)
    public static func logOnePlusUnit(_ y: SIMD8<Float>) -> SIMD8<Float> {
        typealias V = SIMD8<Float>
        let one = V(repeating: 1), cut = V(repeating: 0.41421356)
        let f = select(cut, lessThan: y, (y - one) * 0.5, else: y)
        let e = select(cut, lessThan: y, one, else: V())
        return cephesLogf(f, exponent: e)
    }

    @inlinable @inline(__always) public static func wide(_ x: Float) -> Double { Double(x) }
    @inlinable @inline(__always) public static func narrow(_ d: Double) -> Float { Float(d) }
}

/// Not API: `Double`'s `_LossVectorMath`.
public enum _DoubleVectorMath: _LossVectorMath {
    public typealias Scalar = Double
    public typealias Vector = SIMD4<Double>

    @inlinable @inline(__always)
    public static func maximum(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> {
        a.replacing(with: b, where: a .< b)
    }

    @inlinable @inline(__always)
    public static func select(_ a: SIMD4<Double>, lessThan b: SIMD4<Double>, _ x: SIMD4<Double>, else y: SIMD4<Double>) -> SIMD4<Double> {
        y.replacing(with: x, where: a .< b)
    }

    @inlinable @inline(__always)
    public static func select(_ a: SIMD4<Double>, equalTo b: SIMD4<Double>, _ x: SIMD4<Double>, else y: SIMD4<Double>) -> SIMD4<Double> {
        y.replacing(with: x, where: a .== b)
    }

    @inlinable @inline(__always)
    public static func exp(_ x: SIMD4<Double>) -> SIMD4<Double> {
        typealias V = SIMD4<Double>
        typealias I = SIMD4<Int64>
        // As for Float: the clamp bounds make the arithmetic give +inf, 0 and NaN.
        let hi = 709.79            // just above log(Double.greatestFiniteMagnitude)
        let lo = -746.0            // exp(lo) is below half the least subnormal
        var xc = x.replacing(with: V(repeating: lo), where: x .< lo)
        xc = xc.replacing(with: V(repeating: hi), where: xc .> hi)
        let (p, ki) = expReduced(xc)
        let k1 = ki &>> 1, k2 = ki &- k1
        let s1 = unsafeBitCast((k1 &+ 1023) &<< 52, to: V.self)
        let s2 = unsafeBitCast((k2 &+ 1023) &<< 52, to: V.self)
        return p * s1 * s2
    }

    @inlinable @inline(__always)
    public static func expForSum(_ x: SIMD4<Double>) -> SIMD4<Double> {
        typealias V = SIMD4<Double>
        typealias I = SIMD4<Int64>
        // As for Float: exp's steps on [lo, 0] with one scaling, 0 below lo.
        let lo = -708.0  // k >= -1022
        let (p, ki) = expReduced(x)
        let e = p * unsafeBitCast((ki &+ 1023) &<< 52, to: V.self)
        return e.replacing(with: V(), where: x .< lo)
    }

    @inlinable @inline(__always)
    public static func expNonPositive(_ x: SIMD4<Double>) -> SIMD4<Double> {
        typealias V = SIMD4<Double>
        // As for Float, with 2^k as 2^(k + 512) * 2^-512 (k in [-1076, 0]).
        let lo = -746.0
        let (p, ki) = expReduced(x.replacing(with: V(repeating: lo), where: x .< lo))
        return p * unsafeBitCast((ki &+ (1023 + 512)) &<< 52, to: V.self) * V(repeating: 0x1p-512)
    }

    /// As Float's: `x = k * ln 2 + r`; returns `exp(r)` and `k` as an integer.
    @inlinable @inline(__always)
    static func expReduced(_ x: SIMD4<Double>) -> (p: SIMD4<Double>, k: SIMD4<Int64>) {
        typealias V = SIMD4<Double>
        typealias I = SIMD4<Int64>
        let magic = 6_755_399_441_055_744.0   // 1.5 * 2^52
        let t = mulAdd(x, V(repeating: 1.4426950408889634074), V(repeating: magic))
        let k = t - magic
        let ki = unsafeBitCast(t, to: I.self) &- I(repeating: 0x4338_0000_0000_0000)
        // ln 2 split so that k * ln2Hi is exact (fdlibm's constants).
        let r = mulAdd(k, V(repeating: -1.90821492927058770002e-10),
                       mulAdd(k, V(repeating: -6.93147180369123816490e-01), x))
        // Taylor series to r^13 on |r| <= ln2 / 2: truncation below 1e-17 relative, evaluated
        // by Estrin's scheme: pairs, then pairs of pairs with r^2, r^4 and r^8, four steps deep
        // instead of Horner's fourteen dependent multiply-adds, whose latency bound the
        // exponentials of a row (256 x 1000 softmax, one thread: 580 -> 443 us; Float's
        // six-term Horner chain gained nothing from the same change). Written out: a loop over
        // an array literal of the coefficients was not unrolled, and cost a heap array per
        // vector.
        let r2 = r * r
        let r4 = r2 * r2
        let r8 = r4 * r4
        let p01 = mulAdd(r, V(repeating: 1), V(repeating: 1))
        let p23 = mulAdd(r, V(repeating: 1.0 / 6), V(repeating: 0.5))
        let p45 = mulAdd(r, V(repeating: 1.0 / 120), V(repeating: 1.0 / 24))
        let p67 = mulAdd(r, V(repeating: 1.0 / 5_040), V(repeating: 1.0 / 720))
        let p89 = mulAdd(r, V(repeating: 1.0 / 362_880), V(repeating: 1.0 / 40_320))
        let p1011 = mulAdd(r, V(repeating: 1.0 / 39_916_800), V(repeating: 1.0 / 3_628_800))
        let p1213 = mulAdd(r, V(repeating: 1.0 / 6_227_020_800), V(repeating: 1.0 / 479_001_600))
        let q03 = mulAdd(p23, r2, p01)
        let q47 = mulAdd(p67, r2, p45)
        let q811 = mulAdd(p1011, r2, p89)
        let s07 = mulAdd(q47, r4, q03)
        let s813 = mulAdd(p1213, r4, q811)
        let p = mulAdd(s813, r8, s07)
        return (p, ki)
    }

    /// fdlibm's log, lane-wise: `x = 2^k (1 + f)` with `1 + f` in `[sqrt(2)/2, sqrt(2))`
    /// (reduced with integer operations only, as Float's), `s = f / (2 + f)`,
    /// `log(1 + f) = f - hfsq + s (hfsq + R(s^2))` with fdlibm's minimax `R` and `ln 2` split so
    /// that `k ln2Hi` is exact: within 1 ULP. Vectors holding a subnormal, 0, a negative
    /// number, +inf or NaN take `logSpecial`.
    @inlinable @inline(__always)
    public static func log(_ x: SIMD4<Double>) -> SIMD4<Double> {
        typealias V = SIMD4<Double>
        let ordinary = (x .>= V(repeating: Double.leastNormalMagnitude)) .& (x .< V(repeating: .infinity))
        guard allLanesSet(ordinary) else { return logSpecial(x) }
        return logReduced(x, scaled: V())
    }

    /// fdlibm's steps for positive normal lanes of `x`; `scaled` is subtracted from the
    /// exponent (54 for lanes scaled up from subnormals).
    @inlinable @inline(__always)
    static func logReduced(_ x: SIMD4<Double>, scaled: SIMD4<Double>) -> SIMD4<Double> {
        typealias V = SIMD4<Double>
        typealias I = SIMD4<Int64>
        var ix = unsafeBitCast(x, to: I.self) &+ I(repeating: 0x3FF0_0000_0000_0000 - 0x3FE6_A09E_667F_3BCD)
        // k as a double, exactly, without a vector int64 -> double conversion: the biased
        // exponent (1...2047) in the low mantissa bits of 2^52.
        let k = unsafeBitCast((ix &>> 52) | I(repeating: 0x4330_0000_0000_0000), to: V.self)
            - V(repeating: 4_503_599_627_370_496 + 1023) - scaled
        ix = (ix & I(repeating: 0x000F_FFFF_FFFF_FFFF)) &+ I(repeating: 0x3FE6_A09E_667F_3BCD)
        let f = unsafeBitCast(ix, to: V.self) - V(repeating: 1)
        let hfsq = V(repeating: 0.5) * f * f
        let s = f / (V(repeating: 2) + f)
        let z = s * s, w = z * z
        let t1 = w * mulAdd(w, mulAdd(w, V(repeating: 1.531383769920937332e-01), V(repeating: 2.222219843214978396e-01)),
                            V(repeating: 3.999999999940941908e-01))
        let t2 = z * mulAdd(w, mulAdd(w, mulAdd(w, V(repeating: 1.479819860511658591e-01),
                                                V(repeating: 1.818357216161805012e-01)),
                                      V(repeating: 2.857142874366239149e-01)),
                            V(repeating: 6.666666666666735130e-01))
        let r = t2 + t1
        return k * V(repeating: 6.93147180369123816490e-01)
            - ((hfsq - (s * (hfsq + r) + k * V(repeating: 1.90821492927058770002e-10))) - f)
    }

    /// `log` for vectors with a subnormal (scaled by 2^54 first), 0 (-inf), a negative
    /// number (NaN), +inf or NaN (themselves).
    @inlinable @inline(never)
    public static func logSpecial(_ x: SIMD4<Double>) -> SIMD4<Double> {
        typealias V = SIMD4<Double>
        let tiny = x .< Double.leastNormalMagnitude
        let xs = x.replacing(with: x * 18_014_398_509_481_984, where: tiny)  // 2^54
        let scaled = V().replacing(with: V(repeating: 54), where: tiny)
        var y = logReduced(xs, scaled: scaled)
        y = y.replacing(with: V(repeating: -.infinity), where: x .== 0)
        y = y.replacing(with: V(repeating: .nan), where: x .< 0)
        // +inf and NaN are themselves; NaN found on the bits, as Float's.
        let magnitude = unsafeBitCast(x, to: SIMD4<Int64>.self) & SIMD4(repeating: 0x7FFF_FFFF_FFFF_FFFF)
        let nan = magnitude .> SIMD4(repeating: 0x7FF0_0000_0000_0000)
        y = y.replacing(with: x, where: (x .== .infinity) .| nan)
        return y
    }

    /// `LossFloat.logOnePlus` (accurate for any `y > -1`).
    @inlinable @inline(__always)
    public static func logOnePlusUnit(_ y: SIMD4<Double>) -> SIMD4<Double> { Double.logOnePlus(vector: y) }

    @inlinable @inline(__always) public static func wide(_ x: Double) -> Double { x }
    @inlinable @inline(__always) public static func narrow(_ d: Double) -> Double { d }
}
