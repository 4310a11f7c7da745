/// Why a parallel map's workers failed, whatever the workload: the one error of the pool.
public enum PoolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Worker processes kept dying (this many deaths); the run was stopped rather than retried forever.
    case workersDied(Int)
    /// No worker process could be forked.
    case forkFailed
    /// The shared memory for the slots could not be had (or its size does not fit in memory at all).
    case outOfMemory
    /// Swift work runs in forked processes only when the forking program has one thread.
    case forkNeedsSingleThread
    /// No thread could be started for the run.
    case threadFailed
    /// A ``PoolTask`` of this name was not given to ``Pool/bootstrap(_:)``, so a spawned worker
    /// could not find it.
    case taskNotRegistered(String)

    public var description: String {
        switch self {
        case .workersDied(let deaths):
            return "\(deaths) worker \(deaths == 1 ? "process" : "processes") died; the run was stopped"
        case .forkFailed: return "could not fork a worker process"
        case .outOfMemory: return "could not allocate the shared memory for the results"
        case .forkNeedsSingleThread:
            return "Swift work can run in forked processes only from a single-threaded program"
        case .threadFailed: return "could not start a thread for the run"
        case .taskNotRegistered(let name):
            return "the pool task \(name) is not registered: pass it to Pool.bootstrap at the top of main"
        }
    }
}

/// A worker process that died and was replaced, as data: who, how, and what it lost.
public struct WorkerDeath: Sendable, Equatable, CustomStringConvertible {
    /// Its process id.
    public var pid: Int32
    /// The signal that killed it; `nil` when it exited, or when its status is unknown.
    public var signal: Int32?
    /// Its exit code; `nil` when a signal killed it, or when its status is unknown (another part
    /// of the program reaped it).
    public var exitCode: Int32?
    /// The item it held, which a new worker re-runs; `nil` when it held none.
    public var lostItem: Int?
    /// What an item is called in the workload: `chunk`, `item`.
    public var itemName: String

    public init(pid: Int32, signal: Int32?, exitCode: Int32?, lostItem: Int?, itemName: String = "item") {
        self.pid = pid
        self.signal = signal
        self.exitCode = exitCode
        self.lostItem = lostItem
        self.itemName = itemName
    }

    /// `worker 123 was killed by SIGKILL; a new worker re-runs its chunk 5`.
    public var description: String {
        let cause =
            if let signal { "was killed by \(signalName(signal))" } else if let exitCode {
                "exited with code \(exitCode)"
            } else { "ended with an unknown status (reaped elsewhere)" }
        let loss = lostItem.map { "; a new worker re-runs its \(itemName) \($0)" } ?? ""
        return "worker \(pid) \(cause)\(loss)"
    }
}

/// A test hook: the worker that takes item `item` kills itself with SIGKILL before running it,
/// the first time only or every time (which must end the run with an error, not a hang). With
/// `beforeClaiming` it dies before recording that it holds the item, the case a final sweep for
/// undone work covers. The processes and mpi strategies have it.
package struct FaultInjection: Sendable, Equatable {
    package var item: Int
    package var everyTime: Bool
    package var beforeClaiming: Bool

    package init(item: Int, everyTime: Bool = false, beforeClaiming: Bool = false) {
        self.item = item
        self.everyTime = everyTime
        self.beforeClaiming = beforeClaiming
    }
}
