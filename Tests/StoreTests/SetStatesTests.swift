import Foundation
import Logging
import Synchronization
import Testing

@testable import Store

extension SetValueFilter {
    /// Thins rows as ``MetadataWriter`` does for one batch.
    func thin(_ rows: inout [IngestRow]) -> Pending {
        var pending = Pending()
        for index in rows.indices { thin(&rows[index], into: &pending) }
        return pending
    }
}

/// ``SetValueFilter``: each set value is sent once per row identity and period, and counts as sent only once its batch
/// was stored.
@Suite("Set value filter")
struct SetValueFilterTests {
    /// A clock the test moves.
    final class TestClock: Sendable {
        let base = ContinuousClock.now
        let offset = Mutex<Duration>(.zero)
        func advance(_ by: Duration) { offset.withLock { $0 += by } }
        var now: @Sendable () -> ContinuousClock.Instant { { [self] in base + offset.withLock { $0 } } }
    }

    static func signalRow(_ name: String, bounds: [Double], day: UInt16 = 1) -> IngestRow {
        var aggregate = SignalAggregate(signal: .metric, name: name, service: "s", day: day, firstSeen: 1, lastSeen: 1, count: 1)
        aggregate.explicitBounds = Set(bounds)
        return IngestRow(aggregate)
    }

    static func keyRow(_ key: String, small: [String], heavy: [HeavyHitter] = []) -> IngestRow {
        var aggregate = KeyAggregate(
            signal: .metric, name: "m", service: "s", scope: .attribute, key: key, day: 1, firstSeen: 1, lastSeen: 1, count: 1,
            valueHashes: [1], smallValues: small)
        aggregate.heavyHitters = heavy
        return IngestRow(aggregate)
    }

    @Test("a confirmed value is not sent again for the same row; other rows, days and unconfirmed values are")
    func onceAfterConfirm() {
        let filter = SetValueFilter()
        var first = [Self.signalRow("h", bounds: [1, 2]), Self.keyRow("k", small: ["GET", "POST"])]
        let pending = filter.thin(&first)
        #expect(first[0].bounds == [1, 2] && first[1].smallValues == ["GET", "POST"])
        #expect(pending.count == 4)

        // Not confirmed yet (the INSERT failed or is still running): everything is sent again.
        var retry = [Self.signalRow("h", bounds: [1, 2]), Self.keyRow("k", small: ["GET", "POST"])]
        _ = filter.thin(&retry)
        #expect(retry[0].bounds == [1, 2] && retry[1].smallValues == ["GET", "POST"])

        filter.confirm(pending)
        var next = [
            Self.signalRow("h", bounds: [1, 2, 5]), Self.keyRow("k", small: ["GET", "PUT"]),
            // The same values in another row identity (name, key, day) are new there.
            Self.signalRow("h2", bounds: [1]), Self.keyRow("k2", small: ["GET"]), Self.signalRow("h", bounds: [1], day: 2),
        ]
        let second = filter.thin(&next)
        #expect(next[0].bounds == [5] && next[1].smallValues == ["PUT"])
        #expect(next[2].bounds == [1] && next[3].smallValues == ["GET"] && next[4].bounds == [1])
        #expect(second.count == 5)
    }

    @Test("repeats within one batch are sent once; heavy-hitter counts always go, only their texts are thinned")
    func withinBatchAndHeavy() {
        let filter = SetValueFilter()
        let get = HeavyHitter(hash: 0xAB, count: 5, text: "GET")
        var rows = [Self.keyRow("k", small: ["GET"], heavy: [get]), Self.keyRow("k", small: ["GET"], heavy: [get])]
        filter.confirm(filter.thin(&rows))
        #expect(rows[0].smallValues == ["GET"] && rows[1].smallValues.isEmpty)
        #expect(rows[0].heavyTexts == [get.storedText] && rows[1].heavyTexts.isEmpty)
        var later = [Self.keyRow("k", small: [], heavy: [HeavyHitter(hash: 0xAB, count: 7, text: "GET")])]
        _ = filter.thin(&later)
        #expect(later[0].heavyHitters.map(\.count) == [7] && later[0].heavyTexts.isEmpty)
    }

    @Test("a value is remembered for one to two periods, a full generation ends its period early, reset forgets")
    func generations() {
        let clock = TestClock()
        let filter = SetValueFilter(capacity: 3, period: .seconds(60), now: clock.now)
        var rows = [Self.signalRow("h", bounds: [1])]
        filter.confirm(filter.thin(&rows))
        clock.advance(.seconds(61))  // one rotation: the value is in the previous generation
        rows = [Self.signalRow("h", bounds: [1])]
        #expect(filter.thin(&rows).count == 0 && rows[0].bounds.isEmpty)
        clock.advance(.seconds(61))  // two rotations: forgotten, sent again
        rows = [Self.signalRow("h", bounds: [1])]
        #expect(filter.thin(&rows).count == 1 && rows[0].bounds == [1])

        // Capacity 3: the fourth fingerprint starts a new generation; the first three stay remembered in the previous.
        filter.reset()
        #expect(filter.remembered == 0)
        rows = [Self.signalRow("h", bounds: [1, 2, 3, 4])]
        filter.confirm(filter.thin(&rows))
        #expect(filter.remembered == 4)
        rows = [Self.signalRow("h", bounds: [1, 2, 3, 4])]
        #expect(filter.thin(&rows).count == 0)
        // Bounded: a fifth and sixth value rotate again; the oldest generation is gone.
        rows = [Self.signalRow("h", bounds: [5, 6, 7])]
        filter.confirm(filter.thin(&rows))
        #expect(filter.remembered <= 2 * filter.capacity)
    }

    @Test("hostile sizes are clamped")
    func clamped() {
        let filter = SetValueFilter(capacity: -1, period: .seconds(-5))
        #expect(filter.capacity == 1 && filter.period == .seconds(1))
        var rows = [Self.signalRow("h", bounds: (0..<1000).map(Double.init))]
        filter.confirm(filter.thin(&rows))
        #expect(filter.remembered <= 2)
    }
}

/// Migration 9 on a live store: the `topK` states become set states with the same answers, writers of earlier versions are
/// refused (their ingest tables are gone), and this version's writes send each set value once.
@Suite("Migration 9 on a live store", .enabled(if: TestServer.anyConfigured))
struct MigrationNineTests {
    @Test("a store at version 8 keeps every answer, refuses older writers, and stores each set value once", arguments: TestServer.configured)
    func upgradeInPlace(server: TestServer) async throws {
        try await server.withDatabase { client, schema in
            let migrator = Migrator(client: client, schema: schema, logger: TestServer.logger)
            #expect(try await migrator.migrate(upTo: 8) == 8)
            // Rows as the previous version wrote them (v5 ingest table): a histogram with bounds, scales and event names
            // over two windows, a key with a small value set and heavy hitters, a catalog row.
            let get = HeavyHitter(hash: 0x11, count: 6, text: "GET").storedText
            let post = HeavyHitter(hash: 0x12, count: 2, text: "POST").storedText
            let slots = "['GET', 'POST'" + String(repeating: ", unhex('FF')", count: KeyAggregate.maxSamples - 2) + "]"
            let columns =
                "kind, signal, name, service, scope, sub, key, day, count, value_hashes, samples, small_values, bounds, scales, "
                + "event_names, hh_hashes, hh_counts, hh_texts"
            _ = try await client.execute(
                "INSERT INTO \(schema.ingestTableV5) (\(columns)) VALUES "
                    + "(1, 1, 'h', 's', 0, '', '', toDate('2026-12-01'), 3, [], [], [], [0.5, 1, 5], [2, 3], ['ev1'], [], [], []), "
                    + "(1, 1, 'h', 's', 0, '', '', toDate('2026-12-01'), 4, [], [], [], [1, 10], [3], ['ev2', 'ev1'], [], [], []), "
                    + "(2, 1, 'h', 's', 2, '', 'method', toDate('2026-12-01'), 8, [11, 12], \(slots), ['GET', 'POST'], [], [], [], "
                    + "[17, 18], [6, 2], ['\(get)', '\(post)']), "
                    + "(5, 1, '', '', 2, '', 'method', toDate('2026-12-01'), 8, [11, 12], \(slots), ['POST', 'GET'], [], [], [], [], [], [])")

            // The answers before, with the retired states.
            let before = try await client.execute(
                "SELECT kind, key, toUInt64(sumMerge(count)), arraySort(topKArrayMerge(64)(bounds)), arraySort(topKArrayMerge(32)(scales)), "
                    + "arraySort(topKArrayMerge(64)(event_names)), arraySort(topKArrayMerge(10)(small_samples)), arraySort(topKArrayMerge(32)(heavy_texts)) "
                    + "FROM \(schema.metadataTable) GROUP BY kind, key ORDER BY kind, key FORMAT TabSeparated")
            #expect(try await migrator.migrate() == Migration.latestVersion)
            let set = Schema.self
            let afterSQL =
                "SELECT kind, key, toUInt64(sumMerge(count)), \(set.boundSet.merged), \(set.scaleSet.merged), \(set.eventNameSet.merged), "
                + "arraySort(\(set.smallSet.mergedAll)), arraySort(\(set.heavyTextSet.mergedAll)) FROM \(schema.metadataTable) "
                + "GROUP BY kind, key ORDER BY kind, key FORMAT TabSeparated"
            let after = try await client.execute(afterSQL)
            #expect(String(decoding: after, as: UTF8.self) == String(decoding: before, as: UTF8.self))
            #expect(String(decoding: after, as: UTF8.self).contains("[0.5,1,5,10]"))

            // A writer of the previous version: its ingest table is gone, so it is refused and commits nothing.
            await #expect(throws: ClickHouseError.self) {
                _ = try await client.execute("INSERT INTO \(schema.ingestTableV5) (kind, name, day, count) VALUES (1, 'h', toDate('2026-12-01'), 1)")
            }

            // This version's writer sends each set value once: three windows of the same histogram store each bound once.
            let writer = MetadataWriter(client: client, schema: schema, setFilter: SetValueFilter(), logger: TestServer.logger)
            for window in 0..<3 {
                var aggregate = SignalAggregate(
                    signal: .metric, name: "h", service: "s", day: DayRange.parseDay("2026-12-01")!, firstSeen: 1, lastSeen: 1, count: 1)
                aggregate.explicitBounds = window == 2 ? [1, 10, 20] : [1, 10]
                try await writer.write(MetadataBatch(signals: [aggregate]))
            }
            var decoder = RowBinaryDecoder(
                try await client.execute(
                    "SELECT toUInt64(length(groupArrayArrayMerge(\(set.boundSet.limit))(bound_set))), \(set.boundSet.merged), toUInt64(sumMerge(count)) "
                        + "FROM \(schema.metadataTable) WHERE kind = 1 AND name = 'h' FORMAT RowBinary"))
            // Stored: 0.5, 1, 5, 10 from the migration, then 1 and 10 once (this writer's first window) and 20.
            #expect(try decoder.uint64() == 7)
            #expect(try decoder.float64Array() == [0.5, 1, 5, 10, 20])
            #expect(try decoder.uint64() == 10)
        }
    }
}

/// Merging the lanes' key aggregates before encoding (``KeyAggregate/merge(_:members:)``) stores what the separate rows would.
@Suite("Lane merge", .enabled(if: TestServer.anyConfigured))
struct LaneMergeTests {
    /// Key aggregates of a few identities as several lanes would hold them: overlapping value sets, small sets that stay
    /// small or overflow only together, heavy hitters with shared values, every slot kind.
    static func laneAggregates() -> [KeyAggregate] {
        var random = SplitMix64(seed: 42)
        var keys: [KeyAggregate] = []
        for lane in 0..<3 {
            for (index, key) in ["method", "user.id", "status", "rare"].enumerated() {
                let values: [String] =
                    switch key {
                    case "method": ["GET", "POST", "PUT", "DELETE"].shuffled(using: &random).prefix(2 + lane).map { $0 }
                    // 7 values per lane, 21 overall: each lane's set is small, their union is not.
                    case "user.id": (0..<7).map { "user-\(lane * 7 + $0)" }
                    case "status": (0..<12).map { _ in "s\(Int.random(in: 0..<15, using: &random))" }
                    default: lane == 1 ? ["x"] : []
                    }
                guard !values.isEmpty else { continue }
                let hashed = Set(values).map { (text: $0, hash: ValueHash.hash($0)) }
                let distinct = Set(values)
                var aggregate = KeyAggregate(
                    signal: .metric, name: "m\(index % 2)", service: "svc", scope: .attribute, key: key, day: 20_000 + UInt16(lane % 2),
                    firstSeen: EpochSeconds(100 + lane), lastSeen: EpochSeconds(200 - lane), count: UInt64(values.count * (lane + 1)),
                    valueHashes: hashed.map(\.hash).sorted(), sampleSlots: SampleSlots.slots(hashed),
                    smallValues: distinct.count <= KeyAggregate.maxSamples ? Array(distinct) : [])
                aggregate.heavyHitters = hashed.prefix(3).map { HeavyHitter(hash: $0.hash, count: UInt64(lane + 2), text: $0.text) }
                keys.append(aggregate)
            }
        }
        return keys
    }

    @Test("merged lanes give the same stored states and reader answers as their separate rows", arguments: TestServer.configured)
    func sameStates(server: TestServer) async throws {
        let keys = Self.laneAggregates()
        let merged = KeyAggregate.mergingDuplicates(keys)
        #expect(merged.count < keys.count)
        #expect(Set(merged.map(\.identity)).count == merged.count)
        // Per key row and per catalog row: every state as readers finalize it; the small set as readers use it.
        let sql = { (schema: Schema) in
            "SELECT kind, name, key, day, toUInt32(minMerge(first_seen)), toUInt32(maxMerge(last_seen)), toUInt64(sumMerge(count)), "
                + "toUInt64(uniqCombinedArrayMerge(cardinality)) AS c, minForEachMerge(samples), "
                + "if(c <= 10, arraySort(\(Schema.smallSet.mergedAll)), emptyArrayString()), sumMapMerge(heavy_hitters), arraySort(\(Schema.heavyTextSet.mergedAll)) "
                + "FROM \(schema.metadataTable) GROUP BY kind, name, key, day ORDER BY kind, name, key, day FORMAT TabSeparated"
        }
        let separate = try await server.withMigratedDatabase { client, schema in
            try await MetadataWriter(client: client, schema: schema, logger: TestServer.logger).write(MetadataBatch(keys: keys))
            return String(decoding: try await client.execute(sql(schema)), as: UTF8.self)
        }
        let together = try await server.withMigratedDatabase { client, schema in
            try await MetadataWriter(client: client, schema: schema, logger: TestServer.logger).write(MetadataBatch(keys: merged))
            return String(decoding: try await client.execute(sql(schema)), as: UTF8.self)
        }
        #expect(together == separate)
        #expect(separate.split(separator: "\n").count >= 8, "key and catalog rows of several identities")
    }
}
