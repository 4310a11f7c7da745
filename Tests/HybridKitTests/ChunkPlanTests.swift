import HybridKit
import Testing

@Suite("Chunk plans")
struct ChunkPlanTests {
    @Test(
        "chunks tile the range exactly, in order",
        arguments: [
            (UInt64(0), UInt64(0), 1), (0, 1, 4), (0, 10_000_000_000, 2), (10_000_000_000, 10_000_000_001, 3),
            (UInt64.max - 1_000_000_000_000, UInt64.max, 16), (123_456_789, 9_876_543_210, 7),
        ])
    func tiling(from: UInt64, to: UInt64, workers: Int) {
        let plan = ChunkPlan(range: from..<to, workers: workers)
        let chunks = plan.chunks
        #expect(chunks.first?.lowerBound == from)
        #expect(chunks.last?.upperBound == to)
        for (left, right) in zip(chunks, chunks.dropFirst()) {
            #expect(left.upperBound == right.lowerBound)
            #expect(!right.isEmpty)
        }
    }

    @Test("large ranges get at least 8 chunks per worker")
    func enoughChunks() {
        for workers in [1, 2, 3, 7, 16] {
            #expect(ChunkPlan(range: 0..<10_000_000_000, workers: workers).count >= 8 * workers)
        }
    }

    @Test("chunks near 2^64 are large enough that set-up stays small")
    func largeChunksHighUp() {
        let plan = ChunkPlan(range: (UInt64.max - 1_000_000_000_000)..<UInt64.max, workers: 2)
        #expect(plan.chunkWidth >= 256 * (1 << 32))
    }
}

@Suite("Processors this process may use")
struct ProcessorCountTests {
    @Test(
        "a cgroup v2 quota reads as whole CPUs, rounded up",
        arguments: [
            ("max 100000", nil), ("200000 100000", 2), ("150000 100000", 2), ("50000 100000", 1),
            ("100000 100000\n", 1), ("", nil), ("0 100000", nil), ("abc 100000", nil), ("100000", nil),
        ] as [(String, Int?)])
    func cpuMax(text: String, cpus: Int?) {
        #expect(ProcessorCount.cpus(fromCPUMax: text) == cpus)
    }

    @Test("the available count is at least 1 and at most the online count")
    func bounds() {
        #expect(ProcessorCount.available >= 1)
        #expect(ProcessorCount.available <= ProcessorCount.online)
    }
}
