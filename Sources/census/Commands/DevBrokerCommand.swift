import ArgumentParser
import Consumer
import Foundation
import Kafka

/// `census dev-broker`: an embedded Kafka-protocol broker (librdkafka's mock cluster) for local runs and tests.
struct DevBrokerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-broker",
        abstract: "Run an embedded Kafka-protocol broker on 127.0.0.1 (librdkafka mock cluster) with the OTLP topics.",
        discussion: """
            Prints the bootstrap address on the first line of stdout and runs until SIGTERM/SIGINT. Records live in memory only \
            (about 5 MiB per partition). SIGUSR1 takes the brokers down (connections closed and refused), SIGUSR2 brings them \
            back, to rehearse broker outages.
            """
    )

    @Option(help: "Partitions per topic.")
    var partitions: Int32 = 4

    @Option(help: "Comma-separated topics to create.")
    var topics: String = KafkaOptions.defaultTopics.joined(separator: ",")

    @Option(help: "Number of brokers in the mock cluster.")
    var brokers: Int32 = 1

    func validate() throws {
        guard (1...256).contains(partitions) else { throw ConfigurationError("--partitions must be in 1...256") }
        guard (1...9).contains(brokers) else { throw ConfigurationError("--brokers must be in 1...9") }
    }

    func run() throws {
        // Block the signals before librdkafka starts its threads (they inherit the mask), so only sigwait sees them.
        SignalWaiter.block()
        let cluster = try MockCluster(brokers: brokers)
        for topic in topics.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !topic.isEmpty {
            try cluster.createTopic(topic, partitions: partitions)
        }
        FileHandle.standardOutput.write(Data((cluster.bootstrapServers + "\n").utf8))

        FileHandle.standardError.write(
            Data("census dev-broker: listening on \(cluster.bootstrapServers); topics \(topics) with \(partitions) partitions; Ctrl-C to stop\n".utf8)
        )
        SignalWaiter.waitForTermination { signal in
            let up = signal == SIGUSR2
            do {
                try cluster.setBrokersUp(up)
                FileHandle.standardError.write(Data("census dev-broker: brokers \(up ? "up" : "down")\n".utf8))
            } catch {
                FileHandle.standardError.write(Data("census dev-broker: \(error)\n".utf8))
            }
        }
        withExtendedLifetime(cluster) {}
    }
}

/// Blocks the calling thread until SIGTERM or SIGINT; SIGUSR1 and SIGUSR2 go to `other` meanwhile.
enum SignalWaiter {
    private static var signals: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGTERM, SIGINT, SIGUSR1, SIGUSR2] { sigaddset(&set, signal) }
        return set
    }

    /// Blocks the signals on the calling thread and on every thread it starts afterwards.
    static func block() {
        var set = signals
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    static func waitForTermination(other: (Int32) -> Void = { _ in }) {
        block()
        var set = signals
        while true {
            var signal: Int32 = 0
            sigwait(&set, &signal)
            if signal == SIGTERM || signal == SIGINT { return }
            other(signal)
        }
    }
}
