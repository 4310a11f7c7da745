import HybridKit
import HybridPresentation
import Testing

/// The progress line's arithmetic, with the times given: after a resume, the rate and the time
/// left are this run's own.
@Suite("Progress model")
struct ProgressModelTests {
    @Test("a fresh run: the rate is the work over the time, the time left the rest at that rate")
    func freshRun() {
        let model = ProgressModel(total: 1000)
        let reading = model.reading(done: 100, elapsed: 10)
        #expect(reading == .init(fraction: 0.1, rate: 10, secondsLeft: 90))
    }

    @Test("after a resume, a steady run's time left falls one second a second")
    func resumedRunAtASteadyPace() {
        // 900 of 1000 from the journal; this run does 1 unit a second. Counting the journal's
        // work as this run's gave a rate of 91, 46 and 23.5 a second here, and times left of
        // 1, 1.7 and 2.6 seconds: climbing while the run went steadily on.
        var model = ProgressModel(total: 1000)
        model.resumed = 900
        let readings = [10.0, 20, 40].map { elapsed in model.reading(done: 900 + elapsed, elapsed: elapsed) }
        #expect(readings.map(\.rate) == [1, 1, 1])
        #expect(readings.map(\.secondsLeft) == [90, 80, 60])
        #expect(readings.map(\.fraction) == [0.91, 0.92, 0.94])
    }

    @Test("before this run has finished anything, its rate is 0 and the time left unknown")
    func nothingOfItsOwnYet() {
        var model = ProgressModel(total: 1000)
        model.resumed = 500
        #expect(model.reading(done: 500, elapsed: 3) == .init(fraction: 0.5, rate: 0, secondsLeft: nil))
        #expect(model.reading(done: 0, elapsed: 0) == .init(fraction: 0, rate: 0, secondsLeft: nil))
        #expect(model.line(done: 500, elapsed: 3, unit: "numbers").hasSuffix("50.0%  0 numbers/s  ETA unknown"))
    }

    @Test("done past the total (a short last chunk counted whole) reads as the total")
    func doneIsCapped() {
        let model = ProgressModel(total: 1000)
        #expect(model.reading(done: 1200, elapsed: 4) == .init(fraction: 1, rate: 250, secondsLeft: 0))
    }

    @Test("the line as drawn")
    func line() {
        var model = ProgressModel(total: 100_000_000)
        model.resumed = 40_000_000
        // 30 million more in 10 s: 3 M numbers/s, 30 million left: 10 s.
        #expect(
            model.line(done: 70_000_000, elapsed: 10, unit: "numbers")
                == "[#####################.........] 70.0%  3.00 M numbers/s  ETA 10 s")
    }
}
