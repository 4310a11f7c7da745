import ArgumentParser
import HybridKit
import Testing

@testable import hybrid

/// `hybrid primes` has two readers of its command line: the fast one for plain lines and
/// ArgumentParser for everything. They must never disagree.
@Suite("hybrid primes: the fast reader and ArgumentParser agree")
struct PrimesRequestTests {
    /// What ArgumentParser makes of `arguments` (after `primes`), or nil when it refuses them.
    static func parsed(_ arguments: [String]) -> PrimesRequest? {
        (try? Primes.parse(arguments))?.request
    }

    @Test(
        "plain lines are read fast, and read as ArgumentParser reads them",
        arguments: [
            ["1000"], ["1e6", "2e6"], ["2^64-100", "2^64-1"], ["1e9", "--json"], ["1e9", "--count-only", "--json"],
            ["--strategy", "threads", "1e6"], ["1e6", "--strategy", "serial", "--workers", "1"],
            ["1e6", "--workers", "3", "--strategy", "processes", "--engine", "swift"],
            ["1e6", "--journal", "run.journal", "--no-progress"], ["1e6", "--progress-delay", "0.5"],
            ["1e6", "--inject-fault-chunk", "3", "--inject-fault-every-time", "--strategy", "processes"],
            ["10", "20", "--engine", "c", "--count-only"], ["1e12", "--method", "combinatorial", "--double-check"],
            ["1e6", "--method", "sieve"], ["1e6", "2e6", "--print"],
        ])
    func plainLines(arguments: [String]) throws {
        let fast = try #require(PrimesRequest(fastReading: ["primes"] + arguments))
        #expect(fast == Self.parsed(arguments))
    }

    @Test(
        "every other line is left to ArgumentParser, which reports it as always",
        arguments: [
            [], ["1", "2", "3"], ["--help"], ["-h"], ["1e6", "--json", "--json"], ["1e6", "--workers=2"],
            ["1e6", "--workers", "-1"], ["1e6", "--workers", "0"], ["1e6", "--workers", "two"],
            ["1e6", "--workers"], ["1e6", "--strategy", "fork"], ["1e6", "--strategy", "serial", "--workers", "2"],
            ["1e6", "--engine", "rust"], ["-5"], ["1e6", "--"], ["1e6", "--verbose"],
            ["1e6", "--progress-delay", "nan"],
            ["1e6", "--progress-delay", "4000"], ["1e6", "--journal", "--json"], ["1e6", "--method", "lucy"],
            ["1e6", "--print", "--json"],
        ])
    func otherLines(arguments: [String]) {
        #expect(PrimesRequest(fastReading: ["primes"] + arguments) == nil)
    }

    @Test("only `primes` lines are read fast")
    func otherCommands() {
        #expect(PrimesRequest(fastReading: ["bigprimes", "--count", "3"]) == nil)
        #expect(PrimesRequest(fastReading: [String]()) == nil)
        #expect(PrimesRequest(fastReading: ["isprime", "7"]) == nil)
    }

    @Test("the fast reader knows every option that `hybrid primes` declares")
    func everyOption() {
        let help = Primes.helpMessage(includeHidden: true, columns: 1000)
        // The first word of each line of the options list ("  --workers <workers>   Workers ...").
        let declared = Set(
            help.split(separator: "\n").compactMap { line in
                let words = line.split(separator: " ")
                return words.first.flatMap { $0.hasPrefix("--") ? String($0) : nil }
            })
        #expect(declared.subtracting(["--help"]) == Set(PrimesRequest.fastOptions))
    }
}
