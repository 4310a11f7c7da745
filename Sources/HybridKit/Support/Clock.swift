/// Wall-clock and CPU time of a piece of work, CPU time counting this process's threads and the
/// children it has reaped.
package struct Stopwatch: Sendable {
    private let wallStart: Double
    private let cpuStart: Double

    package init() {
        wallStart = Self.wallNow()
        cpuStart = Self.cpuNow()
    }

    /// Seconds of wall-clock time since the stopwatch started.
    package var wallSeconds: Double { Self.wallNow() - wallStart }
    /// Seconds of CPU time, of this process and its reaped children, since it started.
    package var cpuSeconds: Double { Self.cpuNow() - cpuStart }

    static func wallNow() -> Double { Syscalls.monotonicSeconds() }

    static func cpuNow() -> Double { Syscalls.cpuSeconds() }
}
