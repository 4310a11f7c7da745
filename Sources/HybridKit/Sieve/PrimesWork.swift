import CSieve

/// The primes workload on the parallel map: item i is chunk i of the range, its slot a
/// `csieve_result` (count and the two halves of the sum), and the reduction their total.
///
/// Serial and threads workers each make an engine of the job's kind; forked workers run
/// `csieve_chunks_work` over a C engine made before the fork, or with the Swift engine the
/// Swift worker (only from a single-threaded program).
final class PrimesWork {
    let job: PrimesJob
    let plan: ChunkPlan
    /// The C engine and the chunks context the forked workers read (processes, C engine only).
    private let engine: CSieveEngine?
    private let chunks: UnsafeMutablePointer<csieve_chunks>?

    static let slotBytes = MemoryLayout<csieve_result>.stride

    init(job: PrimesJob, plan: ChunkPlan) throws(SieveError) {
        self.job = job
        self.plan = plan
        if job.strategy == .processes, job.engine == .c {
            let engine = try CSieveEngine()
            // The fork rule: what the children sieve with is made before the fork.
            try engine.prepare(upTo: plan.range.upperBound)
            let chunks = UnsafeMutablePointer<csieve_chunks>.allocate(capacity: 1)
            chunks.initialize(
                to: csieve_chunks(
                    sieve: engine.sieve, from: plan.range.lowerBound, to: plan.range.upperBound,
                    chunk_width: plan.chunkWidth, flags: job.sum ? UInt32(CSIEVE_SUM) : UInt32(CSIEVE_COUNT)))
            self.engine = engine
            self.chunks = chunks
        } else {
            engine = nil
            chunks = nil
        }
    }

    deinit { chunks?.deallocate() }

    var mapWork: MapWork {
        let plan = plan
        let kind = job.engine
        let sum = job.sum
        let forked: MapWork.Forked =
            chunks.map { .c(csieve_chunks_work, context: UnsafeMutableRawPointer($0)) } ?? .swift
        return MapWork(forked: forked) {
            let engine = try kind.makeEngine()
            return { item, slot in
                let totals = try engine.totals(in: plan.chunk(item), sum: sum)
                let total = totals.sum ?? 0
                slot.storeBytes(
                    of: csieve_result(
                        count: totals.count, sum_low: UInt64(truncatingIfNeeded: total), sum_high: UInt64(total >> 64)),
                    as: csieve_result.self)
            }
        }
    }

    /// The numbers sieved once `items` chunks are done (the last chunk may be short).
    func numbersDone(items: Int) -> Double {
        min(Double(items) * Double(plan.chunkWidth), Double(plan.range.upperBound - plan.range.lowerBound))
    }

    /// The totals of every chunk.
    func reduce(_ slots: MapSlots) -> PrimeTotals {
        var total = PrimeTotals(count: 0, sum: job.sum ? 0 : nil)
        for item in 0..<slots.count {
            let result = slots.load(item, as: csieve_result.self)
            total =
                total
                + PrimeTotals(
                    count: result.count, sum: job.sum ? UInt128(result.sum_high) << 64 | UInt128(result.sum_low) : nil)
        }
        return total
    }
}
