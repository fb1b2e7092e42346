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

    /// Groups key aggregates by (signal, scope, key, day) and merges each group as the lanes' key aggregates are merged
    /// (``KeyAggregate/merge(_:members:)``): counts summed, hashes unioned (first-seen order, so one batch always encodes to the
    /// same bytes, which a replicated table needs to deduplicate a resent batch), sample slots merged slot by slot
    /// (minimum, as ClickHouse's `minForEach` does), small value sets unioned (empty once over ``KeyAggregate/maxSamples``
    /// or once a merged key overflowed), first/last seen as min/max. Entries come out in first-appearance order.
    package static func entries(from keys: [KeyAggregate]) -> [CatalogEntry] {
        let catalogKeys = keys.map { aggregate in
            // The catalog's group is the key's identity without name, service and event; catalog rows keep no heavy hitters.
            var key = aggregate
            key.name = ""
            key.service = ""
            key.eventName = ""
            key.heavyHitters = []
            return key
        }
        return KeyAggregate.mergingDuplicates(catalogKeys).map { merged in
            CatalogEntry(
                signal: merged.signal, scope: merged.scope, key: merged.key, day: merged.day, firstSeen: merged.firstSeen,
                lastSeen: merged.lastSeen, count: merged.count, valueHashes: merged.valueHashes, sampleSlots: merged.sampleSlots,
                smallValues: merged.smallValues)
        }
    }
}
