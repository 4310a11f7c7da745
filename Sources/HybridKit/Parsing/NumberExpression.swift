/// The numbers hybrid reads from a command line: `1000000`, `1_000_000`, `1,000,000` (as hybrid
/// prints them: groups of three), `1e6`, `1e+6`, `2.5e9`, `2^32`, `10^9`, and sums or differences
/// of those (`2^64-1`, `1e15+1e10`).
///
/// Every value is a whole number in `0 ... 2^64 - 1`; anything else is a ``UsageError`` whose
/// message names the text and what is wrong with it.
public enum NumberExpression {
    /// Parses `text` into a `UInt64`, or throws a ``UsageError`` that says why it cannot.
    public static func parse(_ text: String) throws(UsageError) -> UInt64 {
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else { throw UsageError("expected a number, got an empty string") }
        if trimmed.hasPrefix("-") {
            throw UsageError("'\(trimmed)' is negative; numbers must be 0 or more")
        }
        var total: Int128 = 0
        var sign: Int128 = 1
        var term = ""
        func addTerm() throws(UsageError) {
            guard !term.isEmpty else { throw notANumber(trimmed) }
            total += sign * Int128(try parseTerm(term, in: trimmed))
            guard total.magnitude < limit else { throw tooLarge(trimmed) }
            term = ""
        }
        for character in trimmed {
            // A sign right after a mantissa's e belongs to the exponent: 1e+9 is 1e9, and 1e-3
            // is a fraction, which no count or bound can be.
            if character == "+" || character == "-", term.count > 1, term.last == "e" || term.last == "E",
                term.first?.isNumber == true, !term.contains("^")
            {
                if character == "-" { throw UsageError("'\(trimmed)' is not a whole number") }
                continue
            }
            if character == "+" || character == "-" {
                try addTerm()
                sign = character == "+" ? 1 : -1
            } else {
                term.append(character)
            }
        }
        try addTerm()
        guard total >= 0 else { throw UsageError("'\(trimmed)' is negative; numbers must be 0 or more") }
        guard total <= Int128(UInt64.max) else { throw tooLarge(trimmed) }
        return UInt64(total)
    }

    /// Above this no intermediate result can come back below 2^64 in a short expression.
    private static let limit: UInt128 = 1 << 100

    private static func notANumber(_ text: String) -> UsageError {
        UsageError("'\(text)' is not a number (write e.g. 1000000, 1_000_000, 1e9, 2^32 or 2^64-1)")
    }

    private static func tooLarge(_ text: String) -> UsageError {
        UsageError("'\(text)' is above 2^64 - 1, the largest number hybrid sieves")
    }

    /// One term: `digits`, `base^exponent`, or `mantissa e exponent` (the mantissa may have a
    /// fractional part as long as the result is whole).
    private static func parseTerm(_ term: String, in text: String) throws(UsageError) -> UInt128 {
        if let caret = term.firstIndex(of: "^") {
            let base = try parseDigits(term[..<caret], in: text)
            let exponent = try parseDigits(term[term.index(after: caret)...], in: text)
            return try power(base, exponent, in: text)
        }
        if let e = term.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let mantissa = term[..<e]
            let exponent = try parseDigits(term[term.index(after: e)...], in: text)
            let parts = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            let whole = try parseDigits(parts[0], in: text)
            let fraction = parts.count > 1 ? parts[1] : ""
            let fractionValue = fraction.isEmpty ? 0 : try parseDigits(fraction, in: text)
            let fractionDigits = UInt128(fraction.filter { $0 != "_" }.count)
            guard fractionDigits <= exponent else {
                throw UsageError("'\(text)' is not a whole number")
            }
            let scale = try power(10, exponent - fractionDigits, in: text)
            let shifted = try power(10, fractionDigits, in: text)
            return try checkedProduct(try checkedProduct(whole, shifted, in: text) + fractionValue, scale, in: text)
        }
        if term.contains(".") { throw UsageError("'\(text)' is not a whole number") }
        return try parseDigits(Substring(term), in: text)
    }

    /// Decimal digits, with `_` allowed between them, or commas between groups of three.
    private static func parseDigits(_ digits: Substring, in text: String) throws(UsageError) -> UInt128 {
        guard let first = digits.first, first.isASCII, first.isNumber, digits.last != "_" else {
            throw notANumber(text)
        }
        if digits.contains(",") {
            // 1,000,000 as hybrid prints it; never 1,5 (a decimal comma) or 10,00.
            let groups = digits.split(separator: ",", omittingEmptySubsequences: false)
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }),
                groups.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } })
            else {
                throw UsageError("'\(text)' is not a number: commas go between groups of three digits (1,000,000)")
            }
            return try parseDigits(Substring(groups.joined()), in: text)
        }
        var value: UInt128 = 0
        for character in digits where character != "_" {
            guard let digit = character.wholeNumberValue, character.isASCII else { throw notANumber(text) }
            value = try checkedProduct(value, 10, in: text) + UInt128(digit)
        }
        return value
    }

    private static func power(_ base: UInt128, _ exponent: UInt128, in text: String) throws(UsageError) -> UInt128 {
        var result: UInt128 = 1
        var remaining = exponent
        while remaining > 0 {
            if base <= 1 { return base == 0 ? 0 : 1 }
            result = try checkedProduct(result, base, in: text)
            remaining -= 1
        }
        return result
    }

    private static func checkedProduct(_ left: UInt128, _ right: UInt128, in text: String) throws(UsageError) -> UInt128
    {
        let (product, overflow) = left.multipliedReportingOverflow(by: right)
        guard !overflow, product < limit else { throw tooLarge(text) }
        return product
    }
}

extension String {
    /// The string without whitespace at either end. Index walks, not `reversed()`: the generic
    /// wrappers that would build cost a start-up's worth of runtime type look-ups.
    func trimmingWhitespace() -> String {
        var start = startIndex
        var end = endIndex
        while start < end, self[start].isWhitespace { start = index(after: start) }
        while start < end {
            let last = index(before: end)
            guard self[last].isWhitespace else { break }
            end = last
        }
        return start == startIndex && end == endIndex ? self : String(self[start..<end])
    }
}
