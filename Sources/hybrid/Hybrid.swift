import ArgumentParser

/// The `hybrid` command: threads for I/O-bound work, processes for CPU-bound work, measured.
@main
struct Hybrid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hybrid",
        abstract: "Threads for I/O-bound work, processes for CPU-bound work: exact, fast, measured.",
        subcommands: []
    )
}
