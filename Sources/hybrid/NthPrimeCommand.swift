import ArgumentParser
import HybridKit

/// `hybrid nth-prime N`: the N-th prime (the first is 2), for every N up to π(2^64 - 1).
struct NthPrimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nth-prime",
        abstract: "Print the N-th prime (the first is 2), for N up to 425656284035217743.",
        discussion: """
            Counts the primes up to an estimate combinatorially, then sieves the last stretch. \
            N may be written as for primes: 1e9, 10^12, 2^40.
            """
    )

    @Argument(help: "Which prime: 1 for 2, 2 for 3, ...")
    var n: String

    @Flag(help: "Print {\"n\": \"N\", \"prime\": \"P\", \"seconds\": T} instead.")
    var json = false

    func run() throws {
        let index = try NumberExpression.parse(n)
        let stopwatch = Stopwatch()
        let prime = try NthPrime.prime(index)
        let text =
            json
            ? JSONValue.object([
                ("n", .string(String(index))), ("prime", .string(String(prime))),
                ("seconds", .number(stopwatch.wallSeconds)),
            ]).serialized() + "\n"
            : "\(prime)\n"
        try FileHandleOutput.standardOutput.writeResult(text)
    }
}
