import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback TCP socket that listens and never accepts: the kernel completes connections
/// into its backlog, takes the request, and nothing ever answers. Closed on `close()`.
final class SilentServer {
    let port: Int
    private let descriptor: Int32

    init() throws {
        descriptor = try listeningSocket(port: 0)
        port = boundPort(descriptor)
    }

    func close() { Glibc.close(descriptor) }
}

/// A free loopback port now (nothing listens on it once this returns).
func freeLoopbackPort() throws -> Int {
    let descriptor = try listeningSocket(port: 0)
    defer { close(descriptor) }
    return boundPort(descriptor)
}

/// 127.0.0.1:`port` as a socket address.
func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return address
}

struct SocketError: Error, CustomStringConvertible {
    let description: String
}

func listeningSocket(port: Int) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw SocketError(description: "socket: \(errno)") }
    var address = loopbackAddress(port: port)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard bound == 0, listen(descriptor, 64) == 0 else {
        close(descriptor)
        throw SocketError(description: "bind/listen: \(errno)")
    }
    return descriptor
}

func boundPort(_ descriptor: Int32) -> Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            getsockname(descriptor, $0, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Connects to 127.0.0.1:`port`, non-blocking once connected.
func connectLoopback(port: Int) throws -> Int32 {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw SocketError(description: "socket: \(errno)") }
    var address = loopbackAddress(port: port)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        close(descriptor)
        throw SocketError(description: "connect: \(errno)")
    }
    _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    return descriptor
}

/// A value in kB from /proc/PID/status, such as VmRSS or VmHWM.
func processMemoryKilobytes(_ pid: Int32, _ field: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else {
        return 0
    }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return 0
}

/// Starts `hybrid serve` with `arguments` and returns it with its URL, once it listens.
func startServe(_ arguments: [String]) throws -> (Process, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: hybridPath)
    process.arguments = ["serve", "--port", "0"] + arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
        let chunk = output.fileHandleForReading.availableData
        if chunk.isEmpty { break }
        line.append(chunk)
    }
    let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard text.hasPrefix("listening on ") else {
        process.terminate()
        throw SocketError(description: "hybrid serve did not start: \(text)")
    }
    return (process, String(text.dropFirst("listening on ".count)))
}
