import HybridKit

/// Runs cases `repeat` times each and collects every run.
///
/// Cases run phase by phase (see ``BenchPhase``): every forking case before anything that may
/// start threads, then in-process cases, then peers. Within a phase the repetitions alternate —
/// every case once, then every case again — so a burst of load from elsewhere on a shared machine
/// spreads over all cases instead of falling on one.
package struct BenchSweep {
    package var cases: [BenchCase]
    package var repetitions: Int

    package init(cases: [BenchCase], repetitions: Int) {
        self.cases = cases
        self.repetitions = repetitions
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
        let total = cases.count * repetitions
        var runs: [BenchRun] = []
        for phase in BenchPhase.allCases {
            let phaseCases = cases.filter { $0.phase == phase }
            for repetition in 1...max(repetitions, 1) {
                for benchCase in phaseCases {
                    progress(runs.count, total, benchCase, repetition)
                    let measurement = try benchCase.run()
                    runs.append(
                        BenchRun(
                            key: benchCase.key, repetition: repetition, measurement: measurement))
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
}
