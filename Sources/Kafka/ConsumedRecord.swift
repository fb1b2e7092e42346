import CRdKafka

/// A consumed Kafka record that keeps librdkafka's message alive until it is released, so that its payload can be
/// read after the poll that returned it (by the analyzer threads, see ``ParallelAnalyzer``).
///
/// The message is destroyed when the last reference goes away; the record holds its consumer, so that the consumer's
/// handle outlives every message taken from it.
package final class ConsumedRecord: @unchecked Sendable {
    // @unchecked Sendable: immutable after init; librdkafka messages may be read and destroyed from any thread.
    private let message: UnsafeMutablePointer<rd_kafka_message_t>
    private let consumer: KafkaConsumer
    /// The record; `payload` is valid as long as this object lives.
    package let record: KafkaRecord

    init(message: UnsafeMutablePointer<rd_kafka_message_t>, record: KafkaRecord, consumer: KafkaConsumer) {
        self.message = message
        self.record = record
        self.consumer = consumer
    }

    deinit {
        rd_kafka_message_destroy(message)
    }
}
