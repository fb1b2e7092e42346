/// librdkafka client properties: census's defaults overlaid by whatever the user passes through.
///
/// Any librdkafka property can be set (`security.protocol`, `sasl.*`, `ssl.*`, `fetch.*`, …); user values win
/// except for the few that census's delivery guarantee depends on, which are forced (see ``forced``).
package struct KafkaConfiguration: Sendable, Hashable {
    /// `bootstrap.servers`, comma-separated `host:port`.
    package var brokers: String
    /// `group.id`.
    package var group: String
    /// Extra properties, applied after census's defaults.
    package var properties: [String: String]

    package init(brokers: String, group: String, properties: [String: String] = [:]) {
        self.brokers = brokers
        self.group = group
        self.properties = properties
    }

    /// Properties census never lets a user override: offsets are stored and committed only by the pipeline,
    /// after ClickHouse acknowledged the data.
    package static let forced: [String: String] = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
    ]

    /// Defaults for a consumer; each can be overridden through ``properties``.
    package static let consumerDefaults: [String: String] = [
        "auto.offset.reset": "earliest",
        // 6 s is the lowest session timeout Kafka brokers accept by default (group.min.session.timeout.ms). The first
        // join of an empty group waits on the broker (Kafka: group.initial.rebalance.delay.ms, 3 s; Tansu: half the
        // session timeout, in 1 s steps), so a shorter session starts census sooner; the ownership lease is
        // session − heartbeat − 0.5 s = 5 s, renewed by every commit (OwnershipLease).
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "500",
        "max.poll.interval.ms": "300000",
        // librdkafka's prefetch queue is part of census's memory bound.
        "queued.max.messages.kbytes": "32768",
        "fetch.message.max.bytes": "4194304",
        "enable.partition.eof": "false",
        "client.id": "census",
        // Broker connectivity, group state and per-partition lag for /readyz and /metrics (KafkaStatistics).
        "statistics.interval.ms": "2000",
    ]

    /// Defaults for properties that only newer librdkafka versions know, with the first version (in `rd_kafka_version()`
    /// form) that has them; they are applied only when the librdkafka loaded at run time is at least that version.
    package static let versionedConsumerDefaults: [(key: String, value: String, since: Int)] = [
        // librdkafka ≥ 2.1 stops fetching a partition for fetch.queue.backoff.ms (default 1 s) whenever the prefetch queue
        // is over queued.max.messages.kbytes. One fetch of 100 KB records can fill it at once, and census drains it while
        // analysing, so with the default it sat idle for most of every second (measured: 1/3 of the raw consume rate).
        ("fetch.queue.backoff.ms", "10", 0x0201_00FF)
    ]

    /// The full property set for a consumer, in the order they are applied, for the librdkafka loaded at run time.
    package var consumerProperties: [(String, String)] {
        consumerProperties(librdkafkaVersion: RDKafkaConfig.runtimeVersion)
    }

    /// The full property set for a consumer with librdkafka `librdkafkaVersion` (`rd_kafka_version()` form).
    package func consumerProperties(librdkafkaVersion: Int) -> [(String, String)] {
        var merged = Self.consumerDefaults
        for entry in Self.versionedConsumerDefaults where librdkafkaVersion >= entry.since { merged[entry.key] = entry.value }
        merged["bootstrap.servers"] = brokers
        merged["group.id"] = group
        for (key, value) in properties { merged[key] = value }
        for (key, value) in Self.forced { merged[key] = value }
        return merged.sorted { $0.key < $1.key }
    }

    /// Whether a partition without a committed offset starts at its first offset (`auto.offset.reset`, census's default
    /// `earliest`, or its aliases).
    package var resetsToEarliest: Bool {
        let reset = consumerProperties.last { $0.0 == "auto.offset.reset" }?.1 ?? "largest"
        return ["earliest", "smallest", "beginning"].contains(reset.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// The full property set for a producer (`group.id` is not used).
    package var producerProperties: [(String, String)] {
        var merged: [String: String] = ["bootstrap.servers": brokers, "client.id": "census-producer", "linger.ms": "20"]
        for (key, value) in properties { merged[key] = value }
        return merged.sorted { $0.key < $1.key }
    }

    /// Parses `key=value` items (from repeated flags or a comma-separated env var).
    /// - Throws: ``KafkaError`` naming the first item without `=` or with an empty key.
    package static func parseProperties(_ items: [String]) throws -> [String: String] {
        var result: [String: String] = [:]
        for item in items {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let eq = trimmed.firstIndex(of: "="), eq != trimmed.startIndex else {
                throw KafkaError.invalidConfiguration("kafka property '\(trimmed)' is not key=value")
            }
            result[String(trimmed[..<eq]).trimmingCharacters(in: .whitespaces)] = String(trimmed[trimmed.index(after: eq)...])
        }
        return result
    }
}

import Foundation
