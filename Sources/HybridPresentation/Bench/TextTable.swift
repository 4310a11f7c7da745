import HybridKit

/// A plain-text table: a header row and rows of cells, columns padded to one width, text
/// columns left-aligned and number columns right-aligned.
package struct TextTable: Sendable {
    package var headers: [String]
    /// Which columns are right-aligned (numbers).
    package var rightAligned: Set<Int>
    package var rows: [[String]] = []

    package init(headers: [String], rightAligned: Set<Int>) {
        self.headers = headers
        self.rightAligned = rightAligned
    }

    package mutating func append(_ row: [String]) { rows.append(row) }

    /// The table, every line ending in a newline, without trailing spaces.
    package func text() -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in
            all.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            var line = ""
            for column in headers.indices {
                let cell = column < row.count ? row[column] : ""
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                if column > 0 { line += "  " }
                line += rightAligned.contains(column) ? padding + cell : cell + padding
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line + "\n"
        }.joined()
    }
}

/// `1.93x`: a speedup with two decimals (one above 100).
package func formatSpeedup(_ speedup: Double?) -> String {
    guard let speedup, speedup.isFinite else { return "-" }
    return fixed(speedup, digits: speedup >= 100 ? 1 : 2) + "x"
}
