import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The processes strategy from the command line: the Swift engine in forked workers, workers
/// killed from outside, and SIGINT/SIGTERM ending the run with every worker reaped.
@Suite("hybrid primes with worker processes", .serialized)
struct WorkerFaultTests {
    @Test("the Swift engine in forked workers agrees", arguments: [1, 2, 3, 7])
    func swiftProcesses(workers: Int) throws {
        let output = try HybridBinary.run([
            "primes", "1e8", "--engine", "swift", "--strategy", "processes",
            "--workers", String(workers), "--json",
        ])
        #expect(output.status == 0)
        #expect(
            output.standardOutput.contains(
                #""count": 5761455, "sum": "279209790387276", "engine": "swift", "method": "sieve", "strategy": "processes", "workers": \#(workers),"#
            ))
    }

    @Test("an injected fault: one warning, the exact answer", arguments: ["c", "swift"])
    func injectedFault(engine: String) throws {
        let output = try HybridBinary.run([
            "primes", "1e8", "--engine", engine, "--workers", "2",
            "--inject-fault-chunk", "3", "--json",
        ])
        #expect(output.status == 0)
        #expect(output.standardOutput.contains(#""count": 5761455, "sum": "279209790387276""#))
        let warnings = output.standardError.split(separator: "\n")
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("SIGKILL") == true)
    }

    @Test("a chunk that always kills its worker: exit 1 and one error line, no hang", .timeLimit(.minutes(5)))
    func repeatedFault() throws {
        let output = try HybridBinary.run([
            "primes", "1e8", "--workers", "2", "--inject-fault-chunk", "1",
            "--inject-fault-every-time",
        ])
        #expect(output.status == 1)
        #expect(output.standardOutput.isEmpty)
        #expect(output.standardError.split(separator: "\n").last?.contains("worker processes died") == true)
    }

    @Test("workers are reaped even when hybrid starts with SIGCHLD ignored")
    func ignoredChildSignal() throws {
        // An ignored signal stays ignored across exec: bash passes SIG_IGN for SIGCHLD on.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            "-c", "trap '' CHLD; exec \"$0\" primes 1e8 --method sieve --workers 3 --json", HybridBinary.url.path,
        ]
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let err = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(out.contains(#""count": 5761455, "sum": "279209790387276""#))
        #expect(err.isEmpty, "no worker may be reported dead: \(err)")
    }

    @Test("a worker killed from outside is replaced and the answer stays exact", .timeLimit(.minutes(5)))
    func killedFromOutside() throws {
        let run = try StartedRun([
            "primes", "1e12", "1e12+2e9", "--method", "sieve", "--workers", "2", "--json", "--strategy", "processes",
        ])
        let children = try run.waitForChildren()
        kill(children[0], SIGKILL)
        let output = run.finish()
        #expect(output.status == 0)
        // The primes in [10^12, 10^12 + 2 * 10^9) add up to 72,453,432,538,692,136,270 (libprimesieve's
        // iterator agrees).
        #expect(output.standardOutput.contains(#""count": 72381054, "sum": "72453432538692136270""#))
        #expect(output.standardError.contains("worker \(children[0]) was killed by SIGKILL"))
    }

    @Test(
        "SIGINT and SIGTERM end the run, reap every worker, exit 130 and 143",
        arguments: [("processes", SIGINT), ("processes", SIGTERM), ("threads", SIGINT), ("serial", SIGTERM)])
    func stopSignals(strategy: String, signal: Int32) throws {
        let run = try StartedRun(["primes", "1e13", "--method", "sieve", "--strategy", strategy, "--json"])
        let children = strategy == "processes" ? try run.waitForChildren() : []
        if strategy != "processes" { usleep(300_000) }
        kill(run.process.processIdentifier, signal)
        let output = run.finish()
        #expect(output.status == 128 + signal)
        #expect(output.standardOutput.isEmpty)
        for child in children {
            // Gone: not running, not a zombie of ours (init reaps nothing here: we reaped them).
            #expect(kill(child, 0) == -1 && errno == ESRCH, "worker \(child) outlived the run")
        }
    }
}

/// A `hybrid` run started in the background, for tests that signal it or its workers.
final class StartedRun {
    let process = Process()
    private let output = Pipe()
    private let error = Pipe()

    init(_ arguments: [String]) throws {
        process.executableURL = HybridBinary.url
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    /// The worker processes, once they have all started.
    func waitForChildren(count: Int = 2) throws -> [pid_t] {
        let pid = process.processIdentifier
        for _ in 0..<500 {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
            let children = tasks.flatMap { task in
                ((try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/children", encoding: .utf8)) ?? "")
                    .split(separator: " ").compactMap { pid_t($0) }
            }
            if children.count >= count { return children }
            usleep(10_000)
        }
        throw CocoaError(.featureUnsupported)
    }

    func finish() -> HybridBinary.Output {
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return HybridBinary.Output(
            status: process.terminationStatus,
            standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self))
    }
}
