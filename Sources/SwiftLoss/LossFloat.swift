import RealModule

/// The floating-point types swiftloss computes in: `Float` and `Double`.
///
/// Element-wise work (exp, log, the per-element loss) is done in `Self`, as PyTorch does;
/// sums over many elements are accumulated in `Double`, so that a float32 mean over tens of
/// millions of elements keeps float32 accuracy.
public protocol LossFloat: Real, BinaryFloatingPoint, Sendable {
    /// `self` widened to `Double` (exact for both conforming types).
    var wide: Double { get }
    /// `d` rounded to `Self`.
    init(narrowing d: Double)
}

extension Float: LossFloat {
    @inlinable @inline(__always) public var wide: Double { Double(self) }
    @inlinable @inline(__always) public init(narrowing d: Double) { self = Float(d) }
}

extension Double: LossFloat {
    @inlinable @inline(__always) public var wide: Double { self }
    @inlinable @inline(__always) public init(narrowing d: Double) { self = d }
}
