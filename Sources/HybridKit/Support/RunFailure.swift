/// An error that means a run failed after its input was accepted: workers died, a write failed,
/// a peer could not be started, libcurl could not be loaded. A command line exits 1 with its
/// description as one line. (Bad input is a ``UsageError``; a stop signal, ``RunInterrupted``.)
public protocol RunFailure: Error, CustomStringConvertible, Sendable {}

extension PoolError: RunFailure {}
extension SieveError: RunFailure {}
extension MapItemFailed: RunFailure {}
extension FetchSetupError: RunFailure {}
