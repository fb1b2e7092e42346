import Consumer
import Store

/// The ingest pipeline's sink: one ClickHouse INSERT per attempt, never retried by the client (a retried INSERT whose
/// first attempt landed would apply twice); the ``Flusher`` checks the stored progress before sending again. Here, and
/// only here, ClickHouse's errors become the pipeline's ``SinkWriteError`` (``ClickHouseError/insertOutcome``).
struct WriterSink: MetadataSink {
    let writer: MetadataWriter
    let clock: ServerClock

    func fence(until deadline: ContinuousClock.Instant) async throws -> WriteFence {
        try await clock.fence(until: deadline)
    }

    func prepare(_ batch: MetadataBatch) throws -> PreparedInsert {
        do {
            return try writer.prepare(batch)
        } catch let error as StoreError where error.kind == .batchTooLarge {
            // The store's own checks fail before anything is sent; a batch too large for one INSERT always will.
            throw SinkWriteError(.refusedForever, String(describing: error))
        }
    }

    func write(_ prepared: PreparedInsert, queryID: String, fence: WriteFence) async throws {
        do {
            try await writer.write(prepared, queryID: queryID, fence: fence, retryPolicy: .noRetry)
        } catch {
            throw SinkWriteError(error.insertOutcome, String(describing: error))
        }
    }

    func hasPassed(_ fence: WriteFence) async throws -> Bool {
        try await clock.hasPassed(fence)
    }

    func appliedOffsets(topic: String) async throws -> [Int32: AppliedOffsets] {
        try await writer.appliedOffsets(topic: topic)
    }

    func watchCoverage(keys: [String], topic: String, incarnations: [Int32: UInt32]) async throws -> [String: [Int32: AppliedOffsets]] {
        try await writer.watchCoverage(keys: keys, topic: topic, incarnations: incarnations)
    }

    func isRunning(queryID: String) async throws -> Bool {
        try await writer.isRunning(queryID: queryID)
    }

    func runningWrites() async throws -> Set<String> {
        try await writer.runningWrites()
    }
}
