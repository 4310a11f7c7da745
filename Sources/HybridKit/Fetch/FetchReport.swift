// FoundationEssentials where it exists: it has JSONEncoder without loading ICU, which alone
// adds milliseconds to every start of the hybrid command.
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

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

    /// The report as JSON: `{"urls", "ok", "failed", "bytes", "seconds", "strategy", "results"}`,
    /// each result `{"url", "status", "bytes", "seconds", "error"}` with `null` for a missing
    /// status or error.
    public func json(pretty: Bool = false) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty
            ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            : [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain numbers, strings and nulls cannot fail.
        let data = (try? encoder.encode(JSONReport(self))) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// The JSON shape of a report. Keys come out sorted: this Foundation's JSONEncoder does not keep
/// the order they are encoded in, and sorted is at least the same on every run.
private struct JSONReport: Encodable {
    let report: FetchReport
    init(_ report: FetchReport) { self.report = report }

    enum Keys: String, CodingKey { case urls, ok, failed, bytes, seconds, strategy, results }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(report.urls, forKey: .urls)
        try container.encode(report.ok, forKey: .ok)
        try container.encode(report.failed, forKey: .failed)
        try container.encode(report.bytes, forKey: .bytes)
        try container.encode(report.seconds, forKey: .seconds)
        try container.encode(report.strategy, forKey: .strategy)
        try container.encode(report.results.map(JSONResult.init), forKey: .results)
    }
}

private struct JSONResult: Encodable {
    let result: FetchResult
    init(_ result: FetchResult) { self.result = result }

    enum Keys: String, CodingKey { case url, status, bytes, seconds, error }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(result.url, forKey: .url)
        // Optionals are written as null rather than left out: every result has every key.
        try container.encode(result.status, forKey: .status)
        try container.encode(result.bytes, forKey: .bytes)
        try container.encode(result.seconds, forKey: .seconds)
        try container.encode(result.error?.message, forKey: .error)
    }
}
