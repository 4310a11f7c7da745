import CSieve

/// Runs bigprimes workloads: a per-item map whose items differ in cost, so workers take one item
/// at a time on demand and the results come back in item order.
///
/// Every strategy runs CSieve's `csieve_bigprimes_work`: item i's slot is its prime, in decimal,
/// NUL-terminated. GMP keeps no global state, so threads run it in parallel with no lock, and
/// forked workers run C alone whatever threads the program has.
public enum BigPrimesRunner {
    /// Runs `job` on its strategy's workers.
    ///
    /// Throws ``UsageError`` for a job out of bounds, ``PoolError`` when its workers fail,
    /// and ``RunInterrupted`` when `options.stopOnSignals` and a signal stopped it.
    public static func run(_ job: BigPrimesJob, options: RunOptions = RunOptions()) throws -> BigPrimesOutcome {
        try job.validate()
        let stopwatch = Stopwatch()
        let slotBytes = BigPrime.maximumDigits(bits: job.bits) + 1
        let context = UnsafeMutablePointer<csieve_bigprimes>.allocate(capacity: 1)
        context.initialize(
            to: csieve_bigprimes(seed: job.seed, first_item: 0, bits: UInt32(job.bits), slot_bytes: slotBytes))
        defer { context.deallocate() }
        let map = ParallelMap(
            items: job.count, slotBytes: slotBytes, strategy: job.strategy, workers: job.workers,
            stopOnSignals: options.stopOnSignals, fault: options.fault)
        let progress = options.progress
        let slots = try map.run(
            .calling(csieve_bigprimes_work, context: UnsafeMutableRawPointer(context)),
            events: MapEvents(
                progress: progress.map { progress in { progress(Double($0)) } }, workerDied: options.workerDied))
        let primes = (0..<job.count).map { item in
            String(decoding: slots.slot(item).prefix { $0 != 0 }, as: UTF8.self)
        }
        return BigPrimesOutcome(
            job: job, primes: primes, wallSeconds: stopwatch.wallSeconds, cpuSeconds: stopwatch.cpuSeconds)
    }
}
