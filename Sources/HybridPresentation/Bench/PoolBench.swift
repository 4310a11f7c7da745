import HybridKit

#if canImport(Glibc)
    import Glibc
#endif

/// `hybrid bench pool`: what ``Pool`` costs per item, each case held to a reference and a goal,
/// fastest of several rounds of each side, the sides alternating.
///
/// - trivial items on 2 processes against Python's `multiprocessing.Pool(2).map` (goal: at
///   least 5x faster);
/// - items of 5 ms of CPU on 2 processes against the ideal, items x 5 ms / 2 (goal: within 1.05x);
/// - strings to 1 KiB results on 2 processes against Python's pool (no goal: the cost of
///   moving bytes);
/// - trivial items on `.serial` against a plain Swift `map` (goal: within 2x).
///
/// Every side's answer (a sum of its outputs) is held to the one computed here.
package final class PoolBench {
    /// How many items each case maps, and how long a CPU item spins.
    package struct Sizes: Sendable, Equatable {
        package var trivialItems: Int
        package var cpuItems: Int
        package var cpuMilliseconds: Int
        package var stringItems: Int
        package var resultBytes: Int
        package var serialItems: Int

        /// The sizes the goals are set for.
        package static let standard = Sizes(
            trivialItems: 100_000, cpuItems: 1000, cpuMilliseconds: 5, stringItems: 10_000, resultBytes: 1024,
            serialItems: 2_000_000)
        /// Small sizes that check the sweep runs and agrees, in a second: not a measurement.
        package static let quick = Sizes(
            trivialItems: 2000, cpuItems: 20, cpuMilliseconds: 1, stringItems: 200, resultBytes: 1024,
            serialItems: 20_000)
    }

    /// What a case is held to: a ratio it must reach.
    package enum Goal: Sendable, Equatable {
        /// The reference's time over hybrid's is at least this.
        case fasterBy(Double)
        /// Hybrid's time over the reference's is at most this.
        case within(Double)

        /// `>= 5x faster`, `<= 1.05x`.
        package var text: String {
            switch self {
            case .fasterBy(let ratio): ">= \(Self.number(ratio))x faster"
            case .within(let ratio): "<= \(Self.number(ratio))x"
            }
        }

        private static func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
    }

    /// One measured case.
    package struct Row: Sendable {
        /// `trivial`, `cpu`, `strings`, `serial`.
        package var name: String
        /// `100,000 trivial items, 2 processes`.
        package var description: String
        /// The fastest round of hybrid's side.
        package var hybridSeconds: Double
        /// `python multiprocessing.Pool(2).map`, `ideal 1,000 x 5 ms / 2`, `plain Swift map`;
        /// nil when the reference could not run (no python3, or --no-peers).
        package var reference: String?
        package var referenceSeconds: Double?
        /// Whether the ratio is a speedup (the reference's time over hybrid's) rather than hybrid's
        /// time over the reference's.
        package var ratioIsSpeedup: Bool
        package var goal: Goal?
        /// Whether every round of both sides gave the expected answer.
        package var agrees: Bool
        /// A remark on the fastest round: the cores its workers had.
        package var note: String?

        package var ratio: Double? {
            guard let referenceSeconds, referenceSeconds > 0, hybridSeconds > 0 else { return nil }
            return ratioIsSpeedup ? referenceSeconds / hybridSeconds : hybridSeconds / referenceSeconds
        }

        /// Whether the goal was met; nil without a goal or a reference.
        package var met: Bool? {
            guard let goal, let ratio else { return nil }
            switch goal {
            case .fasterBy(let least): return ratio >= least
            case .within(let most): return ratio <= most
            }
        }
    }

    package let sizes: Sizes
    package let rounds: Int
    private let python: PythonProgram?
    /// Why Python's rows have no reference, when they have none.
    package let missingPeers: [String]

    /// A sweep of `sizes`, `rounds` rounds of each side; Python's pool beside it when `peers`
    /// and python3 is on the `PATH`.
    package init(sizes: Sizes = .standard, rounds: Int = 3, peers: Bool = true) {
        self.sizes = sizes
        self.rounds = max(1, rounds)
        python = peers ? PythonProgram(Self.pythonProgram, prefix: "hybrid-bench-pool") : nil
        missingPeers =
            peers && python == nil
            ? ["python3 is not on the PATH: the pool rows have no multiprocessing.Pool beside them"] : []
    }

    /// Runs every case. Throws what starting the workers or python3 throws.
    package func measure() throws -> PoolBenchReport {
        defer { python?.remove() }
        // The cases that fork go first, while the program has one thread.
        let rows = [try trivial(), try cpu(), try strings(), try serial()]
        return PoolBenchReport(sizes: sizes, rounds: rounds, cores: ProcessorCount.available, rows: rows)
    }

    private let pool = Pool(strategy: .processes, workers: 2)

    /// The fastest of `rounds` rounds of each side, alternating; each round's answer checked.
    private func fastest(
        expected: Int, hybrid: () throws -> Int, reference: (() throws -> (seconds: Double, answer: Int?))?
    ) throws -> (hybrid: Double, reference: Double?, agrees: Bool) {
        var best = Double.infinity
        var bestReference: Double?
        var agrees = true
        for _ in 0..<rounds {
            let start = Self.now()
            let answer = try hybrid()
            best = min(best, Self.now() - start)
            if answer != expected { agrees = false }
            if let reference {
                let (seconds, answer) = try reference()
                bestReference = min(bestReference ?? .infinity, seconds)
                if answer != expected { agrees = false }
            }
        }
        return (best, bestReference, agrees)
    }

    private func pythonSide(_ kind: String, _ items: Int) -> (() throws -> (seconds: Double, answer: Int?))? {
        guard let python else { return nil }
        let arguments = [kind, String(items), String(sizes.resultBytes)]
        return {
            let output = try python.run(arguments)
            return (output.wallSeconds, output.ok ? output.fields["sum"].flatMap { Int($0) } : nil)
        }
    }

    private func trivial() throws -> Row {
        let items = Array(0..<sizes.trivialItems)
        let expected = items.reduce(0) { $0 &+ $1 &* 2 }
        let pool = pool
        let (hybrid, reference, agrees) = try fastest(
            expected: expected,
            hybrid: { try pool.map(items) { (n: Int) in n &* 2 }.reduce(0, &+) },
            reference: pythonSide("trivial", items.count))
        return Row(
            name: "trivial", description: "\(groupedDigits(UInt64(items.count))) trivial items, 2 processes",
            hybridSeconds: hybrid, reference: reference == nil ? nil : "python multiprocessing.Pool(2).map",
            referenceSeconds: reference, ratioIsSpeedup: true, goal: .fasterBy(5), agrees: agrees)
    }

    private func cpu() throws -> Row {
        let count = sizes.cpuItems
        let milliseconds = sizes.cpuMilliseconds
        let ideal = Double(count * milliseconds) / 1000 / 2
        var best = (wall: Double.infinity, cores: 0.0)
        var agrees = true
        let pool = pool
        for _ in 0..<rounds {
            let start = Self.now()
            let before = Self.childrenCPU()
            let outputs = try pool.map(0..<count) { (n: Int) -> Int in
                // Thread CPU time, so that a busy machine stretches the wall time, not the work.
                let end = Self.threadCPU() + Double(milliseconds) / 1000
                while Self.threadCPU() < end {}
                return n
            }
            let wall = Self.now() - start
            if outputs != Array(0..<count) { agrees = false }
            if wall < best.wall { best = (wall, (Self.childrenCPU() - before) / wall) }
        }
        return Row(
            name: "cpu",
            description: "\(groupedDigits(UInt64(count))) items of \(milliseconds) ms CPU, 2 processes",
            hybridSeconds: best.wall, reference: "ideal \(groupedDigits(UInt64(count))) x \(milliseconds) ms / 2",
            referenceSeconds: ideal, ratioIsSpeedup: false, goal: .within(1.05), agrees: agrees,
            note: "its workers had \(fixed(best.cores, digits: 2)) of their 2 cores in the fastest round"
                + (best.cores < 2 * MachineShare.busyThreshold ? ": the machine was busy, not a measurement" : ""))
    }

    /// `item N` repeated to `bytes` bytes: the strings case's work, as Python's side does it.
    static func kibibyte(_ text: String, bytes: Int) -> String {
        var result = ""
        result.reserveCapacity(bytes + text.utf8.count)
        while result.utf8.count < bytes { result += text }
        return String(result.utf8.prefix(bytes))!
    }

    private func strings() throws -> Row {
        let items = (0..<sizes.stringItems).map { "item \($0)" }
        let bytes = sizes.resultBytes
        func answer(_ results: [String]) -> Int { results.reduce(0) { $0 &+ $1.utf8.reduce(0) { $0 &+ Int($1) } } }
        let expected = answer(items.map { Self.kibibyte($0, bytes: bytes) })
        let pool = pool
        let (hybrid, reference, agrees) = try fastest(
            expected: expected,
            hybrid: { answer(try pool.map(items) { (text: String) in Self.kibibyte(text, bytes: bytes) }) },
            reference: pythonSide("strings", items.count))
        return Row(
            name: "strings",
            description: "\(groupedDigits(UInt64(items.count))) strings to \(bytes)-byte results, 2 processes",
            hybridSeconds: hybrid, reference: reference == nil ? nil : "python multiprocessing.Pool(2).map",
            referenceSeconds: reference, ratioIsSpeedup: true, goal: nil, agrees: agrees)
    }

    private func serial() throws -> Row {
        let items = Array(0..<sizes.serialItems)
        let expected = items.reduce(0) { $0 &+ $1 &* 3 }
        let serial = Pool(strategy: .serial)
        var plainBest = Double.infinity
        var hybridBest = Double.infinity
        var agrees = true
        for _ in 0..<rounds {
            var start = Self.now()
            let plain = items.map { $0 &* 3 }
            plainBest = min(plainBest, Self.now() - start)
            start = Self.now()
            let pooled = try serial.map(items) { (n: Int) in n &* 3 }
            hybridBest = min(hybridBest, Self.now() - start)
            if plain.reduce(0, &+) != expected || pooled.reduce(0, &+) != expected { agrees = false }
        }
        return Row(
            name: "serial", description: "\(groupedDigits(UInt64(items.count))) trivial items, serial",
            hybridSeconds: hybridBest, reference: "plain Swift map", referenceSeconds: plainBest,
            ratioIsSpeedup: false, goal: .within(2), agrees: agrees)
    }

    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    static func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// CPU seconds of the reaped children: the workers of finished maps.
    static func childrenCPU() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }

    /// Python's side: `multiprocessing.Pool(2).map` over the same items, the pool's start-up
    /// included as it is in hybrid's.
    static let pythonProgram = #"""
        """Python's side of hybrid bench pool: multiprocessing.Pool(2).map over trivial items or
        over strings to results of BYTES bytes.

            python3 pool.py trivial|strings N BYTES

        Prints one JSON line: the sum of the outputs (for strings, of their UTF-8 bytes), and the
        wall and CPU seconds of the map, the pool's start-up included.
        """
        import json
        import resource
        import sys
        import time
        from functools import partial
        from multiprocessing import Pool


        def trivial(n):
            return n * 2


        def repeated(size, text):
            result = ""
            while len(result.encode()) < size:
                result += text
            return result.encode()[:size].decode()


        def cpu_seconds():
            usages = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            return sum(usage.ru_utime + usage.ru_stime for usage in usages)


        def main():
            kind, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            if kind == "trivial":
                work, items = trivial, list(range(count))
            else:
                work, items = partial(repeated, size), ["item %d" % n for n in range(count)]
            cpu_before, start = cpu_seconds(), time.perf_counter()
            pool = Pool(2)
            results = pool.map(work, items)
            # Not terminate(), which with: calls; its SIGTERM never lands where a parent blocked it.
            pool.close()
            pool.join()  # the workers reaped, so their CPU time is counted
            seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_before
            if kind == "trivial":
                total = sum(results)
            else:
                total = sum(sum(result.encode()) for result in results)
            print(json.dumps({"sum": str(total), "seconds": seconds, "cpu_seconds": cpu}))


        if __name__ == "__main__":
            main()
        """#
}

/// The rows of `hybrid bench pool`, as a table, CSV or JSON.
package struct PoolBenchReport: Sendable {
    package var sizes: PoolBench.Sizes
    package var rounds: Int
    package var cores: Int
    package var rows: [PoolBench.Row]

    /// Whether every side of every case gave the expected answer.
    package var answersAgree: Bool { rows.allSatisfy(\.agrees) }

    package func text() -> String {
        var text =
            "pool: Pool's cost per item against Python's multiprocessing.Pool and plain Swift; fastest of "
            + "\(rounds) round\(rounds == 1 ? "" : "s") each, \(cores) cores\n"
        var table = TextTable(
            headers: ["case", "hybrid", "reference", "seconds", "ratio", "goal", "met"], rightAligned: [1, 3, 4])
        for row in rows {
            let ratio = row.ratio.map { formatSpeedup($0) + (row.ratioIsSpeedup ? " faster" : "") } ?? "-"
            table.append([
                row.description, formatSeconds(row.hybridSeconds), row.reference ?? "-",
                row.referenceSeconds.map(formatSeconds) ?? "-", ratio, row.goal?.text ?? "-",
                row.met.map { $0 ? "yes" : "no" } ?? "-",
            ])
        }
        text += table.text()
        for row in rows { if let note = row.note { text += "\(row.name): \(note)\n" } }
        let disagreeing = rows.filter { !$0.agrees }.map(\.name)
        text +=
            disagreeing.isEmpty
            ? "pool: answers agree\n" : "pool: answers DISAGREE in \(disagreeing.joined(separator: ", "))\n"
        return text
    }

    /// The CSV columns, in order.
    package static let csvColumns = [
        "case", "description", "hybrid_seconds", "reference", "reference_seconds", "ratio", "goal", "met",
        "answers_agree",
    ]

    /// One header line and one row per case.
    package func csv() -> String {
        var lines = [Self.csvColumns.joined(separator: ",")]
        for row in rows {
            let cells = [
                row.name, row.description, fixed(row.hybridSeconds, digits: 6), row.reference ?? "",
                row.referenceSeconds.map { fixed($0, digits: 6) } ?? "", row.ratio.map { fixed($0, digits: 3) } ?? "",
                row.goal?.text ?? "", row.met.map { String($0) } ?? "", String(row.agrees),
            ]
            lines.append(cells.map(csvCell).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as one JSON object: cores, rounds, and per case its times, ratio and goal.
    package func json() -> String {
        JSONValue.object([
            ("cores", .integer(Int64(cores))),
            ("repeat", .integer(Int64(rounds))),
            (
                "cases",
                .array(
                    rows.map { row in
                        .object([
                            ("case", .string(row.name)), ("description", .string(row.description)),
                            ("seconds", .number(row.hybridSeconds)),
                            ("reference", row.reference.map { .string($0) } ?? .null),
                            ("reference_seconds", row.referenceSeconds.map { .number($0) } ?? .null),
                            ("ratio", row.ratio.map { .number($0) } ?? .null),
                            ("ratio_is_speedup", .bool(row.ratioIsSpeedup)),
                            ("goal", row.goal.map { .string($0.text) } ?? .null),
                            ("met", row.met.map { .bool($0) } ?? .null),
                            ("answers_agree", .bool(row.agrees)),
                            ("note", row.note.map { .string($0) } ?? .null),
                        ])
                    })
            ),
            ("answers_agree", .bool(answersAgree)),
        ]).serialized()
    }
}
