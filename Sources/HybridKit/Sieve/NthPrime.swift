import CSieve

#if canImport(Glibc)
    import Glibc
#endif

/// The n-th prime, for every n up to π(2^64 - 1): 2 is the first.
///
/// The combinatorial method counts the primes up to an estimate x of the answer (the inverse of
/// the logarithmic integral, li(x) = n, whose error is of the order of √x / ln x primes); the
/// sieve then counts on from x, forwards or backwards, in windows, and lists the one window that
/// holds the answer. So the cost is one π(x) (0.13 s at 10^12 on one core) plus a sieve of about
/// √x numbers.
public enum NthPrime {
    /// π(2^64 - 1): the index of the largest prime below 2^64, 2^64 - 59.
    public static let largestIndex: UInt64 = 425_656_284_035_217_743

    /// The n-th prime. Throws ``UsageError`` for n = 0 or n above ``largestIndex``, and
    /// ``SieveError`` when memory runs out.
    public static func prime(_ n: UInt64) throws -> UInt64 {
        guard n >= 1 else { throw UsageError("N must be at least 1: the first prime is 2") }
        guard n <= largestIndex else {
            throw UsageError("N is above \(largestIndex), the number of primes below 2^64")
        }
        let sieve = try CSieveEngine()
        // Small n: the first n primes lie below 8,000 for n <= 1000.
        if n <= 1000 { return try nth(n, in: 0..<8000, sieve: sieve)! }
        let estimate = UInt64(min(inverseLogarithmicIntegral(Double(n)), 18_446_744_073_709_551_000))
        let counted = try CombinatorialEngine.totals(upTo: estimate, sum: false).count
        let window: UInt64 = 1 << 26
        if counted < n {
            // The answer is the (n - counted)-th prime above the estimate.
            var needed = n - counted
            var from = estimate + 1
            while true {
                let to = from + min(window, UInt64.max - from)
                let found = try sieve.totals(in: from..<to, sum: false).count
                if found >= needed { return try nth(needed, in: from..<to, sieve: sieve)! }
                needed -= found
                from = to
            }
        }
        // The answer is the (counted - n + 1)-th prime at or below the estimate, counting down.
        var skip = counted - n
        var to = estimate + 1
        while true {
            let from = to - min(window, to)
            let found = try sieve.totals(in: from..<to, sum: false).count
            if found > skip { return try nth(found - skip, in: from..<to, sieve: sieve)! }
            skip -= found
            to = from
        }
    }

    /// The k-th prime (k >= 1) of `range`, or nil when it holds fewer.
    private static func nth(_ k: UInt64, in range: Range<UInt64>, sieve: CSieveEngine) throws(SieveError) -> UInt64? {
        final class Search {
            var remaining: UInt64
            var found: UInt64?
            init(_ k: UInt64) { remaining = k }
        }
        let search = Search(k)
        let status = csieve_sieve_each(
            sieve.sieve, range.lowerBound, range.upperBound,
            { context, primes, count in
                let search = Unmanaged<Search>.fromOpaque(context!).takeUnretainedValue()
                guard UInt64(count) >= search.remaining else {
                    search.remaining -= UInt64(count)
                    return 0
                }
                search.found = primes[Int(search.remaining) - 1]
                return 1
            }, Unmanaged.passUnretained(search).toOpaque())
        guard status == CSIEVE_OK || status == CSIEVE_ESTOPPED else { throw .outOfMemory }
        return search.found
    }

    /// x with li(x) = n, by Newton's method (li' = 1 / ln x); within a few units of the true
    /// inverse, far inside the error of li(x) against π(x).
    package static func inverseLogarithmicIntegral(_ n: Double) -> Double {
        var x = n * log(n)
        for _ in 0..<50 {
            let step = (logarithmicIntegral(x) - n) * log(x)
            x -= step
            if abs(step) < 1 { break }
        }
        return max(x, 2)
    }

    /// li(x) for x > 1, by Ramanujan's series (fast convergence for the x here, ln x < 45).
    package static func logarithmicIntegral(_ x: Double) -> Double {
        let eulerGamma = 0.577_215_664_901_532_860_6
        let l = log(x)
        var sum = 0.0
        // term_k = (-1)^(k-1) l^k / (k! 2^(k-1)); inner_k = the sum of 1 / (2j + 1), 2j + 1 <= k.
        var term = 0.0
        var inner = 0.0
        for k in 1...400 {
            term = k == 1 ? l : term * -l / (2 * Double(k))
            if k % 2 == 1 { inner += 1 / Double(k) }
            let piece = term * inner
            sum += piece
            if Double(k) > 2 * l && abs(piece) < 1e-18 * abs(sum) { break }
        }
        return eulerGamma + log(l) + sqrt(x) * sum
    }
}
