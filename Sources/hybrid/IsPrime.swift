import ArgumentParser
import HybridKit

#if canImport(Glibc)
    import Glibc
#endif

/// `hybrid isprime N...`: whether each number is prime, probably prime or composite.
struct IsPrime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isprime",
        abstract: "Say whether each decimal number is prime, probable prime or composite.",
        discussion: """
            Numbers of any size, in decimal digits only. With no NUMBER, reads one number per line \
            from standard input (blank lines are skipped). Prints each number as written, then \
            its verdict.
            """
    )

    // Collects unrecognized words too, so that "-5" is reported as not a decimal integer
    // rather than as an unknown option.
    @Argument(parsing: .allUnrecognized, help: "The numbers to test.")
    var numbers: [String] = []

    func run() throws {
        let inputs = numbers.isEmpty ? Self.standardInputLines() : numbers
        // Every number is checked before any is printed, so bad input prints nothing on stdout.
        let verdicts = try inputs.map { number throws(UsageError) in try Primality(testing: number) }
        var text = ""
        for (number, verdict) in zip(inputs, verdicts) { text += "\(number) \(verdict.rawValue)\n" }
        try FileHandleOutput.standardOutput.writeResult(text)
    }

    private static func standardInputLines() -> [String] {
        var lines: [String] = []
        while let line = readLine() {
            let trimmed = String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            if !trimmed.isEmpty { lines.append(trimmed) }
        }
        return lines
    }
}
