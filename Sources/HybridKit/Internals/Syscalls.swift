import CShims

#if canImport(Glibc)
    import Glibc
#endif

/// The POSIX calls HybridKit makes from Swift, in one place (as swift-system keeps them in
/// `Internals/Syscalls.swift`): each call that can be interrupted retries through
/// ``retryingOnInterrupt(_:)``, wait statuses are read through CShims (Swift cannot import the
/// `W*` macros), and the rest of the library sees Swift types and error text only. The fork
/// pool's own calls are C, in CForkPool. The few members the command line needs too (blocking
/// and awaiting stop signals, writing standard output) are `package`, not public.
@usableFromInline
package enum Syscalls {
    /// Runs `call` again while it fails with `EINTR`; returns its last result.
    @inlinable
    static func retryingOnInterrupt<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// The system's text for an `errno` value: `No space left on device`.
    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}

// MARK: - Files and descriptors

extension Syscalls {
    /// Writes every byte to `descriptor`, retrying short writes and `EINTR`.
    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws(SystemFailure) {
        // Through a Result: withUnsafeBytes rethrows untyped.
        try bytes.withUnsafeBytes { buffer in Result { () throws(SystemFailure) in try writeAll(descriptor, buffer) } }
            .get()
    }

    /// Writes every byte of `buffer`, retrying short writes and `EINTR`.
    package static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) throws(SystemFailure) {
        var offset = 0
        while offset < buffer.count {
            let written = retryingOnInterrupt {
                Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 { throw SystemFailure(errno) }
            offset += written
        }
    }

    /// Reads `descriptor` to its end.
    static func readAll(_ descriptor: Int32) throws(SystemFailure) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer in
                Result { () throws(SystemFailure) in try read(descriptor, into: buffer) }
            }.get()
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// The text of a small file such as one under /proc or /sys.
    static func readSmallFile(_ path: String) throws(SystemFailure) -> String {
        let descriptor = try openForReading(path)
        defer { try? close(descriptor) }
        return String(decoding: try readAll(descriptor), as: UTF8.self)
    }

    /// Opens (creates or truncates) `path` for writing; its descriptor.
    static func createFile(_ path: String) throws(SystemFailure) -> Int32 {
        let descriptor = retryingOnInterrupt { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        guard descriptor >= 0 else { throw SystemFailure(errno) }
        return descriptor
    }

    /// Makes a new file named `prefix` plus six random characters in `directory` (by default
    /// `$TMPDIR` or /tmp), open for writing; its path and descriptor.
    static func createTemporaryFile(prefix: String, directory: String? = nil) throws(SystemFailure) -> (
        path: String, descriptor: Int32
    ) {
        let directory = directory ?? getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(directory)/\(prefix)XXXXXX".utf8CString)
        let descriptor = mkstemp(&template)
        guard descriptor >= 0 else { throw SystemFailure(errno) }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (path, descriptor)
    }

    /// Closes `descriptor`; throws when closing reports a failed write.
    static func close(_ descriptor: Int32) throws(SystemFailure) {
        guard Glibc.close(descriptor) == 0 else { throw SystemFailure(errno) }
    }

    /// Opens `path` for reading; its descriptor.
    static func openForReading(_ path: String) throws(SystemFailure) -> Int32 {
        let descriptor = retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { throw SystemFailure(errno) }
        return descriptor
    }

    /// Reads up to `buffer.count` bytes from `descriptor` into `buffer`, retrying `EINTR`; the
    /// count read (0 at the end).
    static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemFailure) -> Int {
        let count = retryingOnInterrupt { Glibc.read(descriptor, buffer.baseAddress, buffer.count) }
        guard count >= 0 else { throw SystemFailure(errno) }
        return count
    }

    /// Makes the directory `path` (mode 755) unless something of that name is there.
    static func makeDirectory(_ path: String) throws(SystemFailure) {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw SystemFailure(errno) }
    }

    /// The size in bytes of the regular file at `path`; nil when there is none.
    static func regularFileSize(_ path: String) -> Int? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(status.st_size)
    }

    /// Flushes every written file of the filesystem that holds `path` to its disk (syncfs),
    /// in one call however many files there are. Nil on success, else the system's reason.
    static func syncFileSystem(holding path: String) -> SystemFailure? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return SystemFailure(errno) }
        defer { Glibc.close(descriptor) }
        return hybrid_sync_file_system(descriptor) == 0 ? nil : SystemFailure(errno)
    }

    /// Whether `path` names a directory.
    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// Throws unless this process may read `path`.
    package static func checkReadable(_ path: String) throws(SystemFailure) {
        guard access(path, R_OK) == 0 else { throw SystemFailure(errno) }
    }

    /// The descriptors this process has open (the one reading /proc/self/fd included), counted
    /// in /proc/self/fd; nil where that is missing.
    static func openDescriptorCount() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { $0.first }
            if name != UInt8(ascii: ".") { count += 1 }
        }
        return count
    }

    /// Removes the file at `path`, if it is there.
    static func removeFile(_ path: String) { _ = unlink(path) }

    /// Whether `descriptor` is a terminal.
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Whether `path` names a file this process may execute.
    static func isExecutable(_ path: String) -> Bool { access(path, X_OK) == 0 }

    /// The value of environment variable `name`.
    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}

/// A system call's failure: its `errno` and the system's text for it. Every call of
/// ``Syscalls`` that can fail throws one (as swift-system's calls throw `Errno`); the rest
/// answer a question (`isDirectory`, `isTerminal`) and cannot fail.
package struct SystemFailure: Error, CustomStringConvertible {
    package let code: Int32
    package init(_ code: Int32) { self.code = code }
    /// The system's text: `No space left on device`.
    package var text: String { Syscalls.errorText(code) }
    package var description: String { text }
}

// MARK: - Processes

extension Syscalls {
    /// Runs `path` with `arguments` (posix_spawn: no Swift runs in the child), its standard
    /// output collected, its standard error sent to /dev/null, and waits for it. Returns its exit
    /// code (128 + the signal when a signal ended it) and output.
    static func runCollectingOutput(_ path: String, _ arguments: [String]) throws(SystemFailure) -> (
        status: Int32, output: [UInt8]
    ) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SystemFailure(errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[1], STDOUT_FILENO)
        posix_spawn_file_actions_addclose(&actions, ends[0])
        posix_spawn_file_actions_addclose(&actions, ends[1])
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = argv.withUnsafeBufferPointer { posix_spawn(&pid, path, &actions, nil, $0.baseAddress!, environ) }
        Glibc.close(ends[1])
        guard spawned == 0 else {
            Glibc.close(ends[0])
            throw SystemFailure(spawned)
        }
        let output = (try? readAll(ends[0])) ?? []
        Glibc.close(ends[0])
        var status: Int32 = 0
        _ = retryingOnInterrupt { waitpid(pid, &status, 0) }
        let code =
            hybrid_wait_signaled(status) != 0 ? 128 + hybrid_wait_signal(status) : hybrid_wait_exit_code(status)
        return (code, output)
    }

    /// The number of threads in this process, from /proc (1 when it cannot tell).
    @usableFromInline static func threadCount() -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 1 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("Threads:") {
                return Int(String(text.dropFirst(8)).trimmingWhitespace()) ?? 1
            }
        }
        return 1
    }

    /// Online processors (at least 1).
    static func onlineProcessors() -> Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

// MARK: - Time

extension Syscalls {
    /// Seconds on the monotonic clock.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    /// CPU seconds (user and system) of this process and of the children it has reaped.
    static func cpuSeconds() -> Double {
        func seconds(_ who: Int32) -> Double {
            var usage = rusage()
            getrusage(__rusage_who_t(who), &usage)
            let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
            let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
            return user + system
        }
        return seconds(RUSAGE_SELF.rawValue) + seconds(RUSAGE_CHILDREN.rawValue)
    }

    /// Sleeps for `seconds` (a signal may cut it short).
    static func sleep(seconds: Double) { usleep(UInt32(max(0, seconds) * 1e6)) }
}

// MARK: - Signals and threads

extension Syscalls {
    /// SIGINT and SIGTERM as a set.
    package static func stopSignalSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        return set
    }

    /// Blocks `set` on the calling thread; returns the mask it replaced.
    @discardableResult
    package static func block(_ set: sigset_t) -> sigset_t {
        var set = set
        var original = sigset_t()
        pthread_sigmask(SIG_BLOCK, &set, &original)
        return original
    }

    /// Restores a signal mask that ``block(_:)`` returned.
    static func restoreMask(_ mask: sigset_t) {
        var mask = mask
        pthread_sigmask(SIG_SETMASK, &mask, nil)
    }

    /// Waits up to `seconds` for a signal of `set` (blocked) to arrive; takes and returns it.
    static func waitForSignal(in set: sigset_t, seconds: Double) -> Int32? {
        var set = set
        var timeout = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        let signal = sigtimedwait(&set, nil, &timeout)
        return signal > 0 ? signal : nil
    }

    /// Waits, however long it takes, for a signal of `set` (blocked) to arrive; takes and
    /// returns it.
    package static func waitForSignal(in set: sigset_t) -> Int32 {
        var set = set
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
        return received
    }

    private final class ThreadBody {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body` on a new POSIX thread.
    static func startThread(_ body: @escaping () -> Void) throws(SystemFailure) -> pthread_t {
        let box = Unmanaged.passRetained(ThreadBody(body))
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, box.toOpaque())
        guard status == 0 else {
            box.release()
            throw SystemFailure(status)
        }
        return thread
    }

    /// Waits for a thread from ``startThread(_:)`` to end.
    static func join(_ thread: pthread_t) { pthread_join(thread, nil) }

    /// Starts `body` on a new POSIX thread that nobody joins.
    static func startDetachedThread(_ body: @escaping () -> Void) throws(SystemFailure) {
        pthread_detach(try startThread(body))
    }
}

// MARK: - Limits

extension Syscalls {
    /// The soft and hard limits on open file descriptors (RLIMIT_NOFILE); `Int.max` for
    /// unlimited; nil when they cannot be read.
    static func descriptorLimits() -> (soft: Int, hard: Int)? {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        func value(_ raw: rlim_t) -> Int { raw == rlim_t.max || raw > rlim_t(Int.max) ? Int.max : Int(raw) }
        return (value(limit.rlim_cur), value(limit.rlim_max))
    }

    /// Sets the soft limit on open file descriptors (at most the hard limit).
    static func setDescriptorSoftLimit(_ soft: Int) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = rlim_t(max(0, soft))
        limit.rlim_cur = limit.rlim_max == rlim_t.max ? wanted : min(limit.rlim_max, wanted)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }
}

// MARK: - Locks

/// A value behind a POSIX mutex, for every lock in the package. Not `Synchronization.Mutex`: on
/// Linux that locks with raw futex calls, which ThreadSanitizer cannot see, so it reported the
/// guarded value's accesses from two threads as a race whenever they contended (a threads run
/// reporting finished items; a fetcher taking URLs while the list's reader thread queued more).
package final class POSIXLocked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
