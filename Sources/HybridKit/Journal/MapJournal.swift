/// A journal in front of a parallel map: the slots it already holds, handed to the map as
/// finished so that they are not run again, and events that append and sync every item the run
/// finishes, on the map's calling thread, before the run counts it.
///
/// ```swift
/// let journal = try MapJournal(path: "run.journal", job: job)
/// let slots = try map.run(work, finished: journal.finished, events: journal.recording(events))
/// try journal.finish()  // throws if a record could not be written
/// ```
public final class MapJournal {
    /// The journal file.
    public let journal: Journal
    private var failure: JournalError?
    /// Items appended since the last sync.
    private var unsyncedItems = 0
    /// Items whose records are synced: those the journal held, and those this run recorded.
    public private(set) var savedItems: Int

    /// Opens (or creates) the journal at `path` for `job`; see ``Journal/init(path:job:)``.
    ///
    /// Throws ``UsageError`` for a file that cannot be resumed (another job's journal, not a
    /// journal, another version, in use by another run): the input's fault. Throws
    /// ``JournalError`` when the file cannot be read or written.
    public init(path: String, job: JournalJob) throws {
        do {
            journal = try Journal(path: path, job: job)
        } catch let error where error.isUsageError {
            throw UsageError(error.message)
        }
        savedItems = journal.records.count
    }

    /// The journal's job: its geometry wins over the run's own.
    public var job: JournalJob { journal.job }

    /// Slots for a map of the journal's job, with the items it holds finished.
    public var finished: MapSlots {
        var slots = MapSlots(count: Int(journal.job.items), slotBytes: journal.job.slotBytes)
        for record in journal.records { slots.record(Int(record.item), record.slot) }
        return slots
    }

    /// How many items the journal held when it was opened.
    public var resumedItems: Int { journal.records.count }

    /// `events`, with each finished item appended to the journal and synced before `events`
    /// hears of it. With `grouped` (a strategy that calls ``MapEvents/groupFinished``, mpi),
    /// items are appended as they come and synced once per group: one fsync for many items
    /// (a group commit); an item counts once its group is synced.
    public func recording(_ events: MapEvents, grouped: Bool = false) -> MapEvents {
        var recorded = events
        let original = events.itemFinished
        recorded.itemFinished = { [self] item, slot in
            if failure == nil {
                journal.append(item: UInt64(item), slot: slot)
                unsyncedItems += 1
                if !grouped { sync() }
            }
            original?(item, slot)
        }
        if grouped {
            let originalGroup = events.groupFinished
            recorded.groupFinished = { [self] in
                sync()
                originalGroup?()
            }
        }
        return recorded
    }

    private func sync() {
        guard failure == nil else { return }
        do throws(JournalError) {
            try journal.sync()
            savedItems += unsyncedItems
            unsyncedItems = 0
        } catch {
            failure = error
        }
    }

    /// What the journal holds now, its items called `itemsName`.
    public func progress(itemsName: String = "items") -> JournalProgress {
        JournalProgress(
            path: journal.path, savedItems: savedItems, items: Int(clamping: journal.job.items), itemsName: itemsName)
    }

    /// Runs `body` (the map), and when a stop signal ends it, syncs what was recorded and says
    /// in the ``RunInterrupted`` it throws how much the journal holds.
    func stopping<Result>(itemsName: String, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch var interrupted as RunInterrupted {
            sync()
            interrupted.journal = progress(itemsName: itemsName)
            throw interrupted
        }
    }

    /// Throws the first write or sync failure of the run, if there was one: its items then
    /// were not recorded, and the run must not pass for a success.
    public func finish() throws(JournalError) {
        sync()
        if let failure { throw failure }
    }
}

extension PrimesJob {
    /// The journal's name for this job: the range and what is computed, cut as `plan` says.
    /// Strategy, workers and engine are left out: they change how, not what.
    package func journalJob(plan: ChunkPlan) -> JournalJob {
        JournalJob(
            identity: [
                .init("workload", "primes"), .init("from", String(range.lowerBound)),
                .init("to", String(range.upperBound)), .init("computes", sum ? "count,sum" : "count"),
            ],
            geometry: [.init("chunk_width", String(plan.chunkWidth))],
            items: UInt64(plan.count), slotBytes: PrimesWork.slotBytes)
    }
}

extension BigPrimesJob {
    /// The journal's name for this job: one item per prime, its slot the prime in decimal.
    public func journalJob(slotBytes: Int) -> JournalJob {
        JournalJob(
            identity: [
                .init("workload", "bigprimes"), .init("bits", String(bits)), .init("seed", String(seed)),
                .init("count", String(count)),
            ],
            geometry: [], items: UInt64(count), slotBytes: slotBytes)
    }
}
