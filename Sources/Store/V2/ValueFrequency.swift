/// One of a key's most frequent values: how many items carried it (exact for keys with at most 10 distinct values per
/// window, a lower bound otherwise: see ``LabelStats/topValues``).
package struct ValueFrequency: Sendable, Hashable {
    package var value: String
    package var count: UInt64

    package init(value: String, count: UInt64) {
        self.value = value
        self.count = count
    }
}
