/// Why a swiftloss function refused its arguments. Functions throw before they write any
/// output, so an output buffer is untouched when one of these is thrown.
public enum LossError: Error, Equatable, Sendable {
    /// An element count (or its byte count) does not fit in `Int`, or a size is negative.
    case sizeOverflow
    /// A class-axis loss was given zero classes.
    case zeroClasses
    /// A class-index target outside `0..<classes` that is not the ignore index.
    case targetOutOfBounds(target: Int64)
    /// `weight` or `pos_weight` has the wrong number of elements.
    case weightSize(expected: Int, actual: Int)
    /// A reduction the function does not support (`.batchMean` outside `klDiv`).
    case invalidReduction
    /// `labelSmoothing` greater than 1, or NaN.
    case invalidLabelSmoothing(Double)
    /// `binaryCrossEntropy`: an input element outside [0, 1] (NaN included).
    case inputOutOfRange
    /// `binaryCrossEntropy`: a target element outside [0, 1] (NaN included).
    case targetOutOfRange
    /// Probability targets were given an ignore index >= 0, which PyTorch does not support.
    case ignoreIndexUnsupported(Int64)
    /// A buffer does not hold the number of elements the shape calls for.
    case bufferSize(expected: Int, actual: Int)
    /// Any other bad argument (a batch size that does not divide the element count, ...).
    case invalidArgument(StaticString)

    public static func == (a: LossError, b: LossError) -> Bool {
        switch (a, b) {
        case (.sizeOverflow, .sizeOverflow), (.zeroClasses, .zeroClasses),
             (.invalidReduction, .invalidReduction), (.inputOutOfRange, .inputOutOfRange),
             (.targetOutOfRange, .targetOutOfRange):
            return true
        case let (.targetOutOfBounds(x), .targetOutOfBounds(y)): return x == y
        case let (.weightSize(e1, a1), .weightSize(e2, a2)): return e1 == e2 && a1 == a2
        case let (.invalidLabelSmoothing(x), .invalidLabelSmoothing(y)):
            return x == y || (x.isNaN && y.isNaN)
        case let (.ignoreIndexUnsupported(x), .ignoreIndexUnsupported(y)): return x == y
        case let (.bufferSize(e1, a1), .bufferSize(e2, a2)): return e1 == e2 && a1 == a2
        case let (.invalidArgument(x), .invalidArgument(y)):
            return x.description == y.description
        default:
            return false
        }
    }
}

@inlinable
func checkCount(_ actual: Int, _ expected: Int) throws(LossError) {
    guard actual == expected else { throw .bufferSize(expected: expected, actual: actual) }
}

/// Checks an optional per-class or broadcast weight: `nil` or exactly `expected` elements.
@inlinable
func checkWeight<T>(_ weight: UnsafeBufferPointer<T>?, classes expected: Int) throws(LossError) {
    if let weight, weight.count != expected {
        throw .weightSize(expected: expected, actual: weight.count)
    }
}
