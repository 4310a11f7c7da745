import Testing

@testable import HybridKit

@Suite("Worker plans")
struct WorkerPlanTests {
    @Test("threads-multi windows add up to K and never leave a thread idle")
    func threadsMultiWindows() {
        let plan = ThreadsMultiFetch()
        #expect(plan.windows(concurrency: 100, threads: 2) == [50, 50])
        #expect(plan.windows(concurrency: 10, threads: 3) == [4, 3, 3])
        #expect(plan.windows(concurrency: 2, threads: 8) == [1, 1])
    }

    @Test("each strategy's layout of threads and handles")
    func layouts() {
        #expect(FetchOptions(strategy: .serial, concurrency: 50).windows == [0])
        #expect(FetchOptions(strategy: .multi, concurrency: 50).windows == [50])
        #expect(FetchOptions(strategy: .threads, concurrency: 4).windows == [0, 0, 0, 0])
        #expect(FetchOptions(strategy: .threads, concurrency: 4, threads: 2).windows == [0, 0])
        #expect(
            FetchOptions(strategy: .threadsMulti, concurrency: 9, threads: 2).windows == [5, 4])
    }
}
