import API
import ArgumentParser
import Consumer
import Foundation
import Kafka
import Logging
import Store

/// `census report`: the OTLP Cardinality Checker's CI report, over a range of the stored history or of the topics.
struct ReportCommand: AsyncParsableCommand, ConfigFileCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the cardinality report of a range and exit non-zero when a threshold is reached (for CI pipelines).",
        discussion: """
            --source store (default) reads the days --from…--until of the store. --source topic reads the topics from --from \
            to --until (replay positions: earliest, an RFC 3339 time, partition:offset,...) with a consumer of its own that \
            joins no group and commits nothing, into a scratch database (<database>_report_<random>) that is dropped afterwards \
            unless --store is given. Each metric is rated by its series, each span name and log severity by its attribute key \
            with the most distinct values, each attribute key by its distinct values. Exits 0 when everything is below \
            --warn, 1 when something reached --warn, 2 when something reached --critical (2 also on invalid arguments).
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var clickhouse: ClickHouseOptions
    @OptionGroup var ingest: IngestOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var configFile: ConfigFileOptions

    @Option(help: "store (the stored days, default) or topic (read the topics with a consumer of its own).")
    var source: String = "store"

    @Option(
        name: .customLong("from"),
        help:
            "Start. store: a day (YYYY-MM-DD or RFC 3339; default: the first stored day). topic: earliest (default), an RFC 3339 time, or partition:offset[,...]."
    )
    var from: String?

    @Option(
        name: .customLong("until"),
        help:
            "End. store: the last day included (default: the newest). topic: now (default), an RFC 3339 time, or partition:offset[,...] (exclusive).")
    var until: String?

    @Option(name: .customLong(Options.reportFormat.flag), help: Options.reportFormat.help)
    var formatFlag: String?

    @Option(name: .customLong(Options.reportWarn.flag), help: Options.reportWarn.help)
    var warnFlag: String?

    @Option(name: .customLong(Options.reportCritical.flag), help: Options.reportCritical.help)
    var criticalFlag: String?

    @Flag(help: "With --source topic: keep the scratch database the topics were read into (its name is logged).")
    var store = false

    func run() async throws {
        let format = Options.reportFormat.string(formatFlag)
        guard ["text", "json"].contains(format) else { throw ConfigurationError("--format must be text or json, got '\(format)'") }
        let warn = UInt64(try Options.reportWarn.int(warnFlag, range: 1...Int.max))
        let critical = UInt64(try Options.reportCritical.int(criticalFlag, range: 1...Int.max))
        guard critical >= warn else { throw ConfigurationError("--critical must be at least --warn") }
        let started = Date()
        let snapshot: SessionSnapshot
        let sourceText: String
        switch source {
        case "store":
            let range = DayRange(from: try from.map { try Self.day($0, flag: "from") }, to: try until.map { try Self.day($0, flag: "until") })
            guard !range.isEmpty else { throw ConfigurationError("--from is after --until") }
            let settings = try Settings(kafka: nil, clickhouse: clickhouse, api: nil, ingest: nil)
            let logger = try LogSetup.bootstrap(logging)
            let wiring = try StoreWiring(settings.clickhouse, logger: logger)
            snapshot = try await ClickHouseSessionStore(client: wiring.client, schema: wiring.schema, logger: logger)
                .snapshot(of: StoredSession(name: "report", created: 0, range: range))
            sourceText = "store \(range)"
        case "topic":
            (snapshot, sourceText) = try await readTopics()
        default:
            throw ConfigurationError("--source must be store or topic, got '\(source)'")
        }
        let report = CardinalityReport(snapshot, warning: warn, critical: critical)
        let now = UInt32(clamping: Int64(Date().timeIntervalSince1970))
        let duration = source == "topic" ? String(format: "%.1fs", Date().timeIntervalSince(started)) : nil
        if format == "json" {
            FileHandle.standardOutput.write(Data(ReportEncoding.json(report, generatedAt: now, duration: duration, version: Census.version)))
        } else {
            print(ReportEncoding.text(report, generatedAt: now, duration: duration, version: Census.version, source: sourceText))
        }
        if report.level != .ok { throw ExitCode(Int32(report.level.rawValue)) }
    }

    /// Replays the topic range into a scratch database with a consumer of its own (no group joined, nothing committed),
    /// reads its snapshot, and drops it unless `--store`.
    private func readTopics() async throws -> (SessionSnapshot, String) {
        var settings = try Settings(kafka: kafka, clickhouse: clickhouse, api: nil, ingest: ingest)
        guard var kafkaConfiguration = settings.kafka else { throw ConfigurationError("report --source topic needs Kafka settings") }
        let suffix = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        settings.clickhouse.database = "\(settings.clickhouse.database)_report_\(suffix)"
        let plan = ReplayPlan(
            topics: settings.topics, from: try ReplayPositionParser.parse(from ?? "earliest", flag: "from"),
            until: try ReplayPositionParser.parse(until ?? "now", flag: "until"), liveGroup: nil, lockGroup: nil)
        kafkaConfiguration.group = "census-report-\(suffix)"
        let logger = try LogSetup.bootstrap(logging)
        let wiring = try StoreWiring(settings.clickhouse, logger: logger)
        let admin = StoreAdmin(client: wiring.client, schema: wiring.schema, logger: logger)
        _ = try await wiring.migrate(retryFor: .seconds(60), logger: logger)
        do {
            let service: IngestService
            do {
                service = try IngestService(
                    configuration: .init(
                        kafka: kafkaConfiguration, topics: settings.topics, topicSignals: settings.topicSignals, encoding: settings.encoding,
                        policy: settings.policy, maxRecordBytes: settings.maxRecordBytes, onOffsetRegression: settings.onOffsetRegression,
                        deadLetterTopic: nil, replay: plan, analyzerLanes: settings.analyzerLanes,
                        maxRecordRows: settings.maxRecordRows),
                    sink: WriterSink(writer: wiring.writer, clock: wiring.serverClock), logger: logger)
            } catch {
                throw ConfigurationError(String(describing: error))
            }
            try await service.run()
            let snapshot = try await ClickHouseSessionStore(client: wiring.client, schema: wiring.schema, logger: logger)
                .snapshot(of: StoredSession(name: "report", created: 0))
            if store {
                logger.info("report data kept", metadata: ["clickhouse.database": "\(settings.clickhouse.database)"])
            } else {
                try await admin.dropDatabase()
            }
            return (snapshot, "topics \(settings.topics.joined(separator: ",")) (\(service.statistics.records) records)")
        } catch {
            if !store { try? await admin.dropDatabase() }
            throw error
        }
    }

    private static func day(_ text: String, flag: String) throws -> UInt16 {
        guard let day = DayRange.parseDay(text) else {
            throw ConfigurationError("--\(flag) must be YYYY-MM-DD or an RFC 3339 time, got '\(text)'")
        }
        return day
    }
}
