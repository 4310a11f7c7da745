import Foundation

/// Runs the built `hybrid` executable, which the package manager puts beside the test bundle.
struct HybridBinary {
    struct Output {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static let url: URL = {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the tests run as <build dir>/hybridPackageTests.xctest.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("hybrid").path),
            directory.path != "/"
        {
            directory = directory.deletingLastPathComponent()
        }
        return directory.appendingPathComponent("hybrid")
    }()

    /// The executable's path.
    static var path: String { url.path }

    /// Runs hybrid with `arguments`, feeding it `input`, and collects both outputs. Standard
    /// output and standard error are read at the same time, on two threads, so a program that
    /// fills one pipe while the test waits on the other cannot deadlock. `standardOutput` may
    /// instead name a file to write to (such as /dev/full), and then comes back empty.
    /// `executable` runs another program instead (such as `taskset`, with hybrid's ``path`` among
    /// the arguments). `environment`, when given, is the program's whole environment.
    static func run(
        _ arguments: [String], input: String? = nil, standardOutput path: String? = nil, executable: String? = nil,
        environment: [String: String]? = nil
    ) throws -> Output {
        let process = Process()
        process.executableURL = executable.map(URL.init(fileURLWithPath:)) ?? url
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        let error = Pipe()
        let standardInput = Pipe()
        if let path {
            guard let file = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
            process.standardOutput = file
        } else {
            process.standardOutput = output
        }
        process.standardError = error
        process.standardInput = standardInput
        try process.run()
        // Standard error is read on a thread of its own (not a Dispatch queue, whose few threads
        // parallel tests would use up, each blocked in a read), standard output on this one.
        let errData = Collected()
        let errorRead = DispatchSemaphore(value: 0)
        let reader = Thread {
            errData.set(error.fileHandleForReading.readDataToEndOfFile())
            errorRead.signal()
        }
        reader.start()
        if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
        try standardInput.fileHandleForWriting.close()
        let outData = path == nil ? output.fileHandleForReading.readDataToEndOfFile() : Data()
        errorRead.wait()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData.data, as: UTF8.self))
    }
}

/// Bytes one reader thread collects and the test thread reads once the reader is done.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()

    func set(_ data: Data) { lock.withLock { bytes = data } }
    var data: Data { lock.withLock { bytes } }
}
