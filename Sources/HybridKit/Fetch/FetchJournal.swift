#if canImport(Glibc)
    import Glibc
#endif

/// A journal of a fetch: each finished URL's result, so that the same fetch, stopped by
/// SIGKILL, Ctrl-C or a power cut, resumes and fetches only what it does not hold.
///
/// ```swift
/// let journal = try FetchJournal(path: "fetch.journal", urls: urls, options: options)
/// let summary = try URLFetcher.stream(journal: journal) { print($0.url) }
/// print(summary.resumed ?? 0, "came from the journal")
/// ```
///
/// A result is written to the file as it arrives (one `write`, so a killed run keeps it) and
/// fsync'd in groups, from the thread that supervises the fetch, every ``syncInterval`` or
/// ``syncRecords`` records, at the end and after a stop: a power cut loses at most the last
/// group, whose URLs are fetched again. With an output directory, the bodies' filesystem is
/// synced (syncfs) before each group, and a resumed URL whose body file is missing or has
/// another size than recorded is fetched again. A transfer cut short by a stop is not recorded.
/// Bodies kept in memory (``FetchOptions/keepsBodies``) are not recorded: a result from the
/// journal has none.
///
/// The job is the URL list (its count and a 64-bit FNV-1a hash of each URL and where it came
/// from, in order) and every option that changes a result (time limits, retries, redirects,
/// HTTP version, certificates, compression, `--fail`, the output directory and its naming, the
/// body limit, the headers and user agent, by hash); never the strategy, concurrency, threads or
/// per-host cap, which change how, not what. A journal of another job is refused.
public final class FetchJournal: @unchecked Sendable {
    // @unchecked: `state` is behind its lock; the rest is set once in init.

    /// The journal file.
    public let path: String
    /// The URLs of the job, in input order, with where each came from.
    public let urls: [(url: String, origin: URLOrigin?)]
    /// The options of the job: a resume fetches with these.
    public let options: FetchOptions
    /// The results the journal held when it was opened, in input order.
    public let resumed: [FetchResult]
    /// The longest time a written record waits for its fsync.
    public let syncInterval: Duration
    /// Records written that start a sync at once, however little time passed.
    public let syncRecords: Int

    private let held: [Bool]
    private let outputDirectory: String?
    private struct State {
        var written = 0
        var recorded = 0
        var lastSync = ContinuousClock.now
        var failure: JournalError?
    }
    private let state = POSIXLocked(State())
    private let journal: Journal

    /// Opens (or creates) the journal at `path` for fetching `urls` with `options`.
    ///
    /// Throws ``UsageError`` for a file that cannot be resumed (another URL list or options,
    /// not a journal, in use by another run): the input's fault. Throws ``JournalError`` when
    /// the file cannot be read or written.
    public init(
        path: String, urls: [(url: String, origin: URLOrigin?)], options: FetchOptions,
        syncInterval: Duration = .milliseconds(100), syncRecords: Int = 4096
    ) throws {
        self.path = path
        self.urls = urls
        self.options = options
        self.syncInterval = syncInterval
        self.syncRecords = max(1, syncRecords)
        outputDirectory = options.outputDirectory
        journal = try Self.open(path: path, job: Self.job(urls: urls, options: options))
        var held = [Bool](repeating: false, count: urls.count)
        var resumed: [FetchResult] = []
        for record in journal.records {
            guard let result = FetchResult(recordBytes: record.slot), result.index == Int(record.item),
                result.index < urls.count, Self.bodyIsOnDisk(result)
            else { continue }
            held[result.index] = true
            resumed.append(result)
        }
        self.held = held
        self.resumed = resumed.sorted { $0.index < $1.index }
    }

    /// The journal, with the input's faults as ``UsageError``s.
    private static func open(path: String, job: JournalJob) throws -> Journal {
        do throws(JournalError) {
            return try Journal(path: path, job: job)
        } catch {
            if error.isUsageError { throw UsageError(error.message) }
            throw error
        }
    }

    /// The URLs whose results the journal holds: those it held when opened and those this run
    /// recorded. Every one of them is synced once ``finish()`` has returned.
    public var savedResults: Int { resumed.count + state.withLock { $0.recorded } }

    /// Whether the journal holds the result of the URL at `index`.
    public func holds(_ index: Int) -> Bool { held[index] }

    /// A body the journal says was saved must still be there, whole: a power cut may have
    /// kept a record whose body never reached the disk.
    private static func bodyIsOnDisk(_ result: FetchResult) -> Bool {
        guard let file = result.file else { return true }
        return Syscalls.regularFileSize(file) == result.bytes
    }

    /// The journal's name for fetching `urls` with `options`.
    package static func job(urls: [(url: String, origin: URLOrigin?)], options: FetchOptions) -> JournalJob {
        var list = FNV1a()
        for (url, origin) in urls {
            list.add(Array(url.utf8))
            switch origin {
            case nil: list.add([0])
            case .argument(let position): list.add(Array("a\(position)".utf8))
            case .line(let line): list.add(Array("l\(line)".utf8))
            }
        }
        func seconds(_ duration: Duration?) -> String { duration.map { String($0.secondsValue) } ?? "none" }
        func text(_ value: String?) -> String {
            guard let value else { return "none" }
            // A field value holds no line break: the header is one field a line.
            return value.replacing("\\", with: "\\\\").replacing("\n", with: "\\n").replacing("\r", with: "\\r")
        }
        func yes(_ flag: Bool) -> String { flag ? "yes" : "no" }
        var headers = FNV1a()
        for header in options.headers { headers.add(Array(header.utf8)) }
        var userAgent = FNV1a()
        userAgent.add(Array(options.userAgent.utf8))
        // The default names libcurl's version: an upgrade between two runs changes no result.
        let isDefaultAgent = options.userAgent == FetchOptions.defaultUserAgent
        return JournalJob(
            identity: [
                .init("workload", "fetch"), .init("urls", String(urls.count)), .init("url_list", list.hex),
                .init("timeout", seconds(options.timeout)),
                .init("connect_timeout", seconds(options.connectTimeout)),
                .init("stall_timeout", seconds(options.stallTimeout)),
                .init("retries", String(options.retries)),
                .init("follow_redirects", yes(options.followsRedirects)),
                .init("max_redirects", String(options.maximumRedirects)),
                .init("http1.1", yes(options.forcesHTTP11)),
                .init("verify_certificates", yes(options.verifiesCertificates)),
                .init("cacert", text(options.certificateAuthorities)),
                .init("compressed", yes(options.acceptsCompression)),
                .init("fail", yes(options.failsOnHTTPError)),
                .init("output_dir", text(options.outputDirectory)),
                .init("name", options.bodyNaming.rawValue),
                .init("max_filesize", options.maximumBodyBytes.map(String.init) ?? "none"),
                .init("headers", options.headers.isEmpty ? "none" : "\(options.headers.count):\(headers.hex)"),
                .init("user_agent", isDefaultAgent ? "default" : userAgent.hex),
            ],
            geometry: [], items: UInt64(urls.count))
    }

    /// Writes `result`'s record, unless the result says nothing about its URL (a transfer a
    /// stop cut short, a fetcher that failed): that URL is fetched again on resume.
    func record(_ result: FetchResult) {
        if let error = result.error, error.isInterrupted || Self.isRunFailure(error) { return }
        state.withLock { state in
            guard state.failure == nil else { return }
            journal.append(item: UInt64(result.index), slot: result.recordBytes)
            do throws(JournalError) {
                try journal.write()
                state.recorded += 1
            } catch {
                state.failure = error
            }
            state.written += 1
        }
    }

    /// libcurl's out-of-memory and failed-initialisation codes: the fetcher, not the URL.
    private static func isRunFailure(_ error: FetchError) -> Bool { error.code == 27 || error.code == 2 }

    /// Syncs the records written so far when the group is due (or, with `force`, now).
    func syncIfDue(force: Bool = false) {
        let due = state.withLock { state -> Bool in
            guard state.failure == nil, state.written > 0 else { return false }
            let now = ContinuousClock.now
            guard force || state.written >= syncRecords || now - state.lastSync >= syncInterval else { return false }
            state.written = 0
            state.lastSync = now
            return true
        }
        guard due else { return }
        // Outside the lock, so results keep being written while the disk works.
        var failure: JournalError?
        if let outputDirectory, let reason = Syscalls.syncFileSystem(holding: outputDirectory) {
            failure = JournalError(.io, "cannot sync the bodies in \(outputDirectory): \(reason.text)")
        } else {
            do throws(JournalError) { try journal.syncWritten() } catch { failure = error }
        }
        if let failure { state.withLock { if $0.failure == nil { $0.failure = failure } } }
    }

    /// Syncs every record written, and throws the first write or sync failure of the run: its
    /// records may not have been kept, and the run must not pass for a success.
    public func finish() throws(JournalError) {
        syncIfDue(force: true)
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }
}

/// The 64-bit FNV-1a hash, each piece followed by its length so that pieces cannot run into
/// each other: enough to tell two URL lists apart, not a defence against a forger.
private struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ bytes: [UInt8]) {
        for byte in bytes { mix(byte) }
        for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: bytes.count >> shift)) }
    }

    private mutating func mix(_ byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x100_0000_01b3
    }

    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
