/// The `heavy_texts` entries of key rows, `<16 lowercase hex digits of the value hash>:<value text>`, joined with the
/// `heavy_hitters` counts (value hash → items) into a key's most frequent values.
package enum HeavyHitterTexts {
    /// The value text of each hash among `texts` (``HeavyHitter/parseStored(_:)``); entries that do not parse are ignored.
    package static func texts(_ texts: [String]) -> [UInt64: String] {
        var byHash: [UInt64: String] = [:]
        for entry in texts {
            guard let (hash, text) = HeavyHitter.parseStored(entry) else { continue }
            byHash[hash] = text
        }
        return byHash
    }

    /// The values of `hashes` (with their `counts`) that have a text, most frequent first, ties by value bytes; at most
    /// `limit`.
    package static func topValues(hashes: [UInt64], counts: [UInt64], texts: [String], limit: Int) -> [ValueFrequency] {
        let byHash = Self.texts(texts)
        var values: [ValueFrequency] = []
        for (hash, count) in zip(hashes, counts) where count > 0 {
            if let text = byHash[hash] { values.append(ValueFrequency(value: text, count: count)) }
        }
        values.sort { $0.count != $1.count ? $0.count > $1.count : Array($0.value.utf8).lexicographicallyPrecedes(Array($1.value.utf8)) }
        return Array(values.prefix(max(0, limit)))
    }
}
