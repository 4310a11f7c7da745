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

/// Published values every engine and method is held to.
enum KnownValues {
    /// π(10^k) (OEIS A006880) and the sum of the primes below 10^k (OEIS A046731), k = 1 ... 19.
    static let belowPowersOfTen: [(to: UInt64, count: UInt64, sum: UInt128)] = [
        (10, 4, 17),
        (100, 25, 1060),
        (1_000, 168, 76127),
        (10_000, 1229, 5_736_396),
        (100_000, 9592, 454_396_537),
        (1_000_000, 78498, 37_550_402_023),
        (10_000_000, 664_579, 3_203_324_994_356),
        (100_000_000, 5_761_455, 279_209_790_387_276),
        (1_000_000_000, 50_847_534, 24_739_512_092_254_535),
        (10_000_000_000, 455_052_511, 2_220_822_432_581_729_238),
        (100_000_000_000, 4_118_054_813, 201_467_077_743_744_681_014),
        (1_000_000_000_000, 37_607_912_018, 18_435_588_552_550_705_911_377),
        (10_000_000_000_000, 346_065_536_839, 1_699_246_443_377_779_418_889_494),
        (100_000_000_000_000, 3_204_941_750_802, 157_589_260_710_736_940_541_561_021),
        (1_000_000_000_000_000, 29_844_570_422_669, 14_692_398_516_908_006_398_225_702_366),
        (10_000_000_000_000_000, 279_238_341_033_925, 1_376_110_854_313_351_899_159_632_866_552),
        (100_000_000_000_000_000, 2_623_557_157_654_233, 129_408_626_276_669_278_966_252_031_311_350),
        (1_000_000_000_000_000_000, 24_739_954_287_740_860, 12_212_914_292_949_226_570_880_576_733_896_687),
        (
            10_000_000_000_000_000_000, 234_057_667_276_344_607,
            1_156_251_260_549_368_082_781_614_413_945_980_126
        ),
    ]
}
