// swift-tools-version: 6.1
// A package that uses hybrid the way another project would: by path, from C and from Swift.
import PackageDescription

let package = Package(
    name: "Consumer",
    dependencies: [.package(name: "hybrid", path: "../..")],
    targets: [
        .executableTarget(name: "csieve-count", dependencies: [.product(name: "CSieve", package: "hybrid")]),
        .executableTarget(name: "swift-count", dependencies: [.product(name: "HybridKit", package: "hybrid")]),
    ]
)
