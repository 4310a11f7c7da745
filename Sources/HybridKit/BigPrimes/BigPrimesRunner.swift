/// Runs bigprimes workloads: a per-item map whose items differ in cost, so workers take one item
/// at a time on demand and the results come back in item order.
public enum BigPrimesRunner {
    /// Runs `job` on its strategy's workers.
    ///
    /// Throws ``UsageError`` for a job out of bounds, ``BigPrimesError`` when its workers fail,
    /// and ``RunInterrupted`` when `options.stopOnSignals` and a signal stopped it.
    public static func run(_ job: BigPrimesJob, options: RunOptions = RunOptions()) throws -> BigPrimesOutcome {
        try job.validate()
        let bar = ProgressBar(total: Double(job.count), unit: "primes", enabled: options.progress)
        defer { bar.finish() }
        let stopwatch = Stopwatch()
        let primes: [String]
        switch job.strategy {
        case .threads:
            primes = try ThreadsBigPrimes.run(job, progress: bar, stopOnSignals: options.stopOnSignals)
        case .processes:
            primes = try ProcessesBigPrimes.run(
                job, progress: bar, stopOnSignals: options.stopOnSignals,
                fault: options.fault, warn: options.warn)
        default:
            primes = try SerialBigPrimes.run(job, progress: bar, stopOnSignals: options.stopOnSignals)
        }
        return BigPrimesOutcome(
            job: job, primes: primes, wallSeconds: stopwatch.wallSeconds,
            cpuSeconds: stopwatch.cpuSeconds)
    }
}
