import CShims

#if canImport(Glibc)
    import Glibc
#endif

/// The processes strategy for ``Pool``: forked worker processes, each on a socket of its own to
/// the supervisor (the calling thread), which sends batches of encoded inputs and reads encoded
/// outcomes back.
///
/// The fork rule holds because the supervisor is the program's only thread: the run checks this
/// before the first fork and starts no thread of its own, so every replacement is forked from a
/// single-threaded parent as well. Each worker publishes the item it is running (and since
/// when) in a region shared before the first fork, which is how the supervisor knows which item
/// a dead worker held and when an item is past its time-out. A worker that dies costs only the
/// item it held (a crash, retried by the policy); the rest of its batch runs again elsewhere,
/// not counted as attempts.
///
/// Wire format, both ways, is frames of a 32-bit length and a payload. To a worker: a count,
/// then per item its index (64-bit) and its encoded input (32-bit length and bytes); an empty
/// frame asks the worker to end. From a worker, per item: its index, a kind (0 output, 1 a
/// throw) and the encoded output or the throw's text. A worker is sent its next batch only
/// when every result of the last one is back, so it is reading whenever the supervisor writes,
/// and a blocking write cannot deadlock against a worker blocked on its own write.
@usableFromInline
enum ProcessesPool {
    /// Per worker, in the shared region: the item it runs (-1 for none) and when it started, in
    /// monotonic nanoseconds.
    @usableFromInline static let recordWords = 2

    @usableFromInline
    final class Worker {
        @usableFromInline let number: Int
        @usableFromInline @exclusivity(unchecked) var pid: pid_t = 0
        /// Its pidfd (-1 where the kernel has none): the fork rule signals workers through it.
        @usableFromInline @exclusivity(unchecked) var pidfd: Int32 = -1
        @usableFromInline @exclusivity(unchecked) var socket: Int32 = -1
        /// The items of its last batch, in the order it runs them, and how many it has answered.
        @usableFromInline @exclusivity(unchecked) var batch: [Int] = []
        @usableFromInline @exclusivity(unchecked) var answered = 0
        @usableFromInline var isIdle: Bool { answered == batch.count }
        @usableFromInline @exclusivity(unchecked) var itemsRun = 0
        @usableFromInline @exclusivity(unchecked) var ending = false
        /// The item it was killed for running past the time-out.
        @usableFromInline @exclusivity(unchecked) var killedFor: Int?
        @usableFromInline @exclusivity(unchecked) var inbox: [UInt8] = []
        @usableFromInline init(number: Int) { self.number = number }
    }

    // Specialised in the caller's module (the supervisor's per-item work is generic), never
    // inlined.
    @inlinable @inline(never)
    static func run<Input: Codable, Output: Codable & Sendable>(
        _ schedule: PoolSchedule<Input, Output>, workers count: Int, policy: PoolPolicy, stop: PoolStop,
        spawn task: String?, body: @escaping (Input) throws -> Output
    ) throws {
        // Forking Swift work needs one thread; spawning runs nothing of ours before exec.
        guard task != nil || Syscalls.threadCount() <= 1 else { throw PoolError.forkNeedsSingleThread }
        let regionBytes = count * recordWords * 8
        // A memory file rather than an anonymous mapping, so that spawned workers can map it too.
        let memory = hybrid_memory_file()
        guard memory >= 0 else { throw PoolError.outOfMemory }
        defer { Glibc.close(memory) }
        guard ftruncate(memory, off_t(regionBytes)) == 0,
            let region = mmap(nil, regionBytes, PROT_READ | PROT_WRITE, MAP_SHARED, memory, 0), region != MAP_FAILED
        else { throw PoolError.outOfMemory }
        defer { munmap(region, regionBytes) }
        let parent = getpid()
        let records = region.bindMemory(to: Int64.self, capacity: count * recordWords)
        let timeout = policy.timeoutSeconds
        var workers = (0..<count).map { Worker(number: $0) }

        func record(_ worker: Worker) -> UnsafeMutablePointer<Int64> { records + worker.number * recordWords }

        /// Forks `worker` anew; false when fork fails.
        func start(_ worker: Worker) -> Bool {
            var pair: [Int32] = [-1, -1]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
                return false
            }
            hybrid_store_release(record(worker), -1)
            // What the parent has printed but not written would otherwise be written again by
            // every worker that ends.
            fflush(nil)
            let pid: pid_t
            if let task {
                let identity = "\(PoolSpawn.variable)=\(parent) \(worker.number) \(regionBytes) \(task)"
                pid = identity.withCString { hybrid_spawn_worker(CommandLine.unsafeArgv, $0, pair[1], memory) }
            } else {
                pid = hybrid_fork_worker()
            }
            if pid == 0 {
                Glibc.close(pair[0])
                for other in workers where other.socket >= 0 { Glibc.close(other.socket) }
                serve(
                    socket: pair[1], number: worker.number, record: record(worker), initializer: policy.initializer,
                    body: body)
            }
            Glibc.close(pair[1])
            guard pid > 0 else {
                Glibc.close(pair[0])
                return false
            }
            worker.pid = pid
            worker.pidfd = hybrid_pidfd_open(pid)
            worker.socket = pair[0]
            worker.batch = []
            worker.answered = 0
            worker.itemsRun = 0
            worker.ending = false
            worker.killedFor = nil
            worker.inbox = []
            return true
        }

        var started = 0
        for worker in workers where start(worker) { started += 1 }
        guard started > 0 else { throw PoolError.forkFailed }

        let writer = BinaryWriter()
        var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
        while !stop.isRaised && !schedule.stopped {
            // Feed every idle worker a batch: guided sizes (a share of what is left), so that the
            // last items spread over every worker.
            for worker in workers where worker.pid > 0 && worker.isIdle && !worker.ending {
                var size = 1
                if let remaining = schedule.remaining {
                    size = min(1024, max(1, remaining / (4 * count)))
                } else {
                    size = 16
                }
                if let limit = policy.itemsPerWorker { size = min(size, limit - worker.itemsRun) }
                if size <= 0 {
                    worker.ending = true
                    _ = send(worker.socket, [0, 0, 0, 0])
                    continue
                }
                writer.bytes.removeAll(keepingCapacity: true)
                writer.writeFixed(UInt32(0))
                writer.writeFixed(UInt32(0))
                worker.batch.removeAll(keepingCapacity: true)
                worker.answered = 0
                var taken = 0
                while taken < size, let (index, input) = schedule.take() {
                    writer.writeFixed(Int64(index))
                    let lengthAt = writer.bytes.count
                    writer.writeFixed(UInt32(0))
                    do {
                        try writer.encodeValue(input)
                    } catch {
                        writer.bytes.removeSubrange((lengthAt - 8)...)
                        schedule.settle(index, .failure(.threw(error)))
                        continue
                    }
                    patch(&writer.bytes, at: lengthAt, UInt32(writer.bytes.count - lengthAt - 4))
                    worker.batch.append(index)
                    taken += 1
                }
                guard taken > 0 else { continue }
                patch(&writer.bytes, at: 0, UInt32(writer.bytes.count - 4))
                patch(&writer.bytes, at: 4, UInt32(taken))
                worker.itemsRun += taken
                // A worker that died meanwhile shows as the end of its socket, read below.
                _ = send(worker.socket, writer.bytes)
            }
            if schedule.isFinished { break }
            let live = workers.filter { $0.pid > 0 }
            if live.isEmpty {
                schedule.cancelUnsettled()
                throw PoolError.forkFailed
            }

            var fds = live.map { pollfd(fd: $0.socket, events: Int16(POLLIN), revents: 0) }
            let wait = timeout.map { Int32(min(max($0 * 250, 1), 100)) } ?? 100
            _ = poll(&fds, nfds_t(fds.count), wait)
            for (k, worker) in live.enumerated() where fds[k].revents != 0 {
                let got = readBuffer.withUnsafeMutableBytes { Glibc.read(worker.socket, $0.baseAddress, $0.count) }
                if got > 0 {
                    worker.inbox.append(contentsOf: readBuffer[0..<got])
                    deliverFrames(worker, schedule)
                } else if got == 0 || (errno != EINTR && errno != EAGAIN) {
                    buried(worker, schedule: schedule, record: record(worker))
                    if schedule.hasWork && !schedule.stopped && !stop.isRaised { _ = start(worker) }
                }
            }
            if let timeout {
                let now = monotonicNanoseconds()
                for worker in workers where worker.pid > 0 && worker.killedFor == nil {
                    let item = hybrid_load_acquire(record(worker))
                    guard item >= 0 else { continue }
                    let since = hybrid_load_acquire(record(worker) + 1)
                    if Double(now - since) * 1e-9 > timeout {
                        worker.killedFor = Int(item)
                        kill(worker)
                    }
                }
            }
        }
        // Stopped or done: ask idle workers to end, kill any still running an item, reap all.
        let stopping = stop.isRaised || schedule.stopped
        for worker in workers where worker.pid > 0 {
            if stopping || !worker.isIdle { kill(worker) } else { _ = send(worker.socket, [0, 0, 0, 0]) }
            Glibc.close(worker.socket)
            var status: Int32 = 0
            _ = Syscalls.retryingOnInterrupt { waitpid(worker.pid, &status, 0) }
            release(worker)
        }
        workers.removeAll()
        schedule.cancelUnsettled()
    }

    /// SIGKILL for `worker`, through its pidfd (by pid only where the kernel has no pidfds).
    @usableFromInline static func kill(_ worker: Worker) {
        if worker.pidfd >= 0 {
            _ = hybrid_pidfd_signal(worker.pidfd, SIGKILL)
        } else {
            _ = Glibc.kill(worker.pid, SIGKILL)
        }
    }

    /// Forgets a reaped worker's process.
    @usableFromInline static func release(_ worker: Worker) {
        if worker.pidfd >= 0 { Glibc.close(worker.pidfd) }
        worker.pidfd = -1
        worker.pid = 0
    }

    @usableFromInline static func patch(_ bytes: inout [UInt8], at position: Int, _ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { for k in 0..<4 { bytes[position + k] = $0[k] } }
    }

    @usableFromInline static func send(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                Syscalls.retryingOnInterrupt {
                    Glibc.send(socket, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                }
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    @usableFromInline static func monotonicNanoseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    /// Settles every whole frame in `worker`'s inbox.
    @inlinable
    static func deliverFrames<Input, Output: Decodable>(
        _ worker: Worker, _ schedule: PoolSchedule<Input, Output>
    ) {
        var offset = 0
        worker.inbox.withUnsafeBytes { inbox in
            while inbox.count - offset >= 4 {
                let length = Int(UInt32(littleEndian: inbox.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                guard inbox.count - offset - 4 >= length, length >= 9 else { break }
                let frame = UnsafeRawBufferPointer(rebasing: inbox[(offset + 4)..<(offset + 4 + length)])
                offset += 4 + length
                let index = Int(Int64(littleEndian: frame.loadUnaligned(as: Int64.self)))
                let payload = UnsafeRawBufferPointer(rebasing: frame[9...])
                let result: Result<Output, PoolFailure>
                if frame[8] == 0 {
                    do {
                        result = .success(try BinaryDecoder().decode(Output.self, from: payload))
                    } catch {
                        result = .failure(.threw(error))
                    }
                } else {
                    result = .failure(.threw(String(decoding: payload, as: UTF8.self)))
                }
                // A worker answers its batch in order.
                if !worker.isIdle, worker.batch[worker.answered] == index { worker.answered += 1 }
                schedule.settle(index, result)
            }
        }
        worker.inbox.removeFirst(offset)
    }

    /// `worker`'s socket ended: reaps it, and settles what it held.
    @usableFromInline static func buried<Input, Output>(
        _ worker: Worker, schedule: PoolSchedule<Input, Output>, record: UnsafeMutablePointer<Int64>
    ) {
        Glibc.close(worker.socket)
        worker.socket = -1
        var status: Int32 = 0
        let reaped = Syscalls.retryingOnInterrupt { waitpid(worker.pid, &status, 0) }
        release(worker)
        let held = Int(hybrid_load_acquire(record))
        let cause: String =
            if reaped < 0 {
                "ended with an unknown status (reaped elsewhere)"
            } else if hybrid_wait_signaled(status) != 0 {
                "killed by \(signalName(hybrid_wait_signal(status)))"
            } else { "exited with code \(hybrid_wait_exit_code(status))" }
        for index in worker.batch[worker.answered...] {
            if index == held && (worker.killedFor == nil || worker.killedFor == index) {
                schedule.settle(index, .failure(worker.killedFor == index ? .timedOut : .crashed(cause)))
            } else {
                // Not its fault: it never started, or its worker was killed for another item's
                // time-out just as that item ended.
                schedule.putBack(index)
            }
        }
        worker.batch = []
        worker.answered = 0
    }

    /// The worker's side, in the forked child: initialise, then run batches until told to end
    /// or the socket closes. Never returns.
    @usableFromInline static func serve<Input: Decodable, Output: Encodable>(
        socket: Int32, number: Int, record: UnsafeMutablePointer<Int64>,
        initializer: (@Sendable (Int) -> Void)?, body: (Input) throws -> Output
    ) -> Never {
        initializer?(number)
        let writer = BinaryWriter()
        var frame: [UInt8] = []
        func readExactly(_ count: Int) -> Bool {
            frame = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = frame.withUnsafeMutableBytes { buffer in
                    Syscalls.retryingOnInterrupt { Glibc.read(socket, buffer.baseAddress! + got, count - got) }
                }
                if n <= 0 { return false }
                got += n
            }
            return true
        }
        func flush() {
            if !writer.bytes.isEmpty, !send(socket, writer.bytes) { end(0) }
            writer.bytes.removeAll(keepingCapacity: true)
        }
        while readExactly(4) {
            let length = Int(UInt32(littleEndian: frame.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }))
            guard length > 0, readExactly(length) else { break }
            frame.withUnsafeBytes { batch in
                let items = Int(UInt32(littleEndian: batch.loadUnaligned(as: UInt32.self)))
                var offset = 4
                for _ in 0..<items {
                    let index = Int64(littleEndian: batch.loadUnaligned(fromByteOffset: offset, as: Int64.self))
                    let size = Int(
                        UInt32(littleEndian: batch.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)))
                    let input = UnsafeRawBufferPointer(rebasing: batch[(offset + 12)..<(offset + 12 + size)])
                    offset += 12 + size
                    hybrid_store_release(record + 1, monotonicNanoseconds())
                    hybrid_store_release(record, index)
                    let start = writer.bytes.count
                    writer.writeFixed(UInt32(0))
                    writer.writeFixed(index)
                    writer.bytes.append(0)
                    do {
                        let output = try body(try BinaryDecoder().decode(Input.self, from: input))
                        try writer.encodeValue(output)
                    } catch {
                        writer.bytes.removeSubrange((start + 13)...)
                        writer.bytes[start + 12] = 1
                        if case .threw(let text) = PoolFailure.threw(error) {
                            writer.bytes.append(contentsOf: text.utf8)
                        }
                    }
                    hybrid_store_release(record, -1)
                    patch(&writer.bytes, at: start, UInt32(writer.bytes.count - start - 4))
                    if writer.bytes.count >= 1 << 16 { flush() }
                }
            }
            flush()
        }
        end(0)
    }

    /// Ends a worker: what it printed is flushed, and nothing of the parent's (atexit handlers,
    /// buffers the parent owns) runs twice.
    private static func end(_ code: Int32) -> Never {
        fflush(nil)
        _exit(code)
    }
}
