import HybridKit

extension PrimesOutcome {
    /// The run report: the same fields as a table or as JSON. Big numbers are decimal strings in JSON.
    package var report: RunReport {
        let range = job.range
        var fields: [RunReport.Field] = [
            .init("from", json: .string(String(range.lowerBound)), text: groupedDigits(range.lowerBound)),
            .init("to", json: .string(String(range.upperBound)), text: groupedDigits(range.upperBound)),
            .init("count", json: .unsigned(totals.count), text: groupedDigits(totals.count)),
        ]
        if let sum = totals.sum {
            fields.append(.init("sum", json: .string(String(sum)), text: groupedDigits(sum)))
        } else {
            fields.append(.init("sum", json: .null, text: "not computed (--count-only)"))
        }
        fields += [
            .init("engine", json: .string(job.engine.rawValue), text: job.engine.rawValue),
            .init("method", json: .string(method.rawValue), text: method.rawValue),
            .init("strategy", json: .string(strategy.rawValue), text: strategy.rawValue),
            .init("workers", json: .integer(Int64(workers)), text: String(workers)),
        ]
        // What was asked, where it differs from what ran (a one-chunk job or the combinatorial
        // method runs on this thread; `method` always says which answered).
        if job.strategy != strategy || job.workers != workers {
            fields += [
                .init("requested_strategy", json: .string(job.strategy.rawValue), text: job.strategy.rawValue),
                .init("requested_workers", json: .integer(Int64(job.workers)), text: String(job.workers)),
            ]
        }
        // Under mpi, workers are each rank's threads.
        if job.strategy == .mpi, let place = MPIRuntime.place {
            fields.append(.init("ranks", json: .integer(Int64(place.ranks)), text: String(place.ranks)))
        }
        // With a journal: how many chunks it gave, so that the seconds read as this run's alone.
        if let journal {
            let share = "\(groupedDigits(journal.resumedItems)) of \(groupedDigits(journal.items)) chunks"
            fields += [
                .init("items", json: .integer(Int64(journal.items)), text: groupedDigits(journal.items)),
                .init(
                    "resumed_items", json: .integer(Int64(journal.resumedItems)),
                    text: share + " from the journal \(journal.path)"),
            ]
        }
        let own = (journal?.resumedItems ?? 0) > 0 ? " (this run alone)" : ""
        fields += [
            .init("seconds", json: .number(wallSeconds), text: formatSeconds(wallSeconds) + own),
            .init("cpu_seconds", json: .number(cpuSeconds), text: formatSeconds(cpuSeconds) + own),
        ]
        return RunReport(fields: fields)
    }
}
