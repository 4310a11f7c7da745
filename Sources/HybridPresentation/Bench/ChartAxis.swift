#if canImport(Glibc)
    import Glibc
#endif

/// One axis of a chart panel: the range it spans, whether it is logarithmic, and its ticks.
///
/// A linear axis runs from zero to a round number above the largest value. A logarithmic one is
/// chosen where the values span more than ``logarithmicRatio`` (a linear axis would squeeze the
/// small ones against zero); its ends and ticks are 1, 2 and 5 times powers of ten, or powers of
/// two for ratios such as workers and speedups.
struct ChartAxis {
    var low: Double
    var high: Double
    var logarithmic: Bool
    var ticks: [Double]

    /// Values spanning more than this many times are drawn on a logarithmic axis.
    static let logarithmicRatio = 10.0

    /// Where `value` falls between the ends, 0 at `low` and 1 at `high`.
    func fraction(_ value: Double) -> Double {
        guard high > low else { return 0 }
        if logarithmic {
            return (log(max(value, low / 1e6)) - log(low)) / (log(high) - log(low))
        }
        return (value - low) / (high - low)
    }

    /// An axis for positive amounts (seconds): linear from zero, or logarithmic by 1-2-5 steps
    /// when the values span more than ``logarithmicRatio``.
    static func amounts(_ values: [Double]) -> ChartAxis {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        let largest = positive.max() ?? 1
        let smallest = positive.min() ?? largest
        if largest / smallest > logarithmicRatio {
            let steps = oneTwoFive(from: smallest, to: largest)
            let low = steps.last { $0 <= smallest } ?? smallest
            let high = steps.first { $0 >= largest } ?? largest
            var ticks = steps.filter { $0 >= low && $0 <= high }
            // More than two decades: the powers of ten alone keep the labels apart.
            if ticks.count > 8 { ticks = ticks.filter { isPowerOfTen($0) } }
            return ChartAxis(low: low, high: high, logarithmic: true, ticks: ticks)
        }
        let (top, step) = niceScale(largest)
        let count = Int((top / step).rounded())
        return ChartAxis(low: 0, high: top, logarithmic: false, ticks: (0...count).map { Double($0) * step })
    }

    /// A logarithmic axis by powers of two that holds every value (workers, speedups).
    static func powersOfTwo(_ values: [Double]) -> ChartAxis {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        let low = exp2((log2(positive.min() ?? 1) - 0.05).rounded(.down))
        let high = exp2((log2(positive.max() ?? 2) + 0.05).rounded(.up))
        var ticks: [Double] = []
        var tick = low
        while tick <= high * 1.0001 {
            ticks.append(tick)
            tick *= 2
        }
        if ticks.count > 10 { ticks = ticks.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) }
        return ChartAxis(low: low, high: max(high, low * 2), logarithmic: true, ticks: ticks)
    }

    /// A logarithmic axis for worker counts: from the fewest to the most, ticked at each count.
    static func workers(_ counts: [Int]) -> ChartAxis {
        let low = Double(counts.min() ?? 1)
        let high = Double(max(counts.max() ?? 1, Int(low) * 2))
        return ChartAxis(low: low, high: high, logarithmic: true, ticks: Set(counts).sorted().map(Double.init))
    }

    /// 1, 2 and 5 times the powers of ten from below `from` to above `to`.
    static func oneTwoFive(from: Double, to: Double) -> [Double] {
        let first = (log10(from)).rounded(.down) - 1
        let last = (log10(to)).rounded(.up) + 1
        return stride(from: first, through: last, by: 1).flatMap { exponent in
            [1.0, 2, 5].map { $0 * pow(10, exponent) }
        }
    }

    private static func isPowerOfTen(_ value: Double) -> Bool {
        abs(log10(value) - log10(value).rounded()) < 1e-9
    }

    /// An axis top at or above `longest`, and a step that cuts it into 4 to 8 ticks.
    static func niceScale(_ longest: Double) -> (top: Double, step: Double) {
        let target = max(longest, 1e-6) * 1.05
        for candidate in sequence(first: 1e-6, next: { $0 * 10 }).prefix(16) {
            for multiple in [1.0, 2.0, 5.0] where target / (candidate * multiple) <= 8 {
                let step = candidate * multiple
                return ((target / step).rounded(.up) * step, step)
            }
        }
        return (target, target / 4)
    }

    /// A tick's label: as many decimals as its size needs and no trailing zeros (0.05, 0.5,
    /// 2, 150).
    static func label(_ value: Double) -> String {
        guard value != 0 else { return "0" }
        let digits = max(0, min(6, 2 - Int(log10(abs(value)).rounded(.down))))
        var text = fixed(value, digits: digits)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
