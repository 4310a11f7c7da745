import CSieve
import HybridKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A directory of its own under /tmp, removed with everything in it when the test ends.
private final class ScratchDirectory {
    let path: String

    init() {
        var template = Array("/tmp/hybrid-journal-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    deinit {
        if let directory = opendir(path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { unlink("\(path)/\(name)") }
            }
            closedir(directory)
        }
        rmdir(path)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }
}

private func fileBytes(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { return [] }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count == 0 { return bytes }
        bytes += buffer[0..<count]
    }
}

private func writeFile(_ path: String, _ bytes: [UInt8]) {
    let file = fopen(path, "wb")!
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}

/// A primes job cut into chunks of `width` numbers; each slot holds a csieve_result.
private func primesJob(to: UInt64, width: UInt64, from: UInt64 = 0) -> JournalJob {
    JournalJob(
        identity: [
            .init("workload", "primes"), .init("from", String(from)), .init("to", String(to)),
            .init("computes", "count,sum"),
        ],
        geometry: [.init("chunk_width", String(width))],
        items: (to - from + width - 1) / width, slotBytes: MemoryLayout<csieve_result>.size)
}

private func slot(_ value: UInt64, bytes: Int = 24) -> [UInt8] {
    (0..<bytes).map { UInt8(truncatingIfNeeded: value &+ UInt64($0)) }
}

@Suite("Journal")
struct JournalTests {
    @Test("records round-trip, one per item, in file order")
    func roundTrip() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let job = primesJob(to: 1000, width: 100)
        do {
            let journal = try Journal(path: path, job: job)
            #expect(journal.records.isEmpty)
            journal.append(item: 7, slot: slot(7))
            journal.append(item: 2, slot: slot(2))
            try journal.sync()
            journal.append(item: 9, slot: slot(9))
            journal.append(item: 2, slot: slot(99))  // a duplicate: the first record wins
            try journal.sync()
        }
        let reopened = try Journal(path: path, job: job)
        #expect(reopened.job == job)
        #expect(
            reopened.records == [
                .init(item: 7, slot: slot(7)), .init(item: 2, slot: slot(2)), .init(item: 9, slot: slot(9)),
            ])
        #expect(reopened.damagedRecords == 0)
        #expect(!reopened.cutTornRecord)
        let header = String(decoding: fileBytes(path).prefix(15), as: UTF8.self)
        #expect(header == "hybrid journal ")
    }

    @Test("records appended but never synced do not count")
    func unsyncedRecordsAreLost() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let job = primesJob(to: 1000, width: 100)
        do {
            let journal = try Journal(path: path, job: job)
            journal.append(item: 1, slot: slot(1))
            try journal.sync()
            journal.append(item: 2, slot: slot(2))
        }
        #expect(try Journal(path: path, job: job).records.map(\.item) == [1])
    }

    @Test("a torn last record is cut off, and appending goes on after the last whole one", arguments: [1, 5, 20, 35])
    func tornTail(keptBytesOfLastRecord: Int) throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let job = primesJob(to: 1000, width: 100)
        do {
            let journal = try Journal(path: path, job: job)
            for item in [3, 4, 5] as [UInt64] { journal.append(item: item, slot: slot(item)) }
            try journal.sync()
        }
        // A power cut in the middle of the last record's write: only its first bytes reached the disk.
        let bytes = fileBytes(path)
        writeFile(path, Array(bytes.dropLast(36 - keptBytesOfLastRecord)))
        do {
            let journal = try Journal(path: path, job: job)
            #expect(journal.records.map(\.item) == [3, 4])
            #expect(journal.cutTornRecord)
            #expect(journal.damagedRecords == 0)
            journal.append(item: 5, slot: slot(5))
            try journal.sync()
        }
        let reopened = try Journal(path: path, job: job)
        #expect(reopened.records.map(\.item) == [3, 4, 5])
        #expect(!reopened.cutTornRecord)
        #expect(fileBytes(path) == bytes)
    }

    @Test("a whole last record whose checksum fails is torn too")
    func tornWholeRecord() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let job = primesJob(to: 1000, width: 100)
        do {
            let journal = try Journal(path: path, job: job)
            for item in [3, 4] as [UInt64] { journal.append(item: item, slot: slot(item)) }
            try journal.sync()
        }
        var bytes = fileBytes(path)
        bytes[bytes.count - 10] ^= 0xFF
        writeFile(path, bytes)
        let journal = try Journal(path: path, job: job)
        #expect(journal.records.map(\.item) == [3])
        #expect(journal.cutTornRecord)
        #expect(fileBytes(path).count == bytes.count - 36)
    }

    @Test("a damaged record before the last is skipped and counted; its item runs again")
    func corruptedRecord() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let job = primesJob(to: 1000, width: 100)
        do {
            let journal = try Journal(path: path, job: job)
            for item in [0, 1, 2, 3] as [UInt64] { journal.append(item: item, slot: slot(item)) }
            try journal.sync()
        }
        var bytes = fileBytes(path)
        bytes[bytes.count - 36 - 20] ^= 0x01  // one bit of item 2's slot (records are 36 bytes)
        writeFile(path, bytes)
        let journal = try Journal(path: path, job: job)
        #expect(journal.records.map(\.item) == [0, 1, 3])
        #expect(journal.damagedRecords == 1)
        #expect(!journal.cutTornRecord)
    }

    @Test("a journal of another job is refused, naming the field that differs")
    func wrongJob() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        _ = try Journal(path: path, job: primesJob(to: 1000, width: 100))
        #expect {
            try Journal(path: path, job: primesJob(to: 2000, width: 100))
        } throws: { error in
            guard let error = error as? JournalError else { return false }
            return error.kind == .differentJob && error.isUsageError && error.message.contains("to 1000")
                && error.message.contains("to 2000") && !error.message.contains("\n")
        }
        var countOnly = primesJob(to: 1000, width: 100)
        countOnly.identity[3] = .init("computes", "count")
        #expect(throws: JournalError.self) { try Journal(path: path, job: countOnly) }
    }

    @Test("the journal's geometry wins over the run's: a resume keeps the chunks it began with")
    func geometryFromJournal() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let first = primesJob(to: 1000, width: 100)
        _ = try Journal(path: path, job: first)
        let resumed = try Journal(path: path, job: primesJob(to: 1000, width: 250))
        #expect(resumed.job.geometry("chunk_width") == "100")
        #expect(resumed.job.items == 10)
    }

    @Test("files that are not journals, or of another version, are refused")
    func notAJournal() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        writeFile(path, Array("count,sum\n1,2\n".utf8))
        #expect(throws: JournalError(.notAJournal, "\(path) is not a hybrid journal (or its header is damaged)")) {
            try Journal(path: path, job: primesJob(to: 1000, width: 100))
        }
        #expect(fileBytes(path) == Array("count,sum\n1,2\n".utf8))  // left as it was
        writeFile(path, Array("hybrid journal 9\njob workload primes\n".utf8))
        #expect {
            try Journal(path: path, job: primesJob(to: 1000, width: 100))
        } throws: { ($0 as? JournalError)?.kind == .unsupportedVersion }
        // A damaged header fails its checksum.
        _ = unlink(path)
        _ = try Journal(path: path, job: primesJob(to: 1000, width: 100))
        var bytes = fileBytes(path)
        bytes[20] = UInt8(ascii: "X")
        writeFile(path, bytes)
        #expect {
            try Journal(path: path, job: primesJob(to: 1000, width: 100))
        } throws: { ($0 as? JournalError)?.kind == .notAJournal }
    }

    @Test("a header whose slot size would overflow the record size is refused, not a trap")
    func slotSizeOverflow() throws {
        // Found writing the journal fuzzer: `slot_bytes 9223372036854775807` trapped on 8 + slot + 4.
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let normal = primesJob(to: 1000, width: 100)
        var huge = normal
        huge.slotBytes = Int.max
        #expect { try Journal(path: path, job: huge) } throws: { ($0 as? JournalError)?.kind == .notAJournal }
        #expect(String(decoding: fileBytes(path), as: UTF8.self).contains("slot_bytes \(Int.max)\n"))
        #expect { try Journal(path: path, job: normal) } throws: { ($0 as? JournalError)?.kind == .notAJournal }
    }

    @Test("a journal open in one run is refused to another")
    func inUse() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let job = primesJob(to: 1000, width: 100)
        do {
            let first = try Journal(path: path, job: job)
            #expect { try Journal(path: path, job: job) } throws: { ($0 as? JournalError)?.kind == .inUse }
            withExtendedLifetime(first) {}
        }
        _ = try Journal(path: path, job: job)  // closed with the first: free again
    }

    /// Forked workers share the journal's open file, and with it its lock: closing the journal
    /// must free it even while they run (a parallel test's forks once held it past its close).
    @Test("a journal closed while forked workers still run is free again at once")
    func closedWhileWorkersRun() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let job = primesJob(to: 1000, width: 100)
        var first: Journal? = try Journal(path: path, job: job)
        var reopened: Result<Journal, JournalError>?
        let sleepy: MapWork.CFunction = { _, _, _ in
            usleep(2000)
            return 0
        }
        _ = try ParallelMap(items: 100, slotBytes: 8, strategy: .processes, workers: 2).run(
            .calling(sleepy, context: nil), finished: nil,
            events: MapEvents(itemFinished: { _, _ in
                guard reopened == nil else { return }
                first = nil  // the workers forked while it was open are still running
                reopened = Result { () throws(JournalError) in try Journal(path: path, job: job) }
            }))
        #expect(first == nil)
        #expect(throws: Never.self) { try reopened?.get() }
        #expect(reopened != nil)
    }

    @Test("a run stopped halfway resumes from its journal to the very same answer")
    func resumeEquality() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        // Across 29,505,444,492, where the sum of the primes passes 2^64.
        let from: UInt64 = 29_505_000_000
        let to: UInt64 = 29_506_000_000
        let job = primesJob(to: to, width: 30 * 64 * 500, from: from)
        func chunk(_ item: UInt64) -> [UInt8] {
            var result = csieve_result()
            let start = from + item * 30 * 64 * 500
            _ = csieve_primes(start, min(start + 30 * 64 * 500, to), &result)
            return withUnsafeBytes(of: &result) { Array($0) }
        }
        // The first run finishes every other item, then stops.
        do {
            let journal = try Journal(path: path, job: job)
            for item in stride(from: UInt64(0), to: job.items, by: 2) {
                journal.append(item: item, slot: chunk(item))
                try journal.sync()
            }
        }
        // The second runs only what is missing.
        let journal = try Journal(path: path, job: job)
        var slots = [UInt64: [UInt8]]()
        for record in journal.records { slots[record.item] = record.slot }
        var ran = 0
        for item in 0..<journal.job.items where slots[item] == nil {
            slots[item] = chunk(item)
            ran += 1
        }
        #expect(ran == Int(job.items / 2))
        var count: UInt64 = 0
        var sum: UInt128 = 0
        for item in 0..<journal.job.items {
            var result = csieve_result()
            withUnsafeMutableBytes(of: &result) { $0.copyBytes(from: slots[item]!) }
            count += result.count
            sum += UInt128(result.sum_high) << 64 | UInt128(result.sum_low)
        }
        var whole = csieve_result()
        _ = csieve_primes(from, to, &whole)
        #expect(count == whole.count)
        #expect(sum == UInt128(whole.sum_high) << 64 | UInt128(whole.sum_low))
    }
}

/// A job whose records vary in length (format version 2).
private func variableJob(items: UInt64 = 10) -> JournalJob {
    JournalJob(identity: [.init("workload", "test"), .init("items", String(items))], geometry: [], items: items)
}

@Suite("Journal of variable-length records")
struct VariableLengthJournalTests {
    @Test("any bytes round-trip, empty and large ones too; the header says version 2")
    func roundTrip() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let large = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        do {
            let journal = try Journal(path: path, job: variableJob())
            journal.append(item: 4, slot: [])
            journal.append(item: 1, slot: [42])
            journal.append(item: 8, slot: large)
            journal.append(item: 1, slot: [43])  // a duplicate: the first record wins
            try journal.sync()
        }
        do {
            let reopened = try Journal(path: path, job: variableJob())
            #expect(reopened.job.hasVariableLengthRecords)
            #expect(
                reopened.records == [.init(item: 4, slot: []), .init(item: 1, slot: [42]), .init(item: 8, slot: large)])
        }
        let header = String(decoding: fileBytes(path).prefix(200), as: UTF8.self)
        #expect(header.hasPrefix("hybrid journal 2\n"))
        #expect(!header.contains("slot_bytes"))
        // A run that reads fixed slots is another job, not a misreading of this one.
        #expect {
            try Journal(
                path: path,
                job: JournalJob(identity: variableJob().identity, geometry: [], items: 10, slotBytes: 4))
        } throws: { ($0 as? JournalError)?.kind == .differentJob }
    }

    @Test("records written but not synced are in the file: a killed process keeps them")
    func writtenWithoutSync() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let journal = try Journal(path: path, job: variableJob())
        journal.append(item: 2, slot: [1, 2, 3])
        try journal.write()
        journal.append(item: 3, slot: [4])  // appended only: not in the file
        #expect(fileBytes(path).suffix(19).prefix(8) == [2, 0, 0, 0, 0, 0, 0, 0])
        try journal.syncWritten()
    }

    @Test("a torn tail is cut at the last whole record, and appending goes on there", arguments: [1, 11, 12, 15, 20])
    func tornTail(keptBytesOfLastRecord: Int) throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        do {
            let journal = try Journal(path: path, job: variableJob())
            journal.append(item: 0, slot: [9, 9])
            journal.append(item: 5, slot: [1, 2, 3, 4, 5])  // 8 + 4 + 5 + 4 = 21 bytes
            try journal.sync()
        }
        let bytes = fileBytes(path)
        writeFile(path, Array(bytes.dropLast(21 - keptBytesOfLastRecord)))
        do {
            let journal = try Journal(path: path, job: variableJob())
            #expect(journal.records.map(\.item) == [0])
            #expect(journal.cutTornRecord)
            journal.append(item: 5, slot: [1, 2, 3, 4, 5])
            try journal.sync()
        }
        #expect(fileBytes(path) == bytes)
        #expect(try Journal(path: path, job: variableJob()).records.map(\.item) == [0, 5])
    }

    @Test("a damaged record ends the records: nothing after it can be trusted to start one")
    func damagedRecord() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        do {
            let journal = try Journal(path: path, job: variableJob())
            for item in [0, 1, 2] as [UInt64] { journal.append(item: item, slot: [UInt8(item), 7]) }
            try journal.sync()
        }
        var bytes = fileBytes(path)
        bytes[bytes.count - 2 * 18 + 9] ^= 0xFF  // item 1's length (records are 18 bytes)
        writeFile(path, bytes)
        let journal = try Journal(path: path, job: variableJob())
        #expect(journal.records.map(\.item) == [0])
        #expect(journal.cutTornRecord)
        #expect(fileBytes(path).count == bytes.count - 2 * 18)
    }

    @Test("a fetch result survives its record: every field but the body")
    func fetchResultRecord() throws {
        let results = [
            FetchResult(
                index: 3, origin: .line(7), url: "http://h/a?b", status: 200, bytes: 10, bytesReceived: 4,
                seconds: 0.25, connectSeconds: 0.01, firstByteSeconds: 0.2, attempts: 2, httpVersion: "2",
                finalURL: "http://h/c", redirects: 1, connections: 1, file: "out/3", error: nil),
            FetchResult(
                index: 0, origin: .argument(1), url: "ftp://x/", status: nil, bytes: 0, seconds: 0,
                error: FetchError(code: 1, message: "Unsupported protocol: ftp")),
            FetchResult(url: "http://h/é", status: 404, bytes: 0, seconds: 1, error: nil),
        ]
        for result in results {
            #expect(FetchResult(recordBytes: result.recordBytes) == result)
            #expect(FetchResult(recordBytes: Array(result.recordBytes.dropLast())) == nil)
        }
    }
}

@Suite("Journal contents")
struct JournalContentsTests {
    /// A journal of `job` with a record for each of `items`, in that order.
    private func journal(_ path: String, job: JournalJob, items: [UInt64]) throws {
        let journal = try Journal(path: path, job: job)
        for item in items {
            journal.append(item: item, slot: job.hasVariableLengthRecords ? [UInt8(item)] : slot(item))
        }
        try journal.sync()
    }

    @Test("a partial journal: its job, what it records, whole; reading changes nothing, even while it is open")
    func partial() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let job = primesJob(to: 1000, width: 100)
        try journal(path, job: job, items: [4, 0, 7, 4])
        let before = fileBytes(path)
        let open = try Journal(path: path, job: job)
        let contents = try JournalContents(path: path)
        #expect(contents.job == job)
        #expect(contents.version == 1)
        #expect(contents.recordedItems == 3)
        #expect(contents.duplicateRecords == 1)
        #expect(contents.isWhole && !contents.isComplete)
        #expect(contents.tornBytes == 0 && contents.damagedRecords == 0)
        #expect(contents.fileBytes == before.count)
        #expect(contents.fileBytes == contents.headerBytes + 4 * 36)
        #expect(fileBytes(path) == before)
        #expect(open.records.count == contents.recordedItems)
    }

    @Test("a whole journal of every item is complete")
    func complete() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        try journal(path, job: primesJob(to: 1000, width: 100), items: Array(0..<10))
        let contents = try JournalContents(path: path)
        #expect(contents.recordedItems == 10)
        #expect(contents.isComplete && contents.isWhole)
    }

    @Test("a torn tail is counted in bytes, exactly what opening the journal then cuts off", arguments: [1, 18, 35])
    func tornTail(keptBytesOfLastRecord: Int) throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        let job = primesJob(to: 1000, width: 100)
        try journal(path, job: job, items: [3, 4, 5])
        let bytes = fileBytes(path)
        writeFile(path, Array(bytes.dropLast(36 - keptBytesOfLastRecord)))
        let contents = try JournalContents(path: path)
        #expect(contents.tornBytes == keptBytesOfLastRecord)
        #expect(contents.recordedItems == 2)
        #expect(!contents.isWhole)
        #expect(fileBytes(path).count == bytes.count - 36 + keptBytesOfLastRecord)
        let opened = try Journal(path: path, job: job)
        #expect(opened.records.count == contents.recordedItems)
        #expect(fileBytes(path).count == contents.fileBytes - contents.tornBytes)
    }

    @Test("a whole last record that fails its checksum is a torn tail; one before it is damaged")
    func badChecksums() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        try journal(path, job: primesJob(to: 1000, width: 100), items: [0, 1, 2, 3])
        var bytes = fileBytes(path)
        bytes[bytes.count - 10] ^= 0xFF  // item 3's slot
        bytes[bytes.count - 36 - 36 - 20] ^= 0x01  // item 1's slot
        writeFile(path, bytes)
        let contents = try JournalContents(path: path)
        #expect(contents.tornBytes == 36)
        #expect(contents.damagedRecords == 1)
        #expect(contents.recordedItems == 2)
        #expect(!contents.isWhole)
    }

    @Test("variable-length records: version 2; a damaged record starts the torn tail")
    func variableLength() throws {
        let scratch = ScratchDirectory()
        let path = scratch.file("j")
        try journal(path, job: variableJob(), items: [0, 1, 2])
        #expect(try JournalContents(path: path).version == 2)
        #expect(try JournalContents(path: path).recordedItems == 3)
        var bytes = fileBytes(path)
        bytes[bytes.count - 2 * 17 + 9] ^= 0xFF  // item 1's length (records are 17 bytes)
        writeFile(path, bytes)
        let contents = try JournalContents(path: path)
        #expect(contents.recordedItems == 1)
        #expect(contents.tornBytes == 2 * 17)
        #expect(contents.damagedRecords == 0)
        #expect(!contents.isWhole && !contents.isComplete)
    }

    @Test("a file that is not a journal, an empty one, a missing one and a directory are refused, and left alone")
    func notJournals() throws {
        let scratch = ScratchDirectory()
        let text = scratch.file("text")
        writeFile(text, Array("precious\n".utf8))
        let empty = scratch.file("empty")
        writeFile(empty, [])
        for (path, kind) in [
            (text, JournalError.Kind.notAJournal), (empty, .notAJournal), (scratch.file("missing"), .notAJournal),
            (scratch.path, .directory),
        ] {
            #expect(throws: JournalError.self) { try JournalContents(path: path) }
            do {
                _ = try JournalContents(path: path)
            } catch {
                #expect(error.kind == kind, "\(path)")
                #expect(error.isUsageError)
                #expect(error.message.contains(path))
            }
        }
        #expect(fileBytes(text) == Array("precious\n".utf8))
        #expect(fileBytes(empty).isEmpty)
        #expect(access(scratch.file("missing"), F_OK) != 0)
    }
}
