// Counts and sums the primes below 10^9 through HybridKit.
import HybridKit

let engine = try CSieveEngine()
let totals = try engine.totals(in: 0..<1_000_000_000)
print("Swift: \(totals.count) primes below 10^9, sum \(totals.sum!)")
