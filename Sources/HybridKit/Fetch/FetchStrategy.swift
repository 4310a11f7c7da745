/// How a fetch spreads its transfers over threads and libcurl handles.
public enum FetchStrategy: String, CaseIterable, Sendable, Codable {
    /// One thread, one reused easy handle: one transfer at a time.
    case serial
    /// T threads, each with its own easy handle, each pulling the next URL from a shared counter.
    case threads
    /// One thread, one multi handle with up to K transfers in flight.
    case multi
    /// T threads, each with its own multi handle; their windows add up to K.
    case threadsMulti = "threads-multi"

    /// The plan of this strategy: how many worker threads, each with which libcurl handle.
    var plan: any FetchWorkerPlan {
        switch self {
        case .serial: return SerialFetch()
        case .threads: return ThreadsFetch()
        case .multi: return MultiFetch()
        case .threadsMulti: return ThreadsMultiFetch()
        }
    }
}

/// A strategy's layout of workers. Every strategy runs the same CFetch fetcher loop, which
/// pulls URLs from the batch under one lock; strategies differ only in threads and handles.
protocol FetchWorkerPlan: Sendable {
    /// The libcurl window of each worker thread, one element per thread: 0 for an easy handle
    /// (one transfer at a time), K for a multi handle with up to K transfers in flight.
    func windows(concurrency: Int, threads: Int) -> [Int]
}
