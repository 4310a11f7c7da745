import ArgumentParser
import HybridKit

/// `hybrid bigprimes --bits B --count K`: K probable primes of exactly B bits, in item order.
struct BigPrimes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bigprimes",
        abstract: "Make COUNT probable primes of exactly BITS bits (CPU-bound, uneven items).",
        discussion: """
            Item i's prime depends only on BITS, SEED and i, so every strategy and worker count \
            prints the same primes in the same order.
            """
    )

    @Option(help: "Bits in each prime, 2 to 65536.")
    var bits: Int

    @Option(help: "How many primes, 1 to 1000000.")
    var count: Int

    @Option(help: "The seed that, with each item's index, decides its prime.")
    var seed: UInt64 = 1

    @Option(help: "serial, threads, processes or mpi (under mpirun; needs a build with --traits MPI).")
    var strategy: ComputeStrategy = .processes

    @Option(
        help:
            "Workers (threads or processes; mpi: threads per rank) running at once (default: one per core; serial: 1).")
    var workers: Int?

    @Option(
        help: ArgumentHelp(
            "Record each finished prime in FILE (fsync'd); the same command again resumes where it stopped.",
            valueName: "FILE"))
    var journal: String?

    @Flag(help: "Print one JSON object with the primes as decimal strings.")
    var json = false

    @Flag(help: "Never draw a progress bar (it is drawn only on a terminal anyway).")
    var noProgress = false

    func run() throws {
        let workerCount = workers ?? strategy.defaultWorkers
        let job = BigPrimesJob(bits: bits, count: count, seed: seed, strategy: strategy, workers: workerCount)
        let bar = ProgressBar(total: Double(count), unit: "primes", enabled: !noProgress)
        defer { bar.finish() }
        let options = RunOptions(
            stopOnSignals: true, progress: bar.update(done:), workerDied: Hybrid.warnOfDeath, journal: journal)
        try Hybrid.startMPI(for: strategy)
        let outcome = try Hybrid.runReportingFailures { try BigPrimesRunner.run(job, options: options) }
        bar.finish()
        FileHandleOutput.standardOutput.write(json ? outcome.json.serialized() + "\n" : outcome.lines)
    }
}
