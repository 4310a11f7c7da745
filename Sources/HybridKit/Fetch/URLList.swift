#if canImport(Glibc)
    import Glibc
#endif

/// Reads the URLs of a fetch from text: one per line; blank lines and lines whose first
/// non-blank character is `#` are skipped; surrounding whitespace is trimmed.
public enum URLList {
    /// The URLs in `text`, in order.
    public static func parse(_ text: String) -> [String] {
        var lines = URLLineSplitter()
        var urls: [String] = []
        lines.feed(Array(text.utf8)[...]) { url, _ in urls.append(url) }
        lines.finish { url, _ in urls.append(url) }
        return urls
    }

    /// The URLs in a file, or in standard input when `path` is `-`, all at once.
    /// - Throws: ``UsageError`` when the file cannot be read.
    public static func read(path: String) throws -> [String] {
        let reader = try URLListReader(path: path)
        var urls: [String] = []
        while let url = reader.next() { urls.append(url) }
        if let error = reader.error { throw error }
        return urls
    }
}

/// Reads a URL list as it is needed, 64 KiB at a time, so a list of a million URLs (or an
/// endless pipe) costs no more memory than the URLs in flight.
package final class URLListReader: @unchecked Sendable {
    // @unchecked: one reader is used by one thread at a time (CFetch serialises its source).
    private let descriptor: Int32
    private let path: String
    private var lines = URLLineSplitter()
    private var ready: [(url: String, line: Int)] = []
    private var readyIndex = 0
    private var ended = false
    /// Why reading stopped early, if it did; the URLs before it were still given.
    package private(set) var error: UsageError?
    /// The line of the URL ``next()`` returned last, from 1, blank and comment lines counted.
    package private(set) var line = 0

    /// Opens `path`, or standard input when it is `-`.
    /// - Throws: ``UsageError`` when the file cannot be opened.
    package init(path: String) throws {
        self.path = path
        if path == "-" {
            descriptor = STDIN_FILENO
        } else {
            do {
                descriptor = try Syscalls.openForReading(path)
            } catch {
                throw UsageError("cannot read URL list \(path): \(error.text)")
            }
        }
    }

    deinit {
        if descriptor != STDIN_FILENO { try? Syscalls.close(descriptor) }
    }

    /// The next URL, or `nil` at the end of the list (or at a read error, see ``error``).
    package func next() -> String? {
        while readyIndex == ready.count {
            if ended { return nil }
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
            fill()
        }
        defer { readyIndex += 1 }
        line = ready[readyIndex].line
        return ready[readyIndex].url
    }

    private func fill() {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            var count = 0
            let read = chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemFailure) in try Syscalls.read(descriptor, into: buffer) }
            }
            switch read {
            case .success(let read): count = read
            case .failure(let failure): error = UsageError("cannot read URL list \(path): \(failure.text)")
            }
            if count <= 0 {
                ended = true
                lines.finish { ready.append(($0, $1)) }
                return
            }
            lines.feed(chunk[0..<count]) { ready.append(($0, $1)) }
            if !ready.isEmpty { return }
        }
    }
}

/// Splits bytes into trimmed URL lines, each with its line number (from 1, blank and comment
/// lines counted), keeping a partial last line until more bytes come.
struct URLLineSplitter {
    private var partial: [UInt8] = []
    private var lines = 0

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == 0x0B || byte == 0x0C
    }

    mutating func feed(_ bytes: ArraySlice<UInt8>, _ emit: (String, Int) -> Void) {
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            lines += 1
            if partial.isEmpty {
                Self.emitLine(bytes[start..<newline], number: lines, emit)
            } else {
                partial.append(contentsOf: bytes[start..<newline])
                Self.emitLine(partial[...], number: lines, emit)
                partial.removeAll(keepingCapacity: true)
            }
            start = bytes.index(after: newline)
        }
        partial.append(contentsOf: bytes[start...])
    }

    mutating func finish(_ emit: (String, Int) -> Void) {
        if !partial.isEmpty {
            lines += 1
            Self.emitLine(partial[...], number: lines, emit)
        }
        partial.removeAll()
    }

    private static func emitLine(
        _ line: ArraySlice<UInt8>, number: Int, _ emit: (String, Int) -> Void
    ) {
        var first = line.startIndex
        var last = line.endIndex
        while first < last && isBlank(line[first]) { first = line.index(after: first) }
        while last > first {
            let before = line.index(last, offsetBy: -1)
            if !isBlank(line[before]) { break }
            last = before
        }
        guard first < last, line[first] != UInt8(ascii: "#") else { return }
        emit(URLBytes.text(line[first..<last]), number)
    }
}
