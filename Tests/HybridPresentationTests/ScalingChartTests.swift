import Foundation
import HybridKit
import HybridPresentation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Runs recorded on a 2-core machine (`hybrid bench all --repeat 3 --latency 20`): workload,
/// strategy, engine, workers, wall seconds, CPU seconds. Nothing here is run.
private let recorded: [(String, String, String, Int, Double, Double)] = [
    ("primes", "serial", "c", 1, 0.733726, 0.733607), ("primes", "serial", "c", 1, 0.745420, 0.745282),
    ("primes", "serial", "c", 1, 0.710859, 0.710567),
    ("primes", "hot-loop", "c", 1, 0.720759, 0.720702), ("primes", "hot-loop", "c", 1, 0.692901, 0.692789),
    ("primes", "threads", "c", 1, 0.755575, 0.755496), ("primes", "threads", "c", 1, 0.701268, 0.704836),
    ("primes", "threads", "c", 2, 0.374873, 0.735440), ("primes", "threads", "c", 2, 0.358798, 0.707287),
    ("primes", "threads", "c", 4, 0.367558, 0.725978), ("primes", "threads", "c", 4, 0.378205, 0.732663),
    ("primes", "threads", "c", 16, 0.373129, 0.736045), ("primes", "threads", "c", 16, 0.365859, 0.724957),
    ("fetch", "serial", "libcurl", 1, 2.044813, 0.049650), ("fetch", "serial", "libcurl", 1, 2.030054, 0.043608),
    ("fetch", "threads", "libcurl", 1, 2.032709, 0.046318), ("fetch", "threads", "libcurl", 1, 2.039196, 0.056057),
    ("fetch", "threads", "libcurl", 2, 1.013837, 0.031202), ("fetch", "threads", "libcurl", 2, 1.017152, 0.035830),
    ("fetch", "threads", "libcurl", 4, 0.509899, 0.021512), ("fetch", "threads", "libcurl", 4, 0.507780, 0.017696),
    ("fetch", "threads", "libcurl", 16, 0.144082, 0.011410), ("fetch", "threads", "libcurl", 16, 0.147397, 0.013248),
    ("fetch", "multi", "libcurl", 1, 2.029116, 0.045638), ("fetch", "multi", "libcurl", 1, 2.033076, 0.051276),
    ("fetch", "multi", "libcurl", 2, 1.015285, 0.025880), ("fetch", "multi", "libcurl", 2, 1.018878, 0.030840),
    ("fetch", "multi", "libcurl", 4, 0.509149, 0.015027), ("fetch", "multi", "libcurl", 4, 0.510365, 0.017890),
    ("fetch", "multi", "libcurl", 16, 0.146339, 0.009372), ("fetch", "multi", "libcurl", 16, 0.143642, 0.008430),
]

/// The recorded runs as a report, three repetitions at most of each case.
private func recordedReport() -> BenchReport {
    var repetition: [BenchKey: Int] = [:]
    let runs = recorded.map { workload, strategy, engine, workers, wall, cpu in
        let key = BenchKey(workload: workload, strategy: strategy, engine: engine, workers: workers)
        repetition[key, default: 0] += 1
        return BenchRun(
            key: key, repetition: repetition[key]!,
            measurement: BenchMeasurement(wallSeconds: wall, cpuSeconds: cpu, answer: BenchAnswer(count: 1, sum: 1)))
    }
    return BenchReport(
        workloads: [
            WorkloadHeading(name: "primes", description: "sum of the primes below 10,000,000,000"),
            WorkloadHeading(
                name: "fetch", description: "100 URLs of 20 ms each", workersMeaning: "transfers in flight",
                itemCount: 100, itemNoun: "transfer"),
        ],
        runs: runs, summaries: BenchSummary.summarise(runs), checks: [], notes: [:], repetitions: 3, cores: 2)
}

/// An SVG element: its name, attributes, text, and the `class` of every group it sits in.
private struct Element {
    var name: String
    var attributes: [String: String]
    var text = ""
    var groups: [String]

    func number(_ attribute: String) -> Double? { attributes[attribute].flatMap(Double.init) }
    var classes: String { attributes["class"] ?? "" }
}

/// Every element of a document, in order; nil when it is not well-formed XML.
private func elements(_ svg: String) -> [Element]? {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let groups = open.map { elements[$0] }.filter { $0.name == "g" }.map { $0.attributes["class"] ?? "" }
            open.append(elements.count)
            elements.append(Element(name: name, attributes: attributes, groups: groups))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last { elements[last].text += string }
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
    }
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = Collector()
    parser.delegate = collector
    return parser.parse() ? collector.elements : nil
}

@Suite("The bench's SVG chart, drawn from recorded figures")
struct ScalingChartTests {
    let report = recordedReport()

    /// The elements of one workload's block.
    private func block(_ all: [Element], _ workload: String) -> [Element] {
        guard let start = all.firstIndex(where: { $0.name == "g" && $0.attributes["id"] == workload }) else {
            return []
        }
        let end = all[(start + 1)...].firstIndex { $0.name == "g" && $0.classes == "workload" } ?? all.endIndex
        return Array(all[start..<end])
    }

    @Test("well-formed, self-contained, each workload's panels titled, every series in the legend")
    func panels() throws {
        let svg = report.svg()
        let all = try #require(elements(svg))
        // Nothing to run or fetch: the one URL is the namespace's.
        #expect(!svg.contains("<script") && !svg.contains("<image") && !svg.contains("@import"))
        #expect(svg.components(separatedBy: "://").count == 2)
        for (workload, cpuTitle) in [("primes", ScalingChart.cpuTitle), ("fetch", "CPU per transfer")] {
            let elements = block(all, workload)
            let titles = elements.filter { $0.classes == "title" }.map(\.text)
            #expect(titles == [ScalingChart.wallTitle, ScalingChart.speedupTitle, cpuTitle], "\(workload)")
            let legend = elements.filter { $0.name == "text" && $0.groups.last == "legend" }.map(\.text)
            let labels = Set(elements.filter { $0.name == "polyline" }.compactMap { $0.attributes["data-series"] })
            #expect(!labels.isEmpty && labels.isSubset(of: Set(legend)), "\(workload): \(legend)")
        }
        let texts = all.filter { $0.name == "text" }.map(\.text)
        #expect(texts.contains("workers (log scale)"))
        #expect(texts.contains("transfers in flight (log scale)"))
        #expect(texts.contains("CPU per transfer (ms)"))
        // Primes' times lie within 2x of each other: a linear axis; the fetches' span 14x: a log one.
        #expect(texts.contains("wall time (s)"))
        #expect(texts.contains("wall time (s), log scale"))
    }

    @Test("one whisker per point: the median between the fastest and the slowest run")
    func whiskers() throws {
        let all = try #require(elements(report.svg()))
        let points = all.enumerated().filter { $0.element.name == "g" && $0.element.classes == "point" }
        #expect(points.count == report.summaries.count)
        for (index, point) in points {
            let inside = all[(index + 1)...].prefix { $0.groups.last == "point" }
            let whiskers = inside.filter { $0.classes == "whisker" }
            let medians = inside.filter { $0.classes == "median" }
            #expect(whiskers.count == 1 && medians.count == 1)
            guard let whisker = whiskers.first, let median = medians.first,
                let slowest = whisker.number("y1"), let fastest = whisker.number("y2"), let y = median.number("y")
            else { continue }
            // Down the page is less time: the slowest run is drawn highest.
            #expect(slowest <= y && y <= fastest, "\(point.attributes)")
            #expect(whisker.number("x1") == median.number("x"))
            let summary = try #require(
                report.summaries.first {
                    $0.key.strategy + ", " + $0.key.engine == point.attributes["data-series"]
                        && String($0.key.workers) == point.attributes["data-workers"]
                })
            // A case whose runs differ has a bar of some length; one run alone has none.
            #expect((fastest - slowest > 0.05) == (summary.maximumWall > summary.minimumWall * 1.001))
        }
    }

    @Test("the ideal line climbs one worker count per speedup, and the cores are marked in each panel")
    func idealAndCores() throws {
        let all = try #require(elements(report.svg()))
        for workload in ["primes", "fetch"] {
            let elements = block(all, workload)
            let ideal = elements.filter { $0.classes == "ideal" }
            #expect(ideal.count == 1)
            // It passes through 2x at 2 workers: where the x tick 2 and the y tick 2x stand.
            let speedupStart = try #require(elements.firstIndex { $0.attributes["data-panel"] == "speedup" })
            let speedupTexts = elements[speedupStart...].filter { $0.name == "text" }
            let tickX = try #require(speedupTexts.first { $0.text == "2" }?.number("x"))
            let labelY = try #require(speedupTexts.first { $0.text == "2x" }?.number("y"))
            let line = try #require(ideal.first)
            let (x1, x2) = (try #require(line.number("x1")), try #require(line.number("x2")))
            let (y1, y2) = (try #require(line.number("y1")), try #require(line.number("y2")))
            #expect(x2 > x1 && y2 < y1)
            let yAtTick = y1 + (tickX - x1) / (x2 - x1) * (y2 - y1)
            // A tick's label sits 4 px below its grid line, at its baseline.
            #expect(abs(yAtTick - (labelY - 4)) < 0.5, "\(workload)")
            let cores = elements.filter { $0.classes == "cores" }
            #expect(cores.count == 3)
            #expect(elements.filter { $0.name == "text" && $0.text == "2 cores" }.count == 3)
            // Each core line stands at the tick labelled 2 in its own panel.
            for panel in ["wall", "speedup", "cpu"] {
                let start = try #require(elements.firstIndex { $0.attributes["data-panel"] == panel })
                let inPanel = elements[start...].prefix { $0.attributes["data-panel"] == panel || $0.name != "g" }
                let tick = inPanel.first {
                    $0.name == "text" && $0.text == "2" && $0.attributes["text-anchor"] == "middle"
                }
                let line = inPanel.first { $0.classes == "cores" }
                #expect(tick?.number("x") != nil && tick?.number("x") == line?.number("x1"), "\(workload) \(panel)")
            }
        }
    }

    @Test("speedup markers stand where serial's fastest over each case's fastest puts them")
    func speedupMarkers() throws {
        let all = try #require(elements(report.svg()))
        let fetch = block(all, "fetch")
        let markers = fetch.filter { $0.classes == "speedup" }
        // Every fetch case but serial has a speedup marker.
        #expect(
            markers.count == report.summaries.filter { $0.key.workload == "fetch" && $0.key.strategy != "serial" }.count
        )
        // On a log axis, twice the speedup is the same step up wherever it is: multi at 2, 4 and
        // 16 in flight, against 1, lie on one straight line when the steps match their ratios.
        let multi = markers.filter { $0.attributes["fill"] == "#009E73" }.compactMap { $0.number("y") }
        #expect(multi.count == 4)
        let speedups = report.summaries.filter { $0.key.workload == "fetch" && $0.key.strategy == "multi" }
            .compactMap(\.speedup)
        if multi.count == 4, speedups.count == 4 {
            let pixelsPerDoubling = (multi[0] - multi[1]) / log2(speedups[1] / speedups[0])
            let predicted = multi[0] - pixelsPerDoubling * log2(speedups[3] / speedups[0])
            #expect(abs(predicted - multi[3]) < 0.5)
        }
    }

    @Test("strategies have colours of their own, and a busy case is drawn hollow")
    func colours() throws {
        var report = report
        let index = try #require(report.summaries.firstIndex { $0.key.strategy == "multi" && $0.key.workers == 16 })
        let none = MachineLoad(loadAverage: nil, cpuWaitMicroseconds: nil)
        report.summaries[index].shareOfFastest = MachineShare(
            wall: 1, cpu: 0.3, workers: 2, cores: 2, cpuBound: true, before: none, after: none)
        let all = try #require(elements(report.svg()))
        let strokes = Dictionary(
            block(all, "fetch").filter { $0.name == "polyline" }.map {
                ($0.attributes["data-series"] ?? "", $0.attributes["stroke"] ?? "")
            },
            uniquingKeysWith: { first, _ in first })
        #expect(Set(strokes.values).count == strokes.count)
        let hollow = all.filter { $0.name == "use" && $0.attributes["fill"] == "white" && $0.groups.last != "legend" }
        #expect(hollow.count == 3)  // wall, speedup and CPU: one case, three panels
        #expect(all.contains { $0.text == "hollow: the machine was busy, not a measurement" })
    }
}
