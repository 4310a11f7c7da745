import CPrimePi

/// The combinatorial engine: the number and the exact sum of the primes up to any `x` below 2^64,
/// in sub-linear time (Deléglise–Rivat, generalised to sums), on the calling thread or on the
/// parallel map's workers.
///
/// Unlike a sieve it answers only prefixes `[0, x]`; a range's totals are the difference of two.
/// Asked for the count alone (`sum: false`) it runs its count-only mode, which skips every sum.
/// The corresponding C functions are `cprimepi_totals_alpha` and `cprimepi_count_alpha`.
package enum CombinatorialEngine {
    /// The primes `<= x` and their sum (`nil` when `sum` is false: only the count is computed).
    ///
    /// - Parameter alpha: the tuning factor (`y = alpha * x^(1/3)`, clamped to the method's
    ///   bounds); `nil` picks the default. Every alpha gives the same answer, so a second one
    ///   double-checks a result.
    package static func totals(upTo x: UInt64, alpha: Double? = nil, sum: Bool = true) throws(SieveError)
        -> PrimeTotals
    {
        guard sum else {
            var count: UInt64 = 0
            guard cprimepi_count_alpha(x, alpha ?? 0, &count) == CPRIMEPI_OK else { throw .outOfMemory }
            return PrimeTotals(count: count, sum: nil)
        }
        var result = cprimepi_result()
        guard cprimepi_totals_alpha(x, alpha ?? 0, &result) == CPRIMEPI_OK else { throw .outOfMemory }
        return PrimeTotals(result, sum: true)
    }

    /// The same totals (or the count alone) with the work's parts spread over `workers` of `strategy` (serial,
    /// threads or processes) through the parallel map: each term is cut into parts that start
    /// one segment wide and double up to a quarter of a worker's even share
    /// (`cprimepi_plan_parts`), each part's result crosses to the caller in a flat slot, and the
    /// caller combines them in order. Forked workers run C alone (`cprimepi_parts_work`) over a plan
    /// made before the fork, so this is safe from a program with threads.
    ///
    /// - Throws: ``SieveError`` when memory runs out, ``PoolError`` when workers fail, and
    ///   ``RunInterrupted`` when `stopOnSignals` and a signal stopped it.
    package static func totals(
        upTo x: UInt64, alpha: Double? = nil, sum: Bool = true, strategy: ComputeStrategy, workers: Int,
        stopOnSignals: Bool = false
    ) throws -> PrimeTotals {
        var plan = cprimepi_plan()
        let mode = sum ? CPRIMEPI_COUNT_AND_SUM : CPRIMEPI_COUNT_ONLY
        guard cprimepi_plan_init_mode(&plan, x, alpha ?? 0, mode) == CPRIMEPI_OK else {
            throw SieveError.outOfMemory
        }
        defer { cprimepi_plan_free(&plan) }
        let perTerm = UInt32(clamping: 4 * max(1, workers))
        let count = cprimepi_plan_parts(&plan, perTerm, nil, 0)
        var ranges = [cprimepi_part_range](repeating: cprimepi_part_range(), count: count)
        _ = cprimepi_plan_parts(&plan, perTerm, &ranges, count)
        let slotBytes = cprimepi_slot_bytes(&plan)
        let slots = try withUnsafePointer(to: &plan) { plan in
            try ranges.withUnsafeBufferPointer { ranges in
                var parts = cprimepi_parts(plan: plan, ranges: ranges.baseAddress!, count: UInt64(count))
                return try withUnsafeMutablePointer(to: &parts) { parts in
                    let context = UnsafeMutableRawPointer(parts)
                    let work = MapWork(forked: .c(cprimepi_parts_work, context: context)) {
                        { item, slot in
                            guard cprimepi_parts_work(context, UInt64(item), slot.baseAddress) == CPRIMEPI_OK else {
                                throw SieveError.outOfMemory
                            }
                        }
                    }
                    let map = ParallelMap(
                        items: count, slotBytes: slotBytes, strategy: strategy, workers: workers,
                        stopOnSignals: stopOnSignals)
                    return try map.run(work)
                }
            }
        }
        var combiner = cprimepi_combiner()
        guard cprimepi_combiner_init(&combiner, &plan) == CPRIMEPI_OK else { throw SieveError.outOfMemory }
        defer { cprimepi_combiner_free(&combiner) }
        for item in 0..<count {
            let status = slots.slot(item).withUnsafeBytes { cprimepi_combine_slot(&combiner, $0.baseAddress!) }
            guard status == CPRIMEPI_OK else { throw SieveError.outOfMemory }
        }
        var result = cprimepi_result()
        guard cprimepi_combiner_result(&combiner, &result) == CPRIMEPI_OK else { throw SieveError.outOfMemory }
        return PrimeTotals(result, sum: sum)
    }

    /// The `y` the engine would use for `x` and `alpha`: what moving alpha changes.
    package static func y(for x: UInt64, alpha: Double? = nil) throws(SieveError) -> UInt64 {
        var plan = cprimepi_plan()
        guard cprimepi_plan_init(&plan, x, alpha ?? 0) == CPRIMEPI_OK else { throw .outOfMemory }
        defer { cprimepi_plan_free(&plan) }
        return cprimepi_plan_y(&plan)
    }
}

extension PrimeTotals {
    /// The count and, when `sum`, the 128-bit sum of a CPrimePi result.
    fileprivate init(_ result: cprimepi_result, sum: Bool) {
        self.init(count: result.count, sum: sum ? UInt128(result.sum_high) << 64 | UInt128(result.sum_low) : nil)
    }
}
