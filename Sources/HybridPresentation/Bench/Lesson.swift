import HybridKit

/// The lesson `hybrid` runs with no arguments: the I/O-bound workload (URLs fetched serially,
/// by threads, by one event loop, by threads each with an event loop) and the CPU-bound one (the
/// sum of the primes below a size, serially, by threads and by processes, with the C and the
/// Swift engine), one table each, and a verdict drawn from the measurements.
///
/// With python3 on the `PATH` the article's own Python programs (``ArticlePrograms``) run too, as
/// engine `python`: its fetch serially and on threads, in the fetch table; its prime sum
/// serially, on threads and on `multiprocessing.Pool`, below ``pythonPrimesTo`` (a size Python
/// sums in about a second), in a third table beside the C engine on the same numbers.
package struct Lesson {
    /// The primes are summed below this.
    package var primesTo: UInt64
    /// The Python prime sum, and the C engine beside it, run below this: the article's size.
    package var pythonPrimesTo: UInt64
    /// The third table's workload name: the primes at the article's size.
    package static let articleWorkload = "article-primes"
    /// URLs to fetch, each answered after `latencyMilliseconds`.
    package var urls: Int
    package var latencyMilliseconds: Int
    /// Transfers in flight for the concurrent fetch strategies.
    package var inFlight: Int
    /// The cores a run's CPU share is judged against.
    package var cores: Int
    /// Workers for the concurrent primes strategies: by default one per core.
    package var workers: Int
    /// How many more times a run the machine starved is run (see ``BenchSweep``).
    package var busyReruns = BenchSweep.defaultBusyReruns

    /// The transfers in flight the lesson compares by default: the article's 100 URLs at once.
    package static let defaultInFlight = 100

    /// The defaults: about 2 s of serial sieving with the C engine, 100 URLs of 50 ms, one worker
    /// per core.
    package init(
        primesTo: UInt64 = 20_000_000_000, urls: Int = 100, latencyMilliseconds: Int = 50,
        inFlight: Int = Lesson.defaultInFlight, cores: Int = ProcessorCount.available, workers: Int? = nil,
        pythonPrimesTo: UInt64 = 1_000_000
    ) {
        self.primesTo = primesTo
        self.pythonPrimesTo = pythonPrimesTo
        self.urls = urls
        self.latencyMilliseconds = latencyMilliseconds
        self.inFlight = inFlight
        self.cores = cores
        self.workers = workers ?? cores
    }

    /// Runs the lesson once. The CPU-bound runs go first (forks need a single-threaded
    /// process), the fetches after, with the server `startServer` starts (see ``FetchBench``).
    package func run(
        startServer: @escaping () throws -> String, stopServer: @escaping () -> Void,
        stopOnSignals: Bool = false, workerDied: @escaping @Sendable (WorkerDeath) -> Void = { _ in },
        progress: (_ done: Int, _ total: Int, _ current: BenchCase, _ repetition: Int) -> Void = {
            _, _, _, _ in
        }
    )
        throws -> LessonReport
    {
        let primes = PrimesBench(
            range: 0..<primesTo, includesHotLoop: false, peers: false, stopOnSignals: stopOnSignals)
        primes.workerDied = workerDied
        let python = PythonProgram.find() != nil
        let fetch = FetchBench(
            urls: urls, latencyMilliseconds: latencyMilliseconds, peers: false, python: python,
            startServer: startServer, stopServer: stopServer)
        var plan: [(workload: any BenchWorkload, workers: [Int])] = [(fetch, [inFlight]), (primes, [workers])]
        if python {
            let article = PrimesBench(
                range: 0..<pythonPrimesTo, includesHotLoop: false, peers: false, python: true,
                stopOnSignals: stopOnSignals, name: Self.articleWorkload)
            article.engines = [.c]
            article.workerDied = workerDied
            plan.append((article, [workers]))
        }
        let report = try BenchReport.measure(
            plan, repetitions: 1, cores: cores, busyReruns: busyReruns, progress: progress)
        // The same question answered without sieving, for one line of the verdict: the lesson
        // itself sieves, because its point is CPU work.
        let stopwatch = Stopwatch()
        let totals = try CombinatorialEngine.totals(upTo: primesTo - 1)
        let combinatorial = CombinatorialAnswer(seconds: stopwatch.wallSeconds, totals: totals)
        return LessonReport(
            report: report, inFlight: inFlight, combinatorial: combinatorial,
            pythonSkipped: python ? nil : "python3 is not on the PATH: the article's Python programs were skipped.",
            primesTo: primesTo, articleTo: python ? pythonPrimesTo : nil)
    }
}

/// The lesson's sum answered by the combinatorial method: how long it took and what it found.
package struct CombinatorialAnswer: Sendable {
    package var seconds: Double
    package var totals: PrimeTotals

    package init(seconds: Double, totals: PrimeTotals) {
        self.seconds = seconds
        self.totals = totals
    }
}

/// What the lesson measured, as two tables and a verdict.
package struct LessonReport: Sendable {
    package var report: BenchReport
    package var inFlight: Int
    package var combinatorial: CombinatorialAnswer?
    /// Why the article's Python programs did not run; nil when they did.
    package var pythonSkipped: String?
    /// The primes were summed below this, and at the article's size below `articleTo`.
    package var primesTo: UInt64?
    package var articleTo: UInt64?

    package init(
        report: BenchReport, inFlight: Int, combinatorial: CombinatorialAnswer? = nil, pythonSkipped: String? = nil,
        primesTo: UInt64? = nil, articleTo: UInt64? = nil
    ) {
        self.report = report
        self.inFlight = inFlight
        self.combinatorial = combinatorial
        self.pythonSkipped = pythonSkipped
        self.primesTo = primesTo
        self.articleTo = articleTo
    }

    /// Whether every run agreed, the combinatorial answer included.
    package var answersAgree: Bool { report.answersAgree && combinatorialAgrees != false }

    /// Whether the combinatorial answer matched the sieve's; nil without one of either.
    var combinatorialAgrees: Bool? {
        guard let combinatorial, let sieved = summary("primes", "serial", "c")?.answer else { return nil }
        return sieved.count == combinatorial.totals.count && sieved.sum == combinatorial.totals.sum
    }

    private func summary(_ workload: String, _ strategy: String, _ engine: String) -> BenchSummary? {
        report.summaries.first {
            $0.key.workload == workload && $0.key.strategy == strategy && $0.key.engine == engine
        }
    }

    /// The whole lesson as one JSON object: `busy`, the cores, every run (workload, strategy,
    /// engine, workers, wall, cpu, cpu_share, load_average, cpu_pressure, busy), the verdict's
    /// lines and whether the answers agree.
    package func json() -> String {
        let runs: [JSONValue] = report.runs.map { run in
            .object(
                [
                    ("workload", .string(run.key.workload)), ("strategy", .string(run.key.strategy)),
                    ("engine", .string(run.key.engine)), ("workers", .integer(Int64(run.key.workers))),
                    ("wall", .number(run.measurement.wallSeconds)), ("cpu", .number(run.measurement.cpuSeconds)),
                ] + BenchReport.shareMembers(run.measurement))
        }
        return JSONValue.object([
            ("busy", .bool(report.busy)), ("cores", .integer(Int64(report.cores))), ("runs", .array(runs)),
            ("verdict", .array(verdict().map { .string($0) })), ("answers_agree", .bool(answersAgree)),
            ("combinatorial_seconds", combinatorial.map { .number($0.seconds) } ?? .null),
            ("python_skipped", pythonSkipped.map { .string($0) } ?? .null),
        ]).serialized()
    }

    /// The chart of the lesson's runs, the one `hybrid bench --svg` draws (see ``ScalingChart``).
    package func svg() -> String { report.svg() }

    /// The tables, then the verdict.
    package func text() -> String {
        var text =
            "hybrid: threads for I/O-bound work, processes for CPU-bound work? Measured on this machine "
            + "(\(report.cores) cores).\n"
        for workload in report.workloads {
            let kind =
                workload.name == "fetch"
                ? "I/O-bound" : workload.name == Lesson.articleWorkload ? "CPU-bound, the article's size" : "CPU-bound"
            let workersMeaning =
                workload.workersMeaning == "workers" ? "" : "; workers = \(workload.workersMeaning)"
            text += "\n\(kind): \(workload.name), \(workload.description)\(workersMeaning)\n"
            var table = TextTable(
                headers: ["strategy", "engine", "workers", "wall", "cpu", "speedup", "machine"],
                rightAligned: [2, 3, 4, 5])
            for summary in report.summaries where summary.key.workload == workload.name {
                table.append([
                    summary.key.strategy, summary.key.engine, String(summary.key.workers),
                    formatSeconds(summary.minimumWall), formatSeconds(summary.cpuOfFastest),
                    formatSpeedup(summary.speedup), machineCell(summary),
                ])
            }
            text += table.text()
        }
        text += "\nVerdict\n"
        for line in verdict() { text += "- " + line + "\n" }
        return text
    }

    /// A few lines drawn from the measurements, not recited.
    package func verdict() -> [String] {
        var lines: [String] = []
        let fetchers = ["threads", "multi", "threads-multi"].compactMap { strategy in
            summary("fetch", strategy, "libcurl").map { "\(strategy) \(formatSpeedup($0.speedup))" }
        }
        if !fetchers.isEmpty {
            let multi = summary("fetch", "multi", "libcurl")
            let threads = summary("fetch", "threads", "libcurl")
            var line =
                "I/O-bound: \(fetchers.joined(separator: ", ")) faster than serial: the waits overlap."
            if let multi, let threads {
                line +=
                    " One thread with an event loop (multi) "
                    + comparison(
                        multi.minimumWall, against: threads.minimumWall,
                        what: "\(threads.key.workers) threads")
                    + "."
            }
            lines.append(line)
        }
        if let line = pythonFetchLine() { lines.append(line) }
        let threadsC = summary("primes", "threads", "c")
        let threadsSwift = summary("primes", "threads", "swift")
        let processesC = summary("primes", "processes", "c")
        let processesSwift = summary("primes", "processes", "swift")
        let primesBusy = report.summaries.contains { $0.key.workload == "primes" && $0.busy }
        if primesBusy, let busyLine = report.busyLine {
            // Numbers a starved machine gave say nothing about threads or processes.
            lines.append("CPU-bound: no lesson drawn: \(busyLine)")
        } else if let threadsC, let threadsSwift, let processesC, let processesSwift {
            let workers = threadsC.key.workers
            // Workers past the cores only share them: the speedup to expect stops at the cores.
            let usable = min(workers, report.cores)
            let best = max(threadsC.speedup ?? 0, threadsSwift.speedup ?? 0)
            // Said only when measured: threads that pay off show the missing interpreter lock.
            let why =
                best >= 1 + 0.3 * Double(usable - 1) && usable > 1
                ? "Swift has no global interpreter lock, so threads use every core"
                : "threads did not pay off here"
                    + (workers == 1 ? " (one worker)" : usable == 1 ? " (one core for this process)" : "")
            lines.append(
                "CPU-bound, \(workers) workers: threads \(formatSpeedup(threadsC.speedup)) (C) and "
                    + "\(formatSpeedup(threadsSwift.speedup)) (Swift) faster than serial — \(why); "
                    + "processes \(formatSpeedup(processesC.speedup)) and \(formatSpeedup(processesSwift.speedup)): "
                    + "with the C engine, processes "
                    + comparison(
                        processesC.minimumWall, against: threadsC.minimumWall, what: "threads",
                        plural: true) + ".")
        }
        if !primesBusy, let serialC = summary("primes", "serial", "c"),
            let serialSwift = summary("primes", "serial", "swift"),
            serialC.minimumWall > 0
        {
            lines.append(
                "The Swift engine took \(fixed(serialSwift.minimumWall / serialC.minimumWall, digits: 2))x "
                    + "the C engine's time for the same hot loop, serially.")
        }
        if let combinatorial, let agrees = combinatorialAgrees, let serial = summary("primes", "serial", "c") {
            lines.append(
                agrees
                    ? "The combinatorial method (Deleglise-Rivat, one thread) answers the same sum in "
                        + "\(formatSeconds(combinatorial.seconds)) against the serial sieve's "
                        + "\(formatSeconds(serial.minimumWall)): it never looks at most numbers. The lesson sieves "
                        + "because its point is CPU work."
                    : "THE COMBINATORIAL METHOD DISAGREES: \(combinatorial.totals.count) primes, sum "
                        + "\(combinatorial.totals.sum.map(String.init) ?? "-").")
        }
        lines += pythonPrimesLines()
        if let pythonSkipped { lines.append(pythonSkipped) }
        let agree = report.checks.allSatisfy(\.agrees)
        lines.append(
            (agree ? "Every answer agrees. " : "ANSWERS DISAGREE. ")
                + report.checks.map(\.line).joined(separator: "; "))
        return lines
    }

    /// The article's Python fetch, serially and on threads, against hybrid's event loop.
    private func pythonFetchLine() -> String? {
        guard let serial = summary("fetch", "serial", "python"), let threads = summary("fetch", "threads", "python")
        else { return nil }
        let workers = threads.key.workers
        let paid = (threads.speedup ?? 0) >= 2 && workers > 1
        var line =
            "The article's Python fetch: \(workers) threads \(formatSpeedup(threads.speedup)) faster than serial "
            + "(\(formatSeconds(serial.minimumWall)))"
            + (paid
                ? ": a thread waiting on the network lets go of the interpreter lock, so threads pay off for I/O in Python too."
                : ": threads did not pay off here.")
        if let multi = summary("fetch", "multi", "libcurl") {
            line +=
                " hybrid's multi "
                + comparison(multi.minimumWall, against: threads.minimumWall, what: "Python's threads") + "."
        }
        return line
    }

    /// The article's Python prime sum by serial, threads and processes, then the C engine on
    /// the same numbers and the per-number rates of both.
    private func pythonPrimesLines() -> [String] {
        let article = Lesson.articleWorkload
        guard let serial = summary(article, "serial", "python"), let threads = summary(article, "threads", "python"),
            let processes = summary(article, "processes", "python")
        else { return [] }
        let size = articleTo.map(groupedDigits) ?? "?"
        if report.summaries.contains(where: { $0.key.workload == article && $0.busy }) {
            return ["The article's Python below \(size): no lesson drawn: the machine was busy."]
        }
        let workers = threads.key.workers
        let coresUsed = threads.minimumWall > 0 ? threads.cpuOfFastest / threads.minimumWall : 0
        let cores = "\(fixed(coresUsed, digits: 2)) cores"
        let why: String
        if workers < 2 {
            why = "one worker, so threads cannot pay off"
        } else if (threads.speedup ?? 0) < 1 + 0.3 * Double(min(workers, report.cores) - 1) && coresUsed < 1.3 {
            why =
                "its \(workers) threads kept \(cores) busy between them: the global interpreter lock runs one thread's Python at a time"
        } else {
            why = "its \(workers) threads kept \(cores) busy: this Python runs threads in parallel"
        }
        var lines = [
            "The article's Python below \(size): threads \(formatSpeedup(threads.speedup)) faster than serial "
                + "(\(formatSeconds(serial.minimumWall))) — \(why); multiprocessing.Pool(\(processes.key.workers)) "
                + "\(formatSpeedup(processes.speedup)): each process has an interpreter of its own."
        ]
        if let serialC = summary(article, "serial", "c"), serialC.minimumWall > 0, serial.minimumWall > 0,
            let articleTo
        {
            let ratio = serial.minimumWall / serialC.minimumWall
            var line =
                "On the same numbers the C engine's serial sieve takes \(formatSeconds(serialC.minimumWall)), "
                + "\(ratio >= 100 ? groupedDigits(Int(ratio.rounded())) + "x" : formatSpeedup(ratio)) faster than Python's "
                + "trial division; per number, Python tests "
                + formatRate(Double(articleTo) / serial.minimumWall, unit: "numbers/s")
            if let primesTo, let big = summary("primes", "serial", "c"), big.minimumWall > 0 {
                line +=
                    " and the C sieve \(formatRate(Double(primesTo) / big.minimumWall, unit: "numbers/s")) "
                    + "below \(groupedDigits(primesTo))"
            }
            lines.append(line + ".")
        }
        return lines
    }

    /// `busy (52% of cores, 3 runs)` for a case whose every run was busy, `-` for I/O-bound ones,
    /// else the fastest run's CPU share.
    private func machineCell(_ summary: BenchSummary) -> String {
        guard let share = summary.shareOfFastest else { return "" }
        let percent = "\(Int((share.cpuShare * 100).rounded()))% of cores"
        if summary.busy { return "busy (\(percent), \(summary.runs) runs)" }
        return summary.key.workload == "fetch" ? "-" : percent
    }

    /// `matches 100 threads (0.061 s against 0.063 s)`: within 10% is a match.
    private func comparison(
        _ time: Double, against other: Double, what: String, plural: Bool = false
    ) -> String {
        let ratio = other > 0 ? time / other : 1
        let verb =
            (ratio < 0.9 ? "beat" : ratio > 1.1 ? "trail" : "match")
            + (plural ? "" : ratio > 1.1 || ratio < 0.9 ? "s" : "es")
        return "\(verb) \(what) (\(formatSeconds(time)) against \(formatSeconds(other)))"
    }
}
