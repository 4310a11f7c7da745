import Foundation
import Testing

/// Builds Tests/Consumer, a package that depends on this one by path, and runs its C and Swift
/// programs: the products CSieve and HybridKit work for other packages, not only for hybrid.
@Suite("A package that depends on hybrid", .serialized)
struct ConsumerTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test("builds and runs from C and from Swift", .timeLimit(.minutes(10)))
    func consumer() throws {
        let consumer = Self.packageRoot.appendingPathComponent("Tests/Consumer")
        let scratch = try Self.scratchDirectory()
        let build = try run(
            "/usr/bin/env",
            [
                "swift", "build", "--package-path", consumer.path,
                "--scratch-path", scratch.path,
            ])
        #expect(build.status == 0, "\(build.output)")
        let products = scratch.appendingPathComponent("debug")
        let c = try run(products.appendingPathComponent("csieve-count").path, [])
        #expect(c.output == "C: 50847534 primes below 10^9, sum 24739512092254535 (high half 0)\n")
        let swift = try run(products.appendingPathComponent("swift-count").path, [])
        #expect(swift.output == "Swift: 50847534 primes below 10^9, sum 24739512092254535\n")
        // The pool's promises at its edges, through the C API.
        let pool = try run(products.appendingPathComponent("pool-guarantees").path, [])
        #expect(pool.status == 0, "\(pool.output)")
        #expect(pool.output.split(separator: "\n").count == 4)
        #expect(!pool.output.contains("FAILED"), "\(pool.output)")
        // The parallel map with the consumer's own work, a killed worker included.
        let map = try run(products.appendingPathComponent("swift-pool").path, [])
        #expect(
            map.output == """
                serial: 10753840 Collatz steps for 1...100000
                threads: 10753840 Collatz steps for 1...100000
                processes: 10753840 Collatz steps for 1...100000
                processes, C work, one worker killed: 10753840 Collatz steps; 1 death, signal SIGKILL, item 777 re-run

                """)
    }

    /// The consumer's build directory, kept between runs so that a second `swift test` rebuilds
    /// only what changed. An incremental build of a path dependency keeps the file list it saw
    /// first and misses sources added since, so the directory is named by the list of source
    /// files and both manifests: adding, removing or renaming a file, or editing a manifest,
    /// starts a fresh one (and removes the others).
    static func scratchDirectory() throws -> URL {
        let files = FileManager.default
        var key = FNV1a()
        for manifest in ["Package.swift", "Tests/Consumer/Package.swift"] {
            key.add(try Data(contentsOf: packageRoot.appendingPathComponent(manifest)))
        }
        var paths: [String] = []
        for folder in ["CSieve", "Sources", "Tests/Consumer/Sources"] {
            let root = packageRoot.appendingPathComponent(folder)
            guard let walk = files.enumerator(atPath: root.path) else { continue }
            while let path = walk.nextObject() as? String { paths.append("\(folder)/\(path)") }
        }
        for path in paths.sorted() { key.add(Data(path.utf8)) }
        let builds = packageRoot.appendingPathComponent(".build")
        let name = "consumer-" + String(key.value, radix: 16)
        for old in (try? files.contentsOfDirectory(atPath: builds.path)) ?? []
        where old.hasPrefix("consumer-") && old != name {
            try? files.removeItem(at: builds.appendingPathComponent(old))
        }
        return builds.appendingPathComponent(name)
    }

    /// FNV-1a over bytes, with a separator after each piece: a key that is the same in every
    /// process (Swift's `Hasher` is seeded afresh in each).
    struct FNV1a {
        private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
        mutating func add(_ bytes: Data) {
            for byte in bytes + [0] {
                value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
        }
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
