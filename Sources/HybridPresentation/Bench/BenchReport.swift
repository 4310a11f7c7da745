import HybridKit

/// A finished sweep: every run, their summaries and the answer checks, written as a table for
/// people, as CSV (one row per run), as JSON, or as an SVG chart.
package struct BenchReport: Sendable {
    /// Each workload's name and description, in the order measured.
    package var workloads: [WorkloadHeading]
    package var runs: [BenchRun]
    package var summaries: [BenchSummary]
    package var checks: [AnswerCheck]
    /// Lines under each workload's table (orchestration costs), by workload name.
    package var notes: [String: [String]]
    package var repetitions: Int
    package var cores: Int

    package init(
        workloads: [WorkloadHeading], runs: [BenchRun], summaries: [BenchSummary], checks: [AnswerCheck],
        notes: [String: [String]], repetitions: Int, cores: Int
    ) {
        self.workloads = workloads
        self.runs = runs
        self.summaries = summaries
        self.checks = checks
        self.notes = notes
        self.repetitions = repetitions
        self.cores = cores
    }

    /// Whether every workload's runs agreed.
    package var answersAgree: Bool { checks.allSatisfy(\.agrees) }

    /// Whether any case's fastest run was busy: the machine was too loaded to measure on.
    package var busy: Bool { summaries.contains(where: \.busy) }

    /// One line on how busy the machine was, from the busy cases' fastest runs; nil when none was.
    package var busyLine: String? {
        let busy = summaries.filter(\.busy)
        guard !busy.isEmpty else { return nil }
        let shares = busy.compactMap { $0.shareOfFastest?.cpuShare }
        let loads = busy.compactMap { $0.shareOfFastest?.loadAverage }
        let pressures = busy.compactMap { $0.shareOfFastest?.cpuPressure }
        var line =
            "the machine was busy: \(busy.count) case\(busy.count == 1 ? "" : "s") got as little as "
            + "\(Int(((shares.min() ?? 0) * 100).rounded()))% of their cores in every run"
        if let load = loads.max() { line += ", load average up to \(fixed(load, digits: 1)) on \(cores) cores" }
        if let pressure = pressures.max() { line += ", tasks waiting for a CPU \(Int(pressure * 100))% of the time" }
        return line + ". Close other work, or run again when the machine is idle."
    }

    /// Runs `workloads` over `workers`, `repetitions` times each, then releases what they started.
    /// A busy run is run again up to `busyReruns` more times (see ``BenchSweep``).
    package static func measure(
        _ workloads: [any BenchWorkload], workers: [Int], repetitions: Int,
        cores: Int = ProcessorCount.available, busyReruns: Int = BenchSweep.defaultBusyReruns,
        progress: (_ done: Int, _ total: Int, _ current: BenchCase, _ repetition: Int) -> Void = {
            _, _, _, _ in
        }
    )
        throws -> BenchReport
    {
        try measure(
            workloads.map { ($0, workers) }, repetitions: repetitions, cores: cores, busyReruns: busyReruns,
            progress: progress)
    }

    /// Runs each workload over its own worker counts, `repetitions` times each, then releases
    /// what they started.
    package static func measure(
        _ plan: [(workload: any BenchWorkload, workers: [Int])], repetitions: Int,
        cores: Int = ProcessorCount.available, busyReruns: Int = BenchSweep.defaultBusyReruns,
        progress: (_ done: Int, _ total: Int, _ current: BenchCase, _ repetition: Int) -> Void = {
            _, _, _, _ in
        }
    )
        throws -> BenchReport
    {
        let workloads = plan.map(\.workload)
        defer { for workload in workloads { workload.finish() } }
        let sweep = BenchSweep(
            cases: plan.flatMap { $0.workload.cases(workers: $0.workers) }, repetitions: repetitions, cores: cores,
            busyReruns: busyReruns)
        let runs = try sweep.run(progress: progress)
        let summaries = BenchSummary.summarise(runs)
        return BenchReport(
            workloads: workloads.map(WorkloadHeading.init), runs: runs,
            summaries: summaries,
            checks: workloads.map { workload in
                AnswerCheck.check(workload: workload.name, runs: runs, describe: workload.describe)
            },
            notes: Dictionary(
                workloads.map { ($0.name, $0.notes(summaries)) },
                uniquingKeysWith: { first, _ in first }),
            repetitions: repetitions, cores: cores)
    }

    /// Per workload: a heading, the table of summaries, its notes and its answer check.
    package func text() -> String {
        var text = ""
        for (index, workload) in workloads.enumerated() {
            if index > 0 { text += "\n" }
            text +=
                "\(workload.name): \(workload.description); fastest and median of \(repetitions) "
                + "run\(repetitions == 1 ? "" : "s") each, \(cores) cores\n"
            var table = TextTable(
                headers: ["strategy", "engine", "workers", "min", "median", "cpu", "speedup"],
                rightAligned: [2, 3, 4, 5, 6])
            for summary in summaries where summary.key.workload == workload.name {
                table.append([
                    summary.key.strategy, summary.key.engine, String(summary.key.workers),
                    formatSeconds(summary.minimumWall), formatSeconds(summary.medianWall),
                    formatSeconds(summary.cpuOfFastest), formatSpeedup(summary.speedup),
                ])
            }
            text += table.text()
            for note in notes[workload.name] ?? [] { text += note + "\n" }
            let busy = summaries.filter { $0.key.workload == workload.name && $0.busy }
            if !busy.isEmpty {
                text +=
                    "busy: \(busy.map { "\($0.key.strategy) \($0.key.engine) \($0.key.workers)" }.joined(separator: ", ")) "
                    + "(CPU share below \(Int(MachineShare.busyThreshold * 100))% in every run): not a measurement\n"
            }
            for check in checks where check.workload == workload.name { text += check.line + "\n" }
        }
        return text
    }

    /// The CSV columns, in order.
    package static let csvColumns = [
        "workload", "strategy", "engine", "workers", "run", "wall_seconds", "cpu_seconds", "count",
        "sum", "failed", "cpu_share", "load_average", "cpu_pressure", "busy",
    ]

    /// One header line and one row per run.
    package func csv() -> String {
        var lines = [Self.csvColumns.joined(separator: ",")]
        for run in runs {
            let answer = run.measurement.answer
            let cells = [
                run.key.workload, run.key.strategy, run.key.engine, String(run.key.workers),
                String(run.repetition),
                fixed(run.measurement.wallSeconds, digits: 6),
                fixed(run.measurement.cpuSeconds, digits: 6),
                answer.count.map { String($0) } ?? "", answer.sum.map { String($0) } ?? "",
                String(answer.failed),
                run.measurement.share.map { fixed($0.cpuShare, digits: 3) } ?? "",
                run.measurement.share?.loadAverage.map { fixed($0, digits: 2) } ?? "",
                run.measurement.share?.cpuPressure.map { fixed($0, digits: 3) } ?? "",
                String(run.measurement.busy),
            ]
            lines.append(cells.map(csvCell).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The whole report as one JSON object: cores, repeat, every run, every summary, the checks.
    /// Counts and sums are decimal strings (sums pass 2^64).
    package func json() -> String {
        func key(_ key: BenchKey) -> [(String, JSONValue)] {
            [
                ("workload", .string(key.workload)), ("strategy", .string(key.strategy)),
                ("engine", .string(key.engine)), ("workers", .integer(Int64(key.workers))),
            ]
        }
        func answer(_ answer: BenchAnswer) -> [(String, JSONValue)] {
            [
                ("count", answer.count.map { .string(String($0)) } ?? .null),
                ("sum", answer.sum.map { .string(String($0)) } ?? .null),
                ("failed", .integer(Int64(answer.failed))),
            ]
        }
        return JSONValue.object([
            ("cores", .integer(Int64(cores))),
            ("repeat", .integer(Int64(repetitions))),
            (
                "workloads",
                .array(
                    workloads.map {
                        .object([
                            ("name", .string($0.name)), ("description", .string($0.description)),
                        ])
                    })
            ),
            (
                "runs",
                .array(
                    runs.map { run in
                        .object(
                            key(run.key) + [
                                ("run", .integer(Int64(run.repetition))),
                                ("seconds", .number(run.measurement.wallSeconds)),
                                ("cpu_seconds", .number(run.measurement.cpuSeconds)),
                            ]
                                + answer(run.measurement.answer) + Self.shareMembers(run.measurement))
                    })
            ),
            (
                "summary",
                .array(
                    summaries.map { summary in
                        .object(
                            key(summary.key) + [
                                ("runs", .integer(Int64(summary.runs))),
                                ("min_seconds", .number(summary.minimumWall)),
                                ("median_seconds", .number(summary.medianWall)),
                                ("max_seconds", .number(summary.maximumWall)),
                                ("busy_runs", .integer(Int64(summary.busyRuns))),
                                ("cpu_seconds", .number(summary.cpuOfFastest)),
                                ("speedup", summary.speedup.map { .number($0) } ?? .null),
                            ])
                    })
            ),
            ("busy", .bool(busy)),
            ("answers_agree", .bool(answersAgree)),
            ("checks", .array(checks.map { .string($0.line) })),
        ]).serialized()
    }

    /// A run's share of the machine as JSON members: cpu_share, load_average, cpu_pressure, busy.
    package static func shareMembers(_ measurement: BenchMeasurement) -> [(String, JSONValue)] {
        let share = measurement.share
        return [
            ("cpu_share", share.map { .number($0.cpuShare) } ?? .null),
            ("load_average", share?.loadAverage.map { .number($0) } ?? .null),
            ("cpu_pressure", share?.cpuPressure.map { .number($0) } ?? .null),
            ("busy", .bool(measurement.busy)),
        ]
    }

    /// The chart of time against workers: see ``ScalingChart``.
    package func svg() -> String {
        ScalingChart(
            workloads: workloads, summaries: summaries, cores: cores, repetitions: repetitions
        ).svg()
    }
}

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
func csvCell(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
    return "\"" + text.map { $0 == "\"" ? "\"\"" : String($0) }.joined() + "\""
}
