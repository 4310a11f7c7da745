import HybridKit

#if canImport(Glibc)
    import Glibc
#endif

/// How a sweep runs its mpi rows: `mpirun -np RANKS` with this program as every rank, each rank
/// with one thread (so that ranks stand where workers do in the other rows), on this machine
/// alone (loopback and shared memory). Timed from outside, mpirun's start included.
struct MPIBenchLauncher: Sendable {
    let mpirun: ExternalCommand

    /// A launcher when this build has MPI and `mpirun` is on the `PATH`; else `nil` (no mpi rows).
    static func find() -> MPIBenchLauncher? {
        guard MPIRuntime.isBuilt, let mpirun = ExternalCommand.find("mpirun") else { return nil }
        return MPIBenchLauncher(mpirun: mpirun)
    }

    /// Runs `hybrid COMMAND... --strategy mpi --workers 1` on `ranks` ranks.
    func run(ranks: Int, _ command: [String]) throws(PeerError) -> ExternalCommand.Outcome {
        var arguments = ["--oversubscribe", "--mca", "btl", "self,vader", "--mca", "oob_tcp_if_include", "lo"]
        if getuid() == 0 { arguments.append("--allow-run-as-root") }
        arguments +=
            ["-np", String(ranks), Self.currentExecutable] + command + ["--strategy", "mpi", "--workers", "1"]
        return try mpirun.run(arguments)
    }

    /// This program's own executable, which mpirun starts as every rank.
    private static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return length > 0 ? String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "hybrid"
    }
}
