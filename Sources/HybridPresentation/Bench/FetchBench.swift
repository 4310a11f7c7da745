import HybridKit

/// The I/O-bound workload in a sweep: a list of URLs fetched by every fetch strategy, with
/// `workers` transfers in flight (threads: that many threads; multi: a window of that many;
/// threads-multi: one multi handle per core sharing that window), and `curl --parallel` on the
/// same list when curl is installed, and the article's Python program (engine `python`: urllib,
/// serially and on a pool of that many threads) when python3 is on the `PATH`.
///
/// The server is started by the first case that runs, never before: cases run after every
/// forking case (see ``BenchPhase``), and a server's threads must not be alive at a fork.
package final class FetchBench: BenchWorkload {
    package let name = "fetch"
    package let urlCount: Int
    package let latencyMilliseconds: Int
    private let startServer: () throws -> String
    private let stopServer: () -> Void
    private var baseURL: String?
    private var curlConfigFile: OutputFile?
    private let curl: ExternalCommand?
    private let wantsPeers: Bool
    private let python: PythonProgram?
    private let wantsPython: Bool
    private var urlFile: OutputFile?

    /// - Parameters:
    ///   - urls: how many URLs.
    ///   - latencyMilliseconds: how long the server waits before each answer (for descriptions;
    ///     `startServer` must start a server that does so).
    ///   - peers: run curl beside hybrid when it is on the `PATH`.
    ///   - python: run the article's Python program when python3 is on the `PATH`.
    ///   - startServer: starts a server whose every path answers after the latency, and returns
    ///     its base URL (`http://127.0.0.1:PORT`). Called once, by the first case that runs.
    ///   - stopServer: stops it; called by ``finish()`` when it was started.
    package init(
        urls: Int, latencyMilliseconds: Int, peers: Bool = true, python: Bool = false,
        startServer: @escaping () throws -> String, stopServer: @escaping () -> Void
    ) {
        self.urlCount = urls
        self.latencyMilliseconds = latencyMilliseconds
        self.startServer = startServer
        self.stopServer = stopServer
        self.wantsPeers = peers
        self.curl = peers ? ExternalCommand.find("curl") : nil
        self.wantsPython = python
        self.python = python ? PythonProgram(ArticlePrograms.fetch, prefix: "hybrid-article-fetch-") : nil
    }

    /// Whether the cases include the Python program's.
    package var runsPython: Bool { python != nil }

    package var description: String {
        "\(urlCount) URLs of \(latencyMilliseconds) ms each from an embedded server"
    }

    package var workersMeaning: String { "transfers in flight" }

    /// Each URL is one transfer: the strategies overlap the waits alike and differ in the CPU
    /// each transfer costs.
    package var itemsPerRun: (count: Int, noun: String)? { (urlCount, "transfer") }

    /// 1, 2, 4 ... up to the lesson's transfers in flight (``Lesson/defaultInFlight``).
    package func defaultWorkers(cores: Int) -> [Int] { doublings(upTo: Lesson.defaultInFlight) }

    package var missingPeers: [String] {
        (wantsPeers && curl == nil ? ["curl is not on the PATH: no curl --parallel rows"] : [])
            + (wantsPython && python == nil ? ["python3 is not on the PATH: no python rows"] : [])
    }

    /// The URLs, starting the server on first use.
    private func urls() throws -> [String] {
        let base: String
        if let baseURL {
            base = baseURL
        } else {
            base = try startServer()
            baseURL = base
        }
        return (0..<urlCount).map { "\(base)/bench/\($0)" }
    }

    package func cases(workers: [Int]) -> [BenchCase] {
        var cases = [fetchCase(.serial, workers: 1)]
        for strategy in [FetchStrategy.threads, .multi, .threadsMulti] {
            for count in workers { cases.append(fetchCase(strategy, workers: count)) }
        }
        if let curl {
            for count in workers { cases.append(curlCase(curl, parallel: count)) }
        }
        if let python {
            cases.append(pythonCase(python, "serial", workers: 1))
            for count in workers { cases.append(pythonCase(python, "threads", workers: count)) }
        }
        // Fetching waits on the network: its share of the cores says nothing about the machine.
        for index in cases.indices { cases[index].cpuBound = false }
        return cases
    }

    private func fetchCase(_ strategy: FetchStrategy, workers: Int) -> BenchCase {
        BenchCase(
            workload: name, strategy: strategy.rawValue, engine: "libcurl", workers: workers,
            phase: .inProcess
        ) { [self] in
            let list = try urls()
            let stopwatch = Stopwatch()
            let report = try URLFetcher.fetch(
                list, options: FetchOptions(strategy: strategy, concurrency: workers))
            return BenchMeasurement(
                wallSeconds: stopwatch.wallSeconds, cpuSeconds: stopwatch.cpuSeconds,
                answer: BenchAnswer(
                    count: UInt64(report.ok), sum: UInt128(report.bytes), failed: report.failed))
        }
    }

    /// `curl -s --fail --parallel --parallel-immediate --parallel-max K -K CONFIG`, the config
    /// listing every URL with its output to /dev/null.
    private func curlCase(_ curl: ExternalCommand, parallel: Int) -> BenchCase {
        BenchCase(
            workload: name, strategy: "peer", engine: "curl", workers: parallel, phase: .peers
        ) { [self] in
            let config = try curlConfig()
            let outcome = try curl.run([
                "-s", "--fail", "--parallel", "--parallel-immediate", "--parallel-max",
                String(parallel), "-K", config,
            ])
            return BenchMeasurement(
                wallSeconds: outcome.wallSeconds, cpuSeconds: outcome.cpuSeconds,
                answer: BenchAnswer(count: nil, sum: nil, failed: outcome.status == 0 ? 0 : 1))
        }
    }

    /// `python3 PROGRAM STRATEGY WORKERS URL_FILE`: the article's download loop, its own timing.
    private func pythonCase(_ python: PythonProgram, _ strategy: String, workers: Int) -> BenchCase {
        BenchCase(
            workload: name, strategy: strategy, engine: "python", workers: workers, phase: .peers
        ) { [self] in
            let output = try python.run([strategy, String(workers), try urlList()])
            let ok = output.unsigned("ok")
            let failed = output.fields["failed"].flatMap { Int($0) }
            return BenchMeasurement(
                wallSeconds: output.wallSeconds, cpuSeconds: output.cpuSeconds,
                answer: BenchAnswer(
                    count: ok, sum: output.unsigned("bytes").map { UInt128($0) },
                    failed: output.ok && ok != nil ? failed ?? 0 : max(1, failed ?? 1)))
        }
    }

    /// A file of the URLs, one a line.
    private func urlList() throws -> String {
        if let urlFile { return urlFile.path }
        let text = try urls().map { $0 + "\n" }.joined()
        let file = try OutputFile.temporary(prefix: "hybrid-bench-urls-")
        urlFile = file
        try file.write(text)
        return file.path
    }

    private func curlConfig() throws -> String {
        if let curlConfigFile { return curlConfigFile.path }
        let text = try urls().map { "url = \"\($0)\"\noutput = \"/dev/null\"\n" }.joined()
        let file = try OutputFile.temporary(prefix: "hybrid-bench-curl-")
        curlConfigFile = file
        try file.write(text)
        return file.path
    }

    package func finish() {
        curlConfigFile?.remove()
        curlConfigFile = nil
        urlFile?.remove()
        urlFile = nil
        python?.remove()
        if baseURL != nil { stopServer() }
        baseURL = nil
    }
}

extension FetchBench {
    package func describe(_ answer: BenchAnswer) -> String {
        "every URL ok (\(answer.count.map(groupedDigits) ?? "?") of \(urlCount), \(answer.sum.map(groupedDigits) ?? "?") body bytes)"
    }
}
