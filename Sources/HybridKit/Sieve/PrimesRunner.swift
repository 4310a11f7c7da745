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
        let slots = try map.run(
            work.mapWork, finished: journal?.finished,
            events: journal?.recording(events, grouped: mapJob.strategy == .mpi) ?? events)
        try journal?.finish()
        return PrimesOutcome(
            job: job, totals: work.reduce(slots), strategy: mapJob.strategy, workers: mapJob.workers,
            wallSeconds: stopwatch.wallSeconds, cpuSeconds: stopwatch.cpuSeconds)
    }
}
