import Testing

@testable import Store

/// The sessions table (migration 6) and a range's snapshot on ClickHouse 18.16 and 26.x (chdb): writes append
/// versions, the newest wins, a delete hides the name, every literal is escaped, and a range's snapshot merges its days.
@Suite("ClickHouseSessionStore over ClickHouse", .enabled(if: TestServer.anyConfigured))
struct SessionStoreTests {
    typealias F = MetadataFixtures

    @Test("save, list, get, overwrite, delete; hostile text round-trips", arguments: TestServer.configured)
    func lifecycle(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let store = ClickHouseSessionStore(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await store.sessions(limit: 10, offset: 0).total == 0)
            let hostile = "it's a \\ 'test'\n\u{0}; DROP TABLE x --"
            let range = StoredSession(
                name: "b-range", description: hostile, created: 1_700_000_000, range: DayRange(from: F.day, to: F.day + 2),
                services: ["api", "o'brien"], signals: ["metrics"])
            let document = Array("{\"id\":\"a-doc\",\"x\":\"\\u0027'\"}\n".utf8) + [0xFF, 0x00]
            let imported = StoredSession(name: "a-doc", created: 5, snapshot: document)
            try await store.save(range)
            try await store.save(imported)
            let page = try await store.sessions(limit: 10, offset: 0)
            #expect(page.total == 2 && page.items.map(\.name) == ["a-doc", "b-range"])
            #expect(page.items[0].snapshot == nil && page.items[0].imported && page.items[0].snapshotSize == document.count)
            #expect(try await store.sessions(limit: 1, offset: 1).items.map(\.name) == ["b-range"])
            #expect(try await store.session(named: "b-range") == range)
            #expect(try await store.session(named: "a-doc")?.snapshot == document)
            #expect(try await store.session(named: "nope") == nil)
            var open = range
            open.range = .all
            open.description = "second"
            try await store.save(open)
            #expect(try await store.session(named: "b-range") == open)
            try await store.delete(named: "b-range")
            #expect(try await store.session(named: "b-range") == nil)
            #expect(try await store.sessions(limit: 10, offset: 0).items.map(\.name) == ["a-doc"])
            try await store.save(range)
            #expect(try await store.session(named: "b-range") == range, "a name can be reused after a delete")
        }
    }

    @Test("a range's snapshot: counts, series and key cardinalities merged over its days; filters", arguments: TestServer.configured)
    func snapshot(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            for index in 0..<3 {
                let day = F.day + UInt16(index)
                var signal = SignalAggregate(signal: .metric, name: "requests", service: "api", day: day, firstSeen: F.t0, lastSeen: F.t0, count: 10)
                signal.metricType = .sum
                signal.seriesHashes = (0..<(index + 1) * 5).map { F.h("s\($0)") }
                let span = SignalAggregate(signal: .span, name: "GET /", service: "web", day: day, firstSeen: F.t0, lastSeen: F.t0, count: 4)
                let keys = [
                    F.key(
                        .metric, "requests", "api", .attribute, "user.id", day: day, first: 0, last: 0, count: 10,
                        values: (0..<10).map { "d\(index)-u\($0)" }),
                    F.key(.metric, "requests", "api", .resource, "host", day: day, first: 0, last: 0, count: 10, values: ["h1"]),
                    F.key(.span, "GET /", "web", .attribute, "route", day: day, first: 0, last: 0, count: 4, values: ["/"]),
                ]
                try await writer.write(MetadataBatch(signals: [signal, span], keys: keys, templates: [], progress: []))
            }
            let store = ClickHouseSessionStore(client: client, schema: schema, logger: TestServer.logger)
            let all = try await store.snapshot(of: StoredSession(name: "all", created: 0))
            let requests = try #require(all.items[SessionSnapshot.ItemID(signal: .metric, name: "requests")])
            #expect(requests.count == 30 && requests.series == 15 && requests.metricType == .sum && requests.services == ["api": 30])
            #expect(requests.keys[SessionSnapshot.KeyID(scope: .attribute, key: "user.id")] == SessionSnapshot.Key(count: 30, cardinality: 30))
            #expect(requests.keys[SessionSnapshot.KeyID(scope: .resource, key: "host")] == SessionSnapshot.Key(count: 30, cardinality: 1))
            #expect(all.items.count == 2 && all.services == ["api", "web"] && all.keyCount == 3)
            let firstTwo = try await store.snapshot(of: StoredSession(name: "x", created: 0, range: DayRange(from: F.day, to: F.day + 1)))
            #expect(
                firstTwo.items[SessionSnapshot.ItemID(signal: .metric, name: "requests")]?.keys[
                    SessionSnapshot.KeyID(scope: .attribute, key: "user.id")]?.cardinality == 20)
            let web = try await store.snapshot(of: StoredSession(name: "x", created: 0, services: ["web"]))
            #expect(web.items.keys.map(\.name) == ["GET /"])
            let metrics = try await store.snapshot(of: StoredSession(name: "x", created: 0, signals: ["metrics"]))
            #expect(metrics.items.keys.map(\.name) == ["requests"])
            #expect(try await store.snapshot(of: StoredSession(name: "x", created: 0, range: DayRange(from: F.day + 5))).items.isEmpty)
        }
    }
}
