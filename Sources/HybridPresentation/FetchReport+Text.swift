import HybridKit

/// The human form of a fetch's run report.
extension FetchReport {
    /// A summary (URLs, ok, failed, bytes, connections, time, requests/s), then one line per
    /// failure.
    package func text() -> String { summary.text(failures: failures) }
}

extension FetchSummary {
    /// A summary (URLs, ok, failed, bytes, connections, HTTP versions, time, requests/s), then
    /// one line per failure given.
    package func text(failures: [FetchResult]) -> String {
        let windows = options.windows
        let layout: String
        if windows.allSatisfy({ $0 == 0 }) {
            layout =
                windows.count == 1
                ? "1 thread, easy handle" : "\(windows.count) threads, easy handles"
        } else if windows.count == 1 {
            layout = "1 thread, multi handle, window \(windows[0])"
        } else {
            layout =
                "\(windows.count) threads, multi handles, windows \(windows.map(String.init).joined(separator: "+"))"
        }
        var bytesLine = "bytes       \(bytes)"
        if bytesReceived != bytes { bytesLine += " (\(bytesReceived) received)" }
        var lines = [
            "strategy    \(strategy.rawValue) (\(layout))",
            "urls        \(urls)" + (resumed.map { " (\($0) from the journal)" } ?? ""),
            "ok          \(ok)",
            "failed      \(failed)",
            bytesLine,
            "connections \(connections)",
        ]
        if !httpVersions.isEmpty {
            let versions = httpVersions.sorted { $0.key > $1.key }
                .map { "HTTP/\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("versions    \(versions)")
        }
        lines += [
            "seconds     \(format(seconds, digits: 3))",
            "requests/s  \(format(requestsPerSecond, digits: 1))",
        ]
        if let interruption {
            lines.append("interrupted by \(signalName(interruption)): the URLs not listed were not fetched")
        }
        if !failures.isEmpty {
            lines.append("failures:")
            for failure in failures {
                let origin = failure.origin.map { "\($0): " } ?? ""
                lines.append("  \(origin)\(failure.url)  \(failure.failureDescription ?? "")")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func format(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        let whole = Int(rounded)
        let fraction = Int(((rounded - Double(whole)) * scale).rounded())
        let padded = String(fraction)
        return "\(whole)." + String(repeating: "0", count: max(0, digits - padded.count)) + padded
    }
}
