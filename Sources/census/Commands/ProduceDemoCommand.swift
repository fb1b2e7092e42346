import ArgumentParser
import Consumer
import Foundation
import Kafka
import Store

/// `census produce-demo`: writes realistic OTLP for all signals to Kafka, as the Collector's kafka exporter would.
struct ProduceDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce-demo",
        abstract: "Write demo OTLP (metrics, spans, logs of several services) to the Kafka topics.",
        discussion: "Deterministic for a given --seed. Records go to the topics otlp_metrics, otlp_spans and otlp_logs (see --topics)."
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Kafka records to write per signal.")
    var records: Int = 30

    @Option(help: "Data points, spans or log records per Kafka record.")
    var items: Int = 50

    @Option(help: "OTLP encoding: proto or json.")
    var encoding: String = "proto"

    @Option(help: "Kafka compression: none, gzip, snappy, lz4 or zstd.")
    var compression: String = "none"

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(
        help:
            "Traffic shape: mixed (every signal and metric type), sum (one Sum metric per record, --attributes string attributes per point; metrics topics only), spread (the sum record for one of --spread-metrics metrics and --spread-services services, user.id on every point from --spread-values values; metrics topics only) or explosion (a new session.id value on every data point; metrics topics only)."
    )
    var shape: String = "mixed"

    @Option(help: "String attributes per data point for --shape sum (1...30).")
    var attributes: Int = 8

    @Option(help: "Metric names for --shape spread (each record one of them, at random).")
    var spreadMetrics: Int = 400

    @Option(help: "Services for --shape spread (each record one of them, at random).")
    var spreadServices: Int = 12

    @Option(help: "Distinct user.id values for --shape spread (one on every data point, uniformly drawn).")
    var spreadValues: Int = 200_000

    @Option(help: "Share (0...1) of high-cardinality attribute values (user.id, order.id, ...) that are new instead of drawn from a small pool.")
    var highCardinalityShare: Double = 0.05

    func validate() throws {
        guard (1...10_000_000).contains(records) else { throw ConfigurationError("--records must be in 1...10000000") }
        guard (1...100_000).contains(items) else { throw ConfigurationError("--items must be in 1...100000") }
        guard ["proto", "json"].contains(encoding) else { throw ConfigurationError("--encoding must be proto or json") }
        guard ["none", "gzip", "snappy", "lz4", "zstd"].contains(compression) else {
            throw ConfigurationError("--compression must be none, gzip, snappy, lz4 or zstd")
        }
        guard ["mixed", "sum", "spread", "explosion"].contains(shape) else {
            throw ConfigurationError("--shape must be mixed, sum, spread or explosion")
        }
        guard (1...100_000).contains(spreadMetrics) else { throw ConfigurationError("--spread-metrics must be in 1...100000") }
        guard (1...100).contains(spreadServices) else { throw ConfigurationError("--spread-services must be in 1...100") }
        guard (1...100_000_000).contains(spreadValues) else { throw ConfigurationError("--spread-values must be in 1...100000000") }
        guard (1...30).contains(attributes) else { throw ConfigurationError("--attributes must be in 1...30") }
        guard (0...1).contains(highCardinalityShare) else { throw ConfigurationError("--high-cardinality-share must be in 0...1") }
    }

    func run() throws {
        let configuration = try kafka.configuration()
        let topics = kafka.topicList()
        let signals = try kafka.signalMap()
        let producer = try KafkaProducer(configuration: configuration, compression: compression)
        var demo = DemoTelemetry(seed: seed, highCardinalityShare: highCardinalityShare)
        let wire: OTLPEncoding = encoding == "json" ? .json : .proto
        var bytes = 0
        var sent = 0
        let started = Date()
        for index in 0..<records {
            for topic in topics {
                guard let signal = signals.signal(for: topic) else { continue }
                let payload: [UInt8]
                switch shape {
                case "sum":
                    guard signal == .metric else { continue }
                    payload = demo.sumRequest(points: items, attributes: attributes, encoding: wire)
                case "spread":
                    guard signal == .metric else { continue }
                    payload = demo.spreadRequest(
                        points: items, attributes: attributes, metrics: spreadMetrics, services: spreadServices, values: spreadValues,
                        encoding: wire)
                case "explosion":
                    guard signal == .metric else { continue }
                    payload = demo.explosionRequest(points: items, first: index * items, encoding: wire)
                default:
                    payload = demo.request(for: signal, items: items, encoding: wire)
                }
                try producer.send(topic: topic, payload: payload)
                bytes += payload.count
                sent += 1
            }
            if index % 100 == 99 { try producer.flush() }
        }
        try producer.flush()
        let elapsed = Date().timeIntervalSince(started)
        print(
            "produced \(sent) records (\(records) per topic, \(items) items each, shape \(shape), \(bytes) bytes, \(encoding), \(compression)) to \(configuration.brokers) in \(String(format: "%.2f", elapsed)) s"
        )
    }
}
