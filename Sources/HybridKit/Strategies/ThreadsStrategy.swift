import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The threads strategy: one pthread per worker, each with its own engine, pulling the next
/// chunk from one shared atomic counter until none are left.
///
/// There is no interpreter lock here: the threads sieve in parallel whichever engine runs.
enum ThreadsStrategy {
    /// What the threads share: the counter, the per-chunk results and the first failure.
    private final class Shared: @unchecked Sendable {
        let plan: ChunkPlan
        let sum: Bool
        let next = Atomic<Int>(0)
        let numbersDone = Atomic<UInt64>(0)
        let stop = Atomic<Bool>(false)
        /// Chunk i's totals, written only by the thread that took chunk i.
        let results: UnsafeMutableBufferPointer<PrimeTotals>
        private let failureLock = Mutex<SieveError?>(nil)

        init(plan: ChunkPlan, sum: Bool) {
            self.plan = plan
            self.sum = sum
            results = .allocate(capacity: plan.count)
            results.initialize(repeating: .zero)
        }

        deinit { results.deallocate() }

        var failure: SieveError? { failureLock.withLock { $0 } }

        func fail(_ error: SieveError) {
            failureLock.withLock { if $0 == nil { $0 = error } }
            stop.store(true, ordering: .relaxed)
        }

        /// One worker's loop.
        func work(engine: any SieveEngine) {
            while !stop.load(ordering: .relaxed) {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < plan.count else { break }
                let chunk = plan.chunk(index)
                do {
                    results[index] = try engine.totals(in: chunk, sum: sum)
                } catch {
                    fail(error)
                    break
                }
                numbersDone.add(chunk.upperBound - chunk.lowerBound, ordering: .relaxed)
            }
        }
    }

    static func run(_ job: PrimesJob, plan: ChunkPlan, progress: ProgressBar, stopOnSignals: Bool) throws -> PrimeTotals
    {
        // Everything is allocated before the first thread starts.
        let engines = try (0..<job.workers).map { _ throws(SieveError) in try job.engine.makeEngine() }
        let shared = Shared(plan: plan, sum: job.sum)
        // Blocked here before the threads start, so they inherit the mask and only this thread waits.
        var signals = StopSignals(active: stopOnSignals)
        let interruption = WorkerThreads.supervise(
            engines.map { engine in { shared.work(engine: engine) } }, signals: &signals,
            progress: { progress.update(done: Double(shared.numbersDone.load(ordering: .relaxed))) },
            stop: { shared.stop.store(true, ordering: .relaxed) })
        if let interruption { throw RunInterrupted(signal: interruption) }
        if let failure = shared.failure { throw failure }
        return shared.results.reduce(.zero, +)
    }
}
