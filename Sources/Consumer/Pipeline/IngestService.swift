import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// The ingest pipeline as a `Service`: consumes Kafka records, aggregates their metadata in a window, flushes the
/// window to ClickHouse and commits offsets only after the flush was acknowledged.
///
/// One dedicated thread runs the poll loop (``pollLoop()``): it polls librdkafka, books each record in the
/// ``PartitionLedger`` and hands it to a ``ParallelAnalyzer`` (lanes of their own; with one lane, the poll thread itself);
/// a ``Flusher`` writes the previous window meanwhile. State has one owner each:
/// - ``PartitionLedger``: offsets booked, applied, segment starts, partitions waiting or stopped;
/// - ``ProgressLoader``: where assigned partitions start (stored progress, INSERTs still running, regressions);
/// - ``GroupCommitter`` and ``OwnershipLease``: commits and how long this member may still write (fenced writes);
/// - ``ReplayController``: a replay's ranges and its lock;
/// - the analyzer and ``pendingQuarantine``: the current window.
///
/// While a flush is running the window keeps filling past `--flush-bytes`, into what that flush leaves of two windows'
/// budget (``BatchPolicy/fillLimit(writing:)``; an encoded flush holds only its INSERT body). At that limit the poll
/// thread waits up to ``fullWindowWait`` for room; a flush that takes longer pauses the assigned partitions, and the loop
/// keeps polling (paused partitions deliver nothing; polling blocks up to 100 ms), so the member stays in its group and
/// uses no CPU while ClickHouse is down.
///
/// On SIGTERM/SIGINT (graceful shutdown) it stops fetching, flushes, commits and leaves the group.
package final class IngestService: Service, KafkaRebalanceHandler, @unchecked Sendable {
    // @unchecked Sendable: the mutable state below is touched only on the poll thread (the loop and the rebalance
    // callbacks run there); other threads use only `stopRequested`, `stats` and the committer, which are synchronized.

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
        /// Live consumption: the lock group of replays into the same store (``ReplayPlan/lockGroup(liveGroup:database:)``).
        /// A partition without committed offset is not started while a replay holds it. `nil`: not checked.
        package var replayLockGroup: String?
        /// The deep-watch list whose keys' values are collected with the metadata (``WatchRegistry``); `nil`: none.
        package var watch: WatchRegistry?
        /// With ``replay``: fill these watched keys instead of applying records (`census replay --fill-watched`): only
        /// records the store already holds are read, each for the keys whose values of it are not stored (``WatchCoverage``),
        /// and the batches carry nothing but those values and their coverage rows. `nil`: an ordinary replay.
        package var fillWatched: [String]?
        package init(
            kafka: KafkaConfiguration, topics: [String], topicSignals: TopicSignalMap = .init(), encoding: OTLPEncoding = .auto,
            policy: BatchPolicy = .init(),
            maxRecordBytes: Int = 16 << 20, onOffsetRegression: OffsetRegressionAction = .fail, deadLetterTopic: String? = nil,
            replay: ReplayPlan? = nil, analyzerLanes: Int = ParallelAnalyzer.defaultLanes, maxRecordRows: Int = 100_000,
            replayLockGroup: String? = nil, watch: WatchRegistry? = nil, fillWatched: [String]? = nil
        ) {
            self.kafka = kafka
            self.watch = watch
            self.fillWatched = fillWatched
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
            self.replayLockGroup = replayLockGroup
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
    /// Commits and the ownership lease (live consumption only).
    private let committer: GroupCommitter
    private let loader: ProgressLoader
    /// Set for `census replay` (``Configuration/replay``).
    private let replay: ReplayController?
    /// The lease the flusher's writes are fenced by: the group's, or the replay lock's.
    private let writeLease: OwnershipLease

    // Poll-thread state.
    /// The window, aggregated on ``Configuration/analyzerLanes`` lanes.
    private let analyzer: ParallelAnalyzer
    private var windowStarted: ContinuousClock.Instant? = nil
    /// Set when partitions were assigned, cleared when the next window is handed to the flusher: that window is due
    /// after ``BatchPolicy/firstMaxAge``, so a member's first commit follows its join within moments.
    private var firstWindowAfterAssignment = false
    /// Records of the current window that were quarantined (written with the window's batch).
    var pendingQuarantine: [QuarantinedRecord] = []
    /// Memory `pendingQuarantine` holds, approximately: counted in the window's bytes, so garbage fills a window too.
    var pendingQuarantineBytes = 0
    /// The partitions' books.
    var ledger = PartitionLedger()
    private var paused = false
    private var lastReloadAttempt: ContinuousClock.Instant? = nil
    /// When the window limits' warning was last logged.
    private var lastOverflowLog: ContinuousClock.Instant? = nil
    /// Set when the service must stop with an error (an offset regression with `--on-offset-regression fail`, a lost lock).
    private var failure: (any Error)? = nil
    private var signalByTopic: [String: Signal?] = [:]
    var local = IngestStatistics()

    package init(configuration: Configuration, sink: any MetadataSink, logger: Logger, metrics: PipelineMetrics = PipelineMetrics())
        throws(KafkaError)
    {
        let budget = InsertBudget(
            flushRows: configuration.policy.maxRows, recordRows: configuration.maxRecordRows, lanes: configuration.analyzerLanes)
        var configuration = configuration
        configuration.policy.maxRows = budget.flushRows
        configuration.maxRecordRows = budget.recordRows
        self.configuration = configuration
        self.logger = logger
        var kafka = configuration.kafka
        if configuration.replay != nil { kafka.properties["enable.partition.eof"] = "true" }
        let consumer = try KafkaConsumer(configuration: kafka, logger: logger)
        self.consumer = consumer
        // A dead-letter topic needs the whole payload of a failed record; otherwise only the quarantine's prefix is kept.
        self.analyzer = ParallelAnalyzer(
            lanes: configuration.analyzerLanes, limits: WindowLimits(maxRecordRows: budget.recordRows),
            encoding: configuration.encoding, releasesFailedPayloads: configuration.deadLetterTopic == nil,
            watch: configuration.watch)
        let committer = GroupCommitter(consumer: consumer, lease: OwnershipLease(properties: kafka.consumerProperties), logger: logger)
        self.committer = committer
        let replay = configuration.replay.map { ReplayController(plan: $0, logger: logger) }
        self.replay = replay
        // A replay's writes are fenced by its lock's lease (set when the lock is taken); the live group's by its own.
        let writeLease = replay == nil ? committer.lease : OwnershipLease(properties: kafka.consumerProperties)
        self.writeLease = writeLease
        let ownership: Flusher.Ownership?
        if let replay {
            ownership =
                configuration.replay?.lockGroup == nil
                ? nil
                : Flusher.Ownership(lease: writeLease, confirm: replay.lockSlot.confirm)
        } else {
            ownership = Flusher.Ownership(lease: committer.lease, confirm: { committer.confirm() })
        }
        self.flusher = Flusher(sink: sink, logger: logger, metrics: metrics, ownership: ownership)
        self.loader = ProgressLoader(sink: sink, directory: consumer, action: configuration.onOffsetRegression, logger: logger)
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
        snapshot.fencedAttempts = flusher.fencedAttempts
        return snapshot
    }

    /// Asks the poll loop to stop (flush, commit, leave the group). Safe from any thread.
    package func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    package func run() async throws {
        // Windows read the deep-watch list when they start: restart them now that the caller has loaded it.
        _ = analyzer.drain()
        if let replay {
            try startReplay(replay)
        } else {
            try consumer.subscribe(topics: configuration.topics)
            logger.info(
                "consumer started",
                metadata: [
                    "topics": "\(configuration.topics.joined(separator: ","))", "group": "\(configuration.kafka.group)",
                    "analyzer_threads": "\(analyzer.lanes)", "write_lease": "\(committer.lease.length)",
                    "flush_rows": "\(configuration.policy.maxRows)", "max_record_rows": "\(configuration.maxRecordRows)",
                ])
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
            pollRecords()
            commitCompleted()
            step()
            reloadDropped()
            if let replay {
                replay.lock?.service()
                if replay.lock?.isLost == true, failure == nil {
                    failure = ReplayController.ReplayError(
                        "the replay lock was lost to another replay (this process was paused or cut off past "
                            + "its session); what it had sent is fenced. Run the replay again once the other one finished (replays are idempotent).")
                    replay.abandonAll()
                }
                if replay.isFinished { break }
            }
            publish()
        }
        shutdown()
        if let replay, !replay.isFinished, failure == nil {
            failure = ReplayController.ReplayError("replay interrupted before every partition reached its end; run it again (replays are idempotent)")
        }
        if let failure { throw failure }
    }

    /// Drains what librdkafka has buffered without blocking, then blocks up to 100 ms when nothing came. A full window
    /// stops the draining (its size stays bounded by the policy; records still queued on the analyzer lanes add at most a
    /// few per lane) — but once fetching is paused the loop polls on: paused partitions deliver nothing, the poll blocks,
    /// and librdkafka sees the application alive (`max.poll.interval.ms`).
    private func pollRecords() {
        var delivered = 0
        while delivered < 1_000, !windowIsFull || paused {
            let consumed: ConsumedRecord?
            do {
                consumed = try consumer.pollRecord(timeoutMilliseconds: delivered == 0 ? 100 : 0) { [self] tp, offset in
                    replay?.reachedEnd(tp, offset: offset, consumer: consumer)
                }
            } catch {
                logger.error("kafka poll failed", metadata: ["error": "\(error)"])
                failure = failure ?? error
                requestStop()
                return
            }
            committer.lease.polled()
            guard let consumed else { return }
            handle(consumed)
            delivered += 1
            if stopRequested.load(ordering: .relaxed) { return }
            // The first window after an assignment ends the turn once it is due: with a backlog a turn would otherwise
            // fill it with up to 1,000 records (and the first INSERT, and commit, with them).
            if firstWindowAfterAssignment, let started = windowStarted,
                ContinuousClock.now - started >= min(configuration.policy.maxAge, configuration.policy.firstMaxAge)
            {
                return
            }
        }
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

    /// Whether the window must stop filling: it is full and no flush is in flight (it is flushed next), or it reached
    /// what the flush in flight leaves of the budget (``BatchPolicy/fillLimit(writing:)``).
    private var windowIsFull: Bool {
        configuration.policy.atLimit(
            rows: analyzer.rowCount, bytes: windowBytes, keyAtValueLimit: analyzer.hasKeyAtValueLimit, writing: flusher.heldBytes)
    }

    /// Bytes the window holds: the lanes' windows, their failed records, and the records quarantined for it.
    private var windowBytes: Int { analyzer.approximateBytes &+ pendingQuarantineBytes }

    /// Books one record and hands it to the analyzer (see ``finishAnalysis()``).
    private func handle(_ consumed: ConsumedRecord) {
        let record = consumed.record
        let tp = record.topicPartition
        if let replay, !replay.accept(tp, offset: record.offset, consumer: consumer) { return }
        if ledger.pending.isEmpty { pinWatchList() }
        let admission = ledger.admit(tp, offset: record.offset)
        guard admission != .ignore else { return }
        if replay == nil { committer.owns(tp, from: record.offset) }
        local.records &+= 1
        if local.firstRecordAt == nil { local.firstRecordAt = .now }
        local.bytes &+= UInt64(record.payload.count)
        if windowStarted == nil { windowStarted = .now }
        if admission == .alreadyApplied {
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
        analyzer.enqueue(record.payload, signal: signal, timestamp: seconds, owner: consumed, id: record.id, watchMask: ledger.watchMask)
    }

    /// Between windows (nothing booked, the analyzer empty): every lane's window and the ledger take the registry's
    /// current watch list, so a batch collects one list and says which offsets it covered for each key (``WatchCoverage``).
    /// A fill keeps the keys it started with.
    private func pinWatchList() {
        guard configuration.fillWatched == nil, let registry = configuration.watch else { return }
        let keys = Array(registry.keys.prefix(64))
        // Nothing booked means nothing queued on the lanes or claimed; checked anyway: a list pinned mid-window would
        // make the window's coverage claims wrong, so it then waits for the next window.
        guard analyzer.pinnedKeys != keys, analyzer.rowCount == 0, !ledger.hasCoverageClaims else { return }
        analyzer.pinWatch(keys: keys)
        ledger.setWatchKeys(keys)
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
                quarantine(
                    id, size: failure.size, firstBytes: failure.firstBytes, payload: nil, timestamp: failure.timestamp,
                    reason: failure.error.quarantineReason)
            }
        }
    }

    /// Flushes, pauses or resumes as the policy says.
    private func step() {
        if let unwritable = flusher.unwritable, failure == nil {
            // Cannot happen within the InsertBudget; if it does, stop loudly rather than retry the same bytes forever or
            // commit past data that was never written.
            dropUncommitted(waitForFence: false)
            failure = StoreError(.batchTooLarge, "a batch cannot be written (\(unwritable)); stopping without committing it")
            requestStop()
            return
        }
        let age = windowStarted.map { ContinuousClock.now - $0 } ?? .zero
        let policy = configuration.policy
        let rows = analyzer.rowCount
        let bytes = windowBytes
        let keyAtValueLimit = analyzer.hasKeyAtValueLimit
        let writing = flusher.heldBytes
        local.peakWindowBytes = max(local.peakWindowBytes, bytes)
        local.peakWindowAndFlushBytes = max(local.peakWindowAndFlushBytes, bytes &+ (writing ?? 0))
        let decision = policy.decide(
            rows: rows, bytes: bytes, age: age, hasPendingOffsets: !ledger.pending.isEmpty, writing: writing,
            keyAtValueLimit: keyAtValueLimit, firstAfterAssignment: firstWindowAfterAssignment)
        switch decision {
        case .flush:
            submitWindow()
            setPaused(false)
        case .pause:
            // The window reached what the flush in flight leaves of the budget; that flush usually releases its window
            // (once encoded) or ends within moments. Waiting for it without polling keeps what librdkafka prefetched
            // (pausing purges its queues, and resuming fetches all of it again); the next turn then fills on or flushes.
            // Only a flush that takes longer than that (ClickHouse slow or down) pauses fetching; once paused, the loop
            // polls on (paused partitions deliver nothing) until there is room.
            guard !paused else { break }
            let room = flusher.wait(timeout: Self.fullWindowWait) { writing in
                writing == nil || !policy.atLimit(rows: rows, bytes: bytes, keyAtValueLimit: keyAtValueLimit, writing: writing)
            }
            if !room { setPaused(true) }
        case .keepGoing:
            setPaused(false)
        }
    }

    private func submitWindow() {
        finishAnalysis()
        let bytes = windowBytes
        let batch = analyzer.drain()
        report(analyzer.lastDrainOverflow)
        submit(batch, bytes: bytes)
    }

    /// Counts what the window limits left out of a window (`census_window_dropped_observations_total`), and logs it at
    /// most once a minute: a store that keeps hitting a limit does so on every flush.
    private func report(_ overflow: WindowOverflow) {
        guard !overflow.isEmpty else { return }
        local.windowOverflow.add(overflow)
        if let last = lastOverflowLog, last.duration(to: .now) < .seconds(60) { return }
        lastOverflowLog = .now
        logger.warning(
            "window limits reached: observations left out of this window (census_window_dropped_observations_total)",
            metadata: [
                "dropped_key_observations": "\(overflow.droppedKeyObservations)", "dropped_event_names": "\(overflow.droppedEventNames)",
                "dropped_template_observations": "\(overflow.droppedTemplateObservations)",
            ])
    }

    private func submit(_ drained: MetadataBatch, bytes: Int) {
        var batch = drained
        batch.progress = ledger.progressRows()
        batch.watchCoverage = ledger.takeCoverage()
        batch.quarantined = pendingQuarantine
        if configuration.fillWatched != nil {
            // A fill adds watched values and their coverage, nothing else: the rest of these records is stored already.
            batch.signals = []
            batch.keys = []
            batch.templates = []
            batch.progress = []
            batch.quarantined = []
        }
        flusher.submit(batch, bytes: bytes, offsets: ledger.takePending())
        pendingQuarantine = []
        pendingQuarantineBytes = 0
        windowStarted = nil
        firstWindowAfterAssignment = false
    }

    /// Pauses fetching of every assigned partition, or resumes the ones that fetch when nothing holds them back: not
    /// those awaiting their stored progress (``reloadDropped()`` resumes them) nor a replay's partitions that reached
    /// their end.
    private func setPaused(_ pause: Bool) {
        guard pause != paused else { return }
        paused = pause
        if pause {
            let partitions = Array(ledger.assigned)
            consumer.pause(partitions)
            local.pauses &+= 1
            logger.info("window full while a flush is running; fetching paused", metadata: ["partitions": "\(partitions.count)"])
        } else {
            consumer.resume(ledger.assigned.filter { !ledger.awaitingReload.contains($0) && replay?.isReading($0) != false })
            logger.debug("fetching resumed")
        }
        local.paused = pause
    }

    private func commitCompleted() {
        let acknowledged = flusher.takeCompleted() ?? [:]
        ledger.acknowledged(acknowledged)
        guard replay == nil else { return }  // a replay commits nothing to any group
        let offsets = acknowledged.merging(ledger.takeAppliedNotCommitted()) { max($0, $1) }
        // Commit only partitions this member still owns; the rest were handled when they were revoked.
        let owned = offsets.filter { ledger.assigned.contains($0.key) }
        guard !owned.isEmpty else { return }
        let commitStarted = ContinuousClock.now
        do {
            try committer.commit(owned)
            metrics.commitFinished(duration: .now - commitStarted, succeeded: true)
            local.commits &+= 1
            local.lastCommitAt = .now
            local.committed.merge(owned) { max($0, $1) }
        } catch {
            metrics.commitFinished(duration: .now - commitStarted, succeeded: false)
            local.commitFailures &+= 1
            logger.warning(
                "offset commit failed (the data is written; the records will be read again)",
                metadata: [
                    "error": "\(error)", "kafka.offsets": "\(owned.keys.sorted().map { "\($0)@\(owned[$0]!)" }.joined(separator: ","))",
                ])
        }
    }

    func publish() {
        local.assignedPartitions = ledger.assigned.count
        local.flushBytes = flusher.heldBytes ?? 0
        if let replay { local.replayFinished = replay.isFinished }
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
        if ok, !ledger.pending.isEmpty {
            submitWindow()
            ok = flusher.waitUntilIdle(timeout: timeout)
            commitCompleted()
        }
        if !ok {
            dropUncommitted(waitForFence: true)
            logger.warning("could not write pending data in time; dropped it uncommitted (it will be read again)", metadata: ["reason": "\(reason)"])
        }
        return ok
    }

    /// Partitions awaiting their stored progress (see ``PartitionLedger/awaitingReload``): once it can be read (after the
    /// abandoned INSERT finished), continue each from the first offset the store does not hold. Tried at most every 2 s.
    private func reloadDropped() {
        guard !ledger.awaitingReload.isEmpty, !flusher.isBusy else { return }
        if let last = lastReloadAttempt, ContinuousClock.now - last < .seconds(2) { return }
        lastReloadAttempt = .now
        let partitions = ledger.awaitingReload.sorted()
        guard !replayRunning(on: partitions, committed: try? consumer.committed(partitions)) else { return }
        var waiting = ledger
        guard let outcome = loader.prepare(partitions, replayStarts: nil, ledger: &waiting) else { return }
        var targets = (try? consumer.committed(partitions)) ?? [:]
        targets.merge(outcome.starts) { _, start in start }
        do {
            // Never committed and nothing stored: from the beginning (the skip rule makes re-reading safe).
            for tp in partitions where targets[tp] == nil { targets[tp] = try consumer.watermarks(tp).low }
            try consumer.seek(targets)
        } catch {
            logger.warning("could not seek after reloading stored progress; trying again", metadata: ["error": "\(error)"])
            return
        }
        ledger = waiting
        applyRegressions(outcome)
        consumer.resume(partitions)
        logger.info(
            "continuing partitions after a dropped window", metadata: ["partitions": "\(partitions.map(\.description).joined(separator: ","))"])
    }

    /// Gives up on the flush in flight and the current window; their offsets stay uncommitted.
    /// - Parameter waitForFence: Wait until an INSERT already sent can no longer land (its write fence passed) before
    ///   returning: the partitions may go to another member right after.
    private func dropUncommitted(waitForFence: Bool) {
        let landsUntil = flusher.abandon()
        analyzer.discardAll()
        _ = ledger.takePending()
        ledger.dropCoverage()
        pendingQuarantine = []
        pendingQuarantineBytes = 0
        windowStarted = nil
        local.droppedWindows &+= 1
        if waitForFence, let landsUntil, landsUntil > .now {
            logger.info("waiting until the abandoned INSERT's write fence has passed", metadata: ["seconds": "\(landsUntil - .now)"])
            Thread.sleep(forTimeInterval: max(0, (landsUntil - .now).inSeconds))
        }
    }

    private func shutdown() {
        logger.info("stopping consumer: flushing and committing")
        if !drainAndCommit(reason: "shutdown"), replay != nil, failure == nil {
            failure = ReplayController.ReplayError("replay stopped before its last batch was written; run it again (replays are idempotent)")
        }
        replay?.lock?.release()
        consumer.close()
        publish()
        var metadata: Logger.Metadata = [
            "records": "\(local.records)", "items": "\(local.items)", "bytes": "\(local.bytes)", "invalid": "\(local.invalidRecords)",
            "quarantined": "\(local.quarantinedRecords)", "skipped_already_applied": "\(local.skippedRecords)",
        ]
        if let first = local.firstRecordAt, let last = local.lastCommitAt, last > first {
            let seconds = (last - first).inSeconds
            metadata["seconds_first_record_to_last_commit"] = "\(String(format: "%.3f", seconds))"
            metadata["items_per_second"] = "\(Int(Double(local.items) / seconds))"
        }
        logger.info("consumer stopped", metadata: metadata)
    }

    // MARK: - Replay (poll thread)

    /// Resolves the plan, takes the replay lock, prepares the ranges like an assignment and assigns them.
    private func startReplay(_ replay: ReplayController) throws {
        try replay.resolve(consumer: consumer, kafka: configuration.kafka)
        local.replayTotal = replay.total
        let partitions = replay.ranges.keys.sorted()
        try replay.acquireLock(kafka: configuration.kafka, lease: writeLease)
        guard let outcome = loader.prepare(partitions, replayStarts: replay.ranges.mapValues(\.start), ledger: &ledger) else {
            replay.lock?.release()
            throw ReplayController.ReplayError("cannot read the stored progress from ClickHouse; nothing was replayed")
        }
        applyRegressions(outcome)
        if let keys = configuration.fillWatched {
            guard let covered = loader.watchCoverage(keys: keys, partitions: partitions, ledger: ledger) else {
                replay.lock?.release()
                throw ReplayController.ReplayError("cannot read the watched keys' coverage from ClickHouse; nothing was filled")
            }
            analyzer.pinWatch(keys: keys)
            ledger.startFill(keys: keys, covered: covered)
        }
        let active = partitions.filter { !ledger.regressed.contains($0) }
        ledger.assign(active)
        logger.info(
            "replay started",
            metadata: [
                "records": "\(local.replayTotal)",
                "ranges": "\(partitions.map { "\($0)@\(replay.ranges[$0]!.start)..<\(replay.ranges[$0]!.end)" }.joined(separator: ","))",
            ])
        if failure != nil {
            replay.abandonAll()
            return
        }
        try consumer.assign(Dictionary(uniqueKeysWithValues: active.map { ($0, replay.ranges[$0]!.start) }))
        publish()
    }

    /// Counts regressions; a `fail` regression stops the service with an error naming the partitions.
    private func applyRegressions(_ outcome: ProgressLoader.Outcome) {
        local.offsetRegressions &+= UInt64(outcome.regressions)
        guard !outcome.failedRegressions.isEmpty else { return }
        let previous = (failure as? OffsetRegression)?.partitions ?? []
        failure = OffsetRegression(partitions: previous + outcome.failedRegressions)
        requestStop()
    }

    /// An offset regression that stopped the service (`--on-offset-regression fail`).
    struct OffsetRegression: Error, CustomStringConvertible {
        var partitions: [String]
        var description: String {
            "stored progress is beyond the end of \(partitions.joined(separator: ", ")) (topic deleted and re-created?); "
                + "stopped (--on-offset-regression fail). Replay into a cleared store, or restart with --on-offset-regression reset."
        }
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
            pendingQuarantine = []
            pendingQuarantineBytes = 0
            ledger.storeCleared()
            windowStarted = nil
            commitCompleted()
            logger.info("store cleared; buffered window discarded", metadata: ["rows.discarded": "\(discarded)"])
            request.complete(.success(()))
        }
    }

    // MARK: - KafkaRebalanceHandler (called on the poll thread)

    package func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        // Cooperative rebalancing adds partitions to the ones kept, which were paused with the window (eager rebalancing
        // revoked them all first); they fetch again, and the next turn pauses them all if there is still no room.
        setPaused(false)
        ledger.assign(partitions)
        firstWindowAfterAssignment = true
        // Only the live group commits; a failed lookup leaves every start to librdkafka (`nil`).
        let committed = replay == nil ? try? consumer.committed(partitions) : nil
        if replayRunning(on: partitions, committed: committed) {
            // Without a committed offset this member would start at the low watermark, inside the running replay's
            // ranges: wait until the replay is done, then start after what the store holds (``reloadDropped()``).
            logger.notice(
                "a census replay into this store is running: partitions without a committed offset wait for it",
                metadata: ["partitions": "\(partitions.count)"])
            ledger.awaitReload(partitions)
            consumer.pause(partitions)
            return [:]
        }
        if let outcome = loader.prepare(partitions, replayStarts: nil, ledger: &ledger) {
            applyRegressions(outcome)
            return outcome.starts.merging(earliestStarts(partitions, committed: committed, decided: outcome.starts)) { decided, _ in decided }
        }
        // Without the stored progress a record could be applied twice: ignore these partitions' records until the
        // progress can be read, then seek to where the store ends (``reloadDropped()``).
        logger.warning("stored progress unreadable; the partitions wait until it can be read", metadata: ["partitions": "\(partitions.count)"])
        ledger.awaitReload(partitions)
        return [:]
    }

    /// Partitions with neither a committed offset nor stored progress start at their first offset; with
    /// `auto.offset.reset=earliest` census names that start itself, because librdkafka, left to find out that nothing is
    /// committed, waits 100 ms before it asks the broker for the first offset (measured on a fresh group). Where it
    /// starts does not change. `committed`: the group's commits, `nil` when they could not be read (then nothing is named).
    private func earliestStarts(
        _ partitions: [TopicPartition], committed: [TopicPartition: Int64]?, decided: [TopicPartition: Int64]
    ) -> [TopicPartition: Int64] {
        guard let committed, configuration.kafka.resetsToEarliest else { return [:] }
        var starts: [TopicPartition: Int64] = [:]
        for tp in partitions where committed[tp] == nil && decided[tp] == nil && !ledger.regressed.contains(tp) {
            guard ledger.appliedOffsets(tp)?.isEmpty ?? true else { continue }
            starts[tp] = KafkaConsumer.beginning
        }
        return starts
    }

    /// Live consumption: whether some of `partitions` have no committed offset while a replay holds the replay lock.
    /// `committed`: the group's commits, `nil` when they could not be read (every partition then counts as uncommitted).
    private func replayRunning(on partitions: [TopicPartition], committed: [TopicPartition: Int64]?) -> Bool {
        guard replay == nil, let group = configuration.replayLockGroup else { return false }
        let committed = committed ?? [:]
        let uncommitted = partitions.filter { committed[$0] == nil }
        guard !uncommitted.isEmpty else { return false }
        return ReplayLock.isHeld(kafka: configuration.kafka, group: group, partitions: uncommitted, lease: committer.lease.length, logger: logger)
    }

    package func partitionsRevoking(_ partitions: [TopicPartition], lost: Bool) {
        if lost {
            // Not a member any more: commits would fail, and the lease has lapsed (the new owner got the partitions only
            // after it ended). Drop uncommitted data; the new owner reads it again.
            committer.disown(partitions)
            dropUncommitted(waitForFence: false)
        } else {
            let retained = ledger.assigned.subtracting(partitions)
            if !drainAndCommit(reason: "rebalance"), !retained.isEmpty {
                // Records of partitions we keep were dropped from the window (their INSERT was fenced out above): stop
                // them until the stored progress can be read again, then continue from there (``reloadDropped()``).
                ledger.awaitReload(retained)
                consumer.pause(Array(retained))
            }
            committer.disown(partitions)
        }
        ledger.revoke(partitions)
        setPaused(false)
    }
}
