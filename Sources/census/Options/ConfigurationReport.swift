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
        func add(_ option: OptionSpec, _ value: String, flag: Bool) {
            entries.append(ConfigurationEntry(variable: option.variable, value: value, source: option.source(flagGiven: flag)))
        }
        if let configFile, let path = configFile.path ?? Environment.string(ConfigFile.variable) {
            entries.append(ConfigurationEntry(variable: ConfigFile.variable, value: path, source: configFile.path != nil ? .flag : .environment))
        }
        if let kafka, let configuration = settings.kafka {
            add(Options.kafkaBrokers, configuration.brokers, flag: kafka.brokers != nil)
            add(Options.group, configuration.group, flag: kafka.group != nil)
            add(Options.topics, settings.topics.joined(separator: ","), flag: kafka.topics != nil)
            let properties = configuration.properties.sorted { $0.key < $1.key }
                .map { "\($0.key)=\(Redaction.isSecretKafkaProperty($0.key) ? Redaction.placeholder : $0.value)" }
            add(Options.kafkaProperty, properties.joined(separator: ","), flag: !kafka.properties.isEmpty)
            add(
                Options.topicSignal, settings.topicSignals.explicit.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
                flag: !kafka.topicSignals.isEmpty)
        }
        let resolved = settings.clickhouse
        add(Options.clickhouseURL, resolved.url, flag: clickhouse.url != nil)
        // User and password may also come from a password file or the URL's user information: name that source.
        let urlSource = Options.clickhouseURL.source(flagGiven: clickhouse.url != nil)
        let passwordFile = Options.clickhousePasswordFile.given(clickhouse.passwordFile)
        let fileSource = Options.clickhousePasswordFile.source(flagGiven: clickhouse.passwordFile != nil)
        var userSource = Options.clickhouseUser.source(flagGiven: clickhouse.user != nil)
        if userSource == .default, resolved.user != "default" { userSource = urlSource }
        entries.append(ConfigurationEntry(variable: Options.clickhouseUser.variable, value: resolved.user, source: userSource))
        var passwordSource = Environment.source(flag: false, Options.clickhousePassword)
        if passwordFile != nil {
            passwordSource = fileSource
        } else if passwordSource == .default, !resolved.password.isEmpty {
            passwordSource = urlSource
        }
        entries.append(ConfigurationEntry(variable: Options.clickhousePassword, value: Redaction.secret(resolved.password), source: passwordSource))
        add(Options.clickhousePasswordFile, passwordFile ?? "", flag: clickhouse.passwordFile != nil)
        add(Options.database, resolved.database, flag: clickhouse.database != nil)
        add(Options.clickhouseCompression, resolved.compression.rawValue, flag: clickhouse.compression != nil)
        add(Options.clickhouseCluster, resolved.cluster.ddl?.name ?? "", flag: clickhouse.cluster.name != nil)
        add(
            Options.clickhouseReplicaPath, resolved.cluster.ddl?.zooKeeperPath ?? ClusterDDL.defaultZooKeeperPath,
            flag: clickhouse.cluster.replicaPath != nil)
        add(
            Options.clickhouseReplicaName, resolved.cluster.ddl?.replicaName ?? ClusterDDL.defaultReplicaName,
            flag: clickhouse.cluster.replicaName != nil)
        add(Options.clickhouseInsertQuorum, String(resolved.cluster.insertQuorum), flag: clickhouse.cluster.insertQuorum != nil)
        if let api {
            add(Options.apiAddr, "\(settings.apiHost):\(settings.apiPort)", flag: api.address != nil)
            entries.append(
                ConfigurationEntry(
                    variable: Options.adminToken, value: Redaction.secret(settings.adminToken),
                    source: Environment.source(flag: false, Options.adminToken)))
            add(Options.adminTokenFile, Options.adminTokenFile.given(api.adminTokenFile) ?? "", flag: api.adminTokenFile != nil)
            add(Options.apiCacheTTL, Self.seconds(settings.apiCacheTTL), flag: api.cacheTTL != nil)
            add(Options.apiMaxConcurrentReads, String(settings.apiReads.maxConcurrent), flag: api.maxConcurrentReads != nil)
            add(Options.apiReadQueueTimeout, Self.seconds(settings.apiReads.queueWait), flag: api.readQueueTimeout != nil)
            add(Options.apiQueryTimeout, Self.seconds(settings.apiReads.maxExecutionTime), flag: api.queryTimeout != nil)
            add(Options.apiCacheBytes, String(settings.apiCacheBytes), flag: api.cacheBytes != nil)
            add(Options.apiIdleTimeout, Self.seconds(settings.apiIdleTimeout), flag: api.idleTimeout != nil)
            add(Options.apiReadTimeout, Self.seconds(settings.apiReadTimeout), flag: api.readTimeout != nil)
            add(Options.apiMaxURIBytes, String(settings.apiMaxURIBytes), flag: api.maxURIBytes != nil)
            add(Options.apiMaxHeaderBytes, String(settings.apiMaxHeaderBytes), flag: api.maxHeaderBytes != nil)
        }
        if let ingest {
            add(Options.encoding, settings.encoding.rawValue, flag: ingest.encoding != nil)
            add(Options.flushRows, String(settings.policy.maxRows), flag: ingest.flushRows != nil)
            add(Options.flushBytes, String(settings.policy.maxBytes), flag: ingest.flushBytes != nil)
            add(Options.flushInterval, Self.seconds(settings.policy.maxAge), flag: ingest.flushInterval != nil)
            add(Options.firstFlushInterval, Self.seconds(settings.policy.firstMaxAge), flag: ingest.firstFlushInterval != nil)
            add(Options.drainTimeout, Self.seconds(settings.policy.drainTimeout), flag: ingest.drainTimeout != nil)
            add(Options.maxRecordBytes, String(settings.maxRecordBytes), flag: ingest.maxRecordBytes != nil)
            add(Options.maxRecordRows, String(settings.maxRecordRows), flag: ingest.maxRecordRows != nil)
            add(Options.analyzerThreads, settings.analyzerThreads, flag: ingest.analyzerThreads != nil)
            add(Options.onOffsetRegression, settings.onOffsetRegression.rawValue, flag: ingest.onOffsetRegression != nil)
            add(Options.deadLetterTopic, settings.deadLetterTopic ?? "", flag: ingest.deadLetterTopic != nil)
            add(Options.watchMaxValues, String(settings.watchMaxValues), flag: ingest.watchMaxValues != nil)
            add(Options.watchRefreshInterval, Self.seconds(settings.watchRefreshInterval), flag: ingest.watchRefreshInterval != nil)
        }
        if let retention {
            add(Options.retentionDays, String(settings.retentionDays), flag: retention.days != nil)
            add(Options.retentionInterval, Self.seconds(settings.retentionInterval), flag: retention.interval != nil)
        }
        let (level, format) = try logging.resolve()
        add(Options.logLevel, level.rawValue, flag: logging.level != nil)
        add(Options.logFormat, format.rawValue, flag: logging.format != nil)
        return entries
    }

    /// Seconds as census parses them (`1`, `0.25`).
    static func seconds(_ duration: Duration) -> String {
        let value = duration.inSeconds
        return value == value.rounded() ? String(Int64(value)) : String(value)
    }
}
