import HybridKit
import Synchronization
import Testing

/// Every engine, strategy and worker count gives the same exact answer; forked workers that die
/// lose nothing. Fork tests run one at a time.
@Suite("Strategies and workers", .serialized)
struct OrchestrationTests {
    static let strategies: [ComputeStrategy] = [.serial, .threads, .processes]
    static let workerCounts = [1, 2, 3, 7]

    /// The combinations a multi-threaded test process may run. Forking with the Swift engine
    /// needs a single-threaded parent; the end-to-end tests cover it from the command line.
    static var combinations: [(EngineKind, ComputeStrategy, Int)] {
        var result: [(EngineKind, ComputeStrategy, Int)] = []
        for engine in EngineKind.allCases {
            for strategy in strategies where !(engine == .swift && strategy == .processes) {
                for workers in strategy == .serial ? [1] : workerCounts {
                    result.append((engine, strategy, workers))
                }
            }
        }
        return result
    }

    @Test("known values and random ranges agree everywhere", arguments: combinations)
    func agree(engine: EngineKind, strategy: ComputeStrategy, workers: Int) throws {
        let known = try PrimesRunner.run(
            PrimesJob(
                range: 0..<100_000_000, engine: engine, strategy: strategy,
                workers: workers))
        #expect(known.totals == PrimeTotals(count: 5_761_455, sum: 279_209_790_387_276))
        var random = SplitMix64(state: UInt64(workers) &* 31 &+ UInt64(strategy.rawValue.count))
        let reference = try CSieveEngine()
        // Up to four chunks wide; a debug build's Swift engine, tens of times slower, gets ranges of
        // a chunk or two (the known value above is six).
        let widest: UInt64 = engine == .swift && !optimized ? 20_000_000 : 60_000_000
        for _ in 0..<3 {
            let from = UInt64.random(in: 0...1_000_000_000_000, using: &random)
            let to = from + UInt64.random(in: 0...widest, using: &random)
            let outcome = try PrimesRunner.run(
                PrimesJob(
                    range: from..<to, engine: engine, strategy: strategy,
                    workers: workers))
            #expect(outcome.totals == (try reference.totals(in: from..<to)), "[\(from), \(to))")
        }
    }

    @Test("counting only, across processes")
    func countOnly() throws {
        let outcome = try PrimesRunner.run(
            PrimesJob(
                range: 0..<100_000_000, strategy: .processes, workers: 3,
                sum: false))
        #expect(outcome.totals == PrimeTotals(count: 5_761_455, sum: nil))
    }

    /// Below 10^9: wide enough that even a lone worker, whose chunks are widest, has 8 of them.
    static let belowBillion = (
        range: UInt64(0)..<1_000_000_000,
        totals: PrimeTotals(count: 50_847_534, sum: 24_739_512_092_254_535)
    )

    @Test("a worker killed on its chunk loses nothing, and says so once", arguments: [1, 2, 3])
    func workerDies(workers: Int) throws {
        let warnings = Mutex<[String]>([])
        let options = RunOptions(
            fault: FaultInjection(item: 5), workerDied: { death in warnings.withLock { $0.append("\(death)") } })
        let outcome = try PrimesRunner.run(
            PrimesJob(range: Self.belowBillion.range, strategy: .processes, workers: workers), options: options)
        #expect(outcome.totals == Self.belowBillion.totals)
        let lines = warnings.withLock { $0 }
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains("SIGKILL") == true)
        #expect(lines.first?.contains("chunk 5") == true)
    }

    @Test("a worker that dies between taking a chunk and recording it loses nothing", arguments: [1, 2, 3])
    func workerDiesBeforeClaiming(workers: Int) throws {
        let warnings = Mutex<[String]>([])
        let options = RunOptions(
            fault: FaultInjection(item: 4, beforeClaiming: true),
            workerDied: { death in warnings.withLock { $0.append("\(death)") } })
        let outcome = try PrimesRunner.run(
            PrimesJob(range: Self.belowBillion.range, strategy: .processes, workers: workers), options: options)
        #expect(outcome.totals == Self.belowBillion.totals)
        #expect(warnings.withLock { $0.count } == 1)
    }

    @Test("a chunk that kills every worker before it is recorded still ends in an error", .timeLimit(.minutes(5)))
    func workersKeepDyingBeforeClaiming() throws {
        let options = RunOptions(fault: FaultInjection(item: 2, everyTime: true, beforeClaiming: true))
        #expect(throws: PoolError.workersDied(6)) {
            try PrimesRunner.run(PrimesJob(range: 0..<100_000_000, strategy: .processes, workers: 2), options: options)
        }
    }

    @Test("a chunk that kills every worker ends the run with an error, not a hang", .timeLimit(.minutes(5)))
    func workersKeepDying() throws {
        let options = RunOptions(fault: FaultInjection(item: 2, everyTime: true))
        #expect(throws: PoolError.workersDied(6)) {
            try PrimesRunner.run(PrimesJob(range: 0..<100_000_000, strategy: .processes, workers: 2), options: options)
        }
    }

    @Test("the Swift engine refuses to fork from a multi-threaded program")
    func swiftForkNeedsOneThread() throws {
        #expect(throws: PoolError.forkNeedsSingleThread) {
            // More than one chunk: a job of one small chunk runs on the calling thread.
            try PrimesRunner.run(PrimesJob(range: 0..<100_000_000, engine: .swift, strategy: .processes, workers: 2))
        }
    }

    @Test("a job of one small chunk runs on the calling thread, and reports the strategy asked for")
    func smallJobInProcess() throws {
        // From this multi-threaded test process a forked Swift worker is refused, so an answer
        // here shows that nothing was forked.
        let job = PrimesJob(range: 0..<1_000_000, engine: .swift, strategy: .processes, workers: 2)
        let outcome = try PrimesRunner.run(job)
        #expect(outcome.totals == PrimeTotals(count: 78498, sum: 37_550_402_023))
        #expect(outcome.job.strategy == .processes && outcome.job.workers == 2)
    }

    @Test("serial runs one worker; zero workers is refused")
    func workerCountsChecked() {
        #expect(throws: UsageError.self) { try PrimesJob(range: 0..<10, strategy: .serial, workers: 2).validate() }
        #expect(throws: UsageError.self) { try PrimesJob(range: 0..<10, strategy: .threads, workers: 0).validate() }
    }
}
