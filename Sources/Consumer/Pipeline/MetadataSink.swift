import Store

/// Where flushed batches go (ClickHouse's `MetadataWriter` in production).
package protocol MetadataSink: Sendable {
    /// Writes one batch atomically (data and its ``PartitionProgress`` rows together); returns only after the
    /// store acknowledged it.
    func write(_ batch: MetadataBatch) async throws

    /// The highest offset per partition of `topic` whose data the store holds (from the progress rows).
    func storedProgress(topic: String) async throws -> [Int32: Int64]
}
