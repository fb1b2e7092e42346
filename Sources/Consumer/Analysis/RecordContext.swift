import Store

/// Where one Kafka record came from. Timestamps come from the record (never the wall clock), so the aggregates
/// depend only on the records.
package struct RecordContext: Sendable, Hashable {
    /// The record's timestamp; its day (`timestamp / 86400`) is part of every aggregate's identity.
    package var timestamp: EpochSeconds

    /// Which of the window's deep-watched keys (bit `i` = key number `i` of the window's list) this record's values are
    /// collected for: all of them, except in a fill (`census replay --fill-watched`), which collects a key only for
    /// records whose values of it are not stored yet.
    package var watchMask: UInt64

    package init(timestamp: EpochSeconds, watchMask: UInt64 = .max) {
        self.timestamp = timestamp
        self.watchMask = watchMask
    }

    /// Days since the Unix epoch.
    package var day: UInt16 { UInt16(truncatingIfNeeded: timestamp / 86_400) }
}
