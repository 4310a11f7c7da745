/// Reads what ``BinaryEncoder`` wrote: the same types, in the same order.
@usableFromInline
package struct BinaryDecoder {
    @usableFromInline package init() {}

    /// The `Value` in `bytes`, which must hold exactly one.
    @usableFromInline package func decode<Value: Decodable>(_ type: Value.Type, from bytes: UnsafeRawBufferPointer)
        throws -> Value
    {
        let reader = BinaryReader(bytes)
        let value = try reader.decodeValue(Value.self)
        guard reader.position == bytes.count else {
            throw reader.corrupt("\(bytes.count - reader.position) bytes left over")
        }
        return value
    }

    /// The `Value` in `bytes`, which must hold exactly one.
    package func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        try bytes.withUnsafeBytes { try decode(Value.self, from: $0) }
    }
}

/// The bytes being read, where reading has got to, and the `Decoder` that reads them.
final class BinaryReader: Decoder {
    let bytes: UnsafeRawBufferPointer
    @exclusivity(unchecked) var position = 0
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func corrupt(_ what: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "binary pool data: \(what)"))
    }

    @inline(__always)
    func need(_ count: Int) throws {
        guard count >= 0, bytes.count - position >= count else { throw corrupt("ends early") }
    }

    @inline(__always)
    func readFixed<Integer: FixedWidthInteger>(_ type: Integer.Type) throws -> Integer {
        try need(MemoryLayout<Integer>.size)
        defer { position += MemoryLayout<Integer>.size }
        return Integer(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: Integer.self))
    }

    func readByte() throws -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    func readLength() throws -> Int {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try readByte()
            guard shift < 64 else { throw corrupt("a length too long") }
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { break }
            shift += 7
        }
        guard value <= UInt64(Int.max) else { throw corrupt("a length too large") }
        return Int(value)
    }

    func readString() throws -> String {
        let count = try readLength()
        try need(count)
        defer { position += count }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)]), as: UTF8.self)
    }

    /// Reads a key and checks it is `key`: a mismatch means the types on the two sides differ.
    func readKey(_ key: some CodingKey) throws {
        let count = try readLength()
        try need(count)
        let matches = key.stringValue.utf8.elementsEqual(
            UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)]))
        guard matches else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: [], debugDescription: "binary pool data has another key here"))
        }
        position += count
    }

    func peekKey() -> String? {
        let saved = position
        defer { position = saved }
        return try? readString()
    }

    func decodeValue<Value: Decodable>(_ type: Value.Type) throws -> Value {
        if Value.self == Int.self { return try readFixed(Int.self) as! Value }
        if Value.self == String.self { return try readString() as! Value }
        if Value.self == Double.self { return Double(bitPattern: try readFixed(UInt64.self)) as! Value }
        if Value.self == Bool.self { return (try readByte() != 0) as! Value }
        if Value.self == UInt8.self { return try readByte() as! Value }
        if Value.self == [UInt8].self {
            let count = Int(try readFixed(UInt32.self))
            try need(count)
            defer { position += count }
            return [UInt8](UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])) as! Value
        }
        if Value.self == [Int].self {
            let count = Int(try readFixed(UInt32.self))
            try need(count * 8)
            var array = [Int](repeating: 0, count: count)
            array.withUnsafeMutableBytes {
                $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count * 8)]))
            }
            position += count * 8
            for k in array.indices { array[k] = Int(littleEndian: array[k]) }
            return array as! Value
        }
        if let optional = Value.self as? any BinaryOptional.Type {
            guard try readByte() != 0 else { return optional.wrapping(nil) as! Value }
            return optional.wrapping(try decodeValue(optional.wrappedType)) as! Value
        }
        if let dictionary = Value.self as? any BinaryDictionary.Type {
            return try dictionary.decodePairs(self) as! Value
        }
        return try Value(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(BinaryKeyedDecoding<Key>(reader: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        BinaryUnkeyedDecoding(reader: self, count: Int(try readFixed(UInt32.self)))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { BinarySingleValueDecoding(reader: self) }
}

struct BinaryKeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: BinaryReader
    var codingPath: [any CodingKey] { [] }

    /// Only the next key: what an enum's decoding asks for to learn its case. Dictionaries do
    /// not come through here.
    var allKeys: [Key] { reader.peekKey().flatMap { Key(stringValue: $0) }.map { [$0] } ?? [] }

    func contains(_ key: Key) -> Bool { reader.peekKey() == key.stringValue }

    func decodeNil(forKey key: Key) throws -> Bool {
        let saved = reader.position
        try reader.readKey(key)
        if reader.position < reader.bytes.count, reader.bytes[reader.position] == 0 {
            reader.position += 1
            return true
        }
        reader.position = saved
        return false
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try reader.readKey(key)
        return try reader.decodeValue(T.self)
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try reader.readKey(key)
        guard try reader.readByte() != 0 else { return nil }
        return try reader.decodeValue(T.self)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try reader.readKey(key)
        return try reader.container(keyedBy: NestedKey.self)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try reader.readKey(key)
        return try reader.unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        _ = try reader.readString()
        return reader
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        try reader.readKey(key)
        return reader
    }
}

struct BinaryUnkeyedDecoding: UnkeyedDecodingContainer {
    let reader: BinaryReader
    let count: Int?
    private(set) var currentIndex = 0
    var codingPath: [any CodingKey] { [] }
    var isAtEnd: Bool { currentIndex >= count! }

    init(reader: BinaryReader, count: Int) {
        self.reader = reader
        self.count = count
    }

    private mutating func next() throws {
        guard !isAtEnd else { throw reader.corrupt("an array read past its end") }
        currentIndex += 1
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, reader.position < reader.bytes.count, reader.bytes[reader.position] == 0 else { return false }
        reader.position += 1
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try next()
        return try reader.decodeValue(T.self)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<
        NestedKey
    > {
        try next()
        return try reader.container(keyedBy: NestedKey.self)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next()
        return try reader.unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        try next()
        return reader
    }
}

struct BinarySingleValueDecoding: SingleValueDecodingContainer {
    let reader: BinaryReader
    var codingPath: [any CodingKey] { [] }

    func decodeNil() -> Bool {
        guard reader.position < reader.bytes.count, reader.bytes[reader.position] == 0 else { return false }
        reader.position += 1
        return true
    }

    func decode(_ type: Bool.Type) throws -> Bool { try reader.readByte() != 0 }
    func decode(_ type: String.Type) throws -> String { try reader.readString() }
    func decode(_ type: Double.Type) throws -> Double { Double(bitPattern: try reader.readFixed(UInt64.self)) }
    func decode(_ type: Float.Type) throws -> Float { Float(bitPattern: try reader.readFixed(UInt32.self)) }
    func decode(_ type: Int.Type) throws -> Int { try reader.readFixed(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try reader.readFixed(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try reader.readFixed(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try reader.readFixed(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try reader.readFixed(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try reader.readFixed(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try reader.readFixed(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try reader.readFixed(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try reader.readFixed(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try reader.readFixed(UInt64.self) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try reader.decodeValue(T.self) }
}
