import Foundation
import Logging

/// ``SessionStoring`` over ClickHouse: the `sessions` table (migration 6) and, for a range session's snapshot, three
/// reads of `metadata` over the range run concurrently.
package struct ClickHouseSessionStore: SessionStoring {
    package let schema: Schema
    private let client: ClickHouseClient
    private let logger: Logger

    package init(client: ClickHouseClient, schema: Schema = .default, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    package func sessions(limit: Int, offset: Int) async throws -> Page<StoredSession> {
        async let pageBytes = client.execute(SessionQueries.select(schema, limit: limit, offset: offset), logger: logger)
        async let totalBytes = client.execute(SessionQueries.count(schema), logger: logger)
        let items = try Self.decode(try await pageBytes, withSnapshot: false)
        var total = RowBinaryDecoder(try await totalBytes)
        return Page(items: items, total: Int(clamping: try total.uint64()))
    }

    package func session(named name: String) async throws -> StoredSession? {
        try Self.decode(try await client.execute(SessionQueries.select(schema, name: name, withSnapshot: true), logger: logger), withSnapshot: true)
            .first
    }

    package func save(_ session: StoredSession) async throws {
        _ = try await client.execute(SessionQueries.insert(schema, session, version: Self.nextVersion(), deleted: false), logger: logger)
    }

    package func delete(named name: String) async throws {
        let tombstone = StoredSession(name: name, created: 0)
        _ = try await client.execute(SessionQueries.insert(schema, tombstone, version: Self.nextVersion(), deleted: true), logger: logger)
    }

    package func snapshot(of session: StoredSession) async throws -> SessionSnapshot {
        let signals = session.signals.compactMap(Self.signal(named:))
        if !session.signals.isEmpty, signals.isEmpty { return SessionSnapshot() }
        async let itemBytes = client.execute(
            SessionQueries.snapshotItems(schema, range: session.range, signals: signals, services: session.services), logger: logger)
        async let seriesBytes =
            signals.isEmpty || signals.contains(.metric)
            ? client.execute(SessionQueries.snapshotSeries(schema, range: session.range, services: session.services), logger: logger) : []
        async let keyBytes = client.execute(
            SessionQueries.snapshotKeys(schema, range: session.range, signals: signals, services: session.services), logger: logger)
        var snapshot = SessionSnapshot()
        var decoder = RowBinaryDecoder(try await itemBytes)
        while !decoder.isAtEnd {
            let rawSignal = try decoder.uint8()
            let name = try decoder.string()
            let service = try decoder.string()
            let count = try decoder.uint64()
            let type = try decoder.uint8()
            guard let signal = Signal(rawValue: rawSignal) else { continue }
            let id = SessionSnapshot.ItemID(signal: signal, name: name)
            var item = snapshot.items[id] ?? SessionSnapshot.Item(signal: signal, name: name)
            item.count &+= count
            item.services[service, default: 0] &+= count
            if type > item.metricType.rawValue { item.metricType = MetricType(rawValue: type) ?? item.metricType }
            snapshot.items[id] = item
        }
        decoder = RowBinaryDecoder(try await seriesBytes)
        while !decoder.isAtEnd {
            let name = try decoder.string()
            let series = try decoder.uint64()
            snapshot.items[SessionSnapshot.ItemID(signal: .metric, name: name)]?.series = series
        }
        decoder = RowBinaryDecoder(try await keyBytes)
        while !decoder.isAtEnd {
            let rawSignal = try decoder.uint8()
            let name = try decoder.string()
            let rawScope = try decoder.uint8()
            let key = try decoder.string()
            let count = try decoder.uint64()
            let cardinality = try decoder.uint64()
            guard let signal = Signal(rawValue: rawSignal), let scope = KeyScope(rawValue: rawScope) else { continue }
            snapshot.items[SessionSnapshot.ItemID(signal: signal, name: name)]?.keys[SessionSnapshot.KeyID(scope: scope, key: key)] =
                SessionSnapshot.Key(count: count, cardinality: cardinality)
        }
        return snapshot
    }

    /// The signal of a session's `signals` entry (`metrics`, `spans`, `logs`, singular accepted).
    package static func signal(named name: String) -> Signal? {
        switch name {
        case "metrics", "metric": .metric
        case "spans", "span", "traces": .span
        case "logs", "log": .log
        default: nil
        }
    }

    /// Microseconds since the epoch: a later write of a name wins.
    private static func nextVersion() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000))
    }

    private static func decode(_ bytes: [UInt8], withSnapshot: Bool) throws(StoreError) -> [StoredSession] {
        var decoder = RowBinaryDecoder(bytes)
        var sessions: [StoredSession] = []
        while !decoder.isAtEnd {
            let name = try decoder.string()
            let description = try decoder.string()
            let created = try decoder.uint32()
            let from = try decoder.uint16()
            let to = try decoder.uint16()
            let services = try decoder.stringArray()
            let signals = try decoder.stringArray()
            let imported = try decoder.uint8() != 0
            let size = try decoder.uint64()
            let snapshot = withSnapshot ? Array(try decoder.bytesValue()) : nil
            var session = StoredSession(
                name: name, description: description, created: created,
                range: DayRange(from: from == 0 ? nil : from, to: to == DayRange.maxDay ? nil : to),
                services: services, signals: signals, snapshot: imported ? snapshot : nil)
            session.imported = imported
            session.snapshotSize = Int(clamping: size)
            sessions.append(session)
        }
        return sessions
    }
}
