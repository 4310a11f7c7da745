import Foundation
import HybridKit
import Testing

/// The pool's binary encoding gives back what went in, for every shape Codable makes.
@Suite("Binary coding")
struct BinaryCodingTests {
    enum Shape: Codable, Equatable {
        case point
        case circle(radius: Double)
        case polygon([Int], name: String?)
    }

    struct Record: Codable, Equatable {
        var id: Int
        var name: String
        var score: Double
        var ok: Bool
        var note: String?
        var missing: Int?
        var tags: [String]
        var counts: [String: Int]
        var matrix: [[Int]]
        var bytes: [UInt8]
        var small: Int8
        var wide: UInt64
        var ratio: Float
        var shapes: [Shape]
        var nested: [Int?]
    }

    static let record = Record(
        id: -42, name: "héllo, wörld", score: 3.25, ok: true, note: "n", missing: nil, tags: ["a", "", "ccc"],
        counts: ["x": 1, "y": 2], matrix: [[1, 2], [], [3]], bytes: [0, 255, 7], small: -8, wide: .max, ratio: 0.5,
        shapes: [.point, .circle(radius: 2), .polygon([1, 2, 3], name: nil), .polygon([], name: "p")],
        nested: [1, nil, 3])

    @Test("a record with every shape round-trips")
    func roundTrip() throws {
        let bytes = try BinaryEncoder().encode(Self.record)
        #expect(try BinaryDecoder().decode(Record.self, from: bytes) == Self.record)
    }

    @Test("top-level values round-trip", arguments: [0, 1, -1, Int.max, Int.min])
    func integers(value: Int) throws {
        #expect(try BinaryDecoder().decode(Int.self, from: try BinaryEncoder().encode(value)) == value)
        let optional: Int? = value == 0 ? nil : value
        #expect(try BinaryDecoder().decode(Int?.self, from: try BinaryEncoder().encode(optional)) == optional)
        #expect(try BinaryDecoder().decode([Int].self, from: try BinaryEncoder().encode([value, 1])) == [value, 1])
    }

    @Test("bytes of another type, or cut short, are an error, not a wrong value")
    func mismatch() throws {
        let bytes = try BinaryEncoder().encode(Self.record)
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(Record.self, from: Array(bytes.dropLast())) }
        #expect(throws: DecodingError.self) { try BinaryDecoder().decode(Shape.self, from: bytes) }
    }

    @Test("smaller than JSON")
    func compact() throws {
        let binary = try BinaryEncoder().encode(Self.record)
        let json = try JSONEncoder().encode(Self.record)
        #expect(binary.count < json.count)
    }
}
