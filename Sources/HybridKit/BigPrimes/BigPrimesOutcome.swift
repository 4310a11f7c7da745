/// What a bigprimes run made and what it cost.
public struct BigPrimesOutcome: Sendable, Equatable {
    public var job: BigPrimesJob
    /// The primes in item order, in decimal: `primes[i]` is item `i`'s.
    public var primes: [String]
    public var wallSeconds: Double
    public var cpuSeconds: Double

    /// `{"bits": B, "count": K, "seed": S, "primes": ["..."], "seconds": T}`: primes travel as
    /// decimal strings, since most exceed what JSON readers keep exactly.
    package var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("bits", .integer(Int64(job.bits))),
            ("count", .integer(Int64(job.count))),
            ("seed", .unsigned(job.seed)),
            ("primes", .array(primes.map { .string($0) })),
            ("strategy", .string(job.strategy.rawValue)),
            ("workers", .integer(Int64(job.workers))),
        ]
        // Under mpi, workers are each rank's threads.
        if job.strategy == .mpi, let place = MPIRuntime.place { fields.append(("ranks", .integer(Int64(place.ranks)))) }
        fields.append(("seconds", .number(wallSeconds)))
        return .object(fields)
    }

    /// One prime per line, each line ended by a newline.
    public var lines: String {
        var text = ""
        text.reserveCapacity(primes.reduce(0) { $0 + $1.utf8.count + 1 })
        for prime in primes {
            text += prime
            text += "\n"
        }
        return text
    }
}
