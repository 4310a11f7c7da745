// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "hybrid",
    products: [
        .library(name: "CSieve", targets: ["CSieve"]),
        .library(name: "HybridKit", targets: ["HybridKit"]),
        .executable(name: "hybrid", targets: ["hybrid"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // The C core. Its whole public API is CSieve/include/csieve.h.
        .target(
            name: "CSieve",
            path: "CSieve",
            linkerSettings: [.linkedLibrary("curl"), .linkedLibrary("gmp")]
        ),
        .target(name: "HybridKit", dependencies: ["CSieve"]),
        .executableTarget(
            name: "hybrid",
            dependencies: [
                "HybridKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "HybridKitTests", dependencies: ["HybridKit", "CSieve"]),
        .testTarget(name: "HybridCLITests", dependencies: ["hybrid"]),
    ]
)
