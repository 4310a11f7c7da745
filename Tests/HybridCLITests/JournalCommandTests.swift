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

    /// The object of a run's JSON report; empty when it is not one.
    func object(_ output: HybridBinary.Output) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]) ?? [:]
    }

    @Test("Ctrl-C says how many chunks the journal holds, as `hybrid journal` counts them", .timeLimit(.minutes(3)))
    func interruptedLine() throws {
        let journal = JournalFile()
        let run = try StartedRun(["primes", "1e10", "5e10", "--strategy", "processes", "--journal", journal.path])
        for _ in 0..<3000 where journal.size < 200 + 3 * 36 { usleep(10_000) }
        kill(run.process.processIdentifier, SIGINT)
        let stopped = run.finish()
        #expect(stopped.status == 130)
        #expect(stopped.standardOutput.isEmpty)
        let contents = try HybridBinary.run(["journal", journal.path, "--json"])
        #expect(contents.status == 0, "\(contents.standardError)")
        let saved = object(contents)["recorded_items"] as? Int ?? -1
        let items = object(contents)["items"] as? Int ?? -1
        #expect(saved >= 3 && saved < items && items < 1000)
        let tenths = saved * 1000 / items
        #expect(
            stopped.standardError
                == "hybrid: interrupted by SIGINT; every worker was stopped; \(saved) of \(items) chunks "
                + "(\(tenths / 10).\(tenths % 10)%) are saved in the journal \(journal.path): "
                + "the same command resumes from there\n")
        #expect(object(contents)["whole"] as? Bool == true)
        #expect(
            object(contents)["command"] as? String == "hybrid primes 10000000000 50000000000 --journal \(journal.path)")
    }

    @Test("a resumed run's report says how many chunks came from the journal, and its seconds are its own")
    func resumedReport() throws {
        let journal = JournalFile()
        let arguments = ["primes", "1e9", "--strategy", "threads", "--workers", "2", "--journal", journal.path]
        let full = try HybridBinary.run(arguments + ["--json"])
        #expect(full.status == 0, "\(full.standardError)")
        let items = object(full)["items"] as? Int ?? -1
        #expect(items >= 16)
        #expect(object(full)["resumed_items"] as? Int == 0)
        let contents = try HybridBinary.run(["journal", journal.path, "--json"])
        #expect(object(contents)["recorded_items"] as? Int == items)
        #expect(object(contents)["complete"] as? Bool == true)
        // Keep the header and the first 5 records: a journal of a run stopped after 5 chunks.
        let header = object(contents)["header_bytes"] as? Int ?? 0
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: journal.path))
        try handle.truncate(atOffset: UInt64(header + 5 * 36))
        try handle.close()
        let partial = try HybridBinary.run(["journal", journal.path])
        #expect(partial.status == 0)
        #expect(partial.standardOutput.contains("\nrecorded_items     5 ("), "\(partial.standardOutput)")
        #expect(partial.standardOutput.contains("\nwhole              yes: every record's checksum holds\n"))
        #expect(partial.standardOutput.contains("\ncomplete           no: a resume runs the other \(items - 5)\n"))

        let resumed = try HybridBinary.run(arguments + ["--json"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(object(resumed)["resumed_items"] as? Int == 5)
        #expect(object(resumed)["items"] as? Int == items)
        #expect(object(resumed)["seconds"] is Double)
        #expect(answer(resumed) == answer(full))
        let again = try HybridBinary.run(arguments)
        #expect(
            again.standardOutput.contains(
                "\nresumed_items  \(items) of \(items) chunks from the journal \(journal.path)\n"),
            "\(again.standardOutput)")
        #expect(again.standardOutput.contains(" s (this run alone)\ncpu_seconds "))
    }

    @Test("`hybrid journal` counts a torn tail in bytes and leaves it for the resume to cut")
    func tornJournal() throws {
        let journal = JournalFile()
        #expect(try HybridBinary.run(["primes", "1e9", "--workers", "2", "--journal", journal.path]).status == 0)
        let whole = try HybridBinary.run(["journal", journal.path, "--json"])
        let items = object(whole)["items"] as? Int ?? -1
        let size = journal.size
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: journal.path))
        try handle.truncate(atOffset: UInt64(size - 18))
        try handle.close()
        let torn = try HybridBinary.run(["journal", journal.path, "--json"])
        #expect(torn.status == 0)
        #expect(object(torn)["torn_bytes"] as? Int == 18)
        #expect(object(torn)["whole"] as? Bool == false)
        #expect(object(torn)["recorded_items"] as? Int == items - 1)
        #expect(journal.size == size - 18)
        let text = try HybridBinary.run(["journal", journal.path])
        #expect(text.standardOutput.contains("\nwhole              no: a torn tail of 18 bytes, cut off on resume"))
    }

    @Test("`hybrid journal` of no journal, a missing file or a directory: exit 2; of an unreadable file: exit 1")
    func journalOfNoJournal() throws {
        let journal = JournalFile()
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: journal.path))
        for path in [journal.path, journal.path + "-missing", NSTemporaryDirectory()] {
            let output = try HybridBinary.run(["journal", path])
            #expect(output.status == 2, "\(path)")
            #expect(output.standardOutput.isEmpty)
            #expect(output.standardError.split(separator: "\n").count == 1)
            #expect(output.standardError.hasPrefix("hybrid: "))
        }
        #expect(try String(contentsOfFile: journal.path, encoding: .utf8) == "precious\n")
        // A file that opens but cannot be read (page 0 of a process's memory is never mapped):
        // a failed run, not bad input.
        let unreadable = try HybridBinary.run(["journal", "/proc/self/mem"])
        #expect(unreadable.status == 1)
        #expect(unreadable.standardError == "hybrid: cannot read journal /proc/self/mem: Input/output error\n")
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
