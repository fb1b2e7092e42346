/// One of a key's most frequent values in a flush window: its ``ValueHash``, the items that carried it, and its text
/// (truncated and repaired like a sample).
///
/// Which values a window reports (``KeyAggregate/heavyHitters``): at most ``KeyAggregate/maxHeavyHitters``, most
/// frequent first, each carried by at least 1 % of the key's items, and either
/// - every value of a key with at most ``KeyAggregate/maxSamples`` distinct values in the window (exact counts), or
/// - values seen at least four times, among the candidates the analyzer tracked (their text captured when their count
///   reached a power of two). Four, not two: in a key of random ids, chance repeats in a small window would otherwise
///   add a few new values to the key-day's state every window.
///
/// Counts are exact either way (the window counts every observation of every value hash); what is approximate for a key
/// with many values is only which values make the list: a value frequent across windows but under 1 % in each is not
/// reported, and a range's top values are the top of what its windows reported.
///
/// The rule keeps the stored state small: a key whose values are all different (user ids) reports nothing, and a key
/// with a few values reports those few. ClickHouse sums the counts per hash (`sumMap`) and keeps the texts in a bounded
/// `topK`; readers join them and show the top values of a range.
package struct HeavyHitter: Sendable, Hashable {
    package var hash: UInt64
    package var count: UInt64
    package var text: String

    package init(hash: UInt64, count: UInt64, text: String) {
        self.hash = hash
        self.count = count
        self.text = text
    }

    /// The stored key of the value: the low 32 bits of its hash (``Schema`` `hh_hashes`). 32 bits keep the stored states
    /// small (a key-day holds a few dozen heavy values at most, so two of them sharing a stored key is a one-in-millions
    /// event, and would only merge their counts).
    package var storedKey: UInt32 { UInt32(truncatingIfNeeded: hash) }

    /// The stored form of a text, `<8 lowercase hex digits of storedKey>:<text>` (``Schema`` `hh_texts`), so texts and
    /// counts, stored in separate states, join by ``storedKey``.
    package var storedText: String {
        Self.hex(storedKey) + ":" + text
    }

    /// Splits a stored text into its ``storedKey`` and text; `nil` for anything not written by ``storedText``.
    package static func parseStored(_ stored: String) -> (key: UInt32, text: String)? {
        let utf8 = stored.utf8
        guard utf8.count >= 9, utf8[utf8.index(utf8.startIndex, offsetBy: 8)] == UInt8(ascii: ":") else { return nil }
        let digits = String(decoding: utf8.prefix(8), as: UTF8.self)
        guard digits.utf8.allSatisfy({ $0 < 0x80 }), let key = UInt32(digits, radix: 16) else { return nil }
        return (key, String(decoding: utf8.dropFirst(9), as: UTF8.self))
    }

    /// Joins the merged states of a key (`sumMapMerge(heavy_hitters)` as keys and counts, the distinct values of `heavy_text_set`)
    /// into its top values, most frequent first (ties by text), at most `limit`; counts without a text are skipped.
    package static func join(keys: [UInt32], counts: [UInt64], texts: [String], limit: Int = KeyAggregate.maxHeavyHitters) -> [(
        text: String, count: UInt64
    )] {
        var textOf: [UInt32: String] = [:]
        for stored in texts {
            guard let (key, text) = parseStored(stored) else { continue }
            if let held = textOf[key], !text.utf8.lexicographicallyPrecedes(held.utf8) { continue }
            textOf[key] = text
        }
        var found: [(text: String, count: UInt64)] = []
        for (key, count) in zip(keys, counts) where count > 0 {
            if let text = textOf[key] { found.append((text, count)) }
        }
        found.sort { $0.count != $1.count ? $0.count > $1.count : $0.text.utf8.lexicographicallyPrecedes($1.text.utf8) }
        return Array(found.prefix(max(0, limit)))
    }

    static func hex(_ value: UInt32) -> String { Hex.string(value) }
}
