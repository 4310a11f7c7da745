// libFuzzer target: the request path of `hybrid serve`, through the same NIO pipeline the server
// builds for each connection (HTTP/1.1 decoding with error handling, then ResponseHandler), on an
// EmbeddedChannel whose clock the harness moves, so delayed answers come at once.
//
// The first byte picks the mode:
//   even: the rest is a request path. The request `GET <path> HTTP/1.1` must get exactly one
//         answer, whose status and Content-Length are what ResponsePlan says for that path, and
//         the plan itself must stay in its documented ranges;
//   odd:  the rest is raw bytes from a client (pipelined requests, garbage, cut-off requests):
//         the server must not trap, leak or answer with anything but HTTP/1.x.
import NIOCore
import NIOEmbedded
import NIOHTTP1

/// The pipeline under test, as EmbeddedServer sets up each connection. When the server's
/// pipeline changes, change it here too (or call the server's own set-up once it has one).
func configureServerPipeline(_ channel: EmbeddedChannel, settings: ServerSettings) throws {
    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
    try channel.pipeline.syncOperations.addHandler(ResponseHandler(settings: settings))
}

let settings = ServerSettings(latencyMilliseconds: 5, bytes: 16)
/// Bodies above this are not asked for by the path mode, so each input stays fast; the plan's
/// own limit is checked on every path all the same.
let largestBodyAskedFor = 1 << 20

/// Everything the server wrote, after the clock has moved past the longest delay.
func answers(to request: [UInt8]) throws -> [UInt8] {
    let channel = EmbeddedChannel()
    try configureServerPipeline(channel, settings: settings)
    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9)).wait()
    var written: [UInt8] = []
    func drain() throws {
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            written += buffer.readableBytesView
        }
    }
    do {
        try channel.writeInbound(channel.allocator.buffer(bytes: request))
    } catch {
        // A malformed request: the error handler answers 400 and closes; nothing to check here.
    }
    let loop = channel.embeddedEventLoop
    loop.advanceTime(by: .milliseconds(Int64(ResponsePlan.maximumDelayMilliseconds) + 1))
    try drain()
    _ = try? channel.finish(acceptAlreadyClosed: true)
    return written
}

func checkPath(_ pathBytes: ArraySlice<UInt8>) throws {
    // Characters a request target may hold unescaped, so the path reaches the plan as written.
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-._~%?=&+!$'()*,;:@".utf8)
    let path = "/" + String(decoding: pathBytes.filter { allowed.contains($0) }, as: UTF8.self)
    let plan = ResponsePlan(
        path: path[...], defaultDelayMilliseconds: settings.latencyMilliseconds, defaultBytes: settings.bytes)
    precondition((0...ResponsePlan.maximumDelayMilliseconds).contains(plan.delayMilliseconds), "\(path): \(plan)")
    precondition((0...ResponsePlan.maximumBytes).contains(plan.bytes), "\(path): \(plan)")
    precondition((200...599).contains(plan.status), "\(path): \(plan)")
    guard plan.bytes <= largestBodyAskedFor else { return }

    let request = Array("GET \(path) HTTP/1.1\r\nHost: fuzz\r\n\r\n".utf8)
    let written = try answers(to: request)
    let text = String(decoding: written, as: UTF8.self)
    // A redirect hop answers 302 whatever the path's own status.
    let status = plan.problem == nil ? plan.answeredStatus : 400
    precondition(
        text.hasPrefix("HTTP/1.1 \(status) "), "\(path): \(plan) answered \(text.prefix(200).debugDescription)")
    let heads = text.ranges(of: "HTTP/1.1 ").count
    precondition(heads == 1, "\(path): \(heads) answers")
    let bodyLength = plan.problem.map { $0.utf8.count + 1 } ?? (plan.allowsBody ? plan.bytes : 0)
    if plan.allowsBody || plan.problem != nil {
        precondition(
            text.lowercased().contains("content-length: \(bodyLength)\r\n"),
            "\(path): \(plan) answered \(text.prefix(200).debugDescription)")
        let headEnd = written.firstRange(of: Array("\r\n\r\n".utf8))!.upperBound
        precondition(
            written.count - headEnd == bodyLength, "\(path): body of \(written.count - headEnd), not \(bodyLength)")
    }
}

func checkRaw(_ bytes: ArraySlice<UInt8>) throws {
    let written = try answers(to: Array(bytes))
    if !written.isEmpty {
        precondition(
            written.starts(with: Array("HTTP/1.".utf8)),
            "answered \(String(decoding: written.prefix(200), as: UTF8.self).debugDescription)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let mode = bytes.first else { return 0 }
    do {
        if mode % 2 == 0 { try checkPath(bytes.dropFirst()) } else { try checkRaw(bytes.dropFirst()) }
    } catch {
        preconditionFailure("the embedded channel failed: \(error)")
    }
    return 0
}
