/// A set of 64-bit hashes without counts (series fingerprints): open addressing, linear probing, at most half full.
/// Consumer's `ValueHashSet` is the same with an observation count per member; ``KeyAggregate/merge(_:members:)`` uses it
/// to keep the distinct hashes of merged rows.
///
/// Elements are placed by ``TableSeed`` (a seeded mix), never by their own low bits, so crafted values whose hashes
/// share low bits cost no more than random ones; the elements themselves are stored unchanged. 0 marks an empty cell
/// and a flag records whether 0 itself is a member.
///
/// `public` for the reason ``TableSeed`` is: ``insert(_:)`` is inlined into Consumer's series loop.
public struct HashSet64: Sendable {
    // Internal and usable from inlinable code (``insert(_:)``).
    @usableFromInline var table: [UInt64] = []
    @usableFromInline let seed: TableSeed
    @usableFromInline var members = 0
    @usableFromInline var containsZero = false

    /// How many members the set holds.
    package var count: Int { members }

    /// An empty set placing its elements with `seed` (tests pass a fixed one).
    package init(seed: TableSeed = .process) {
        self.seed = seed
    }

    /// An empty set with room for `capacity` members before it grows.
    package init(minimumCapacity capacity: Int, seed: TableSeed = .process) {
        self.seed = seed
        var cells = 8
        while cells < capacity &* 2 { cells &*= 2 }
        table = [UInt64](repeating: 0, count: cells)
    }

    /// Bytes held by the table.
    package var memoryBytes: Int { table.count &* 8 }

    /// The bytes a table of `cellBytes`-byte cells grew by when its set reached `count` members (its count right after
    /// an insert), else 0 — for this set and Consumer's `ValueHashSet`, which grow the same way.
    ///
    /// A table's size is a function of the member count alone — empty, then 8 cells, doubling whenever an insert would
    /// make it more than half full (the zero member included, though it lives outside the table) — so a window follows
    /// its tables' real memory from the inserts it sees: between 2 and 4 cells per member (counting a flat 2 cells per
    /// member undercounted a spread-shape window's heap by a third). `public` `@inlinable`: the analyzer calls it for
    /// every new value.
    @inlinable @inline(__always)
    public static func bytesAdded(reaching count: Int, cellBytes: Int = MemoryLayout<UInt64>.stride) -> Int {
        if count == 1 { return 8 &* cellBytes }
        let previous = count &- 1
        guard previous >= 4, previous & (previous &- 1) == 0 else { return 0 }
        return previous &* 2 &* cellBytes  // 2 × previous cells became 4 × previous
    }

    /// Inserts `hash`; returns whether it was new.
    @inlinable @inline(__always)
    public mutating func insert(_ hash: UInt64) -> Bool {
        // Grows by the member count alone, before the zero member is set apart (``bytesAdded(reaching:cellBytes:)``).
        if (members &+ 1) &* 2 > table.count { grow() }
        if hash == 0 {
            guard !containsZero else { return false }
            containsZero = true
            members &+= 1
            return true
        }
        let seed = seed
        let inserted = table.withUnsafeMutableBufferPointer { table -> Bool in
            let mask = table.count &- 1
            var i = seed.slot(hash, mask: mask)
            while true {
                let present = table[i]
                if present == hash { return false }
                if present == 0 {
                    table[i] = hash
                    return true
                }
                i = (i &+ 1) & mask
            }
        }
        if inserted { members &+= 1 }
        return inserted
    }

    /// The members in table order, which depends on the process's ``TableSeed`` and on the order of insertion (see
    /// Consumer's `ValueHashSet.elements()`).
    package func elements() -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(count)
        if containsZero { out.append(0) }
        for hash in table where hash != 0 { out.append(hash) }
        return out
    }

    @usableFromInline
    mutating func grow() {
        let old = table
        table = [UInt64](repeating: 0, count: max(8, old.count &* 2))
        let seed = seed
        table.withUnsafeMutableBufferPointer { table in
            let mask = table.count &- 1
            for hash in old where hash != 0 {
                var i = seed.slot(hash, mask: mask)
                while table[i] != 0 { i = (i &+ 1) & mask }
                table[i] = hash
            }
        }
    }
}
