import Foundation
import Testing

/// `hybrid isprime` reading standard input answers each line as it arrives, so a pipe that never
/// ends (`yes 7 | hybrid isprime`) is answered in constant memory rather than held until EOF.
@Suite("hybrid isprime streams standard input")
struct IsPrimeStreamingTests {
    @Test("each answer arrives before the input ends", .timeLimit(.minutes(5)))
    func answersBeforeEndOfInput() throws {
        let process = Process()
        process.executableURL = HybridBinary.url
        process.arguments = ["isprime"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var received = ""
        for (line, answer) in [("7", "7 prime\n"), ("  561 ", "561 composite\n"), ("", ""), ("97", "97 prime\n")] {
            input.fileHandleForWriting.write(Data("\(line)\n".utf8))
            received = ""
            while received.count < answer.count {
                guard let chunk = Self.read(output.fileHandleForReading.fileDescriptor, seconds: 60) else { break }
                received += chunk
            }
            #expect(received == answer, "the answer to \(line.debugDescription) did not arrive while input stayed open")
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("a bad line ends the run with exit 2 after the answers before it")
    func badLineStops() throws {
        let output = try HybridBinary.run(["isprime"], input: "7\n1 000\n11\n")
        #expect(output.status == 2)
        #expect(output.standardOutput == "7 prime\n")
        #expect(output.standardError.hasPrefix("hybrid: "))
        #expect(output.standardError.split(separator: "\n").count == 1)
    }

    @Test("an endless pipe is answered in bounded memory", .timeLimit(.minutes(5)))
    func endlessInputBoundedMemory() throws {
        // 16 MB of 1,000-digit (even) numbers: held until EOF, the lines alone would grow the
        // process by 16 MB (the old reader grew by 10.7 MB over half as much); answered as they
        // come, its resident size stays flat. Long lines keep the count small (16,384), so that
        // a sanitizer build runs it in seconds too.
        let process = Process()
        process.executableURL = HybridBinary.url
        process.arguments = ["isprime"]
        // Under AddressSanitizer (Scripts/sanitize.sh) freed memory waits in a quarantine of up
        // to 256 MB before reuse, which would read as growth here.
        var environment = ProcessInfo.processInfo.environment
        environment["ASAN_OPTIONS"] = (environment["ASAN_OPTIONS"].map { $0 + ":" } ?? "") + "quarantine_size_mb=0"
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let drain = Thread {
            while !output.fileHandleForReading.availableData.isEmpty {}
        }
        drain.start()
        let line = "1" + String(repeating: "0", count: 998) + "2\n"
        let block = Data(String(repeating: line, count: 128).utf8)
        input.fileHandleForWriting.write(block)
        let early = Self.residentKilobytes(of: process.processIdentifier)
        for _ in 0..<127 { input.fileHandleForWriting.write(block) }
        let late = Self.residentKilobytes(of: process.processIdentifier)
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let grown = (late ?? 0) - (early ?? 0)
        #expect(early != nil && late != nil)
        // An AddressSanitizer build grows by about 2.6 MB of its own bookkeeping.
        #expect(grown < 6_144, "resident size grew by \(grown) kB over 16 MB of input (from \(early ?? 0) kB)")
    }

    /// Whatever the descriptor has within `seconds`, or nil at its end or on time-out.
    private static func read(_ descriptor: Int32, seconds: Int32) -> String? {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, seconds * 1000) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// VmRSS of a running process, in kB.
    private static func residentKilobytes(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ")[1]) }
    }
}
