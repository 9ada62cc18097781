import RealModule

/// The floating-point types swiftloss computes in: `Float` and `Double`.
///
/// Element-wise work (exp, log, the per-element loss) is done in `Self`, as PyTorch does;
/// sums over many elements are accumulated in `Double`, so that a float32 mean over tens of
/// millions of elements keeps float32 accuracy.
public protocol LossFloat: Real, BinaryFloatingPoint, SIMDScalar, Codable, Sendable {
    /// The SIMD vector the kernels process this type in (8 floats, 4 doubles: 32 bytes).
    associatedtype Vector: SIMD where Vector.Scalar == Self
    /// Not API: the kernels' vector operations for this type (VectorMath.swift).
    associatedtype _VectorMath: _LossVectorMath where _VectorMath.Scalar == Self, _VectorMath.Vector == Vector
}

extension Float: LossFloat {
    public typealias Vector = SIMD8<Float>
    public typealias _VectorMath = _FloatVectorMath
}

extension Double: LossFloat {
    public typealias Vector = SIMD4<Double>
    public typealias _VectorMath = _DoubleVectorMath
}
