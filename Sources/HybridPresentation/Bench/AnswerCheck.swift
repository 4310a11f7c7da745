import HybridKit

/// Whether every run of a workload found the same answer: one count, one sum, nothing failed.
/// Rows that report less (a peer that only counts) are held against what they do report.
package struct AnswerCheck: Sendable, Equatable {
    package var workload: String
    package var agrees: Bool
    /// One line that says so, with the answer or the disagreement.
    package var line: String

    /// Checks the runs of one workload; `describe` words an answer (`455,052,511 primes, sum ...`).
    package static func check(workload: String, runs: [BenchRun], describe: (BenchAnswer) -> String)
        -> AnswerCheck
    {
        let mine = runs.filter { $0.key.workload == workload }
        let counts = Set(mine.compactMap(\.measurement.answer.count))
        let sums = Set(mine.compactMap(\.measurement.answer.sum))
        let failedRuns = mine.filter { $0.measurement.answer.failed > 0 }
        let peers = Set(mine.filter { $0.key.strategy == "peer" }.map(\.key.engine)).sorted()
        let complete = mine.first {
            $0.measurement.answer.count != nil && $0.measurement.answer.sum != nil
        }
        if counts.count <= 1, sums.count <= 1, failedRuns.isEmpty, let complete {
            let peerNote = peers.isEmpty ? "" : " (\(peers.joined(separator: " and ")) included)"
            return AnswerCheck(
                workload: workload, agrees: true,
                line:
                    "\(workload): answers agree: all \(mine.count) runs\(peerNote) found \(describe(complete.measurement.answer))"
            )
        }
        var problems: [String] = []
        if counts.count > 1 { problems.append("\(counts.count) different counts") }
        if sums.count > 1 { problems.append("\(sums.count) different sums") }
        if let first = failedRuns.first {
            problems.append(
                "\(failedRuns.count) runs with failures (first: \(first.key.strategy) \(first.key.engine) "
                    + "\(first.key.workers) workers, \(first.measurement.answer.failed) failed)")
        }
        if complete == nil { problems.append("no run gave a whole answer") }
        return AnswerCheck(
            workload: workload, agrees: false,
            line: "\(workload): ANSWERS DISAGREE: \(problems.joined(separator: "; "))")
    }
}
