import CShims

#if canImport(Glibc)
    import Glibc
#endif

/// Work that a worker process finds by its name, so that `.processes` can start workers by
/// running the program anew (as Python's `spawn` does) instead of forking it: from async code,
/// after threads exist, from any program.
///
/// Register every task with ``Pool/bootstrap(_:)`` on the first line of `main`, then map with it:
///
/// ```swift
/// let collatz = PoolTask("collatz") { (n: Int) in steps(n) }
///
/// @main struct Tool {
///     static func main() async throws {
///         Pool.bootstrap(collatz)
///         let counts = try await Pool(strategy: .processes, workers: 4).map(1...100_000, task: collatz)
///     }
/// }
/// ```
///
/// A spawned worker runs `main` only as far as ``Pool/bootstrap(_:)``, which then serves items
/// and never returns. What its task sees is therefore its input and the program as it starts:
/// globals at their initial values, nothing the parent computed or assigned later, no open
/// files but standard input, output and error. On serial and threads a task is simply its body.
public struct PoolTask<Input: Codable & Sendable, Output: Codable & Sendable>: PoolTaskRegistration {
    /// The name workers look the task up by: unique within the program.
    public let name: String
    /// The work for one item.
    public let body: @Sendable (Input) throws -> Output

    public init(_ name: String, _ body: @escaping @Sendable (Input) throws -> Output) {
        self.name = name
        self.body = body
    }

    func serve(socket: Int32, number: Int, record: UnsafeMutablePointer<Int64>) -> Never {
        ProcessesPool.serve(socket: socket, number: number, record: record, initializer: nil, body: body)
    }
}

/// A ``PoolTask`` of any types, as ``Pool/bootstrap(_:)`` takes them.
public protocol PoolTaskRegistration: Sendable {
    /// The task's name.
    var name: String { get }
}

/// How a spawned worker is told what it is, and how it finds its task.
@usableFromInline
enum PoolSpawn {
    /// Set in a spawned worker's environment: the parent's pid, the worker's number, the size of
    /// the shared records, and the task's name.
    @usableFromInline static let variable = "HYBRID_POOL_WORKER"
    /// A spawned worker's socket to the supervisor, and the shared records (a memory file).
    static let socketDescriptor: Int32 = 3
    static let recordsDescriptor: Int32 = 4

    private static let registry = POSIXLocked<[String: any PoolTaskRegistration]>([:])

    static func register(_ tasks: [any PoolTaskRegistration]) {
        registry.withLock { known in for task in tasks { known[task.name] = task } }
    }

    @usableFromInline static func isRegistered(_ name: String) -> Bool { registry.withLock { $0[name] != nil } }

    /// In a spawned worker: serves its task and ends. Elsewhere: returns at once.
    static func serveIfWorker() {
        guard let value = Syscalls.environment(variable) else { return }
        // The worker's own children (if its work starts any) are not workers.
        unsetenv(variable)
        let fields = value.split(separator: " ", maxSplits: 3).map(String.init)
        guard fields.count == 4, let parent = Int32(fields[0]), let number = Int(fields[1]),
            let bytes = Int(fields[2])
        else { _exit(120) }
        hybrid_follow_parent(parent)
        guard let task = registry.withLock({ $0[fields[3]] }) as? any SpawnedTask else { _exit(121) }
        guard let region = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, recordsDescriptor, 0),
            region != MAP_FAILED
        else { _exit(122) }
        Glibc.close(recordsDescriptor)
        let records = region.bindMemory(to: Int64.self, capacity: bytes / 8)
        task.serve(socket: socketDescriptor, number: number, record: records + number * ProcessesPool.recordWords)
    }
}

/// A task a spawned worker can serve: every ``PoolTask``.
protocol SpawnedTask {
    func serve(socket: Int32, number: Int, record: UnsafeMutablePointer<Int64>) -> Never
}

extension PoolTask: SpawnedTask {}
