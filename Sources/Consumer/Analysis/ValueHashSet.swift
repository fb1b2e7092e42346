import Store

/// A set of 64-bit value hashes (``ValueHash`` outputs): open addressing, linear probing, at most half full, with an
/// observation count per member (saturating at `UInt32.max`) for the key's heavy hitters.
///
/// Elements are placed by ``TableSeed`` (a seeded mix), never by their own low bits, so crafted values whose hashes
/// share low bits cost no more than random ones; the elements themselves are stored unchanged. 0 marks an empty cell
/// and a flag records whether 0 itself is a member.
struct ValueHashSet {
    private var table: [UInt64] = []
    /// Observations of the member in the same cell of ``table``.
    private var counts: [UInt32] = []
    private let seed: TableSeed
    private(set) var count = 0
    private var containsZero = false
    private var zeroCount: UInt32 = 0

    /// An empty set placing its elements with `seed` (tests pass a fixed one).
    init(seed: TableSeed = .process) {
        self.seed = seed
    }

    /// Bytes held by the table and its counts.
    var memoryBytes: Int { table.capacity &* 8 &+ counts.capacity &* 4 }

    /// Bytes a set holds per member, at most (cells are at most half full: two 8-byte hashes and two 4-byte counts).
    static let bytesPerMember = 24

    /// Inserts `hash`, or counts one more observation of it; returns whether it was new.
    @inline(__always)
    mutating func insert(_ hash: UInt64) -> Bool {
        observe(hash, times: 1).inserted
    }

    /// Counts `times` observations of `hash`, inserting it if new.
    /// - Returns: Whether it was new, and its observation count before and after (saturating).
    @inline(__always)
    mutating func observe(_ hash: UInt64, times: UInt32) -> (inserted: Bool, before: UInt32, after: UInt32) {
        if hash == 0 {
            let before = zeroCount
            zeroCount = Self.add(before, times)
            guard !containsZero else { return (false, before, zeroCount) }
            containsZero = true
            count &+= 1
            return (true, before, zeroCount)
        }
        if (count &+ 1) &* 2 > table.count { grow() }
        let seed = seed
        let result = table.withUnsafeMutableBufferPointer { table -> (inserted: Bool, before: UInt32, after: UInt32) in
            counts.withUnsafeMutableBufferPointer { counts in
                let mask = table.count &- 1
                var i = seed.slot(hash, mask: mask)
                while true {
                    let present = table[i]
                    if present == hash {
                        let before = counts[i]
                        counts[i] = Self.add(before, times)
                        return (false, before, counts[i])
                    }
                    if present == 0 {
                        table[i] = hash
                        counts[i] = times
                        return (true, 0, times)
                    }
                    i = (i &+ 1) & mask
                }
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
            let present = table[i]
            if present == hash { return counts[i] }
            if present == 0 { return 0 }
            i = (i &+ 1) & mask
        }
    }

    @inline(__always)
    private static func add(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }

    /// The members, sorted ascending.
    func sortedElements() -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(count)
        if containsZero { out.append(0) }
        for hash in table where hash != 0 { out.append(hash) }
        out.sort()
        return out
    }

    /// The most cells any member sits past the cell it hashes to (an insert or lookup probes at most this many + 1).
    func longestProbe() -> Int {
        guard !table.isEmpty else { return 0 }
        let mask = table.count &- 1
        var longest = 0
        for (i, hash) in table.enumerated() where hash != 0 {
            longest = max(longest, (i &- seed.slot(hash, mask: mask)) & mask)
        }
        return longest
    }

    private mutating func grow() {
        let old = table
        let oldCounts = counts
        table = [UInt64](repeating: 0, count: max(8, old.count &* 2))
        counts = [UInt32](repeating: 0, count: table.count)
        let seed = seed
        table.withUnsafeMutableBufferPointer { table in
            counts.withUnsafeMutableBufferPointer { counts in
                let mask = table.count &- 1
                for (j, hash) in old.enumerated() where hash != 0 {
                    var i = seed.slot(hash, mask: mask)
                    while table[i] != 0 { i = (i &+ 1) & mask }
                    table[i] = hash
                    counts[i] = oldCounts[j]
                }
            }
        }
    }
}
