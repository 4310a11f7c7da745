import Foundation
import HybridKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Faults a new user met; each test failed before its fix.
@Suite("Fetch faults", .serialized)
struct FaultTests {
    let base = testServer.url

    @Test("threads under ulimit -n 64 fetch every URL: the budget counts 3 descriptors a transfer")
    func threadsUnderLowDescriptorLimit() throws {
        let list = (0..<300).map { "\(base)/bytes/\($0 % 10)" }.joined(separator: "\n")
        let outcome = try run(
            [
                "-c",
                "ulimit -n 64 && exec \"$0\" fetch --json --strategy threads --concurrency 100 --input -",
                hybridPath,
            ],
            input: list, executable: "/bin/sh")
        #expect(outcome.json["ok"] as? Int == 300, "\(outcome.standardError)")
        #expect(outcome.status == 0)
    }

    @Test(
        "numeric options at their extremes give a clear error or a clamp, never a crash",
        arguments: [
            ["--timeout", "1e17"], ["--timeout", "1e20"], ["--timeout", "1e300"],
            ["--timeout", "inf"], ["--timeout", "nan"], ["--timeout", "1e-300"],
            ["--connect-timeout", "1e300"], ["--stall-timeout", "1e20"],
            ["--concurrency", "9223372036854775807"], ["--concurrency", "99999999999999999999"],
            ["--threads", "9223372036854775807"], ["--retries", "9223372036854775807"],
            ["--max-redirs", "9223372036854775807"], ["--max-filesize", "9223372036854775807"],
            ["--per-host", "9223372036854775807"], ["--concurrency", "-1"],
        ])
    func numericExtremes(arguments: [String]) throws {
        let outcome = try run(["fetch", "--json"] + arguments + ["\(base)/bytes/1"])
        #expect([0, 2].contains(outcome.status), "\(outcome.standardError)")
        #expect(!outcome.standardError.contains("Fatal error"))
        #expect(outcome.standardError.filter { $0 == "\n" }.count <= 1, "\(outcome.standardError)")
        if outcome.status == 0 { #expect(outcome.json["ok"] as? Int == 1) }
    }

    @Test("retries wait the documented 0.1, 0.2 and 0.4 s", arguments: FetchStrategy.allCases)
    func backoff(strategy: FetchStrategy) throws {
        let outcome = try run([
            "fetch", "--json", "--strategy", strategy.rawValue, "--concurrency", "2", "--retries", "3",
            "\(base)/status/503",
        ])
        #expect(outcome.status == 1)
        #expect(outcome.json["failed"] as? Int == 1)
        // 0.7 s of waiting; before the fix, multi and threads-multi slept about 1 s per retry
        // (about 3 s). The fetch's own time, so that a slow process start does not count.
        let seconds = outcome.json["seconds"] as? Double ?? 0
        #expect(seconds >= 0.65 && seconds < 2.2, "\(seconds) s")
    }

    @Test("a silent server fails by the stall timeout instead of hanging; defaults are set")
    func silentServer() throws {
        let defaults = FetchOptions()
        #expect(defaults.connectTimeout == .seconds(30) && defaults.stallTimeout == .seconds(60))
        let silent = try SilentServer()
        defer { silent.close() }
        let start = ContinuousClock.now
        let outcome = try run([
            "fetch", "--json", "--stall-timeout", "1", "http://127.0.0.1:\(silent.port)/",
        ])
        #expect(ContinuousClock.now - start < .seconds(8))
        #expect(outcome.status == 1)
        let results = outcome.json["results"] as? [[String: Any]] ?? []
        #expect((results.first?["error"] as? String)?.contains("Operation too slow") == true)
    }

    @Test("fetch --input streams: a result is written while standard input is still open")
    func inputStreams() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: hybridPath)
        process.arguments = ["fetch", "--jsonl", "--input", "-"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        input.fileHandleForWriting.write(Data("\(base)/bytes/4\n".utf8))
        nonisolated(unsafe) var line = Data()
        let reading = DispatchSemaphore(value: 0)
        let reader = output.fileHandleForReading
        Thread {
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            reading.signal()
        }.start()
        let answered = reading.wait(timeout: .now() + 10) == .success
        #expect(answered, "no result before the end of input")
        if answered {
            let text = String(decoding: line, as: UTF8.self)
            #expect(text.hasPrefix(#"{"index": 0, "url": ""#) && text.contains(#""bytes": 4,"#))
        }
    }

    @Test("a line without a scheme and a URL with a NUL inside are refused, not fetched")
    func refusedURLs() throws {
        let list = "127.0.0.1:\(testServer.port)/bytes/1\n\(base)/bytes/7\u{0}/status/500\n\(base)/bytes/2\n"
        let outcome = try run(["fetch", "--json", "--input", "-"], input: list)
        #expect(outcome.status == 1)
        let results = outcome.json["results"] as? [[String: Any]] ?? []
        #expect(results.map { $0["status"] is NSNull } == [true, true, false])
        #expect((results.first?["error"] as? String)?.contains("no scheme") == true)
        #expect((results.dropFirst().first?["error"] as? String)?.contains("NUL") == true)
    }

    @Test("hybrid serve bounds its memory against a client that pipelines and never reads")
    func serveBackPressure() throws {
        let (server, url) = try startServe(["--latency", "0"])
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let port = Int(url.split(separator: ":").last ?? "") ?? 0
        let client = try connectLoopback(port: port)
        let requests = Array(
            String(repeating: "GET /bytes/65536 HTTP/1.1\r\nHost: x\r\n\r\n", count: 64).utf8)
        let deadline = ContinuousClock.now + .seconds(2)
        var sent = 0
        while ContinuousClock.now < deadline {
            let written = requests.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
            if written > 0 { sent += written } else { usleep(5000) }
        }
        let peak = processMemoryKilobytes(server.processIdentifier, "VmHWM")
        close(client)
        usleep(500_000)
        let after = processMemoryKilobytes(server.processIdentifier, "VmRSS")
        // Before the fix the server answered every request into an unbounded outbound
        // buffer: hundreds of megabytes within these 2 s.
        #expect(peak > 0 && peak < 150_000, "peak \(peak) kB after \(sent) bytes of requests")
        #expect(after < 150_000, "\(after) kB after the client left")
    }

    @Test(
        "Ctrl-C ends the transfers in flight, writes what finished, leaves no partial file, exits 130",
        arguments: [FetchStrategy.multi, .threads])
    func interrupt(strategy: FetchStrategy) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hybrid-interrupt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: hybridPath)
        process.arguments =
            [
                "fetch", "--jsonl", "--strategy", strategy.rawValue, "--concurrency", "10",
                "--output-dir", directory.path,
                "\(base)/bytes/3",
            ] + (0..<200).map { "\(base)/delay/5000/n/\($0)" }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the condition, not a fixed time, however loaded the machine: the quick URL's
        // line written, and the ten slow transfers' sockets open.
        var data = Data()
        let deadline = ContinuousClock.now + .seconds(60)
        while !data.contains(UInt8(ascii: "\n")), ContinuousClock.now < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data += chunk
        }
        while openSockets(of: process.processIdentifier) < 10, ContinuousClock.now < deadline { usleep(20_000) }
        let start = ContinuousClock.now
        kill(process.processIdentifier, SIGINT)
        data += output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(process.terminationStatus == 130)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 12, "one finished, ten cut short, the summary")
        #expect(lines.last?.contains(#""interrupted": "SIGINT""#) == true)
        #expect(lines.filter { $0.contains("interrupted: the fetch was stopped") }.count == 10)
        // The finished URL's connection alone: the ten cut short count none.
        #expect(lines.last?.contains(#""connections": 1,"#) == true, "\(lines.last ?? "")")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        #expect(files == ["0"], "only the finished body, no partial one")
    }

    @Test("Ctrl-C while a long URL list is still being read exits 130 with what finished")
    func interruptWhileReading() throws {
        let list = FileManager.default.temporaryDirectory
            .appendingPathComponent("hybrid-list-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: list) }
        let line = "\(base)/delay/5000\n"
        try Data(String(repeating: line, count: 200_000).utf8).write(to: list)
        for _ in 0..<3 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: hybridPath)
            process.arguments = ["fetch", "--jsonl", "--concurrency", "5", "--input", list.path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait until the five transfers are in flight (their five sockets and libcurl's wake-up
            // pair open), however loaded the machine: a fixed pause let the signal land before
            // they had started.
            let deadline = ContinuousClock.now + .seconds(30)
            while openSockets(of: process.processIdentifier) < 7, ContinuousClock.now < deadline {
                usleep(20_000)
            }
            // The reader thread is alive (the list outgrows its queue): the signal must still
            // reach the thread that stops the fetch, not end the process on the reader.
            kill(process.processIdentifier, SIGINT)
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus == 130)
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
            #expect(lines.count == 6 && lines.last?.contains(#""interrupted": "SIGINT""#) == true)
        }
    }
}

/// The sockets a process has open, from its descriptor table.
private func openSockets(of pid: Int32) -> Int {
    let directory = "/proc/\(pid)/fd"
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return entries.filter { entry in
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(entry)"))?.hasPrefix("socket:")
            ?? false
    }.count
}
