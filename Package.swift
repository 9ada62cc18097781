// swift-tools-version:5.9
//
// swiftloss: PyTorch's loss functions as a pure-Swift core (`SwiftLoss`) and a C-ABI shared
// library (`libswiftloss.so`, built from the `CSwiftLoss` export shim).
import PackageDescription

let root = Context.packageDirectory

let package = Package(
    name: "swiftloss",
    products: [
        // The Swift API, for other Swift packages.
        .library(name: "SwiftLoss", targets: ["SwiftLoss"]),
        // libswiftloss.so: the C ABI declared in include/swiftloss.h. The Swift runtime is
        // linked in statically and only swiftloss_* symbols are exported.
        .library(name: "swiftloss", type: .dynamic, targets: ["CSwiftLoss"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        .target(
            name: "SwiftLoss",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(
            name: "CSwiftLoss",
            dependencies: ["SwiftLoss"],
            exclude: ["exports.map"],
            linkerSettings: [
                .unsafeFlags([
                    "-static-stdlib",
                    "-Xlinker", "--version-script=\(root)/Sources/CSwiftLoss/exports.map",
                    "-Xlinker", "-soname=libswiftloss.so.0",
                    "-Xlinker", "-z", "-Xlinker", "now",
                ]),
            ]
        ),
        .testTarget(name: "SwiftLossTests", dependencies: ["SwiftLoss"]),
    ]
)
