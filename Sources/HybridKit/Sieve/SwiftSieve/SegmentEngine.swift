/// One segmented sieve over an interval, as CSieve's `engine.c`.
///
/// An engine walks [from, to) one segment at a time. Before each segment it takes the sieving primes
/// it now needs (p * p below the segment's end) from a prime source, files each by size, and crosses off:
/// - small primes (many multiples per L1-sized chunk): unrolled over the wheel, chunk by chunk, right
///   after the chunk is pre-sieved;
/// - medium primes (several multiples per segment): the same loop, once per segment;
/// - big primes (fewer than about one multiple per segment): the ``BucketSieve``.
/// What is left set in the segment are the primes above 5 in it.
///
/// A value type owned by one ``SwiftSieveEngine``, so its state is reached without the dynamic
/// exclusivity checks a class's properties get; ``deallocate()`` frees its memory.
struct SegmentEngine {
    /// A growable array of sieving primes in malloc'd memory.
    struct PrimeList {
        var items: UnsafeMutablePointer<SievingPrime>?
        var count = 0
        var capacity = 0

        @inline(__always)
        mutating func append(_ item: SievingPrime) throws(SieveError) {
            if count == capacity {
                let grown = capacity == 0 ? 256 : capacity * 2
                items = try SieveMemory.reallocate(items, count: grown)
                capacity = grown
            }
            items.unsafelyUnwrapped[count] = item
            count += 1
        }
    }

    let presieve: Presieve
    let lookup: WheelLookup
    /// segmentBytes plus 64 bytes, the first 16 of them zeroed after each segment for word reads.
    let segment: UnsafeMutablePointer<UInt8>
    /// A power of two.
    let segmentBytes: Int
    let chunkBytes: Int
    /// Primes up to this are small, and up to mediumLimit medium; above it, big.
    let smallLimit: UInt64
    let mediumLimit: UInt64

    // Per run.
    private(set) var from: UInt64 = 0
    private(set) var to: UInt64 = 0
    /// The absolute index of the current segment's first byte.
    private(set) var lowByte: UInt64 = 0
    private var nextByte: UInt64 = 0
    private var endByte: UInt64 = 0
    /// Bytes in the current segment.
    private(set) var length = 0
    private var pendingPrime: UInt64 = 0
    /// lists[class] are the small primes of that wheel class, lists[8 + class] the medium ones, so that
    /// the crossing loop is chosen once per class.
    private let lists: UnsafeMutablePointer<PrimeList>
    private var buckets: BucketSieve

    init(presieve: Presieve, lookup: WheelLookup, segmentBytes: Int) throws(SieveError) {
        self.presieve = presieve
        self.lookup = lookup
        self.segmentBytes = segmentBytes
        chunkBytes = min(presieve.window, segmentBytes)
        // A small prime crosses at least ~40 multiples per chunk, a medium one at least ~2 per segment.
        smallLimit = UInt64(chunkBytes / 5)
        mediumLimit = UInt64(segmentBytes * 4)
        segment = try SieveMemory.allocate(UInt8.self, count: segmentBytes + 64)
        do throws(SieveError) {
            lists = try SieveMemory.allocate(PrimeList.self, count: 16)
        } catch {
            SieveMemory.free(segment)
            throw error
        }
        lists.initialize(repeating: PrimeList(), count: 16)
        buckets = BucketSieve(segmentBytes: segmentBytes)
    }

    mutating func deallocate() {
        buckets.deallocate()
        for index in 0..<16 { SieveMemory.free(lists[index].items) }
        SieveMemory.free(lists)
        SieveMemory.free(segment)
    }

    /// Prepares a run over [from, to) whose sieving primes (above 163, in increasing order, then 0)
    /// come from `nextPrime`.
    mutating func begin(from: UInt64, to: UInt64, nextPrime: () -> UInt64) throws(SieveError) {
        self.from = from
        self.to = to
        length = 0
        for index in 0..<16 { lists[index].count = 0 }
        if from >= to {
            nextByte = 0
            endByte = 0
            pendingPrime = 0
            buckets.end()
            return
        }
        lowByte = from / 30
        nextByte = lowByte
        endByte = (to - 1) / 30 + 1
        pendingPrime = nextPrime()
        try buckets.begin(largestPrime: isqrt(to - 1))
    }

    /// Returns every bucket to the free list; the engine keeps its memory for the next run.
    mutating func end() {
        buckets.end()
    }

    /// Files `prime`, whose multiples count from max(p * p, this segment's start).
    private mutating func add(sievingPrime prime: UInt64) throws(SieveError) {
        let low = lowByte * 30
        let start = max(prime * prime, low)
        var multiplier = start / prime + (start % prime != 0 ? 1 : 0)
        multiplier += UInt64(lookup.roundUps[Int(multiplier % 30)])
        let (high, multiple) = prime.multipliedFullWidth(by: multiplier)
        if high != 0 || multiple >= to { return }  // no multiple in the run
        let offset = multiple / 30 - lowByte
        let quotient = UInt32(prime / 30)
        let wheelClass = Int(lookup.positions[Int(prime % 30)])
        let wheel = wheelClass << 3 | Int(lookup.positions[Int(multiplier % 30)])
        let item = SievingPrime(
            quotient: quotient, offsetWheel: UInt32(truncatingIfNeeded: offset) << 6 | UInt32(wheel))
        if prime <= smallLimit {
            try lists[wheelClass].append(item)
        } else if prime <= mediumLimit {
            try lists[8 + wheelClass].append(item)
        } else {
            try buckets.file(offset: offset, quotient: quotient, wheel: wheel)
        }
    }

    /// Sieves the next segment: afterwards segment[0, length) holds bit k of byte j set exactly when
    /// (lowByte + j) * 30 + residue(k) is a prime in [from, to) above 5, and the 16 bytes after it are
    /// zero. Returns false when the run is over.
    mutating func sieveNext(nextPrime: () -> UInt64) throws(SieveError) -> Bool {
        if nextByte >= endByte { return false }
        let lowByte = nextByte
        self.lowByte = lowByte
        let remaining = endByte - lowByte
        let length = remaining < UInt64(segmentBytes) ? Int(remaining) : segmentBytes
        self.length = length
        nextByte = lowByte + UInt64(length)
        let segment = self.segment

        // Every prime p with p * p below the segment's end (capped at `to`) now sieves.
        let high = min(UInt128(lowByte + UInt64(length)) * 30, UInt128(to))
        while pendingPrime != 0 && UInt128(pendingPrime) * UInt128(pendingPrime) < high {
            try add(sievingPrime: pendingPrime)
            pendingPrime = nextPrime()
        }

        let lists = self.lists
        var start = 0
        while start < length {
            let chunk = min(length - start, chunkBytes)
            presieve.fill(segment + start, firstByte: lowByte + UInt64(start), length: chunk)
            for wheelClass in 0..<8 where lists[wheelClass].count > 0 {
                CrossOff.crossOff(
                    segment + start, length: chunk, primes: lists[wheelClass].items.unsafelyUnwrapped,
                    count: lists[wheelClass].count, wheelClass: wheelClass)
            }
            start += chunkBytes
        }
        for wheelClass in 0..<8 where lists[8 + wheelClass].count > 0 {
            CrossOff.crossOff(
                segment, length: length, primes: lists[8 + wheelClass].items.unsafelyUnwrapped,
                count: lists[8 + wheelClass].count, wheelClass: wheelClass)
        }
        try buckets.crossOff(segment, length: length, remaining: remaining, lookup: lookup)

        Presieve.restorePrimes(segment, firstByte: lowByte, length: length)
        if lowByte == 0 { segment[0] &= ~1 }  // 1 is not a prime
        // Numbers below from, and from to on, are not in the run.
        if lowByte == from / 30 {
            let below = Int(from % 30)
            for k in 0..<8 where Wheel.residue(k) < below { segment[0] &= ~(1 << UInt8(k)) }
        }
        if lowByte + UInt64(length) == endByte {
            let past = Int(to - (endByte - 1) * 30)  // in (0, 30]
            for k in 0..<8 where Wheel.residue(k) >= past { segment[length - 1] &= ~(1 << UInt8(k)) }
        }
        (segment + length).initialize(repeating: 0, count: 16)
        return true
    }
}

/// floor(sqrt(n)), exactly.
func isqrt(_ n: UInt64) -> UInt64 {
    var root: UInt64 = 0
    var bit: UInt64 = 1 << 31
    while bit != 0 {
        let trial = root | bit
        if UInt128(trial) * UInt128(trial) <= UInt128(n) { root = trial }
        bit >>= 1
    }
    return root
}
