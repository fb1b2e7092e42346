import Store

/// Where flushed batches go (ClickHouse's `MetadataWriter` in production).
///
/// Every write carries a ``WriteFence``: the store applies the batch only while its own clock has not passed the fence,
/// and refuses it whole afterwards. That is what lets the pipeline bound, in time, when an attempt it sent may still land
/// (a paused member, a stalled store, a request queued in a socket), see ``Flusher``.
package protocol MetadataSink: Sendable {
    /// The fence that expires on the store's clock no later than `deadline` passes on this process's clock.
    func fence(until deadline: ContinuousClock.Instant) async throws -> WriteFence

    /// Does the part of writing `batch` that is the same for every attempt (encoding, compression), once per batch and
    /// before the first attempt's fence is taken: the fence then bounds only the sending, and a retry is not slowed by
    /// the encoding again.
    /// - Throws: ``SinkWriteError`` with ``SinkWriteError/Outcome/refusedForever`` when the store can never take the batch
    ///   (too large for one INSERT); any other error counts as that too (the encoding of a batch does not change).
    func prepare(_ batch: MetadataBatch) throws -> PreparedInsert

    /// Writes one prepared batch atomically (data and its ``PartitionProgress`` rows together) in ONE attempt, without
    /// retrying: the ``Flusher`` decides whether a failed attempt may be repeated. Returns only after the store
    /// acknowledged it.
    /// - Parameters:
    ///   - queryID: The same for every attempt of one batch (see ``isRunning(queryID:)``).
    ///   - fence: The store refuses the attempt once its clock is past this.
    /// - Throws: ``SinkWriteError`` saying whether the attempt may have been applied; any other error counts as "may
    ///   have been applied".
    func write(_ prepared: PreparedInsert, queryID: String, fence: WriteFence) async throws

    /// Whether the store's clock is past `fence`: from then on no attempt carrying it can be applied.
    func hasPassed(_ fence: WriteFence) async throws -> Bool

    /// The offsets per partition of `topic` whose data the store holds (from the progress rows).
    func appliedOffsets(topic: String) async throws -> [Int32: AppliedOffsets]

    /// Per watched key and partition of `topic`, the offsets whose values of the key are stored (``WatchCoverage``),
    /// counting only rows of the partition's incarnation in `incarnations` (0 when absent).
    func watchCoverage(keys: [String], topic: String, incarnations: [Int32: UInt32]) async throws -> [String: [Int32: AppliedOffsets]]

    /// Whether the store is still executing an attempt with this query id (an attempt whose answer was lost).
    func isRunning(queryID: String) async throws -> Bool

    /// The query ids of every batch INSERT the store is executing now, from any writer (a killed process's last INSERT
    /// may still be running): progress is read only after those finished, so it cannot change behind the reader's back.
    func runningWrites() async throws -> Set<String>
}

/// A failed write attempt, as the sink classifies it: the pipeline needs to know only whether it may have been applied.
package struct SinkWriteError: Error, CustomStringConvertible {
    package typealias Outcome = InsertOutcome

    package var outcome: Outcome
    package var message: String

    package init(_ outcome: Outcome, _ message: String) {
        self.outcome = outcome
        self.message = message
    }

    package var description: String { message }

    /// Whether a failed write may nevertheless have been applied: only a ``SinkWriteError`` can say it was not.
    package static func mayHaveBeenApplied(_ error: any Error) -> Bool {
        guard let error = error as? SinkWriteError else { return true }
        return error.outcome == .mayHaveBeenApplied
    }
}
