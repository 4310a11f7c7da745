/// The mod-30 wheel, as in CSieve's `wheel.h`.
///
/// Only numbers coprime to 30 can be primes above 5, and there are 8 of them in every 30: 1, 7, 11,
/// 13, 17, 19, 23, 29. A sieve byte b stands for the numbers [30b, 30b + 30), and its bit k for
/// 30b + residue(k). A sieving prime p = 30q + residue(c) belongs to wheel class c; for a multiple
/// p * m with m at wheel position i, the next multiple p * (m + gap(i)) lies
/// q * gap(i) + adjust(c, i) bytes further on.
///
/// The tables of `wheel.h` are written here as small functions of their indices: inlined with
/// constant arguments (the crossing-off loop's class and position) they fold to immediates, which
/// a table in memory would not. Where the indices vary at run time, ``WheelLookup`` holds them.
enum Wheel {
    /// The residues coprime to 30, with residue(8) = 31 so that gaps wrap into the next turn.
    @_transparent
    static func residue(_ position: Int) -> Int {
        switch position {
        case 0: 1
        case 1: 7
        case 2: 11
        case 3: 13
        case 4: 17
        case 5: 19
        case 6: 23
        case 7: 29
        default: 31
        }
    }

    /// The position of `remainder` (a number mod 30) among the residues, or 8 when it shares a factor with 30.
    @_transparent
    static func position(of remainder: Int) -> Int {
        switch remainder {
        case 1: 0
        case 7: 1
        case 11: 2
        case 13: 3
        case 17: 4
        case 19: 5
        case 23: 6
        case 29: 7
        default: 8
        }
    }

    /// What to add to a number with this remainder mod 30 to make it coprime to 30 (0 when it is).
    static func roundUp(_ remainder: Int) -> Int {
        var distance = 0
        while position(of: (remainder + distance) % 30) == 8 { distance += 1 }
        return distance
    }

    /// residue(i + 1) - residue(i): how far m moves from position i.
    @_transparent
    static func gap(_ position: Int) -> Int { residue(position + 1) &- residue(position) }

    /// The bit that p * m sets, for p of class `wheelClass` and m at `position`.
    @_transparent
    static func bit(_ wheelClass: Int, _ position: Int) -> Int {
        Self.position(of: residue(wheelClass) &* residue(position) % 30)
    }

    /// The byte mask that clears that bit.
    @_transparent
    static func mask(_ wheelClass: Int, _ position: Int) -> UInt8 { ~(1 << UInt8(bit(wheelClass, position))) }

    /// The carry into the next byte when m steps on from `position`.
    @_transparent
    static func adjust(_ wheelClass: Int, _ position: Int) -> Int {
        residue(wheelClass) &* residue(position + 1) / 30 &- residue(wheelClass) &* residue(position) / 30
    }

    /// Within a turn that starts at the multiple with m = 1 (mod 30), the k-th multiple lies
    /// q * (residue(k) - 1) + turnOffset(c, k) bytes after the first.
    @_transparent
    static func turnOffset(_ wheelClass: Int, _ position: Int) -> Int {
        residue(wheelClass) &* residue(position) / 30
    }
}

/// One step of a big prime on the mod-2310 wheel, as CSieve's `wheel2310.h`: a big prime
/// p = 30q + residue(c) at a multiplier m, with m mod 2310 the i-th number coprime to 2310, has wheel
/// index 480c + i; its multiple p * m lies in byte q * m + residue(c) * m / 30 at the bit `mask`
/// clears, and its next multiple `factor` * q + `carry` bytes further on, at index `next`. Stepping
/// over multipliers coprime to 2310 = 2 * 3 * 5 * 7 * 11 skips the multiples of 7 and 11 too, which
/// the pre-sieve has crossed off already: fewer visits, and fewer primes kept, for primes that cost
/// a visit per multiple. 8 bytes, so a step is one load.
struct BigWheelStep {
    var mask: UInt8
    var factor: UInt8
    var carry: UInt8
    var unused: UInt8 = 0
    var next: UInt32
}

/// The big primes' wheel.
enum BigWheel {
    static let modulus = 2310
    /// The numbers below 2310 coprime to it.
    static let positions = 480
    /// The largest gap between multipliers coprime to 2310.
    static let largestGap = 14
    /// The numbers up to 2311 coprime to 2310: the 480 residues, then 2311 so that gaps wrap.
    static func residues() -> [Int] {
        (1...modulus + 1).filter { $0 % 2 != 0 && $0 % 3 != 0 && $0 % 5 != 0 && $0 % 7 != 0 && $0 % 11 != 0 }
    }
}

/// The wheel's tables in memory, for the loops whose class and position vary per prime (the bucket
/// sieve, filing sieving primes). Immutable once made, so it can be shared.
final class WheelLookup {
    /// masks[8 * class + position]: the byte mask that clears p * m's bit.
    let masks: UnsafeMutablePointer<UInt8>
    /// adjusts[8 * class + position].
    let adjusts: UnsafeMutablePointer<UInt8>
    /// gaps[position].
    let gaps: UnsafeMutablePointer<UInt8>
    /// positions[n % 30]: Wheel.position(of:), 8 for a remainder that shares a factor with 30.
    let positions: UnsafeMutablePointer<UInt8>
    /// roundUps[n % 30]: Wheel.roundUp(_:).
    let roundUps: UnsafeMutablePointer<UInt8>
    /// bigSteps[480 * class + i]: the big primes' wheel.
    let bigSteps: UnsafeMutablePointer<BigWheelStep>
    /// bigRoundUps[m % 2310]: what to add to m to make it coprime to 2310.
    let bigRoundUps: UnsafeMutablePointer<UInt8>
    /// bigPositions[r] for r < 2312: r's position among the numbers coprime to 2310 (2311 is 1
    /// again, at 0), 480 for one that is not.
    let bigPositions: UnsafeMutablePointer<UInt16>

    init() {
        masks = .allocate(capacity: 64)
        adjusts = .allocate(capacity: 64)
        gaps = .allocate(capacity: 8)
        positions = .allocate(capacity: 30)
        roundUps = .allocate(capacity: 30)
        for remainder in 0..<30 {
            positions[remainder] = UInt8(Wheel.position(of: remainder))
            roundUps[remainder] = UInt8(Wheel.roundUp(remainder))
        }
        for wheelClass in 0..<8 {
            for position in 0..<8 {
                masks[8 * wheelClass + position] = Wheel.mask(wheelClass, position)
                adjusts[8 * wheelClass + position] = UInt8(Wheel.adjust(wheelClass, position))
            }
        }
        for position in 0..<8 { gaps[position] = UInt8(Wheel.gap(position)) }

        let count = BigWheel.positions, modulus = BigWheel.modulus
        bigSteps = .allocate(capacity: 8 * count)
        bigRoundUps = .allocate(capacity: modulus)
        bigPositions = .allocate(capacity: modulus + 2)
        let residues = BigWheel.residues()
        for wheelClass in 0..<8 {
            let r = Wheel.residue(wheelClass)
            for i in 0..<count {
                let m = residues[i], gap = residues[i + 1] - m
                bigSteps[count * wheelClass + i] = BigWheelStep(
                    mask: Wheel.mask(wheelClass, Wheel.position(of: m % 30)), factor: UInt8(gap),
                    carry: UInt8(r * (m + gap) / 30 - r * m / 30), next: UInt32(count * wheelClass + (i + 1) % count))
            }
        }
        bigPositions.initialize(repeating: UInt16(count), count: modulus + 2)
        for (i, m) in residues.enumerated() { bigPositions[m] = UInt16(i % count) }
        for remainder in 0..<modulus {
            var distance = 0
            while bigPositions[remainder + distance] == UInt16(count) { distance += 1 }
            bigRoundUps[remainder] = UInt8(distance)
        }
    }

    deinit {
        masks.deallocate()
        adjusts.deallocate()
        gaps.deallocate()
        positions.deallocate()
        roundUps.deallocate()
        bigSteps.deallocate()
        bigRoundUps.deallocate()
        bigPositions.deallocate()
    }
}
