/// How many primes a range holds, and their exact sum.
public struct PrimeTotals: Equatable, Hashable, Sendable {
    /// The number of primes.
    public var count: UInt64
    /// Their sum; `nil` when only counting was asked for.
    public var sum: UInt128?

    public init(count: UInt64, sum: UInt128?) {
        self.count = count
        self.sum = sum
    }

    /// No primes: the identity of `+`.
    public static let zero = PrimeTotals(count: 0, sum: 0)

    /// The totals of two disjoint ranges together. A missing sum on either side stays missing.
    public static func + (left: PrimeTotals, right: PrimeTotals) -> PrimeTotals {
        let sum: UInt128? =
            if let leftSum = left.sum, let rightSum = right.sum { leftSum + rightSum } else { nil }
        return PrimeTotals(count: left.count + right.count, sum: sum)
    }
}
