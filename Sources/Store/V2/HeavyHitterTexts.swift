/// The merged heavy-hitter states of a key (`sumMapMerge(heavy_hitters)`: stored key → items, and
/// the distinct values of `heavy_text_set`) joined into its most frequent values, by ``HeavyHitter/join(keys:counts:texts:limit:)``.
package enum HeavyHitterTexts {
    /// The values of `keys` (with their `counts`) that have a text, most frequent first, ties by value bytes; at most
    /// `limit`.
    package static func topValues(keys: [UInt32], counts: [UInt64], texts: [String], limit: Int) -> [ValueFrequency] {
        HeavyHitter.join(keys: keys, counts: counts, texts: texts, limit: limit).map { ValueFrequency(value: $0.text, count: $0.count) }
    }
}
