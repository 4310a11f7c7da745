import Foundation
import HybridKit
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Pool on every strategy: outputs in input order, each item's own outcome (a throw, a crash, a
/// time-out, a cancellation), the policy's retries and halt rule, from sync and async callers.
/// Serial and threads run here; processes run Swift closures only from a single-threaded
/// program, so those tests run the pool-checks program and read what it prints.
@Suite("Pool", .serialized)
struct PoolTests {
    struct Refused: Error, CustomStringConvertible {
        var item: Int
        var description: String { "no item \(item)" }
    }

    static let inProcess: [(ComputeStrategy, Int)] = [(.serial, 1), (.threads, 1), (.threads, 3)]

    @Test("the article's pool.map: outputs in input order, sync and async", arguments: inProcess)
    func article(strategy: ComputeStrategy, workers: Int) async throws {
        let pool = Pool(strategy: strategy, workers: workers)
        // In async code the async map is chosen; the sync one runs from a sync closure.
        let squares = try { try pool.map(0..<1000) { (n: Int) in n * n } }()
        #expect(squares == (0..<1000).map { $0 * $0 })
        let words = ["pool", "map", "", "processes"]
        let lengths: [[Int]] = try await pool.map(words) { (word: String) in [word.count] }
        #expect(lengths == [[4], [3], [0], [9]])
        // Any sequence, a lazy one included, and outputs of any size.
        let big = try await pool.map((0..<6).lazy.map { $0 * 1000 }) { (n: Int) in String(repeating: "x", count: n) }
        #expect(big.map(\.count) == [0, 1000, 2000, 3000, 4000, 5000])
    }

    @Test("a throw is the item's outcome, never a death; the others succeed", arguments: inProcess)
    func threw(strategy: ComputeStrategy, workers: Int) throws {
        let outcomes = try Pool(strategy: strategy, workers: workers).mapOutcomes(0..<20) { (n: Int) in
            if n == 7 { throw Refused(item: n) }
            return n
        }
        #expect(outcomes.map(\.index) == Array(0..<20))
        #expect(outcomes[7].failure == .threw("HybridKitTests.PoolTests.Refused: no item 7"))
        #expect(outcomes[7].attempts == 1)
        #expect(outcomes.filter { $0.index != 7 }.allSatisfy { $0.output == $0.index && $0.attempts == 1 })
    }

    @Test("map throws the first failure with its index, sync and async", arguments: inProcess)
    func mapThrows(strategy: ComputeStrategy, workers: Int) async {
        let pool = Pool(strategy: strategy, workers: workers)
        let body: @Sendable (Int) throws -> Int = { n in if n == 42 { throw Refused(item: n) } else { return n } }
        let expected = PoolItemError(index: 42, failure: .threw("HybridKitTests.PoolTests.Refused: no item 42"))
        #expect(throws: expected) { try pool.map(0..<100, body) }
        await #expect(throws: expected) { try await pool.map(0..<100, body) }
    }

    @Test("a throw is retried only when the policy asks", arguments: inProcess)
    func retriedThrow(strategy: ComputeStrategy, workers: Int) throws {
        let failuresLeft = Locked(2)
        let flaky: @Sendable (Int) throws -> Int = { n in
            if n == 3,
                failuresLeft.withLock({ left in
                    defer { left -= 1 }; return left > 0
                })
            {
                throw Refused(item: n)
            }
            return n
        }
        let pool = Pool(strategy: strategy, workers: workers)
        let once = try pool.mapOutcomes(0..<5, flaky)
        #expect(once[3].failure != nil && once[3].attempts == 1)
        failuresLeft.withLock { $0 = 2 }
        let retried = try pool.mapOutcomes(0..<5, policy: PoolPolicy(retries: .init(threw: 2)), flaky)
        #expect(retried[3].output == 3 && retried[3].attempts == 3)
    }

    @Test("threads: a stuck item times out, its thread is replaced, the run does not wait for it")
    func threadsTimeOut() throws {
        let started = Syscalls.monotonicSecondsForTests()
        let outcomes = try Pool(strategy: .threads, workers: 2).mapOutcomes(
            0..<10, policy: PoolPolicy(timeout: .milliseconds(200), retries: 0)
        ) { (n: Int) in
            if n == 4 { sleep(20) }
            return n
        }
        #expect(outcomes[4].failure == .timedOut)
        #expect(outcomes.filter { $0.index != 4 }.allSatisfy { $0.output == $0.index })
        #expect(Syscalls.monotonicSecondsForTests() - started < 15)
    }

    @Test("serial: an item that ran past its time-out is reported so when it returns")
    func serialTimeOut() throws {
        let outcomes = try Pool(strategy: .serial).mapOutcomes(
            0..<3, policy: PoolPolicy(timeout: .milliseconds(50), retries: 0)
        ) { (n: Int) in
            if n == 1 { usleep(300_000) }
            return n
        }
        #expect(outcomes.map(\.failure) == [nil, .timedOut, nil])
    }

    @Test("outcomes come in completion order; every item once", arguments: inProcess)
    func outcomesStream(strategy: ComputeStrategy, workers: Int) async throws {
        var seen: [Int: Int] = [:]
        for try await outcome in Pool(strategy: strategy, workers: workers).outcomes(0..<500, { (n: Int) in n * 2 }) {
            seen[outcome.index] = outcome.output
        }
        #expect(seen == Dictionary(uniqueKeysWithValues: (0..<500).map { ($0, $0 * 2) }))
    }

    @Test("cancelling the consuming task stops the run, even over an endless input", arguments: inProcess)
    func cancelled(strategy: ComputeStrategy, workers: Int) async throws {
        let ran = Atomic<Int>(0)
        let pool = Pool(strategy: strategy, workers: workers)
        let task = Task {
            var consumed = 0
            for try await _ in pool.outcomes(
                0..., window: 8,
                { (n: Int) in
                    ran.add(1, ordering: .relaxed)
                    usleep(1000)
                    return n
                })
            {
                consumed += 1
                if consumed == 20 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return consumed
        }
        let consumed = try await task.value
        #expect(consumed >= 20)
        // Bounded memory: at most a window in flight and a window's worth buffered.
        let afterRun = ran.load(ordering: .relaxed)
        #expect(afterRun <= consumed + 8 + 8 + workers)
        usleep(200_000)
        #expect(ran.load(ordering: .relaxed) <= afterRun + workers, "the run went on after cancellation")
    }

    @Test("leaving the loop early stops the run")
    func leftEarly() async throws {
        let ran = Atomic<Int>(0)
        for try await outcome in Pool(strategy: .threads, workers: 2).outcomes(
            0..., window: 4,
            { (n: Int) in
                ran.add(1, ordering: .relaxed)
                return n
            }) where outcome.index >= 10
        {
            break
        }
        let afterRun = ran.load(ordering: .relaxed)
        usleep(200_000)
        #expect(ran.load(ordering: .relaxed) <= afterRun + 2)
    }

    @Test("the halt rule stops a run after N failures; the rest are cancelled or never run")
    func halt() throws {
        let outcomes = try Pool(strategy: .serial).mapOutcomes(
            0..<100, policy: PoolPolicy(halt: .afterFailures(3))
        ) { (n: Int) -> Int in
            throw Refused(item: n)
        }
        #expect(outcomes.count == 3)
        let fraction = try Pool(strategy: .threads, workers: 2).mapOutcomes(
            0..<1000, policy: PoolPolicy(halt: .afterFraction(0.5, minimum: 10))
        ) { (n: Int) -> Int in
            if n % 2 == 0 { throw Refused(item: n) }
            usleep(100)
            return n
        }
        #expect(fraction.count < 1000)
    }

    @Test("the initialiser runs in a worker with its number, before its items")
    func initializer() throws {
        let numbers = Locked<[Int]>([])
        let seen = try Pool(strategy: .threads, workers: 3).map(
            0..<30, policy: PoolPolicy(initializer: { worker in numbers.withLock { $0.append(worker) } })
        ) { (n: Int) in numbers.withLock { $0.isEmpty ? -1 : n } }
        #expect(seen == Array(0..<30))
        // Threads that started after the last item was taken may not have run it yet.
        let ran = numbers.withLock { $0 }
        #expect(!ran.isEmpty && Set(ran).count == ran.count && Set(ran).isSubset(of: [0, 1, 2]))
    }

    @Test("processes refuse Swift closures in a multi-threaded program, sync and async")
    func processesRefused() async {
        let pool = Pool(strategy: .processes, workers: 2)
        #expect(throws: PoolError.forkNeedsSingleThread) { try pool.map(0..<3) { (n: Int) in n } }
        await #expect(throws: PoolError.forkNeedsSingleThread) { try await pool.map(0..<3) { (n: Int) in n } }
    }

    static let processScenarios: [(String, String)] = [
        (
            "article",
            """
            squares: 1000 sum 332833500
            lengths: [[1], [2], [3]]
            big: true
            """
        ),
        (
            "threw",
            """
            0: 0 after 1
            1: 1 after 1
            2: 2 after 1
            3: threw pool_checks.Refused: no item 3 after 1
            4: 4 after 1
            5: 5 after 1
            """
        ),
        (
            // The default policy tries a crashed item once more, on a new worker.
            "crashed",
            """
            0: 0 after 1
            1: 1 after 1
            2: 2 after 1
            3: 3 after 1
            4: crashed: killed by SIGKILL after 2
            5: 5 after 1
            """
        ),
        (
            "exited",
            """
            0: 0 after 1
            1: crashed: exited with code 7 after 1
            2: 2 after 1
            """
        ),
        (
            "timed-out",
            """
            0: 0 after 1
            1: 1 after 1
            2: timed out after 1
            3: 3 after 1
            4: 4 after 1
            5: 5 after 1
            """
        ),
        ("map-throws", "item 1500 threw pool_checks.Refused: no item 1500"),
        ("recycled", "processes: true, numbers: [0, 1]"),
        ("async-refused", "Swift work can run in forked processes only from a single-threaded program"),
        (
            // Registered tasks over spawned workers, from async code in a program with threads:
            // a throw, a crash, a time-out, a cancelled task (whose workers all end), map's first
            // failure, and a task that was never registered.
            "spawned",
            """
            squares: 1000 sum 332833500
            0: 0, 1: 1, 2: 2, 3: 3, 4: crashed: killed by SIGKILL, 5: threw pool_checks.Refused: no item 5, \
            6: timed out, 7: 7
            cancelled after 50; children left: none
            map: item 4 threw pool_checks.Refused: no item 5
            the pool task unregistered is not registered: pass it to Pool.bootstrap at the top of main
            """
        ),
    ]

    @Test("processes, from a single-threaded program", .timeLimit(.minutes(2)), arguments: processScenarios)
    func processes(scenario: String, expected: String) throws {
        let (status, output) = try Self.runChecks(scenario)
        #expect(status == 0)
        #expect(output == expected + "\n")
    }

    @Test("processes: the halt rule stops the run; items already running report")
    func processesHalt() throws {
        let (status, output) = try Self.runChecks("halt")
        #expect(status == 0)
        let threw = output.split(separator: " ").dropFirst().first.flatMap { Int($0.filter(\.isNumber)) } ?? 0
        #expect(threw >= 3 && threw < 100, "\(output)")
    }

    /// Runs pool-checks with `scenario` and `arguments`: its exit status (the signal's number
    /// when a signal ended it) and what it printed.
    static func runChecks(_ scenario: String, _ arguments: [String] = []) throws -> (Int32, String) {
        var directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("pool-checks").path),
            directory.path != "/"
        {
            directory = directory.deletingLastPathComponent()
        }
        let process = Process()
        process.executableURL = directory.appendingPathComponent("pool-checks")
        process.arguments = [scenario] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

extension Syscalls {
    static func monotonicSecondsForTests() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }
}

/// A value behind a POSIX mutex (NSLock), for state the pool's worker threads share in a test:
/// ThreadSanitizer sees a pthread mutex's ordering, not Synchronization.Mutex's.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
