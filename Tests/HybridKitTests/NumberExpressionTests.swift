import HybridKit
import Testing

@Suite("Numbers on the command line")
struct NumberExpressionTests {
    @Test(
        "the accepted forms",
        arguments: [
            ("1000000", UInt64(1_000_000)), ("1_000_000", 1_000_000), ("1e6", 1_000_000), ("2^32", 1 << 32),
            ("10^9", 1_000_000_000), ("2.5e9", 2_500_000_000), ("0", 0), ("2^64-1", UInt64.max),
            ("1e15+1e10", 1_000_010_000_000_000), ("18446744073709551615", UInt64.max), (" 42 ", 42),
            ("1E3", 1000), ("0^0", 1), ("2^0", 1), ("1,000,000", 1_000_000), ("999,999", 999_999),
            ("18,446,744,073,709,551,615", UInt64.max), ("1e+9", 1_000_000_000), ("1e+9+1", 1_000_000_001),
            ("2^10-1e+2", 924),
        ])
    func accepted(text: String, value: UInt64) throws {
        #expect(try NumberExpression.parse(text) == value)
    }

    @Test(
        "the refused ones, each with a message",
        arguments: [
            "-5", "abc", "1.5", "2^64", "18446744073709551616", "1e20", "", "1e-3", "2^", "^3", "1__", "_1", "1e",
            "5-10", "1+", "0x10", "１２", "1.5e0", "99999999999999999999999999999999999999999", "1,5", "10,00",
            "1,0000", ",100", "100,", "1,,000", "1e+", "1e+-3",
        ])
    func refused(text: String) {
        #expect(throws: UsageError.self) { try NumberExpression.parse(text) }
    }

    @Test(
        "messages a user can act on",
        arguments: [
            ("1e-3", "'1e-3' is not a whole number"), ("2.5", "'2.5' is not a whole number"),
            ("1,5", "'1,5' is not a number: commas go between groups of three digits (1,000,000)"),
            ("-1", "'-1' is negative; numbers must be 0 or more"),
        ])
    func message(text: String, message: String) {
        #expect(throws: UsageError(message)) { try NumberExpression.parse(text) }
    }
}
