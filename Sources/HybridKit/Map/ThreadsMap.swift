import Synchronization

/// The threads strategy: one pthread per worker, each with its own worker function (made
/// before any thread starts), pulling the next item from one shared atomic counter until none
/// are left. There is no interpreter lock here: the threads compute in parallel.
///
/// Finished items go to ``MapEvents/itemFinished`` through a queue that the calling thread
/// drains while it supervises, so a journal is written on one thread, in the order items end.
enum ThreadsMap {
    /// What the threads share: the counter, the slots, the queue of finished items, the first failure.
    private final class Shared: @unchecked Sendable {
        let items: Int
        let slotBytes: Int
        let next = Atomic<Int>(0)
        let done: Atomic<Int>
        let stop = Atomic<Bool>(false)
        /// Every slot; item i's is written only by the thread that took item i.
        let storage: UnsafeMutableRawBufferPointer
        /// Items finished before the run; read-only while threads run.
        let finishedBefore: [Bool]
        /// Items finished and not yet handed to itemFinished (kept only when someone listens).
        let reports = POSIXLocked<[Int]>([])
        let reporting: Bool
        private let failureLock = POSIXLocked<Failure?>(nil)

        private struct Failure: @unchecked Sendable { let error: any Error }

        init(slots: MapSlots, reporting: Bool) {
            items = slots.count
            slotBytes = slots.slotBytes
            done = Atomic(slots.finishedCount)
            let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(slots.bytes.count, 1), alignment: 16)
            slots.bytes.withUnsafeBytes { storage.copyMemory(from: $0) }
            self.storage = storage
            finishedBefore = slots.isFinished
            self.reporting = reporting
        }

        deinit { storage.deallocate() }

        var failure: (any Error)? { failureLock.withLock { $0?.error } }

        func slot(_ item: Int) -> UnsafeMutableRawBufferPointer {
            UnsafeMutableRawBufferPointer(rebasing: storage[(item * slotBytes)..<((item + 1) * slotBytes)])
        }

        /// One worker's loop.
        func work(_ worker: MapWork.Worker) {
            while !stop.load(ordering: .relaxed) {
                let item = next.add(1, ordering: .relaxed).oldValue
                guard item < items else { break }
                if finishedBefore[item] { continue }
                let slot = slot(item)
                slot.initializeMemory(as: UInt8.self, repeating: 0)
                do {
                    try worker(item, slot)
                } catch {
                    failureLock.withLock { if $0 == nil { $0 = Failure(error: error) } }
                    stop.store(true, ordering: .relaxed)
                    break
                }
                if reporting { reports.withLock { $0.append(item) } }
                done.add(1, ordering: .relaxed)
            }
        }

        /// Hands the items finished since the last call to `itemFinished`, on the calling thread.
        func drain(_ itemFinished: ((Int, UnsafeRawBufferPointer) -> Void)?) {
            guard reporting, let itemFinished else { return }
            let finished = reports.withLock { queue in
                defer { queue.removeAll(keepingCapacity: true) }
                return queue
            }
            for item in finished { itemFinished(item, UnsafeRawBufferPointer(slot(item))) }
        }
    }

    static func run(_ map: ParallelMap, work: MapWork, slots: MapSlots, events: MapEvents) throws -> MapSlots {
        let remaining = slots.count - slots.finishedCount
        // Every worker is made before the first thread starts.
        let workers = try (0..<min(map.workers, max(remaining, 1))).map { _ in try work.makeWorker() }
        let shared = Shared(slots: slots, reporting: events.itemFinished != nil)
        // Blocked here before the threads start, so they inherit the mask and only this thread waits.
        var signals = StopSignals(active: map.stopOnSignals)
        let interruption = WorkerThreads.supervise(
            workers.map { worker in { shared.work(worker) } }, signals: &signals,
            progress: {
                shared.drain(events.itemFinished)
                events.progress?(shared.done.load(ordering: .relaxed))
            },
            stop: { shared.stop.store(true, ordering: .relaxed) })
        shared.drain(events.itemFinished)
        if let interruption { throw RunInterrupted(signal: interruption) }
        if let failure = shared.failure { throw failure }
        events.progress?(shared.done.load(ordering: .relaxed))
        var result = slots
        result.bytes.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(shared.storage)) }
        result.isFinished = [Bool](repeating: true, count: slots.count)
        return result
    }
}
