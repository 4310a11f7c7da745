import CShims

#if canImport(Glibc)
    import Glibc
#endif

/// How many processors this machine has, and how many this process may use.
public enum ProcessorCount {
    /// Online processors (at least 1), whatever this process may use of them.
    public static var online: Int { Syscalls.onlineProcessors() }

    /// The processors this process may use (at least 1): the online count, limited by its CPU
    /// affinity (`taskset`, cpusets) and by a cgroup v2 CPU quota (`cpu.max`, as a container's
    /// `--cpus` sets it), rounded up. The default worker count of every strategy.
    public static var available: Int {
        var count = online
        let affinity = Int(hybrid_affinity_cpus())
        if affinity > 0 { count = min(count, affinity) }
        if let quota = cgroupQuota() { count = min(count, quota) }
        return max(1, count)
    }

    /// The CPUs a cgroup v2 quota allows this process's group, rounded up, or nil when it has
    /// none (`max`) or no cgroup v2 file can be read.
    static func cgroupQuota() -> Int? {
        guard let membership = try? Syscalls.readSmallFile("/proc/self/cgroup") else { return nil }
        // cgroup v2's line is "0::/path"; its limits are those of the group and of its ancestors.
        guard let line = membership.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
        var path = String(line.dropFirst(3))
        var smallest: Int?
        while true {
            if let text = try? Syscalls.readSmallFile("/sys/fs/cgroup\(path == "/" ? "" : path)/cpu.max"),
                let cpus = cpus(fromCPUMax: text)
            {
                smallest = min(smallest ?? cpus, cpus)
            }
            if path == "/" || path.isEmpty { break }
            path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            if path.isEmpty { path = "/" }
        }
        return smallest
    }

    /// "QUOTA PERIOD" (microseconds each) as whole CPUs, rounded up; nil for "max" or nonsense.
    package static func cpus(fromCPUMax text: String) -> Int? {
        let fields = text.split(whereSeparator: \.isWhitespace)
        guard fields.count == 2, let quota = Int(fields[0]), let period = Int(fields[1]), quota > 0, period > 0
        else { return nil }
        return (quota + period - 1) / period
    }
}
