/// How a bigprimes run behaves around its work, beyond what the job says.
public struct BigPrimesRunOptions: Sendable {
    /// Draw a progress bar on standard error when it is a terminal.
    public var progress: Bool
    /// Take SIGINT and SIGTERM as a request to stop: workers end and are reaped, and the run
    /// throws ``RunInterrupted``. Meant for programs that own the process, like the command line.
    public var stopOnSignals: Bool
    /// A test hook that makes a processes-strategy worker die on a chosen item
    /// (``FaultInjection/chunk`` names the item).
    public var fault: FaultInjection?
    /// Where warnings go (a worker died, its item re-runs): one line each, without a newline.
    public var warn: @Sendable (String) -> Void

    public init(progress: Bool = false, stopOnSignals: Bool = false, fault: FaultInjection? = nil,
                warn: @escaping @Sendable (String) -> Void = { FileHandleOutput.standardError.write("hybrid: warning: \($0)\n") }) {
        self.progress = progress
        self.stopOnSignals = stopOnSignals
        self.fault = fault
        self.warn = warn
    }
}

/// Runs bigprimes workloads: a per-item map whose items differ in cost, so workers take one item
/// at a time on demand and the results come back in item order.
public enum BigPrimesRunner {
    /// Runs `job` on its strategy's workers.
    ///
    /// Throws ``UsageError`` for a job out of bounds, ``BigPrimesError`` when its workers fail,
    /// and ``RunInterrupted`` when `options.stopOnSignals` and a signal stopped it.
    public static func run(_ job: BigPrimesJob, options: BigPrimesRunOptions = BigPrimesRunOptions()) throws -> BigPrimesOutcome {
        try job.validate()
        let bar = ProgressBar(total: Double(job.count), unit: "primes", enabled: options.progress)
        defer { bar.finish() }
        let stopwatch = Stopwatch()
        let primes: [String]
        switch job.strategy {
        case .threads:
            primes = try ThreadsBigPrimes.run(job, progress: bar, stopOnSignals: options.stopOnSignals)
        case .processes:
            primes = try ProcessesBigPrimes.run(job, progress: bar, stopOnSignals: options.stopOnSignals,
                                                fault: options.fault, warn: options.warn)
        default:
            primes = try SerialBigPrimes.run(job, progress: bar, stopOnSignals: options.stopOnSignals)
        }
        return BigPrimesOutcome(job: job, primes: primes, wallSeconds: stopwatch.wallSeconds,
                                cpuSeconds: stopwatch.cpuSeconds)
    }
}
