import HybridKit

/// A one-line progress bar on standard error: percent done, rate and time left.
///
/// It draws only when standard error is a terminal, only once the work has run for a second (`delay`),
/// and at most ten times a second; `finish()` erases it. When disabled every call does nothing,
/// so callers never branch on it.
package final class ProgressBar: @unchecked Sendable {
    private let total: Double
    private let unit: String
    private let enabled: Bool
    private let delay: Double
    private let stopwatch = Stopwatch()
    /// When the bar last drew, and whether it shows now.
    private let state = POSIXLocked((lastDraw: 0.0, drawn: false))

    /// - Parameters:
    ///   - total: the amount of work, in `unit`s.
    ///   - unit: what the rate counts (`numbers`, `URLs`).
    ///   - enabled: `false` for `--no-progress`; a non-terminal standard error disables it too.
    ///   - delay: seconds of work before the first drawing (short runs draw nothing).
    package init(total: Double, unit: String, enabled: Bool, delay: Double = 1) {
        self.total = max(total, 1)
        self.delay = delay
        self.unit = unit
        self.enabled = enabled && FileHandleOutput.standardError.isTerminal
    }

    /// Reports that `done` units of the total are finished. Safe from any thread.
    package func update(done: Double) {
        guard enabled else { return }
        state.withLock { state in draw(done: done, state: &state) }
    }

    private func draw(done: Double, state: inout (lastDraw: Double, drawn: Bool)) {
        let elapsed = stopwatch.wallSeconds
        guard elapsed >= delay, !state.drawn || elapsed - state.lastDraw >= 0.1 else { return }
        state.lastDraw = elapsed
        let fraction = min(done / total, 1)
        let width = 30
        let filled = Int(fraction * Double(width))
        let rate = done / elapsed
        let left = rate > 0 ? (total - done) / rate : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandleOutput.standardError.write(
            "\r[\(bar)] \(fixed(fraction * 100, digits: 1))%  \(formatRate(rate, unit: "\(unit)/s"))  ETA \(fixed(left, digits: 0)) s \u{1B}[K"
        )
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
