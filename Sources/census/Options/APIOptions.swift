import ArgumentParser
import Foundation

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
