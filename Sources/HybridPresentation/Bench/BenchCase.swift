import HybridKit

/// When a case may run within a sweep. Forked workers must not inherit running threads (the
/// Swift engine refuses to fork from a multi-threaded process, and libcurl or NIO threads would
/// be copied half-alive), so every case that forks runs first, while the process is still
/// single-threaded; then the cases that run in this process; then external peers.
package enum BenchPhase: Int, Comparable, Sendable, CaseIterable {
    /// Cases that fork worker processes.
    case forks
    /// Cases that run in this process, on its threads (they may leave threads behind, such as a
    /// server's event loops).
    case inProcess
    /// External programs measured beside hybrid (primesieve, curl).
    case peers

    package static func < (left: BenchPhase, right: BenchPhase) -> Bool {
        left.rawValue < right.rawValue
    }
}

/// One thing a sweep measures: a workload run one way (strategy, engine, workers), which can be
/// run again and again.
package struct BenchCase {
    /// primes, fetch, ...
    package var workload: String
    /// serial, threads, processes, multi, threads-multi; `hot-loop` for one engine call over the
    /// whole range; `peer` for an external program.
    package var strategy: String
    /// Who runs the hot loop: c or swift; libcurl for fetching; the program's name for a peer.
    package var engine: String
    /// Workers (threads, processes, or transfers in flight).
    package var workers: Int
    /// When, in a sweep, it may run.
    package var phase: BenchPhase
    /// Whether the work computes (primes, big primes) rather than waits (fetching): only a
    /// CPU-bound run's share of its cores can show a busy machine (see ``MachineShare``).
    package var cpuBound = true
    /// Runs the case once and measures it. Throws when it could not run at all.
    package var run: () throws -> BenchMeasurement

    package init(
        workload: String, strategy: String, engine: String, workers: Int, phase: BenchPhase,
        run: @escaping () throws -> BenchMeasurement
    ) {
        self.workload = workload
        self.strategy = strategy
        self.engine = engine
        self.workers = workers
        self.phase = phase
        self.run = run
    }

    /// `primes processes swift 4 workers`, for progress lines.
    package var title: String {
        "\(workload) \(strategy) \(engine) \(workers) worker\(workers == 1 ? "" : "s")"
    }

    /// The cases' identity without the closure: what a series in a chart or a row in a table is.
    package var key: BenchKey {
        BenchKey(workload: workload, strategy: strategy, engine: engine, workers: workers)
    }
}

/// A case's identity: workload, strategy, engine and workers.
package struct BenchKey: Hashable, Sendable {
    package var workload: String
    package var strategy: String
    package var engine: String
    package var workers: Int

    package init(workload: String, strategy: String, engine: String, workers: Int) {
        self.workload = workload
        self.strategy = strategy
        self.engine = engine
        self.workers = workers
    }
}

/// What one run of a case cost and found.
package struct BenchMeasurement: Sendable, Equatable {
    /// Wall-clock seconds.
    package var wallSeconds: Double
    /// CPU seconds of this process's threads and of the children it reaped (external peers too).
    package var cpuSeconds: Double
    /// The answer, in terms every case of a workload can be held against each other by.
    package var answer: BenchAnswer
    /// What the machine gave the run, judged by the sweep that ran it; nil until then.
    package var share: MachineShare?
    /// How many workers could compute at once, when fewer than the case's: Python's threads
    /// under its global interpreter lock run one at a time, so their CPU share is judged
    /// against one core.
    package var computingWorkers: Int?

    package init(
        wallSeconds: Double, cpuSeconds: Double, answer: BenchAnswer, share: MachineShare? = nil,
        computingWorkers: Int? = nil
    ) {
        self.wallSeconds = wallSeconds
        self.cpuSeconds = cpuSeconds
        self.answer = answer
        self.share = share
        self.computingWorkers = computingWorkers
    }

    /// Whether the run was busy (a CPU-bound run that got clearly less than its cores).
    package var busy: Bool { share?.busy ?? false }
}

/// What a run found: for primes a count and a sum; for fetching, the URLs ok and failed. A peer
/// that reports less (primesieve counts, curl only exits) leaves the rest `nil`.
package struct BenchAnswer: Sendable, Equatable, Hashable {
    /// How many primes, or URLs ok.
    package var count: UInt64?
    /// The sum of the primes, or bytes received.
    package var sum: UInt128?
    /// Items that failed (URLs not ok; a peer that exited non-zero counts 1).
    package var failed: Int

    package init(count: UInt64?, sum: UInt128?, failed: Int = 0) {
        self.count = count
        self.sum = sum
        self.failed = failed
    }
}

/// One run of one case: the row a CSV file gets.
package struct BenchRun: Sendable {
    package var key: BenchKey
    /// 1 ... repeat.
    package var repetition: Int
    package var measurement: BenchMeasurement

    package init(key: BenchKey, repetition: Int, measurement: BenchMeasurement) {
        self.key = key
        self.repetition = repetition
        self.measurement = measurement
    }
}
