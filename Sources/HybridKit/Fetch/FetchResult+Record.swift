/// A fetch result as the bytes of a journal record, and back: every field but the body, which a
/// journal never holds (``FetchOptions/outputDirectory`` keeps bodies on disk).
extension FetchResult {
    /// The first byte of a record: the layout below, so that a later one can be told apart.
    private static let recordLayout: UInt8 = 1

    /// The result's bytes for a journal record.
    package var recordBytes: [UInt8] {
        var writer = RecordWriter()
        writer.bytes.append(Self.recordLayout)
        writer.integer(index)
        switch origin {
        case nil: writer.bytes.append(0)
        case .argument(let position):
            writer.bytes.append(1)
            writer.integer(position)
        case .line(let line):
            writer.bytes.append(2)
            writer.integer(line)
        }
        writer.text(url)
        writer.optionalInteger(status)
        writer.integer(bytes)
        writer.integer(bytesReceived)
        writer.number(seconds)
        writer.number(connectSeconds)
        writer.number(firstByteSeconds)
        writer.integer(attempts)
        writer.optionalText(httpVersion)
        writer.text(finalURL)
        writer.integer(redirects)
        writer.integer(connections)
        writer.optionalText(file)
        writer.optionalInteger(error?.code)
        writer.optionalText(error?.message)
        return writer.bytes
    }

    /// The result a journal record holds; nil when the bytes are not one (another layout, or
    /// damage its checksum missed).
    package init?(recordBytes: [UInt8]) {
        var reader = RecordReader(bytes: recordBytes)
        guard reader.byte() == Self.recordLayout, let index = reader.integer(), let originKind = reader.byte()
        else { return nil }
        let origin: URLOrigin?
        switch originKind {
        case 0: origin = nil
        case 1:
            guard let position = reader.integer() else { return nil }
            origin = .argument(position)
        case 2:
            guard let line = reader.integer() else { return nil }
            origin = .line(line)
        default: return nil
        }
        guard let url = reader.text(), let status = reader.optionalInteger(), let bytes = reader.integer(),
            let bytesReceived = reader.integer(), let seconds = reader.number(),
            let connectSeconds = reader.number(), let firstByteSeconds = reader.number(),
            let attempts = reader.integer(), let httpVersion = reader.optionalText(),
            let finalURL = reader.text(), let redirects = reader.integer(),
            let connections = reader.integer(), let file = reader.optionalText(),
            let errorCode = reader.optionalInteger(), let errorMessage = reader.optionalText(),
            reader.isAtEnd
        else { return nil }
        self.init(
            index: index, origin: origin, url: url, status: status, bytes: bytes, bytesReceived: bytesReceived,
            seconds: seconds, connectSeconds: connectSeconds, firstByteSeconds: firstByteSeconds,
            attempts: attempts, httpVersion: httpVersion, finalURL: finalURL, redirects: redirects,
            connections: connections, file: file,
            error: errorCode.map { FetchError(code: $0, message: errorMessage ?? "") })
    }
}

/// Little-endian integers, bit patterns of doubles, length-prefixed UTF-8, and a presence byte
/// before each optional.
private struct RecordWriter {
    var bytes: [UInt8] = []

    mutating func integer(_ value: Int) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    mutating func number(_ value: Double) { integer(Int(bitPattern: UInt(value.bitPattern))) }

    mutating func text(_ value: String) {
        let utf8 = Array(value.utf8)
        integer(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    mutating func optionalInteger(_ value: Int?) {
        bytes.append(value == nil ? 0 : 1)
        if let value { integer(value) }
    }

    mutating func optionalText(_ value: String?) {
        bytes.append(value == nil ? 0 : 1)
        if let value { text(value) }
    }
}

/// Reads what ``RecordWriter`` wrote; each read is nil past the end. An optional read returns
/// `.some(nil)` for an absent value, and nil when the bytes are wrong.
private struct RecordReader {
    let bytes: [UInt8]
    var offset = 0

    var isAtEnd: Bool { offset == bytes.count }

    mutating func byte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func integer() -> Int? {
        guard bytes.count - offset >= 8 else { return nil }
        defer { offset += 8 }
        return (0..<8).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
    }

    mutating func number() -> Double? { integer().map { Double(bitPattern: UInt64(UInt(bitPattern: $0))) } }

    mutating func text() -> String? {
        guard let count = integer(), count >= 0, bytes.count - offset >= count else { return nil }
        defer { offset += count }
        return String(decoding: bytes[offset..<(offset + count)], as: UTF8.self)
    }

    mutating func optionalInteger() -> Int?? {
        switch byte() {
        case 0: return .some(nil)
        case 1: return integer().map { .some($0) }
        default: return nil
        }
    }

    mutating func optionalText() -> String?? {
        switch byte() {
        case 0: return .some(nil)
        case 1: return text().map { .some($0) }
        default: return nil
        }
    }
}
