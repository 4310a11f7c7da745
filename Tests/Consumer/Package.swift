// swift-tools-version: 6.1
// A package that uses hybrid the way another project would: by path, from C and from Swift.
import PackageDescription

let package = Package(
    name: "Consumer",
    dependencies: [.package(name: "hybrid", path: "../..")],
    targets: [
        .executableTarget(name: "csieve-count", dependencies: [.product(name: "CSieve", package: "hybrid")]),
        .executableTarget(name: "swift-count", dependencies: [.product(name: "HybridKit", package: "hybrid")]),
        // The fork pool's promises at its edges, from C: the caller's SIGCHLD, sizes that overflow.
        .executableTarget(
            name: "pool-guarantees", dependencies: [.product(name: "CForkPool", package: "hybrid")]),
        // Work of the consumer's own (Collatz steps), for the parallel map from Swift.
        .target(name: "CollatzWork"),
        .executableTarget(
            name: "swift-pool",
            dependencies: ["CollatzWork", .product(name: "HybridKit", package: "hybrid")]),
    ]
)
