#if canImport(Glibc)
    import Glibc
#endif

/// The process's limit on open file descriptors (RLIMIT_NOFILE), which bounds open sockets.
public enum DescriptorLimit {
    /// Glibc imports RLIMIT_NOFILE as an enum case; getrlimit takes its raw value.
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)

    /// The soft limit now in force; `Int.max` when unlimited.
    public static var current: Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        return limit.rlim_cur == rlim_t.max ? Int.max : Int(limit.rlim_cur)
    }

    /// Raises the soft limit to at least `wanted`, as far as the hard limit allows (any process
    /// may do that), and returns the soft limit now in force. Never lowers it.
    @discardableResult
    public static func raise(toAtLeast wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return current }
        if limit.rlim_cur == rlim_t.max || Int(limit.rlim_cur) >= wanted { return current }
        let target = rlim_t(max(0, wanted))
        limit.rlim_cur = limit.rlim_max == rlim_t.max ? target : min(limit.rlim_max, target)
        _ = setrlimit(resource, &limit)
        return current
    }
}
