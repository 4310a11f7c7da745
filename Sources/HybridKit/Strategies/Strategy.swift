/// How a workload's chunks are spread over workers.
public enum Strategy: String, CaseIterable, Sendable, Codable {
    /// One after another, on the calling thread.
    case serial
    /// On pthreads that pull chunks from one shared counter.
    case threads
    /// On forked processes that pull chunks from a counter in shared memory.
    case processes
    /// On one event-driven libcurl multi handle (I/O only).
    case multi
    /// On several threads, each with its own multi handle (I/O only).
    case threadsMulti = "threads-multi"
}

extension Strategy {
    /// The worker count when none is given: serial runs one, the others one per core.
    public var defaultWorkers: Int { self == .serial ? 1 : ProcessorCount.online }

    /// Checks a CPU-bound workload's strategy and worker count (serial, threads or processes;
    /// 1 ... 4096 workers, serial exactly 1); throws a ``UsageError`` naming what is wrong.
    /// `workload` names it in the message: `primes`, `bigprimes`.
    func validateCPUBound(workers: Int, workload: String) throws(UsageError) {
        guard workers >= 1 else { throw UsageError("--workers must be at least 1, got \(workers)") }
        guard workers <= 4096 else { throw UsageError("--workers must be at most 4096, got \(workers)") }
        switch self {
        case .serial:
            guard workers == 1 else { throw UsageError("strategy serial runs 1 worker, got --workers \(workers)") }
        case .threads, .processes: break
        case .multi, .threadsMulti:
            throw UsageError(
                "strategy '\(rawValue)' is for fetching; \(workload) run serial, threads or processes")
        }
    }
}

/// Who runs the sieve's hot loop.
public enum EngineKind: String, CaseIterable, Sendable, Codable {
    /// CSieve's C loop.
    case c
    /// The Swift port of the same algorithm.
    case swift
}
