/// The outcome of fetching one URL (its last attempt, when retries were allowed).
public struct FetchResult: Sendable, Equatable {
    /// The URL, as given.
    public let url: String
    /// The HTTP status code; `nil` when no response arrived.
    public let status: Int?
    /// Body bytes received.
    public let bytes: Int
    /// Total time of the transfer, in seconds.
    public let seconds: Double
    /// Time until the connection was made (0 for a reused connection), in seconds.
    public let connectSeconds: Double
    /// Time until the first byte of the response arrived, in seconds.
    public let firstByteSeconds: Double
    /// Attempts made: 1 plus the retries used.
    public let attempts: Int
    /// Why the transfer did not complete; `nil` when it did (whatever its status).
    public let error: FetchError?
    /// The body, when ``FetchOptions/keepsBodies`` asked for it.
    public let body: [UInt8]?

    public init(
        url: String, status: Int?, bytes: Int, seconds: Double, connectSeconds: Double = 0,
        firstByteSeconds: Double = 0, attempts: Int = 1, error: FetchError?, body: [UInt8]? = nil
    ) {
        self.url = url
        self.status = status
        self.bytes = bytes
        self.seconds = seconds
        self.connectSeconds = connectSeconds
        self.firstByteSeconds = firstByteSeconds
        self.attempts = attempts
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
}
