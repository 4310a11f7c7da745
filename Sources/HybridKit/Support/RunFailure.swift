/// An error that means a run failed after its input was accepted: workers died, a write failed,
/// a peer could not be started, libcurl could not be loaded. A command line exits 1 with its
/// description as one line. (Bad input is a ``UsageError``; a stop signal, ``RunInterrupted``.)
public protocol RunFailure: Error, CustomStringConvertible, Sendable {}

extension PoolError: RunFailure {}
extension SieveError: RunFailure {}
extension MapItemFailed: RunFailure {}
extension FetchSetupError: RunFailure {}

/// Two independent answers to one primes job disagreed (`--double-check`): a defect, never a
/// result.
public struct DoubleCheckFailure: RunFailure, Equatable {
    public var range: Range<UInt64>
    public var first: PrimeTotals
    public var second: PrimeTotals

    public var description: String {
        "double check failed for [\(range.lowerBound), \(range.upperBound)): \(first.count) primes summing to "
            + "\(first.sum.map(String.init) ?? "-") against \(second.count) summing to \(second.sum.map(String.init) ?? "-")"
    }
}
