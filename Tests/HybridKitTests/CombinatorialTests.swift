import CPrimePi
import CSieve
import Foundation
import HybridKit
import Testing

/// Whether the rows of CPU-minutes run (to 10^19, 2^63 and 2^64 - 1, minutes each even
/// optimized): `HYBRID_SLOW_TESTS=1`.
private let slowTestsEnabled = ProcessInfo.processInfo.environment["HYBRID_SLOW_TESTS"] == "1"

/// The sieve's totals of `[from, to)`, the reference every combinatorial answer is held against.
private func sieveTotals(_ from: UInt64, _ to: UInt64) -> PrimeTotals {
    var result = csieve_result()
    precondition(csieve_primes(from, to, &result) == CSIEVE_OK)
    return PrimeTotals(count: result.count, sum: UInt128(result.sum_high) << 64 | UInt128(result.sum_low))
}

/// π(2^32) and the sum of the primes <= 2^32 (libprimesieve's iterator agrees).
private let totalsToTwoToThe32 = PrimeTotals(count: 203_280_221, sum: 425_649_736_193_687_430)

private func totals(_ result: cprimepi_result) -> PrimeTotals {
    PrimeTotals(count: result.count, sum: UInt128(result.sum_high) << 64 | UInt128(result.sum_low))
}

@Suite("The combinatorial engine's answers")
struct CombinatorialTests {
    /// π(10^k) and the sum of the primes below 10^k, k = 1 ... 19 (see ``KnownValues``).
    static let knownValues = KnownValues.belowPowersOfTen.map { (x: $0.to, count: $0.count, sum: $0.sum) }

    /// Up to 10^12 in a debug build (CPrimePi at -O0), 10^15 in an optimized one: seconds each.
    static let quickLimit: UInt64 = optimized ? 1_000_000_000_000_000 : 1_000_000_000_000
    static let quickKnownValues = knownValues.filter { $0.x <= quickLimit }
    static let slowKnownValues = knownValues.filter { $0.x > quickLimit }

    /// Every x up to 10^6 in an optimized build (CI runs one), up to 2 * 10^4 in a debug build,
    /// whose C is unoptimized.
    static let everyXBound: UInt64 = optimized ? 1_000_000 : 20_000

    @Test("every x up to 10^6 (2 * 10^4 in a debug build) against the sieve")
    func everySmallX() throws {
        let sieve = try CSieveEngine()
        var expected = PrimeTotals.zero
        var wrong: [UInt64] = []
        for x in UInt64(0)...Self.everyXBound {
            expected = expected + (try sieve.totals(in: x..<x + 1))
            if try CombinatorialEngine.totals(upTo: x) != expected { wrong.append(x) }
        }
        #expect(wrong.isEmpty, "wrong at \(wrong.prefix(10))")
    }

    @Test("known values up to 10^12 (10^15 optimized)", arguments: quickKnownValues)
    func knownValue(value: (x: UInt64, count: UInt64, sum: UInt128)) throws {
        #expect(try CombinatorialEngine.totals(upTo: value.x) == PrimeTotals(count: value.count, sum: value.sum))
    }

    @Test(
        "known values above those, to 10^19", .enabled(if: slowTestsEnabled, "CPU-minutes: HYBRID_SLOW_TESTS=1"),
        arguments: slowKnownValues)
    func slowKnownValue(value: (x: UInt64, count: UInt64, sum: UInt128)) throws {
        #expect(try CombinatorialEngine.totals(upTo: value.x) == PrimeTotals(count: value.count, sum: value.sum))
    }

    @Test("2^32 against the sieve")
    func twoToThe32() throws {
        let x: UInt64 = 1 << 32
        #expect(sieveTotals(0, x + 1) == totalsToTwoToThe32)
        #expect(try CombinatorialEngine.totals(upTo: x) == totalsToTwoToThe32)
    }

    /// π(2^63) and π(2^64 - 1) (OEIS A007053): the top of the range, where the engine's 64-bit
    /// bounds are tightest.
    @Test(
        "2^63 and 2^64 - 1", .enabled(if: slowTestsEnabled, "CPU-minutes: HYBRID_SLOW_TESTS=1"),
        arguments: [
            (UInt64(1) << 63, UInt64(216_289_611_853_439_384)),
            (UInt64.max, UInt64(425_656_284_035_217_743)),
        ])
    func topOfTheRange(x: UInt64, count: UInt64) throws {
        #expect(try CombinatorialEngine.totals(upTo: x).count == count)
    }

    /// Differences of two answers equal the sieve's totals of the window between them: random x
    /// up to 10^11, each window up to 10^6 wide.
    @Test("random windows up to 10^11 against the sieve")
    func randomWindows() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<12 {
            let high = UInt64.random(in: 1_000_000...100_000_000_000, using: &generator)
            let low = high - UInt64.random(in: 1...1_000_000, using: &generator)
            let window = sieveTotals(low + 1, high + 1)
            let upper = try CombinatorialEngine.totals(upTo: high)
            let lower = try CombinatorialEngine.totals(upTo: low)
            #expect(upper.count - lower.count == window.count, "window (\(low), \(high)]")
            #expect(upper.sum! - lower.sum! == window.sum!, "window (\(low), \(high)]")
        }
    }

    @Test(
        "every alpha gives the same answer",
        arguments: [UInt64(1_000_003), 987_654_321, 123_456_789_012, 400_000_000_037])
    func alphaMoved(x: UInt64) throws {
        let reference = try CombinatorialEngine.totals(upTo: x)
        var ys: Set<UInt64> = []
        for alpha in [1, 1.7, 4, 9.5, 30, 1000] {
            ys.insert(try CombinatorialEngine.y(for: x, alpha: alpha))
            #expect(try CombinatorialEngine.totals(upTo: x, alpha: alpha) == reference, "alpha \(alpha)")
        }
        #expect(ys.count >= 4, "alpha should move y: \(ys.sorted())")
    }

    /// The parts of every term, cut at random and computed out of order, combine to the one-shot
    /// answer: what a parallel map will do.
    @Test("parts computed apart combine to the whole", arguments: [UInt64(3_000_000_017), 200_000_000_003])
    func partsCombine(x: UInt64) throws {
        var plan = cprimepi_plan()
        #expect(cprimepi_plan_init(&plan, x, 1) == CPRIMEPI_OK)
        defer { cprimepi_plan_free(&plan) }
        var combiner = cprimepi_combiner()
        #expect(cprimepi_combiner_init(&combiner, &plan) == CPRIMEPI_OK)
        defer { cprimepi_combiner_free(&combiner) }
        var generator = SystemRandomNumberGenerator()
        for term in [CPRIMEPI_P2, CPRIMEPI_HARD_LEAVES, CPRIMEPI_EASY_LEAVES, CPRIMEPI_ORDINARY_LEAVES] {
            let segments = cprimepi_segments(&plan, term)
            var cuts: [UInt64] = [0, segments]
            for _ in 0..<3 where segments > 1 { cuts.append(UInt64.random(in: 1..<segments, using: &generator)) }
            cuts = Array(Set(cuts)).sorted()
            var partials: [cprimepi_partial] = []
            for (from, to) in zip(cuts, cuts.dropFirst()).reversed() {
                var partial = cprimepi_partial()
                #expect(cprimepi_partial_init(&partial, &plan) == CPRIMEPI_OK)
                #expect(cprimepi_part(&plan, term, from, to, &partial) == CPRIMEPI_OK)
                partials.insert(partial, at: 0)
            }
            if partials.count > 1 {
                #expect(cprimepi_combine(&combiner, &partials[1]) == CPRIMEPI_EINVAL, "out of order")
            }
            for index in partials.indices {
                #expect(cprimepi_combine(&combiner, &partials[index]) == CPRIMEPI_OK)
                cprimepi_partial_free(&partials[index])
            }
        }
        var result = cprimepi_result()
        #expect(cprimepi_combiner_result(&combiner, &result) == CPRIMEPI_OK)
        #expect(totals(result) == (try CombinatorialEngine.totals(upTo: x, alpha: 1)))
    }

    /// The parts spread over the parallel map, in flat slots, combine to the known answers on
    /// every strategy and worker count.
    @Test(
        "parts on serial, threads and processes agree with the known values",
        arguments: [(ComputeStrategy.serial, 1), (.threads, 2), (.threads, 5), (.processes, 2), (.processes, 3)])
    func spread(strategy: ComputeStrategy, workers: Int) throws {
        let cases = Self.knownValues.filter { [1_000_000_000, 100_000_000_000].contains($0.x) }
        for value in cases {
            let spread = try CombinatorialEngine.totals(upTo: value.x - 1, strategy: strategy, workers: workers)
            #expect(spread == PrimeTotals(count: value.count, sum: value.sum), "x = \(value.x)")
        }
        let top = try CombinatorialEngine.totals(upTo: 1 << 32, strategy: strategy, workers: workers)
        #expect(top == totalsToTwoToThe32)
    }

    @Test("a result before every segment is combined is refused")
    func incompleteCombination() throws {
        var plan = cprimepi_plan()
        #expect(cprimepi_plan_init(&plan, 1_000_000_000, 0) == CPRIMEPI_OK)
        defer { cprimepi_plan_free(&plan) }
        var combiner = cprimepi_combiner()
        #expect(cprimepi_combiner_init(&combiner, &plan) == CPRIMEPI_OK)
        defer { cprimepi_combiner_free(&combiner) }
        var result = cprimepi_result()
        #expect(cprimepi_combiner_result(&combiner, &result) == CPRIMEPI_EINVAL)
        #expect(String(cString: cprimepi_version()) == CPRIMEPI_VERSION)
    }
}

/// The count-only mode: π(x) alone, held against published values, the sieve and the count of
/// the count-and-sum mode.
@Suite("The combinatorial engine counting alone")
struct CombinatorialCountTests {
    @Test("known values up to 10^12 (10^15 optimized)", arguments: CombinatorialTests.quickKnownValues)
    func knownValue(value: (x: UInt64, count: UInt64, sum: UInt128)) throws {
        #expect(try CombinatorialEngine.totals(upTo: value.x, sum: false) == PrimeTotals(count: value.count, sum: nil))
        var count: UInt64 = 0
        #expect(cprimepi_count(value.x, &count) == CPRIMEPI_OK)
        #expect(count == value.count)
    }

    @Test(
        "known values above those, to 10^19", .enabled(if: slowTestsEnabled, "CPU-minutes: HYBRID_SLOW_TESTS=1"),
        arguments: CombinatorialTests.slowKnownValues)
    func slowKnownValue(value: (x: UInt64, count: UInt64, sum: UInt128)) throws {
        #expect(try CombinatorialEngine.totals(upTo: value.x, sum: false).count == value.count)
    }

    @Test("every x up to 3 * 10^4, and 2^32, against the sieve")
    func againstTheSieve() throws {
        var wrong: [UInt64] = []
        var count: UInt64 = 0
        for x in UInt64(0)...30_000 {
            if x >= 2, sieveTotals(x, x + 1).count == 1 { count += 1 }
            if try CombinatorialEngine.totals(upTo: x, sum: false).count != count { wrong.append(x) }
        }
        #expect(wrong.isEmpty, "wrong at \(wrong.prefix(10))")
        #expect(try CombinatorialEngine.totals(upTo: 1 << 32, sum: false).count == 203_280_221)
    }

    @Test("2^63 and 2^64 - 1", .enabled(if: slowTestsEnabled, "CPU-minutes: HYBRID_SLOW_TESTS=1"))
    func topOfTheRange() throws {
        #expect(try CombinatorialEngine.totals(upTo: 1 << 63, sum: false).count == 216_289_611_853_439_384)
        #expect(try CombinatorialEngine.totals(upTo: .max, sum: false).count == 425_656_284_035_217_743)
    }

    /// Random x of every size up to 10^11, and several alphas each: the count alone equals the
    /// count of the count-and-sum mode.
    @Test("random x: the count alone equals the count beside the sum, at every alpha")
    func randomX() throws {
        var random = SplitMix64(state: 1_000_003)
        for _ in 0..<24 {
            let digits = Double.random(in: 1...11, using: &random)
            let x = UInt64(pow(10, digits)) + UInt64.random(in: 0...1000, using: &random)
            let both = try CombinatorialEngine.totals(upTo: x)
            for alpha in [nil, 1, 3.3, 20] as [Double?] {
                let alone = try CombinatorialEngine.totals(upTo: x, alpha: alpha, sum: false)
                #expect(alone == PrimeTotals(count: both.count, sum: nil), "x = \(x), alpha \(alpha ?? 0)")
            }
        }
    }

    @Test(
        "parts on serial, threads and processes count alone",
        arguments: [(ComputeStrategy.serial, 1), (.threads, 3), (.processes, 2)])
    func spread(strategy: ComputeStrategy, workers: Int) throws {
        let x: UInt64 = 100_000_000_000
        let spread = try CombinatorialEngine.totals(upTo: x, sum: false, strategy: strategy, workers: workers)
        #expect(spread == PrimeTotals(count: 4_118_054_813, sum: nil))
    }

    @Test("a count-only plan says so and leaves the sum at 0; an unknown mode is refused")
    func mode() throws {
        var plan = cprimepi_plan()
        #expect(cprimepi_plan_init_mode(&plan, 1_000_000_007, 0, CPRIMEPI_COUNT_ONLY) == CPRIMEPI_OK)
        defer { cprimepi_plan_free(&plan) }
        #expect(cprimepi_plan_mode(&plan) == CPRIMEPI_COUNT_ONLY)
        var combiner = cprimepi_combiner()
        #expect(cprimepi_combiner_init(&combiner, &plan) == CPRIMEPI_OK)
        defer { cprimepi_combiner_free(&combiner) }
        for term in [CPRIMEPI_ORDINARY_LEAVES, CPRIMEPI_HARD_LEAVES, CPRIMEPI_EASY_LEAVES, CPRIMEPI_P2] {
            let slot = UnsafeMutableRawPointer.allocate(byteCount: cprimepi_slot_bytes(&plan), alignment: 16)
            defer { slot.deallocate() }
            #expect(cprimepi_part_into(&plan, term, 0, cprimepi_segments(&plan, term), slot) == CPRIMEPI_OK)
            #expect(cprimepi_combine_slot(&combiner, slot) == CPRIMEPI_OK)
        }
        var result = cprimepi_result()
        #expect(cprimepi_combiner_result(&combiner, &result) == CPRIMEPI_OK)
        #expect(result.count == 50_847_535 && result.sum_low == 0 && result.sum_high == 0)
        var other = cprimepi_plan()
        #expect(cprimepi_plan_init_mode(&other, 1000, 0, cprimepi_mode(rawValue: 7)) == CPRIMEPI_EINVAL)
        #expect(other.data == nil)
    }
}
