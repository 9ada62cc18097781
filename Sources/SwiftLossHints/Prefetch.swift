// Cache hints for the AVX2 build of the kernels: LLVM's prefetch intrinsic, which the standard
// library does not expose. This one file is compiled with -parse-stdlib (for `Builtin`); its
// functions are inlined into the callers, one prefetch instruction each. A hint changes no
// result: the pure-Swift core (the `SwiftLoss` module) is built without it (see Hints.swift).
import Swift

/// Asks for the cache line holding `p` to be brought into L1 for a read soon.
@inlinable @inline(__always)
public func prefetchForRead(_ p: UnsafeRawPointer) {
    Builtin.int_prefetch_RawPointer(p._rawValue, Int32(0)._value, Int32(3)._value, Int32(1)._value)
}

/// Asks for the cache line holding `p` to be brought into L1 in a writable state (x86's
/// prefetchw), ahead of stores to it.
@inlinable @inline(__always)
public func prefetchForWrite(_ p: UnsafeRawPointer) {
    Builtin.int_prefetch_RawPointer(p._rawValue, Int32(1)._value, Int32(3)._value, Int32(1)._value)
}
