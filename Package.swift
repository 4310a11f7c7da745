// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "hybrid",
    products: [
        .library(name: "CSieve", targets: ["CSieve"]),
        .library(name: "CForkPool", targets: ["CForkPool"]),
        .library(name: "CBigPrimes", targets: ["CBigPrimes"]),
        .library(name: "CFetch", targets: ["CFetch"]),
        .library(name: "CPrimePi", targets: ["CPrimePi"]),
        .library(name: "HybridKit", targets: ["HybridKit"]),
        .executable(name: "hybrid", targets: ["hybrid"]),
    ],
    // MPI (off by default): `swift build --traits MPI` adds the compute strategy mpi over Open MPI.
    // A plain build compiles CHybridMPI without it and needs no MPI headers or libraries.
    traits: [
        .trait(
            name: "MPI",
            description: "The compute strategy mpi, over Open MPI (Debian: openmpi-bin libopenmpi-dev)")
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Only HybridServer (`hybrid serve`, the fetch tests) uses NIO; HybridKit does not.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // `swift package generate-documentation --target HybridKit` (DocC); a plugin, never linked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The sieve and its chunk geometry. Its whole public API is CSieve/include/csieve.h.
        .target(
            name: "CSieve",
            path: "CSieve",
        ),
        // Numbered items on forked worker processes, nothing lost, and the fork rule every part
        // of hybrid keeps. Its whole public API is Sources/CForkPool/include/cforkpool.h.
        .target(name: "CForkPool"),
        // Big primes and primality, with GMP: its API is Sources/CBigPrimes/include/cbigprimes.h.
        .target(name: "CBigPrimes", linkerSettings: [.linkedLibrary("gmp")]),
        // Batches of URLs over libcurl. Its whole public API is Sources/CFetch/include/cfetch.h.
        // libcurl is opened at run time by the first fetch (curl_library.h), so programs that
        // never fetch never map it; its headers are needed to build.
        .target(name: "CFetch", linkerSettings: [.linkedLibrary("dl")]),
        // The combinatorial engine: pi(x) and the sum of the primes <= x in sub-linear time.
        // Its whole public API is Sources/CPrimePi/include/cprimepi.h.
        .target(name: "CPrimePi", linkerSettings: [.linkedLibrary("m")]),
        // The POSIX macros Swift cannot import (the wait-status macros, CPU sets), as functions.
        .target(name: "CShims"),
        .target(
            name: "HybridKit",
            dependencies: [
                "CSieve", "CForkPool", "CBigPrimes", "CFetch", "CPrimePi", "CShims", "CHybridMPI",
            ]),
        // Open MPI's C API (pkg-config ompi-c), reached only through CHybridMPI.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        // The mpi strategy's C side. Its C is compiled with MPI only when the trait defines
        // HYBRID_MPI; otherwise it is stubs that say so (not __has_include, which would pick MPI
        // up silently wherever its headers happen to be installed).
        .target(
            name: "CHybridMPI",
            dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))],
            cSettings: [.define("HYBRID_MPI", .when(traits: ["MPI"]))]
        ),
        // What the command line shows: the lesson, bench sweeps, tables, charts, number formatting
        // and progress drawing. Not a product: HybridKit users never pull it in.
        .target(name: "HybridPresentation", dependencies: ["HybridKit"]),
        .executableTarget(
            name: "hybrid",
            dependencies: [
                "HybridKit",
                "HybridPresentation",
                "HybridServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The HTTP server behind `hybrid serve`: not a product, so HybridKit users never pull NIO.
        .target(
            name: "HybridServer",
            dependencies: [
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "HybridKitTests", dependencies: ["HybridKit", "CSieve", "CBigPrimes", "CPrimePi"]),
        // Pool runs over processes from a single-threaded program, which the test process is
        // not: PoolTests runs this one. Not a product.
        .executableTarget(name: "pool-checks", dependencies: ["HybridKit"], path: "Tests/PoolChecks"),
        .testTarget(name: "HybridPresentationTests", dependencies: ["HybridPresentation", "HybridKit"]),
        .testTarget(name: "HybridCLITests", dependencies: ["hybrid", "HybridKit", "HybridServer"]),
        .testTarget(name: "FetchTests", dependencies: ["HybridKit", "CFetch", "HybridServer", "hybrid"]),
    ]
)
