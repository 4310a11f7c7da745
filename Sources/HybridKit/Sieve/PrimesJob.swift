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

    public init(
        range: Range<UInt64>, engine: EngineKind = .c, strategy: ComputeStrategy = .serial, workers: Int = 1,
        sum: Bool = true
    ) {
        self.range = range
        self.engine = engine
        self.strategy = strategy
        self.workers = workers
        self.sum = sum
    }

    /// Checks what this build can run; throws a ``UsageError`` naming what it cannot.
    public func validate() throws(UsageError) {
        try strategy.validate(workers: workers)
    }
}

/// What a primes run found and what it cost.
public struct PrimesOutcome: Sendable, Equatable {
    public var job: PrimesJob
    public var totals: PrimeTotals
    public var wallSeconds: Double
    public var cpuSeconds: Double
}
