import NIOCore
import NIOHTTP1

/// Answers each request on one connection with its ``ResponsePlan``, after the plan's delay.
///
/// NIO's server pipeline in front of it keeps pipelined answers in request order and reads the
/// next request only when this one is answered, so one connection holds one plan at a time.
final class ResponseHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let settings: ServerSettings
    private var plan: ResponsePlan?
    private var keepAlive = true
    private var version = HTTPVersion.http1_1
    /// Answers written inside a read burst are flushed once at its end, not one by one.
    private var flushPending = false
    private var reading = false

    init(settings: ServerSettings) {
        self.settings = settings
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reading = true
        switch unwrapInboundIn(data) {
        case .head(let head):
            plan = ResponsePlan(
                path: head.uri[...],
                defaultDelayMilliseconds: settings.latencyMilliseconds,
                defaultBytes: settings.bytes
            )
            keepAlive = head.isKeepAlive
            version = head.version
        case .body:
            break
        case .end:
            guard let plan else { return }
            self.plan = nil
            let keepAlive = self.keepAlive
            let version = self.version
            if plan.delayMilliseconds == 0 || plan.problem != nil {
                respond(context: context, plan: plan, keepAlive: keepAlive, version: version)
            } else {
                let loop = context.eventLoop.assumeIsolated()
                loop.scheduleTask(in: .milliseconds(Int64(plan.delayMilliseconds))) {
                    self.respond(
                        context: context, plan: plan, keepAlive: keepAlive, version: version)
                }
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        if flushPending {
            flushPending = false
            context.flush()
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A malformed request or a reset connection ends only that connection.
        context.close(promise: nil)
    }

    private func respond(
        context: ChannelHandlerContext,
        plan: ResponsePlan,
        keepAlive: Bool,
        version: HTTPVersion
    ) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        let body: ByteBuffer?
        if let problem = plan.problem {
            body = context.channel.allocator.buffer(string: problem + "\n")
        } else if plan.allowsBody {
            body = settings.body(bytes: plan.bytes, allocator: context.channel.allocator)
        } else {
            body = nil
        }
        let status = plan.problem == nil ? HTTPResponseStatus(statusCode: plan.status) : .badRequest
        if plan.allowsBody || plan.problem != nil {
            headers.add(name: "content-length", value: String(body?.readableBytes ?? 0))
            headers.add(name: "content-type", value: "application/octet-stream")
        }
        if version == .http1_0 && keepAlive {
            headers.add(name: "connection", value: "keep-alive")
        } else if !keepAlive {
            headers.add(name: "connection", value: "close")
        }
        let head = HTTPResponseHead(version: version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        if keepAlive {
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
            if reading {
                flushPending = true
            } else {
                context.flush()
            }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }
}
