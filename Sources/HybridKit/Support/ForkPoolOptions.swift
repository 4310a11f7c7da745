import CSieve

/// The fork-pool settings the processes strategies share (sieve chunks, big-prime items).
enum ForkPoolOptions {
    /// Options for `items` items on `workers` processes, tolerating `workersAsked + 3` deaths,
    /// with `fault` (numbered from the run's first item) placed if it falls in
    /// `firstItem ..< firstItem + items`.
    static func make(
        workers: Int, workersAsked: Int, items: Int, slotBytes: Int, stopOnSignals: Bool,
        fault: FaultInjection?, firstItem: Int = 0
    ) -> csieve_fork_options {
        var options = csieve_fork_options()
        csieve_fork_options_init(&options)
        options.workers = UInt32(workers)
        options.items = UInt64(items)
        options.slot_bytes = slotBytes
        options.max_deaths = UInt32(workersAsked + 3)
        options.handle_signals = stopOnSignals ? 1 : 0
        if let fault, fault.chunk >= firstItem, fault.chunk < firstItem + items {
            options.fault_item = Int64(fault.chunk - firstItem)
            options.fault_every_time = fault.everyTime ? 1 : 0
            options.fault_before_claim = fault.beforeClaiming ? 1 : 0
        }
        return options
    }

    /// The one warning line for a dead worker: `worker 123 was killed by SIGKILL; a new worker
    /// re-runs its chunk 5`. `lost` is -1 when it held nothing; `unit` is `chunk` or `item`.
    static func deathWarning(pid: Int32, signal: Int32, exitCode: Int32, lost: Int64, unit: String) -> String {
        let cause = signal != 0 ? "was killed by \(signalName(signal))" : "exited with code \(exitCode)"
        let loss = lost >= 0 ? "; a new worker re-runs its \(unit) \(lost)" : ""
        return "worker \(pid) \(cause)\(loss)"
    }
}
