import HybridKit

/// A workload a sweep can measure: it turns a list of worker counts into cases.
///
/// A new workload plugs in by conforming to this protocol and being listed in
/// ``BenchWorkloadName``; the sweep, the statistics, the table, the CSV and the chart need no change.
public protocol BenchWorkload: AnyObject {
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
    /// Words an answer for the line that says every run agreed: `455,052,511 primes, sum ...`.
    func describe(_ answer: BenchAnswer) -> String
    /// Lines this workload adds under its table, from the summaries (all workloads' summaries;
    /// pick your own by ``BenchKey/workload``).
    func notes(_ summaries: [BenchSummary]) -> [String]
    /// Releases what the cases started (a server, temporary files). Called once, after the sweep.
    func finish()
}

extension BenchWorkload {
    public var workersMeaning: String { "workers" }
    public var missingPeers: [String] { [] }
    public func describe(_ answer: BenchAnswer) -> String {
        "count \(answer.count.map(groupedDigits) ?? "-"), sum \(answer.sum.map(groupedDigits) ?? "-")"
    }
    public func notes(_ summaries: [BenchSummary]) -> [String] { [] }
    public func finish() {}
}

/// The workloads `hybrid bench` knows by name.
public enum BenchWorkloadName: String, CaseIterable, Sendable {
    case primes
    case fetch
    /// Per-item CPU-bound work: probable primes of B bits, by GMP.
    case bigprimes

    /// The workloads a name on the command line stands for: `all` is every one.
    /// Throws ``UsageError`` for an unknown name.
    public static func parse(_ text: String) throws(UsageError) -> [BenchWorkloadName] {
        if text == "all" { return allCases }
        guard let name = BenchWorkloadName(rawValue: text) else {
            throw UsageError("unknown workload '\(text)': expected primes, fetch, bigprimes or all")
        }
        return [name]
    }
}

/// A measured workload's headings: its name, what it measures and what its workers are.
public struct WorkloadHeading: Sendable, Equatable {
    public var name: String
    public var description: String
    public var workersMeaning: String

    public init(name: String, description: String, workersMeaning: String = "workers") {
        self.name = name
        self.description = description
        self.workersMeaning = workersMeaning
    }

    public init(_ workload: any BenchWorkload) {
        self.init(
            name: workload.name, description: workload.description,
            workersMeaning: workload.workersMeaning)
    }
}
