// libFuzzer target: the URL list reader behind `hybrid fetch --input`.
//
// Any bytes must give a list, never a trap, and the list must be what a plain reference reading
// finds: one URL per line, blanks (space, tab, CR, VT, FF) trimmed, blank lines and lines
// starting with `#` skipped, in order.
import HybridKit

/// The reader under test. When the reader changes shape (for example to stream its input),
/// retarget this one function; the reference and the checks stay.
func urlsReadByHybrid(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
    URLList.parse(String(decoding: bytes, as: UTF8.self))
}

/// The reference: the rule of the documentation, on lines of the text as decoded.
func referenceURLs(_ bytes: UnsafeBufferPointer<UInt8>) -> [String] {
    let blanks: Set<Unicode.Scalar> = [" ", "\t", "\r", "\u{0B}", "\u{0C}"]
    let text = String(decoding: bytes, as: UTF8.self)
    return text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
        var scalars = Substring.UnicodeScalarView(line)
        while let first = scalars.first, blanks.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, blanks.contains(last) { scalars.removeLast() }
        guard let first = scalars.first, first != "#" else { return nil }
        return String(String.UnicodeScalarView(scalars))
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzURLList(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let urls = urlsReadByHybrid(bytes)
    let expected = referenceURLs(bytes)
    precondition(urls == expected, "read \(urls.debugDescription), expected \(expected.debugDescription)")
    return 0
}
