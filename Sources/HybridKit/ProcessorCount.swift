#if canImport(Glibc)
    import Glibc
#endif

/// The processors this process may run on.
public enum ProcessorCount {
    /// Online processors (at least 1).
    public static var online: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
