import Consumer
import Kafka
import Store
import Logging

/// Builds the effective configuration of a command from its option groups and resolved ``Settings``, with every
/// secret redacted (``Redaction``). Groups a command does not have are left out.
struct ConfigurationReport {
    var kafka: KafkaOptions?
    var clickhouse: ClickHouseOptions
    var api: APIOptions?
    var ingest: IngestOptions?
    var retention: RetentionOptions?
    var logging: LoggingOptions
    var configFile: ConfigFileOptions?

    func entries(_ settings: Settings) throws -> [ConfigurationEntry] {
        var entries: [ConfigurationEntry] = []
        func add(_ variable: String, _ value: String, flag: Bool) {
            entries.append(ConfigurationEntry(variable: variable, value: value, source: Environment.source(flag: flag, variable)))
        }
        if let configFile, let path = configFile.path ?? Environment.string(ConfigFile.variable) {
            entries.append(ConfigurationEntry(variable: ConfigFile.variable, value: path, source: configFile.path != nil ? .flag : .environment))
        }
        if let kafka, let configuration = settings.kafka {
            add("CENSUS_KAFKA_BROKERS", configuration.brokers, flag: kafka.brokers != nil)
            add("CENSUS_GROUP", configuration.group, flag: kafka.group != nil)
            add("CENSUS_TOPICS", settings.topics.joined(separator: ","), flag: kafka.topics != nil)
            let properties = configuration.properties.sorted { $0.key < $1.key }
                .map { "\($0.key)=\(Redaction.isSecretKafkaProperty($0.key) ? Redaction.placeholder : $0.value)" }
            add("CENSUS_KAFKA_PROPERTIES", properties.joined(separator: ","), flag: !kafka.properties.isEmpty)
            add("CENSUS_TOPIC_SIGNALS", settings.topicSignals.explicit.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
                flag: !kafka.topicSignals.isEmpty)
        }
        let resolved = settings.clickhouse
        add("CENSUS_CLICKHOUSE_URL", resolved.url, flag: clickhouse.url != nil)
        // User and password may also come from a password file or the URL's user information: name that source.
        let urlSource = Environment.source(flag: clickhouse.url != nil, "CENSUS_CLICKHOUSE_URL")
        let passwordFile = clickhouse.passwordFile ?? Environment.string("CENSUS_CLICKHOUSE_PASSWORD_FILE")
        let fileSource = Environment.source(flag: clickhouse.passwordFile != nil, "CENSUS_CLICKHOUSE_PASSWORD_FILE")
        var userSource = Environment.source(flag: clickhouse.user != nil, "CENSUS_CLICKHOUSE_USER")
        if userSource == .default, resolved.user != "default" { userSource = urlSource }
        entries.append(ConfigurationEntry(variable: "CENSUS_CLICKHOUSE_USER", value: resolved.user, source: userSource))
        var passwordSource = Environment.source(flag: false, "CENSUS_CLICKHOUSE_PASSWORD")
        if passwordFile != nil { passwordSource = fileSource } else if passwordSource == .default, !resolved.password.isEmpty { passwordSource = urlSource }
        entries.append(ConfigurationEntry(variable: "CENSUS_CLICKHOUSE_PASSWORD", value: Redaction.secret(resolved.password), source: passwordSource))
        add("CENSUS_CLICKHOUSE_PASSWORD_FILE", passwordFile ?? "", flag: clickhouse.passwordFile != nil)
        add("CENSUS_DATABASE", resolved.database, flag: clickhouse.database != nil)
        add("CENSUS_CLICKHOUSE_CLUSTER", resolved.cluster.ddl?.name ?? "", flag: clickhouse.cluster.name != nil)
        add("CENSUS_CLICKHOUSE_REPLICA_PATH", resolved.cluster.ddl?.zooKeeperPath ?? ClusterDDL.defaultZooKeeperPath, flag: clickhouse.cluster.replicaPath != nil)
        add("CENSUS_CLICKHOUSE_REPLICA_NAME", resolved.cluster.ddl?.replicaName ?? ClusterDDL.defaultReplicaName, flag: clickhouse.cluster.replicaName != nil)
        add("CENSUS_CLICKHOUSE_INSERT_QUORUM", String(resolved.cluster.insertQuorum), flag: clickhouse.cluster.insertQuorum != nil)
        if let api {
            add("CENSUS_API_ADDR", "\(settings.apiHost):\(settings.apiPort)", flag: api.address != nil)
            add("CENSUS_ADMIN_TOKEN", Redaction.secret(settings.adminToken), flag: false)
            add("CENSUS_ADMIN_TOKEN_FILE", api.adminTokenFile ?? Environment.string("CENSUS_ADMIN_TOKEN_FILE") ?? "", flag: api.adminTokenFile != nil)
            add("CENSUS_API_CACHE_TTL", Self.seconds(settings.apiCacheTTL), flag: api.cacheTTL != nil)
            add("CENSUS_API_MAX_CONCURRENT_READS", String(settings.apiReads.maxConcurrent), flag: api.maxConcurrentReads != nil)
            add("CENSUS_API_READ_QUEUE_TIMEOUT", Self.seconds(settings.apiReads.queueWait), flag: api.readQueueTimeout != nil)
            add("CENSUS_API_QUERY_TIMEOUT", Self.seconds(settings.apiReads.maxExecutionTime), flag: api.queryTimeout != nil)
            add("CENSUS_API_CACHE_BYTES", String(settings.apiCacheBytes), flag: api.cacheBytes != nil)
            add("CENSUS_API_IDLE_TIMEOUT", Self.seconds(settings.apiIdleTimeout), flag: api.idleTimeout != nil)
            add("CENSUS_API_READ_TIMEOUT", Self.seconds(settings.apiReadTimeout), flag: api.readTimeout != nil)
            add("CENSUS_API_MAX_URI_BYTES", String(settings.apiMaxURIBytes), flag: api.maxURIBytes != nil)
            add("CENSUS_API_MAX_HEADER_BYTES", String(settings.apiMaxHeaderBytes), flag: api.maxHeaderBytes != nil)
        }
        if let ingest {
            add("CENSUS_ENCODING", settings.encoding.rawValue, flag: ingest.encoding != nil)
            add("CENSUS_FLUSH_ROWS", String(settings.policy.maxRows), flag: ingest.flushRows != nil)
            add("CENSUS_FLUSH_BYTES", String(settings.policy.maxBytes), flag: ingest.flushBytes != nil)
            add("CENSUS_FLUSH_INTERVAL", Self.seconds(settings.policy.maxAge), flag: ingest.flushInterval != nil)
            add("CENSUS_DRAIN_TIMEOUT", Self.seconds(settings.policy.drainTimeout), flag: ingest.drainTimeout != nil)
            add("CENSUS_MAX_RECORD_BYTES", String(settings.maxRecordBytes), flag: ingest.maxRecordBytes != nil)
            add("CENSUS_MAX_RECORD_ROWS", String(settings.maxRecordRows), flag: ingest.maxRecordRows != nil)
            add("CENSUS_ANALYZER_THREADS", settings.analyzerThreads, flag: ingest.analyzerThreads != nil)
            add("CENSUS_ON_OFFSET_REGRESSION", settings.onOffsetRegression.rawValue, flag: ingest.onOffsetRegression != nil)
            add("CENSUS_DEAD_LETTER_TOPIC", settings.deadLetterTopic ?? "", flag: ingest.deadLetterTopic != nil)
            add("CENSUS_WATCH_MAX_VALUES", String(settings.watchMaxValues), flag: ingest.watchMaxValues != nil)
            add("CENSUS_WATCH_REFRESH_INTERVAL", Self.seconds(settings.watchRefreshInterval), flag: ingest.watchRefreshInterval != nil)
        }
        if let retention {
            add("CENSUS_RETENTION_DAYS", String(settings.retentionDays), flag: retention.days != nil)
            add("CENSUS_RETENTION_INTERVAL", Self.seconds(settings.retentionInterval), flag: retention.interval != nil)
        }
        let (level, format) = try logging.resolve()
        add("CENSUS_LOG_LEVEL", level.rawValue, flag: logging.level != nil)
        add("CENSUS_LOG_FORMAT", format.rawValue, flag: logging.format != nil)
        return entries
    }

    /// Seconds as census parses them (`1`, `0.25`).
    static func seconds(_ duration: Duration) -> String {
        let value = duration.inSeconds
        return value == value.rounded() ? String(Int64(value)) : String(value)
    }
}
