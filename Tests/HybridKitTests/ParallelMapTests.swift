import HybridKit
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The parallel map on its own, with work that is not the sieve: every strategy gives every
/// slot, skips items finished before the run, and hands each finished item to the caller once,
/// on the calling thread. Fork tests run one at a time.
@Suite("The parallel map", .serialized)
struct ParallelMapTests {
    /// item * item, written by a C-convention function (forked workers of this multi-threaded
    /// test process may run it: it takes no lock and allocates nothing).
    static let square: MapWork.CFunction = { _, item, slot in
        slot!.storeBytes(of: item &* item, as: UInt64.self)
        return 0
    }

    static let runs: [(ComputeStrategy, Int)] = [
        (.serial, 1), (.threads, 1), (.threads, 3), (.processes, 1), (.processes, 3), (.processes, 9),
    ]

    @Test("every item's slot, in item order", arguments: runs)
    func squares(strategy: ComputeStrategy, workers: Int) throws {
        let squares = try ParallelMap(items: 1000, strategy: strategy, workers: workers)
            .map(UInt64.self, function: Self.square, context: nil)
        #expect(squares == (0..<1000).map { UInt64($0 * $0) })
    }

    @Test(
        "items finished before the run are not run; each other item is reported once, on the calling thread",
        arguments: runs)
    func resume(strategy: ComputeStrategy, workers: Int) throws {
        var finished = MapSlots(count: 50, slotBytes: 8)
        for item in [0, 7, 49] { finished.record(item, withUnsafeBytes(of: UInt64(999)) { Array($0) }) }
        let caller = pthread_self()
        let reported = Mutex<[Int]>([])
        let slots = try ParallelMap(items: 50, slotBytes: 8, strategy: strategy, workers: workers)
            .run(
                .calling(Self.square, context: nil), finished: finished,
                events: MapEvents(itemFinished: { item, slot in
                    #expect(pthread_equal(pthread_self(), caller) != 0)
                    #expect(slot.loadUnaligned(as: UInt64.self) == UInt64(item * item))
                    reported.withLock { $0.append(item) }
                }))
        for item in 0..<50 {
            let expected = [0, 7, 49].contains(item) ? 999 : UInt64(item * item)
            #expect(slots.load(item, as: UInt64.self) == expected, "item \(item)")
        }
        #expect(slots.finishedCount == 50)
        #expect(reported.withLock { $0.sorted() } == (0..<50).filter { ![0, 7, 49].contains($0) })
    }

    @Test("a run with every item finished runs nothing", arguments: ComputeStrategy.allCases)
    func nothingLeft(strategy: ComputeStrategy) throws {
        var finished = MapSlots(count: 3, slotBytes: 1)
        for item in 0..<3 { finished.record(item, [UInt8(item)]) }
        let slots = try ParallelMap(items: 3, slotBytes: 1, strategy: strategy, workers: 1)
            .run(MapWork { _, _ in Issue.record("ran a finished item") }, finished: finished)
        #expect(slots.bytes == [0, 1, 2])
    }

    @Test("a Swift closure's error ends the run", arguments: [ComputeStrategy.serial, .threads])
    func workThrows(strategy: ComputeStrategy) {
        struct Failure: Error {}
        #expect(throws: Failure.self) {
            try ParallelMap(items: 100, strategy: strategy, workers: strategy == .serial ? 1 : 2)
                .map(Int.self) { item in if item == 42 { throw Failure() } else { return item } }
        }
    }

    @Test("Swift closures fork only from a single-threaded program")
    func swiftForkRefused() {
        #expect(throws: PoolError.forkNeedsSingleThread) {
            try ParallelMap(items: 10, strategy: .processes, workers: 2).map(Int.self) { $0 }
        }
    }

    @Test("a worker killed on an item: the item re-runs, one death is reported")
    func killedWorker() throws {
        let deaths = Mutex<[WorkerDeath]>([])
        let squares = try ParallelMap(
            items: 200, strategy: .processes, workers: 2, fault: FaultInjection(item: 123)
        ).map(
            UInt64.self, function: Self.square, context: nil,
            events: MapEvents(workerDied: { death in deaths.withLock { $0.append(death) } }))
        #expect(squares == (0..<200).map { UInt64($0 * $0) })
        let seen = deaths.withLock { $0 }
        #expect(seen.count == 1)
        #expect(seen.first?.signal == SIGKILL && seen.first?.lostItem == 123)
        #expect(seen.first?.description.hasSuffix("re-runs its item 123") == true)
    }

    @Test("bad worker counts are usage errors", arguments: [0, -1, 4097])
    func badWorkers(workers: Int) {
        #expect(throws: UsageError.self) {
            try ParallelMap(items: 1, strategy: .threads, workers: workers).map(Int.self) { $0 }
        }
    }
}
