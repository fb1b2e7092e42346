import Logging

/// One versioned schema change: idempotent statements, applied in order.
package struct Migration: Sendable {
    /// Strictly increasing, starting at 1. Never reuse or renumber.
    package let version: UInt32
    /// A short description, recorded in `schema_migrations.name`.
    package let name: String
    /// The statements for a database; each must be safe to run again (`IF NOT EXISTS`, …).
    package let statements: @Sendable (Schema) -> [String]
    /// Server answers that mean, for this migration's statements, that another migrator already did them (besides
    /// ``Migrator`` `alreadyDone`): migration 9's backfill reads columns its later statement drops, so once they are
    /// gone (47 UNKNOWN_IDENTIFIER) the backfill was done by whoever dropped them.
    package let alsoDone: Set<ClickHouseError.Code>

    package init(
        version: UInt32, name: String, alsoDone: Set<ClickHouseError.Code> = [], statements: @escaping @Sendable (Schema) -> [String]
    ) {
        self.version = version
        self.name = name
        self.alsoDone = alsoDone
        self.statements = statements
    }

    /// Every migration, in version order. Append new ones; never edit an applied one.
    package static let all: [Migration] = [
        Migration(version: 1, name: "metadata ingest table, aggregate table and view") { schema in
            [schema.createIngestTable(), schema.createMetadataTable(), schema.createView()]
        },
        Migration(version: 2, name: "quarantine table") { schema in
            [schema.createQuarantineTable()]
        },
        Migration(version: 3, name: "write fence columns on the ingest table") { schema in
            schema.addFenceColumns()
        },
        Migration(version: 4, name: "heavy hitters: states on metadata, ingest table and view v4") { schema in
            schema.addHeavyHitters()
        },
        Migration(version: 5, name: "sample lengths of catalog rows: states on metadata, ingest table and view v5, backfill") { schema in
            schema.addSampleLengths()
        },
        Migration(version: 6, name: "sessions table") { schema in
            [schema.createSessionsTable()]
        },
        Migration(version: 7, name: "deep watch list (watched values are metadata rows of kinds 6 and 7)") { schema in
            [schema.createWatchesTable()]
        },
        Migration(version: 8, name: "watch coverage rows (kind 8): keys watched before count as covered over every applied offset") { schema in
            [schema.backfillWatchCoverage()]
        },
        Migration(
            version: 9, name: "set states instead of topK (bounds, scales, event names, small values, heavy texts); ingest table and view v9",
            alsoDone: [.unknownIdentifier]
        ) { schema in
            schema.replaceTopKStates()
        },
    ]

    /// The newest version this build knows.
    package static var latestVersion: UInt32 { all.last?.version ?? 0 }
}

/// Brings a database up to ``Migration/latestVersion``: a new one in one step (``Schema/createCurrent()``), one an
/// earlier version wrote by applying each missing migration in order.
///
/// Safe to run concurrently from several processes: every statement is idempotent, "already exists" answers from a
/// lost race (codes 57 and 82) count as success, and a version recorded twice is harmless.
package struct Migrator: Sendable {
    /// The objects being migrated.
    package let schema: Schema
    private let client: ClickHouseClient
    private let logger: Logger

    /// - Parameters:
    ///   - client: The ClickHouse connection.
    ///   - schema: Which database to migrate (default `census`).
    ///   - logger: Receives one `info` line per applied migration.
    package init(client: ClickHouseClient, schema: Schema = .default, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    /// Applies every missing migration in version order and returns the resulting ``currentVersion()``.
    ///
    /// Creates the database and `schema_migrations` first if needed.
    ///
    /// - Parameter version: Stop after this version (tests build a store as an older census left it); default: all.
    @discardableResult
    package func migrate(upTo version: UInt32 = Migration.latestVersion) async throws -> UInt32 {
        try await run(schema.createDatabase())
        try await run(schema.createMigrationsTable())
        let applied = try await appliedVersions()
        if applied.isEmpty, version == Migration.latestVersion, try await holdsNothingOlder() {
            // A new store: the latest schema in one step (``Schema/createCurrent()``), then every version recorded at once.
            for statement in schema.createCurrent() { try await run(statement) }
            let rows = Migration.all.map { "(\(SQLLiteral.integer($0.version)), \(SQLLiteral.string($0.name)), now())" }
            try await run("INSERT INTO \(schema.migrationsTable) (version, name, applied_at) VALUES " + rows.joined(separator: ", "))
            logger.info(
                "Created the ClickHouse schema at its latest version",
                metadata: ["migration.version": "\(Migration.latestVersion)", "clickhouse.database": "\(schema.database)"])
            return try await currentVersion()
        }
        for migration in Migration.all where !applied.contains(migration.version) && migration.version <= version {
            for statement in migration.statements(schema) {
                try await run(statement, alsoDone: migration.alsoDone)
            }
            let record =
                "INSERT INTO \(schema.migrationsTable) (version, name, applied_at) VALUES "
                + "(\(SQLLiteral.integer(migration.version)), \(SQLLiteral.string(migration.name)), now())"
            try await run(record)
            logger.info(
                "Applied ClickHouse migration",
                metadata: [
                    "migration.version": "\(migration.version)", "migration.name": "\(migration.name)", "clickhouse.database": "\(schema.database)",
                ])
        }
        return try await currentVersion()
    }

    /// The highest applied version; 0 when the database or `schema_migrations` does not exist.
    package func currentVersion() async throws -> UInt32 {
        let bytes: [UInt8]
        do {
            bytes = try await client.execute(MetadataQueries.currentVersion(schema), logger: logger)
        } catch {
            guard error.serverCode == .unknownTable || error.serverCode == .unknownDatabase else { throw error }
            return 0
        }
        var decoder = RowBinaryDecoder(bytes)
        return decoder.isAtEnd ? 0 : try decoder.uint32()
    }

    /// Whether every migration this build knows has been applied.
    package func isCurrent() async throws -> Bool {
        try await currentVersion() >= Migration.latestVersion
    }

    /// Whether the database holds nothing an earlier version of the schema left (no versions are recorded): no table
    /// but those ``Schema/createCurrent()`` creates, and a `metadata` table, if any, with every current column. A
    /// migrator that stopped before recording its versions (killed, ClickHouse gone) left either the current schema's
    /// objects — created again, as no-ops — or an older one's, which the step-by-step path upgrades.
    private func holdsNothingOlder() async throws -> Bool {
        let tables = Set(try await strings(MetadataQueries.tableNames(schema)))
        guard tables.isSubset(of: schema.currentTableNames) else { return false }
        guard tables.contains(schema.unqualified(schema.metadataTable)) else { return true }
        let columns = Set(try await strings(MetadataQueries.metadataColumnNames(schema)))
        return Set(Schema.currentStateColumns.map(\.name)).isSubset(of: columns)
    }

    /// The hosts that have not finished the distributed DDL task an `ON CLUSTER` timeout (code 159) is about, as
    /// `host:port` of the cluster's `remote_servers`; `nil` when that cannot be told (no cluster, no task in the message,
    /// `system.zookeeper` not readable). A host that is up but never finishes has stopped running distributed DDL
    /// (docs/CLICKHOUSE.md); naming it tells the operator which server to look at.
    package func unfinishedHosts(after error: ClickHouseError) async -> [String]? {
        guard let cluster = schema.cluster, let task = ClusterDDL.taskPath(inTimeoutMessage: error.message) else { return nil }
        do {
            let hosts = try await strings(cluster.hostsQuery)
            let finished = Set(try await strings(ClusterDDL.finishedHostsQuery(task: task)).map(ClusterDDL.hostID))
            return hosts.filter { !finished.contains($0) }
        } catch {
            return nil
        }
    }

    private func strings(_ sql: String) async throws -> [String] {
        var decoder = RowBinaryDecoder(try await client.execute(sql, logger: logger))
        var values: [String] = []
        while !decoder.isAtEnd { values.append(try decoder.string()) }
        return values
    }

    private func appliedVersions() async throws -> Set<UInt32> {
        let bytes = try await client.execute(MetadataQueries.appliedVersions(schema), logger: logger)
        var decoder = RowBinaryDecoder(bytes)
        var versions: Set<UInt32> = []
        while !decoder.isAtEnd { versions.insert(try decoder.uint32()) }
        return versions
    }

    /// Answers meaning another migrator got there first: a table or database that exists, a column that exists
    /// (18.16 says 44 ILLEGAL_COLUMN, newer servers 15 DUPLICATE_COLUMN), a column already dropped (18.16 says 44, newer
    /// servers 10 NOT_FOUND_COLUMN_IN_BLOCK; 18.16 has no `DROP COLUMN IF EXISTS`).
    static let alreadyDone: Set<ClickHouseError.Code> = [
        .tableAlreadyExists, .databaseAlreadyExists, .illegalColumn, .duplicateColumn, .notFoundColumnInBlock,
    ]

    /// Runs one idempotent statement; an "already exists" error from a concurrent migrator counts as success.
    private func run(_ statement: String, alsoDone: Set<ClickHouseError.Code> = []) async throws(ClickHouseError) {
        do {
            if schema.cluster == nil {
                _ = try await client.execute(statement, logger: logger)
            } else {
                // One attempt per call: a late host answers 159 after `ClusterDDL.taskTimeoutSeconds`, and the client's own
                // retries would stack those waits past its overall deadline (a cut connection instead of the server's
                // answer); the caller's migrate loop retries the idempotent statement and logs the server's message.
                _ = try await client.execute(statement, settings: ClusterDDL.statementSettings, retryPolicy: .noRetry, logger: logger)
            }
        } catch {
            guard let code = error.serverCode, Self.alreadyDone.contains(code) || alsoDone.contains(code) else { throw error }
            logger.debug("ClickHouse object already exists", metadata: ["clickhouse.code": "\(error.serverCode?.rawValue ?? 0)"])
        }
    }
}
