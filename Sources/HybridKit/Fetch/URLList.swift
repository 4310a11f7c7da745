#if canImport(Glibc)
    import Glibc
#endif

/// Reads the URLs of a fetch from text: one per line; blank lines and lines whose first
/// non-blank character is `#` are skipped; surrounding whitespace is trimmed.
public enum URLList {
    /// The URLs in `text`, in order.
    public static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()
            if trimmed.isEmpty || trimmed.first == "#" { return nil }
            return String(trimmed)
        }
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
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw UsageError("cannot read URL list \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return parse(String(decoding: bytes, as: UTF8.self))
    }
}
