#if canImport(Glibc)
    import Glibc
#endif

/// The append-only record of a job's finished items, which lets a run that stopped (Ctrl-C, a
/// crash, a power cut, a lost MPI node) resume: the same command with the same journal runs only
/// the items it does not hold, and gives the same answer.
///
/// A journal is a header (``JournalJob``: the job and the format version) followed by one
/// record per finished item. In a journal of fixed slots (version 1) a record is the item's
/// index (8 bytes, little-endian), its slot (`slotBytes` bytes) and the CRC-32C of both (4 bytes,
/// little-endian). In a journal of variable-length records (version 2) it is the index (8
/// bytes), the length of its bytes (4 bytes), the bytes, and the CRC-32C of all three: any
/// bytes up to ``maximumRecordBytes``. A record counts once ``sync()`` has returned: it was
/// written and fsync'd. ``write()`` alone hands records to the kernel, which keeps them when the
/// process is killed but not through a power cut. The header is written to a new file that is
/// fsync'd and renamed into place, so a journal never exists without a whole header.
///
/// Opening an existing journal keeps every record whose checksum holds. A torn last record (the
/// write a power cut interrupted) is cut off and its item runs again. A damaged record elsewhere
/// is skipped and counted in ``damagedRecords`` when records have a fixed size; with variable
/// lengths nothing after it can be trusted to start a record, so the file is cut there and its
/// items run again. A journal of another job is refused. While open, the file is locked
/// (`flock`), so two runs never append to one journal.
public final class Journal {
    /// One finished item: its index and its slot (a record's bytes, when lengths vary).
    public struct Record: Equatable, Sendable {
        public var item: UInt64
        public var slot: [UInt8]

        public init(item: UInt64, slot: [UInt8]) {
            self.item = item
            self.slot = slot
        }
    }

    /// The file.
    public let path: String
    /// The job as the journal names it: a resumed run must use this geometry.
    public let job: JournalJob
    /// The records found when the journal was opened, one per item (the first one of an item),
    /// in file order.
    public let records: [Record]
    /// Records skipped when opening because their checksum failed, the torn last one aside.
    public let damagedRecords: Int
    /// Whether opening cut off a torn last record.
    public let cutTornRecord: Bool

    private var descriptor: Int32
    private var pending: [UInt8] = []
    /// Whether records were written since the last fsync.
    private var unsynced = false

    /// Bytes of one record with slots of `slotBytes` bytes.
    static func recordBytes(slotBytes: Int) -> Int { 8 + slotBytes + 4 }

    /// The most bytes a variable-length record holds (16 MiB): a longer stated length is damage.
    public static let maximumRecordBytes = 1 << 24

    /// Opens the journal at `path` for `job`, creating it with `job`'s header when the file does
    /// not exist (or is empty). An existing journal must record the same job (its identity);
    /// its geometry, item count and slot size then win over `job`'s, and come back in ``job``.
    ///
    /// Throws ``JournalError``: `notAJournal`, `unsupportedVersion`, `differentJob` or `inUse`
    /// for a file that cannot be resumed (the command exits 2), `io` when the file cannot be
    /// read, written or synced.
    public init(path: String, job: JournalJob) throws(JournalError) {
        self.path = path
        var descriptor = Glibc.open(path, O_RDWR | O_CLOEXEC)
        if descriptor < 0 && errno == ENOENT {
            try Self.create(path: path, header: job.headerText)
            descriptor = Glibc.open(path, O_RDWR | O_CLOEXEC)
        }
        if descriptor < 0 && errno == EISDIR {
            throw JournalError(.directory, "--journal \(path) is a directory; name a file in it")
        }
        guard descriptor >= 0 else { throw Self.ioError("cannot open journal \(path)") }
        self.descriptor = descriptor
        var opened = false
        defer { if !opened { Self.release(descriptor) } }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            if errno == EWOULDBLOCK {
                throw JournalError(.inUse, "journal \(path) is in use by another run")
            }
            throw Self.ioError("cannot lock journal \(path)")
        }
        var bytes = try Self.readAll(descriptor, path: path)
        if bytes.isEmpty {
            bytes = Array(job.headerText.utf8)
            try Self.writeAll(descriptor, bytes, path: path)
            guard fsync(descriptor) == 0 else { throw Self.ioError("cannot sync journal \(path)") }
        }
        let (found, headerBytes) = try JournalJob.parse(bytes, path: path)
        if found.identity != job.identity {
            throw JournalError(.differentJob, Self.difference(path: path, journal: found.identity, run: job.identity))
        }
        // Geometry wins, but not the record format: a reader of fixed slots cannot take bytes of any length.
        if found.hasVariableLengthRecords != job.hasVariableLengthRecords {
            func kinds(_ job: JournalJob) -> String {
                job.hasVariableLengthRecords ? "variable-length records" : "fixed slots"
            }
            throw JournalError(
                .differentJob,
                "journal \(path) records another job (records of \(kinds(found)); this run has \(kinds(job))): "
                    + "give another --journal file, or the command that made it")
        }
        self.job = found
        let scan = Self.scan(bytes, job: found, headerBytes: headerBytes)
        // A torn tail (a partial record, or a whole last one that fails its checksum) is cut off,
        // so that the next record starts on a record boundary.
        if scan.end != bytes.count {
            guard ftruncate(descriptor, off_t(scan.end)) == 0, fsync(descriptor) == 0 else {
                throw Self.ioError("cannot cut the torn last record of journal \(path)")
            }
        }
        guard lseek(descriptor, 0, SEEK_END) >= 0 else { throw Self.ioError("cannot seek in journal \(path)") }
        self.records = scan.records
        self.damagedRecords = scan.damagedRecords
        self.cutTornRecord = scan.end != bytes.count
        opened = true
    }

    /// The records of a journal's file as opening it reads them.
    struct Scan {
        /// The first good record of each item, in file order.
        var records: [Record]
        /// Good records of an item already seen (kept in the file, not used).
        var duplicateRecords = 0
        /// Records skipped in the middle because their checksum failed (fixed slots only).
        var damagedRecords = 0
        /// Where the file's good part ends; a torn tail from here on is cut off when opening.
        var end: Int
    }

    /// Reads the records that follow a header of `headerBytes` bytes in `bytes`, a whole file.
    static func scan(_ bytes: [UInt8], job: JournalJob, headerBytes: Int) -> Scan {
        if job.hasVariableLengthRecords {
            return variableLengthRecords(bytes, from: headerBytes, items: job.items)
        }
        let size = recordBytes(slotBytes: job.slotBytes)
        let whole = (bytes.count - headerBytes) / size
        var scan = Scan(records: [], end: headerBytes + whole * size)
        var seen = Set<UInt64>()
        for index in 0..<whole {
            let start = headerBytes + index * size
            let record = bytes[start..<(start + size)]
            let stated = record.suffix(4).enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * $1.offset) }
            let checksum = record.dropLast(4).withUnsafeBytes { CRC32C.checksum($0) }
            let item = record.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
            guard stated == checksum, item < job.items else {
                // A whole last record that fails its checksum is a torn write, cut off with the rest.
                if index == whole - 1 { scan.end = start } else { scan.damagedRecords += 1 }
                continue
            }
            if seen.insert(item).inserted {
                scan.records.append(Record(item: item, slot: Array(record.dropFirst(8).dropLast(4))))
            } else {
                scan.duplicateRecords += 1
            }
        }
        return scan
    }

    deinit { Self.release(descriptor) }

    /// The whole variable-length records from `start` on, the first of each item kept, and
    /// where the last good one ends: the first record that is short or fails its checksum ends
    /// the scan.
    private static func variableLengthRecords(_ bytes: [UInt8], from start: Int, items: UInt64) -> Scan {
        func integer(_ offset: Int, _ count: Int) -> UInt64 {
            (0..<count).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
        }
        var scan = Scan(records: [], end: start)
        var seen = Set<UInt64>()
        var offset = start
        while bytes.count - offset >= 16 {
            let item = integer(offset, 8)
            let length = Int(integer(offset + 8, 4))
            guard length <= maximumRecordBytes, bytes.count - offset - 16 >= length, item < items else { break }
            let end = offset + 12 + length
            let checksum = bytes[offset..<end].withUnsafeBytes { CRC32C.checksum($0) }
            guard UInt32(integer(end, 4)) == checksum else { break }
            if seen.insert(item).inserted {
                scan.records.append(Record(item: item, slot: Array(bytes[(offset + 12)..<end])))
            } else {
                scan.duplicateRecords += 1
            }
            offset = end + 4
        }
        scan.end = offset
        return scan
    }

    /// Unlocks, then closes. A process forked while the journal was open (a worker of the
    /// processes strategy, or any fork of the program that holds it) shares its open file, and
    /// with it the lock, until that process ends: closing alone left the journal "in use by
    /// another run" for as long. An explicit unlock frees it for every holder at once.
    private static func release(_ descriptor: Int32) {
        _ = flock(descriptor, LOCK_UN)
        Glibc.close(descriptor)
    }

    /// Adds a record for `item` with `slot` to those waiting for ``write()`` or ``sync()``: in a
    /// journal of fixed slots, ``JournalJob/slotBytes`` bytes; in one of variable-length
    /// records, at most ``maximumRecordBytes``. Nothing reaches the file before then.
    public func append(item: UInt64, slot: UnsafeRawBufferPointer) {
        if job.hasVariableLengthRecords {
            precondition(slot.count <= Self.maximumRecordBytes, "a journal record has at most 16 MiB")
        } else {
            precondition(slot.count == job.slotBytes, "a journal slot has \(job.slotBytes) bytes")
        }
        let start = pending.count
        for shift in stride(from: 0, to: 64, by: 8) { pending.append(UInt8(truncatingIfNeeded: item >> UInt64(shift))) }
        if job.hasVariableLengthRecords {
            for shift in stride(from: 0, to: 32, by: 8) {
                pending.append(UInt8(truncatingIfNeeded: slot.count >> shift))
            }
        }
        pending.append(contentsOf: slot)
        let checksum = pending[start...].withUnsafeBytes { CRC32C.checksum($0) }
        for shift in stride(from: 0, to: 32, by: 8) {
            pending.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift)))
        }
    }

    /// ``append(item:slot:)`` for a slot held in an array.
    public func append(item: UInt64, slot: [UInt8]) {
        slot.withUnsafeBytes { append(item: item, slot: $0) }
    }

    /// Writes the appended records and fsyncs the file: they count from now on. One sync may
    /// carry many records (a group commit). Throws ``JournalError`` (`io`) when the write or the
    /// sync fails; the records are then not counted.
    public func sync() throws(JournalError) {
        guard !pending.isEmpty || unsynced else { return }
        try write()
        guard fsync(descriptor) == 0 else { throw Self.ioError("cannot sync journal \(path)") }
        unsynced = false
    }

    /// Fsyncs the records ``write()`` has written, without touching those still to be written:
    /// one thread may call it while another appends and writes (a group commit that does not
    /// hold up the writer). Throws ``JournalError`` (`io`) when the sync fails.
    public func syncWritten() throws(JournalError) {
        guard fsync(descriptor) == 0 else { throw Self.ioError("cannot sync journal \(path)") }
    }

    /// Writes the appended records without syncing: a run killed from now on (SIGKILL, a crash)
    /// finds them when it resumes, but a power cut before the next ``sync()`` may lose them.
    /// Throws ``JournalError`` (`io`) when the write fails.
    public func write() throws(JournalError) {
        guard !pending.isEmpty else { return }
        let bytes = pending
        pending.removeAll(keepingCapacity: true)
        unsynced = true
        try Self.writeAll(descriptor, bytes, path: path)
    }

    // MARK: - Files

    private static func ioError(_ what: String) -> JournalError {
        JournalError(.io, "\(what): \(String(cString: strerror(errno)))")
    }

    /// Writes the header to a new file beside `path`, syncs it and renames it into place, so
    /// that a crash leaves either no journal or a whole header.
    private static func create(path: String, header: String) throws(JournalError) {
        let temporary = "\(path).new-\(getpid())"
        let descriptor = Glibc.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ioError("cannot create journal \(path)") }
        do throws(JournalError) {
            try writeAll(descriptor, Array(header.utf8), path: path)
            guard fsync(descriptor) == 0 else { throw ioError("cannot sync journal \(path)") }
            Glibc.close(descriptor)
        } catch {
            Glibc.close(descriptor)
            unlink(temporary)
            throw error
        }
        // link() fails if another run created the journal meanwhile: that one wins.
        if link(temporary, path) != 0 && errno != EEXIST {
            let error = ioError("cannot create journal \(path)")
            unlink(temporary)
            throw error
        }
        unlink(temporary)
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let directoryDescriptor = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            fsync(directoryDescriptor)
            Glibc.close(directoryDescriptor)
        }
    }

    private static func readAll(_ descriptor: Int32, path: String) throws(JournalError) -> [UInt8] {
        do {
            return try Syscalls.readAll(descriptor)
        } catch {
            throw JournalError(.io, "cannot read journal \(path): \(error.text)")
        }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(JournalError) {
        do {
            try Syscalls.writeAll(descriptor, bytes)
        } catch {
            throw JournalError(.io, "cannot write journal \(path): \(error.text)")
        }
    }

    /// One line naming the first field in which the journal's job and the run's differ.
    private static func difference(path: String, journal: [JournalJob.Field], run: [JournalJob.Field]) -> String {
        let journalValues = Dictionary(journal.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let runValues = Dictionary(run.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let names = journal.map(\.name) + run.map(\.name).filter { journalValues[$0] == nil }
        let name = names.first { journalValues[$0] != runValues[$0] } ?? "fields"
        let had = journalValues[name] ?? "none"
        let has = runValues[name] ?? "none"
        return "journal \(path) records another job (\(name) \(had); this run has \(name) \(has)): "
            + "give another --journal file, or the command that made it"
    }
}
