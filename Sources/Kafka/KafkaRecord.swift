/// One consumed Kafka record, borrowed from librdkafka for the duration of a callback.
///
/// - Important: `payload` points into librdkafka's message buffer and is valid only inside the closure that
///   received the record; copy what must outlive it.
package struct KafkaRecord {
    package let topic: String
    package let partition: Int32
    package let offset: Int64
    /// Record timestamp in milliseconds since the epoch, or `nil` when the record has none.
    package let timestampMilliseconds: Int64?
    package let payload: UnsafeRawBufferPointer

    package var topicPartition: TopicPartition { TopicPartition(topic: topic, partition: partition) }

    /// Where the record is, without its payload.
    package var id: ID { ID(topic: topic, partition: partition, offset: offset, timestampMilliseconds: timestampMilliseconds) }

    /// A record's place in Kafka (what a quarantine row needs besides the payload's prefix).
    package struct ID: Sendable, Hashable {
        package var topic: String
        package var partition: Int32
        package var offset: Int64
        package var timestampMilliseconds: Int64?

        package init(topic: String, partition: Int32, offset: Int64, timestampMilliseconds: Int64? = nil) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
            self.timestampMilliseconds = timestampMilliseconds
        }
    }
}
