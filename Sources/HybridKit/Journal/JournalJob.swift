/// The job a journal records, as its header names it: what is computed and how it is cut into
/// items, never how it runs (strategy, workers, ranks, engine), so a journal written under
/// `mpirun` resumes on one machine with any strategy and worker count.
///
/// The header is text, readable with `head`:
///
///     hybrid journal 1
///     job workload primes
///     job from 0
///     job to 100000000000
///     job computes count,sum
///     geometry chunk_width 134215680
///     geometry items 746
///     geometry slot_bytes 24
///     end 5c1e7a0f
///
/// `end` carries the CRC-32C of the lines above it. A journal of variable-length records (one
/// made with ``init(identity:geometry:items:)``) is version 2 and has no `slot_bytes` line.
public struct JournalJob: Equatable, Sendable {
    /// One `name value` line of the header. Names are single words; values hold no line breaks.
    public struct Field: Equatable, Sendable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// What is computed: the workload and its parameters. A journal resumes only a run whose
    /// identity is the same, field for field.
    public var identity: [Field]
    /// How the job is cut into items, besides their count and slot size (for primes, the chunk
    /// width). A resumed run takes it from the journal, whatever it would pick itself.
    public var geometry: [Field]
    /// How many items the job has: `0 ..< items`.
    public var items: UInt64
    /// The bytes of one item's result; 0 for a journal of variable-length records.
    public var slotBytes: Int

    public init(identity: [Field], geometry: [Field], items: UInt64, slotBytes: Int) {
        self.identity = identity
        self.geometry = geometry
        self.items = items
        self.slotBytes = slotBytes
    }

    /// A job whose items' results vary in length: each record carries its own length, so any
    /// bytes (an encoded `Codable` value, a fetch result) fit.
    public init(identity: [Field], geometry: [Field], items: UInt64) {
        self.init(identity: identity, geometry: geometry, items: items, slotBytes: 0)
    }

    /// Whether each record carries its own length (format version 2) rather than a slot of
    /// ``slotBytes`` (version 1).
    public var hasVariableLengthRecords: Bool { slotBytes == 0 }

    /// The value of the geometry field `name`, if there is one.
    public func geometry(_ name: String) -> String? { geometry.first { $0.name == name }?.value }

    /// The format versions this build writes and reads: 1 for fixed slots, 2 for
    /// variable-length records.
    static let fixedSlotVersion = 1
    static let variableLengthVersion = 2
    static let firstLine = "hybrid journal"

    /// The header, `end` line included.
    var headerText: String {
        let version = hasVariableLengthRecords ? Self.variableLengthVersion : Self.fixedSlotVersion
        var text = "\(Self.firstLine) \(version)\n"
        for field in identity { text += "job \(field.name) \(field.value)\n" }
        for field in geometry { text += "geometry \(field.name) \(field.value)\n" }
        text += "geometry items \(items)\n"
        if !hasVariableLengthRecords { text += "geometry slot_bytes \(slotBytes)\n" }
        let checksum = CRC32C.checksum(Array(text.utf8))
        let hex = String(checksum, radix: 16)
        return text + "end \(String(repeating: "0", count: 8 - hex.count) + hex)\n"
    }

    /// Reads a header from the start of `bytes`; returns the job and the header's length in bytes.
    /// Throws ``JournalError`` (`notAJournal`, `unsupportedVersion`) naming `path`.
    static func parse(_ bytes: [UInt8], path: String) throws(JournalError) -> (JournalJob, Int) {
        let notAJournal = JournalError(.notAJournal, "\(path) is not a hybrid journal (or its header is damaged)")
        let newline = UInt8(ascii: "\n")
        var lines: [String] = []
        var start = 0
        var checkedLength = 0
        var version = 0
        while true {
            guard start < bytes.count, lines.count < 10_000,
                let end = bytes[start...].prefix(4096).firstIndex(of: newline)
            else { throw notAJournal }
            let line = String(decoding: bytes[start..<end], as: UTF8.self)
            if lines.isEmpty {
                let prefix = Self.firstLine + " "
                guard line.hasPrefix(prefix), let stated = Int(line.dropFirst(prefix.count)) else { throw notAJournal }
                guard stated == Self.fixedSlotVersion || stated == Self.variableLengthVersion else {
                    throw JournalError(
                        .unsupportedVersion,
                        "\(path) is a version \(stated) journal; this hybrid reads versions "
                            + "\(Self.fixedSlotVersion) and \(Self.variableLengthVersion)")
                }
                version = stated
            }
            if line.hasPrefix("end ") {
                checkedLength = start
                lines.append(line)
                start = end + 1
                break
            }
            lines.append(line)
            start = end + 1
        }
        let stated = UInt32(lines.last!.dropFirst(4), radix: 16)
        guard stated == CRC32C.checksum(Array(bytes[0..<checkedLength])) else { throw notAJournal }
        var identity: [Field] = []
        var geometry: [Field] = []
        var items: UInt64?
        var slotBytes: Int?
        for line in lines.dropFirst().dropLast() {
            let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { throw notAJournal }
            let field = Field(String(parts[1]), String(parts[2]))
            switch parts[0] {
            case "job": identity.append(field)
            case "geometry" where field.name == "items": items = UInt64(field.value)
            case "geometry" where field.name == "slot_bytes": slotBytes = Int(field.value)
            case "geometry": geometry.append(field)
            default: throw notAJournal
            }
        }
        if version == Self.variableLengthVersion {
            guard let items, slotBytes == nil else { throw notAJournal }
            return (JournalJob(identity: identity, geometry: geometry, items: items), start)
        }
        // A slot size near Int.max would overflow the record size (found writing the journal fuzzer).
        guard let items, let slotBytes, slotBytes > 0, slotBytes <= Int.max - Journal.recordBytes(slotBytes: 0) else {
            throw notAJournal
        }
        return (JournalJob(identity: identity, geometry: geometry, items: items, slotBytes: slotBytes), start)
    }
}
