import CHybridMPI

#if canImport(Glibc)
    import Glibc
#endif

/// The mpi strategy: the map's items spread over every rank of an Open MPI job, each rank
/// running them on `workers` threads of its own (never forked processes: MPI_Init starts threads).
///
/// Rank 0 hands out items on demand with point-to-point messages, keeps one slot per item (a
/// duplicate is dropped), reports each finished item on the calling thread (a journal appends and
/// syncs it there) and returns every slot. The other ranks return nothing: once the job is done
/// they end their process (exit 0), so that rank 0 alone reports. Run without `mpirun`, the
/// process is a job of one rank. The C side is `hybrid_mpi_map` (CHybridMPI).
///
/// A rank that fails, or falls silent past its lease, fails the run with ``MPIError``; the
/// process's exit then ends the whole job (MPI_Abort), so the command's exit is non-zero within
/// seconds, and a journal holds every item finished before.
enum MPIMap {
    /// One worker thread's Swift function, reached from C through its context pointer.
    private final class ThreadWorker {
        let worker: MapWork.Worker
        let slotBytes: Int
        /// A test hook: the rank whose thread takes this item dies (SIGKILL), as a crashed node would.
        let faultItem: Int?
        init(worker: @escaping MapWork.Worker, slotBytes: Int, faultItem: Int?) {
            self.worker = worker
            self.slotBytes = slotBytes
            self.faultItem = faultItem
        }
    }

    /// What rank 0's callbacks reach: the events, the count of finished items, the stop signals.
    private final class Observer {
        let events: MapEvents
        let slotBytes: Int
        var done: Int
        var signals: StopSignals
        var signal: Int32?
        init(events: MapEvents, slotBytes: Int, done: Int, stopOnSignals: Bool) {
            self.events = events
            self.slotBytes = slotBytes
            self.done = done
            self.signals = StopSignals(active: stopOnSignals)
        }
    }

    static func run(_ map: ParallelMap, work: MapWork, slots: MapSlots, events: MapEvents) throws -> MapSlots {
        let place = try MPIRuntime.start()
        // Every thread's worker is made before any thread starts; thread t always gets worker t.
        let workers = try (0..<map.workers).map { _ in
            Unmanaged.passRetained(
                ThreadWorker(worker: try work.makeWorker(), slotBytes: map.slotBytes, faultItem: map.fault?.item))
        }
        // Released only after a successful run: after a failure, threads may still be inside a
        // work call, and the process is about to end the job.
        var succeeded = false
        defer { if succeeded { workers.forEach { $0.release() } } }
        let contexts: [UnsafeMutableRawPointer?] = workers.map { $0.toOpaque() }
        // Blocked on this thread before the C threads start, so they inherit the mask.
        let observer = Unmanaged.passRetained(
            Observer(
                events: events, slotBytes: map.slotBytes, done: slots.finishedCount,
                stopOnSignals: map.stopOnSignals && place.rank == 0))
        defer { observer.release() }

        var result = slots
        let done = slots.isFinished.map { $0 ? UInt8(1) : 0 }
        var report = hybrid_mpi_map_report()
        let status = contexts.withUnsafeBufferPointer { contexts in
            done.withUnsafeBufferPointer { done in
                result.bytes.withUnsafeMutableBytes { results in
                    var options = hybrid_mpi_map_options()
                    hybrid_mpi_map_options_init(&options)
                    options.items = UInt64(map.items)
                    options.slot_bytes = map.slotBytes
                    options.threads = UInt32(map.workers)
                    options.contexts = UnsafePointer(contexts.baseAddress)
                    options.lease_seconds = MPIRuntime.leaseSeconds
                    options.results = results.baseAddress
                    options.done = done.baseAddress
                    options.observer = observer.toOpaque()
                    options.on_item = { observer, item, slot in
                        let observer = Unmanaged<Observer>.fromOpaque(observer!).takeUnretainedValue()
                        observer.done += 1
                        if let itemFinished = observer.events.itemFinished, let slot {
                            itemFinished(Int(item), UnsafeRawBufferPointer(start: slot, count: observer.slotBytes))
                        }
                        observer.events.progress?(observer.done)
                    }
                    options.on_batch = { observer in
                        let observer = Unmanaged<Observer>.fromOpaque(observer!).takeUnretainedValue()
                        observer.events.groupFinished?()
                    }
                    options.should_stop = { observer in
                        let observer = Unmanaged<Observer>.fromOpaque(observer!).takeUnretainedValue()
                        if observer.signal == nil { observer.signal = observer.signals.poll() }
                        return observer.signal == nil ? 0 : 1
                    }
                    return hybrid_mpi_map(
                        &options,
                        { context, item, slot in
                            let worker = Unmanaged<ThreadWorker>.fromOpaque(context!).takeUnretainedValue()
                            if worker.faultItem == Int(item) { raise(SIGKILL) }
                            do {
                                try worker.worker(
                                    Int(item), UnsafeMutableRawBufferPointer(start: slot, count: worker.slotBytes))
                                return 0
                            } catch {
                                return 1
                            }
                        }, &report)
                }
            }
        }
        switch status {
        case HYBRID_MPI_OK:
            break
        case HYBRID_MPI_ESTOPPED:
            let signal = observer.takeUnretainedValue().signal ?? SIGTERM
            MPIRuntime.markFailed(exitCode: 128 + signal)
            throw RunInterrupted(signal: signal)
        default:
            MPIRuntime.markFailed(exitCode: 1)
            throw error(status, report: report)
        }
        succeeded = true
        // Rank 0 alone reports; the caller ends the other ranks (MPI_Finalize runs at exit).
        guard place.rank == 0 else { throw MPIRankFinished(rank: place.rank) }
        result.isFinished = [Bool](repeating: true, count: map.items)
        return result
    }

    private static func error(_ status: Int32, report: hybrid_mpi_map_report) -> any Error {
        switch status {
        case HYBRID_MPI_ELOST:
            return MPIError.rankLost(rank: Int(report.lost_rank), leaseSeconds: MPIRuntime.leaseSeconds)
        case HYBRID_MPI_EWORK:
            return MPIError.workFailed(rank: Int(report.failed_rank), item: Int(report.failed_item))
        case HYBRID_MPI_ENOMEM: return MPIError.outOfResources("memory")
        case HYBRID_MPI_ETHREAD: return MPIError.outOfResources("a thread")
        case HYBRID_MPI_ENOTBUILT: return MPIError.notBuilt
        default: return MPIError.mpiFailed(String(cString: hybrid_mpi_strerror(status)))
        }
    }
}
