/// What the machine was doing besides a run: the load average and the CPU pressure the kernel
/// reports (pressure stall information: time some runnable task waited for a CPU).
package struct MachineLoad: Sendable, Equatable {
    /// The 1-minute load average (/proc/loadavg), or nil where it cannot be read.
    package var loadAverage: Double?
    /// Microseconds that some task waited for a CPU since boot (/proc/pressure/cpu, `some
    /// total=`), or nil where the kernel has no pressure stall information.
    package var cpuWaitMicroseconds: UInt64?

    package init(loadAverage: Double?, cpuWaitMicroseconds: UInt64?) {
        self.loadAverage = loadAverage
        self.cpuWaitMicroseconds = cpuWaitMicroseconds
    }

    /// The machine's load now.
    package static func sample() -> MachineLoad {
        let loadAverage = (try? Syscalls.readSmallFile("/proc/loadavg"))
            .flatMap { $0.split(separator: " ").first }.flatMap { Double($0) }
        return MachineLoad(
            loadAverage: loadAverage,
            cpuWaitMicroseconds: (try? Syscalls.readSmallFile("/proc/pressure/cpu")).flatMap(Self.someTotal))
    }

    /// `some avg10=0.00 avg60=0.00 avg300=0.00 total=12345`: the total of the `some` line.
    package static func someTotal(_ text: String) -> UInt64? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("some ") }),
            let field = line.split(separator: " ").first(where: { $0.hasPrefix("total=") })
        else { return nil }
        return UInt64(field.dropFirst(6))
    }
}

/// How much of the machine a measured run got, and whether that voids it as a measurement.
///
/// A CPU-bound run on `workers` workers should get `min(workers, cores)` cores for its whole
/// wall time. Its **CPU share** is its CPU time over that: about 0.99 on an idle machine, with
/// threads, processes and one worker alike (0.98-1.00 over the lesson's and `hybrid bench`'s
/// runs). A run whose share is below ``busyThreshold`` (0.8) is **busy**: something else took
/// at least a fifth of its cores, and its wall time says more about the machine than about the
/// strategy. I/O-bound runs wait rather than compute, so their share says nothing and they are
/// never judged busy.
package struct MachineShare: Sendable, Equatable {
    /// CPU seconds over wall seconds times the cores the run could use.
    package var cpuShare: Double
    /// The load average at the end of the run.
    package var loadAverage: Double?
    /// The fraction of the run's wall time during which some task waited for a CPU.
    package var cpuPressure: Double?
    /// Whether the run counts as busy (see the type's discussion).
    package var busy: Bool

    /// Below this CPU share a CPU-bound run is busy. Idle runs measure 0.98-1.00; the busy
    /// machine a user reported gave 0.24 (2.28 s of CPU in 4.73 s on 2 workers).
    package static let busyThreshold = 0.8

    package init(cpuShare: Double, loadAverage: Double?, cpuPressure: Double?, busy: Bool) {
        self.cpuShare = cpuShare
        self.loadAverage = loadAverage
        self.cpuPressure = cpuPressure
        self.busy = busy
    }

    /// The judgement of a run that took `wall` and `cpu` seconds on `workers` workers of a
    /// machine with `cores` CPUs for this process, with the load sampled before and after.
    package init(
        wall: Double, cpu: Double, workers: Int, cores: Int, cpuBound: Bool, before: MachineLoad,
        after: MachineLoad
    ) {
        let usable = Double(max(1, min(workers, cores)))
        cpuShare = wall > 0 ? cpu / (wall * usable) : 1
        loadAverage = after.loadAverage
        if let start = before.cpuWaitMicroseconds, let end = after.cpuWaitMicroseconds, end >= start, wall > 0 {
            cpuPressure = min(1, Double(end - start) / 1e6 / wall)
        } else {
            cpuPressure = nil
        }
        // Very short runs (under 50 ms) are timed too coarsely by CPU clocks to judge.
        busy = cpuBound && wall >= 0.05 && cpuShare < Self.busyThreshold
    }
}
