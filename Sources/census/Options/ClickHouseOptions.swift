import ArgumentParser
import Foundation
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

    @Option(name: .customLong(Options.clickhouseCompression.flag), help: Options.clickhouseCompression.help)
    var compression: String?

    @OptionGroup var cluster: ClusterOptions

    struct Resolved: Sendable {
        /// The base URLs without user information, separated by commas.
        var url: String
        var user: String
        var password: String
        var database: String
        var compression: InsertCompression = .none
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
        let compressionText = Options.clickhouseCompression.string(self.compression)
        guard let compression = InsertCompression(rawValue: compressionText.lowercased()) else {
            throw ConfigurationError("--clickhouse-compression must be none or gzip, got '\(compressionText)'")
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
            compression: compression, cluster: try cluster.resolve(replicas: urls.count))
    }
}
