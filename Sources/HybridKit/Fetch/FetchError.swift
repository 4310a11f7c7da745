/// Why a transfer did not complete: libcurl's error code and message.
public struct FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libcurl's `CURLcode` (for example 7 for a refused connection, 28 for a time-out).
    public let code: Int
    /// libcurl's message, with the details it knows (host, port, time).
    public let message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// The URL's scheme is not http or https.
    public var isUnsupportedScheme: Bool { code == 1 }
    /// The URL could not be parsed.
    public var isMalformedURL: Bool { code == 3 }
    /// Nothing answered at the address (refused connection).
    public var isConnectionFailure: Bool { code == 7 }
    /// A time-out ended the transfer.
    public var isTimeout: Bool { code == 28 }
    /// The body was longer than ``FetchOptions/maximumBodyBytes``.
    public var isBodyTooLarge: Bool { code == 63 }
}
