import RealModule

/// The floating-point types swiftloss computes in: `Float` and `Double`.
///
/// Element-wise work (exp, log, the per-element loss) is done in `Self`, as PyTorch does;
/// sums over many elements are accumulated in `Double`, so that a float32 mean over tens of
/// millions of elements keeps float32 accuracy.
public protocol LossFloat: Real, BinaryFloatingPoint, SIMDScalar, Codable, Sendable {
    /// The SIMD vector the kernels process this type in (8 floats, 4 doubles: 32 bytes).
    associatedtype Vector: SIMD where Vector.Scalar == Self
    /// Lane-wise max (VectorMath.swift). Which operand wins for NaN is unspecified.
    ///
    /// Kernels generic over `Vector` get the standard library's generic, lane-by-lane SIMD
    /// code for masks and selects, which does not vectorise; operations that need them are
    /// requirements implemented on the concrete vector types instead.
    static func maximum(_ a: Vector, _ b: Vector) -> Vector
    /// Lane-wise `a < b ? x : y` (VectorMath.swift).
    static func select(_ a: Vector, lessThan b: Vector, _ x: Vector, else y: Vector) -> Vector
    /// Lane-wise `a == b ? x : y` (VectorMath.swift).
    static func select(_ a: Vector, equalTo b: Vector, _ x: Vector, else y: Vector) -> Vector
    /// `exp` of every lane (VectorMath.swift).
    static func exp(vector x: Vector) -> Vector
    /// `exp` of every lane for arguments `x - max <= 0` (or NaN) whose results are only added
    /// to a sum that also holds `exp(0) = 1`: equal to `exp(vector:)` down to about
    /// `log(leastNormalMagnitude)`, 0 below, where the exact value vanishes in such a sum
    /// (VectorMath.swift). Cheaper: no clamping, one scaling step.
    static func expForSum(vector x: Vector) -> Vector
    /// `log` of every lane (VectorMath.swift).
    static func log(vector x: Vector) -> Vector
    /// `self` widened to `Double` (exact for both conforming types).
    var wide: Double { get }
    /// `d` rounded to `Self`.
    init(narrowing d: Double)
}

extension Float: LossFloat {
    public typealias Vector = SIMD8<Float>
    @inlinable @inline(__always) public var wide: Double { Double(self) }
    @inlinable @inline(__always) public init(narrowing d: Double) { self = Float(d) }
}

extension Double: LossFloat {
    public typealias Vector = SIMD4<Double>
    @inlinable @inline(__always) public var wide: Double { self }
    @inlinable @inline(__always) public init(narrowing d: Double) { self = d }
}
