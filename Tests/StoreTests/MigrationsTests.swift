import Foundation
import Logging
import Synchronization
import Testing

@testable import Store

@Suite("Schema and migrations", .enabled(if: TestServer.anyConfigured))
struct MigrationsTests {
    /// Keeps the messages logged at info or above.
    struct Messages: LogHandler {
        private let lines = Lines()
        final class Lines: Sendable { let all = Mutex<[String]>([]) }
        var all: [String] { lines.all.withLock { $0 } }
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lines.all.withLock { $0.append("\(event.message)") } }
    }

    @Test("migrating twice is idempotent", arguments: TestServer.configured)
    func idempotent(server: TestServer) async throws {
        try await server.withDatabase { client, schema in
            let migrator = Migrator(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await migrator.currentVersion() == 0)
            #expect(try await !migrator.isCurrent())
            #expect(try await migrator.migrate() == Migration.latestVersion)
            #expect(try await migrator.migrate() == Migration.latestVersion)
            #expect(try await migrator.isCurrent())
            for table in ["metadata_ingest_v9", "metadata", "metadata_mv_v9", "quarantine", "schema_migrations", "sessions", "watches"] {
                var decoder = RowBinaryDecoder(try await client.execute("EXISTS TABLE \(schema.database).\(table) FORMAT RowBinary"))
                #expect(try decoder.uint8() == 1, "\(table) exists")
            }
            // Migration 9 dropped the ingest tables and views of earlier versions.
            for table in ["metadata_ingest", "metadata_mv", "metadata_ingest_v4", "metadata_mv_v4", "metadata_ingest_v5", "metadata_mv_v5"] {
                var decoder = RowBinaryDecoder(try await client.execute("EXISTS TABLE \(schema.database).\(table) FORMAT RowBinary"))
                #expect(try decoder.uint8() == 0, "\(table) is gone")
            }
            var decoder = RowBinaryDecoder(try await client.execute("SELECT toUInt64(count()) FROM \(schema.migrationsTable) FORMAT RowBinary"))
            #expect(try decoder.uint64() == UInt64(Migration.all.count), "a second run records nothing new")
        }
    }

    @Test("two migrators racing both succeed", arguments: TestServer.configured)
    func concurrent(server: TestServer) async throws {
        try await server.withDatabase { client, schema in
            let first = Migrator(client: client, schema: schema, logger: TestServer.logger)
            let second = Migrator(client: try server.client(), schema: schema, logger: TestServer.logger)
            async let a = first.migrate()
            async let b = second.migrate()
            #expect(try await a == Migration.latestVersion)
            #expect(try await b == Migration.latestVersion)
            #expect(try await first.currentVersion() == Migration.latestVersion)
        }
    }

    @Test("the metadata columns have the declared aggregate types", arguments: TestServer.configured)
    func columnTypes(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let bytes = try await client.execute(
                "SELECT name, type FROM system.columns WHERE database = \(SQLLiteral.string(schema.database)) AND table = 'metadata' FORMAT RowBinary"
            )
            var decoder = RowBinaryDecoder(bytes)
            var types: [String: String] = [:]
            // Newer servers spell versioned aggregate functions with their version: `AggregateFunction(1, sumMap, …)`.
            while !decoder.isAtEnd {
                types[try decoder.string()] = try decoder.string().replacingOccurrences(of: "AggregateFunction(1, ", with: "AggregateFunction(")
            }
            for column in Schema.keyColumns { #expect(types[column.name] == column.type) }
            for column in Schema.currentStateColumns {
                #expect(types[column.name] == column.type)
            }
            // The retired topK states are gone: a key row carries no state it never fills.
            for state in Schema.setStates { #expect(types[state.retired] == nil) }
            #expect(types.count == Schema.keyColumns.count + Schema.currentStateColumns.count)
        }
    }

    /// Every table and view of the database with its engine, and every column with its position, type and default.
    static func shape(_ client: ClickHouseClient, _ schema: Schema) async throws -> [String] {
        let database = SQLLiteral.string(schema.database)
        var decoder = RowBinaryDecoder(
            try await client.execute(
                "SELECT concat(name, ' ', engine) FROM system.tables WHERE database = \(database) ORDER BY name FORMAT RowBinary"))
        var lines: [String] = []
        while !decoder.isAtEnd { lines.append(try decoder.string()) }
        // system.columns lists each table's columns in table order (18.16 has no `position` column to sort by).
        decoder = RowBinaryDecoder(
            try await client.execute(
                "SELECT table, concat(name, ' ', type, ' ', default_kind, ' ', default_expression) FROM system.columns "
                    + "WHERE database = \(database) FORMAT RowBinary"))
        var columns: [String: [String]] = [:]
        while !decoder.isAtEnd { columns[try decoder.string(), default: []].append(try decoder.string()) }
        for table in columns.keys.sorted() { lines += columns[table, default: []].enumerated().map { "\(table) \($0.offset) \($0.element)" } }
        return lines
    }

    @Test(
        "a new store is created at the latest version in one step (no ALTER): the same tables, engines, columns, column order and defaults as a store migrated version by version",
        arguments: TestServer.configured)
    func freshEqualsMigrated(server: TestServer) async throws {
        let stepwise = try await server.withDatabase { client, schema in
            let migrator = Migrator(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await migrator.migrate(upTo: 1) == 1)
            #expect(try await migrator.migrate() == Migration.latestVersion)
            return try await Self.shape(client, schema).map { $0.replacing(schema.database, with: "DB") }
        }
        try await server.withDatabase { client, schema in
            let messages = Messages()
            let logger = Logger(label: "test.migrations") { _ in messages }
            #expect(try await Migrator(client: client, schema: schema, logger: logger).migrate() == Migration.latestVersion)
            #expect(messages.all == ["Created the ClickHouse schema at its latest version"], "not created in one step")
            let fresh = try await Self.shape(client, schema).map { $0.replacing(schema.database, with: "DB") }
            #expect(fresh == stepwise)
            #expect(fresh.count > 60)
            let recorded = try await client.execute("SELECT toUInt32(version) FROM \(schema.migrationsTable) ORDER BY version FORMAT RowBinary")
            var decoder = RowBinaryDecoder(recorded)
            var versions: [UInt32] = []
            while !decoder.isAtEnd { versions.append(try decoder.uint32()) }
            #expect(versions == Migration.all.map(\.version), "every version is recorded once")
        }
    }

    @Test(
        "a store an older version began (migration 1's tables, no version recorded) is migrated step by step, not taken for a new one",
        arguments: TestServer.configured)
    func leftoverOfAnOlderVersion(server: TestServer) async throws {
        let fresh = try await server.withMigratedDatabase { client, schema in
            try await Self.shape(client, schema).map { $0.replacing(schema.database, with: "DB") }
        }
        try await server.withDatabase { client, schema in
            // What an older census leaves when it is killed after migration 1's statements, before recording them.
            for statement in [schema.createDatabase(), schema.createMigrationsTable()] + Migration.all[0].statements(schema) {
                _ = try await client.execute(statement)
            }
            #expect(try await Migrator(client: client, schema: schema, logger: TestServer.logger).migrate() == Migration.latestVersion)
            #expect(try await Self.shape(client, schema).map { $0.replacing(schema.database, with: "DB") } == fresh)
        }
    }

    @Test("the current version of a missing database is 0", arguments: TestServer.configured)
    func missingDatabase(server: TestServer) async throws {
        let migrator = Migrator(client: try server.client(), schema: try Schema(database: "census_test_never_created"), logger: TestServer.logger)
        #expect(try await migrator.currentVersion() == 0)
    }
}

/// Migration 4 upgrades a store written by the previous version in place: its data stays readable, this version's
/// writes (to the v4 ingest table) carry heavy hitters, and an older writer still inserting into the v1 ingest table is
/// refused or stored, never acknowledged and dropped.
@Suite("Migration 4 on a live store", .enabled(if: TestServer.anyConfigured))
struct MigrationFourTests {
    @Test("a store at version 3 is upgraded in place, keeps its data, and takes heavy hitters", arguments: TestServer.configured)
    func upgradeInPlace(server: TestServer) async throws {
        try await server.withDatabase { client, schema in
            // The store as the previous version left it: migrations 1–3, one row written through the v1 ingest table.
            _ = try await client.execute(schema.createDatabase())
            _ = try await client.execute(schema.createMigrationsTable())
            for migration in Migration.all where migration.version <= 3 {
                for statement in migration.statements(schema) { _ = try await client.execute(statement) }
                _ = try await client.execute(
                    "INSERT INTO \(schema.migrationsTable) (version, name, applied_at) VALUES (\(migration.version), 'test', now())")
            }
            let v1Columns = "kind, signal, name, service, scope, sub, key, day, count, value_hashes"
            _ = try await client.execute(
                "INSERT INTO \(schema.ingestTableV1) (\(v1Columns)) VALUES "
                    + "(2, 1, 'm', 'svc', 2, '', 'method', toDate('2026-12-01'), 5, [11, 12])")
            let migrator = Migrator(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await migrator.currentVersion() == 3)
            #expect(try await migrator.migrate() == Migration.latestVersion)

            // This version's write, with heavy hitters, lands beside the old row.
            var batch = MetadataBatch()
            var key = KeyAggregate(
                signal: .metric, name: "m", service: "svc", scope: .attribute, key: "method", day: DayRange.parseDay("2026-12-02")!,
                firstSeen: 1, lastSeen: 2, count: 7, valueHashes: [11, 13])
            key.heavyHitters = [HeavyHitter(hash: 11, count: 6, text: "GET"), HeavyHitter(hash: 13, count: 1, text: "PUT")]
            batch.keys = [key]
            try await MetadataWriter(client: client, schema: schema, logger: TestServer.logger).write(batch)

            var decoder = RowBinaryDecoder(
                try await client.execute(
                    "SELECT toUInt64(sumMerge(count)), toUInt64(uniqCombinedArrayMerge(cardinality)), sumMapMerge(heavy_hitters), "
                        + "arraySort(\(Schema.heavyTextSet.mergedAll)) FROM \(schema.metadataTable) WHERE kind = 2 AND key = 'method' FORMAT RowBinary"
                ))
            #expect(try decoder.uint64() == 12)
            #expect(try decoder.uint64() == 3)
            #expect(try decoder.uint32Array() == [11, 13])
            #expect(try decoder.uint64Array() == [6, 1])
            #expect(
                try decoder.stringArray() == [
                    HeavyHitter(hash: 11, count: 0, text: "GET").storedText, HeavyHitter(hash: 13, count: 0, text: "PUT").storedText,
                ])

            // An older writer (v1 ingest table): refused on 18.16 (its view no longer matches `metadata`); on newer
            // servers its rows are stored. Never acknowledged without being stored.
            var refused = false
            do {
                _ = try await client.execute(
                    "INSERT INTO \(schema.ingestTableV1) (\(v1Columns)) VALUES "
                        + "(2, 1, 'm', 'svc', 2, '', 'method', toDate('2026-12-03'), 1, [14])")
            } catch {
                refused = true
            }
            var after = RowBinaryDecoder(
                try await client.execute(
                    "SELECT toUInt64(sumMerge(count)) FROM \(schema.metadataTable) WHERE kind = 2 AND key = 'method' FORMAT RowBinary"))
            #expect(try after.uint64() == (refused ? 12 : 13))
            if server.isLegacy { #expect(refused, "18.16 refuses writes through the v1 ingest table after migration 4") }
        }
    }
}

/// Migration 5 upgrades a store written by the previous version in place: the catalog rows already stored get their
/// sample lengths from the backfill (so the TSDB status's memory figure covers old days), this version's writes carry
/// them, and a writer of the previous version (v4 ingest table) is refused or stored, never acknowledged and dropped.
@Suite("Migration 5 on a live store", .enabled(if: TestServer.anyConfigured))
struct MigrationFiveTests {
    @Test("a store at version 4 is upgraded in place: old catalog rows backfilled, new writes measured", arguments: TestServer.configured)
    func upgradeInPlace(server: TestServer) async throws {
        try await server.withDatabase { client, schema in
            _ = try await client.execute(schema.createDatabase())
            _ = try await client.execute(schema.createMigrationsTable())
            for migration in Migration.all where migration.version <= 4 {
                for statement in migration.statements(schema) { _ = try await client.execute(statement) }
                _ = try await client.execute(
                    "INSERT INTO \(schema.migrationsTable) (version, name, applied_at) VALUES (\(migration.version), 'test', now())")
            }
            // The previous version's catalog row: samples "GET" and "POST" (other slots empty), written through v4.
            let v4Columns = "kind, signal, name, service, scope, sub, key, day, count, value_hashes, samples"
            let slots = "['GET', 'POST'" + String(repeating: ", unhex('FF')", count: KeyAggregate.maxSamples - 2) + "]"
            _ = try await client.execute(
                "INSERT INTO \(schema.ingestTableV4) (\(v4Columns)) VALUES "
                    + "(5, 1, '', '', 2, '', 'method', toDate('2026-12-01'), 5, [11, 12], \(slots))")
            let migrator = Migrator(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await migrator.currentVersion() == 4)
            #expect(try await migrator.migrate() == Migration.latestVersion)

            func lengths(_ day: String) async throws -> (bytes: UInt64, items: UInt64) {
                var decoder = RowBinaryDecoder(
                    try await client.execute(
                        "SELECT toUInt64(sumMerge(sample_bytes)), toUInt64(sumMerge(sample_items)) FROM \(schema.metadataTable) "
                            + "WHERE kind = 5 AND key = 'method' AND day = toDate('\(day)') FORMAT RowBinary"))
                return (try decoder.uint64(), try decoder.uint64())
            }
            // The backfill measured the stored row: 3 + 4 bytes in 2 texts; its count is untouched.
            #expect(try await lengths("2026-12-01") == (7, 2))

            // This version's write: a catalog row derived from a key with samples "DELETE" and "PUT".
            var batch = MetadataBatch()
            var slotsV5 = SampleSlots.empty
            slotsV5[0] = "DELETE"
            slotsV5[1] = "PUT"
            batch.keys = [
                KeyAggregate(
                    signal: .metric, name: "m", service: "svc", scope: .attribute, key: "method", day: DayRange.parseDay("2026-12-02")!,
                    firstSeen: 1, lastSeen: 2, count: 7, valueHashes: [13, 14], sampleSlots: slotsV5)
            ]
            try await MetadataWriter(client: client, schema: schema, logger: TestServer.logger).write(batch)
            #expect(try await lengths("2026-12-02") == (9, 2))
            var counts = RowBinaryDecoder(
                try await client.execute(
                    "SELECT toUInt64(sumMerge(count)) FROM \(schema.metadataTable) WHERE kind = 5 AND key = 'method' FORMAT RowBinary"))
            #expect(try counts.uint64() == 12)

            // Running the backfill again (a second migrator) doubles both sums of old rows: the ratio readers use holds.
            for statement in schema.addSampleLengths().suffix(1) { _ = try await client.execute(statement) }
            let twice = try await lengths("2026-12-01")
            #expect(twice.bytes * 2 == twice.items * 7)

            // A writer of the previous version: refused on 18.16 (its view no longer matches `metadata`), stored on newer
            // servers; never acknowledged without being stored.
            var refused = false
            do {
                _ = try await client.execute(
                    "INSERT INTO \(schema.ingestTableV4) (\(v4Columns)) VALUES "
                        + "(5, 1, '', '', 2, '', 'method', toDate('2026-12-03'), 1, [15], \(slots))")
            } catch {
                refused = true
            }
            var after = RowBinaryDecoder(
                try await client.execute(
                    "SELECT toUInt64(sumMerge(count)) FROM \(schema.metadataTable) WHERE kind = 5 AND key = 'method' FORMAT RowBinary"))
            #expect(try after.uint64() == (refused ? 12 : 13))
            if server.isLegacy { #expect(refused, "18.16 refuses writes through the v4 ingest table after migration 5") }
        }
    }
}
