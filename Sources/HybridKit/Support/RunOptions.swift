/// How a run (of primes or big primes) behaves around its work, beyond what its job says.
public struct RunOptions: Sendable {
    /// Take SIGINT and SIGTERM as a request to stop: workers end and are reaped, and the run
    /// throws ``RunInterrupted``. Meant for programs that own the process, like the command line.
    public var stopOnSignals: Bool
    /// A test hook that makes a processes-strategy worker die on a chosen chunk or item.
    public var fault: FaultInjection?
    /// Called on the calling thread as the run moves, with the work done so far in the
    /// workload's units (numbers sieved, primes made); `nil` for none.
    public var progress: (@Sendable (_ done: Double) -> Void)?
    /// Called on the calling thread for each worker process that died and was replaced.
    public var workerDied: @Sendable (WorkerDeath) -> Void

    public init(
        stopOnSignals: Bool = false, fault: FaultInjection? = nil,
        progress: (@Sendable (_ done: Double) -> Void)? = nil,
        workerDied: @escaping @Sendable (WorkerDeath) -> Void = { _ in }
    ) {
        self.stopOnSignals = stopOnSignals
        self.fault = fault
        self.progress = progress
        self.workerDied = workerDied
    }
}
