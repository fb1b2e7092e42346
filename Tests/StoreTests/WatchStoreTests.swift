import Testing

@testable import Store

/// Deep watch on ClickHouse 18.16 and 26.x (chdb): the watch list (migration 7) keeps a key's first `since` and its
/// newest state; watched values written with the metadata merge over days and batches (counts summed, first/last seen
/// min/max), pages sort and filter by prefix, overflow rows are counted apart, and hostile texts round-trip.
@Suite("ClickHouseWatchStore over ClickHouse", .enabled(if: TestServer.anyConfigured))
struct WatchStoreTests {
    typealias F = MetadataFixtures

    @Test("watch, unwatch, watch again: since kept, newest state wins; registry follows", arguments: TestServer.configured)
    func list(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let store = ClickHouseWatchStore(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await store.watches().isEmpty)
            let hostile = "it's \\ a 'key'\n; DROP TABLE x --"
            try await store.watch(key: hostile)
            try await store.watch(key: "user.id")
            let first = try await store.watches()
            #expect(first.map(\.key) == [hostile, "user.id"].sorted() && first.allSatisfy(\.active))
            try await store.unwatch(key: "user.id")
            let registry = WatchRegistry(maxValues: 2)
            try await store.refresh(registry)
            #expect(registry.keys == [hostile] && !registry.isWatched("user.id"))
            #expect(try await store.watches().first { $0.key == "user.id" }?.active == false)
            try await store.watch(key: "user.id")
            let again = try await store.watches().first { $0.key == "user.id" }
            #expect(again?.active == true && again?.since == first.first { $0.key == "user.id" }?.since)
        }
    }

    @Test("values merge over days and batches; sort, prefix, paging, overflow; stored values seed the registry", arguments: TestServer.configured)
    func values(server: TestServer) async throws {
        try await server.withMigratedDatabase { client, schema in
            let writer = MetadataWriter(client: client, schema: schema, logger: TestServer.logger)
            let odd = "o'brien\\\n\u{1}"
            func value(_ text: String?, day: UInt16, first: EpochSeconds, last: EpochSeconds, count: UInt64, key: String = "user.id")
                -> WatchedValueAggregate
            {
                WatchedValueAggregate(key: key, value: text, day: day, firstSeen: first, lastSeen: last, count: count)
            }
            var batch = MetadataBatch()
            batch.watchedValues = [
                value("alice", day: F.day, first: F.t0 + 10, last: F.t0 + 20, count: 3),
                value("bob", day: F.day, first: F.t0, last: F.t0 + 5, count: 1),
                value(odd, day: F.day, first: F.t0 + 1, last: F.t0 + 1, count: 2),
                value(nil, day: F.day, first: F.t0, last: F.t0, count: 7),
                value("other", day: F.day, first: F.t0, last: F.t0, count: 50, key: "other.key"),
            ]
            try await writer.write(batch)
            batch.watchedValues = [
                value("alice", day: F.day + 1, first: F.t0 + 100_000, last: F.t0 + 100_005, count: 4),
                value(nil, day: F.day + 1, first: F.t0, last: F.t0, count: 1),
            ]
            try await writer.write(batch)
            let store = ClickHouseWatchStore(client: client, schema: schema, logger: TestServer.logger)
            let all = try await store.values(key: "user.id", query: WatchValuesQuery())
            #expect(
                all.values == [
                    WatchedValue(value: "alice", count: 7, firstSeen: F.t0 + 10, lastSeen: F.t0 + 100_005),
                    WatchedValue(value: odd, count: 2, firstSeen: F.t0 + 1, lastSeen: F.t0 + 1),
                    WatchedValue(value: "bob", count: 1, firstSeen: F.t0, lastSeen: F.t0 + 5),
                ])
            #expect(all.unique == 3 && all.matching == 3 && all.overflowObservations == 8 && all.observations == 18)
            let byValue = try await store.values(key: "user.id", query: WatchValuesQuery(order: .value, descending: false))
            #expect(byValue.values.map(\.value) == ["alice", "bob", odd])
            let byFirst = try await store.values(key: "user.id", query: WatchValuesQuery(order: .firstSeen, descending: true, limit: 1, offset: 1))
            #expect(byFirst.values.map(\.value) == [odd])
            let prefixed = try await store.values(key: "user.id", query: WatchValuesQuery(prefix: "o'"))
            #expect(prefixed.values.map(\.value) == [odd] && prefixed.matching == 1 && prefixed.unique == 3)
            let none = try await store.values(key: "nobody", query: WatchValuesQuery())
            #expect(none.values.isEmpty && none.unique == 0 && none.observations == 0)
            try await store.watch(key: "user.id")
            let registry = WatchRegistry(maxValues: 4)
            try await store.refresh(registry)
            #expect(registry.admit(key: "user.id", value: "bob"), "a stored value is admitted")
            #expect(registry.admit(key: "user.id", value: "carol"), "room for a fourth value")
            #expect(!registry.admit(key: "user.id", value: "dave"), "past the limit")
            #expect(!registry.admit(key: "other.key", value: "x"), "not watched")
        }
    }
}
