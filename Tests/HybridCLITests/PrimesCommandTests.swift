import Foundation
import Testing

@Suite("hybrid primes, run as a program")
struct PrimesCommandTests {
    @Test("--json prints one object with big numbers as strings")
    func json() throws {
        let output = try HybridBinary.run(["primes", "1e6", "--json"])
        #expect(output.status == 0)
        #expect(output.standardError.isEmpty)
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        #expect(object?["from"] as? String == "0")
        #expect(object?["to"] as? String == "1000000")
        #expect(object?["count"] as? Int == 78498)
        #expect(object?["sum"] as? String == "37550402023")
        #expect(object?["engine"] as? String == "c")
        // One chunk this small runs on the calling thread: the report says so, and what was asked.
        #expect(object?["strategy"] as? String == "serial")
        #expect(object?["workers"] as? Int == 1)
        #expect(object?["requested_strategy"] as? String == "processes")
        #expect((object?["requested_workers"] as? Int ?? 0) >= 1)
        #expect(object?["seconds"] is Double)
        #expect(
            output.standardOutput.hasPrefix(#"{"from": "0", "to": "1000000", "count": 78498, "sum": "37550402023""#))
    }

    @Test("a run of many chunks reports the strategy asked, with no requested_ fields")
    func manyChunks() throws {
        let output = try HybridBinary.run([
            "primes", "1e9", "--json", "--method", "sieve", "--strategy", "threads", "--workers", "3",
        ])
        #expect(output.status == 0)
        #expect(output.standardOutput.contains(#""method": "sieve", "strategy": "threads", "workers": 3, "seconds""#))
        #expect(!output.standardOutput.contains("requested_"))
    }

    @Test(
        "the default worker count follows the CPUs this process may use",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset"), "needs taskset"))
    func workersFollowAffinity() throws {
        let output = try HybridBinary.run(
            ["-c", "0", HybridBinary.path, "primes", "1e9", "--json", "--method", "sieve", "--strategy", "threads"],
            executable: "/usr/bin/taskset")
        #expect(output.status == 0)
        #expect(output.standardOutput.contains(#""strategy": "threads", "workers": 1,"#))
    }

    @Test(
        "FROM TO in every written form",
        arguments: [
            (["1_000_000", "2e6"], "70435"), (["2^32", "2^32+1e6"], "45038"), (["10^9", "10^9+100"], "7"),
            (["2^64-100", "2^64-1"], "3"),
        ])
    func fromTo(bounds: [String], count: String) throws {
        let output = try HybridBinary.run(["primes"] + bounds + ["--json"])
        #expect(output.status == 0)
        #expect(output.standardOutput.contains(#""count": \#(count),"#))
    }

    @Test("the sum past 2^64 is exact, across processes", .timeLimit(.minutes(5)))
    func sumPastTwoToThe64() throws {
        // The primes in [10^13, 10^13 + 10^8), six chunks, add up to 33,421,097,078,710,184,747 >
        // 2^64 (libprimesieve's iterator agrees), so the sum's high half is exercised.
        let output = try HybridBinary.run([
            "primes", "1e13", "1e13+1e8", "--json", "--method", "sieve", "--strategy", "processes", "--workers", "2",
        ])
        #expect(output.standardOutput.contains(#""count": 3342093, "sum": "33421097078710184747""#))
        let countOnly = try HybridBinary.run(["primes", "1e9", "--json", "--count-only"])
        #expect(countOnly.standardOutput.contains(#""count": 50847534, "sum": null"#))
    }

    @Test("the human report names the range, count, sum and time")
    func humanReport() throws {
        let output = try HybridBinary.run(["primes", "100"])
        #expect(output.status == 0)
        let lines = output.standardOutput.split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true)
        }
        #expect(lines.contains { $0 == ["count", "25"] })
        #expect(lines.contains { $0 == ["sum", "1,060"] })
        #expect(lines.contains { $0.first == "seconds" })
    }

    @Test(
        "bad input: one line on stderr, exit 2, nothing on stdout",
        arguments: [
            ["primes", "-5"], ["primes", "abc"], ["primes", "1.5"], ["primes", "10", "5"], ["primes", "2^64"],
            ["primes", "18446744073709551616"], ["primes", "--workers", "0", "10"], ["primes"],
            ["primes", "1", "2", "3"],
            ["primes", "10", "--strategy", "bogus"], ["primes", "10", "--engine", "fortran"],
            ["primes", "10", "--bogus"],
            ["primes", "10", "--workers", "x"], ["nonsense"],
        ])
    func badInput(arguments: [String]) throws {
        let output = try HybridBinary.run(arguments)
        #expect(output.status == 2)
        #expect(output.standardOutput.isEmpty)
        #expect(output.standardError.hasPrefix("hybrid: "))
        #expect(output.standardError.split(separator: "\n").count == 1)
        #expect(!output.standardError.contains("Fatal error"))
    }

    // The bar's delay is cut to nothing, so a bar drawn on a pipe would show here: the run
    // below it proves the same run does draw on a terminal.
    @Test("no progress bar when stderr is not a terminal")
    func noProgressOffTerminal() throws {
        let output = try HybridBinary.run(["primes", "2e9", "--method", "sieve", "--progress-delay", "0"])
        #expect(output.status == 0)
        #expect(output.standardError.isEmpty)
    }

    @Test("a progress bar on a terminal, erased at the end")
    func progressOnTerminal() throws {
        // script(1) gives the run a pseudo-terminal for its standard streams.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = [
            "-qec", "'\(HybridBinary.url.path)' primes 2e9 --method sieve --progress-delay 0 --json", "/dev/null",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.contains("numbers/s"), "\(text)")
        #expect(text.contains("\r\u{1B}[K"))
        #expect(text.contains(#""count": 98222287"#))
    }
}

@Suite("hybrid primes --method, run as a program")
struct MethodCommandTests {
    @Test(
        "auto answers wide ranges combinatorially and narrow ones high up by sieving",
        arguments: [
            (["1e10"], "combinatorial", "455052511", "2220822432581729238"),
            (["1e15", "1e15+1e7"], "sieve", "289394", "289394001447073963570"),
            (["2^32"], "combinatorial", "203280221", "425649736193687430"),
        ])
    func auto(bounds: [String], method: String, count: String, sum: String) throws {
        let output = try HybridBinary.run(["primes"] + bounds + ["--json"])
        #expect(output.status == 0)
        #expect(output.standardOutput.contains(#""count": \#(count), "sum": "\#(sum)""#))
        #expect(output.standardOutput.contains(#""method": "\#(method)""#))
    }

    @Test("the combinatorial method's parts run on the workers asked for, and the report says so")
    func combinatorialSpread() throws {
        let output = try HybridBinary.run([
            "primes", "1e12", "--method", "combinatorial", "--strategy", "threads", "--workers", "3", "--json",
        ])
        #expect(output.status == 0)
        #expect(
            output.standardOutput.contains(
                #""count": 37607912018, "sum": "18435588552550705911377", "engine": "c", "method": "combinatorial", "strategy": "threads", "workers": 3"#
            ), "\(output.standardOutput)")
    }

    @Test("a small combinatorial job runs on the calling thread and says so")
    func combinatorial() throws {
        let output = try HybridBinary.run([
            "primes", "1e6", "1e9", "--method", "combinatorial", "--double-check", "--json",
        ])
        #expect(output.status == 0)
        #expect(
            output.standardOutput.contains(
                #""count": 50769036, "sum": "24739474541852512", "engine": "c", "method": "combinatorial", "strategy": "serial", "workers": 1"#
            ))
    }

    /// π(10^13) = 346,065,536,839 (OEIS A006880), and a range as the difference of two counts.
    @Test(
        "--count-only --method combinatorial counts alone, on one thread or on processes",
        arguments: [
            (["1e13"], ["--strategy", "processes", "--workers", "2"], "346065536839"),
            (["1e6", "1e10"], [], "454974013"),
        ])
    func countOnly(bounds: [String], spread: [String], count: String) throws {
        let output = try HybridBinary.run(
            ["primes"] + bounds + ["--count-only", "--method", "combinatorial", "--json"] + spread)
        #expect(output.status == 0)
        #expect(output.standardOutput.contains(#""count": \#(count), "sum": null"#), "\(output.standardOutput)")
        #expect(output.standardOutput.contains(#""method": "combinatorial""#))
    }

    @Test("--method combinatorial keeps no journal: bad usage")
    func noJournal() throws {
        let output = try HybridBinary.run(["primes", "1e9", "--method", "combinatorial", "--journal", "/dev/null/x"])
        #expect(output.status == 2)
        #expect(output.standardError.hasPrefix("hybrid: the combinatorial method keeps no journal"))
    }
}

@Suite("hybrid primes --print, run as a program")
struct PrintCommandTests {
    @Test("the primes, one a line, and nothing else")
    func print() throws {
        let small = try HybridBinary.run(["primes", "30", "--print"])
        #expect(small.status == 0)
        #expect(small.standardOutput == "2\n3\n5\n7\n11\n13\n17\n19\n23\n29\n")
        #expect(small.standardError.isEmpty)
        let top = try HybridBinary.run(["primes", "2^64-100", "2^64-1", "--print"])
        #expect(top.standardOutput == "18446744073709551521\n18446744073709551533\n18446744073709551557\n")
        let empty = try HybridBinary.run(["primes", "24", "29", "--print"])
        #expect(empty.status == 0 && empty.standardOutput.isEmpty)
    }

    @Test("a million's primes: the count and sum of the lines are the sieve's")
    func million() throws {
        let output = try HybridBinary.run(["primes", "1e6", "2e6", "--print", "--engine", "swift"])
        let lines = output.standardOutput.split(separator: "\n")
        #expect(lines.count == 70435)
        #expect(lines.reduce(UInt64(0)) { $0 + UInt64($1)! } == 105_363_426_899)
        #expect(lines.first == "1000003" && lines.last == "1999993")
    }

    @Test(
        "--print takes no option it cannot honour",
        arguments: [["--json"], ["--count-only"], ["--journal", "/dev/null/x"]])
    func refused(options: [String]) throws {
        let output = try HybridBinary.run(["primes", "100", "--print"] + options)
        #expect(output.status == 2)
        #expect(output.standardOutput.isEmpty)
        #expect(output.standardError.split(separator: "\n").count == 1)
    }
}

@Suite("hybrid nth-prime, run as a program")
struct NthPrimeCommandTests {
    @Test("the N-th prime, in any written form, and JSON")
    func nthPrime() throws {
        let output = try HybridBinary.run(["nth-prime", "1e9"])
        #expect(output.status == 0 && output.standardOutput == "22801763489\n")
        let json = try HybridBinary.run(["nth-prime", "10^6", "--json"])
        #expect(json.standardOutput.hasPrefix(#"{"n": "1000000", "prime": "15485863", "seconds": "#))
    }

    @Test(
        "bad input: one line, exit 2",
        arguments: [["nth-prime", "0"], ["nth-prime", "-3"], ["nth-prime", "2^64"], ["nth-prime"]])
    func bad(arguments: [String]) throws {
        let output = try HybridBinary.run(arguments)
        #expect(output.status == 2 && output.standardOutput.isEmpty)
        #expect(output.standardError.split(separator: "\n").count == 1)
    }
}
