import ArgumentParser
import HybridKit

/// `hybrid primes [FROM] TO`: the count and exact sum of the primes in a range.
struct Primes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count and sum the primes in [FROM, TO) (CPU-bound).",
        discussion: """
            Numbers may be written 1000000, 1_000_000, 1e6, 2^32, 10^9 or 2^64-1. \
            The largest TO is 2^64-1.
            """
    )

    // Collects unrecognized words too, so that "-5" is reported as a negative number
    // rather than as an unknown option.
    @Argument(parsing: .allUnrecognized, help: "TO, or FROM TO: the primes in [FROM, TO); FROM defaults to 0.")
    var bounds: [String]

    @Option(help: "serial, threads, processes or mpi (under mpirun; needs a build with --traits MPI).")
    var strategy: ComputeStrategy = .processes

    @Option(
        help:
            "Workers (threads or processes; mpi: threads per rank) running at once (default: one per core; serial: 1).")
    var workers: Int?

    @Option(
        help: ArgumentHelp(
            "Record each finished chunk in FILE (fsync'd); the same command again resumes where it stopped.",
            valueName: "FILE"))
    var journal: String?

    @Option(help: "c or swift: who runs the sieve's hot loop.")
    var engine: EngineKind = .c

    @Flag(help: "Print the run report as one JSON object.")
    var json = false

    @Flag(help: "Count only; skip the sum.")
    var countOnly = false

    @Flag(help: "Never draw a progress bar (it is drawn only on a terminal anyway).")
    var noProgress = false

    // Fault injection for the end-to-end tests: the worker process that takes this chunk kills
    // itself (once, or every time with --inject-fault-every-time).
    @Option(help: .hidden)
    var injectFaultChunk: Int?

    @Flag(help: .hidden)
    var injectFaultEveryTime = false

    func run() throws {
        let range = try parseRange()
        let workerCount = workers ?? strategy.defaultWorkers
        let job = PrimesJob(range: range, engine: engine, strategy: strategy, workers: workerCount, sum: !countOnly)
        let fault = injectFaultChunk.map { FaultInjection(item: $0, everyTime: injectFaultEveryTime) }
        let bar = ProgressBar(
            total: Double(range.upperBound - range.lowerBound), unit: "numbers", enabled: !noProgress)
        defer { bar.finish() }
        let options = RunOptions(
            stopOnSignals: true, fault: fault, progress: bar.update(done:), workerDied: Hybrid.warnOfDeath,
            journal: journal)
        try Hybrid.startMPI(for: strategy)
        let outcome = try Hybrid.runReportingFailures { try PrimesRunner.run(job, options: options) }
        bar.finish()
        let report = outcome.report
        FileHandleOutput.standardOutput.write(json ? report.json() + "\n" : report.table())
    }

    private func parseRange() throws -> Range<UInt64> {
        if let option = bounds.first(where: { $0.hasPrefix("-") && !($0.dropFirst().first?.isNumber ?? false) }) {
            throw UsageError("unknown option '\(option)'")
        }
        switch bounds.count {
        case 1:
            return 0..<(try NumberExpression.parse(bounds[0]))
        case 2:
            let from = try NumberExpression.parse(bounds[0])
            let to = try NumberExpression.parse(bounds[1])
            guard from <= to else { throw UsageError("FROM (\(bounds[0])) is above TO (\(bounds[1]))") }
            return from..<to
        default:
            throw UsageError("expected TO or FROM TO, got \(bounds.count) numbers")
        }
    }
}

extension ComputeStrategy: ExpressibleByArgument {}
extension EngineKind: ExpressibleByArgument {}
