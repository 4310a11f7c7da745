import CBigPrimes
import CFetch
import CForkPool
import CPrimePi
import CSieve

/// The version of hybrid: of the command line, of HybridKit and of every C library in the package,
/// which are released together.
public enum HybridVersion {
    /// `MAJOR.MINOR.PATCH`, as `hybrid --version` prints it and the User-Agent carries it.
    public static let current = "0.3.0"

    /// Each C library's own version string, which must equal ``current``.
    package static var cLibraries: [(name: String, version: String)] {
        [
            ("CSieve", String(cString: csieve_version())),
            ("CForkPool", String(cString: cforkpool_version())),
            ("CBigPrimes", String(cString: cbigprimes_version())),
            ("CFetch", String(cString: cfetch_version())),
            ("CPrimePi", String(cString: cprimepi_version())),
        ]
    }
}
