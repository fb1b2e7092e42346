import Foundation

/// The parts of librdkafka's statistics (the JSON emitted every `statistics.interval.ms`) that census reports:
/// broker connectivity, consumer-group state and per-partition lag.
///
/// See librdkafka's STATISTICS.md: `brokers.*.state`, `cgrp.state`, `cgrp.join_state`,
/// `topics.*.partitions.*.consumer_lag`.
package struct KafkaStatistics: Sendable, Hashable {
    /// One assigned partition's position.
    package struct PartitionLag: Sendable, Hashable {
        /// `consumer_lag`: high watermark minus the committed offset. Without a commit yet, the whole partition
        /// (high minus low watermark: a new group starts at the earliest offset); `nil` while the watermarks are unknown.
        package var lag: Int64?
        /// `hi_offset`: the partition's high watermark; `nil` while unknown.
        package var highWatermark: Int64?
        /// `committed_offset`; `nil` while the group has no commit for the partition.
        package var committedOffset: Int64?
        /// `fetch_state`, e.g. `active`, `offset-query`, `stopped`.
        package var fetchState: String
    }

    /// When census received these statistics.
    package var receivedAt: ContinuousClock.Instant
    /// Brokers (not librdkafka's internal or logical ones) and how many of them are connected (`state == "UP"`).
    package var brokerCount: Int
    package var brokersUp: Int
    /// `cgrp.state`: `up` once the group coordinator is known and connected; `nil` for a consumer without a group.
    package var groupState: String?
    /// `cgrp.join_state`: `steady` once the member joined its group and took its assignment.
    package var joinState: String?
    /// `cgrp.assignment_size`.
    package var assignmentSize: Int
    /// Lag of each partition that this member consumes (`desired` partitions; the internal `-1` entries are skipped).
    package var partitions: [TopicPartition: PartitionLag]

    /// Whether the member is in its group and at least one broker connection is up.
    package var joinedGroup: Bool {
        brokersUp > 0 && groupState == "up" && joinState == "steady"
    }

    /// Why ``joinedGroup`` is false, in words for a readiness answer; `nil` when it is true.
    package var notJoinedReason: String? {
        if brokersUp == 0 { return "no Kafka broker connected (\(brokerCount) known)" }
        if groupState != "up" { return "consumer group coordinator not available (group state \(groupState ?? "none"))" }
        if joinState != "steady" { return "consumer group join in progress (join state \(joinState ?? "none"))" }
        return nil
    }

    /// Parses one statistics document; `nil` when it is not a JSON object.
    package init?(json: UnsafeRawBufferPointer, receivedAt: ContinuousClock.Instant = .now) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else { return nil }
        self.receivedAt = receivedAt
        var brokerCount = 0
        var brokersUp = 0
        for case let broker as [String: Any] in (object["brokers"] as? [String: Any] ?? [:]).values {
            let source = broker["source"] as? String ?? ""
            guard source != "internal", source != "logical" else { continue }
            brokerCount += 1
            if broker["state"] as? String == "UP" { brokersUp += 1 }
        }
        self.brokerCount = brokerCount
        self.brokersUp = brokersUp
        let group = object["cgrp"] as? [String: Any]
        groupState = group?["state"] as? String
        joinState = group?["join_state"] as? String
        assignmentSize = Self.int(group?["assignment_size"]).map(Int.init) ?? 0
        var partitions: [TopicPartition: PartitionLag] = [:]
        for (topicName, topicValue) in object["topics"] as? [String: Any] ?? [:] {
            guard let topic = topicValue as? [String: Any], let entries = topic["partitions"] as? [String: Any] else { continue }
            for case let entry as [String: Any] in entries.values {
                guard let partition = Self.int(entry["partition"]), partition >= 0, entry["desired"] as? Bool == true else { continue }
                let nonNegative: (Any?) -> Int64? = { Self.int($0).flatMap { $0 >= 0 ? $0 : nil } }
                let high = nonNegative(entry["hi_offset"])
                let committed = nonNegative(entry["committed_offset"])
                var lag = nonNegative(entry["consumer_lag"])
                if lag == nil, committed == nil, let high { lag = max(0, high - (nonNegative(entry["lo_offset"]) ?? 0)) }
                partitions[TopicPartition(topic: topicName, partition: Int32(clamping: partition))] = PartitionLag(
                    lag: lag, highWatermark: high, committedOffset: committed, fetchState: entry["fetch_state"] as? String ?? "")
            }
        }
        self.partitions = partitions
    }

    /// A statistics value without parsing (for tests and for consumers that have none yet).
    package init(
        receivedAt: ContinuousClock.Instant = .now, brokerCount: Int, brokersUp: Int, groupState: String?, joinState: String?,
        assignmentSize: Int = 0, partitions: [TopicPartition: PartitionLag] = [:]
    ) {
        self.receivedAt = receivedAt
        self.brokerCount = brokerCount
        self.brokersUp = brokersUp
        self.groupState = groupState
        self.joinState = joinState
        self.assignmentSize = assignmentSize
        self.partitions = partitions
    }

    private static func int(_ value: Any?) -> Int64? {
        switch value {
        case let number as Int: Int64(number)
        case let number as Int64: number
        case let number as Double: Int64(exactly: number.rounded())
        case let number as NSNumber: number.int64Value
        default: nil
        }
    }
}
