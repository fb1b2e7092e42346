import Foundation
import Logging
import Store

/// The ClickHouse side of a census process: one client, the writer, the reader and the migrator.
struct StoreWiring: Sendable {
    let client: ClickHouseClient
    let schema: Schema
    let writer: MetadataWriter
    let reader: ClickHouseMetadataReader
    let quarantine: ClickHouseQuarantineReader
    let migrator: Migrator

    init(_ settings: ClickHouseOptions.Resolved, logger: Logger) throws {
        do {
            schema = try Schema(database: settings.database)
            client = try ClickHouseClient(configuration: .init(url: settings.url, user: settings.user, password: settings.password), logger: logger)
        } catch {
            throw ConfigurationError(String(describing: error))
        }
        writer = MetadataWriter(client: client, schema: schema, logger: logger)
        reader = ClickHouseMetadataReader(client: client, schema: schema, logger: logger)
        quarantine = ClickHouseQuarantineReader(client: client, schema: schema, logger: logger)
        migrator = Migrator(client: client, schema: schema, logger: logger)
    }

    /// Applies pending migrations. While ClickHouse is unreachable it logs and retries with backoff, for
    /// `retryFor` (or until cancelled when `nil`). Non-retryable errors (bad credentials, …) fail at once.
    /// - Returns: the schema version.
    func migrate(retryFor: Duration?, logger: Logger) async throws -> UInt32 {
        let started = ContinuousClock.now
        var delay = Duration.milliseconds(250)
        while true {
            do {
                return try await migrator.migrate()
            } catch let error as ClickHouseError where error.isRetriable {
                if let retryFor, ContinuousClock.now - started >= retryFor { throw error }
                logger.warning("ClickHouse not reachable; retrying", metadata: ["clickhouse": "\(client.configuration.url)", "error": "\(error)", "retry_in": "\(delay)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}
