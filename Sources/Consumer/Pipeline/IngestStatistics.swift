import Kafka

/// Counters of the ingest pipeline since start (a snapshot; see ``IngestService/statistics``).
package struct IngestStatistics: Sendable, Hashable {
    /// Kafka records consumed (valid or not).
    package var records: UInt64 = 0
    /// Payload bytes consumed.
    package var bytes: UInt64 = 0
    /// Data points, spans and log records decoded.
    package var items: UInt64 = 0
    /// Records that were not valid OTLP (counted, logged, skipped).
    package var invalidRecords: UInt64 = 0
    /// Records stored in the quarantine table (undecodable, empty or too large); they never stop a partition.
    package var quarantinedRecords: UInt64 = 0
    /// Records read again whose offsets the store already held (after a restart, rebalance or in a replay): skipped.
    package var skippedRecords: UInt64 = 0
    /// Partitions found with stored progress beyond their end (topic re-created) since start.
    package var offsetRegressions: UInt64 = 0
    /// Batches whose INSERT failed ambiguously but that were found applied, so were not sent again.
    package var appliedDespiteFailure: UInt64 = 0
    /// INSERT attempts the store refused because they reached it after their write fence (a stalled member or store).
    package var fencedAttempts: UInt64 = 0
    /// Replay only: records in the replayed ranges, and whether every partition reached its end.
    package var replayTotal: UInt64 = 0
    package var replayFinished: Bool = false
    /// Records from topics with no known signal (skipped).
    package var unmappedRecords: UInt64 = 0
    /// Batches ClickHouse acknowledged.
    package var flushes: UInt64 = 0
    /// Rows written in those batches.
    package var rowsWritten: UInt64 = 0
    /// Failed INSERT attempts (each is retried).
    package var flushFailures: UInt64 = 0
    /// Offset commits that succeeded / failed.
    package var commits: UInt64 = 0
    package var commitFailures: UInt64 = 0
    /// Windows dropped uncommitted during a rebalance or shutdown because they could not be written in time.
    package var droppedWindows: UInt64 = 0
    /// Observations the window limits (``WindowLimits``) left out of the windows handed to the store.
    package var windowOverflow = WindowOverflow()
    /// Times fetching was paused because the window was full while a flush ran.
    package var pauses: UInt64 = 0
    /// Whether fetching is paused right now.
    package var paused: Bool = false
    /// Bytes the flush in flight holds (``Flusher/heldBytes``; 0 when none), as of the last loop turn.
    package var flushBytes: Int = 0
    /// The most bytes a window held when the loop looked (it may fill past `--flush-bytes` while a flush is in flight),
    /// and the most the window and the flush in flight held together (see ``BatchPolicy/fillLimit(writing:)`` for the
    /// bound; the records queued on the analyzer lanes come on top).
    package var peakWindowBytes: Int = 0
    package var peakWindowAndFlushBytes: Int = 0
    /// Whether the consumer currently has partitions assigned (it joined its group).
    package var assignedPartitions: Int = 0
    /// The last flush error, if the last attempt failed.
    package var lastFlushError: String? = nil
    /// When the first record arrived and when the last commit succeeded (for end-to-end rates).
    package var firstRecordAt: ContinuousClock.Instant? = nil
    package var lastCommitAt: ContinuousClock.Instant? = nil
    /// Committed offsets (next offset to read) per partition, as last committed by this process.
    package var committed: [TopicPartition: Int64] = [:]

    package init() {}
}
