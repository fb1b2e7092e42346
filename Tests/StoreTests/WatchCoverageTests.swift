import Testing

@testable import Store

/// Watch coverage (kind 8) on ClickHouse 18.16 and 26.x (chdb): coverage rows travel in the batch's INSERT and merge
/// like progress rows (maximum last offset per segment), are read per key, partition and incarnation, leave every
/// other read alone, survive retention; migration 8 declares the keys watched before it covered over every applied offset.
@Suite("Watch coverage over ClickHouse", .enabled(if: TestServer.anyConfigured))
struct WatchCoverageTests {
    typealias F = MetadataFixtures

    static func coverage(_ key: String, _ partition: Int32, start: Int64, last: Int64, incarnation: UInt32 = 0, topic: String = "t") -> WatchCoverage
    {
        WatchCoverage(key: key, topic: topic, partition: partition, incarnation: incarnation, segmentStart: start, lastOffset: last)
    }

    @Test("coverage rows merge per segment, are read per key, partition and incarnation, and survive retention", arguments: TestServer.configured)
    func roundTrip(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            let hostile = "it's \\ a 'key'\n; DROP TABLE x --"
            var batch = MetadataBatch()
            batch.watchedValues = [WatchedValueAggregate(key: hostile, value: "v", day: F.day, firstSeen: F.t0, lastSeen: F.t0, count: 2)]
            batch.watchCoverage = [
                Self.coverage(hostile, 0, start: 10, last: 20), Self.coverage(hostile, 1, start: 0, last: 5),
                Self.coverage("user.id", 0, start: 10, last: 12), Self.coverage(hostile, 0, start: 40, last: 41, incarnation: 1),
                Self.coverage(hostile, 0, start: 10, last: 99, topic: "other"),
            ]
            try await writer.write(batch)
            // A coverage-only batch (a fill over records without the key) extends a segment: the maximum wins.
            var more = MetadataBatch()
            more.watchCoverage = [Self.coverage(hostile, 0, start: 10, last: 30), Self.coverage(hostile, 0, start: 50, last: 60)]
            try await writer.write(more)
            var stale = MetadataBatch()
            stale.watchCoverage = [Self.coverage(hostile, 0, start: 10, last: 25)]
            try await writer.write(stale)

            let read = try await writer.watchCoverage(keys: [hostile, "user.id", "nobody"], topic: "t")
            #expect(read[hostile]?[0]?.ranges == [10...30, 50...60])
            #expect(read[hostile]?[1]?.ranges == [0...5])
            #expect(read["user.id"]?[0]?.ranges == [10...12])
            #expect(read["nobody"] == nil)
            let newer = try await writer.watchCoverage(keys: [hostile], topic: "t", incarnations: [0: 1])
            #expect(newer[hostile]?[0]?.ranges == [40...41] && newer[hostile]?[0]?.incarnation == 1)
            #expect(try await writer.watchCoverage(keys: [], topic: "t").isEmpty)

            // Coverage rows are no data: progress, values and the catalog are unchanged by them.
            #expect(try await writer.appliedOffsets(topic: "t").isEmpty)
            let store = ClickHouseWatchStore(client: client, schema: schema, logger: TestServer.logger)
            let page = try await store.values(key: hostile, query: WatchValuesQuery())
            #expect(page.values.map(\.value) == ["v"] && page.observations == 2)

            // Retention drops old days of data, never coverage (day 0, like progress rows).
            _ = try await client.execute(RetentionQueries.deleteRowsBefore(schema, cutoff: F.day + 10))
            var pending: UInt64 = 1
            for _ in 0..<200 where pending > 0 {
                var probe = RowBinaryDecoder(try await client.execute(RetentionQueries.probe(schema, cutoff: F.day + 10)))
                _ = try probe.uint64()
                pending = try probe.uint64()
                if pending > 0 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(pending == 0, "the retention mutation finished")
            #expect(try await store.values(key: hostile, query: WatchValuesQuery()).values.isEmpty, "old values dropped")
            let kept = try await writer.watchCoverage(keys: [hostile], topic: "t")
            #expect(kept[hostile]?[0]?.ranges == [10...30, 50...60])
        }
    }

    @Test("migration 8 covers every key of the watch list over every applied offset, once however often it runs", arguments: TestServer.configured)
    func backfill(server: TestServer) async throws {
        try await server.withDatabase { client, schema in
            _ = try await client.execute(schema.createDatabase())
            _ = try await client.execute(schema.createMigrationsTable())
            for migration in Migration.all where migration.version <= 7 {
                for statement in migration.statements(schema) { _ = try await client.execute(statement) }
                _ = try await client.execute(
                    "INSERT INTO \(schema.migrationsTable) (version, name, applied_at) VALUES (\(migration.version), 'test', now())")
            }
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            // Written as the version of migration 7 wrote them: the same RowBinary rows, through the v5 ingest table.
            func writeAsVersion7(_ batch: MetadataBatch) async throws {
                let columns = Schema.insertColumns.map(\.name).joined(separator: ", ")
                _ = try await client.execute(
                    "INSERT INTO \(schema.ingestTableV5) (\(columns)) FORMAT RowBinary", body: try MetadataWriter.encode(batch).body)
            }
            var batch = MetadataBatch(progress: [
                PartitionProgress(topic: "t", partition: 0, lastOffset: 9),  // segment start 0 (stored as '')
                PartitionProgress(topic: "t", partition: 0, lastOffset: 30, segmentStart: 20),
                PartitionProgress(topic: "t", partition: 1, lastOffset: 4, incarnation: 2),
                PartitionProgress(topic: "u", partition: 0, lastOffset: 7),
            ])
            try await writeAsVersion7(batch)
            batch.progress = [PartitionProgress(topic: "t", partition: 0, lastOffset: 12)]
            try await writeAsVersion7(batch)
            let store = ClickHouseWatchStore(client: client, schema: schema, logger: TestServer.logger)
            try await store.watch(key: "user.id")
            try await store.watch(key: "old.key")
            try await store.unwatch(key: "old.key")

            let migrator = Migrator(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await migrator.migrate() == Migration.latestVersion)
            for key in ["user.id", "old.key"] {
                let t = try await writer.watchCoverage(keys: [key], topic: "t", incarnations: [1: 2])
                #expect(t[key]?[0]?.ranges == [0...12, 20...30], "\(key)")
                #expect(t[key]?[1]?.ranges == [0...4] && t[key]?[1]?.incarnation == 2, "\(key)")
                #expect(try await writer.watchCoverage(keys: [key], topic: "u")[key]?[0]?.ranges == [0...7])
            }
            #expect(try await writer.watchCoverage(keys: ["never.watched"], topic: "t").isEmpty)
            // A second migrator running the backfill again changes nothing (maximum per segment).
            _ = try await client.execute(schema.backfillWatchCoverage())
            #expect(try await writer.watchCoverage(keys: ["user.id"], topic: "t")["user.id"]?[0]?.ranges == [0...12, 20...30])
            #expect(try await writer.appliedOffsets(topic: "t")[0]?.ranges == [0...12, 20...30], "progress rows untouched")
            // A clear that keeps the progress keeps those records' watched values cleared: they count as covered.
            var filled = MetadataBatch()
            filled.watchCoverage = [Self.coverage("late.key", 0, start: 0, last: 3)]
            try await writer.write(filled)
            try await store.watch(key: "late.key")
            try await StoreAdmin(client: client, schema: schema, logger: TestServer.logger).clearAll(keepProgress: true)
            #expect(try await writer.appliedOffsets(topic: "t")[0]?.ranges == [0...12, 20...30])
            let kept = try await writer.watchCoverage(keys: ["user.id", "late.key"], topic: "t")
            #expect(kept["user.id"]?[0]?.ranges == [0...12, 20...30] && kept["late.key"]?[0]?.ranges == [0...12, 20...30])
        }
    }
}
