import HybridKit
import Testing

@Suite("Per-URL results")
struct FetchResultTests {
    let base = testServer.url

    @Test("statuses and byte counts are reported as received")
    func statusesAndBytes() throws {
        let report = try URLFetcher.fetch([
            "\(base)/",
            "\(base)/bytes/0",
            "\(base)/bytes/100000",
            "\(base)/status/404",
            "\(base)/status/503/bytes/7",
            "\(base)/status/204",
        ])
        #expect(report.results.map(\.status) == [200, 200, 200, 404, 503, 204])
        #expect(report.results.map(\.bytes) == [1024, 0, 100_000, 1024, 7, 0])
        #expect(report.results.map(\.isOK) == [true, true, true, false, false, true])
        #expect(report.results.allSatisfy { $0.error == nil })
        #expect(report.ok == 4 && report.failed == 2)
        #expect(report.bytes == 1024 + 100_000 + 1024 + 7)
    }

    @Test("a transfer past its timeout fails with libcurl's time-out")
    func timeout() throws {
        let report = try URLFetcher.fetch(
            ["\(base)/delay/5000", "\(base)/"],
            options: FetchOptions(timeout: .milliseconds(200)))
        let slow = report.results[0]
        #expect(slow.error?.isTimeout == true)
        #expect(slow.status == nil && !slow.isOK)
        #expect(report.results[1].isOK)
    }

    @Test("a refused port fails that URL only")
    func refusedPort() throws {
        let report = try URLFetcher.fetch(["http://127.0.0.1:\(closedPort)/", "\(base)/"])
        #expect(report.results[0].error?.isConnectionFailure == true)
        #expect(report.results[0].failureDescription?.contains("\(closedPort)") == true)
        #expect(report.results[1].isOK)
    }

    @Test("malformed URLs and unsupported schemes are failed results, not errors")
    func malformedAndUnsupported() throws {
        let urls = [
            "http://[::1", "ftp://127.0.0.1/file", "file:///etc/hostname", "gopher://x/",
            "\(base)/",
        ]
        for strategy in FetchStrategy.allCases {
            let report = try URLFetcher.fetch(
                urls, options: FetchOptions(strategy: strategy, concurrency: 4))
            #expect(report.results[0].error?.isMalformedURL == true, "\(strategy)")
            #expect(report.results[1].error?.isUnsupportedScheme == true, "\(strategy)")
            #expect(report.results[2].error?.isUnsupportedScheme == true, "\(strategy)")
            #expect(report.results[3].error?.isUnsupportedScheme == true, "\(strategy)")
            #expect(report.results[4].isOK, "\(strategy)")
            #expect(report.results.allSatisfy { $0.error == nil || !$0.error!.message.isEmpty })
        }
    }

    @Test("results come back in input order, whatever order transfers finish in")
    func inputOrder() throws {
        // Earlier URLs wait longer, so they finish last.
        let urls = (0..<30).map { "\(base)/delay/\(3 * (30 - $0))/bytes/\($0)" }
        let report = try URLFetcher.fetch(
            urls, options: FetchOptions(strategy: .multi, concurrency: 30))
        #expect(report.results.map(\.url) == urls)
        #expect(report.results.map(\.bytes) == Array(0..<30))
    }

    @Test("every strategy gives the same results", arguments: FetchStrategy.allCases)
    func strategiesAgree(strategy: FetchStrategy) throws {
        var urls: [String] = []
        for index in 0..<60 {
            switch index % 5 {
            case 0: urls.append("\(base)/bytes/\(index * 37)")
            case 1: urls.append("\(base)/status/\(index % 2 == 0 ? 404 : 500)/bytes/\(index)")
            case 2: urls.append("http://127.0.0.1:\(closedPort)/\(index)")
            case 3: urls.append("ftp://127.0.0.1/\(index)")
            default: urls.append("\(base)/delay/\(index % 7)")
            }
        }
        struct Answer: Equatable {
            let url: String, status: Int?, bytes: Int, code: Int?, ok: Bool
        }
        func answers(_ report: FetchReport) -> [Answer] {
            report.results.map {
                Answer(
                    url: $0.url, status: $0.status, bytes: $0.bytes, code: $0.error?.code,
                    ok: $0.isOK)
            }
        }
        let serial = try URLFetcher.fetch(urls, options: FetchOptions(strategy: .serial))
        let other = try URLFetcher.fetch(
            urls, options: FetchOptions(strategy: strategy, concurrency: 8, threads: 3))
        #expect(other.strategy == strategy)
        #expect(answers(other) == answers(serial))
        #expect(other.ok == 24 && other.failed == 36)
    }

    @Test("5xx and transport errors are retried; permanent errors and successes are not")
    func retries() throws {
        let report = try URLFetcher.fetch(
            [
                "\(base)/status/503", "http://127.0.0.1:\(closedPort)/", "ftp://127.0.0.1/",
                "\(base)/status/404", "\(base)/",
            ],
            options: FetchOptions(retries: 2, retryBackoff: .milliseconds(5)))
        #expect(report.results.map(\.attempts) == [3, 3, 1, 1, 1])
        #expect(report.results[0].status == 503)
        let serial = try URLFetcher.fetch(
            ["\(base)/status/502"],
            options: FetchOptions(strategy: .serial, retries: 1, retryBackoff: .zero))
        #expect(serial.results[0].attempts == 2)
    }

    @Test("bodies are dropped by default, kept on request, and bounded by the maximum")
    func bodies() throws {
        let urls = ["\(base)/bytes/5", "\(base)/bytes/200000"]
        let dropped = try URLFetcher.fetch(urls)
        #expect(dropped.results.allSatisfy { $0.body == nil })
        let kept = try URLFetcher.fetch(urls, options: FetchOptions(keepsBodies: true))
        #expect(kept.results[0].body == Array("xxxxx".utf8))
        #expect(kept.results[1].body?.count == 200_000)
        let bounded = try URLFetcher.fetch(urls, options: FetchOptions(maximumBodyBytes: 1000))
        #expect(bounded.results[0].isOK)
        #expect(bounded.results[1].error?.isBodyTooLarge == true)
    }

    @Test("an empty list fetches nothing")
    func emptyList() throws {
        let report = try URLFetcher.fetch([])
        #expect(report.urls == 0 && report.failed == 0)
    }

    @Test("options out of range are usage errors")
    func badOptions() {
        #expect(throws: UsageError.self) {
            try URLFetcher.fetch([], options: FetchOptions(concurrency: 0))
        }
        #expect(throws: UsageError.self) {
            try URLFetcher.fetch([], options: FetchOptions(threads: 0))
        }
        #expect(throws: UsageError.self) {
            try URLFetcher.fetch([], options: FetchOptions(retries: -1))
        }
    }

    @Test("URL lists skip blank lines and comments")
    func urlList() {
        let text = "# header\n\nhttp://a/\n   http://b/  \n  # indented comment\r\nhttp://c/\n"
        #expect(URLList.parse(text) == ["http://a/", "http://b/", "http://c/"])
    }

    @Test("the JSON report has every key, with null for what is missing")
    func json() throws {
        let report = try URLFetcher.fetch(["\(base)/bytes/3", "ftp://127.0.0.1/"])
        let text = report.json()
        #expect(
            text.hasPrefix(
                #"{"urls": 2, "ok": 1, "failed": 1, "bytes": 3, "bytes_received": 3, "connections": 1, "#
            ))
        #expect(text.contains(#""strategy": "multi", "interrupted": null, "results": [{"index": 0, "url": ""#))
        #expect(text.contains(#""status": null, "http_version": null"#))
        #expect(text.contains(#""file": null, "error": null"#))
        #expect(text.contains(#""status": 200, "http_version": "1.1", "final_url": "#))
    }
}
