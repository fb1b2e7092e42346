import Foundation
import Logging

/// ``WatchStoring`` over ClickHouse: the `watches` table (migration 7) and the watched-value rows of `metadata`
/// (``WatchQueries``).
package struct ClickHouseWatchStore: WatchStoring {
    package let schema: Schema
    private let client: ClickHouseClient
    private let logger: Logger

    package init(client: ClickHouseClient, schema: Schema = .default, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    package func watches() async throws -> [WatchedKey] {
        var decoder = RowBinaryDecoder(try await client.execute(WatchQueries.select(schema), logger: logger))
        var keys: [WatchedKey] = []
        while !decoder.isAtEnd {
            let key = try decoder.string()
            let active = try decoder.uint8() != 0
            keys.append(WatchedKey(key: key, since: try decoder.uint32(), active: active))
        }
        return keys
    }

    package func watch(key: String) async throws {
        _ = try await client.execute(
            WatchQueries.insert(schema, key: key, version: Self.nextVersion(), active: true, since: Self.now()), logger: logger)
    }

    package func unwatch(key: String) async throws {
        _ = try await client.execute(
            WatchQueries.insert(schema, key: key, version: Self.nextVersion(), active: false, since: Self.now()), logger: logger)
    }

    package func values(key: String, query: WatchValuesQuery) async throws -> WatchValuesPage {
        async let pageBytes = client.execute(WatchQueries.values(schema, key: key, query: query), logger: logger)
        async let totalBytes = client.execute(WatchQueries.totals(schema, key: key, prefix: query.prefix), logger: logger)
        var decoder = RowBinaryDecoder(try await pageBytes)
        var values: [WatchedValue] = []
        while !decoder.isAtEnd {
            let value = try decoder.string()
            let count = try decoder.uint64()
            let first = try decoder.uint32()
            values.append(WatchedValue(value: value, count: count, firstSeen: first, lastSeen: try decoder.uint32()))
        }
        var totals = RowBinaryDecoder(try await totalBytes)
        let unique = try totals.uint64()
        let observed = try totals.uint64()
        let matching = try totals.uint64()
        let overflow = try totals.uint64()
        return WatchValuesPage(
            values: values, matching: Int(clamping: matching), unique: Int(clamping: unique),
            observations: observed &+ overflow, overflowObservations: overflow)
    }

    /// The distinct values stored for each of `keys`, at most `limit` per key.
    package func storedValues(keys: [String], limit: Int) async throws -> [String: [String]] {
        guard !keys.isEmpty else { return [:] }
        var decoder = RowBinaryDecoder(try await client.execute(WatchQueries.storedValues(schema, keys: keys, limit: limit), logger: logger))
        var values: [String: [String]] = [:]
        while !decoder.isAtEnd {
            let key = try decoder.string()
            values[key, default: []].append(try decoder.string())
        }
        return values
    }

    /// Loads the active keys and their stored values into `registry`; returns whether the list of keys changed.
    @discardableResult
    package func refresh(_ registry: WatchRegistry) async throws -> Bool {
        let keys = try await watches().filter(\.active).map(\.key)
        return registry.update(keys: keys, stored: try await storedValues(keys: keys, limit: registry.maxValues))
    }

    private static func now() -> EpochSeconds {
        EpochSeconds(clamping: Int64(Date().timeIntervalSince1970))
    }

    private static func nextVersion() -> UInt64 {
        UInt64(max(0, Date().timeIntervalSince1970 * 1_000_000))
    }
}
