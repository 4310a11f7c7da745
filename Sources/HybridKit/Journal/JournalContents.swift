#if canImport(Glibc)
    import Glibc
#endif

/// What a journal file holds, read without changing it: its job, how many items it records and
/// whether every byte after the header belongs to a good record.
///
/// It reads the file as ``Journal/init(path:job:)`` would when resuming (the same records
/// count, the same tail is torn), but never cuts the tail, never takes the lock and never
/// creates the file, so it can look at a journal that a run is writing (whose last record may
/// then be caught half-written, and read as torn).
///
/// ```swift
/// let contents = try JournalContents(path: "run.journal")
/// print(contents.recordedItems, "of", contents.job.items, contents.isWhole ? "whole" : "damaged")
/// ```
public struct JournalContents: Equatable, Sendable {
    /// The file.
    public let path: String
    /// The job as the header names it.
    public let job: JournalJob
    /// The format version: 1 for fixed slots, 2 for variable-length records.
    public let version: Int
    /// Bytes of the header.
    public let headerBytes: Int
    /// Bytes of the whole file.
    public let fileBytes: Int
    /// The items with a good record: what a resume takes from the journal.
    public let recordedItems: Int
    /// Good records of an item recorded before (a resume uses the first).
    public let duplicateRecords: Int
    /// Records before the last whose checksum fails (journals of fixed slots only: in one of
    /// variable-length records nothing after a bad record can be trusted, so it starts the torn tail).
    public let damagedRecords: Int
    /// Bytes at the end that are no whole good record (a write a crash or power cut tore): a
    /// resume cuts them off and runs their item again.
    public let tornBytes: Int

    /// Whether every record checks: no torn tail and no damaged record.
    public var isWhole: Bool { tornBytes == 0 && damagedRecords == 0 }

    /// Whether every item of the job is recorded: a resume has nothing left to run.
    public var isComplete: Bool { UInt64(recordedItems) == job.items }

    /// Reads the journal at `path`.
    ///
    /// Throws ``JournalError``: `notAJournal` for a missing file or one that is not a hybrid
    /// journal, `unsupportedVersion`, `directory` for a directory (the input's fault), and `io`
    /// when the file cannot be opened or read.
    public init(path: String) throws(JournalError) {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            let reason = Syscalls.errorText(code)
            if code == ENOENT || code == ENOTDIR {
                throw JournalError(.notAJournal, "cannot read journal \(path): \(reason)")
            }
            throw JournalError(.io, "cannot open journal \(path): \(reason)")
        }
        defer { Glibc.close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw JournalError(.directory, "\(path) is a directory, not a journal")
        }
        let bytes: [UInt8]
        do {
            bytes = try Syscalls.readAll(descriptor)
        } catch {
            throw JournalError(.io, "cannot read journal \(path): \(error.text)")
        }
        guard !bytes.isEmpty else {
            throw JournalError(.notAJournal, "\(path) is not a hybrid journal (it is empty)")
        }
        let (job, headerBytes) = try JournalJob.parse(bytes, path: path)
        let scan = Journal.scan(bytes, job: job, headerBytes: headerBytes)
        self.path = path
        self.job = job
        version = job.hasVariableLengthRecords ? JournalJob.variableLengthVersion : JournalJob.fixedSlotVersion
        self.headerBytes = headerBytes
        fileBytes = bytes.count
        recordedItems = scan.records.count
        duplicateRecords = scan.duplicateRecords
        damagedRecords = scan.damagedRecords
        tornBytes = bytes.count - scan.end
    }
}
