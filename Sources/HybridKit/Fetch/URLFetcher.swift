import CFetch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Fetches URLs with libcurl, by any ``FetchStrategy``.
///
/// ```swift
/// let report = try URLFetcher.fetch(["https://example.com/", "http://127.0.0.1:8080/bytes/10"],
///                                   options: FetchOptions(strategy: .multi, concurrency: 50))
/// print(report.ok, "of", report.urls, "in", report.seconds, "s")
/// ```
///
/// Every strategy gives the same per-URL results; a URL that fails (malformed, no scheme,
/// unsupported scheme, refused, untrusted certificate, timed out, redirect loop) is a failed
/// result, never a thrown error. ``stream(options:stopsOnSignals:progress:notice:next:result:)``
/// fetches lists of any length in memory bounded by the transfers in flight.
public enum URLFetcher {
    /// Fetches every URL and returns the run report, with every result in input order.
    ///
    /// - Parameters:
    ///   - urls: The URLs, fetched in any order, reported in this order.
    ///   - options: The strategy, window and limits.
    ///   - progress: Called on the calling thread a few times a second with the URLs done
    ///     and the total, while the fetch runs; `nil` for none.
    ///   - notice: Called at most once, before fetching, when the window had to be lowered to
    ///     fit the file-descriptor limit, with one line that says so.
    /// - Throws: ``UsageError`` for options out of range; ``FetchSetupError`` as
    ///   ``stream(options:stopsOnSignals:progress:notice:next:result:)`` throws it.
    public static func fetch(
        _ urls: [String],
        options: FetchOptions = FetchOptions(),
        progress: ((_ done: Int, _ total: Int) -> Void)? = nil,
        notice: (String) -> Void = { _ in }
    ) throws -> FetchReport {
        var results = [FetchResult?](repeating: nil, count: urls.count)
        var position = 0
        let summary = try stream(
            options: options, stopsOnSignals: false,
            progress: progress.map { report in { done, _ in report(done, urls.count) } },
            notice: notice,
            next: {
                guard position < urls.count else { return .end }
                defer { position += 1 }
                return .url(urls[position])
            },
            result: { results[$0.index] = $0 })
        return FetchReport(
            summary: summary,
            results: results.enumerated().map { index, result in
                result
                    ?? FetchResult(
                        index: index, url: urls[index], status: nil, bytes: 0, seconds: 0,
                        attempts: 0,
                        error: FetchError(code: 2, message: "not fetched: every fetcher failed"))
            })
    }

    /// Fetches the URLs `next` gives, asking for each only when a transfer is free, and hands
    /// each result to `result` as it finishes, so memory stays bounded by the transfers in
    /// flight however many URLs there are.
    ///
    /// - Parameters:
    ///   - options: The strategy, window and limits.
    ///   - stopsOnSignals: When true, SIGINT and SIGTERM stop the fetch: no more URLs are
    ///     taken, the transfers in flight end (each gets an "interrupted" result), and the
    ///     summary's ``FetchSummary/interruption`` names the signal.
    ///   - progress: Called on the calling thread a few times a second with the URLs done and
    ///     the URLs taken so far; `nil` for none.
    ///   - notice: Called at most once, before fetching, when the window had to be lowered.
    ///   - next: The next URL, `.notYet` while input is still coming, `.end` after the last.
    ///     Called from fetcher threads, one call at a time; it should not block (a
    ///     command line's URL stream reads a list on a thread of its own).
    ///   - result: Each URL's result, with its input index, in the order they finish. Called
    ///     from fetcher threads, one call at a time; a slow one slows the fetch.
    /// - Returns: The totals.
    /// - Throws: ``UsageError`` for options out of range; ``FetchSetupError`` with the cause
    ///   when libcurl cannot be loaded or initialised, refuses a handle or an option, or the
    ///   output directory cannot be made or opened; also when every fetcher failed while URLs
    ///   were left that none took (those have no result), after the results delivered.
    public static func stream(
        options: FetchOptions = FetchOptions(),
        stopsOnSignals: Bool = false,
        progress: ((_ done: Int, _ taken: Int) -> Void)? = nil,
        notice: (String) -> Void = { _ in },
        next: @escaping () -> URLSourceAnswer,
        result: @escaping (FetchResult) -> Void
    ) throws -> FetchSummary {
        try options.validate()
        let (fitted, message) = DescriptorBudget.fit(options)
        if let message { notice(message) }
        if let directory = fitted.outputDirectory { try makeDirectory(directory) }

        // Handles are made here, before any worker starts, so a failure throws cleanly; each is
        // then used by its one worker thread only.
        let fetchers = try makeFetchers(fitted)
        defer { for fetcher in fetchers { cfetch_fetcher_free(fetcher) } }

        let batch = FetchBatch(options: fitted, next: next, deliver: result)
        let outcome = WorkerOutcome()
        let start = ContinuousClock.now
        let works: [() -> Void] = fetchers.map { fetcher in
            {
                let status = cfetch_fetcher_run(fetcher, batch.pointer)
                outcome.finish(failure: status == CFETCH_OK ? nil : describe(fetcher: fetcher))
            }
        }
        var signals = StopSignals(active: stopsOnSignals)
        let interruption = WorkerThreads.supervise(
            works, signals: &signals,
            progress: { progress?(batch.done, batch.taken) },
            stop: { batch.stop() })
        progress?(batch.done, batch.taken)
        // Fetchers that failed leave the URLs they never took to the others; when every fetcher
        // is gone and some were never taken, those have no result, so the run failed.
        if let failure = outcome.firstFailure, interruption == nil, !batch.exhausted {
            let fetched = batch.done == 0 ? "" : " after \(batch.done) URLs; the rest were not fetched"
            throw FetchSetupError("\(failure)\(fetched)")
        }
        var summary = batch.summary
        summary.seconds = ((outcome.lastFinish ?? ContinuousClock.now) - start).secondsValue
        summary.interruption = interruption
        return summary
    }

    /// Fetches the URLs of `journal` that it does not hold, recording each result as it
    /// finishes, and hands every URL's result to `result` once: first those the journal held, in
    /// input order, then the fetched ones as they finish. The summary counts both, and
    /// ``FetchSummary/resumed`` says how many came from the journal.
    ///
    /// Fetches with the journal's ``FetchJournal/options``; the other parameters are as for
    /// ``stream(options:stopsOnSignals:progress:notice:next:result:)``.
    ///
    /// - Throws: as that one does, and ``JournalError`` when a record could not be written or
    ///   synced (the run then is not a success, though every result was handed over).
    public static func stream(
        journal: FetchJournal,
        stopsOnSignals: Bool = false,
        progress: ((_ done: Int, _ taken: Int) -> Void)? = nil,
        notice: (String) -> Void = { _ in },
        result: @escaping (FetchResult) -> Void
    ) throws -> FetchSummary {
        for held in journal.resumed { result(held) }
        let urls = journal.urls
        // The source runs one call at a time (CFetch serialises it), as its state requires.
        let source = JournalSource()
        var summary: FetchSummary
        do {
            summary = try stream(
                options: journal.options, stopsOnSignals: stopsOnSignals,
                progress: { done, taken in
                    journal.syncIfDue()
                    progress?(done + source.skipped.load(ordering: .relaxed), taken)
                },
                notice: notice,
                next: {
                    let position = source.position
                    guard position < urls.count else { return .end }
                    source.position += 1
                    if journal.holds(position) {
                        source.skipped.add(1, ordering: .relaxed)
                        return .skip
                    }
                    return .url(urls[position].url, origin: urls[position].origin)
                },
                result: { fetched in
                    journal.record(fetched)
                    result(fetched)
                })
        } catch {
            try? journal.finish()
            throw error
        }
        try journal.finish()
        for held in journal.resumed { summary.add(held) }
        summary.resumed = journal.resumed.count
        return summary
    }

    private static func makeFetchers(_ options: FetchOptions) throws -> [OpaquePointer] {
        var fetchers: [OpaquePointer] = []
        var made = false
        defer { if !made { for fetcher in fetchers { cfetch_fetcher_free(fetcher) } } }
        let windows = options.windows
        // libcurl caps connections per multi handle: threads-multi splits the cap like the window.
        let perHostShares = options.perHost.map { perHost in
            ThreadsMultiFetch().windows(concurrency: perHost, threads: windows.count)
        }
        try withCOptions(options) { cOptions in
            for (position, window) in windows.enumerated() {
                var own = cOptions
                if window > 0, let shares = perHostShares {
                    own.per_host = UInt32(clamping: shares[min(position, shares.count - 1)])
                }
                var failure = cfetch_failure()
                guard let fetcher = cfetch_fetcher_new(&own, UInt32(window), &failure) else {
                    throw FetchSetupError(message(of: failure))
                }
                fetchers.append(fetcher)
            }
        }
        made = true
        return fetchers
    }

    /// The C options for `options`, valid inside `body` (their strings point into Swift memory).
    private static func withCOptions(
        _ options: FetchOptions, _ body: (cfetch_options) throws -> Void
    ) throws {
        var cOptions = cfetch_options()
        cfetch_options_init(&cOptions)
        cOptions.total_timeout = options.timeout?.secondsValue ?? 0
        cOptions.connect_timeout = options.connectTimeout?.secondsValue ?? 0
        cOptions.stall_timeout = options.stallTimeout?.secondsValue ?? 0
        cOptions.retries = UInt32(clamping: options.retries)
        cOptions.retry_backoff = options.retryBackoff.secondsValue
        cOptions.max_body_bytes = UInt64(options.maximumBodyBytes ?? 0)
        cOptions.keep_bodies = options.keepsBodies ? 1 : 0
        cOptions.http_version = options.forcesHTTP11 ? CFETCH_HTTP_1_1 : CFETCH_HTTP_DEFAULT
        cOptions.follow_redirects = options.followsRedirects ? 1 : 0
        cOptions.max_redirects = options.maximumRedirects
        cOptions.insecure = options.verifiesCertificates ? 0 : 1
        cOptions.compressed = options.acceptsCompression ? 1 : 0
        cOptions.fail_on_http_error = options.failsOnHTTPError ? 1 : 0
        cOptions.file_names = options.bodyNaming == .url ? CFETCH_NAME_URL : CFETCH_NAME_INDEX
        cOptions.per_host = UInt32(clamping: options.perHost ?? 0)
        // strdup'ed copies, freed below: cfetch_fetcher_new copies them again.
        var owned: [UnsafeMutablePointer<CChar>?] = []
        defer { for pointer in owned { free(pointer) } }
        func copy(_ text: String?) -> UnsafePointer<CChar>? {
            guard let text else { return nil }
            let pointer = strdup(text)
            owned.append(pointer)
            return UnsafePointer(pointer)
        }
        cOptions.ca_file = copy(options.certificateAuthorities)
        cOptions.output_directory = copy(options.outputDirectory)
        cOptions.user_agent = copy(options.userAgent)
        let headers = options.headers.compactMap { copy($0) }
        guard headers.count == options.headers.count else {
            throw FetchSetupError("out of memory copying the headers")
        }
        try headers.withUnsafeBufferPointer { list in
            cOptions.headers = list.isEmpty ? nil : list.baseAddress
            cOptions.header_count = list.count
            try body(cOptions)
        }
    }

    private static func makeDirectory(_ path: String) throws {
        do {
            try Syscalls.makeDirectory(path)
        } catch {
            throw UsageError("cannot make the output directory \(path): \(error.text)")
        }
        if !Syscalls.isDirectory(path) { throw UsageError("--output-dir \(path) is not a directory") }
    }
}

/// Why a fetcher's run failed, as the fetcher says.
private func describe(fetcher: OpaquePointer) -> String {
    message(of: cfetch_fetcher_failure(fetcher).pointee)
}

/// A failure's line, or its status's name when the line is empty.
private func message(of failure: cfetch_failure) -> String {
    let line = withUnsafeBytes(of: failure.message) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
    return line.isEmpty ? String(cString: cfetch_strerror(failure.status)) : line
}

/// When the last worker ended (the batch's wall time ends there, not when a progress loop next
/// wakes) and why the first fetcher that failed did.
private final class WorkerOutcome: Sendable {
    private struct State {
        var lastFinish: ContinuousClock.Instant?
        var firstFailure: String?
    }
    private let state = POSIXLocked(State())

    func finish(failure: String?) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.lastFinish = max(state.lastFinish ?? now, now)
            if state.firstFailure == nil { state.firstFailure = failure }
        }
    }

    var lastFinish: ContinuousClock.Instant? { state.withLock { $0.lastFinish } }
    var firstFailure: String? { state.withLock { $0.firstFailure } }
}

/// libcurl or the output directory could not be set up, or the fetchers failed before every
/// URL was taken: the run did not fetch every URL, and ``message`` says why.
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

/// Where a journal's URL source stands; touched by one fetcher thread at a time.
private final class JournalSource: @unchecked Sendable {
    // @unchecked: CFetch calls the source under its lock; `skipped` is atomic, for progress.
    var position = 0
    let skipped = Atomic<Int>(0)
}
