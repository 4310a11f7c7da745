/// How a run (of primes or big primes) behaves around its work, beyond what its job says.
public struct RunOptions: Sendable {
    /// Take SIGINT and SIGTERM as a request to stop: workers end and are reaped, and the run
    /// throws ``RunInterrupted``. Meant for programs that own the process, like the command line.
    public var stopOnSignals: Bool
    /// A test hook that makes a processes-strategy worker die on a chosen chunk or item.
    package var fault: FaultInjection?
    /// Called on the calling thread as the run moves, with the work done so far in the
    /// workload's units (numbers sieved, primes made); `nil` for none.
    public var progress: (@Sendable (_ done: Double) -> Void)?
    /// Called once on the calling thread, before the work starts, when the journal already
    /// holds finished items: with their work in the units of ``progress``. The `done` that
    /// ``progress`` reports includes it, so a display that shows a rate subtracts it: the
    /// journal's work took none of this run's time. `nil` for none.
    public var resumedWork: (@Sendable (_ done: Double) -> Void)?
    /// Called on the calling thread for each worker process that died and was replaced.
    public var workerDied: @Sendable (WorkerDeath) -> Void
    /// The journal file (``Journal``): finished items are recorded there, and a run given the
    /// journal of the same job runs only the items it lacks. `nil` for none.
    public var journal: String?
    /// Answer twice, independently, and fail unless both agree: the combinatorial method again
    /// with its tuning factor moved (as primecount's `--double-check`), the sieve by the
    /// combinatorial method.
    public var doubleCheck = false

    public init(
        stopOnSignals: Bool = false, progress: (@Sendable (_ done: Double) -> Void)? = nil,
        workerDied: @escaping @Sendable (WorkerDeath) -> Void = { _ in }, journal: String? = nil
    ) {
        self.init(
            stopOnSignals: stopOnSignals, fault: nil, progress: progress, workerDied: workerDied, journal: journal)
    }

    /// The same, with a test hook that makes a worker process die on a chosen chunk or item.
    package init(
        stopOnSignals: Bool = false, fault: FaultInjection?,
        progress: (@Sendable (_ done: Double) -> Void)? = nil,
        workerDied: @escaping @Sendable (WorkerDeath) -> Void = { _ in }, journal: String? = nil
    ) {
        self.journal = journal
        self.stopOnSignals = stopOnSignals
        self.fault = fault
        self.progress = progress
        self.workerDied = workerDied
    }
}
