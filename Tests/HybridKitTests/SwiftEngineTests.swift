import HybridKit
import Testing

/// Whether this test build is optimized: `swift test` builds for debugging, where the Swift engine
/// (unlike the C one, which is always compiled optimized) runs tens of times slower.
private let optimized: Bool = {
    #if DEBUG
        return false
    #else
        return true
    #endif
}()

@Suite("The Swift engine agrees with the C engine")
struct SwiftEngineTests {
    /// The known values up to 10^8 in a debug build, and all of them in an optimized one.
    static let knownValues = SieveTests.knownValues.filter { optimized || $0.to <= 100_000_000 }

    @Test("known values below 10^k", arguments: knownValues)
    func knownValue(to: UInt64, count: UInt64, sum: UInt128) throws {
        let totals = try SwiftSieveEngine().totals(in: 0..<to)
        #expect(totals == PrimeTotals(count: count, sum: sum))
        #expect(totals == (try CSieveEngine().totals(in: 0..<to)))
    }

    @Test("counting alone gives the same count and no sum")
    func countOnly() throws {
        let totals = try SwiftSieveEngine().totals(in: 0..<10_000_000, sum: false)
        #expect(totals == PrimeTotals(count: 664_579, sum: nil))
    }

    @Test("tiny ranges at the bottom")
    func tinyRanges() throws {
        let swift = try SwiftSieveEngine()
        let c = try CSieveEngine()
        for from: UInt64 in 0..<200 {
            for to in from..<(from + 40) {
                #expect(try swift.totals(in: from..<to) == (try c.totals(in: from..<to)), "[\(from), \(to))")
            }
        }
    }

    /// Random ranges, with segments from 64 bytes (1,920 numbers, so many segment edges and
    /// bucket-sieved primes) to the cache-sized default.
    @Test("random ranges", arguments: [64, 128, 1024, 0])
    func randomRanges(segmentBytes: Int) throws {
        var random = SplitMix64(state: UInt64(segmentBytes) &+ 4048)
        let swift = try SwiftSieveEngine()
        let c = try CSieveEngine()
        swift.segmentBytes = segmentBytes
        c.segmentBytes = segmentBytes
        #expect(swift.segmentBytes == c.segmentBytes)
        for _ in 0..<60 {
            let scale = [UInt64(1_000), 100_000, 10_000_000, 10_000_000_000, 1 << 40].randomElement(using: &random)!
            let from = UInt64.random(in: 0...scale, using: &random)
            let to = from + UInt64.random(in: 0...200_000, using: &random)
            let sum = Bool.random(using: &random)
            #expect(
                try swift.totals(in: from..<to, sum: sum) == (try c.totals(in: from..<to, sum: sum)), "[\(from), \(to))"
            )
        }
    }

    @Test(
        "segment sizes are clamped to powers of two in 64 ... 8 MiB, as the C engine's are",
        arguments: [1, 64, 100, 4096, 300_000, 1 << 30, 0])
    func segmentSizes(bytes: Int) throws {
        let swift = try SwiftSieveEngine()
        let c = try CSieveEngine()
        swift.segmentBytes = bytes
        c.segmentBytes = bytes
        #expect(swift.segmentBytes == c.segmentBytes)
    }

    /// Chunks of any size add up to the whole, whatever the segment size.
    @Test("adjacent chunks add up to the whole range", arguments: [64, 4096, 0])
    func chunksAddUp(segmentBytes: Int) throws {
        let engine = try SwiftSieveEngine()
        engine.segmentBytes = segmentBytes
        var random = SplitMix64(state: 11)
        var total = PrimeTotals.zero
        var from: UInt64 = 1_000_000
        while from < 6_000_000 {
            let to = min(6_000_000, from + UInt64.random(in: 1...1_000_000, using: &random))
            total = total + (try engine.totals(in: from..<to))
            from = to
        }
        #expect(total == (try CSieveEngine().totals(in: 1_000_000..<6_000_000)))
    }

    @Test("ranges around 2^32")
    func aroundTwoToThe32() throws {
        let swift = try SwiftSieveEngine()
        let c = try CSieveEngine()
        for segmentBytes in [256, 0] {
            swift.segmentBytes = segmentBytes
            let centre: UInt64 = 1 << 32
            for (from, to) in [(centre - 300_000, centre + 300_000), (centre - 1, centre + 1), (centre, centre + 15)] {
                #expect(try swift.totals(in: from..<to) == (try c.totals(in: from..<to)), "[\(from), \(to))")
            }
        }
    }

    /// The top of the range: sieving primes up to 2^32 (so the generator sieves all of [167, 2^32)),
    /// multiples that would overflow 64 bits, and the last byte of the wheel past 2^64 - 1. In a debug
    /// build that generation takes minutes, so only an optimized build runs it.
    @Test("ranges just below 2^64", .enabled(if: optimized, "needs an optimized build (swift test -c release)"))
    func justBelowTwoToThe64() throws {
        let top = UInt64.max
        let swift = try SwiftSieveEngine()
        let c = try CSieveEngine()
        for (from, to) in [
            (top - 200_000, top), (top - 57, top), (top - 58, top), (top - 58, top - 58), (top - 60, top - 57),
        ] {
            #expect(try swift.totals(in: from..<to) == (try c.totals(in: from..<to)), "[\(from), \(to))")
        }
        #expect(try swift.totals(in: (top - 58)..<top) == PrimeTotals(count: 1, sum: UInt128(top - 58)))
    }

    /// Below 2^64 in a debug build: a range up to about 2^50 needs sieving primes up to 2^25, where
    /// every prime above 4 * the segment size is bucket-sieved.
    @Test("a narrow range high up, with big primes in buckets")
    func highUp() throws {
        let swift = try SwiftSieveEngine()
        let c = try CSieveEngine()
        for segmentBytes in [1024, 0] {
            swift.segmentBytes = segmentBytes
            c.segmentBytes = segmentBytes
            let from: UInt64 = (1 << 50) - 1_000_000
            #expect(try swift.totals(in: from..<(from + 2_000_000)) == (try c.totals(in: from..<(from + 2_000_000))))
        }
    }
}
