#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A big sieving prime in a bucket, as in CSieve's `engine.h`, packed into 64 bits: p / 30 (below
/// 2^28, as p < 2^32) in the low ``BucketSieve/quotientBits``, then the byte of its next multiple
/// within the segment it waits for (``BucketSieve/offsetBits``), then its mod-2310 wheel index.
typealias BucketedPrime = UInt64

/// The bucket sieve for big primes (about one multiple per segment or fewer), as in CSieve's
/// `engine.c`: each big prime waits in the bucket list of the segment that holds its next multiple,
/// so a prime with no multiple in a segment costs nothing there. A visit crosses one multiple, takes
/// one step of the mod-2310 wheel (``BigWheelStep``) and files the prime again.
///
/// Buckets are 8 KiB blocks aligned to their size, a 16-byte header (the next, fuller bucket) and
/// then the primes up to the block's end: a list is only the pointer to its next free place, which
/// is full when aligned, and whose bucket is the aligned block below it. The lists of the segments
/// ahead are `slots[0 ..< slotCount]`, a view that slides along a window of twice as many pointers
/// and moves back to its start when it reaches the end, so that filing indexes it directly.
struct BucketSieve {
    static let quotientBits: UInt64 = 28
    static let offsetBits: UInt64 = 23
    static let wheelShift: UInt64 = quotientBits + offsetBits
    /// The largest segment a big prime's offset can address.
    static let largestSegmentBytes = 1 << 23
    static let bucketBytes = 8192
    static let headerBytes = 16
    static let capacity = (bucketBytes - headerBytes) / MemoryLayout<BucketedPrime>.stride
    /// Buckets are carved, as needed, from slabs of 4 MiB: an aligned allocation of its own would
    /// cost each bucket a page of padding that malloc touches.
    static let bucketsPerSlab = 512

    let segmentBytes: Int
    let segmentShift: Int
    /// slots[k]: the next free place in the list of the segment k ahead (nil: no bucket yet).
    private(set) var slots: UnsafeMutablePointer<UnsafeMutablePointer<BucketedPrime>?>
    private var window: UnsafeMutablePointer<UnsafeMutablePointer<BucketedPrime>?>?
    private var windowSize = 0
    private var slotCount = 0
    private var freeBuckets: UnsafeMutableRawPointer?
    private var slabs: [UnsafeMutableRawPointer] = []
    /// The newest slab's buckets not yet handed out.
    private var carve: UnsafeMutableRawPointer?
    private var carveEnd: UnsafeMutableRawPointer?

    init(segmentBytes: Int) {
        self.segmentBytes = segmentBytes
        self.segmentShift = segmentBytes.trailingZeroBitCount
        slots = UnsafeMutablePointer(bitPattern: 64)!  // never read before begin
    }

    @inline(__always)
    private static func bucket(of place: UnsafeMutablePointer<BucketedPrime>) -> UnsafeMutableRawPointer {
        UnsafeMutableRawPointer(bitPattern: (UInt(bitPattern: place) &- 1) & ~UInt(bucketBytes - 1))!
    }

    @inline(__always)
    private static func items(_ bucket: UnsafeMutableRawPointer) -> UnsafeMutablePointer<BucketedPrime> {
        (bucket + headerBytes).assumingMemoryBound(to: BucketedPrime.self)
    }

    @inline(__always)
    private static func next(_ bucket: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        bucket.load(as: UnsafeMutableRawPointer?.self)
    }

    @inline(__always)
    private static func setNext(_ bucket: UnsafeMutableRawPointer, _ next: UnsafeMutableRawPointer?) {
        bucket.storeBytes(of: next, as: UnsafeMutableRawPointer?.self)
    }

    /// Makes every list empty, for primes up to `largestPrime`: a big prime's next multiple lies at
    /// most 14 q + 14 bytes past a byte of this segment, its first one less than 14 p past
    /// max(p * p, the segment's start).
    mutating func begin(largestPrime: UInt64) throws(SieveError) {
        end()
        let reach = (largestPrime / 30 + 1) * UInt64(BigWheel.largestGap + 1)
        let count = Int((reach + UInt64(segmentBytes)) >> UInt64(segmentShift)) + 2
        if 2 * count > windowSize {
            window = try SieveMemory.reallocate(window, count: 2 * count)
            windowSize = 2 * count
        }
        window!.initialize(repeating: nil, count: windowSize)
        slots = window!
        slotCount = count
    }

    /// Returns every bucket to the free list.
    mutating func end() {
        guard window != nil else { return }
        for k in 0..<slotCount {
            guard let place = slots[k] else { continue }
            var bucket: UnsafeMutableRawPointer? = Self.bucket(of: place)
            while let full = bucket {
                bucket = Self.next(full)
                Self.setNext(full, freeBuckets)
                freeBuckets = full
            }
            slots[k] = nil
        }
    }

    /// Frees all memory.
    mutating func deallocate() {
        end()
        for slab in slabs { free(slab) }
        slabs = []
        freeBuckets = nil
        carve = nil
        carveEnd = nil
        SieveMemory.free(window)
        window = nil
        windowSize = 0
    }

    /// A fresh bucket in front of the list whose free place was `full` (nil: none); its first free
    /// place, or nil without memory.
    private mutating func startBucket(after full: UnsafeMutablePointer<BucketedPrime>?) -> UnsafeMutablePointer<
        BucketedPrime
    >? {
        if freeBuckets == nil {
            if carve == carveEnd {
                guard let memory = malloc(Self.bucketBytes * (Self.bucketsPerSlab + 1)) else { return nil }
                slabs.append(memory)
                let aligned = (UInt(bitPattern: memory) + UInt(Self.bucketBytes - 1)) & ~UInt(Self.bucketBytes - 1)
                carve = UnsafeMutableRawPointer(bitPattern: aligned)
                carveEnd = carve.unsafelyUnwrapped + Self.bucketBytes * Self.bucketsPerSlab
            }
            let fresh = carve.unsafelyUnwrapped
            carve = fresh + Self.bucketBytes
            Self.setNext(fresh, nil)
            freeBuckets = fresh
        }
        let fresh = freeBuckets.unsafelyUnwrapped
        freeBuckets = Self.next(fresh)
        Self.setNext(fresh, full.map { Self.bucket(of: $0) })
        return Self.items(fresh)
    }

    /// Files a big prime into the list of the segment `ahead` segments on; false without memory.
    @inline(__always)
    mutating func file(ahead: Int, _ item: BucketedPrime) -> Bool {
        var place = slots[ahead]
        if UInt(bitPattern: place) & UInt(Self.bucketBytes - 1) == 0 {
            guard let fresh = startBucket(after: place) else { return false }
            place = fresh
        }
        let free = place.unsafelyUnwrapped
        free.pointee = item
        slots[ahead] = free + 1
        return true
    }

    /// Each big prime due in this segment crosses one multiple and moves to the list of the segment
    /// of its next multiple (this one again if it has another here); a prime whose next multiple lies
    /// past the run's end waits in a list no segment reaches. Then the lists move one segment on.
    mutating func crossOff(_ segment: UnsafeMutablePointer<UInt8>, steps: UnsafePointer<BigWheelStep>)
        throws(SieveError)
    {
        var failed = false
        let shift = segmentShift
        let within = UInt64(segmentBytes &- 1)
        let quotientMask: UInt64 = 1 << Self.quotientBits &- 1
        let offsetMask: UInt64 = 1 << Self.offsetBits &- 1
        while let end = slots[0] {
            slots[0] = nil
            var bucket = Self.bucket(of: end)
            var item = Self.items(bucket)
            var last = end
            while true {
                while item < last {
                    let packed = item.pointee
                    let quotient = packed & quotientMask
                    let step = steps[Int(truncatingIfNeeded: packed >> Self.wheelShift)]
                    var at = (packed >> Self.quotientBits) & offsetMask
                    segment[Int(truncatingIfNeeded: at)] &= step.mask
                    at &+= UInt64(step.factor) &* quotient &+ UInt64(step.carry)
                    let next = quotient | (at & within) << Self.quotientBits | UInt64(step.next) << Self.wheelShift
                    if !file(ahead: Int(truncatingIfNeeded: at &>> UInt64(shift)), next) { failed = true }
                    item += 1
                }
                let fuller = Self.next(bucket)
                Self.setNext(bucket, freeBuckets)
                freeBuckets = bucket
                guard let fuller else { break }
                bucket = fuller
                item = Self.items(fuller)
                last = item + Self.capacity
            }
        }
        advance()
        if failed { throw .outOfMemory }
    }

    /// Moves the lists one segment on.
    private mutating func advance() {
        let window = self.window.unsafelyUnwrapped
        var next = slots + 1
        if next + slotCount > window + windowSize {
            (window).update(from: next, count: slotCount - 1)
            (window + slotCount - 1).update(repeating: nil, count: windowSize - slotCount + 1)
            next = window
        }
        slots = next
    }
}
