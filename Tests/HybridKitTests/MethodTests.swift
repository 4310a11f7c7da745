import HybridKit
import Testing

/// The two methods of a primes job: the sieve and the combinatorial one answer every range the
/// same, and the cost model picks between them.
@Suite("Primes methods")
struct MethodTests {
    @Test("the combinatorial and sieve methods agree on a thousand random ranges")
    func randomRanges() throws {
        var random = SplitMix64(state: 22)
        for _ in 0..<1000 {
            let a = UInt64.random(in: 0...20_000_000, using: &random)
            let b = UInt64.random(in: 0...20_000_000, using: &random)
            let range = min(a, b)..<max(a, b)
            let sieve = try PrimesRunner.run(PrimesJob(range: range, method: .sieve))
            let combinatorial = try PrimesRunner.run(PrimesJob(range: range, method: .combinatorial))
            #expect(combinatorial.totals == sieve.totals, "\(range)")
            #expect(combinatorial.method == .combinatorial && sieve.method == .sieve)
        }
    }

    @Test(
        "edges: empty ranges, 0, 1, 2, and from above 1",
        arguments: [
            (UInt64(0), UInt64(0)), (0, 1), (0, 2), (0, 3), (1, 2), (2, 3), (3, 3), (2, 100), (97, 98), (98, 100),
        ] as [(UInt64, UInt64)])
    func edges(from: UInt64, to: UInt64) throws {
        let sieve = try PrimesRunner.run(PrimesJob(range: from..<to, method: .sieve))
        let combinatorial = try PrimesRunner.run(PrimesJob(range: from..<to, method: .combinatorial))
        #expect(combinatorial.totals == sieve.totals)
    }

    @Test("a double check passes, and counting alone leaves the sum out")
    func doubleCheck() throws {
        var options = RunOptions()
        options.doubleCheck = true
        let outcome = try PrimesRunner.run(
            PrimesJob(range: 1000..<10_000_000, method: .combinatorial), options: options)
        #expect(outcome.totals == PrimeTotals(count: 664_579 - 168, sum: 3_203_324_994_356 - 76127))
        let counted = try PrimesRunner.run(
            PrimesJob(range: 0..<10_000_000, sum: false, method: .combinatorial), options: options)
        #expect(counted.totals == PrimeTotals(count: 664_579, sum: nil))
    }

    @Test(
        "auto: wide ranges are combinatorial, narrow ones high up are sieved",
        arguments: [
            (UInt64(0), UInt64(10_000_000_000), PrimesMethod.combinatorial),
            (0, 1_000_000_000_000_000, .combinatorial),
            (1_000_000_000_000_000, 1_000_000_001_000_000, .sieve),
            (UInt64.max - 1_000_000, UInt64.max, .sieve),
        ])
    func auto(from: UInt64, to: UInt64, method: PrimesMethod) {
        let job = PrimesJob(range: from..<to, strategy: .processes, workers: 2, method: .auto)
        #expect(PrimesMethod.choice(for: job, cores: 2) == method)
    }

    /// A range at 10^14 as wide as makes half the sieve's time fall between what the two prefixes
    /// cost with the sum and what they cost counting alone: only the count-only job is combinatorial.
    @Test("auto weighs the count-only mode when only the count is asked for")
    func autoCountOnly() {
        let from: UInt64 = 100_000_000_000_000
        let both = 2 * PrimesMethod.prefixSeconds(from)
        let alone = 2 * PrimesMethod.prefixSeconds(from, sum: false)
        #expect(alone < both)
        let width = UInt64((both + alone) * 1.45e10)
        let counted = PrimesJob(range: from..<from + width, strategy: .serial, workers: 1, sum: false, method: .auto)
        let summed = PrimesJob(range: from..<from + width, strategy: .serial, workers: 1, method: .auto)
        #expect(PrimesMethod.choice(for: counted, cores: 1) == .combinatorial)
        #expect(PrimesMethod.choice(for: summed, cores: 1) == .sieve)
    }
}

/// The n-th prime: published values, and every n of random stretches against the sieve's list.
@Suite("The n-th prime")
struct NthPrimeTests {
    /// p(10^k), k = 0 ... 12 (OEIS A006988).
    static let known: [(n: UInt64, prime: UInt64)] = [
        (1, 2), (10, 29), (100, 541), (1000, 7919), (10_000, 104_729), (100_000, 1_299_709),
        (1_000_000, 15_485_863), (10_000_000, 179_424_673), (100_000_000, 2_038_074_743),
        (1_000_000_000, 22_801_763_489), (10_000_000_000, 252_097_800_623),
        (100_000_000_000, 2_760_727_302_517), (1_000_000_000_000, 29_996_224_275_833),
    ]

    @Test("published values", arguments: known.filter { $0.n <= 10_000_000_000 })
    func published(n: UInt64, prime: UInt64) throws {
        #expect(try NthPrime.prime(n) == prime)
    }

    @Test(
        "published values up to 10^12", .enabled(if: optimized, "a second each in an optimized build only"),
        arguments: known.filter { $0.n > 10_000_000_000 })
    func publishedHigh(n: UInt64, prime: UInt64) throws {
        #expect(try NthPrime.prime(n) == prime)
    }

    @Test("every n around 1000 and random n up to 10^7 match the sieve's count", arguments: [UInt64(22), 23])
    func againstSieve(seed: UInt64) throws {
        var random = SplitMix64(state: seed)
        var indices = Array(UInt64(990)...1010)
        for _ in 0..<40 { indices.append(UInt64.random(in: 1...10_000_000, using: &random)) }
        for n in indices {
            let prime = try NthPrime.prime(n)
            #expect(Primality(prime) == .prime, "p(\(n)) = \(prime)")
            let below = try CSieveEngine().totals(in: 0..<prime, sum: false).count
            #expect(below == n - 1, "p(\(n)) = \(prime) has \(below) primes below it")
        }
    }

    @Test(
        "0 and indices past the last prime below 2^64 are refused", arguments: [UInt64(0), NthPrime.largestIndex + 1])
    func refused(n: UInt64) {
        #expect(throws: UsageError.self) { try NthPrime.prime(n) }
    }

    @Test("the estimate inverts li closely", arguments: [1e3, 1e6, 1e9, 1e12, 1e17])
    func inverse(n: Double) {
        let x = NthPrime.inverseLogarithmicIntegral(n)
        #expect(abs(NthPrime.logarithmicIntegral(x) - n) < 1e-6 * n)
    }
}
