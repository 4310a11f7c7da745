import HybridKit
import Testing

/// The big sieving primes (above the segment size in bytes): the bucket sieve, its mod-2310 wheel,
/// its buckets recycled between runs, and its lists sliding along their window, in both engines.
@Suite("Big sieving primes: the bucket sieve in both engines")
struct BucketSieveTests {
    /// Counts from `primesieve FROM TO-1 -c`, each range's to just above a power of ten.
    static let knownCounts: [(from: UInt64, to: UInt64, count: UInt64)] = [
        (1_000_000_000_000, 1_000_100_000_000, 3_618_282),
        (1_000_000_000_000_000, 1_000_000_010_000_000, 289_394),
        (1_000_000_000_000_000_000, 1_000_000_000_001_000_000, 24_280),
        (1 << 32, (1 << 32) + 100_663_296, 4_536_593),
    ]

    @Test("known counts high up", arguments: knownCounts)
    func knownCount(from: UInt64, to: UInt64, count: UInt64) throws {
        let c = try CSieveEngine()
        let totals = try c.totals(in: from..<to)
        #expect(totals.count == count)
    }

    @Test("known counts high up, the Swift engine", .enabled(if: optimized, heavySwiftReason), arguments: knownCounts)
    func knownCountSwift(from: UInt64, to: UInt64, count: UInt64) throws {
        #expect(try SwiftSieveEngine().totals(in: from..<to).count == count)
    }

    /// 2^64 - 1 - 10^6 ... 2^64 - 1: every prime below 2^32 is a big sieving prime; 22,475 primes
    /// (primesieve).
    @Test("the last million below 2^64")
    func lastMillion() throws {
        let range = (UInt64.max - 1_000_000)..<UInt64.max
        let totals = try CSieveEngine().totals(in: range)
        #expect(totals.count == 22_475)
    }

    @Test("the last million below 2^64, the Swift engine", .enabled(if: optimized, heavySwiftReason))
    func lastMillionSwift() throws {
        let range = (UInt64.max - 1_000_000)..<UInt64.max
        #expect(try SwiftSieveEngine().totals(in: range) == (try CSieveEngine().totals(in: range)))
    }

    /// With 64- and 128-byte segments every sieving prime above 64 or 128 is big, and the small
    /// ones among them have many multiples in a segment: each is filed back into the segment it
    /// is crossing. Windows anywhere up to 10^12 against trial division.
    @Test("tiny segments: big primes with many multiples per segment", arguments: [64, 128])
    func tinySegments(segmentBytes: Int) throws {
        let c = try CSieveEngine()
        let swift = try SwiftSieveEngine()
        c.segmentBytes = segmentBytes
        swift.segmentBytes = segmentBytes
        var random = SplitMix64(state: UInt64(segmentBytes) &+ 2310)
        for _ in 0..<30 {
            let from = UInt64.random(in: 0...1_000_000_000_000, using: &random)
            let to = from + UInt64.random(in: 0...4_000, using: &random)
            let expected = Reference.totals(in: from..<to, isPrime: Reference.isPrime(byTrialDivision:))
            let totals = PrimeTotals(count: expected.count, sum: expected.sum)
            #expect(try c.totals(in: from..<to) == totals, "[\(from), \(to))")
            #expect(try swift.totals(in: from..<to) == totals, "[\(from), \(to))")
        }
    }

    /// Thousands of 64-byte segments: the lists of the segments ahead slide to the end of their
    /// window and move back to its start many times; every segment edge is a chunk edge too.
    @Test("many segments: the lists slide along their window and back")
    func manySegments() throws {
        let from: UInt64 = 1_000_000_000_000
        let range = from..<(from + 20_000_000)
        let c = try CSieveEngine()
        let whole = try c.totals(in: range)
        c.segmentBytes = 64
        #expect(try c.totals(in: range) == whole)
        let swift = try SwiftSieveEngine()
        swift.segmentBytes = 64
        let swiftRange = optimized ? range : from..<(from + 2_000_000)
        #expect(try swift.totals(in: swiftRange) == (try c.totals(in: swiftRange)))
        #expect(whole.count == 723_063)  // primesieve 1e12 1e12+2e7-1 -c
    }

    /// One engine through runs whose big primes need few, many, then few lists again: buckets and
    /// list windows are kept and reused, and each answer is that of a fresh engine.
    @Test("an engine reused across scales gives a fresh engine's answers")
    func reuseAcrossScales() throws {
        let ranges: [Range<UInt64>] = [
            1_000_000..<1_100_000,
            1_000_000_000_000_000..<1_000_000_000_300_000,
            10_000..<20_000,
            1_000_000_000_000..<1_000_000_300_000,
            0..<1_000,
            1_000_000_000_000_000..<1_000_000_000_300_000,
        ]
        for segmentBytes in [256, 0] {
            let c = try CSieveEngine()
            let swift = try SwiftSieveEngine()
            c.segmentBytes = segmentBytes
            swift.segmentBytes = segmentBytes
            for range in ranges {
                let fresh = try CSieveEngine().totals(in: range)
                #expect(try c.totals(in: range) == fresh, "\(range), segment \(segmentBytes)")
                #expect(try swift.totals(in: range) == fresh, "\(range), segment \(segmentBytes)")
            }
        }
    }

    /// Single numbers and short windows whose only candidate multiples come from big primes near
    /// sqrt(to): squares and products of two primes just around 2^16, 2^20 and 2^31. The products
    /// from 2^50 up, whose sieving primes run to 2^31, are left to optimized builds.
    @Test("squares and semiprimes of big primes are crossed off")
    func semiprimes() throws {
        let c = try CSieveEngine()
        let swift = try SwiftSieveEngine()
        c.segmentBytes = 1024
        swift.segmentBytes = 1024
        let primes: [UInt64] = [65_521, 65_537, 1_048_573, 1_048_583, 2_147_483_629, 2_147_483_647]
        for p in primes {
            for q in primes where q >= p {
                let n = p * q
                let range = (n - 30)..<(n + 31)
                guard optimized || n < 1 << 50 else { continue }
                let expected = Reference.totals(in: range, isPrime: Reference.isPrime(byMillerRabin:))
                let totals = PrimeTotals(count: expected.count, sum: expected.sum)
                #expect(try c.totals(in: range) == totals, "\(range)")
                #expect(try swift.totals(in: range) == totals, "\(range)")
            }
        }
    }
}
