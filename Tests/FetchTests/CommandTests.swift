import Foundation
import HybridKit
import Testing

/// The built `hybrid` executable, beside the test bundle in the build directory, or the one
/// `HYBRID_BINARY` names (to run these tests against another build).
let hybridPath: String = {
    if let path = ProcessInfo.processInfo.environment["HYBRID_BINARY"] { return path }
    let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    return bundle.deletingLastPathComponent().appendingPathComponent("hybrid").path
}()

struct Outcome {
    let status: Int32
    let standardOutput: String
    let standardError: String

    var json: [String: Any] {
        let data = Data(standardOutput.utf8)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}

/// Runs `executable` with `arguments`, feeding it `input`, and waits for it to end.
func run(_ arguments: [String], input: String = "", executable: String = hybridPath) throws
    -> Outcome
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let standardInput = Pipe()
    let standardOutput = Pipe()
    // Standard error goes to a file, so that neither pipe can fill up while the other is read.
    let errorFile = FileManager.default.temporaryDirectory
        .appendingPathComponent("hybrid-test-\(UUID().uuidString).err")
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorFile) }
    let standardError = try FileHandle(forWritingTo: errorFile)
    process.standardInput = standardInput
    process.standardOutput = standardOutput
    process.standardError = standardError
    try process.run()
    try standardError.close()
    standardInput.fileHandleForWriting.write(Data(input.utf8))
    try standardInput.fileHandleForWriting.close()
    let outputData = standardOutput.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errorData = FileManager.default.contents(atPath: errorFile.path) ?? Data()
    return Outcome(
        status: process.terminationStatus,
        standardOutput: String(decoding: outputData, as: UTF8.self),
        standardError: String(decoding: errorData, as: UTF8.self))
}

@Suite("The hybrid command", .serialized)
struct CommandTests {
    let base = testServer.url

    @Test("fetch --json reports every URL in input order and exits 1 when one failed")
    func fetchJSON() throws {
        let outcome = try run([
            "fetch", "--json", "--no-progress", "\(base)/bytes/10", "\(base)/status/404",
            "ftp://x/",
        ])
        #expect(outcome.status == 1)
        let json = outcome.json
        #expect(json["urls"] as? Int == 3)
        #expect(json["ok"] as? Int == 1)
        #expect(json["failed"] as? Int == 2)
        #expect(json["strategy"] as? String == "multi")
        let results = json["results"] as? [[String: Any]] ?? []
        #expect(
            results.map { $0["url"] as? String } == [
                "\(base)/bytes/10", "\(base)/status/404", "ftp://x/",
            ])
        #expect(results.map { $0["status"] as? Int } == [200, 404, nil])
        #expect(results[0]["bytes"] as? Int == 10)
        #expect(results[2]["error"] is String)
        #expect(results[0]["error"] is NSNull)
    }

    @Test("fetch --input - reads URLs from standard input, skipping blanks and comments")
    func fetchStandardInput() throws {
        let list = "# three URLs\n\n\(base)/bytes/1\n  \(base)/bytes/2\n# done\n\(base)/bytes/3\n"
        let outcome = try run(
            ["fetch", "--input", "-", "--strategy", "threads", "--json"], input: list)
        #expect(outcome.status == 0)
        #expect(outcome.json["urls"] as? Int == 3)
        #expect(outcome.json["bytes"] as? Int == 6)
        #expect(outcome.standardError.isEmpty)
    }

    @Test("the human report sums up and lists the failures")
    func humanReport() throws {
        let outcome = try run(["fetch", "\(base)/", "http://127.0.0.1:\(closedPort)/"])
        #expect(outcome.status == 1)
        #expect(outcome.standardOutput.contains("urls        2"))
        #expect(outcome.standardOutput.contains("failed      1"))
        // Numbers as the primes report writes them: seconds with their unit, a rate with its prefix.
        #expect(outcome.standardOutput.contains(#/\nseconds     [0-9.]+ s\n/#))
        #expect(outcome.standardOutput.contains(#/\nrate        [0-9.]+ (k |M )?requests/s\n/#))
        #expect(outcome.standardOutput.contains("failures:\n  argument 2: http://127.0.0.1:\(closedPort)/"))
    }

    @Test("with no URLs, fetch runs the demo against an embedded server")
    func demo() throws {
        let outcome = try run([
            "fetch", "--json", "--strategy", "threads-multi", "--concurrency", "50",
        ])
        #expect(outcome.status == 0)
        #expect(outcome.json["urls"] as? Int == 100)
        #expect(outcome.json["ok"] as? Int == 100)
        #expect(outcome.standardError.contains("demo"))
    }

    @Test(
        "bad usage prints one line and exits 2",
        arguments: [
            ["fetch", "--concurrency", "0", "http://127.0.0.1/"],
            ["fetch", "--strategy", "sideways"],
            ["fetch", "--timeout", "-1", "http://127.0.0.1/"],
            ["fetch", "--input", "/nonexistent/list.txt"],
            ["serve", "--port", "70000"],
        ])
    func badUsage(arguments: [String]) throws {
        let outcome = try run(arguments)
        #expect(outcome.status == 2)
        #expect(outcome.standardOutput.isEmpty)
        #expect(outcome.standardError.hasPrefix("hybrid: "))
        #expect(outcome.standardError.filter { $0 == "\n" }.count == 1)
    }

    @Test("a descriptor limit below the window lowers it, says so once, and loses no URL")
    func descriptorLimit() throws {
        let list = (0..<300).map { "\(base)/bytes/\($0 % 10)" }.joined(separator: "\n")
        let outcome = try run(
            [
                "-c", "ulimit -n 48 && exec \"$0\" fetch --json --concurrency 200 --input -",
                hybridPath,
            ],
            input: list, executable: "/bin/sh")
        #expect(outcome.status == 0)
        #expect(outcome.json["ok"] as? Int == 300)
        #expect(outcome.standardError.components(separatedBy: "lowered").count == 2)
    }

    @Test("serve prints where it listens, answers, and ends on SIGTERM")
    func serve() throws {
        let (process, url) = try startServe(["--latency", "0", "--size", "42"])
        #expect(url.hasPrefix("http://127.0.0.1:"))
        let report = try URLFetcher.fetch(["\(url)/", "\(url)/status/418"])
        #expect(report.results.map(\.status) == [200, 418])
        #expect(report.results.map(\.bytes) == [42, 42])
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
    }
}
