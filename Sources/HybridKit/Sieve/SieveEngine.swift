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
