#if canImport(Glibc)
    import Glibc
#endif

/// How a primes job is answered: by sieving its range, or combinatorially (π(x) and the sum of
/// the primes up to x in sub-linear time, a range being the difference of two such prefixes).
public enum PrimesMethod: String, Sendable, Equatable, CaseIterable {
    /// Whichever the cost model below expects to be faster for the job.
    case auto
    /// The segmented sieve over the range, by the job's strategy and engine.
    case sieve
    /// Deléglise-Rivat for counts and sums (CPrimePi): on the calling thread, or from 10^11 its
    /// parts on the job's threads or processes.
    case combinatorial

    /// The method `auto` picks for `job`: the combinatorial one when its two prefixes are
    /// expected to take less than half the sieve's time on the job's workers.
    ///
    /// The model, fitted to one-thread measurements on a 2-core Zen 5: the sieve covers about
    /// 1.45 * 10^10 numbers a second per worker; the combinatorial engine takes about
    /// 0.13 s * (x / 10^12)^0.54 for a prefix up to x (0.13 s at 10^12, 1.48 s at 10^14, 17.8 s at
    /// 10^16), plus a fifth of a millisecond of set-up, and 0.9 of that when only the count
    /// is asked for (its count-only mode skips every sum). So a narrow range high up stays a sieve:
    /// [10^15, 10^15 + 10^9) sieves in about 0.1 s where two prefixes would take about 8 s.
    /// Prefixes whose parts spread over the job's workers (see
    /// ``PrimesRunner``) take that time divided by the workers the machine can run at once.
    package static func choice(for job: PrimesJob, cores: Int = ProcessorCount.available) -> PrimesMethod {
        let width = Double(job.range.count)
        let workers = Double(max(1, min(job.workers, cores)))
        let sieveSeconds = width / (1.45e10 * workers)
        let spread = Double(PrimesRunner.combinatorialWorkers(job).workers)
        func seconds(_ x: UInt64) -> Double {
            prefixSeconds(x, sum: job.sum) / (x >= PrimesRunner.spreadFrom ? min(spread, workers) : 1)
        }
        var combinatorialSeconds = seconds(job.range.upperBound)
        if job.range.lowerBound > 1 { combinatorialSeconds += seconds(job.range.lowerBound) }
        return combinatorialSeconds < 0.5 * sieveSeconds ? .combinatorial : .sieve
    }

    /// The model's seconds for the combinatorial totals of the primes below `x`, or for their
    /// count alone when `sum` is false.
    package static func prefixSeconds(_ x: UInt64, sum: Bool = true) -> Double {
        let both = 2e-4 + 0.13 * pow(max(Double(x), 1) / 1e12, 0.54)
        return sum ? both : countOnlyShare * both
    }

    /// The count-only mode's time as a share of the count and sum's, one thread each (0.95 at 10^12,
    /// 0.87 at 10^14, `Benchmarks/combinatorial.sh` on a shared machine).
    static let countOnlyShare = 0.9
}
