#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock and CPU time of a piece of work, CPU time counting this process's threads and the
/// children it has reaped.
public struct Stopwatch: Sendable {
    private let wallStart: Double
    private let cpuStart: Double

    public init() {
        wallStart = Self.wallNow()
        cpuStart = Self.cpuNow()
    }

    /// Seconds of wall-clock time since the stopwatch started.
    public var wallSeconds: Double { Self.wallNow() - wallStart }
    /// Seconds of CPU time, of this process and its reaped children, since it started.
    public var cpuSeconds: Double { Self.cpuNow() - cpuStart }

    static func wallNow() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
    }

    static func cpuNow() -> Double {
        func seconds(_ who: Int32) -> Double {
            var usage = rusage()
            getrusage(__rusage_who_t(who), &usage)
            let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
            let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
            return user + system
        }
        return seconds(RUSAGE_SELF.rawValue) + seconds(RUSAGE_CHILDREN.rawValue)
    }
}
