import Foundation
import Testing

/// `--journal FILE`: a run stopped halfway resumes, with any strategy, to the very same answer.
@Suite("Journal command", .serialized)
struct JournalCommandTests {
    /// A fresh journal path, removed when the test ends.
    final class JournalFile {
        let path = NSTemporaryDirectory() + "hybrid-journal-\(UUID().uuidString)"
        var size: Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// count and sum of a run's JSON report.
    func answer(_ output: HybridBinary.Output) -> [String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        else { return [] }
        return ["\(object["count"] ?? "")", "\(object["sum"] ?? "")"]
    }

    @Test(
        "a run interrupted by SIGINT resumes with another strategy to the serial answer",
        .timeLimit(.minutes(3)), arguments: [("processes", "threads"), ("threads", "serial")])
    func interruptedThenResumed(first: String, second: String) throws {
        let journal = JournalFile()
        // Across 29,505,444,492, where the sum of the primes passes 2^64.
        let range = ["29e9", "31e9"]
        let run = try StartedRun(["primes"] + range + ["--strategy", first, "--json", "--journal", journal.path])
        // Stop once a few chunks are recorded (a header is about 200 bytes, a record 36).
        for _ in 0..<3000 where journal.size < 200 + 5 * 36 { usleep(10_000) }
        kill(run.process.processIdentifier, SIGINT)
        let stopped = run.finish()
        let recorded = journal.size
        #expect(stopped.status == 130 || stopped.status == 0)
        let resumed = try HybridBinary.run(
            ["primes"] + range + ["--strategy", second, "--workers", "1", "--json", "--journal", journal.path])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let reference = try HybridBinary.run(["primes"] + range + ["--strategy", "processes", "--json"])
        #expect(answer(resumed) == answer(reference))
        #expect(answer(reference).count == 2)
        #expect(journal.size > recorded)
        // A third run has nothing left to do and still gives the answer.
        let again = try HybridBinary.run(["primes"] + range + ["--json", "--journal", journal.path])
        #expect(answer(again) == answer(reference))
    }

    @Test("a torn last record is ignored: the resumed answer is exact")
    func tornTail() throws {
        let journal = JournalFile()
        let range = ["4294000000", "4296000000"]  // around 2^32
        let full = try HybridBinary.run(["primes"] + range + ["--json", "--journal", journal.path])
        #expect(full.status == 0)
        // A power cut while the last record was written: cut it in half, and add noise after it.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: journal.path))
        try handle.truncate(atOffset: UInt64(journal.size - 18))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0xDE, 0xAD]))
        try handle.close()
        let resumed = try HybridBinary.run(
            ["primes"] + range + ["--strategy", "serial", "--json", "--journal", journal.path])
        #expect(resumed.status == 0)
        #expect(answer(resumed) == answer(full))
    }

    @Test("a journal of another job is refused: one line, exit 2")
    func wrongJob() throws {
        let journal = JournalFile()
        #expect(try HybridBinary.run(["primes", "1e8", "--journal", journal.path]).status == 0)
        let other = try HybridBinary.run(["primes", "2e8", "--journal", journal.path])
        #expect(other.status == 2)
        #expect(other.standardError.split(separator: "\n").count == 1)
        #expect(other.standardError.contains("another job"))
        #expect(other.standardOutput.isEmpty)
        let countOnly = try HybridBinary.run(["primes", "1e8", "--count-only", "--journal", journal.path])
        #expect(countOnly.status == 2)
        let bigprimes = try HybridBinary.run(["bigprimes", "--bits", "64", "--count", "3", "--journal", journal.path])
        #expect(bigprimes.status == 2)
    }

    @Test("bigprimes resumed from its journal prints the same primes in the same order", .timeLimit(.minutes(2)))
    func bigprimesResume() throws {
        let journal = JournalFile()
        let arguments = ["bigprimes", "--bits", "512", "--count", "400"]
        let run = try StartedRun(arguments + ["--strategy", "processes", "--journal", journal.path])
        for _ in 0..<3000 where journal.size < 200 + 20 * (8 + 156 + 4) { usleep(10_000) }
        kill(run.process.processIdentifier, SIGTERM)
        _ = run.finish()
        let resumed = try HybridBinary.run(arguments + ["--strategy", "threads", "--journal", journal.path])
        let reference = try HybridBinary.run(arguments + ["--strategy", "serial"])
        #expect(resumed.status == 0)
        #expect(resumed.standardOutput == reference.standardOutput)
        #expect(reference.standardOutput.split(separator: "\n").count == 400)
    }

    @Test("a file that is not a journal is left alone: exit 2")
    func notAJournal() throws {
        let journal = JournalFile()
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: journal.path))
        let output = try HybridBinary.run(["primes", "1e6", "--journal", journal.path])
        #expect(output.status == 2)
        #expect(try String(contentsOfFile: journal.path, encoding: .utf8) == "precious\n")
    }
}
