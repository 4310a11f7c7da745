/// How a run (of primes or big primes) behaves around its work, beyond what its job says.
public struct RunOptions: Sendable {
    /// Draw a progress bar on standard error when it is a terminal.
    public var progress: Bool
    /// Take SIGINT and SIGTERM as a request to stop: workers end and are reaped, and the run
    /// throws ``RunInterrupted``. Meant for programs that own the process, like the command line.
    public var stopOnSignals: Bool
    /// A test hook that makes a processes-strategy worker die on a chosen chunk or item.
    public var fault: FaultInjection?
    /// Where warnings go (a worker died, its work re-runs): one line each, without a newline.
    public var warn: @Sendable (String) -> Void

    public init(
        progress: Bool = false, stopOnSignals: Bool = false, fault: FaultInjection? = nil,
        warn: @escaping @Sendable (String) -> Void = {
            FileHandleOutput.standardError.write("hybrid: warning: \($0)\n")
        }
    ) {
        self.progress = progress
        self.stopOnSignals = stopOnSignals
        self.fault = fault
        self.warn = warn
    }
}
