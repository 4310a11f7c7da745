import CSieve
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Fetches batches of URLs with libcurl, by any ``FetchStrategy``.
///
/// ```swift
/// let report = try URLFetcher.fetch(["http://127.0.0.1:8080/", "http://127.0.0.1:8080/bytes/10"],
///                                   options: FetchOptions(strategy: .multi, concurrency: 50))
/// print(report.ok, "of", report.urls, "in", report.seconds, "s")
/// ```
///
/// Every strategy gives the same per-URL results, in input order; a URL that fails (malformed,
/// unsupported scheme, refused, timed out) is a failed result, never a thrown error.
public enum URLFetcher {
    /// Fetches every URL and returns the run report.
    ///
    /// - Parameters:
    ///   - urls: The URLs, fetched in any order, reported in this order.
    ///   - options: The strategy, window and limits.
    ///   - progress: Called on the calling thread about ten times a second with the URLs done
    ///     and the total, while the fetch runs; `nil` for none.
    ///   - notice: Called at most once, before fetching, when the window had to be lowered to
    ///     fit the file-descriptor limit, with one line that says so.
    /// - Throws: ``UsageError`` for options out of range; ``FetchSetupError`` when libcurl
    ///   cannot be initialised or cannot make handles.
    public static func fetch(
        _ urls: [String],
        options: FetchOptions = FetchOptions(),
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil,
        notice: (String) -> Void = { _ in }
    ) throws -> FetchReport {
        try options.validate()
        guard csieve_fetch_global_init() == CSIEVE_OK else {
            throw FetchSetupError("libcurl could not be initialised")
        }
        let (fitted, message) = DescriptorBudget.fit(options)
        if let message { notice(message) }
        if urls.isEmpty {
            return FetchReport(strategy: fitted.strategy, seconds: 0, results: [], options: fitted)
        }

        var cOptions = csieve_fetch_options()
        csieve_fetch_options_init(&cOptions)
        cOptions.total_timeout = fitted.timeout?.secondsValue ?? 0
        cOptions.connect_timeout = fitted.connectTimeout?.secondsValue ?? 0
        cOptions.retries = UInt32(clamping: fitted.retries)
        cOptions.retry_backoff = fitted.retryBackoff.secondsValue
        cOptions.max_body_bytes = UInt64(fitted.maximumBodyBytes ?? 0)
        cOptions.keep_bodies = fitted.keepsBodies ? 1 : 0

        // Handles are made here, before any worker starts, so a failure throws cleanly; each is
        // then used by its one worker thread only.
        var fetchers: [OpaquePointer] = []
        defer { for fetcher in fetchers { csieve_fetcher_free(fetcher) } }
        for window in fitted.windows {
            guard let fetcher = csieve_fetcher_new(&cOptions, UInt32(window)) else {
                throw FetchSetupError("libcurl could not make a handle")
            }
            fetchers.append(fetcher)
        }

        let batch = FetchBatch(urls: urls)
        let outcome = WorkerOutcome()
        let start = ContinuousClock.now
        let works: [() -> Void] = fetchers.map { fetcher in
            {
                let status = csieve_fetcher_run(fetcher, batch.pointer)
                outcome.finish(status: status)
            }
        }
        WorkerThreads.run(works) { running in
            guard let progress else { return }
            while running() {
                progress(batch.done, urls.count)
                usleep(100_000)
            }
            progress(batch.done, urls.count)
        }
        let seconds = (outcome.lastFinish ?? ContinuousClock.now) - start
        let failure = outcome.firstFailure.map(describeFetcherStatus)
        return FetchReport(
            strategy: fitted.strategy,
            seconds: seconds.secondsValue,
            results: batch.results(fetcherFailure: failure),
            options: fitted
        )
    }
}

/// Names a status that csieve_fetcher_run failed with.
private func describeFetcherStatus(_ status: Int32) -> String {
    switch status {
    case CSIEVE_ENOMEM: return "a fetcher ran out of memory"
    case CSIEVE_ECURL: return "libcurl failed in a fetcher"
    default: return String(cString: csieve_strerror(status))
    }
}

/// When the last worker ended (the batch's wall time ends there, not when a progress loop next
/// wakes) and the first status a fetcher failed with.
private final class WorkerOutcome: Sendable {
    private struct State {
        var lastFinish: ContinuousClock.Instant?
        var firstFailure: Int32?
    }
    private let state = Mutex(State())

    func finish(status: Int32) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.lastFinish = max(state.lastFinish ?? now, now)
            if status != CSIEVE_OK && state.firstFailure == nil { state.firstFailure = status }
        }
    }

    var lastFinish: ContinuousClock.Instant? { state.withLock { $0.lastFinish } }
    var firstFailure: Int32? { state.withLock { $0.firstFailure } }
}

/// libcurl could not be set up, so no URL could be fetched.
public struct FetchSetupError: Error, CustomStringConvertible, Sendable {
    /// One line that says what failed.
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
