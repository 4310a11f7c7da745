import ArgumentParser
import HybridKit
import HybridPresentation
import HybridServer

extension FetchStrategy: ExpressibleByArgument {}

/// `hybrid fetch`: fetches URLs with libcurl by one strategy and reports the run.
struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch URLs with libcurl: serial, threads, multi or threads-multi.",
        discussion: """
            URLs come from the arguments and from --input (a file, or - for standard input; \
            blank lines and # comments are skipped). With no URLs at all, a demo fetches 100 \
            URLs of 50 ms each from an embedded server. Exits 0 when every URL is ok (completed, \
            status < 400), 1 when any failed, 2 for bad usage.
            """
    )

    @Argument(help: "URLs to fetch.")
    var urls: [String] = []

    @Option(help: "A file of URLs, one per line; - reads standard input.")
    var input: String?

    @Option(help: "serial, threads, multi or threads-multi.")
    var strategy: FetchStrategy = .multi

    @Option(
        help: "Transfers in flight at once (multi, threads-multi; the thread count of threads).")
    var concurrency: Int = 100

    @Option(help: "Worker threads (threads: default the concurrency; threads-multi: the cores).")
    var threads: Int?

    @Option(help: "Seconds allowed for each whole transfer (default: no limit).")
    var timeout: Double?

    @Option(name: .customLong("connect-timeout"), help: "Seconds allowed for connecting.")
    var connectTimeout: Double?

    @Option(help: "Further attempts after a transport error or a 5xx status.")
    var retries: Int = 0

    @Flag(help: "Print the run report as JSON.")
    var json = false

    @Flag(name: .customLong("no-progress"), help: "Never draw progress (drawn only on a terminal).")
    var noProgress = false

    func run() throws {
        let options = try fetchOptions()
        var list = urls
        if let input { list += try URLList.read(path: input) }

        var demoServer: EmbeddedServer?
        if list.isEmpty && input == nil {
            let server = try EmbeddedServer.start(port: 0, latency: .milliseconds(50), size: 1024)
            demoServer = server
            list = (0..<100).map { "\(server.url)/demo/\($0)" }
            FileHandleOutput.standardError.write(
                "hybrid: no URLs given: demo of 100 URLs of 50 ms each from an embedded server "
                    + "at \(server.url), strategy \(options.strategy.rawValue)\n")
        }
        defer { demoServer?.shutdown() }

        let standardError = FileHandleOutput.standardError
        let showsProgress = !noProgress && standardError.isTerminal
        var shown = -1
        let report = try URLFetcher.fetch(
            list,
            options: options,
            progress: showsProgress
                ? { done, total in
                    guard done != shown else { return }
                    shown = done
                    standardError.write("\rfetched \(done)/\(total)")
                } : nil,
            notice: { standardError.write("hybrid: \($0)\n") }
        )
        if showsProgress { standardError.write("\r\u{1B}[K") }

        try FileHandleOutput.standardOutput.writeResult(json ? report.json() + "\n" : report.text())
        if report.failed > 0 { throw ExitCode(1) }
    }

    private func fetchOptions() throws -> FetchOptions {
        let options = FetchOptions(
            strategy: strategy,
            concurrency: concurrency,
            threads: threads,
            timeout: try timeout.map { try duration($0, name: "--timeout") },
            connectTimeout: try connectTimeout.map { try duration($0, name: "--connect-timeout") },
            retries: retries
        )
        try options.validate()
        return options
    }

    private func duration(_ seconds: Double, name: String) throws -> Duration {
        guard seconds.isFinite, seconds > 0 else {
            throw UsageError("\(name) must be a positive number of seconds")
        }
        return .seconds(seconds)
    }
}
