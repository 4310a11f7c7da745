import ArgumentParser
import HybridKit

/// `hybrid version`: the same line as `hybrid --version`.
struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print hybrid's version.")

    func run() throws {
        try FileHandleOutput.standardOutput.writeResult(HybridVersion.current + "\n")
    }
}
