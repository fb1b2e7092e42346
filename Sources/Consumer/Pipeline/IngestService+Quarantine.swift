import Kafka
import Logging
import Store

/// Records census cannot ingest: kept in the quarantine table with the next batch, counted, optionally forwarded to a
/// dead-letter topic; the partition keeps flowing.
extension IngestService {
    /// Why a record is quarantined before decoding (empty or too large), or `nil` when it may be decoded.
    static func unacceptable(_ record: KafkaRecord, maxBytes: Int) -> String? {
        if record.payload.isEmpty { return "empty record" }
        if record.payload.count > maxBytes { return "record of \(record.payload.count) bytes exceeds --max-record-bytes \(maxBytes)" }
        return nil
    }

    /// Adds the record to the current window's quarantine rows (written in the same flush as the window's data, so a
    /// record is quarantined exactly when its offset is applied) and forwards it to the dead-letter topic if configured.
    func quarantine(_ record: KafkaRecord, timestamp: EpochSeconds, reason: String) {
        quarantine(
            record.id, size: record.payload.count, firstBytes: Array(record.payload.prefix(QuarantinedRecord.maxStoredBytes)),
            payload: record.payload, timestamp: timestamp, reason: reason)
    }

    /// ``quarantine(_:timestamp:reason:)`` for a record of which only its place, size and first bytes are left; the
    /// dead-letter topic gets it only when `payload` is given.
    func quarantine(
        _ record: KafkaRecord.ID, size: Int, firstBytes: [UInt8], payload: UnsafeRawBufferPointer?, timestamp: EpochSeconds, reason: String
    ) {
        local.quarantinedRecords &+= 1
        let row = QuarantinedRecord(
            topic: record.topic, partition: record.partition, offset: record.offset, timestamp: timestamp,
            size: UInt64(size), error: reason, firstBytes: firstBytes)
        pendingQuarantine.append(row)
        pendingQuarantineBytes &+= row.approximateBytes
        logger.warning(
            "record quarantined",
            metadata: [
                "kafka.topic": "\(record.topic)", "kafka.partition": "\(record.partition)", "kafka.offset": "\(record.offset)",
                "size": "\(size)", "reason": "\(reason)",
            ])
        guard let deadLetters, let topic = configuration.deadLetterTopic, let payload else { return }
        do {
            let key = Array("\(record.topic)/\(record.partition)/\(record.offset)".utf8)
            try deadLetters.send(topic: topic, key: key, payload: Array(payload), timestampMilliseconds: record.timestampMilliseconds ?? 0)
        } catch {
            logger.error(
                "could not forward a quarantined record to the dead-letter topic",
                metadata: [
                    "dead_letter_topic": "\(topic)", "kafka.topic": "\(record.topic)", "kafka.partition": "\(record.partition)",
                    "kafka.offset": "\(record.offset)", "error": "\(error)",
                ])
        }
    }
}
