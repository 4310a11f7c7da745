/// What a map runs for each item: a Swift function per worker, and how forked workers run it.
///
/// The Swift side serves the serial and threads strategies: ``makeWorker`` is called once per
/// worker, on the calling thread, before any worker starts (a worker's engine, buffers and the
/// like are made there), and the function it returns is then called for that worker's items
/// only, so it needs no lock. Forked workers run ``forked``: a C function, which is safe
/// whatever threads the program has, or the Swift function itself, which is safe only when the
/// program has one thread at the fork (the map checks and throws
/// ``PoolError/forkNeedsSingleThread`` otherwise).
public struct MapWork {
    /// One worker's function: computes `item` and writes its result into `slot` (``ParallelMap/slotBytes``
    /// bytes, zeroed before the call). A thrown error ends the run (serial, threads)
    /// or the worker (processes, where it counts as a death).
    public typealias Worker = (_ item: Int, _ slot: UnsafeMutableRawBufferPointer) throws -> Void

    /// A C function run in forked workers: writes item `item`'s result into `slot` and returns 0;
    /// anything else ends the worker, which counts as a death. The corresponding C type is
    /// `cforkpool_item_work`.
    public typealias CFunction =
        @convention(c) (
            _ context: UnsafeMutableRawPointer?, _ item: UInt64, _ slot: UnsafeMutableRawPointer?
        ) -> Int32

    /// How forked workers compute an item.
    public enum Forked {
        /// A C function and its context, made before the run and valid until it ends; each
        /// worker reads its own copy-on-write copy.
        case c(CFunction, context: UnsafeMutableRawPointer?)
        /// The Swift worker from ``makeWorker``, made before the fork; only from a
        /// single-threaded program.
        case swift
    }

    /// Makes one worker's function.
    public var makeWorker: () throws -> Worker
    /// How forked workers compute an item.
    public var forked: Forked

    public init(forked: Forked = .swift, makeWorker: @escaping () throws -> Worker) {
        self.makeWorker = makeWorker
        self.forked = forked
    }

    /// Work with no per-worker state: `body` for every item, on every strategy (forked workers
    /// run it only from a single-threaded program).
    public init(_ body: @escaping Worker) {
        self.init(forked: .swift) { body }
    }
}

/// What a map tells its caller while it runs, always on the calling thread.
public struct MapEvents {
    /// The number of finished items (those finished before the run included), about every 10 to
    /// 50 ms while it grows.
    public var progress: ((_ itemsDone: Int) -> Void)?
    /// Each item this run finishes, with its slot (valid during the call), soon after the worker
    /// writes it: a journal appends and syncs it here. Never called twice for an item, nor for
    /// items finished before the run.
    public var itemFinished: ((_ item: Int, _ slot: UnsafeRawBufferPointer) -> Void)?
    /// Each forked worker that died and was replaced (its item re-runs).
    public var workerDied: ((WorkerDeath) -> Void)?
    /// After each group of ``itemFinished`` calls, from strategies that deliver items in groups
    /// (mpi: the results of one message); `nil` for none. With it, a journal appends in
    /// itemFinished and syncs once here, so a fast cluster is not held to one fsync per item.
    public var groupFinished: (() -> Void)?

    public init(
        progress: ((_ itemsDone: Int) -> Void)? = nil,
        itemFinished: ((_ item: Int, _ slot: UnsafeRawBufferPointer) -> Void)? = nil,
        workerDied: ((WorkerDeath) -> Void)? = nil, groupFinished: (() -> Void)? = nil
    ) {
        self.progress = progress
        self.itemFinished = itemFinished
        self.workerDied = workerDied
        self.groupFinished = groupFinished
    }
}
