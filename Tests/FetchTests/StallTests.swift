import Foundation
import HybridKit
import Testing

/// `--stall-timeout` on time: a server sends the head and one byte of the body, then nothing.
@Suite("The stall timeout")
struct StallTests {
    let base = testServer.url

    @Test(
        "--stall-timeout 2 after one byte fires within 10% + 0.2 s on every strategy",
        arguments: FetchStrategy.allCases)
    func onTime(strategy: FetchStrategy) throws {
        let outcome = try run([
            "fetch", "--json", "--strategy", strategy.rawValue, "--stall-timeout", "2",
            "\(base)/stall/30000/bytes/10",
        ])
        #expect(outcome.status == 1)
        let result = (outcome.json["results"] as? [[String: Any]] ?? []).first ?? [:]
        #expect((result["error"] as? String)?.contains("Operation too slow") == true, "\(result)")
        #expect(result["bytes"] as? Int == 1, "the byte before the stall arrived")
        // The transfer's own time: the process's start-up does not count.
        let seconds = result["seconds"] as? Double ?? 0
        #expect(seconds >= 1.95 && seconds <= 2.4, "\(strategy.rawValue): fired after \(seconds) s")
    }
}
