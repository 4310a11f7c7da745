import HybridKit

/// What one run did: an ordered list of named fields, printed either as an aligned table for
/// people or as one JSON object for programs, from the same data.
package struct RunReport: Sendable {
    /// One line of the report: its JSON key, its JSON value and how a person reads it.
    package struct Field: Sendable {
        package var key: String
        package var json: JSONValue
        package var text: String

        package init(_ key: String, json: JSONValue, text: String) {
            self.key = key
            self.json = json
            self.text = text
        }
    }

    package var fields: [Field]

    package init(fields: [Field]) {
        self.fields = fields
    }

    /// The report as one JSON object (no trailing newline).
    package func json() -> String {
        JSONValue.object(fields.map { ($0.key, $0.json) }).serialized()
    }

    /// The report as `key  value` lines, keys padded to one width, ending in a newline. A value
    /// of several lines goes on under its first, in the same column.
    package func table() -> String {
        let width = fields.map(\.key.count).max() ?? 0
        let indent = "\n" + String(repeating: " ", count: width + 2)
        return fields.map { field in
            field.key + String(repeating: " ", count: width - field.key.count + 2)
                + field.text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: indent) + "\n"
        }.joined()
    }
}

extension RunReport.Field {
    /// Seconds, shown to a precision that suits their size.
    package static func seconds(_ key: String, _ value: Double) -> Self {
        Self(key, json: .number(value), text: formatSeconds(value))
    }
}

/// `0.000412 s`, `0.0412 s`, `4.12 s`, `412 s`: about three significant digits.
package func formatSeconds(_ seconds: Double) -> String {
    if seconds >= 100 { return "\(Int(seconds.rounded())) s" }
    var digits = 2
    var scaled = seconds
    while scaled < 1, scaled > 0, digits < 9 {
        scaled *= 10
        digits += 1
    }
    return fixed(seconds, digits: digits) + " s"
}

/// `9.93 G numbers/s`: a rate to three significant digits, with k, M, G or T before the unit.
package func formatRate(_ perSecond: Double, unit: String) -> String {
    guard perSecond.isFinite, perSecond > 0 else { return "0 \(unit)" }
    var scaled = perSecond
    var prefix = ""
    for next in ["k", "M", "G", "T"] where scaled >= 999.5 {
        scaled /= 1000
        prefix = next
    }
    let digits = scaled >= 99.95 ? 0 : scaled >= 9.995 ? 1 : 2
    return fixed(scaled, digits: digits) + " " + (prefix.isEmpty ? "" : prefix + " ") + unit
}

/// `value` with exactly `digits` decimals, without Foundation's formatter.
package func fixed(_ value: Double, digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (value * scale).rounded()
    guard scaled.magnitude < 9e18 else { return String(value) }
    let whole = Int64(scaled)
    let sign = whole < 0 ? "-" : ""
    let magnitude = whole.magnitude
    let integer = magnitude / UInt64(scale)
    let fraction = String(magnitude % UInt64(scale))
    if digits == 0 { return sign + String(integer) }
    return sign + String(integer) + "." + String(repeating: "0", count: digits - fraction.count) + fraction
}

/// `455052511` as `455,052,511`.
package func groupedDigits<Number: BinaryInteger>(_ value: Number) -> String {
    let digits = Array(String(value))
    var result = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return result
}

/// `16.0%`: `part` of `whole` to a tenth of a percent, rounded down, so that an unfinished job
/// never reads 100%.
package func flooredPercent(_ part: Int, of whole: Int) -> String {
    let tenths = whole > 0 ? Int(Int128(part) * 1000 / Int128(whole)) : 1000
    return "\(tenths / 10).\(tenths % 10)%"
}
