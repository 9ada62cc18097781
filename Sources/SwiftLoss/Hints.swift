#if SWIFTLOSS_HINTS
import SwiftLossHints
#endif

/// Cache hints. The library's AVX2 build of the kernels (`SWIFTLOSS_HINTS`) turns them into
/// prefetch instructions (the `SwiftLossHints` module); the pure-Swift core, built without
/// it, ignores them. They change no result.
@usableFromInline
enum Hint {
    /// The line holding `p` will be read soon.
    @inlinable @inline(__always)
    static func read(_ p: UnsafeRawPointer) {
        #if SWIFTLOSS_HINTS
        prefetchForRead(p)
        #endif
    }

    /// The line holding `p` will be written soon (in the AVX2 build, a read prefetch: see
    /// `prefetchForWrite`).
    @inlinable @inline(__always)
    static func write(_ p: UnsafeRawPointer) {
        #if SWIFTLOSS_HINTS
        prefetchForWrite(p)
        #endif
    }
}
