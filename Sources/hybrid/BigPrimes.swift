import ArgumentParser
import HybridKit
import HybridPresentation

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

    @Option(parsing: .unconditional, help: "Bits in each prime, 2 to 65536.")
    var bits: Int

    @Option(parsing: .unconditional, help: "How many primes, 1 to 1000000.")
    var count: Int

    @Option(help: "The seed that, with each item's index, decides its prime.")
    var seed: UInt64 = 1

    @OptionGroup var compute: ComputeOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        try usageChecked {
            try BigPrimesJob(
                bits: bits, count: count, seed: seed, strategy: compute.strategy, workers: compute.workerCount
            ).validate()
        }
    }

    func run() throws {
        let job = BigPrimesJob(
            bits: bits, count: count, seed: seed, strategy: compute.strategy, workers: compute.workerCount)
        let bar = output.progressBar(total: Double(count), unit: "primes")
        defer { bar.finish() }
        var options = RunOptions(
            stopOnSignals: true, progress: bar.update(done:), workerDied: Hybrid.warnOfDeath, journal: compute.journal)
        options.resumedWork = bar.resume(done:)
        try Hybrid.startMPI(for: compute.strategy)
        let outcome = try BigPrimesRunner.run(job, options: options)
        bar.finish()
        try FileHandleOutput.standardOutput.writeResult(
            output.json ? outcome.json.serialized() + "\n" : outcome.lines)
    }
}
