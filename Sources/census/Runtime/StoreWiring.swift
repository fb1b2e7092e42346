import Foundation
import Logging
import Store
import Synchronization

/// The ClickHouse side of a census process, on three clients so that none can starve another:
/// - `client`: the writer (ingest INSERTs, progress reads, `system.processes` checks), the migrator and admin clear,
///   at ClickHouse query `priority` 1;
/// - `readClient`: API reads (reader and quarantine), at most ``ReadLimits/maxConcurrent`` at once, each waiting at
///   most ``ReadLimits/queueWait`` for its turn and running at most ``ReadLimits/maxExecutionTime`` in ClickHouse, at
///   `priority` 2 (ClickHouse pauses them while a write runs), never retried;
/// - `probeClient`: readiness probes, short timeouts and no retries.
struct StoreWiring: Sendable {
    /// How API reads use ClickHouse.
    struct ReadLimits: Sendable {
        /// Most API reads in ClickHouse at once (each on its own connection and thread).
        var maxConcurrent = Options.apiMaxConcurrentReads.defaultInt
        /// Longest wait for a read slot before the API answers 503.
        var queueWait = Options.apiReadQueueTimeout.defaultSeconds
        /// `max_execution_time` sent with every read; the HTTP timeout of a read is 5 s more.
        var maxExecutionTime = Options.apiQueryTimeout.defaultSeconds
    }

    let client: ClickHouseClient
    let readClient: ClickHouseClient
    let schema: Schema
    let writer: MetadataWriter
    let reader: ClickHouseMetadataReader
    let quarantine: ClickHouseQuarantineReader
    let migrator: Migrator
    let probeClient: ClickHouseClient
    let probeMigrator: Migrator
    /// The server's clock, for the write fences of the ingest pipeline's INSERTs.
    let serverClock: ServerClock
    /// What the migration waits for while it retries (for `/readyz`); written only by ``migrate(retryFor:logger:)``.
    let migrationWait = MigrationWait()

    /// What a retrying migration waits for, e.g. `cluster DDL not finished on 127.0.0.1:9000`; `nil` when it does not.
    final class MigrationWait: Sendable {
        private let reason = Mutex<String?>(nil)
        var current: String? { reason.withLock { $0 } }
        fileprivate func set(_ value: String?) { reason.withLock { $0 = value } }
    }

    init(_ settings: ClickHouseOptions.Resolved, reads: ReadLimits = .init(), logger: Logger, metrics: ClickHouseMetrics = .init()) throws {
        do {
            schema = try Schema(database: settings.database, cluster: settings.cluster.ddl)
            // `priority` 1 beats the reads' 2: while an INSERT runs, ClickHouse pauses lower-priority queries between
            // blocks, so reads cannot starve writes of the server's CPU either.
            client = try ClickHouseClient(
                configuration: .init(
                    url: settings.url, user: settings.user, password: settings.password, gzipThreshold: settings.compression.gzipThreshold,
                    settings: ["priority": "1"].merging(Self.clusterWriteSettings(settings.cluster)) { $1 }),
                logger: logger, metrics: metrics)
            let executionSeconds = max(1, reads.maxExecutionTime.components.seconds)
            let readTimeout = Duration.seconds(executionSeconds + 5)
            readClient = try ClickHouseClient(
                configuration: .init(
                    url: settings.url, user: settings.user, password: settings.password, requestTimeout: readTimeout,
                    maxConnections: reads.maxConcurrent,
                    // No retries: under overload they would multiply the load; the client retries (503 Retry-After).
                    retryPolicy: .noRetry,
                    settings: ["max_execution_time": String(executionSeconds), "max_threads": "1", "max_block_size": "8192", "priority": "2"],
                    admissionWait: reads.queueWait, spreadReads: true),
                logger: logger, metrics: metrics)
            probeClient = try ClickHouseClient(
                configuration: .init(
                    url: settings.url, user: settings.user, password: settings.password, connectTimeout: .seconds(1),
                    requestTimeout: .seconds(3), maxConnections: 1, retryPolicy: .noRetry),
                logger: logger, metrics: metrics)
        } catch {
            throw ConfigurationError(String(describing: error))
        }
        // The one writer of the process's ingest stream: its set values are sent once per hour (SetValueFilter).
        writer = MetadataWriter(client: client, schema: schema, setFilter: SetValueFilter(), logger: logger)
        serverClock = ServerClock(client: client, logger: logger)
        reader = ClickHouseMetadataReader(client: readClient, schema: schema, logger: logger)
        quarantine = ClickHouseQuarantineReader(client: readClient, schema: schema, logger: logger)
        migrator = Migrator(client: client, schema: schema, logger: logger)
        probeMigrator = Migrator(client: probeClient, schema: schema, logger: logger)
    }

    /// The writer's settings on a replicated cluster (docs/GUARANTEES.md, "On a replicated cluster"): an INSERT is
    /// acknowledged only once `insert_quorum` replicas hold it (waiting at most 20 s, then `UNKNOWN_STATUS_OF_INSERT`,
    /// which the flusher checks before resending), and the writer's reads — progress above all — see every
    /// quorum-acknowledged INSERT or fail (`select_sequential_consistency`, code 289 on a replica behind the quorum,
    /// which moves the client to another replica). None on a single server.
    static func clusterWriteSettings(_ cluster: ClusterOptions.Resolved) -> [String: String] {
        guard cluster.ddl != nil, cluster.insertQuorum > 1 else { return [:] }
        return ["insert_quorum": String(cluster.insertQuorum), "insert_quorum_timeout": "20000", "select_sequential_consistency": "1"]
    }

    /// Fails with a ``ConfigurationError`` (exit code 2) when ClickHouse answers and rejects the credentials;
    /// an unreachable or failing ClickHouse is only logged (census waits for it later).
    func verifyCredentials(logger: Logger) async throws {
        do {
            _ = try await probeMigrator.currentVersion()
        } catch let error as ClickHouseError where error.isAccessDenied {
            throw accessDenied(error)
        } catch {
            logger.warning(
                "ClickHouse not usable yet; continuing and retrying", metadata: ["clickhouse": "\(client.configuration.url)", "error": "\(error)"])
        }
    }

    private func accessDenied(_ error: ClickHouseError) -> ConfigurationError {
        ConfigurationError(
            "ClickHouse at \(client.configuration.url) refused user '\(client.configuration.user)': \(error.message) "
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
                let version = try await migrator.migrate()
                migrationWait.set(nil)
                return version
            } catch let error as ClickHouseError where error.isRetriable {
                if let retryFor, ContinuousClock.now - started >= retryFor { throw error }
                var metadata: Logger.Metadata = ["clickhouse": "\(client.configuration.url)", "error": "\(error)", "retry_in": "\(delay)"]
                let what: Logger.Message
                if error.serverCode == .timeoutExceeded {
                    what = "ClickHouse cluster DDL not finished on every host; retrying"
                    // ClickHouse 18.16's DDLWorker can end for good on a ZooKeeper race (docs/CLICKHOUSE.md).
                    metadata["hint"] =
                        "a host that is up but never finishes may have stopped running distributed DDL: look for 'DDLWorker' and 'Terminating' in its server log; restarting that server clears it"
                    // Empty when every host finished between the timeout and the check.
                    let hosts = await migrator.unfinishedHosts(after: error).flatMap { $0.isEmpty ? nil : $0 }
                    if let hosts { metadata["unfinished_hosts"] = "\(hosts.joined(separator: ","))" }
                    migrationWait.set("cluster DDL not finished on " + (hosts?.joined(separator: ", ") ?? "every host"))
                } else {
                    what = "ClickHouse not reachable; retrying"
                    migrationWait.set(nil)
                }
                logger.warning(what, metadata: metadata)
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
