import Store

/// A set of 64-bit value hashes (``ValueHash`` outputs) with an observation count per member (saturating at
/// `UInt32.max`, for the key's heavy hitters): open addressing, linear probing, at most half full. A member and its
/// count share one 16-byte cell, so a lookup touches one cache line.
///
/// Elements are placed by ``TableSeed`` (a seeded mix), never by their own low bits, so crafted values whose hashes
/// share low bits cost no more than random ones; the elements themselves are stored unchanged. 0 marks an empty cell
/// and a flag records whether 0 itself is a member.
struct ValueHashSet {
    struct Cell {
        var hash: UInt64 = 0
        var count: UInt32 = 0
    }

    private var table: [Cell] = []
    private let seed: TableSeed
    private(set) var count = 0
    private var containsZero = false
    private var zeroCount: UInt32 = 0

    /// An empty set placing its elements with `seed` (tests pass a fixed one).
    init(seed: TableSeed = .process) {
        self.seed = seed
    }

    /// Bytes of the table's cells.
    var memoryBytes: Int { table.count &* MemoryLayout<Cell>.stride }

    /// The bytes the table grew by when the set reached `count` members (``HashSet64/bytesAdded(reaching:cellBytes:)``:
    /// both sets grow the same way; 54 bytes per member at 600 members).
    @inline(__always)
    static func bytesAdded(reaching count: Int) -> Int {
        HashSet64.bytesAdded(reaching: count, cellBytes: MemoryLayout<Cell>.stride)
    }

    /// Inserts `hash`, or counts one more observation of it; returns whether it was new.
    @inline(__always)
    mutating func insert(_ hash: UInt64) -> Bool {
        observe(hash, times: 1).inserted
    }

    /// Counts `times` observations of `hash`, inserting it if new.
    /// - Returns: Whether it was new, and its observation count before and after (saturating).
    @inline(__always)
    mutating func observe(_ hash: UInt64, times: UInt32) -> (inserted: Bool, before: UInt32, after: UInt32) {
        // Grows by the member count alone, before the zero member is set apart (``HashSet64/bytesAdded(reaching:cellBytes:)``).
        if (count &+ 1) &* 2 > table.count { grow() }
        if hash == 0 {
            let before = zeroCount
            zeroCount = Self.add(before, times)
            guard !containsZero else { return (false, before, zeroCount) }
            containsZero = true
            count &+= 1
            return (true, before, zeroCount)
        }
        let seed = seed
        let result = table.withUnsafeMutableBufferPointer { table -> (inserted: Bool, before: UInt32, after: UInt32) in
            let mask = table.count &- 1
            var i = seed.slot(hash, mask: mask)
            while true {
                let present = table[i].hash
                if present == hash {
                    let before = table[i].count
                    let after = Self.add(before, times)
                    table[i].count = after
                    return (false, before, after)
                }
                if present == 0 {
                    table[i] = Cell(hash: hash, count: times)
                    return (true, 0, times)
                }
                i = (i &+ 1) & mask
            }
        }
        if result.inserted { count &+= 1 }
        return result
    }

    /// The observations counted for `hash` (0 when it is not a member).
    func observations(of hash: UInt64) -> UInt32 {
        if hash == 0 { return containsZero ? zeroCount : 0 }
        guard !table.isEmpty else { return 0 }
        let mask = table.count &- 1
        var i = seed.slot(hash, mask: mask)
        while true {
            let present = table[i].hash
            if present == hash { return table[i].count }
            if present == 0 { return 0 }
            i = (i &+ 1) & mask
        }
    }

    @inline(__always)
    private static func add(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// The members in table order: which order depends on the process's ``TableSeed`` and on the order of insertion,
    /// so nothing may depend on it (the only consumer, the `uniqCombinedArray` state, does not). A window's batch is
    /// encoded once (`PreparedInsert`), so its resends stay byte-identical without sorting (sorting was ~4 % of
    /// census's CPU on the spread shape).
    func elements() -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(count)
        if containsZero { out.append(0) }
        for cell in table where cell.hash != 0 { out.append(cell.hash) }
        return out
    }

    /// The most cells any member sits past the cell it hashes to (an insert or lookup probes at most this many + 1).
    func longestProbe() -> Int {
        guard !table.isEmpty else { return 0 }
        let mask = table.count &- 1
        var longest = 0
        for (i, cell) in table.enumerated() where cell.hash != 0 {
            longest = max(longest, (i &- seed.slot(cell.hash, mask: mask)) & mask)
        }
        return longest
    }

    private mutating func grow() {
        let old = table
        table = [Cell](repeating: Cell(), count: max(8, old.count &* 2))
        let seed = seed
        table.withUnsafeMutableBufferPointer { table in
            let mask = table.count &- 1
            for cell in old where cell.hash != 0 {
                var i = seed.slot(cell.hash, mask: mask)
                while table[i].hash != 0 { i = (i &+ 1) & mask }
                table[i] = cell
            }
        }
    }
}
