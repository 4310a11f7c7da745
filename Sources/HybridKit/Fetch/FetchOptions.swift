/// How to fetch a batch of URLs.
public struct FetchOptions: Sendable, Equatable {
    /// How transfers are spread over threads and libcurl handles.
    public var strategy: FetchStrategy
    /// Transfers in flight at once for `multi` and `threads-multi` (K).
    public var concurrency: Int
    /// Worker threads for `threads` and `threads-multi` (T); `nil` picks one: K for `threads`
    /// (one transfer per thread), the number of cores for `threads-multi`.
    public var threads: Int?
    /// Limit on each whole transfer; `nil` means none.
    public var timeout: Duration?
    /// Limit on connecting; `nil` means libcurl's (300 s).
    public var connectTimeout: Duration?
    /// Further attempts after a transport error or a 5xx status.
    public var retries: Int
    /// The wait before the first retry; each further retry waits twice as long.
    public var retryBackoff: Duration
    /// The largest body accepted; a longer one fails its URL. `nil` means no limit.
    public var maximumBodyBytes: Int?
    /// Whether each result keeps its body; by default bodies are counted and dropped.
    public var keepsBodies: Bool

    public init(
        strategy: FetchStrategy = .multi,
        concurrency: Int = 100,
        threads: Int? = nil,
        timeout: Duration? = nil,
        connectTimeout: Duration? = nil,
        retries: Int = 0,
        retryBackoff: Duration = .milliseconds(100),
        maximumBodyBytes: Int? = nil,
        keepsBodies: Bool = false
    ) {
        self.strategy = strategy
        self.concurrency = concurrency
        self.threads = threads
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.retries = retries
        self.retryBackoff = retryBackoff
        self.maximumBodyBytes = maximumBodyBytes
        self.keepsBodies = keepsBodies
    }

    /// The worker threads this strategy runs, with the defaults of ``threads`` applied.
    public var effectiveThreads: Int {
        switch strategy {
        case .serial, .multi: return 1
        case .threads: return max(1, threads ?? concurrency)
        case .threadsMulti: return max(1, threads ?? ProcessorCount.online)
        }
    }

    /// The window of each worker thread: 0 for an easy handle, K for a multi handle.
    public var windows: [Int] {
        strategy.plan.windows(concurrency: concurrency, threads: effectiveThreads)
    }

    /// Transfers that may be in flight at once, so descriptors that may be open at once.
    public var transfersInFlight: Int {
        windows.reduce(0) { $0 + max(1, $1) }
    }

    /// Checks the values that a caller may get wrong; throws ``UsageError`` naming the first.
    public func validate() throws {
        if concurrency < 1 { throw UsageError("concurrency must be at least 1") }
        if let threads, threads < 1 { throw UsageError("threads must be at least 1") }
        if retries < 0 { throw UsageError("retries must not be negative") }
        if let timeout, timeout <= .zero { throw UsageError("timeout must be positive") }
        if let connectTimeout, connectTimeout <= .zero {
            throw UsageError("connect timeout must be positive")
        }
        if retryBackoff < .zero { throw UsageError("retry backoff must not be negative") }
        if let maximumBodyBytes, maximumBodyBytes < 1 {
            throw UsageError("maximum body size must be at least 1 byte")
        }
    }
}
