import ArgumentParser
import HybridKit
import HybridPresentation

/// `hybrid bench primes|fetch|bigprimes|all`: sweeps workers x strategies x engines;
/// `hybrid bench pool`: Pool's cost per item against its references and goals.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Sweep workers x strategies x engines; print a table, write CSV, JSON or an SVG chart.",
        discussion: """
            WORKLOAD is primes, fetch, bigprimes or all. Each case runs --repeat times; the table \
            shows the fastest and the median. primes also times the hot loop alone (one engine \
            call over the whole range) beside the serial run over its chunks, and primesieve when \
            it is on the PATH; fetch runs curl --parallel when curl is; with python3 on the PATH, \
            fetch and primes (for --to 2e6 or less) run the article's Python programs too \
            (engine python); bigprimes makes --count primes of --bits bits. Runs that fork go first, \
            while the process has one thread. pool measures Pool itself, fastest of --repeat rounds: \
            100,000 trivial items on 2 processes against Python's multiprocessing.Pool(2).map, 1,000 \
            items of 5 ms of CPU against the ideal, 10,000 strings to 1 KiB results, and .serial on \
            2,000,000 trivial items against a plain Swift map, each ratio beside its goal (--quick: \
            small sizes, a check rather than a measurement). Exits 1 when the runs' answers disagree.
            """
    )

    @Argument(help: "primes, fetch, bigprimes, all, or pool.")
    var workload: String

    @Option(
        parsing: .unconditional,
        help: "Worker counts, comma-separated (default 1, 2, 4 ... up to 8x the cores; fetch: up to 100 in flight).")
    var workers: String?

    @Option(
        name: .customLong("repeat"), parsing: .unconditional,
        help: "Runs of each case (the table shows the fastest and the median).")
    var repetitions = 3

    @Option(help: "primes: the primes below TO (1e10, 2^34 ...).")
    var to = "1e10"

    @OptionGroup var load: FetchLoadOptions

    @OptionGroup var busy: BusyRerunOptions

    @Option(parsing: .unconditional, help: "bigprimes: bits of each prime.")
    var bits = 1024

    @Option(parsing: .unconditional, help: "bigprimes: how many primes.")
    var count = 64

    @Option(help: "Write one row per run to this CSV file.")
    var csv: String?

    @Option(help: "Write a chart of wall time, speedup and CPU time against workers to this SVG file.")
    var svg: String?

    @Flag(name: .customLong("no-peers"), help: "Never run primesieve, curl or python3 beside hybrid.")
    var noPeers = false

    @Flag(help: "pool: small sizes, to check that every case runs and agrees; not a measurement.")
    var quick = false

    @OptionGroup var output: OutputOptions

    func validate() throws {
        try usageChecked {
            if workload == "pool" {
                guard svg == nil else { throw UsageError("--svg charts time against workers; bench pool has no chart") }
            } else {
                _ = try BenchWorkloadName.parse(workload)
                guard !quick else { throw UsageError("--quick is for bench pool") }
            }
            _ = try Self.parseWorkers(workers)
            guard (1...1000).contains(repetitions) else {
                throw UsageError("--repeat must lie in 1...1000, got \(repetitions)")
            }
            guard try NumberExpression.parse(to) >= 2 else { throw UsageError("--to must be at least 2") }
            try BigPrimesJob(bits: bits, count: count).validate()
        }
    }

    func run() throws {
        if workload == "pool" { return try runPool() }
        let names = try BenchWorkloadName.parse(workload)
        let workerCounts = try Self.parseWorkers(workers)
        let limit = try NumberExpression.parse(to)
        let urls = load.urls
        let latency = load.latency
        let csvFile = try csv.map { path throws(UsageError) in try OutputFile(path: path) }
        let svgFile = try svg.map { path throws(UsageError) in try OutputFile(path: path) }

        let server = ServerHolder(latency: latency)
        let workloads: [any BenchWorkload] = names.map { name in
            switch name {
            case .primes:
                let primes = PrimesBench(range: 0..<limit, peers: !noPeers, python: !noPeers, stopOnSignals: true)
                primes.workerDied = Hybrid.warnOfDeath
                return primes
            case .fetch:
                return FetchBench(
                    urls: urls, latencyMilliseconds: latency, peers: !noPeers, python: !noPeers,
                    startServer: server.start, stopServer: server.stop)
            case .bigprimes:
                let bigPrimes = BigPrimesBench(bits: bits, count: count, stopOnSignals: true)
                bigPrimes.workerDied = Hybrid.warnOfDeath
                return bigPrimes
            }
        }
        for workload in workloads {
            for line in workload.missingPeers {
                FileHandleOutput.standardError.write("hybrid: \(line)\n")
            }
        }
        let progress = BenchProgress(enabled: !output.noProgress)
        defer { progress.finish() }
        let cores = ProcessorCount.available
        let report = try BenchReport.measure(
            workloads.map { ($0, workerCounts ?? $0.defaultWorkers(cores: cores)) }, repetitions: repetitions,
            cores: cores, busyReruns: busy.busyReruns, progress: progress.show)
        progress.finish()
        try FileHandleOutput.standardOutput.writeResult(output.json ? report.json() + "\n" : report.text())
        try csvFile?.write(report.csv())
        try svgFile?.write(report.svg())
        if !report.answersAgree { throw ExitCode(1) }
    }

    /// `hybrid bench pool`: one table of Pool's cases, or CSV or JSON.
    private func runPool() throws {
        let csvFile = try csv.map { path throws(UsageError) in try OutputFile(path: path) }
        let bench = PoolBench(sizes: quick ? .quick : .standard, rounds: repetitions, peers: !noPeers)
        for line in bench.missingPeers {
            FileHandleOutput.standardError.write("hybrid: \(line)\n")
        }
        let report = try bench.measure()
        try FileHandleOutput.standardOutput.writeResult(output.json ? report.json() + "\n" : report.text())
        try csvFile?.write(report.csv())
        if !report.answersAgree { throw ExitCode(1) }
    }

    /// `1,2,4` as worker counts, ascending, each once; nil for none given (each workload's own
    /// default, ``BenchWorkload/defaultWorkers(cores:)``).
    static func parseWorkers(_ text: String?) throws(UsageError) -> [Int]? {
        guard let text else { return nil }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters()
        }
        guard !parts.isEmpty, !parts.contains(where: \.isEmpty) else {
            throw UsageError(
                "--workers needs a comma-separated list of worker counts, such as 1,2,4; got '\(text)'"
            )
        }
        var counts: [Int] = []
        for part in parts {
            guard let count = Int(part) else {
                throw UsageError("--workers: '\(part)' is not a whole number")
            }
            guard (1...4096).contains(count) else {
                throw UsageError("--workers: \(count) is not in 1...4096")
            }
            if !counts.contains(count) { counts.append(count) }
        }
        return counts.sorted()
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
