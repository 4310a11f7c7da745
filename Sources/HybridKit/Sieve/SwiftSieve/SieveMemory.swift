#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Swift engine's memory: `malloc` and `free`, so that running out of memory is a
/// ``SieveError/outOfMemory`` as it is for the C engine, not a trap.
enum SieveMemory {
    /// Memory for `count` values of `type`, uninitialized, aligned to 64 bytes (a cache line).
    static func allocate<Value>(_ type: Value.Type, count: Int) throws(SieveError) -> UnsafeMutablePointer<Value> {
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, 64, max(count, 1) * MemoryLayout<Value>.stride) == 0, let memory else {
            throw .outOfMemory
        }
        return memory.bindMemory(to: type, capacity: count)
    }

    /// Grows `pointer` (from ``allocate(_:count:)`` or ``reallocate(_:count:)``) to `count` values.
    static func reallocate<Value>(_ pointer: UnsafeMutablePointer<Value>?, count: Int)
        throws(SieveError) -> UnsafeMutablePointer<Value>
    {
        guard let memory = realloc(pointer, count * MemoryLayout<Value>.stride) else { throw .outOfMemory }
        return memory.bindMemory(to: Value.self, capacity: count)
    }

    static func free<Value>(_ pointer: UnsafeMutablePointer<Value>?) {
        Glibc.free(pointer)
    }
}
