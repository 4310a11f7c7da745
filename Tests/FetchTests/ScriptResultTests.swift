import Foundation
import HybridKit
import Testing

/// Results a script can use: whether each URL is ok, `--fail`, and where each URL came from.
@Suite("Results for scripts", .serialized)
struct ScriptResultTests {
    let base = testServer.url

    private func results(_ outcome: Outcome) -> [[String: Any]] {
        outcome.standardOutput.split(separator: "\n").dropLast().compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test("every JSON result says ok: a 404 is not ok though its transfer completed")
    func okField() throws {
        let outcome = try run(["fetch", "--jsonl", "\(base)/bytes/5", "\(base)/status/404"])
        #expect(outcome.status == 1)
        let byIndex = Dictionary(uniqueKeysWithValues: results(outcome).map { ($0["index"] as? Int ?? -1, $0) })
        #expect(byIndex[0]?["ok"] as? Bool == true)
        #expect(byIndex[1]?["ok"] as? Bool == false)
        #expect(byIndex[1]?["error"] is NSNull, "the transfer itself completed")
        #expect(byIndex[1]?["status"] as? Int == 404)
    }

    @Test("--fail fails a 4xx with its status and saves no body for it", arguments: FetchStrategy.allCases)
    func failFlag(strategy: FetchStrategy) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hybrid-fail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run([
            "fetch", "--json", "--fail", "--strategy", strategy.rawValue, "--output-dir", directory.path,
            "\(base)/bytes/5", "\(base)/status/404",
        ])
        #expect(outcome.status == 1)
        let list = outcome.json["results"] as? [[String: Any]] ?? []
        #expect(list.count == 2)
        #expect(list.first?["ok"] as? Bool == true)
        let refused = list.last ?? [:]
        #expect(refused["ok"] as? Bool == false)
        #expect(refused["status"] as? Int == 404)
        #expect((refused["error"] as? String)?.contains("404") == true)
        #expect(refused["file"] is NSNull)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        #expect(files == ["0"], "the 404's body is not saved")
    }

    @Test("results carry their input line, comments and blank lines counted, or argument position")
    func lines() throws {
        let list = "# a comment\n\n\(base)/bytes/5\n   \n\(base)/status/404\n\(base)/bytes/1"
        let outcome = try run(
            ["fetch", "--jsonl", "--input", "-", "\(base)/status/500"], input: list)
        let lines = Dictionary(
            uniqueKeysWithValues: results(outcome).map { ($0["url"] as? String ?? "", $0["line"] as? Int ?? -1) })
        #expect(lines["\(base)/status/500"] == 1, "the first argument")
        #expect(lines["\(base)/bytes/5"] == 3)
        #expect(lines["\(base)/status/404"] == 5)
        #expect(lines["\(base)/bytes/1"] == 6, "a last line without a newline")

        let text = try run(["fetch", "--input", "-"], input: list)
        #expect(text.status == 1)
        #expect(text.standardOutput.contains("line 5: \(base)/status/404"), "\(text.standardOutput)")
    }
}
