/// The arithmetic of a progress line: how far a run is, how fast this run works and how long
/// it has left.
///
/// Work a journal held before the run (``resumed``) counts toward the fraction done, but not
/// toward the rate: this run did none of it, so the rate is this run's work over this run's
/// time, and the time left is the work left at that rate. Counting it in the rate would make a
/// resumed run look fast at first and the time left climb while it works at a steady pace.
package struct ProgressModel: Equatable, Sendable {
    /// The amount of work, in the bar's units.
    package let total: Double
    /// Work finished before this run began (taken from a journal).
    package var resumed: Double = 0

    /// One reading of the model.
    package struct Reading: Equatable, Sendable {
        /// The share done, resumed work included, from 0 to 1.
        package var fraction: Double
        /// This run's work per second of this run.
        package var rate: Double
        /// Seconds left at ``rate``; `nil` while this run has done nothing to measure.
        package var secondsLeft: Double?

        package init(fraction: Double, rate: Double, secondsLeft: Double?) {
            self.fraction = fraction
            self.rate = rate
            self.secondsLeft = secondsLeft
        }
    }

    package init(total: Double) {
        self.total = max(total, 1)
    }

    /// The reading when `done` units are finished (resumed ones included) after `elapsed`
    /// seconds of this run.
    package func reading(done: Double, elapsed: Double) -> Reading {
        let done = min(done, total)
        let ownWork = max(done - resumed, 0)
        let rate = elapsed > 0 ? ownWork / elapsed : 0
        return Reading(fraction: done / total, rate: rate, secondsLeft: rate > 0 ? (total - done) / rate : nil)
    }

    /// The bar as it is drawn, without the carriage return and line erasure around it:
    /// `[#########.....................] 30.0%  3.00 numbers/s  ETA 70 s`.
    package func line(done: Double, elapsed: Double, unit: String) -> String {
        let reading = reading(done: done, elapsed: elapsed)
        let width = 30
        let filled = Int(reading.fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let left = reading.secondsLeft.map { "\(fixed($0, digits: 0)) s" } ?? "unknown"
        return "[\(bar)] \(fixed(reading.fraction * 100, digits: 1))%  "
            + "\(formatRate(reading.rate, unit: "\(unit)/s"))  ETA \(left)"
    }
}
