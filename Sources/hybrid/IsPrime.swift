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
            from standard input (blank lines are skipped) and answers each line as it arrives. \
            Prints each number as written, then its verdict.
            """
    )

    // Collects unrecognized words too, so that "-5" is reported as not a decimal integer
    // rather than as an unknown option.
    @Argument(parsing: .allUnrecognized, help: "The numbers to test.")
    var numbers: [String] = []

    func run() throws {
        guard numbers.isEmpty else {
            // Every argument is checked before any is printed, so bad input prints nothing on stdout.
            let verdicts = try numbers.map { number throws(UsageError) in try Primality(testing: number) }
            var text = ""
            for (number, verdict) in zip(numbers, verdicts) { text += "\(number) \(verdict.rawValue)\n" }
            try FileHandleOutput.standardOutput.writeResult(text)
            return
        }
        // Standard input is answered line by line, as it comes: `yes 7 | hybrid isprime` runs in
        // constant memory, and a program on the other end of a pipe gets each answer at once. A
        // bad line ends the run there (exit 2), after the answers to the lines before it.
        while let line = readLine() {
            let number = String(line.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
            if number.isEmpty { continue }
            let verdict = try Primality(testing: number)
            try FileHandleOutput.standardOutput.writeResult("\(number) \(verdict.rawValue)\n")
        }
    }
}
