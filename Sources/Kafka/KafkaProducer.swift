import CRdKafka
import Foundation

/// A minimal Kafka producer (for `census produce-demo`, the benchmark and tests): owns its librdkafka handle.
///
/// - Note: librdkafka producer handles are thread-safe; this class holds only the immutable handle, hence
///   `@unchecked Sendable`.
package final class KafkaProducer: @unchecked Sendable {
    private let handle: OpaquePointer
    private let deliveryFailures = DeliveryFailures()

    /// Counts delivery reports that carried an error (shared with the C callback through the opaque pointer).
    private final class DeliveryFailures: @unchecked Sendable {
        private let lock = NSLock()
        private var failures = 0
        private var lastError = RD_KAFKA_RESP_ERR_NO_ERROR
        func record(_ error: rd_kafka_resp_err_t) { lock.lock(); failures += 1; lastError = error; lock.unlock() }
        func snapshot() -> (Int, rd_kafka_resp_err_t) { lock.lock(); defer { lock.unlock() }; return (failures, lastError) }
    }

    /// - Parameter compression: `compression.type` (`none`, `gzip`, `snappy`, `lz4`, `zstd`).
    package init(configuration: KafkaConfiguration, compression: String = "none") throws(KafkaError) {
        var properties = configuration.producerProperties
        properties.append(("compression.type", compression))
        let conf = try RDKafkaConfig.make(properties)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(deliveryFailures).toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, kafkaDeliveryCallback)
        self.handle = try RDKafkaConfig.newHandle(RD_KAFKA_PRODUCER, conf, what: "kafka producer")
    }

    deinit {
        _ = rd_kafka_flush(handle, 10_000)
        rd_kafka_destroy(handle)
    }

    /// Queues one record (librdkafka copies the payload). Waits for queue space when the local queue is full.
    package func send(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, payload: [UInt8], timestampMilliseconds: Int64 = 0)
        throws(KafkaError)
    {
        for _ in 0..<600 {
            let err: rd_kafka_resp_err_t = payload.withUnsafeBytes { bytes in
                (key ?? []).withUnsafeBytes { keyBytes in
                    census_produce(
                        handle, topic, partition ?? Int32(RD_KAFKA_PARTITION_UA),
                        UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count,
                        keyBytes.baseAddress, key == nil ? 0 : keyBytes.count, timestampMilliseconds)
                }
            }
            if err == RD_KAFKA_RESP_ERR_NO_ERROR { return }
            if err == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                rd_kafka_poll(handle, 100)
                continue
            }
            throw KafkaError(err, "produce to \(topic)")
        }
        throw KafkaError(RD_KAFKA_RESP_ERR__QUEUE_FULL, "produce to \(topic): queue stayed full")
    }

    /// Waits until every queued record was delivered (or `timeoutMilliseconds` passed).
    /// - Throws: when records are still queued or a delivery failed.
    package func flush(timeoutMilliseconds: Int32 = 30_000) throws(KafkaError) {
        let err = rd_kafka_flush(handle, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "flush") }
        let (failures, last) = deliveryFailures.snapshot()
        if failures > 0 { throw KafkaError(last, "\(failures) records failed delivery, the last with") }
    }

    fileprivate static func delivered(_ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?) {
        guard let message, let opaque, message.pointee.err != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        Unmanaged<DeliveryFailures>.fromOpaque(opaque).takeUnretainedValue().record(message.pointee.err)
    }
}

private func kafkaDeliveryCallback(_ rk: OpaquePointer?, _ message: UnsafePointer<rd_kafka_message_t>?, _ opaque: UnsafeMutableRawPointer?) {
    KafkaProducer.delivered(message, opaque)
}
