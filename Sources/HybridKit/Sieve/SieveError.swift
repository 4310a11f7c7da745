/// Why the sieve could not run.
public enum SieveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The range is not `from <= to` (both bounds are `UInt64`, so `to <= 2^64 - 1` always holds).
    case invalidRange(from: UInt64, to: UInt64)
    /// The C core could not allocate its memory.
    case outOfMemory
    /// Worker processes kept dying (this many deaths); the run was stopped rather than retried forever.
    case workersDied(Int)
    /// No worker process could be forked.
    case forkFailed
    /// The Swift engine runs in forked processes only when the forking program has one thread.
    case forkNeedsSingleThread

    public var description: String {
        switch self {
        case .invalidRange(let from, let to): return "invalid range: from \(from) is above to \(to)"
        case .outOfMemory: return "the sieve ran out of memory"
        case .workersDied(let deaths):
            return "\(deaths) worker \(deaths == 1 ? "process" : "processes") died; the run was stopped"
        case .forkFailed: return "could not fork a worker process"
        case .forkNeedsSingleThread:
            return "the Swift engine can run in forked processes only from a single-threaded program"
        }
    }
}
