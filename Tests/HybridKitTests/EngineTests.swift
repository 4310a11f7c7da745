import CSieve
import HybridKit
import Testing

/// Whether this test build is optimized: `swift test` builds for debugging, where the Swift engine
/// runs tens of times slower than in a release build (the C engine about three times), so its
/// heaviest cases are enabled only in optimized builds, which CI runs too.
let optimized: Bool = {
    #if DEBUG
        return false
    #else
        return true
    #endif
}()

/// Why a heavy Swift-engine case is off in this build.
let heavySwiftReason: Comment = "the Swift engine's heaviest cases run in optimized builds only"

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

    var testDescription: String { "\(kind) engine" }
}

/// Both engines' answers, from one suite parameterised over the engine: known values, trial
/// division and Miller-Rabin references, segment edges, and the ends of the 64-bit range.
@Suite("The engines' answers", .serialized)
struct EngineTests {
    /// π(10^k) and the sum of the primes below 10^k, k = 1 ... 10.
    static let knownValues = KnownValues.belowPowersOfTen.filter { $0.to <= 10_000_000_000 }

    static let engines = EngineKind.allCases

    @Test("known values below 10^k, k <= 8", arguments: engines, knownValues.filter { $0.to <= 100_000_000 })
    func knownValue(kind: EngineKind, value: (to: UInt64, count: UInt64, sum: UInt128)) throws {
        let engine = try TestEngine(kind)
        #expect(try engine.totals(in: 0..<value.to) == PrimeTotals(count: value.count, sum: value.sum))
    }

    /// 10^10 is left to optimized builds: seconds of unoptimized C.
    @Test(
        "known values below 10^9 and 10^10, C engine",
        arguments: knownValues.filter { $0.to > 100_000_000 && (optimized || $0.to <= 1_000_000_000) })
    func knownValueHigh(value: (to: UInt64, count: UInt64, sum: UInt128)) throws {
        try knownValue(kind: .c, value: value)
    }

    @Test(
        "known values below 10^9 and 10^10, Swift engine", .enabled(if: optimized, heavySwiftReason),
        arguments: knownValues.filter { $0.to > 100_000_000 })
    func knownValueHighSwift(value: (to: UInt64, count: UInt64, sum: UInt128)) throws {
        try knownValue(kind: .swift, value: value)
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
    static let segmentStarts: [UInt64] = [
        0, 100_000_000, 1_000_000_000, 10_000_000_000, 50_000_000_000, 300_000_000_000,
        1_000_000_000_000, 100_000_000_000_000,
    ]

    @Test("automatic segment sizes agree with a fixed one", arguments: segmentStarts)
    func automaticSegments(from: UInt64) throws {
        try automaticSegments(kind: .c, from: from)
    }

    @Test(
        "automatic segment sizes agree with a fixed one, Swift engine up to 5e10",
        arguments: segmentStarts.filter { $0 <= 50_000_000_000 })
    func automaticSegmentsSwift(from: UInt64) throws {
        try automaticSegments(kind: .swift, from: from)
    }

    @Test(
        "automatic segment sizes agree with a fixed one, Swift engine above 5e10",
        .enabled(if: optimized, heavySwiftReason), arguments: segmentStarts.filter { $0 > 50_000_000_000 })
    func automaticSegmentsSwiftHigh(from: UInt64) throws {
        try automaticSegments(kind: .swift, from: from)
    }

    private func automaticSegments(kind: EngineKind, from: UInt64) throws {
        let automatic = try TestEngine(kind)
        let fixed = try TestEngine(kind)
        fixed.segmentBytes = 2048
        let range = from..<(from + 30_000_000)
        #expect(try automatic.totals(in: range) == (try fixed.totals(in: range)))
    }

    @Test("a sieve prepared before its runs gives the same answers", arguments: [UInt64(1000), 1 << 20, 1 << 40])
    func prepared(to: UInt64) throws {
        let prepared = try CSieveEngine()
        try prepared.prepare(upTo: to)
        let range = (to - min(to, 3_000_000))..<to
        #expect(try prepared.totals(in: range) == (try CSieveEngine().totals(in: range)))
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
    @Test("ranges just below 2^64 agree with Miller-Rabin, C engine")
    func justBelowTwoToThe64() throws {
        try justBelowTwoToThe64(kind: .c)
    }

    @Test("ranges just below 2^64 agree with Miller-Rabin, Swift engine", .enabled(if: optimized, heavySwiftReason))
    func justBelowTwoToThe64Swift() throws {
        try justBelowTwoToThe64(kind: .swift)
    }

    private func justBelowTwoToThe64(kind: EngineKind) throws {
        let engine = try TestEngine(kind)
        let top = UInt64.max
        let from = top - 20_000
        let expected = Reference.totals(in: from..<top, isPrime: Reference.isPrime(byMillerRabin:))
        #expect(try engine.totals(in: from..<top) == PrimeTotals(count: expected.count, sum: expected.sum))
        // The largest 64-bit prime is 2^64 - 59. Each run up here sieves with every prime below
        // 2^32, seconds of unoptimized C: a debug build checks the edge on the prime's near side.
        #expect(try engine.totals(in: (top - 58)..<top) == PrimeTotals(count: 1, sum: UInt128(top - 58)))
        #expect(try engine.totals(in: (top - 58)..<(top - 58)) == PrimeTotals.zero)
        guard optimized else { return }
        #expect(try engine.totals(in: (top - 57)..<top) == PrimeTotals(count: 0, sum: 0))
        #expect(try engine.totals(in: (top - 60)..<(top - 57)) == PrimeTotals(count: 1, sum: UInt128(top - 58)))
    }

    /// One engine asked for square roots that grow and then shrink: what it makes for the first
    /// runs (the table of the generator's primes, grown as runs need more of it; the sieving
    /// primes' lists; segments of each size) must serve the later ones exactly.
    @Test("one engine, square roots growing and shrinking, C engine")
    func growingAndShrinking() throws {
        try growingAndShrinking(kind: .c)
    }

    @Test("one engine, square roots growing and shrinking, Swift engine", .enabled(if: optimized, heavySwiftReason))
    func growingAndShrinkingSwift() throws {
        try growingAndShrinking(kind: .swift)
    }

    private func growingAndShrinking(kind: EngineKind) throws {
        let engine = try TestEngine(kind)
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

/// csieve_sieve_each: the primes themselves, in order, against the counts and sums of the same
/// sieve and against Miller-Rabin.
@Suite("Listing primes")
struct ListingTests {
    final class Collected {
        var primes: [UInt64] = []
    }

    static func list(_ range: Range<UInt64>, segmentBytes: Int = 0) throws -> [UInt64] {
        let engine = try CSieveEngine()
        engine.segmentBytes = segmentBytes
        let collected = Collected()
        let status = csieve_sieve_each(
            engine.sieve, range.lowerBound, range.upperBound,
            { context, primes, count in
                let collected = Unmanaged<Collected>.fromOpaque(context!).takeUnretainedValue()
                collected.primes.append(contentsOf: UnsafeBufferPointer(start: primes, count: count))
                return 0
            }, Unmanaged.passUnretained(collected).toOpaque())
        #expect(status == CSIEVE_OK)
        return collected.primes
    }

    @Test(
        "listed primes are the primes, in order, at the edges and on random ranges",
        arguments: [
            (UInt64(0), UInt64(100)), (0, 65536), (0, 65537), (1, 2), (2, 3), (7, 8),
            (1 << 32 - 30_000, 1 << 32 + 30_000),
            (UInt64.max - 30_000, UInt64.max), (1_000_000_000_000, 1_000_000_200_000),
        ] as [(UInt64, UInt64)])
    func edges(from: UInt64, to: UInt64) throws {
        let expected = (from..<to).filter(Reference.isPrime(byMillerRabin:))
        // Near 2^64 every prime below 2^32 sieves, seconds each in a debug build: there the
        // 64-byte segments alone, whose edges fall everywhere.
        for segmentBytes in optimized || to < 1 << 63 ? [0, 64] : [64] {
            let primes = try Self.list(from..<to, segmentBytes: segmentBytes)
            #expect(primes == expected, "[\(from), \(to)) with segments of \(segmentBytes)")
        }
    }

    @Test("a visitor that returns nonzero stops the walk")
    func stops() throws {
        let engine = try CSieveEngine()
        var batches = 0
        let status = withUnsafeMutablePointer(to: &batches) { batches in
            csieve_sieve_each(
                engine.sieve, 0, 1_000_000_000,
                { context, _, _ in
                    context!.assumingMemoryBound(to: Int.self).pointee += 1
                    return 1
                }, batches)
        }
        #expect(status == CSIEVE_ESTOPPED)
        #expect(batches == 1)
    }
}
