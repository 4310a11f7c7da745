/// The outcome of fetching one URL (its last attempt, when retries were allowed).
public struct FetchResult: Sendable, Equatable {
    /// The URL's position in the input, from 0.
    public let index: Int
    /// Where the URL came from (an argument, a line of a list), when the source said so.
    public let origin: URLOrigin?
    /// The URL, as given.
    public let url: String
    /// The HTTP status code of the last response; `nil` when no response arrived.
    public let status: Int?
    /// Body bytes delivered, after any content decoding.
    public let bytes: Int
    /// Body bytes as received on the wire (smaller than ``bytes`` for a compressed body).
    public let bytesReceived: Int
    /// Total time of the transfer, in seconds.
    public let seconds: Double
    /// Time until the connection was made (0 for a reused connection), in seconds.
    public let connectSeconds: Double
    /// Time until the first byte of the response arrived, in seconds.
    public let firstByteSeconds: Double
    /// Attempts made: 1 plus the retries used.
    public let attempts: Int
    /// The HTTP version of the last response: `"1.0"`, `"1.1"`, `"2"`, `"3"`; `nil` without one.
    public let httpVersion: String?
    /// The URL the last response came from, after redirects.
    public let finalURL: String
    /// Redirects followed.
    public let redirects: Int
    /// New connections this URL opened (0 when it reused one).
    public let connections: Int
    /// The file its body was written to, with ``FetchOptions/outputDirectory``.
    public let file: String?
    /// Why the transfer did not complete; `nil` when it did (whatever its status).
    public let error: FetchError?
    /// The body, when ``FetchOptions/keepsBodies`` asked for it.
    public let body: [UInt8]?

    public init(
        index: Int = 0, origin: URLOrigin? = nil, url: String, status: Int?, bytes: Int, bytesReceived: Int? = nil,
        seconds: Double, connectSeconds: Double = 0, firstByteSeconds: Double = 0,
        attempts: Int = 1, httpVersion: String? = nil, finalURL: String? = nil, redirects: Int = 0,
        connections: Int = 0, file: String? = nil, error: FetchError?, body: [UInt8]? = nil
    ) {
        self.index = index
        self.origin = origin
        self.url = url
        self.status = status
        self.bytes = bytes
        self.bytesReceived = bytesReceived ?? bytes
        self.seconds = seconds
        self.connectSeconds = connectSeconds
        self.firstByteSeconds = firstByteSeconds
        self.attempts = attempts
        self.httpVersion = httpVersion
        self.finalURL = finalURL ?? url
        self.redirects = redirects
        self.connections = connections
        self.file = file
        self.error = error
        self.body = body
    }

    /// Whether the URL is ok: the transfer completed and its status is below 400.
    public var isOK: Bool {
        guard error == nil, let status else { return false }
        return status < 400
    }

    /// One line about a URL that is not ok: its error, or its status.
    public var failureDescription: String? {
        if isOK { return nil }
        if let error { return error.message }
        if let status { return "HTTP status \(status)" }
        return "no response"
    }

    /// The result as JSON, every key always present (`null` for what is missing): index, url,
    /// line (``origin``'s number), ok (``isOK``), status, http_version, final_url, redirects,
    /// bytes, bytes_received, seconds, attempts, file, error.
    package var json: JSONValue {
        .object([
            ("index", .integer(Int64(index))),
            ("url", .string(url)),
            ("line", origin.map { .integer(Int64($0.number)) } ?? .null),
            ("ok", .bool(isOK)),
            ("status", status.map { .integer(Int64($0)) } ?? .null),
            ("http_version", httpVersion.map { .string($0) } ?? .null),
            ("final_url", .string(finalURL)),
            ("redirects", .integer(Int64(redirects))),
            ("bytes", .integer(Int64(bytes))),
            ("bytes_received", .integer(Int64(bytesReceived))),
            ("seconds", .number(seconds)),
            ("attempts", .integer(Int64(attempts))),
            ("file", file.map { .string($0) } ?? .null),
            ("error", error.map { .string($0.message) } ?? .null),
        ])
    }
}
