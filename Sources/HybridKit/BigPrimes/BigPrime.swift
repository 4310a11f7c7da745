import CBigPrimes

/// Deterministic probable primes of an exact bit length, by GMP in CSieve.
///
/// Item `i` of a seed is the smallest probable prime at or above a `bits`-bit number drawn from
/// a SplitMix64 stream keyed by `(seed, i)` (cbigprimes.h gives the exact rule), so
/// an item's prime never depends on which worker made it or on how many there were.
public enum BigPrime {
    /// The bit lengths that can be asked for: 2 through 65,536.
    public static let bitRange: ClosedRange<Int> =
        Int(CBIGPRIMES_MIN_BITS)...Int(CBIGPRIMES_MAX_BITS)

    /// The probable-prime rounds behind every answer (Baillie-PSW stands for the first 24).
    public static let primalityRounds = Int(CBIGPRIMES_PRIMALITY_ROUNDS)

    /// The number of decimal digits of 2^`bits` - 1, the longest `bits`-bit number.
    ///
    /// `bits` must lie in ``bitRange``. The corresponding C function is `cbigprimes_digits`.
    public static func maximumDigits(bits: Int) -> Int {
        precondition(bitRange.contains(bits), "bits must lie in \(bitRange)")
        return cbigprimes_digits(UInt32(bits))
    }

    /// The `item`-th probable prime of exactly `bits` bits for `seed`, in decimal.
    ///
    /// `bits` must lie in ``bitRange``. Safe to call from many threads at once.
    /// The corresponding C function is `cbigprimes_prime`.
    public static func generate(bits: Int, seed: UInt64, item: UInt64) -> String {
        var buffer = [CChar](repeating: 0, count: maximumDigits(bits: bits) + 1)
        let status = cbigprimes_prime(seed, item, UInt32(bits), &buffer, buffer.count)
        precondition(status == CBIGPRIMES_OK, "cbigprimes_prime refused a checked argument")
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
