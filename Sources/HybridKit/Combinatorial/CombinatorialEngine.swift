import CPrimePi

/// The combinatorial engine: the number and the exact sum of the primes up to any `x` below 2^64,
/// in sub-linear time (Deléglise–Rivat, generalised to sums), on the calling thread.
///
/// Unlike a sieve it answers only prefixes `[0, x]`; a range's totals are the difference of two.
/// The corresponding C function is `cprimepi_totals_alpha`.
package enum CombinatorialEngine {
    /// The primes `<= x` and their sum.
    ///
    /// - Parameter alpha: the tuning factor (`y = alpha * x^(1/3)`, clamped to the method's
    ///   bounds); `nil` picks the default. Every alpha gives the same answer, so a second one
    ///   double-checks a result.
    package static func totals(upTo x: UInt64, alpha: Double? = nil) throws(SieveError) -> PrimeTotals {
        var result = cprimepi_result()
        switch cprimepi_totals_alpha(x, alpha ?? 0, &result) {
        case CPRIMEPI_OK:
            return PrimeTotals(count: result.count, sum: UInt128(result.sum_high) << 64 | UInt128(result.sum_low))
        default:
            throw .outOfMemory
        }
    }

    /// The `y` the engine would use for `x` and `alpha`: what moving alpha changes.
    package static func y(for x: UInt64, alpha: Double? = nil) throws(SieveError) -> UInt64 {
        var plan = cprimepi_plan()
        guard cprimepi_plan_init(&plan, x, alpha ?? 0) == CPRIMEPI_OK else { throw .outOfMemory }
        defer { cprimepi_plan_free(&plan) }
        return cprimepi_plan_y(&plan)
    }
}
