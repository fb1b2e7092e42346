import ArgumentParser
import Foundation
import Logging
import Store

/// Where census writes and reads: the ClickHouse HTTP interface and the database.
struct ClickHouseOptions: ParsableArguments {
    @Option(name: .customLong(Options.clickhouseURL.flag), help: Options.clickhouseURL.help)
    var url: String?

    @Option(name: .customLong(Options.clickhouseUser.flag), help: Options.clickhouseUser.help)
    var user: String?

    @Option(name: .customLong(Options.clickhousePasswordFile.flag), help: Options.clickhousePasswordFile.help)
    var passwordFile: String?

    @Option(name: .customLong(Options.database.flag), help: Options.database.help)
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
        let rawURLs = Options.clickhouseURL.string(self.url)
        var urls: [String] = []
        var urlUser: String?
        var urlPassword: String?
        for rawURL in rawURLs.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard var components = URLComponents(string: rawURL), let scheme = components.scheme, ["http", "https"].contains(scheme),
                let host = components.host, !host.isEmpty
            else {
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
        let database = Options.database.string(self.database)
        guard database.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
            throw ConfigurationError("--database must match [A-Za-z_][A-Za-z0-9_]*, got '\(database)'")
        }
        var password = Environment.string(Options.clickhousePassword) ?? urlPassword ?? ""
        if let file = Options.clickhousePasswordFile.given(passwordFile) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError("cannot read the ClickHouse password file \(file)")
            }
            password = text.trimmingCharacters(in: .newlines)
        }
        return Resolved(
            url: urls.joined(separator: ","),
            user: Options.clickhouseUser.given(user) ?? urlUser ?? Options.clickhouseUser.string(nil), password: password, database: database,
            cluster: try cluster.resolve(replicas: urls.count))
    }
}

/// The REST API's listen address and admin token.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong(Options.apiAddr.flag), help: Options.apiAddr.help)
    var address: String?

    @Option(name: .customLong(Options.apiCacheTTL.flag), help: Options.apiCacheTTL.help)
    var cacheTTL: String?

    @Option(name: .customLong(Options.apiMaxConcurrentReads.flag), help: Options.apiMaxConcurrentReads.help)
    var maxConcurrentReads: String?

    @Option(name: .customLong(Options.apiReadQueueTimeout.flag), help: Options.apiReadQueueTimeout.help)
    var readQueueTimeout: String?

    @Option(name: .customLong(Options.apiQueryTimeout.flag), help: Options.apiQueryTimeout.help)
    var queryTimeout: String?

    @Option(name: .customLong(Options.apiCacheBytes.flag), help: Options.apiCacheBytes.help)
    var cacheBytes: String?

    @Option(name: .customLong(Options.apiIdleTimeout.flag), help: Options.apiIdleTimeout.help)
    var idleTimeout: String?

    @Option(name: .customLong(Options.apiReadTimeout.flag), help: Options.apiReadTimeout.help)
    var readTimeout: String?

    @Option(name: .customLong(Options.apiMaxURIBytes.flag), help: Options.apiMaxURIBytes.help)
    var maxURIBytes: String?

    @Option(name: .customLong(Options.apiMaxHeaderBytes.flag), help: Options.apiMaxHeaderBytes.help)
    var maxHeaderBytes: String?

    @Option(name: .customLong(Options.adminTokenFile.flag), help: Options.adminTokenFile.help)
    var adminTokenFile: String?

    func hostAndPort() throws -> (host: String, port: Int) {
        try Self.hostAndPort(Options.apiAddr.string(self.address))
    }

    /// `host:port` (`[v6]:port`; an empty host listens on every interface).
    static func hostAndPort(_ address: String) throws -> (host: String, port: Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigurationError("--api-addr must be host:port, got '\(address)'")
        }
        var host = String(address[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    func adminToken() throws -> String? {
        if let file = Options.adminTokenFile.given(adminTokenFile) {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw ConfigurationError("cannot read the admin token file \(file)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return Environment.string(Options.adminToken)
    }
}

/// How the consumer batches: flush triggers and the OTLP encoding.
struct IngestOptions: ParsableArguments {
    @Option(name: .customLong(Options.encoding.flag), help: Options.encoding.help)
    var encoding: String?

    @Option(name: .customLong(Options.flushRows.flag), help: Options.flushRows.help)
    var flushRows: String?

    @Option(name: .customLong(Options.flushBytes.flag), help: Options.flushBytes.help)
    var flushBytes: String?

    @Option(name: .customLong(Options.flushInterval.flag), help: Options.flushInterval.help)
    var flushInterval: String?

    @Option(name: .customLong(Options.drainTimeout.flag), help: Options.drainTimeout.help)
    var drainTimeout: String?

    @Option(name: .customLong(Options.maxRecordBytes.flag), help: Options.maxRecordBytes.help)
    var maxRecordBytes: String?

    @Option(name: .customLong(Options.maxRecordRows.flag), help: Options.maxRecordRows.help)
    var maxRecordRows: String?

    @Option(name: .customLong(Options.analyzerThreads.flag), help: Options.analyzerThreads.help)
    var analyzerThreads: String?

    @Option(name: .customLong(Options.onOffsetRegression.flag), help: Options.onOffsetRegression.help)
    var onOffsetRegression: String?

    @Option(name: .customLong(Options.deadLetterTopic.flag), help: Options.deadLetterTopic.help)
    var deadLetterTopic: String?

    @Option(name: .customLong(Options.watchMaxValues.flag), help: Options.watchMaxValues.help)
    var watchMaxValues: String?

    @Option(name: .customLong(Options.watchRefreshInterval.flag), help: Options.watchRefreshInterval.help)
    var watchRefreshInterval: String?
}

/// Retention of old days (`run` and `consume`; see ``RetentionService``).
struct RetentionOptions: ParsableArguments {
    @Option(name: .customLong(Options.retentionDays.flag), help: Options.retentionDays.help)
    var days: String?

    @Option(name: .customLong(Options.retentionInterval.flag), help: Options.retentionInterval.help)
    var interval: String?
}

/// Logging.
struct LoggingOptions: ParsableArguments {
    @Option(name: .customLong(Options.logLevel.flag), help: Options.logLevel.help)
    var level: String?

    @Option(name: .customLong(Options.logFormat.flag), help: Options.logFormat.help)
    var format: String?

    /// How log lines are written.
    enum Format: String, Sendable {
        case plain, json
    }

    func resolve() throws -> (level: Logger.Level, format: Format) {
        let levelText = Options.logLevel.string(level)
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ConfigurationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got '\(levelText)'")
        }
        let formatText = Options.logFormat.string(format)
        guard let format = Format(rawValue: formatText.lowercased()) else {
            throw ConfigurationError("--log-format must be plain or json; got '\(formatText)'")
        }
        return (level, format)
    }
}
