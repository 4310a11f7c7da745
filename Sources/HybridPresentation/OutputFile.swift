import HybridKit

#if canImport(Glibc)
    import Glibc
#endif

/// A file a command writes its results to (a CSV, a chart), opened before the work starts so
/// that a path that cannot be written fails at once, not after a long run.
public final class OutputFile {
    public let path: String
    private var file: UnsafeMutablePointer<FILE>?

    /// Opens (creates or truncates) `path`; throws ``UsageError`` when it cannot.
    public init(path: String) throws(UsageError) {
        self.path = path
        guard let file = fopen(path, "w") else {
            throw UsageError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        self.file = file
    }

    deinit {
        if let file { fclose(file) }
    }

    /// Writes `text` and closes the file; throws ``OutputError`` when the write fails (a failed
    /// run, where a path that cannot be opened is bad input).
    public func write(_ text: String) throws(OutputError) {
        guard let file else { return }
        self.file = nil
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let closed = fclose(file)
        guard written == bytes.count, closed == 0 else {
            throw OutputError(stream: path, reason: String(cString: strerror(errno)))
        }
    }
}
