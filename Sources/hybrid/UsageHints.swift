import ArgumentParser

/// Error lines a user can act on, made from what ArgumentParser reports and the command line
/// itself: a mistyped command or option gets a "did you mean", a negative number given to an
/// option is called negative (ArgumentParser takes `-5` for an option and says "Missing value"),
/// and every line starts in lower case, as hybrid's own do.
enum UsageHints {
    /// The first word, when it is neither an option nor a command: the default command (the
    /// lesson) takes no words, so `hybrid prime 100` is a mistyped command, not two stray words.
    static func unknownCommand(_ arguments: ArraySlice<String>) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = Hybrid.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        guard !names.contains(first) else { return nil }
        let hint = closest(to: first, among: names).map { " (did you mean '\($0)'?)" } ?? ""
        return "unknown command '\(first)'\(hint); the commands are \(names.dropLast().joined(separator: ", "))"
    }

    /// ArgumentParser's first line, made actionable.
    static func improve(_ line: String, arguments: ArraySlice<String>) -> String {
        if let option = quoted(in: line, after: "Unknown option '") {
            return unknownOption(option, command: command(in: arguments))
        }
        if let option = quoted(in: line, after: "Missing value for '") {
            let name = String(option.prefix { $0 != " " })
            if let index = arguments.firstIndex(of: name), index + 1 < arguments.endIndex {
                let value = arguments[index + 1]
                if value.hasPrefix("-"), value.dropFirst().first?.isNumber == true {
                    return "\(name) \(value) is negative; it must be 0 or more"
                }
            }
        }
        guard let first = line.first, first.isUppercase, line.dropFirst().first?.isLowercase == true else {
            return line
        }
        return first.lowercased() + line.dropFirst()
    }

    /// The words an `.allUnrecognized` argument collected, split at the first `--`, which ends
    /// options: what comes after it is operands even when it starts with `-`.
    static func operands(_ words: [String]) -> (beforeTerminator: ArraySlice<String>, operands: [String]) {
        guard let terminator = words.firstIndex(of: "--") else { return (words[...], words) }
        var operands = words
        operands.remove(at: terminator)
        return (words[..<terminator], operands)
    }

    /// The first word before any `--` that is an option, not a negative number.
    static func firstOption(in words: [String]) -> String? {
        operands(words).beforeTerminator.first { $0.hasPrefix("-") && !($0.dropFirst().first?.isNumber ?? false) }
    }

    /// The line for an option `command` does not declare, with the nearest one it does.
    static func unknownOption(_ option: String, command: ParsableCommand.Type) -> String {
        let hint = closest(to: option, among: options(of: command)).map { " (did you mean '\($0)'?)" } ?? ""
        return "unknown option '\(option)'\(hint)"
    }

    /// The command that parses `arguments`: the named subcommand, or the default one.
    static func command(in arguments: ArraySlice<String>) -> ParsableCommand.Type {
        let subcommands = Hybrid.configuration.subcommands
        if let first = arguments.first, let named = subcommands.first(where: { $0.configuration.commandName == first })
        {
            return named
        }
        return Hybrid.configuration.defaultSubcommand ?? Hybrid.self
    }

    /// Every `--option` a command's help lists (hidden ones are not suggested).
    static func options(of command: ParsableCommand.Type) -> [String] {
        var names: [String] = []
        var rest = Substring(command.helpMessage(columns: 10_000))
        while let start = find("--", in: rest) {
            let name = rest[start...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
            if name.count > 2, !names.contains(String(name)) { names.append(String(name)) }
            rest = rest[rest.index(start, offsetBy: max(2, name.count))...]
        }
        return names
    }

    /// The candidate nearest to `word` by edit distance, when it is near enough to be a typo.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (candidate, score) = scored, score <= max(1, min(word.count, candidate.count) / 3) else {
            return nil
        }
        return candidate
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    private static func quoted(in line: String, after prefix: String) -> String? {
        guard let start = find(prefix, in: Substring(line)) else { return nil }
        let rest = line[line.index(start, offsetBy: prefix.count)...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<end])
    }

    /// Where `needle` first occurs in `text` (the command line links no Foundation).
    private static func find(_ needle: String, in text: Substring) -> String.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            if text[index...].hasPrefix(needle) { return index }
            index = text.index(after: index)
        }
        return nil
    }
}
