/// Why one item of a ``Pool`` run has no result, the same on every strategy.
public enum PoolFailure: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The work threw: the error's type and description, `"Parse.bad: no digits"`. Never a
    /// worker's death, and retried only when ``PoolPolicy/Retries/threw`` asks.
    case threw(String)
    /// The worker process died on the item: `"killed by SIGKILL"`, `"exited with code 3"`. A
    /// replacement worker takes the next items (processes only: a crash on threads or serial
    /// ends the whole program, as any crash does).
    case crashed(String)
    /// The item ran past ``PoolPolicy/timeout``. On processes its worker was killed and
    /// replaced; threads and serial cannot stop a running item, so it runs on and its result is
    /// dropped.
    case timedOut
    /// The run stopped before the item finished: the calling task was cancelled, `map` stopped
    /// at another item's failure, or the halt rule ended the run.
    case cancelled

    /// The kinds a policy retries.
    public enum Kind: Sendable, Hashable { case threw, crashed, timedOut, cancelled }

    /// This failure's kind.
    public var kind: Kind {
        switch self {
        case .threw: .threw
        case .crashed: .crashed
        case .timedOut: .timedOut
        case .cancelled: .cancelled
        }
    }

    /// `threw Parse.bad: no digits`, `crashed: killed by SIGKILL`, `timed out`, `cancelled`.
    public var description: String {
        switch self {
        case .threw(let error): "threw \(error)"
        case .crashed(let cause): "crashed: \(cause)"
        case .timedOut: "timed out"
        case .cancelled: "cancelled"
        }
    }

    /// A thrown error as it is reported: its type, then its description when that says more.
    @usableFromInline
    static func threw(_ error: any Error) -> PoolFailure {
        let type = String(reflecting: Swift.type(of: error))
        let text = String(describing: error)
        return .threw(text == type || text.isEmpty ? type : "\(type): \(text)")
    }
}
