import ArgumentParser
import Consumer
import Foundation
import Kafka
import Logging
import Store

/// `census replay`: re-reads ranges of topics into the store with its own consumer (outside the live group).
struct ReplayCommand: AsyncParsableCommand, ConfigFileCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Backfill: read a range of the topics into ClickHouse again; ranges already applied change nothing.",
        discussion: """
        Uses its own consumer, assigned to the partitions directly: it does not join or disturb the live consumer group \
        and commits nothing. Records whose offsets the store already holds (progress rows) are skipped, so replaying \
        any range is idempotent. Exits 0 when every partition reached --until.
        """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @OptionGroup var ingest: IngestOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var configFile: ConfigFileOptions

    @Option(name: .customLong("from"), help: "Start: earliest, an RFC 3339 time, or partition:offset[,partition:offset...] (partitions not listed are not replayed).")
    var from: String

    @Option(name: .customLong("until"), help: "End (exclusive): now (default, the end when the replay starts), an RFC 3339 time, or partition:offset[,...].")
    var until: String = "now"

    func run() async throws {
        let settings = try Settings(kafka: kafka, clickhouse: clickhouse, api: nil, ingest: ingest)
        guard var kafkaConfiguration = settings.kafka else { throw ConfigurationError("replay needs Kafka settings") }
        // The live group (CENSUS_GROUP) applies everything from its committed offsets on: the replay stops there. Replays
        // of one store take turns through a lock group of their own.
        let plan = ReplayPlan(topics: settings.topics, from: try ReplayPositionParser.parse(from, flag: "from"),
                              until: try ReplayPositionParser.parse(until, flag: "until"), liveGroup: kafkaConfiguration.group,
                              lockGroup: ReplayPlan.lockGroup(liveGroup: kafkaConfiguration.group, database: settings.clickhouse.database))
        // A group id of its own that nothing else uses for reading; the replay never joins it and never commits to it.
        kafkaConfiguration.group = "census-replay-\(UUID().uuidString.lowercased())"
        let logger = try LogSetup.bootstrap(logging)
        let store = try StoreWiring(settings.clickhouse, logger: logger)
        _ = try await store.migrate(retryFor: .seconds(60), logger: logger)
        // Keys watched now get their values from the replayed records too (ranges the store already holds are skipped).
        let watch = WatchRegistry(maxValues: settings.watchMaxValues)
        await WatchRefreshService.loadInitially(ClickHouseWatchStore(client: store.client, schema: store.schema, logger: logger), into: watch,
                                                for: .seconds(30), logger: logger)
        let service: IngestService
        do {
            service = try IngestService(
                configuration: .init(kafka: kafkaConfiguration, topics: settings.topics, topicSignals: settings.topicSignals, encoding: settings.encoding,
                                     policy: settings.policy, maxRecordBytes: settings.maxRecordBytes, onOffsetRegression: settings.onOffsetRegression,
                                     deadLetterTopic: settings.deadLetterTopic, replay: plan, analyzerLanes: settings.analyzerLanes,
                                     maxRecordRows: settings.maxRecordRows, watch: watch),
                sink: WriterSink(writer: store.writer, clock: store.serverClock), logger: logger)
        } catch {
            throw ConfigurationError(String(describing: error))
        }
        let reporter = ReplayProgressReporter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: reporter.interval)
                    if Task.isCancelled { break }
                    reporter.report(service.statistics)
                }
            }
            do {
                try await service.run()
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
        reporter.report(service.statistics, done: true)
        let statistics = service.statistics
        logger.info("replay done", metadata: [
            "records": "\(statistics.records)", "skipped_already_applied": "\(statistics.skippedRecords)",
            "quarantined": "\(statistics.quarantinedRecords)", "batches": "\(statistics.flushes)",
        ])
    }
}
