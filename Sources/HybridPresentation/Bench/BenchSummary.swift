import HybridKit

/// The repeated runs of one case, summarised: minimum and median wall time, CPU time, and the
/// speedup over the workload's serial run with the same engine.
package struct BenchSummary: Sendable {
    package var key: BenchKey
    package var runs: Int
    package var minimumWall: Double
    package var medianWall: Double
    package var maximumWall: Double
    /// CPU seconds of the fastest run.
    package var cpuOfFastest: Double
    /// What the machine gave the fastest run (nil for runs no sweep judged).
    package var shareOfFastest: MachineShare?
    /// Busy runs among ``runs``.
    package var busyRuns: Int
    /// Whether even the fastest run was busy: then no lesson is drawn from this case.
    package var busy: Bool { shareOfFastest?.busy ?? false }
    /// The serial run's minimum wall time over this one's; `nil` without a serial run to compare.
    package var speedup: Double?
    /// The answer of every run, when they all agree; otherwise the first.
    package var answer: BenchAnswer

    /// Summarises `runs`, one summary per case in the order the cases first appear.
    package static func summarise(_ runs: [BenchRun]) -> [BenchSummary] {
        var order: [BenchKey] = []
        var grouped: [BenchKey: [BenchRun]] = [:]
        for run in runs {
            if grouped[run.key] == nil { order.append(run.key) }
            grouped[run.key, default: []].append(run)
        }
        var summaries = order.map { key -> BenchSummary in
            let group = grouped[key]!
            let walls = group.map(\.measurement.wallSeconds)
            let fastest = group.min { $0.measurement.wallSeconds < $1.measurement.wallSeconds }!
            return BenchSummary(
                key: key, runs: group.count, minimumWall: BenchStatistics.minimum(walls)!,
                medianWall: BenchStatistics.median(walls)!, maximumWall: walls.max()!,
                cpuOfFastest: fastest.measurement.cpuSeconds, shareOfFastest: fastest.measurement.share,
                busyRuns: group.count(where: \.measurement.busy),
                speedup: nil, answer: group[0].measurement.answer)
        }
        for index in summaries.indices {
            let key = summaries[index].key
            let serials = summaries.filter {
                $0.key.workload == key.workload && $0.key.strategy == "serial"
            }
            let baseline = serials.first { $0.key.engine == key.engine } ?? serials.first
            if let baseline, summaries[index].minimumWall > 0 {
                summaries[index].speedup = baseline.minimumWall / summaries[index].minimumWall
            }
        }
        return summaries
    }
}
