/// One of a key's most frequent values in a flush window: its ``ValueHash``, the items that carried it, and its text
/// (truncated and repaired like a sample).
///
/// Which values a window reports (``KeyAggregate/heavyHitters``): at most ``KeyAggregate/maxHeavyHitters``, most
/// frequent first, each carried by at least 1 % of the key's items, and either
/// - every value of a key with at most ``KeyAggregate/maxSamples`` distinct values in the window (exact counts), or
/// - values seen at least twice, among the candidates the analyzer tracked (their text captured when their count
///   reached a power of two).
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

    /// The stored form of a text, `<16 lowercase hex digits of the hash>:<text>` (``Schema`` `hh_texts`), so texts and
    /// counts, stored in separate states, join by hash.
    package var storedText: String {
        Self.hex(hash) + ":" + text
    }

    /// Splits a stored text into hash and text; `nil` for anything not written by ``storedText``.
    package static func parseStored(_ stored: String) -> (hash: UInt64, text: String)? {
        let utf8 = stored.utf8
        guard utf8.count >= 17, utf8[utf8.index(utf8.startIndex, offsetBy: 16)] == UInt8(ascii: ":") else { return nil }
        let digits = stored.prefix(16)
        guard let hash = UInt64(digits, radix: 16) else { return nil }
        return (hash, String(stored.dropFirst(17)))
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex(_ value: UInt64) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { bytes[i] = digits[Int((value >> UInt64(60 - 4 * i)) & 0xF)] }
        return String(decoding: bytes, as: UTF8.self)
    }
}
