import Foundation
import HybridKit
import HybridServer
import Testing

/// `hybrid fetch --journal FILE`: a fetch killed or stopped halfway resumes, fetching only what
/// the journal does not hold, and reports every URL as an uninterrupted run would.
@Suite("fetch --journal", .serialized)
struct FetchJournalTests {
    /// A fresh path (a journal or an output directory), removed when the test ends.
    final class TemporaryPath {
        let path = NSTemporaryDirectory() + "hybrid-fetch-journal-\(UUID().uuidString)"
        var size: Int { ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0 }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    /// A server of its own, so that its request count is this test's alone.
    let server: EmbeddedServer

    init() throws {
        server = try EmbeddedServer.start(port: 0, latency: .zero, size: 100, threads: 1)
    }

    /// `count` distinct URLs, each answered after `delay` milliseconds; every seventh a 404.
    func urls(_ count: Int, delay: Int = 0) -> [String] {
        (0..<count).map { index in
            index % 7 == 3 ? "\(server.url)/status/404/item/\(index)" : "\(server.url)/delay/\(delay)/item/\(index)"
        }
    }

    /// The per-URL results of a `--json` report, without what timing changes.
    func results(_ outcome: Outcome) -> [NSDictionary] {
        ((outcome.json["results"] as? [[String: Any]]) ?? []).map { result in
            var result = result
            result["seconds"] = nil
            return result as NSDictionary
        }
    }

    /// Starts `hybrid` with `arguments`, and returns it once the server has had `requests`.
    /// Its standard error goes to `standardError` when given.
    func started(_ arguments: [String], afterRequests requests: Int, standardError: Pipe? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: hybridPath)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = standardError ?? FileHandle.nullDevice
        try process.run()
        for _ in 0..<3000 where server.requestsReceived < requests && process.isRunning { usleep(2_000) }
        return process
    }

    /// The server's request count once requests a stopped process sent before it ended (still
    /// in the server's socket buffers) have been read: unchanged for 100 ms.
    func settledRequests() -> Int {
        var count = server.requestsReceived
        while true {
            usleep(100_000)
            let now = server.requestsReceived
            if now == count { return count }
            count = now
        }
    }

    @Test("killed by SIGKILL, the same command fetches only what was not recorded", .timeLimit(.minutes(2)))
    func killedThenResumed() throws {
        let journal = TemporaryPath()
        let list = urls(300, delay: 10)
        let arguments = ["fetch", "--json", "--no-progress", "--concurrency", "4", "--journal", journal.path] + list
        let process = try started(arguments, afterRequests: 60)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let beforeResume = settledRequests()

        let resumed = try run(arguments)
        #expect(resumed.status == 1, "\(resumed.standardError)")  // the 404s
        let fromJournal = resumed.json["resumed"] as? Int ?? -1
        #expect(fromJournal >= 50 && fromJournal < 300)
        // Only the URLs in flight at the kill were fetched twice.
        #expect(beforeResume - fromJournal <= 4)
        #expect(server.requestsReceived - beforeResume == 300 - fromJournal)
        #expect(resumed.json["urls"] as? Int == 300)

        let reference = try run(["fetch", "--json", "--no-progress"] + list)
        #expect(results(resumed) == results(reference))
        #expect(results(reference).count == 300)
        #expect(resumed.json["failed"] as? Int == reference.json["failed"] as? Int)

        // Run again, it fetches nothing.
        let again = server.requestsReceived
        let third = try run(arguments)
        #expect(server.requestsReceived == again)
        #expect(third.json["resumed"] as? Int == 300)
        #expect(results(third) == results(reference))
    }

    @Test("stopped by Ctrl-C, the cut-short transfers are fetched again and nothing else", .timeLimit(.minutes(2)))
    func interruptedThenResumed() throws {
        let journal = TemporaryPath()
        let list = urls(200, delay: 10)
        let arguments = ["fetch", "--no-progress", "--concurrency", "5", "--journal", journal.path] + list
        let standardError = Pipe()
        let process = try started(arguments, afterRequests: 40, standardError: standardError)
        kill(process.processIdentifier, SIGINT)
        let stopLine = String(decoding: standardError.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let beforeResume = settledRequests()
        let contents = try run(["journal", journal.path, "--json"])
        let saved = contents.json["recorded_items"] as? Int ?? -1
        let tenths = saved * 1000 / 200
        #expect(
            stopLine.hasSuffix(
                "; \(saved) of 200 URLs (\(tenths / 10).\(tenths % 10)%) are saved in the journal \(journal.path): "
                    + "the same command resumes from there\n"), "\(stopLine)")
        #expect(stopLine.split(separator: "\n").count == 1)

        let resumed = try run(arguments)
        #expect(resumed.status == 1)
        let line = resumed.standardOutput.split(separator: "\n").first { $0.hasPrefix("urls") } ?? ""
        #expect(line.hasPrefix("urls        200 ("), "\(resumed.standardOutput)")
        #expect(line.hasSuffix(" from the journal)"))
        let fromJournal = Int(line.split(separator: "(")[1].split(separator: " ")[0]) ?? -1
        #expect(fromJournal >= 30 && fromJournal < 200)
        #expect(beforeResume - fromJournal <= 5)
        #expect(server.requestsReceived - beforeResume == 200 - fromJournal)
        #expect(fromJournal == saved)
        let resumedContents = try run(["journal", journal.path, "--json"])
        #expect(resumedContents.json["version"] as? Int == 2)
        #expect(resumedContents.json["workload"] as? String == "fetch")
        #expect(resumedContents.json["recorded_items"] as? Int == 200)
        #expect(resumedContents.json["complete"] as? Bool == true)
        #expect(resumedContents.json["whole"] as? Bool == true)
        #expect(resumedContents.json["command"] == nil)
    }

    @Test("a torn last record is ignored: its URL alone is fetched again")
    func tornLastRecord() throws {
        let journal = TemporaryPath()
        let arguments = ["fetch", "--json", "--no-progress", "--journal", journal.path] + urls(20)
        let full = try run(arguments)
        #expect(full.status == 1)
        #expect(full.json["resumed"] as? Int == 0)
        // A power cut while the last record was written: cut it short, and add noise.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: journal.path))
        try handle.truncate(atOffset: UInt64(journal.size - 30))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0xDE, 0xAD, 0xBE, 0xEF]))
        try handle.close()
        let before = server.requestsReceived
        let resumed = try run(arguments)
        #expect(resumed.json["resumed"] as? Int == 19)
        #expect(server.requestsReceived - before == 1)
        #expect(results(resumed) == results(full))
    }

    @Test("a journal of another URL list is refused: one line, exit 2")
    func anotherList() throws {
        let journal = TemporaryPath()
        let list = urls(5)
        #expect(try run(["fetch", "--no-progress", "--journal", journal.path] + list).status == 1)
        for other in [Array(list.dropLast()), list + ["\(server.url)/more"], Array(list.reversed())] {
            let refused = try run(["fetch", "--no-progress", "--journal", journal.path] + other)
            #expect(refused.status == 2)
            #expect(refused.standardError.split(separator: "\n").count == 1)
            #expect(refused.standardError.contains("another job"))
            #expect(refused.standardOutput.isEmpty)
        }
    }

    @Test(
        "a journal made with other options that change results is refused, naming the option",
        arguments: [
            (["--fail"], "fail"), (["--timeout", "5"], "timeout"), (["--no-follow"], "follow_redirects"),
            (["-H", "X-Test: 1"], "headers"), (["--retries", "2"], "retries"),
        ])
    func otherOptions(extra: [String], field: String) throws {
        let journal = TemporaryPath()
        let list = urls(3)
        #expect(try run(["fetch", "--no-progress", "--journal", journal.path] + list).status == 0)
        let refused = try run(["fetch", "--no-progress", "--journal", journal.path] + extra + list)
        #expect(refused.status == 2)
        #expect(refused.standardError.split(separator: "\n").count == 1)
        #expect(refused.standardError.contains("(\(field) "), "\(refused.standardError)")
        // How the URLs are fetched is not what is fetched: another strategy resumes.
        let before = server.requestsReceived
        let resumed = try run(
            [
                "fetch", "--no-progress", "--json", "--strategy", "threads", "--concurrency", "2", "--journal",
                journal.path,
            ]
                + list)
        #expect(resumed.status == 0)
        #expect(resumed.json["resumed"] as? Int == 3)
        #expect(server.requestsReceived == before)
    }

    @Test("standard input: the list read names the job")
    func standardInput() throws {
        let journal = TemporaryPath()
        let list = urls(10).joined(separator: "\n") + "\n"
        let arguments = ["fetch", "--json", "--no-progress", "--input", "-", "--journal", journal.path]
        let first = try run(arguments, input: list)
        #expect(first.json["resumed"] as? Int == 0)
        #expect(first.json["urls"] as? Int == 10)
        let before = server.requestsReceived
        let again = try run(arguments, input: list)
        #expect(again.json["resumed"] as? Int == 10)
        #expect(server.requestsReceived == before)
        #expect(results(again) == results(first))
        let other = try run(arguments, input: "# a comment moves every line\n" + list)
        #expect(other.status == 2)
    }

    @Test("--output-dir: after a kill and a resume, every body is on disk and whole", .timeLimit(.minutes(2)))
    func outputDirectory() throws {
        let journal = TemporaryPath()
        let directory = TemporaryPath()
        let list = (0..<150).map { "\(server.url)/delay/10/bytes/\(1000 + $0)/item/\($0)" }
        let arguments =
            ["fetch", "--json", "--no-progress", "--concurrency", "4", "--output-dir", directory.path]
            + ["--journal", journal.path] + list
        let process = try started(arguments, afterRequests: 40)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let resumed = try run(arguments)
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect((resumed.json["resumed"] as? Int ?? 0) > 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(Set(files) == Set((0..<150).map(String.init)))
        for index in 0..<150 {
            let data = FileManager.default.contents(atPath: "\(directory.path)/\(index)") ?? Data()
            #expect(data.count == 1000 + index)
        }
        let results = resumed.json["results"] as? [[String: Any]] ?? []
        #expect(results.map { $0["file"] as? String } == (0..<150).map { "\(directory.path)/\($0)" })
    }

    @Test("--journal without URLs is refused: exit 2")
    func noURLs() throws {
        let journal = TemporaryPath()
        let refused = try run(["fetch", "--journal", journal.path])
        #expect(refused.status == 2)
        #expect(refused.standardError.split(separator: "\n").count == 1)
    }
}

/// `FetchJournal` and `URLFetcher.stream(journal:)` used from Swift.
@Suite("FetchJournal", .serialized)
struct FetchJournalLibraryTests {
    let server: EmbeddedServer

    init() throws {
        server = try EmbeddedServer.start(port: 0, latency: .zero, size: 10, threads: 1)
    }

    func fetchAll(_ journal: FetchJournal) throws -> (FetchSummary, [FetchResult]) {
        var results: [FetchResult] = []
        let summary = try URLFetcher.stream(journal: journal) { results.append($0) }
        return (summary, results)
    }

    @Test("every URL's result comes once, the journal's first; a body missing on disk is fetched again")
    func resumesAndChecksBodies() throws {
        let journal = FetchJournalTests.TemporaryPath()
        let directory = FetchJournalTests.TemporaryPath()
        let urls = (0..<12).map {
            (url: "\(server.url)/bytes/\(5 + $0)/n/\($0)", origin: URLOrigin?.some(.line($0 + 1)))
        }
        let options = FetchOptions(outputDirectory: directory.path)
        do {
            let (summary, results) = try fetchAll(try FetchJournal(path: journal.path, urls: urls, options: options))
            #expect(summary.resumed == 0)
            #expect(summary.urls == 12)
            #expect(Set(results.map(\.index)) == Set(0..<12))
        }
        try FileManager.default.removeItem(atPath: "\(directory.path)/4")
        let before = server.requestsReceived
        let reopened = try FetchJournal(path: journal.path, urls: urls, options: options)
        #expect(reopened.resumed.map(\.index) == (0..<12).filter { $0 != 4 })
        let (summary, results) = try fetchAll(reopened)
        #expect(server.requestsReceived - before == 1)
        #expect(summary.resumed == 11)
        #expect(summary.ok == 12)
        #expect(results.map(\.index) == (0..<12).filter { $0 != 4 } + [4])
        #expect(results.last?.file == "\(directory.path)/4")
        #expect(FileManager.default.contents(atPath: "\(directory.path)/4")?.count == 9)
        #expect(results.map(\.origin) == results.map { URLOrigin.line($0.index + 1) })
    }
}
