/// The process's limit on open file descriptors (RLIMIT_NOFILE), which bounds open sockets.
package enum DescriptorLimit {
    /// The soft limit now in force; `Int.max` when unlimited.
    package static var current: Int { Syscalls.descriptorLimits()?.soft ?? 1024 }

    /// Raises the soft limit to at least `wanted`, as far as the hard limit allows (any process
    /// may do that), and returns the soft limit now in force. Never lowers it.
    @discardableResult
    package static func raise(toAtLeast wanted: Int) -> Int {
        guard let limits = Syscalls.descriptorLimits(), limits.soft < wanted else { return current }
        Syscalls.setDescriptorSoftLimit(wanted)
        return current
    }
}
