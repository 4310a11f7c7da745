/// A parallel map over any values, with each item's own outcome: Python's
/// `multiprocessing.Pool`, on every ``ComputeStrategy`` and without its surprises.
///
/// ```swift
/// import HybridKit
///
/// Pool.bootstrap()  // the first line of main
/// let pool = Pool(strategy: .processes, workers: 4)
/// let lengths: [[Int]] = try pool.map(words) { (word: String) in [word.count] }
/// ```
///
/// Inputs come from any sequence and outputs may be any `Codable & Sendable` value of any size;
/// over processes both travel in a compact binary encoding. `map(_:policy:_:)` returns the
/// outputs in input order, or throws the first item's failure as ``PoolItemError`` once every
/// other item is stopped; ``outcomes(_:policy:window:_:)`` yields every item's ``PoolOutcome``
/// as it completes. A throw comes back as ``PoolFailure/threw(_:)`` on every strategy; a worker
/// process that dies gives ``PoolFailure/crashed(_:)`` for the one item it held, and a new
/// worker takes its place; ``PoolPolicy`` sets time-outs, retries and when to give up.
///
/// Over processes the work runs in child processes, started one of two ways, as the package's
/// fork rule demands:
///
/// - A closure is forked. Swift work is forked only from a program with one thread, so this
///   works from a synchronous call in a single-threaded program (a command line's `main`
///   before it starts any thread or task) and throws ``PoolError/forkNeedsSingleThread``
///   otherwise: from `swift test`, from the async forms, or after threads exist. A forked
///   worker sees the program as it was at the call: everything the closure captures, every
///   global, copied at the fork; what it changes stays in the worker.
/// - A ``PoolTask`` registered with ``bootstrap(_:)`` is spawned: the program runs anew and
///   serves the task, so this works from any program. A spawned worker sees only its input
///   and the program as it starts (see ``PoolTask``).
public struct Pool: Sendable {
    /// Who runs the items.
    public var strategy: ComputeStrategy
    /// Threads or processes at once (serial: 1).
    public var workers: Int

    /// A pool of `workers` workers (by default one per core; serial runs 1).
    public init(strategy: ComputeStrategy, workers: Int? = nil) {
        self.strategy = strategy
        self.workers = workers ?? strategy.defaultWorkers
    }

    /// Call first in `main`, with every ``PoolTask`` the program maps over processes.
    ///
    /// In the program itself it registers the tasks and returns. In a worker that the pool
    /// started by running the program anew, it serves that worker's task and never returns,
    /// so nothing after it in `main` runs there. Without tasks it only returns: closures over
    /// processes are forked, which needs a single-threaded program (see ``Pool``).
    public static func bootstrap(_ tasks: any PoolTaskRegistration...) {
        PoolSpawn.register(tasks)
        PoolSpawn.serveIfWorker()
    }

    // MARK: - map

    /// Like Python's `pool.map`: `body` for every item, the outputs in input order.
    ///
    /// - Throws: ``PoolItemError`` for the first item that failed after the policy's retries
    ///   (every other item is stopped first); ``UsageError`` for a bad worker count;
    ///   ``PoolError`` when workers cannot be started.
    // Specialised in the caller's module, never inlined: inlined into top-level code, this
    // body crashes Swift 6.3.1's optimiser (an LLVM swifterror verification failure).
    @inlinable @inline(never)
    public func map<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(),
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) throws -> [Output] where Items.Element: Codable & Sendable {
        // The plain serial map, specialised into the caller: no schedule, no boxes.
        if strategy == .serial && policy.isPlain {
            try strategy.validate(workers: workers)
            var outputs: [Output] = []
            outputs.reserveCapacity(items.underestimatedCount)
            do {
                for item in items { outputs.append(try body(item)) }
            } catch {
                throw PoolItemError(index: outputs.count, failure: .threw(error))
            }
            return outputs
        }
        return try mapScheduled(items, policy: policy, spawn: nil, body)
    }

    /// Like `map(_:policy:_:)` with a registered ``PoolTask``: over processes its workers are
    /// spawned, so this works from any program that called ``bootstrap(_:)`` with the task.
    public func map<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), task: PoolTask<Items.Element, Output>
    ) throws -> [Output] where Items.Element: Codable & Sendable {
        try mapScheduled(items, policy: policy, spawn: task.name, task.body)
    }

    /// Like `map(_:policy:_:)` from async code, with a registered ``PoolTask``.
    public func map<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), task: PoolTask<Items.Element, Output>
    ) async throws -> [Output] where Items.Element: Codable & Sendable {
        try await mapAsync(items, policy: policy, spawn: task.name, task.body)
    }

    /// Like ``mapOutcomes(_:policy:_:)`` with a registered ``PoolTask``.
    public func mapOutcomes<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), task: PoolTask<Items.Element, Output>
    ) throws -> [PoolOutcome<Output>] where Items.Element: Codable & Sendable {
        try mapOutcomes(items, policy: policy, spawn: task.name, task.body)
    }

    /// Like ``outcomes(_:policy:window:_:)`` with a registered ``PoolTask``: over processes
    /// too, since its workers are spawned.
    public func outcomes<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), window: Int? = nil, task: PoolTask<Items.Element, Output>
    ) -> PoolOutcomes<Output> where Items.Element: Codable & Sendable {
        outcomes(items, policy: policy, window: window, spawn: task.name, task.body)
    }

    /// Like `map(_:policy:_:)`, from async code: cancelling the calling task stops every
    /// worker (and ends the map with `CancellationError`).
    public func map<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(),
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) async throws -> [Output] where Items.Element: Codable & Sendable {
        try await mapAsync(items, policy: policy, spawn: nil, body)
    }

    func mapAsync<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy, spawn: String?, _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) async throws -> [Output] where Items.Element: Codable & Sendable {
        var outputs: [Output?] = []
        var failure: PoolItemError?
        let stream = outcomes(items, policy: policy, window: .max, spawn: spawn, body)
        for try await outcome in stream {
            switch outcome.result {
            case .success(let output):
                while outcome.index >= outputs.count { outputs.append(nil) }
                outputs[outcome.index] = output
            case .failure(let itemFailure):
                if failure == nil {
                    failure = PoolItemError(index: outcome.index, failure: itemFailure)
                    stream.stop()
                }
            }
        }
        try Task.checkCancellation()
        if let failure { throw failure }
        return outputs.map { $0! }
    }

    /// Every item's outcome, in input order: failures are values here, and with the default
    /// halt rule every item runs.
    public func mapOutcomes<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(),
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) throws -> [PoolOutcome<Output>] where Items.Element: Codable & Sendable {
        try mapOutcomes(items, policy: policy, spawn: nil, body)
    }

    func mapOutcomes<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy, spawn: String?, _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) throws -> [PoolOutcome<Output>] where Items.Element: Codable & Sendable {
        var outcomes: [PoolOutcome<Output>] = []
        let schedule = PoolSchedule<Items.Element, Output>(
            items, expectedCount: items.underestimatedCount, window: .max, policy: policy
        ) { outcome in
            outcomes.append(outcome)
            return true
        }
        try execute(schedule, policy: policy, stop: PoolStop(), spawn: spawn, body)
        return outcomes.sorted { $0.index < $1.index }
    }

    // Specialised in the caller's module, so that the schedule's per-item work is; never inlined.
    @inlinable @inline(never)
    func mapScheduled<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy, spawn: String?, _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) throws -> [Output] where Items.Element: Codable & Sendable {
        var outputs: [Output?] = []
        outputs.reserveCapacity(items.underestimatedCount)
        var failure: PoolItemError?
        let schedule = PoolSchedule<Items.Element, Output>(
            items, expectedCount: items.underestimatedCount, window: .max, policy: policy
        ) { outcome in
            switch outcome.result {
            case .success(let output):
                while outcome.index >= outputs.count { outputs.append(nil) }
                outputs[outcome.index] = output
                return true
            case .failure(let itemFailure):
                if failure == nil { failure = PoolItemError(index: outcome.index, failure: itemFailure) }
                return false
            }
        }
        try execute(schedule, policy: policy, stop: PoolStop(), spawn: spawn, body)
        if let failure { throw failure }
        return outputs.map { $0! }
    }

    // MARK: - outcomes

    /// Every item's ``PoolOutcome`` as it completes, from async code:
    ///
    /// ```swift
    /// for try await outcome in pool.outcomes(urls, policy: PoolPolicy(timeout: .seconds(5))) { url in
    ///     try fetchTitle(url)
    /// }
    /// ```
    ///
    /// The run starts at the first `next()`, on a thread of its own, and takes at most `window`
    /// items from `items` before their outcomes are consumed, so a long or endless lazy
    /// sequence runs in bounded memory (the sequence is iterated on that thread). Cancelling the
    /// consuming task, or ending the loop early, stops every worker before `next()` returns nil.
    /// Over processes the run's thread makes the program multi-threaded, so a closure cannot be
    /// forked (the sequence throws ``PoolError/forkNeedsSingleThread``): map with a registered
    /// ``PoolTask`` there, whose workers are spawned.
    ///
    /// - Parameters:
    ///   - items: the inputs, any sequence, lazy or endless ones included.
    ///   - policy: time-outs, retries, the halt rule and workers' lifetimes.
    ///   - window: items in flight at most (by default 64 per worker).
    ///   - body: the work for one item; what it throws is that item's ``PoolFailure/threw(_:)``.
    public func outcomes<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), window: Int? = nil,
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) -> PoolOutcomes<Output> where Items.Element: Codable & Sendable {
        outcomes(items, policy: policy, window: window, spawn: nil, body)
    }

    func outcomes<Items: Sequence, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy, window: Int?, spawn: String?,
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) -> PoolOutcomes<Output> where Items.Element: Codable & Sendable {
        let window = window ?? max(64, 64 * workers)
        let channel = PoolChannel<Output>(capacity: min(window, 1 << 16))
        let items = UncheckedSendable(items)
        let expected = items.value.underestimatedCount
        return PoolOutcomes(channel: channel) { [self] in
            let schedule = PoolSchedule<Items.Element, Output>(
                items.value, expectedCount: expected, window: window, policy: policy
            ) { channel.send($0) }
            do {
                try execute(schedule, policy: policy, stop: channel.stopFlag, spawn: spawn, body)
                channel.finish(nil)
            } catch {
                channel.finish(error)
            }
        }
    }

    // MARK: - the one switch over strategies

    @inlinable
    func execute<Input: Codable & Sendable, Output: Codable & Sendable>(
        _ schedule: PoolSchedule<Input, Output>, policy: PoolPolicy, stop: PoolStop, spawn task: String?,
        _ body: @escaping @Sendable (Input) throws -> Output
    ) throws {
        try strategy.validate(workers: workers)
        if let task, strategy == .processes {
            guard PoolSpawn.isRegistered(task) else { throw PoolError.taskNotRegistered(task) }
            // The initialiser is a closure of this process's, which a spawned worker does not have.
            if policy.initializer != nil {
                throw UsageError("a policy's initializer cannot run in spawned workers; do it in the task")
            }
        }
        switch strategy {
        case .serial: SerialPool.run(schedule, policy: policy, stop: stop, body: body)
        case .threads: ThreadsPool.run(schedule, workers: workers, policy: policy, stop: stop, body: body)
        case .processes:
            try ProcessesPool.run(schedule, workers: workers, policy: policy, stop: stop, spawn: task, body: body)
        case .mpi: throw UsageError("Pool runs serial, threads and processes; not mpi")
        }
    }
}

extension PoolPolicy {
    /// Nothing for the serial map to watch: no time-out, initialiser or retried throw.
    @usableFromInline
    var isPlain: Bool { timeout == nil && initializer == nil && retries.threw == 0 }
}

/// A value handed to the run's own thread, which alone uses it from then on.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
