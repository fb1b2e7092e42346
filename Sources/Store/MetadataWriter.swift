import Logging
import NIOCore

/// Writes one ``MetadataBatch`` per call as ONE HTTP INSERT of RowBinary into `metadata_ingest`.
///
/// The body carries the batch's signal, key, template and progress rows plus attribute-catalog rows derived from its
/// keys (``CatalogEntry``). It stays below ``maxRowsPerInsert`` rows, so ClickHouse parses it as one block and the view
/// writes one part: the data and the progress rows land together or not at all.
package struct MetadataWriter: Sendable {
    /// Most rows (catalog rows included) one INSERT may carry: below ClickHouse's `max_insert_block_size` and
    /// `min_insert_block_size_rows` (1,048,576), so the insert stays one block and one part.
    package static let maxRowsPerInsert = 1_000_000

    /// The database written to.
    package let schema: Schema
    private let client: ClickHouseClient
    private let logger: Logger

    /// - Parameters:
    ///   - client: The ClickHouse connection.
    ///   - schema: Which database (default `census`); migrate it first (``Migrator``).
    ///   - logger: Used when a call passes no logger.
    package init(client: ClickHouseClient, schema: Schema = .default, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    /// Inserts the batch in one request. An empty batch sends nothing.
    ///
    /// - Parameters:
    ///   - batch: What to write.
    ///   - retryPolicy: Overrides the client's policy (the ingest pipeline passes its own).
    ///   - logger: Logger for this call.
    /// - Throws: ``StoreError/Kind/batchTooLarge`` before sending anything when the rows exceed ``maxRowsPerInsert``;
    ///   ``ClickHouseError`` when the insert fails (check ``ClickHouseError/isRetriable``).
    /// - Important: With retries, an INSERT whose earlier attempt reached the server but lost its answer (timeout, empty
    ///   reply) may be applied twice. Callers that need exactly-once pass ``ClickHouseClient/RetryPolicy/noRetry``, and after
    ///   a failure with ``ClickHouseError/mayHaveBeenApplied`` compare ``storedProgress(topic:)`` before re-sending.
    package func write(_ batch: MetadataBatch, retryPolicy: ClickHouseClient.RetryPolicy? = nil, logger: Logger? = nil) async throws {
        guard !batch.isEmpty else { return }
        let (body, rows) = try Self.encode(batch)
        _ = try await client.execute(MetadataQueries.insertIngest(schema), body: body, retryPolicy: retryPolicy, logger: logger ?? self.logger)
        (logger ?? self.logger).debug("Wrote metadata batch", metadata: ["batch.rows": "\(rows)", "batch.bytes": "\(body.readableBytes)"])
    }

    /// The highest stored offset per partition of `topic` (from progress rows); empty when nothing was written.
    package func storedProgress(topic: String, logger: Logger? = nil) async throws -> [Int32: Int64] {
        let bytes = try await client.execute(MetadataQueries.storedProgress(schema, topic: topic), logger: logger ?? self.logger)
        var decoder = RowBinaryDecoder(bytes)
        var progress: [Int32: Int64] = [:]
        while !decoder.isAtEnd {
            let partitionText = try decoder.string()
            let offset = try decoder.int64()
            guard let partition = Int32(partitionText) else {
                throw StoreError(.malformedResponse, "progress row with a non-numeric partition")
            }
            progress[partition] = offset
        }
        return progress
    }

    /// The RowBinary body for a batch and its row count (catalog rows included).
    package static func encode(_ batch: MetadataBatch) throws(StoreError) -> (body: ByteBuffer, rows: Int) {
        let catalog = CatalogEntry.entries(from: batch.keys)
        let rows = batch.rowCount + catalog.count
        guard rows <= maxRowsPerInsert else {
            throw StoreError(.batchTooLarge, "\(rows) rows exceed the \(maxRowsPerInsert)-row limit of one INSERT")
        }
        var encoder = RowBinaryEncoder(capacity: max(4096, rows * 96))
        for aggregate in batch.signals { IngestRow(aggregate).encode(into: &encoder) }
        for aggregate in batch.keys { IngestRow(aggregate).encode(into: &encoder) }
        for aggregate in batch.templates { IngestRow(aggregate).encode(into: &encoder) }
        for entry in catalog { IngestRow(entry).encode(into: &encoder) }
        for progress in batch.progress { IngestRow(progress).encode(into: &encoder) }
        return (encoder.buffer, rows)
    }
}
