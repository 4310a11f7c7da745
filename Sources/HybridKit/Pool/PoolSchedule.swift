import Synchronization

/// Which item runs next, which run again, and what the caller hears: the one set of rules
/// (retries, the halt rule, stopping) every strategy's runner follows, so that an item's outcome
/// is the same on all of them. Used by one thread only, the run's supervisor.
final class PoolSchedule<Input, Output: Sendable> {
    private var iterator: AnyIterator<Input>
    private var nextIndex = 0
    private var exhausted = false
    /// Items to run again (a retry, or an item handed to a worker that died before starting it).
    private var again: [(index: Int, input: Input)] = []
    private var againHead = 0
    /// Items taken and not yet settled, with their inputs for a retry.
    private var unsettled: [Int: Input] = [:]
    private var attempts: [Int: Int] = [:]
    private var failuresByKind: [Int: [PoolFailure.Kind: Int]] = [:]
    private let window: Int
    private let policy: PoolPolicy
    /// Hears each settled item; returns false to stop the run.
    private let deliver: (PoolOutcome<Output>) -> Bool
    private(set) var stopped = false
    private var settled = 0
    private var failed = 0
    /// The number of items, when the input knows it: runners size their batches by it.
    let expectedCount: Int?

    init(
        _ inputs: some Sequence<Input>, expectedCount: Int?, window: Int, policy: PoolPolicy,
        deliver: @escaping (PoolOutcome<Output>) -> Bool
    ) {
        iterator = AnyIterator(inputs.makeIterator())
        self.expectedCount = expectedCount
        self.window = max(1, window)
        self.policy = policy
        self.deliver = deliver
    }

    /// The next item to run, or nil when none may start now (stopped, the window is full, or
    /// the input is used up).
    func take() -> (index: Int, input: Input)? {
        if stopped { return nil }
        if againHead < again.count {
            defer {
                againHead += 1
                if againHead == again.count {
                    again.removeAll(keepingCapacity: true)
                    againHead = 0
                }
            }
            return again[againHead]
        }
        guard !exhausted, unsettled.count < window else { return nil }
        guard let input = iterator.next() else {
            exhausted = true
            return nil
        }
        let index = nextIndex
        nextIndex += 1
        unsettled[index] = input
        return (index, input)
    }

    /// An item handed out that never started (its worker died first): it runs again, and this
    /// is no attempt.
    func putBack(_ index: Int) {
        guard let input = unsettled[index] else { return }
        again.append((index, input))
    }

    /// Items taken and not settled, or left to run.
    var isFinished: Bool { (exhausted || stopped) && againHead == again.count && unsettled.isEmpty }

    /// Items still to settle: in workers, queued again, or not yet read from the input.
    var hasWork: Bool { !isFinished }

    /// The remaining count, when known: for sizing batches.
    var remaining: Int? { expectedCount.map { max(0, $0 - nextIndex) + (again.count - againHead) } }

    /// Records one run of `index`: a success or a failure the policy does not retry becomes its
    /// outcome; a failure it does retry goes back in the queue. A second result for an item
    /// already settled (a thread that ran on after its time-out) is dropped.
    func settle(_ index: Int, _ result: Result<Output, PoolFailure>) {
        guard let input = unsettled[index] else { return }
        attempts[index, default: 0] += 1
        if case .failure(let failure) = result, !stopped {
            let kind = failure.kind
            let used = failuresByKind[index]?[kind] ?? 0
            if used < policy.retries.allowed(kind) {
                failuresByKind[index, default: [:]][kind] = used + 1
                again.append((index, input))
                return
            }
        }
        finish(index, result)
    }

    private func finish(_ index: Int, _ result: Result<Output, PoolFailure>) {
        unsettled.removeValue(forKey: index)
        failuresByKind.removeValue(forKey: index)
        let outcome = PoolOutcome(index: index, result: result, attempts: attempts.removeValue(forKey: index) ?? 0)
        settled += 1
        if case .failure = result { failed += 1 }
        if !deliver(outcome) || halts() { stop() }
    }

    private func halts() -> Bool {
        switch policy.halt {
        case .never: false
        case .afterFailures(let count): failed >= count
        case .afterFraction(let fraction, let minimum):
            settled >= max(1, minimum) && Double(failed) >= fraction * Double(settled)
        }
    }

    /// Starts no more items; those still unsettled are then settled by ``cancelUnsettled()``.
    func stop() { stopped = true }

    /// Every item not settled becomes ``PoolFailure/cancelled``, in index order, once the run
    /// has stopped and its workers are gone.
    func cancelUnsettled() {
        stopped = true
        again.removeAll()
        againHead = 0
        for index in unsettled.keys.sorted() {
            guard unsettled[index] != nil else { continue }
            unsettled.removeValue(forKey: index)
            settled += 1
            failed += 1
            _ = deliver(PoolOutcome(index: index, result: .failure(.cancelled), attempts: attempts[index] ?? 0))
        }
    }
}

/// A flag the caller raises to stop a run (a cancelled task, a consumer that went away), read
/// by the run's supervisor.
final class PoolStop: Sendable {
    private let raised = Atomic<Bool>(false)
    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}
