#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

/// `swiftloss_status` of include/swiftloss.h. The numbers are published: never change them.
enum Status: Int32, CaseIterable {
    case ok = 0
    case nullPointer = 1
    case sizeOverflow = 2
    case zeroClasses = 3
    case targetOutOfBounds = 4
    case weightSize = 5
    case invalidReduction = 6
    case invalidLabelSmoothing = 7
    case inputOutOfRange = 8
    case targetOutOfRange = 9
    case ignoreIndexUnsupported = 10
    case invalidArgument = 11
    case overlap = 12

    init(_ error: LossError) {
        switch error {
        case .sizeOverflow: self = .sizeOverflow
        case .zeroClasses: self = .zeroClasses
        case .targetOutOfBounds: self = .targetOutOfBounds
        case .weightSize: self = .weightSize
        case .invalidReduction: self = .invalidReduction
        case .invalidLabelSmoothing: self = .invalidLabelSmoothing
        case .inputOutOfRange: self = .inputOutOfRange
        case .targetOutOfRange: self = .targetOutOfRange
        case .ignoreIndexUnsupported: self = .ignoreIndexUnsupported
        case .bufferSize, .invalidArgument: self = .invalidArgument
        }
    }

    var text: StaticString {
        switch self {
        case .ok: "ok"
        case .nullPointer: "null pointer for a non-empty buffer"
        case .sizeOverflow: "size overflow"
        case .zeroClasses: "zero classes"
        case .targetOutOfBounds: "target out of bounds"
        case .weightSize: "weight has the wrong number of elements"
        case .invalidReduction: "invalid reduction"
        case .invalidLabelSmoothing: "label_smoothing must be between 0.0 and 1.0"
        case .inputOutOfRange: "all elements of input should be between 0 and 1"
        case .targetOutOfRange: "all elements of target should be between 0 and 1"
        case .ignoreIndexUnsupported: "ignore_index is not supported for probability targets"
        case .invalidArgument: "invalid argument"
        case .overlap: "an output buffer overlaps an input or another output"
        }
    }
}

/// A status thrown by the shim's own checks (pointers, sizes, flags).
struct Failure: Error {
    let status: Status
}

/// Runs a call's checks and work, turning whatever it throws into a status code.
@inline(__always)
func status(_ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return Status.ok.rawValue
    } catch let error as LossError {
        return Status(error).rawValue
    } catch let failure as Failure {
        return failure.status.rawValue
    } catch {
        return Status.invalidArgument.rawValue
    }
}

/// A C `size_t` as a Swift `Int`.
@inline(__always)
func size(_ n: UInt) throws -> Int {
    guard let n = Int(exactly: n) else { throw LossError.sizeOverflow }
    return n
}

/// An input buffer of `count` elements; NULL only when `count` is 0.
@inline(__always)
func inputBuffer<T>(_ p: UnsafePointer<T>?, _ count: Int) throws -> UnsafeBufferPointer<T> {
    guard p != nil || count == 0 else { throw Failure(status: .nullPointer) }
    return UnsafeBufferPointer(start: p, count: count)
}

/// An output buffer of `count` elements; NULL only when `count` is 0.
@inline(__always)
func outputBuffer<T>(_ p: UnsafeMutablePointer<T>?, _ count: Int) throws -> UnsafeMutableBufferPointer<T> {
    guard p != nil || count == 0 else { throw Failure(status: .nullPointer) }
    return UnsafeMutableBufferPointer(start: p, count: count)
}

/// An optional weight: `nil` when `count` is 0, else `count` elements (NULL is an error).
@inline(__always)
func weightBuffer<T>(_ p: UnsafePointer<T>?, _ count: UInt) throws -> UnsafeBufferPointer<T>? {
    guard count > 0 else { return nil }
    let n = try elementCount(try size(count), of: T.self)
    return try inputBuffer(p, n)
}

/// A reduction code from C.
@inline(__always)
func parseReduction(_ code: Int32) throws -> Reduction {
    guard let r = Reduction(rawValue: code) else { throw LossError.invalidReduction }
    return r
}

/// A C flag that must be 0 or 1.
@inline(__always)
func flag(_ value: Int32) throws -> Bool {
    guard value == 0 || value == 1 else { throw Failure(status: .invalidArgument) }
    return value == 1
}

/// Throws `.overlap` when `output` shares a byte with `other`, unless `sameAllowed` and the two
/// are exactly the same memory (same start, same length): the in-place calls the header allows.
/// Empty buffers overlap nothing.
@inline(__always)
func requireDisjoint<T, U>(_ output: UnsafeMutableBufferPointer<T>, _ other: UnsafeBufferPointer<U>?,
                           sameAllowed: Bool = false) throws {
    guard let other, let a = output.baseAddress, let b = other.baseAddress,
          output.count > 0, other.count > 0 else { return }
    // Byte counts fit in Int: every buffer's size was checked by elementCount.
    let aLow = UInt(bitPattern: a), aHigh = aLow &+ UInt(output.count &* MemoryLayout<T>.stride)
    let bLow = UInt(bitPattern: b), bHigh = bLow &+ UInt(other.count &* MemoryLayout<U>.stride)
    guard aLow < bHigh && bLow < aHigh else { return }
    if sameAllowed && aLow == bLow && aHigh == bHigh { return }
    throw Failure(status: .overlap)
}

/// `requireDisjoint` for two outputs.
@inline(__always)
func requireDisjoint<T, U>(_ output: UnsafeMutableBufferPointer<T>, _ other: UnsafeMutableBufferPointer<U>) throws {
    try requireDisjoint(output, UnsafeBufferPointer(other))
}
