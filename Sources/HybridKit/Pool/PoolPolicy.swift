/// How a ``Pool`` treats items that fail or take too long, and how its workers live.
///
/// ```swift
/// // Five seconds per item; a crash or a time-out is tried once more, a throw is not.
/// let policy = PoolPolicy(timeout: .seconds(5), retries: 1)
/// ```
public struct PoolPolicy: Sendable {
    /// How many more times each kind of failure is run again before it is the item's outcome.
    public struct Retries: Sendable, Equatable, ExpressibleByIntegerLiteral {
        /// Retries after the work threw: 0 unless asked, since a throw usually says the same
        /// thing the second time.
        public var threw: Int
        /// Retries after the worker process died on the item.
        public var crashed: Int
        /// Retries after the item ran past the time-out.
        public var timedOut: Int

        public init(threw: Int = 0, crashed: Int = 0, timedOut: Int = 0) {
            precondition(threw >= 0 && crashed >= 0 && timedOut >= 0, "retries are at least 0")
            self.threw = threw
            self.crashed = crashed
            self.timedOut = timedOut
        }

        /// `n` retries for crashes and time-outs, none for throws.
        public init(integerLiteral n: Int) { self.init(crashed: n, timedOut: n) }

        @usableFromInline func allowed(_ kind: PoolFailure.Kind) -> Int {
            switch kind {
            case .threw: threw
            case .crashed: crashed
            case .timedOut: timedOut
            case .cancelled: 0
            }
        }
    }

    /// When a run of ``Pool/outcomes(_:policy:window:_:)`` gives up on the items not yet run. (A
    /// `Pool.map(_:policy:_:)` always stops at its first failure.)
    public enum Halt: Sendable, Equatable {
        /// Run every item, whatever fails.
        case never
        /// Stop once this many items have failed.
        case afterFailures(Int)
        /// Stop once this fraction of the settled items has failed, judged only after `minimum`
        /// items have settled so that one early failure does not end a long run.
        case afterFraction(Double, minimum: Int)
    }

    /// The longest one item may run; nil for no limit. Processes kill a worker whose item runs
    /// longer and start another; threads and serial cannot stop an item, and report it as
    /// ``PoolFailure/timedOut`` while it runs on.
    public var timeout: Duration?
    /// Retries per kind of failure.
    public var retries: Retries
    /// When to give up on the rest.
    public var halt: Halt
    /// Processes: a worker ends after this many items and a fresh one takes its place (for work
    /// that leaks); nil to keep workers for the whole run. Threads and serial ignore it.
    public var itemsPerWorker: Int?
    /// Called once in each worker before its first item, with the worker's number (0 ..< workers;
    /// a replacement gets the number of the one it replaces): in the forked process on processes,
    /// on the worker's thread on threads, on the calling thread on serial.
    public var initializer: (@Sendable (_ worker: Int) -> Void)?

    public init(
        timeout: Duration? = nil, retries: Retries = Retries(crashed: 1), halt: Halt = .never,
        itemsPerWorker: Int? = nil, initializer: (@Sendable (_ worker: Int) -> Void)? = nil
    ) {
        precondition(itemsPerWorker.map { $0 >= 1 } ?? true, "itemsPerWorker is at least 1")
        self.timeout = timeout
        self.retries = retries
        self.halt = halt
        self.itemsPerWorker = itemsPerWorker
        self.initializer = initializer
    }

    /// The timeout in seconds, for the supervisors' clocks.
    @usableFromInline var timeoutSeconds: Double? {
        timeout.map { Double($0.components.seconds) + Double($0.components.attoseconds) * 1e-18 }
    }
}
