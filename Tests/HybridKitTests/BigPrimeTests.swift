import CBigPrimes
import CSieve
import HybridKit
import Synchronization
import Testing

/// Decimal arithmetic just big enough to check big primes without trusting GMP to check itself.
enum Decimal {
    /// 2^exponent - 1 in decimal, by doubling a digit array.
    static func mersenne(_ exponent: Int) -> String {
        var digits: [UInt8] = [1]  // least significant first
        for _ in 0..<exponent {
            var carry: UInt8 = 0
            for index in digits.indices {
                let doubled = digits[index] * 2 + carry
                digits[index] = doubled % 10
                carry = doubled / 10
            }
            if carry > 0 { digits.append(carry) }
        }
        digits[0] -= 1  // 2^n ends in 2, 4, 6 or 8: no borrow
        return String(digits.reversed().map { Character(String($0)) })
    }

    /// The number of bits of a decimal number (0 for zero), through 32-bit limbs.
    static func bitLength(_ decimal: String) -> Int {
        var limbs: [UInt32] = []  // least significant first
        for character in decimal.utf8 {
            var carry = UInt64(character - UInt8(ascii: "0"))
            for index in limbs.indices {
                let value = UInt64(limbs[index]) * 10 + carry
                limbs[index] = UInt32(truncatingIfNeeded: value)
                carry = value >> 32
            }
            if carry > 0 { limbs.append(UInt32(carry)) }
        }
        guard let top = limbs.last else { return 0 }
        return (limbs.count - 1) * 32 + (32 - top.leadingZeroBitCount)
    }
}

@Suite("Big primes and primality")
struct BigPrimeTests {
    @Test("every prime has exactly B bits and tests prime", arguments: [2, 3, 4, 5, 63, 64, 65, 127, 128, 129, 1024])
    func exactBits(bits: Int) throws {
        let count = bits >= 1024 ? 3 : 40
        for item in 0..<count {
            let prime = BigPrime.generate(bits: bits, seed: 7, item: UInt64(item))
            #expect(Decimal.bitLength(prime) == bits, "item \(item): \(prime)")
            #expect(prime.count <= BigPrime.maximumDigits(bits: bits))
            #expect(try Primality(testing: prime).isPrime, "item \(item): \(prime)")
        }
    }

    @Test("2 bits gives both 2 and 3; 3 bits both 5 and 7; small bits cover every prime")
    func smallBitsCoverAll() {
        func primes(bits: Int) -> Set<String> {
            Set((0..<200).map { BigPrime.generate(bits: bits, seed: 1, item: UInt64($0)) })
        }
        #expect(primes(bits: 2) == ["2", "3"])
        #expect(primes(bits: 3) == ["5", "7"])
        #expect(primes(bits: 4) == ["11", "13"])
    }

    @Test("an item's prime depends on seed and item only")
    func deterministic() {
        let first = BigPrime.generate(bits: 256, seed: 42, item: 9)
        #expect(BigPrime.generate(bits: 256, seed: 42, item: 9) == first)
        #expect(BigPrime.generate(bits: 256, seed: 43, item: 9) != first)
        #expect(BigPrime.generate(bits: 256, seed: 42, item: 10) != first)
        // Pinned, so a change to the documented generator cannot pass unnoticed.
        #expect(
            (0..<8).map { BigPrime.generate(bits: 8, seed: 1, item: UInt64($0)) }
                == ["239", "149", "223", "179", "179", "137", "233", "251"])
    }

    @Test("maximum digits are those of 2^B - 1")
    func maximumDigits() {
        for bits in 2...1100 where bits % 7 == 0 || bits < 80 || bits == 1024 {
            let power = Decimal.mersenne(bits)
            #expect(BigPrime.maximumDigits(bits: bits) == power.count, "bits \(bits)")
        }
        #expect(BigPrime.maximumDigits(bits: 65536) == 19729)
    }

    @Test(
        "known primes and composites",
        arguments: [
            ("0", Primality.composite), ("1", .composite), ("2", .prime), ("3", .prime), ("4", .composite),
            ("561", .composite), ("41041", .composite), ("0007", .prime),
            (Decimal.mersenne(127), .probablePrime), (Decimal.mersenne(521), .probablePrime),
            (Decimal.mersenne(128), .composite), (Decimal.mersenne(523), .composite),
            // The two largest primes below 2^64 (proven there), their product, the first above.
            ("18446744073709551557", .prime), ("18446744073709551533", .prime),
            ("18446744073709551615", .composite), ("18446744073709551629", .probablePrime),
            (String(UInt128(18_446_744_073_709_551_557) * 18_446_744_073_709_551_533), .composite),
            // Strong pseudoprimes to every prime base up to 17 and up to 23: the test's later
            // bases must catch them.
            ("341550071728321", .composite), ("3825123056546413051", .composite),
            ("2305843009213693951", .prime), ("2305843009213693953", .composite),
        ])
    func known(number: String, expected: Primality) throws {
        #expect(try Primality(testing: number) == expected)
    }

    @Test("below 2^64 the verdict is proven and agrees with the sieve")
    func agreesWithSieve() throws {
        // Every number below 2^17, then windows at 2^32 and just below 2^64.
        let windows: [(UInt64, UInt64)] = [
            (0, 1 << 17), (1 << 32 - 5000, 1 << 32 + 5000), (UInt64.max - 20000, UInt64.max),
        ]
        for (from, to) in windows {
            var primes: UInt64 = 0
            for n in from..<to {
                let verdict = try Primality(testing: String(n))
                #expect(verdict != .probablePrime, "\(n)")
                if verdict == .prime { primes += 1 }
            }
            var result = csieve_result()
            #expect(csieve_primes(from, to, &result) == CSIEVE_OK)
            #expect(primes == result.count, "[\(from), \(to))")
        }
    }

    @Test(
        "anything but digits is refused",
        arguments: ["", "-5", "+5", " 5", "5 ", "1.5", "1e6", "1_000", "12a", "٣", "1\u{0}2"])
    func notDecimal(text: String) {
        #expect(throws: UsageError.self) { try Primality(testing: text) }
    }

    @Test(
        "jobs out of bounds are refused",
        arguments: [
            BigPrimesJob(bits: 1, count: 1), BigPrimesJob(bits: 65537, count: 1), BigPrimesJob(bits: 8, count: 0),
            BigPrimesJob(bits: 8, count: 1_000_001), BigPrimesJob(bits: 8, count: 1, strategy: .threads, workers: 0),
            BigPrimesJob(bits: 8, count: 1, strategy: .serial, workers: 2),
        ])
    func outOfBounds(job: BigPrimesJob) {
        #expect(throws: UsageError.self) { try job.validate() }
    }
}

/// The same primes in the same order from every strategy and worker count. Fork tests run one at a time.
@Suite("Big primes across strategies and workers", .serialized)
struct BigPrimesStrategyTests {
    static let reference = (0..<24).map { BigPrime.generate(bits: 192, seed: 5, item: UInt64($0)) }

    @Test(
        "identical output",
        arguments: [
            (ComputeStrategy.serial, 1), (.threads, 1), (.threads, 2), (.threads, 3), (.processes, 1), (.processes, 2),
            (.processes, 3),
        ])
    func identical(strategy: ComputeStrategy, workers: Int) throws {
        let outcome = try BigPrimesRunner.run(
            BigPrimesJob(bits: 192, count: 24, seed: 5, strategy: strategy, workers: workers))
        #expect(outcome.primes == Self.reference)
        let small = try BigPrimesRunner.run(
            BigPrimesJob(bits: 12, count: 300, seed: 9, strategy: strategy, workers: workers))
        #expect(small.primes == (0..<300).map { BigPrime.generate(bits: 12, seed: 9, item: UInt64($0)) })
    }

    @Test("a worker killed on an item loses nothing")
    func workerDeath() throws {
        let warnings = Mutex<[String]>([])
        let options = RunOptions(
            fault: FaultInjection(item: 7), workerDied: { death in warnings.withLock { $0.append("\(death)") } })
        let outcome = try BigPrimesRunner.run(
            BigPrimesJob(bits: 192, count: 24, seed: 5, strategy: .processes, workers: 2), options: options)
        #expect(outcome.primes == Self.reference)
        let lines = warnings.withLock { $0 }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("re-runs its item 7") == true)
    }

    @Test("a worker that dies on every try ends the run with an error")
    func repeatedDeaths() {
        #expect(throws: PoolError.workersDied(6)) {
            try BigPrimesRunner.run(
                BigPrimesJob(bits: 64, count: 8, strategy: .processes, workers: 2),
                options: RunOptions(fault: FaultInjection(item: 3, everyTime: true)))
        }
    }

    @Test("the C work function offsets items by first_item", arguments: ComputeStrategy.allCases)
    func itemOffset(strategy: ComputeStrategy) throws {
        let slotBytes = BigPrime.maximumDigits(bits: 100) + 1
        var work = cbigprimes_work_context(seed: 3, first_item: 10, bits: 100, slot_bytes: slotBytes)
        let slots = try withUnsafeMutablePointer(to: &work) { work in
            try ParallelMap(items: 6, slotBytes: slotBytes, strategy: strategy, workers: strategy == .serial ? 1 : 2)
                .run(.calling(cbigprimes_work, context: work))
        }
        let primes = (0..<6).map { String(decoding: slots.slot($0).prefix { $0 != 0 }, as: UTF8.self) }
        #expect(primes == (10..<16).map { BigPrime.generate(bits: 100, seed: 3, item: UInt64($0)) })
    }
}
