/// Input that a command cannot act on: the command line says one line about it and exits 2.
public struct UsageError: Error, CustomStringConvertible, Equatable, Sendable {
    /// One line that says what is wrong, without a trailing newline.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
