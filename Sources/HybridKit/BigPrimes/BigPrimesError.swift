/// Why a bigprimes run failed after its input was accepted.
public enum BigPrimesError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Worker processes kept dying (this many deaths); the run was stopped rather than retried forever.
    case workersDied(Int)
    /// No worker process could be forked.
    case forkFailed
    /// The shared memory for the results, or a thread, could not be had.
    case outOfResources

    public var description: String {
        switch self {
        case .workersDied(let deaths): return "\(deaths) worker processes died; the run was stopped"
        case .forkFailed: return "could not fork a worker process"
        case .outOfResources: return "could not allocate the shared results or start a worker"
        }
    }
}
