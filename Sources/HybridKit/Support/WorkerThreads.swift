import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs one piece of work per POSIX thread and waits for all of them.
///
/// pthreads rather than Swift concurrency: a fetcher blocks in libcurl (poll, perform) for the
/// whole batch, which would starve the cooperative pool's few threads.
enum WorkerThreads {
    /// Starts every piece of work on its own thread, calls `whileRunning` on the calling thread
    /// until they end, then joins them. A thread that cannot be created runs its work on the
    /// calling thread instead, so no work is lost.
    static func run(_ works: [() -> Void], whileRunning: (() -> Bool) -> Void = { _ in }) {
        var threads: [pthread_t] = []
        var leftover: [() -> Void] = []
        let finished = FinishedCounter()
        for work in works {
            if let thread = try? Syscalls.startThread({
                work()
                finished.increment()
            }) {
                threads.append(thread)
            } else {
                leftover.append(work)
            }
        }
        whileRunning { finished.value < threads.count }
        for work in leftover { work() }
        for thread in threads { Syscalls.join(thread) }
    }
}

extension WorkerThreads {
    /// Runs `works` on their threads while the calling thread moves the progress bar and, with
    /// `signals` active, waits for SIGINT or SIGTERM. On a signal it calls `stop` (the works
    /// should then end at their next check) and, once every thread has ended, returns the signal.
    static func supervise(
        _ works: [() -> Void], signals: inout StopSignals, progress: () -> Void,
        stop: () -> Void
    ) -> Int32? {
        var interruption: Int32?
        run(works) { running in
            while running() {
                progress()
                // A short wait: the end of the run is seen only here, and short runs should not
                // pay for a long one.
                if let signal = signals.wait(seconds: 0.005) {
                    interruption = signal
                    stop()
                    break
                }
                if !signals.active { Syscalls.sleep(seconds: 0.002) }
            }
        }
        return interruption
    }
}

/// A counter that worker threads bump and the calling thread reads.
private final class FinishedCounter: Sendable {
    private let count = Atomic<Int>(0)

    func increment() { count.add(1, ordering: .releasing) }

    var value: Int { count.load(ordering: .acquiring) }
}
