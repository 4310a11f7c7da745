/// Unbuffered writes to standard output or standard error, safe to call from any thread.
package enum FileHandleOutput: Sendable {
    case standardOutput
    case standardError

    /// Whether this stream is a terminal (progress is drawn only there).
    package var isTerminal: Bool { Syscalls.isTerminal(descriptor) }

    /// Writes the whole string, retrying on short writes and `EINTR`; a failure is dropped (for
    /// warnings and progress on standard error, which have nowhere else to go).
    package func write(_ text: String) {
        try? Syscalls.writeAll(descriptor, Array(text.utf8))
    }

    /// Writes a command's result, the whole string; throws ``OutputError`` when it cannot be
    /// written (a full disk, a closed pipe), so that lost output is a failed run, not a success.
    package func writeResult(_ text: String) throws(OutputError) {
        try Array(text.utf8).withUnsafeBytes { bytes in
            Result { () throws(OutputError) in try writeResult(bytes) }
        }.get()
    }

    /// Writes bytes of a command's result, as ``writeResult(_:)`` does a string.
    package func writeResult(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        do {
            try Syscalls.writeAll(descriptor, bytes)
        } catch {
            throw OutputError(
                stream: self == .standardOutput ? "standard output" : "standard error", reason: error.text)
        }
    }

    private var descriptor: Int32 { self == .standardOutput ? 1 : 2 }
}

/// Output that could not be written: a failed run.
package struct OutputError: RunFailure, Equatable {
    /// What was written to: `standard output`, a file's path.
    package var stream: String
    /// The system's reason: `No space left on device`.
    package var reason: String

    package init(stream: String, reason: String) {
        self.stream = stream
        self.reason = reason
    }

    package var description: String { "cannot write \(stream): \(reason)" }
}
