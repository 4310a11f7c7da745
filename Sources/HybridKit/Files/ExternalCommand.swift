/// An external program run beside hybrid (a peer such as primesieve or curl), started with
/// `posix_spawn` and reaped with `waitpid`: no Swift runs in the child, and no thread is started
/// in this process. (Foundation's `Process` leaves threads behind: a process that has run and
/// waited for one child with it has 5 threads instead of 1 for good, and a multi-threaded process
/// must not fork the Swift engine.)
package struct ExternalCommand: Sendable {
    /// The program's full path.
    package let path: String

    /// The program called `name` on the `PATH`, or `nil` when there is none.
    package static func find(_ name: String) -> ExternalCommand? {
        guard let pathVariable = Syscalls.environment("PATH") else { return nil }
        for directory in pathVariable.split(separator: ":")
        where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if Syscalls.isExecutable(candidate) { return ExternalCommand(path: candidate) }
        }
        return nil
    }

    /// What a run printed and how it ended.
    package struct Outcome: Sendable {
        /// The exit code, or 128 + the signal that ended it.
        package var status: Int32
        /// Standard output (standard error goes to /dev/null).
        package var output: String
        package var wallSeconds: Double
        /// CPU seconds of the program (the children this process reaped during the run).
        package var cpuSeconds: Double
    }

    /// Runs the program with `arguments` and waits for it. Throws ``PeerError`` when it cannot be
    /// started.
    package func run(_ arguments: [String]) throws(PeerError) -> Outcome {
        let stopwatch = Stopwatch()
        do {
            let ran = try Syscalls.runCollectingOutput(path, arguments)
            let wall = stopwatch.wallSeconds
            let cpu = stopwatch.cpuSeconds
            return Outcome(
                status: ran.status, output: String(decoding: ran.output, as: UTF8.self), wallSeconds: wall,
                cpuSeconds: cpu)
        } catch {
            throw PeerError("cannot run \(path): \(error.text)")
        }
    }
}

/// A peer program (primesieve, curl) that could not be started: a failed run.
package struct PeerError: RunFailure, Equatable {
    package let message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}
