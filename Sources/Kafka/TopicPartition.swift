import CRdKafka

/// A Kafka topic and partition.
package struct TopicPartition: Sendable, Hashable, CustomStringConvertible, Comparable {
    package var topic: String
    package var partition: Int32

    package init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    package var description: String { "\(topic)[\(partition)]" }

    package static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// Owns one `rd_kafka_topic_partition_list_t` and frees it in `deinit`.
///
/// - Important: Use it only on the thread that created it; it is not `Sendable`.
final class RDKafkaTopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int = 4) {
        // rd_kafka_topic_partition_list_new never returns NULL (it aborts on allocation failure).
        pointer = rd_kafka_topic_partition_list_new(Int32(max(1, capacity)))
    }

    /// Builds a list with an offset per partition (used for commits and seeks).
    convenience init(offsets: [TopicPartition: Int64]) {
        self.init(capacity: offsets.count)
        for (tp, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            add(tp, offset: offset)
        }
    }

    convenience init(partitions: [TopicPartition]) {
        self.init(capacity: partitions.count)
        for tp in partitions { add(tp, offset: Int64(RD_KAFKA_OFFSET_INVALID)) }
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }

    func add(_ tp: TopicPartition, offset: Int64) {
        let element = rd_kafka_topic_partition_list_add(pointer, tp.topic, tp.partition)
        element?.pointee.offset = offset
    }

    /// Copies the borrowed list librdkafka passes to callbacks into Swift values.
    static func entries(of list: UnsafePointer<rd_kafka_topic_partition_list_t>?) -> [(TopicPartition, Int64, rd_kafka_resp_err_t)] {
        guard let list, let elems = list.pointee.elems else { return [] }
        return (0..<Int(list.pointee.cnt)).map { index in
            let element = elems[index]
            return (TopicPartition(topic: String(cString: element.topic), partition: element.partition), element.offset, element.err)
        }
    }

    var entries: [(TopicPartition, Int64, rd_kafka_resp_err_t)] { Self.entries(of: pointer) }
}
