import Testing

@testable import Store

/// The V2 explorer, system and retention statements on both engines (ClickHouse 18.16 and chdb 26.x), over the two
/// fixture batches (day D and D+1) whose answers are worked out by hand below.
@Suite("V2 explorer, system and retention queries", .enabled(if: TestServer.anyConfigured))
struct ExplorerSystemQueriesTests {
    typealias F = MetadataFixtures

    func withFixtures(_ server: TestServer, _ body: (ClickHouseClient, Schema, ClickHouseMetadataReader) async throws -> Void) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            try await writer.write(F.first)
            try await writer.write(F.second)
            try await body(client, schema, ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger))
        }
    }

    @Test("a key's places and overall figures, per range, paged", arguments: TestServer.configured)
    func keyUsage(server: TestServer) async throws {
        try await withFixtures(server) { _, _, reader in
            let all = try #require(try await reader.keyUsage(key: "method", range: .all, limit: 10, offset: 0))
            #expect(all.overall == F.stats("method", 35, 3, ["GET", "POST", "PUT"]))
            #expect(all.signals == [.metric])
            #expect(all.totalPlaces == 2)
            #expect(
                all.places == [
                    KeyPlace(signal: .metric, name: "http.requests", scope: .attribute, service: "api", count: 30, estimatedCardinality: 3),
                    KeyPlace(signal: .metric, name: "http.requests", scope: .attribute, service: "worker", count: 5, estimatedCardinality: 1),
                ])
            let firstDay = try #require(try await reader.keyUsage(key: "method", range: DayRange(from: F.day, to: F.day), limit: 10, offset: 0))
            #expect(firstDay.overall == F.stats("method", 15, 2, ["GET", "POST"]))
            #expect(firstDay.places.map(\.count) == [10, 5])
            let page = try #require(try await reader.keyUsage(key: "method", range: .all, limit: 1, offset: 1))
            #expect(page.places.map(\.service) == ["worker"] && page.totalPlaces == 2)
            // host.name: a resource key of metrics and an attribute of logs.
            let host = try #require(try await reader.keyUsage(key: "host.name", range: .all, limit: 10, offset: 0))
            #expect(host.signals == [.metric, .log])
            #expect(host.places.map { "\($0.signal.apiName)/\($0.scope)" } == ["log/attribute", "metric/resource"])
            #expect(try await reader.keyUsage(key: "user.id", range: DayRange(to: F.day), limit: 10, offset: 0) == nil)
            #expect(try await reader.keyUsage(key: "nope", range: .all, limit: 10, offset: 0) == nil)
        }
    }

    @Test("a service's keys by cardinality, its totals per signal, the signal filter and 404", arguments: TestServer.configured)
    func serviceUsage(server: TestServer) async throws {
        try await withFixtures(server) { _, _, reader in
            let api = try #require(try await reader.serviceUsage(service: "api", signal: nil, range: .all, limit: 3, offset: 0))
            #expect(
                api.signals == [
                    ServiceSignalTotals(signal: .metric, names: 2, items: 33, keys: 5),
                    ServiceSignalTotals(signal: .span, names: 1, items: 7, keys: 3),
                    ServiceSignalTotals(signal: .log, names: 1, items: 4, keys: 3),
                ])
            #expect(api.totalKeys == 11)
            #expect(
                api.keys == [
                    ServiceKey(signal: .metric, scope: .attribute, key: "user.id", count: 20, estimatedCardinality: 15),
                    ServiceKey(signal: .metric, scope: .attribute, key: "method", count: 30, estimatedCardinality: 3),
                    ServiceKey(signal: .log, scope: .attribute, key: "host.name", count: 4, estimatedCardinality: 2),
                ])
            let spans = try #require(try await reader.serviceUsage(service: "api", signal: .span, range: .all, limit: 10, offset: 0))
            #expect(spans.totalKeys == 3 && spans.signals.count == 3)
            #expect(spans.keys.map(\.key) == ["http.method", "exception.type", "link.kind"])
            let firstDay = try #require(
                try await reader.serviceUsage(service: "api", signal: .metric, range: DayRange(to: F.day), limit: 10, offset: 0))
            #expect(firstDay.signals.first == ServiceSignalTotals(signal: .metric, names: 2, items: 13, keys: 4))
            #expect(!firstDay.keys.contains { $0.key == "user.id" })
            #expect(try await reader.serviceUsage(service: "worker", signal: nil, range: DayRange(from: F.day + 1), limit: 10, offset: 0) == nil)
            #expect(try await reader.serviceUsage(service: "nope", signal: nil, range: .all, limit: 10, offset: 0) == nil)
        }
    }

    @Test("server status and table statistics of the census database", arguments: TestServer.configured)
    func system(server: TestServer) async throws {
        try await withFixtures(server) { _, schema, reader in
            let status = try await reader.clickHouseStatus()
            #expect(status.version.first?.isNumber == true)
            // Sane magnitudes: a column decoded at the wrong offset (26.x types scalar subqueries Nullable) gives huge numbers.
            #expect((1..<1_000).contains(status.activeParts) && status.mergesInProgress < 1_000 && status.mutationsInProgress < 1_000)
            #expect(status.uptimeSeconds < 10 * 366 * 86_400)
            // system.disks exists from 19.15 on: 18.16 reports none.
            #expect((status.disk == nil) == server.isLegacy)
            if let disk = status.disk { #expect(disk.totalBytes > 0 && disk.freeBytes <= disk.totalBytes) }
            let tables = try await reader.tableStatistics()
            let metadata = try #require(tables.first { $0.name == "metadata" })
            #expect(metadata.engine == "AggregatingMergeTree")
            #expect(metadata.rows > 0 && metadata.bytesOnDisk > 0 && metadata.activeParts >= 1)
            #expect((metadata.compressionRatio ?? 0) > 0)
            let ingest = try #require(tables.first { $0.name == "metadata_ingest_v9" })
            #expect(ingest.engine == "Null" && ingest.rows == 0 && ingest.compressionRatio == nil)
            #expect(tables.map(\.name) == tables.map(\.name).sorted())
            #expect(schema.database.hasPrefix("census_test_"))
        }
    }

    @Test("retention deletes the days before the cutoff, keeps later days and progress, and is idempotent", arguments: TestServer.configured)
    func retention(server: TestServer) async throws {
        try await withFixtures(server) { client, schema, reader in
            let retention = MetadataRetention(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await retention.deleteDays(before: F.day) == .nothingToDelete)
            #expect(try await retention.deleteDays(before: F.day + 1) == .deleteStarted)
            var outcome = MetadataRetention.Outcome.mutationPending
            for _ in 0..<400 where outcome != .nothingToDelete {
                try await Task.sleep(for: .milliseconds(50))
                outcome = try await retention.deleteDays(before: F.day + 1)
            }
            #expect(outcome == .nothingToDelete)
            // Day D+1 stays whole; day D is gone; progress is untouched.
            let method = try #require(try await reader.keyUsage(key: "method", range: .all, limit: 10, offset: 0))
            #expect(method.overall.count == 20 && method.places.count == 1)
            #expect(try await reader.serviceUsage(service: "worker", signal: nil, range: .all, limit: 10, offset: 0) == nil)
            var progress = RowBinaryDecoder(try await client.execute(MetadataQueries.storedProgress(schema, topic: "otlp")))
            var partitions = 0
            while !progress.isAtEnd { _ = try ProgressRow.decode(&progress); partitions += 1 }
            #expect(partitions == 3)
        }
    }

    @Test("the first day kept is today − N + 1, never before day 0")
    func cutoff() {
        #expect(MetadataRetention.cutoff(today: 20_000, days: 1) == 20_000)
        #expect(MetadataRetention.cutoff(today: 20_000, days: 3) == 19_998)
        #expect(MetadataRetention.cutoff(today: 2, days: 10) == 0)
    }
}
