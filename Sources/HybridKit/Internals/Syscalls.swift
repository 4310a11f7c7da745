#if canImport(Glibc)
    import Glibc
#endif

/// The POSIX calls HybridKit makes from Swift, in one place: each retries on `EINTR` through
/// ``retryingOnInterrupt(_:)`` where the call can be interrupted, and none of them shows a C
/// type to the rest of the library beyond what it returns.
enum Syscalls {
    /// Runs `call` again while it fails with `EINTR`; returns its last result.
    static func retryingOnInterrupt<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR { return result }
        }
    }

    /// The number of threads in this process, from /proc (1 when it cannot tell).
    static func threadCount() -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 1 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if text.hasPrefix("Threads:") {
                return Int(String(text.dropFirst(8)).trimmingWhitespace()) ?? 1
            }
        }
        return 1
    }
}
