#if canImport(Glibc)
    import Glibc
#endif

/// SIGINT and SIGTERM, taken as requests to stop a run cleanly rather than as sudden death.
///
/// While a run holds them, both are blocked on the calling thread (and on the threads it
/// starts, which inherit the mask), and the run polls for them between chunks. The run then
/// ends its workers, reaps them, and throws ``RunInterrupted``; the command line exits 130 or 143.
struct StopSignals: ~Copyable {
    private let set = Syscalls.stopSignalSet()
    private let original: sigset_t?
    var active: Bool { original != nil }

    /// Blocks SIGINT and SIGTERM when `active`; otherwise does nothing at all.
    init(active: Bool) {
        original = active ? Syscalls.block(set) : nil
    }

    /// Waits up to `seconds` for SIGINT or SIGTERM; returns it, or nil.
    mutating func wait(seconds: Double) -> Int32? {
        guard active else { return nil }
        return Syscalls.waitForSignal(in: set, seconds: seconds)
    }

    /// Whether SIGINT or SIGTERM is waiting, taking it if so.
    mutating func poll() -> Int32? { wait(seconds: 0) }

    deinit {
        if let original { Syscalls.restoreMask(original) }
    }
}

/// A run ended early by SIGINT or SIGTERM, after every worker was stopped and reaped.
public struct RunInterrupted: Error, Equatable, Sendable, CustomStringConvertible {
    /// The signal: SIGINT (2) or SIGTERM (15).
    public let signal: Int32
    /// With a journal, how much of the job it holds now that the run has stopped (every record
    /// synced); `nil` without one.
    public internal(set) var journal: JournalProgress?

    init(signal: Int32, journal: JournalProgress? = nil) {
        self.signal = signal
        self.journal = journal
    }

    /// The conventional exit code: 128 + the signal (130 or 143).
    public var exitCode: Int32 { 128 + signal }

    public var description: String {
        "interrupted by \(signalName(signal)); every worker was stopped"
    }
}

/// `SIGKILL`, `SIGINT`, ... for the signals a worker is likely to meet; `signal N` otherwise.
public func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
        SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
        SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
    ]
    return names[signal] ?? "signal \(signal)"
}
