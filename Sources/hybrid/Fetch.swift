import ArgumentParser
import HybridKit
import HybridPresentation
import HybridServer

#if canImport(Glibc)
    import Glibc
#endif

extension FetchStrategy: ExpressibleByArgument {}
extension BodyNaming: ExpressibleByArgument {}

/// `hybrid fetch`: fetches URLs with libcurl by one strategy and reports the run.
struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch URLs with libcurl: serial, threads, multi or threads-multi.",
        discussion: """
            URLs come from the arguments and from --input (a file, or - for standard input; \
            blank lines and # comments are skipped), read as transfers free up. With no URLs at \
            all, a demo fetches 100 URLs of 50 ms each from an embedded server. HTTPS is \
            verified and speaks HTTP/2 where offered; redirects are followed. Exits 0 when every \
            URL is ok (completed, status < 400), 1 when any failed, 2 for bad usage, 130 or 143 \
            when SIGINT or SIGTERM stopped it (what finished is still written). With --journal, \
            the whole list is read first, each finished URL is recorded, and the same command \
            after a crash or a stop fetches only what the journal does not hold.
            """
    )

    @Argument(help: "URLs to fetch.")
    var urls: [String] = []

    @Option(help: "A file of URLs, one per line; - reads standard input.")
    var input: String?

    @Option(help: "serial, threads, multi or threads-multi.")
    var strategy: FetchStrategy = .multi

    @Option(
        help: "Transfers in flight at once (multi, threads-multi; the thread count of threads).")
    var concurrency: Int = 100

    @Option(help: "Worker threads (threads: default the concurrency; threads-multi: the cores).")
    var threads: Int?

    @Option(help: "Seconds allowed for each whole transfer (default: no limit).")
    var timeout: Double?

    @Option(name: .customLong("connect-timeout"), help: "Seconds allowed for connecting, TLS included.")
    var connectTimeout: Double = 30

    @Option(
        name: .customLong("stall-timeout"),
        help: "Seconds a transfer may receive no byte before it fails (a silent server).")
    var stallTimeout: Double = 60

    @Option(help: "Further attempts after a transport error or a 5xx status.")
    var retries: Int = 0

    @Option(name: .customLong("max-redirs"), help: "Redirects followed at most.")
    var maxRedirects: Int = 10

    @Flag(name: .customLong("no-follow"), help: "Report a redirect itself instead of following it.")
    var noFollow = false

    @Flag(name: .customLong("http1.1"), help: "Speak HTTP/1.1 only, even where HTTP/2 is offered.")
    var http11 = false

    @Option(help: "A PEM file of certificate authorities to trust instead of the system's.")
    var cacert: String?

    @Flag(help: "Do not verify certificates or host names (said once on stderr).")
    var insecure = false

    @Flag(help: "Ask for compressed bodies and decode them (gzip, deflate, br, zstd).")
    var compressed = false

    @Flag(
        help: "Fail a URL whose status is 400 or more, as curl's --fail: its body is not saved.")
    var fail = false

    @Option(
        name: .customLong("output-dir"),
        help: "Write each body to DIR/INDEX (INDEX: the URL's input position, from 0).")
    var outputDirectory: String?

    @Option(
        name: .customLong("name"),
        help: "Name bodies by index, or by url: the last segment of the final URL, made unique.")
    var name: BodyNaming = .index

    @Option(name: .customLong("max-filesize"), help: "Bytes a body may have at most.")
    var maxFilesize: Int?

    @Option(name: .customLong("per-host"), help: "Connections to one host at most.")
    var perHost: Int?

    @Option(name: [.customShort("H"), .customLong("header")], help: "A request header, \"Name: value\".")
    var headers: [String] = []

    @Option(
        help: ArgumentHelp(
            "Record each finished URL in FILE; the same command again fetches only the rest.",
            valueName: "FILE"))
    var journal: String?

    @OptionGroup var output: OutputOptions

    @Flag(help: "Print one JSON object per result as it finishes, then a summary line.")
    var jsonl = false

    func validate() throws {
        try usageChecked {
            _ = try fetchOptions()
            if output.json && jsonl { throw UsageError("--json and --jsonl: choose one") }
            if name == .url && outputDirectory == nil {
                throw UsageError("--name url names the files of --output-dir: give one")
            }
            if journal != nil && urls.isEmpty && input == nil {
                throw UsageError("--journal records a fetch of the URLs given: give URLs or --input")
            }
        }
    }

    func run() throws {
        let options = try fetchOptions()
        let reader = try input.map { try URLListReader(path: $0) }

        var demoServer: EmbeddedServer?
        var given = urls.map(asGiven)
        if given.isEmpty && input == nil {
            // The lesson's fetch load (its defaults), so this demo and `hybrid demo` stay one size.
            let load = try FetchLoadOptions.parse([])
            let server = try EmbeddedServer.start(port: 0, latency: .milliseconds(load.latency), size: 1024)
            demoServer = server
            given = (0..<load.urls).map { "\(server.url)/demo/\($0)" }
            FileHandleOutput.standardError.write(
                "hybrid: no URLs given: demo of \(load.urls) URLs of \(load.latency) ms each from an embedded server "
                    + "at \(server.url), strategy \(options.strategy.rawValue)\n")
        }
        defer { demoServer?.shutdown() }
        if !options.verifiesCertificates {
            FileHandleOutput.standardError.write(
                "hybrid: --insecure: certificates and host names are not verified\n")
        }

        // A journal names its job by the whole list, so the list is read before the first transfer.
        var fetchJournal: FetchJournal?
        if let journal {
            var list = given.enumerated().map { (url: $0.element, origin: URLOrigin?.some(.argument($0.offset + 1))) }
            if let reader {
                while let url = reader.next() { list.append((url, .line(reader.line))) }
                if let error = reader.error {
                    FileHandleOutput.standardError.write("hybrid: \(error.message)\n")
                    throw ExitCode(1)
                }
            }
            fetchJournal = try FetchJournal(path: journal, urls: list, options: options)
        }

        let stream = URLStream(urls: fetchJournal == nil ? given : [], reader: fetchJournal == nil ? reader : nil)
        defer { stream.close() }

        let json = output.json
        let standardOutput = BufferedOutput()
        var kept: [FetchResult] = []
        let keepsAll = json
        let streams = jsonl
        let result: (FetchResult) -> Void = { result in
            if streams {
                standardOutput.write(result.json.serialized() + "\n")
            } else if keepsAll || !result.isOK {
                kept.append(result)
            }
        }

        let standardError = FileHandleOutput.standardError
        let showsProgress = !output.noProgress && standardError.isTerminal
        let progressFrom = ContinuousClock.now + .seconds(output.progressDelay)
        var shown = -1
        let progress: (Int, Int) -> Void = { done, taken in
            standardOutput.flushIfStale()
            guard showsProgress, done != shown, ContinuousClock.now >= progressFrom else { return }
            shown = done
            standardError.write("\rfetched \(done)/\(taken)")
        }
        let notice: (String) -> Void = { standardError.write("hybrid: \($0)\n") }
        let summary: FetchSummary
        if let fetchJournal {
            summary = try URLFetcher.stream(
                journal: fetchJournal, stopsOnSignals: true, progress: progress,
                notice: notice, result: result)
        } else {
            summary = try URLFetcher.stream(
                options: options, stopsOnSignals: demoServer == nil, progress: progress, notice: notice,
                next: stream.next, result: result)
        }
        if shown >= 0 { standardError.write("\r\u{1B}[K") }

        if streams {
            standardOutput.write(JSONValue.object(summary.jsonMembers).serialized() + "\n")
        } else if json {
            kept.sort { $0.index < $1.index }
            standardOutput.write(FetchReport(summary: summary, results: kept).json() + "\n")
        } else {
            kept.sort { $0.index < $1.index }
            standardOutput.write(summary.text(failures: kept))
        }
        standardOutput.flush()
        if let failure = standardOutput.failure {
            throw OutputError(stream: "standard output", reason: failure)
        }
        if let error = stream.error {
            standardError.write("hybrid: \(error.message)\n")
            throw ExitCode(1)
        }
        if let signal = summary.interruption {
            let rest =
                fetchJournal.map { fetched in
                    let saved = JournalProgress(
                        path: fetched.path, savedItems: fetched.savedResults, items: fetched.urls.count,
                        itemsName: "URLs")
                    return "\(Hybrid.savedShare(saved)) are saved in the journal \(fetched.path): "
                        + "the same command resumes from there"
                } ?? "later URLs were not fetched"
            standardError.write(
                "hybrid: interrupted by \(signalName(signal)): wrote the \(summary.urls) results finished or cut short; "
                    + rest + "\n")
            throw ExitCode(128 + signal)
        }
        if summary.failed > 0 { throw ExitCode(1) }
    }

    private func fetchOptions() throws -> FetchOptions {
        var options = FetchOptions(
            strategy: strategy,
            concurrency: concurrency,
            threads: threads,
            timeout: try timeout.map { try duration($0, name: "--timeout") },
            connectTimeout: try duration(connectTimeout, name: "--connect-timeout"),
            stallTimeout: try duration(stallTimeout, name: "--stall-timeout"),
            retries: retries,
            maximumBodyBytes: maxFilesize,
            forcesHTTP11: http11,
            followsRedirects: !noFollow,
            maximumRedirects: maxRedirects,
            verifiesCertificates: !insecure,
            certificateAuthorities: cacert,
            acceptsCompression: compressed,
            failsOnHTTPError: fail,
            outputDirectory: outputDirectory,
            bodyNaming: name,
            headers: headers,
            perHost: perHost
        )
        // The command line owns its process: it may raise its own descriptor limit.
        options.raisesDescriptorLimit = true
        try options.validate()
        if let cacert {
            do {
                try Syscalls.checkReadable(cacert)
            } catch {
                throw UsageError("cannot read --cacert \(cacert): \(error.text)")
            }
        }
        return options
    }

    /// Seconds as a `Duration`; above FetchOptions.maximumTimeout (about 31.7 years) it is that,
    /// which no transfer reaches, rather than a value `Duration` cannot hold.
    private func duration(_ seconds: Double, name: String) throws -> Duration {
        guard seconds.isFinite, seconds > 0 else {
            throw UsageError("\(name) must be a positive number of seconds")
        }
        let limit = FetchOptions.maximumTimeout
        if seconds >= Double(limit.components.seconds) { return limit }
        return .seconds(seconds)
    }
}

/// The URL argument as its bytes say. Swift hands arguments over with each byte that is not
/// UTF-8 replaced by U+FFFD, which would then be sent as `%ef%bf%bd`; the argv entry it came
/// from is read again, so such a byte is sent as curl sends it (see ``URLBytes``).
private func asGiven(_ argument: String) -> String {
    guard argument.unicodeScalars.contains("\u{FFFD}") else { return argument }
    for index in 1..<Int(CommandLine.argc) {
        guard let raw = CommandLine.unsafeArgv[index] else { continue }
        let bytes = UnsafeBufferPointer(
            start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw))
        if String(decoding: bytes, as: UTF8.self) == argument { return URLBytes.text(bytes) }
    }
    return argument
}

/// Standard output in 64 KiB writes: a result line per transfer would otherwise cost a system
/// call each. Lines wait at most about 0.2 s (``flushIfStale()`` runs several times a second),
/// so a slow fetch still shows its results as they come. Remembers the first failed write, so
/// the command can exit 1 for it. Safe from any thread.
private final class BufferedOutput: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var lastFlush = ContinuousClock.now
        var failure: String?
    }
    private let state = POSIXLocked(State())

    var failure: String? { state.withLock { $0.failure } }

    func write(_ text: String) {
        state.withLock { state in
            state.buffer.append(contentsOf: text.utf8)
            if state.buffer.count >= 1 << 16 { Self.flush(&state) }
        }
    }

    func flushIfStale() {
        state.withLock { state in
            if !state.buffer.isEmpty && ContinuousClock.now - state.lastFlush > .milliseconds(200) {
                Self.flush(&state)
            }
        }
    }

    func flush() { state.withLock { Self.flush(&$0) } }

    private static func flush(_ state: inout State) {
        if state.failure == nil && !state.buffer.isEmpty {
            do {
                try Syscalls.writeAll(STDOUT_FILENO, state.buffer)
            } catch {
                state.failure = error.text
            }
        }
        state.buffer.removeAll(keepingCapacity: true)
        state.lastFlush = ContinuousClock.now
    }
}
