// Pool runs over processes with Swift closures, which fork only from a single-threaded program:
// the test process has many threads, so PoolTests runs this program, one scenario per run, and
// reads what it prints. Each scenario prints one line per fact it checks.
import Foundation
import HybridKit

#if canImport(Glibc)
    import Glibc
#endif

// Tasks that spawned workers find by name: the async scenarios run them from a program with
// threads, where forking Swift work is not allowed.
let square = PoolTask("square") { (n: Int) in n * n }
let crashing = PoolTask("crashing") { (n: Int) in
    if n == 4 { kill(getpid(), SIGKILL) }
    if n == 5 { throw Refused(item: n) }
    if n == 6 { sleep(60) }
    return n
}
let slow = PoolTask("slow") { (n: Int) in
    usleep(2000)
    return n
}

Pool.bootstrap(square, crashing, slow)

struct Refused: Error, CustomStringConvertible {
    var item: Int
    var description: String { "no item \(item)" }
}

let pool = Pool(strategy: .processes, workers: 2)
let scenario = CommandLine.arguments.dropFirst().first ?? ""

func show(_ outcomes: [PoolOutcome<Int>]) {
    for outcome in outcomes {
        switch outcome.result {
        case .success(let value): print("\(outcome.index): \(value) after \(outcome.attempts)")
        case .failure(let failure): print("\(outcome.index): \(failure) after \(outcome.attempts)")
        }
    }
}

func bench() throws {
    // The costs, fastest of several runs each (pool start-up and fork included): run in a
    // release build, they are reported, never tested.
    let runs = Int(CommandLine.arguments.dropFirst(2).first ?? "5") ?? 5
    func fastest(_ body: () throws -> Void) throws -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let start = now()
            try body()
            best = min(best, now() - start)
        }
        return best
    }
    let trivial = Array(0..<100_000)
    let pooled = try fastest { _ = try pool.map(trivial) { (n: Int) in [n] } }
    print("processes, 100000 trivial items: \(pooled) s")
    if CommandLine.arguments.count > 3 { return }
    // The machine is shared: with the fastest run go the cores its workers got (their CPU
    // seconds over its wall seconds), and a run short of 2 is busy, not a result.
    var cpu = (wall: Double.infinity, cores: 0.0)
    for _ in 0..<runs {
        let start = now()
        let before = childrenCPU()
        _ = try pool.map(0..<1000) { (n: Int) -> Int in
            let end = cpuNow() + 0.005
            var x = n
            while cpuNow() < end { x = x &* 6_364_136_223_846_793_005 &+ 1 }
            return x
        }
        let wall = now() - start
        if wall < cpu.wall { cpu = (wall, (childrenCPU() - before) / wall) }
    }
    print("processes, 1000 items of 5 ms CPU: \(cpu.wall) s, ideal 2.5 s; workers had \(cpu.cores) cores")
    let many = Array(0..<2_000_000)
    let serial = Pool(strategy: .serial)
    var sink = 0
    let plain = try fastest { sink &+= many.map { $0 &* 3 }.count }
    let serialPool = try fastest { sink &+= try serial.map(many) { (n: Int) in n &* 3 }.count }
    print("serial, 2000000 trivial items: \(serialPool) s, plain map \(plain) s, sink \(sink > 0)")
    struct Row: Codable {
        var id: Int
        var name: String
        var scores: [Double]
        var note: String?
    }
    let rows = (0..<20_000).map { Row(id: $0, name: "row \($0)", scores: [1.5, 2.5, Double($0)], note: nil) }
    let binary = try fastest { for row in rows { sink &+= try BinaryEncoder().encode(row).count } }
    let json = try fastest { for row in rows { sink &+= try JSONEncoder().encode(row).count } }
    let encoded = try rows.map { try BinaryEncoder().encode($0) }
    let jsonEncoded = try rows.map { try JSONEncoder().encode($0) }
    let binaryBack = try fastest {
        for bytes in encoded { sink &+= try BinaryDecoder().decode(Row.self, from: bytes).id }
    }
    let jsonBack = try fastest {
        for data in jsonEncoded { sink &+= try JSONDecoder().decode(Row.self, from: data).id }
    }
    print("20000 rows: binary encode \(binary) s, JSON \(json) s; decode \(binaryBack) s, JSON \(jsonBack) s")
}

func spawned() async throws {
    let squares = try await pool.map(0..<1000, task: square)
    print("squares: \(squares.count) sum \(squares.reduce(0, +))")
    var lines: [Int: String] = [:]
    let policy = PoolPolicy(timeout: .milliseconds(500), retries: 0)
    for try await outcome in pool.outcomes(0..<8, policy: policy, task: crashing) {
        lines[outcome.index] = outcome.failure.map { "\($0)" } ?? "\(outcome.output!)"
    }
    print(lines.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))
    // Cancelled while items run: every worker ends before the loop does.
    let task = Task {
        var consumed = 0
        for try await _ in pool.outcomes(0..., window: 16, task: slow) {
            consumed += 1
            if consumed == 50 { withUnsafeCurrentTask { $0?.cancel() } }
        }
        return consumed
    }
    let consumed = try await task.value
    var status: Int32 = 0
    let left = waitpid(-1, &status, WNOHANG) >= 0 ? "some" : "none"
    print("cancelled after \(consumed >= 50 ? "50" : "\(consumed)"); children left: \(left)")
    do {
        // Only one of these fails, so the first failure is the same in every run.
        _ = try await pool.map([0, 1, 2, 3, 5, 7], task: crashing)
    } catch let error as PoolItemError {
        print("map: \(error)")
    }
    let unregistered = PoolTask("unregistered") { (n: Int) in n }
    do {
        _ = try await pool.map(0..<8, task: unregistered)
    } catch {
        print("\(error)")
    }
}

func article() throws {
    // The article's pool.map(square, range(1000)), and words to their lengths.
    let squares = try pool.map(0..<1000) { (n: Int) in n * n }
    print("squares: \(squares.count) sum \(squares.reduce(0, +))")
    let lengths: [[Int]] = try pool.map(["a", "bb", "ccc"]) { (word: String) in [word.count] }
    print("lengths: \(lengths)")
    let big = try pool.map(0..<8) { (n: Int) in String(repeating: "x", count: n << 17) }
    print("big: \(big.map(\.count) == (0..<8).map { $0 << 17 })")
}

switch scenario {
case "article":
    try article()

case "threw":
    show(try pool.mapOutcomes(0..<6) { (n: Int) in if n == 3 { throw Refused(item: n) } else { return n } })

case "crashed":
    show(
        try pool.mapOutcomes(0..<6) { (n: Int) in
            if n == 4 { kill(getpid(), SIGKILL) }; return n
        })

case "exited":
    show(
        try pool.mapOutcomes(0..<3, policy: PoolPolicy(retries: 0)) { (n: Int) in
            if n == 1 { exit(7) }; return n
        })

case "timed-out":
    let outcomes = try pool.mapOutcomes(0..<6, policy: PoolPolicy(timeout: .milliseconds(500), retries: 0)) {
        (n: Int) in
        if n == 2 { sleep(60) }
        return n
    }
    show(outcomes)

case "map-throws":
    do {
        _ = try pool.map(0..<2000) { (n: Int) in if n == 1500 { throw Refused(item: n) } else { return n } }
        print("no error")
    } catch let error as PoolItemError {
        print("\(error)")
    }

case "halt":
    let outcomes = try pool.mapOutcomes(0..<100, policy: PoolPolicy(halt: .afterFailures(3))) { (n: Int) -> Int in
        throw Refused(item: n)
    }
    let threw = outcomes.filter { if case .threw = $0.failure { true } else { false } }.count
    print("threw \(threw), cancelled or not run \(100 - threw)")

case "recycled":
    // Every worker ends after 10 items, so 100 items see at least 10 processes; each worker's
    // initialiser ran in it, with its number.
    nonisolated(unsafe) var number = -1
    let runs = try pool.map(0..<100, policy: PoolPolicy(itemsPerWorker: 10, initializer: { number = $0 })) {
        (_: Int) in [Int(getpid()), number]
    }
    print("processes: \(Set(runs.map { $0[0] }).count >= 10), numbers: \(Set(runs.map { $0[1] }).sorted())")

case "async-refused":
    // Async forms run on a thread of their own: forking Swift work from there breaks the rule.
    let done = DispatchSemaphoreLike()
    Task.detached {
        do {
            for try await _ in pool.outcomes(0..<3, { (n: Int) in n }) {}
            print("ran")
        } catch {
            print("\(error)")
        }
        done.signal()
    }
    done.wait()

case "spawned":
    // From a detached task: this program has several threads by now.
    let done = DispatchSemaphoreLike()
    Task.detached {
        do {
            try await spawned()
        } catch {
            print("error: \(error)")
        }
        done.signal()
    }
    done.wait()

case "journal":
    // journal PATH RAN KILL-AT: 400 squares over a journal; each run of an item appends its
    // index to the file RAN, and the item KILL-AT (-1 for none) kills this program mid-run.
    let arguments = Array(CommandLine.arguments.dropFirst(2))
    let journal = PoolJournal(path: arguments[0], identity: "pool-checks squares")
    let ran = open(arguments[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    let killAt = Int(arguments[2]) ?? -1
    let squares = try pool.map(Array(0..<400), journal: journal) { (n: Int) -> Int in
        let line = Array("\(n)\n".utf8)
        _ = line.withUnsafeBytes { write(ran, $0.baseAddress, $0.count) }
        if n == killAt {
            kill(getppid(), SIGKILL)
            sleep(60)
        }
        usleep(500)
        return n * n
    }
    let right = squares == (0..<400).map { $0 * $0 }
    print("resumed \(journal.resumedCount), recorded \(journal.recordedCount), squares \(right ? "right" : "wrong")")

case "bench":
    try bench()

default:
    print("unknown scenario \(scenario)")
    exit(2)
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// This thread's CPU time: the 5 ms items spin on it, so that a busy machine stretches the
/// wall time, not the work.
func cpuNow() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// CPU seconds of the reaped children (the workers of finished runs).
func childrenCPU() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}

/// A semaphore without Dispatch: the main thread waits for the task.
final class DispatchSemaphoreLike: @unchecked Sendable {
    private var semaphore = sem_t()
    init() { sem_init(&semaphore, 0, 0) }
    func signal() { sem_post(&semaphore) }
    func wait() { while sem_wait(&semaphore) != 0 {} }
}
