#if canImport(Glibc)
    import Glibc
#endif

/// Unbuffered writes to standard output or standard error, safe to call from any thread.
public enum FileHandleOutput: Sendable {
    case standardOutput
    case standardError

    /// Whether this stream is a terminal (progress is drawn only there).
    public var isTerminal: Bool { isatty(descriptor) == 1 }

    /// Writes the whole string, retrying on short writes and `EINTR`.
    public func write(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            offset += written
        }
        bytes.removeAll()
    }

    private var descriptor: Int32 {
        switch self {
        case .standardOutput: return STDOUT_FILENO
        case .standardError: return STDERR_FILENO
        }
    }
}
