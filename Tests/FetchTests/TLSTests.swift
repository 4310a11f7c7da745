import Foundation
import HybridKit
import Testing

/// HTTPS, HTTP/2, redirects and bodies against a real nginx with a certificate made by the
/// test (see Nginx.swift). Needs nginx and openssl: without them each test fails and says what
/// to install.
@Suite("Fetching from nginx over TLS", .serialized)
struct TLSTests {
    private func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent(
            "hybrid-bodies-\(UUID().uuidString)")
    }

    @Test(
        "every strategy handles TLS, HTTP/2, redirects, bodies and errors the same way",
        arguments: FetchStrategy.allCases)
    func strategiesAgree(strategy: FetchStrategy) throws {
        try withNginx { nginx in
            let directory = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let urls = [
                "\(nginx.https)/1k.bin", "\(nginx.http)/page.txt", "\(nginx.https)/loop",
                "\(nginx.https)/to-page", "\(nginx.https)/missing",
            ]
            let report = try URLFetcher.fetch(
                urls,
                options: FetchOptions(
                    strategy: strategy, concurrency: 4, threads: 2, retries: 2,
                    retryBackoff: .milliseconds(5),
                    certificateAuthorities: nginx.certificates.authority, acceptsCompression: true,
                    outputDirectory: directory.path))
            let results = report.results
            #expect(results.map(\.index) == [0, 1, 2, 3, 4])
            #expect(results.map(\.status) == [200, 200, 302, 200, 404])
            #expect(results.map(\.httpVersion) == ["2", "2", "2", "2", "2"])
            #expect(results.map(\.redirects) == [0, 1, 1, 1, 0])
            #expect(results.map(\.isOK) == [true, true, false, true, false])
            #expect(results[1].finalURL == "\(nginx.https)/page.txt")
            #expect(results[3].finalURL == "\(nginx.https)/page.txt")
            // Compressed on the wire, decoded in the count.
            #expect(results[1].bytes > 10_000 && results[1].bytesReceived < results[1].bytes / 4)
            #expect(results[1].bytes == results[3].bytes)
            #expect(results[0].bytes == 1024 && results[0].bytesReceived == 1024)
            #expect(results[2].error?.isTooManyRedirects == true)
            #expect(results[2].error?.message.hasPrefix("redirect loop") == true)
            #expect(results[2].attempts == 1, "a loop is not retried")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
            #expect(files == ["0", "1", "3", "4"], "a body per completed transfer, no partial file")
            #expect(results.map(\.file) == ["0", "1", nil, "3", "4"].map { $0.map { "\(directory.path)/\($0)" } })
            let saved = try Data(contentsOf: directory.appendingPathComponent("1"))
            #expect(saved.count == results[1].bytes)

            // The system does not trust the test's authority: a failed result naming the
            // certificate, not retried.
            let untrusted = try URLFetcher.fetch(
                ["\(nginx.https)/1k.bin"],
                options: FetchOptions(strategy: strategy, concurrency: 2, retries: 2))
            #expect(untrusted.results[0].error?.isCertificateFailure == true)
            #expect(untrusted.results[0].error?.message.contains("certificate") == true)
            #expect(untrusted.results[0].attempts == 1)
            let insecure = try URLFetcher.fetch(
                ["\(nginx.https)/1k.bin"],
                options: FetchOptions(strategy: strategy, concurrency: 2, verifiesCertificates: false))
            #expect(insecure.results[0].isOK)
        }
    }

    @Test("a multi handle multiplexes HTTP/2 over one connection; HTTP/1.1 when forced")
    func multiplexing() throws {
        try withNginx { nginx in
            let urls = Array(repeating: "\(nginx.https)/1k.bin", count: 200)
            let multiplexed = try URLFetcher.fetch(
                urls,
                options: FetchOptions(
                    strategy: .multi, concurrency: 50,
                    certificateAuthorities: nginx.certificates.authority))
            #expect(multiplexed.ok == 200)
            #expect(multiplexed.summary.httpVersions == ["2": 200])
            #expect(multiplexed.connections == 1)
            let http11 = try URLFetcher.fetch(
                urls,
                options: FetchOptions(
                    strategy: .multi, concurrency: 50, forcesHTTP11: true,
                    certificateAuthorities: nginx.certificates.authority))
            #expect(http11.ok == 200)
            #expect(http11.summary.httpVersions == ["1.1": 200])
            #expect(http11.connections > 1 && http11.connections <= 50)
        }
    }

    @Test("the User-Agent names hybrid and its version; -H adds headers")
    func headers() throws {
        try withNginx { nginx in
            let report = try URLFetcher.fetch(
                ["\(nginx.https)/agent", "\(nginx.https)/header"],
                options: FetchOptions(
                    keepsBodies: true, certificateAuthorities: nginx.certificates.authority,
                    headers: ["X-Test: forty two"]))
            let agent = String(decoding: report.results[0].body ?? [], as: UTF8.self)
            #expect(agent.hasPrefix("hybrid/") && agent.contains("libcurl/"))
            #expect(agent == FetchOptions.defaultUserAgent)
            #expect(String(decoding: report.results[1].body ?? [], as: UTF8.self) == "forty two")
        }
    }

    @Test("the command line: --cacert, --insecure said once, --http1.1, --max-redirs, --no-follow")
    func commandLine() throws {
        try withNginx { nginx in
            let trusted = try run([
                "fetch", "--json", "--cacert", nginx.certificates.authority, "\(nginx.http)/1k.bin",
            ])
            #expect(trusted.status == 0)
            let result = (trusted.json["results"] as? [[String: Any]])?.first ?? [:]
            #expect(result["final_url"] as? String == "\(nginx.https)/1k.bin")
            #expect(result["http_version"] as? String == "2")

            let insecure = try run([
                "fetch", "--insecure", "--http1.1", "--json", "\(nginx.https)/1k.bin",
                "\(nginx.https)/page.txt",
            ])
            #expect(insecure.status == 0)
            #expect(insecure.standardError.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 1)
            #expect(insecure.standardError.contains("--insecure"))
            #expect((insecure.json["http_versions"] as? [String: Int]) == ["1.1": 2])

            let untrusted = try run(["fetch", "\(nginx.https)/1k.bin"])
            #expect(untrusted.status == 1)
            #expect(untrusted.standardOutput.contains("certificate"))

            let noRedirects = try run([
                "fetch", "--json", "--insecure", "--max-redirs", "0", "\(nginx.https)/to-page",
            ])
            #expect(noRedirects.status == 1)
            let refused = (noRedirects.json["results"] as? [[String: Any]])?.first ?? [:]
            #expect((refused["error"] as? String)?.contains("too many redirects") == true)

            let noFollow = try run([
                "fetch", "--json", "--insecure", "--no-follow", "\(nginx.https)/to-page",
            ])
            #expect(noFollow.status == 0)
            let kept = (noFollow.json["results"] as? [[String: Any]])?.first ?? [:]
            #expect(kept["status"] as? Int == 301 && kept["redirects"] as? Int == 0)
        }
    }
}
