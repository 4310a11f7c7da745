import CSieve

/// The processes strategy for bigprimes: forked workers, each taking the next item from a counter
/// in shared memory, through CSieve's fork pool.
///
/// A worker runs only C (`csieve_bigprimes_work`), so forking is safe whatever threads the caller
/// has. Each item's slot holds its prime as a NUL-terminated decimal string; long lists run in
/// batches so that the shared slots stay within ``batchBytes``. A worker that dies loses only the
/// item it held: a replacement re-runs it, and one warning line says so.
enum ProcessesBigPrimes {
    /// The most shared result memory one batch maps: 64 MiB (200,000 items of 1024 bits).
    static let batchBytes = 64 << 20

    /// What the parent's callbacks need: progress across batches, and warnings.
    private final class Supervision {
        let progress: ProgressBar
        let warn: (String) -> Void
        var itemsBefore = 0
        init(progress: ProgressBar, warn: @escaping (String) -> Void) {
            self.progress = progress
            self.warn = warn
        }
    }

    static func run(
        _ job: BigPrimesJob, progress: ProgressBar, stopOnSignals: Bool, fault: FaultInjection?,
        warn: @escaping (String) -> Void
    ) throws -> [String] {
        let slotBytes = BigPrime.maximumDigits(bits: job.bits) + 1
        let batchItems = max(1, batchBytes / slotBytes)
        let supervision = Supervision(progress: progress, warn: warn)
        var primes: [String] = []
        primes.reserveCapacity(job.count)
        var first = 0
        while first < job.count {
            let items = min(batchItems, job.count - first)
            var options = ForkPoolOptions.make(
                workers: min(job.workers, items), workersAsked: job.workers, items: items, slotBytes: slotBytes,
                stopOnSignals: stopOnSignals, fault: fault, firstItem: first)
            options.context = Unmanaged.passUnretained(supervision).toOpaque()
            options.on_progress = { context, done in
                let supervision = Unmanaged<Supervision>.fromOpaque(context!).takeUnretainedValue()
                supervision.progress.update(done: Double(supervision.itemsBefore) + Double(done))
            }
            options.on_death = { context, pid, signal, exitCode, lost in
                let supervision = Unmanaged<Supervision>.fromOpaque(context!).takeUnretainedValue()
                let item = lost >= 0 ? Int64(supervision.itemsBefore) + lost : -1
                supervision.warn(
                    ForkPoolOptions.deathWarning(pid: pid, signal: signal, exitCode: exitCode, lost: item, unit: "item")
                )
            }
            supervision.itemsBefore = first

            var work = csieve_bigprimes(
                seed: job.seed, first_item: UInt64(first), bits: UInt32(job.bits),
                slot_bytes: slotBytes)
            var slots = [UInt8](repeating: 0, count: items * slotBytes)
            var report = csieve_fork_report()
            let status = slots.withUnsafeMutableBytes { buffer in
                csieve_fork_run(&options, csieve_bigprimes_work, &work, buffer.baseAddress, &report)
            }
            switch status {
            case CSIEVE_OK: break
            case CSIEVE_EINTR: throw RunInterrupted(signal: report.signal)
            case CSIEVE_EWORKERS: throw BigPrimesError.workersDied(Int(report.deaths))
            case CSIEVE_EFORK: throw BigPrimesError.forkFailed
            default: throw BigPrimesError.outOfResources
            }
            for item in 0..<items {
                let slot = slots[(item * slotBytes)..<((item + 1) * slotBytes)]
                primes.append(String(decoding: slot.prefix { $0 != 0 }, as: UTF8.self))
            }
            first += items
        }
        withExtendedLifetime(supervision) {}
        return primes
    }
}
