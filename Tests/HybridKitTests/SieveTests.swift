import HybridKit
import Testing

@Suite("The C sieve's answers")
struct SieveTests {
    /// π(10^k) and the sum of the primes below 10^k, k = 1 ... 10.
    static let knownValues: [(to: UInt64, count: UInt64, sum: UInt128)] = [
        (10, 4, 17),
        (100, 25, 1060),
        (1_000, 168, 76127),
        (10_000, 1229, 5_736_396),
        (100_000, 9592, 454_396_537),
        (1_000_000, 78498, 37_550_402_023),
        (10_000_000, 664_579, 3_203_324_994_356),
        (100_000_000, 5_761_455, 279_209_790_387_276),
        (1_000_000_000, 50_847_534, 24_739_512_092_254_535),
        (10_000_000_000, 455_052_511, 2_220_822_432_581_729_238),
    ]

    @Test("known values below 10^k", arguments: knownValues)
    func knownValue(to: UInt64, count: UInt64, sum: UInt128) throws {
        let totals = try CSieveEngine().totals(in: 0..<to)
        #expect(totals == PrimeTotals(count: count, sum: sum))
    }

    @Test("counting alone gives the same count and no sum")
    func countOnly() throws {
        let totals = try CSieveEngine().totals(in: 0..<100_000_000, sum: false)
        #expect(totals == PrimeTotals(count: 5_761_455, sum: nil))
    }

    @Test(
        "tiny ranges at the bottom",
        arguments: [
            (UInt64(0), UInt64(0), UInt64(0), UInt128(0)), (0, 2, 0, 0), (2, 3, 1, 2), (3, 3, 0, 0), (7, 8, 1, 7),
            (0, 1, 0, 0), (1, 2, 0, 0), (0, 3, 1, 2), (2, 6, 3, 10), (5, 7, 1, 5), (0, 7, 3, 10), (1, 8, 4, 17),
            (163, 168, 2, 330), (29, 30, 1, 29), (30, 31, 0, 0), (31, 32, 1, 31),
        ])
    func tinyRange(from: UInt64, to: UInt64, count: UInt64, sum: UInt128) throws {
        #expect(try CSieveEngine().totals(in: from..<to) == PrimeTotals(count: count, sum: sum))
    }

    /// Random ranges against trial division, with segments from 64 bytes (1,920 numbers, so
    /// many segment edges and bucket-sieved primes) to the cache-sized default.
    @Test("random ranges agree with trial division", arguments: [64, 128, 1024, 0])
    func randomRanges(segmentBytes: Int) throws {
        var random = SplitMix64(state: UInt64(segmentBytes) &+ 2024)
        let engine = try CSieveEngine()
        engine.segmentBytes = segmentBytes
        for _ in 0..<40 {
            let scale = [UInt64(1_000), 100_000, 10_000_000, 10_000_000_000].randomElement(using: &random)!
            let from = UInt64.random(in: 0...scale, using: &random)
            let to = from + UInt64.random(in: 0...5_000, using: &random)
            let expected = Reference.totals(in: from..<to, isPrime: Reference.isPrime(byTrialDivision:))
            let totals = try engine.totals(in: from..<to)
            #expect(totals == PrimeTotals(count: expected.count, sum: expected.sum), "[\(from), \(to))")
        }
    }

    /// Chunks of any size add up to the whole, whatever the segment size.
    @Test("adjacent chunks add up to the whole range", arguments: [64, 4096, 0])
    func chunksAddUp(segmentBytes: Int) throws {
        let engine = try CSieveEngine()
        engine.segmentBytes = segmentBytes
        let whole = try engine.totals(in: 1_000_000..<21_000_000)
        var random = SplitMix64(state: 7)
        var total = PrimeTotals.zero
        var from: UInt64 = 1_000_000
        while from < 21_000_000 {
            let to = min(21_000_000, from + UInt64.random(in: 1...3_000_000, using: &random))
            total = total + (try engine.totals(in: from..<to))
            from = to
        }
        #expect(total == whole)
        #expect(whole.count == 1_251_445)  // primesieve 1e6 21e6-1 -c
    }

    /// Automatic sizing grows the segment with sqrt(to) (256 KiB up to 2 MiB on a 1 MiB L2):
    /// ranges high enough to get each size agree with a fixed tiny segment.
    @Test(
        "automatic segment sizes agree with a fixed one",
        arguments: [
            UInt64(10_000_000_000), 50_000_000_000, 300_000_000_000, 1_000_000_000_000, 100_000_000_000_000,
        ])
    func automaticSegments(from: UInt64) throws {
        let automatic = try CSieveEngine()
        let fixed = try CSieveEngine()
        fixed.segmentBytes = 2048
        let range = from..<(from + 30_000_000)
        #expect(try automatic.totals(in: range) == (try fixed.totals(in: range)))
        #expect(automatic.segmentBytes >= 4096)
    }

    @Test("ranges around 2^32 agree with Miller-Rabin")
    func aroundTwoToThe32() throws {
        let engine = try CSieveEngine()
        engine.segmentBytes = 256
        let centre: UInt64 = 1 << 32
        for (from, to) in [(centre - 30_000, centre + 30_000), (centre - 1, centre + 1), (centre, centre + 15)] {
            let expected = Reference.totals(in: from..<to, isPrime: Reference.isPrime(byMillerRabin:))
            #expect(try engine.totals(in: from..<to) == PrimeTotals(count: expected.count, sum: expected.sum))
        }
    }

    /// The top of the range: sieving primes up to 2^32, multiples that would overflow 64 bits,
    /// and the last byte of the wheel past 2^64 - 1.
    @Test("ranges just below 2^64 agree with Miller-Rabin")
    func justBelowTwoToThe64() throws {
        let top = UInt64.max
        let from = top - 20_000
        let expected = Reference.totals(in: from..<top, isPrime: Reference.isPrime(byMillerRabin:))
        let engine = try CSieveEngine()
        #expect(try engine.totals(in: from..<top) == PrimeTotals(count: expected.count, sum: expected.sum))
        // The largest 64-bit prime is 2^64 - 59.
        #expect(try engine.totals(in: (top - 57)..<top) == PrimeTotals(count: 0, sum: 0))
        #expect(try engine.totals(in: (top - 58)..<top) == PrimeTotals(count: 1, sum: UInt128(top - 58)))
        #expect(try engine.totals(in: (top - 58)..<(top - 58)) == PrimeTotals.zero)
        #expect(try engine.totals(in: (top - 60)..<(top - 57)) == PrimeTotals(count: 1, sum: UInt128(top - 58)))
    }

    @Test("an inverted range is refused")
    func invertedRange() throws {
        // Range<UInt64> cannot be inverted; the C entry point checks it for C callers.
        #expect(throws: Never.self) { try CSieveEngine().totals(in: 5..<5) }
    }
}
