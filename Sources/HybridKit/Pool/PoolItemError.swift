/// The first item of a `Pool.map(_:policy:_:)` that failed: which, and how. The map stops every
/// other item before throwing it.
public struct PoolItemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The item's position in the input, from 0.
    public var index: Int
    /// How it failed, after any retries.
    public var failure: PoolFailure

    public init(index: Int, failure: PoolFailure) {
        self.index = index
        self.failure = failure
    }

    /// `item 42 threw Parse.bad: no digits`.
    public var description: String { "item \(index) \(failure)" }
}
