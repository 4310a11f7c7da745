/// The bucket sieve for big primes (fewer than about one multiple per segment), as in CSieve's
/// `engine.c`: a ring of bucket lists, one per segment ahead, where each big prime waits in the list
/// of the segment that holds its next multiple; a prime with no multiple in a segment costs nothing there.
struct BucketSieve {
    /// A bucket's header; its items follow it in the same 8 KiB block (big enough to stream, small
    /// enough to recycle often).
    struct Bucket {
        var next: UnsafeMutablePointer<Bucket>?
        var count: Int
    }

    static let blockBytes = 8192
    static let capacity = (blockBytes - MemoryLayout<Bucket>.stride) / MemoryLayout<SievingPrime>.stride

    let segmentBytes: Int
    let segmentShift: Int
    /// ring[(current + k) & mask]: the big primes due k segments ahead.
    private var ring: UnsafeMutablePointer<UnsafeMutablePointer<Bucket>?>?
    private var ringSize = 0
    private var ringMask = 0
    private var current = 0
    private var freeBuckets: UnsafeMutablePointer<Bucket>?

    init(segmentBytes: Int) {
        self.segmentBytes = segmentBytes
        self.segmentShift = segmentBytes.trailingZeroBitCount
    }

    @inline(__always)
    private static func items(_ bucket: UnsafeMutablePointer<Bucket>) -> UnsafeMutablePointer<SievingPrime> {
        UnsafeMutableRawPointer(bucket + 1).assumingMemoryBound(to: SievingPrime.self)
    }

    /// Makes the ring empty and big enough for primes up to `largestPrime`.
    mutating func begin(largestPrime: UInt64) throws(SieveError) {
        end()
        // A big prime's next multiple lies at most p / 5 + 6 bytes ahead.
        var size = 4
        while UInt64(size) < ((largestPrime / 5 + 6) >> UInt64(segmentShift)) + 3 { size *= 2 }
        if size > ringSize {
            ring = try SieveMemory.reallocate(ring, count: size)
            ringSize = size
        }
        ring!.initialize(repeating: nil, count: ringSize)
        ringMask = size - 1
        current = 0
    }

    /// Returns every bucket to the free list.
    mutating func end() {
        guard let ring else { return }
        for slot in 0..<ringSize {
            var bucket = ring[slot]
            while let full = bucket {
                bucket = full.pointee.next
                full.pointee.next = freeBuckets
                freeBuckets = full
            }
            ring[slot] = nil
        }
    }

    /// Frees all memory.
    mutating func deallocate() {
        end()
        while let bucket = freeBuckets {
            freeBuckets = bucket.pointee.next
            SieveMemory.free(bucket)
        }
        SieveMemory.free(ring)
        ring = nil
        ringSize = 0
    }

    /// Files a big prime whose next multiple lies `offset` bytes past the current segment's start.
    @inline(__always)
    mutating func file(offset: UInt64, quotient: UInt32, wheel: Int) throws(SieveError) {
        let slot = (current &+ Int(truncatingIfNeeded: offset >> UInt64(segmentShift))) & ringMask
        let within = UInt32(truncatingIfNeeded: offset) & UInt32(truncatingIfNeeded: segmentBytes &- 1)
        var head = ring![slot]
        if head == nil || head!.pointee.count == Self.capacity {
            let fresh: UnsafeMutablePointer<Bucket>
            if let recycled = freeBuckets {
                freeBuckets = recycled.pointee.next
                fresh = recycled
            } else {
                let block = try SieveMemory.allocate(UInt8.self, count: Self.blockBytes)
                let raw = UnsafeMutableRawPointer(block)
                fresh = raw.bindMemory(to: Bucket.self, capacity: 1)
                (raw + MemoryLayout<Bucket>.stride).bindMemory(to: SievingPrime.self, capacity: Self.capacity)
            }
            fresh.pointee = Bucket(next: head, count: 0)
            ring![slot] = fresh
            head = fresh
        }
        let bucket = head.unsafelyUnwrapped
        Self.items(bucket)[bucket.pointee.count] = SievingPrime(
            quotient: quotient, offsetWheel: within << 6 | UInt32(truncatingIfNeeded: wheel))
        bucket.pointee.count &+= 1
    }

    /// Each big prime due in this segment crosses its multiples here (usually one) and moves to the
    /// bucket of the segment of its next multiple, or leaves the run when that lies at or past
    /// `remaining` bytes (the run's end). Then the ring turns to the next segment.
    mutating func crossOff(
        _ segment: UnsafeMutablePointer<UInt8>, length: Int, remaining: UInt64, lookup: WheelLookup
    ) throws(SieveError) {
        let masks = lookup.masks, adjusts = lookup.adjusts, gaps = lookup.gaps
        let length = UInt64(length)
        var list = ring![current]
        ring![current] = nil
        defer { current = (current &+ 1) & ringMask }
        // Out of memory, every bucket still goes back to the free list before the error is thrown.
        var failure: SieveError?
        while let bucket = list {
            let items = Self.items(bucket)
            for n in 0..<bucket.pointee.count {
                let q = UInt64(items[n].quotient)
                let offsetWheel = items[n].offsetWheel
                var at = UInt64(offsetWheel >> 6)
                let wheelClass = Int(offsetWheel >> 3) & 7
                var position = Int(offsetWheel) & 7
                repeat {
                    let index = wheelClass &<< 3 | position
                    segment[Int(at)] &= masks[index]
                    at &+= q &* UInt64(gaps[position]) &+ UInt64(adjusts[index])
                    position = (position &+ 1) & 7
                } while at < length
                if at < remaining {
                    do throws(SieveError) {
                        try file(offset: at, quotient: UInt32(truncatingIfNeeded: q), wheel: wheelClass << 3 | position)
                    } catch {
                        failure = error
                    }
                }
            }
            list = bucket.pointee.next
            bucket.pointee.next = freeBuckets
            freeBuckets = bucket
        }
        if let failure { throw failure }
    }
}
