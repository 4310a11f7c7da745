import CFetch
import CSieve

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
    /// Limit on connecting, TLS handshake included; `nil` means none. Default 30 s.
    public var connectTimeout: Duration?
    /// Ends a transfer that receives no byte for this long (a server that never answers, or
    /// stops in the middle), within 0.1 s of it, while a slow download that keeps moving goes
    /// on; `nil` means never. Default 60 s.
    public var stallTimeout: Duration?
    /// Further attempts after a transport error or a 5xx status. Failures no retry can fix
    /// (DNS, certificates, malformed URLs, redirect loops) are never retried.
    public var retries: Int
    /// The wait before the first retry; each further retry waits twice as long (at most
    /// 10 minutes).
    public var retryBackoff: Duration
    /// The largest body accepted, after decoding; a longer one fails its URL. `nil`: no limit.
    public var maximumBodyBytes: Int?
    /// Whether each result keeps its body; by default bodies are counted and dropped.
    public var keepsBodies: Bool
    /// HTTP/1.1 only, even where a server offers HTTP/2 over TLS.
    public var forcesHTTP11: Bool
    /// Whether redirects are followed; when not, a 3xx is the URL's result.
    public var followsRedirects: Bool
    /// Redirects followed at most; one more fails the URL, as does a loop.
    public var maximumRedirects: Int
    /// Whether certificates and host names are verified (`--insecure` turns it off).
    public var verifiesCertificates: Bool
    /// A PEM file of certificate authorities to trust instead of the system's.
    public var certificateAuthorities: String?
    /// Asks for compressed bodies (gzip, deflate, br, zstd) and decodes them.
    public var acceptsCompression: Bool
    /// Fails a URL whose last status is 400 or more, as curl's `--fail` does: its result has an
    /// error (and its status), and its body is neither written nor kept.
    public var failsOnHTTPError: Bool
    /// A directory where each body is written, in a file named as ``bodyNaming`` says.
    public var outputDirectory: String?
    /// How bodies in ``outputDirectory`` are named. Default ``BodyNaming/index``.
    public var bodyNaming: BodyNaming
    /// The `User-Agent` header.
    public var userAgent: String
    /// Extra request headers, each `Name: value`.
    public var headers: [String]
    /// At most this many connections to one host at once; `nil` means no cap.
    public var perHost: Int?
    /// Whether a fetch may raise this process's soft file-descriptor limit (RLIMIT_NOFILE, up
    /// to the hard limit) when its transfers in flight need more descriptors. A process-wide
    /// change, so off by default: then the windows are lowered to fit instead. The command line
    /// turns it on.
    public var raisesDescriptorLimit = false

    /// The most transfers in flight accepted: each costs a libcurl handle of a few kilobytes.
    public static let maximumConcurrency = 100_000
    /// The most worker threads accepted.
    public static let maximumThreads = 10_000
    /// The most retries and redirects accepted.
    public static let maximumRetries = 1000
    /// The longest time limit honoured (about 31.7 years); longer ones are taken as this one.
    public static let maximumTimeout: Duration = .seconds(Int64(CFETCH_MAX_TIMEOUT))

    /// `hybrid/VERSION libcurl/VERSION`.
    public static var defaultUserAgent: String {
        let curl = String(cString: cfetch_user_agent())
        let library = curl.split(separator: " ").last.map(String.init) ?? "libcurl"
        return "hybrid/\(HybridVersion.current) \(library)"
    }

    public init(
        strategy: FetchStrategy = .multi,
        concurrency: Int = 100,
        threads: Int? = nil,
        timeout: Duration? = nil,
        connectTimeout: Duration? = .seconds(30),
        stallTimeout: Duration? = .seconds(60),
        retries: Int = 0,
        retryBackoff: Duration = .milliseconds(100),
        maximumBodyBytes: Int? = nil,
        keepsBodies: Bool = false,
        forcesHTTP11: Bool = false,
        followsRedirects: Bool = true,
        maximumRedirects: Int = 10,
        verifiesCertificates: Bool = true,
        certificateAuthorities: String? = nil,
        acceptsCompression: Bool = false,
        failsOnHTTPError: Bool = false,
        outputDirectory: String? = nil,
        bodyNaming: BodyNaming = .index,
        userAgent: String = FetchOptions.defaultUserAgent,
        headers: [String] = [],
        perHost: Int? = nil
    ) {
        self.strategy = strategy
        self.concurrency = concurrency
        self.threads = threads
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.retries = retries
        self.retryBackoff = retryBackoff
        self.maximumBodyBytes = maximumBodyBytes
        self.keepsBodies = keepsBodies
        self.forcesHTTP11 = forcesHTTP11
        self.followsRedirects = followsRedirects
        self.maximumRedirects = maximumRedirects
        self.verifiesCertificates = verifiesCertificates
        self.certificateAuthorities = certificateAuthorities
        self.acceptsCompression = acceptsCompression
        self.failsOnHTTPError = failsOnHTTPError
        self.outputDirectory = outputDirectory
        self.bodyNaming = bodyNaming
        self.userAgent = userAgent
        self.headers = headers
        self.perHost = perHost
    }

    /// The worker threads this strategy runs, with the defaults of ``threads`` applied.
    public var effectiveThreads: Int {
        switch strategy {
        case .serial, .multi: return 1
        case .threads: return max(1, threads ?? min(concurrency, Self.maximumThreads))
        case .threadsMulti: return max(1, threads ?? ProcessorCount.available)
        }
    }

    /// The window of each worker thread: 0 for an easy handle, K for a multi handle.
    public var windows: [Int] {
        strategy.plan.windows(concurrency: concurrency, threads: effectiveThreads)
    }

    /// Transfers that may be in flight at once.
    public var transfersInFlight: Int {
        windows.reduce(0) { $0 + max(1, $1) }
    }

    /// Checks the values that a caller may get wrong; throws ``UsageError`` naming the first.
    public func validate() throws {
        let concurrencies = 1...Self.maximumConcurrency
        if !concurrencies.contains(concurrency) {
            throw UsageError("concurrency must be 1...\(Self.maximumConcurrency), not \(concurrency)")
        }
        if let threads, !(1...Self.maximumThreads).contains(threads) {
            throw UsageError("threads must be 1...\(Self.maximumThreads), not \(threads)")
        }
        if !(0...Self.maximumRetries).contains(retries) {
            throw UsageError("retries must be 0...\(Self.maximumRetries), not \(retries)")
        }
        if !(0...Self.maximumRetries).contains(maximumRedirects) {
            throw UsageError(
                "maximum redirects must be 0...\(Self.maximumRetries), not \(maximumRedirects)")
        }
        if let timeout, timeout <= .zero { throw UsageError("timeout must be positive") }
        if let connectTimeout, connectTimeout <= .zero {
            throw UsageError("connect timeout must be positive")
        }
        if let stallTimeout, stallTimeout <= .zero {
            throw UsageError("stall timeout must be positive")
        }
        if retryBackoff < .zero { throw UsageError("retry backoff must not be negative") }
        if let maximumBodyBytes, maximumBodyBytes < 1 {
            throw UsageError("maximum body size must be at least 1 byte")
        }
        if let perHost, perHost < 1 { throw UsageError("per-host must be at least 1") }
        for header in headers {
            guard let colon = header.firstIndex(of: ":"), colon != header.startIndex else {
                throw UsageError("a header must be \"Name: value\", not \"\(header)\"")
            }
            if header.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                throw UsageError("a header must be one line")
            }
        }
        if userAgent.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw UsageError("the user agent must be one line")
        }
    }
}

/// How the bodies a fetch writes to its output directory are named.
public enum BodyNaming: String, Sendable, CaseIterable {
    /// By the URL's position in the input, from 0: `0`, `1`, ...
    case index
    /// By the last segment of the final URL's path (`page.txt`); where a file of that name is
    /// there already, `page.txt.1`, `page.txt.2`, ... An empty segment, `.` or `..` gives the
    /// index; a leading dot becomes `_`.
    case url
}
