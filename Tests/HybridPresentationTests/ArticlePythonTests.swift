import HybridKit
import HybridPresentation
import Testing

/// Whether python3 is on this test's `PATH`: the article's Python rows run only then.
private let hasPython = PythonProgram.find() != nil

@Suite("The article's Python programs beside hybrid: their output, their rows, the verdict")
struct ArticlePythonTests {
    @Test("a JSON line as Python's json.dumps writes it is read into fields")
    func fields() {
        let fields = PythonProgram.fields(
            #"{"count": 78498, "sum": "37550402023", "seconds": 1.25, "cpu_seconds": 1.2e-05, "gil": true}"#)
        #expect(fields["count"] == "78498")
        #expect(fields["sum"] == "37550402023")
        #expect(fields["cpu_seconds"] == "1.2e-05")
        #expect(fields["gil"] == "true")
        #expect(PythonProgram.fields("Traceback (most recent call last):").isEmpty)
    }

    @Test(
        "rates to three significant digits with an SI prefix",
        arguments: [
            (9.93e9, "9.93 G numbers/s"), (760_123, "760 k numbers/s"), (12.345, "12.3 numbers/s"),
            (999.7, "1.00 k numbers/s"), (0, "0 numbers/s"),
        ] as [(Double, String)])
    func rates(value: Double, text: String) {
        #expect(formatRate(value, unit: "numbers/s") == text)
    }

    @Test("threads under an interpreter lock are judged against one core, not as a busy run")
    func lockedThreads() throws {
        let locked = BenchCase(
            workload: "primes", strategy: "threads", engine: "python", workers: 2, phase: .peers
        ) {
            BenchMeasurement(
                wallSeconds: 1, cpuSeconds: 0.99, answer: BenchAnswer(count: 25, sum: 1060), computingWorkers: 1)
        }
        let runs = try BenchSweep(cases: [locked], repetitions: 1, cores: 2).run()
        #expect(runs.count == 1)
        #expect(runs[0].measurement.busy == false)
    }

    @Test("the primes bench runs the Python program on a small range, and its answer agrees")
    func pythonRows() throws {
        let bench = PrimesBench(range: 0..<100_000, includesHotLoop: false, peers: false, python: true)
        // The test runner has many threads: the Swift engine would refuse to fork here.
        bench.engines = [.c]
        #expect(bench.runsPython == hasPython)
        let report = try BenchReport.measure([bench], workers: [2], repetitions: 1)
        #expect(report.answersAgree)
        #expect(report.runs.allSatisfy { $0.measurement.answer == BenchAnswer(count: 9592, sum: 454_396_537) })
        // A busy run is run again, so the cases are compared, not the runs.
        let python = report.summaries.filter { $0.key.engine == "python" }.map(\.key.strategy)
        #expect(python == (hasPython ? ["serial", "threads", "processes"] : []))
    }

    @Test("no Python rows for a range Python would take minutes over")
    func tooLarge() {
        let bench = PrimesBench(range: 0..<(PrimesBench.pythonLimit + 1), peers: false, python: true)
        #expect(!bench.runsPython)
        #expect(bench.missingPeers.count == 1)
        #expect(!bench.cases(workers: [2]).contains { $0.engine == "python" })
    }

    @Test("the verdict draws the interpreter lock from Python's threads, and the C engine's rate")
    func verdict() {
        func run(_ workload: String, _ strategy: String, _ engine: String, _ workers: Int, wall: Double, cpu: Double)
            -> BenchRun
        {
            BenchRun(
                key: BenchKey(workload: workload, strategy: strategy, engine: engine, workers: workers), repetition: 1,
                measurement: BenchMeasurement(
                    wallSeconds: wall, cpuSeconds: cpu, answer: BenchAnswer(count: 25, sum: 1060)))
        }
        let article = Lesson.articleWorkload
        let runs = [
            run("primes", "serial", "c", 1, wall: 2, cpu: 2),
            run(article, "serial", "c", 1, wall: 0.001, cpu: 0.001),
            run(article, "serial", "python", 1, wall: 1.3, cpu: 1.3),
            run(article, "threads", "python", 2, wall: 1.31, cpu: 1.3),
            run(article, "processes", "python", 2, wall: 0.7, cpu: 1.36),
        ]
        let report = BenchReport(
            workloads: [], runs: runs, summaries: BenchSummary.summarise(runs), checks: [], notes: [:],
            repetitions: 1, cores: 2)
        let verdict = LessonReport(
            report: report, inFlight: 1, primesTo: 20_000_000_000, articleTo: 1_000_000
        ).verdict()
        #expect(
            verdict.contains {
                $0.hasPrefix("The article's Python below 1,000,000: threads 0.99x faster than serial")
                    && $0.contains("the global interpreter lock runs one thread's Python at a time")
                    && $0.contains("multiprocessing.Pool(2) 1.86x")
            }, "\(verdict)")
        #expect(
            verdict.contains {
                $0.contains("1,300x faster than Python's trial division")
                    && $0.contains("Python tests 769 k numbers/s and the C sieve 10.0 G numbers/s below 20,000,000,000")
            }, "\(verdict)")
        let skipped = LessonReport(report: report, inFlight: 1, pythonSkipped: "python3 is not on the PATH: skipped.")
        #expect(skipped.verdict().contains("python3 is not on the PATH: skipped."))
    }
}
