import Foundation
import Logging
import Testing

@testable import Store

/// A ClickHouse server named by the environment, for tests that need one.
struct TestServer: Sendable, CustomTestStringConvertible {
    /// `clickhouse-18` or `chdb-26`.
    var label: String
    var url: String
    /// Whether this is the real 18.16 server (auth, no exception-code header).
    var isLegacy: Bool

    var testDescription: String { label }

    /// `CENSUS_TEST_CLICKHOUSE_URL` (real ClickHouse 18.16).
    static let clickHouse: TestServer? = ProcessInfo.processInfo.environment["CENSUS_TEST_CLICKHOUSE_URL"].flatMap {
        $0.isEmpty ? nil : TestServer(label: "clickhouse-18", url: $0, isLegacy: true)
    }

    /// `CENSUS_TEST_CHDB_URL` (ClickHouse 26.x behind the chdb shim).
    static let chdb: TestServer? = ProcessInfo.processInfo.environment["CENSUS_TEST_CHDB_URL"].flatMap {
        $0.isEmpty ? nil : TestServer(label: "chdb-26", url: $0, isLegacy: false)
    }

    /// Every configured server (possibly none).
    static let configured: [TestServer] = [clickHouse, chdb].compactMap { $0 }

    /// Whether any server is configured.
    static let anyConfigured = !configured.isEmpty

    static let logger: Logger = {
        var logger = Logger(label: "census.store.tests", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        return logger
    }()

    func client(
        maxConnections: Int = 4, gzipThreshold: Int? = 64 * 1024, retryPolicy: ClickHouseClient.RetryPolicy = .default,
        user: String = "default", password: String = ""
    ) throws -> ClickHouseClient {
        try ClickHouseClient(
            configuration: .init(
                url: url, user: user, password: password, maxConnections: maxConnections,
                gzipThreshold: gzipThreshold, retryPolicy: retryPolicy),
            logger: Self.logger)
    }

    /// Runs `body` with a fresh, uniquely named database (not yet created) and drops it afterwards.
    func withDatabase<T>(_ body: (ClickHouseClient, Schema) async throws -> T) async throws -> T {
        let client = try client()
        let schema = try Schema(database: "census_test_" + String(UInt64.random(in: 0...UInt64.max), radix: 36))
        do {
            let result = try await body(client, schema)
            _ = try await client.execute("DROP DATABASE IF EXISTS \(schema.database)")
            return result
        } catch {
            _ = try? await client.execute("DROP DATABASE IF EXISTS \(schema.database)")
            throw error
        }
    }

    /// Like ``withDatabase(_:)`` with the schema migrated.
    func withMigratedDatabase<T>(_ body: (ClickHouseClient, Schema) async throws -> T) async throws -> T {
        try await withDatabase { client, schema in
            try await Migrator(client: client, schema: schema, logger: Self.logger).migrate()
            return try await body(client, schema)
        }
    }
}

/// A small deterministic random generator (SplitMix64) so fuzz failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
