/// The `heavy_texts` entries of key rows, `<16 lowercase hex digits of the value hash>:<value text>`, joined with the
/// `heavy_hitters` counts (value hash → items) into a key's most frequent values.
package enum HeavyHitterTexts {
    /// The value text of each hash among `texts`; entries that do not parse are ignored.
    package static func texts(_ texts: [String]) -> [UInt64: String] {
        var byHash: [UInt64: String] = [:]
        for entry in texts {
            let utf8 = entry.utf8
            guard utf8.count >= 17, utf8[utf8.index(utf8.startIndex, offsetBy: 16)] == UInt8(ascii: ":"),
                  let hash = UInt64(String(decoding: utf8.prefix(16), as: UTF8.self), radix: 16) else { continue }
            byHash[hash] = String(decoding: utf8.dropFirst(17), as: UTF8.self)
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
