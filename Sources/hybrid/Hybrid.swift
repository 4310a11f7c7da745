import ArgumentParser
import HybridKit

#if canImport(Glibc)
    import Glibc
#endif

/// The `hybrid` command: threads for I/O-bound work, processes for CPU-bound work, measured.
@main
struct Hybrid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hybrid",
        abstract: "Threads for I/O-bound work, processes for CPU-bound work: exact, fast, measured.",
        subcommands: [Demo.self, Primes.self, BigPrimes.self, IsPrime.self, Fetch.self, Serve.self, Bench.self],
        defaultSubcommand: Demo.self
    )

    /// Runs the command line with hybrid's exit codes: bad usage prints one line on stderr and
    /// exits 2 (ArgumentParser's own default is 64 with a usage block); `--help` exits 0.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as UsageError {
            exitForBadUsage(failure.message)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                exitForBadUsage(message(for: error))
            }
            exit(withError: error)
        }
    }

    /// Bad usage is thrown on; a run that failed or was interrupted says one line and exits 1,
    /// or 128 + the signal.
    static func runReportingFailures<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let interrupted as RunInterrupted {
            FileHandleOutput.standardError.write("hybrid: \(interrupted)\n")
            Glibc.exit(interrupted.exitCode)
        } catch let failure as SieveError {
            FileHandleOutput.standardError.write("hybrid: \(failure)\n")
            Glibc.exit(1)
        } catch let failure as PoolError {
            FileHandleOutput.standardError.write("hybrid: \(failure)\n")
            Glibc.exit(1)
        } catch let failure as JournalError {
            // A journal of another job, or not a journal: bad input. One that cannot be written: a failed run.
            FileHandleOutput.standardError.write("hybrid: \(failure)\n")
            Glibc.exit(failure.isUsageError ? 2 : 1)
        } catch let failure as MPIError {
            // The process's exit ends the whole MPI job (MPI_Abort), so no rank is left waiting.
            FileHandleOutput.standardError.write("hybrid: \(failure)\n")
            Glibc.exit(failure == .notBuilt ? 2 : 1)
        }
    }

    /// Under the mpi strategy, starts MPI before the run, so that rank 0 can warn of a launch
    /// that a cut network could hang. Without MPI in this build the run's own check says so.
    static func startMPI(for strategy: ComputeStrategy) throws {
        guard strategy == .mpi, MPIRuntime.isBuilt else { return }
        let place = try runReportingFailures { try MPIRuntime.start() }
        if place.rank == 0, let warning = MPIRuntime.keepaliveWarning {
            FileHandleOutput.standardError.write("hybrid: warning: \(warning)\n")
        }
    }

    /// The one warning line for a worker process that died and was replaced.
    @Sendable static func warnOfDeath(_ death: WorkerDeath) {
        FileHandleOutput.standardError.write("hybrid: warning: \(death)\n")
    }

    private static func exitForBadUsage(_ message: String) -> Never {
        let line = message.split(separator: "\n").first.map(String.init) ?? "bad usage"
        let trimmed = line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line
        FileHandleOutput.standardError.write("hybrid: \(trimmed)\n")
        Glibc.exit(2)
    }
}
