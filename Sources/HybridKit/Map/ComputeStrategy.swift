/// How a CPU-bound map spreads its items over workers.
///
/// Each strategy is one file serving every workload (``SerialMap``, ``ThreadsMap``,
/// ``ProcessesMap``); ``ParallelMap/run(_:finished:events:)`` picks one in its single switch, so
/// a new strategy (MPI) is one more case there and one more file.
public enum ComputeStrategy: String, CaseIterable, Sendable, Codable {
    /// One item after another, on the calling thread.
    case serial
    /// On pthreads that pull items from one shared counter.
    case threads
    /// On forked processes that pull items from a counter in shared memory.
    case processes
}

extension ComputeStrategy {
    /// The most workers a run may ask for.
    public static let maximumWorkers = 4096

    /// The worker count when none is given: serial runs one, the others one per core.
    public var defaultWorkers: Int { self == .serial ? 1 : ProcessorCount.online }

    /// Checks a worker count for this strategy (1 ... 4096 workers, serial exactly 1); throws a
    /// ``UsageError`` naming what is wrong.
    public func validate(workers: Int) throws(UsageError) {
        guard workers >= 1 else { throw UsageError("--workers must be at least 1, got \(workers)") }
        guard workers <= Self.maximumWorkers else {
            throw UsageError("--workers must be at most \(Self.maximumWorkers), got \(workers)")
        }
        if self == .serial, workers != 1 {
            throw UsageError("strategy serial runs 1 worker, got --workers \(workers)")
        }
    }
}
