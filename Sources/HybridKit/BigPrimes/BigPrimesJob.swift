/// A bigprimes workload: `count` probable primes of `bits` bits for a seed, and how to run it.
public struct BigPrimesJob: Sendable, Equatable {
    /// The largest count a job may ask for.
    public static let maximumCount = 1_000_000

    /// The bit length of every prime, in ``BigPrime/bitRange``.
    public var bits: Int
    /// How many primes: items 0 ..< count.
    public var count: Int
    /// The seed that, with an item's index, decides its prime.
    public var seed: UInt64
    /// How items are spread over workers: serial, threads or processes.
    public var strategy: ComputeStrategy
    /// How many workers (threads or processes) run at once.
    public var workers: Int

    public init(bits: Int, count: Int, seed: UInt64 = 1, strategy: ComputeStrategy = .serial, workers: Int = 1) {
        self.bits = bits
        self.count = count
        self.seed = seed
        self.strategy = strategy
        self.workers = workers
    }

    /// Checks the job's bounds; throws a ``UsageError`` naming the first one it breaks.
    public func validate() throws(UsageError) {
        let bitRange = BigPrime.bitRange
        guard bitRange.contains(bits) else {
            throw UsageError("--bits must lie in \(bitRange.lowerBound)...\(bitRange.upperBound), got \(bits)")
        }
        guard (1...Self.maximumCount).contains(count) else {
            throw UsageError("--count must lie in 1...\(Self.maximumCount), got \(count)")
        }
        try strategy.validate(workers: workers)
    }
}
