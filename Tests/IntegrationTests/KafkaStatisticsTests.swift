import Foundation
@testable import Kafka
import Logging
import Prometheus
import Testing
@testable import Consumer

/// librdkafka's statistics as census reads them (group state, broker connectivity, per-partition lag), on a real
/// Kafka-protocol broker (librdkafka's mock cluster), including a broker outage; and the lag gauges they feed.
@Suite("Kafka statistics: group state, brokers, lag", .serialized)
struct KafkaStatisticsTests {
    static var logger: Logger {
        var logger = Logger(label: "test.kafka-statistics")
        logger.logLevel = .critical
        return logger
    }

    /// Polls `consumer` (serving callbacks) until `predicate` holds for its latest statistics, at most `seconds`.
    func poll(
        _ consumer: KafkaConsumer, seconds: Double = 20, until predicate: (KafkaStatistics) -> Bool,
        onRecord: (KafkaRecord) -> Void = { _ in }
    ) throws -> KafkaStatistics {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let consumed = try consumer.pollRecord(timeoutMilliseconds: 50) { withExtendedLifetime(consumed) { onRecord(consumed.record) } }
            if let statistics = consumer.latestStatistics, predicate(statistics) { return statistics }
        }
        Issue.record("statistics never satisfied the condition; last: \(String(describing: consumer.latestStatistics))")
        throw CancellationError()
    }

    @Test("joined group, lag per partition from committed offsets, broker outage and return")
    func statisticsFollowTheBroker() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("otlp_metrics", partitions: 2)
        let kafka = KafkaConfiguration(
            brokers: cluster.bootstrapServers, group: "stats-\(UInt32.random(in: 0...UInt32.max))",
            properties: ["statistics.interval.ms": "100"])
        let producer = try KafkaProducer(configuration: kafka)
        for index in 0..<5 { try producer.send(topic: "otlp_metrics", partition: 0, payload: Array("record \(index)".utf8)) }
        try producer.flush()

        let consumer = try KafkaConsumer(configuration: kafka, logger: Self.logger)
        let registry = PrometheusCollectorRegistry()
        let metrics = PipelineMetrics(factory: PrometheusMetricsFactory(registry: registry))
        consumer.setStatisticsObserver { metrics.observe(kafka: $0) }
        try consumer.subscribe(topics: ["otlp_metrics"])

        var read = 0
        let joined = try poll(consumer, until: { $0.joinedGroup && $0.partitions.count == 2 }, onRecord: { _ in read += 1 })
        #expect(joined.notJoinedReason == nil)
        #expect(joined.brokersUp == 1 && joined.brokerCount == 1)
        #expect(joined.groupState == "up" && joined.joinState == "steady")

        // Read all five, commit them, and wait until the statistics show the commit: lag 0 on both partitions.
        let deadline = Date().addingTimeInterval(20)
        while read < 5, Date() < deadline { if try consumer.pollRecord(timeoutMilliseconds: 50) != nil { read += 1 } }
        #expect(read == 5)
        // No commit yet: the whole partition counts as lag (a new group starts at the earliest offset).
        let uncommitted = try poll(consumer, until: { $0.partitions[TopicPartition(topic: "otlp_metrics", partition: 0)]?.highWatermark == 5 })
        #expect(uncommitted.partitions[TopicPartition(topic: "otlp_metrics", partition: 0)]?.lag == 5)
        #expect(uncommitted.partitions[TopicPartition(topic: "otlp_metrics", partition: 0)]?.committedOffset == nil)
        try consumer.commit([TopicPartition(topic: "otlp_metrics", partition: 0): 5])
        let committed = try poll(consumer, until: { $0.partitions[TopicPartition(topic: "otlp_metrics", partition: 0)]?.committedOffset == 5 })
        let p0 = committed.partitions[TopicPartition(topic: "otlp_metrics", partition: 0)]
        #expect(p0?.highWatermark == 5)
        #expect(p0?.lag == 0)
        let exposition = String(decoding: registry.emitToBuffer(), as: UTF8.self)
        #expect(exposition.contains(#"census_kafka_consumer_lag{topic="otlp_metrics",partition="0"} 0"#), "\(exposition)")
        #expect(exposition.contains("census_kafka_brokers_up 1"))

        // Broker outage: no broker connected, with a reason; then back in the group without a new consumer.
        try cluster.setBrokersUp(false)
        let down = try poll(consumer, until: { $0.brokersUp == 0 })
        #expect(!down.joinedGroup)
        #expect(down.notJoinedReason?.contains("no Kafka broker connected") == true)
        #expect(String(decoding: registry.emitToBuffer(), as: UTF8.self).contains("census_kafka_brokers_up 0"))
        try cluster.setBrokersUp(true)
        _ = try poll(consumer, seconds: 30, until: { $0.joinedGroup })
        consumer.close()
    }

    @Test("a statistics document is read by its fields: topic names kept as written, -1 offsets unknown, odd types tolerated")
    func parsedDocument() throws {
        let json = #"""
            {"name": "c#consumer-1", "brokers": {
                "127.0.0.1:9092/1": {"source": "learned", "state": "UP"},
                "127.0.0.1:9092/bootstrap": {"source": "configured", "state": "DOWN"},
                "GroupCoordinator": {"source": "logical", "state": "UP"},
                ":0/internal": {"source": "internal", "state": "UP"}},
             "cgrp": {"state": "up", "join_state": "steady", "assignment_size": 3},
             "topics": {"otlp_metrics": {"partitions": {
                "0": {"partition": 0, "desired": true, "hi_offset": 10, "lo_offset": 2, "committed_offset": 7, "consumer_lag": 3,
                      "fetch_state": "active"},
                "1": {"partition": 1, "desired": true, "hi_offset": 5.0, "lo_offset": 1, "committed_offset": -1001, "consumer_lag": -1},
                "2": {"partition": 2, "desired": false, "hi_offset": 9},
                "-1": {"partition": -1, "desired": true},
                "3": {"partition": 3, "desired": true, "hi_offset": "many", "fetch_state": 7}}}}}
            """#
        let parsed = try #require(Array(json.utf8).withUnsafeBytes { KafkaStatistics(json: $0) })
        #expect(parsed.brokerCount == 2 && parsed.brokersUp == 1)
        #expect(parsed.groupState == "up" && parsed.joinState == "steady" && parsed.assignmentSize == 3)
        let p0 = TopicPartition(topic: "otlp_metrics", partition: 0)
        let p1 = TopicPartition(topic: "otlp_metrics", partition: 1)
        let p3 = TopicPartition(topic: "otlp_metrics", partition: 3)
        #expect(Set(parsed.partitions.keys) == [p0, p1, p3])
        #expect(parsed.partitions[p0] == KafkaStatistics.PartitionLag(lag: 3, highWatermark: 10, committedOffset: 7, fetchState: "active"))
        // Nothing committed and no lag reported: the whole partition from the low watermark counts.
        #expect(parsed.partitions[p1] == KafkaStatistics.PartitionLag(lag: 4, highWatermark: 5, committedOffset: nil, fetchState: ""))
        #expect(parsed.partitions[p3] == KafkaStatistics.PartitionLag(lag: nil, highWatermark: nil, committedOffset: nil, fetchState: ""))
    }

    @Test("a statistics document that is not JSON is ignored")
    func malformedDocument() {
        let bytes = Array("not json {".utf8)
        let parsed = bytes.withUnsafeBytes { KafkaStatistics(json: $0) }
        #expect(parsed == nil)
    }
}
