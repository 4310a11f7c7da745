/// A JSON value whose objects keep their keys in the order they were written, so reports read
/// the same way as JSON and as a table. Numbers above 2^53 travel as decimal strings.
package enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case unsigned(UInt64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    package static func == (left: JSONValue, right: JSONValue) -> Bool {
        left.serialized() == right.serialized()
    }

    /// Compact JSON text, with `", "` and `": "` separators as in the README's examples.
    package func serialized() -> String {
        var text = ""
        write(to: &text)
        return text
    }

    private func write(to text: inout String) {
        switch self {
        case .null: text += "null"
        case .bool(let value): text += value ? "true" : "false"
        case .integer(let value): text += String(value)
        case .unsigned(let value): text += String(value)
        case .number(let value): text += value.isFinite ? Self.decimal(value) : "null"
        case .string(let value): Self.writeString(value, to: &text)
        case .array(let values):
            text += "["
            for (index, value) in values.enumerated() {
                if index > 0 { text += ", " }
                value.write(to: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { text += ", " }
                Self.writeString(key, to: &text)
                text += ": "
                value.write(to: &text)
            }
            text += "}"
        }
    }

    /// Significant digits of a JSON number: times are measured to about a microsecond and vary
    /// by more between runs, so digits past the sixth say nothing.
    package static let significantDigits = 6

    /// `value` rounded to `digits` significant digits: `0.00038285899995571526` is written
    /// `0.000382859`, `4.91` stays `4.91`; a whole number keeps `.0`, so it still reads as a
    /// fraction; below 1e-7 and from 1e15 on, in exponent form (`1.5e-09`).
    package static func decimal(_ value: Double, digits: Int = significantDigits) -> String {
        guard value != 0, value.isFinite else { return value.isFinite ? "0.0" : String(value) }
        let sign = value < 0 ? "-" : ""
        var mantissa = value.magnitude
        var exponent = 0
        while mantissa >= 10 {
            mantissa /= 10
            exponent += 1
        }
        while mantissa < 1 {
            mantissa *= 10
            exponent -= 1
        }
        func power(_ count: Int) -> Double {
            var result = 1.0
            for _ in 0..<count { result *= 10 }
            return result
        }
        if exponent < -7 || exponent >= 15 {
            var rounded = UInt64((mantissa * power(digits - 1)).rounded())
            if rounded >= UInt64(power(digits)) {
                rounded /= 10
                exponent += 1
            }
            return sign + pointed(rounded, decimals: digits - 1) + "e" + (exponent < 0 ? "-" : "+")
                + (exponent.magnitude < 10 ? "0" : "") + String(exponent.magnitude)
        }
        let decimals = digits - 1 - exponent
        if decimals <= 0 {
            let unit = power(-decimals)
            return sign + String(UInt64((value.magnitude / unit).rounded() * unit)) + ".0"
        }
        return sign + pointed(UInt64((value.magnitude * power(decimals)).rounded()), decimals: decimals)
    }

    /// `382859` with 9 decimals as `0.000382859`, trailing zeros of the fraction dropped but one.
    private static func pointed(_ digits: UInt64, decimals: Int) -> String {
        var text = String(digits)
        if text.count <= decimals { text = String(repeating: "0", count: decimals - text.count + 1) + text }
        var fraction = String(text.suffix(decimals))
        while fraction.count > 1 && fraction.hasSuffix("0") { fraction.removeLast() }
        return String(text.dropLast(decimals)) + "." + (fraction.isEmpty ? "0" : fraction)
    }

    private static func writeString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
