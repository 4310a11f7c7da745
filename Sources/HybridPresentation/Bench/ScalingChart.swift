import HybridKit

#if canImport(Glibc)
    import Glibc
#endif

/// An SVG chart of wall time against workers: one panel per workload, one line per strategy and
/// engine, the core count marked — the picture of where adding workers stops paying.
///
/// Workers run along a log-2 axis; time (the fastest run of each case) from zero up. A series
/// with one point (serial, the hot loop alone) is drawn as a dashed level across the panel, the
/// mark the other lines are read against. Plain text, no dependencies.
package struct ScalingChart: Sendable {
    package var workloads: [WorkloadHeading]
    package var summaries: [BenchSummary]
    package var cores: Int
    package var repetitions: Int

    package init(
        workloads: [WorkloadHeading], summaries: [BenchSummary], cores: Int,
        repetitions: Int
    ) {
        self.workloads = workloads
        self.summaries = summaries
        self.cores = cores
        self.repetitions = repetitions
    }

    static let panelWidth = 980.0
    static let panelHeight = 440.0
    static let plotLeft = 70.0
    static let plotRight = 620.0
    static let plotTop = 50.0
    static let plotBottom = 380.0
    static let colors = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
        "#7f7f7f", "#bcbd22",
    ]

    /// One series: a strategy and engine, its points (workers, seconds) by workers.
    struct Series {
        var label: String
        var points: [(workers: Int, seconds: Double)]
    }

    /// The series of one workload, in the order they first appear.
    func series(of workload: String) -> [Series] {
        var order: [String] = []
        var points: [String: [(Int, Double)]] = [:]
        for summary in summaries where summary.key.workload == workload {
            let label = "\(summary.key.strategy), \(summary.key.engine)"
            if points[label] == nil { order.append(label) }
            points[label, default: []].append((summary.key.workers, summary.minimumWall))
        }
        return order.map { Series(label: $0, points: points[$0]!.sorted { $0.0 < $1.0 }) }
    }

    /// The whole SVG document.
    package func svg() -> String {
        let height = Self.panelHeight * Double(max(workloads.count, 1))
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.panelWidth))" height="\(Int(height))" \
            viewBox="0 0 \(Int(Self.panelWidth)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        for (index, workload) in workloads.enumerated() {
            out += panel(workload, top: Self.panelHeight * Double(index))
        }
        out += "</svg>\n"
        return out
    }

    private func panel(_ workload: WorkloadHeading, top: Double) -> String {
        let allSeries = series(of: workload.name)
        let workerCounts = Set(allSeries.flatMap { $0.points.map(\.workers) })
        let lowWorkers = Double(workerCounts.min() ?? 1)
        let highWorkers = Double(max(workerCounts.max() ?? 1, Int(lowWorkers) * 2))
        let longest = allSeries.flatMap { $0.points.map(\.seconds) }.max() ?? 1
        let (yMax, yStep) = Self.niceScale(longest)
        let left = Self.plotLeft
        let right = Self.plotRight
        let plotTop = top + Self.plotTop
        let plotBottom = top + Self.plotBottom
        func x(_ workers: Double) -> Double {
            left + (log2(workers) - log2(lowWorkers)) / (log2(highWorkers) - log2(lowWorkers))
                * (right - left)
        }
        func y(_ seconds: Double) -> Double { plotBottom - seconds / yMax * (plotBottom - plotTop) }

        var out = "<g class=\"panel\" id=\"\(escape(workload.name))\">\n"
        out += text(
            left, top + 22, "\(workload.name): \(workload.description)",
            extra: #"font-size="15" font-weight="bold""#)
        out += text(
            left, top + 40,
            "wall time, fastest of \(repetitions) run\(repetitions == 1 ? "" : "s") of each, against \(workload.workersMeaning) (\(cores) cores)",
            extra: ##"fill="#555""##)
        // Grid and y ticks.
        var tick = 0.0
        while tick <= yMax + yStep / 1000 {
            out += line(left, y(tick), right, y(tick), stroke: "#e5e5e5")
            out += text(
                left - 6, y(tick) + 4, Self.tickLabel(tick, step: yStep),
                extra: #"text-anchor="end""#)
            tick += yStep
        }
        for count in workerCounts.sorted() {
            out += line(
                x(Double(count)), plotBottom, x(Double(count)), plotBottom + 5, stroke: "#333")
            out += text(
                x(Double(count)), plotBottom + 18, String(count), extra: #"text-anchor="middle""#)
        }
        // Axes and their labels.
        out += line(left, plotTop, left, plotBottom, stroke: "#333")
        out += line(left, plotBottom, right, plotBottom, stroke: "#333")
        out += text(
            (left + right) / 2, plotBottom + 38, "\(workload.workersMeaning) (log scale)",
            extra: #"text-anchor="middle" class="x-label""#)
        out += text(
            18, (plotTop + plotBottom) / 2, "wall time (s)",
            extra:
                #"text-anchor="middle" class="y-label" transform="rotate(-90 18 \#(fmt((plotTop + plotBottom) / 2)))""#
        )
        // The core count: past it, workers only share the same cores.
        if Double(cores) >= lowWorkers, Double(cores) <= highWorkers {
            let coreX = x(Double(cores))
            out +=
                "<line class=\"cores\" x1=\"\(fmt(coreX))\" y1=\"\(fmt(plotTop))\" x2=\"\(fmt(coreX))\" y2=\"\(fmt(plotBottom))\" stroke=\"#888\" stroke-width=\"1.5\" stroke-dasharray=\"2 4\"/>\n"
            // Beside the line, on the side with room (the legend sits right of the plot).
            let nearRight = coreX > right - 60
            out += text(
                nearRight ? coreX - 4 : coreX + 4, plotTop + 12, "\(cores) cores",
                extra: nearRight ? ##"fill="#555" text-anchor="end""## : ##"fill="#555""##)
        }
        // Series and legend.
        for (index, series) in allSeries.enumerated() {
            let color = Self.colors[index % Self.colors.count]
            let level = series.points.count == 1
            let coordinates: [(Double, Double)] =
                level
                ? [(left, y(series.points[0].seconds)), (right, y(series.points[0].seconds))]
                : series.points.map { (x(Double($0.workers)), y($0.seconds)) }
            let pointList = coordinates.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " ")
            out +=
                "<polyline class=\"series\" data-series=\"\(escape(series.label))\" points=\"\(pointList)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"\(level ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            if !level {
                for (px, py) in coordinates {
                    out +=
                        "<circle cx=\"\(fmt(px))\" cy=\"\(fmt(py))\" r=\"3\" fill=\"\(color)\"/>\n"
                }
            }
            let legendY = plotTop + 8 + Double(index) * 20
            out +=
                "<line x1=\"\(fmt(right + 20))\" y1=\"\(fmt(legendY))\" x2=\"\(fmt(right + 48))\" y2=\"\(fmt(legendY))\" stroke=\"\(color)\" stroke-width=\"2\"\(level ? " stroke-dasharray=\"6 4\"" : "")/>\n"
            let suffix =
                level
                ? " (\(series.points[0].workers) worker, \(Self.tickLabel(series.points[0].seconds, step: 0.001)) s)"
                : ""
            out += text(right + 54, legendY + 4, series.label + suffix)
        }
        out += "</g>\n"
        return out
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String)
        -> String
    {
        "<line x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\" stroke=\"\(stroke)\"/>\n"
    }

    private func text(_ x: Double, _ y: Double, _ content: String, extra: String = "") -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\"\(extra.isEmpty ? "" : " " + extra)>\(escape(content))</text>\n"
    }

    /// An axis top at or above `longest`, and a step that cuts it into 4 to 8 ticks.
    static func niceScale(_ longest: Double) -> (top: Double, step: Double) {
        let target = max(longest, 1e-6) * 1.05
        var step = 1e-6
        for candidate in sequence(first: 1e-6, next: { $0 * 10 }).prefix(16) {
            for multiple in [1.0, 2.0, 5.0] where target / (candidate * multiple) <= 8 {
                step = candidate * multiple
                return ((target / step).rounded(.up) * step, step)
            }
        }
        return (target, step)
    }

    /// A tick value with as many decimals as the step needs.
    static func tickLabel(_ value: Double, step: Double) -> String {
        var digits = 0
        var scaled = step
        while scaled < 1, digits < 6 {
            scaled *= 10
            digits += 1
        }
        return fixed(value, digits: digits)
    }
}

private func fmt(_ value: Double) -> String { fixed(value, digits: 1) }

/// Text with XML's special characters escaped.
func escape(_ text: String) -> String {
    var out = ""
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        default: out.append(character)
        }
    }
    return out
}
