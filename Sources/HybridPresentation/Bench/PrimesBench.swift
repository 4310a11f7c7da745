import HybridKit

/// The CPU-bound workload in a sweep: the count and sum of the primes in a range, by every
/// strategy and engine; the hot loop alone (one engine call over the whole range, no Swift
/// orchestration around it); primesieve's count for the same range, when it is installed; and
/// the article's Python program (engine `python`), when python3 is on the `PATH` and the range
/// is one Python sums in seconds.
package final class PrimesBench: BenchWorkload {
    /// `primes`; the lesson names its second, smaller range otherwise.
    package let name: String
    /// The numbers to sieve, `[from, to)`.
    package let range: Range<UInt64>
    package var engines: [EngineKind] = [.c, .swift]
    /// Time one engine call over the whole range beside the serial run over its chunks.
    package var includesHotLoop: Bool
    /// Take SIGINT and SIGTERM as a request to stop (see ``RunOptions/stopOnSignals``).
    package var stopOnSignals: Bool
    /// Hears of each worker process that died and was replaced (see ``RunOptions/workerDied``).
    package var workerDied: @Sendable (WorkerDeath) -> Void = { _ in }
    private let primesieve: ExternalCommand?
    /// `mpirun`, when this build has MPI and it is on the `PATH`: the mpi strategy's rows.
    private let mpirun: MPIBenchLauncher?
    /// The article's prime sum in Python, when asked for, found and the range allows it.
    private let python: PythonProgram?
    private let wantsPython: Bool

    /// The largest `to` the Python rows run for: Python's trial division tests about 0.9
    /// million numbers a second below a million here (slower higher up), so at 2e6 each of its
    /// runs takes a few seconds.
    package static let pythonLimit: UInt64 = 2_000_000

    /// - Parameters:
    ///   - peers: run primesieve beside hybrid when it is on the `PATH`.
    ///   - python: run the article's Python program when python3 is on the `PATH`, the range
    ///     starts at 0 and ends at ``pythonLimit`` or below.
    package init(
        range: Range<UInt64>, includesHotLoop: Bool = true, peers: Bool = true, python: Bool = false,
        stopOnSignals: Bool = false, name: String = "primes"
    ) {
        self.name = name
        self.range = range
        self.includesHotLoop = includesHotLoop
        self.stopOnSignals = stopOnSignals
        self.primesieve = peers ? ExternalCommand.find("primesieve") : nil
        self.mpirun = MPIBenchLauncher.find()
        self.wantsPeers = peers
        self.wantsPython = python
        self.python =
            python && Self.pythonCan(range)
            ? PythonProgram(ArticlePrograms.primes, prefix: "hybrid-article-primes-") : nil
    }

    private let wantsPeers: Bool

    /// Whether the Python program can sum `range` in seconds.
    package static func pythonCan(_ range: Range<UInt64>) -> Bool {
        range.lowerBound == 0 && range.upperBound <= pythonLimit
    }

    /// Whether the cases include the Python program's.
    package var runsPython: Bool { python != nil }

    package var description: String {
        (range.lowerBound == 0
            ? "sum of the primes below \(groupedDigits(range.upperBound))"
            : "sum of the primes in [\(groupedDigits(range.lowerBound)), \(groupedDigits(range.upperBound)))")
            + (python == nil ? "" : "; python tests each number by trial division")
    }

    package var missingPeers: [String] {
        var lines: [String] = []
        if wantsPeers && primesieve == nil { lines.append("primesieve is not on the PATH: no primesieve rows") }
        if wantsPython && python == nil {
            lines.append(
                PythonProgram.find() == nil
                    ? "python3 is not on the PATH: no python rows"
                    : "no python rows for primes above \(groupedDigits(Self.pythonLimit)) (Python would take "
                        + "minutes): --to 1e6 has them")
        }
        return lines
    }

    package func cases(workers: [Int]) -> [BenchCase] {
        var cases: [BenchCase] = []
        for engine in engines {
            cases.append(strategyCase(.serial, engine: engine, workers: 1))
            if includesHotLoop { cases.append(hotLoopCase(engine)) }
        }
        for strategy in [ComputeStrategy.threads, .processes] {
            for engine in engines {
                for count in workers {
                    cases.append(strategyCase(strategy, engine: engine, workers: count))
                }
            }
        }
        if let mpirun {
            for engine in engines {
                for count in workers { cases.append(mpiCase(mpirun, engine: engine, ranks: count)) }
            }
        }
        if let primesieve {
            for count in workers { cases.append(primesieveCase(primesieve, threads: count)) }
        }
        if let python {
            cases.append(pythonCase(python, .serial, workers: 1))
            for strategy in [ComputeStrategy.threads, .processes] {
                for count in workers { cases.append(pythonCase(python, strategy, workers: count)) }
            }
        }
        return cases
    }

    /// `python3 PROGRAM STRATEGY WORKERS TO`: the article's prime sum, its answer and its own
    /// timing of the work (interpreter start-up left out, as hybrid's runs leave out theirs).
    private func pythonCase(_ python: PythonProgram, _ strategy: ComputeStrategy, workers: Int) -> BenchCase {
        let arguments = [strategy.rawValue, String(workers), String(range.upperBound)]
        return BenchCase(
            workload: name, strategy: strategy.rawValue, engine: "python", workers: workers, phase: .peers
        ) {
            let output = try python.run(arguments)
            let count = output.unsigned("count")
            let sum = output.fields["sum"].flatMap { UInt128($0) }
            let locked = strategy == .threads && output.fields["gil"] != "false"
            return BenchMeasurement(
                wallSeconds: output.wallSeconds, cpuSeconds: output.cpuSeconds,
                answer: BenchAnswer(count: count, sum: sum, failed: output.ok && count != nil && sum != nil ? 0 : 1),
                computingWorkers: locked ? 1 : nil)
        }
    }

    private func strategyCase(_ strategy: ComputeStrategy, engine: EngineKind, workers: Int) -> BenchCase {
        let job = PrimesJob(range: range, engine: engine, strategy: strategy, workers: workers)
        let options = RunOptions(stopOnSignals: stopOnSignals, workerDied: workerDied)
        return BenchCase(
            workload: name, strategy: strategy.rawValue, engine: engine.rawValue, workers: workers,
            phase: strategy == .processes ? .forks : .inProcess
        ) {
            let outcome = try PrimesRunner.run(job, options: options)
            return BenchMeasurement(
                wallSeconds: outcome.wallSeconds, cpuSeconds: outcome.cpuSeconds,
                answer: BenchAnswer(count: outcome.totals.count, sum: outcome.totals.sum))
        }
    }

    /// One engine call over the whole range: the hot loop with no Swift orchestration around it.
    /// Making the engine is timed, as the serial strategy's time includes making its engine.
    private func hotLoopCase(_ engine: EngineKind) -> BenchCase {
        let range = range
        return BenchCase(
            workload: name, strategy: "hot-loop", engine: engine.rawValue, workers: 1,
            phase: .inProcess
        ) {
            let stopwatch = Stopwatch()
            let totals = try engine.totals(in: range, sum: true)
            return BenchMeasurement(
                wallSeconds: stopwatch.wallSeconds, cpuSeconds: stopwatch.cpuSeconds,
                answer: BenchAnswer(count: totals.count, sum: totals.sum))
        }
    }

    /// `mpirun -np RANKS hybrid primes FROM TO --strategy mpi --workers 1 --json`; the answer is
    /// its report's.
    private func mpiCase(_ mpirun: MPIBenchLauncher, engine: EngineKind, ranks: Int) -> BenchCase {
        let command = [
            "primes", String(range.lowerBound), String(range.upperBound), "--engine", engine.rawValue, "--json",
            "--no-progress",
        ]
        return BenchCase(
            workload: name, strategy: "mpi", engine: engine.rawValue, workers: ranks, phase: .peers
        ) {
            let outcome = try mpirun.run(ranks: ranks, command)
            let count = Self.field("count", in: outcome.output).flatMap { UInt64($0) }
            let sum = Self.field("sum", in: outcome.output).flatMap { UInt128($0) }
            return BenchMeasurement(
                wallSeconds: outcome.wallSeconds, cpuSeconds: outcome.cpuSeconds,
                answer: BenchAnswer(count: count, sum: sum, failed: outcome.status == 0 && count != nil ? 0 : 1))
        }
    }

    /// A number or decimal string field of a one-line JSON run report: `"name": 12` or `"name": "12"`.
    private static func field(_ name: String, in report: String) -> String? {
        let key = Array("\"\(name)\": ".utf8)
        let bytes = Array(report.utf8)
        guard bytes.count >= key.count,
            let start = (0...(bytes.count - key.count)).first(where: { bytes[$0..<($0 + key.count)].elementsEqual(key) }
            )
        else { return nil }
        let value = bytes[(start + key.count)...].drop { $0 == UInt8(ascii: "\"") }.prefix { (48...57).contains($0) }
        return value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
    }

    /// `primesieve [FROM] STOP -c -t T -q`: its STOP is inclusive, so it gets `to - 1`.
    private func primesieveCase(_ primesieve: ExternalCommand, threads: Int) -> BenchCase {
        var arguments: [String] = []
        if range.lowerBound > 0 { arguments.append(String(range.lowerBound)) }
        arguments += [
            String(range.upperBound == 0 ? 0 : range.upperBound - 1), "-c", "-t", String(threads),
            "-q",
        ]
        return BenchCase(
            workload: name, strategy: "peer", engine: "primesieve", workers: threads, phase: .peers
        ) {
            let outcome = try primesieve.run(arguments)
            let count = outcome.output.split(whereSeparator: \.isWhitespace).first.flatMap { UInt64($0) }
            return BenchMeasurement(
                wallSeconds: outcome.wallSeconds, cpuSeconds: outcome.cpuSeconds,
                answer: BenchAnswer(
                    count: count, sum: nil, failed: outcome.status == 0 && count != nil ? 0 : 1))
        }
    }
}

extension PrimesBench {
    package func finish() { python?.remove() }

    package func describe(_ answer: BenchAnswer) -> String {
        "\(answer.count.map(groupedDigits) ?? "?") primes summing to \(answer.sum.map(groupedDigits) ?? "?")"
    }

    /// The cost of orchestration: per engine, the serial run over the chunks (Swift hands each
    /// chunk to the engine and adds up the totals) against one engine call over the whole range.
    package func notes(_ summaries: [BenchSummary]) -> [String] {
        let mine = summaries.filter { $0.key.workload == name }
        let chunks = ChunkPlan(range: range, workers: 1).count
        return engines.compactMap { engine in
            guard
                let serial = mine.first(where: {
                    $0.key.strategy == "serial" && $0.key.engine == engine.rawValue
                }),
                let hotLoop = mine.first(where: {
                    $0.key.strategy == "hot-loop" && $0.key.engine == engine.rawValue
                })
            else { return nil }
            let cost = serial.minimumWall - hotLoop.minimumWall
            let percent = hotLoop.minimumWall > 0 ? cost / hotLoop.minimumWall * 100 : 0
            // A negative cost is noise (or smaller chunks fitting the caches better): said as such.
            let verdict =
                cost >= 0
                ? "the orchestration costs \(formatSeconds(cost)) (\(fixed(percent, digits: 1))%)"
                : "the chunked run was faster by \(formatSeconds(-cost)) (\(fixed(-percent, digits: 1))%): no measurable cost"
            return
                "orchestration, \(engine.rawValue) engine: serial over \(chunks) chunks \(formatSeconds(serial.minimumWall)), "
                + "one call over the whole range \(formatSeconds(hotLoop.minimumWall)): \(verdict)"
        }
    }
}
