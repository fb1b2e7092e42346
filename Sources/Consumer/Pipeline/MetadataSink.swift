import Store

/// Where flushed batches go (ClickHouse's `MetadataWriter` in production).
package protocol MetadataSink: Sendable {
    /// Writes one batch atomically; returns only after the store acknowledged it.
    func write(_ batch: MetadataBatch) async throws
}
