/// One value of a deep-watched key (or the key's overflow) per day and flush window (see docs/API.md, "Deep watch").
///
/// Written as a ``Schema/RowKind/watchValue`` row (or a ``Schema/RowKind/watchOverflow`` row when ``value`` is `nil`) in
/// the same INSERT as the window's metadata and progress rows, so the skip rule and the write fences that make the
/// metadata exactly-once make the watched values exactly-once too.
package struct WatchedValueAggregate: Sendable, Hashable {
    /// The watched attribute key.
    package var key: String
    /// The value text (as value samples are: truncated, U+FFFD-repaired); `nil` for the overflow row, which counts the
    /// observations of values past the key's limit of distinct values.
    package var value: String?
    /// Days since the Unix epoch of the records' timestamps.
    package var day: UInt16
    package var firstSeen: EpochSeconds
    package var lastSeen: EpochSeconds
    /// Observations of the value (items carrying the key with this value).
    package var count: UInt64

    package init(key: String, value: String?, day: UInt16, firstSeen: EpochSeconds, lastSeen: EpochSeconds, count: UInt64) {
        self.key = key
        self.value = value
        self.day = day
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
    }
}
