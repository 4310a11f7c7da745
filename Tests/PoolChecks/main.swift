// Pool runs over processes with Swift closures, which fork only from a single-threaded program:
// the test process has many threads, so PoolTests runs this program, one scenario per run, and
// reads what it prints. Each scenario prints one line per fact it checks.
import HybridKit

#if canImport(Glibc)
    import Glibc
#endif

Pool.bootstrap()

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

switch scenario {
case "article":
    // The article's pool.map(square, range(1000)), and words to their lengths.
    let squares = try pool.map(0..<1000) { (n: Int) in n * n }
    print("squares: \(squares.count) sum \(squares.reduce(0, +))")
    let lengths: [[Int]] = try pool.map(["a", "bb", "ccc"]) { (word: String) in [word.count] }
    print("lengths: \(lengths)")
    let big = try pool.map(0..<8) { (n: Int) in String(repeating: "x", count: n << 17) }
    print("big: \(big.map(\.count) == (0..<8).map { $0 << 17 })")

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

default:
    print("unknown scenario \(scenario)")
    exit(2)
}

/// A semaphore without Dispatch: the main thread waits for the task.
final class DispatchSemaphoreLike: @unchecked Sendable {
    private var semaphore = sem_t()
    init() { sem_init(&semaphore, 0, 0) }
    func signal() { sem_post(&semaphore) }
    func wait() { while sem_wait(&semaphore) != 0 {} }
}
