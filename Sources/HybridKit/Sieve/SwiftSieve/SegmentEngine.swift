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
    /// The prime source's current block, from blockPosition on.
    private var block = UnsafeBufferPointer<UInt32>(start: nil, count: 0)
    private var blockPosition = 0
    /// lists[class] are the small primes of that wheel class, lists[8 + class] the medium ones, so that
    /// the crossing loop is chosen once per class.
    private let lists: UnsafeMutablePointer<PrimeList>
    private var buckets: BucketSieve

    init(presieve: Presieve, lookup: WheelLookup, segmentBytes: Int) throws(SieveError) {
        self.presieve = presieve
        self.lookup = lookup
        self.segmentBytes = segmentBytes
        chunkBytes = min(presieve.window, segmentBytes)
        // A small prime crosses at least ~40 multiples per chunk, a medium one at least ~8 per segment;
        // above that a big prime's visit costs less than the medium loop's mispredicted entry and exit.
        smallLimit = UInt64(chunkBytes / 5)
        mediumLimit = UInt64(segmentBytes)
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

    /// Prepares a run over [from, to). Its sieving primes (above 163, in increasing order) come a
    /// block at a time from the `nextBlock` that ``sieveNext(nextBlock:)`` is given; an empty block
    /// ends them.
    mutating func begin(from: UInt64, to: UInt64) throws(SieveError) {
        self.from = from
        self.to = to
        length = 0
        block = UnsafeBufferPointer(start: nil, count: 0)
        blockPosition = 0
        for index in 0..<16 { lists[index].count = 0 }
        if from >= to {
            nextByte = 0
            endByte = 0
            buckets.end()
            return
        }
        lowByte = from / 30
        nextByte = lowByte
        endByte = (to - 1) / 30 + 1
        try buckets.begin(largestPrime: isqrt(to - 1))
    }

    /// Returns every bucket to the free list; the engine keeps its memory for the next run.
    mutating func end() {
        buckets.end()
    }

    /// Files the primes of the source's blocks whose squares lie below `high`, each by size. A prime's
    /// multiples count from max(p * p, this segment's start): one division per prime and run, then
    /// its wheel takes over.
    private mutating func addSievingPrimes(below high: UInt64, nextBlock: () -> UnsafeBufferPointer<UInt32>)
        throws(SieveError)
    {
        let lowByte = self.lowByte, low = lowByte * 30, to = self.to
        let positions = lookup.positions, roundUps = lookup.roundUps
        let bigPositions = lookup.bigPositions, bigRoundUps = lookup.bigRoundUps
        while true {
            if blockPosition == block.count {
                block = nextBlock()
                blockPosition = 0
                if block.isEmpty { return }
            }
            while blockPosition < block.count {
                let prime = UInt64(block[blockPosition])
                let square = prime &* prime  // prime < 2^32
                if square >= high { return }
                blockPosition &+= 1
                let start = max(square, low)
                let quotient = prime / 30
                let wheelClass = Int(positions[Int(prime &- quotient &* 30)])
                let residue = UInt64(Wheel.residue(wheelClass))
                var multiplier = start / prime &+ (start % prime != 0 ? 1 : 0)
                if prime <= mediumLimit {
                    multiplier &+= UInt64(roundUps[Int(multiplier % 30)])
                    let (overflow, multiple) = prime.multipliedFullWidth(by: multiplier)
                    if overflow != 0 || multiple >= to { continue }  // no multiple in the run
                    let byte = quotient &* multiplier &+ residue &* multiplier / 30
                    let wheel = wheelClass << 3 | Int(positions[Int(multiplier % 30)])
                    let item = SievingPrime(
                        quotient: UInt32(truncatingIfNeeded: quotient),
                        offsetWheel: UInt32(truncatingIfNeeded: byte &- lowByte) << 6 | UInt32(wheel))
                    try lists[prime <= smallLimit ? wheelClass : 8 + wheelClass].append(item)
                } else {
                    let remainder = Int(multiplier % UInt64(BigWheel.modulus))
                    let roundUp = Int(bigRoundUps[remainder])
                    multiplier &+= UInt64(roundUp)
                    let (overflow, multiple) = prime.multipliedFullWidth(by: multiplier)
                    if overflow != 0 || multiple >= to { continue }
                    let offset = quotient &* multiplier &+ residue &* multiplier / 30 &- lowByte
                    let wheel = UInt64(BigWheel.positions &* wheelClass &+ Int(bigPositions[remainder &+ roundUp]))
                    let item: BucketedPrime =
                        quotient | (offset & UInt64(segmentBytes &- 1)) << BucketSieve.quotientBits
                        | wheel << BucketSieve.wheelShift
                    if !buckets.file(ahead: Int(truncatingIfNeeded: offset >> UInt64(buckets.segmentShift)), item) {
                        throw .outOfMemory
                    }
                }
            }
        }
    }

    /// Sieves the next segment: afterwards segment[0, length) holds bit k of byte j set exactly when
    /// (lowByte + j) * 30 + residue(k) is a prime in [from, to) above 5, and the 16 bytes after it are
    /// zero. Returns false when the run is over.
    mutating func sieveNext(nextBlock: () -> UnsafeBufferPointer<UInt32>) throws(SieveError) -> Bool {
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
        try addSievingPrimes(below: UInt64(high), nextBlock: nextBlock)

        let lists = self.lists
        // Chunks of equal size, none larger than chunkBytes: a short last one would cost every
        // small prime a visit for a few multiples.
        let pieces = (length + chunkBytes - 1) / chunkBytes
        var start = 0
        for piece in 1...pieces {
            let end = piece * length / pieces
            let chunk = end - start
            presieve.fill(segment + start, firstByte: lowByte + UInt64(start), length: chunk)
            for wheelClass in 0..<8 where lists[wheelClass].count > 0 {
                CrossOff.crossOff(
                    segment + start, length: chunk, primes: lists[wheelClass].items.unsafelyUnwrapped,
                    count: lists[wheelClass].count, wheelClass: wheelClass)
            }
            start = end
        }
        for wheelClass in 0..<8 where lists[8 + wheelClass].count > 0 {
            CrossOff.crossOff(
                segment, length: length, primes: lists[8 + wheelClass].items.unsafelyUnwrapped,
                count: lists[8 + wheelClass].count, wheelClass: wheelClass)
        }
        try buckets.crossOff(segment, steps: lookup.bigSteps)

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
