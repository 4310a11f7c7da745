/// Why a transfer did not complete: libcurl's error code and message.
public struct FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl's `CURLcode` (for example 7 for a refused connection, 28 for a time-out).
    public let code: Int
    /// libcurl's message, with the details it knows (host, port, time, certificate problem).
    public let message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The URL's scheme is not http or https.
    public var isUnsupportedScheme: Bool { code == 1 }
    /// The URL could not be parsed, has no scheme, or holds a NUL byte.
    public var isMalformedURL: Bool { code == 3 }
    /// The host name could not be resolved.
    public var isNameResolutionFailure: Bool { code == 6 }
    /// Nothing answered at the address (refused connection).
    public var isConnectionFailure: Bool { code == 7 }
    /// A time-out ended the transfer (whole transfer, connect or stall).
    public var isTimeout: Bool { code == 28 }
    /// The fetch was stopped (Ctrl-C) while this transfer was in flight.
    public var isInterrupted: Bool { code == 42 }
    /// More redirects than allowed, or a redirect loop.
    public var isTooManyRedirects: Bool { code == 47 || (code == 23 && message.hasPrefix("redirect loop")) }
    /// The server's certificate was not trusted or did not match the host.
    public var isCertificateFailure: Bool { code == 60 || code == 58 || code == 77 || code == 83 }
    /// The body was longer than ``FetchOptions/maximumBodyBytes``.
    public var isBodyTooLarge: Bool { code == 63 }
}
