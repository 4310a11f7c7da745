import Foundation
import Testing

/// `--strategy mpi`, end to end: one process, ranks under `mpirun` on this host, and hosts made of
/// network namespaces (Scripts/mpi-hosts.sh). Needs a build with `--traits MPI` and `mpirun` on
/// the PATH; the namespace tests also need root and `ip`. Each skips with a message otherwise.
@Suite("MPI command", .serialized)
struct MPICommandTests {
    /// Why MPI tests cannot run here, or nil when they can.
    static let missing: String? = {
        let probe = try? HybridBinary.run(["primes", "100", "--strategy", "mpi", "--json"])
        if probe?.status == 2 { return "this hybrid was built without --traits MPI" }
        if probe?.status != 0 { return "hybrid --strategy mpi failed: \(probe?.standardError ?? "")" }
        return which("mpirun") == nil ? "mpirun is not on the PATH" : nil
    }()

    static let missingHosts: String? = {
        if let missing { return missing }
        if getuid() != 0 { return "network namespaces need root" }
        if which("ip") == nil || which("unshare") == nil { return "needs ip and unshare" }
        return nil
    }()

    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// The package root (this file is Tests/HybridCLITests/MPICommandTests.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// mpirun on this host only: loopback for Open MPI's own connections, shared memory between ranks.
    static func mpirun(ranks: Int, _ arguments: [String]) -> [String] {
        [
            "--allow-run-as-root", "--oversubscribe", "--mca", "oob_tcp_if_include", "lo", "--mca", "btl", "self,vader",
            "-np", String(ranks), HybridBinary.url.path,
        ] + arguments
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws
        -> (output: HybridBinary.Output, seconds: Double)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        let start = Date()
        try process.run()
        // Both pipes at once, so that neither can fill and stall the run.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let finished = DispatchSemaphore(value: 0)
        let errHandle = error.fileHandleForReading
        Thread.detachNewThread {
            errBox.data = errHandle.readDataToEndOfFile()
            finished.signal()
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        finished.wait()
        let errData = errBox.data
        process.waitUntilExit()
        return (
            HybridBinary.Output(
                status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
                standardError: String(decoding: errData, as: UTF8.self)),
            Date().timeIntervalSince(start)
        )
    }

    static func answer(_ output: HybridBinary.Output) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        else { return [] }
        return ["\(object["count"] ?? "")", "\(object["sum"] ?? "")"]
    }

    static func serial(_ range: [String]) throws -> [String] {
        answer(try HybridBinary.run(["primes"] + range + ["--strategy", "serial", "--json"]))
    }

    /// Near 2^32, from 0 to just past 29,505,444,491 (where the sum passes 2^64), just below 2^64.
    static let ranges = [["4290000000", "4300000000"], ["29505444493"], ["2^64-2e8", "2^64-1"]]

    @Test(
        "one process without mpirun equals serial", .enabled(if: missing == nil, Comment(rawValue: missing ?? "")),
        arguments: ranges)
    func singleProcess(range: [String]) throws {
        let output = try HybridBinary.run(["primes"] + range + ["--strategy", "mpi", "--workers", "2", "--json"])
        #expect(output.status == 0, "\(output.standardError)")
        #expect(Self.answer(output) == (try Self.serial(range)))
        #expect(output.standardOutput.contains("\"ranks\": 1"))
    }

    @Test(
        "3 ranks under mpirun equal serial, and rank 0 alone reports",
        .enabled(if: missing == nil, Comment(rawValue: missing ?? "")),
        .timeLimit(.minutes(2)), arguments: ranges)
    func threeRanks(range: [String]) throws {
        let (output, _) = try Self.run(
            "/usr/bin/env",
            ["mpirun"] + Self.mpirun(ranks: 3, ["primes"] + range + ["--strategy", "mpi", "--workers", "1", "--json"]))
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.split(separator: "\n").count == 1)
        #expect(Self.answer(output) == (try Self.serial(range)))
        #expect(output.standardOutput.contains("\"ranks\": 3"))
    }

    @Test(
        "bigprimes over 2 ranks prints the same primes in the same order",
        .enabled(if: missing == nil, Comment(rawValue: missing ?? "")))
    func bigprimes() throws {
        let arguments = ["bigprimes", "--bits", "256", "--count", "50"]
        let (output, _) = try Self.run(
            "/usr/bin/env", ["mpirun"] + Self.mpirun(ranks: 2, arguments + ["--strategy", "mpi", "--workers", "1"]))
        #expect(output.status == 0, "\(output.standardError)")
        let reference = try HybridBinary.run(arguments + ["--strategy", "serial"])
        #expect(output.standardOutput == reference.standardOutput)
        // The report names the ranks and each rank's threads.
        let (json, _) = try Self.run(
            "/usr/bin/env",
            ["mpirun"] + Self.mpirun(ranks: 2, arguments + ["--strategy", "mpi", "--workers", "1", "--json"]))
        #expect(json.status == 0, "\(json.standardError)")
        #expect(json.standardOutput.contains(#""strategy": "mpi", "workers": 1, "ranks": 2, "seconds": "#))
    }

    @Test(
        "SIGINT stops a run of one rank at once (exit 130); the same command resumes to the exact answer",
        .enabled(if: missing == nil, Comment(rawValue: missing ?? "")), .timeLimit(.minutes(3)))
    func interrupted() throws {
        let journal = JournalCommandTests.JournalFile()
        let range = ["29e9", "31e9"]
        let arguments =
            ["primes"] + range + ["--strategy", "mpi", "--workers", "2", "--json", "--journal", journal.path]
        let run = try StartedRun(arguments)
        for _ in 0..<3000 where journal.size < 200 + 3 * 36 { usleep(10_000) }
        kill(run.process.processIdentifier, SIGINT)
        let stopped = run.finish()
        #expect(stopped.status == 130, "\(stopped.standardError)")
        let resumed = try HybridBinary.run(arguments)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(Self.answer(resumed) == (try Self.serial(range)))
    }

    @Test(
        "a rank killed mid-run: non-zero exit within seconds; the resumed run is exact",
        .enabled(if: missing == nil, Comment(rawValue: missing ?? "")), .timeLimit(.minutes(3)))
    func killedRank() throws {
        let journal = JournalCommandTests.JournalFile()
        let range = ["29e9", "31e9"]
        // The work for chunk 20 (of 24) kills the rank that takes it: a rank that dies mid-run.
        let arguments =
            ["primes"] + range + ["--strategy", "mpi", "--workers", "1", "--json", "--journal", journal.path]
        let (stopped, seconds) = try Self.run(
            "/usr/bin/env", ["mpirun"] + Self.mpirun(ranks: 3, arguments + ["--inject-fault-chunk", "20"]))
        #expect(stopped.status != 0)
        #expect(seconds < 30)
        #expect(journal.size > 0)
        let (resumed, _) = try Self.run("/usr/bin/env", ["mpirun"] + Self.mpirun(ranks: 2, arguments))
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(Self.answer(resumed) == (try Self.serial(range)))
    }

    @Test(
        "a finished journal, resumed under mpirun: every rank ends at once, exit 0, the exact answer",
        .enabled(if: missing == nil, Comment(rawValue: missing ?? "")), .timeLimit(.minutes(3)))
    func finishedJournal() throws {
        let journal = JournalCommandTests.JournalFile()
        let range = ["29e9", "31e9"]
        let arguments =
            ["primes"] + range + ["--strategy", "mpi", "--workers", "1", "--json", "--journal", journal.path]
        let (first, _) = try Self.run("/usr/bin/env", ["mpirun"] + Self.mpirun(ranks: 2, arguments))
        #expect(first.status == 0, "\(first.standardError)")
        // Nothing is left to run; the other rank must still hear so from rank 0, before its lease (10 s).
        let (again, seconds) = try Self.run("/usr/bin/env", ["mpirun"] + Self.mpirun(ranks: 2, arguments))
        #expect(again.status == 0, "\(again.standardError)")
        #expect(seconds < 8)
        #expect(Self.answer(again) == (try Self.serial(range)))
    }

    @Test(
        "mpirun on a head, a rank on each of two hosts, one link cut: the job ends within the bound; the resume is exact",
        .enabled(if: missingHosts == nil, Comment(rawValue: missingHosts ?? "")), .timeLimit(.minutes(4)))
    func oneRankPerHost() throws {
        let script = Self.packageRoot + "/Scripts/mpi-hosts.sh"
        let journal = JournalCommandTests.JournalFile()
        // A lease (2 s) shorter than mpirun's keepalive (5 + 2 * 3 s): the ranks notice the cut
        // first, and must leave mpirun time to notice it too, or it waits about 15 minutes.
        let command =
            [HybridBinary.url.path, "primes", "1e11", "--strategy", "mpi", "--json", "--journal", journal.path]
        let hosts = ["--hosts", "2", "--slots", "1", "--limit", "150"]
        let lease = ["-x", "HYBRID_MPI_LEASE_SECONDS=2"]
        let (cut, seconds) = try Self.run(script, hosts + ["--cut", "2@3", "--", "-np", "2"] + lease + command)
        #expect(cut.status != 0 && cut.status != 124, "\(cut.standardError)")
        #expect(seconds < 3 + 30)
        #expect(journal.size > 0)
        // The same command on the healthy hosts, with the usual lease.
        let (resumed, _) = try Self.run(script, hosts + ["--", "-np", "2"] + command)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(Self.answer(resumed) == ["4118054813", "201467077743744681014"])
    }

    @Test(
        "two namespace hosts: the answer equals serial; a cut link ends the run within the bound; the resume is exact",
        .enabled(if: missingHosts == nil, Comment(rawValue: missingHosts ?? "")), .timeLimit(.minutes(5)))
    func namespaceHosts() throws {
        let script = Self.packageRoot + "/Scripts/mpi-hosts.sh"
        let range = ["1e11", "1.2e11"]
        let reference = try Self.serial(range)
        let plain =
            ["-np", "4", HybridBinary.url.path, "primes"] + range + ["--strategy", "mpi", "--workers", "1", "--json"]
        let (together, _) = try Self.run(script, ["--hosts", "2", "--slots", "2", "--limit", "120", "--"] + plain)
        #expect(together.status == 0, "\(together.standardError)")
        #expect(Self.answer(together) == reference)

        let journal = JournalCommandTests.JournalFile()
        let journalled = plain + ["--journal", journal.path]
        let (cut, seconds) = try Self.run(
            script, ["--hosts", "2", "--slots", "2", "--limit", "120", "--cut", "2@3", "--"] + journalled)
        #expect(cut.status != 0 && cut.status != 124, "\(cut.standardError)")
        #expect(seconds < 3 + 30)
        let (resumed, _) = try Self.run(script, ["--hosts", "2", "--slots", "2", "--limit", "120", "--"] + journalled)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(Self.answer(resumed) == reference)
    }
}
