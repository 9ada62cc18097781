// swift-tools-version:5.9
//
// A package that uses swiftloss's Swift API: the dependency line and the product to depend on.
// In your own package: `.package(path: "../swiftloss")` (a clone in a directory named
// swiftloss: SwiftPM names a path dependency after its directory) or the repository's URL
// with `from: "0.1.0"`. Here the clone's directory may have any name, hence `name:`.
import PackageDescription

let package = Package(
    name: "ArticleA",
    dependencies: [
        .package(name: "swiftloss", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "ArticleA",
            dependencies: [.product(name: "SwiftLoss", package: "swiftloss")]
        ),
    ]
)
