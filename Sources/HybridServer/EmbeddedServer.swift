import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 server that answers every request after a set latency with a body of a set size:
/// the peer that `hybrid fetch` is measured against, startable inside any Swift process.
///
/// Paths override the defaults per request: `/delay/MS`, `/bytes/N`, `/status/CODE`,
/// `/redirect/N` and `/stall/MS` (``ResponsePlan`` says what each does), and they combine
/// (`/delay/10/status/503`). Connections are kept alive.
///
/// ```swift
/// let server = try EmbeddedServer.start(port: 0, latency: .milliseconds(50), size: 1024)
/// defer { server.shutdown() }
/// print("http://127.0.0.1:\(server.port)/")
/// ```
public final class EmbeddedServer: Sendable {
    /// The address the server listens on.
    public let host: String
    /// The port it listens on (the one the system picked, when started with port 0).
    public let port: Int

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let stopped = NIOLockedValueBox(false)
    private let counter: RequestCounter

    private init(
        host: String, port: Int, group: MultiThreadedEventLoopGroup, channel: any Channel, counter: RequestCounter
    ) {
        self.host = host
        self.port = port
        self.counter = counter
        self.group = group
        self.channel = channel
    }

    /// Starts a server and returns once it accepts connections.
    ///
    /// - Parameters:
    ///   - host: The address to bind; loopback by default, so nothing outside the machine sees it.
    ///   - port: The port to bind; 0 lets the system pick a free one (see ``port``).
    ///   - latency: How long each answer waits; zero answers at once.
    ///   - size: The body size of each answer, in bytes.
    ///   - threads: Event-loop threads; by default one per core.
    /// - Throws: ``ServerError`` for bad arguments, or with the reason the address cannot be bound.
    public static func start(
        host: String = "127.0.0.1",
        port: Int = 0,
        latency: Duration = .milliseconds(50),
        size: Int = 1024,
        threads: Int = System.coreCount
    ) throws -> EmbeddedServer {
        guard (0...65535).contains(port) else { throw ServerError("port must be 0...65535") }
        guard latency >= .zero else { throw ServerError("latency must not be negative") }
        guard (0...ResponsePlan.maximumBytes).contains(size) else {
            throw ServerError("size must be 0...\(ResponsePlan.maximumBytes) bytes")
        }
        let milliseconds =
            Int(latency.components.seconds * 1000)
            + Int(latency.components.attoseconds / 1_000_000_000_000_000)
        let settings = ServerSettings(latencyMilliseconds: milliseconds, bytes: size)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        let bootstrap = ServerBootstrap(group: group)
            // A thousand clients connecting at once must all fit in the accept queue.
            .serverChannelOption(ChannelOptions.backlog, value: 4096)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withErrorHandling: true
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        ResponseHandler(settings: settings))
                }
            }
        do {
            let channel = try bootstrap.bind(host: host, port: port).wait()
            let boundPort = channel.localAddress?.port ?? port
            return EmbeddedServer(
                host: host, port: boundPort, group: group, channel: channel, counter: settings.requests)
        } catch {
            try? group.syncShutdownGracefully()
            // The system's words ("Address already in use"), not NIO's call and errno.
            let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
            throw ServerError("cannot listen on \(host):\(port): \(reason)")
        }
    }

    /// Requests received so far (each whole request, answered or not yet): what a test counts
    /// to know which URLs a client fetched.
    public var requestsReceived: Int { counter.value }

    /// The base URL of the server, such as `http://127.0.0.1:8080`.
    public var url: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "http://\(shownHost):\(port)"
    }

    /// Stops accepting, closes every connection and stops the server's threads. Blocks until
    /// done; calling it again does nothing. Never call it from one of the server's own threads.
    public func shutdown() {
        let first = stopped.withLockedValue { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}
