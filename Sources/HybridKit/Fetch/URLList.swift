#if canImport(Glibc)
    import Glibc
#endif

/// Reads the URLs of a fetch from text: one per line; blank lines and lines whose first
/// non-blank character is `#` are skipped; surrounding whitespace is trimmed.
public enum URLList {
    /// The URLs in `text`, in order.
    public static func parse(_ text: String) -> [String] {
        parse(utf8: Array(text.utf8))
    }

    /// The URLs in UTF-8 text. Works on bytes: lists of a hundred thousand URLs are read in
    /// milliseconds, where generic String slicing would take a good part of the fetch itself.
    static func parse(utf8 bytes: [UInt8]) -> [String] {
        func isBlank(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
                || byte == 0x0B || byte == 0x0C
        }
        var urls: [String] = []
        bytes.withUnsafeBufferPointer { buffer in
            var lineStart = 0
            while lineStart < buffer.count {
                var lineEnd = lineStart
                while lineEnd < buffer.count && buffer[lineEnd] != UInt8(ascii: "\n") {
                    lineEnd += 1
                }
                var first = lineStart
                var last = lineEnd
                while first < last && isBlank(buffer[first]) { first += 1 }
                while last > first && isBlank(buffer[last - 1]) { last -= 1 }
                if first < last && buffer[first] != UInt8(ascii: "#") {
                    urls.append(
                        String(
                            decoding: UnsafeBufferPointer(rebasing: buffer[first..<last]),
                            as: UTF8.self))
                }
                lineStart = lineEnd + 1
            }
        }
        return urls
    }

    /// The URLs in a file, or in standard input when `path` is `-`.
    /// - Throws: ``UsageError`` when the file cannot be read.
    public static func read(path: String) throws -> [String] {
        let descriptor = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw UsageError("cannot read URL list \(path): \(String(cString: strerror(errno)))")
        }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes {
                Glibc.read(descriptor, $0.baseAddress, $0.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw UsageError(
                    "cannot read URL list \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return parse(utf8: bytes)
    }
}
