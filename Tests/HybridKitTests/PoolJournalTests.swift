import Foundation
import HybridKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A Pool map with a journal: a resumed run takes the recorded outcomes and runs only the rest,
/// gives what an unjournalled run gives, syncs in groups, cuts a torn last record and refuses
/// another job's file. Serial and threads run here; processes run in the pool-checks program.
@Suite("PoolJournal", .serialized)
struct PoolJournalTests {
    struct Refused: Error, CustomStringConvertible {
        var item: Int
        var description: String { "no item \(item)" }
    }

    static let inProcess: [(ComputeStrategy, Int)] = [(.serial, 1), (.threads, 3)]

    /// A directory of its own, removed with everything in it when the test ends.
    final class Scratch {
        let path: String

        init() {
            var template = Array("/tmp/hybrid-pool-journal-XXXXXX".utf8CString)
            path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
        }

        deinit { try? FileManager.default.removeItem(atPath: path) }

        func file(_ name: String) -> String { "\(path)/\(name)" }
    }

    /// The items a body ran, each time it ran one.
    final class Runs: Sendable {
        private let ran = Locked<[Int]>([])
        func add(_ item: Int) { ran.withLock { $0.append(item) } }
        var items: [Int] { ran.withLock { $0.sorted() } }
        func reset() { ran.withLock { $0 = [] } }
    }

    @Test(
        "a run stopped part-way resumes: only the unrecorded items run, the outcomes are an unjournalled run's",
        arguments: inProcess)
    func resumesStoppedRun(strategy: ComputeStrategy, workers: Int) async throws {
        let scratch = Scratch()
        let journal = PoolJournal(path: scratch.file("squares.journal"), identity: "squares")
        let pool = Pool(strategy: strategy, workers: workers)
        let runs = Runs()
        let items = Array(0..<1000)
        let body: @Sendable (Int) throws -> Int = { n in
            runs.add(n)
            if n % 97 == 5 { throw Refused(item: n) }
            return n * n
        }
        // Stopped after 300 outcomes: what settled is recorded, what was in flight or never ran is not.
        // The loop goes on to the end, which comes once the run has closed its journal.
        var consumed = 0
        let stream = pool.outcomes(items, window: 16, journal: journal, body)
        for try await _ in stream {
            consumed += 1
            if consumed == 300 { stream.stop() }
        }
        // A thread that took an item just before the stop may still be on its way into the body.
        usleep(100_000)
        let firstRun = Set(runs.items)
        let recorded = journal.recordedCount
        #expect(recorded >= 300 && recorded < 1000)
        #expect(journal.resumedCount == 0)

        runs.reset()
        let resumed = try pool.mapOutcomes(items, journal: journal, body)
        #expect(journal.resumedCount == recorded)
        #expect(journal.recordedCount == 1000 - recorded)
        // Each item not recorded ran once more; none recorded ran again.
        #expect(runs.items.count == 1000 - recorded)
        #expect(Set(runs.items).count == runs.items.count)
        #expect(firstRun.union(runs.items) == Set(items))

        runs.reset()
        let plain = try pool.mapOutcomes(items, body)
        #expect(resumed == plain)
        #expect(resumed.filter { $0.failure != nil }.count == 11)

        // A third run holds everything: nothing runs.
        runs.reset()
        #expect(try pool.mapOutcomes(items, journal: journal, body) == plain)
        #expect(runs.items.isEmpty && journal.resumedCount == 1000 && journal.recordedCount == 0)
    }

    @Test("a throw stays recorded: a resumed map throws it again without running anything", arguments: inProcess)
    func throwStaysRecorded(strategy: ComputeStrategy, workers: Int) throws {
        let scratch = Scratch()
        let journal = PoolJournal(path: scratch.file("threw.journal"), identity: "threw")
        let pool = Pool(strategy: strategy, workers: workers)
        let runs = Runs()
        let body: @Sendable (Int) throws -> Int = { n in
            runs.add(n)
            if n == 7 { throw Refused(item: n) }
            return n
        }
        let first = try pool.mapOutcomes(0..<20, journal: journal, body)
        #expect(first[7].failure == .threw("HybridKitTests.PoolJournalTests.Refused: no item 7"))
        #expect(runs.items == Array(0..<20))
        runs.reset()
        #expect(try pool.mapOutcomes(0..<20, journal: journal, body) == first)
        #expect(runs.items.isEmpty)
        let expected = PoolItemError(index: 7, failure: .threw("HybridKitTests.PoolJournalTests.Refused: no item 7"))
        #expect(throws: expected) { try pool.map(0..<20, journal: journal, body) }
        #expect(runs.items.isEmpty)
    }

    @Test("map stopped by a throw keeps what settled before it; resumed, it throws again without running")
    func mapStoppedByThrow() throws {
        let scratch = Scratch()
        let journal = PoolJournal(path: scratch.file("map.journal"), identity: "map")
        let runs = Runs()
        let body: @Sendable (Int) throws -> String = { n in
            runs.add(n)
            if n == 600 { throw Refused(item: n) }
            return String(repeating: "x", count: n % 50)
        }
        let expected = PoolItemError(
            index: 600, failure: .threw("HybridKitTests.PoolJournalTests.Refused: no item 600"))
        #expect(throws: expected) { try Pool(strategy: .serial).map(0..<1000, journal: journal, body) }
        // Serial runs in order: 0 ... 600 ran and were recorded, 601 ... never started.
        #expect(journal.recordedCount == 601)
        #expect(runs.items == Array(0...600))
        runs.reset()
        #expect(throws: expected) { try Pool(strategy: .serial).map(0..<1000, journal: journal, body) }
        #expect(runs.items.isEmpty)
    }

    @Test("a time-out is not recorded: a resumed run tries that item again, and only it")
    func timeOutRunsAgain() throws {
        let scratch = Scratch()
        let journal = PoolJournal(path: scratch.file("slow.journal"), identity: "slow")
        let runs = Runs()
        let slow = Locked(true)
        let policy = PoolPolicy(timeout: .milliseconds(50), retries: 0)
        let body: @Sendable (Int) throws -> Int = { n in
            runs.add(n)
            if n == 1 && slow.withLock({ $0 }) { usleep(300_000) }
            return n
        }
        let first = try Pool(strategy: .serial).mapOutcomes(0..<4, policy: policy, journal: journal, body)
        #expect(first.map(\.failure) == [nil, .timedOut, nil, nil])
        #expect(journal.recordedCount == 3)
        runs.reset()
        slow.withLock { $0 = false }
        let second = try Pool(strategy: .serial).mapOutcomes(0..<4, policy: policy, journal: journal, body)
        #expect(second.map(\.output) == [0, 1, 2, 3])
        #expect(runs.items == [1])
    }

    @Test("another job's journal is refused: another identity, item count or output type")
    func refusesAnotherJob() async throws {
        let scratch = Scratch()
        let path = scratch.file("job.journal")
        let pool = Pool(strategy: .serial)
        _ = try pool.map(0..<10, journal: PoolJournal(path: path, identity: "tens")) { (n: Int) in n * 10 }
        func refused(_ body: () throws -> Void) -> JournalError? {
            do {
                try body()
                return nil
            } catch let error as JournalError {
                return error
            } catch {
                return nil
            }
        }
        let identity = refused {
            _ = try pool.map(0..<10, journal: PoolJournal(path: path, identity: "twenties")) { (n: Int) in n * 20 }
        }
        #expect(identity?.kind == .differentJob)
        #expect(
            identity?.message
                == "journal \(path) records another job (identity tens; this run has identity twenties): give another journal file, or the map that made it"
        )
        let count = refused {
            _ = try pool.map(0..<11, journal: PoolJournal(path: path, identity: "tens")) { (n: Int) in n * 10 }
        }
        #expect(count?.kind == .differentJob)
        #expect(count?.message.contains("(items 10; this run has items 11)") == true)
        let type = refused {
            _ = try pool.map(0..<10, journal: PoolJournal(path: path, identity: "tens")) { (n: Int) in "\(n)0" }
        }
        #expect(type?.kind == .differentJob)
        #expect(type?.message.contains("(output Swift.Int; this run has output Swift.String)") == true)
        let outcomes = pool.outcomes(0..<10, journal: PoolJournal(path: path, identity: "twenties")) { (n: Int) in n }
        await #expect(throws: JournalError.self) { for try await _ in outcomes {} }
        // Not a journal at all.
        let other = scratch.file("notes.txt")
        try "shopping list\n".write(toFile: other, atomically: true, encoding: .utf8)
        #expect(
            refused { _ = try pool.map(0..<10, journal: PoolJournal(path: other, identity: "tens")) { (n: Int) in n } }?
                .kind == .notAJournal)
    }

    @Test("a torn last record is cut off and its item runs again")
    func tornLastRecord() throws {
        let scratch = Scratch()
        let path = scratch.file("torn.journal")
        let journal = PoolJournal(path: path, identity: "torn")
        let runs = Runs()
        let body: @Sendable (Int) throws -> [Int] = { n in
            runs.add(n)
            return Array(0..<(n % 5))
        }
        let plain = try Pool(strategy: .serial).map(0..<100, journal: journal, body)
        // Serial records in order, so the last record is item 99's.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(truncate(path, off_t(size - 3)) == 0)
        runs.reset()
        #expect(try Pool(strategy: .serial).map(0..<100, journal: journal, body) == plain)
        #expect(runs.items == [99])
        #expect(journal.resumedCount == 99)
        // The cut was made good: the file holds every record again.
        runs.reset()
        #expect(try Pool(strategy: .serial).map(0..<100, journal: journal, body) == plain)
        #expect(runs.items.isEmpty && journal.resumedCount == 100)
    }

    @Test("20,000 tiny items are synced in groups, not once each", arguments: inProcess)
    func groupedSyncs(strategy: ComputeStrategy, workers: Int) throws {
        let scratch = Scratch()
        let journal = PoolJournal(path: scratch.file("tiny.journal"), identity: "tiny")
        let pool = Pool(strategy: strategy, workers: workers)
        let outputs = try pool.map(0..<20_000, journal: journal) { (n: Int) in n &+ 1 }
        #expect(outputs == Array(1...20_000))
        #expect(journal.recordedCount == 20_000)
        // One fsync per record would be 20,000; groups of 4096 records or 100 ms are a handful.
        #expect(journal.syncCount >= 1 && journal.syncCount < 400, "\(journal.syncCount) syncs")
        // A group of 1 record is the slow way, and is what syncRecords: 1 asks for.
        let eachOne = PoolJournal(path: scratch.file("each.journal"), identity: "tiny", syncRecords: 1)
        _ = try pool.map(0..<50, journal: eachOne) { (n: Int) in n }
        #expect(eachOne.syncCount == 50)
    }

    @Test("processes: a program SIGKILLed in a journalled map resumes and runs only what it lacks")
    func processesKilled() throws {
        let scratch = Scratch()
        let journal = scratch.file("killed.journal")
        let ran = scratch.file("ran.txt")
        let (killedStatus, _) = try PoolTests.runChecks("journal", [journal, ran, "250"])
        #expect(killedStatus == SIGKILL)
        let firstRun = try String(contentsOfFile: ran, encoding: .utf8).split(separator: "\n").map { Int($0)! }
        #expect(firstRun.contains(250))
        let (status, output) = try PoolTests.runChecks("journal", [journal, ran, "-1"])
        #expect(status == 0)
        let all = try String(contentsOfFile: ran, encoding: .utf8).split(separator: "\n").map { Int($0)! }
        let secondRun = Array(all.dropFirst(firstRun.count))
        let fields = output.split(separator: " ")
        let resumed = try #require(fields.count > 1 ? Int(fields[1].filter(\.isNumber)) : nil)
        #expect(resumed > 0 && resumed < 400)
        #expect(output == "resumed \(resumed), recorded \(400 - resumed), squares right\n")
        #expect(secondRun.count == 400 - resumed)
        #expect(Set(secondRun).count == secondRun.count)
        #expect(Set(firstRun).union(secondRun) == Set(0..<400))
        #expect(secondRun.contains(250))
    }
}
