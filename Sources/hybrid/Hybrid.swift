import ArgumentParser
import HybridKit
import HybridPresentation

#if canImport(Glibc)
    import Glibc
#endif

/// The `hybrid` command: threads for I/O-bound work, processes for CPU-bound work, measured.
@main
struct Hybrid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hybrid",
        abstract: "Threads for I/O-bound work, processes for CPU-bound work: exact, fast, measured.",
        version: HybridVersion.current,
        subcommands: [
            Demo.self, Primes.self, NthPrimeCommand.self, BigPrimes.self, IsPrime.self, Fetch.self, Serve.self,
            Bench.self, JournalCommand.self, Version.self,
        ],
        defaultSubcommand: Demo.self
    )

    /// Runs the command line; every error of every command ends here, in ``exit(for:)``.
    static func main() {
        // A closed standard output must fail a write (exit 1, one line), not kill the process.
        signal(SIGPIPE, SIG_IGN)
        do {
            if let unknown = UsageHints.unknownCommand(CommandLine.arguments.dropFirst()) {
                throw UsageError(unknown)
            }
            if let request = PrimesRequest(fastReading: CommandLine.arguments.dropFirst()) {
                try request.run()
            } else {
                var command = try parseAsRoot()
                try command.run()
            }
        } catch {
            exit(for: error)
        }
    }

    /// The one mapping of errors to exit codes and one line on standard error: bad input 2, a
    /// failed run 1, a stop signal 128 + its number; `--help` and `--version` print and exit 0.
    static func exit(for error: any Error) -> Never {
        switch error {
        case let failure as UsageError: fail(failure.message, code: 2)
        case let interrupted as RunInterrupted: fail(interruptedLine(interrupted), code: interrupted.exitCode)
        case let failure as any RunFailure: fail(failure.description, code: 1)
        case let code as ExitCode: Glibc.exit(code.rawValue)
        // Under mpirun every rank but 0 ends here, silently: rank 0 prints the results.
        case is MPIRankFinished: Glibc.exit(0)
        default:
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            if code == .validationFailure {
                let line = message(for: error).split(separator: "\n").first.map(String.init) ?? "bad usage"
                let bare = line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line
                fail(UsageHints.improve(bare, arguments: CommandLine.arguments.dropFirst()), code: 2)
            }
            fail(String(describing: error), code: 1)
        }
    }

    /// What a stopped run says: with a journal, how much of the job it holds and that the same
    /// command resumes from there.
    static func interruptedLine(_ interrupted: RunInterrupted) -> String {
        guard let journal = interrupted.journal else { return interrupted.description }
        return "\(interrupted.description); \(savedShare(journal)) are saved in the journal \(journal.path): "
            + "the same command resumes from there"
    }

    /// `120 of 746 chunks (16.0%)`: the share rounded down, so that an unfinished job never reads 100%.
    static func savedShare(_ journal: JournalProgress) -> String {
        "\(groupedDigits(journal.savedItems)) of \(groupedDigits(journal.items)) \(journal.itemsName) "
            + "(\(flooredPercent(journal.savedItems, of: journal.items)))"
    }

    /// Prints `hybrid: MESSAGE` as one safe line and exits.
    private static func fail(_ message: String, code: Int32) -> Never {
        FileHandleOutput.standardError.write("hybrid: \(ErrorLine.make(message))\n")
        Glibc.exit(code)
    }

    /// Under the mpi strategy, starts MPI before the run, so that rank 0 can warn of a launch
    /// that a cut network could hang. Without MPI in this build the options' check says so.
    static func startMPI(for strategy: ComputeStrategy) throws {
        guard strategy == .mpi, MPIRuntime.isBuilt else { return }
        let place = try MPIRuntime.start()
        if place.rank == 0, let warning = MPIRuntime.keepaliveWarning {
            FileHandleOutput.standardError.write("hybrid: warning: \(ErrorLine.make(warning))\n")
        }
    }

    /// The one warning line for a worker process that died and was replaced.
    @Sendable static func warnOfDeath(_ death: WorkerDeath) {
        FileHandleOutput.standardError.write("hybrid: warning: \(ErrorLine.make(death.description))\n")
    }
}

/// A message made fit for one line of a terminal: control bytes escaped (a hostile input cannot
/// move the cursor or end the line) and a huge input shortened.
enum ErrorLine {
    /// The longest line kept, in characters.
    static let limit = 300

    static func make(_ message: String) -> String {
        var line = ""
        var kept = 0
        var dropped = 0
        for scalar in message.unicodeScalars {
            if kept >= limit {
                dropped += 1
                continue
            }
            kept += 1
            switch scalar {
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case "\u{0}"..."\u{1F}", "\u{7F}"..."\u{9F}":
                line += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: line.unicodeScalars.append(scalar)
            }
        }
        if dropped > 0 { line += "... (\(dropped) more characters)" }
        return line
    }
}
