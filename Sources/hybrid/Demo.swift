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
            and checks that every run found the same answer. With python3 on the PATH the \
            article's own Python programs run too (engine python): its fetch serially and on \
            threads, and its prime sum below 1e6 serially, on threads and on multiprocessing.Pool, \
            beside the C engine on the same numbers. About a minute on 2 cores. --workers sets the \
            CPU-bound workers; --svg draws the runs as `hybrid bench --svg` does.
            """
    )

    // Smaller lessons for the end-to-end tests.
    @Option(help: .hidden)
    var primesTo: String = "2e10"

    @Option(help: .hidden)
    var pythonPrimesTo: String = "1e6"

    @OptionGroup(visibility: .hidden) var load: FetchLoadOptions

    @OptionGroup var busy: BusyRerunOptions

    @Flag(help: "Never draw progress (drawn only on a terminal anyway).")
    var noProgress = false

    @Flag(help: "Print the lesson as one JSON object: busy, every run with its share of the machine, the verdict.")
    var json = false

    // Unconditional, so that `--workers -1` is read as a number and refused as one.
    @Option(
        parsing: .unconditional,
        help: "Workers for the CPU-bound threads and processes (default: one per core).")
    var workers: Int?

    @Option(help: ArgumentHelp("Write a chart of the lesson's runs to FILE (SVG).", valueName: "FILE"))
    var svg: String?

    func validate() throws {
        try usageChecked {
            guard try NumberExpression.parse(primesTo) >= 2 else { throw UsageError("--primes-to must be at least 2") }
            let pythonTo = try NumberExpression.parse(pythonPrimesTo)
            guard pythonTo >= 2, pythonTo <= PrimesBench.pythonLimit else {
                throw UsageError("--python-primes-to must lie in 2...\(PrimesBench.pythonLimit)")
            }
            if let workers, !(1...4096).contains(workers) {
                throw UsageError("--workers must lie in 1...4096, got \(workers)")
            }
        }
    }

    func run() throws {
        let limit = try NumberExpression.parse(primesTo)
        let urls = load.urls
        let latency = load.latency
        var lesson = Lesson(
            primesTo: limit, urls: urls, latencyMilliseconds: latency,
            workers: workers, pythonPrimesTo: try NumberExpression.parse(pythonPrimesTo))
        lesson.busyReruns = busy.busyReruns
        // Opened before the runs: a path that cannot be written is bad input, found at once.
        let svgFile = try svg.map { path throws(UsageError) in try OutputFile(path: path) }
        let server = ServerHolder(latency: latency)
        let progress = BenchProgress(enabled: !noProgress)
        defer { progress.finish() }
        let report = try lesson.run(
            startServer: server.start, stopServer: server.stop, stopOnSignals: true,
            workerDied: Hybrid.warnOfDeath, progress: progress.show)
        progress.finish()
        try FileHandleOutput.standardOutput.writeResult(json ? report.json() + "\n" : report.text())
        try svgFile?.write(report.svg())
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
