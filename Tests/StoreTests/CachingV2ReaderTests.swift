import Testing

@testable import Store

@Suite("CachingV2Reader", .enabled(if: TestServer.anyConfigured))
struct CachingV2ReaderTests {
    typealias F = MetadataFixtures

    @Test(
        "answers as the ClickHouse reader, keyed by every argument, cached until invalidated; statistics never cached",
        arguments: TestServer.configured)
    func sameAnswers(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            try await writer.write(F.first)
            let base = ClickHouseMetadataReader(client: client, schema: schema, logger: TestServer.logger)
            let shared = CachingMetadataReader(base: base, configuration: .init(ttl: .seconds(600)))
            let cached = CachingV2Reader(base: base, sharing: shared)

            let history = HistoryQuery(signal: .metric, name: "http.requests")
            let changes = ChangeQuery(since: F.day, page: 0..<10)
            #expect(try await cached.history(history) == base.history(history))
            #expect(try await cached.changes(changes) == base.changes(changes))
            #expect(try await cached.tsdbStatus(range: .all, topN: 5, focusLabel: nil) == base.tsdbStatus(range: .all, topN: 5, focusLabel: nil))
            let before = try await cached.history(history)
            let bytes = shared.cachedBytes
            #expect(bytes > 0)

            // New data: the cached answers stay (fresh for 600 s); other arguments are other entries, read anew.
            try await writer.write(F.second)
            #expect(try await cached.history(history) == before)
            #expect(try await cached.history(history) != base.history(history), "the fixture's second batch adds to http.requests")
            let later = ChangeQuery(since: F.day, page: 0..<11)
            #expect(try await cached.changes(later) == base.changes(later))
            #expect(try await cached.tableStatistics().map(\.name) == base.tableStatistics().map(\.name))

            // One invalidation (as after admin/clear) drops V1 and V2 entries alike.
            shared.invalidate()
            #expect(shared.cachedBytes == 0)
            #expect(try await cached.history(history) == base.history(history))
        }
    }
}
