import CHybridMPI

/// Why a run under MPI failed. Every case but ``notBuilt`` ends the whole job: the other ranks
/// may still wait for this one, so the process's exit calls `MPI_Abort`.
public enum MPIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// This build has no MPI (the package trait `MPI` was off): a usage error.
    case notBuilt
    /// An MPI call failed.
    case mpiFailed(String)
    /// A rank fell silent for longer than its lease: its host hung, died or was cut off.
    /// From rank 0's view the silent rank; from another rank's view rank 0.
    case rankLost(rank: Int, leaseSeconds: Double)
    /// The work failed on a rank (an item whose work threw or returned non-zero).
    case workFailed(rank: Int, item: Int)
    /// Memory or a thread could not be had.
    case outOfResources(String)

    public var description: String {
        switch self {
        case .notBuilt: return MPIRuntime.buildHint
        case .mpiFailed(let call): return "\(call) failed"
        case .rankLost(let rank, let lease):
            return "rank \(rank) fell silent for more than its lease of \(lease) s (its host died, hung or "
                + "was cut off); the job was ended"
        case .workFailed(let rank, let item): return "the work failed on item \(item), on rank \(rank)"
        case .outOfResources(let what): return "could not get \(what)"
        }
    }
}

/// A run under MPI that failed: the command exits 1 (``MPIError/notBuilt`` never gets that far:
/// the strategy's check refuses it as a ``UsageError`` first).
extension MPIError: RunFailure {}

/// Thrown by an mpi run on every rank but 0 once its share of the work is done: only rank 0
/// holds (and reports) the results. A program run under `mpirun` catches it and exits 0 on those
/// ranks; nothing is lost (rank 0 has every item's result, and its journal when there is one).
public struct MPIRankFinished: Error, Equatable, Sendable, CustomStringConvertible {
    /// This process's rank, never 0.
    public let rank: Int

    public init(rank: Int) { self.rank = rank }

    public var description: String { "rank \(rank) finished its share; rank 0 reports the results" }
}
