import Consumer
import Foundation
import Kafka
import Store

/// The effective configuration of one census process, resolved from flags, `CENSUS_*` variables and defaults.
struct Settings: Sendable {
    var kafka: KafkaConfiguration?
    var topics: [String] = []
    var topicSignals = TopicSignalMap()
    var encoding = OTLPEncoding.auto
    var policy = BatchPolicy()
    var maxRecordBytes = Options.maxRecordBytes.defaultInt
    var maxRecordRows = Options.maxRecordRows.defaultInt
    var analyzerLanes = ParallelAnalyzer.defaultLanes
    /// `auto` or the configured lane count, as given (the report shows this; the log line at start the lanes used).
    var analyzerThreads = "auto"
    var onOffsetRegression = OffsetRegressionAction.fail
    var deadLetterTopic: String?
    /// UTC days of metadata kept, today included (0: all); see ``RetentionService``.
    var retentionDays = 0
    var retentionInterval = Options.retentionInterval.defaultSeconds
    /// Distinct values kept per deep-watched key (``WatchRegistry``).
    var watchMaxValues = WatchRegistry.defaultMaxValues
    /// How often the deep-watch list is reloaded from ClickHouse.
    var watchRefreshInterval = Options.watchRefreshInterval.defaultSeconds
    var clickhouse: ClickHouseOptions.Resolved
    var apiHost = Self.defaultAPIAddress.host
    var apiPort = Self.defaultAPIAddress.port
    var adminToken: String?
    var apiCacheTTL = Options.apiCacheTTL.defaultSeconds
    var apiReads = StoreWiring.ReadLimits()
    /// Bytes both API caches hold together (split in ``CensusRuntime``).
    var apiCacheBytes = Options.apiCacheBytes.defaultInt
    var apiIdleTimeout = Options.apiIdleTimeout.defaultSeconds
    var apiReadTimeout = Options.apiReadTimeout.defaultSeconds
    var apiMaxURIBytes = Options.apiMaxURIBytes.defaultInt
    var apiMaxHeaderBytes = Options.apiMaxHeaderBytes.defaultInt

    /// `--api-addr`'s default, parsed: the default is a constant of ``Options`` that parses (`census config` and every
    /// e2e test start from it), so a failure here is a programming error.
    // swiftlint:disable:next force_try
    static let defaultAPIAddress = try! APIOptions.hostAndPort(Options.apiAddr.defaultValue ?? "")

    init(kafka: KafkaOptions?, clickhouse: ClickHouseOptions, api: APIOptions?, ingest: IngestOptions?, retention: RetentionOptions? = nil) throws {
        self.clickhouse = try clickhouse.resolve()
        if let kafka {
            self.kafka = try kafka.configuration()
            self.topics = kafka.topicList()
            self.topicSignals = try kafka.signalMap()
        }
        if let api {
            (apiHost, apiPort) = try api.hostAndPort()
            adminToken = try api.adminToken()
            apiCacheTTL = try Options.apiCacheTTL.seconds(api.cacheTTL, allowZero: true)
            apiReads.maxConcurrent = try Options.apiMaxConcurrentReads.int(api.maxConcurrentReads, range: 1...64)
            apiReads.queueWait = try Options.apiReadQueueTimeout.seconds(api.readQueueTimeout, allowZero: true)
            apiReads.maxExecutionTime = .seconds(try Options.apiQueryTimeout.int(api.queryTimeout, range: 1...3_600))
            apiCacheBytes = try Options.apiCacheBytes.int(api.cacheBytes, range: (1 << 20)...(64 << 30))
            apiIdleTimeout = try Options.apiIdleTimeout.seconds(api.idleTimeout)
            apiReadTimeout = try Options.apiReadTimeout.seconds(api.readTimeout)
            apiMaxURIBytes = try Options.apiMaxURIBytes.int(api.maxURIBytes, range: 256...(1 << 20))
            apiMaxHeaderBytes = try Options.apiMaxHeaderBytes.int(api.maxHeaderBytes, range: 1_024...(1 << 20))
        }
        if let ingest {
            let encodingText = Options.encoding.string(ingest.encoding)
            switch encodingText {
            case "auto": encoding = .auto
            case "proto", "otlp_proto": encoding = .proto
            case "json", "otlp_json": encoding = .json
            default: throw ConfigurationError("--encoding must be auto, proto or json, got '\(encodingText)'")
            }
            policy = BatchPolicy(
                // At most 500,000 rows plus as many derived catalog rows stay within one INSERT block (MetadataWriter.maxRowsPerInsert).
                maxRows: try Options.flushRows.int(ingest.flushRows, range: 1...500_000),
                maxBytes: try Options.flushBytes.int(ingest.flushBytes, range: 1_024...(8 << 30)),
                maxAge: try Options.flushInterval.seconds(ingest.flushInterval),
                firstMaxAge: try Options.firstFlushInterval.seconds(ingest.firstFlushInterval, allowZero: true),
                drainTimeout: try Options.drainTimeout.seconds(ingest.drainTimeout)
            )
            maxRecordBytes = try Options.maxRecordBytes.int(ingest.maxRecordBytes, range: 1...(1 << 30))
            maxRecordRows = try Options.maxRecordRows.int(ingest.maxRecordRows, range: 1...500_000)
            analyzerThreads = Options.analyzerThreads.string(ingest.analyzerThreads).trimmingCharacters(in: .whitespaces)
            if analyzerThreads == "auto" {
                analyzerLanes = ParallelAnalyzer.defaultLanes
            } else {
                analyzerLanes = try Options.analyzerThreads.int(ingest.analyzerThreads, range: 1...64)
            }
            let regressionText = Options.onOffsetRegression.string(ingest.onOffsetRegression)
            guard let action = OffsetRegressionAction(rawValue: regressionText) else {
                throw ConfigurationError("--on-offset-regression must be fail or reset, got '\(regressionText)'")
            }
            onOffsetRegression = action
            watchMaxValues = try Options.watchMaxValues.int(ingest.watchMaxValues, range: 1...WatchRegistry.defaultMaxValues)
            watchRefreshInterval = try Options.watchRefreshInterval.seconds(ingest.watchRefreshInterval)
            deadLetterTopic = Options.deadLetterTopic.given(ingest.deadLetterTopic)
            if let topic = deadLetterTopic, topic.isEmpty || topic.contains(where: { $0 == "," || $0 == " " }) {
                throw ConfigurationError("--dead-letter-topic must be one topic name, got '\(topic)'")
            }
        }
        if let retention {
            retentionDays = try Options.retentionDays.int(retention.days, range: 0...Int(DayRange.maxDay))
            retentionInterval = try Options.retentionInterval.seconds(retention.interval)
        }
    }
}
