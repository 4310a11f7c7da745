import HybridKit

/// A workload a sweep can measure: it turns a list of worker counts into cases.
///
/// A new workload plugs in by conforming to this protocol and being listed in
/// ``BenchWorkloadName``; the sweep, the statistics, the table, the CSV and the chart need no change.
package protocol BenchWorkload: AnyObject {
    /// primes, fetch, ...
    var name: String { get }
    /// What is measured, for headings and chart titles: `sum of the primes below 10,000,000,000`.
    var description: String { get }
    /// The cases for these worker counts, in the order they read best in a table.
    func cases(workers: [Int]) -> [BenchCase]
    /// What a worker is in this workload, for axis labels: `workers`, `transfers in flight`.
    var workersMeaning: String { get }
    /// One line per external program this workload would run beside hybrid but cannot find.
    var missingPeers: [String] { get }
    /// How many items each run handles and what one is called (`100`, `transfer`), when a chart
    /// should show the CPU each item costs; nil shows the CPU of the whole run.
    var itemsPerRun: (count: Int, noun: String)? { get }
    /// The worker counts a sweep runs when the user names none: by default 1, 2, 4 ... up to 8x
    /// the cores.
    func defaultWorkers(cores: Int) -> [Int]
    /// Words an answer for the line that says every run agreed: `455,052,511 primes, sum ...`.
    func describe(_ answer: BenchAnswer) -> String
    /// Lines this workload adds under its table, from the summaries (all workloads' summaries;
    /// pick your own by ``BenchKey/workload``).
    func notes(_ summaries: [BenchSummary]) -> [String]
    /// Releases what the cases started (a server, temporary files). Called once, after the sweep.
    func finish()
}

extension BenchWorkload {
    package var workersMeaning: String { "workers" }
    package var missingPeers: [String] { [] }
    package var itemsPerRun: (count: Int, noun: String)? { nil }
    package func defaultWorkers(cores: Int) -> [Int] { doublings(upTo: 8 * cores) }
    package func describe(_ answer: BenchAnswer) -> String {
        "count \(answer.count.map(groupedDigits) ?? "-"), sum \(answer.sum.map(groupedDigits) ?? "-")"
    }
    package func notes(_ summaries: [BenchSummary]) -> [String] { [] }
    package func finish() {}
}

/// 1, 2, 4 ... and then `limit` itself when it is no power of two.
package func doublings(upTo limit: Int) -> [Int] {
    Array(sequence(first: 1) { $0 * 2 < limit ? $0 * 2 : ($0 < limit ? limit : nil) })
}

/// The workloads `hybrid bench` knows by name.
package enum BenchWorkloadName: String, CaseIterable, Sendable {
    case primes
    case fetch
    /// Per-item CPU-bound work: probable primes of B bits, by GMP.
    case bigprimes

    /// The workloads a name on the command line stands for: `all` is every one.
    /// Throws ``UsageError`` for an unknown name.
    package static func parse(_ text: String) throws(UsageError) -> [BenchWorkloadName] {
        if text == "all" { return allCases }
        guard let name = BenchWorkloadName(rawValue: text) else {
            throw UsageError("unknown workload '\(text)': expected primes, fetch, bigprimes, all or pool")
        }
        return [name]
    }
}

/// A measured workload's headings: its name, what it measures and what its workers are, and
/// for a chart of CPU per item, how many items a run handles and what one is called.
package struct WorkloadHeading: Sendable, Equatable {
    package var name: String
    package var description: String
    package var workersMeaning: String
    /// Items each run handles (URLs); nil when the chart shows the CPU of whole runs.
    package var itemCount: Int?
    /// What one item is called: `transfer`.
    package var itemNoun: String

    package init(
        name: String, description: String, workersMeaning: String = "workers", itemCount: Int? = nil,
        itemNoun: String = "item"
    ) {
        self.name = name
        self.description = description
        self.workersMeaning = workersMeaning
        self.itemCount = itemCount
        self.itemNoun = itemNoun
    }

    package init(_ workload: any BenchWorkload) {
        self.init(
            name: workload.name, description: workload.description,
            workersMeaning: workload.workersMeaning, itemCount: workload.itemsPerRun?.count,
            itemNoun: workload.itemsPerRun?.noun ?? "item")
    }
}
