import Logging
import Store

/// `census replay`: the same pipeline over explicit partition ranges, outside the consumer group.
///
/// The consumer is assigned the partitions directly (no group membership, no rebalance, nothing committed, so the
/// live group is not disturbed). Records go through the same skip rule as live consumption — a record whose offset
/// the store already holds is skipped — and batches carry progress rows like live ones, so a replay of a range
/// already applied changes no answer, and a replay of a range not applied yet (after a clear) adds it exactly once.
extension IngestService {
    /// Resolves the plan into per-partition ranges, prepares them like an assignment and assigns them.
    func startReplay(_ plan: ReplayPlan) throws {
        let counts = try consumer.partitionCounts(topics: plan.topics)
        for topic in plan.topics where counts[topic] == nil {
            throw KafkaError(code: -1, reason: "topic \(topic) does not exist")
        }
        var ranges: [TopicPartition: ReplayRange] = [:]
        for topic in plan.topics.sorted() {
            let partitions = (0..<(counts[topic] ?? 0)).map { TopicPartition(topic: topic, partition: $0) }
            let starts = try resolve(plan.from, partitions: partitions, isStart: true)
            let ends = try resolve(plan.until, partitions: partitions, isStart: false)
            for tp in partitions {
                guard let start = starts[tp], let end = ends[tp] else { continue }
                ranges[tp] = ReplayRange(start: start, end: end)
            }
        }
        replayRanges = ranges.filter { $0.value.count > 0 }
        replayUnfinished = Set(replayRanges.keys)
        local.replayTotal = UInt64(replayRanges.values.reduce(0) { $0 + $1.count })
        let partitions = replayRanges.keys.sorted()
        guard prepare(partitions, committed: replayRanges.mapValues(\.start)) != nil else {
            throw KafkaError(code: -1, reason: "cannot read the stored progress from ClickHouse; nothing was replayed")
        }
        let active = partitions.filter { !regressed.contains($0) }
        assigned = Set(active)
        logger.info("replay started", metadata: [
            "records": "\(local.replayTotal)",
            "ranges": "\(partitions.map { "\($0)@\(replayRanges[$0]!.start)..<\(replayRanges[$0]!.end)" }.joined(separator: ","))",
        ])
        if failure != nil {
            replayUnfinished = []
            return
        }
        try consumer.assign(Dictionary(uniqueKeysWithValues: active.map { ($0, replayRanges[$0]!.start) }))
        publishReplayState()
    }

    /// Offsets of `position` for each partition (partitions left out when an explicit start does not name them).
    private func resolve(_ position: ReplayPlan.Position, partitions: [TopicPartition], isStart: Bool) throws -> [TopicPartition: Int64] {
        var result: [TopicPartition: Int64] = [:]
        switch position {
        case .earliest:
            for tp in partitions { result[tp] = try consumer.watermarks(tp).low }
        case .now:
            for tp in partitions { result[tp] = try consumer.watermarks(tp).high }
        case .time(let milliseconds):
            result = try consumer.offsetsForTimes(Dictionary(uniqueKeysWithValues: partitions.map { ($0, milliseconds) }))
        case .offsets(let offsets):
            for tp in partitions {
                if let offset = offsets[tp.partition] {
                    let marks = try consumer.watermarks(tp)
                    result[tp] = min(max(offset, marks.low), marks.high)
                } else if !isStart {
                    result[tp] = try consumer.watermarks(tp).high
                }
            }
        }
        return result
    }

    /// Replay only: whether to process a record (within its partition's range); marks partitions that reached their end.
    func acceptReplayRecord(_ tp: TopicPartition, offset: Int64) -> Bool {
        guard configuration.replay != nil else { return true }
        guard let range = replayRanges[tp], offset < range.end else {
            finishReplay(of: tp)
            return false
        }
        if offset + 1 >= range.end { finishReplay(of: tp) }
        return true
    }

    /// Replay only: librdkafka reached the end of a partition (its high watermark, at or beyond the range's end).
    func replayReachedEnd(_ tp: TopicPartition, offset: Int64) {
        guard configuration.replay != nil, let range = replayRanges[tp], offset >= range.end else { return }
        finishReplay(of: tp)
    }

    private func finishReplay(of tp: TopicPartition) {
        guard replayUnfinished.remove(tp) != nil else { return }
        consumer.pause([tp])
        publishReplayState()
    }

    private func publishReplayState() {
        local.replayFinished = replayUnfinished.isEmpty
        publish()
    }
}
