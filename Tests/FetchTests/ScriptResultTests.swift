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

    @Test(
        "--name url names bodies by the final URL's last segment, collisions made unique",
        arguments: [FetchStrategy.serial, .multi])
    func nameByURL(strategy: FetchStrategy) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hybrid-names-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try run([
            "fetch", "--json", "--name", "url", "--strategy", strategy.rawValue, "--output-dir",
            directory.path, "\(base)/bytes/5/page.txt", "\(base)/bytes/7/page.txt?x=1", "\(base)/",
            "\(base)/redirect/1/bytes/3/.hidden",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["2", "_hidden", "page.txt", "page.txt.1"])
        let list = outcome.json["results"] as? [[String: Any]] ?? []
        let named = list.compactMap { ($0["file"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } }
        #expect(Set(named) == Set(files), "each result names its file")
        let sizes = try ["page.txt", "page.txt.1"].map {
            try Data(contentsOf: directory.appendingPathComponent($0)).count
        }
        #expect(Set(sizes) == [5, 7], "neither body replaced the other")
        let hidden = try Data(contentsOf: directory.appendingPathComponent("_hidden"))
        #expect(hidden.count == 3, "named by the URL after the redirect")
    }

    @Test("--name url without --output-dir is bad usage")
    func nameNeedsDirectory() throws {
        let outcome = try run(["fetch", "--name", "url", "\(base)/bytes/1"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.filter { $0 == "\n" }.count == 1, "\(outcome.standardError)")
    }
}
