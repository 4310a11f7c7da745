/// A fetch's run report: what was fetched, how, how long it took, and every URL's result in
/// input order.
public struct FetchReport: Sendable, Equatable {
    /// The strategy that ran.
    public let strategy: FetchStrategy
    /// Wall-clock time of the whole batch, in seconds.
    public let seconds: Double
    /// One result per URL, in input order.
    public let results: [FetchResult]
    /// The options in force (after fitting the window to the descriptor limit).
    public let options: FetchOptions

    public init(
        strategy: FetchStrategy, seconds: Double, results: [FetchResult], options: FetchOptions
    ) {
        self.strategy = strategy
        self.seconds = seconds
        self.results = results
        self.options = options
    }

    /// The number of URLs.
    public var urls: Int { results.count }
    /// URLs that are ok (completed, status below 400).
    public var ok: Int { results.count { $0.isOK } }
    /// URLs that are not ok.
    public var failed: Int { urls - ok }
    /// Body bytes received over all URLs.
    public var bytes: Int { results.reduce(0) { $0 + $1.bytes } }
    /// Completed URLs per second of wall-clock time.
    public var requestsPerSecond: Double { seconds > 0 ? Double(urls) / seconds : 0 }
    /// The results that are not ok, in input order.
    public var failures: [FetchResult] { results.filter { !$0.isOK } }

    /// The report as JSON, keys in this order: `{"urls", "ok", "failed", "bytes", "seconds",
    /// "strategy", "results"}`, each result `{"url", "status", "bytes", "seconds", "error"}` with
    /// `null` for a missing status or error, so that every result has every key.
    public func json() -> String {
        let results = results.map { result -> JSONValue in
            .object([
                ("url", .string(result.url)),
                ("status", result.status.map { .integer(Int64($0)) } ?? .null),
                ("bytes", .integer(Int64(result.bytes))),
                ("seconds", .number(result.seconds)),
                ("error", result.error.map { .string($0.message) } ?? .null),
            ])
        }
        return JSONValue.object([
            ("urls", .integer(Int64(urls))),
            ("ok", .integer(Int64(ok))),
            ("failed", .integer(Int64(failed))),
            ("bytes", .integer(Int64(bytes))),
            ("seconds", .number(seconds)),
            ("strategy", .string(strategy.rawValue)),
            ("results", .array(results)),
        ]).serialized()
    }
}
