/// A fetch's run report: what was fetched, how, how long it took, and every URL's result in
/// input order.
public struct FetchReport: Sendable, Equatable {
    /// The totals: counts, bytes, connections, time, and whether a signal stopped the fetch.
    public let summary: FetchSummary
    /// One result per URL, in input order.
    public let results: [FetchResult]

    public init(summary: FetchSummary, results: [FetchResult]) {
        self.summary = summary
        self.results = results
    }

    /// The strategy that ran.
    public var strategy: FetchStrategy { summary.strategy }
    /// Wall-clock time of the whole batch, in seconds.
    public var seconds: Double { summary.seconds }
    /// The options in force (after fitting the window to the descriptor limit).
    public var options: FetchOptions { summary.options }
    /// The number of URLs.
    public var urls: Int { results.count }
    /// URLs that are ok (completed, status below 400).
    public var ok: Int { results.count { $0.isOK } }
    /// URLs that are not ok.
    public var failed: Int { urls - ok }
    /// Body bytes received over all URLs.
    public var bytes: Int { results.reduce(0) { $0 + $1.bytes } }
    /// Connections opened.
    public var connections: Int { summary.connections }
    /// Completed URLs per second of wall-clock time.
    public var requestsPerSecond: Double { seconds > 0 ? Double(urls) / seconds : 0 }
    /// The results that are not ok, in input order.
    public var failures: [FetchResult] { results.filter { !$0.isOK } }

    /// The report as JSON: the summary's keys (the summary's JSON members), then
    /// `"results"`, each result with every key (as ``FetchResult`` documents them).
    public func json() -> String {
        JSONValue.object(summary.jsonMembers + [("results", .array(results.map(\.json)))])
            .serialized()
    }
}
