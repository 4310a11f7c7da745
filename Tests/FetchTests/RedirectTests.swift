import Foundation
import HybridKit
import Testing

/// Redirects from `hybrid serve`'s /redirect/N, bodies on disk and the per-host cap, for every
/// strategy.
@Suite("Redirects, bodies on disk and politeness")
struct RedirectTests {
    let base = testServer.url

    @Test("/redirect/N is followed to its end; too many redirects fail", arguments: FetchStrategy.allCases)
    func redirects(strategy: FetchStrategy) throws {
        let urls = ["\(base)/redirect/3/bytes/5", "\(base)/redirect/12", "\(base)/redirect/0/bytes/2"]
        let report = try URLFetcher.fetch(
            urls, options: FetchOptions(strategy: strategy, concurrency: 3, threads: 2, retries: 2))
        let results = report.results
        #expect(results.map(\.status) == [200, 302, 200])
        #expect(results.map(\.redirects) == [3, 10, 0])
        #expect(results[0].finalURL == "\(base)/redirect/0/bytes/5" && results[0].bytes == 5)
        #expect(results[1].error?.isTooManyRedirects == true)
        #expect(results[1].error?.message == "too many redirects: more than 10")
        #expect(results[1].attempts == 1)
        let kept = try URLFetcher.fetch(
            urls, options: FetchOptions(strategy: strategy, followsRedirects: false))
        #expect(kept.results.map(\.status) == [302, 302, 200])
        #expect(kept.results.map(\.redirects) == [0, 0, 0])
    }

    @Test(
        "bodies land in the output directory under their index, renamed when complete",
        arguments: FetchStrategy.allCases)
    func outputDirectory(strategy: FetchStrategy) throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hybrid-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let urls = [
            "\(base)/bytes/10", "\(base)/status/404/bytes/3", "http://127.0.0.1:\(closedPort)/",
            "\(base)/bytes/0", "\(base)/bytes/200000", "\(base)/status/503/bytes/4",
        ]
        let report = try URLFetcher.fetch(
            urls,
            options: FetchOptions(
                strategy: strategy, concurrency: 4, threads: 2, retries: 1, retryBackoff: .zero,
                maximumBodyBytes: 100_000, outputDirectory: directory.path))
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["0", "1", "3", "5"])
        func size(_ name: String) -> Int {
            (try? Data(contentsOf: directory.appendingPathComponent(name)).count) ?? -1
        }
        let sizes: [Int] = [size("0"), size("1"), size("3"), size("5")]
        #expect(sizes == [10, 3, 0, 4])
        let tooLarge: FetchResult = report.results[4]
        #expect(tooLarge.error?.isBodyTooLarge == true)
        #expect(tooLarge.file == nil)
        #expect(report.results[5].attempts == 2)
    }

    @Test("--per-host caps the transfers to one host at once", arguments: [FetchStrategy.threads, .multi])
    func perHost(strategy: FetchStrategy) throws {
        let urls = (0..<8).map { "\(base)/delay/150/n/\($0)" }
        let start = ContinuousClock.now
        let report = try URLFetcher.fetch(
            urls, options: FetchOptions(strategy: strategy, concurrency: 8, perHost: 2))
        let elapsed = ContinuousClock.now - start
        #expect(report.ok == 8)
        // Four rounds of two: at least 0.6 s; with no cap, one round of 0.15 s.
        #expect(elapsed >= .milliseconds(580), "\(elapsed)")
        if strategy == .multi { #expect(report.connections <= 2) }
    }
}
