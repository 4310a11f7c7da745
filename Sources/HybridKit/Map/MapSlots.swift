/// The fixed-size result slots of a map's items, and which of them are finished.
///
/// A run returns one; a run can also be handed one with some items already finished (read back
/// from a journal, say), and then runs only the others.
public struct MapSlots: Sendable, Equatable {
    /// Bytes per slot.
    public let slotBytes: Int
    /// Items `0 ..< count`.
    public let count: Int
    /// Every slot, item after item: `count * slotBytes` bytes.
    public internal(set) var bytes: [UInt8]
    /// Whether each item's slot holds its result.
    public internal(set) var isFinished: [Bool]

    /// Slots for `count` items of `slotBytes` bytes each, none finished, all zero.
    public init(count: Int, slotBytes: Int) {
        precondition(count >= 0 && slotBytes > 0, "a map needs items >= 0 and slots of at least 1 byte")
        self.count = count
        self.slotBytes = slotBytes
        let (total, overflow) = count.multipliedReportingOverflow(by: slotBytes)
        precondition(!overflow, "\(count) slots of \(slotBytes) bytes do not fit in memory")
        bytes = [UInt8](repeating: 0, count: total)
        isFinished = [Bool](repeating: false, count: count)
    }

    /// The number of finished items.
    public var finishedCount: Int { isFinished.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// Records `slot` (exactly ``slotBytes`` bytes) as `item`'s finished result.
    public mutating func record(_ item: Int, _ slot: some Collection<UInt8>) {
        precondition(slot.count == slotBytes, "a slot is \(slotBytes) bytes, got \(slot.count)")
        bytes.replaceSubrange((item * slotBytes)..<((item + 1) * slotBytes), with: slot)
        isFinished[item] = true
    }

    /// `item`'s slot.
    public func slot(_ item: Int) -> ArraySlice<UInt8> {
        bytes[(item * slotBytes)..<((item + 1) * slotBytes)]
    }

    /// `item`'s slot read as a `Slot` (which must fit in ``slotBytes``).
    public func load<Slot: BitwiseCopyable>(_ item: Int, as type: Slot.Type) -> Slot {
        precondition(MemoryLayout<Slot>.size <= slotBytes, "\(Slot.self) does not fit in a slot")
        return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: item * slotBytes, as: Slot.self) }
    }
}
