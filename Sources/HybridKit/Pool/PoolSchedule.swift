import Synchronization

/// Which item runs next, which run again, and what the caller hears: the one set of rules
/// (retries, the halt rule, stopping) every strategy's runner follows, so that an item's outcome
/// is the same on all of them. Used by one thread only, the run's supervisor.
@usableFromInline
final class PoolSchedule<Input, Output: Sendable> {
    @usableFromInline @exclusivity(unchecked) var iterator: AnyIterator<Input>
    @usableFromInline @exclusivity(unchecked) var nextIndex = 0
    @usableFromInline @exclusivity(unchecked) var exhausted = false
    /// Items to run again (a retry, or an item handed to a worker that died before starting it).
    @usableFromInline @exclusivity(unchecked) var again: [(index: Int, input: Input)] = []
    @usableFromInline @exclusivity(unchecked) var againHead = 0
    /// An item taken and not yet settled: its input (for a retry), its runs and its failures.
    @usableFromInline struct Entry {
        @usableFromInline var input: Input
        @usableFromInline var attempts = 0
        @usableFromInline var threw = 0
        @usableFromInline var crashed = 0
        @usableFromInline var timedOut = 0

        @inlinable init(input: Input) { self.input = input }

        @inlinable mutating func countFailure(_ kind: PoolFailure.Kind) -> Int {
            switch kind {
            case .threw: threw += 1
            case .crashed: crashed += 1
            case .timedOut: timedOut += 1
            case .cancelled: return 0
            }
            return kind == .threw ? threw : kind == .crashed ? crashed : timedOut
        }
    }
    /// Entries by index, from `base` on (indices are handed out in order, so an array serves,
    /// trimmed at the front as the oldest settle); nil once settled.
    @usableFromInline @exclusivity(unchecked) var entries: [Entry?] = []
    @usableFromInline @exclusivity(unchecked) var base = 0
    /// Every entry before this one is settled.
    @usableFromInline @exclusivity(unchecked) var head = 0
    @usableFromInline @exclusivity(unchecked) var unsettledCount = 0
    @usableFromInline let window: Int
    @usableFromInline let policy: PoolPolicy
    /// Hears each settled item; returns false to stop the run.
    @usableFromInline let deliver: (PoolOutcome<Output>) -> Bool
    @usableFromInline @exclusivity(unchecked) var stopped = false
    @usableFromInline @exclusivity(unchecked) var settled = 0
    @usableFromInline @exclusivity(unchecked) var failed = 0
    /// The number of items, when the input knows it: runners size their batches by it.
    @usableFromInline let expectedCount: Int?

    @inlinable
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
    @inlinable func take() -> (index: Int, input: Input)? {
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
        guard !exhausted, unsettledCount < window else { return nil }
        guard let input = iterator.next() else {
            exhausted = true
            return nil
        }
        let index = nextIndex
        nextIndex += 1
        entries.append(Entry(input: input))
        unsettledCount += 1
        return (index, input)
    }

    /// An item handed out that never started (its worker died first): it runs again, and this
    /// is no attempt.
    @inlinable func putBack(_ index: Int) {
        guard let entry = entry(index) else { return }
        again.append((index, entry.input))
    }

    @inlinable func entry(_ index: Int) -> Entry? {
        index >= base && index - base < entries.count ? entries[index - base] : nil
    }

    /// Items taken and not settled, or left to run.
    @inlinable var isFinished: Bool { (exhausted || stopped) && againHead == again.count && unsettledCount == 0 }

    /// Items still to settle: in workers, queued again, or not yet read from the input.
    @inlinable var hasWork: Bool { !isFinished }

    /// The remaining count, when known: for sizing batches.
    @inlinable var remaining: Int? { expectedCount.map { max(0, $0 - nextIndex) + (again.count - againHead) } }

    /// Records one run of `index`: a success or a failure the policy does not retry becomes its
    /// outcome; a failure it does retry goes back in the queue. A second result for an item
    /// already settled (a thread that ran on after its time-out) is dropped.
    @inlinable func settle(_ index: Int, _ result: Result<Output, PoolFailure>) {
        guard index >= base && index - base < entries.count, entries[index - base] != nil else { return }
        entries[index - base]!.attempts += 1
        if case .failure(let failure) = result, !stopped, failure.kind != .cancelled {
            let kind = failure.kind
            if entries[index - base]!.countFailure(kind) <= policy.retries.allowed(kind) {
                again.append((index, entries[index - base]!.input))
                return
            }
        }
        finish(index, result)
    }

    /// Forgets `index`'s entry, and the settled ones in front of the array once they are many.
    @inlinable func forget(_ index: Int) -> Int {
        let attempts = entries[index - base]?.attempts ?? 0
        entries[index - base] = nil
        unsettledCount -= 1
        while head < entries.count && entries[head] == nil { head += 1 }
        if head >= 4096 && head * 2 >= entries.count {
            entries.removeFirst(head)
            base += head
            head = 0
        }
        return attempts
    }

    @inlinable func finish(_ index: Int, _ result: Result<Output, PoolFailure>) {
        let outcome = PoolOutcome(index: index, result: result, attempts: forget(index))
        settled += 1
        if case .failure = result { failed += 1 }
        if !deliver(outcome) || halts() { stop() }
    }

    @inlinable func halts() -> Bool {
        switch policy.halt {
        case .never: false
        case .afterFailures(let count): failed >= count
        case .afterFraction(let fraction, let minimum):
            settled >= max(1, minimum) && Double(failed) >= fraction * Double(settled)
        }
    }

    /// Starts no more items; those still unsettled are then settled by ``cancelUnsettled()``.
    @inlinable func stop() { stopped = true }

    /// Every item not settled becomes ``PoolFailure/cancelled``, in index order, once the run
    /// has stopped and its workers are gone.
    @inlinable func cancelUnsettled() {
        stopped = true
        again.removeAll()
        againHead = 0
        for index in (base + head)..<(base + entries.count) where entry(index) != nil {
            let attempts = forget(index)
            settled += 1
            failed += 1
            _ = deliver(PoolOutcome(index: index, result: .failure(.cancelled), attempts: attempts))
        }
    }
}

/// A flag the caller raises to stop a run (a cancelled task, a consumer that went away), read
/// by the run's supervisor.
@usableFromInline
final class PoolStop: Sendable {
    let raised = Atomic<Bool>(false)
    @usableFromInline init() {}
    @usableFromInline func raise() { raised.store(true, ordering: .releasing) }
    @usableFromInline var isRaised: Bool { raised.load(ordering: .acquiring) }
}
