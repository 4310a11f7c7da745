/// Slow, obviously correct answers that the sieve is checked against.
enum Reference {
    /// Trial division: fine for numbers below about 10^12 in small ranges.
    static func isPrime(byTrialDivision n: UInt64) -> Bool {
        if n < 2 { return false }
        if n < 4 { return true }
        if n % 2 == 0 { return false }
        var divisor: UInt64 = 3
        while divisor * divisor <= n {
            if n % divisor == 0 { return false }
            divisor += 2
        }
        return true
    }

    /// Deterministic Miller–Rabin for every 64-bit n (the first 12 primes as bases suffice
    /// below 3.3 * 10^24).
    static func isPrime(byMillerRabin n: UInt64) -> Bool {
        if n < 2 { return false }
        let bases: [UInt64] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37]
        for base in bases {
            if n == base { return true }
            if n % base == 0 { return false }
        }
        var odd = n - 1
        var twos = 0
        while odd % 2 == 0 {
            odd /= 2
            twos += 1
        }
        func multiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
            UInt64((UInt128(a) * UInt128(b)) % UInt128(n))
        }
        func power(_ base: UInt64, _ exponent: UInt64) -> UInt64 {
            var result: UInt64 = 1
            var base = base % n
            var exponent = exponent
            while exponent > 0 {
                if exponent & 1 == 1 { result = multiply(result, base) }
                base = multiply(base, base)
                exponent >>= 1
            }
            return result
        }
        witnesses: for base in bases {
            var x = power(base, odd)
            if x == 1 || x == n - 1 { continue }
            for _ in 1..<max(twos, 1) {
                x = multiply(x, x)
                if x == n - 1 { continue witnesses }
            }
            return false
        }
        return true
    }

    /// Count and sum of the primes in `range` by a primality test on every number.
    static func totals(in range: Range<UInt64>, isPrime: (UInt64) -> Bool) -> (count: UInt64, sum: UInt128) {
        var count: UInt64 = 0
        var sum: UInt128 = 0
        var n = range.lowerBound
        while n < range.upperBound {
            if isPrime(n) {
                count += 1
                sum += UInt128(n)
            }
            n += 1
        }
        return (count, sum)
    }
}

/// A small deterministic generator, so a failing random case can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
