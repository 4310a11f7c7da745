import CForkPool

/// The processes strategy: forked workers pulling items from a counter in shared memory,
/// through CForkPool (`cforkpool_run`, called here and nowhere else).
///
/// The fork happens in C, with everything the work reads made before it. A worker runs the
/// work's C function, or its Swift worker when the program is single-threaded at the fork. A
/// worker that dies loses only the item it held: a replacement re-runs it and
/// ``MapEvents/workerDied`` hears of it. Long runs go in batches so that the shared slots stay
/// within ``batchBytes``.
enum ProcessesMap {
    /// The most shared slot memory one batch maps: 64 MiB (200,000 slots of a 1024-bit prime).
    static let batchBytes = 64 << 20

    /// What the parent's callbacks need.
    private final class Supervision {
        let events: MapEvents
        let slotBytes: Int
        var itemsBefore = 0
        init(events: MapEvents, slotBytes: Int) {
            self.events = events
            self.slotBytes = slotBytes
        }
    }

    /// A Swift worker, made before the fork, that forked children call.
    private final class SwiftWorker {
        let worker: MapWork.Worker
        let slotBytes: Int
        init(worker: @escaping MapWork.Worker, slotBytes: Int) {
            self.worker = worker
            self.slotBytes = slotBytes
        }
    }

    static func run(_ map: ParallelMap, work: MapWork, slots: MapSlots, events: MapEvents) throws -> MapSlots {
        let function: MapWork.CFunction
        let context: UnsafeMutableRawPointer?
        var swiftWorker: SwiftWorker?
        switch work.forked {
        case .c(let cFunction, let cContext):
            function = cFunction
            context = cContext
        case .swift:
            guard Syscalls.threadCount() <= 1 else { throw PoolError.forkNeedsSingleThread }
            let worker = SwiftWorker(worker: try work.makeWorker(), slotBytes: map.slotBytes)
            swiftWorker = worker
            function = { context, item, slot in
                let worker = Unmanaged<SwiftWorker>.fromOpaque(context!).takeUnretainedValue()
                let buffer = UnsafeMutableRawBufferPointer(start: slot, count: worker.slotBytes)
                return (try? worker.worker(Int(item), buffer)) == nil ? 1 : 0
            }
            context = Unmanaged.passUnretained(worker).toOpaque()
        }
        defer { withExtendedLifetime(swiftWorker) {} }

        let supervision = Supervision(events: events, slotBytes: map.slotBytes)
        var result = slots
        let batchItems = max(1, batchBytes / map.slotBytes)
        var first = 0
        while first < map.items {
            let items = min(batchItems, map.items - first)
            let finishedFlags = result.isFinished[first..<(first + items)].map { UInt8($0 ? 1 : 0) }
            let pending = finishedFlags.count { $0 == 0 }
            supervision.itemsBefore = first
            if pending > 0 {
                var options = poolOptions(map, first: first, items: items, workers: min(map.workers, pending))
                options.context = Unmanaged.passUnretained(supervision).toOpaque()
                installCallbacks(&options, events: events)
                var report = cforkpool_report()
                let offset = first * map.slotBytes
                let status = finishedFlags.withUnsafeBufferPointer { flags in
                    result.bytes.withUnsafeMutableBytes { bytes in
                        var run = options
                        run.finished = flags.baseAddress
                        let results = bytes.baseAddress.map { $0 + offset }
                        return cforkpool_run(&run, function, context, results, &report)
                    }
                }
                try check(status, report: report)
            }
            for item in first..<(first + items) { result.isFinished[item] = true }
            first += items
        }
        withExtendedLifetime(supervision) {}
        return result
    }

    private static func poolOptions(_ map: ParallelMap, first: Int, items: Int, workers: Int) -> cforkpool_options {
        var options = cforkpool_options()
        cforkpool_options_init(&options)
        options.workers = UInt32(workers)
        options.items = UInt64(items)
        options.first_item = UInt64(first)
        options.slot_bytes = map.slotBytes
        options.max_deaths = UInt32(map.workers + 3)
        options.handle_signals = map.stopOnSignals ? 1 : 0
        if let fault = map.fault {
            options.fault_item = Int64(fault.item)
            options.fault_every_time = fault.everyTime ? 1 : 0
            options.fault_before_claim = fault.beforeClaiming ? 1 : 0
        }
        return options
    }

    /// The pool's callbacks, only those someone listens to (on_item makes the supervisor look
    /// more often).
    private static func installCallbacks(_ options: inout cforkpool_options, events: MapEvents) {
        if events.progress != nil {
            options.on_progress = { context, done in
                let supervision = Unmanaged<Supervision>.fromOpaque(context!).takeUnretainedValue()
                supervision.events.progress?(supervision.itemsBefore + Int(done))
            }
        }
        if events.itemFinished != nil {
            options.on_item = { context, item, slot in
                let supervision = Unmanaged<Supervision>.fromOpaque(context!).takeUnretainedValue()
                supervision.events.itemFinished?(
                    Int(item), UnsafeRawBufferPointer(start: slot, count: supervision.slotBytes))
            }
        }
        options.on_death = { context, pid, signal, exitCode, lost in
            let supervision = Unmanaged<Supervision>.fromOpaque(context!).takeUnretainedValue()
            supervision.events.workerDied?(
                WorkerDeath(
                    pid: pid, signal: signal != 0 ? signal : nil, exitCode: exitCode >= 0 ? exitCode : nil,
                    lostItem: lost >= 0 ? Int(lost) : nil))
        }
    }

    private static func check(_ status: Int32, report: cforkpool_report) throws {
        switch status {
        case CFORKPOOL_OK: return
        case CFORKPOOL_EINTR: throw RunInterrupted(signal: report.signal)
        case CFORKPOOL_EWORKERS: throw PoolError.workersDied(Int(report.deaths))
        case CFORKPOOL_EFORK: throw PoolError.forkFailed
        default: throw PoolError.outOfMemory
        }
    }
}
