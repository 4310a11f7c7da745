extension ChunkPlan {
    /// The most chunks an mpi run cuts a range into: 2^22, so rank 0's slots (24 bytes a chunk)
    /// stay near 100 MB and a chunk stays long enough that rank 0 serves a cluster with ease.
    public static let mpiMaximumCount: UInt64 = 1 << 22

    /// The chunks of an mpi run over `workers` threads in all: the usual plan, with chunks
    /// widened so that there are at most ``mpiMaximumCount`` of them. Up to about 5 * 10^14 the
    /// usual plan stands (2^27 numbers, about 20 ms a chunk); at 10^16 a chunk is about 2.4 * 10^9
    /// numbers, about a second (README, "Beyond one machine").
    public static func mpi(range: Range<UInt64>, workers: Int) -> ChunkPlan {
        let usual = ChunkPlan(range: range, workers: workers)
        let width = range.upperBound - range.lowerBound
        let alignment: UInt64 = 30 * 64
        let needed = (width / mpiMaximumCount + alignment) / alignment * alignment
        return needed > usual.chunkWidth ? ChunkPlan(range: range, chunkWidth: needed) : usual
    }
}
