import Foundation
import Logging
import Store

/// Where newly assigned partitions start, from the offsets the store already holds; offset-regression detection.
extension IngestService {
    /// An offset regression that stopped the service (`--on-offset-regression fail`).
    struct OffsetRegression: Error, CustomStringConvertible {
        var partitions: [String]
        var description: String {
            "stored progress is beyond the end of \(partitions.joined(separator: ", ")) (topic deleted and re-created?); "
                + "stopped (--on-offset-regression fail). Replay into a cleared store, or restart with --on-offset-regression reset."
        }
    }

    /// Loads the applied offsets of `partitions` and decides where each starts.
    ///
    /// - A partition whose store holds offsets starts at the first offset the store does not hold at or after
    ///   `min(committed, highest applied + 1)` (committed: the group's commit, or the low watermark without one). So
    ///   a flush that landed without its commit is not read again, and a gap the store lacks is filled.
    /// - Stored progress at or beyond the high watermark is an offset regression (see ``OffsetRegressionAction``).
    /// - Before reading, it waits (at most ``writesWaitLimit``) until every batch INSERT that ClickHouse was running
    ///   when asked has finished — a killed process's or an abandoned flush's INSERT may still land; afterwards the
    ///   stored progress no longer changes behind the reader's back for these partitions.
    /// - Parameter committed: The replay's start offsets instead of the group's commits (then nothing is adjusted).
    /// - Returns: Start offsets for partitions that must not start at their committed offset; `nil` when the stored
    ///   progress could not be read.
    func prepare(_ partitions: [TopicPartition], committed replayStarts: [TopicPartition: Int64]?) -> [TopicPartition: Int64]? {
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
        for tp in partitions {
            applied[tp] = loaded[tp] ?? AppliedOffsets()
            segmentStarts[tp] = nil
        }
        let withProgress = partitions.filter { !(loaded[$0]?.isEmpty ?? true) }.sorted()
        guard !withProgress.isEmpty else { return [:] }
        var marks: [TopicPartition: (low: Int64, high: Int64)] = [:]
        for tp in withProgress {
            do {
                marks[tp] = try consumer.watermarks(tp)
            } catch {
                logger.warning("could not read watermarks; offset regressions cannot be checked", metadata: ["partition": "\(tp)", "error": "\(error)"])
            }
        }
        var starts: [TopicPartition: Int64] = [:]
        for tp in withProgress {
            guard let mark = marks[tp], let stored = applied[tp], let highest = stored.highest else { continue }
            if highest >= mark.high {
                handleRegression(tp, stored: stored, low: mark.low, high: mark.high, starts: &starts)
            } else if let lowest = stored.lowest, mark.low > highest + 1, lowest <= highest {
                logger.warning("records were deleted from the topic before census applied them (retention)", metadata: [
                    "kafka.topic": "\(tp.topic)", "kafka.partition": "\(tp.partition)", "stored_last_offset": "\(highest)",
                    "low_watermark": "\(mark.low)",
                ])
            }
        }
        guard replayStarts == nil else { return starts }
        let candidates = withProgress.filter { starts[$0] == nil && !regressed.contains($0) }
        let committed = (try? consumer.committed(candidates)) ?? [:]
        for tp in candidates {
            guard let stored = applied[tp], let highest = stored.highest else { continue }
            let base = min(committed[tp] ?? marks[tp]?.low ?? 0, highest + 1)
            let start = stored.firstUnapplied(atOrAfter: base)
            guard start != committed[tp] else { continue }
            starts[tp] = start
            if start > (committed[tp] ?? -1) { appliedNotCommitted[tp] = start }
        }
        if !starts.isEmpty {
            logger.info("starting after records already in the store", metadata: [
                "partitions": "\(starts.keys.sorted().map { "\($0)@\(starts[$0]!)" }.joined(separator: ","))",
            ])
        }
        return starts
    }

    /// Longest wait for INSERTs in flight before reading progress: above the ClickHouse request timeout (60 s), after
    /// which an attempt's client has given up.
    static let writesWaitLimit: Duration = .seconds(75)

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
                logger.warning("INSERTs still running after the wait limit; reading stored progress anyway",
                               metadata: ["query_ids": "\(remaining.sorted().joined(separator: ","))"])
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
            remaining.formIntersection(try BlockingWait.run(timeout: .seconds(15)) { try await sink.runningWrites() })
        }
    }

    /// Logs and counts an offset regression, then applies the configured action.
    private func handleRegression(_ tp: TopicPartition, stored: AppliedOffsets, low: Int64, high: Int64, starts: inout [TopicPartition: Int64]) {
        local.offsetRegressions &+= 1
        let action = configuration.onOffsetRegression
        logger.error("offset regression: stored progress is beyond the end of the partition (topic deleted and re-created?)", metadata: [
            "kafka.topic": "\(tp.topic)", "kafka.partition": "\(tp.partition)", "stored_last_offset": "\(stored.highest ?? -1)",
            "low_watermark": "\(low)", "high_watermark": "\(high)", "incarnation": "\(stored.incarnation)", "action": "\(action.rawValue)",
        ])
        switch action {
        case .fail:
            regressed.insert(tp)
            let previous = (failure as? OffsetRegression)?.partitions ?? []
            failure = OffsetRegression(partitions: previous + ["\(tp) (stored last offset \(stored.highest ?? -1), high watermark \(high))"])
            requestStop()
        case .reset:
            let next = stored.incarnation &+ 1
            // An empty segment of the new incarnation: from now on only the new topic's offsets count.
            let marker = MetadataBatch(progress: [PartitionProgress(topic: tp.topic, partition: tp.partition, lastOffset: -1, segmentStart: 0, incarnation: next)])
            let sink = self.sink
            do {
                try BlockingWait.run(timeout: .seconds(30)) { try await sink.write(marker, queryID: "census-reset-\(tp.topic)-\(tp.partition)-\(next)") }
            } catch {
                // Without the marker the old offsets would still count on the next start: stop rather than mix.
                logger.error("could not record the new incarnation; stopping", metadata: ["kafka.topic": "\(tp.topic)", "kafka.partition": "\(tp.partition)", "error": "\(error)"])
                regressed.insert(tp)
                failure = OffsetRegression(partitions: ["\(tp)"])
                requestStop()
                return
            }
            applied[tp] = AppliedOffsets(incarnation: next)
            starts[tp] = low
            appliedNotCommitted[tp] = nil
            logger.notice("progress reset: reading the partition again from its low watermark as a new incarnation",
                          metadata: ["kafka.topic": "\(tp.topic)", "kafka.partition": "\(tp.partition)", "incarnation": "\(next)", "start": "\(low)"])
        }
    }
}
