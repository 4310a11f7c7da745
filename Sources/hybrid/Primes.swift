import ArgumentParser
import HybridKit
import HybridPresentation

/// `hybrid primes [FROM] TO`: the count and exact sum of the primes in a range.
struct Primes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "primes",
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

    @OptionGroup var compute: ComputeOptions

    @Option(help: "c or swift: who runs the sieve's hot loop.")
    var engine: EngineKind = .c

    @Flag(help: "Count only; skip the sum.")
    var countOnly = false

    @Flag(help: "Print the primes, one a line, and nothing else (serially, in constant memory).")
    var print = false

    @Option(help: "auto, sieve or combinatorial (pi(x) and prime sums in sub-linear time, its parts on the workers).")
    var method: PrimesMethod = .auto

    @Flag(help: "Answer twice, independently (the other method, or other parameters), and fail unless both agree.")
    var doubleCheck = false

    @OptionGroup var output: OutputOptions

    // Fault injection for the end-to-end tests: the worker process that takes this chunk kills
    // itself (once, or every time with --inject-fault-every-time).
    @Option(help: .hidden)
    var injectFaultChunk: Int?

    @Flag(help: .hidden)
    var injectFaultEveryTime = false

    /// What was asked, as the fast reader of ``PrimesRequest`` gives it too.
    var request: PrimesRequest {
        PrimesRequest(
            bounds: bounds, strategy: compute.strategy, workers: compute.workers, journal: compute.journal,
            engine: engine, countOnly: countOnly, print: print, method: method, doubleCheck: doubleCheck,
            json: output.json, noProgress: output.noProgress,
            progressDelay: output.progressDelay, injectFaultChunk: injectFaultChunk,
            injectFaultEveryTime: injectFaultEveryTime)
    }

    func validate() throws {
        if print, countOnly || output.json || compute.journal != nil {
            throw ValidationError("--print lists the primes alone: it takes no --count-only, --json or --journal")
        }
    }

    func run() throws {
        try request.run()
    }
}

extension PrimesRequest {
    /// Runs the request: the one path of `hybrid primes`, however its command line was read.
    func run() throws {
        let range = try parseRange()
        if print {
            try PrimeListing.write(range, engine: engine, to: .standardOutput)
            return
        }
        let workerCount = workers ?? strategy.defaultWorkers
        let job = PrimesJob(
            range: range, engine: engine, strategy: strategy, workers: workerCount, sum: !countOnly, method: method)
        let fault = injectFaultChunk.map { FaultInjection(item: $0, everyTime: injectFaultEveryTime) }
        let bar = ProgressBar(
            total: Double(range.upperBound - range.lowerBound), unit: "numbers", enabled: !noProgress,
            delay: progressDelay)
        defer { bar.finish() }
        var options = RunOptions(
            stopOnSignals: true, fault: fault, progress: bar.update(done:), workerDied: Hybrid.warnOfDeath,
            journal: journal)
        options.doubleCheck = doubleCheck
        options.resumedWork = bar.resume(done:)
        try Hybrid.startMPI(for: strategy)
        let outcome = try PrimesRunner.run(job, options: options)
        bar.finish()
        let report = outcome.report
        try FileHandleOutput.standardOutput.writeResult(json ? report.json() + "\n" : report.table())
    }

    private func parseRange() throws -> Range<UInt64> {
        if let option = UsageHints.firstOption(in: bounds) {
            throw UsageError(UsageHints.unknownOption(option, command: Primes.self))
        }
        let bounds = UsageHints.operands(bounds).operands
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
