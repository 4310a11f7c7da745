/// One item's outcome in a ``Pool`` run: which item, and its result or why it has none.
public struct PoolOutcome<Output: Sendable>: Sendable {
    /// The item's position in the input, from 0.
    public var index: Int
    /// Its output, or its failure after any retries the policy allowed.
    public var result: Result<Output, PoolFailure>
    /// How many times it ran (1 when it was not retried; 0 when it was cancelled before running).
    public var attempts: Int

    public init(index: Int, result: Result<Output, PoolFailure>, attempts: Int) {
        self.index = index
        self.result = result
        self.attempts = attempts
    }

    /// The output; nil when the item failed.
    public var output: Output? { try? result.get() }
    /// The failure; nil when the item succeeded.
    public var failure: PoolFailure? {
        if case .failure(let failure) = result { return failure }
        return nil
    }
}

extension PoolOutcome: Equatable where Output: Equatable {}
