// libFuzzer target: the journal reader, `Journal(path:job:)` on an existing file.
//
// The first byte of the input picks a case:
//   0  the rest, as it is, is the journal file;
//   1  the same, with the header's `end` line given the right checksum, so that the fuzzer gets
//      past the checksum into the fields and the records;
//   2  a torn tail: a journal written by the Journal writer for the job (how many records, their
//      items and slots, and where to cut, taken from the input), cut at a byte; it must read back
//      exactly the records that were whole before the cut, and read the same again once opened;
//      or, when the input says so, it must be refused when opened for another job.
// In cases 0 and 1 the reader must never trap: it refuses the file with a JournalError that says
// it is not a journal, records another job or has another version, or it returns records whose
// items are in range, each once, with slots of the journal's slot size.
import Glibc
import HybridKit

let job = JournalJob(
    identity: [.init("workload", "fuzz"), .init("from", "0"), .init("to", "1000")],
    geometry: [.init("chunk_width", "64")], items: 16, slotBytes: 4)
let otherJob = JournalJob(
    identity: [.init("workload", "fuzz"), .init("from", "0"), .init("to", "1001")],
    geometry: [.init("chunk_width", "64")], items: 16, slotBytes: 4)

/// One file for the whole process, rewritten by each input.
let path: String = {
    let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return "\(directory)/hybrid-fuzz-journal-\(getpid())"
}()

/// Removes the file when libFuzzer exits at the end of its time (a finding leaves it).
let removeFileAtExit: Void = { atexit { unlink(path) } }()

func writeFile(_ bytes: [UInt8]) {
    removeFileAtExit
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    precondition(descriptor >= 0, "cannot write \(path)")
    var offset = 0
    while offset < bytes.count {
        let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
        precondition(count > 0, "cannot write \(path)")
        offset += count
    }
    close(descriptor)
}

func readFile() -> [UInt8] {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    precondition(descriptor >= 0, "cannot read \(path)")
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        precondition(count >= 0, "cannot read \(path)")
        if count == 0 { return bytes }
        bytes.append(contentsOf: buffer[0..<count])
    }
}

/// Opens the file as a journal of `job` and checks what any file must give.
func openAndCheck() -> Result<[Journal.Record], JournalError> {
    do throws(JournalError) {
        let journal = try Journal(path: path, job: job)
        precondition(journal.job.identity == job.identity, "opened a journal of another job")
        var seen = Set<UInt64>()
        for record in journal.records {
            precondition(record.item < journal.job.items, "item \(record.item) of \(journal.job.items)")
            precondition(!journal.job.hasVariableLengthRecords, "a journal of fixed slots opened as variable-length")
            precondition(record.slot.count == journal.job.slotBytes, "slot of \(record.slot.count) bytes")
            precondition(seen.insert(record.item).inserted, "item \(record.item) twice")
        }
        return .success(journal.records)
    } catch {
        precondition(
            [.notAJournal, .differentJob, .unsupportedVersion].contains(error.kind),
            "refused with \(error.kind): \(error.message)")
        return .failure(error)
    }
}

/// CRC-32C (Castagnoli), bit by bit: the header's checksum, computed apart from the reader's.
func crc32c(_ bytes: [UInt8]) -> UInt32 {
    var crc = ~UInt32(0)
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? crc >> 1 ^ 0x82F6_3B78 : crc >> 1 }
    }
    return ~crc
}

/// Case 1: the header's first `end` line with the checksum of the bytes above it.
func withHeaderChecksum(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    let bytes = Array(bytes)
    let marker = Array("\nend ".utf8)
    guard bytes.count >= marker.count,
        let at = (0...(bytes.count - marker.count)).first(where: { Array(bytes[$0..<($0 + marker.count)]) == marker })
    else { return bytes }
    let checked = Array(bytes[...at])
    let hex = String(crc32c(checked), radix: 16)
    let rest = bytes[(at + marker.count)...]
    let tail = rest.firstIndex(of: UInt8(ascii: "\n")).map { Array(bytes[$0...]) } ?? []
    return checked + Array("end \(String(repeating: "0", count: 8 - hex.count) + hex)".utf8) + tail
}

/// Case 2: a journal written for the job, cut; the whole records before the cut come back.
func tornTail(_ input: ArraySlice<UInt8>) {
    var input = input.makeIterator()
    let control = input.next() ?? 0
    let count = Int(input.next() ?? 0) % 24
    let cutChoice = Int(input.next() ?? 0) << 8 | Int(input.next() ?? 0)
    var written: [Journal.Record] = []
    unlink(path)
    do throws(JournalError) {
        let journal = try Journal(path: path, job: job)
        for _ in 0..<count {
            let item = UInt64(input.next() ?? 0) % job.items
            let slot = (0..<job.slotBytes).map { _ in input.next() ?? 0 }
            journal.append(item: item, slot: slot)
            written.append(Journal.Record(item: item, slot: slot))
            // Some records in a sync of their own, some grouped.
            if control & 1 == 0 || written.count % 3 == 0 { try journal.sync() }
        }
        try journal.sync()
    } catch {
        preconditionFailure("writing a journal: \(error.message)")
    }
    let file = readFile()
    let recordBytes = 8 + job.slotBytes + 4
    let headerBytes = file.count - count * recordBytes
    precondition(headerBytes > 0, "a journal of \(count) records has \(file.count) bytes")
    let cut = cutChoice % (file.count + 1)
    writeFile(Array(file[..<cut]))

    if control & 2 != 0 {
        do throws(JournalError) {
            _ = try Journal(path: path, job: otherJob)
            precondition(cut == 0, "a journal of another job, cut at \(cut), was opened")
        } catch {
            let expected: JournalError.Kind = cut < headerBytes ? .notAJournal : .differentJob
            precondition(error.kind == expected, "cut at \(cut), another job: \(error.kind), not \(expected)")
        }
        return
    }

    var expected: [Journal.Record] = []
    if cut >= headerBytes {
        var seen = Set<UInt64>()
        for record in written.prefix((cut - headerBytes) / recordBytes) where seen.insert(record.item).inserted {
            expected.append(record)
        }
    }
    for time in ["opened", "reopened"] {
        switch openAndCheck() {
        case .success(let records):
            precondition(cut == 0 || cut >= headerBytes, "cut at \(cut) of a \(headerBytes)-byte header: opened")
            precondition(
                records == expected,
                "cut at \(cut) of \(file.count) (\(time)): \(records.count) records, expected \(expected.count)")
        case .failure(let error):
            precondition(
                cut > 0 && cut < headerBytes && error.kind == .notAJournal,
                "cut at \(cut) of \(file.count) (\(time)): \(error.kind): \(error.message)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournal(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let mode = bytes.first else { return 0 }
    let rest = bytes.dropFirst()
    switch mode % 3 {
    case 0:
        writeFile(Array(rest))
        _ = openAndCheck()
    case 1:
        writeFile(withHeaderChecksum(ArraySlice(rest)))
        _ = openAndCheck()
    default:
        tornTail(ArraySlice(rest))
    }
    return 0
}
