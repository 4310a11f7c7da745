import HybridPresentation
import Testing

/// The small formats of reports: percentages, tables, shell words.
@Suite("Report formats")
struct ReportFormatTests {
    @Test("percentages are rounded down: an unfinished job never reads 100%")
    func flooredPercents() {
        #expect(flooredPercent(1, of: 3) == "33.3%")
        #expect(flooredPercent(2, of: 3) == "66.6%")
        #expect(flooredPercent(1999, of: 2000) == "99.9%")
        #expect(flooredPercent(2000, of: 2000) == "100.0%")
        #expect(flooredPercent(0, of: 746) == "0.0%")
        #expect(flooredPercent(Int.max - 1, of: Int.max) == "99.9%")
    }

    @Test("a value of several lines goes on in its column")
    func multilineTable() {
        let report = RunReport(fields: [
            .init("job", json: .null, text: "workload primes\nfrom 0"),
            .init("items", json: .null, text: "3"),
        ])
        #expect(report.table() == "job    workload primes\n       from 0\nitems  3\n")
    }

    @Test("a path is quoted for the shell only when it must be")
    func shellQuoting() {
        #expect(shellQuoted("runs/a-1.journal") == "runs/a-1.journal")
        #expect(shellQuoted("my run.journal") == "'my run.journal'")
        #expect(shellQuoted("it's") == "'it'\\''s'")
        #expect(shellQuoted("") == "''")
    }
}
