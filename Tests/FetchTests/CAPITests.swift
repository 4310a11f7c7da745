import CFetch
import Foundation
import Testing

/// Runs one fetcher of `window` over `urls` through CFetch's array batch, on the calling thread.
private func fetchThroughC(
    _ urls: [String], window: UInt32, configure: (inout cfetch_options) -> Void = { _ in }
) -> [cfetch_result] {
    #expect(cfetch_global_init() == CFETCH_OK)
    var options = cfetch_options()
    cfetch_options_init(&options)
    configure(&options)
    let strings = urls.map { strdup($0) }
    defer { strings.forEach { free($0) } }
    var pointers = strings.map { UnsafePointer($0!) }
    var results = [cfetch_result](repeating: cfetch_result(), count: urls.count)
    let batch = pointers.withUnsafeMutableBufferPointer { list in
        results.withUnsafeMutableBufferPointer { slots in
            cfetch_batch_new(list.baseAddress, urls.count, slots.baseAddress)
        }
    }
    guard let batch, let fetcher = cfetch_fetcher_new(&options, window, nil) else {
        Issue.record("cfetch_batch_new or cfetch_fetcher_new returned NULL")
        cfetch_batch_free(batch)
        return results
    }
    #expect(cfetch_fetcher_run(fetcher, batch) == CFETCH_OK)
    cfetch_fetcher_free(fetcher)
    // The array batch owns copies of final URLs: read what we need before freeing it.
    let copy = results
    cfetch_batch_free(batch)
    return copy.map { result in
        var plain = result
        plain.final_url = nil
        plain.body = nil
        return plain
    }
}

/// The C API at its edges: each test failed on the code before its fix.
@Suite("CFetch API")
struct CAPITests {
    let base = testServer.url

    @Test(
        "a URL that is never transferred reports no status or times of the URL before it",
        arguments: [UInt32(0), 1])
    func neverTransferredURLHasNoStaleResult(window: UInt32) {
        // libcurl refuses URLs over 8,000,000 bytes when it is set, before any transfer.
        let huge = "http://127.0.0.1/" + String(repeating: "a", count: 9_000_000)
        let results = fetchThroughC(["\(base)/delay/20/bytes/5", huge], window: window)
        #expect(results[0].status == 200 && results[0].total_seconds > 0)
        let never = results[1]
        #expect(never.curl_code != 0)
        #expect(never.status == 0, "status of the previous URL")
        #expect(never.total_seconds == 0 && never.connect_seconds == 0)
        #expect(never.first_byte_seconds == 0)
        #expect(never.http_version == 0 && never.bytes == 0)
    }

    @Test("a fetcher that cannot be made says why", arguments: [UInt32(0), 3])
    func fetcherFailureNamesItsCause(window: UInt32) throws {
        var options = cfetch_options()
        cfetch_options_init(&options)
        let missing = "no-such-directory-\(getpid())/inner"
        var failure = cfetch_failure()
        let fetcher = missing.withCString { path in
            options.output_directory = path
            return cfetch_fetcher_new(&options, window, &failure)
        }
        #expect(fetcher == nil)
        cfetch_fetcher_free(fetcher)
        let message = withUnsafeBytes(of: failure.message) {
            String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
        }
        #expect(failure.status == CFETCH_EIO)
        #expect(message == "cannot open the output directory \(missing): No such file or directory")
    }

    @Test("a batch is exhausted once its last URL is taken, and not before", arguments: [UInt32(0), 2])
    func exhaustion(window: UInt32) throws {
        let url = strdup("\(base)/bytes/1")!
        defer { free(url) }
        var list: [UnsafePointer<CChar>] = [UnsafePointer(url), UnsafePointer(url)]
        var results = [cfetch_result](repeating: cfetch_result(), count: 2)
        let batch = try #require(
            list.withUnsafeMutableBufferPointer { urls in
                results.withUnsafeMutableBufferPointer {
                    cfetch_batch_new(urls.baseAddress, 2, $0.baseAddress)
                }
            })
        defer { cfetch_batch_free(batch) }
        #expect(cfetch_batch_exhausted(batch) == 0)
        let fetcher = try #require(cfetch_fetcher_new(nil, window, nil))
        defer { cfetch_fetcher_free(fetcher) }
        #expect(cfetch_fetcher_run(fetcher, batch) == CFETCH_OK)
        #expect(cfetch_fetcher_failure(fetcher).pointee.status == CFETCH_OK)
        #expect(cfetch_batch_exhausted(batch) != 0)
    }

    @Test("max_body_bytes above INT64_MAX means no limit", arguments: [UInt32(0), 4])
    func hugeBodyLimit(window: UInt32) {
        let results = fetchThroughC(["\(base)/bytes/100000"], window: window) {
            $0.max_body_bytes = UInt64.max
        }
        #expect(results[0].curl_code == 0)
        #expect(results[0].bytes == 100_000)
    }

    @Test("a huge retry back-off waits (until stopped) instead of retrying at once", arguments: [UInt32(0), 1])
    func hugeBackoff(window: UInt32) throws {
        #expect(cfetch_global_init() == CFETCH_OK)
        var options = cfetch_options()
        cfetch_options_init(&options)
        options.retries = 3
        options.retry_backoff = 1e20
        let url = strdup("\(base)/status/503")!
        defer { free(url) }
        var list: [UnsafePointer<CChar>] = [UnsafePointer(url)]
        var results = [cfetch_result](repeating: cfetch_result(), count: 1)
        let batch = list.withUnsafeMutableBufferPointer { urls in
            results.withUnsafeMutableBufferPointer {
                cfetch_batch_new(urls.baseAddress, 1, $0.baseAddress)
            }
        }!
        defer { cfetch_batch_free(batch) }
        let fetcher = try #require(cfetch_fetcher_new(&options, window, nil))
        defer { cfetch_fetcher_free(fetcher) }
        nonisolated(unsafe) let (batchPointer, fetcherPointer) = (batch, fetcher)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            _ = cfetch_fetcher_run(fetcherPointer, batchPointer)
            finished.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.5)
        // Before the fix, 1e20 s became undefined behaviour, nanosleep failed, and all three
        // retries ran at once.
        #expect(cfetch_batch_done(batch) == 0)
        cfetch_batch_stop(batch)
        #expect(finished.wait(timeout: .now() + 2) == .success)
        #expect(cfetch_batch_done(batch) == 1)
        results.withUnsafeBufferPointer { slots in
            #expect(slots[0].attempts == 1)
            #expect(slots[0].curl_code == 42)  // CURLE_ABORTED_BY_CALLBACK: interrupted
        }
    }

    @Test("a URL with a NUL byte inside is refused, not truncated", arguments: [UInt32(0), 2])
    func nulInsideURL(window: UInt32) throws {
        final class Context {
            var urls: [[UInt8]]
            var position = 0
            var results: [(Int, Int32, Int, String)] = []
            init(_ urls: [[UInt8]]) { self.urls = urls }
        }
        let good = Array("\(base)/bytes/3".utf8)
        let context = Context([Array("\(base)/bytes/7".utf8) + [0] + Array("/status/500".utf8), good])
        #expect(cfetch_global_init() == CFETCH_OK)
        let box = Unmanaged.passRetained(context)
        defer { box.release() }
        let made = cfetch_stream_new(
            { raw, url, length in
                let context = Unmanaged<Context>.fromOpaque(raw!).takeUnretainedValue()
                guard context.position < context.urls.count else { return CFETCH_END }
                context.urls[context.position].withUnsafeBufferPointer {
                    url.pointee = UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(
                        to: CChar.self)
                    length.pointee = $0.count
                }
                context.position += 1
                return CFETCH_URL
            },
            { raw, index, _, _, result in
                let context = Unmanaged<Context>.fromOpaque(raw!).takeUnretainedValue()
                let message = withUnsafeBytes(of: result.pointee.error) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                context.results.append(
                    (index, result.pointee.curl_code, result.pointee.status, message))
            }, box.toOpaque())
        let batch = try #require(made)
        defer { cfetch_batch_free(batch) }
        let fetcher = try #require(cfetch_fetcher_new(nil, window, nil))
        defer { cfetch_fetcher_free(fetcher) }
        #expect(cfetch_fetcher_run(fetcher, batch) == CFETCH_OK)
        let byIndex = Dictionary(uniqueKeysWithValues: context.results.map { ($0.0, $0) })
        #expect(byIndex[0]?.1 == 3)  // CURLE_URL_MALFORMAT, not the truncated URL's 200
        #expect(byIndex[0]?.2 == 0)
        #expect(byIndex[0]?.3.contains("NUL") == true)
        #expect(byIndex[1]?.1 == 0 && byIndex[1]?.2 == 200)
    }

    @Test("a URL without a scheme is refused, as urlopen refuses it", arguments: [UInt32(0), 2])
    func noScheme(window: UInt32) {
        let port = testServer.port
        let results = fetchThroughC(
            ["127.0.0.1:\(port)/bytes/1", "localhost/x", "\(base)/bytes/1"], window: window)
        #expect(results.map(\.curl_code) == [3, 3, 0])
        #expect(results[0].status == 0 && results[1].status == 0)
    }

    @Test("defaults: a connect timeout, a stall timeout, redirects followed, 0.1 s back-off")
    func defaults() {
        var options = cfetch_options()
        cfetch_options_init(&options)
        #expect(options.connect_timeout == 30)
        #expect(options.stall_timeout == 60)
        #expect(options.follow_redirects == 1 && options.max_redirects == 10)
        #expect(options.retry_backoff == 0.1)
        #expect(options.insecure == 0)
        #expect(String(cString: cfetch_user_agent()).hasPrefix("cfetch/"))
    }

    @Test("time limits far beyond any transfer are clamped, not overflowed", arguments: [1e17, 1e20, 1e300])
    func hugeTimeouts(seconds: Double) {
        let results = fetchThroughC(["\(base)/bytes/2"], window: 1) {
            $0.total_timeout = seconds
            $0.connect_timeout = seconds
            $0.stall_timeout = seconds
        }
        #expect(results[0].curl_code == 0 && results[0].bytes == 2)
    }
}
