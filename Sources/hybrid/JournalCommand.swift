import ArgumentParser
import HybridKit
import HybridPresentation

/// `hybrid journal FILE`: what a journal holds, read without changing it.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Show a journal's job, its progress and whether it is whole, without changing it.",
        discussion: """
            Reads a journal of primes or bigprimes (version 1, fixed slots) or of fetch (version 2, \
            variable-length records): the job its header names, the command that resumes it where \
            the header holds all of it, the items recorded of the job's total, and whether every \
            record's checksum holds (a torn tail is counted in bytes: a resume cuts it off and runs \
            its item again). Exits 0 for any journal, whole or not; 2 for a file that is missing or \
            not a journal; 1 when it cannot be read.
            """
    )

    @Argument(help: "The journal file.")
    var file: String

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    func run() throws {
        let contents: JournalContents
        do throws(JournalError) {
            contents = try JournalContents(path: file)
        } catch  where error.isUsageError {
            throw UsageError(error.message)
        }
        let report = contents.report
        try FileHandleOutput.standardOutput.writeResult(json ? report.json() + "\n" : report.table())
    }
}
