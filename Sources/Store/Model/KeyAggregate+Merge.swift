extension KeyAggregate {
    /// What identifies the `metadata` row a key aggregate becomes (its sorting key but the kind).
    package struct Identity: Hashable, Sendable {
        var signal: Signal
        var name: String
        var service: String
        var scope: KeyScope
        var eventName: String
        var key: String
        var day: UInt16
    }

    package var identity: Identity {
        Identity(signal: signal, name: name, service: service, scope: scope, eventName: eventName, key: key, day: day)
    }

    /// Whether the window saw more than ``maxSamples`` distinct texts (the small set is then empty, see ``smallValues``).
    var overflowedSmallSet: Bool { smallValues.isEmpty && !valueHashes.isEmpty }

    /// Folds `other` (the same ``identity``, another lane's window) into this aggregate so that the one row stores what
    /// the two rows would: ClickHouse's view merges rows of one key in an INSERT the same way (sum, min, max, union of
    /// hashes, per-slot minimum of samples, heavy-hitter counts summed per value), so every stored state — and every
    /// answer — is the same, with one row fewer to insert.
    ///
    /// The small set is the union while it stays within ``maxSamples`` texts, empty (overflow) past it or when either
    /// side overflowed: readers use a small set only for a key-day of at most ``maxSamples`` values, where the union of
    /// the windows' sets is that set either way.
    package mutating func merge(_ other: KeyAggregate) {
        firstSeen = min(firstSeen, other.firstSeen)
        lastSeen = max(lastSeen, other.lastSeen)
        count &+= other.count
        valueHashes = Self.union(valueHashes, other.valueHashes)
        SampleSlots.merge(other.sampleSlots, into: &sampleSlots)
        if overflowedSmallSet || other.overflowedSmallSet {
            smallValues = []
        } else {
            for text in other.smallValues where !smallValues.contains(text) { smallValues.append(text) }
            if smallValues.count > Self.maxSamples { smallValues = [] }
        }
        if !other.heavyHitters.isEmpty {
            var index: [UInt64: Int] = [:]
            for (i, hitter) in heavyHitters.enumerated() { index[hitter.hash] = i }
            for hitter in other.heavyHitters {
                if let i = index[hitter.hash] {
                    heavyHitters[i].count &+= hitter.count
                    heavyHitters[i].text = SampleSlots.minimum(heavyHitters[i].text, hitter.text) ?? hitter.text
                } else {
                    index[hitter.hash] = heavyHitters.count
                    heavyHitters.append(hitter)
                }
            }
            // Most frequent first, as a window reports them; every value stays (the stored counts are sums per value).
            heavyHitters.sort { $0.count != $1.count ? $0.count > $1.count : $0.hash < $1.hash }
        }
    }

    /// The distinct elements of two sorted arrays of distinct elements, sorted.
    static func union(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        if b.isEmpty { return a }
        if a.isEmpty { return b }
        var result: [UInt64] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count, j < b.count {
            if a[i] < b[j] {
                result.append(a[i]); i += 1
            } else if b[j] < a[i] {
                result.append(b[j]); j += 1
            } else {
                result.append(a[i]); i += 1; j += 1
            }
        }
        result.append(contentsOf: a[i...])
        result.append(contentsOf: b[j...])
        return result
    }

    /// `keys` with the aggregates of one ``identity`` merged into one (``merge(_:)``), in first-seen order.
    package static func mergingDuplicates(_ keys: [KeyAggregate]) -> [KeyAggregate] {
        var index: [Identity: Int] = [:]
        index.reserveCapacity(keys.count)
        var merged: [KeyAggregate] = []
        merged.reserveCapacity(keys.count)
        for aggregate in keys {
            if let i = index[aggregate.identity] {
                merged[i].merge(aggregate)
            } else {
                index[aggregate.identity] = merged.count
                merged.append(aggregate)
            }
        }
        return merged
    }
}
