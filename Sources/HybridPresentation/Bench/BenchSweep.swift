import HybridKit

/// Runs cases `repeat` times each and collects every run.
///
/// Cases run phase by phase (see ``BenchPhase``): every forking case before anything that may
/// start threads, then in-process cases, then peers. Within a phase the repetitions alternate —
/// every case once, then every case again — so a burst of load from elsewhere on a shared machine
/// spreads over all cases instead of falling on one.
///
/// Each run is judged by what the machine gave it (``MachineShare``); a busy run is run again,
/// up to ``busyReruns`` more times, and every run is kept, so a report shows the spread.
package struct BenchSweep {
    package var cases: [BenchCase]
    package var repetitions: Int
    /// The CPUs this process may use, against which a run's CPU share is judged.
    package var cores: Int
    /// How many more times a busy run is run.
    package var busyReruns: Int
    /// The default of ``busyReruns``: a burst of load from elsewhere seldom lasts three runs.
    package static let defaultBusyReruns = 2

    package init(
        cases: [BenchCase], repetitions: Int, cores: Int = ProcessorCount.available,
        busyReruns: Int = defaultBusyReruns
    ) {
        self.cases = cases
        self.repetitions = repetitions
        self.cores = cores
        self.busyReruns = busyReruns
    }

    /// The cases in the order they run: by phase, and within a phase as given.
    package var runOrder: [BenchCase] {
        BenchPhase.allCases.flatMap { phase in cases.filter { $0.phase == phase } }
    }

    /// Runs the sweep. `progress` is told before each run: runs done, runs in all, the case and
    /// the repetition. Rethrows the first failure of a case.
    package func run(
        progress: (_ done: Int, _ total: Int, _ current: BenchCase, _ repetition: Int) -> Void = {
            _, _, _, _ in
        }
    )
        throws -> [BenchRun]
    {
        var total = cases.count * repetitions
        var runs: [BenchRun] = []
        func record(_ benchCase: BenchCase, _ measurement: BenchMeasurement) {
            let done = runs.count { $0.key == benchCase.key }
            runs.append(BenchRun(key: benchCase.key, repetition: done + 1, measurement: measurement))
        }
        for phase in BenchPhase.allCases {
            let phaseCases = cases.filter { $0.phase == phase }
            for repetition in 1...max(repetitions, 1) {
                for benchCase in phaseCases {
                    progress(runs.count, total, benchCase, repetition)
                    var measurement = try measure(benchCase)
                    record(benchCase, measurement)
                    var retried = 0
                    while measurement.busy && retried < busyReruns {
                        retried += 1
                        total += 1
                        progress(runs.count, total, benchCase, repetition)
                        measurement = try measure(benchCase)
                        record(benchCase, measurement)
                    }
                }
            }
        }
        // Report in the cases' own order, not the run order.
        let position = Dictionary(
            cases.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        return runs.sorted {
            (position[$0.key] ?? 0, $0.repetition) < (position[$1.key] ?? 0, $1.repetition)
        }
    }

    /// One run of `benchCase`, with the machine's share of it judged.
    private func measure(_ benchCase: BenchCase) throws -> BenchMeasurement {
        let before = MachineLoad.sample()
        var measurement = try benchCase.run()
        measurement.share = MachineShare(
            wall: measurement.wallSeconds, cpu: measurement.cpuSeconds,
            workers: measurement.computingWorkers ?? benchCase.workers, cores: cores,
            cpuBound: benchCase.cpuBound, before: before, after: MachineLoad.sample())
        return measurement
    }
}
