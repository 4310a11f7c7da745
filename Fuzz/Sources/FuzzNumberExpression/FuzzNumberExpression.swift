// libFuzzer target: NumberExpression.parse, the parser of every number on hybrid's command line.
//
// Any text must give a number or a UsageError, never a trap; and every number it gives must
// agree with what the text says, checked where an independent answer is cheap: a plain decimal
// is what UInt64 reads, and a number's own decimal reads back as itself.
import HybridKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNumberExpression(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let parsed: UInt64?
    do {
        parsed = try NumberExpression.parse(text)
    } catch {
        precondition(!error.message.isEmpty, "an empty error message for \(text.debugDescription)")
        parsed = nil
    }
    let trimmed = text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()
    if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) {
        // Digits alone: exactly UInt64's answer, an error above 2^64 - 1.
        precondition(
            parsed == UInt64(String(trimmed)),
            "\(text.debugDescription) parsed as \(String(describing: parsed))")
    }
    if let parsed {
        let again = try? NumberExpression.parse(String(parsed))
        precondition(again == parsed, "\(parsed) does not read back as itself: \(String(describing: again))")
        // A term of zero added changes nothing.
        let plusZero = try? NumberExpression.parse(String(trimmed) + "+0")
        precondition(plusZero == parsed, "\(text.debugDescription) and the same +0 differ")
    }
    return 0
}
