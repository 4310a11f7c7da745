import CSieve

#if canImport(Glibc)
    import Glibc
#endif

/// The processes strategy: forked workers pulling chunks from a counter in shared memory.
///
/// The fork happens in C (`csieve_fork_run`), with every engine allocated before it. With the C
/// engine a worker runs only C (`csieve_chunks_work`); with the Swift engine it runs the Swift
/// port, which is safe only because the caller must be single-threaded at the fork. A worker
/// that dies loses only the chunk it held: a replacement re-runs it, and one warning line says so.
enum ProcessesStrategy {
    /// What the parent's callbacks need: progress, warnings and the plan.
    private final class Supervision {
        let plan: ChunkPlan
        let progress: ProgressBar
        let warn: (String) -> Void
        init(plan: ChunkPlan, progress: ProgressBar, warn: @escaping (String) -> Void) {
            self.plan = plan
            self.progress = progress
            self.warn = warn
        }
    }

    /// The Swift engine's side of a worker: the engine (made before the fork) and the plan.
    private final class SwiftWork {
        let engine: any SieveEngine
        let plan: ChunkPlan
        let sum: Bool
        init(engine: any SieveEngine, plan: ChunkPlan, sum: Bool) {
            self.engine = engine
            self.plan = plan
            self.sum = sum
        }
    }

    static func run(
        _ job: PrimesJob, plan: ChunkPlan, progress: ProgressBar, stopOnSignals: Bool,
        fault: FaultInjection?, warn: @escaping (String) -> Void
    ) throws -> PrimeTotals {
        if job.engine == .swift, runningThreads() > 1 {
            throw SieveError.forkNeedsSingleThread
        }
        var options = ForkPoolOptions.make(
            workers: job.workers, workersAsked: job.workers, items: plan.count,
            slotBytes: MemoryLayout<csieve_result>.stride, stopOnSignals: stopOnSignals, fault: fault)
        let supervision = Supervision(plan: plan, progress: progress, warn: warn)
        options.context = Unmanaged.passUnretained(supervision).toOpaque()
        options.on_progress = { context, done in
            let supervision = Unmanaged<Supervision>.fromOpaque(context!).takeUnretainedValue()
            let numbers = min(
                Double(done) * Double(supervision.plan.chunkWidth),
                Double(supervision.plan.range.upperBound - supervision.plan.range.lowerBound))
            supervision.progress.update(done: numbers)
        }
        options.on_death = { context, pid, signal, exitCode, lost in
            let supervision = Unmanaged<Supervision>.fromOpaque(context!).takeUnretainedValue()
            supervision.warn(
                ForkPoolOptions.deathWarning(pid: pid, signal: signal, exitCode: exitCode, lost: lost, unit: "chunk"))
        }

        var results = [csieve_result](repeating: csieve_result(), count: plan.count)
        var report = csieve_fork_report()
        let status: Int32
        switch job.engine {
        case .c:
            let engine = try CSieveEngine()
            var chunks = csieve_chunks(
                sieve: engine.sieve, from: plan.range.lowerBound, to: plan.range.upperBound,
                chunk_width: plan.chunkWidth, flags: job.sum ? UInt32(CSIEVE_SUM) : UInt32(CSIEVE_COUNT))
            status = withUnsafeMutablePointer(to: &chunks) { chunks in
                results.withUnsafeMutableBytes { buffer in
                    csieve_fork_run(&options, csieve_chunks_work, chunks, buffer.baseAddress, &report)
                }
            }
            withExtendedLifetime(engine) {}
        case .swift:
            let work = SwiftWork(engine: try job.engine.makeEngine(), plan: plan, sum: job.sum)
            status = results.withUnsafeMutableBytes { buffer in
                csieve_fork_run(
                    &options,
                    { context, item, slot in
                        let work = Unmanaged<SwiftWork>.fromOpaque(context!).takeUnretainedValue()
                        guard let totals = try? work.engine.totals(in: work.plan.chunk(Int(item)), sum: work.sum) else {
                            return 1
                        }
                        let sum = totals.sum ?? 0
                        slot!.assumingMemoryBound(to: csieve_result.self).pointee = csieve_result(
                            count: totals.count, sum_low: UInt64(truncatingIfNeeded: sum), sum_high: UInt64(sum >> 64))
                        return 0
                    }, Unmanaged.passUnretained(work).toOpaque(), buffer.baseAddress, &report)
            }
            withExtendedLifetime(work) {}
        }
        withExtendedLifetime(supervision) {}

        switch status {
        case CSIEVE_OK:
            return results.reduce(PrimeTotals.zero) { total, result in
                total
                    + PrimeTotals(
                        count: result.count,
                        sum: job.sum ? UInt128(result.sum_high) << 64 | UInt128(result.sum_low) : nil)
            }
        case CSIEVE_EINTR: throw RunInterrupted(signal: report.signal)
        case CSIEVE_EWORKERS: throw SieveError.workersDied(Int(report.deaths))
        case CSIEVE_EFORK: throw SieveError.forkFailed
        default: throw SieveError.outOfMemory
        }
    }

    /// The number of threads in this process, from /proc (1 when it cannot tell).
    static func runningThreads() -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 1 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("Threads:") {
                return Int(String(text.dropFirst(8)).trimmingWhitespace()) ?? 1
            }
        }
        return 1
    }
}

/// A test hook: the worker that takes chunk (or item) `chunk` kills itself with SIGKILL before
/// running it, the first time only or every time (which must end the run with an error, not a
/// hang). With `beforeClaiming` it dies before recording that it holds the chunk, the case a final
/// sweep for undone work covers.
public struct FaultInjection: Sendable, Equatable {
    public var chunk: Int
    public var everyTime: Bool
    public var beforeClaiming: Bool

    public init(chunk: Int, everyTime: Bool = false, beforeClaiming: Bool = false) {
        self.chunk = chunk
        self.everyTime = everyTime
        self.beforeClaiming = beforeClaiming
    }
}
