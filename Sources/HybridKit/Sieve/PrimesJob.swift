/// A primes workload: the range, and how to run it.
public struct PrimesJob: Sendable, Equatable {
    /// The numbers to sieve, `[from, to)`.
    public var range: Range<UInt64>
    /// Who runs the hot loop.
    public var engine: EngineKind
    /// How chunks are spread over workers.
    public var strategy: ComputeStrategy
    /// How many workers (threads or processes) run at once.
    public var workers: Int
    /// Whether to sum the primes as well as count them.
    public var sum: Bool
    /// Sieve the range, answer it combinatorially, or let the cost model choose. The engine,
    /// strategy and workers are the sieve's; the combinatorial method runs on the calling thread.
    public var method: PrimesMethod

    public init(
        range: Range<UInt64>, engine: EngineKind = .c, strategy: ComputeStrategy = .serial, workers: Int = 1,
        sum: Bool = true, method: PrimesMethod = .sieve
    ) {
        self.range = range
        self.engine = engine
        self.strategy = strategy
        self.workers = workers
        self.sum = sum
        self.method = method
    }

    /// Checks what this build can run; throws a ``UsageError`` naming what it cannot.
    public func validate() throws(UsageError) {
        try strategy.validate(workers: workers)
    }
}

/// What a primes run found, what ran and what it cost.
public struct PrimesOutcome: Sendable, Equatable {
    /// The job as asked.
    public var job: PrimesJob
    /// The count and sum of the primes in the job's range.
    public var totals: PrimeTotals
    /// The method that answered: ``PrimesMethod/sieve`` or ``PrimesMethod/combinatorial``.
    public var method: PrimesMethod
    /// The strategy that ran: the job's, except that a job of one small chunk runs on the
    /// calling thread (``ComputeStrategy/serial``), since a fork or a thread would cost more than
    /// its sieving.
    public var strategy: ComputeStrategy
    /// The workers that ran (1 when ``strategy`` is serial).
    public var workers: Int
    /// Wall-clock seconds of this run: the earlier runs that filled a resumed journal are not in it.
    public var wallSeconds: Double
    /// CPU seconds of this run, this process and its workers.
    public var cpuSeconds: Double
    /// With a journal, the job's chunks and how many of them came from it; `nil` without one.
    public var journal: JournalUse? = nil
}
