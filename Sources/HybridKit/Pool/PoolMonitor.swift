#if canImport(Glibc)
    import Glibc
#endif

/// State under a POSIX mutex with one condition variable: the threads runner's workers wait
/// on it for items, its supervisor for results or a deadline.
final class PoolMonitor<State>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var state: State

    init(_ state: State) {
        self.state = state
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        // Deadlines are on the monotonic clock, which a change of the wall clock cannot move.
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` under the lock and wakes every waiter afterwards.
    func update<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return try body(&state)
    }

    /// Waits until `ready` gives a value (checked under the lock, after each wake-up), or until
    /// `seconds` have passed, then gives nil. nil seconds: no limit.
    func wait<Result>(seconds: Double? = nil, _ ready: (inout State) -> Result?) -> Result? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let deadline = seconds.map { Syscalls.monotonicSeconds() + $0 }
        while true {
            if let result = ready(&state) { return result }
            if let deadline {
                if deadline <= Syscalls.monotonicSeconds() { return nil }
                let seconds = deadline.rounded(.down)
                var until = timespec(tv_sec: Int(seconds), tv_nsec: Int((deadline - seconds) * 1e9))
                pthread_cond_timedwait(condition, mutex, &until)
            } else {
                pthread_cond_wait(condition, mutex)
            }
        }
    }
}
