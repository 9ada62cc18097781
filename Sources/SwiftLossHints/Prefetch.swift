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

/// Asks for the cache line holding `p` to be brought into L1 ahead of stores to it: x86's
/// prefetchw (the line in a writable state) where the target has PRFCHW; the AVX2 build's
/// Haswell target does not, so there LLVM emits a read prefetch (prefetcht0) instead.
@inlinable @inline(__always)
public func prefetchForWrite(_ p: UnsafeRawPointer) {
    Builtin.int_prefetch_RawPointer(p._rawValue, Int32(1)._value, Int32(3)._value, Int32(1)._value)
}
