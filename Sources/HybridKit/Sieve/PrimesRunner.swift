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
        let plan = ChunkPlan(range: job.range, workers: job.workers)
        let work = try PrimesWork(job: job, plan: plan)
        let map = ParallelMap(
            items: plan.count, slotBytes: PrimesWork.slotBytes, strategy: job.strategy, workers: job.workers,
            stopOnSignals: options.stopOnSignals, fault: options.fault)
        let progress = options.progress
        let slots = try map.run(
            work.mapWork,
            events: MapEvents(
                progress: progress.map { progress in { progress(work.numbersDone(items: $0)) } },
                workerDied: { death in
                    var death = death
                    death.itemName = "chunk"
                    options.workerDied(death)
                }))
        return PrimesOutcome(
            job: job, totals: work.reduce(slots), wallSeconds: stopwatch.wallSeconds, cpuSeconds: stopwatch.cpuSeconds)
    }
}
