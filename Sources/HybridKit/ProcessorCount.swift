/// The processors this process may run on.
public enum ProcessorCount {
    /// Online processors (at least 1).
    public static var online: Int { Syscalls.onlineProcessors() }
}
