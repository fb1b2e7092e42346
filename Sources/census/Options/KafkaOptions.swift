import ArgumentParser
import Consumer
import Kafka

/// Where census reads from: brokers, group, topics and any librdkafka property.
struct KafkaOptions: ParsableArguments {
    @Option(name: .customLong(Options.kafkaBrokers.flag), help: Options.kafkaBrokers.help)
    var brokers: String?

    @Option(name: .customLong(Options.group.flag), help: Options.group.help)
    var group: String?

    @Option(name: .customLong(Options.topics.flag), help: Options.topics.help)
    var topics: String?

    @Option(name: .customLong(Options.kafkaProperty.flag), help: Options.kafkaProperty.help)
    var properties: [String] = []

    @Option(name: .customLong(Options.topicSignal.flag), help: Options.topicSignal.help)
    var topicSignals: [String] = []

    static let defaultTopics = ["otlp_metrics", "otlp_spans", "otlp_logs"]

    func configuration() throws -> KafkaConfiguration {
        let properties: [String: String]
        do {
            properties = try KafkaConfiguration.parseProperties(Environment.list(self.properties, Options.kafkaProperty.variable))
        } catch {
            throw ConfigurationError(String(describing: error))
        }
        let brokers = Options.kafkaBrokers.string(self.brokers)
        guard !brokers.isEmpty, !brokers.contains(" ") else {
            throw ConfigurationError("--kafka-brokers must be host:port[,host:port], got '\(brokers)'")
        }
        let group = Options.group.string(self.group)
        guard !group.isEmpty else { throw ConfigurationError("--group must not be empty") }
        return KafkaConfiguration(brokers: brokers, group: group, properties: properties)
    }

    func topicList() -> [String] {
        Environment.list(topics.map { [$0] } ?? [], Options.topics.variable, default: Self.defaultTopics)
    }

    func signalMap() throws -> TopicSignalMap {
        do {
            return try TopicSignalMap.parse(Environment.list(topicSignals, Options.topicSignal.variable))
        } catch {
            throw ConfigurationError(String(describing: error))
        }
    }
}
