#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

/// The threads strategy: one pthread per worker, each with its own engine, pulling the next
/// chunk from one shared atomic counter until none are left.
///
/// There is no interpreter lock here: the threads sieve in parallel whichever engine runs.
enum ThreadsStrategy {
    /// What the threads share: the counter, the per-chunk results and the first failure.
    final class Shared: @unchecked Sendable {
        let plan: ChunkPlan
        let sum: Bool
        let engines: [any SieveEngine]
        let next = Atomic<Int>(0)
        let finishedThreads = Atomic<Int>(0)
        let numbersDone = Atomic<UInt64>(0)
        let stop = Atomic<Bool>(false)
        /// Chunk i's totals, written only by the thread that took chunk i.
        let results: UnsafeMutableBufferPointer<PrimeTotals>
        private let failureLock = Mutex<SieveError?>(nil)

        init(plan: ChunkPlan, sum: Bool, engines: [any SieveEngine]) {
            self.plan = plan
            self.sum = sum
            self.engines = engines
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
            finishedThreads.add(1, ordering: .releasing)
        }
    }

    /// A worker thread's start: which engine to use, and the shared state.
    private final class Start {
        let shared: Shared
        let engine: any SieveEngine
        init(shared: Shared, engine: any SieveEngine) {
            self.shared = shared
            self.engine = engine
        }
    }

    static func run(_ job: PrimesJob, plan: ChunkPlan, progress: ProgressBar, stopOnSignals: Bool) throws -> PrimeTotals {
        // Everything is allocated before the first thread starts.
        let engines = try (0..<job.workers).map { _ throws(SieveError) in try job.engine.makeEngine() }
        let shared = Shared(plan: plan, sum: job.sum, engines: engines)
        var signals = StopSignals(active: stopOnSignals)
        var threads: [pthread_t] = []
        for engine in engines {
            var thread = pthread_t()
            let start = Unmanaged.passRetained(Start(shared: shared, engine: engine)).toOpaque()
            let created = pthread_create(&thread, nil, { argument in
                let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
                start.shared.work(engine: start.engine)
                return nil
            }, start)
            if created != 0 {
                Unmanaged<Start>.fromOpaque(start).release()
                shared.fail(.outOfMemory)
                break
            }
            threads.append(thread)
        }
        var interruption: Int32?
        while shared.finishedThreads.load(ordering: .acquiring) < threads.count {
            progress.update(done: Double(shared.numbersDone.load(ordering: .relaxed)))
            if let signal = signals.wait(seconds: 0.005) {
                interruption = signal
                shared.stop.store(true, ordering: .relaxed)
                break
            }
            if !signals.active { usleep(2_000) }
        }
        for thread in threads { pthread_join(thread, nil) }
        if let interruption { throw RunInterrupted(signal: interruption) }
        if let failure = shared.failure { throw failure }
        return shared.results.reduce(.zero, +)
    }
}
