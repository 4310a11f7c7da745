import CSieve

/// The primes of a range written out as decimal lines, as `hybrid primes FROM TO --print` does:
/// in increasing order, in constant memory (the C sieve hands them over a batch at a time, and
/// the text goes out in 1 MiB writes).
package enum PrimeListing {
    /// Writes every prime in `range`, one a line, to `output`. Throws ``OutputError`` when a
    /// write fails (what was written before it stays written) and ``SieveError`` when the sieve
    /// does. The Swift engine has no listing of its own: both engines list through CSieve.
    /// The corresponding C function is `csieve_sieve_each`.
    package static func write(_ range: Range<UInt64>, engine: EngineKind, to output: FileHandleOutput) throws {
        let sieve = try CSieveEngine()
        let writer = Writer(output: output)
        defer { writer.release() }
        let status = csieve_sieve_each(
            sieve.sieve, range.lowerBound, range.upperBound,
            { context, primes, count in
                let writer = Unmanaged<Writer>.fromOpaque(context!).takeUnretainedValue()
                return writer.append(UnsafeBufferPointer(start: primes, count: count)) ? 0 : 1
            }, Unmanaged.passUnretained(writer).toOpaque())
        if let failure = writer.failure { throw failure }
        guard status == CSIEVE_OK else {
            throw status == CSIEVE_ENOMEM
                ? SieveError.outOfMemory : SieveError.invalidRange(from: range.lowerBound, to: range.upperBound)
        }
        try writer.flush()
        if let failure = writer.failure { throw failure }
    }

    /// Formats primes into one buffer and writes it out whenever it fills.
    private final class Writer {
        static let capacity = 1 << 20
        let output: FileHandleOutput
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 32)
        var used = 0
        var failure: OutputError?

        /// "00", "01", ... "99": two digits a step, half the divisions of one at a time.
        static let pairs: [UInt8] = {
            var pairs: [UInt8] = []
            for n in 0..<100 {
                pairs.append(UInt8(48 + n / 10))
                pairs.append(UInt8(48 + n % 10))
            }
            return pairs
        }()

        init(output: FileHandleOutput) { self.output = output }

        func release() { buffer.deallocate() }

        /// Appends each prime and a newline; false once a write has failed.
        func append(_ primes: UnsafeBufferPointer<UInt64>) -> Bool {
            Self.pairs.withUnsafeBufferPointer { pairs in
                var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for 20 digits
                for prime in primes {
                    if used > Self.capacity {
                        guard (try? flush()) != nil else { return false }
                    }
                    withUnsafeMutableBytes(of: &digits) { scratch in
                        var end = 24
                        var value = prime
                        while value >= 100 {
                            let pair = Int(value % 100) * 2
                            value /= 100
                            end -= 2
                            scratch[end] = pairs[pair]
                            scratch[end + 1] = pairs[pair + 1]
                        }
                        if value >= 10 {
                            end -= 2
                            scratch[end] = pairs[Int(value) * 2]
                            scratch[end + 1] = pairs[Int(value) * 2 + 1]
                        } else {
                            end -= 1
                            scratch[end] = UInt8(48 + value)
                        }
                        let length = 24 - end
                        (buffer + used).update(
                            from: scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) + end, count: length)
                        buffer[used + length] = 10
                        used += length + 1
                    }
                }
                return true
            }
        }

        /// Writes out what the buffer holds.
        func flush() throws(OutputError) {
            defer { used = 0 }
            do {
                try output.writeResult(UnsafeRawBufferPointer(start: buffer, count: used))
            } catch {
                failure = error
                throw error
            }
        }
    }
}
