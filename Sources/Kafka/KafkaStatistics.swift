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
        // No key strategy: convertFromSnakeCase would also rewrite dictionary keys, i.e. topic names (otlp_metrics).
        guard let document = try? JSONDecoder().decode(StatisticsDocument.self, from: Data(json)) else { return nil }
        self.receivedAt = receivedAt
        // Bootstrap ("learned" are real brokers too) entries count; librdkafka's internal and logical ones do not.
        let brokers = (document.brokers ?? [:]).values.filter { $0.source != "internal" && $0.source != "logical" }
        brokerCount = brokers.count
        brokersUp = brokers.count { $0.state == "UP" }
        groupState = document.cgrp?.state
        joinState = document.cgrp?.joinState
        assignmentSize = Int(clamping: document.cgrp?.assignmentSize?.value ?? 0)
        var partitions: [TopicPartition: PartitionLag] = [:]
        for (topicName, topic) in document.topics ?? [:] {
            for entry in (topic.partitions ?? [:]).values {
                guard let partition = entry.partition?.value, partition >= 0, entry.desired == true else { continue }
                let high = entry.hiOffset.nonNegative
                let committed = entry.committedOffset.nonNegative
                var lag = entry.consumerLag.nonNegative
                if lag == nil, committed == nil, let high { lag = max(0, high - (entry.loOffset.nonNegative ?? 0)) }
                partitions[TopicPartition(topic: topicName, partition: Int32(clamping: partition))] = PartitionLag(
                    lag: lag, highWatermark: high, committedOffset: committed, fetchState: entry.fetchState ?? "")
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

}

/// The part of librdkafka's statistics JSON (`STATISTICS.md`) census reads. Every field is optional and read leniently:
/// a field of an unexpected type is absent, never a failed document.
private struct StatisticsDocument: Decodable {
    struct Broker: Decodable {
        var source: String?
        var state: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            source = try? container.decodeIfPresent(String.self, forKey: .source)
            state = try? container.decodeIfPresent(String.self, forKey: .state)
        }

        enum CodingKeys: String, CodingKey {
            case source, state
        }
    }

    struct Group: Decodable {
        var state: String?
        var joinState: String?
        var assignmentSize: LenientInt?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            state = try? container.decodeIfPresent(String.self, forKey: .state)
            joinState = try? container.decodeIfPresent(String.self, forKey: .joinState)
            assignmentSize = try? container.decodeIfPresent(LenientInt.self, forKey: .assignmentSize)
        }

        enum CodingKeys: String, CodingKey {
            case state
            case joinState = "join_state"
            case assignmentSize = "assignment_size"
        }
    }

    struct Topic: Decodable {
        var partitions: [String: Partition]?
    }

    struct Partition: Decodable {
        var partition: LenientInt?
        var desired: Bool?
        var hiOffset: LenientInt?
        var loOffset: LenientInt?
        var committedOffset: LenientInt?
        var consumerLag: LenientInt?
        var fetchState: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            partition = try? container.decodeIfPresent(LenientInt.self, forKey: .partition)
            desired = try? container.decodeIfPresent(Bool.self, forKey: .desired)
            hiOffset = try? container.decodeIfPresent(LenientInt.self, forKey: .hiOffset)
            loOffset = try? container.decodeIfPresent(LenientInt.self, forKey: .loOffset)
            committedOffset = try? container.decodeIfPresent(LenientInt.self, forKey: .committedOffset)
            consumerLag = try? container.decodeIfPresent(LenientInt.self, forKey: .consumerLag)
            fetchState = try? container.decodeIfPresent(String.self, forKey: .fetchState)
        }

        enum CodingKeys: String, CodingKey {
            case partition, desired
            case hiOffset = "hi_offset"
            case loOffset = "lo_offset"
            case committedOffset = "committed_offset"
            case consumerLag = "consumer_lag"
            case fetchState = "fetch_state"
        }
    }

    var brokers: [String: Broker]?
    var cgrp: Group?
    var topics: [String: Topic]?
}

/// An integer that librdkafka may also write as a whole floating-point number.
private struct LenientInt: Decodable {
    var value: Int64

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let integer = try? container.decode(Int64.self) {
            value = integer
        } else {
            let double = try container.decode(Double.self)
            guard let integer = Int64(exactly: double.rounded()) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an integer: \(double)")
            }
            value = integer
        }
    }
}

extension Optional where Wrapped == LenientInt {
    /// The value when present and not negative (librdkafka writes -1 for unknown offsets).
    fileprivate var nonNegative: Int64? {
        guard let value = self?.value, value >= 0 else { return nil }
        return value
    }
}
