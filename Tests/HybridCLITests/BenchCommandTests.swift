import Foundation
import Synchronization
import Testing

@Suite("hybrid bench and hybrid demo, run as a program")
struct BenchCommandTests {
    @Test(
        "bad options: one line on stderr, exit 2, nothing on stdout",
        arguments: [
            ["bench", "bigprimes", "--bits", "1"], ["bench", "bigprimes", "--count", "0"],
            ["bench", "nope"], ["bench"],
            ["bench", "primes", "--workers", ""],
            ["bench", "primes", "--workers", "1,,2"], ["bench", "primes", "--workers", "0"],
            ["bench", "primes", "--repeat", "0"], ["bench", "primes", "--to", "abc"],
            ["bench", "fetch", "--urls", "0"],
            ["bench", "primes", "--csv", "/nonexistent-directory/runs.csv"],
            ["demo", "--urls", "0"], ["demo", "--python-primes-to", "3e6"], ["demo", "--workers", "0"],
            ["demo", "--workers", "-1"], ["demo", "--svg", "/nonexistent-directory/lesson.svg"],
            ["bench", "pool", "--svg", "pool.svg"], ["bench", "primes", "--quick"],
            ["bench", "primes", "--busy-reruns", "11"], ["demo", "--busy-reruns", "-1"],
        ])
    func badOptions(arguments: [String]) throws {
        let output = try HybridBinary.run(arguments)
        #expect(output.status == 2)
        #expect(output.standardOutput.isEmpty)
        #expect(output.standardError.hasPrefix("hybrid: "))
        #expect(output.standardError.split(separator: "\n").count == 1)
    }

    @Test("bench bigprimes: every strategy and worker count prints the same primes", .timeLimit(.minutes(5)))
    func bigprimes() throws {
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hybrid-bench-bigprimes-\(getpid()).csv"
        ).path
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let output = try HybridBinary.run([
            "bench", "bigprimes", "--bits", "256", "--count", "12", "--workers", "1,3", "--repeat", "1",
            "--busy-reruns", "0",
            "--csv", csv,
        ])
        #expect(output.status == 0)
        #expect(output.standardOutput.contains("bigprimes: answers agree"))
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst()
        // serial, then threads and processes at 1 and 3 workers; every row 12 primes, one digest.
        // A busy run is run again, so a case may have more rows than one.
        let cases = Set(rows.map { $0.split(separator: ",", omittingEmptySubsequences: false)[0...3].joined() })
        #expect(cases.count == 5)
        #expect(rows.count >= 5)
        let answers = Set(
            rows.map { $0.split(separator: ",", omittingEmptySubsequences: false)[7...8].joined(separator: ",") })
        #expect(answers.count == 1)
        #expect(answers.first?.hasPrefix("12,") == true)
    }

    @Test(
        "bench primes: a table, and a CSV row per run with the same answer", .timeLimit(.minutes(5))
    )
    func benchPrimes() throws {
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hybrid-bench-\(getpid()).csv"
        ).path
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let output = try HybridBinary.run([
            "bench", "primes", "--to", "1e7", "--workers", "1,2", "--repeat", "1", "--busy-reruns", "0", "--csv", csv,
        ])
        #expect(output.status == 0)
        #expect(output.standardOutput.contains("primes: answers agree"))
        #expect(output.standardOutput.contains("orchestration, c engine: serial over"))
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map(
            String.init)
        #expect(
            lines.first
                == "workload,strategy,engine,workers,run,wall_seconds,cpu_seconds,count,sum,failed,cpu_share,"
                + "load_average,cpu_pressure,busy")
        let rows = lines.dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        // serial and hot loop per engine, threads and processes per engine per worker count,
        // and primesieve per worker count when it is installed.
        // A busy run is run again, so a case may have more rows than one.
        let hybridRows = rows.filter { $0[1] != "peer" }
        let cases: Set<String> = Set(hybridRows.map { (row: [String]) in row[0...3].joined(separator: " ") })
        #expect(cases.count == 12)
        #expect(hybridRows.count >= 12)
        for row in rows {
            #expect(row.count == 14 && row[7] == "664579")
            #expect(row[1] == "peer" || row[8] == "3203324994356")
            #expect(["true", "false"].contains(row.last ?? ""))
        }
    }

    @Test("bench fetch --json: every URL ok in every run", .timeLimit(.minutes(5)))
    func benchFetch() throws {
        let output = try HybridBinary.run([
            "bench", "fetch", "--urls", "8", "--latency", "5", "--workers", "2",
            "--repeat", "1", "--json", "--no-peers",
        ])
        #expect(output.status == 0)
        let object =
            try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))
            as? [String: Any]
        #expect(object?["answers_agree"] as? Bool == true)
        let runs = object?["runs"] as? [[String: Any]] ?? []
        #expect(
            runs.map { $0["strategy"] as? String } == [
                "serial", "threads", "multi", "threads-multi",
            ])
        #expect(runs.allSatisfy { $0["count"] as? String == "8" && $0["failed"] as? Int == 0 })
    }

    @Test(
        "hybrid with no subcommand runs the demo: two tables and a measured verdict",
        .timeLimit(.minutes(5)))
    func demo() throws {
        let output = try HybridBinary.run([
            "--primes-to", "1e7", "--urls", "10", "--latency", "10", "--python-primes-to", "1e5", "--busy-reruns", "0",
        ])
        #expect(output.status == 0)
        #expect(output.standardError.isEmpty)
        let text = output.standardOutput
        #expect(text.contains("I/O-bound: fetch, 10 URLs of 10 ms each"))
        #expect(text.contains("CPU-bound: primes, sum of the primes below 10,000,000"))
        let rows = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        for strategy in ["serial", "threads", "multi", "threads-multi"] {
            #expect(rows.contains { $0.first == strategy && $0.dropFirst().first == "libcurl" })
        }
        for strategy in ["serial", "threads", "processes"] {
            for engine in ["c", "swift"] {
                #expect(rows.contains { $0.first == strategy && $0.dropFirst().first == engine })
            }
        }
        #expect(text.contains("- I/O-bound: threads "))
        // The CPU-bound line draws a lesson, or says the machine was too busy to draw one.
        #expect(text.contains("- CPU-bound, ") || text.contains("- CPU-bound: no lesson drawn: the machine was busy"))
        #expect(text.contains("- Every answer agrees."))
        #expect(text.contains("664,579 primes summing to 3,203,324,994,356"))
        #expect(text.contains("every URL ok (10 of 10"))
        // The article's Python: its rows and its agreeing answer when python3 is here, else a line
        // that says it was skipped.
        if Self.hasPython {
            for strategy in ["serial", "threads"] {
                #expect(rows.contains { $0.first == strategy && $0.dropFirst().first == "python" })
            }
            #expect(text.contains("CPU-bound, the article's size: article-primes, sum of the primes below 100,000"))
            #expect(rows.contains { $0.first == "processes" && $0.dropFirst().first == "python" })
            #expect(text.contains("article-primes: answers agree: all "))
            #expect(text.contains("found 9,592 primes summing to 454,396,537"))
            #expect(text.contains("- The article's Python fetch: "))
            #expect(text.contains("- The article's Python below 100,000: "))
        } else {
            #expect(text.contains("- python3 is not on the PATH: the article's Python programs were skipped."))
        }
    }

    @Test("bench pool --quick: four cases, each with its reference and goal, answers agreed", .timeLimit(.minutes(5)))
    func benchPool() throws {
        let output = try HybridBinary.run(["bench", "pool", "--quick", "--repeat", "1", "--json"])
        #expect(output.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        #expect(object?["answers_agree"] as? Bool == true)
        #expect(object?["repeat"] as? Int == 1)
        let cases = object?["cases"] as? [[String: Any]] ?? []
        #expect(cases.map { $0["case"] as? String ?? "" } == ["trivial", "cpu", "strings", "serial"])
        #expect(cases.map { $0["goal"] as? String } == [">= 5x faster", "<= 1.05x", nil, "<= 2x"])
        #expect(cases.allSatisfy { $0["answers_agree"] as? Bool == true && $0["seconds"] is Double })
        // Python's pool is the reference of the process cases exactly when python3 is here.
        let python = cases.filter { ($0["reference"] as? String)?.hasPrefix("python") == true }.map {
            $0["case"] as? String ?? ""
        }
        #expect(python == (Self.hasPython ? ["trivial", "strings"] : []))
        #expect(cases[1]["reference"] as? String == "ideal 20 x 1 ms / 2")
        #expect(cases[1]["reference_seconds"] as? Double == 0.01)
        #expect(cases[3]["reference"] as? String == "plain Swift map")
        // A ratio wherever there is a reference; met or not wherever there is a goal too.
        let referenced = cases.filter { $0["reference_seconds"] is Double }
        #expect(referenced.allSatisfy { $0["ratio"] is Double })
        #expect(referenced.allSatisfy { $0["goal"] is NSNull ? $0["met"] is NSNull : $0["met"] is Bool })
    }

    @Test("bench pool --no-peers: the table leaves Python out, and the CSV has a row per case", .timeLimit(.minutes(5)))
    func benchPoolTable() throws {
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent("hybrid-bench-pool-\(getpid()).csv")
            .path
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let output = try HybridBinary.run(["bench", "pool", "--quick", "--repeat", "2", "--no-peers", "--csv", csv])
        #expect(output.status == 0)
        #expect(output.standardError.isEmpty)
        let lines = output.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasPrefix("pool: ") == true && lines.first?.contains("fastest of 2 rounds each") == true)
        #expect(
            lines.dropFirst().first?.split(separator: " ", omittingEmptySubsequences: true) == [
                "case", "hybrid", "reference", "seconds", "ratio", "goal", "met",
            ])
        #expect(
            lines.contains {
                $0.hasPrefix("2,000 trivial items, 2 processes") && $0.contains(" -  ") && $0.contains(">= 5x faster")
            })
        #expect(lines.contains { $0.hasPrefix("20,000 trivial items, serial") && $0.contains("plain Swift map") })
        #expect(lines.last == "pool: answers agree")
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(
            rows.first == "case,description,hybrid_seconds,reference,reference_seconds,ratio,goal,met,answers_agree")
        #expect(
            rows.dropFirst().map { $0.split(separator: ",").first ?? "" } == ["trivial", "cpu", "strings", "serial"])
        #expect(rows.dropFirst().allSatisfy { $0.hasSuffix(",true") })
    }

    /// Whether python3 is on the tests' `PATH`.
    static let hasPython = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
        FileManager.default.isExecutableFile(atPath: "\($0)/python3")
    }

    @Test(
        "the lesson as JSON has the Python runs, each with its answer agreed",
        .enabled(if: hasPython, "python3 is not on the PATH"), .timeLimit(.minutes(5)))
    func demoJSONWithPython() throws {
        let output = try HybridBinary.run([
            "demo", "--json", "--primes-to", "1e6", "--urls", "5", "--latency", "1", "--python-primes-to", "1e4",
            "--busy-reruns", "0",
            "--no-progress",
        ])
        #expect(output.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        #expect(object?["answers_agree"] as? Bool == true)
        #expect(object?["python_skipped"] is NSNull)
        let python = (object?["runs"] as? [[String: Any]] ?? []).filter { $0["engine"] as? String == "python" }
        let cases = Set(python.map { "\($0["workload"] as? String ?? "") \($0["strategy"] as? String ?? "")" })
        #expect(
            cases == [
                "fetch serial", "fetch threads", "article-primes serial", "article-primes threads",
                "article-primes processes",
            ])
        #expect(python.allSatisfy { $0["cpu_share"] is Double && $0["busy"] is Bool })
    }

    @Test("the lesson's --workers sets the CPU-bound workers and --svg draws its runs", .timeLimit(.minutes(5)))
    func demoWorkersAndChart() throws {
        let svg = FileManager.default.temporaryDirectory.appendingPathComponent("hybrid-lesson-\(getpid()).svg").path
        defer { try? FileManager.default.removeItem(atPath: svg) }
        let output = try HybridBinary.run([
            "demo", "--json", "--workers", "3", "--svg", svg, "--primes-to", "1e6", "--urls", "5", "--latency", "1",
            "--python-primes-to", "1e4", "--no-progress",
        ])
        #expect(output.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        let runs = object?["runs"] as? [[String: Any]] ?? []
        let concurrent = runs.filter {
            ($0["workload"] as? String)?.hasSuffix("primes") == true && $0["strategy"] as? String != "serial"
        }
        #expect(!concurrent.isEmpty)
        #expect(concurrent.allSatisfy { $0["workers"] as? Int == 3 })
        let chart = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(chart.hasPrefix("<?xml") && chart.hasSuffix("</svg>\n"))
        for title in ["Wall time", "Speedup over serial", "CPU time", "CPU per transfer"] {
            #expect(chart.contains(">\(title)</text>"))
        }
        #expect(chart.contains("data-series=\"threads, c\" data-workers=\"3\""))
    }

    @Test("a lesson chart that cannot be written: one line on stderr, exit 1", .timeLimit(.minutes(5)))
    func demoChartWriteFails() throws {
        let output = try HybridBinary.run([
            "demo", "--svg", "/dev/full", "--primes-to", "1e5", "--urls", "2", "--latency", "1",
            "--python-primes-to", "1e3", "--no-progress",
        ])
        #expect(output.status == 1)
        #expect(output.standardError.hasPrefix("hybrid: "))
        #expect(output.standardError.split(separator: "\n").count == 1)
    }

    @Test(
        "bench primes and fetch: the article's Python rows in the JSON and the CSV, answers agreed",
        .enabled(if: hasPython, "python3 is not on the PATH"), .timeLimit(.minutes(5)))
    func benchPython() throws {
        let primes = try HybridBinary.run([
            "bench", "primes", "--to", "1e4", "--workers", "2", "--repeat", "1", "--json", "--no-progress",
            "--busy-reruns", "0",
        ])
        #expect(primes.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(primes.standardOutput.utf8)) as? [String: Any]
        #expect(object?["answers_agree"] as? Bool == true)
        let python = (object?["runs"] as? [[String: Any]] ?? []).filter { $0["engine"] as? String == "python" }
        #expect(Set(python.map { $0["strategy"] as? String ?? "" }) == ["serial", "threads", "processes"])
        #expect(python.allSatisfy { $0["count"] as? String == "1229" && $0["sum"] as? String == "5736396" })
        let csv = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hybrid-bench-python-\(getpid()).csv"
        ).path
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let fetch = try HybridBinary.run([
            "bench", "fetch", "--urls", "6", "--latency", "1", "--workers", "3", "--repeat", "1", "--csv", csv,
            "--no-progress",
        ])
        #expect(fetch.status == 0)
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        let pythonRows = rows.filter { $0[2] == "python" }
        #expect(Set(pythonRows.map { "\($0[1]) \($0[3])" }) == ["serial 1", "threads 3"])
        #expect(pythonRows.allSatisfy { $0[7] == "6" && $0[8] == "6144" && $0[9] == "0" })
    }

    @Test("without python3 on the PATH the lesson says it skipped the article's Python", .timeLimit(.minutes(5)))
    func demoWithoutPython() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("hybrid-no-python-\(getpid())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let output = try HybridBinary.run(
            ["demo", "--primes-to", "1e6", "--urls", "5", "--latency", "1", "--no-progress", "--busy-reruns", "0"],
            environment: ["PATH": empty.path])
        #expect(output.status == 0)
        let text = output.standardOutput
        #expect(text.contains("- python3 is not on the PATH: the article's Python programs were skipped."))
        #expect(!text.contains("python "))
        #expect(!text.contains("article-primes"))
        #expect(text.contains("- Every answer agrees."))
    }

    @Test("on a machine made busy on purpose the lesson says so and draws no lesson", .timeLimit(.minutes(5)))
    func busyMachine() throws {
        // Spinning threads of the test's own, two for each core, for as long as hybrid runs: its
        // CPU-bound workers get well under their cores.
        let stop = Atomic(false)
        let spinners = (0..<(2 * ProcessInfo.processInfo.activeProcessorCount)).map { _ in
            Thread {
                var x: UInt64 = 1
                while !stop.load(ordering: .relaxed) { x = x &* 6_364_136_223_846_793_005 &+ 1 }
                if x == 0 { print("") }
            }
        }
        spinners.forEach { $0.start() }
        defer { stop.store(true, ordering: .relaxed) }
        let output = try HybridBinary.run([
            "demo", "--json", "--primes-to", "1e8", "--urls", "10", "--latency", "1", "--python-primes-to", "1e4",
            "--no-progress",
        ])
        stop.store(true, ordering: .relaxed)
        #expect(output.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        #expect(object?["busy"] as? Bool == true)
        let verdict = object?["verdict"] as? [String] ?? []
        #expect(verdict.contains { $0.hasPrefix("CPU-bound: no lesson drawn: the machine was busy") }, "\(verdict)")
        #expect(!verdict.contains { $0.contains("Swift has no global interpreter lock") })
        let runs = object?["runs"] as? [[String: Any]] ?? []
        let primes = runs.filter { $0["workload"] as? String == "primes" }
        #expect(primes.contains { $0["busy"] as? Bool == true })
        #expect(primes.allSatisfy { ($0["cpu_share"] as? Double ?? 2) < 1.2 })
        // A busy case runs again, so there are more runs than the six cases.
        #expect(primes.count > 6)
        #expect(runs.filter { $0["workload"] as? String == "fetch" }.allSatisfy { $0["busy"] as? Bool == false })
    }
}
