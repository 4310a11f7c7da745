/// Reading the primes out of a sieved segment, as CSieve's `segment_totals.c`.
///
/// The segment holds `length` bytes, zero-padded beyond to a multiple of 8, whose byte j stands for
/// the numbers (lowByte + j) * 30 + [0, 30).
final class SegmentTotals {
    /// table[256 * t + b]: for byte value b at byte t of a little-endian word, its count of primes
    /// << 16 | the sum of their offsets from the word's first number (30 t + residue per bit).
    ///
    /// CSieve sums with eight popcounts per word (one per offset bit-plane), which its run-time CPU
    /// dispatch turns into POPCNT instructions. Swift has no per-function CPU dispatch, and for the
    /// baseline x86-64 target `nonzeroBitCount` is a dozen instructions; eight byte look-ups per word
    /// cost less. A word's eight entries add up without carrying between the halves (at most 64 primes,
    /// and offsets below 7,680).
    private let table: UnsafeMutablePointer<UInt32>

    init() {
        table = .allocate(capacity: 8 * 256)
        for byte in 0..<8 {
            for value in 0..<256 {
                var count: UInt32 = 0
                var offsets: UInt32 = 0
                for k in 0..<8 where value & (1 << k) != 0 {
                    count += 1
                    offsets += UInt32(30 * byte + Wheel.residue(k))
                }
                table[256 * byte + value] = count << 16 | offsets
            }
        }
    }

    deinit {
        table.deallocate()
    }

    @inline(__always)
    private static func word(_ segment: UnsafePointer<UInt8>, _ index: Int) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(segment).loadUnaligned(fromByteOffset: 8 &* index, as: UInt64.self))
    }

    /// The number of primes in the segment: the bits set, counted 16 bytes at a time with the
    /// shift-and-add population count on each byte (SSE2, which every x86-64 has), the bytes' counts
    /// added up over 31 blocks (at most 8 * 31 = 248 each) before they are widened and summed.
    /// Reads up to 15 bytes of the zero padding past the segment's end.
    func count(_ segment: UnsafePointer<UInt8>, length: Int) -> UInt64 {
        typealias Block = SIMD16<UInt8>
        let bytes = UnsafeRawPointer(segment)
        let blocks = (length + 15) / 16
        var count: UInt64 = 0
        var block = 0
        while block < blocks {
            let end = min(block + 31, blocks)
            var counts = Block()
            while block < end {
                var x = bytes.loadUnaligned(fromByteOffset: 16 &* block, as: Block.self)
                x &-= (x &>> 1) & 0x55
                x = (x & 0x33) &+ ((x &>> 2) & 0x33)
                counts &+= (x &+ (x &>> 4)) & 0x0f
                block &+= 1
            }
            count &+= UInt64(SIMD16<UInt16>(truncatingIfNeeded: counts).wrappedSum())
        }
        return count
    }

    /// The number of primes in the segment and their sum. Word i adds count * (the segment's first
    /// number + 240 i) plus its offsets; all of it stays in 64 bits within a segment (at most 2^21
    /// words) and becomes 128 bits once.
    func countAndSum(_ segment: UnsafePointer<UInt8>, length: Int, lowByte: UInt64) -> (count: UInt64, sum: UInt128) {
        let table = self.table
        var count: UInt64 = 0
        var weighted: UInt64 = 0
        var offsets: UInt64 = 0
        let words = (length + 7) / 8
        var index = 0
        var bytes = segment
        while index < words {
            let entry =
                table[Int(bytes[0])] &+ table[256 &+ Int(bytes[1])] &+ table[512 &+ Int(bytes[2])]
                &+ table[768 &+ Int(bytes[3])] &+ table[1024 &+ Int(bytes[4])] &+ table[1280 &+ Int(bytes[5])]
                &+ table[1536 &+ Int(bytes[6])] &+ table[1792 &+ Int(bytes[7])]
            let wordCount = UInt64(entry >> 16)
            count &+= wordCount
            weighted &+= wordCount &* UInt64(index)
            offsets &+= UInt64(entry & 0xffff)
            index &+= 1
            bytes += 8
        }
        let sum = UInt128(lowByte * 30) * UInt128(count) + UInt128(weighted) * 240 + UInt128(offsets)
        return (count, sum)
    }

    /// Writes the primes of the segment, in order, to `primes` (they must be below 2^32); returns how many.
    static func listPrimes(
        _ segment: UnsafePointer<UInt8>, length: Int, lowByte: UInt64, into primes: UnsafeMutablePointer<UInt32>
    ) -> Int {
        var count = 0
        let words = (length + 7) / 8
        for index in 0..<words {
            var word = Self.word(segment, index)
            let base = (lowByte + UInt64(8 * index)) * 30
            while word != 0 {
                let bit = word.trailingZeroBitCount
                primes[count] = UInt32(truncatingIfNeeded: base &+ UInt64(30 &* (bit >> 3) &+ Wheel.residue(bit & 7)))
                count &+= 1
                word &= word &- 1
            }
        }
        return count
    }
}
