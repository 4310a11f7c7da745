/// A parallel map over items `0 ..< items`, each with a fixed-size result slot, run by a
/// ``ComputeStrategy``: the one orchestration of every CPU-bound workload, and of yours.
///
/// Workers take the next item from one shared counter, on demand, so an item that takes long
/// never holds up the others. Over processes, a worker that dies (killed, crashed) loses only
/// the item it held: a replacement re-runs it, a final sweep re-runs any item a worker took but
/// never recorded, and after `workers + 3` deaths the run stops with
/// ``PoolError/workersDied(_:)`` rather than retrying forever. With ``stopOnSignals``, SIGINT
/// and SIGTERM end every worker, and the run throws ``RunInterrupted``.
///
/// ```swift
/// // The article's pool.map(square, range(1000)), on 4 processes:
/// let squares = try ParallelMap(items: 1000, strategy: .processes, workers: 4)
///     .map(UInt64.self) { item in UInt64(item * item) }
/// ```
public struct ParallelMap: Sendable {
    /// Items `0 ..< items`.
    public var items: Int
    /// Bytes of each item's result slot.
    public var slotBytes: Int
    /// Who runs the items.
    public var strategy: ComputeStrategy
    /// Threads or processes at once (serial: 1). More workers than items run as many as items.
    public var workers: Int
    /// Take SIGINT and SIGTERM as a request to stop: workers end and are reaped, and the run
    /// throws ``RunInterrupted``. For programs that own the process, like a command line.
    public var stopOnSignals: Bool
    /// A test hook: a forked worker kills itself on a chosen item.
    package var fault: FaultInjection?

    public init(
        items: Int, slotBytes: Int = 8, strategy: ComputeStrategy, workers: Int? = nil, stopOnSignals: Bool = false
    ) {
        self.init(
            items: items, slotBytes: slotBytes, strategy: strategy, workers: workers, stopOnSignals: stopOnSignals,
            fault: nil)
    }

    /// The same, with a test hook that makes a forked worker die on a chosen item.
    package init(
        items: Int, slotBytes: Int = 8, strategy: ComputeStrategy, workers: Int? = nil,
        stopOnSignals: Bool = false, fault: FaultInjection?
    ) {
        self.items = items
        self.slotBytes = slotBytes
        self.strategy = strategy
        self.workers = workers ?? strategy.defaultWorkers
        self.stopOnSignals = stopOnSignals
        self.fault = fault
    }

    /// Runs `work` for every item not finished in `finished`, and returns every slot.
    ///
    /// - Parameters:
    ///   - work: what each worker runs, made per worker (see ``MapWork``).
    ///   - finished: slots of items already done (from a journal); they are not run again. Its
    ///     count and slot size must be the map's.
    ///   - events: progress, each finished item, each worker death; on the calling thread.
    /// Under ``ComputeStrategy/mpi`` (a program started by `mpirun`, built with the `MPI`
    /// trait) every rank calls this: the first call starts MPI and registers `MPI_Finalize` to
    /// run when the process exits, as MPI requires; rank 0 hands out the items and returns every
    /// slot, and the other ranks throw ``MPIRankFinished`` once their share is done, for the
    /// caller to end them quietly. Nothing here ends the process.
    ///
    /// - Throws: ``UsageError`` for a bad worker count; ``PoolError`` when workers fail;
    ///   ``RunInterrupted`` when a stop signal ended the run; an error the work threw
    ///   (serial, threads); under mpi ``MPIError`` and, on ranks but 0, ``MPIRankFinished``.
    public func run(_ work: MapWork, finished: MapSlots? = nil, events: MapEvents = MapEvents()) throws -> MapSlots {
        try strategy.validate(workers: workers)
        precondition(items >= 0 && slotBytes > 0, "a map needs items >= 0 and slots of at least 1 byte")
        let slots = finished ?? MapSlots(count: items, slotBytes: slotBytes)
        precondition(slots.count == items && slots.slotBytes == slotBytes, "finished slots of another map")
        // Under mpi every rank must take part even then: the others wait for rank 0 to say
        // that nothing is left, and would otherwise fail the job when their lease runs out.
        if slots.finishedCount == items && strategy != .mpi { return slots }
        // The one place that picks a strategy: a new one (MPI) is a case here and a file.
        switch strategy {
        case .serial: return try SerialMap.run(self, work: work, slots: slots, events: events)
        case .threads: return try ThreadsMap.run(self, work: work, slots: slots, events: events)
        case .processes: return try ProcessesMap.run(self, work: work, slots: slots, events: events)
        case .mpi: return try MPIMap.run(self, work: work, slots: slots, events: events)
        }
    }

    /// Like Python's `pool.map`: `body(item)` for every item, results in item order. Forked
    /// workers run `body` too, which needs a single-threaded program (use ``run(_:finished:events:)``
    /// with a C function otherwise).
    public func map<Slot: BitwiseCopyable>(
        _ type: Slot.Type, events: MapEvents = MapEvents(), _ body: @escaping (Int) throws -> Slot
    ) throws -> [Slot] {
        var map = self
        map.slotBytes = MemoryLayout<Slot>.stride
        let slots = try map.run(
            MapWork { item, slot in slot.storeBytes(of: try body(item), as: Slot.self) }, events: events)
        return (0..<items).map { slots.load($0, as: Slot.self) }
    }

    /// Like ``map(_:events:_:)``, with forked workers running the C function `function` (and
    /// serial and threads runs calling it too): safe from any program.
    public func map<Slot: BitwiseCopyable>(
        _ type: Slot.Type, function: MapWork.CFunction, context: UnsafeMutableRawPointer?,
        events: MapEvents = MapEvents()
    ) throws -> [Slot] {
        var map = self
        map.slotBytes = MemoryLayout<Slot>.stride
        let slots = try map.run(.calling(function, context: context), events: events)
        return (0..<items).map { slots.load($0, as: Slot.self) }
    }
}

extension MapWork {
    /// The C function `function` on every strategy: called in-process by serial and threads
    /// workers, in forked workers by processes. A non-zero return fails the item.
    public static func calling(_ function: MapWork.CFunction, context: UnsafeMutableRawPointer?) -> MapWork {
        let shared = UnsafeContext(context)
        return MapWork(forked: .c(function, context: context)) {
            { item, slot in
                guard function(shared.pointer, UInt64(item), slot.baseAddress) == 0 else {
                    throw MapItemFailed(item: item)
                }
            }
        }
    }
}

/// A C work function returned non-zero for an item (serial and threads runs).
public struct MapItemFailed: Error, Equatable, Sendable, CustomStringConvertible {
    public var item: Int
    public var description: String { "the work failed on item \(item)" }
}

/// A C context pointer handed to worker threads: the caller promises it is safe to share.
private struct UnsafeContext: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer?
    init(_ pointer: UnsafeMutableRawPointer?) { self.pointer = pointer }
}
