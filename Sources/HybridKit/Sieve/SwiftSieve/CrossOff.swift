/// A sieving prime as an engine keeps it: p / 30, and where its next multiple lies.
struct SievingPrime {
    /// p / 30.
    var quotient: UInt32
    /// byte offset << 6 | wheel class << 3 | wheel position of the next multiple.
    var offsetWheel: UInt32
}

/// Crossing off the multiples of small and medium primes: CSieve's `cross_off`, unrolled over a
/// whole turn of the wheel.
enum CrossOff {
    /// Runs ``crossOff(_:length:quotient:offsetWheel:wheelClass:)`` over primes that all share one
    /// wheel class, updating each one's next multiple. The switch's literal cases give every class its
    /// own copy of the loop, with its masks and carries folded to constants.
    static func crossOff(
        _ window: UnsafeMutablePointer<UInt8>, length: Int, primes: UnsafeMutablePointer<SievingPrime>, count: Int,
        wheelClass: Int
    ) {
        switch wheelClass {
        case 0: crossOffAll(window, length, primes, count, 0)
        case 1: crossOffAll(window, length, primes, count, 1)
        case 2: crossOffAll(window, length, primes, count, 2)
        case 3: crossOffAll(window, length, primes, count, 3)
        case 4: crossOffAll(window, length, primes, count, 4)
        case 5: crossOffAll(window, length, primes, count, 5)
        case 6: crossOffAll(window, length, primes, count, 6)
        default: crossOffAll(window, length, primes, count, 7)
        }
    }

    @_transparent
    private static func crossOffAll(
        _ window: UnsafeMutablePointer<UInt8>, _ length: Int, _ primes: UnsafeMutablePointer<SievingPrime>,
        _ count: Int, _ wheelClass: Int
    ) {
        var item = primes
        let end = primes + count
        while item < end {
            item.pointee.offsetWheel = crossOff(
                window, length: length, quotient: item.pointee.quotient, offsetWheel: item.pointee.offsetWheel,
                wheelClass: wheelClass)
            item += 1
        }
    }

    /// Crosses off the multiples of one prime of class `wheelClass` in window[0, length) and returns its
    /// state relative to the window's end. It enters at the multiple's wheel position (a switch whose
    /// cases fall through, as C's switch into its loop) and then crosses a whole turn of 8 multiples per
    /// iteration while the turn fits, which keeps the hot loop free of table look-ups and bounds checks.
    @_transparent
    static func crossOff(
        _ window: UnsafeMutablePointer<UInt8>, length: Int, quotient: UInt32, offsetWheel: UInt32, wheelClass c: Int
    ) -> UInt32 {
        let q = Int(quotient)
        var at = Int(offsetWheel >> 6)
        // Constants once per call: immediates in an optimized build, and cheap in a debug one.
        let m0 = Wheel.mask(c, 0), m1 = Wheel.mask(c, 1), m2 = Wheel.mask(c, 2), m3 = Wheel.mask(c, 3)
        let m4 = Wheel.mask(c, 4), m5 = Wheel.mask(c, 5), m6 = Wheel.mask(c, 6), m7 = Wheel.mask(c, 7)
        let s0 = q &* Wheel.gap(0) &+ Wheel.adjust(c, 0), s1 = q &* Wheel.gap(1) &+ Wheel.adjust(c, 1)
        let s2 = q &* Wheel.gap(2) &+ Wheel.adjust(c, 2), s3 = q &* Wheel.gap(3) &+ Wheel.adjust(c, 3)
        let s4 = q &* Wheel.gap(4) &+ Wheel.adjust(c, 4), s5 = q &* Wheel.gap(5) &+ Wheel.adjust(c, 5)
        let s6 = q &* Wheel.gap(6) &+ Wheel.adjust(c, 6), s7 = q &* Wheel.gap(7) &+ Wheel.adjust(c, 7)

        @inline(__always) func state(_ position: Int) -> UInt32 {
            UInt32(truncatingIfNeeded: (at &- length) << 6 | c << 3 | position)
        }

        switch Int(offsetWheel & 7) {
        case 1:
            if at >= length { return state(1) }
            window[at] &= m1
            at &+= s1
            fallthrough
        case 2:
            if at >= length { return state(2) }
            window[at] &= m2
            at &+= s2
            fallthrough
        case 3:
            if at >= length { return state(3) }
            window[at] &= m3
            at &+= s3
            fallthrough
        case 4:
            if at >= length { return state(4) }
            window[at] &= m4
            at &+= s4
            fallthrough
        case 5:
            if at >= length { return state(5) }
            window[at] &= m5
            at &+= s5
            fallthrough
        case 6:
            if at >= length { return state(6) }
            window[at] &= m6
            at &+= s6
            fallthrough
        case 7:
            if at >= length { return state(7) }
            window[at] &= m7
            at &+= s7
        default:
            break
        }

        // Now at position 0: whole turns while the turn's last multiple lies in the window.
        let prime = q &* 30 &+ Wheel.residue(c)
        let last = q &* (Wheel.residue(7) &- 1) &+ Wheel.turnOffset(c, 7)
        let o1 = q &* (Wheel.residue(1) &- 1) &+ Wheel.turnOffset(c, 1)
        let o2 = q &* (Wheel.residue(2) &- 1) &+ Wheel.turnOffset(c, 2)
        let o3 = q &* (Wheel.residue(3) &- 1) &+ Wheel.turnOffset(c, 3)
        let o4 = q &* (Wheel.residue(4) &- 1) &+ Wheel.turnOffset(c, 4)
        let o5 = q &* (Wheel.residue(5) &- 1) &+ Wheel.turnOffset(c, 5)
        let o6 = q &* (Wheel.residue(6) &- 1) &+ Wheel.turnOffset(c, 6)
        while true {
            if length > last {
                let stop = length &- last
                while at < stop {
                    let p = window + at
                    p[0] &= m0
                    p[o1] &= m1
                    p[o2] &= m2
                    p[o3] &= m3
                    p[o4] &= m4
                    p[o5] &= m5
                    p[o6] &= m6
                    p[last] &= m7
                    at &+= prime
                }
            }
            // The rest of the turn: its last multiple lies past the window, so this returns within it.
            if at >= length { return state(0) }
            window[at] &= m0
            at &+= s0
            if at >= length { return state(1) }
            window[at] &= m1
            at &+= s1
            if at >= length { return state(2) }
            window[at] &= m2
            at &+= s2
            if at >= length { return state(3) }
            window[at] &= m3
            at &+= s3
            if at >= length { return state(4) }
            window[at] &= m4
            at &+= s4
            if at >= length { return state(5) }
            window[at] &= m5
            at &+= s5
            if at >= length { return state(6) }
            window[at] &= m6
            at &+= s6
            if at >= length { return state(7) }
            window[at] &= m7
            at &+= s7
        }
    }
}
