import Consumer
import Foundation

/// The effective configuration of one census process, resolved from flags, `CENSUS_*` variables and defaults.
struct Settings: Sendable {
    var kafka: KafkaConfiguration?
    var topics: [String] = []
    var topicSignals = TopicSignalMap()
    var encoding = OTLPEncoding.auto
    var policy = BatchPolicy()
    var clickhouse: ClickHouseOptions.Resolved
    var apiHost = "127.0.0.1"
    var apiPort = 8090
    var adminToken: String?
    var apiCacheTTL: Duration = .seconds(1)

    init(kafka: KafkaOptions?, clickhouse: ClickHouseOptions, api: APIOptions?, ingest: IngestOptions?) throws {
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
                maxRows: try Environment.int(ingest.flushRows, "CENSUS_FLUSH_ROWS", flagName: "flush-rows", default: 50_000, range: 1...900_000),
                maxBytes: try Environment.int(ingest.flushBytes, "CENSUS_FLUSH_BYTES", flagName: "flush-bytes", default: 64 << 20, range: 1_024...(8 << 30)),
                maxAge: try Environment.seconds(ingest.flushInterval, "CENSUS_FLUSH_INTERVAL", flagName: "flush-interval", default: 1),
                drainTimeout: try Environment.seconds(ingest.drainTimeout, "CENSUS_DRAIN_TIMEOUT", flagName: "drain-timeout", default: 30)
            )
        }
    }
}
