import HybridKit

#if canImport(Glibc)
    import Glibc
#endif

/// An external program run beside hybrid (a peer such as primesieve or curl), started with
/// `posix_spawn` and reaped with `waitpid`: no Swift runs in the child, and no thread is started
/// in this process. (Foundation's `Process` leaves threads behind: a process that has run and
/// waited for one child with it has 5 threads instead of 1 for good, and a multi-threaded process
/// must not fork the Swift engine.)
public struct ExternalCommand: Sendable {
    /// The program's full path.
    public let path: String

    /// The program called `name` on the `PATH`, or `nil` when there is none.
    public static func find(_ name: String) -> ExternalCommand? {
        guard let pathVariable = getenv("PATH") else { return nil }
        for directory in String(cString: pathVariable).split(separator: ":")
        where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return ExternalCommand(path: candidate) }
        }
        return nil
    }

    /// What a run printed and how it ended.
    public struct Outcome: Sendable {
        /// The exit code, or 128 + the signal that ended it.
        public var status: Int32
        /// Standard output (standard error goes to /dev/null).
        public var output: String
        public var wallSeconds: Double
        /// CPU seconds of the program (the children this process reaped during the run).
        public var cpuSeconds: Double
    }

    /// Runs the program with `arguments` and waits for it. Throws ``PeerError`` when it cannot be
    /// started.
    public func run(_ arguments: [String]) throws(PeerError) -> Outcome {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw PeerError("cannot make a pipe to run \(path)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let stopwatch = Stopwatch()
        var pid: pid_t = 0
        let spawned = argv.withUnsafeBufferPointer { buffer in
            posix_spawn(&pid, path, &actions, nil, buffer.baseAddress!, environ)
        }
        close(pipeEnds[1])
        guard spawned == 0 else {
            close(pipeEnds[0])
            throw PeerError("cannot run \(path): \(String(cString: strerror(spawned)))")
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes {
                read(pipeEnds[0], $0.baseAddress, $0.count)
            }
            if count > 0 {
                output += buffer[0..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(pipeEnds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let wall = stopwatch.wallSeconds
        let cpu = stopwatch.cpuSeconds
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot import.
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return Outcome(
            status: code, output: String(decoding: output, as: UTF8.self), wallSeconds: wall,
            cpuSeconds: cpu)
    }
}

/// A peer program (primesieve, curl) that could not be started: a failed run.
public struct PeerError: RunFailure, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
