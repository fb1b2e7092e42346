/// An open-addressing index from a precomputed, well-mixed 64-bit hash to an `Int32` slot.
///
/// Callers verify candidates (``find(_:where:)``), so distinct identities that share a hash still get their own
/// slots. Linear probing, power-of-two capacity, at most half full. Much cheaper than `Dictionary` on the hot path
/// because the hash is computed once from the wire bytes and never re-hashed.
struct HashIndex {
    private struct Entry {
        var hash: UInt64
        var slot: Int32
    }

    private var entries: [Entry] = []
    private(set) var count = 0

    /// Bytes held.
    var memoryBytes: Int { entries.capacity * MemoryLayout<Entry>.stride }

    /// The first slot whose entry has `hash` and that `matches` accepts.
    @inline(__always)
    func find(_ hash: UInt64, where matches: (Int32) -> Bool) -> Int32? {
        guard count > 0 else { return nil }
        return entries.withUnsafeBufferPointer { table -> Int32? in
            let mask = table.count &- 1
            var i = Int(truncatingIfNeeded: hash) & mask
            while true {
                let entry = table[i]
                if entry.slot < 0 { return nil }
                if entry.hash == hash, matches(entry.slot) { return entry.slot }
                i = (i &+ 1) & mask
            }
        }
    }

    /// Adds a slot under `hash` (the caller has checked that the identity is not present yet).
    mutating func insert(_ hash: UInt64, _ slot: Int32) {
        if (count &+ 1) &* 2 > entries.count { grow() }
        Self.place(Entry(hash: hash, slot: slot), in: &entries)
        count &+= 1
    }

    private static func place(_ entry: Entry, in table: inout [Entry]) {
        table.withUnsafeMutableBufferPointer { table in
            let mask = table.count &- 1
            var i = Int(truncatingIfNeeded: entry.hash) & mask
            while table[i].slot >= 0 { i = (i &+ 1) & mask }
            table[i] = entry
        }
    }

    private mutating func grow() {
        let capacity = max(16, entries.count &* 2)
        var table = [Entry](repeating: Entry(hash: 0, slot: -1), count: capacity)
        for entry in entries where entry.slot >= 0 { Self.place(entry, in: &table) }
        entries = table
    }
}
