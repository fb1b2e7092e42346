/// A Kafka record census could not ingest (undecodable, or larger than the configured limit), kept for inspection.
///
/// Stored in the `quarantine` table, one row per (topic, partition, offset): writing the same record again (a retry or
/// a replay) adds no visible row (the table is a `ReplacingMergeTree` and every read groups by that key).
package struct QuarantinedRecord: Sendable, Hashable {
    /// Most payload bytes kept in ``firstBytes``.
    package static let maxStoredBytes = 256

    package var topic: String
    package var partition: Int32
    package var offset: Int64
    /// The record's Kafka timestamp (seconds since the epoch; the time census read it when the record has none).
    package var timestamp: EpochSeconds
    /// The payload size in bytes.
    package var size: UInt64
    /// Why the record was quarantined.
    package var error: String
    /// The first ``maxStoredBytes`` bytes of the payload.
    package var firstBytes: [UInt8]

    package init(topic: String, partition: Int32, offset: Int64, timestamp: EpochSeconds, size: UInt64, error: String, firstBytes: [UInt8]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.size = size
        self.error = error
        self.firstBytes = Array(firstBytes.prefix(Self.maxStoredBytes))
    }

    /// Memory one row holds, as windows and flushes count it: its bytes and texts plus a fixed share for the rest.
    package var approximateBytes: Int { 256 &+ firstBytes.count &+ error.utf8.count &+ topic.utf8.count }
}

/// Reads quarantined records (the `GET /api/v1/quarantine` endpoint).
package protocol QuarantineReading: Sendable {
    /// One page of quarantined records ordered by topic, partition and offset, and the total count.
    func quarantined(limit: Int, offset: Int) async throws -> Page<QuarantinedRecord>
}
