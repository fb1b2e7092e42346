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
}
