/// A server that cannot start: an argument out of range, or an address it cannot listen on.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    /// One line that says what is wrong.
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
