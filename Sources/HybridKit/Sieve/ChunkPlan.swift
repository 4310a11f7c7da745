/// How a range of numbers is cut into chunks: pieces of work that workers take one at a time.
///
/// Chunks are many (at least 8 per worker, so a slow worker never leaves the others idle for
/// long) and large (each sieves at least 256 times the square root of the range's end, so that the
/// per-call set-up of the sieving primes stays under 1% of a chunk's work).
public struct ChunkPlan: Sendable, Equatable {
    /// The whole range `[from, to)`.
    public let range: Range<UInt64>
    /// The width of every chunk but the last, a multiple of 30 * 64 (whole sieve words).
    public let chunkWidth: UInt64
    /// How many chunks there are (at least 1, even for an empty range).
    public let count: Int

    /// The smallest chunk worth a call: about 2 ms of sieving.
    public static let minimumWidth: UInt64 = 1 << 24
    /// The largest chunk: about 15 ms of sieving, so that workers finish together (the last chunk
    /// leaves at most that much of one core idle) and progress moves.
    public static let maximumWidth: UInt64 = 1 << 27
    /// Chunks per worker, at least, when the range is large enough.
    public static let chunksPerWorker: UInt64 = 8

    /// Plans `range` for `workers` workers.
    public init(range: Range<UInt64>, workers: Int) {
        self.range = range
        let width = range.upperBound - range.lowerBound
        let root = UInt64(Double(range.upperBound).squareRoot())
        let smallest = max(Self.minimumWidth, root.multipliedReportingOverflow(by: 256).overflow ? .max : root * 256)
        let wanted = max(1, UInt64(max(workers, 1)) * Self.chunksPerWorker)
        var chunk = max(width / wanted, 1)
        chunk = min(chunk, Self.maximumWidth)
        chunk = max(chunk, smallest)
        let alignment: UInt64 = 30 * 64
        chunk = (chunk + alignment - 1) / alignment * alignment
        self.chunkWidth = chunk
        self.count = width == 0 ? 1 : Int((width - 1) / chunk + 1)
    }

    /// The chunk at `index` (0 ..< count).
    public func chunk(_ index: Int) -> Range<UInt64> {
        // index < count keeps index * chunkWidth below the range's width: no overflow.
        let start = range.lowerBound + UInt64(index) * chunkWidth
        return start..<(start + min(range.upperBound - start, chunkWidth))
    }

    /// Every chunk, in order.
    public var chunks: [Range<UInt64>] { (0..<count).map(chunk) }
}
