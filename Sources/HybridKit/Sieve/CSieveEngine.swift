import CSieve

/// The C engine: a segmented sieve in CSieve, owned by one thread (or one forked process) at a time.
///
/// Each call pays only its own set-up (the sieving primes up to the square root of the range's
/// end), so one engine can sieve the many chunks of a large range one after another.
/// The corresponding C functions are `csieve_sieve_new`, `csieve_sieve_run` and `csieve_sieve_free`.
public final class CSieveEngine {
    /// The C sieve; forked workers sieve with their copy-on-write copies of it.
    package let sieve: OpaquePointer

    /// Makes an engine with a segment sized from this CPU's caches.
    public init() throws(SieveError) {
        guard let sieve = csieve_sieve_new() else { throw .outOfMemory }
        self.sieve = sieve
    }

    deinit {
        csieve_sieve_free(sieve)
    }

    /// Makes now what runs below `to` would make on first need (patterns, buffers, the
    /// generator's table), so that forked workers share it rather than each allocating it after
    /// the fork. The corresponding C function is `csieve_sieve_prepare`.
    package func prepare(upTo to: UInt64) throws(SieveError) {
        guard csieve_sieve_prepare(sieve, to) == CSIEVE_OK else { throw .outOfMemory }
    }

    /// The segment size in bytes (each byte covers 30 numbers). Setting it rounds down to a power
    /// of two in 64 ... 8 MiB; 0 restores the cache-derived size. Answers never depend on it.
    public var segmentBytes: Int {
        get { csieve_sieve_segment_bytes(sieve) }
        set { _ = csieve_sieve_set_segment_bytes(sieve, newValue) }
    }

    /// Counts, and with `sum` also sums, the primes in `range`.
    public func totals(in range: Range<UInt64>, sum: Bool = true) throws(SieveError) -> PrimeTotals {
        var result = csieve_result()
        let flags = sum ? UInt32(CSIEVE_SUM) : UInt32(CSIEVE_COUNT)
        switch csieve_sieve_run(sieve, range.lowerBound, range.upperBound, flags, &result) {
        case CSIEVE_OK:
            let total = UInt128(result.sum_high) << 64 | UInt128(result.sum_low)
            return PrimeTotals(count: result.count, sum: sum ? total : nil)
        case CSIEVE_ENOMEM:
            throw .outOfMemory
        default:
            throw .invalidRange(from: range.lowerBound, to: range.upperBound)
        }
    }
}
