// swift-tools-version: 6.1
// libFuzzer targets for hybrid, apart from the package so that its users never build them.
// Build and run them with Scripts/fuzz.sh (it passes -sanitize=fuzzer,address); the C sieve's
// target, Sieve/sieve_fuzz.c, is built by the script with clang.
import PackageDescription

let package = Package(
    name: "HybridFuzz",
    dependencies: [
        .package(name: "hybrid", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzNumberExpression", dependencies: [.product(name: "HybridKit", package: "hybrid")]),
        .executableTarget(name: "FuzzURLList", dependencies: [.product(name: "HybridKit", package: "hybrid")]),
        .executableTarget(name: "FuzzJournal", dependencies: [.product(name: "HybridKit", package: "hybrid")]),
        // HybridServer is not a product, so its sources are compiled into the fuzz target
        // itself (Sources/FuzzServerRequest/HybridServer is a link to them): the target reaches
        // its internal types, ResponsePlan and ResponseHandler.
        .executableTarget(
            name: "FuzzServerRequest",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
