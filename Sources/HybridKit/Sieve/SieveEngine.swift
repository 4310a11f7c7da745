/// What a strategy needs of an engine, whichever language runs its hot loop.
protocol SieveEngine: AnyObject {
    /// Counts, and with `sum` also sums, the primes in `range`.
    func totals(in range: Range<UInt64>, sum: Bool) throws(SieveError) -> PrimeTotals
}

extension CSieveEngine: SieveEngine {}
extension SwiftSieveEngine: SieveEngine {}

extension EngineKind {
    /// A new engine of this kind, for one worker.
    func makeEngine() throws(SieveError) -> any SieveEngine {
        switch self {
        case .c: try CSieveEngine()
        case .swift: try SwiftSieveEngine()
        }
    }
}

extension EngineKind {
    /// Counts, and with `sum` also sums, the primes in `range` with one new engine of this kind
    /// in one call: the hot loop with no orchestration around it (the bench's yardstick).
    public func totals(in range: Range<UInt64>, sum: Bool = true) throws(SieveError) -> PrimeTotals {
        try makeEngine().totals(in: range, sum: sum)
    }
}
