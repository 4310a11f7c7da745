import HybridKit

/// One line on standard error naming the run in progress, when it is a terminal.
public final class BenchProgress {
    private let enabled: Bool
    private var drawn = false

    public init(enabled: Bool) { self.enabled = enabled && FileHandleOutput.standardError.isTerminal }

    public func show(done: Int, total: Int, current: BenchCase, repetition: Int) {
        guard enabled else { return }
        FileHandleOutput.standardError.write(
            "\r[\(done + 1)/\(total)] \(current.title), run \(repetition)\u{1B}[K")
        drawn = true
    }

    public func finish() {
        if drawn { FileHandleOutput.standardError.write("\r\u{1B}[K") }
        drawn = false
    }
}
