/// swiftloss's version; kept equal to the macros in include/swiftloss.h (a test checks it).
public enum SwiftLossVersion {
    public static let major = 0
    public static let minor = 1
    public static let patch = 0
    /// `major * 10000 + minor * 100 + patch`, as `SWIFTLOSS_VERSION_NUMBER`.
    public static let number = major * 10000 + minor * 100 + patch
    /// "major.minor.patch", as `SWIFTLOSS_VERSION_STRING`.
    public static let string: StaticString = "0.1.0"
}
