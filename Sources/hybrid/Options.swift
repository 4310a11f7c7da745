import ArgumentParser
import HybridKit
import HybridPresentation

extension ComputeStrategy: ExpressibleByArgument {}
extension EngineKind: ExpressibleByArgument {}
extension PrimesMethod: ExpressibleByArgument {}

/// `--strategy` and `--workers` of the CPU-bound commands (primes, bigprimes), declared and
/// checked once.
struct ComputeOptions: ParsableArguments {
    @Option(help: "serial, threads, processes or mpi (under mpirun; needs a build with --traits MPI).")
    var strategy: ComputeStrategy = .processes

    // Unconditional, so that `--workers -1` is read as a number and refused as one, rather
    // than taken for an option ("Missing value").
    @Option(
        parsing: .unconditional,
        help: "Workers (threads or processes; mpi: threads per rank) at once (default: one per core; serial: 1).")
    var workers: Int?

    @Option(
        help: ArgumentHelp(
            "Record each finished item in FILE (fsync'd); the same command again resumes where it stopped.",
            valueName: "FILE"))
    var journal: String?

    /// The worker count asked for, or the strategy's default.
    var workerCount: Int { workers ?? strategy.defaultWorkers }

    func validate() throws {
        try usageChecked { try strategy.validate(workers: workerCount) }
    }
}

/// `--json` and `--no-progress`, declared once for every command that reports a run.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @Flag(help: "Never draw progress (it is drawn only on a terminal anyway).")
    var noProgress = false

    // Seconds before the progress bar first draws; the tests shorten it so that a bar that
    // should not be drawn would be.
    @Option(help: .hidden)
    var progressDelay: Double = 1

    /// The `--progress-delay` values taken, in seconds (NaN is in no range).
    static let progressDelays: ClosedRange<Double> = 0...3600

    func validate() throws {
        guard Self.progressDelays.contains(progressDelay) else {
            throw ValidationError("--progress-delay must lie in 0...3600 seconds")
        }
    }
}

extension OutputOptions {
    /// The progress bar these options ask for (drawn only when standard error is a terminal).
    func progressBar(total: Double, unit: String) -> ProgressBar {
        ProgressBar(total: total, unit: unit, enabled: !noProgress, delay: progressDelay)
    }
}

/// `--urls` and `--latency`: the load the fetch half of the lesson and of `hybrid bench` puts
/// on the embedded server, declared and bounded once.
struct FetchLoadOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "fetch: how many URLs (1 to 1000000).")
    var urls = 100

    @Option(parsing: .unconditional, help: "fetch: milliseconds each answer waits (0 to 600000).")
    var latency = 50

    func validate() throws {
        guard (1...1_000_000).contains(urls) else {
            throw ValidationError("--urls must lie in 1...1000000, got \(urls)")
        }
        guard (0...600_000).contains(latency) else {
            throw ValidationError("--latency must lie in 0...600000 milliseconds, got \(latency)")
        }
    }
}

/// `--busy-reruns` of `hybrid bench` and the lesson.
struct BusyRerunOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: "How many more times a run that got clearly less than its cores is run (0 to 10).")
    var busyReruns = BenchSweep.defaultBusyReruns

    func validate() throws {
        guard (0...10).contains(busyReruns) else {
            throw ValidationError("--busy-reruns must lie in 0...10, got \(busyReruns)")
        }
    }
}

/// Runs checks that throw ``UsageError`` inside `validate()`, where ArgumentParser wants a
/// `ValidationError` to report bad input as such.
func usageChecked(_ checks: () throws -> Void) throws {
    do { try checks() } catch let error as UsageError { throw ValidationError(error.message) }
}
