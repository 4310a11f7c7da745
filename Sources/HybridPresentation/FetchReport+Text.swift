import HybridKit

/// The human form of a fetch's run report.
extension FetchReport {
    /// A summary (URLs, ok, failed, bytes, connections, time, requests/s), then one line per
    /// failure.
    package func text() -> String { summary.text(failures: failures) }
}

extension FetchSummary {
    /// A summary (URLs, ok, failed, bytes, connections, HTTP versions, time, rate), then one
    /// line per failure given; numbers as the primes report writes them (`102,400`, `0.171 s`,
    /// `585 requests/s`).
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
        var bytesLine = "bytes       \(groupedDigits(bytes))"
        if bytesReceived != bytes { bytesLine += " (\(groupedDigits(bytesReceived)) received)" }
        var lines = [
            "strategy    \(strategy.rawValue) (\(layout))",
            "urls        \(groupedDigits(urls))" + (resumed.map { " (\(groupedDigits($0)) from the journal)" } ?? ""),
            "ok          \(groupedDigits(ok))",
            "failed      \(groupedDigits(failed))",
            bytesLine,
            "connections \(groupedDigits(connections))",
        ]
        if !httpVersions.isEmpty {
            let versions = httpVersions.sorted { $0.key > $1.key }
                .map { "HTTP/\($0.key) \($0.value)" }.joined(separator: ", ")
            lines.append("versions    \(versions)")
        }
        lines += [
            "seconds     \(formatSeconds(seconds))",
            "rate        \(formatRate(requestsPerSecond, unit: "requests/s"))",
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
}
