/// Why the sieve could not run.
public enum SieveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The range is not `from <= to` (both bounds are `UInt64`, so `to <= 2^64 - 1` always holds).
    case invalidRange(from: UInt64, to: UInt64)
    /// The C core could not allocate its memory.
    case outOfMemory

    public var description: String {
        switch self {
        case .invalidRange(let from, let to): return "invalid range: from \(from) is above to \(to)"
        case .outOfMemory: return "the sieve ran out of memory"
        }
    }
}
