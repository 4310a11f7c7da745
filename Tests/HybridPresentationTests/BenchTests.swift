import Foundation
import HybridKit
import HybridPresentation
import Testing

/// A case that takes no time and answers what it is told: the sweep, the statistics and the
/// writers are checked on answers, never on times.
private func fakeCase(
    _ strategy: String, _ engine: String, workers: Int, phase: BenchPhase = .inProcess,
    walls: [Double], answer: BenchAnswer = BenchAnswer(count: 25, sum: 1060),
    log: Log? = nil
) -> BenchCase {
    let next = Counter()
    return BenchCase(
        workload: "primes", strategy: strategy, engine: engine, workers: workers, phase: phase
    ) {
        log?.entries.append("\(strategy) \(engine) \(workers)")
        let wall = walls[next.value % walls.count]
        next.value += 1
        return BenchMeasurement(
            wallSeconds: wall, cpuSeconds: wall * Double(workers), answer: answer)
    }
}

private final class Counter { var value = 0 }
private final class Log { var entries: [String] = [] }

@Suite("The bench: statistics, sweep order, answer checks, CSV, SVG")
struct BenchTests {
    @Test("minimum and median of odd, even and empty lists")
    func statistics() {
        #expect(BenchStatistics.minimum([3, 1, 2]) == 1)
        #expect(BenchStatistics.median([3, 1, 2]) == 2)
        #expect(BenchStatistics.median([4, 1, 3, 2]) == 2.5)
        #expect(BenchStatistics.median([7]) == 7)
        #expect(BenchStatistics.minimum([]) == nil)
        #expect(BenchStatistics.median([]) == nil)
    }

    @Test("summaries: min and median per case, speedup over the serial run of the same engine")
    func summaries() throws {
        let cases = [
            fakeCase("serial", "c", workers: 1, walls: [4, 2, 3]),
            fakeCase("serial", "swift", workers: 1, walls: [6]),
            fakeCase("threads", "c", workers: 2, walls: [1, 1.5, 1.2]),
            fakeCase("threads", "swift", workers: 2, walls: [2, 3, 4]),
        ]
        let runs = try BenchSweep(cases: cases, repetitions: 3).run()
        let summaries = BenchSummary.summarise(runs)
        #expect(summaries.map(\.key.strategy) == ["serial", "serial", "threads", "threads"])
        #expect(summaries.map(\.runs) == [3, 3, 3, 3])
        #expect(summaries[0].minimumWall == 2 && summaries[0].medianWall == 3)
        #expect(summaries[2].minimumWall == 1 && summaries[2].medianWall == 1.2)
        #expect(summaries[2].speedup == 2)  // serial c 2 s over threads c 1 s
        #expect(summaries[3].speedup == 3)  // serial swift 6 s over threads swift 2 s
        #expect(summaries[2].cpuOfFastest == 2)  // the fastest run's CPU time
    }

    @Test("forking cases run first, then in-process cases, then peers; repetitions alternate")
    func runOrder() throws {
        let log = Log()
        let cases = [
            fakeCase("peer", "primesieve", workers: 2, phase: .peers, walls: [1], log: log),
            fakeCase("serial", "c", workers: 1, walls: [1], log: log),
            fakeCase("processes", "c", workers: 2, phase: .forks, walls: [1], log: log),
            fakeCase("processes", "swift", workers: 2, phase: .forks, walls: [1], log: log),
        ]
        let runs = try BenchSweep(cases: cases, repetitions: 2).run()
        #expect(
            log.entries == [
                "processes c 2", "processes swift 2", "processes c 2", "processes swift 2",
                "serial c 1", "serial c 1", "peer primesieve 2", "peer primesieve 2",
            ])
        // Reported in the cases' own order, each case's runs together.
        #expect(
            runs.map(\.key.strategy) == [
                "peer", "peer", "serial", "serial", "processes", "processes",
                "processes", "processes",
            ])
        #expect(runs.map(\.repetition) == [1, 2, 1, 2, 1, 2, 1, 2])
    }

    @Test("answers agree only when every count and sum match and nothing failed")
    func answerCheck() throws {
        let same = try BenchSweep(
            cases: [
                fakeCase("serial", "c", workers: 1, walls: [1]),
                fakeCase(
                    "peer", "primesieve", workers: 1, phase: .peers, walls: [1],
                    answer: BenchAnswer(count: 25, sum: nil)),
            ], repetitions: 2
        ).run()
        let agreed = AnswerCheck.check(workload: "primes", runs: same) { "\($0.count!) primes" }
        #expect(agreed.agrees)
        #expect(
            agreed.line == "primes: answers agree: all 4 runs (primesieve included) found 25 primes"
        )

        let different = try BenchSweep(
            cases: [
                fakeCase("serial", "c", workers: 1, walls: [1]),
                fakeCase(
                    "threads", "c", workers: 2, walls: [1],
                    answer: BenchAnswer(count: 25, sum: 1061)),
                fakeCase(
                    "peer", "primesieve", workers: 1, phase: .peers, walls: [1],
                    answer: BenchAnswer(count: 26, sum: nil)),
            ], repetitions: 1
        ).run()
        let disagreed = AnswerCheck.check(workload: "primes", runs: different) { _ in "" }
        #expect(!disagreed.agrees)
        #expect(
            disagreed.line.contains("2 different counts")
                && disagreed.line.contains("2 different sums"))

        let failed = try BenchSweep(
            cases: [
                fakeCase(
                    "serial", "libcurl", workers: 1, walls: [1],
                    answer: BenchAnswer(count: 9, sum: 9, failed: 1))
            ], repetitions: 1
        ).run()
        #expect(!AnswerCheck.check(workload: "primes", runs: failed) { _ in "" }.agrees)
    }

    private func report(repetitions: Int = 2) throws -> BenchReport {
        final class Fake: BenchWorkload {
            let name = "primes"
            let description = "sum of the primes below 100"
            func cases(workers: [Int]) -> [BenchCase] {
                [
                    fakeCase("serial", "c", workers: 1, walls: [2]),
                    fakeCase("hot-loop", "c", workers: 1, walls: [1.9]),
                ]
                    + workers.map {
                        fakeCase("threads", "c", workers: $0, walls: [2 / Double(min($0, 2))])
                    }
                    + workers.map {
                        fakeCase(
                            "processes", "swift", workers: $0, phase: .forks,
                            walls: [2.2 / Double(min($0, 2))])
                    }
            }
        }
        return try BenchReport.measure(
            [Fake()], workers: [1, 2, 4], repetitions: repetitions, cores: 2)
    }

    @Test("CSV: a header and one row per run, with the right columns")
    func csv() throws {
        let report = try report(repetitions: 2)
        let lines = report.csv().split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map(String.init)
        #expect(
            lines.first
                == "workload,strategy,engine,workers,run,wall_seconds,cpu_seconds,count,sum,failed,cpu_share,"
                + "load_average,cpu_pressure,busy")
        #expect(lines.count == 1 + report.runs.count)
        #expect(report.runs.count == (2 + 3 + 3) * 2)
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(cells.count == BenchReport.csvColumns.count)
            #expect(
                cells[0] == "primes" && cells[7] == "25" && cells[8] == "1060" && cells[9] == "0")
        }
        // The fake takes its CPU share from its figures: 4 CPU seconds in 1 s on 2 cores is 2.000.
        #expect(lines.contains { $0.hasPrefix("primes,threads,c,4,2,1.000000,4.000000,25,1060,0,2.000,") })
        #expect(lines.dropFirst().allSatisfy { $0.hasSuffix(",false") })
    }

    @Test("JSON: one object with every run and summary, sums as strings")
    func json() throws {
        let report = try report(repetitions: 1)
        let object =
            try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any]
        #expect(object?["cores"] as? Int == 2)
        #expect((object?["runs"] as? [Any])?.count == 8)
        #expect((object?["summary"] as? [[String: Any]])?.first?["min_seconds"] as? Double == 2)
        #expect(((object?["runs"] as? [[String: Any]])?.first?["sum"]) as? String == "1060")
        #expect(object?["answers_agree"] as? Bool == true)
    }

    @Test("workload names: all is every workload, each name its own")
    func workloadNames() throws {
        #expect(try BenchWorkloadName.parse("all") == [.primes, .fetch, .bigprimes])
        #expect(try BenchWorkloadName.parse("fetch") == [.fetch])
        #expect(try BenchWorkloadName.parse("bigprimes") == [.bigprimes])
        #expect(throws: UsageError.self) { try BenchWorkloadName.parse("prime") }
    }

    @Test("the primes bench: hot loop and serial agree with the strategies on a small range")
    func primesBench() throws {
        let bench = PrimesBench(range: 0..<1_000_000, peers: false)
        // The test runner has many threads: the Swift engine would refuse to fork here.
        bench.engines = [.c]
        let report = try BenchReport.measure([bench], workers: [1, 2], repetitions: 1)
        #expect(report.answersAgree)
        #expect(
            report.runs.allSatisfy {
                $0.measurement.answer == BenchAnswer(count: 78498, sum: 37_550_402_023)
            })
        #expect(
            Set(report.runs.map(\.key.strategy)) == ["serial", "hot-loop", "threads", "processes"])
        #expect(report.notes["primes"]?.count == 1)  // orchestration, per engine
    }

    @Test(
        "a run is busy when its CPU share falls below 0.8, judged on recorded figures",
        arguments: [
            // (wall, cpu, workers, busy): the lesson's idle runs, then a user's busy machine.
            (1.58, 1.58, 1, false), (0.808, 1.60, 2, false), (0.814, 1.61, 2, false), (0.362, 0.719, 16, false),
            (4.73, 2.28, 2, true), (1.0, 0.7, 1, true), (1.0, 1.5, 2, true), (0.04, 0.0, 1, false),
        ] as [(Double, Double, Int, Bool)])
    func busyThreshold(wall: Double, cpu: Double, workers: Int, busy: Bool) {
        let none = MachineLoad(loadAverage: nil, cpuWaitMicroseconds: nil)
        let share = MachineShare(
            wall: wall, cpu: cpu, workers: workers, cores: 2, cpuBound: true, before: none, after: none)
        #expect(share.busy == busy)
        let waiting = MachineShare(
            wall: wall, cpu: cpu, workers: workers, cores: 2, cpuBound: false, before: none, after: none)
        #expect(!waiting.busy)
    }

    @Test("pressure and load are read from the kernel's text")
    func machineLoad() {
        let text = "some avg10=1.50 avg60=0.80 avg300=0.20 total=123456789\nfull avg10=0.00 total=5\n"
        #expect(MachineLoad.someTotal(text) == 123_456_789)
        #expect(MachineLoad.someTotal("full total=5") == nil)
        let before = MachineLoad(loadAverage: 1, cpuWaitMicroseconds: 1_000_000)
        let after = MachineLoad(loadAverage: 3.5, cpuWaitMicroseconds: 1_500_000)
        let share = MachineShare(wall: 1, cpu: 1, workers: 1, cores: 2, cpuBound: true, before: before, after: after)
        #expect(share.cpuPressure == 0.5 && share.loadAverage == 3.5)
    }

    @Test("a busy case is run again, and the lesson then draws no lesson from it")
    func busyLesson() throws {
        func starved(_ strategy: String, _ engine: String, workers: Int) -> BenchCase {
            BenchCase(workload: "primes", strategy: strategy, engine: engine, workers: workers, phase: .inProcess) {
                BenchMeasurement(
                    wallSeconds: 1, cpuSeconds: 0.4 * Double(workers), answer: BenchAnswer(count: 25, sum: 1060))
            }
        }
        let cases = [
            starved("serial", "c", workers: 1), starved("serial", "swift", workers: 1),
            starved("threads", "c", workers: 2), starved("threads", "swift", workers: 2),
            starved("processes", "c", workers: 2), starved("processes", "swift", workers: 2),
        ]
        let runs = try BenchSweep(cases: cases, repetitions: 1, cores: 2).run()
        #expect(runs.count == cases.count * (1 + BenchSweep.defaultBusyReruns))
        // Asked for no reruns, each starved case runs once, and is still marked busy.
        let once = try BenchSweep(cases: cases, repetitions: 1, cores: 2, busyReruns: 0).run()
        #expect(once.count == cases.count)
        #expect(BenchSummary.summarise(once).allSatisfy { $0.busy && $0.busyRuns == 1 })
        let summaries = BenchSummary.summarise(runs)
        #expect(summaries.allSatisfy { $0.busy && $0.busyRuns == 3 })
        let report = BenchReport(
            workloads: [WorkloadHeading(name: "primes", description: "test")], runs: runs, summaries: summaries,
            checks: [], notes: [:], repetitions: 1, cores: 2)
        let verdict = LessonReport(report: report, inFlight: 1).verdict()
        #expect(
            verdict.contains {
                $0.hasPrefix("CPU-bound: no lesson drawn: the machine was busy: 6 cases got as little as 40%")
            })
        #expect(!verdict.contains { $0.contains("interpreter lock") || $0.contains("Swift engine took") })
    }
}
