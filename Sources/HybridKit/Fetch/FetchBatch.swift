import CSieve

#if canImport(Glibc)
    import Glibc
#endif

/// A batch of URLs in C memory that CSieve fetchers on many threads share: the C strings, the
/// result slots, and the atomic cursors. Its memory stays put until the batch is released.
final class FetchBatch: @unchecked Sendable {
    // @unchecked: the C side hands out each index once (atomic cursor) and each fetcher writes
    // only the results of the indices it took; Swift reads results only after every worker ended.
    let urls: [String]
    private let cURLs: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private let cResults: UnsafeMutablePointer<csieve_fetch_result>
    let pointer: UnsafeMutablePointer<csieve_fetch_batch>

    init(urls: [String]) {
        self.urls = urls
        let count = urls.count
        cURLs = .allocate(capacity: max(1, count))
        for (index, url) in urls.enumerated() {
            cURLs[index] = UnsafePointer(strdup(url))
        }
        cResults = .allocate(capacity: max(1, count))
        pointer = .allocate(capacity: 1)
        let status = csieve_fetch_batch_init(pointer, cURLs, count, cResults)
        precondition(status == CSIEVE_OK, "csieve_fetch_batch_init refused valid arguments")
    }

    deinit {
        csieve_fetch_batch_free(pointer)
        for index in 0..<urls.count { free(UnsafeMutablePointer(mutating: cURLs[index])) }
        cURLs.deallocate()
        cResults.deallocate()
        pointer.deallocate()
    }

    /// URLs finished so far; safe to read while fetchers run.
    var done: Int { csieve_fetch_batch_done(pointer) }

    /// The results in input order. Call only after every fetcher on the batch has returned.
    /// A URL that no fetcher took (every fetcher failed) gets a result that says so.
    func results(fetcherFailure: String?) -> [FetchResult] {
        urls.indices.map { index in
            let result = cResults[index]
            if result.attempts == 0 {
                let reason = fetcherFailure ?? "no fetcher ran"
                return FetchResult(
                    url: urls[index], status: nil, bytes: 0, seconds: 0, attempts: 0,
                    error: FetchError(code: 2, message: "not fetched: \(reason)"))
            }
            let message = withUnsafeBytes(of: result.error) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            var body: [UInt8]? = nil
            if let bytes = result.body {
                body = Array(UnsafeBufferPointer(start: bytes, count: result.body_length))
            }
            return FetchResult(
                url: urls[index],
                status: result.status > 0 ? Int(result.status) : nil,
                bytes: Int(result.bytes),
                seconds: result.total_seconds,
                connectSeconds: result.connect_seconds,
                firstByteSeconds: result.first_byte_seconds,
                attempts: Int(result.attempts),
                error: result.curl_code == 0
                    ? nil : FetchError(code: Int(result.curl_code), message: message),
                body: body
            )
        }
    }
}
