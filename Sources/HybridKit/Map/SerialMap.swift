/// The serial strategy: every unfinished item, in order, on the calling thread, with one worker.
enum SerialMap {
    static func run(_ map: ParallelMap, work: MapWork, slots finished: MapSlots, events: MapEvents) throws -> MapSlots {
        var slots = finished
        let worker = try work.makeWorker()
        var signals = StopSignals(active: map.stopOnSignals)
        var done = slots.finishedCount
        let slotBytes = map.slotBytes
        for item in 0..<map.items where !slots.isFinished[item] {
            if let signal = signals.poll() { throw RunInterrupted(signal: signal) }
            try slots.bytes.withUnsafeMutableBytes { bytes in
                let slot = UnsafeMutableRawBufferPointer(rebasing: bytes[(item * slotBytes)..<((item + 1) * slotBytes)])
                slot.initializeMemory(as: UInt8.self, repeating: 0)
                try worker(item, slot)
                events.itemFinished?(item, UnsafeRawBufferPointer(slot))
            }
            slots.isFinished[item] = true
            done += 1
            events.progress?(done)
        }
        return slots
    }
}
