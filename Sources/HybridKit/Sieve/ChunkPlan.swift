import CSieve

/// How a range of numbers is cut into chunks: pieces of work that workers take one at a time.
///
/// The geometry is CSieve's (`csieve_chunk_width`, `csieve_chunk_count`, `csieve_chunk_bounds`),
/// the one definition the forked workers use too. Chunks are many (at least 8 per worker when
/// there are several, so a slow worker never leaves the others idle for long; a lone worker takes
/// them as wide as they may be) and large (each sieves at least 256 times the square root of the
/// range's end, so that the per-call set-up of the sieving primes stays under 1% of a chunk's
/// work).
package struct ChunkPlan: Sendable, Equatable {
    /// The whole range `[from, to)`.
    package let range: Range<UInt64>
    /// The width of every chunk but the last, a multiple of 30 * 64 (whole sieve words).
    package let chunkWidth: UInt64
    /// How many chunks there are (at least 1, even for an empty range).
    package let count: Int

    /// Plans `range` for `workers` workers. The corresponding C function is `csieve_chunk_width`.
    package init(range: Range<UInt64>, workers: Int) {
        let width = csieve_chunk_width(range.lowerBound, range.upperBound, UInt32(clamping: max(workers, 1)))
        self.init(range: range, chunkWidth: width)
    }

    /// The chunks of `range` of a width chosen before (a journal's), whatever the workers now.
    package init(range: Range<UInt64>, chunkWidth: UInt64) {
        precondition(chunkWidth > 0, "a chunk width is at least 1")
        self.range = range
        self.chunkWidth = chunkWidth
        self.count = Int(csieve_chunk_count(range.lowerBound, range.upperBound, chunkWidth))
    }

    /// The chunk at `index` (0 ..< count). The corresponding C function is `csieve_chunk_bounds`.
    package func chunk(_ index: Int) -> Range<UInt64> {
        precondition(index >= 0 && index < count, "chunk \(index) of \(count)")
        var from: UInt64 = 0
        var to: UInt64 = 0
        _ = csieve_chunk_bounds(range.lowerBound, range.upperBound, chunkWidth, UInt64(index), &from, &to)
        return from..<to
    }

    /// Every chunk, in order.
    package var chunks: [Range<UInt64>] { (0..<count).map(chunk) }
}
