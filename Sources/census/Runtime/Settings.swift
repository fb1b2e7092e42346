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
    var maxRecordBytes = 16 << 20
    var maxRecordRows = 100_000
    var analyzerLanes = ParallelAnalyzer.defaultLanes
    /// `auto` or the configured lane count, as given (the report shows this; the log line at start the lanes used).
    var analyzerThreads = "auto"
    var onOffsetRegression = OffsetRegressionAction.fail
    var deadLetterTopic: String?
    /// UTC days of metadata kept, today included (0: all); see ``RetentionService``.
    var retentionDays = 0
    var retentionInterval: Duration = .seconds(3_600)
    /// Distinct values kept per deep-watched key (``WatchRegistry``).
    var watchMaxValues = WatchRegistry.defaultMaxValues
    /// How often the deep-watch list is reloaded from ClickHouse.
    var watchRefreshInterval: Duration = .seconds(10)
    var clickhouse: ClickHouseOptions.Resolved
    var apiHost = "127.0.0.1"
    var apiPort = 8090
    var adminToken: String?
    var apiCacheTTL: Duration = .seconds(1)
    var apiReads = StoreWiring.ReadLimits()
    /// Bytes both API caches hold together (split in ``CensusRuntime``).
    var apiCacheBytes = 64 << 20
    var apiIdleTimeout: Duration = .seconds(60)
    var apiReadTimeout: Duration = .seconds(30)
    var apiMaxURIBytes = 8_192
    var apiMaxHeaderBytes = 32_768

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
            apiCacheTTL = try Environment.seconds(api.cacheTTL, "CENSUS_API_CACHE_TTL", flagName: "api-cache-ttl", default: 1, allowZero: true)
            apiReads.maxConcurrent = try Environment.int(api.maxConcurrentReads, "CENSUS_API_MAX_CONCURRENT_READS", flagName: "api-max-concurrent-reads",
                                                         default: 2, range: 1...64)
            apiReads.queueWait = try Environment.seconds(api.readQueueTimeout, "CENSUS_API_READ_QUEUE_TIMEOUT", flagName: "api-read-queue-timeout",
                                                         default: 2, allowZero: true)
            apiReads.maxExecutionTime = .seconds(try Environment.int(api.queryTimeout, "CENSUS_API_QUERY_TIMEOUT", flagName: "api-query-timeout",
                                                                     default: 10, range: 1...3_600))
            apiCacheBytes = try Environment.int(api.cacheBytes, "CENSUS_API_CACHE_BYTES", flagName: "api-cache-bytes", default: 64 << 20,
                                                range: (1 << 20)...(64 << 30))
            apiIdleTimeout = try Environment.seconds(api.idleTimeout, "CENSUS_API_IDLE_TIMEOUT", flagName: "api-idle-timeout", default: 60)
            apiReadTimeout = try Environment.seconds(api.readTimeout, "CENSUS_API_READ_TIMEOUT", flagName: "api-read-timeout", default: 30)
            apiMaxURIBytes = try Environment.int(api.maxURIBytes, "CENSUS_API_MAX_URI_BYTES", flagName: "api-max-uri-bytes", default: 8_192,
                                                 range: 256...(1 << 20))
            apiMaxHeaderBytes = try Environment.int(api.maxHeaderBytes, "CENSUS_API_MAX_HEADER_BYTES", flagName: "api-max-header-bytes",
                                                    default: 32_768, range: 1_024...(1 << 20))
        }
        if let ingest {
            let encodingText = Environment.resolve(ingest.encoding, "CENSUS_ENCODING", default: "auto")
            switch encodingText {
            case "auto": encoding = .auto
            case "proto", "otlp_proto": encoding = .proto
            case "json", "otlp_json": encoding = .json
            default: throw ConfigurationError("--encoding must be auto, proto or json, got '\(encodingText)'")
            }
            policy = BatchPolicy(
                // At most 500,000 rows plus as many derived catalog rows stay within one INSERT block (MetadataWriter.maxRowsPerInsert).
                maxRows: try Environment.int(ingest.flushRows, "CENSUS_FLUSH_ROWS", flagName: "flush-rows", default: 50_000, range: 1...500_000),
                maxBytes: try Environment.int(ingest.flushBytes, "CENSUS_FLUSH_BYTES", flagName: "flush-bytes", default: 64 << 20, range: 1_024...(8 << 30)),
                maxAge: try Environment.seconds(ingest.flushInterval, "CENSUS_FLUSH_INTERVAL", flagName: "flush-interval", default: 1),
                drainTimeout: try Environment.seconds(ingest.drainTimeout, "CENSUS_DRAIN_TIMEOUT", flagName: "drain-timeout", default: 30)
            )
            maxRecordBytes = try Environment.int(ingest.maxRecordBytes, "CENSUS_MAX_RECORD_BYTES", flagName: "max-record-bytes", default: 16 << 20,
                                                 range: 1...(1 << 30))
            maxRecordRows = try Environment.int(ingest.maxRecordRows, "CENSUS_MAX_RECORD_ROWS", flagName: "max-record-rows", default: 100_000,
                                                range: 1...500_000)
            analyzerThreads = Environment.resolve(ingest.analyzerThreads, "CENSUS_ANALYZER_THREADS", default: "auto").trimmingCharacters(in: .whitespaces)
            if analyzerThreads == "auto" {
                analyzerLanes = ParallelAnalyzer.defaultLanes
            } else {
                analyzerLanes = try Environment.int(ingest.analyzerThreads, "CENSUS_ANALYZER_THREADS", flagName: "analyzer-threads", default: 1, range: 1...64)
            }
            let regressionText = Environment.resolve(ingest.onOffsetRegression, "CENSUS_ON_OFFSET_REGRESSION", default: "fail")
            guard let action = OffsetRegressionAction(rawValue: regressionText) else {
                throw ConfigurationError("--on-offset-regression must be fail or reset, got '\(regressionText)'")
            }
            onOffsetRegression = action
            watchMaxValues = try Environment.int(ingest.watchMaxValues, "CENSUS_WATCH_MAX_VALUES", flagName: "watch-max-values",
                                                 default: WatchRegistry.defaultMaxValues, range: 1...WatchRegistry.defaultMaxValues)
            watchRefreshInterval = try Environment.seconds(ingest.watchRefreshInterval, "CENSUS_WATCH_REFRESH_INTERVAL", flagName: "watch-refresh-interval",
                                                           default: 10)
            deadLetterTopic = ingest.deadLetterTopic ?? Environment.string("CENSUS_DEAD_LETTER_TOPIC")
            if let topic = deadLetterTopic, topic.isEmpty || topic.contains(where: { $0 == "," || $0 == " " }) {
                throw ConfigurationError("--dead-letter-topic must be one topic name, got '\(topic)'")
            }
        }
        if let retention {
            retentionDays = try Environment.int(retention.days, "CENSUS_RETENTION_DAYS", flagName: "retention-days", default: 0,
                                                range: 0...Int(DayRange.maxDay))
            retentionInterval = try Environment.seconds(retention.interval, "CENSUS_RETENTION_INTERVAL", flagName: "retention-interval",
                                                        default: 3_600)
        }
    }
}
