// hybrid's Pool with work of this package's own: the article's pool.map, in Swift, on every
// strategy; then the fixed-slot ParallelMap with a C work function whose worker is killed, and
// whose item re-runs.
import CollatzWork
import HybridKit

#if canImport(Glibc)
    import Glibc
#endif

func steps(_ n: Int) -> UInt64 {
    var n = n
    var steps: UInt64 = 0
    while n > 1 {
        n = n % 2 == 0 ? n / 2 : 3 * n + 1
        steps += 1
    }
    return steps
}

Pool.bootstrap()

// A Swift closure; forked workers may run it because this program has one thread.
for strategy in ComputeStrategy.allCases {
    let pool = Pool(strategy: strategy, workers: strategy == .serial ? 1 : 4)
    let counts = try pool.map(1...100_000) { (n: Int) in steps(n) }
    print("\(strategy): \(counts.reduce(0, +)) Collatz steps for 1...100000")
}

// A C function over processes, safe from any program; the worker that first takes item 777
// kills itself with SIGKILL.
let marker = "/tmp/swift-pool-\(getpid())"
defer { unlink(marker) }
var deaths: [WorkerDeath] = []
let counts = try marker.withCString { path in
    var context = collatz_context(kill_item: 777, marker: path)
    return try withUnsafeMutablePointer(to: &context) { context in
        try ParallelMap(items: 100_000, strategy: .processes, workers: 3).map(
            UInt64.self, function: collatz_work, context: context,
            events: MapEvents(workerDied: { deaths.append($0) }))
    }
}
let death = deaths.first
print(
    "processes, C work, one worker killed: \(counts.reduce(0, +)) Collatz steps; \(deaths.count) death, "
        + "signal \(death?.signal == SIGKILL ? "SIGKILL" : "?"), item \(death?.lostItem ?? -1) re-run")
