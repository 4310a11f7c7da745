import CHybridMPI

/// Open MPI, as far as this build has it.
///
/// The compute strategy `mpi` exists only in builds made with the package trait `MPI`
/// (`swift build -c release --traits MPI`); a plain build has the same API, and says so.
public enum MPIRuntime {
    /// Whether this build has MPI: the package trait `MPI` was on.
    public static var isBuilt: Bool { hybrid_mpi_compiled() != 0 }

    /// How to get a build with MPI, in one sentence.
    public static let buildHint =
        "this build has no MPI: install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev) "
        + "and build with `swift build -c release --traits MPI`"
}
