import HybridKit

/// The per-item CPU-bound workload in a sweep: `count` probable primes of `bits` bits, serially,
/// on threads and forked processes, and on mpi ranks when this build has MPI and `mpirun` is on
/// the `PATH`. Every run must print the same primes in the same order;
/// the answer it is held to is their count and a digest of their digits.
package final class BigPrimesBench: BenchWorkload {
    package let name = "bigprimes"
    package let bits: Int
    package let count: Int
    package let seed: UInt64
    /// Take SIGINT and SIGTERM as a request to stop (see ``RunOptions/stopOnSignals``).
    package var stopOnSignals: Bool
    /// Hears of each worker process that died and was replaced (see ``RunOptions/workerDied``).
    package var workerDied: @Sendable (WorkerDeath) -> Void = { _ in }

    /// `mpirun`, when this build has MPI and it is on the `PATH`: the mpi strategy's rows.
    private let mpirun: MPIBenchLauncher?

    package init(bits: Int, count: Int, seed: UInt64 = 1, stopOnSignals: Bool = false) {
        self.bits = bits
        self.count = count
        self.seed = seed
        self.stopOnSignals = stopOnSignals
        self.mpirun = MPIBenchLauncher.find()
    }

    package var description: String { "\(count) probable primes of \(bits) bits (GMP)" }

    package func cases(workers: [Int]) -> [BenchCase] {
        var cases = [strategyCase(.serial, workers: 1)]
        for strategy in [ComputeStrategy.threads, .processes] {
            for count in workers { cases.append(strategyCase(strategy, workers: count)) }
        }
        if let mpirun {
            for count in workers { cases.append(mpiCase(mpirun, ranks: count)) }
        }
        return cases
    }

    /// `mpirun -np RANKS hybrid bigprimes --bits B --count K --seed S --strategy mpi --workers 1`:
    /// held to the same primes, in the same order, as the other rows.
    private func mpiCase(_ mpirun: MPIBenchLauncher, ranks: Int) -> BenchCase {
        let command = ["bigprimes", "--bits", String(bits), "--count", String(count), "--seed", String(seed)]
        return BenchCase(workload: name, strategy: "mpi", engine: "gmp", workers: ranks, phase: .peers) {
            let outcome = try mpirun.run(ranks: ranks, command)
            let primes = outcome.output.split(separator: "\n").map(String.init)
            return BenchMeasurement(
                wallSeconds: outcome.wallSeconds, cpuSeconds: outcome.cpuSeconds,
                answer: BenchAnswer(
                    count: UInt64(primes.count), sum: Self.digest(primes), failed: outcome.status == 0 ? 0 : 1))
        }
    }

    private func strategyCase(_ strategy: ComputeStrategy, workers: Int) -> BenchCase {
        let job = BigPrimesJob(bits: bits, count: count, seed: seed, strategy: strategy, workers: workers)
        let options = RunOptions(stopOnSignals: stopOnSignals, workerDied: workerDied)
        return BenchCase(
            workload: name, strategy: strategy.rawValue, engine: "gmp", workers: workers,
            phase: strategy == .processes ? .forks : .inProcess
        ) {
            let outcome = try BigPrimesRunner.run(job, options: options)
            return BenchMeasurement(
                wallSeconds: outcome.wallSeconds, cpuSeconds: outcome.cpuSeconds,
                answer: BenchAnswer(count: UInt64(outcome.primes.count), sum: Self.digest(outcome.primes)))
        }
    }

    /// FNV-1a over the primes' digits, newline-separated: equal exactly when the lists are
    /// (barring a 2^-64 accident), which is what "the same output" means here.
    static func digest(_ primes: [String]) -> UInt128 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for prime in primes {
            for byte in prime.utf8 + [10] {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
        }
        return UInt128(hash)
    }

    package func describe(_ answer: BenchAnswer) -> String {
        let digest = answer.sum.map { String(UInt64(truncatingIfNeeded: $0), radix: 16) } ?? "?"
        return "\(answer.count.map(groupedDigits) ?? "?") primes of \(bits) bits, digest \(digest)"
    }
}
