import Store

/// Where flushed batches go (ClickHouse's `MetadataWriter` in production).
package protocol MetadataSink: Sendable {
    /// Writes one batch atomically (data and its ``PartitionProgress`` rows together) in ONE attempt, without retrying:
    /// the ``Flusher`` decides whether a failed attempt may be repeated. Returns only after the store acknowledged it.
    /// - Parameter queryID: The same for every attempt of one batch (see ``isRunning(queryID:)``).
    func write(_ batch: MetadataBatch, queryID: String) async throws

    /// The offsets per partition of `topic` whose data the store holds (from the progress rows).
    func appliedOffsets(topic: String) async throws -> [Int32: AppliedOffsets]

    /// Whether the store is still executing an attempt with this query id (an attempt whose answer was lost).
    func isRunning(queryID: String) async throws -> Bool

    /// The query ids of every batch INSERT the store is executing now, from any writer (a killed process's last INSERT
    /// may still be running): progress is read only after those finished, so it cannot change behind the reader's back.
    func runningWrites() async throws -> Set<String>
}
