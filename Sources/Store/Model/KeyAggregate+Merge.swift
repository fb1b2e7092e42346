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

    /// Folds `other` (the same ``identity``: another lane's window, or another name's key for a catalog row) into this
    /// aggregate so that the one row stores what the two rows would: ClickHouse's view merges rows of one key in an INSERT
    /// the same way (sum, min, max, union of hashes, per-slot minimum of samples, heavy-hitter counts summed per value),
    /// so every stored state — and every answer — is the same, with one row fewer to insert.
    ///
    /// The small set is the union while it stays within ``maxSamples`` texts, empty (overflow) past it or when either
    /// side overflowed: readers use a small set only for a key-day of at most ``maxSamples`` values, where the union of
    /// the windows' sets is that set either way.
    ///
    /// `members` is the set of this aggregate's ``valueHashes``, kept by the caller between merges into the same
    /// aggregate (`nil` before the first: it is built then), so that folding n aggregates into one reads each hash once.
    /// (A catalog row folds one key of every name and service of a window: re-reading the hashes gathered so far at
    /// every merge was quadratic, ~10⁸ set inserts for `user.id` on 1,100 metrics × 600 values.)
    mutating func merge(_ other: KeyAggregate, members: inout HashSet64?) {
        firstSeen = min(firstSeen, other.firstSeen)
        lastSeen = max(lastSeen, other.lastSeen)
        count &+= other.count
        // Overflow is read before the hashes grow: an aggregate without values has an empty, not an overflowed, set.
        let overflowed = overflowedSmallSet || other.overflowedSmallSet
        if !other.valueHashes.isEmpty {
            if members == nil {
                var set = HashSet64(minimumCapacity: valueHashes.count &+ other.valueHashes.count)
                var distinct: [UInt64] = []
                distinct.reserveCapacity(valueHashes.count &+ other.valueHashes.count)
                for hash in valueHashes where set.insert(hash) { distinct.append(hash) }
                valueHashes = distinct
                members = set
            }
            // Distinct, in first-seen order: this aggregate's hashes, then the other's new ones (deterministic, so one
            // batch always encodes to the same bytes; `Array(Set(…))` would not be: Swift seeds each set's order).
            for hash in other.valueHashes where members!.insert(hash) { valueHashes.append(hash) }
        }
        SampleSlots.merge(other.sampleSlots, into: &sampleSlots)
        if overflowed {
            smallValues = []
        } else {
            for text in other.smallValues where !smallValues.contains(text) { smallValues.append(text) }
            if smallValues.count > Self.maxSamples { smallValues = [] }
        }
        mergeHeavyHitters(other.heavyHitters)
    }

    /// Sums the counts per value; every value stays (the stored counts are sums per value), most frequent first.
    private mutating func mergeHeavyHitters(_ others: [HeavyHitter]) {
        guard !others.isEmpty else { return }
        var index: [UInt64: Int] = [:]
        for (i, hitter) in heavyHitters.enumerated() { index[hitter.hash] = i }
        for hitter in others {
            guard let i = index[hitter.hash] else {
                index[hitter.hash] = heavyHitters.count
                heavyHitters.append(hitter)
                continue
            }
            heavyHitters[i].count &+= hitter.count
            if SampleSlots.precedes(hitter.text, heavyHitters[i].text) { heavyHitters[i].text = hitter.text }
        }
        heavyHitters.sort { $0.count != $1.count ? $0.count > $1.count : $0.hash < $1.hash }
    }

    /// `keys` with the aggregates of one ``identity`` merged into one (``merge(_:members:)``), in first-seen order.
    package static func mergingDuplicates(_ keys: [KeyAggregate]) -> [KeyAggregate] {
        var index: [Identity: Int] = [:]
        index.reserveCapacity(keys.count)
        var merged: [KeyAggregate] = []
        merged.reserveCapacity(keys.count)
        // The hash set of each merged aggregate, from its first merge on (most aggregates are never merged).
        var members: [Int: HashSet64] = [:]
        for aggregate in keys {
            if let i = index[aggregate.identity] {
                var set = members.removeValue(forKey: i)
                merged[i].merge(aggregate, members: &set)
                members[i] = set
            } else {
                index[aggregate.identity] = merged.count
                merged.append(aggregate)
            }
        }
        return merged
    }
}
