#if !SWIFTLOSS_AVX2
import SwiftLoss
#endif

// The header's functions that are not computations: status strings, version, thread count.
extension Entries {
    public static func status_string(_ code: Int32) -> UnsafePointer<CChar> {
        let text: StaticString = Status(rawValue: code)?.text ?? "unknown status"
        return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    public static func version_number() -> UInt32 {
        UInt32(SwiftLossVersion.number)
    }

    public static func version_string() -> UnsafePointer<CChar> {
        UnsafeRawPointer(SwiftLossVersion.string.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    public static func set_num_threads(_ n: Int32) {
        setThreadCount(Int(n))
    }

    public static func get_num_threads() -> Int32 {
        Int32(threadCount())
    }
}
