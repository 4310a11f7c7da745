/// A compact binary `Encoder` for the values a ``Pool`` sends to and from its worker processes.
///
/// Faster than JSON by a wide margin because nothing is formatted or parsed: integers and
/// floating-point numbers are their little-endian bytes, a string is a varint length and its
/// UTF-8, an array is a 32-bit count and its elements, a dictionary a count and its pairs, and a keyed
/// container its keys (so that enums with associated values decode) and values in the order they
/// were encoded. An optional is a presence byte and, when present, its value.
///
/// The format is for one program talking to itself: ``BinaryDecoder`` must decode the same types
/// in the same order, and nothing is promised across versions of hybrid.
package struct BinaryEncoder {
    package init() {}

    /// `value`'s bytes.
    package func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        let writer = BinaryWriter()
        try writer.encodeValue(value)
        return writer.bytes
    }

    /// Appends `value`'s bytes to `bytes`.
    package func encode<Value: Encodable>(_ value: Value, into bytes: inout [UInt8]) throws {
        let writer = BinaryWriter()
        swap(&writer.bytes, &bytes)
        defer { swap(&writer.bytes, &bytes) }
        try writer.encodeValue(value)
    }
}

/// Optional, seen without knowing its wrapped type: a presence byte comes before its value.
protocol BinaryOptional {
    static var wrappedType: any Decodable.Type { get }
    var wrappedEncodable: (any Encodable)? { get }
    static func wrapping(_ value: Any?) -> Self
}

extension Optional: BinaryOptional where Wrapped: Codable {
    static var wrappedType: any Decodable.Type { Wrapped.self }
    var wrappedEncodable: (any Encodable)? { self.map { $0 } }
    static func wrapping(_ value: Any?) -> Self { value as? Wrapped }
}

/// Dictionary, seen without knowing its types: a count, then each key and value.
protocol BinaryDictionary {
    func encodePairs(_ writer: BinaryWriter) throws
    static func decodePairs(_ reader: BinaryReader) throws -> Self
}

extension Dictionary: BinaryDictionary where Key: Codable, Value: Codable {
    func encodePairs(_ writer: BinaryWriter) throws {
        writer.writeLength(count)
        for (key, value) in self {
            try writer.encodeValue(key)
            try writer.encodeValue(value)
        }
    }

    static func decodePairs(_ reader: BinaryReader) throws -> Self {
        let count = try reader.readLength()
        var result: Self = [:]
        result.reserveCapacity(Swift.min(count, 1 << 16))
        for _ in 0..<count {
            let key = try reader.decodeValue(Key.self)
            result[key] = try reader.decodeValue(Value.self)
        }
        return result
    }
}

/// The bytes being written, and the `Encoder` that writes them.
@usableFromInline
final class BinaryWriter: Encoder {
    @usableFromInline @exclusivity(unchecked) var bytes: [UInt8] = []
    @usableFromInline var codingPath: [any CodingKey] { [] }
    @usableFromInline var userInfo: [CodingUserInfoKey: Any] { [:] }

    @usableFromInline init() { bytes.reserveCapacity(64) }

    @inlinable
    func writeFixed<Integer: FixedWidthInteger>(_ value: Integer) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    func writeLength(_ count: Int) {
        var value = UInt64(count)
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    func writeString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            writeLength(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Writes a placeholder count and returns where it is, for a container to count into.
    func reserveCount() -> Int {
        let at = bytes.count
        bytes.append(contentsOf: [0, 0, 0, 0])
        return at
    }

    func bumpCount(at position: Int) {
        let old = bytes.withUnsafeBytes {
            UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: position, as: UInt32.self))
        }
        withUnsafeBytes(of: (old + 1).littleEndian) { new in
            for k in 0..<4 { bytes[position + k] = new[k] }
        }
    }

    /// Any value: the primitives, optionals and dictionaries directly, the rest by its own
    /// `encode(to:)`.
    @usableFromInline func encodeValue<Value: Encodable>(_ value: Value) throws {
        // By static type, as the decoder tests them: a cast (`as? Int`) would also unwrap an
        // optional and leave out its presence byte.
        if Value.self == Int.self { return writeFixed(value as! Int) }
        if Value.self == String.self { return writeString(value as! String) }
        if Value.self == Double.self { return writeFixed((value as! Double).bitPattern) }
        if Value.self == Bool.self { return bytes.append((value as! Bool) ? 1 : 0) }
        if Value.self == UInt8.self { return bytes.append(value as! UInt8) }
        if Value.self == [UInt8].self {
            let value = value as! [UInt8]
            writeFixed(UInt32(value.count))
            return bytes.append(contentsOf: value)
        }
        if Value.self == [Int].self {
            let value = value as! [Int]
            writeFixed(UInt32(value.count))
            for element in value { writeFixed(element) }
            return
        }
        if let value = value as? any BinaryOptional, Value.self is any BinaryOptional.Type {
            guard let wrapped = value.wrappedEncodable else { return bytes.append(0) }
            bytes.append(1)
            return try encodeValue(wrapped)
        }
        if let value = value as? any BinaryDictionary { return try value.encodePairs(self) }
        try value.encode(to: self)
    }

    @usableFromInline func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(BinaryKeyedEncoding<Key>(writer: self))
    }

    @usableFromInline func unkeyedContainer() -> any UnkeyedEncodingContainer {
        BinaryUnkeyedEncoding(writer: self, countAt: reserveCount())
    }

    @usableFromInline func singleValueContainer() -> any SingleValueEncodingContainer {
        BinarySingleValueEncoding(writer: self)
    }
}

struct BinaryKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: BinaryWriter
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws {
        writer.writeString(key.stringValue)
        writer.bytes.append(0)
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        writer.writeString(key.stringValue)
        try writer.encodeValue(value)
    }

    // Present or not, an optional is a presence byte: the decoder's decodeIfPresent reads it.
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        writer.writeString(key.stringValue)
        if let value {
            writer.bytes.append(1)
            try writer.encodeValue(value)
        } else {
            writer.bytes.append(0)
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        writer.writeString(key.stringValue)
        return writer.container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        writer.writeString(key.stringValue)
        return writer.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        writer.writeString("super")
        return writer
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        writer.writeString(key.stringValue)
        return writer
    }
}

struct BinaryUnkeyedEncoding: UnkeyedEncodingContainer {
    let writer: BinaryWriter
    let countAt: Int
    private(set) var count = 0
    var codingPath: [any CodingKey] { [] }

    init(writer: BinaryWriter, countAt: Int) {
        self.writer = writer
        self.countAt = countAt
    }

    private mutating func counted() {
        writer.bumpCount(at: countAt)
        count += 1
    }

    mutating func encodeNil() throws {
        counted()
        writer.bytes.append(0)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        counted()
        try writer.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<
        NestedKey
    > {
        counted()
        return writer.container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        counted()
        return writer.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        counted()
        return writer
    }
}

struct BinarySingleValueEncoding: SingleValueEncodingContainer {
    let writer: BinaryWriter
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { writer.bytes.append(0) }
    mutating func encode(_ value: Bool) throws { writer.bytes.append(value ? 1 : 0) }
    mutating func encode(_ value: String) throws { writer.writeString(value) }
    mutating func encode(_ value: Double) throws { writer.writeFixed(value.bitPattern) }
    mutating func encode(_ value: Float) throws { writer.writeFixed(value.bitPattern) }
    mutating func encode(_ value: Int) throws { writer.writeFixed(value) }
    mutating func encode(_ value: Int8) throws { writer.writeFixed(value) }
    mutating func encode(_ value: Int16) throws { writer.writeFixed(value) }
    mutating func encode(_ value: Int32) throws { writer.writeFixed(value) }
    mutating func encode(_ value: Int64) throws { writer.writeFixed(value) }
    mutating func encode(_ value: UInt) throws { writer.writeFixed(value) }
    mutating func encode(_ value: UInt8) throws { writer.writeFixed(value) }
    mutating func encode(_ value: UInt16) throws { writer.writeFixed(value) }
    mutating func encode(_ value: UInt32) throws { writer.writeFixed(value) }
    mutating func encode(_ value: UInt64) throws { writer.writeFixed(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try writer.encodeValue(value) }
}
