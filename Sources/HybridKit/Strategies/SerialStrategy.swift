/// The serial strategy: every chunk, in order, on the calling thread, with one engine.
enum SerialStrategy {
    static func run(_ job: PrimesJob, plan: ChunkPlan, progress: ProgressBar, stopOnSignals: Bool) throws -> PrimeTotals
    {
        let engine = try job.engine.makeEngine()
        var signals = StopSignals(active: stopOnSignals)
        var total = PrimeTotals.zero
        var done: UInt64 = 0
        for index in 0..<plan.count {
            if let signal = signals.poll() { throw RunInterrupted(signal: signal) }
            let chunk = plan.chunk(index)
            total = total + (try engine.totals(in: chunk, sum: job.sum))
            done += chunk.upperBound - chunk.lowerBound
            progress.update(done: Double(done))
        }
        return total
    }
}
