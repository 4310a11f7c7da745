import HybridKit

/// One line on standard error naming the run in progress, when it is a terminal.
package final class BenchProgress {
    private let enabled: Bool
    private var drawn = false

    package init(enabled: Bool) { self.enabled = enabled && FileHandleOutput.standardError.isTerminal }

    package func show(done: Int, total: Int, current: BenchCase, repetition: Int) {
        guard enabled else { return }
        FileHandleOutput.standardError.write(
            "\r[\(done + 1)/\(total)] \(current.title), run \(repetition)\u{1B}[K")
        drawn = true
    }

    package func finish() {
        if drawn { FileHandleOutput.standardError.write("\r\u{1B}[K") }
        drawn = false
    }
}
