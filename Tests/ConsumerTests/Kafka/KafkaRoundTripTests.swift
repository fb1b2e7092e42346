import Foundation
import Kafka
import Logging
import Testing
@testable import Consumer

/// Runs against librdkafka's mock cluster: a real Kafka-protocol broker on 127.0.0.1, in process.
@Suite("Kafka wrapper against a Kafka-protocol broker", .serialized)
struct KafkaRoundTripTests {
    static let logger: Logger = {
        var logger = Logger(label: "test.kafka")
        logger.logLevel = .warning
        return logger
    }()

    /// Consumes until `count` records arrived or 30 s passed.
    static func consume(_ consumer: KafkaConsumer, count: Int) throws -> [(TopicPartition, Int64, [UInt8])] {
        var received: [(TopicPartition, Int64, [UInt8])] = []
        let deadline = Date().addingTimeInterval(30)
        while received.count < count, Date() < deadline {
            // The payload points into librdkafka's message, which `consumed` holds: copy it while it is alive.
            if let consumed = try consumer.pollRecord(timeoutMilliseconds: 100) {
                withExtendedLifetime(consumed) {
                    received.append((consumed.record.topicPartition, consumed.record.offset, Array(consumed.record.payload)))
                }
            }
        }
        return received
    }

    @Test("every compression codec round-trips", arguments: ["none", "gzip", "snappy", "lz4", "zstd"])
    func codecs(_ codec: String) throws {
        let cluster = try MockCluster()
        try cluster.createTopic("codec", partitions: 2)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, group: ""), compression: codec)
        let payloads: [[UInt8]] = (0..<50).map { i in Array(repeating: UInt8(i), count: 1_000 + i) + Array("record \(i)".utf8) }
        for payload in payloads { try producer.send(topic: "codec", payload: payload) }
        try producer.flush()

        let consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, group: "g-\(codec)"), logger: Self.logger)
        try consumer.subscribe(topics: ["codec"])
        let received = try Self.consume(consumer, count: payloads.count)
        #expect(received.count == payloads.count)
        #expect(Set(received.map(\.2)) == Set(payloads))
        consumer.close()
    }

    @Test("commits are visible to the group and survive a new member")
    func commitAndCommitted() throws {
        let cluster = try MockCluster()
        try cluster.createTopic("t", partitions: 1)
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: cluster.bootstrapServers, group: ""))
        for i in 0..<10 { try producer.send(topic: "t", payload: [UInt8(i)]) }
        try producer.flush()

        let configuration = KafkaConfiguration(brokers: cluster.bootstrapServers, group: "commit-group")
        let first = try KafkaConsumer(configuration: configuration, logger: Self.logger)
        try first.subscribe(topics: ["t"])
        let records = try Self.consume(first, count: 10)
        #expect(records.count == 10)
        let tp = TopicPartition(topic: "t", partition: 0)
        // Nothing is committed automatically.
        let before = try first.committed([tp])
        #expect(before[tp] == nil)
        try first.commit([tp: 6])
        let after = try first.committed([tp])
        #expect(after[tp] == 6)
        let high = try first.watermarks(tp).high
        #expect(high == 10)
        first.close()

        let second = try KafkaConsumer(configuration: configuration, logger: Self.logger)
        try second.subscribe(topics: ["t"])
        let rest = try Self.consume(second, count: 4)
        #expect(rest.map(\.1) == [6, 7, 8, 9])
        second.close()
    }

    @Test("rejects an invalid librdkafka property with a clear error")
    func invalidProperty() {
        #expect(throws: KafkaError.self) {
            _ = try KafkaConsumer(
                configuration: KafkaConfiguration(brokers: "127.0.0.1:1", group: "g", properties: ["no.such.property": "1"]), logger: Self.logger)
        }
        #expect(throws: KafkaError.self) { try KafkaConfiguration.parseProperties(["=x"]) }
        let parsed = try? KafkaConfiguration.parseProperties(["a=b=c", " fetch.min.bytes = 1"])
        #expect(parsed == ["a": "b=c", "fetch.min.bytes": " 1"])
    }

    @Test("user properties cannot re-enable auto commit")
    func forcedProperties() {
        let configuration = KafkaConfiguration(brokers: "b", group: "g", properties: ["enable.auto.commit": "true", "fetch.min.bytes": "5"])
        let properties = Dictionary(uniqueKeysWithValues: configuration.consumerProperties)
        #expect(properties["enable.auto.commit"] == "false")
        #expect(properties["enable.auto.offset.store"] == "false")
        #expect(properties["fetch.min.bytes"] == "5")
    }
}
