import Foundation
import Testing

/// The repository's root, two levels above this file's folder.
private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// A C block of a Markdown file, and the text block right after it (what the doc says the
/// program prints), if there is one.
private struct FencedExample {
    var file: String
    var code: String
    var printed: String?
}

/// The ```c blocks of the README and of docs/*.md.
private func cExamples() throws -> [FencedExample] {
    let docs = try FileManager.default.contentsOfDirectory(
        atPath: repository.appendingPathComponent("docs").path
    ).filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    var examples: [FencedExample] = []
    for file in ["README.md"] + docs {
        let text = try String(contentsOf: repository.appendingPathComponent(file), encoding: .utf8)
        var blocks: [(language: String, body: String)] = []
        var current: (language: String, lines: [String])?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let open = current {
                if line == "```" {
                    blocks.append((open.language, open.lines.joined(separator: "\n")))
                    current = nil
                } else {
                    current?.lines.append(String(line))
                }
            } else if line.hasPrefix("```") {
                current = (String(line.dropFirst(3)), [])
            }
        }
        for (position, block) in blocks.enumerated() where block.language == "c" {
            let next = blocks.indices.contains(position + 1) ? blocks[position + 1] : nil
            examples.append(
                FencedExample(
                    file: file, code: block.body + "\n",
                    printed: next?.language == "text" ? next?.body : nil))
        }
    }
    return examples
}

/// The toolchain's clang: the first on the PATH.
private func clang() throws -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let found = path.split(separator: ":").map { "\($0)/clang" }.first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    return try #require(found, "no clang on the PATH (the Swift toolchain has one)")
}

/// Runs `executable` with `arguments`; its standard output and exit status.
private func run(_ executable: String, _ arguments: [String]) throws -> (String, Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: data, as: UTF8.self), process.terminationStatus)
}

/// The C library sources and link flags an example needs, by the header it includes.
private let libraries: [(header: String, sources: String, flags: [String])] = [
    ("csieve.h", "CSieve", []),
    ("cforkpool.h", "Sources/CForkPool", []),
    ("cfetch.h", "Sources/CFetch", ["-ldl"]),
    ("cbigprimes.h", "Sources/CBigPrimes", ["-lgmp"]),
    ("cprimepi.h", "Sources/CPrimePi", ["-lm"]),
]

/// The docs' C programs are compiled (warnings as errors) and run, and print what the docs say,
/// so an example never drifts from its header.
@Suite("The docs' C examples")
struct DocExampleTests {
    @Test("every C example in the README and docs/ compiles, runs and prints what it should")
    func examplesRun() throws {
        let examples = try cExamples()
        #expect(examples.count >= 2, "the README's sieve and docs/fetch-c-api.md's fetch")
        let compiler = try clang()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hybrid-doc-examples-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var seen = Set<String>()
        for (number, example) in examples.enumerated() where seen.insert(example.code).inserted {
            let used = libraries.filter { example.code.contains("#include <\($0.header)>") }
            try #require(!used.isEmpty, "\(example.file): an example of no library this test knows")
            let source = folder.appendingPathComponent("example\(number).c")
            let binary = folder.appendingPathComponent("example\(number)").path
            try example.code.write(to: source, atomically: true, encoding: .utf8)
            var arguments = ["-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread"]
            for library in used {
                let folder = repository.appendingPathComponent(library.sources)
                arguments += ["-I", folder.appendingPathComponent("include").path]
                arguments += try FileManager.default.contentsOfDirectory(atPath: folder.path)
                    .filter { $0.hasSuffix(".c") }.sorted().map { folder.appendingPathComponent($0).path }
            }
            arguments += [source.path, "-o", binary] + used.flatMap(\.flags)
            let (_, compiled) = try run(compiler, arguments)
            try #require(compiled == 0, "\(example.file): the example does not compile")

            if used.contains(where: { $0.header == "cfetch.h" }) {
                // Run with the URLs the doc shows, on the test server in place of its port 8080.
                let printed = try #require(example.printed, "\(example.file): no printed output")
                let local = try printed.split(separator: "\n").map { line in
                    let end = try #require(line.range(of: ": status"), "\(example.file): \(line)")
                    return line[..<end.lowerBound].replacingOccurrences(
                        of: "http://127.0.0.1:8080", with: testServer.url)
                }
                let (output, status) = try run(binary, local)
                #expect(status == 0, "\(example.file)")
                #expect(
                    output.replacingOccurrences(of: testServer.url, with: "http://127.0.0.1:8080")
                        == printed + "\n", "\(example.file)")
            } else if let printed = example.printed {
                let (output, status) = try run(binary, [])
                #expect(status == 0, "\(example.file)")
                #expect(output == printed + "\n", "\(example.file)")
            } else if used.contains(where: { $0.header == "csieve.h" }) {
                // The sieve examples count and sum the primes below 10^9 (OEIS A006880, A046731).
                let (output, status) = try run(binary, [])
                #expect(status == 0, "\(example.file)")
                #expect(
                    output == "50847534 primes, sum 24739512092254535 + 2^64 * 0\n",
                    "\(example.file)")
            } else {
                Issue.record("\(example.file): an example this test has no expected output for")
            }
        }
    }
}
