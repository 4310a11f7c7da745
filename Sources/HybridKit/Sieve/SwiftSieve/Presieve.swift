/// Pre-sieving by copying patterns, as in CSieve's `presieve.c`.
///
/// In the mod-30 byte layout the multiples of a set of primes repeat every product-of-those-primes
/// bytes. Crossing off 7 ... 163 one by one would be a third of all the sieve's work; instead the
/// sieve ANDs together precomputed patterns, one per group of primes, at the right phase.
final class Presieve {
    /// The largest prime the patterns take care of; sieving primes start above it.
    static let largestPrime: UInt64 = 163

    /// Sixteen groups, as in CSieve, so that a fill is four passes of four patterns, with products
    /// between 5,681 and 9,797 bytes: three triples of the smallest primes, then the rest paired
    /// largest with smallest.
    static let groups: [[Int]] = [
        [7, 29, 31], [11, 17, 37], [13, 19, 23], [41, 163], [43, 157], [47, 151], [53, 149], [59, 139],
        [61, 137], [67, 131], [71, 127], [73, 113], [79, 109], [83, 107], [89, 103], [97, 101],
    ]

    /// Each pattern holds one period; a fill wraps around it.
    let patterns: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
    let periods: UnsafeMutablePointer<Int>
    let groupCount: Int
    /// The longest run of bytes one fill writes: the chunk that small primes cross off in.
    let window: Int

    /// Builds the patterns for windows of up to `window` bytes.
    init(window: Int) throws(SieveError) {
        self.window = window
        groupCount = Self.groups.count
        patterns = try SieveMemory.allocate(UnsafeMutablePointer<UInt8>.self, count: groupCount)
        periods = try SieveMemory.allocate(Int.self, count: groupCount)
        var made = 0
        do throws(SieveError) {
            for (index, group) in Self.groups.enumerated() {
                let period = group.reduce(1, *)
                let pattern = try SieveMemory.allocate(UInt8.self, count: period)
                pattern.initialize(repeating: 0xff, count: period)
                for prime in group { Self.andMultiples(of: prime, into: pattern, period: period) }
                patterns[index] = pattern
                periods[index] = period
                made += 1
            }
        } catch {
            for index in 0..<made { SieveMemory.free(patterns[index]) }
            SieveMemory.free(patterns)
            SieveMemory.free(periods)
            throw error
        }
    }

    deinit {
        for index in 0..<groupCount { SieveMemory.free(patterns[index]) }
        SieveMemory.free(patterns)
        SieveMemory.free(periods)
    }

    /// The bytes one turn of the wheel of a prime is repeated to before it is ANDed along a pattern.
    private static let stretchBytes = 1024

    /// ANDs the multiples of `prime` into pattern[0, period) (period a multiple of prime). In the
    /// mod-30 layout they repeat every `prime` bytes, 8 to a turn: one turn is crossed off by hand,
    /// repeated to at least 1024 bytes, and ANDed along the pattern a stretch at a time, so that
    /// making the patterns (most of a short run's start-up) costs a few passes over them rather
    /// than a step per multiple.
    private static func andMultiples(of prime: Int, into pattern: UnsafeMutablePointer<UInt8>, period: Int) {
        let turn = UnsafeMutablePointer<UInt8>.allocate(capacity: stretchBytes + 2 * prime)
        defer { turn.deallocate() }
        turn.initialize(repeating: 0xff, count: prime)
        let q = prime / 30
        let wheelClass = Wheel.position(of: prime % 30)
        var at = q  // the multiple prime * 1
        for position in 0..<8 {
            turn[at] &= Wheel.mask(wheelClass, position)
            at += q * Wheel.gap(position) + Wheel.adjust(wheelClass, position)
        }
        var stretch = prime
        while stretch < stretchBytes {
            (turn + stretch).initialize(from: turn, count: prime)
            stretch += prime
        }
        var done = 0
        while done < period {
            let length = min(period - done, stretch)
            let piece = pattern + done
            for j in 0..<length { piece[j] &= turn[j] }
            done += length
        }
    }

    /// Writes bytes [firstByte, firstByte + length) of the pre-sieved wheel into `destination`
    /// (length <= window): every bit set except the multiples of 7 ... 163, those primes included.
    @inline(__always)
    func fill(_ destination: UnsafeMutablePointer<UInt8>, firstByte: UInt64, length: Int) {
        var group = 0
        while group < groupCount {
            fill(destination, firstByte: firstByte, length: length, groups: group)
            group += 4
        }
    }

    /// ANDs four patterns (of groups `first` ... `first + 3`; past the last group it repeats the
    /// first, which AND does not mind) into destination[0, length), each from its phase, in pieces
    /// that end where one of them wraps to its start.
    @inline(__always)
    private func fill(_ destination: UnsafeMutablePointer<UInt8>, firstByte: UInt64, length: Int, groups first: Int) {
        let a = first, b = first + 1 < groupCount ? first + 1 : first
        let c = first + 2 < groupCount ? first + 2 : first, d = first + 3 < groupCount ? first + 3 : first
        var phaseA = Int(firstByte % UInt64(periods[a])), phaseB = Int(firstByte % UInt64(periods[b]))
        var phaseC = Int(firstByte % UInt64(periods[c])), phaseD = Int(firstByte % UInt64(periods[d]))
        var done = 0
        while done < length {
            let piece = min(
                length - done, periods[a] - phaseA, periods[b] - phaseB, periods[c] - phaseC, periods[d] - phaseD)
            Self.andPatterns(
                destination + done, patterns[a] + phaseA, patterns[b] + phaseB, patterns[c] + phaseC,
                patterns[d] + phaseD, length: piece, first: first == 0)
            phaseA += piece
            phaseB += piece
            phaseC += piece
            phaseD += piece
            if phaseA == periods[a] { phaseA = 0 }
            if phaseB == periods[b] { phaseB = 0 }
            if phaseC == periods[c] { phaseC = 0 }
            if phaseD == periods[d] { phaseD = 0 }
            done += piece
        }
    }

    /// destination = a & b & c & d (or &= when not the first pass), 16 bytes at a time.
    @inline(__always)
    private static func andPatterns(
        _ destination: UnsafeMutablePointer<UInt8>, _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>,
        _ c: UnsafePointer<UInt8>, _ d: UnsafePointer<UInt8>, length: Int, first: Bool
    ) {
        typealias Block = SIMD16<UInt8>
        let out = UnsafeMutableRawPointer(destination)
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b), rc = UnsafeRawPointer(c), rd = UnsafeRawPointer(d)
        let blocks = length & ~15
        var j = 0
        if first {
            while j < blocks {
                let value =
                    ra.loadUnaligned(fromByteOffset: j, as: Block.self)
                    & rb.loadUnaligned(fromByteOffset: j, as: Block.self)
                    & rc.loadUnaligned(fromByteOffset: j, as: Block.self)
                    & rd.loadUnaligned(fromByteOffset: j, as: Block.self)
                out.storeBytes(of: value, toByteOffset: j, as: Block.self)
                j &+= 16
            }
            while j < length {
                destination[j] = a[j] & b[j] & c[j] & d[j]
                j &+= 1
            }
        } else {
            while j < blocks {
                let value =
                    out.loadUnaligned(fromByteOffset: j, as: Block.self)
                    & ra.loadUnaligned(fromByteOffset: j, as: Block.self)
                    & rb.loadUnaligned(fromByteOffset: j, as: Block.self)
                    & rc.loadUnaligned(fromByteOffset: j, as: Block.self)
                    & rd.loadUnaligned(fromByteOffset: j, as: Block.self)
                out.storeBytes(of: value, toByteOffset: j, as: Block.self)
                j &+= 16
            }
            while j < length {
                destination[j] &= a[j] & b[j] & c[j] & d[j]
                j &+= 1
            }
        }
    }

    /// Sets the bits of the primes 7 ... 163 that lie in bytes [firstByte, firstByte + length).
    static func restorePrimes(_ destination: UnsafeMutablePointer<UInt8>, firstByte: UInt64, length: Int) {
        if firstByte * 30 > largestPrime { return }
        for group in groups {
            for prime in group {
                let byte = UInt64(prime / 30)
                if byte >= firstByte && byte < firstByte + UInt64(length) {
                    destination[Int(byte - firstByte)] |= 1 << UInt8(Wheel.position(of: prime % 30))
                }
            }
        }
    }
}
