/// How a CPU-bound map spreads its items over workers.
///
/// Each strategy is one file serving every workload (`SerialMap`, `ThreadsMap`,
/// `ProcessesMap`, `MPIMap`); ``ParallelMap/run(_:finished:events:)`` picks one in its single switch, so
/// a new strategy (MPI) is one more case there and one more file.
public enum ComputeStrategy: String, CaseIterable, Sendable, Codable {
    /// One item after another, on the calling thread.
    case serial
    /// On pthreads that pull items from one shared counter.
    case threads
    /// On forked processes that pull items from a counter in shared memory.
    case processes
    /// On the ranks of an Open MPI job (`mpirun`), each running items on threads of its own,
    /// handed out by rank 0 (`MPIMap`). Only in builds with the package trait `MPI`.
    case mpi

    /// The strategies of one machine alone: ``mpi`` needs a build with the trait `MPI` and,
    /// for more than one rank, `mpirun`, so a sweep over every strategy leaves it out.
    public static var allCases: [ComputeStrategy] { [.serial, .threads, .processes] }
}

extension ComputeStrategy {
    /// The most workers a run may ask for.
    public static let maximumWorkers = 4096

    /// The worker count when none is given: serial runs one, mpi one thread per processor this
    /// process may use (``ProcessorCount/available``) shared by the ranks on this host, the others
    /// one per such processor.
    public var defaultWorkers: Int {
        switch self {
        case .serial: return 1
        case .mpi: return max(1, ProcessorCount.available / max(1, MPIRuntime.ranksOnThisHost))
        case .threads, .processes: return ProcessorCount.available
        }
    }

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
        if self == .mpi, !MPIRuntime.isBuilt { throw UsageError(MPIRuntime.buildHint) }
    }
}
