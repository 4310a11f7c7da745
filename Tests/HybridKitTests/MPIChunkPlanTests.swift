import HybridKit
import Testing

@Suite("MPI chunk plans")
struct MPIChunkPlanTests {
    @Test(
        "up to 64 threads, ranges up to about 5 * 10^14 keep the usual chunks",
        arguments: [UInt64(1_000_000), 100_000_000_000, 100_000_000_000_000])
    func usual(to: UInt64) {
        for workers in [1, 2, 64] {
            #expect(ChunkPlan.mpi(range: 0..<to, workers: workers) == ChunkPlan(range: 0..<to, workers: workers))
        }
    }

    @Test("many threads get chunks of at least 2^19 numbers per thread, so rank 0 keeps up")
    func manyThreads() {
        let plan = ChunkPlan.mpi(range: 0..<100_000_000_000_000, workers: 32_000)
        #expect(plan.chunkWidth >= 32_000 << 19)
        #expect(plan.chunkWidth % (30 * 64) == 0)
        #expect(plan.chunkWidth < (32_000 << 19) + 30 * 64 * 2)
        // A range of one usual chunk stays one chunk.
        #expect(ChunkPlan.mpi(range: 0..<1000, workers: 32_000) == ChunkPlan(range: 0..<1000, workers: 32_000))
    }

    static let huge: [Range<UInt64>] = [
        0..<10_000_000_000_000_000, (UInt64.max - 10_000_000_000_000_000)..<UInt64.max, 0..<UInt64.max,
    ]

    @Test("huge ranges get at most 2^22 chunks of whole sieve words, tiling the range", arguments: huge)
    func capped(range: Range<UInt64>) {
        let (from, to) = (range.lowerBound, range.upperBound)
        let plan = ChunkPlan.mpi(range: from..<to, workers: 32_000)
        #expect(UInt64(plan.count) <= ChunkPlan.mpiMaximumCount)
        #expect(plan.chunkWidth % (30 * 64) == 0)
        #expect(plan.chunk(0).lowerBound == from)
        #expect(plan.chunk(plan.count - 1).upperBound == to)
    }
}
