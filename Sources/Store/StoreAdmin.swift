import Logging

/// Maintenance operations on the store (the V1 `POST /api/v1/admin/clear`).
package struct StoreAdmin: Sendable {
    /// The database maintained.
    package let schema: Schema
    private let client: ClickHouseClient
    private let logger: Logger

    /// - Parameters:
    ///   - client: The ClickHouse connection.
    ///   - schema: Which database (default `census`).
    ///   - logger: Used for this type's calls.
    package init(client: ClickHouseClient, schema: Schema = .default, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    /// Deletes all metadata (`TRUNCATE TABLE metadata`) and, unless progress is kept, the quarantined records too.
    ///
    /// - Parameter keepProgress: When `true` (the default) the per-partition progress rows are read first and written
    ///   back after the truncate, so the ingest pipeline does not re-apply already-counted Kafka records. The three steps
    ///   are not atomic: a batch written concurrently may lose its data (as intended by a clear) while its progress
    ///   survives only if it was written before the read. With `false` (what `admin/clear` does) every trace of consumed
    ///   records goes — metadata, progress and quarantine — so a replay rebuilds all of it; with `true` the quarantine
    ///   stays, since the records it describes will not be read again, and every watched key counts as covered over the
    ///   kept progress (``Schema/backfillWatchCoverage()``), so `census replay --fill-watched` does not restore values of
    ///   cleared records.
    package func clearAll(keepProgress: Bool = true) async throws {
        var progress: [PartitionProgress] = []
        if keepProgress {
            let bytes = try await client.execute(MetadataQueries.allProgress(schema), logger: logger)
            var decoder = RowBinaryDecoder(bytes)
            while !decoder.isAtEnd {
                let topic = try decoder.string()
                let row = try ProgressRow.decode(&decoder)
                progress.append(
                    PartitionProgress(
                        topic: topic, partition: row.partition, lastOffset: row.last, segmentStart: row.start,
                        incarnation: row.incarnation))
            }
        }
        _ = try await client.execute(MetadataQueries.truncate(schema), logger: logger)
        if !keepProgress { _ = try await client.execute(QuarantineQueries.truncate(schema), logger: logger) }
        if !progress.isEmpty {
            try await MetadataWriter(client: client, schema: schema, logger: logger).write(MetadataBatch(progress: progress))
            // The watched values of those records are cleared with the rest: a fill must not bring them back.
            _ = try await client.execute(schema.backfillWatchCoverage(), logger: logger)
        }
        logger.info("Cleared all metadata", metadata: ["clickhouse.database": "\(schema.database)", "progress.kept": "\(progress.count)"])
    }

    /// Drops the whole database (every table in it): only for the scratch databases `census report` reads topics into.
    package func dropDatabase() async throws {
        _ = try await client.execute(schema.dropDatabase(), logger: logger)
        logger.info("Dropped database", metadata: ["clickhouse.database": "\(schema.database)"])
    }
}
