import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Where a URL came from, so that its result can be traced back to the input.
public enum URLOrigin: Sendable, Equatable, CustomStringConvertible {
    /// Its position among the URLs given as arguments, from 1.
    case argument(Int)
    /// Its line in a URL list, from 1, blank and comment lines counted.
    case line(Int)

    /// The position or the line number.
    public var number: Int {
        switch self {
        case .argument(let position): return position
        case .line(let line): return line
        }
    }

    /// `argument N` or `line N`.
    public var description: String {
        switch self {
        case .argument(let position): return "argument \(position)"
        case .line(let line): return "line \(line)"
        }
    }
}

/// What a source of URLs answers when a fetcher asks for the next one.
public enum URLSourceAnswer: Sendable, Equatable {
    /// The next URL, and where it came from when that is known.
    case url(String, origin: URLOrigin? = nil)
    /// No URL is ready yet (input is still coming); the fetcher asks again within 5 ms.
    case notYet
    /// The next URL is not fetched (a journal holds its result): its index is used up, so the
    /// URLs after it keep their input positions.
    case skip
    /// No more URLs.
    case end
}

/// URLs given up front, then the lines of a URL list read on a thread of its own into a bounded
/// queue: fetchers never block on input, a pipe that delivers slowly has its URLs fetched as
/// they arrive, and memory stays bounded by the queue however long the list is.
package final class URLStream: Sendable {
    private struct State {
        var queue: [(url: String, line: Int)] = []
        var head = 0
        var ended = false
        var closed = false
        var error: UsageError?
    }
    private let given: [String]
    private let givenPosition = Atomic<Int>(0)
    private let state = POSIXLocked(State())
    private let capacity: Int

    /// - Parameters:
    ///   - urls: URLs handed out first, in order.
    ///   - reader: A list whose URLs follow, read on a background thread; `nil` for none.
    ///   - capacity: URLs read ahead at most.
    package init(urls: [String], reader: URLListReader?, capacity: Int = 8192) {
        given = urls
        self.capacity = max(1, capacity)
        if let reader {
            startReading(reader)
        } else {
            state.withLock { $0.ended = true }
        }
    }

    /// The next URL, `.notYet` while the reader owes more, `.end` after the last one.
    package func next() -> URLSourceAnswer {
        let position = givenPosition.add(1, ordering: .relaxed).oldValue
        if position < given.count { return .url(given[position], origin: .argument(position + 1)) }
        return state.withLock { state in
            if state.head < state.queue.count {
                let (url, line) = state.queue[state.head]
                state.head += 1
                if state.head >= 1024 && state.head * 2 >= state.queue.count {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
                return .url(url, origin: .line(line))
            }
            return state.ended ? .end : .notYet
        }
    }

    /// Why reading the list stopped early, if it did.
    package var error: UsageError? { state.withLock { $0.error } }

    /// Stops the reader thread, which holds the stream until the list ends or this is called
    /// (at its next URL; a thread blocked in `read` stays there until input comes).
    package func close() { state.withLock { $0.closed = true } }

    private func startReading(_ reader: URLListReader) {
        // The thread holds the stream until the list ends or close() is called.
        let started: ()? = try? Syscalls.startDetachedThread {
            // Stop signals are for the thread that supervises the fetch: one delivered here
            // would take the default action and end the process.
            Syscalls.block(Syscalls.stopSignalSet())
            while true {
                // Wait while the queue is full: 8192 URLs last fetchers over 0.1 s even at
                // 60,000 a second, so a 10 ms nap never starves them and costs little.
                while self.state.withLock({
                    !$0.closed && $0.queue.count - $0.head >= self.capacity
                }) {
                    Syscalls.sleep(seconds: 0.01)
                }
                let url = reader.next()
                let stop = self.state.withLock { state -> Bool in
                    if state.closed { return true }
                    if let url {
                        state.queue.append((url, reader.line))
                        return false
                    }
                    state.error = reader.error
                    state.ended = true
                    return true
                }
                if stop { return }
            }
        }
        if started == nil {
            // No thread: read it all here, as a last resort.
            var urls: [(url: String, line: Int)] = []
            while let url = reader.next() { urls.append((url, reader.line)) }
            state.withLock {
                $0.queue = urls
                $0.ended = true
                $0.error = reader.error
            }
        }
    }
}
