import ArgumentParser
import Consumer
import Foundation
import Kafka
import Logging

/// `census lag`: committed offsets of a group against the partitions' high watermarks.
struct LagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lag",
        abstract: "Show a consumer group's committed offsets and lag per partition (JSON lines).",
        discussion: "With --wait, polls until the lag is 0 (exit 0) or the time runs out (exit 1)."
    )

    @OptionGroup var kafka: KafkaOptions

    @Option(help: "Wait up to this many seconds for the lag to reach 0.")
    var wait: Double?

    @Flag(help: "Print only the final summary line.")
    var quiet = false

    func run() throws {
        let configuration = try kafka.configuration()
        var logger = Logger(label: "census.lag")
        logger.logLevel = .error
        // A member that never subscribes does not join the group, so asking does not disturb it.
        var probeConfiguration = configuration
        probeConfiguration.properties["enable.partition.eof"] = "false"
        let consumer = try KafkaConsumer(configuration: probeConfiguration, logger: logger)
        let topics = kafka.topicList()
        let deadline = Date().addingTimeInterval(wait ?? 0)
        while true {
            let (lines, lag) = try measure(consumer, topics: topics)
            let done = lag == 0
            if !quiet || done || wait == nil || Date() >= deadline {
                if !quiet { lines.forEach { print($0) } }
            }
            if wait == nil {
                print(#"{"group":"\#(configuration.group)","lag":\#(lag)}"#)
                return
            }
            if done {
                print(#"{"group":"\#(configuration.group)","lag":0}"#)
                return
            }
            if Date() >= deadline {
                print(#"{"group":"\#(configuration.group)","lag":\#(lag),"timed_out":true}"#)
                throw ExitCode.failure
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    private func measure(_ consumer: KafkaConsumer, topics: [String]) throws -> ([String], Int64) {
        let counts = try consumer.partitionCounts(topics: topics)
        var partitions: [TopicPartition] = []
        for topic in topics.sorted() {
            for p in 0..<(counts[topic] ?? 0) { partitions.append(TopicPartition(topic: topic, partition: p)) }
        }
        let committed = try consumer.committed(partitions)
        var lines: [String] = []
        var total: Int64 = 0
        for tp in partitions {
            let (low, high) = try consumer.watermarks(tp)
            let position = committed[tp] ?? low
            let lag = max(0, high - max(position, low))
            total += lag
            lines.append(
                #"{"topic":"\#(tp.topic)","partition":\#(tp.partition),"committed":\#(committed[tp].map(String.init) ?? "null"),"high":\#(high),"lag":\#(lag)}"#
            )
        }
        return (lines, total)
    }
}
