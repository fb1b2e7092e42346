import Testing

@testable import Store

@Suite("Schema and migrations", .enabled(if: TestServer.anyConfigured))
struct MigrationsTests {
    @Test("migrating twice is idempotent", arguments: TestServer.configured)
    func idempotent(server: TestServer) async throws {
        try await server.withDatabase { client, schema in
            let migrator = Migrator(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await migrator.currentVersion() == 0)
            #expect(try await !migrator.isCurrent())
            #expect(try await migrator.migrate() == Migration.latestVersion)
            #expect(try await migrator.migrate() == Migration.latestVersion)
            #expect(try await migrator.isCurrent())
            for table in ["metadata_ingest", "metadata", "metadata_mv", "quarantine", "schema_migrations"] {
                var decoder = RowBinaryDecoder(try await client.execute("EXISTS TABLE \(schema.database).\(table) FORMAT RowBinary"))
                #expect(try decoder.uint8() == 1, "\(table) exists")
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
                "SELECT name, type FROM system.columns WHERE database = \(SQLLiteral.string(schema.database)) AND table = 'metadata' FORMAT RowBinary")
            var decoder = RowBinaryDecoder(bytes)
            var types: [String: String] = [:]
            while !decoder.isAtEnd { types[try decoder.string()] = try decoder.string() }
            for column in Schema.keyColumns { #expect(types[column.name] == column.type) }
            for column in Schema.stateColumns { #expect(types[column.name] == column.type) }
        }
    }

    @Test("the current version of a missing database is 0", arguments: TestServer.configured)
    func missingDatabase(server: TestServer) async throws {
        let migrator = Migrator(client: try server.client(), schema: try Schema(database: "census_test_never_created"), logger: TestServer.logger)
        #expect(try await migrator.currentVersion() == 0)
    }
}
