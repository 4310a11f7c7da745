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

/// Either engine behind one face, so that one suite checks both.
final class TestEngine: CustomTestStringConvertible {
    let kind: EngineKind
    private let c: CSieveEngine?
    private let swift: SwiftSieveEngine?

    init(_ kind: EngineKind) throws {
        self.kind = kind
        c = kind == .c ? try CSieveEngine() : nil
        swift = kind == .swift ? try SwiftSieveEngine() : nil
    }

    var segmentBytes: Int {
        get { c?.segmentBytes ?? swift!.segmentBytes }
        set {
            c?.segmentBytes = newValue
            swift?.segmentBytes = newValue
        }
    }

    func totals(in range: Range<UInt64>, sum: Bool = true) throws -> PrimeTotals {
        if let c { return try c.totals(in: range, sum: sum) }
        return try swift!.totals(in: range, sum: sum)
    }

    /// Whether this engine runs `work` quickly in this build: the Swift engine in a debug
    /// build takes tens of times longer, so its slowest cases run only in optimized builds.
    func isFast(enoughFor heavy: Bool) -> Bool { !heavy || kind == .c || optimized }

    var testDescription: String { "\(kind) engine" }
}

/// Both engines' answers, from one suite parameterised over the engine: known values, trial
/// division and Miller-Rabin references, segment edges, and the ends of the 64-bit range.
@Suite("The engines' answers", .serialized)
struct EngineTests {
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

    static let engines = EngineKind.allCases

    @Test("known values below 10^k", arguments: engines, knownValues)
    func knownValue(kind: EngineKind, value: (to: UInt64, count: UInt64, sum: UInt128)) throws {
        let engine = try TestEngine(kind)
        guard engine.isFast(enoughFor: value.to > 100_000_000) else { return }
        #expect(try engine.totals(in: 0..<value.to) == PrimeTotals(count: value.count, sum: value.sum))
    }

    @Test("counting alone gives the same count and no sum", arguments: engines)
    func countOnly(kind: EngineKind) throws {
        let totals = try TestEngine(kind).totals(in: 0..<10_000_000, sum: false)
        #expect(totals == PrimeTotals(count: 664_579, sum: nil))
    }

    @Test("every tiny range at the bottom agrees with trial division", arguments: engines)
    func tinyRanges(kind: EngineKind) throws {
        let engine = try TestEngine(kind)
        for from: UInt64 in 0..<200 {
            for to in from..<(from + 40) {
                let expected = Reference.totals(in: from..<to, isPrime: Reference.isPrime(byTrialDivision:))
                #expect(
                    try engine.totals(in: from..<to) == PrimeTotals(count: expected.count, sum: expected.sum),
                    "[\(from), \(to))")
            }
        }
    }

    /// Random ranges against trial division, with segments from 64 bytes (1,920 numbers, so
    /// many segment edges and bucket-sieved primes) to the cache-sized default.
    @Test("random ranges agree with trial division", arguments: engines, [64, 128, 1024, 0])
    func randomRanges(kind: EngineKind, segmentBytes: Int) throws {
        var random = SplitMix64(state: UInt64(segmentBytes) &+ 2024)
        let engine = try TestEngine(kind)
        engine.segmentBytes = segmentBytes
        for _ in 0..<40 {
            let scale = [UInt64(1_000), 100_000, 10_000_000, 10_000_000_000].randomElement(using: &random)!
            let from = UInt64.random(in: 0...scale, using: &random)
            let to = from + UInt64.random(in: 0...5_000, using: &random)
            let expected = Reference.totals(in: from..<to, isPrime: Reference.isPrime(byTrialDivision:))
            #expect(
                try engine.totals(in: from..<to) == PrimeTotals(count: expected.count, sum: expected.sum),
                "[\(from), \(to))")
        }
    }

    /// Chunks of any size add up to the whole, whatever the segment size.
    @Test("adjacent chunks add up to the whole range", arguments: engines, [64, 4096, 0])
    func chunksAddUp(kind: EngineKind, segmentBytes: Int) throws {
        let engine = try TestEngine(kind)
        engine.segmentBytes = segmentBytes
        var random = SplitMix64(state: 7)
        var total = PrimeTotals.zero
        var from: UInt64 = 1_000_000
        while from < 21_000_000 {
            let to = min(21_000_000, from + UInt64.random(in: 1...3_000_000, using: &random))
            total = total + (try engine.totals(in: from..<to))
            from = to
        }
        #expect(total.count == 1_251_445)  // primesieve 1e6 21e6-1 -c
        #expect(total == (try engine.totals(in: 1_000_000..<21_000_000)))
    }

    /// Automatic sizing grows the segment with sqrt(to) (from the L1 chunk up to 4 MiB on a 1 MiB
    /// L2): ranges high enough to get each size agree with a fixed tiny segment.
    @Test(
        "automatic segment sizes agree with a fixed one",
        arguments: engines,
        [
            UInt64(0), 100_000_000, 1_000_000_000, 10_000_000_000, 50_000_000_000, 300_000_000_000,
            1_000_000_000_000, 100_000_000_000_000,
        ])
    func automaticSegments(kind: EngineKind, from: UInt64) throws {
        let automatic = try TestEngine(kind)
        guard automatic.isFast(enoughFor: from > 50_000_000_000) else { return }
        let fixed = try TestEngine(kind)
        fixed.segmentBytes = 2048
        let range = from..<(from + 30_000_000)
        #expect(try automatic.totals(in: range) == (try fixed.totals(in: range)))
        #expect(automatic.segmentBytes >= 4096)
    }

    @Test("ranges around 2^32 agree with Miller-Rabin", arguments: engines, [256, 0])
    func aroundTwoToThe32(kind: EngineKind, segmentBytes: Int) throws {
        let engine = try TestEngine(kind)
        engine.segmentBytes = segmentBytes
        let centre: UInt64 = 1 << 32
        for (from, to) in [(centre - 30_000, centre + 30_000), (centre - 1, centre + 1), (centre, centre + 15)] {
            let expected = Reference.totals(in: from..<to, isPrime: Reference.isPrime(byMillerRabin:))
            #expect(try engine.totals(in: from..<to) == PrimeTotals(count: expected.count, sum: expected.sum))
        }
    }

    /// The top of the range: sieving primes up to 2^32, multiples that would overflow 64 bits,
    /// and the last byte of the wheel past 2^64 - 1. The Swift engine's generator takes minutes
    /// for that in a debug build, so it runs this in optimized builds only.
    @Test("ranges just below 2^64 agree with Miller-Rabin", arguments: engines)
    func justBelowTwoToThe64(kind: EngineKind) throws {
        let engine = try TestEngine(kind)
        guard engine.isFast(enoughFor: true) else { return }
        let top = UInt64.max
        let from = top - 20_000
        let expected = Reference.totals(in: from..<top, isPrime: Reference.isPrime(byMillerRabin:))
        #expect(try engine.totals(in: from..<top) == PrimeTotals(count: expected.count, sum: expected.sum))
        // The largest 64-bit prime is 2^64 - 59.
        #expect(try engine.totals(in: (top - 57)..<top) == PrimeTotals(count: 0, sum: 0))
        #expect(try engine.totals(in: (top - 58)..<top) == PrimeTotals(count: 1, sum: UInt128(top - 58)))
        #expect(try engine.totals(in: (top - 58)..<(top - 58)) == PrimeTotals.zero)
        #expect(try engine.totals(in: (top - 60)..<(top - 57)) == PrimeTotals(count: 1, sum: UInt128(top - 58)))
    }

    /// One engine asked for square roots that grow and then shrink: what it makes for the first
    /// runs (the table of the generator's primes, grown as runs need more of it; the sieving
    /// primes' lists; segments of each size) must serve the later ones exactly.
    @Test("one engine, square roots growing and shrinking", arguments: engines)
    func growingAndShrinking(kind: EngineKind) throws {
        let engine = try TestEngine(kind)
        guard engine.isFast(enoughFor: true) else { return }
        let starts: [UInt64] = [
            70_000, 1_000_000, 1 << 32, 1_000_000_000_000, 1 << 50, UInt64.max - 20_001, 10_000_000,
            1 << 40, 100_000,
        ]
        for from in starts {
            let to = from + 20_000
            let expected = Reference.totals(in: from..<to, isPrime: Reference.isPrime(byMillerRabin:))
            #expect(
                try engine.totals(in: from..<to) == PrimeTotals(count: expected.count, sum: expected.sum),
                "from \(from)")
        }
    }

    @Test("an empty range holds nothing", arguments: engines)
    func emptyRange(kind: EngineKind) throws {
        // Range<UInt64> cannot be inverted; the C entry point checks it for C callers.
        #expect(try TestEngine(kind).totals(in: 5..<5) == PrimeTotals.zero)
    }
}

/// The Swift engine is a port of the C one: where no reference is fast enough, they are held
/// against each other.
@Suite("The Swift engine against the C engine", .serialized)
struct EngineAgreementTests {
    /// Wide random ranges (up to 2^40), each asked with or without the sum.
    @Test("wide random ranges", arguments: [64, 128, 1024, 0])
    func randomRanges(segmentBytes: Int) throws {
        var random = SplitMix64(state: UInt64(segmentBytes) &+ 4048)
        let swift = try SwiftSieveEngine()
        let c = try CSieveEngine()
        swift.segmentBytes = segmentBytes
        c.segmentBytes = segmentBytes
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
        "segment sizes are clamped to powers of two in 64 ... 8 MiB alike",
        arguments: [1, 64, 100, 4096, 300_000, 1 << 30, 0])
    func segmentSizes(bytes: Int) throws {
        let swift = try SwiftSieveEngine()
        let c = try CSieveEngine()
        swift.segmentBytes = bytes
        c.segmentBytes = bytes
        #expect(swift.segmentBytes == c.segmentBytes)
    }

    /// Below 2^64 in a debug build: a range up to about 2^50 needs sieving primes up to 2^25, where
    /// every prime above 4 * the segment size is bucket-sieved.
    @Test("a narrow range high up, with big primes in buckets", arguments: [1024, 0])
    func highUp(segmentBytes: Int) throws {
        let swift = try SwiftSieveEngine()
        let c = try CSieveEngine()
        swift.segmentBytes = segmentBytes
        c.segmentBytes = segmentBytes
        let from: UInt64 = (1 << 50) - 1_000_000
        #expect(try swift.totals(in: from..<(from + 2_000_000)) == (try c.totals(in: from..<(from + 2_000_000))))
    }
}
