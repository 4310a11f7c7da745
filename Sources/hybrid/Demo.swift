import ArgumentParser
import HybridKit
import HybridPresentation
import HybridServer

/// `hybrid` (or `hybrid demo`): the lesson, measured on this machine.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the lesson: I/O-bound and CPU-bound work, every strategy, side by side.",
        discussion: """
            Fetches 100 URLs of 50 ms each from an embedded server (serial, threads, multi, \
            threads-multi), then sums the primes below 2e10 (serial, threads, processes; the C and \
            the Swift engine), prints a table for each and a verdict drawn from the measurements, \
            and checks that every run found the same answer. Under a minute on 2 cores.
            """
    )

    // Smaller lessons for the end-to-end tests.
    @Option(help: .hidden)
    var primesTo: String = "2e10"

    @OptionGroup(visibility: .hidden) var load: FetchLoadOptions

    @Flag(help: "Never draw progress (drawn only on a terminal anyway).")
    var noProgress = false

    @Flag(help: "Print the lesson as one JSON object: busy, every run with its share of the machine, the verdict.")
    var json = false

    func validate() throws {
        try usageChecked {
            guard try NumberExpression.parse(primesTo) >= 2 else { throw UsageError("--primes-to must be at least 2") }
        }
    }

    func run() throws {
        let limit = try NumberExpression.parse(primesTo)
        let urls = load.urls
        let latency = load.latency
        let lesson = Lesson(primesTo: limit, urls: urls, latencyMilliseconds: latency)
        let server = ServerHolder(latency: latency)
        let progress = BenchProgress(enabled: !noProgress)
        defer { progress.finish() }
        let report = try lesson.run(
            startServer: server.start, stopServer: server.stop, stopOnSignals: true,
            workerDied: Hybrid.warnOfDeath, progress: progress.show)
        progress.finish()
        try FileHandleOutput.standardOutput.writeResult(json ? report.json() + "\n" : report.text())
        if !report.answersAgree { throw ExitCode(1) }
    }
}

/// Starts the embedded server on first use (after every fork) and stops it after the sweep.
final class ServerHolder {
    private let latency: Int
    private var server: EmbeddedServer?

    init(latency: Int) { self.latency = latency }

    func start() throws -> String {
        let server = try EmbeddedServer.start(port: 0, latency: .milliseconds(latency), size: 1024)
        self.server = server
        return server.url
    }

    func stop() {
        server?.shutdown()
        server = nil
    }
}
