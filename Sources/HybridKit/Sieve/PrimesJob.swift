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

    /// The run report: the same fields as a table or as JSON. Big numbers are decimal strings in JSON.
    public var report: RunReport {
        let range = job.range
        var fields: [RunReport.Field] = [
            .init("from", json: .string(String(range.lowerBound)), text: groupedDigits(range.lowerBound)),
            .init("to", json: .string(String(range.upperBound)), text: groupedDigits(range.upperBound)),
            .init("count", json: .unsigned(totals.count), text: groupedDigits(totals.count)),
        ]
        if let sum = totals.sum {
            fields.append(.init("sum", json: .string(String(sum)), text: groupedDigits(sum)))
        } else {
            fields.append(.init("sum", json: .null, text: "not computed (--count-only)"))
        }
        fields += [
            .init("engine", json: .string(job.engine.rawValue), text: job.engine.rawValue),
            .init("strategy", json: .string(job.strategy.rawValue), text: job.strategy.rawValue),
            .init("workers", json: .integer(Int64(job.workers)), text: String(job.workers)),
        ]
        // Under mpi, workers are each rank's threads.
        if job.strategy == .mpi, let place = MPIRuntime.place {
            fields.append(.init("ranks", json: .integer(Int64(place.ranks)), text: String(place.ranks)))
        }
        fields += [
            .seconds("seconds", wallSeconds),
            .seconds("cpu_seconds", cpuSeconds),
        ]
        return RunReport(fields: fields)
    }
}
