import Store

/// The values of one key that may be among its most frequent in a window, with their texts: at most ``capacity``.
///
/// A key's value hashes carry observation counts (``ValueHashSet``); what a count lacks is the value's text, which is
/// only at hand while the value is being read. So a value becomes a candidate, and its text is kept, when its count
/// reaches a power of two (2, 4, 8, …): each value is considered about log2(count) times, a frequent value keeps coming
/// back, and a full list gives way to it when its count beats the least frequent candidate's. At drain the candidates'
/// current counts decide (``MetadataWindow`` `heavyHitters(of:)`).
struct HeavyCandidates {
    /// Most candidates per key.
    static let capacity = 16

    private(set) var hashes: [UInt64] = []
    private(set) var texts: [String] = []

    var isFull: Bool { hashes.count >= Self.capacity }

    func contains(hash: UInt64) -> Bool { hashes.contains(hash) }

    /// Whether a count went from `before` to `after` past a power of two ≥ 2 (their highest set bits differ).
    @inline(__always)
    static func crossesPowerOfTwo(_ before: UInt32, _ after: UInt32) -> Bool {
        after >= 2 && before.leadingZeroBitCount != after.leadingZeroBitCount
    }

    /// When full, the position of the candidate seen least often if that is fewer than `count` times; else `nil`.
    func replacement(for count: UInt32, in set: ValueHashSet) -> Int? {
        guard isFull else { return nil }
        var least = -1
        var leastCount = UInt32.max
        for (i, hash) in hashes.enumerated() {
            let c = set.observations(of: hash)
            if c < leastCount {
                least = i
                leastCount = c
            }
        }
        return leastCount < count ? least : nil
    }

    /// Adds a candidate (or replaces the one at `replacing`); returns the change in bytes held.
    mutating func insert(hash: UInt64, text: String, replacing: Int?) -> Int {
        if let i = replacing {
            let delta = text.utf8.count &- texts[i].utf8.count
            hashes[i] = hash
            texts[i] = text
            return delta
        }
        guard !isFull else { return 0 }
        hashes.append(hash)
        texts.append(text)
        return text.utf8.count &+ 24
    }
}

/// A data point's series identity, as the reference counts series: the set of its resource attributes and its own
/// attributes. Each (key, value) pair contributes `pair(key:value:)` and the fingerprint is their wrapping sum, so it
/// does not depend on attribute order; key hashes are the unseeded ``ValueHash`` of the key (stable across windows and
/// processes) and value hashes the typed ``ValueHash`` that feeds cardinality.
enum SeriesFingerprint {
    @inline(__always)
    static func pair(key: UInt64, value: UInt64) -> UInt64 {
        ValueHash.combine(key, value)
    }
}
