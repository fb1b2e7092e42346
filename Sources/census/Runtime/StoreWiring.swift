import Foundation
import Logging
import Store

/// The ClickHouse side of a census process: one client, the writer, the reader and the migrator, plus a second
/// client with short timeouts and no retries for readiness probes.
struct StoreWiring: Sendable {
    let client: ClickHouseClient
    let schema: Schema
    let writer: MetadataWriter
    let reader: ClickHouseMetadataReader
    let quarantine: ClickHouseQuarantineReader
    let migrator: Migrator
    let probeClient: ClickHouseClient
    let probeMigrator: Migrator
    /// The server's clock, for the write fences of the ingest pipeline's INSERTs.
    let serverClock: ServerClock

    init(_ settings: ClickHouseOptions.Resolved, logger: Logger, metrics: ClickHouseMetrics = .init()) throws {
        do {
            schema = try Schema(database: settings.database)
            client = try ClickHouseClient(configuration: .init(url: settings.url, user: settings.user, password: settings.password),
                                          logger: logger, metrics: metrics)
            probeClient = try ClickHouseClient(
                configuration: .init(url: settings.url, user: settings.user, password: settings.password, connectTimeout: .seconds(1),
                                     requestTimeout: .seconds(3), maxConnections: 1, retryPolicy: .noRetry),
                logger: logger, metrics: metrics)
        } catch {
            throw ConfigurationError(String(describing: error))
        }
        writer = MetadataWriter(client: client, schema: schema, logger: logger)
        serverClock = ServerClock(client: client, logger: logger)
        reader = ClickHouseMetadataReader(client: client, schema: schema, logger: logger)
        quarantine = ClickHouseQuarantineReader(client: client, schema: schema, logger: logger)
        migrator = Migrator(client: client, schema: schema, logger: logger)
        probeMigrator = Migrator(client: probeClient, schema: schema, logger: logger)
    }

    /// Fails with a ``ConfigurationError`` (exit code 2) when ClickHouse answers and rejects the credentials;
    /// an unreachable or failing ClickHouse is only logged (census waits for it later).
    func verifyCredentials(logger: Logger) async throws {
        do {
            _ = try await probeMigrator.currentVersion()
        } catch let error as ClickHouseError where error.isAccessDenied {
            throw accessDenied(error)
        } catch {
            logger.warning("ClickHouse not usable yet; continuing and retrying", metadata: ["clickhouse": "\(client.configuration.url)", "error": "\(error)"])
        }
    }

    private func accessDenied(_ error: ClickHouseError) -> ConfigurationError {
        ConfigurationError("ClickHouse at \(client.configuration.url) refused user '\(client.configuration.user)': \(error.message) "
            + "(check CENSUS_CLICKHOUSE_USER and the password from CENSUS_CLICKHOUSE_PASSWORD or CENSUS_CLICKHOUSE_PASSWORD_FILE)")
    }

    /// Applies pending migrations. While ClickHouse is unreachable it logs and retries with backoff, for
    /// `retryFor` (or until cancelled when `nil`). Other errors fail at once; rejected credentials become a
    /// ``ConfigurationError`` (exit code 2).
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
            } catch let error as ClickHouseError where error.isAccessDenied {
                throw accessDenied(error)
            }
        }
    }
}

extension ClickHouseError {
    /// Authentication or authorization failed: wrong user or password (codes 192–194, 516), an IP the user may not
    /// come from (195), or no permission (164 READONLY, 497 ACCESS_DENIED). Retrying cannot fix these.
    var isAccessDenied: Bool {
        guard let code = serverCode?.rawValue else { return httpStatus == 401 || httpStatus == 403 }
        return [164, 192, 193, 194, 195, 497, 516].contains(code)
    }
}
