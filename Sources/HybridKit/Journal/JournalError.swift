/// Why a journal could not be used.
public struct JournalError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// The file is not a hybrid journal, or its header is damaged.
        case notAJournal
        /// A journal format this build does not read.
        case unsupportedVersion
        /// The journal records another job: resuming it would mix two answers.
        case differentJob
        /// Another run holds the journal open.
        case inUse
        /// The path names a directory, not a file.
        case directory
        /// Reading, writing or syncing the file failed.
        case io
    }

    public let kind: Kind
    /// One line that says what is wrong, naming the file.
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Whether the input is at fault (the command exits 2) rather than the run (exit 1).
    public var isUsageError: Bool { kind != .io }

    public var description: String { message }
}

/// A journal that cannot be written or read fails the run (exit 1); ``MapJournal`` turns the
/// other kinds, which are the input's fault, into ``UsageError``s.
extension JournalError: RunFailure {}
