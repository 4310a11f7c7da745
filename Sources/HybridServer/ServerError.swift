/// A server argument out of range.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    /// One line that says what is wrong.
    public let message: String
    init(_ message: String) { self.message = message }
    public var description: String { message }
}
