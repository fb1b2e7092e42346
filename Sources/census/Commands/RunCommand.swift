import ArgumentParser
import Consumer
import Logging
import ServiceLifecycle

/// `census run`: consumer and API in one process.
struct RunCommand: AsyncParsableCommand, ConfigFileCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Consume OTLP from Kafka into ClickHouse and serve the REST API (one process)."
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var ingest: IngestOptions
    @OptionGroup var retention: RetentionOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var configFile: ConfigFileOptions

    func run() async throws {
        let settings = try Settings(kafka: kafka, clickhouse: clickhouse, api: api, ingest: ingest, retention: retention)
        let report = ConfigurationReport(
            kafka: kafka, clickhouse: clickhouse, api: api, ingest: ingest, retention: retention, logging: logging, configFile: configFile)
        let logger = try LogSetup.bootstrap(logging)
        try await CensusRuntime(settings: settings, logger: logger, effective: report.entries(settings)).run(consume: true, serve: true)
    }
}

/// `census consume`: the consumer only.
struct ConsumeCommand: AsyncParsableCommand, ConfigFileCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Consume OTLP from Kafka into ClickHouse (no API)."
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @OptionGroup var ingest: IngestOptions
    @OptionGroup var retention: RetentionOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var configFile: ConfigFileOptions

    func run() async throws {
        let settings = try Settings(kafka: kafka, clickhouse: clickhouse, api: nil, ingest: ingest, retention: retention)
        let report = ConfigurationReport(
            kafka: kafka, clickhouse: clickhouse, ingest: ingest, retention: retention, logging: logging, configFile: configFile)
        let logger = try LogSetup.bootstrap(logging)
        try await CensusRuntime(settings: settings, logger: logger, effective: report.entries(settings)).run(consume: true, serve: false)
    }
}

/// `census serve`: the API only (any number of instances can serve the same database).
struct ServeCommand: AsyncParsableCommand, ConfigFileCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API from ClickHouse (no consumer)."
    )

    @OptionGroup var clickhouse: ClickHouseOptions
    @OptionGroup var api: APIOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var configFile: ConfigFileOptions

    func run() async throws {
        let settings = try Settings(kafka: nil, clickhouse: clickhouse, api: api, ingest: nil)
        let report = ConfigurationReport(clickhouse: clickhouse, api: api, logging: logging, configFile: configFile)
        let logger = try LogSetup.bootstrap(logging)
        try await CensusRuntime(settings: settings, logger: logger, effective: report.entries(settings)).run(consume: false, serve: true)
    }
}

/// `census migrate`: create or upgrade the ClickHouse schema, then exit.
struct MigrateCommand: AsyncParsableCommand, ConfigFileCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade census's ClickHouse schema (also done on start-up by run and consume)."
    )

    @OptionGroup var clickhouse: ClickHouseOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var configFile: ConfigFileOptions

    @Option(help: "Keep retrying an unreachable ClickHouse for this many seconds.")
    var wait: Double = 30

    func run() async throws {
        let settings = try Settings(kafka: nil, clickhouse: clickhouse, api: nil, ingest: nil)
        let logger = try LogSetup.bootstrap(logging)
        let store = try StoreWiring(settings.clickhouse, logger: logger)
        let version = try await store.migrate(retryFor: .milliseconds(Int64(wait * 1000)), logger: logger)
        print("census schema is at version \(version) in database \(settings.clickhouse.database)")
    }
}
