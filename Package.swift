// swift-tools-version:5.9
//
// swiftloss: PyTorch's loss functions as a pure-Swift core (`SwiftLoss`) and a C-ABI shared
// library (`libswiftloss.so`, whose exports are in `SwiftLossABI`).
//
// libswiftloss.so carries two builds of its kernels: `SwiftLossEntries` for the architecture's
// baseline and `SwiftLossEntriesAVX2` (the same sources, through symbolic links) for x86-64
// CPUs with AVX2; the exports pick one at run time (Sources/SwiftLossABI/Dispatch.swift).
// On CPUs with AVX-512 the AVX2 build's GEMM runs the kernels of `SwiftLossGemmAVX512` (the
// same GemmKernel.swift, compiled for AVX-512).
import PackageDescription

let root = Context.packageDirectory

#if arch(x86_64)
let avx2Flags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
let avx512Flags: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
#else
let avx2Flags: [SwiftSetting] = []
let avx512Flags: [SwiftSetting] = []
#endif

let package = Package(
    name: "swiftloss",
    products: [
        // The Swift API, for other Swift packages.
        .library(name: "SwiftLoss", targets: ["SwiftLoss"]),
        // libswiftloss.so: the C ABI declared in include/swiftloss.h. The Swift runtime is
        // linked in statically and only swiftloss_* symbols are exported.
        .library(name: "swiftloss", type: .dynamic, targets: ["SwiftLossABI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        // The core: pure Swift, generic over Float and Double.
        .target(
            name: "SwiftLoss",
            dependencies: [.product(name: "RealModule", package: "swift-numerics")]
        ),
        // Argument checking and status codes around the core, one function per C entry point.
        .target(name: "SwiftLossEntries", dependencies: ["SwiftLoss"]),
        // The same, with its own copy of the core, compiled for AVX2 (Haswell and later).
        .target(
            name: "SwiftLossEntriesAVX2",
            dependencies: [.product(name: "RealModule", package: "swift-numerics"), "SwiftLossHints"],
            swiftSettings: [.define("SWIFTLOSS_AVX2"), .define("SWIFTLOSS_HINTS")] + avx2Flags
        ),
        // Cache hints (prefetch) for that build: LLVM's intrinsic through `Builtin`, hence
        // -parse-stdlib; the core itself is built without them (Sources/SwiftLoss/Hints.swift).
        .target(name: "SwiftLossHints", swiftSettings: [.unsafeFlags(["-parse-stdlib"])]),
        // The GEMM's kernels alone, compiled for AVX-512 (Skylake-SP, Zen 4 and later).
        .target(name: "SwiftLossGemmAVX512", swiftSettings: avx512Flags),
        // cpuid / xgetbv for the dispatch. DWARF 4: valgrind 3.19 cannot read clang's DWARF 5.
        .target(name: "CCPUFeatures", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
        // The @_cdecl exports.
        .target(
            name: "SwiftLossABI",
            dependencies: ["SwiftLossEntries", "SwiftLossEntriesAVX2", "SwiftLossGemmAVX512", "CCPUFeatures"],
            exclude: ["exports.map", "generate.py", "install.sh", "swiftloss.pc.in"],
            linkerSettings: [
                .unsafeFlags([
                    "-static-stdlib",
                    "-Xlinker", "--version-script=\(root)/Sources/SwiftLossABI/exports.map",
                    "-Xlinker", "-soname=libswiftloss.so.0",
                    "-Xlinker", "-z", "-Xlinker", "now",
                    // The worker threads (Sources/SwiftLoss/Parallel.swift) live as long as the
                    // process: dlclose() must not unmap the code they sleep in.
                    "-Xlinker", "-z", "-Xlinker", "nodelete",
                ]),
            ]
        ),
        .testTarget(name: "SwiftLossTests", dependencies: ["SwiftLoss"]),
        // The vector-math tests again (linked sources), against the AVX2 build of the core.
        .testTarget(
            name: "SwiftLossAVX2Tests",
            dependencies: ["SwiftLossEntriesAVX2", "CCPUFeatures"],
            swiftSettings: [.define("SWIFTLOSS_AVX2_TESTS")]
        ),
    ]
)
