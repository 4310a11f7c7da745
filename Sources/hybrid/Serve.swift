import ArgumentParser
import HybridKit
import HybridServer

#if canImport(Glibc)
    import Glibc
#endif

/// `hybrid serve`: the HTTP/1.1 server that fetches are measured against.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve HTTP/1.1: every request answered after a latency with a body of a size.",
        discussion: """
            Paths override the answer per request: /delay/MS, /bytes/N, /status/CODE, and \
            /redirect/N (a 302 to the same path with N - 1); they combine: /delay/10/status/503. \
            Answers wait while a client does not read them, so memory stays bounded. Prints \
            "listening on http://HOST:PORT" when ready; stops on SIGINT or SIGTERM.
            """
    )

    @Option(help: "The address to bind (loopback by default).")
    var host = "127.0.0.1"

    @Option(help: "The port to bind; 0 picks a free one.")
    var port = 8080

    @Option(help: "Milliseconds each answer waits.")
    var latency = 50

    @Option(help: "Body bytes of each answer.")
    var size = 1024

    @Option(help: "Event-loop threads (default: one per core).")
    var threads: Int?

    func run() throws {
        guard (0...65535).contains(port) else { throw UsageError("--port must be 0...65535") }
        guard latency >= 0 else { throw UsageError("--latency must not be negative") }
        guard size >= 0 else { throw UsageError("--size must not be negative") }
        if let threads, threads < 1 { throw UsageError("--threads must be at least 1") }

        // Blocked before the server's threads start, so they inherit the mask and the signals
        // wait for sigwait below instead of killing the process mid-answer.
        let signals = Syscalls.stopSignalSet()
        Syscalls.block(signals)
        // Thousands of concurrent clients need as many sockets.
        DescriptorLimit.raise(toAtLeast: 65536)

        let server: EmbeddedServer
        do {
            server = try EmbeddedServer.start(
                host: host, port: port, latency: .milliseconds(latency), size: size,
                threads: threads ?? ProcessorCount.available)
        } catch let error as ServerError {
            throw UsageError(error.message)
        }
        FileHandleOutput.standardOutput.write("listening on \(server.url)\n")

        let received = Syscalls.waitForSignal(in: signals)
        server.shutdown()
        // The shell's convention for "ended by a signal": 128 + its number.
        Glibc.exit(128 + received)
    }
}
