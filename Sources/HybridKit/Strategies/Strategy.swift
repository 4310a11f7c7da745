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

/// Who runs the sieve's hot loop.
public enum EngineKind: String, CaseIterable, Sendable, Codable {
    /// CSieve's C loop.
    case c
    /// The Swift port of the same algorithm.
    case swift
}
