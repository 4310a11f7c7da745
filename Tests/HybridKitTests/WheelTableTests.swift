import Foundation
import Testing

/// CSieve/wheel2310.h is Scripts/wheel2310.py's output, committed so that a build needs no Python.
/// A hand edit to the header, or a change to the script that was not run, would make the sieve
/// step on tables that no longer follow from the script's definitions.
@Suite("The mod-2310 wheel's tables")
struct WheelTableTests {
    /// The package root (this file is Tests/HybridKitTests/WheelTableTests.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static let python3: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/python3" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }()

    @Test(
        "CSieve/wheel2310.h is byte for byte what Scripts/wheel2310.py prints",
        .enabled(if: python3 != nil, "python3 is not on the PATH"))
    func headerIsTheScriptsOutput() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python3!)
        process.arguments = [Self.packageRoot.appendingPathComponent("Scripts/wheel2310.py").path]
        process.currentDirectoryURL = Self.packageRoot
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // What the script writes to stderr (a traceback at most) fits in the pipe, so stdout can be read first.
        let generated = output.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "Scripts/wheel2310.py failed: \(errors)")

        let committed = try Data(contentsOf: Self.packageRoot.appendingPathComponent("CSieve/wheel2310.h"))
        #expect(
            generated == committed,
            """
            CSieve/wheel2310.h differs from what Scripts/wheel2310.py prints \
            (run `python3 Scripts/wheel2310.py > CSieve/wheel2310.h`): \(firstDifference(committed, generated))
            """)
    }

    /// Where two texts part, by line, so that a failure names the entry rather than two sizes.
    private func firstDifference(_ committed: Data, _ generated: Data) -> String {
        func lines(_ data: Data) -> [Substring] {
            String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        }
        let committedLines = lines(committed)
        let generatedLines = lines(generated)
        for line in 0..<max(committedLines.count, generatedLines.count) {
            let have = line < committedLines.count ? String(committedLines[line]) : "(end of file)"
            let want = line < generatedLines.count ? String(generatedLines[line]) : "(end of output)"
            if have != want { return "line \(line + 1) is \"\(have)\", the script prints \"\(want)\"" }
        }
        return "the lines agree, the bytes do not"
    }
}
