import CFetch

#if canImport(Glibc)
    import Glibc
#endif

/// A CFetch stream batch driven from Swift: fetchers on many threads pull URLs from `next` and
/// hand each result to `deliver` as it finishes. CFetch serialises both callbacks under the
/// batch's lock, so this class's state is touched by one thread at a time.
final class FetchBatch: @unchecked Sendable {
    // @unchecked: every mutable field is reached only from the C callbacks, which CFetch calls
    // under the batch's mutex, or after every fetcher returned.
    private let next: () -> URLSourceAnswer
    private let deliver: (FetchResult) -> Void
    private let outputDirectory: String?
    /// The current URL's UTF-8 bytes, kept until the source is called again (CFetch copies it).
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var pointer: OpaquePointer!
    var summary: FetchSummary
    /// Where the URLs in flight came from, by index. Its own lock: the source and the sink run
    /// under two different locks of the batch, and may run at once on two threads.
    private let origins = POSIXLocked<[Int: URLOrigin]>([:])
    /// URLs handed out so far: the batch numbers them in the order the source gives them.
    private var handedOut = 0

    init(
        options: FetchOptions, next: @escaping () -> URLSourceAnswer,
        deliver: @escaping (FetchResult) -> Void
    ) {
        self.next = next
        self.deliver = deliver
        self.outputDirectory = options.outputDirectory
        self.summary = FetchSummary(strategy: options.strategy, options: options)
        capacity = 256
        buffer = .allocate(capacity: capacity)
        let context = Unmanaged.passUnretained(self).toOpaque()
        pointer = cfetch_stream_new(
            { context, url, length in
                let batch = Unmanaged<FetchBatch>.fromOpaque(context!).takeUnretainedValue()
                return batch.take(url: url, length: length)
            },
            { context, index, url, urlLength, result in
                let batch = Unmanaged<FetchBatch>.fromOpaque(context!).takeUnretainedValue()
                batch.receive(index: index, url: url, length: urlLength, result: result.pointee)
            }, context)
        precondition(pointer != nil, "cfetch_stream_new: out of memory")
    }

    deinit {
        cfetch_batch_free(pointer)
        buffer.deallocate()
    }

    /// URLs finished so far; safe to read while fetchers run.
    var done: Int { cfetch_batch_done(pointer) }
    /// URLs taken so far; safe to read while fetchers run.
    var taken: Int { cfetch_batch_taken(pointer) }
    /// Whether the batch handed out its last URL; safe to read while fetchers run.
    var exhausted: Bool { cfetch_batch_exhausted(pointer) != 0 }
    /// Stops the fetchers: no more URLs are taken, transfers in flight end as interrupted.
    func stop() { cfetch_batch_stop(pointer) }

    private func take(
        url: UnsafeMutablePointer<UnsafePointer<CChar>?>, length: UnsafeMutablePointer<Int>
    ) -> Int32 {
        var text: String
        switch next() {
        case .url(let url, let origin):
            text = url
            if let origin { origins.withLock { $0[handedOut] = origin } }
            handedOut += 1
        case .notYet: return CFETCH_LATER
        case .skip:
            handedOut += 1
            return CFETCH_SKIP
        case .end: return CFETCH_END
        }
        let count = text.withUTF8 { bytes in
            if bytes.count > capacity {
                buffer.deallocate()
                capacity = max(bytes.count, 2 * capacity)
                buffer = .allocate(capacity: capacity)
            }
            if let base = bytes.baseAddress { buffer.update(from: base, count: bytes.count) }
            return bytes.count
        }
        url.pointee = UnsafeRawPointer(buffer).assumingMemoryBound(to: CChar.self)
        length.pointee = count
        return CFETCH_URL
    }

    private func receive(
        index: Int, url: UnsafePointer<CChar>, length: Int, result: cfetch_result
    ) {
        let text = String(
            decoding: UnsafeRawBufferPointer(start: url, count: length), as: UTF8.self)
        let message = withUnsafeBytes(of: result.error) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        var body: [UInt8]? = nil
        if let bytes = result.body {
            body = Array(UnsafeBufferPointer(start: bytes, count: result.body_length))
        }
        let version: String?
        switch result.http_version {
        case 10: version = "1.0"
        case 11: version = "1.1"
        case 20: version = "2"
        case 30: version = "3"
        default: version = nil
        }
        let origin = origins.withLock { $0.removeValue(forKey: index) }
        let fetched = FetchResult(
            index: index,
            origin: origin,
            url: text,
            status: result.status > 0 ? Int(result.status) : nil,
            bytes: Int(clamping: result.bytes),
            bytesReceived: Int(clamping: result.bytes_received),
            seconds: result.total_seconds,
            connectSeconds: result.connect_seconds,
            firstByteSeconds: result.first_byte_seconds,
            attempts: Int(result.attempts),
            httpVersion: version,
            finalURL: result.final_url.map { String(cString: $0) } ?? text,
            redirects: Int(result.redirects),
            connections: Int(result.connections),
            file: result.saved != 0
                ? outputDirectory.map { directory in
                    "\(directory)/\(result.file_name.map { String(cString: $0) } ?? String(index))"
                } : nil,
            error: result.curl_code == 0
                ? nil : FetchError(code: Int(result.curl_code), message: message),
            body: body
        )
        summary.add(fetched)
        deliver(fetched)
    }
}
