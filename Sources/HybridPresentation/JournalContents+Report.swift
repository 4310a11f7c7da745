import HybridKit

extension JournalContents {
    /// What `hybrid journal FILE` prints: the job, its geometry, what is recorded and whether
    /// the file is whole, as a table or as JSON.
    package var report: RunReport {
        let format =
            job.hasVariableLengthRecords
            ? "version \(version): variable-length records"
            : "version \(version): fixed slots of \(job.slotBytes) bytes"
        var fields: [RunReport.Field] = [
            .init("path", json: .string(path), text: path),
            .init("version", json: .integer(Int64(version)), text: format),
        ]
        let workload = job.identity.first { $0.name == "workload" }?.value
        if let workload {
            fields.append(.init("workload", json: .string(workload), text: workload))
        }
        if let command = command {
            fields.append(.init("command", json: .string(command), text: command))
        }
        fields += [
            .init(
                "job", json: .object(job.identity.map { ($0.name, .string($0.value)) }),
                text: job.identity.map { "\($0.name) \($0.value)" }.joined(separator: "\n")),
            .init(
                "geometry", json: .object(job.geometry.map { ($0.name, .string($0.value)) }),
                text: job.geometry.isEmpty
                    ? "none" : job.geometry.map { "\($0.name) \($0.value)" }.joined(separator: "\n")),
            .init("items", json: .unsigned(job.items), text: groupedDigits(job.items)),
            .init(
                "recorded_items", json: .integer(Int64(recordedItems)),
                text: "\(groupedDigits(recordedItems)) (\(flooredPercent(recordedItems, of: Int(clamping: job.items))))"
            ),
            .init(
                "complete", json: .bool(isComplete),
                text: isComplete
                    ? "yes: a resume has nothing left to run"
                    : "no: a resume runs the other \(groupedDigits(job.items - UInt64(recordedItems)))"),
            .init("whole", json: .bool(isWhole), text: wholeText),
            .init("torn_bytes", json: .integer(Int64(tornBytes)), text: groupedDigits(tornBytes)),
            .init("damaged_records", json: .integer(Int64(damagedRecords)), text: groupedDigits(damagedRecords)),
            .init("duplicate_records", json: .integer(Int64(duplicateRecords)), text: groupedDigits(duplicateRecords)),
            .init("header_bytes", json: .integer(Int64(headerBytes)), text: groupedDigits(headerBytes)),
            .init("file_bytes", json: .integer(Int64(fileBytes)), text: groupedDigits(fileBytes)),
        ]
        return RunReport(fields: fields)
    }

    /// `yes`, or what is wrong and what a resume does about it.
    private var wholeText: String {
        guard !isWhole else { return "yes: every record's checksum holds" }
        var faults: [String] = []
        if damagedRecords > 0 {
            faults.append("\(groupedDigits(damagedRecords)) damaged records, skipped (their items run again)")
        }
        if tornBytes > 0 {
            faults.append(
                "a torn tail of \(groupedDigits(tornBytes)) bytes, cut off on resume (what it held runs again)")
        }
        return "no: " + faults.joined(separator: "; ")
    }

    /// The command that resumes the job, where the header holds all it needs: primes and
    /// bigprimes. A fetch's header holds only a hash of its URL list and options.
    package var command: String? {
        func value(_ name: String) -> String? { job.identity.first { $0.name == name }?.value }
        let journal = " --journal " + shellQuoted(path)
        switch value("workload") {
        case "primes":
            guard let from = value("from"), let to = value("to"), let computes = value("computes") else { return nil }
            let countOnly = computes == "count" ? " --count-only" : ""
            return "hybrid primes \(from) \(to)\(countOnly)" + journal
        case "bigprimes":
            guard let bits = value("bits"), let count = value("count"), let seed = value("seed") else { return nil }
            return "hybrid bigprimes --bits \(bits) --count \(count) --seed \(seed)" + journal
        default:
            return nil
        }
    }
}

/// `word` as a shell reads it back: as it is when it holds only safe characters, else in single quotes.
package func shellQuoted(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy { scalar in
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || "-_./+=:,@%".unicodeScalars.contains(scalar)
    }
    if safe && !word.isEmpty { return word }
    return "'" + word.replacing("'", with: "'\\''") + "'"
}
