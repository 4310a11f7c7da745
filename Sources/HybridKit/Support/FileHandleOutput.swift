/// Unbuffered writes to standard output or standard error, safe to call from any thread.
public enum FileHandleOutput: Sendable {
    case standardOutput
    case standardError

    /// Whether this stream is a terminal (progress is drawn only there).
    public var isTerminal: Bool { Syscalls.isTerminal(descriptor) }

    /// Writes the whole string, retrying on short writes and `EINTR`; a failure is dropped (for
    /// warnings and progress on standard error, which have nowhere else to go).
    public func write(_ text: String) {
        _ = Syscalls.writeAll(descriptor, Array(text.utf8))
    }

    /// Writes a command's result, the whole string; throws ``OutputError`` when it cannot be
    /// written (a full disk, a closed pipe), so that lost output is a failed run, not a success.
    public func writeResult(_ text: String) throws(OutputError) {
        if let error = Syscalls.writeAll(descriptor, Array(text.utf8)) {
            throw OutputError(stream: self == .standardOutput ? "standard output" : "standard error", reason: error)
        }
    }

    private var descriptor: Int32 { self == .standardOutput ? 1 : 2 }
}

/// Output that could not be written: a failed run.
public struct OutputError: RunFailure, Equatable {
    /// What was written to: `standard output`, a file's path.
    public var stream: String
    /// The system's reason: `No space left on device`.
    public var reason: String

    public init(stream: String, reason: String) {
        self.stream = stream
        self.reason = reason
    }

    public var description: String { "cannot write \(stream): \(reason)" }
}
