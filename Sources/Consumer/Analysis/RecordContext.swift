import Store

/// Where one Kafka record came from. Timestamps come from the record (never the wall clock), so the aggregates
/// depend only on the records.
package struct RecordContext: Sendable, Hashable {
    /// The record's timestamp; its day (`timestamp / 86400`) is part of every aggregate's identity.
    package var timestamp: EpochSeconds

    package init(timestamp: EpochSeconds) {
        self.timestamp = timestamp
    }

    /// Days since the Unix epoch.
    package var day: UInt16 { UInt16(truncatingIfNeeded: timestamp / 86_400) }
}
