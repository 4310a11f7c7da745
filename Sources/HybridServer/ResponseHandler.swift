import NIOCore
import NIOHTTP1

/// Answers each request on one connection with its ``ResponsePlan``, after the plan's delay.
///
/// NIO's server pipeline in front of it keeps pipelined answers in request order and reads the
/// next request only when this one is answered, so one connection holds one plan at a time.
///
/// Back-pressure: an answer is written only while the channel is writable (its outbound
/// buffer under NIO's high-water mark, 64 KiB). A client that pipelines requests and never
/// reads its answers fills that buffer; the next answer then waits for writability, and until
/// it is written the pipeline reads no more requests, so the server's memory per connection
/// stays bounded however long the client keeps sending.
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
    /// An answer due while the channel was not writable, written when it is again.
    private var waiting: (plan: ResponsePlan, keepAlive: Bool, version: HTTPVersion)?

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
            settings.requests.increment()
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

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let waiting {
            self.waiting = nil
            respond(
                context: context, plan: waiting.plan, keepAlive: waiting.keepAlive,
                version: waiting.version)
        }
        context.fireChannelWritabilityChanged()
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
        guard context.channel.isWritable else {
            // Wait for the client to read; what is queued already was flushed when written.
            waiting = (plan, keepAlive, version)
            if flushPending {
                flushPending = false
                context.flush()
            }
            return
        }
        var headers = HTTPHeaders()
        let body: ByteBuffer?
        if let problem = plan.problem {
            body = context.channel.allocator.buffer(string: problem + "\n")
        } else if plan.allowsBody {
            body = settings.body(bytes: plan.bytes, allocator: context.channel.allocator)
        } else {
            body = nil
        }
        let status =
            plan.problem == nil ? HTTPResponseStatus(statusCode: plan.answeredStatus) : .badRequest
        if plan.problem == nil, let location = plan.location {
            headers.add(name: "location", value: location)
        }
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
        if var body, body.readableBytes > 1, plan.problem == nil, plan.stallMilliseconds > 0 {
            // The head and one byte now, the rest after the stall: the client has seen the
            // answer start, so only a stall time-out (not a first-byte wait) can end it.
            let first = body.readSlice(length: 1)!
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(first))), promise: nil)
            let loop = context.eventLoop.assumeIsolated()
            loop.scheduleTask(in: .milliseconds(Int64(plan.stallMilliseconds))) {
                guard context.channel.isActive else { return }
                context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
                self.end(context: context, keepAlive: keepAlive)
            }
            return
        }
        if let body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        end(context: context, keepAlive: keepAlive)
    }

    private func end(context: ChannelHandlerContext, keepAlive: Bool) {
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
