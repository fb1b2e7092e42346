import Kafka
import Logging
import Store

/// `census replay`'s side of the pipeline: the ranges to read, which partitions reached their end, and the lock that
/// keeps other replays out (``ReplayLock``).
///
/// The consumer is assigned the partitions directly (no group membership, no rebalance, nothing committed, so the live
/// group is not disturbed). Records go through the same skip rule as live consumption — a record whose offset the store
/// already holds is skipped — and batches carry progress rows like live ones, so a replay of a range already applied
/// changes no answer, and a replay of a range not applied yet (after a clear) adds it exactly once.
///
/// Concurrent application of one offset is impossible by construction: each partition stops at the live group's
/// committed offset (the live group never reads below it, ``ProgressLoader``), and only the holder of the replay lock
/// writes.
final class ReplayController {
    let plan: ReplayPlan
    private let logger: Logger
    /// Each partition's range and the partitions not yet read to their end.
    private(set) var ranges: [TopicPartition: ReplayRange] = [:]
    private(set) var unfinished: Set<TopicPartition> = []
    /// The lock, once taken (``ReplayPlan/lockGroup``).
    private(set) var lock: ReplayLock?
    /// The lock for the flusher's confirmations.
    let lockSlot = ReplayLockSlot()

    init(plan: ReplayPlan, logger: Logger) {
        self.plan = plan
        self.logger = logger
    }

    /// Records in the replayed ranges.
    var total: UInt64 { UInt64(ranges.values.reduce(0) { $0 + $1.count }) }
    var isFinished: Bool { unfinished.isEmpty }
    /// Whether `tp` has records left to read in its range.
    func isReading(_ tp: TopicPartition) -> Bool { unfinished.contains(tp) }

    /// Resolves the plan into per-partition ranges, cut at the live group's committed offsets.
    func resolve(consumer: KafkaConsumer, kafka: KafkaConfiguration) throws {
        let counts = try consumer.partitionCounts(topics: plan.topics)
        for topic in plan.topics where counts[topic] == nil {
            throw ReplayError("topic \(topic) does not exist")
        }
        var resolved: [TopicPartition: ReplayRange] = [:]
        for topic in plan.topics.sorted() {
            let partitions = (0..<(counts[topic] ?? 0)).map { TopicPartition(topic: topic, partition: $0) }
            let starts = try Self.offsets(of: plan.from, partitions: partitions, isStart: true, consumer: consumer)
            let ends = try Self.offsets(of: plan.until, partitions: partitions, isStart: false, consumer: consumer)
            var live: [TopicPartition: Int64] = [:]
            if let group = plan.liveGroup {
                live = try Self.committed(group: group, partitions: partitions, kafka: kafka, logger: logger)
            }
            for tp in partitions {
                guard let start = starts[tp], var end = ends[tp] else { continue }
                if let committed = live[tp], committed < end {
                    logger.info(
                        "replay stops where the live group continues (its committed offset)",
                        metadata: ["partition": "\(tp)", "requested_end": "\(end)", "end": "\(committed)", "live_group": "\(plan.liveGroup ?? "")"])
                    end = committed
                }
                resolved[tp] = ReplayRange(start: start, end: end)
            }
        }
        ranges = resolved.filter { $0.value.count > 0 }
        unfinished = Set(ranges.keys)
    }

    /// Takes the replay lock for every partition in range (when the plan names a lock group); `lease` is the lease the
    /// replay's writes are fenced by, confirmed through the lock.
    func acquireLock(kafka: KafkaConfiguration, lease: OwnershipLease) throws {
        guard let group = plan.lockGroup, !ranges.isEmpty else { return }
        let lock = try ReplayLock(kafka: kafka, group: group, topics: plan.topics, needed: Set(ranges.keys), lease: lease, logger: logger)
        do {
            try lock.acquire()
        } catch {
            lock.release()
            throw error
        }
        self.lock = lock
        lockSlot.set(lock)
    }

    /// Whether to process a record (within its partition's range); marks partitions that reached their end.
    func accept(_ tp: TopicPartition, offset: Int64, consumer: KafkaConsumer) -> Bool {
        guard let range = ranges[tp], offset < range.end else {
            finish(tp, consumer: consumer)
            return false
        }
        if offset + 1 >= range.end { finish(tp, consumer: consumer) }
        return true
    }

    /// librdkafka reached the end of a partition (its high watermark, at or beyond the range's end).
    func reachedEnd(_ tp: TopicPartition, offset: Int64, consumer: KafkaConsumer) {
        guard let range = ranges[tp], offset >= range.end else { return }
        finish(tp, consumer: consumer)
    }

    /// Nothing more to read (every partition regressed, or the replay is stopped).
    func abandonAll() { unfinished = [] }

    private func finish(_ tp: TopicPartition, consumer: KafkaConsumer) {
        guard unfinished.remove(tp) != nil else { return }
        consumer.pause([tp])
    }

    /// A replay error that is not Kafka's.
    struct ReplayError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Offsets of `position` for each partition (partitions left out when an explicit start does not name them).
    private static func offsets(
        of position: ReplayPlan.Position, partitions: [TopicPartition], isStart: Bool,
        consumer: KafkaConsumer
    ) throws -> [TopicPartition: Int64] {
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

    /// The live group's committed offsets, asked by a consumer of that group that never joins it.
    private static func committed(group: String, partitions: [TopicPartition], kafka: KafkaConfiguration, logger: Logger) throws -> [TopicPartition:
        Int64]
    {
        var configuration = kafka
        configuration.group = group
        let probe = try KafkaConsumer(configuration: configuration, logger: logger)
        defer { probe.close() }
        return try probe.committed(partitions)
    }
}
