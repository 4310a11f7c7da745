/// Fits a fetch's transfers in flight to the process's file-descriptor limit (RLIMIT_NOFILE).
///
/// A transfer in flight holds up to three descriptors: its socket, and either libcurl's
/// wake-up pair (an easy handle runs inside a multi handle of its own) or, while a host name
/// resolves, the resolver's pair; one more while it writes a body file. Each multi handle holds
/// two more for its wake-up pair. When the soft limit is too low the budget first raises it (up
/// to the hard limit, which any process may do), when ``FetchOptions/raisesDescriptorLimit``
/// allows; if that is not allowed or not enough the windows are lowered, so no URL ever fails
/// with "too many open files".
enum DescriptorBudget {
    /// Descriptors kept free for everything else the process opens (files, stdio, NIO, logs).
    static let reserve = 16

    /// Descriptors one transfer in flight may hold.
    static func perTransfer(_ options: FetchOptions) -> Int {
        options.outputDirectory == nil ? 3 : 4
    }

    /// The options unchanged, or lowered to fit, with one line saying what was lowered.
    static func fit(_ options: FetchOptions) -> (FetchOptions, String?) {
        let windows = options.windows
        let multiHandles = windows.count { $0 > 0 }
        let each = perTransfer(options)
        let needed =
            each * options.transfersInFlight + 2 * multiHandles + openDescriptors() + reserve
        if DescriptorLimit.current >= needed { return (options, nil) }
        let soft = options.raisesDescriptorLimit ? DescriptorLimit.raise(toAtLeast: needed) : DescriptorLimit.current
        if soft >= needed { return (options, nil) }

        let available = max(1, (soft - openDescriptors() - reserve - 2 * multiHandles) / each)
        var fitted = options
        switch options.strategy {
        case .serial:
            return (options, nil)
        case .threads:
            fitted.threads = min(options.effectiveThreads, available)
        case .multi:
            fitted.concurrency = min(options.concurrency, available)
        case .threadsMulti:
            fitted.concurrency = min(options.concurrency, available)
            fitted.threads = min(options.effectiveThreads, fitted.concurrency)
        }
        if fitted.transfersInFlight >= options.transfersInFlight { return (options, nil) }
        let notice =
            "the file-descriptor limit (\(soft)) fits \(fitted.transfersInFlight) transfers in flight, "
            + "not \(options.transfersInFlight): lowered the window to \(fitted.transfersInFlight)"
        return (fitted, notice)
    }

    /// Descriptors open now, counted in /proc/self/fd (a guess of 16 where that is missing).
    static func openDescriptors() -> Int { Syscalls.openDescriptorCount() ?? 16 }
}
