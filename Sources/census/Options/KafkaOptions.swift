import ArgumentParser
import Consumer
import Kafka

/// Where census reads from: brokers, group, topics and any librdkafka property.
struct KafkaOptions: ParsableArguments {
    @Option(name: .customLong("kafka-brokers"), help: "Kafka bootstrap servers, host:port[,host:port] (env CENSUS_KAFKA_BROKERS; default 127.0.0.1:9092).")
    var brokers: String?

    @Option(name: .customLong("group"), help: "Consumer group id (env CENSUS_GROUP; default census).")
    var group: String?

    @Option(name: .customLong("topics"), help: "Comma-separated topics (env CENSUS_TOPICS; default otlp_metrics,otlp_spans,otlp_logs).")
    var topics: String?

    @Option(name: .customLong("kafka-property"), help: ArgumentHelp("A librdkafka property key=value, repeatable (env CENSUS_KAFKA_PROPERTIES, comma-separated). E.g. security.protocol=SASL_SSL.", valueName: "key=value"))
    var properties: [String] = []

    @Option(name: .customLong("topic-signal"), help: ArgumentHelp("Map a topic to a signal, topic=metrics|spans|logs, repeatable (env CENSUS_TOPIC_SIGNALS). Default: by topic name.", valueName: "topic=signal"))
    var topicSignals: [String] = []

    static let defaultTopics = ["otlp_metrics", "otlp_spans", "otlp_logs"]

    func configuration() throws -> KafkaConfiguration {
        let properties: [String: String]
        do {
            properties = try KafkaConfiguration.parseProperties(Environment.list(self.properties, "CENSUS_KAFKA_PROPERTIES"))
        } catch {
            throw ConfigurationError(String(describing: error))
        }
        let brokers = Environment.resolve(self.brokers, "CENSUS_KAFKA_BROKERS", default: "127.0.0.1:9092")
        guard !brokers.isEmpty, !brokers.contains(" ") else { throw ConfigurationError("--kafka-brokers must be host:port[,host:port], got '\(brokers)'") }
        let group = Environment.resolve(self.group, "CENSUS_GROUP", default: "census")
        guard !group.isEmpty else { throw ConfigurationError("--group must not be empty") }
        return KafkaConfiguration(brokers: brokers, group: group, properties: properties)
    }

    func topicList() -> [String] {
        Environment.list(topics.map { [$0] } ?? [], "CENSUS_TOPICS", default: Self.defaultTopics)
    }

    func signalMap() throws -> TopicSignalMap {
        do {
            return try TopicSignalMap.parse(Environment.list(topicSignals, "CENSUS_TOPIC_SIGNALS"))
        } catch {
            throw ConfigurationError(String(describing: error))
        }
    }
}
