import CHybridMPI

#if canImport(Glibc)
    import Glibc
#endif

/// Open MPI, as far as this build has it, and this process's place in its job.
///
/// The compute strategy `mpi` exists only in builds made with the package trait `MPI`
/// (`swift build -c release --traits MPI`); a plain build has the same API, and says so.
/// MPI starts once per process, on the first ``start()``, and ends when the process exits: with
/// `MPI_Finalize` after a run that succeeded, and with `MPI_Abort` (which ends every rank of the
/// job) after one that failed, since the other ranks may still be waiting for this one.
package enum MPIRuntime {
    /// Whether this build has MPI: the package trait `MPI` was on.
    package static var isBuilt: Bool { hybrid_mpi_compiled() != 0 }

    /// How to get a build with MPI, in one sentence.
    package static let buildHint =
        "this hybrid was built without MPI: install Open MPI (Debian: apt-get install openmpi-bin "
        + "libopenmpi-dev) and build with `swift build -c release --traits MPI`"

    /// Whether `mpirun` started this process (Open MPI tells its ranks their job's size).
    package static var isLaunchedByMPIRun: Bool { getenv("OMPI_COMM_WORLD_SIZE") != nil }

    /// The ranks of this job on this host (1 without `mpirun`), which share its cores.
    package static var ranksOnThisHost: Int {
        getenv("OMPI_COMM_WORLD_LOCAL_SIZE").flatMap { Int(String(cString: $0)) } ?? 1
    }

    /// Seconds a rank may stay silent before the run gives it up. `HYBRID_MPI_LEASE_SECONDS`
    /// overrides it (tests use a short lease).
    package static var leaseSeconds: Double {
        if let text = getenv("HYBRID_MPI_LEASE_SECONDS").map({ String(cString: $0) }), let value = Double(text),
            value >= 0.5
        {
            return value
        }
        return 10
    }

    /// A warning for a job of several ranks launched without the OOB keepalive that lets mpirun
    /// notice a host whose network is cut; `nil` when it is set (or the job has one rank).
    package static var keepaliveWarning: String? {
        // Ranks all on this host cannot be cut off from each other.
        guard let place = state.withLock({ $0.place }), place.ranks > ranksOnThisHost else { return nil }
        let time = getenv("OMPI_MCA_oob_tcp_keepalive_time").flatMap { Int(String(cString: $0)) }
        if let time, time <= 60 { return nil }
        return "mpirun runs without --mca oob_tcp_keepalive_time 5 --mca oob_tcp_keepalive_intvl 2 "
            + "--mca oob_tcp_keepalive_probes 3: if a host's network is cut, mpirun itself may hang for "
            + "up to 15 minutes before it ends the job"
    }

    /// Where this process is in its MPI job.
    package struct Place: Sendable, Equatable {
        /// This process's rank, 0 ..< ranks. Rank 0 gathers the results and alone reports.
        package var rank: Int
        /// The processes in the job.
        package var ranks: Int
        /// The name of the host this rank runs on.
        package var host: String
    }

    private struct State {
        var place: Place?
        var failureExitCode: Int32?
    }

    private static let state = POSIXLocked(State())

    /// Starts MPI (once per process; without `mpirun` the process is a job of one rank) and
    /// returns this process's place. Throws ``MPIError/notBuilt`` in a build without MPI.
    package static func start() throws(MPIError) -> Place {
        if let place = state.withLock({ $0.place }) { return place }
        var rank: Int32 = 0
        var ranks: Int32 = 0
        switch hybrid_mpi_init(&rank, &ranks) {
        case HYBRID_MPI_OK: break
        case HYBRID_MPI_ENOTBUILT: throw .notBuilt
        default: throw .mpiFailed("MPI_Init")
        }
        var name = [CChar](repeating: 0, count: 256)
        _ = hybrid_mpi_host_name(&name, name.count)
        let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let place = Place(rank: Int(rank), ranks: Int(ranks), host: host)
        state.withLock { $0.place = place }
        atexit { MPIRuntime.end() }
        return place
    }

    /// Rank 0's `value`, on every rank: how the ranks agree on what rank 0 alone knows (the
    /// chunk width a journal recorded). Every rank of the job must call it. The corresponding C
    /// function is `hybrid_mpi_broadcast`.
    package static func agree(on value: UInt64) throws(MPIError) -> UInt64 {
        var value = value
        let status = withUnsafeMutableBytes(of: &value) { hybrid_mpi_broadcast($0.baseAddress, $0.count) }
        switch status {
        case HYBRID_MPI_OK: return value
        case HYBRID_MPI_ENOTBUILT: throw .notBuilt
        default: throw .mpiFailed("MPI_Bcast")
        }
    }

    /// This process's place, if MPI has started.
    package static var place: Place? { state.withLock { $0.place } }

    /// Marks the job as failed: when this process exits, MPI_Abort ends every rank with
    /// `exitCode` instead of waiting for them in MPI_Finalize.
    static func markFailed(exitCode: Int32) {
        state.withLock { if $0.failureExitCode == nil { $0.failureExitCode = exitCode } }
    }

    /// Ends MPI at exit: finalizes after success, aborts the whole job after a failure. Either
    /// way the process ends within a bound, even if a peer is gone.
    private static func end() {
        let (started, failure) = state.withLock { ($0.place != nil, $0.failureExitCode) }
        guard started else { return }
        if let failure {
            hybrid_mpi_abort(failure, 3)
        }
        _ = hybrid_mpi_finalize(leaseSeconds + 5)
    }
}
