extension Pool {
    // MARK: - journalled

    /// Like `map(_:policy:_:)`, recording each outcome in `journal`: run again with the same
    /// journal, the map runs only the items the file does not hold (see ``PoolJournal`` for
    /// what is recorded and when it is synced).
    ///
    /// A resumed map whose journal holds a throw throws it again at once, as
    /// ``PoolItemError`` for the first such item, without running anything.
    ///
    /// - Throws: what `map(_:policy:_:)` throws; ``JournalError`` when the journal belongs to
    ///   another job (`differentJob`), is not a journal, is held by another run, or cannot be
    ///   written (`io`: the map stops at once).
    public func map<Items: Collection, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), journal: PoolJournal,
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) throws -> [Output] where Items.Element: Codable & Sendable {
        try mapJournalled(items, policy: policy, journal: journal, spawn: nil, body)
    }

    /// Like `map(_:policy:journal:_:)` with a registered ``PoolTask``.
    public func map<Items: Collection, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), journal: PoolJournal,
        task: PoolTask<Items.Element, Output>
    ) throws -> [Output] where Items.Element: Codable & Sendable {
        try mapJournalled(items, policy: policy, journal: journal, spawn: task.name, task.body)
    }

    /// Like ``mapOutcomes(_:policy:_:)``, recording each outcome in `journal`: a resumed run
    /// takes the outcomes the file holds and runs only the other items.
    ///
    /// - Throws: ``JournalError`` for a journal that cannot be used or written, besides what
    ///   ``mapOutcomes(_:policy:_:)`` throws.
    public func mapOutcomes<Items: Collection, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), journal: PoolJournal,
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) throws -> [PoolOutcome<Output>] where Items.Element: Codable & Sendable {
        try mapOutcomesJournalled(items, policy: policy, journal: journal, spawn: nil, body)
    }

    /// Like `mapOutcomes(_:policy:journal:_:)` with a registered ``PoolTask``.
    public func mapOutcomes<Items: Collection, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), journal: PoolJournal,
        task: PoolTask<Items.Element, Output>
    ) throws -> [PoolOutcome<Output>] where Items.Element: Codable & Sendable {
        try mapOutcomesJournalled(items, policy: policy, journal: journal, spawn: task.name, task.body)
    }

    /// Like ``outcomes(_:policy:window:_:)``, recording each outcome in `journal`: the outcomes
    /// the file holds come first, then those of the items left to run, as they complete. A
    /// journal that cannot be used or written ends the iteration with its ``JournalError``.
    public func outcomes<Items: Collection, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), window: Int? = nil, journal: PoolJournal,
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) -> PoolOutcomes<Output> where Items.Element: Codable & Sendable {
        outcomesJournalled(items, policy: policy, window: window, journal: journal, spawn: nil, body)
    }

    /// Like `outcomes(_:policy:window:journal:_:)` with a registered ``PoolTask``.
    public func outcomes<Items: Collection, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy = PoolPolicy(), window: Int? = nil, journal: PoolJournal,
        task: PoolTask<Items.Element, Output>
    ) -> PoolOutcomes<Output> where Items.Element: Codable & Sendable {
        outcomesJournalled(items, policy: policy, window: window, journal: journal, spawn: task.name, task.body)
    }

    func mapJournalled<Items: Collection, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy, journal: PoolJournal, spawn: String?,
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) throws -> [Output] where Items.Element: Codable & Sendable {
        try strategy.validate(workers: workers)
        let count = items.count
        let run = try journal.open(items: count, input: Items.Element.self, output: Output.self)
        var outputs: [Output?] = Array(repeating: nil, count: count)
        var failure: PoolItemError?
        for outcome in run.resumed {
            switch outcome.result {
            case .success(let output): outputs[outcome.index] = output
            case .failure(let itemFailure):
                if failure == nil { failure = PoolItemError(index: outcome.index, failure: itemFailure) }
            }
        }
        if let failure {
            try run.finish()
            throw failure
        }
        let schedule = PoolSchedule<Items.Element, Output>(
            run.pendingInputs(items), expectedCount: run.pendingCount, window: .max, policy: policy
        ) { outcome in
            let (outcome, recording) = run.record(outcome)
            switch outcome.result {
            case .success(let output):
                outputs[outcome.index] = output
                return recording
            case .failure(let itemFailure):
                if failure == nil { failure = PoolItemError(index: outcome.index, failure: itemFailure) }
                return false
            }
        }
        do {
            // A journal that holds every item forks no workers.
            if run.pendingCount > 0 { try execute(schedule, policy: policy, stop: PoolStop(), spawn: spawn, body) }
        } catch {
            try? run.finish()
            throw error
        }
        try run.finish()
        if let failure { throw failure }
        return outputs.map { $0! }
    }

    func mapOutcomesJournalled<Items: Collection, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy, journal: PoolJournal, spawn: String?,
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) throws -> [PoolOutcome<Output>] where Items.Element: Codable & Sendable {
        try strategy.validate(workers: workers)
        let run = try journal.open(items: items.count, input: Items.Element.self, output: Output.self)
        var outcomes = run.resumed
        let schedule = PoolSchedule<Items.Element, Output>(
            run.pendingInputs(items), expectedCount: run.pendingCount, window: .max, policy: policy
        ) { outcome in
            let (outcome, recording) = run.record(outcome)
            outcomes.append(outcome)
            return recording
        }
        do {
            // A journal that holds every item forks no workers.
            if run.pendingCount > 0 { try execute(schedule, policy: policy, stop: PoolStop(), spawn: spawn, body) }
        } catch {
            try? run.finish()
            throw error
        }
        try run.finish()
        return outcomes.sorted { $0.index < $1.index }
    }

    func outcomesJournalled<Items: Collection, Output: Codable & Sendable>(
        _ items: Items, policy: PoolPolicy, window: Int?, journal: PoolJournal, spawn: String?,
        _ body: @escaping @Sendable (Items.Element) throws -> Output
    ) -> PoolOutcomes<Output> where Items.Element: Codable & Sendable {
        let window = window ?? max(64, 64 * workers)
        let channel = PoolChannel<Output>(capacity: min(window, 1 << 16))
        let count = items.count
        let items = UncheckedSendable(items)
        return PoolOutcomes(channel: channel) { [self] in
            do {
                try strategy.validate(workers: workers)
                let run = try journal.open(items: count, input: Items.Element.self, output: Output.self)
                for outcome in run.resumed where !channel.send(outcome) { break }
                let schedule = PoolSchedule<Items.Element, Output>(
                    run.pendingInputs(items.value), expectedCount: run.pendingCount, window: window, policy: policy
                ) { outcome in
                    let (outcome, recording) = run.record(outcome)
                    return channel.send(outcome) && recording
                }
                do {
                    if run.pendingCount > 0 {
                        try execute(schedule, policy: policy, stop: channel.stopFlag, spawn: spawn, body)
                    }
                } catch {
                    try? run.finish()
                    throw error
                }
                try run.finish()
                channel.finish(nil)
            } catch {
                channel.finish(error)
            }
        }
    }
}
