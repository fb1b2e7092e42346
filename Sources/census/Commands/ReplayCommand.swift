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

            With --fill-watched it changes nothing but the deep-watched keys' values: over the range, every record the store \
            already holds whose values of a watched key are not stored yet (applied before the key was watched) adds them, \
            exactly once however often the fill runs or stops (docs/API.md, "Deep watch"). Exits 3 when no key is watched.
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @OptionGroup var ingest: IngestOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var configFile: ConfigFileOptions

    @Option(
        name: .customLong("from"),
        help: "Start: earliest, an RFC 3339 time, or partition:offset[,partition:offset...] (partitions not listed are not replayed).")
    var from: String

    @Flag(name: .customLong(Options.fillWatched.flag), help: Options.fillWatched.help)
    var fillWatched = false

    /// The exit code of `--fill-watched` when no key is watched.
    static let nothingWatchedExitCode: Int32 = 3

    @Option(
        name: .customLong("until"),
        help: "End (exclusive): now (default, the end when the replay starts), an RFC 3339 time, or partition:offset[,...].")
    var until: String = "now"

    func run() async throws {
        let settings = try Settings(kafka: kafka, clickhouse: clickhouse, api: nil, ingest: ingest)
        let fill = try Options.fillWatched.bool(fillWatched)
        guard var kafkaConfiguration = settings.kafka else { throw ConfigurationError("replay needs Kafka settings") }
        // The live group (CENSUS_GROUP) applies everything from its committed offsets on: the replay stops there. Replays
        // (fills included) of one store take turns through a lock group of their own. A fill applies nothing, so it reads
        // up to --until: it only touches records the store held when it started.
        let plan = ReplayPlan(
            topics: settings.topics, from: try ReplayPositionParser.parse(from, flag: "from"),
            until: try ReplayPositionParser.parse(until, flag: "until"), liveGroup: fill ? nil : kafkaConfiguration.group,
            lockGroup: ReplayPlan.lockGroup(liveGroup: kafkaConfiguration.group, database: settings.clickhouse.database))
        // A group id of its own that nothing else uses for reading; the replay never joins it and never commits to it.
        kafkaConfiguration.group = "census-replay-\(UUID().uuidString.lowercased())"
        let logger = try LogSetup.bootstrap(logging)
        let store = try StoreWiring(settings.clickhouse, logger: logger)
        _ = try await store.migrate(retryFor: .seconds(60), logger: logger)
        // Keys watched now get their values from the replayed records too (ranges the store already holds are skipped).
        let watch = WatchRegistry(maxValues: settings.watchMaxValues)
        let watchStore = ClickHouseWatchStore(client: store.client, schema: store.schema, logger: logger)
        var fillKeys: [String]? = nil
        if fill {
            // The list and the values already stored (the admission set) must be known: no fill without them.
            do {
                try await watchStore.refresh(watch)
            } catch {
                throw ReplayFillError("cannot read the deep-watch list from ClickHouse: \(error)")
            }
            let keys = Array(watch.keys.prefix(64))
            guard !keys.isEmpty else {
                FileHandle.standardError.write(
                    Data("census: --fill-watched: no key is deep-watched (POST /api/v1/attributes/{key}/watch first); nothing to fill\n".utf8))
                throw ExitCode(Self.nothingWatchedExitCode)
            }
            fillKeys = keys
            logger.info("filling deep-watched keys over records applied without them", metadata: ["keys": "\(keys.joined(separator: ","))"])
        } else {
            await WatchRefreshService.loadInitially(watchStore, into: watch, for: .seconds(30), logger: logger)
        }
        let service: IngestService
        do {
            service = try IngestService(
                configuration: .init(
                    kafka: kafkaConfiguration, topics: settings.topics, topicSignals: settings.topicSignals, encoding: settings.encoding,
                    policy: settings.policy, maxRecordBytes: settings.maxRecordBytes, onOffsetRegression: settings.onOffsetRegression,
                    deadLetterTopic: fill ? nil : settings.deadLetterTopic, replay: plan, analyzerLanes: settings.analyzerLanes,
                    maxRecordRows: settings.maxRecordRows, watch: watch, fillWatched: fillKeys),
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
        logger.info(
            fill ? "fill done" : "replay done",
            metadata: [
                "records": "\(statistics.records)", "skipped_already_applied": "\(statistics.skippedRecords)",
                "quarantined": "\(statistics.quarantinedRecords)", "batches": "\(statistics.flushes)",
            ])
    }
}

/// A fill that cannot start (exit code 1).
struct ReplayFillError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
