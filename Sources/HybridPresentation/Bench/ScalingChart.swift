import HybridKit

/// An SVG chart of a sweep, one block per workload, each of four cells:
///
/// - **wall time** against workers: each case's median run as the point, a bar from its fastest
///   to its slowest run, a line per strategy and engine;
/// - **speedup over serial** (serial's fastest run over each case's fastest), with the ideal line
///   (speedup = workers);
/// - **CPU time** of each case's fastest run, or the CPU each item costs where the workload
///   counts items (a fetch's transfers: the strategies overlap the waits alike, and differ in
///   what each transfer costs);
/// - the legend.
///
/// Workers run along a log-2 axis with the machine's core count marked; an amount axis turns
/// logarithmic where the values span more than ``ChartAxis/logarithmicRatio``. A colour stands for
/// a strategy (the Okabe-Ito palette, told apart with colour blindness), a marker and dash for an
/// engine. A series measured at one worker count (serial, the hot loop alone) is drawn as a faint
/// level across the panel, the mark the other lines are read against. Pure SVG: no scripts, no
/// fonts or images from elsewhere.
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

    /// The panels' titles, the same in every block.
    package static let wallTitle = "Wall time"
    package static let speedupTitle = "Speedup over serial"
    package static let cpuTitle = "CPU time"
    /// The CPU panel's title where the workload counts items: `CPU per transfer`.
    package static func cpuPerItemTitle(_ noun: String) -> String { "CPU per \(noun)" }

    static let width = 1000.0
    static let headingHeight = 56.0
    static let cellWidth = 500.0
    static let cellHeight = 330.0
    static let blockGap = 28.0
    // A plot's corners within its cell.
    static let plotLeft = 74.0
    static let plotRight = 482.0
    static let plotTop = 56.0
    static let plotBottom = 270.0
    /// Room between a plot's edge and its outermost points, so no bar or marker is cut.
    static let plotPadding = 18.0

    /// One series: a strategy and engine and its summaries, by workers.
    struct Series {
        var strategy: String
        var engine: String
        var summaries: [BenchSummary]
        /// Measured only at the workload's fewest workers (serial, the hot loop alone): drawn as
        /// a level across the panel.
        var level = false
        var label: String { "\(strategy), \(engine)" }
        var color: String { ScalingChart.color(strategy: strategy) }
        var style: EngineStyle { EngineStyle(engine: engine) }
    }

    /// How an engine's series looks: its marker and its line's dashes.
    struct EngineStyle {
        var marker: String
        var dashes: String?

        init(engine: String) {
            switch engine {
            case "c", "libcurl", "gmp": (marker, dashes) = ("circle", nil)
            case "swift": (marker, dashes) = ("square", "7 4")
            case "python": (marker, dashes) = ("triangle", "2 3")
            default: (marker, dashes) = ("diamond", "10 3 2 3")
            }
        }

        var dashAttribute: String { dashes.map { " stroke-dasharray=\"\($0)\"" } ?? "" }
    }

    /// A strategy's colour, from the Okabe-Ito palette.
    static func color(strategy: String) -> String {
        switch strategy {
        case "serial": "#000000"
        case "hot-loop": "#8C8C8C"
        case "threads": "#0072B2"
        case "processes": "#D55E00"
        case "multi": "#009E73"
        case "threads-multi": "#CC79A7"
        case "mpi": "#56B4E9"
        case "peer": "#E69F00"
        default: "#56B4E9"
        }
    }

    /// The series of one workload, in the order they first appear.
    func series(of workload: String) -> [Series] {
        var order: [String] = []
        var grouped: [String: Series] = [:]
        for summary in summaries where summary.key.workload == workload {
            let label = "\(summary.key.strategy), \(summary.key.engine)"
            if grouped[label] == nil {
                order.append(label)
                grouped[label] = Series(strategy: summary.key.strategy, engine: summary.key.engine, summaries: [])
            }
            grouped[label]!.summaries.append(summary)
        }
        let fewest = grouped.values.flatMap { $0.summaries.map(\.key.workers) }.min()
        return order.map {
            var series = grouped[$0]!
            series.summaries.sort { $0.key.workers < $1.key.workers }
            series.level = series.summaries.count == 1 && series.summaries[0].key.workers == fewest
            return series
        }
    }

    /// The whole SVG document.
    package func svg() -> String {
        let blockHeight = Self.headingHeight + 2 * Self.cellHeight
        let count = Double(max(workloads.count, 1))
        let height = count * blockHeight + (count - 1) * Self.blockGap
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.width))" height="\(Int(height))" \
            viewBox="0 0 \(Int(Self.width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <defs>
            <circle id="marker-circle" r="4"/>
            <rect id="marker-square" x="-3.6" y="-3.6" width="7.2" height="7.2"/>
            <path id="marker-triangle" d="M0,-5 L4.6,3.6 L-4.6,3.6 Z"/>
            <path id="marker-diamond" d="M0,-5.2 L5.2,0 L0,5.2 L-5.2,0 Z"/>
            </defs>
            <rect width="100%" height="100%" fill="white"/>

            """
        for (index, workload) in workloads.enumerated() {
            out += block(workload, top: Double(index) * (blockHeight + Self.blockGap))
        }
        out += "</svg>\n"
        return out
    }

    private func block(_ workload: WorkloadHeading, top: Double) -> String {
        let allSeries = series(of: workload.name)
        let workers = ChartAxis.workers(allSeries.flatMap { $0.summaries.map(\.key.workers) })
        var out = "<g class=\"workload\" id=\"\(escape(workload.name))\">\n"
        out += text(
            20, top + 24, "\(workload.name): \(workload.description)", extra: #"font-size="17" font-weight="bold""#)
        out += text(
            20, top + 44, "\(cores) cores; \(workload.workersMeaning) on a log-2 axis",
            extra: ##"fill="#555""##)
        let cells = top + Self.headingHeight
        out += wallPanel(allSeries, workload, workers: workers, left: 0, top: cells)
        out += speedupPanel(allSeries, workload, workers: workers, left: Self.cellWidth, top: cells)
        out += cpuPanel(allSeries, workload, workers: workers, left: 0, top: cells + Self.cellHeight)
        out += legend(allSeries, workload, left: Self.cellWidth, top: cells + Self.cellHeight)
        out += "</g>\n"
        return out
    }

    /// Where a plot's values land on the page.
    private struct Frame {
        var left: Double
        var top: Double
        var xAxis: ChartAxis
        var yAxis: ChartAxis

        var plotLeft: Double { left + ScalingChart.plotLeft }
        var plotRight: Double { left + ScalingChart.plotRight }
        var plotTop: Double { top + ScalingChart.plotTop }
        var plotBottom: Double { top + ScalingChart.plotBottom }

        func x(_ value: Double) -> Double {
            let padding = ScalingChart.plotPadding
            return plotLeft + padding + xAxis.fraction(value) * (plotRight - plotLeft - 2 * padding)
        }

        func y(_ value: Double) -> Double {
            let padding = yAxis.logarithmic ? ScalingChart.plotPadding : 0
            return plotBottom - padding - yAxis.fraction(value) * (plotBottom - plotTop - 2 * padding)
        }
    }

    /// A panel's title, grid, ticks, axes and their labels, and the core count marked.
    private func frame(
        _ frame: Frame, title: String, subtitle: String, xLabel: String, yLabel: String,
        yTick: (Double) -> String = { ChartAxis.label($0) }
    ) -> String {
        var out = text(
            frame.plotLeft, frame.top + 18, title, extra: #"font-size="14" font-weight="bold" class="title""#)
        out += text(frame.plotLeft, frame.top + 34, subtitle, extra: ##"font-size="11" fill="#555""##)
        for tick in frame.yAxis.ticks {
            out += line(frame.plotLeft, frame.y(tick), frame.plotRight, frame.y(tick), stroke: "#e6e6e6")
            out += text(frame.plotLeft - 6, frame.y(tick) + 4, yTick(tick), extra: #"text-anchor="end""#)
        }
        for tick in frame.xAxis.ticks {
            let x = frame.x(tick)
            out += line(x, frame.plotBottom, x, frame.plotBottom + 5, stroke: "#333")
            out += text(x, frame.plotBottom + 18, ChartAxis.label(tick), extra: #"text-anchor="middle""#)
        }
        out += line(frame.plotLeft, frame.plotTop, frame.plotLeft, frame.plotBottom, stroke: "#333")
        out += line(frame.plotLeft, frame.plotBottom, frame.plotRight, frame.plotBottom, stroke: "#333")
        out += text(
            (frame.plotLeft + frame.plotRight) / 2, frame.plotBottom + 38, xLabel,
            extra: #"text-anchor="middle" class="x-label""#)
        let middle = (frame.plotTop + frame.plotBottom) / 2
        let yLabelX = frame.left + 18
        out += text(
            yLabelX, middle, yLabel + (frame.yAxis.logarithmic ? ", log scale" : ""),
            extra: #"text-anchor="middle" class="y-label" transform="rotate(-90 \#(fmt(yLabelX)) \#(fmt(middle)))""#)
        // The core count: past it, workers only share the same cores.
        if Double(cores) >= frame.xAxis.low, Double(cores) <= frame.xAxis.high {
            let x = frame.x(Double(cores))
            out +=
                "<line class=\"cores\" x1=\"\(fmt(x))\" y1=\"\(fmt(frame.plotTop))\" x2=\"\(fmt(x))\" "
                + "y2=\"\(fmt(frame.plotBottom))\" stroke=\"#666\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>\n"
            let anchor = x > frame.plotRight - 40 ? "end" : x < frame.plotLeft + 40 ? "start" : "middle"
            out += text(
                x, frame.plotTop - 5, "\(cores) cores",
                extra: ##"font-size="11" fill="#444" text-anchor="\##(anchor)""##)
        }
        return out
    }

    private func xLabel(_ workload: WorkloadHeading) -> String { "\(workload.workersMeaning) (log scale)" }

    /// Wall time: the median as the point, a bar from the fastest run to the slowest.
    private func wallPanel(
        _ allSeries: [Series], _ workload: WorkloadHeading, workers: ChartAxis, left: Double, top: Double
    ) -> String {
        let walls = allSeries.flatMap { $0.summaries.flatMap { [$0.minimumWall, $0.maximumWall] } }
        let frame = Frame(left: left, top: top, xAxis: workers, yAxis: .amounts(walls))
        let runs =
            runsMeaning(allSeries)
            + (allSeries.allSatisfy { $0.summaries.allSatisfy { $0.runs == 1 } } ? "" : "; bar: fastest to slowest")
        var out = "<g class=\"panel\" data-panel=\"wall\">\n"
        out += self.frame(
            frame, title: Self.wallTitle, subtitle: runs, xLabel: xLabel(workload), yLabel: "wall time (s)")
        // Series at the same worker count stand a little apart, so their bars do not hide each other.
        let spread = min(3.0, 18 / Double(max(allSeries.count - 1, 1)))
        for (index, series) in allSeries.enumerated() {
            let dodge = (Double(index) - Double(allSeries.count - 1) / 2) * spread
            out += seriesLine(series, frame: frame, dodge: dodge) { $0.medianWall }
            for summary in series.summaries {
                let x = frame.x(Double(summary.key.workers)) + dodge
                let (slowest, fastest) = (frame.y(summary.maximumWall), frame.y(summary.minimumWall))
                out +=
                    "<g class=\"point\" data-series=\"\(escape(series.label))\" data-workers=\"\(summary.key.workers)\">\n"
                out +=
                    "<line class=\"whisker\" x1=\"\(fmt(x))\" y1=\"\(fmt(slowest))\" x2=\"\(fmt(x))\" "
                    + "y2=\"\(fmt(fastest))\" stroke=\"\(series.color)\" stroke-width=\"1.5\"/>\n"
                for capY in [slowest, fastest] {
                    out += line(x - 3, capY, x + 3, capY, stroke: series.color)
                }
                out += marker(series, summary, x: x, y: frame.y(summary.medianWall), role: "median")
                out += "</g>\n"
            }
        }
        return out + "</g>\n"
    }

    /// Speedup over serial, against workers, and the ideal line where speedup equals workers.
    private func speedupPanel(
        _ allSeries: [Series], _ workload: WorkloadHeading, workers: ChartAxis, left: Double, top: Double
    ) -> String {
        let shown = allSeries.filter { $0.strategy != "serial" }.map { series in
            var series = series
            series.summaries = series.summaries.filter { $0.speedup != nil }
            return series
        }.filter { !$0.summaries.isEmpty }
        let speedups = shown.flatMap { $0.summaries.compactMap(\.speedup) }
        let frame = Frame(
            left: left, top: top, xAxis: workers, yAxis: .powersOfTwo(speedups + [workers.low, workers.high]))
        var out = "<g class=\"panel\" data-panel=\"speedup\">\n"
        out += self.frame(
            frame, title: Self.speedupTitle, subtitle: "serial's fastest run over each case's fastest",
            xLabel: xLabel(workload), yLabel: "speedup (x)", yTick: { ChartAxis.label($0) + "x" })
        out +=
            "<line class=\"ideal\" x1=\"\(fmt(frame.x(workers.low)))\" y1=\"\(fmt(frame.y(workers.low)))\" "
            + "x2=\"\(fmt(frame.x(workers.high)))\" y2=\"\(fmt(frame.y(workers.high)))\" stroke=\"#777\" "
            + "stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>\n"
        for series in shown {
            if !series.level {
                out += seriesLine(series, frame: frame, dodge: 0) { $0.speedup ?? 0 }
            }
            for summary in series.summaries {
                out += marker(
                    series, summary, x: frame.x(Double(summary.key.workers)), y: frame.y(summary.speedup ?? 0),
                    role: "speedup")
            }
        }
        return out + "</g>\n"
    }

    /// CPU seconds of each case's fastest run, or milliseconds per item where the workload
    /// counts them.
    private func cpuPanel(
        _ allSeries: [Series], _ workload: WorkloadHeading, workers: ChartAxis, left: Double, top: Double
    ) -> String {
        let perItem = workload.itemCount.map { Double(max($0, 1)) }
        func value(_ summary: BenchSummary) -> Double {
            perItem.map { summary.cpuOfFastest / $0 * 1000 } ?? summary.cpuOfFastest
        }
        let frame = Frame(
            left: left, top: top, xAxis: workers,
            yAxis: .amounts(allSeries.flatMap { $0.summaries.map(value) }))
        let title = perItem == nil ? Self.cpuTitle : Self.cpuPerItemTitle(workload.itemNoun)
        let subtitle =
            perItem == nil
            ? "CPU seconds of each case's fastest run"
            : "the fastest run's CPU over its \(workload.itemNoun)s: where strategies differ"
        var out = "<g class=\"panel\" data-panel=\"cpu\">\n"
        out += self.frame(
            frame, title: title, subtitle: subtitle, xLabel: xLabel(workload),
            yLabel: perItem == nil ? "CPU time (s)" : "CPU per \(workload.itemNoun) (ms)")
        for series in allSeries {
            out += seriesLine(series, frame: frame, dodge: 0, value: value)
            for summary in series.summaries {
                out += marker(
                    series, summary, x: frame.x(Double(summary.key.workers)), y: frame.y(value(summary)), role: "cpu")
            }
        }
        return out + "</g>\n"
    }

    /// What a wall-time point is: `median of 3 runs`; a busy run is run again, so cases may have
    /// more runs than the sweep's repetitions.
    private func runsMeaning(_ allSeries: [Series]) -> String {
        let counts = Set(allSeries.flatMap { $0.summaries.map(\.runs) })
        if counts == [1] { return "one run of each case" }
        if counts == [repetitions] { return "median of \(repetitions) runs" }
        return "median of each case's runs"
    }

    /// A series' line through its points, or for one point a faint level across the plot.
    private func seriesLine(
        _ series: Series, frame: Frame, dodge: Double, value: (BenchSummary) -> Double
    ) -> String {
        guard series.level || series.summaries.count > 1 else { return "" }
        let coordinates: [(Double, Double)] =
            series.level
            ? [
                (frame.plotLeft, frame.y(value(series.summaries[0]))),
                (frame.plotRight, frame.y(value(series.summaries[0]))),
            ]
            : series.summaries.map { (frame.x(Double($0.key.workers)) + dodge, frame.y(value($0))) }
        let points = coordinates.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " ")
        let weight = series.level ? " stroke-width=\"1\" stroke-opacity=\"0.4\"" : " stroke-width=\"2\""
        return
            "<polyline class=\"series\" data-series=\"\(escape(series.label))\" points=\"\(points)\" fill=\"none\" "
            + "stroke=\"\(series.color)\"\(weight)\(series.style.dashAttribute)/>\n"
    }

    /// A series' marker centred on (x, y); hollow when even the case's fastest run was busy.
    private func marker(_ series: Series, _ summary: BenchSummary, x: Double, y: Double, role: String) -> String {
        let fill = summary.busy ? "white" : series.color
        return
            "<use class=\"\(role)\" href=\"#marker-\(series.style.marker)\" x=\"\(fmt(x))\" y=\"\(fmt(y))\" "
            + "fill=\"\(fill)\" stroke=\"\(series.color)\" stroke-width=\"1.5\"/>\n"
    }

    /// The series, then what the lines and marks mean; two columns when the series are many.
    private func legend(_ allSeries: [Series], _ workload: WorkloadHeading, left: Double, top: Double) -> String {
        var out = "<g class=\"legend\">\n"
        out += text(left + Self.plotLeft - 40, top + 18, "Legend", extra: #"font-size="14" font-weight="bold""#)
        let rowHeight = 19.0
        let columns = allSeries.count > 8 ? 2 : 1
        let perColumn = (allSeries.count + columns - 1) / columns
        let columnWidth = 210.0
        let x0 = left + Self.plotLeft - 40
        for (index, series) in allSeries.enumerated() {
            let x = x0 + Double(index / max(perColumn, 1)) * columnWidth
            let y = top + 40 + Double(index % max(perColumn, 1)) * rowHeight
            out +=
                "<line x1=\"\(fmt(x))\" y1=\"\(fmt(y))\" x2=\"\(fmt(x + 30))\" y2=\"\(fmt(y))\" "
                + "stroke=\"\(series.color)\" stroke-width=\"2\"\(series.style.dashAttribute)/>\n"
            out +=
                "<use href=\"#marker-\(series.style.marker)\" x=\"\(fmt(x + 15))\" y=\"\(fmt(y))\" "
                + "fill=\"\(series.color)\" stroke=\"\(series.color)\" stroke-width=\"1.5\"/>\n"
            out += text(x + 38, y + 4, series.label)
        }
        var y = top + 40 + Double(perColumn) * rowHeight + 10
        func note(_ sample: String, _ words: String) {
            out += sample
            out += text(x0 + 38, y + 4, words, extra: ##"fill="#333""##)
            y += rowHeight
        }
        note(
            "<line x1=\"\(fmt(x0))\" y1=\"\(fmt(y + 6))\" x2=\"\(fmt(x0 + 30))\" y2=\"\(fmt(y - 6))\" stroke=\"#777\" "
                + "stroke-width=\"1.5\" stroke-dasharray=\"5 4\"/>\n",
            "ideal: speedup = \(workload.workersMeaning)")
        note(
            "<line x1=\"\(fmt(x0 + 15))\" y1=\"\(fmt(y - 7))\" x2=\"\(fmt(x0 + 15))\" y2=\"\(fmt(y + 7))\" "
                + "stroke=\"#666\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>\n",
            "\(cores) cores: past them, workers share the cores")
        if !allSeries.allSatisfy({ $0.summaries.allSatisfy { $0.runs == 1 } }) {
            note(
                line(x0 + 15, y - 7, x0 + 15, y + 7, stroke: "#333")
                    + line(x0 + 12, y - 7, x0 + 18, y - 7, stroke: "#333")
                    + line(x0 + 12, y + 7, x0 + 18, y + 7, stroke: "#333")
                    + "<use href=\"#marker-circle\" x=\"\(fmt(x0 + 15))\" y=\"\(fmt(y))\" fill=\"#333\"/>\n",
                "wall time: \(runsMeaning(allSeries)); bar: fastest to slowest")
        }
        if allSeries.contains(where: \.level) {
            note(
                "<line x1=\"\(fmt(x0))\" y1=\"\(fmt(y))\" x2=\"\(fmt(x0 + 30))\" y2=\"\(fmt(y))\" stroke=\"#000\" "
                    + "stroke-opacity=\"0.4\"/>\n",
                "faint level: measured at one count, drawn across")
        }
        if allSeries.contains(where: { $0.summaries.contains(where: \.busy) }) {
            note(
                "<use href=\"#marker-circle\" x=\"\(fmt(x0 + 15))\" y=\"\(fmt(y))\" fill=\"white\" stroke=\"#333\" "
                    + "stroke-width=\"1.5\"/>\n",
                "hollow: the machine was busy, not a measurement")
        }
        return out + "</g>\n"
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String) -> String {
        "<line x1=\"\(fmt(x1))\" y1=\"\(fmt(y1))\" x2=\"\(fmt(x2))\" y2=\"\(fmt(y2))\" stroke=\"\(stroke)\"/>\n"
    }

    private func text(_ x: Double, _ y: Double, _ content: String, extra: String = "") -> String {
        "<text x=\"\(fmt(x))\" y=\"\(fmt(y))\"\(extra.isEmpty ? "" : " " + extra)>\(escape(content))</text>\n"
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
