import HybridKit

/// What `hybrid primes` was asked to do, whichever reader read its command line.
///
/// ArgumentParser reads every command line (``Primes``), but building its model of a command
/// costs about 20 million instructions, four times the rest of `hybrid primes 1000` and more
/// than all of primesieve's start. So the plain `hybrid primes` lines (numbers and
/// `--name value` options, each at most once) are read here first, in ``init(fastReading:)``;
/// anything else (help, `--name=value`, a bad value, an unknown word, an invalid combination)
/// falls back to ArgumentParser, which then reports it as always. The tests hold the two
/// readers to the same result, and this reader to every option ``Primes`` declares.
struct PrimesRequest: Equatable {
    var bounds: [String]
    var strategy: ComputeStrategy = .processes
    var workers: Int?
    var journal: String?
    var engine: EngineKind = .c
    var countOnly = false
    var print = false
    var method: PrimesMethod = .auto
    var doubleCheck = false
    var json = false
    var noProgress = false
    var progressDelay: Double = 1
    var injectFaultChunk: Int?
    var injectFaultEveryTime = false

    /// Every option this reader knows: all that ``Primes`` declares but `--help`. An array, as
    /// is `seen` below: a `Set<String>` costs its first use a run-time look-up of its generic
    /// type, about 0.3 million instructions, more than reading the whole line.
    static let fastOptions: [String] = [
        "--strategy", "--workers", "--journal", "--engine", "--count-only", "--print", "--method", "--double-check",
        "--json", "--no-progress",
        "--progress-delay", "--inject-fault-chunk", "--inject-fault-every-time",
    ]
}

extension PrimesRequest {
    /// Reads `arguments` (the command line after the program's name) when it is a plain
    /// `primes` line that ArgumentParser would accept; `nil` for any other, which ArgumentParser
    /// reads instead.
    init?<Arguments: Collection<String>>(fastReading arguments: Arguments) {
        guard arguments.first == "primes" else { return nil }
        bounds = []
        var seen: [String] = []
        var words = arguments.dropFirst().makeIterator()
        while let word = words.next() {
            guard word.hasPrefix("-") else {
                bounds.append(word)
                continue
            }
            guard Self.fastOptions.contains(word), !seen.contains(word) else { return nil }
            seen.append(word)
            switch word {
            case "--count-only": countOnly = true
            case "--print": print = true
            case "--double-check": doubleCheck = true
            case "--json": json = true
            case "--no-progress": noProgress = true
            case "--inject-fault-every-time": injectFaultEveryTime = true
            default:
                guard let value = words.next(), !value.hasPrefix("-"), set(word, to: value) else { return nil }
            }
        }
        guard (1...2).contains(bounds.count) else { return nil }
        // --print with an option it cannot honour is for ArgumentParser's reader to refuse.
        if print, countOnly || json || journal != nil { return nil }
        guard OutputOptions.progressDelays.contains(progressDelay) else { return nil }
        do { try strategy.validate(workers: workers ?? strategy.defaultWorkers) } catch { return nil }
    }

    /// Sets the option `name` from `value`; false when the value is not one it takes.
    private mutating func set(_ name: String, to value: String) -> Bool {
        switch name {
        case "--strategy":
            guard let strategy = ComputeStrategy(rawValue: value) else { return false }
            self.strategy = strategy
        case "--workers":
            guard let workers = Int(value) else { return false }
            self.workers = workers
        case "--journal":
            journal = value
        case "--engine":
            guard let engine = EngineKind(rawValue: value) else { return false }
            self.engine = engine
        case "--method":
            guard let method = PrimesMethod(rawValue: value) else { return false }
            self.method = method
        case "--progress-delay":
            guard let delay = Double(value) else { return false }
            progressDelay = delay
        case "--inject-fault-chunk":
            guard let chunk = Int(value) else { return false }
            injectFaultChunk = chunk
        default:
            return false
        }
        return true
    }
}
