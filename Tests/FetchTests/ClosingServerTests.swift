import HybridKit
import Testing

/// Servers that end kept-alive connections after some requests, as nginx does after
/// `keepalive_requests` (over HTTP/2 with a GOAWAY, over HTTP/1.1 with `Connection: close`):
/// every URL must still succeed, however many connections the server ended before it.
@Suite("Fetching from servers that end connections", .serialized)
struct ClosingServerTests {
    @Test(
        "no URL fails when nginx ends every connection after 100 requests",
        arguments: FetchStrategy.allCases)
    func noURLLost(strategy: FetchStrategy) throws {
        try withNginx(keepaliveRequests: 100) { nginx in
            let kinds: [(name: String, base: String, http11: Bool, version: String)] = [
                ("HTTPS, HTTP/2", nginx.https, false, "2"),
                ("HTTPS, HTTP/1.1", nginx.https, true, "1.1"),
                ("HTTP/1.1", "\(nginx.http)/plain", true, "1.1"),
            ]
            for kind in kinds {
                let count = 2500
                let report = try URLFetcher.fetch(
                    Array(repeating: "\(kind.base)/1k.bin", count: count),
                    options: FetchOptions(
                        strategy: strategy, concurrency: 50, threads: strategy == .threads ? 8 : 2,
                        forcesHTTP11: kind.http11,
                        certificateAuthorities: nginx.certificates.authority))
                let failures = report.results.filter { !$0.isOK }
                #expect(
                    failures.count == 0,
                    "\(kind.name): \(failures.count) of \(count) failed, the first with \(failures.first?.failureDescription ?? "")"
                )
                #expect(report.summary.httpVersions == [kind.version: count], "\(kind.name)")
                // 100 requests a connection: the server really ended connections.
                #expect(report.connections >= count / 100, "\(kind.name)")
            }
        }
    }
}
