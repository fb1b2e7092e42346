import ArgumentParser
import Foundation
import Logging
import Store

/// Where census writes and reads: the ClickHouse HTTP interface and the database.
struct ClickHouseOptions: ParsableArguments {
    @Option(name: .customLong("clickhouse-url"), help: "ClickHouse HTTP interface URL, or several separated by commas (replicas of one shard: writes stay on one and fail over when it is down, reads are spread over the healthy ones) (env CENSUS_CLICKHOUSE_URL; default http://127.0.0.1:8123). User and password in the URL are moved out of it (and never logged); prefer the options below.")
    var url: String?

    @Option(name: .customLong("clickhouse-user"), help: "ClickHouse user (env CENSUS_CLICKHOUSE_USER; default 'default').")
    var user: String?

    @Option(name: .customLong("clickhouse-password-file"), help: "File holding the ClickHouse password (env CENSUS_CLICKHOUSE_PASSWORD_FILE). The password itself can only come from env CENSUS_CLICKHOUSE_PASSWORD, never a flag, so it stays out of process listings.")
    var passwordFile: String?

    @Option(name: .customLong("database"), help: "ClickHouse database (env CENSUS_DATABASE; default census).")
    var database: String?

    @OptionGroup var cluster: ClusterOptions

    struct Resolved: Sendable {
        /// The base URLs without user information, separated by commas.
        var url: String
        var user: String
        var password: String
        var database: String
        /// The replicated cluster, if any.
        var cluster: ClusterOptions.Resolved = .init(ddl: nil, insertQuorum: 0)
    }

    func resolve() throws -> Resolved {
        let rawURLs = Environment.resolve(self.url, "CENSUS_CLICKHOUSE_URL", default: "http://127.0.0.1:8123")
        var urls: [String] = []
        var urlUser: String?
        var urlPassword: String?
        for rawURL in rawURLs.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard var components = URLComponents(string: rawURL), let scheme = components.scheme, ["http", "https"].contains(scheme),
                  let host = components.host, !host.isEmpty else {
                throw ConfigurationError("--clickhouse-url must be an http(s) URL or a comma-separated list of them, got '\(Redaction.url(rawURL))'")
            }
            // Credentials in the URL: used when no user/password is configured otherwise, and removed from the URL.
            urlUser = urlUser ?? components.user
            urlPassword = urlPassword ?? components.password
            components.user = nil
            components.password = nil
            let url = components.string ?? rawURL
            urls.append(url.hasSuffix("/") ? String(url.dropLast()) : url)
        }
        let database = Environment.resolve(self.database, "CENSUS_DATABASE", default: "census")
        guard database.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
            throw ConfigurationError("--database must match [A-Za-z_][A-Za-z0-9_]*, got '\(database)'")
        }
        var password = Environment.string("CENSUS_CLICKHOUSE_PASSWORD") ?? urlPassword ?? ""
        if let file = passwordFile ?? Environment.string("CENSUS_CLICKHOUSE_PASSWORD_FILE") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError("cannot read the ClickHouse password file \(file)")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
        return Resolved(url: urls.joined(separator: ","),
                        user: Environment.resolve(user, "CENSUS_CLICKHOUSE_USER", default: urlUser ?? "default"), password: password, database: database,
                        cluster: try cluster.resolve(replicas: urls.count))
    }
}

/// The REST API's listen address and admin token.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("api-addr"), help: "API listen address host:port (env CENSUS_API_ADDR; default 127.0.0.1:8090).")
    var address: String?

    @Option(name: .customLong("api-cache-ttl"), help: "Seconds an API answer is reused before it is read again; a stale answer is served while it is refreshed in the background; 0 turns the cache off (env CENSUS_API_CACHE_TTL; default 1).")
    var cacheTTL: String?

    @Option(name: .customLong("api-max-concurrent-reads"), help: "Most API reads running in ClickHouse at once, on connections of their own (the writer has its own); more wait in line (env CENSUS_API_MAX_CONCURRENT_READS; default 2).")
    var maxConcurrentReads: String?

    @Option(name: .customLong("api-read-queue-timeout"), help: "Seconds an API read waits for a free read slot before the answer is 503 with Retry-After; 0 answers 503 at once (env CENSUS_API_READ_QUEUE_TIMEOUT; default 2).")
    var readQueueTimeout: String?

    @Option(name: .customLong("api-query-timeout"), help: "Whole seconds one API read may run in ClickHouse (max_execution_time, sent with every read; the HTTP timeout is 5 s more) (env CENSUS_API_QUERY_TIMEOUT; default 10).")
    var queryTimeout: String?

    @Option(name: .customLong("api-cache-bytes"), help: "Most bytes the API's two answer caches hold together (rendered answers and decoded reads, half each; least recently used evicted) (env CENSUS_API_CACHE_BYTES; default 67108864).")
    var cacheBytes: String?

    @Option(name: .customLong("api-idle-timeout"), help: "Seconds an API connection may stay idle (no complete request part read, no answer written; a half-sent request head counts as idle) before census closes it (env CENSUS_API_IDLE_TIMEOUT; default 60).")
    var idleTimeout: String?

    @Option(name: .customLong("api-read-timeout"), help: "Seconds a request may take to arrive once its head was read (body included) before census closes the connection (env CENSUS_API_READ_TIMEOUT; default 30).")
    var readTimeout: String?

    @Option(name: .customLong("api-max-uri-bytes"), help: "Longest request URI (path and query) the API answers; longer ones get 414 and the connection is closed (env CENSUS_API_MAX_URI_BYTES; default 8192).")
    var maxURIBytes: String?

    @Option(name: .customLong("api-max-header-bytes"), help: "Most bytes of request header names and values the API answers; more get 431 and the connection is closed (env CENSUS_API_MAX_HEADER_BYTES; default 32768).")
    var maxHeaderBytes: String?

    @Option(name: .customLong("admin-token-file"), help: "File holding the admin token for POST /api/v1/admin/clear (env CENSUS_ADMIN_TOKEN holds the token itself; CENSUS_ADMIN_TOKEN_FILE a file).")
    var adminTokenFile: String?

    func hostAndPort() throws -> (host: String, port: Int) {
        let address = Environment.resolve(self.address, "CENSUS_API_ADDR", default: "127.0.0.1:8090")
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigurationError("--api-addr must be host:port, got '\(address)'")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    func adminToken() throws -> String? {
        if let file = adminTokenFile ?? Environment.string("CENSUS_ADMIN_TOKEN_FILE") {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ConfigurationError("cannot read the admin token file \(file)") }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return Environment.string("CENSUS_ADMIN_TOKEN")
    }
}

/// How the consumer batches: flush triggers and the OTLP encoding.
struct IngestOptions: ParsableArguments {
    @Option(name: .customLong("encoding"), help: "OTLP encoding of records: auto (detect per record), proto or json (env CENSUS_ENCODING; default auto).")
    var encoding: String?

    @Option(name: .customLong("flush-rows"), help: "Flush when a window reaches this many rows (env CENSUS_FLUSH_ROWS; default 50000).")
    var flushRows: String?

    @Option(name: .customLong("flush-bytes"), help: "Flush when a window holds this many bytes (env CENSUS_FLUSH_BYTES; default 67108864).")
    var flushBytes: String?

    @Option(name: .customLong("flush-interval"), help: "Flush a non-empty window at least every N seconds (env CENSUS_FLUSH_INTERVAL; default 1).")
    var flushInterval: String?

    @Option(name: .customLong("drain-timeout"), help: "Seconds to wait for a flush on rebalance or shutdown before dropping it uncommitted (env CENSUS_DRAIN_TIMEOUT; default 30).")
    var drainTimeout: String?

    @Option(name: .customLong("max-record-bytes"), help: "Quarantine records larger than this many bytes instead of decoding them (env CENSUS_MAX_RECORD_BYTES; default 16777216).")
    var maxRecordBytes: String?

    @Option(name: .customLong("max-record-rows"), help: "Quarantine records that would add more than this many rows to a window; lowered at start so that a window always fits one INSERT (env CENSUS_MAX_RECORD_ROWS; default 100000).")
    var maxRecordRows: String?

    @Option(name: .customLong("analyzer-threads"), help: "Threads that decode and aggregate records: auto (one per core, at most 4) or 1...64; 1 analyzes on the Kafka poll thread itself (env CENSUS_ANALYZER_THREADS; default auto).")
    var analyzerThreads: String?

    @Option(name: .customLong("on-offset-regression"), help: "When stored progress is beyond a partition's end (topic re-created): fail (stop with an error) or reset (new incarnation, read from the start) (env CENSUS_ON_OFFSET_REGRESSION; default fail).")
    var onOffsetRegression: String?

    @Option(name: .customLong("dead-letter-topic"), help: "Also produce quarantined records to this Kafka topic, key topic/partition/offset (env CENSUS_DEAD_LETTER_TOPIC; default none).")
    var deadLetterTopic: String?

    @Option(name: .customLong("watch-max-values"), help: "Distinct values kept per deep-watched key; observations of further values are counted as the key's overflow (env CENSUS_WATCH_MAX_VALUES; default 10000).")
    var watchMaxValues: String?

    @Option(name: .customLong("watch-refresh-interval"), help: "Seconds between reloads of the deep-watch list from ClickHouse (changes made through this process apply at once) (env CENSUS_WATCH_REFRESH_INTERVAL; default 10).")
    var watchRefreshInterval: String?
}

/// Retention of old days (`run` and `consume`; see ``RetentionService``).
struct RetentionOptions: ParsableArguments {
    @Option(name: .customLong("retention-days"), help: "Keep this many UTC days of metadata, today included, and delete older days at start and every --retention-interval (progress rows are kept); 0 keeps everything (env CENSUS_RETENTION_DAYS; default 0).")
    var days: String?

    @Option(name: .customLong("retention-interval"), help: "Seconds between two retention passes (env CENSUS_RETENTION_INTERVAL; default 3600).")
    var interval: String?
}

/// Logging.
struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env CENSUS_LOG_LEVEL; default info).")
    var level: String?

    @Option(name: .customLong("log-format"), help: "plain or json (one JSON object per line) (env CENSUS_LOG_FORMAT; default plain).")
    var format: String?

    /// How log lines are written.
    enum Format: String, Sendable {
        case plain, json
    }

    func resolve() throws -> (level: Logger.Level, format: Format) {
        let levelText = Environment.resolve(level, "CENSUS_LOG_LEVEL", default: "info")
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(levelText)'")
        }
        let formatText = Environment.resolve(format, "CENSUS_LOG_FORMAT", default: "plain")
        guard let format = Format(rawValue: formatText.lowercased()) else {
            throw ConfigurationError("--log-format must be plain or json; got '\(formatText)'")
        }
        return (level, format)
    }
}
