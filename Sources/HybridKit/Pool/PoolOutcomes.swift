/// The outcomes of a ``Pool/outcomes(_:policy:window:_:)`` run, in completion order.
///
/// Iterate it once. Ending the loop early, or cancelling the task that iterates it, stops the
/// run: every worker ends before the iterator's last `next()` returns.
public struct PoolOutcomes<Output: Codable & Sendable>: AsyncSequence, Sendable {
    public typealias Element = PoolOutcome<Output>

    let channel: PoolChannel<Output>
    let start: @Sendable () -> Void

    init(channel: PoolChannel<Output>, start: @escaping @Sendable () -> Void) {
        self.channel = channel
        self.start = start
    }

    /// Stops the run: no item starts after this, items in flight end as cancelled, and the
    /// iteration ends once every worker has ended.
    public func stop() { channel.stop() }

    public func makeAsyncIterator() -> Iterator { Iterator(channel: channel, start: start) }

    public struct Iterator: AsyncIteratorProtocol {
        let channel: PoolChannel<Output>
        let start: @Sendable () -> Void
        /// Stops the run when the last copy of the iterator goes (a loop left early).
        private let lifetime: Lifetime

        final class Lifetime: Sendable {
            let channel: PoolChannel<Output>
            init(_ channel: PoolChannel<Output>) { self.channel = channel }
            deinit { channel.stop() }
        }

        init(channel: PoolChannel<Output>, start: @escaping @Sendable () -> Void) {
            self.channel = channel
            self.start = start
            lifetime = Lifetime(channel)
        }

        public mutating func next() async throws -> PoolOutcome<Output>? {
            if channel.claimStart() {
                let run = start
                let channel = channel
                if (try? Syscalls.startDetachedThread({ run() })) == nil { channel.finish(PoolError.threadFailed) }
            }
            let channel = channel
            return try await withTaskCancellationHandler {
                try await channel.next()
            } onCancel: {
                channel.stop()
            }
        }
    }
}

/// Outcomes from the run's thread to the consuming task: a bounded buffer, so a slow consumer
/// holds the run back instead of letting outcomes pile up.
final class PoolChannel<Output: Sendable>: @unchecked Sendable {
    private enum Step {
        case outcome(PoolOutcome<Output>)
        case end((any Error)?)
        case wait
    }

    private struct State {
        var buffer: [PoolOutcome<Output>] = []
        var head = 0
        var started = false
        var stopped = false
        var finished = false
        var error: (any Error)?
        var waiter: CheckedContinuation<Void, Never>?

        var buffered: Int { buffer.count - head }

        mutating func takeWaiter() -> CheckedContinuation<Void, Never>? {
            defer { waiter = nil }
            return waiter
        }
    }

    private let monitor = PoolMonitor(State())
    private let capacity: Int
    let stopFlag = PoolStop()

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// True for the first caller only: it starts the run.
    func claimStart() -> Bool {
        monitor.update { state in
            defer { state.started = true }
            return !state.started
        }
    }

    /// From the run's thread: waits for room, then buffers `outcome`; false once stopped.
    func send(_ outcome: PoolOutcome<Output>) -> Bool {
        let (sent, waiter) =
            monitor.wait { state -> (Bool, CheckedContinuation<Void, Never>?)? in
                if state.stopped { return (false, nil) }
                if state.buffered >= capacity { return nil }
                state.buffer.append(outcome)
                return (true, state.takeWaiter())
            } ?? (false, nil)
        waiter?.resume()
        return sent
    }

    /// From the run's thread, last: the run is over, with `error` if it failed.
    func finish(_ error: (any Error)?) {
        monitor.update { state in
            state.finished = true
            state.error = error
            return state.takeWaiter()
        }?.resume()
    }

    func stop() {
        stopFlag.raise()
        monitor.update { $0.stopped = true }
    }

    func next() async throws -> PoolOutcome<Output>? {
        while true {
            let step = monitor.update { state -> Step in
                if state.head < state.buffer.count {
                    let outcome = state.buffer[state.head]
                    state.head += 1
                    if state.head > 1024 && state.head * 2 > state.buffer.count {
                        state.buffer.removeFirst(state.head)
                        state.head = 0
                    }
                    return .outcome(outcome)
                }
                return state.finished ? .end(state.error) : .wait
            }
            switch step {
            case .outcome(let outcome): return outcome
            case .end(let error):
                if let error { throw error }
                return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = monitor.update { state -> Bool in
                        if state.head < state.buffer.count || state.finished { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
        }
    }
}
