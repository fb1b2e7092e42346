import Foundation
import Kafka
import Logging
import Store

/// What the progress loader asks Kafka: a partition's watermarks and the group's committed offsets.
package protocol PartitionDirectory: Sendable {
    func lowAndHigh(_ tp: TopicPartition) throws -> (low: Int64, high: Int64)
    func committedOffsets(_ partitions: [TopicPartition]) throws -> [TopicPartition: Int64]
}

extension KafkaConsumer: PartitionDirectory {
    package func lowAndHigh(_ tp: TopicPartition) throws -> (low: Int64, high: Int64) { try watermarks(tp) }
    package func committedOffsets(_ partitions: [TopicPartition]) throws -> [TopicPartition: Int64] { try committed(partitions) }
}

/// Decides where newly assigned (or replayed, or reloaded) partitions start, from the offsets the store holds; detects
/// offset regressions. Runs on the poll thread and records what it learns in the ``PartitionLedger``.
///
/// - Before reading, it waits (at most ``writesWaitLimit``) until every batch INSERT that ClickHouse was running when
///   asked has finished — a killed process's or an abandoned flush's INSERT may still land. INSERTs not running yet
///   cannot land any more: their write fence ended with their sender's ownership (``OwnershipLease``), before the
///   partitions could be assigned here.
/// - A group member starts a partition with stored progress at the first offset the store does not hold at or after its
///   committed offset (the low watermark without one). It never starts below its committed offset: what lies below was
///   applied, or deliberately dropped (a clear), and filling such gaps is what `census replay` is for — so a replay and
///   the live group never apply the same offsets (a replay stops at the group's committed offset, see
///   ``ReplayController``).
/// - Stored progress at or beyond the high watermark is an offset regression (see ``OffsetRegressionAction``).
struct ProgressLoader: Sendable {
    let sink: any MetadataSink
    let directory: any PartitionDirectory
    let action: OffsetRegressionAction
    let logger: Logger

    /// Longest wait for INSERTs in flight before reading progress: above the ClickHouse request timeout (60 s), after
    /// which an attempt's client has given up.
    static let writesWaitLimit: Duration = .seconds(75)

    /// What preparing found.
    struct Outcome {
        /// Start offsets for partitions that must not start at their committed offset.
        var starts: [TopicPartition: Int64] = [:]
        /// Partitions stopped by a regression with the `fail` action (descriptions for the error).
        var failedRegressions: [String] = []
        /// Regressions seen (either action).
        var regressions = 0
    }

    /// Loads the applied offsets of `partitions` into `ledger` and decides where each starts.
    /// - Parameter replayStarts: The replay's start offsets instead of the group's commits (then nothing is adjusted).
    /// - Returns: `nil` when the stored progress could not be read (nothing was changed).
    func prepare(_ partitions: [TopicPartition], replayStarts: [TopicPartition: Int64]?, ledger: inout PartitionLedger) -> Outcome? {
        var loaded: [TopicPartition: AppliedOffsets] = [:]
        do {
            try waitForRunningWrites()
            for topic in Set(partitions.map(\.topic)) {
                let sink = self.sink
                let stored = try BlockingWait.run(timeout: .seconds(15)) { try await sink.appliedOffsets(topic: topic) }
                for (partition, offsets) in stored { loaded[TopicPartition(topic: topic, partition: partition)] = offsets }
            }
        } catch {
            logger.warning("could not read stored progress", metadata: ["error": "\(error)"])
            return nil
        }
        for tp in partitions { ledger.loaded(tp, loaded[tp] ?? AppliedOffsets()) }
        var outcome = Outcome()
        let withProgress = partitions.filter { !(loaded[$0]?.isEmpty ?? true) }.sorted()
        guard !withProgress.isEmpty else { return outcome }
        var marks: [TopicPartition: (low: Int64, high: Int64)] = [:]
        for tp in withProgress {
            do {
                marks[tp] = try directory.lowAndHigh(tp)
            } catch {
                logger.warning(
                    "could not read watermarks; offset regressions cannot be checked", metadata: ["partition": "\(tp)", "error": "\(error)"])
            }
        }
        for tp in withProgress {
            guard let mark = marks[tp], let stored = ledger.appliedOffsets(tp), let highest = stored.highest else { continue }
            if highest >= mark.high {
                outcome.regressions += 1
                handleRegression(tp, stored: stored, low: mark.low, high: mark.high, ledger: &ledger, outcome: &outcome)
            } else if let lowest = stored.lowest, mark.low > highest + 1, lowest <= highest {
                logger.warning(
                    "records were deleted from the topic before census applied them (retention)",
                    metadata: [
                        "kafka.topic": "\(tp.topic)", "kafka.partition": "\(tp.partition)", "stored_last_offset": "\(highest)",
                        "low_watermark": "\(mark.low)",
                    ])
            }
        }
        guard replayStarts == nil else { return outcome }
        let candidates = withProgress.filter { outcome.starts[$0] == nil && !ledger.regressed.contains($0) }
        let committed = (try? directory.committedOffsets(candidates)) ?? [:]
        for tp in candidates {
            guard let stored = ledger.appliedOffsets(tp), let highest = stored.highest else { continue }
            let base = committed[tp] ?? min(marks[tp]?.low ?? 0, highest + 1)
            let start = stored.firstUnapplied(atOrAfter: base)
            guard start != committed[tp] else { continue }
            outcome.starts[tp] = start
            if start > (committed[tp] ?? -1) { ledger.startsAfterStored(tp, at: start) }
        }
        if !outcome.starts.isEmpty {
            logger.info(
                "starting after records already in the store",
                metadata: [
                    "partitions": "\(outcome.starts.keys.sorted().map { "\($0)@\(outcome.starts[$0]!)" }.joined(separator: ","))"
                ])
        }
        return outcome
    }

    /// A fill's view of what is stored already: per partition, for each of `keys` in order, the offsets whose values of the
    /// key are stored (``WatchCoverage``), of the partition's incarnation in `ledger`. Read after ``prepare(_:replayStarts:ledger:)``:
    /// values that land later belong to offsets that were not applied when the progress was read, which a fill ignores.
    /// - Returns: `nil` when the coverage could not be read.
    func watchCoverage(keys: [String], partitions: [TopicPartition], ledger: PartitionLedger) -> [TopicPartition: [AppliedOffsets]]? {
        var result: [TopicPartition: [AppliedOffsets]] = [:]
        do {
            for topic in Set(partitions.map(\.topic)) {
                let inTopic = partitions.filter { $0.topic == topic }
                let incarnations = Dictionary(uniqueKeysWithValues: inTopic.map { ($0.partition, ledger.appliedOffsets($0)?.incarnation ?? 0) })
                let sink = self.sink
                let stored = try BlockingWait.run(timeout: .seconds(15)) {
                    try await sink.watchCoverage(keys: keys, topic: topic, incarnations: incarnations)
                }
                for tp in inTopic {
                    result[tp] = keys.map { stored[$0]?[tp.partition] ?? AppliedOffsets(incarnation: incarnations[tp.partition] ?? 0) }
                }
            }
        } catch {
            logger.warning("could not read the watched keys' coverage", metadata: ["error": "\(error)"])
            return nil
        }
        return result
    }

    /// Waits until none of the batch INSERTs running now is running any more (bounded by ``writesWaitLimit``).
    private func waitForRunningWrites() throws {
        let sink = self.sink
        let running = try BlockingWait.run(timeout: .seconds(15)) { try await sink.runningWrites() }
        guard !running.isEmpty else { return }
        let deadline = ContinuousClock.now + Self.writesWaitLimit
        var remaining = running
        logger.info("waiting for INSERTs in flight before reading stored progress", metadata: ["queries": "\(running.count)"])
        while !remaining.isEmpty {
            guard ContinuousClock.now < deadline else {
                logger.warning(
                    "INSERTs still running after the wait limit; reading stored progress anyway",
                    metadata: ["query_ids": "\(remaining.sorted().joined(separator: ","))"])
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
            remaining.formIntersection(try BlockingWait.run(timeout: .seconds(15)) { try await sink.runningWrites() })
        }
    }

    /// Logs an offset regression, then applies the configured action.
    private func handleRegression(
        _ tp: TopicPartition, stored: AppliedOffsets, low: Int64, high: Int64, ledger: inout PartitionLedger,
        outcome: inout Outcome
    ) {
        logger.error(
            "offset regression: stored progress is beyond the end of the partition (topic deleted and re-created?)",
            metadata: [
                "kafka.topic": "\(tp.topic)", "kafka.partition": "\(tp.partition)", "stored_last_offset": "\(stored.highest ?? -1)",
                "low_watermark": "\(low)", "high_watermark": "\(high)", "incarnation": "\(stored.incarnation)", "action": "\(action.rawValue)",
            ])
        switch action {
        case .fail:
            ledger.markRegressed(tp)
            outcome.failedRegressions.append("\(tp) (stored last offset \(stored.highest ?? -1), high watermark \(high))")
        case .reset:
            let next = stored.incarnation &+ 1
            // An empty segment of the new incarnation: from now on only the new topic's offsets count. Writing it twice
            // writes the same row, so it needs no fence.
            let marker = MetadataBatch(progress: [
                PartitionProgress(topic: tp.topic, partition: tp.partition, lastOffset: -1, segmentStart: 0, incarnation: next)
            ])
            let sink = self.sink
            do {
                try BlockingWait.run(timeout: .seconds(30)) {
                    try await sink.write(sink.prepare(marker), queryID: "census-reset-\(tp.topic)-\(tp.partition)-\(next)", fence: .never)
                }
            } catch {
                // Without the marker the old offsets would still count on the next start: stop rather than mix.
                logger.error(
                    "could not record the new incarnation; stopping",
                    metadata: ["kafka.topic": "\(tp.topic)", "kafka.partition": "\(tp.partition)", "error": "\(error)"])
                ledger.markRegressed(tp)
                outcome.failedRegressions.append("\(tp)")
                return
            }
            ledger.reset(tp, incarnation: next)
            outcome.starts[tp] = low
            logger.notice(
                "progress reset: reading the partition again from its low watermark as a new incarnation",
                metadata: ["kafka.topic": "\(tp.topic)", "kafka.partition": "\(tp.partition)", "incarnation": "\(next)", "start": "\(low)"])
        }
    }
}
