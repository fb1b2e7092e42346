import Foundation
import Logging
import ServiceLifecycle
import Store
import Synchronization

/// The ingest pipeline as a `Service`: consumes Kafka records, aggregates their metadata in a window, flushes the
/// window to ClickHouse and commits offsets only after the flush was acknowledged.
///
/// One dedicated thread polls librdkafka, decodes and aggregates (the hot path); a ``Flusher`` writes the previous
/// window meanwhile. When the window is full while a flush is still running, the assigned partitions are paused
/// (polling continues, so the group membership stays alive) and resumed when the flush completes.
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
        package init(kafka: KafkaConfiguration, topics: [String], topicSignals: TopicSignalMap = .init(), encoding: OTLPEncoding = .auto, policy: BatchPolicy = .init()) {
            self.kafka = kafka
            self.topics = topics
            self.topicSignals = topicSignals
            self.encoding = encoding
            self.policy = policy
        }
    }

    private let configuration: Configuration
    private let logger: Logger
    private let consumer: KafkaConsumer
    private let flusher: Flusher
    private let sink: any MetadataSink
    private let stopRequested = Atomic<Bool>(false)
    private let stats = Mutex(IngestStatistics())
    private let metrics: PipelineMetrics

    // Poll-thread state.
    private var window = MetadataWindow()
    private var windowStarted: ContinuousClock.Instant? = nil
    /// Next offset to read per partition, for records consumed into the current window.
    private var pendingOffsets: [TopicPartition: Int64] = [:]
    private var assigned: Set<TopicPartition> = []
    private var paused = false
    /// Offsets known to be applied in the store but not committed (found in progress rows on assignment).
    private var appliedNotCommitted: [TopicPartition: Int64] = [:]
    private var signalByTopic: [String: Signal?] = [:]
    private var local = IngestStatistics()

    package init(configuration: Configuration, sink: any MetadataSink, logger: Logger, metrics: PipelineMetrics = PipelineMetrics()) throws(KafkaError) {
        self.configuration = configuration
        self.logger = logger
        self.consumer = try KafkaConsumer(configuration: configuration.kafka, logger: logger)
        self.flusher = Flusher(sink: sink, logger: logger, metrics: metrics)
        self.sink = sink
        self.metrics = metrics
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
        return snapshot
    }

    /// Asks the poll loop to stop (flush, commit, leave the group). Safe from any thread.
    package func requestStop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    package func run() async throws {
        try consumer.subscribe(topics: configuration.topics)
        logger.info("consumer started", metadata: ["topics": "\(configuration.topics.joined(separator: ","))", "group": "\(configuration.kafka.group)"])
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
        while !stopRequested.load(ordering: .relaxed) {
            // Drain what librdkafka has buffered without blocking, then block briefly when idle.
            var delivered = 0
            // Stop draining as soon as the window is full, so its size stays bounded by the policy.
            while delivered < 1_000, !windowIsFull, try consumer.poll(timeoutMilliseconds: delivered == 0 ? 100 : 0, handle) {
                delivered += 1
                if stopRequested.load(ordering: .relaxed) { break }
            }
            commitCompleted()
            step()
            publish()
        }
        shutdown()
    }

    /// The signal of a topic, resolved once per topic rather than per record.
    private func signal(for topic: String) -> Signal? {
        if let known = signalByTopic[topic] { return known }
        let resolved = configuration.topicSignals.signal(for: topic)
        signalByTopic[topic] = .some(resolved)
        return resolved
    }

    private var windowIsFull: Bool {
        window.rowCount >= configuration.policy.maxRows || window.approximateBytes >= configuration.policy.maxBytes
    }

    private func handle(_ record: KafkaRecord) {
        let tp = record.topicPartition
        local.records &+= 1
        if local.firstRecordAt == nil { local.firstRecordAt = .now }
        local.bytes &+= UInt64(record.payload.count)
        pendingOffsets[tp] = record.offset + 1
        if windowStarted == nil { windowStarted = .now }
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
        do {
            let items = try window.ingest(record.payload, signal: signal, encoding: configuration.encoding, timestamp: seconds)
            local.items &+= UInt64(items)
        } catch {
            local.invalidRecords &+= 1
            logger.warning("invalid OTLP record skipped", metadata: [
                "kafka.topic": "\(record.topic)", "kafka.partition": "\(record.partition)", "kafka.offset": "\(record.offset)",
                "size": "\(record.payload.count)", "reason": "\(error)",
            ])
        }
    }

    /// Flushes, pauses or resumes as the policy says.
    private func step() {
        let age = windowStarted.map { ContinuousClock.now - $0 } ?? .zero
        let decision = configuration.policy.decide(rows: window.rowCount, bytes: window.approximateBytes, age: age,
                                                   hasPendingOffsets: !pendingOffsets.isEmpty, flushInFlight: flusher.isBusy)
        switch decision {
        case .flush:
            submitWindow()
            setPaused(false)
        case .pause:
            setPaused(true)
        case .keepGoing:
            if paused && !flusher.isBusy { setPaused(false) }
        }
    }

    private func submitWindow() {
        var batch = window.drain()
        batch.progress = pendingOffsets.map { PartitionProgress(topic: $0.key.topic, partition: $0.key.partition, lastOffset: $0.value - 1) }
            .sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        flusher.submit(batch, offsets: pendingOffsets)
        pendingOffsets = [:]
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

    private func publish() {
        local.assignedPartitions = assigned.count
        let snapshot = local
        stats.withLock { $0 = snapshot }
        metrics.observe(snapshot, windowRows: window.rowCount, windowBytes: window.approximateBytes, policy: configuration.policy)
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

    /// Gives up on the flush in flight and the current window; their offsets stay uncommitted.
    private func dropUncommitted() {
        flusher.abandon()
        _ = window.drain()
        pendingOffsets = [:]
        windowStarted = nil
        local.droppedWindows &+= 1
    }

    private func shutdown() {
        logger.info("stopping consumer: flushing and committing")
        drainAndCommit(reason: "shutdown")
        consumer.close()
        publish()
        var metadata: Logger.Metadata = ["records": "\(local.records)", "items": "\(local.items)", "bytes": "\(local.bytes)", "invalid": "\(local.invalidRecords)"]
        if let first = local.firstRecordAt, let last = local.lastCommitAt, last > first {
            let seconds = Double((last - first).components.attoseconds) / 1e18 + Double((last - first).components.seconds)
            metadata["seconds_first_record_to_last_commit"] = "\(String(format: "%.3f", seconds))"
            metadata["items_per_second"] = "\(Int(Double(local.items) / seconds))"
        }
        logger.info("consumer stopped", metadata: metadata)
    }

    // MARK: - KafkaRebalanceHandler (called on the poll thread)

    package func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        assigned.formUnion(partitions)
        if paused {
            paused = false
            local.paused = false
        }
        return startOffsets(for: partitions)
    }

    /// Where each newly assigned partition starts: after the last offset the store already holds, when that is
    /// beyond the group's commit (a flush landed but its commit did not, e.g. during a rebalance or a crash).
    /// Those offsets are committed on the next loop, so the group catches up without reading them again.
    private func startOffsets(for partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        let topics = Set(partitions.map(\.topic))
        var applied: [TopicPartition: Int64] = [:]
        do {
            for topic in topics {
                let sink = self.sink
                let progress = try BlockingWait.run(timeout: .seconds(15)) { try await sink.storedProgress(topic: topic) }
                for (partition, offset) in progress { applied[TopicPartition(topic: topic, partition: partition)] = offset + 1 }
            }
        } catch {
            logger.warning("could not read stored progress; starting at the committed offsets (records may be counted twice)",
                           metadata: ["error": "\(error)"])
            return [:]
        }
        let wanted = partitions.filter { applied[$0] != nil }
        guard !wanted.isEmpty else { return [:] }
        let committed = (try? consumer.committed(wanted)) ?? [:]
        var starts: [TopicPartition: Int64] = [:]
        for tp in wanted {
            guard let next = applied[tp], next > (committed[tp] ?? -1) else { continue }
            starts[tp] = next
            appliedNotCommitted[tp] = next
        }
        if !starts.isEmpty {
            logger.info("skipping records already in the store", metadata: [
                "partitions": "\(starts.keys.sorted().map { "\($0)@\(starts[$0]!)" }.joined(separator: ","))",
            ])
        }
        return starts
    }

    package func partitionsRevoking(_ partitions: [TopicPartition], lost: Bool) {
        if lost {
            // Not a member any more: commits would fail. Drop uncommitted data; the new owner reads it again.
            dropUncommitted()
        } else {
            let retained = assigned.subtracting(partitions)
            if !drainAndCommit(reason: "rebalance"), !retained.isEmpty {
                // Records of partitions we keep were dropped from the window: read them again from the last commit.
                if let committed = try? consumer.committed(Array(retained)) {
                    try? consumer.seek(committed)
                }
            }
        }
        assigned.subtract(partitions)
        if paused {
            paused = false
            local.paused = false
            consumer.resume(Array(assigned))
        }
    }
}
