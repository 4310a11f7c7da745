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
            ("1E3", 1000), ("0^0", 1), ("2^0", 1),
        ])
    func accepted(text: String, value: UInt64) throws {
        #expect(try NumberExpression.parse(text) == value)
    }

    @Test(
        "the refused ones, each with a message",
        arguments: [
            "-5", "abc", "1.5", "2^64", "18446744073709551616", "1e20", "", "1e-3", "2^", "^3", "1__", "_1", "1e",
            "5-10", "1+", "0x10", "１２", "1.5e0", "99999999999999999999999999999999999999999",
        ])
    func refused(text: String) {
        #expect(throws: UsageError.self) { try NumberExpression.parse(text) }
    }
}
