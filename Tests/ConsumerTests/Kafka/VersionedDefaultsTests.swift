import Consumer
import Kafka
import Logging
import Testing

@Suite("librdkafka version-dependent consumer defaults")
struct VersionedDefaultsTests {
    @Test("fetch.queue.backoff.ms is set only for librdkafka >= 2.1, and a user value wins")
    func fetchQueueBackoff() {
        let configuration = KafkaConfiguration(brokers: "b", group: "g")
        let old = Dictionary(uniqueKeysWithValues: configuration.consumerProperties(librdkafkaVersion: 0x0200_02FF))
        let new = Dictionary(uniqueKeysWithValues: configuration.consumerProperties(librdkafkaVersion: 0x0210_00FF))
        #expect(old["fetch.queue.backoff.ms"] == nil)
        #expect(new["fetch.queue.backoff.ms"] == "10")
        let user = KafkaConfiguration(brokers: "b", group: "g", properties: ["fetch.queue.backoff.ms": "500"])
        #expect(Dictionary(uniqueKeysWithValues: user.consumerProperties(librdkafkaVersion: 0x0210_00FF))["fetch.queue.backoff.ms"] == "500")
    }

    @Test("session 6 s (the lowest Kafka accepts by default) and heartbeat 0.5 s: a 5 s write lease")
    func groupTimings() {
        let properties = KafkaConfiguration(brokers: "b", group: "g").consumerProperties
        let byKey = Dictionary(uniqueKeysWithValues: properties)
        #expect(byKey["session.timeout.ms"] == "6000")
        #expect(byKey["heartbeat.interval.ms"] == "500")
        #expect(OwnershipLease(properties: properties).length == .seconds(5))
    }

    @Test("auto.offset.reset: earliest and its aliases start uncommitted partitions at their first offset")
    func resetsToEarliest() {
        #expect(KafkaConfiguration(brokers: "b", group: "g").resetsToEarliest)
        for value in ["smallest", "beginning", " Earliest "] {
            #expect(KafkaConfiguration(brokers: "b", group: "g", properties: ["auto.offset.reset": value]).resetsToEarliest)
        }
        for value in ["latest", "largest", "end", "error"] {
            #expect(!KafkaConfiguration(brokers: "b", group: "g", properties: ["auto.offset.reset": value]).resetsToEarliest)
        }
    }

    @Test("the defaults for the librdkafka loaded now are accepted by it")
    func acceptedAtRunTime() throws {
        _ = try KafkaConsumer(configuration: KafkaConfiguration(brokers: "127.0.0.1:1", group: "g"), logger: .init(label: "test"))
    }
}
