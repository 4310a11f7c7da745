import Foundation

/// Reads the URLs of a fetch from text: one per line; blank lines and lines whose first
/// non-blank character is `#` are skipped; surrounding whitespace is trimmed.
public enum URLList {
    /// The URLs in `text`, in order.
    public static func parse(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { return nil }
            return trimmed
        }
    }

    /// The URLs in a file, or in standard input when `path` is `-`.
    /// - Throws: ``UsageError`` when the file cannot be read.
    public static func read(path: String) throws -> [String] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw UsageError("cannot read URL list \(path)")
            }
            data = contents
        }
        return parse(String(decoding: data, as: UTF8.self))
    }
}
