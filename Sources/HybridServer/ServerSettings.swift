import NIOCore
import Synchronization

/// The answer every request gets unless its path overrides it; shared by all connections.
struct ServerSettings: Sendable {
    let latencyMilliseconds: Int
    let bytes: Int
    /// Requests received so far, on every connection.
    let requests = RequestCounter()
    /// The default body, made once: every default answer sends this same buffer.
    private let defaultBody: ByteBuffer

    init(latencyMilliseconds: Int, bytes: Int) {
        self.latencyMilliseconds = latencyMilliseconds
        self.bytes = bytes
        self.defaultBody = Self.makeBody(bytes: bytes, allocator: ByteBufferAllocator())
    }

    /// A body of `bytes` bytes: the shared default one, or a new one for an override.
    func body(bytes: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        bytes == self.bytes ? defaultBody : Self.makeBody(bytes: bytes, allocator: allocator)
    }

    private static func makeBody(bytes: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: bytes)
        buffer.writeRepeatingByte(UInt8(ascii: "x"), count: bytes)
        return buffer
    }
}

/// A count that every event-loop thread bumps.
final class RequestCounter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .relaxed) }

    var value: Int { count.load(ordering: .relaxed) }
}
