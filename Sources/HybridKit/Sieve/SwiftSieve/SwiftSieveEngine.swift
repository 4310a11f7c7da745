#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Swift engine: a port of CSieve's algorithm (the same mod-30 byte layout, pre-sieve, unrolled
/// crossing-off loop, bucket sieve and segment sizes) to Swift, owned by one thread at a time.
///
/// It gives the same answers as ``CSieveEngine`` and exists so that a Swift hot loop can be held
/// against a C one. Like the C engine, it runs two sieves: the main one over the range, and a
/// generator over [167, sqrt(to)] that hands the main one its sieving primes as it needs them, so the
/// memory for sieving primes is never more than those in use; the generator's own sieving primes (up
/// to 2^16) come from a small table. Each call pays only its own set-up, so one engine can sieve the
/// many chunks of a large range one after another. As in CSieve, ranges below 2^16 are answered by
/// a plain sieve, and the patterns, table and segments are made by the first range that needs them.
public final class SwiftSieveEngine {
    private var machinery: SwiftSieveMachinery?
    /// The size set through `segmentBytes`; nil while sizing is automatic.
    private var fixedSegmentBytes: Int?

    /// Makes an engine; its memory is made by the first range above 2^16.
    public init() throws(SieveError) {}

    /// The segment size in bytes (each byte covers 30 numbers): the size set, or while sizing is
    /// automatic a quarter of L2 (shorter runs take less). Setting it rounds down to a power
    /// of two in 64 ... 8 MiB; 0 restores automatic sizing, which as in CSieve picks per run
    /// twice sqrt(to) rounded up to a power of two (eight times below a quarter of L2), between
    /// the L1 chunk and four times L2.
    /// Answers never depend on it.
    public var segmentBytes: Int {
        get { fixedSegmentBytes ?? SwiftSieveMachinery.cacheSizes().segmentBytes }
        set {
            fixedSegmentBytes = SwiftSieveMachinery.fixedSegmentBytes(newValue)
            machinery?.segmentBytes = newValue
        }
    }

    /// Counts, and with `sum` also sums, the primes in `range`.
    public func totals(in range: Range<UInt64>, sum: Bool = true) throws(SieveError) -> PrimeTotals {
        if range.upperBound <= Self.smallRangeLimit {
            let totals = Self.smallRangeTotals(range)
            return PrimeTotals(count: totals.count, sum: sum ? totals.sum : nil)
        }
        if machinery == nil { machinery = try SwiftSieveMachinery(fixedSegmentBytes: fixedSegmentBytes) }
        return try machinery.unsafelyUnwrapped.totals(in: range, sum: sum)
    }

    /// Below 2^16 a plain sieve of the odd numbers answers at once, without the set-up that large
    /// ranges pay for (as CSieve's does).
    static let smallRangeLimit: UInt64 = 1 << 16

    private static func smallRangeTotals(_ range: Range<UInt64>) -> (count: UInt64, sum: UInt128) {
        let to = Int(range.upperBound), from = Int(range.lowerBound)
        let composite = oddComposites(below: to)
        var count: UInt64 = 0
        var sum: UInt128 = 0
        if from <= 2 && 2 < to {
            count = 1
            sum = 2
        }
        for n in stride(from: max(from | 1, 3), to: to, by: 2) where !composite[n / 2] {
            count += 1
            sum += UInt128(n)
        }
        return (count, sum)
    }
}

/// composite[n / 2] for the odd n below `limit`: a plain sieve of the odd numbers, for the small
/// ranges and for the generator's table.
private func oddComposites(below limit: Int) -> [Bool] {
    var composite = [Bool](repeating: false, count: (limit + 1) / 2)
    var n = 3
    while n * n < limit {
        if !composite[n / 2] {
            for multiple in stride(from: n * n, to: limit, by: 2 * n) { composite[multiple / 2] = true }
        }
        n += 2
    }
    return composite
}

/// The Swift engine's patterns, table and segments, made when a range first needs them.
final class SwiftSieveMachinery {
    /// The largest segment, as in CSieve.
    static let largestSegmentBytes = 8 << 20

    private let lookup = WheelLookup()
    private let presieve: Presieve
    private let segmentTotals = SegmentTotals()
    private let cacheSegmentBytes: Int
    private let largestAutomaticBytes: Int
    /// The size set through `segmentBytes`; nil while sizing is automatic.
    private var fixedSegmentBytes: Int?
    private var main: SegmentEngine
    private var generator: SegmentEngine

    /// The primes of the generator's current segment.
    private var generated: UnsafeMutablePointer<UInt32>

    /// The primes in (163, 2^16), handed out as one block.
    private let table: UnsafeMutableBufferPointer<UInt32>
    private var tableGiven = false

    /// Makes the machinery, with segments of `fixedSegmentBytes` (as ``fixedSegmentBytes(_:)``
    /// gives it), or while that is nil sized from this CPU's caches.
    init(fixedSegmentBytes: Int?) throws(SieveError) {
        let (segmentBytes, chunkBytes, largestBytes) = Self.cacheSizes()
        cacheSegmentBytes = segmentBytes
        largestAutomaticBytes = largestBytes
        self.fixedSegmentBytes = fixedSegmentBytes
        presieve = try Presieve(window: chunkBytes)
        let primes = Self.makeTable()
        let table = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: primes.count)
        _ = table.initialize(from: primes)
        self.table = table
        do throws(SieveError) {
            (main, generator, generated) = try Self.makeEngines(
                presieve, lookup, fixedSegmentBytes ?? segmentBytes)
        } catch {
            table.deallocate()
            throw error
        }
    }

    deinit {
        main.deallocate()
        generator.deallocate()
        SieveMemory.free(generated)
        table.deallocate()
    }

    /// A size set through `segmentBytes`, rounded down to a power of two in 64 ... 8 MiB; nil
    /// for 0, automatic sizing.
    static func fixedSegmentBytes(_ bytes: Int) -> Int? {
        bytes == 0 ? nil : floorPowerOfTwo(min(max(bytes, 64), largestSegmentBytes))
    }

    /// As ``SwiftSieveEngine/segmentBytes``.
    var segmentBytes: Int {
        get { fixedSegmentBytes ?? cacheSegmentBytes }
        set {
            fixedSegmentBytes = Self.fixedSegmentBytes(newValue)
            let wanted = fixedSegmentBytes ?? cacheSegmentBytes
            guard wanted != main.segmentBytes || wanted != generator.segmentBytes else { return }
            // Keep the engines that work when the new ones cannot be made.
            guard let engines = try? Self.makeEngines(presieve, lookup, wanted) else { return }
            main.deallocate()
            generator.deallocate()
            SieveMemory.free(generated)
            (main, generator, generated) = engines
        }
    }

    /// Counts, and with `sum` also sums, the primes in `range`.
    func totals(in range: Range<UInt64>, sum: Bool = true) throws(SieveError) -> PrimeTotals {
        let from = range.lowerBound, to = range.upperBound
        let largest = to > 0 ? to - 1 : 0
        if fixedSegmentBytes == nil { try useSegmentBytes(automaticSegmentBytes(root: isqrt(largest))) }
        defer {
            main.end()
            generator.end()
        }

        // The generator yields the primes in (163, sqrt(to - 1)].
        tableGiven = false
        try generator.begin(from: Presieve.largestPrime + 1, to: isqrt(largest) + 1)
        try main.begin(from: from, to: to)

        var count: UInt64 = 0
        var total: UInt128 = 0
        for prime: UInt64 in [2, 3, 5] where range.contains(prime) {
            count += 1
            total += UInt128(prime)
        }
        while try main.sieveNext(nextBlock: { nextGenerated() }) {
            if sum {
                let segment = segmentTotals.countAndSum(main.segment, length: main.length, lowByte: main.lowByte)
                count &+= segment.count
                total &+= segment.sum
            } else {
                count &+= segmentTotals.count(main.segment, length: main.length)
            }
        }
        if let failure {
            self.failure = nil
            throw failure
        }
        return PrimeTotals(count: count, sum: sum ? total : nil)
    }

    /// The generator's failure, if it failed while handing out a block (a prime source cannot throw).
    private var failure: SieveError?

    private func nextFromTable() -> UnsafeBufferPointer<UInt32> {
        if tableGiven { return UnsafeBufferPointer(start: nil, count: 0) }
        tableGiven = true
        return UnsafeBufferPointer(table)
    }

    /// The primes of the generator's next segment that has any; empty at the end.
    private func nextGenerated() -> UnsafeBufferPointer<UInt32> {
        while true {
            do throws(SieveError) {
                guard try generator.sieveNext(nextBlock: { nextFromTable() }) else {
                    return UnsafeBufferPointer(start: nil, count: 0)
                }
            } catch {
                failure = error
                return UnsafeBufferPointer(start: nil, count: 0)
            }
            let count = SegmentTotals.listPrimes(
                generator.segment, length: generator.length, lowByte: generator.lowByte, into: generated)
            if count > 0 { return UnsafeBufferPointer(start: generated, count: count) }
        }
    }

    /// As in CSieve: medium and big primes cost a visit per segment, so once they reach hundreds of
    /// thousands longer segments pay (10^10: 256 KiB; 10^11: 1 MiB; 10^12: 2 MiB; higher: 4 MiB).
    private func automaticSegmentBytes(root: UInt64) -> Int {
        var segment = Self.floorPowerOfTwo(presieve.window)
        while segment < largestAutomaticBytes
            && (UInt64(segment) < 2 * root || (UInt64(segment) < 8 * root && segment < cacheSegmentBytes))
        {
            segment *= 2
        }
        return segment
    }

    /// Replaces the main engine with one of `bytes` segments, unless it has them already.
    private func useSegmentBytes(_ bytes: Int) throws(SieveError) {
        guard bytes != main.segmentBytes else { return }
        let fresh = try SegmentEngine(presieve: presieve, lookup: lookup, segmentBytes: bytes)
        main.deallocate()
        main = fresh
    }

    private static func makeEngines(_ presieve: Presieve, _ lookup: WheelLookup, _ segmentBytes: Int)
        throws(SieveError) -> (SegmentEngine, SegmentEngine, UnsafeMutablePointer<UInt32>)
    {
        var main = try SegmentEngine(presieve: presieve, lookup: lookup, segmentBytes: segmentBytes)
        do throws(SieveError) {
            var generator = try SegmentEngine(presieve: presieve, lookup: lookup, segmentBytes: segmentBytes)
            do throws(SieveError) {
                let generated = try SieveMemory.allocate(UInt32.self, count: segmentBytes * 8)
                return (main, generator, generated)
            } catch {
                generator.deallocate()
                throw error
            }
        } catch {
            main.deallocate()
            throw error
        }
    }

    /// The primes in (163, 2^16), by a plain sieve.
    private static func makeTable() -> [UInt32] {
        let limit = 1 << 16
        let composite = oddComposites(below: limit)
        var table: [UInt32] = []
        table.reserveCapacity(6542)
        for odd in stride(from: Int(Presieve.largestPrime) + 2, to: limit, by: 2) where !composite[odd / 2] {
            table.append(UInt32(odd))
        }
        return table
    }

    private static func floorPowerOfTwo(_ n: Int) -> Int {
        var power = 1
        while power * 2 <= n { power *= 2 }
        return power
    }

    /// The segment is a quarter of the per-core L2 cache (256 KiB on a 1 MiB L2), leaving room for
    /// the pre-sieve patterns and the sieving primes; the chunk that small primes cross off in is the
    /// L1 data cache in whole pages, as in CSieve.
    static func cacheSizes() -> (segmentBytes: Int, chunkBytes: Int, largestBytes: Int) {
        var level1 = sysconf(Int32(_SC_LEVEL1_DCACHE_SIZE))
        var level2 = sysconf(Int32(_SC_LEVEL2_CACHE_SIZE))
        if level1 < 8192 || level1 > 1 << 20 { level1 = 32768 }
        if level2 < 65536 || level2 > 64 << 20 { level2 = 1 << 20 }
        let chunkBytes = level1 / 4096 * 4096
        return (
            max(floorPowerOfTwo(level2 / 4), floorPowerOfTwo(chunkBytes)), chunkBytes, floorPowerOfTwo(level2) * 4
        )
    }
}
