import Store

/// Every `CENSUS_*` setting of census, in the order `census config` lists them.
enum Options {
    // ClickHouse (``ClickHouseOptions``)
    static let clickhouseURL = OptionSpec(
        "clickhouse-url", "CENSUS_CLICKHOUSE_URL", default: "http://127.0.0.1:8123",
        "ClickHouse HTTP interface URL, or several separated by commas (replicas of one shard: writes stay on one and fail over when it is down, reads are spread over the healthy ones)",
        note: ". User and password in the URL are moved out of it (and never logged); prefer the options below.")
    static let clickhouseUser = OptionSpec(
        "clickhouse-user", "CENSUS_CLICKHOUSE_USER", default: "default", shown: "'default'",
        "ClickHouse user")
    static let clickhousePasswordFile = OptionSpec(
        "clickhouse-password-file", "CENSUS_CLICKHOUSE_PASSWORD_FILE",
        help:
            "File holding the ClickHouse password (env CENSUS_CLICKHOUSE_PASSWORD_FILE). The password itself can only come from env CENSUS_CLICKHOUSE_PASSWORD, never a flag, so it stays out of process listings."
    )
    static let database = OptionSpec(
        "database", "CENSUS_DATABASE", default: "census",
        "ClickHouse database")
    static let clickhouseCompression = OptionSpec(
        "clickhouse-compression", "CENSUS_CLICKHOUSE_COMPRESSION", default: "none",
        "INSERT bodies to ClickHouse: none (sent as they are, cheapest on a LAN) or gzip (bodies of 64 KiB and more at level 1 when a sample shrinks by a fifth; for a slow or metered link: costs census ~25 % more CPU and ~50 MiB more memory on high-cardinality traffic)"
    )

    // API (``APIOptions``)
    static let apiAddr = OptionSpec(
        "api-addr", "CENSUS_API_ADDR", default: "127.0.0.1:8090",
        "API listen address host:port")
    static let apiCacheTTL = OptionSpec(
        "api-cache-ttl", "CENSUS_API_CACHE_TTL", default: "1",
        "Seconds an API answer is reused before it is read again; a stale answer is served while it is refreshed in the background; 0 turns the cache off"
    )
    static let apiMaxConcurrentReads = OptionSpec(
        "api-max-concurrent-reads", "CENSUS_API_MAX_CONCURRENT_READS", default: "2",
        "Most API reads running in ClickHouse at once, on connections of their own (the writer has its own); more wait in line")
    static let apiReadQueueTimeout = OptionSpec(
        "api-read-queue-timeout", "CENSUS_API_READ_QUEUE_TIMEOUT", default: "2",
        "Seconds an API read waits for a free read slot before the answer is 503 with Retry-After; 0 answers 503 at once")
    static let apiQueryTimeout = OptionSpec(
        "api-query-timeout", "CENSUS_API_QUERY_TIMEOUT", default: "10",
        "Whole seconds one API read may run in ClickHouse (max_execution_time, sent with every read; the HTTP timeout is 5 s more)")
    static let apiCacheBytes = OptionSpec(
        "api-cache-bytes", "CENSUS_API_CACHE_BYTES", default: "268435456",
        "Most bytes the API's two answer caches hold together (rendered answers and decoded reads, half each; least recently used evicted)")
    static let apiIdleTimeout = OptionSpec(
        "api-idle-timeout", "CENSUS_API_IDLE_TIMEOUT", default: "60",
        "Seconds an API connection may stay idle (no complete request part read, no answer written; a half-sent request head counts as idle) before census closes it"
    )
    static let apiReadTimeout = OptionSpec(
        "api-read-timeout", "CENSUS_API_READ_TIMEOUT", default: "30",
        "Seconds a request may take to arrive once its head was read (body included) before census closes the connection")
    static let apiMaxURIBytes = OptionSpec(
        "api-max-uri-bytes", "CENSUS_API_MAX_URI_BYTES", default: "8192",
        "Longest request URI (path and query) the API answers; longer ones get 414 and the connection is closed")
    static let apiMaxHeaderBytes = OptionSpec(
        "api-max-header-bytes", "CENSUS_API_MAX_HEADER_BYTES", default: "32768",
        "Most bytes of request header names and values the API answers; more get 431 and the connection is closed")
    static let adminTokenFile = OptionSpec(
        "admin-token-file", "CENSUS_ADMIN_TOKEN_FILE",
        help:
            "File holding the admin token for POST /api/v1/admin/clear (env CENSUS_ADMIN_TOKEN holds the token itself; CENSUS_ADMIN_TOKEN_FILE a file)."
    )

    // Ingest (``IngestOptions``)
    static let encoding = OptionSpec(
        "encoding", "CENSUS_ENCODING", default: "auto",
        "OTLP encoding of records: auto (detect per record), proto or json")
    static let flushRows = OptionSpec(
        "flush-rows", "CENSUS_FLUSH_ROWS", default: "50000",
        "Flush when a window reaches this many rows")
    static let flushBytes = OptionSpec(
        "flush-bytes", "CENSUS_FLUSH_BYTES", default: "67108864",
        "Flush when a window holds this many bytes; while a flush is in flight the next window fills on, up to twice this less what that flush holds (at least this, at most 256 MiB unless this is more)"
    )
    static let flushInterval = OptionSpec(
        "flush-interval", "CENSUS_FLUSH_INTERVAL", default: "1",
        "Flush a non-empty window at least every N seconds")
    static let firstFlushInterval = OptionSpec(
        "first-flush-interval", "CENSUS_FIRST_FLUSH_INTERVAL", default: "0.1",
        "Flush the first window after partitions are assigned once it is N seconds old (at most --flush-interval), so that the first commit follows the group join within moments"
    )
    static let drainTimeout = OptionSpec(
        "drain-timeout", "CENSUS_DRAIN_TIMEOUT", default: "30",
        "Seconds to wait for a flush on rebalance or shutdown before dropping it uncommitted")
    static let maxRecordBytes = OptionSpec(
        "max-record-bytes", "CENSUS_MAX_RECORD_BYTES", default: "16777216",
        "Quarantine records larger than this many bytes instead of decoding them")
    static let maxRecordRows = OptionSpec(
        "max-record-rows", "CENSUS_MAX_RECORD_ROWS", default: "100000",
        "Quarantine records that would add more than this many rows to a window; lowered at start so that a window always fits one INSERT")
    static let analyzerThreads = OptionSpec(
        "analyzer-threads", "CENSUS_ANALYZER_THREADS", default: "auto",
        "Threads that decode and aggregate records: auto (one per core, at most 4) or 1...64; 1 analyzes on the Kafka poll thread itself")
    static let onOffsetRegression = OptionSpec(
        "on-offset-regression", "CENSUS_ON_OFFSET_REGRESSION", default: "fail",
        "When stored progress is beyond a partition's end (topic re-created): fail (stop with an error) or reset (new incarnation, read from the start)"
    )
    static let deadLetterTopic = OptionSpec(
        "dead-letter-topic", "CENSUS_DEAD_LETTER_TOPIC", default: nil, shown: "none",
        "Also produce quarantined records to this Kafka topic, key topic/partition/offset")
    static let watchMaxValues = OptionSpec(
        "watch-max-values", "CENSUS_WATCH_MAX_VALUES", default: String(WatchRegistry.defaultMaxValues),
        "Distinct values kept per deep-watched key; observations of further values are counted as the key's overflow")
    static let watchRefreshInterval = OptionSpec(
        "watch-refresh-interval", "CENSUS_WATCH_REFRESH_INTERVAL", default: "10",
        "Seconds between reloads of the deep-watch list from ClickHouse (changes made through this process apply at once)")

    // Retention (``RetentionOptions``)
    static let retentionDays = OptionSpec(
        "retention-days", "CENSUS_RETENTION_DAYS", default: "0",
        "Keep this many UTC days of metadata, today included, and delete older days at start and every --retention-interval (progress rows are kept); 0 keeps everything"
    )
    static let retentionInterval = OptionSpec(
        "retention-interval", "CENSUS_RETENTION_INTERVAL", default: "3600",
        "Seconds between two retention passes")

    // Logging (``LoggingOptions``)
    static let logLevel = OptionSpec(
        "log-level", "CENSUS_LOG_LEVEL", default: "info",
        "trace, debug, info, notice, warning, error or critical")
    static let logFormat = OptionSpec(
        "log-format", "CENSUS_LOG_FORMAT", default: "plain",
        "plain or json (one JSON object per line)")

    // A replicated cluster (``ClusterOptions``)
    static let clickhouseCluster = OptionSpec(
        "clickhouse-cluster", "CENSUS_CLICKHOUSE_CLUSTER", default: nil, shown: "none",
        "ClickHouse cluster name (remote_servers): DDL and migrations run ON CLUSTER with Replicated* engines, INSERTs wait for --clickhouse-insert-quorum replicas, progress reads use select_sequential_consistency; unset = a single server"
    )
    static let clickhouseReplicaPath = OptionSpec(
        "clickhouse-replica-path", "CENSUS_CLICKHOUSE_REPLICA_PATH", default: ClusterDDL.defaultZooKeeperPath,
        "ZooKeeper path of each replicated table; ClickHouse expands its macros ({shard}), census expands {database} and {table}")
    static let clickhouseReplicaName = OptionSpec(
        "clickhouse-replica-name", "CENSUS_CLICKHOUSE_REPLICA_NAME", default: ClusterDDL.defaultReplicaName,
        "Replica name of each replicated table; {replica} is the servers' macro")
    static let clickhouseInsertQuorum = OptionSpec(
        "clickhouse-insert-quorum", "CENSUS_CLICKHOUSE_INSERT_QUORUM", default: "0",
        "On a cluster, replicas that must hold an INSERT before ClickHouse acknowledges it (insert_quorum); 0 = the majority of the --clickhouse-url replicas"
    )

    // The configuration file (``ConfigFileOptions``)
    static let config = OptionSpec(
        "config", "CENSUS_CONFIG",
        help: "Configuration file of CENSUS_*=value lines (env CENSUS_CONFIG). Flags and environment variables win over it.", valueName: "path")

    // Kafka (``KafkaOptions``)
    static let kafkaBrokers = OptionSpec(
        "kafka-brokers", "CENSUS_KAFKA_BROKERS", default: "127.0.0.1:9092",
        "Kafka bootstrap servers, host:port[,host:port]")
    static let group = OptionSpec(
        "group", "CENSUS_GROUP", default: "census",
        "Consumer group id")
    static let topics = OptionSpec(
        "topics", "CENSUS_TOPICS", default: KafkaOptions.defaultTopics.joined(separator: ","),
        "Comma-separated topics")
    static let kafkaProperty = OptionSpec(
        "kafka-property", "CENSUS_KAFKA_PROPERTIES",
        help: "A librdkafka property key=value, repeatable (env CENSUS_KAFKA_PROPERTIES, comma-separated). E.g. security.protocol=SASL_SSL.",
        valueName: "key=value")
    static let topicSignal = OptionSpec(
        "topic-signal", "CENSUS_TOPIC_SIGNALS",
        help: "Map a topic to a signal, topic=metrics|spans|logs, repeatable (env CENSUS_TOPIC_SIGNALS). Default: by topic name.",
        valueName: "topic=signal")

    // `census report` (``ReportCommand``)
    static let reportFormat = OptionSpec("format", "CENSUS_REPORT_FORMAT", default: "text", "text or json, the reference's report JSON")
    static let reportWarn = OptionSpec(
        "warn", "CENSUS_REPORT_WARN", default: String(CardinalityReport.defaultWarning),
        "Distinct values (series for metrics) at or above which an item is a warning")
    static let reportCritical = OptionSpec(
        "critical", "CENSUS_REPORT_CRITICAL", default: String(CardinalityReport.defaultCritical),
        "Distinct values at or above which an item is critical")

    // `census replay` (``ReplayCommand``)
    static let fillWatched = OptionSpec(
        "fill-watched", "CENSUS_FILL_WATCHED", default: "false",
        "Only add the values of the keys deep-watched now for records the store already holds without them (records applied before the watch); nothing else changes"
    )

    // Settings only a variable holds (never a flag, so they stay out of process listings).
    static let clickhousePassword = "CENSUS_CLICKHOUSE_PASSWORD"
    static let adminToken = "CENSUS_ADMIN_TOKEN"
}
