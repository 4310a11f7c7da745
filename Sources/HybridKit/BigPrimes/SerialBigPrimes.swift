/// The serial strategy for bigprimes: every item, in order, on the calling thread.
enum SerialBigPrimes {
    static func run(_ job: BigPrimesJob, progress: ProgressBar, stopOnSignals: Bool) throws -> [String] {
        var signals = StopSignals(active: stopOnSignals)
        var primes: [String] = []
        primes.reserveCapacity(job.count)
        for item in 0..<job.count {
            if let signal = signals.poll() { throw RunInterrupted(signal: signal) }
            primes.append(BigPrime.generate(bits: job.bits, seed: job.seed, item: UInt64(item)))
            progress.update(done: Double(item + 1))
        }
        return primes
    }
}
