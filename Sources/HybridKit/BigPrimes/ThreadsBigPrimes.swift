import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The threads strategy for bigprimes: one pthread per worker, each taking the next item from
/// one shared atomic counter, as the sieve's ``ThreadsStrategy`` takes chunks.
///
/// GMP keeps no global state, so the threads run in parallel with no lock between them.
enum ThreadsBigPrimes {
    /// What the threads share: the counter, the per-item results and the stop flag.
    private final class Shared: @unchecked Sendable {
        let job: BigPrimesJob
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        /// Item i's prime, written only by the thread that took item i.
        let primes: UnsafeMutableBufferPointer<String>

        init(job: BigPrimesJob) {
            self.job = job
            primes = .allocate(capacity: job.count)
            primes.initialize(repeating: "")
        }

        deinit {
            primes.deinitialize()
            primes.deallocate()
        }

        /// One worker's loop.
        func work() {
            while !stop.load(ordering: .relaxed) {
                let item = next.add(1, ordering: .relaxed).oldValue
                guard item < job.count else { break }
                primes[item] = BigPrime.generate(bits: job.bits, seed: job.seed, item: UInt64(item))
                done.add(1, ordering: .relaxed)
            }
        }
    }

    static func run(_ job: BigPrimesJob, progress: ProgressBar, stopOnSignals: Bool) throws -> [String] {
        let shared = Shared(job: job)
        // Blocked here before the threads start, so they inherit the mask and only this thread waits.
        var signals = StopSignals(active: stopOnSignals)
        let interruption = WorkerThreads.supervise(
            Array(repeating: { shared.work() }, count: job.workers), signals: &signals,
            progress: { progress.update(done: Double(shared.done.load(ordering: .relaxed))) },
            stop: { shared.stop.store(true, ordering: .relaxed) })
        if let interruption { throw RunInterrupted(signal: interruption) }
        return Array(shared.primes)
    }
}
