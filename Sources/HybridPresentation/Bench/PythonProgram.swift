import HybridKit

/// One of the article's Python programs (``ArticlePrograms``) run by `python3` from the `PATH`:
/// its text is written to a temporary file on first use (a file, not `python3 -c`, because
/// `multiprocessing` may start its workers by importing the main module again), and each run is
/// `python3 FILE ARGUMENTS...`, whose one JSON line is read into fields.
package final class PythonProgram {
    private let python: ExternalCommand
    private let text: String
    private let prefix: String
    private var file: OutputFile?

    /// The program `text`, or `nil` when no `python3` is on the `PATH`. `prefix` starts the
    /// temporary file's name.
    package init?(_ text: String, prefix: String) {
        guard let python = Self.find() else { return nil }
        self.python = python
        self.text = text
        self.prefix = prefix
    }

    /// `python3` on the `PATH`, or `nil`.
    package static func find() -> ExternalCommand? { ExternalCommand.find("python3") }

    /// What one run printed and cost.
    package struct Output: Sendable {
        /// The JSON line's members, strings without their quotes; empty when it printed none.
        package var fields: [String: String]
        /// Whether python3 exited 0 and printed a result.
        package var ok: Bool
        /// The program's own timing of its work, or the whole run's when it printed none.
        package var wallSeconds: Double
        package var cpuSeconds: Double

        package func unsigned(_ name: String) -> UInt64? { fields[name].flatMap { UInt64($0) } }
    }

    /// Runs the program with `arguments`. Throws ``PeerError`` when python3 cannot be started
    /// and ``OutputError`` when the program cannot be written out.
    package func run(_ arguments: [String]) throws -> Output {
        let path = try scriptPath()
        let outcome = try python.run([path] + arguments)
        let line = outcome.output.split(separator: "\n").last.map(String.init) ?? ""
        let fields = Self.fields(line)
        let wall = fields["seconds"].flatMap { Double($0) }
        let cpu = fields["cpu_seconds"].flatMap { Double($0) }
        return Output(
            fields: fields, ok: outcome.status == 0 && wall != nil && cpu != nil,
            wallSeconds: wall ?? outcome.wallSeconds, cpuSeconds: cpu ?? outcome.cpuSeconds)
    }

    /// Removes the temporary file.
    package func remove() {
        file?.remove()
        file = nil
    }

    private func scriptPath() throws(OutputError) -> String {
        if let file { return file.path }
        let made = try OutputFile.temporary(prefix: prefix)
        file = made
        try made.write(text)
        return made.path
    }

    /// The members of a flat JSON object as Python's `json.dumps` writes it
    /// (`{"count": 78498, "sum": "37550402023", "gil": true}`): numbers, booleans and strings
    /// without commas, colons or escapes, which is all the article's programs print.
    package static func fields(_ line: String) -> [String: String] {
        let trimmed = line.drop { $0 == " " || $0 == "{" }.reversed().drop { $0 == " " || $0 == "}" }.reversed()
        var fields: [String: String] = [:]
        for member in String(trimmed).split(separator: ",") {
            let parts = member.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            func unquoted(_ text: Substring) -> String {
                String(text.drop { $0 == " " || $0 == "\"" }.reversed().drop { $0 == " " || $0 == "\"" }.reversed())
            }
            fields[unquoted(parts[0])] = unquoted(parts[1])
        }
        return fields
    }
}
