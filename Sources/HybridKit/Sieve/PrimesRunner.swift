/// Runs primes workloads.
public enum PrimesRunner {
    /// Runs `job`: cuts its range into chunks and hands them to the parallel map.
    ///
    /// Throws ``UsageError`` for a job this build cannot run, ``SieveError`` when the sieve
    /// fails, ``PoolError`` when its workers do, and ``RunInterrupted`` when
    /// `options.stopOnSignals` and a signal stopped it.
    public static func run(_ job: PrimesJob, options: RunOptions = RunOptions()) throws -> PrimesOutcome {
        try job.validate()
        let stopwatch = Stopwatch()
        let method = try resolve(job, options: options)
        if method == .combinatorial {
            let spread = combinatorialWorkers(job)
            let totals = try combinatorialTotals(
                job.range, sum: job.sum, spread: spread, stopOnSignals: options.stopOnSignals)
            if options.doubleCheck {
                let second = try combinatorialTotals(
                    job.range, alpha: moved, sum: job.sum, spread: spread, stopOnSignals: options.stopOnSignals)
                try check(totals, against: second, job: job)
            }
            return PrimesOutcome(
                job: job, totals: totals, method: .combinatorial, strategy: spread.strategy, workers: spread.workers,
                wallSeconds: stopwatch.wallSeconds, cpuSeconds: stopwatch.cpuSeconds)
        }
        // Under MPI the chunks are planned for every thread of every rank; only rank 0 keeps a journal.
        let place = job.strategy == .mpi ? try MPIRuntime.start() : nil
        var plan =
            place.map { ChunkPlan.mpi(range: job.range, workers: job.workers * $0.ranks) }
            ?? ChunkPlan(range: job.range, workers: job.workers)
        let journal = try options.journal.flatMap { path in
            place?.rank ?? 0 == 0 ? try MapJournal(path: path, job: job.journalJob(plan: plan)) : nil
        }
        // A resumed run keeps the chunks the journal began with, whatever the workers now.
        if let width = journal?.job.geometry("chunk_width").flatMap(UInt64.init) {
            plan = ChunkPlan(range: job.range, chunkWidth: width)
        }
        if place != nil {
            plan = ChunkPlan(range: job.range, chunkWidth: try MPIRuntime.agree(on: plan.chunkWidth))
        }
        // A small job of one chunk has nothing to spread: it runs on the calling thread, as
        // primesieve runs a small range, rather than paying a fork (or a thread) that costs more
        // than its sieving. Its outcome says what ran, and what was asked. Only small ones: a
        // worker process answers Ctrl-C at once, the calling thread only between chunks.
        // Injected faults need the real workers.
        var mapJob = job
        if plan.count == 1, plan.range.count <= 1 << 24, plan.range.upperBound <= 1 << 48, place == nil,
            options.fault == nil
        {
            mapJob.strategy = .serial
            mapJob.workers = 1
        }
        let work = try PrimesWork(job: mapJob, plan: plan)
        let map = ParallelMap(
            items: plan.count, slotBytes: PrimesWork.slotBytes, strategy: mapJob.strategy, workers: mapJob.workers,
            stopOnSignals: options.stopOnSignals, fault: options.fault)
        let progress = options.progress
        let events = MapEvents(
            progress: progress.map { progress in { progress(work.numbersDone(items: $0)) } },
            workerDied: { death in
                var death = death
                death.itemName = "chunk"
                options.workerDied(death)
            })
        if let journal, journal.resumedItems > 0 {
            options.resumedWork?(work.numbersDone(items: journal.resumedItems))
        }
        let run = {
            try map.run(
                work.mapWork, finished: journal?.finished,
                events: journal?.recording(events, grouped: mapJob.strategy == .mpi) ?? events)
        }
        let slots = try journal?.stopping(itemsName: "chunks", run) ?? run()
        try journal?.finish()
        let totals = work.reduce(slots)
        if options.doubleCheck {
            let second = try combinatorialTotals(
                job.range, sum: job.sum, spread: combinatorialWorkers(job), stopOnSignals: options.stopOnSignals)
            try check(totals, against: second, job: job)
        }
        return PrimesOutcome(
            job: job, totals: totals, method: .sieve, strategy: mapJob.strategy, workers: mapJob.workers,
            wallSeconds: stopwatch.wallSeconds, cpuSeconds: stopwatch.cpuSeconds,
            journal: journal.map { JournalUse(path: $0.journal.path, items: plan.count, resumedItems: $0.resumedItems) }
        )
    }

    /// The method that answers `job`: its own, or for ``PrimesMethod/auto`` the cost model's,
    /// except that a journal, injected faults, the Swift engine and mpi ask for the sieve.
    static func resolve(_ job: PrimesJob, options: RunOptions) throws(UsageError) -> PrimesMethod {
        switch job.method {
        case .sieve: return .sieve
        case .combinatorial:
            guard options.journal == nil else {
                throw UsageError("the combinatorial method keeps no journal: use --method sieve with --journal")
            }
            guard job.strategy != .mpi else {
                throw UsageError(
                    "the combinatorial method runs on threads or processes, not under mpi: use --method sieve")
            }
            return .combinatorial
        case .auto:
            if options.journal != nil || options.fault != nil || job.engine == .swift || job.strategy == .mpi {
                return .sieve
            }
            return PrimesMethod.choice(for: job)
        }
    }

    /// A second tuning factor for a double check: far enough from the default to move y.
    static let moved = 3.0

    /// The smallest prefix whose combinatorial parts are spread over workers: below it one
    /// thread answers in under about 50 ms, less than spreading would save.
    static let spreadFrom: UInt64 = 100_000_000_000

    /// Who computes a combinatorial job's parts: the job's threads or processes when it has
    /// several workers and a prefix worth spreading, else the calling thread.
    static func combinatorialWorkers(_ job: PrimesJob) -> (strategy: ComputeStrategy, workers: Int) {
        guard job.workers > 1, job.strategy == .threads || job.strategy == .processes,
            job.range.upperBound > spreadFrom
        else { return (.serial, 1) }
        return (job.strategy, job.workers)
    }

    /// The totals of `[from, to)` as the difference of two combinatorial prefixes, each on
    /// `spread`'s workers; with `sum` false the count alone, by the engine's count-only mode.
    static func combinatorialTotals(
        _ range: Range<UInt64>, alpha: Double? = nil, sum: Bool = true,
        spread: (strategy: ComputeStrategy, workers: Int) = (.serial, 1), stopOnSignals: Bool = false
    ) throws -> PrimeTotals {
        func prefix(_ x: UInt64) throws -> PrimeTotals {
            guard spread.workers > 1, x >= spreadFrom else {
                return try CombinatorialEngine.totals(upTo: x, alpha: alpha, sum: sum)
            }
            return try CombinatorialEngine.totals(
                upTo: x, alpha: alpha, sum: sum, strategy: spread.strategy, workers: spread.workers,
                stopOnSignals: stopOnSignals)
        }
        guard range.upperBound > 0 else { return sum ? .zero : PrimeTotals(count: 0, sum: nil) }
        let upper = try prefix(range.upperBound - 1)
        guard range.lowerBound > 1 else { return upper }
        let lower = try prefix(range.lowerBound - 1)
        // Wrapping: the true difference is a count and sum of a range, which fits.
        let difference = sum ? (upper.sum ?? 0) &- (lower.sum ?? 0) : nil
        return PrimeTotals(count: upper.count &- lower.count, sum: difference)
    }

    /// Throws ``DoubleCheckFailure`` unless the two answers agree (on the count alone when
    /// only counting was asked for).
    static func check(_ first: PrimeTotals, against second: PrimeTotals, job: PrimesJob) throws(DoubleCheckFailure) {
        let agree = first.count == second.count && (!job.sum || first.sum == second.sum)
        guard agree else { throw DoubleCheckFailure(range: job.range, first: first, second: second) }
    }
}
