extension ChunkPlan {
    /// The most chunks an mpi run cuts a range into: 2^22, so rank 0's slots (24 bytes a chunk)
    /// stay near 100 MB.
    public static let mpiMaximumCount: UInt64 = 1 << 22

    /// Numbers each thread of the job adds to the smallest mpi chunk: 2^19. Rank 0 spends at
    /// most about 5 us on a chunk (journal included) and a core sieves at most about 1.6 * 10^10
    /// numbers a second, so with chunks of at least threads * 2^19 numbers the job's threads
    /// together finish at most threads / (threads * 2^19 / 1.6e10) = 30,500 chunks a second, and
    /// rank 0 is busy at most 15% of the time, however many ranks ask (docs/cluster.md, its
    /// model past this machine).
    public static let mpiNumbersPerThread: UInt64 = 1 << 19

    /// The chunks of an mpi run over `workers` threads in all: the usual plan, with chunks
    /// widened to at least `workers` * ``mpiNumbersPerThread`` numbers and so that there are at
    /// most ``mpiMaximumCount`` of them. On this machine's 2 threads the usual plan stands; with
    /// 32,000 threads a chunk is at least 1.7 * 10^10 numbers.
    public static func mpi(range: Range<UInt64>, workers: Int) -> ChunkPlan {
        let usual = ChunkPlan(range: range, workers: workers)
        let width = range.upperBound - range.lowerBound
        let alignment: UInt64 = 30 * 64
        let smallest = max(width / mpiMaximumCount, UInt64(max(1, workers)) * mpiNumbersPerThread)
        let needed = (smallest + alignment) / alignment * alignment
        return needed > usual.chunkWidth && usual.count > 1 ? ChunkPlan(range: range, chunkWidth: needed) : usual
    }
}
