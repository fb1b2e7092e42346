import Foundation
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
    /// Most body bytes one INSERT may carry: below `min_insert_block_size_bytes` (256 MiB), so no server squashes or
    /// splits the block by size either.
    package static let maxBytesPerInsert = 200 << 20
    /// Sent with every metadata INSERT so a server or user profile with smaller limits cannot split the batch into
    /// several blocks (several parts, no longer atomic): the values are ClickHouse's defaults, both above
    /// ``maxRowsPerInsert``; 18.16 and 26.x know both settings.
    static let blockSettings: [String: String] = ["max_insert_block_size": "1048576", "min_insert_block_size_rows": "1048576"]

    /// The database written to.
    package let schema: Schema
    /// Which set values this writer stored lately (sent once per period, see ``SetValueFilter``); `nil` sends every
    /// window's sets (one-off writers: progress markers, tests of the stored states).
    package let setFilter: SetValueFilter?
    /// The connection the writer uses.
    package let client: ClickHouseClient
    private let logger: Logger

    /// - Parameters:
    ///   - client: The ClickHouse connection.
    ///   - schema: Which database (default `census`); migrate it first (``Migrator``).
    ///   - logger: Used when a call passes no logger.
    ///   - setFilter: Sends each set value once per period (``SetValueFilter``); one filter per writer that flushes a
    ///     stream of batches, one batch at a time.
    package init(client: ClickHouseClient, schema: Schema = .default, setFilter: SetValueFilter? = nil, logger: Logger) {
        self.client = client
        self.schema = schema
        self.setFilter = setFilter
        self.logger = logger
    }

    /// Inserts the batch: its quarantined records first (an idempotent INSERT: the table is keyed by topic, partition and
    /// offset), then the metadata and progress rows in ONE INSERT. An empty batch sends nothing. The same as
    /// ``write(_:queryID:fence:retryPolicy:logger:)-(PreparedInsert,_,_,_,_)`` after ``prepare(_:)``.
    ///
    /// - Throws: ``StoreError/Kind/batchTooLarge`` before sending anything when the rows exceed ``maxRowsPerInsert`` or the
    ///   body exceeds ``maxBytesPerInsert``; ``ClickHouseError`` when an insert fails (check ``ClickHouseError/isRetriable``).
    package func write(
        _ batch: MetadataBatch, queryID: String? = nil, fence: WriteFence = .never, retryPolicy: ClickHouseClient.RetryPolicy? = nil,
        logger: Logger? = nil
    ) async throws {
        try await write(prepare(batch), queryID: queryID, fence: fence, retryPolicy: retryPolicy, logger: logger)
    }

    /// Encodes `batch` for its INSERT once, before any attempt (see ``PreparedInsert``): every row but the fenced ones,
    /// thinned by the writer's set filter and compressed when that pays.
    /// - Throws: ``StoreError/Kind/batchTooLarge`` when the rows exceed ``maxRowsPerInsert`` or the body exceeds
    ///   ``maxBytesPerInsert`` (the same batch always will); ``ClickHouseError`` when compression fails.
    package func prepare(_ batch: MetadataBatch) throws -> PreparedInsert {
        guard batch.rowCount > 0 else { return PreparedInsert(batch: batch, rows: 0, head: InsertBody(plain: ByteBuffer()), pending: .init()) }
        let (head, rows, pending) = try Self.encodeUnfenced(batch, setFilter: setFilter)
        let bytes = head.readableBytes + Self.encodeFenced(batch, fence: .never).readableBytes
        guard bytes <= Self.maxBytesPerInsert else {
            throw StoreError(.batchTooLarge, "\(bytes) bytes exceed the \(Self.maxBytesPerInsert)-byte limit of one INSERT")
        }
        // Only the per-attempt part is kept: the aggregates are in `head` now, and the drained window they came from
        // would otherwise stay in memory while the INSERT is sent, next to the window filling behind it.
        return PreparedInsert(batch: batch.perAttempt, rows: rows, head: try client.insertBody(head), pending: pending)
    }

    /// Sends a prepared batch: its quarantined records first (an idempotent INSERT: the table is keyed by topic, partition
    /// and offset), then the metadata rows and the progress and coverage rows carrying `fence`, in ONE INSERT.
    ///
    /// - Parameters:
    ///   - prepared: What to write (``prepare(_:)``); send it as often as needed, it is not encoded again.
    ///   - queryID: Sent as ClickHouse's `query_id` with the metadata INSERT. Give every attempt of one batch the same id:
    ///     the server then refuses a resend while an earlier attempt still runs (code 216), and ``isRunning(queryID:)``
    ///     tells when an attempt whose answer was lost has finished.
    ///   - fence: The attempt's write fence (``WriteFence``), carried by the progress rows: once the server's clock is past
    ///     it, ClickHouse refuses the whole INSERT (code 395) instead of applying it late. Default: never expires.
    ///   - retryPolicy: Overrides the client's policy (the ingest pipeline passes ``ClickHouseClient/RetryPolicy/noRetry``).
    ///   - logger: Logger for this call.
    /// - Throws: ``ClickHouseError`` when an insert fails (check ``ClickHouseError/isRetriable``).
    /// - Important: With retries, an INSERT whose earlier attempt reached the server but lost its answer (timeout, empty
    ///   reply) may be applied twice. Callers that need exactly-once pass ``ClickHouseClient/RetryPolicy/noRetry``, and after
    ///   a failure with ``ClickHouseError/mayHaveBeenApplied`` wait for ``isRunning(queryID:)`` to turn false and compare
    ///   ``appliedOffsets(topic:)`` before re-sending.
    package func write(
        _ prepared: PreparedInsert, queryID: String? = nil, fence: WriteFence = .never, retryPolicy: ClickHouseClient.RetryPolicy? = nil,
        logger: Logger? = nil
    ) async throws(ClickHouseError) {
        let batch = prepared.batch
        guard prepared.rows > 0 || !batch.quarantined.isEmpty else { return }
        let logger = logger ?? self.logger
        if !batch.quarantined.isEmpty {
            _ = try await client.execute(
                QuarantineQueries.insert(schema), body: Self.encodeQuarantine(batch.quarantined), retryPolicy: retryPolicy, logger: logger)
        }
        guard prepared.rows > 0 else { return }
        let body: InsertBody
        do {
            body = try prepared.head.appending(Self.encodeFenced(batch, fence: fence))
        } catch {
            throw ClickHouseError(kind: .configuration, message: "gzip compression failed: \(error)")
        }
        var settings = Self.blockSettings
        if let queryID { settings["query_id"] = queryID }
        _ = try await client.execute(MetadataQueries.insertIngest(schema), insert: body, settings: settings, retryPolicy: retryPolicy, logger: logger)
        setFilter?.confirm(prepared.pending)
        logger.debug("Wrote metadata batch", metadata: ["batch.rows": "\(prepared.rows)", "batch.bytes": "\(body.plainBytes)"])
    }

    /// The applied offsets per partition of `topic`, from the progress rows (see ``AppliedOffsets``).
    package func appliedOffsets(topic: String, logger: Logger? = nil) async throws -> [Int32: AppliedOffsets] {
        let bytes = try await client.execute(MetadataQueries.storedProgress(schema, topic: topic), logger: logger ?? self.logger)
        var decoder = RowBinaryDecoder(bytes)
        var rows: [(partition: Int32, incarnation: UInt32, start: Int64, last: Int64)] = []
        while !decoder.isAtEnd { rows.append(try ProgressRow.decode(&decoder)) }
        return AppliedOffsets.fromRows(rows)
    }

    /// The offsets covered per watched key and partition of `topic` (``WatchCoverage`` rows), keeping for each partition
    /// only rows of `incarnations[partition]` (0 when absent).
    package func watchCoverage(keys: [String], topic: String, incarnations: [Int32: UInt32] = [:], logger: Logger? = nil) async throws -> [String:
        [Int32: AppliedOffsets]]
    {
        guard !keys.isEmpty else { return [:] }
        let bytes = try await client.execute(WatchQueries.coverage(schema, keys: keys, topic: topic), logger: logger ?? self.logger)
        var decoder = RowBinaryDecoder(bytes)
        var segments: [String: [Int32: [AppliedOffsets.Segment]]] = [:]
        while !decoder.isAtEnd {
            let key = try decoder.string()
            let partitionText = try decoder.string()
            let subText = try decoder.string()
            let last = try decoder.int64()
            guard let partition = Int32(partitionText), let sub = WatchCoverage.parseSub(subText) else {
                throw StoreError(.malformedResponse, "watch coverage row with a non-numeric partition or segment")
            }
            guard sub.incarnation == (incarnations[partition] ?? 0) else { continue }
            segments[key, default: [:]][partition, default: []].append(.init(start: sub.segmentStart, last: last))
        }
        return segments.mapValues { byPartition in
            byPartition.reduce(into: [:]) { result, entry in
                result[entry.key] = AppliedOffsets(incarnation: incarnations[entry.key] ?? 0, segments: entry.value)
            }
        }
    }

    /// The query ids of every INSERT into the ingest table ClickHouse is running now (from any census process; on
    /// several replicas, on every one that answers, see ``onEveryReplica(_:logger:)``).
    package func runningWrites(logger: Logger? = nil) async throws -> Set<String> {
        var ids: Set<String> = []
        for bytes in try await onEveryReplica(MetadataQueries.runningInserts(schema), logger: logger ?? self.logger) {
            var decoder = RowBinaryDecoder(bytes)
            while !decoder.isAtEnd { ids.insert(try decoder.string()) }
        }
        return ids
    }

    /// Whether ClickHouse is still running a query with this id (an INSERT whose answer was lost may still be running;
    /// on several replicas, on any that answers: the attempt may have gone to any of them).
    package func isRunning(queryID: String, logger: Logger? = nil) async throws -> Bool {
        for bytes in try await onEveryReplica(MetadataQueries.runningQueries(id: queryID), logger: logger ?? self.logger) {
            var decoder = RowBinaryDecoder(bytes)
            if try decoder.uint64() > 0 { return true }
        }
        return false
    }

    /// The answers of every replica that answers `sql` (one with a single URL). A replica that cannot be reached is left
    /// out — a stopped server runs nothing, and an attempt a frozen one still holds is refused by its fence or, if it
    /// passed the fence, deduplicated by the replicated table when the identical batch is resent (docs/GUARANTEES.md,
    /// "On a replicated cluster"); the call fails only when no replica answers.
    private func onEveryReplica(_ sql: String, logger: Logger) async throws(ClickHouseError) -> [[UInt8]] {
        let count = client.replicas.urls.count
        guard count > 1 else { return [try await client.execute(sql, logger: logger)] }
        var answers: [[UInt8]] = []
        var lastError: ClickHouseError?
        for replica in 0..<count {
            do {
                answers.append(try await client.execute(sql, retryPolicy: .noRetry, logger: logger, replica: replica))
            } catch {
                guard error.shouldTryAnotherReplica else { throw error }
                lastError = error
            }
        }
        if answers.isEmpty, let lastError { throw lastError }
        return answers
    }

    /// The RowBinary body for a batch and its row count (catalog rows included).
    package static func encode(_ batch: MetadataBatch, fence: WriteFence = .never) throws(StoreError) -> (body: ByteBuffer, rows: Int) {
        var (body, rows, _) = try encodeUnfenced(batch, setFilter: nil)
        var fenced = encodeFenced(batch, fence: fence)
        body.writeBuffer(&fenced)
        guard body.readableBytes <= maxBytesPerInsert else {
            throw StoreError(.batchTooLarge, "\(body.readableBytes) bytes exceed the \(maxBytesPerInsert)-byte limit of one INSERT")
        }
        return (body, rows)
    }

    /// The RowBinary of every row of a batch that does not carry the fence, the row count of the whole INSERT (catalog
    /// and fenced rows included), and the set values it carries for `setFilter` to confirm once stored (nothing is thinned
    /// without a filter).
    static func encodeUnfenced(_ batch: MetadataBatch, setFilter: SetValueFilter?) throws(StoreError) -> (
        body: ByteBuffer, rows: Int, pending: SetValueFilter.Pending
    ) {
        let catalog = CatalogEntry.entries(from: batch.keys)
        let rows = batch.rowCount + catalog.count
        guard rows <= maxRowsPerInsert else {
            throw StoreError(.batchTooLarge, "\(rows) rows exceed the \(maxRowsPerInsert)-row limit of one INSERT")
        }
        var encoder = RowBinaryEncoder(capacity: max(4096, rows * 96))
        var pending = SetValueFilter.Pending()
        /// Encodes a row that may carry set values, thinned by the filter first.
        func encodeThinned(_ row: IngestRow) {
            var row = row
            setFilter?.thin(&row, into: &pending)
            row.encode(into: &encoder)
        }
        for aggregate in batch.signals { encodeThinned(IngestRow(aggregate)) }
        for aggregate in batch.keys { encodeThinned(IngestRow(aggregate)) }
        for aggregate in batch.templates { IngestRow(aggregate).encode(into: &encoder) }
        for entry in catalog { encodeThinned(IngestRow(entry)) }
        for aggregate in batch.watchedValues { IngestRow(aggregate).encode(into: &encoder) }
        return (encoder.buffer, rows, pending)
    }

    /// The RowBinary of the rows that carry an attempt's fence: the progress rows, and the coverage rows (a fill's batch
    /// has no progress rows, and its values must not land late either).
    static func encodeFenced(_ batch: MetadataBatch, fence: WriteFence) -> ByteBuffer {
        var encoder = RowBinaryEncoder(capacity: (batch.watchCoverage.count + batch.progress.count) * 96)
        for coverage in batch.watchCoverage {
            var row = IngestRow(coverage)
            row.fenceDeadline = fence.serverSeconds
            row.encode(into: &encoder)
        }
        for progress in batch.progress {
            var row = IngestRow(progress)
            row.fenceDeadline = fence.serverSeconds
            row.encode(into: &encoder)
        }
        return encoder.buffer
    }

    /// The RowBinary body of quarantine rows (``QuarantineQueries/columns`` order).
    static func encodeQuarantine(_ records: [QuarantinedRecord]) -> ByteBuffer {
        var encoder = RowBinaryEncoder(capacity: records.count * 400)
        let now = EpochSeconds(clamping: Int64(Date().timeIntervalSince1970))
        for record in records {
            encoder.string(record.topic)
            encoder.int32(record.partition)
            encoder.int64(record.offset)
            encoder.uint32(record.timestamp)
            encoder.uint64(record.size)
            encoder.string(record.error)
            encoder.bytes(record.firstBytes)
            encoder.uint32(now)
        }
        return encoder.buffer
    }
}

/// A batch encoded for its INSERT once, before any attempt (``MetadataWriter/prepare(_:)``): every row except the fenced
/// ones, thinned by the set filter and compressed when that pays. Each attempt adds only its fenced rows — the progress
/// and coverage rows, which carry that attempt's ``WriteFence`` — so the time an attempt's fence bounds is the sending
/// alone: a batch whose encoding takes longer than a lease still lands, and a retry does not encode it again.
package struct PreparedInsert: Sendable {
    /// The batch as far as its attempts need it. ``MetadataWriter/prepare(_:)`` keeps only ``MetadataBatch/perAttempt``
    /// (the aggregates are encoded in the head); ``init(encoding:)`` keeps all of it, for sinks that apply the rows
    /// themselves.
    package let batch: MetadataBatch
    /// Rows in its INSERT (catalog rows included).
    package let rows: Int
    /// The unfenced rows as sent.
    let head: InsertBody
    /// The set values the head carries, confirmed in the filter once the INSERT succeeded.
    let pending: SetValueFilter.Pending

    init(batch: MetadataBatch, rows: Int, head: InsertBody, pending: SetValueFilter.Pending) {
        self.batch = batch
        self.rows = rows
        self.head = head
        self.pending = pending
    }

    /// Memory this holds while its attempts are sent: the prepared body's bytes (a buffer's unused capacity is never
    /// touched, so it is not resident), the set values it
    /// reports to the filter once written, and the per-attempt rows. The poll loop lets its next window use the rest of
    /// its budget (`BatchPolicy.fillLimit`).
    package var heldBytes: Int {
        var bytes = head.pieces.reduce(0) { $0 &+ $1.readableBytes }
        bytes &+= pending.count &* 16  // a Set<UInt64> at its load factor
        bytes &+= batch.quarantined.reduce(0) { $0 &+ $1.approximateBytes }
        bytes &+= (batch.progress.count &+ batch.watchCoverage.count) &* 64
        return bytes
    }

    /// `batch` encoded as a writer without a set filter and without compression prepares it (for sinks other than
    /// ``MetadataWriter``).
    package init(encoding batch: MetadataBatch) throws(StoreError) {
        let (head, rows, pending) = try MetadataWriter.encodeUnfenced(batch, setFilter: nil)
        self.init(batch: batch, rows: rows, head: InsertBody(plain: head), pending: pending)
    }
}
