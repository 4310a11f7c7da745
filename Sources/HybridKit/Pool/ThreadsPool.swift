/// The threads strategy for ``Pool``: one POSIX thread per worker, fed by the supervisor (the
/// calling thread, or the async forms' own thread) through a short queue, so that retries and
/// the halt rule are decided in one place.
///
/// A thread cannot be stopped in the middle of an item. An item past its time-out is reported
/// as ``PoolFailure/timedOut`` and its thread abandoned: a new thread takes its worker's place,
/// and the old one drops its result and ends when the item returns. When a run stops, threads
/// that are inside an item end likewise, after the run has returned.
@usableFromInline
enum ThreadsPool {
    private struct Job<Input> {
        var index: Int
        var input: Input
    }

    /// What a worker thread is doing; a new generation replaces an abandoned thread.
    private struct Worker {
        var generation = 0
        var item: Int?
        var started = 0.0
    }

    private struct State<Input, Output> {
        var queue: [Job<Input>] = []
        var results: [(index: Int, result: Result<Output, PoolFailure>)] = []
        var workers: [Worker]
        var closing = false
    }

    @usableFromInline static func run<Input: Sendable, Output: Sendable>(
        _ schedule: PoolSchedule<Input, Output>, workers count: Int, policy: PoolPolicy, stop: PoolStop,
        body: @escaping @Sendable (Input) throws -> Output
    ) {
        let monitor = PoolMonitor(State<Input, Output>(workers: Array(repeating: Worker(), count: count)))
        let timeout = policy.timeoutSeconds
        let initializer = policy.initializer

        @Sendable func work(worker: Int, generation: Int) {
            initializer?(worker)
            while true {
                let job: Job<Input>? =
                    monitor.wait { state in
                        // A stopped run starts nothing more, whatever is still queued.
                        if state.closing || stop.isRaised || state.workers[worker].generation != generation {
                            return .some(nil)
                        }
                        if state.queue.isEmpty { return nil }
                        let job = state.queue.removeFirst()
                        state.workers[worker].item = job.index
                        state.workers[worker].started = timeout == nil ? 0 : Syscalls.monotonicSeconds()
                        return .some(job)
                    } ?? nil
                guard let job else { return }
                let result: Result<Output, PoolFailure>
                do {
                    result = .success(try body(job.input))
                } catch {
                    result = .failure(.threw(error))
                }
                let abandoned = monitor.update { state in
                    guard state.workers[worker].generation == generation else { return true }
                    state.workers[worker].item = nil
                    state.results.append((job.index, result))
                    return false
                }
                if abandoned { return }
            }
        }

        // A thread that cannot be made leaves its worker idle and the others carry on; with
        // none at all, the items run on this thread.
        @discardableResult
        func start(worker: Int, generation: Int) -> Bool {
            (try? Syscalls.startDetachedThread { work(worker: worker, generation: generation) }) != nil
        }
        guard (0..<count).map({ start(worker: $0, generation: 0) }).contains(true) else {
            return SerialPool.run(schedule, policy: policy, stop: stop, body: body)
        }
        let depth = 2 * count

        while !stop.isRaised && !schedule.stopped {
            // Enough queued for every worker to take one more, few enough that a stop or a
            // retry is not held up behind a long queue.
            let (results, timedOut, busy, queued) = monitor.update { state in
                while state.queue.count < depth, let (index, input) = schedule.take() {
                    state.queue.append(Job(index: index, input: input))
                }
                var timedOut: [(worker: Int, item: Int)] = []
                if let timeout {
                    let now = Syscalls.monotonicSeconds()
                    for worker in state.workers.indices {
                        if let item = state.workers[worker].item, now - state.workers[worker].started > timeout {
                            state.workers[worker].generation += 1
                            state.workers[worker].item = nil
                            timedOut.append((worker, item))
                        }
                    }
                }
                let results = state.results
                state.results.removeAll(keepingCapacity: true)
                return (results, timedOut, state.workers.contains { $0.item != nil }, state.queue.count)
            }
            for (worker, item) in timedOut {
                start(worker: worker, generation: monitor.update { $0.workers[worker].generation })
                schedule.settle(item, .failure(.timedOut))
            }
            for (index, result) in results { schedule.settle(index, result) }
            if results.isEmpty && timedOut.isEmpty {
                if !busy && queued == 0 && schedule.isFinished { break }
                // Woken by a result, or by a queue running low while there may be more input; the
                // deadline only bounds how late a time-out or a stop is seen.
                let refill = queued == depth
                _ = monitor.wait(seconds: timeout.map { min($0 / 4, 0.05) } ?? 0.05) { state in
                    !state.results.isEmpty || (refill && state.queue.count <= depth / 2) ? true : nil
                }
            }
        }
        monitor.update { $0.closing = true }
        schedule.cancelUnsettled()
    }
}
