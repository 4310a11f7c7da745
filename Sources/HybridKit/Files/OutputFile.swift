/// A file a command writes its results to (a CSV, a chart, a peer's configuration), opened
/// before the work starts so that a path that cannot be written fails at once, not after a
/// long run.
package final class OutputFile {
    /// Where the file is.
    package let path: String
    private var descriptor: Int32?

    /// Opens (creates or truncates) `path`; throws ``UsageError`` when it cannot (a path the
    /// user gave that cannot be written is bad input).
    package init(path: String) throws(UsageError) {
        self.path = path
        do {
            descriptor = try Syscalls.createFile(path)
        } catch {
            throw UsageError("cannot write \(path): \(error.text)")
        }
    }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// A new file named `prefix` plus six random characters in `$TMPDIR` (or /tmp); throws
    /// ``OutputError`` when none can be made.
    package static func temporary(prefix: String) throws(OutputError) -> OutputFile {
        do {
            let made = try Syscalls.createTemporaryFile(prefix: prefix)
            return OutputFile(path: made.path, descriptor: made.descriptor)
        } catch {
            throw OutputError(stream: "a temporary file", reason: error.text)
        }
    }

    deinit {
        if let descriptor { try? Syscalls.close(descriptor) }
    }

    /// Writes `text` and closes the file; throws ``OutputError`` when the write fails (a failed
    /// run, where a path that cannot be opened is bad input).
    package func write(_ text: String) throws(OutputError) {
        guard let descriptor else { return }
        self.descriptor = nil
        // Closed whether or not the write failed; the write's failure is the one reported.
        let written = Result { () throws(SystemFailure) in try Syscalls.writeAll(descriptor, Array(text.utf8)) }
        let closed = Result { () throws(SystemFailure) in try Syscalls.close(descriptor) }
        do {
            try written.get()
            try closed.get()
        } catch {
            throw OutputError(stream: path, reason: error.text)
        }
    }

    /// Removes the file (after writing it, once it is no longer needed).
    package func remove() {
        if let descriptor { try? Syscalls.close(descriptor) }
        descriptor = nil
        Syscalls.removeFile(path)
    }
}
