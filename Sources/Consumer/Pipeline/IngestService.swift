import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// The ingest pipeline as a `Service`: consumes Kafka records, aggregates their metadata in a window, flushes the
/// window to ClickHouse and commits offsets only after the flush was acknowledged.
///
/// One dedicated thread polls librdkafka and keeps the books (offsets, skips, quarantine); records are decoded and
/// aggregated by a ``ParallelAnalyzer`` on ``Configuration/analyzerLanes`` threads of their own (with one lane, on the
/// poll thread itself); a ``Flusher`` writes the previous window meanwhile. When the window is full while a flush is
/// still running, the poll thread waits up to ``fullWindowWait`` for it; a flush that takes longer pauses the assigned
/// partitions (polling continues, so the group membership stays alive) until it completes.
///
/// On SIGTERM/SIGINT (graceful shutdown) it stops fetching, flushes, commits and leaves the group.
package final class IngestService: Service, KafkaRebalanceHandler, @unchecked Sendable {
    // @unchecked Sendable: the mutable state below is touched only on the poll thread (the loop and the rebalance
    // callbacks run there); other threads use only `stopRequested` and `stats`, which are synchronized.

    /// What the service needs to know.
    package struct Configuration: Sendable {
        package var kafka: KafkaConfiguration
        package var topics: [String]
        package var topicSignals: TopicSignalMap
        package var encoding: OTLPEncoding
        package var policy: BatchPolicy
        /// Records larger than this many bytes are quarantined instead of decoded. Default 16 MiB.
        package var maxRecordBytes: Int
        /// What to do when stored progress lies beyond a partition's end (see ``OffsetRegressionAction``).
        package var onOffsetRegression: OffsetRegressionAction
        /// When set, quarantined records are also produced to this topic (at least once: a crash may repeat some).
        package var deadLetterTopic: String?
        /// `nil`: consume as a member of the consumer group and commit. Set: replay this plan outside the group, commit
        /// nothing, and stop when every partition reached its end.
        package var replay: ReplayPlan?
        /// Threads that decode and aggregate records; 1: the poll thread itself (see ``ParallelAnalyzer``).
        package var analyzerLanes: Int
        /// Rows one record may add to a window; records over it are quarantined. Lowered (and `policy.maxRows` with it)
        /// so that a window always fits one INSERT (``InsertBudget``). Default 100,000.
        package var maxRecordRows: Int
        package init(kafka: KafkaConfiguration, topics: [String], topicSignals: TopicSignalMap = .init(), encoding: OTLPEncoding = .auto, policy: BatchPolicy = .init(),
                     maxRecordBytes: Int = 16 << 20, onOffsetRegression: OffsetRegressionAction = .fail, deadLetterTopic: String? = nil,
                     replay: ReplayPlan? = nil, analyzerLanes: Int = ParallelAnalyzer.defaultLanes, maxRecordRows: Int = 100_000) {
            self.kafka = kafka
            self.topics = topics
            self.topicSignals = topicSignals
            self.encoding = encoding
            self.policy = policy
            self.maxRecordBytes = maxRecordBytes
            self.onOffsetRegression = onOffsetRegression
            self.deadLetterTopic = deadLetterTopic
            self.replay = replay
            self.analyzerLanes = max(1, analyzerLanes)
            self.maxRecordRows = max(1, maxRecordRows)
        }
    }

    let configuration: Configuration
    let logger: Logger
    let consumer: KafkaConsumer
    let flusher: Flusher
    let sink: any MetadataSink
    let deadLetters: KafkaProducer?
    let stopRequested = Atomic<Bool>(false)
    private let stats = Mutex(IngestStatistics())
    private let metrics: PipelineMetrics
    /// Admin clear requests for the poll thread (see `IngestService+Clear.swift`).
    let clearRequests = ClearMailbox()

    // Poll-thread state.
    /// The window, aggregated on ``Configuration/analyzerLanes`` lanes.
    private let analyzer: ParallelAnalyzer
    private var windowStarted: ContinuousClock.Instant? = nil
    /// Next offset to read per partition, for records consumed into the current window.
    var pendingOffsets: [TopicPartition: Int64] = [:]
    /// Records of the current window that were quarantined (written with the window's batch).
    var pendingQuarantine: [QuarantinedRecord] = []
    /// Memory `pendingQuarantine` holds, approximately: counted in the window's bytes, so garbage fills a window too.
    var pendingQuarantineBytes = 0
    var assigned: Set<TopicPartition> = []
    private var paused = false
    /// Offsets known to be applied in the store but not committed (found in progress rows on assignment).
    var appliedNotCommitted: [TopicPartition: Int64] = [:]
    /// Per assigned partition: the offsets the store holds (read on assignment, extended as batches are acknowledged).
    /// A record at an offset in this set is skipped: that is what makes re-reading (restart, rebalance, replay) exact.
    var applied: [TopicPartition: AppliedOffsets] = [:]
    /// Per partition read in this session: the start of the progress segment its batches extend (see ``AppliedOffsets``).
    var segmentStarts: [TopicPartition: Int64] = [:]
    /// Partitions whose stored progress is beyond their end while the action is `fail`: nothing is read from them.
    var regressed: Set<TopicPartition> = []
    /// Partitions whose window was dropped while they stayed assigned, or whose progress could not be read on
    /// assignment: their records are ignored until the progress is read (again) and they are positioned after it.
    var awaitingReload: Set<TopicPartition> = []
    var lastReloadAttempt: ContinuousClock.Instant? = nil
    /// Set when the service must stop with an error (an offset regression with `--on-offset-regression fail`).
    var failure: (any Error)? = nil
    /// Replay only: each partition's range and the partitions not yet read to their end.
    var replayRanges: [TopicPartition: ReplayRange] = [:]
    var replayUnfinished: Set<TopicPartition> = []
    private var signalByTopic: [String: Signal?] = [:]
    var local = IngestStatistics()

    package init(configuration: Configuration, sink: any MetadataSink, logger: Logger, metrics: PipelineMetrics = PipelineMetrics()) throws(KafkaError) {
        let budget = InsertBudget(flushRows: configuration.policy.maxRows, recordRows: configuration.maxRecordRows, lanes: configuration.analyzerLanes)
        var configuration = configuration
        configuration.policy.maxRows = budget.flushRows
        configuration.maxRecordRows = budget.recordRows
        self.configuration = configuration
        self.logger = logger
        var kafka = configuration.kafka
        if configuration.replay != nil { kafka.properties["enable.partition.eof"] = "true" }
        self.consumer = try KafkaConsumer(configuration: kafka, logger: logger)
        // A dead-letter topic needs the whole payload of a failed record; otherwise only the quarantine's prefix is kept.
        self.analyzer = ParallelAnalyzer(lanes: configuration.analyzerLanes, limits: WindowLimits(maxRecordRows: budget.recordRows),
                                         encoding: configuration.encoding, releasesFailedPayloads: configuration.deadLetterTopic == nil)
        self.flusher = Flusher(sink: sink, logger: logger, metrics: metrics)
        self.sink = sink
        self.metrics = metrics
        self.deadLetters = try configuration.deadLetterTopic.map { _ throws(KafkaError) in try KafkaProducer(configuration: configuration.kafka) }
        consumer.setRebalanceHandler(self)
        consumer.setStatisticsObserver { metrics.observe(kafka: $0) }
    }

    /// librdkafka's latest view of brokers, group membership and lag (for readiness); `nil` before the first report.
    package var kafkaStatistics: KafkaStatistics? { consumer.latestStatistics }

    /// A snapshot of the pipeline's counters.
    package var statistics: IngestStatistics {
        var snapshot = stats.withLock { $0 }
        let counters = flusher.counters
        snapshot.flushes = counters.flushes
        snapshot.rowsWritten = counters.rows
        snapshot.flushFailures = counters.failures
        snapshot.lastFlushError = counters.lastError
        snapshot.appliedDespiteFailure = flusher.appliedDespiteFailure
        return snapshot
    }

    /// Asks the poll loop to stop (flush, commit, leave the group). Safe from any thread.
    package func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    package func run() async throws {
        if let plan = configuration.replay {
            try startReplay(plan)
        } else {
            try consumer.subscribe(topics: configuration.topics)
            logger.info("consumer started", metadata: ["topics": "\(configuration.topics.joined(separator: ","))", "group": "\(configuration.kafka.group)",
                                                       "analyzer_threads": "\(analyzer.lanes)", "flush_rows": "\(configuration.policy.maxRows)",
                                                       "max_record_rows": "\(configuration.maxRecordRows)"])
        }
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let thread = Thread { [self] in
                        do {
                            try self.pollLoop()
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                    thread.name = "census-poll"
                    thread.stackSize = 8 << 20
                    thread.start()
                }
            } onCancel: {
                self.requestStop()
            }
        } onGracefulShutdown: {
            self.requestStop()
        }
    }

    // MARK: - Poll thread

    private func pollLoop() throws {
        clearRequests.open()
        defer { clearRequests.close() }
        while !stopRequested.load(ordering: .relaxed) {
            if clearRequests.hasRequests { serveClearRequests() }
            // Drain what librdkafka has buffered without blocking, then block briefly when idle.
            var delivered = 0
            // Stop draining as soon as the window is full, so its size stays bounded by the policy (records still queued
            // on the analyzer lanes add at most a few per lane).
            while delivered < 1_000, !windowIsFull,
                  let consumed = try consumer.pollRecord(timeoutMilliseconds: delivered == 0 ? 100 : 0, endOfPartition: replayReachedEnd) {
                handle(consumed)
                delivered += 1
                if stopRequested.load(ordering: .relaxed) { break }
            }
            commitCompleted()
            step()
            reloadDropped()
            if configuration.replay != nil, replayUnfinished.isEmpty { break }
            publish()
        }
        shutdown()
        if configuration.replay != nil, !replayUnfinished.isEmpty, failure == nil {
            failure = KafkaError(code: -1, reason: "replay interrupted before every partition reached its end; run it again (replays are idempotent)")
        }
        if let failure { throw failure }
    }

    /// How long a full window waits for the flush in flight before fetching is paused (see ``step()``).
    static let fullWindowWait: Duration = .seconds(2)

    /// The signal of a topic, resolved once per topic rather than per record.
    private func signal(for topic: String) -> Signal? {
        if let known = signalByTopic[topic] { return known }
        let resolved = configuration.topicSignals.signal(for: topic)
        signalByTopic[topic] = .some(resolved)
        return resolved
    }

    /// Bytes the window holds: the lanes' windows, their failed records, and the records quarantined for it.
    private var windowBytes: Int { analyzer.approximateBytes &+ pendingQuarantineBytes }

    private var windowIsFull: Bool {
        analyzer.rowCount >= configuration.policy.maxRows || windowBytes >= configuration.policy.maxBytes
            || analyzer.hasKeyAtValueLimit
    }

    /// Books one record and hands it to the analyzer (see ``finishAnalysis()``).
    private func handle(_ consumed: ConsumedRecord) {
        let record = consumed.record
        let tp = record.topicPartition
        guard !regressed.contains(tp), !awaitingReload.contains(tp), acceptReplayRecord(tp, offset: record.offset) else { return }
        local.records &+= 1
        if local.firstRecordAt == nil { local.firstRecordAt = .now }
        local.bytes &+= UInt64(record.payload.count)
        pendingOffsets[tp] = record.offset + 1
        if windowStarted == nil { windowStarted = .now }
        let appliedOffsets = applied[tp]
        if segmentStarts[tp] == nil { segmentStarts[tp] = appliedOffsets?.segmentStart(continuingAt: record.offset) ?? record.offset }
        if let appliedOffsets, appliedOffsets.contains(record.offset) {
            local.skippedRecords &+= 1
            return
        }
        guard let signal = signal(for: record.topic) else {
            local.unmappedRecords &+= 1
            return
        }
        let seconds: EpochSeconds
        if let ms = record.timestampMilliseconds, ms >= 0 {
            seconds = EpochSeconds(clamping: ms / 1000)
        } else {
            seconds = EpochSeconds(clamping: Int64(Date().timeIntervalSince1970))
        }
        if let reason = Self.unacceptable(record, maxBytes: configuration.maxRecordBytes) {
            quarantine(record, timestamp: seconds, reason: reason)
            return
        }
        analyzer.enqueue(record.payload, signal: signal, timestamp: seconds, owner: consumed, id: record.id)
    }

    /// Waits until the analyzer lanes are done with every record handed to them, counts the items and quarantines the
    /// records that are not valid OTLP. Called before the window is drained (or dropped).
    func finishAnalysis() {
        let outcome = analyzer.finishQueued()
        local.items &+= UInt64(outcome.items)
        for failure in outcome.failures {
            local.invalidRecords &+= 1
            if let consumed = failure.owner as? ConsumedRecord {
                quarantine(consumed.record, timestamp: failure.timestamp, reason: failure.error.quarantineReason)
            } else if let id = failure.id {
                quarantine(id, size: failure.size, firstBytes: failure.firstBytes, payload: nil, timestamp: failure.timestamp,
                           reason: failure.error.quarantineReason)
            }
        }
    }

    /// Flushes, pauses or resumes as the policy says.
    private func step() {
        if let unwritable = flusher.unwritable, failure == nil {
            // Cannot happen within the InsertBudget; if it does, stop loudly rather than retry the same bytes forever or
            // commit past data that was never written.
            dropUncommitted()
            failure = StoreError(.batchTooLarge, "a batch cannot be written (\(unwritable)); stopping without committing it")
            requestStop()
            return
        }
        let age = windowStarted.map { ContinuousClock.now - $0 } ?? .zero
        let decision = configuration.policy.decide(rows: analyzer.rowCount, bytes: windowBytes, age: age,
                                                   hasPendingOffsets: !pendingOffsets.isEmpty, flushInFlight: flusher.isBusy,
                                                   keyAtValueLimit: analyzer.hasKeyAtValueLimit)
        switch decision {
        case .flush:
            submitWindow()
            setPaused(false)
        case .pause:
            // The window is full and the previous flush is still being written; it usually ends within moments. Waiting
            // for it without polling keeps what librdkafka prefetched (pausing purges its queues, and resuming fetches
            // all of it again). Only a flush that takes longer than that (ClickHouse slow or down) pauses fetching.
            if !paused, flusher.waitUntilIdle(timeout: Self.fullWindowWait) {
                commitCompleted()
                submitWindow()
            } else {
                setPaused(true)
            }
        case .keepGoing:
            if paused && !flusher.isBusy { setPaused(false) }
        }
    }

    private func submitWindow() {
        finishAnalysis()
        var batch = analyzer.drain()
        batch.progress = pendingOffsets.map { tp, next in
            PartitionProgress(topic: tp.topic, partition: tp.partition, lastOffset: next - 1, segmentStart: segmentStarts[tp] ?? (next - 1),
                              incarnation: applied[tp]?.incarnation ?? 0)
        }.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        batch.quarantined = pendingQuarantine
        flusher.submit(batch, offsets: pendingOffsets)
        pendingOffsets = [:]
        pendingQuarantine = []
        pendingQuarantineBytes = 0
        windowStarted = nil
    }

    private func setPaused(_ pause: Bool) {
        guard pause != paused else { return }
        paused = pause
        let partitions = Array(assigned)
        if pause {
            consumer.pause(partitions)
            local.pauses &+= 1
            logger.info("window full while a flush is running; fetching paused", metadata: ["partitions": "\(partitions.count)"])
        } else {
            consumer.resume(partitions)
            logger.debug("fetching resumed")
        }
        local.paused = pause
    }

    private func commitCompleted() {
        var offsets = flusher.takeCompleted() ?? [:]
        // What was acknowledged is applied: a later re-read of these offsets (after a seek) must skip them.
        for (tp, next) in offsets {
            guard let start = segmentStarts[tp] else { continue }
            applied[tp, default: AppliedOffsets()].add(.init(start: start, last: next - 1))
        }
        if configuration.replay != nil { return }  // a replay commits nothing to any group
        if !appliedNotCommitted.isEmpty {
            offsets.merge(appliedNotCommitted) { max($0, $1) }
            appliedNotCommitted = [:]
        }
        guard !offsets.isEmpty else { return }
        // Commit only partitions this member still owns; the rest were handled when they were revoked.
        let owned = offsets.filter { assigned.contains($0.key) }
        guard !owned.isEmpty else { return }
        let commitStarted = ContinuousClock.now
        do {
            try consumer.commit(owned)
            metrics.commitFinished(duration: .now - commitStarted, succeeded: true)
            local.commits &+= 1
            local.lastCommitAt = .now
            local.committed.merge(owned) { max($0, $1) }
        } catch {
            metrics.commitFinished(duration: .now - commitStarted, succeeded: false)
            local.commitFailures &+= 1
            logger.warning("offset commit failed (the data is written; the records will be read again)", metadata: [
                "error": "\(error)", "kafka.offsets": "\(owned.keys.sorted().map { "\($0)@\(owned[$0]!)" }.joined(separator: ","))",
            ])
        }
    }

    func publish() {
        local.assignedPartitions = assigned.count
        let snapshot = local
        stats.withLock { $0 = snapshot }
        metrics.observe(snapshot, windowRows: analyzer.rowCount, windowBytes: windowBytes, policy: configuration.policy)
    }

    /// Writes everything consumed so far and commits it, waiting at most the drain timeout.
    /// - Returns: `false` when the data could not be written in time and was dropped uncommitted.
    @discardableResult
    private func drainAndCommit(reason: String) -> Bool {
        let timeout = configuration.policy.drainTimeout
        var ok = flusher.waitUntilIdle(timeout: timeout)
        commitCompleted()
        if ok, !pendingOffsets.isEmpty {
            submitWindow()
            ok = flusher.waitUntilIdle(timeout: timeout)
            commitCompleted()
        }
        if !ok {
            dropUncommitted()
            logger.warning("could not write pending data in time; dropped it uncommitted (it will be read again)", metadata: ["reason": "\(reason)"])
        }
        return ok
    }

    /// Partitions awaiting their stored progress (see ``awaitingReload``): once it can be read (after the abandoned INSERT
    /// finished), continue each from the first offset the store does not hold. Tried at most every 2 seconds.
    private func reloadDropped() {
        guard !awaitingReload.isEmpty, !flusher.isBusy else { return }
        if let last = lastReloadAttempt, ContinuousClock.now - last < .seconds(2) { return }
        lastReloadAttempt = .now
        let partitions = awaitingReload.sorted()
        guard let starts = prepare(partitions, committed: nil) else { return }
        var targets = (try? consumer.committed(partitions)) ?? [:]
        targets.merge(starts) { _, start in start }
        do {
            // Never committed and nothing stored: from the beginning (the skip rule makes re-reading safe).
            for tp in partitions where targets[tp] == nil { targets[tp] = try consumer.watermarks(tp).low }
            try consumer.seek(targets)
        } catch {
            logger.warning("could not seek after reloading stored progress; trying again", metadata: ["error": "\(error)"])
            return
        }
        awaitingReload = []
        consumer.resume(partitions)
        logger.info("continuing partitions after a dropped window", metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))"])
    }

    /// Gives up on the flush in flight and the current window; their offsets stay uncommitted.
    private func dropUncommitted() {
        flusher.abandon()
        analyzer.discardAll()
        pendingOffsets = [:]
        pendingQuarantine = []
        pendingQuarantineBytes = 0
        windowStarted = nil
        local.droppedWindows &+= 1
    }

    private func shutdown() {
        logger.info("stopping consumer: flushing and committing")
        if !drainAndCommit(reason: "shutdown"), configuration.replay != nil, failure == nil {
            failure = KafkaError(code: -1, reason: "replay stopped before its last batch was written; run it again (replays are idempotent)")
        }
        consumer.close()
        publish()
        var metadata: Logger.Metadata = ["records": "\(local.records)", "items": "\(local.items)", "bytes": "\(local.bytes)", "invalid": "\(local.invalidRecords)",
                                         "quarantined": "\(local.quarantinedRecords)", "skipped_already_applied": "\(local.skippedRecords)"]
        if let first = local.firstRecordAt, let last = local.lastCommitAt, last > first {
            let seconds = Double((last - first).components.attoseconds) / 1e18 + Double((last - first).components.seconds)
            metadata["seconds_first_record_to_last_commit"] = "\(String(format: "%.3f", seconds))"
            metadata["items_per_second"] = "\(Int(Double(local.items) / seconds))"
        }
        logger.info("consumer stopped", metadata: metadata)
    }

    // MARK: - Admin clear (poll thread)

    /// Serves queued clears: lets the flush in flight land, clears the store while nothing else is written, then drops
    /// the window and commits its offsets (the records it held are cleared, not to be read again).
    private func serveClearRequests() {
        for request in clearRequests.take() {
            guard flusher.waitUntilIdle(timeout: configuration.policy.drainTimeout) else {
                request.complete(.failure(FlushStillRunning()))
                continue
            }
            commitCompleted()
            do {
                try BlockingWait.run(timeout: configuration.policy.drainTimeout + .seconds(30), request.clearStore)
            } catch {
                request.complete(.failure(error))
                continue
            }
            let discarded = analyzer.discardAll()
            appliedNotCommitted.merge(pendingOffsets) { max($0, $1) }
            pendingOffsets = [:]
            windowStarted = nil
            commitCompleted()
            logger.info("store cleared; buffered window discarded", metadata: ["rows.discarded": "\(discarded)"])
            request.complete(.success(()))
        }
    }

    // MARK: - KafkaRebalanceHandler (called on the poll thread)

    package func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        assigned.formUnion(partitions)
        if paused {
            paused = false
            local.paused = false
        }
        if let starts = prepare(partitions, committed: nil) { return starts }
        // Without the stored progress a record could be applied twice: ignore these partitions' records until the
        // progress can be read, then seek to where the store ends (``reloadDropped()``).
        logger.warning("stored progress unreadable; the partitions wait until it can be read", metadata: ["partitions": "\(partitions.count)"])
        awaitingReload.formUnion(partitions)
        return [:]
    }

    package func partitionsRevoking(_ partitions: [TopicPartition], lost: Bool) {
        if lost {
            // Not a member any more: commits would fail. Drop uncommitted data; the new owner reads it again.
            dropUncommitted()
        } else {
            let retained = assigned.subtracting(partitions)
            if !drainAndCommit(reason: "rebalance"), !retained.isEmpty {
                // Records of partitions we keep were dropped from the window (their INSERT may still land): stop them
                // until the stored progress can be read again, then continue from there (``reloadDropped()``).
                awaitingReload.formUnion(retained)
                consumer.pause(Array(retained))
            }
        }
        assigned.subtract(partitions)
        for tp in partitions {
            applied[tp] = nil
            segmentStarts[tp] = nil
            regressed.remove(tp)
            awaitingReload.remove(tp)
        }
        if paused {
            paused = false
            local.paused = false
            consumer.resume(Array(assigned))
        }
    }
}
