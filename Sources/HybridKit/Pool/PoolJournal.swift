/// A journal for a ``Pool`` map: each finished item's outcome, recorded as the run goes, so
/// that the same map, stopped part-way (a failure, Ctrl-C, SIGKILL, a power cut), resumes and
/// runs only the items the journal does not hold.
///
/// ```swift
/// let journal = PoolJournal(path: "lengths.journal", identity: "word lengths v1")
/// let lengths = try pool.map(words, journal: journal) { (word: String) in word.count }
/// print(journal.resumedCount, "came from the journal")
/// ```
///
/// What is recorded, and what a resumed run does with it:
///
/// - An output: encoded in the pool's binary coding; a resumed run yields it without running
///   the item. An output whose encoding exceeds ``Journal/maximumRecordBytes`` is not recorded.
/// - A throw (``PoolFailure/threw(_:)``): the work's own answer for that input, so it stays
///   recorded: a resumed `map` throws it again at once, and `mapOutcomes` and `outcomes` yield
///   it without running the item. To run such items again, use another file or identity.
/// - A crash, a time-out or a cancellation: not recorded, since they say more about the run
///   than about the item, so a resumed run tries those items again.
///
/// Each record is written (one `write`) as its item settles, on the thread that supervises the
/// run, so a killed program keeps it; records are fsync'd in groups, at the first settle
/// ``syncInterval`` after the last sync or after ``syncRecords`` records, and when the run ends,
/// fails or stops. A power cut loses at most the records since the last sync (while items
/// settle, about ``syncInterval``), whose items run again; a torn last record is cut off.
///
/// The job is the caller's ``identity``, the item count, and the names of the input and output
/// types: a journal of another job is refused with ``JournalError`` (`differentJob`), and one
/// that another run holds open with `inUse`. The identity is the caller's promise that the same
/// identity means the same items and the same work: change it when either changes.
///
/// A policy's halt rule counts the failures of the items a run runs, not those it resumed.
///
/// A journal object may be used for one run at a time; after each run it tells how many
/// outcomes came from the file (``resumedCount``) and how many the run recorded
/// (``recordedCount``).
public final class PoolJournal: Sendable {
    /// The journal file.
    public let path: String
    /// The caller's name for the job: the same items and the same work.
    public let identity: String
    /// The longest a written record waits for its fsync while items settle.
    public let syncInterval: Duration
    /// Records written that start a sync at once, however little time passed.
    public let syncRecords: Int

    private struct Counts {
        var resumed = 0
        var recorded = 0
        var syncs = 0
    }
    private let counts = POSIXLocked(Counts())

    /// A journal at `path` for the job `identity`: nothing is opened until a map uses it, which
    /// creates the file when it does not exist.
    public init(
        path: String, identity: String, syncInterval: Duration = .milliseconds(100), syncRecords: Int = 4096
    ) {
        self.path = path
        self.identity = identity
        self.syncInterval = syncInterval
        self.syncRecords = max(1, syncRecords)
    }

    /// Outcomes the last run took from the file instead of running their items.
    public var resumedCount: Int { counts.withLock { $0.resumed } }
    /// Outcomes the last run recorded.
    public var recordedCount: Int { counts.withLock { $0.recorded } }
    /// The fsyncs of the last run, header aside: for tests that a run syncs in groups.
    package var syncCount: Int { counts.withLock { $0.syncs } }

    /// The journal's name for a map of `items` inputs of `Input` to `Output`.
    package func job<Input, Output>(items: Int, input: Input.Type, output: Output.Type) -> JournalJob {
        func text(_ value: String) -> String {
            // A field value holds no line break: the header is one field a line.
            value.replacing("\\", with: "\\\\").replacing("\n", with: "\\n").replacing("\r", with: "\\r")
        }
        return JournalJob(
            identity: [
                .init("workload", "pool"), .init("identity", text(identity)), .init("items", String(items)),
                .init("input", text(String(reflecting: input))), .init("output", text(String(reflecting: output))),
            ],
            geometry: [], items: UInt64(items))
    }

    /// Opens the file for a run over `items` items.
    func open<Input, Output: Codable & Sendable>(
        items: Int, input: Input.Type, output: Output.Type
    ) throws(JournalError) -> PoolJournalRun<Output> {
        let journal: Journal
        do throws(JournalError) {
            journal = try Journal(path: path, job: job(items: items, input: input, output: output))
        } catch  where error.kind == .differentJob {
            // The journal's advice names the command line's option; a library caller has files.
            let advice = ": give another --journal file, or the command that made it"
            let message = error.message.hasSuffix(advice) ? String(error.message.dropLast(advice.count)) : error.message
            throw JournalError(.differentJob, message + ": give another journal file, or the map that made it")
        }
        let run = PoolJournalRun<Output>(journal: journal, items: items, owner: self)
        counts.withLock { $0 = Counts(resumed: run.resumed.count) }
        return run
    }

    fileprivate func counted(recorded: Int, syncs: Int) {
        counts.withLock {
            $0.recorded += recorded
            $0.syncs += syncs
        }
    }
}

/// One run's use of a ``PoolJournal``: the outcomes it holds, which items are left to run, and
/// the recording of those that settle. Used by the run's supervising thread only.
final class PoolJournalRun<Output: Codable & Sendable> {
    /// The outcomes the file held, in index order.
    let resumed: [PoolOutcome<Output>]
    /// The items left to run, in index order, when the file held some; nil when it held none.
    let pending: [Int]?
    /// How many items are left to run.
    let pendingCount: Int
    /// The first write or sync that failed: the run stops, and ``finish()`` throws it.
    private(set) var failure: JournalError?

    /// The open file; closed (and unlocked) by ``finish()``, so the next run may open it at once.
    private var journal: Journal?
    private let owner: PoolJournal
    private let syncInterval: Duration
    private var lastSync = ContinuousClock.now
    private var sinceSync = 0
    private var recorded = 0
    private var syncs = 0
    private var record: [UInt8] = []

    private static var success: UInt8 { 0 }
    private static var threw: UInt8 { 1 }

    init(journal: Journal, items: Int, owner: PoolJournal) {
        self.journal = journal
        self.owner = owner
        syncInterval = owner.syncInterval
        var held = [Bool](repeating: false, count: items)
        var resumed: [PoolOutcome<Output>] = []
        for entry in journal.records {
            guard let outcome = Self.outcome(entry), outcome.index < items else { continue }
            held[outcome.index] = true
            resumed.append(outcome)
        }
        self.resumed = resumed.sorted { $0.index < $1.index }
        pending = resumed.isEmpty ? nil : held.indices.filter { !held[$0] }
        pendingCount = items - resumed.count
    }

    /// A record as an outcome; nil when it does not decode (it then runs again).
    private static func outcome(_ entry: Journal.Record) -> PoolOutcome<Output>? {
        let bytes = entry.slot
        guard bytes.count >= 5 else { return nil }
        let attempts = (1..<5).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 1)) }
        let payload = bytes[5...]
        let result: Result<Output, PoolFailure>
        switch bytes[0] {
        case success:
            guard
                let output = try? payload.withUnsafeBytes({ try BinaryDecoder().decode(Output.self, from: $0) })
            else { return nil }
            result = .success(output)
        case threw: result = .failure(.threw(String(decoding: payload, as: UTF8.self)))
        default: return nil
        }
        return PoolOutcome(index: Int(entry.item), result: result, attempts: attempts)
    }

    /// The inputs left to run, in index order.
    func pendingInputs<Items: Collection>(_ items: Items) -> AnySequence<Items.Element> {
        guard let pending else { return AnySequence(items) }
        var left = pending.makeIterator()
        var next = left.next()
        return AnySequence(
            items.enumerated().lazy.filter { position, _ in
                guard position == next else { return false }
                next = left.next()
                return true
            }.map(\.element))
    }

    /// `outcome` of the run's own numbering as one of the whole job's, recorded when it is an
    /// output or a throw. The second value is false once recording has failed: stop the run.
    func record(_ outcome: PoolOutcome<Output>) -> (PoolOutcome<Output>, Bool) {
        var outcome = outcome
        if let pending { outcome.index = pending[outcome.index] }
        guard failure == nil, let journal else { return (outcome, false) }
        record.removeAll(keepingCapacity: true)
        switch outcome.result {
        case .success(let output):
            record.append(Self.success)
            appendAttempts(outcome.attempts)
            // An output the coder refuses is yielded all the same; only its record is missing.
            guard (try? BinaryEncoder().encode(output, into: &record)) != nil else { return (outcome, true) }
        case .failure(.threw(let text)):
            record.append(Self.threw)
            appendAttempts(outcome.attempts)
            record.append(contentsOf: text.utf8)
        case .failure: return (outcome, true)
        }
        guard record.count <= Journal.maximumRecordBytes else { return (outcome, true) }
        journal.append(item: UInt64(outcome.index), slot: record)
        do throws(JournalError) {
            try journal.write()
            recorded += 1
            sinceSync += 1
            if sinceSync >= owner.syncRecords || ContinuousClock.now - lastSync >= syncInterval { try sync() }
        } catch {
            failure = error
            return (outcome, false)
        }
        return (outcome, true)
    }

    private func appendAttempts(_ attempts: Int) {
        let attempts = UInt32(clamping: attempts)
        for shift in stride(from: 0, to: 32, by: 8) {
            record.append(UInt8(truncatingIfNeeded: attempts >> UInt32(shift)))
        }
    }

    private func sync() throws(JournalError) {
        sinceSync = 0
        lastSync = ContinuousClock.now
        try journal?.sync()
        syncs += 1
    }

    /// Syncs what is written, then throws the run's first write or sync failure: records may
    /// be missing, and the run must not pass for a success. Call once, when the run has ended
    /// (as it should, or by a failure).
    func finish() throws(JournalError) {
        if failure == nil && sinceSync > 0 {
            do throws(JournalError) { try sync() } catch { failure = error }
        }
        journal = nil
        owner.counted(recorded: recorded, syncs: syncs)
        recorded = 0
        syncs = 0
        if let failure { throw failure }
    }
}
