import Foundation
import HybridKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback server that answers every request with an empty 200 and closing, and keeps each
/// request line as the bytes it received.
private final class RequestRecorder: @unchecked Sendable {
    // @unchecked: `lines` is reached under `lock` only.
    let port: Int
    private let descriptor: Int32
    private let lock = NSLock()
    private var lines: [[UInt8]] = []

    init() throws {
        descriptor = try listeningSocket(port: 0)
        port = boundPort(descriptor)
        let descriptor = self.descriptor
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(descriptor, nil, nil)
                if client < 0 { return }
                var request: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while !request.containsHeaderEnd {
                    let count = read(client, &chunk, chunk.count)
                    if count <= 0 { break }
                    request += chunk[0..<count]
                }
                let line = Array(request.prefix { $0 != UInt8(ascii: "\r") })
                lock.withLock { lines.append(line) }
                let answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                _ = answer.withCString { write(client, $0, strlen($0)) }
                close(client)
            }
        }
    }

    var requestLines: [String] { lock.withLock { lines.map { String(decoding: $0, as: UTF8.self) } } }

    func stop() { shutdown(descriptor, Int32(SHUT_RDWR)) }
}

extension [UInt8] {
    fileprivate var containsHeaderEnd: Bool {
        count >= 4 && (0...(count - 4)).contains { self[$0..<$0 + 4] == [13, 10, 13, 10] }
    }
}

/// URLs whose bytes are not UTF-8 are sent as curl sends them, not as U+FFFD.
@Suite("URL bytes", .serialized)
struct URLBytesTests {
    @Test("a byte that is not UTF-8 is sent and reported as %ff, from --input and as an argument")
    func invalidByte() throws {
        let recorder = try RequestRecorder()
        defer { recorder.stop() }
        let port = recorder.port
        let list = FileManager.default.temporaryDirectory
            .appendingPathComponent("hybrid-bytes-\(UUID().uuidString).txt")
        defer { try? FileManager.default.removeItem(at: list) }
        try (Data("http://127.0.0.1:\(port)/probe/".utf8) + Data([0xFF, 0x0A])).write(to: list)
        let fromList = try run(["fetch", "--jsonl", "--input", list.path])
        #expect(fromList.status == 0, "\(fromList.standardError)")
        #expect(fromList.standardOutput.contains(#""url": "http://127.0.0.1:\#(port)/probe/%ff""#))

        // An argument with the raw byte: Process cannot pass one, so a shell does.
        let argument = "http://127.0.0.1:\(port)/argument/\\377é"
        let shell = try run(
            ["-c", "exec \"$0\" fetch --jsonl \"$(printf '\(argument)')\"", hybridPath],
            executable: "/bin/sh")
        #expect(shell.status == 0, "\(shell.standardError)")
        #expect(shell.standardOutput.contains(#"/argument/%ffé""#), "\(shell.standardOutput)")
        #expect(
            recorder.requestLines == [
                "GET /probe/%ff HTTP/1.1", "GET /argument/%ff%c3%a9 HTTP/1.1",
            ], "the bytes curl sends")
    }

    @Test("valid UTF-8 is kept; each byte outside a valid sequence becomes %xx")
    func text() {
        #expect(URLBytes.text(Array("http://h/é?q=1".utf8)) == "http://h/é?q=1")
        #expect(URLBytes.text([0x61, 0xFF, 0x62]) == "a%ffb")
        #expect(URLBytes.text([0xC3]) == "%c3", "a sequence cut short")
        #expect(URLBytes.text([0xED, 0xA0, 0x80]) == "%ed%a0%80", "a surrogate is not UTF-8")
        #expect(URLBytes.text([0xC0, 0xAF, 0x7A]) == "%c0%afz", "an overlong form is not either")
    }
}
