import HybridKit

/// A one-line progress bar on standard error: percent done, rate and time left, as
/// ``ProgressModel`` reckons them (after a resume, the rate and time left are this run's own).
///
/// It draws only when standard error is a terminal, only once the work has run for a second (`delay`),
/// and at most ten times a second; `finish()` erases it. When disabled every call does nothing,
/// so callers never branch on it.
package final class ProgressBar: @unchecked Sendable {
    private let unit: String
    private let enabled: Bool
    private let delay: Double
    private let stopwatch = Stopwatch()
    /// The model, when the bar last drew, and whether it shows now.
    private let state: POSIXLocked<(model: ProgressModel, lastDraw: Double, drawn: Bool)>

    /// - Parameters:
    ///   - total: the amount of work, in `unit`s.
    ///   - unit: what the rate counts (`numbers`, `URLs`).
    ///   - enabled: `false` for `--no-progress`; a non-terminal standard error disables it too.
    ///   - delay: seconds of work before the first drawing (short runs draw nothing).
    package init(total: Double, unit: String, enabled: Bool, delay: Double = 1) {
        state = POSIXLocked((model: ProgressModel(total: total), lastDraw: 0.0, drawn: false))
        self.delay = delay
        self.unit = unit
        self.enabled = enabled && FileHandleOutput.standardError.isTerminal
    }

    /// Reports that `done` units of the total are finished. Safe from any thread.
    package func update(done: Double) {
        guard enabled else { return }
        state.withLock { state in draw(done: done, state: &state) }
    }

    /// Reports that `done` units were finished before this run (a journal held them): they count
    /// as done, not toward the rate. Call it before the first ``update(done:)``. Safe from any thread.
    package func resume(done: Double) {
        state.withLock { $0.model.resumed = done }
    }

    private func draw(done: Double, state: inout (model: ProgressModel, lastDraw: Double, drawn: Bool)) {
        let elapsed = stopwatch.wallSeconds
        guard elapsed >= delay, !state.drawn || elapsed - state.lastDraw >= 0.1 else { return }
        state.lastDraw = elapsed
        FileHandleOutput.standardError.write("\r\(state.model.line(done: done, elapsed: elapsed, unit: unit)) \u{1B}[K")
        state.drawn = true
    }

    /// Erases the bar, if it was drawn.
    package func finish() {
        guard enabled else { return }
        state.withLock { state in
            if state.drawn { FileHandleOutput.standardError.write("\r\u{1B}[K") }
            state.drawn = false
        }
    }
}
