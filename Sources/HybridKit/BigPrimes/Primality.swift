import CBigPrimes

/// What a primality test found for a number: proven prime, probable prime or composite.
public enum Primality: String, Sendable, Equatable, CaseIterable {
    /// Proven prime: every prime below 2^64 (a deterministic Miller-Rabin test), and the rare
    /// larger one GMP proves.
    case prime
    /// Above 2^64: passed Baillie-PSW and a further Miller-Rabin round; no composite is known to
    /// pass.
    case probablePrime = "probable prime"
    /// Certainly not prime: 0, 1, or a number with a factor.
    case composite

    /// Tests a non-negative decimal integer of any size.
    ///
    /// `decimal` is one or more ASCII digits and nothing else (leading zeros are fine); anything
    /// else throws a ``UsageError`` that names it. The corresponding C function is
    /// `cbigprimes_primality`.
    public init(testing decimal: String) throws(UsageError) {
        var verdict: Int32 = 0
        let status = decimal.withCString { cbigprimes_primality($0, &verdict) }
        guard status == CBIGPRIMES_OK, decimal.utf8.allSatisfy({ $0 != 0 }) else {
            throw UsageError("'\(decimal)' is not a non-negative decimal integer")
        }
        switch verdict {
        case CBIGPRIMES_PRIME: self = .prime
        case CBIGPRIMES_PROBABLE_PRIME: self = .probablePrime
        default: self = .composite
        }
    }

    /// Tests a number below 2^64: always ``prime`` or ``composite``, proven.
    ///
    /// The corresponding C function is `cbigprimes_is_prime_u64`.
    public init(_ number: UInt64) {
        self = cbigprimes_is_prime_u64(number) != 0 ? .prime : .composite
    }

    /// Whether the number is prime or probably prime.
    public var isPrime: Bool { self != .composite }
}
