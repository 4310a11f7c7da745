import Foundation
import HybridKit
import HybridServer
import Testing

/// One error model for every command: bad input exits 2, a failed run 1, each with one safe line.
@Suite("Errors: exit codes and one line")
struct ErrorLineTests {
    @Test(
        "a result that cannot be written is a failed run: exit 1, one line",
        arguments: [
            ["primes", "1e6"], ["bigprimes", "--bits", "64", "--count", "3"], ["isprime", "7"],
            ["primes", "1e6", "--json", "--strategy", "threads"],
        ])
    func fullDisk(arguments: [String]) throws {
        let output = try HybridBinary.run(arguments, standardOutput: "/dev/full")
        #expect(output.status == 1)
        #expect(output.standardError == "hybrid: cannot write standard output: No space left on device\n")
    }

    @Test(
        "negative numbers are named as bad numbers, not as missing values",
        arguments: [
            (["primes", "1e6", "--workers", "-1"], "--workers must be at least 1, got -1"),
            (["bigprimes", "--bits", "64", "--count", "2", "--workers", "-3"], "--workers must be at least 1, got -3"),
            (["bigprimes", "--bits", "-64", "--count", "2"], "--bits must lie in 2...65536, got -64"),
            (["bench", "primes", "--workers", "-1"], "--workers: -1 is not in 1...4096"),
            (["bench", "fetch", "--latency", "-1"], "--latency must lie in 0...600000 milliseconds, got -1"),
            (
                ["bench", "primes", "--repeat", "9223372036854775807"],
                "--repeat must lie in 1...1000, got 9223372036854775807"
            ),
            (
                ["bench", "fetch", "--urls", "9223372036854775807"],
                "--urls must lie in 1...1000000, got 9223372036854775807"
            ),
            (["primes", "10", "--strategy", "multi"], "the value 'multi' is invalid for '--strategy <strategy>'"),
            (["serve", "--latency", "-5"], "--latency -5 is negative; it must be 0 or more"),
            (["fetch", "--timeout", "-1", "http://127.0.0.1:9/"], "--timeout -1 is negative; it must be 0 or more"),
        ])
    func badNumbers(arguments: [String], message: String) throws {
        let output = try HybridBinary.run(arguments)
        #expect(output.status == 2)
        #expect(output.standardOutput.isEmpty)
        #expect(output.standardError.hasPrefix("hybrid: \(message)"), "\(output.standardError)")
        #expect(output.standardError.split(separator: "\n").count == 1)
    }

    @Test(
        "mistyped commands and options get a suggestion; a directory is no journal",
        arguments: [
            (["prime", "100"], "unknown command 'prime' (did you mean 'primes'?); the commands are demo, primes, "),
            (["primes", "--workrs", "2", "100"], "unknown option '--workrs' (did you mean '--workers'?)"),
            (["primes", "100", "--jsn"], "unknown option '--jsn' (did you mean '--json'?)"),
            (["bench", "primes", "--repaet", "2"], "unknown option '--repaet' (did you mean '--repeat'?)"),
            (
                ["bigprimes", "--bits", "8", "--count", "2", "--seeed", "3"],
                "unknown option '--seeed' (did you mean '--seed'?)"
            ),
            (["primes", "100", "--journal", "/"], "--journal / is a directory; name a file in it"),
            (["primes", "1e-3"], "'1e-3' is not a whole number"),
        ])
    func suggestions(arguments: [String], message: String) throws {
        try badNumbers(arguments: arguments, message: message)
    }

    @Test(
        "-- ends options: what follows is operands",
        arguments: [
            (["isprime", "--", "97"], 0, "97 prime\n", ""),
            (["isprime", "--", "-5"], 2, "", "hybrid: '-5' is negative; numbers must be 0 or more\n"),
            (["isprime", "--json", "7"], 2, "", "hybrid: unknown option '--json'\n"),
            (["primes", "--count-only", "--", "100"], 0, "", ""),
            (["nth-prime", "--", "10"], 0, "29\n", ""),
        ])
    func terminator(arguments: [String], status: Int32, standardOutput: String, standardError: String) throws {
        let output = try HybridBinary.run(arguments)
        #expect(output.status == status, "\(output.standardError)")
        if !standardOutput.isEmpty { #expect(output.standardOutput == standardOutput) }
        if arguments.first == "primes" { #expect(output.standardOutput.contains("25")) }
        #expect(output.standardError == standardError)
    }

    @Test("a busy port is said plainly: one line, exit 2")
    func busyPort() throws {
        let first = try EmbeddedServer.start(port: 0, latency: .zero, size: 0, threads: 1)
        defer { first.shutdown() }
        let output = try HybridBinary.run(["serve", "--port", String(first.port)])
        #expect(output.status == 2)
        #expect(output.standardError == "hybrid: cannot listen on 127.0.0.1:\(first.port): Address already in use\n")
    }

    @Test("control bytes in an error line are escaped")
    func controlBytes() throws {
        let output = try HybridBinary.run(["primes", "1\u{1B}[2J\r\n2"])
        #expect(output.status == 2)
        #expect(
            output.standardError
                == "hybrid: '1\\u{1b}[2J\\r\\n2' is not a number (write e.g. 1000000, 1_000_000, 1e9, 2^32 or 2^64-1)\n"
        )
    }

    @Test("a huge input is shortened in its error line")
    func hugeInput() throws {
        let output = try HybridBinary.run(["primes", String(repeating: "7", count: 100_000) + "x"])
        #expect(output.status == 2)
        #expect(output.standardError.utf8.count < 400)
        #expect(output.standardError.hasSuffix("more characters)\n"))
        #expect(output.standardError.split(separator: "\n").count == 1)
    }
}

@Suite("hybrid --version")
struct VersionTests {
    @Test("--version and version print the one version, exit 0", arguments: [["--version"], ["version"]])
    func version(arguments: [String]) throws {
        let output = try HybridBinary.run(arguments)
        #expect(output.status == 0)
        #expect(output.standardOutput == HybridVersion.current + "\n")
        #expect(output.standardError.isEmpty)
    }

    @Test("every C library carries the package's version")
    func cLibraries() {
        for library in HybridVersion.cLibraries {
            #expect(library.version == HybridVersion.current, "\(library.name)")
        }
    }
}
