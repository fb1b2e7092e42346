/// One attribute-catalog row (kind 5): a key of one signal and scope on one day, merged over names and services.
package struct CatalogEntry: Sendable, Hashable {
    package var signal: Signal
    package var scope: KeyScope
    package var key: String
    package var day: UInt16
    package var firstSeen: EpochSeconds
    package var lastSeen: EpochSeconds
    package var count: UInt64
    /// Distinct value hashes of every merged key aggregate (order unspecified).
    package var valueHashes: [UInt64]
    /// The merged keys' ``KeyAggregate/sampleSlots``: per slot the minimum (``SampleSlots``).
    package var sampleSlots: [String?]
    /// The union of the merged keys' ``KeyAggregate/smallValues`` when it has at most ``KeyAggregate/maxSamples``
    /// distinct texts and no merged key overflowed; otherwise empty.
    package var smallValues: [String]

    /// Groups key aggregates by (signal, scope, key, day): counts summed, hashes unioned, sample slots merged slot by slot
    /// (minimum, as ClickHouse's `minForEach` does), small value sets unioned (empty once over
    /// ``KeyAggregate/maxSamples`` or once a merged key overflowed), first/last seen as min/max. Entries come out in first-appearance order.
    package static func entries(from keys: [KeyAggregate]) -> [CatalogEntry] {
        struct GroupKey: Hashable {
            var signal: Signal
            var scope: KeyScope
            var key: String
            var day: UInt16
        }
        var positions: [GroupKey: Int] = [:]
        var entries: [CatalogEntry] = []
        var merged: [Bool] = []
        var overflowed: [Bool] = []
        for aggregate in keys {
            let group = GroupKey(signal: aggregate.signal, scope: aggregate.scope, key: aggregate.key, day: aggregate.day)
            guard let position = positions[group] else {
                positions[group] = entries.count
                entries.append(
                    CatalogEntry(
                        signal: aggregate.signal, scope: aggregate.scope, key: aggregate.key, day: aggregate.day,
                        firstSeen: aggregate.firstSeen, lastSeen: aggregate.lastSeen, count: aggregate.count,
                        valueHashes: aggregate.valueHashes, sampleSlots: aggregate.sampleSlots,
                        smallValues: aggregate.smallValues))
                merged.append(false)
                overflowed.append(aggregate.smallValues.isEmpty && !aggregate.valueHashes.isEmpty)
                continue
            }
            entries[position].count &+= aggregate.count
            entries[position].firstSeen = min(entries[position].firstSeen, aggregate.firstSeen)
            entries[position].lastSeen = max(entries[position].lastSeen, aggregate.lastSeen)
            entries[position].valueHashes.append(contentsOf: aggregate.valueHashes)
            SampleSlots.merge(aggregate.sampleSlots, into: &entries[position].sampleSlots)
            merged[position] = true
            if overflowed[position] { continue }
            if aggregate.smallValues.isEmpty && !aggregate.valueHashes.isEmpty {
                overflowed[position] = true
                entries[position].smallValues = []
                continue
            }
            for text in aggregate.smallValues where !entries[position].smallValues.contains(text) {
                guard entries[position].smallValues.count < KeyAggregate.maxSamples else {
                    overflowed[position] = true
                    entries[position].smallValues = []
                    break
                }
                entries[position].smallValues.append(text)
            }
        }
        // A single aggregate's hashes are already distinct; a union needs deduplicating — in first-seen order, so that
        // encoding one batch twice gives the same bytes (`Array(Set(…))` would not: Swift seeds each set's order), which
        // a replicated table needs to deduplicate a resent batch (docs/GUARANTEES.md, "On a replicated cluster").
        for position in entries.indices where merged[position] {
            var seen = Set<UInt64>(minimumCapacity: entries[position].valueHashes.count)
            entries[position].valueHashes = entries[position].valueHashes.filter { seen.insert($0).inserted }
        }
        return entries
    }
}
