import CRdKafka
import Foundation
import Logging
import Synchronization

/// Receives consumer-group rebalance events, synchronously, on the thread that polls.
///
/// - Important: Called from inside ``KafkaConsumer/poll(timeoutMilliseconds:_:)`` (and from ``KafkaConsumer/close()``).
///   The consumer applies the assignment change after the handler returns, so a revoke handler can flush and
///   commit before the partitions go away.
package protocol KafkaRebalanceHandler: AnyObject {
    /// Partitions are being assigned. Return a start offset for any partition that must not start at its
    /// committed offset (missing partitions start at the committed offset, or per `auto.offset.reset`); it may be
    /// ``KafkaConsumer/beginning``.
    func partitionsAssigned(_ partitions: [TopicPartition]) -> [TopicPartition: Int64]
    /// Partitions are about to be revoked (or lost). Their pending data must be flushed and committed, or dropped, now.
    func partitionsRevoking(_ partitions: [TopicPartition], lost: Bool)
}

/// A Kafka group consumer: owns the librdkafka handle and every pointer that comes from it.
///
/// - Note: librdkafka handles are thread-safe; `poll` must be called from one thread at a time, and the rebalance
///   handler runs on that thread. `commit`, `pause`, `resume` and the queries may be called from any thread.
///   That is why this class is `@unchecked Sendable`: the handle is immutable after `init`; the callback box's
///   handler is set once before polling starts; `topicNames` (a cache of librdkafka's topic names) is read and
///   written only by `poll`/`pollRecord`, i.e. by one thread at a time; `closed` is guarded by `closeLock`.
package final class KafkaConsumer: @unchecked Sendable {
    /// The logical offset "the partition's first offset", for ``KafkaRebalanceHandler/partitionsAssigned(_:)``.
    package static let beginning = Int64(RD_KAFKA_OFFSET_BEGINNING)

    private let handle: OpaquePointer
    private let box: CallbackBox
    private var closed = false
    private let closeLock = NSLock()
    private var topicNames: [UnsafeMutableRawPointer: String] = [:]

    /// Holds what the C callbacks need; passed to librdkafka as the opaque pointer.
    private final class CallbackBox {
        weak var handler: (any KafkaRebalanceHandler)?
        let logger: Logger
        /// The last statistics librdkafka emitted, and who else wants them (set once before polling starts).
        let statistics = Mutex<KafkaStatistics?>(nil)
        /// Whether the last statistics had a broker connection (to log only the transitions).
        var brokersReachable: Bool?
        var statisticsObserver: (@Sendable (KafkaStatistics) -> Void)?
        init(logger: Logger) { self.logger = logger }
    }

    /// Creates a consumer (does not subscribe yet).
    /// - Throws: ``KafkaError`` when librdkafka rejects a property or cannot create the handle.
    package init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        let conf = try RDKafkaConfig.make(configuration.consumerProperties)
        let box = CallbackBox(logger: logger)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(box).toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf, kafkaRebalanceCallback)
        rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
        rd_kafka_conf_set_stats_cb(conf, kafkaStatisticsCallback)
        let handle = try RDKafkaConfig.newHandle(RD_KAFKA_CONSUMER, conf, what: "kafka consumer")
        // Route the main queue (errors, stats) into the consumer queue so one poll serves everything.
        rd_kafka_poll_set_consumer(handle)
        self.handle = handle
        self.box = box
    }

    deinit {
        close()
        rd_kafka_destroy(handle)
    }

    /// Sets who receives rebalance events. Call before the first poll.
    package func setRebalanceHandler(_ handler: any KafkaRebalanceHandler) {
        box.handler = handler
    }

    /// Sets who else receives each statistics document (every `statistics.interval.ms`, on the polling thread).
    /// Call before the first poll.
    package func setStatisticsObserver(_ observer: @escaping @Sendable (KafkaStatistics) -> Void) {
        box.statisticsObserver = observer
    }

    /// The statistics librdkafka emitted last (group state, broker connectivity, lag); `nil` before the first
    /// (`statistics.interval.ms` after the first poll). Safe from any thread.
    package var latestStatistics: KafkaStatistics? {
        box.statistics.withLock { $0 }
    }

    /// Subscribes to topics (joins the consumer group on the next poll).
    package func subscribe(topics: [String]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(capacity: topics.count)
        for topic in topics {
            list.add(TopicPartition(topic: topic, partition: Int32(RD_KAFKA_PARTITION_UA)), offset: Int64(RD_KAFKA_OFFSET_INVALID))
        }
        let err = rd_kafka_subscribe(handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "subscribe") }
    }

    /// Waits up to `timeoutMilliseconds` for one record and hands it to `body` (borrowed).
    ///
    /// Waits up to `timeoutMilliseconds` for one record and returns it, holding librdkafka's message until the result
    /// is released (``ConsumedRecord``). Serves rebalance callbacks. Transient consumer errors are logged and skipped;
    /// fatal ones throw.
    /// - Parameter endOfPartition: Called with the partition and offset when the consumer reached the end of a partition
    ///   (only with `enable.partition.eof=true`).
    /// - Returns: `nil` when no record arrived in time (or an error or end-of-partition event came instead).
    package func pollRecord(timeoutMilliseconds: Int32, endOfPartition: ((TopicPartition, Int64) -> Void)? = nil) throws(KafkaError)
        -> ConsumedRecord?
    {
        guard let message = rd_kafka_consumer_poll(handle, timeoutMilliseconds) else { return nil }
        let m = message.pointee
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            defer { rd_kafka_message_destroy(message) }
            if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                endOfPartition?(TopicPartition(topic: topicName(m.rkt), partition: m.partition), m.offset)
                return nil
            }
            let text = m.payload.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: m.len), as: UTF8.self) } ?? ""
            if m.err == RD_KAFKA_RESP_ERR__FATAL {
                var errstr = [CChar](repeating: 0, count: 512)
                let code = rd_kafka_fatal_error(handle, &errstr, errstr.count)
                throw KafkaError(code, "fatal consumer error: \(RDKafkaConfig.errorString(errstr))")
            }
            var metadata: Logger.Metadata = ["error": "\(String(cString: rd_kafka_err2str(m.err)))", "detail": "\(text)"]
            if m.rkt != nil {
                metadata["kafka.topic"] = "\(topicName(m.rkt))"
                metadata["kafka.partition"] = "\(m.partition)"
                metadata["kafka.offset"] = "\(m.offset)"
            }
            box.logger.warning("kafka consumer error", metadata: metadata)
            return nil
        }
        let topic = topicName(m.rkt)
        var tstype = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let ts = rd_kafka_message_timestamp(message, &tstype)
        let payload = UnsafeRawBufferPointer(start: m.payload, count: m.payload == nil ? 0 : m.len)
        let record = KafkaRecord(
            topic: topic, partition: m.partition, offset: m.offset,
            timestampMilliseconds: tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || ts < 0 ? nil : ts, payload: payload)
        return ConsumedRecord(message: message, record: record, consumer: self)
    }

    private func topicName(_ rkt: OpaquePointer?) -> String {
        guard let rkt else { return "" }
        let key = UnsafeMutableRawPointer(rkt)
        if let name = topicNames[key] { return name }
        let name = String(cString: rd_kafka_topic_name(rkt))
        topicNames[key] = name
        return name
    }

    /// Commits `offset` (the next offset to read) for each partition and waits for the broker's answer.
    package func commit(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(offsets: offsets)
        let err = rd_kafka_commit(handle, list.pointer, 0)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "commit") }
        for (tp, _, perr) in list.entries where perr != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(perr, "commit \(tp)")
        }
    }

    /// The group's committed offsets for `partitions` (partitions without a commit are left out).
    package func committed(_ partitions: [TopicPartition], timeoutMilliseconds: Int32 = 10_000) throws(KafkaError) -> [TopicPartition: Int64] {
        let list = RDKafkaTopicPartitionList(partitions: partitions)
        let err = rd_kafka_committed(handle, list.pointer, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "committed offsets") }
        var result: [TopicPartition: Int64] = [:]
        for (tp, offset, _) in list.entries where offset >= 0 { result[tp] = offset }
        return result
    }

    /// Low and high watermarks of a partition, asked from the broker.
    package func watermarks(_ tp: TopicPartition, timeoutMilliseconds: Int32 = 10_000) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(handle, tp.topic, tp.partition, &low, &high, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "watermarks of \(tp)") }
        return (low, high)
    }

    /// The earliest offset per partition whose record timestamp is at or after the given time (milliseconds since the
    /// epoch); the high watermark when no record is that recent.
    package func offsetsForTimes(_ times: [TopicPartition: Int64], timeoutMilliseconds: Int32 = 10_000) throws(KafkaError) -> [TopicPartition: Int64]
    {
        guard !times.isEmpty else { return [:] }
        let list = RDKafkaTopicPartitionList(offsets: times)
        let err = rd_kafka_offsets_for_times(handle, list.pointer, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "offsets for times") }
        var result: [TopicPartition: Int64] = [:]
        for (tp, offset, perr) in list.entries {
            guard perr == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(perr, "offset for time of \(tp)") }
            result[tp] = offset >= 0 ? offset : try watermarks(tp, timeoutMilliseconds: timeoutMilliseconds).high
        }
        return result
    }

    /// Reads exactly these partitions from these offsets, outside any consumer group (no rebalances, no commits needed).
    package func assign(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        let list = RDKafkaTopicPartitionList(offsets: offsets)
        let err = rd_kafka_assign(handle, list.pointer)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, "assign") }
    }

    /// Number of partitions of each topic, from the broker's metadata.
    package func partitionCounts(topics: [String], timeoutMilliseconds: Int32 = 10_000) throws(KafkaError) -> [String: Int32] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(handle, 1, nil, &metadata, timeoutMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(err, "metadata") }
        defer { rd_kafka_metadata_destroy(metadata) }
        var result: [String: Int32] = [:]
        let wanted = Set(topics)
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            let name = String(cString: topic.topic)
            if wanted.contains(name), topic.err == RD_KAFKA_RESP_ERR_NO_ERROR { result[name] = topic.partition_cnt }
        }
        return result
    }

    /// The partitions currently assigned to this member.
    package func assignment() -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return RDKafkaTopicPartitionList.entries(of: list).map(\.0)
    }

    /// Stops fetching from `partitions` (records already fetched are still delivered).
    package func pause(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(partitions: partitions)
        _ = rd_kafka_pause_partitions(handle, list.pointer)
    }

    /// Resumes fetching from `partitions`.
    package func resume(_ partitions: [TopicPartition]) {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(partitions: partitions)
        _ = rd_kafka_resume_partitions(handle, list.pointer)
    }

    /// Moves the fetch position of assigned partitions (the next record delivered is at `offset`).
    package func seek(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(offsets: offsets)
        if let error = rd_kafka_seek_partitions(handle, list.pointer, 10_000) {
            let code = rd_kafka_error_code(error)
            rd_kafka_error_destroy(error)
            throw KafkaError(code, "seek")
        }
    }

    /// Leaves the group (serving the final revoke through the rebalance handler). Idempotent.
    package func close() {
        closeLock.lock()
        defer { closeLock.unlock() }
        guard !closed else { return }
        closed = true
        _ = rd_kafka_consumer_close(handle)
    }

    // MARK: - Rebalance plumbing (called by the C trampoline on the polling thread)

    fileprivate static func handleRebalance(
        _ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
        _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
    ) {
        let box = opaque.map { Unmanaged<CallbackBox>.fromOpaque($0).takeUnretainedValue() }
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let tps = RDKafkaTopicPartitionList.entries(of: partitions).map(\.0)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            let starts = box?.handler?.partitionsAssigned(tps) ?? [:]
            if let partitions {
                for index in 0..<Int(partitions.pointee.cnt) {
                    let element = partitions.pointee.elems[index]
                    let tp = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
                    if let start = starts[tp] { partitions.pointee.elems[index].offset = start }
                }
            }
            if cooperative {
                if let error = rd_kafka_incremental_assign(rk, partitions) {
                    box?.logger.error("kafka incremental assign failed", metadata: ["error": "\(String(cString: rd_kafka_error_string(error)))"])
                    rd_kafka_error_destroy(error)
                }
            } else {
                _ = rd_kafka_assign(rk, partitions)
            }
            box?.logger.info("partitions assigned", metadata: ["partitions": "\(tps.sorted().map(\.description).joined(separator: ","))"])
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let lost = rd_kafka_assignment_lost(rk) != 0
            box?.handler?.partitionsRevoking(tps, lost: lost)
            if cooperative {
                if let error = rd_kafka_incremental_unassign(rk, partitions) { rd_kafka_error_destroy(error) }
            } else {
                _ = rd_kafka_assign(rk, nil)
            }
            box?.logger.info(
                "partitions revoked", metadata: ["partitions": "\(tps.sorted().map(\.description).joined(separator: ","))", "lost": "\(lost)"])
        default:
            box?.logger.error("kafka rebalance error", metadata: ["error": "\(String(cString: rd_kafka_err2str(err)))"])
            _ = rd_kafka_assign(rk, nil)
        }
    }

    fileprivate static func handleStatistics(_ rk: OpaquePointer?, _ json: UnsafeMutablePointer<CChar>?, _ length: Int) {
        guard let rk, let json, let opaque = rd_kafka_opaque(rk) else { return }
        let box = Unmanaged<CallbackBox>.fromOpaque(opaque).takeUnretainedValue()
        guard let statistics = KafkaStatistics(json: UnsafeRawBufferPointer(start: json, count: length)) else { return }
        box.statistics.withLock { $0 = statistics }
        let reachable = statistics.brokersUp > 0
        if box.brokersReachable != reachable {
            if reachable {
                if box.brokersReachable != nil {
                    box.logger.notice("Kafka brokers reachable again", metadata: ["brokers.up": "\(statistics.brokersUp)"])
                }
            } else {
                box.logger.error(
                    "no Kafka broker reachable; consuming stops until one returns (not ready)",
                    metadata: ["brokers.known": "\(statistics.brokerCount)"])
            }
            box.brokersReachable = reachable
        }
        box.statisticsObserver?(statistics)
    }

    fileprivate static func handleLog(_ rk: OpaquePointer?, _ level: Int32, _ fac: UnsafePointer<CChar>?, _ buf: UnsafePointer<CChar>?) {
        guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
        let box = Unmanaged<CallbackBox>.fromOpaque(opaque).takeUnretainedValue()
        let text = buf.map { String(cString: $0) } ?? ""
        let facility = fac.map { String(cString: $0) } ?? ""
        switch level {
        case ...3: box.logger.error("librdkafka: \(text)", metadata: ["facility": "\(facility)"])
        case 4: box.logger.warning("librdkafka: \(text)", metadata: ["facility": "\(facility)"])
        case 5, 6: box.logger.info("librdkafka: \(text)", metadata: ["facility": "\(facility)"])
        default: box.logger.debug("librdkafka: \(text)", metadata: ["facility": "\(facility)"])
        }
    }
}

private func kafkaRebalanceCallback(
    _ rk: OpaquePointer?, _ err: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let rk else { return }
    KafkaConsumer.handleRebalance(rk, err, partitions, opaque)
}

private func kafkaStatisticsCallback(
    _ rk: OpaquePointer?, _ json: UnsafeMutablePointer<CChar>?, _ length: Int,
    _ opaque: UnsafeMutableRawPointer?
) -> Int32 {
    KafkaConsumer.handleStatistics(rk, json, length)
    return 0  // librdkafka frees the document
}

private func kafkaLogCallback(_ rk: OpaquePointer?, _ level: Int32, _ fac: UnsafePointer<CChar>?, _ buf: UnsafePointer<CChar>?) {
    KafkaConsumer.handleLog(rk, level, fac, buf)
}
