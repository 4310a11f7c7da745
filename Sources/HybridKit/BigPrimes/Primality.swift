import CSieve

/// What a primality test found for a number: proven prime, probable prime or composite.
public enum Primality: String, Sendable, Equatable, CaseIterable {
    /// Proven prime (GMP proves small numbers, by trial division and the like).
    case prime
    /// Passed Baillie-PSW and a further Miller-Rabin round; no composite is known to pass.
    case probablePrime = "probable prime"
    /// Certainly not prime: 0, 1, or a number with a factor.
    case composite

    /// Tests a non-negative decimal integer of any size.
    ///
    /// `decimal` is one or more ASCII digits and nothing else (leading zeros are fine); anything
    /// else throws a ``UsageError`` that names it. The corresponding C function is
    /// `csieve_primality`.
    public init(testing decimal: String) throws(UsageError) {
        var verdict: Int32 = 0
        let status = decimal.withCString { csieve_primality($0, &verdict) }
        guard status == CSIEVE_OK, decimal.utf8.allSatisfy({ $0 != 0 }) else {
            throw UsageError("'\(decimal)' is not a non-negative decimal integer")
        }
        switch verdict {
        case CSIEVE_PRIME: self = .prime
        case CSIEVE_PROBABLE_PRIME: self = .probablePrime
        default: self = .composite
        }
    }

    /// Whether the number is prime or probably prime.
    public var isPrime: Bool { self != .composite }
}
