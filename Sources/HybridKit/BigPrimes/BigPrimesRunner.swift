import CBigPrimes
import CSieve

/// Runs bigprimes workloads: a per-item map whose items differ in cost, so workers take one item
/// at a time on demand and the results come back in item order.
///
/// Every strategy runs CBigPrimes' `cbigprimes_work`: item i's slot is its prime, in decimal,
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
        let context = UnsafeMutablePointer<cbigprimes_work_context>.allocate(capacity: 1)
        context.initialize(
            to: cbigprimes_work_context(seed: job.seed, first_item: 0, bits: UInt32(job.bits), slot_bytes: slotBytes))
        defer { context.deallocate() }
        let map = ParallelMap(
            items: job.count, slotBytes: slotBytes, strategy: job.strategy, workers: job.workers,
            stopOnSignals: options.stopOnSignals, fault: options.fault)
        let progress = options.progress
        // Under MPI only rank 0 keeps a journal.
        let rank = job.strategy == .mpi ? try MPIRuntime.start().rank : 0
        let journal = try options.journal.flatMap { path in
            rank == 0 ? try MapJournal(path: path, job: job.journalJob(slotBytes: slotBytes)) : nil
        }
        let events = MapEvents(
            progress: progress.map { progress in { progress(Double($0)) } }, workerDied: options.workerDied)
        if let journal, journal.resumedItems > 0 { options.resumedWork?(Double(journal.resumedItems)) }
        let run = {
            try map.run(
                .calling(cbigprimes_work, context: UnsafeMutableRawPointer(context)),
                finished: journal?.finished,
                events: journal?.recording(events, grouped: job.strategy == .mpi) ?? events)
        }
        let slots = try journal?.stopping(itemsName: "primes", run) ?? run()
        try journal?.finish()
        let primes = (0..<job.count).map { item in
            String(decoding: slots.slot(item).prefix { $0 != 0 }, as: UTF8.self)
        }
        return BigPrimesOutcome(
            job: job, primes: primes, wallSeconds: stopwatch.wallSeconds, cpuSeconds: stopwatch.cpuSeconds)
    }
}
