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
            Numbers of any size in decimal digits, or below 2^64 in the forms `hybrid primes` \
            takes (2^61-1, 1e9+7, 1_000_003). Below 2^64 the verdict is proven (prime or \
            composite); above, GMP's Baillie-PSW test says probable prime. With no NUMBER, reads \
            one number per line from standard input (blank lines are skipped) and answers each \
            line as it arrives. Prints each number as written, then its verdict.
            """
    )

    // Collects unrecognized words too, so that "-5" is reported as not a decimal integer
    // rather than as an unknown option.
    @Argument(parsing: .allUnrecognized, help: "The numbers to test.")
    var numbers: [String] = []

    func run() throws {
        if let option = UsageHints.firstOption(in: numbers) {
            throw UsageError(UsageHints.unknownOption(option, command: IsPrime.self))
        }
        let numbers = UsageHints.operands(numbers).operands
        guard numbers.isEmpty else {
            // Every argument is checked before any is printed, so bad input prints nothing on stdout.
            let verdicts = try numbers.map(Self.verdict)
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
            let verdict = try Self.verdict(number)
            try FileHandleOutput.standardOutput.writeResult("\(number) \(verdict.rawValue)\n")
        }
    }

    /// Digits alone are a number of any size; anything else is read as a number expression,
    /// whose error (negative, too large, not a number) is the one a user can act on.
    static func verdict(_ text: String) throws(UsageError) -> Primality {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return try Primality(testing: text)
        }
        return Primality(try NumberExpression.parse(text))
    }
}
