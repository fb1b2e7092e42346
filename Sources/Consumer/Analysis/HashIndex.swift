import Store

/// An open-addressing index from a precomputed, well-mixed 64-bit hash to an `Int32` slot.
///
/// Callers verify candidates (``find(_:where:)``), so distinct identities that share a hash still get their own
/// slots. Linear probing, power-of-two capacity, at most half full, entries placed by ``TableSeed`` (a seeded mix, so
/// crafted hashes sharing low bits do not cluster). Much cheaper than `Dictionary` on the hot path because the hash is
/// computed once from the wire bytes and only mixed for placement.
struct HashIndex {
    private struct Entry {
        var hash: UInt64
        var slot: Int32
    }

    private var entries: [Entry] = []
    private(set) var count = 0
    private let seed: TableSeed

    /// An empty index placing its entries with `seed` (tests pass a fixed one).
    init(seed: TableSeed = .process) {
        self.seed = seed
    }

    /// Bytes held.
    var memoryBytes: Int { entries.capacity * MemoryLayout<Entry>.stride }

    /// The first slot whose entry has `hash` and that `matches` accepts.
    @inline(__always)
    func find(_ hash: UInt64, where matches: (Int32) -> Bool) -> Int32? {
        guard count > 0 else { return nil }
        let seed = seed
        return entries.withUnsafeBufferPointer { table -> Int32? in
            let mask = table.count &- 1
            var i = seed.slot(hash, mask: mask)
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
        Self.place(Entry(hash: hash, slot: slot), in: &entries, seed: seed)
        count &+= 1
    }

    /// The most cells any entry sits past the cell its hash maps to (a lookup probes at most this many + 1 cells).
    func longestProbe() -> Int {
        guard !entries.isEmpty else { return 0 }
        let mask = entries.count &- 1
        var longest = 0
        for (i, entry) in entries.enumerated() where entry.slot >= 0 {
            longest = max(longest, (i &- seed.slot(entry.hash, mask: mask)) & mask)
        }
        return longest
    }

    private static func place(_ entry: Entry, in table: inout [Entry], seed: TableSeed) {
        table.withUnsafeMutableBufferPointer { table in
            let mask = table.count &- 1
            var i = seed.slot(entry.hash, mask: mask)
            while table[i].slot >= 0 { i = (i &+ 1) & mask }
            table[i] = entry
        }
    }

    private mutating func grow() {
        let capacity = max(16, entries.count &* 2)
        var table = [Entry](repeating: Entry(hash: 0, slot: -1), count: capacity)
        for entry in entries where entry.slot >= 0 { Self.place(entry, in: &table, seed: seed) }
        entries = table
    }
}
