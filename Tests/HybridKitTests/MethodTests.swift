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
}
