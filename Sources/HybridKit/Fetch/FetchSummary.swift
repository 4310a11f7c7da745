/// The totals of a fetch, kept as results stream by, so a list of any length needs no more
/// memory than its transfers in flight.
public struct FetchSummary: Sendable, Equatable {
    /// The strategy that ran.
    public let strategy: FetchStrategy
    /// The options in force (after fitting the window to the descriptor limit).
    public let options: FetchOptions
    /// Wall-clock time of the whole fetch, in seconds.
    public internal(set) var seconds: Double = 0
    /// URLs with a result.
    public internal(set) var urls = 0
    /// URLs that are ok (completed, status below 400).
    public internal(set) var ok = 0
    /// Body bytes delivered over all URLs, after decoding.
    public internal(set) var bytes = 0
    /// Body bytes received on the wire over all URLs.
    public internal(set) var bytesReceived = 0
    /// Connections opened.
    public internal(set) var connections = 0
    /// Results by HTTP version (`"1.1"`, `"2"`), for the URLs that got a response.
    public internal(set) var httpVersions: [String: Int] = [:]
    /// The signal that stopped the fetch (SIGINT, SIGTERM), or `nil` when it ran to the end.
    public internal(set) var interruption: Int32?
    /// With a journal, the URLs whose results came from it rather than from a transfer (they
    /// are counted in ``urls`` and the other totals too); `nil` without a journal.
    public internal(set) var resumed: Int?

    public init(strategy: FetchStrategy, options: FetchOptions) {
        self.strategy = strategy
        self.options = options
    }

    /// URLs that are not ok.
    public var failed: Int { urls - ok }
    /// URLs fetched (those from a journal aside) per second of wall-clock time.
    public var requestsPerSecond: Double { seconds > 0 ? Double(urls - (resumed ?? 0)) / seconds : 0 }

    mutating func add(_ result: FetchResult) {
        urls += 1
        if result.isOK { ok += 1 }
        bytes += result.bytes
        bytesReceived += result.bytesReceived
        connections += result.connections
        if let version = result.httpVersion { httpVersions[version, default: 0] += 1 }
    }

    /// The summary as JSON members, in this order: urls, ok, failed, bytes, bytes_received,
    /// connections, http_versions, seconds, strategy, interrupted (the signal's name or null),
    /// and with a journal, resumed.
    package var jsonMembers: [(String, JSONValue)] {
        let journal: [(String, JSONValue)] = resumed.map { [("resumed", .integer(Int64($0)))] } ?? []
        return [
            ("urls", .integer(Int64(urls))),
            ("ok", .integer(Int64(ok))),
            ("failed", .integer(Int64(failed))),
            ("bytes", .integer(Int64(bytes))),
            ("bytes_received", .integer(Int64(bytesReceived))),
            ("connections", .integer(Int64(connections))),
            (
                "http_versions",
                .object(httpVersions.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) })
            ),
            ("seconds", .number(seconds)),
            ("strategy", .string(strategy.rawValue)),
            ("interrupted", interruption.map { .string(signalName($0)) } ?? .null),
        ] + journal
    }

    public static func == (left: FetchSummary, right: FetchSummary) -> Bool {
        JSONValue.object(left.jsonMembers) == JSONValue.object(right.jsonMembers)
    }
}
