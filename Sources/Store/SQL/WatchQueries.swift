/// The statements of deep watch: the watch list (``Schema/watchesTable``, migration 7) and the watched values, stored in
/// `metadata` as ``Schema/RowKind/watchValue`` rows (name = the watched key, sub = the value) and
/// ``Schema/RowKind/watchOverflow`` rows (name = the key), so that they are written by the same INSERT as the metadata.
/// Values enter only through ``SQLLiteral``.
///
/// Every change of the watch list appends a row; a key's newest `version` says whether it is active, its oldest row when
/// it was first watched. Reads reduce per key, so the answer does not depend on when ClickHouse merges.
package enum WatchQueries {
    /// Columns of ``Schema/watchesTable``, in ``insert(_:key:version:active:since:)`` order.
    package static let columns: [(name: String, type: String)] = [
        ("key", "String"), ("version", "UInt64"), ("active", "UInt8"), ("since", "DateTime"),
    ]

    /// Appends one state of `key`.
    package static func insert(_ schema: Schema, key: String, version: UInt64, active: Bool, since: EpochSeconds) -> String {
        "INSERT INTO \(schema.watchesTable) (key, version, active, since) VALUES (\(SQLLiteral.string(key)), \(SQLLiteral.integer(version)), "
            + "\(active ? 1 : 0), toDateTime(\(SQLLiteral.integer(since))))"
    }

    /// Every key of the watch list. Columns: key String, active UInt8, since UInt32.
    package static func select(_ schema: Schema) -> String {
        "SELECT key, toUInt8(argMax(active, version)), toUInt32(min(since)) FROM \(schema.watchesTable) GROUP BY key ORDER BY key FORMAT RowBinary"
    }

    /// One page of the values of `key`. Columns: value String, count UInt64, first seen UInt32, last seen UInt32.
    package static func values(_ schema: Schema, key: String, query: WatchValuesQuery) -> String {
        let order: String
        switch query.order {
        case .count: order = "c"
        case .value: order = "sub"
        case .firstSeen: order = "f"
        case .lastSeen: order = "l"
        }
        let direction = query.descending ? "DESC" : "ASC"
        let tie = query.order == .value ? "" : ", sub ASC"
        return "SELECT sub, toUInt64(sumMerge(count)) AS c, toUInt32(minMerge(first_seen)) AS f, toUInt32(maxMerge(last_seen)) AS l "
            + "FROM \(schema.metadataTable) WHERE \(rows(.watchValue, key: key))\(prefixFilter(query.prefix)) GROUP BY sub "
            + "ORDER BY \(order) \(direction)\(tie) LIMIT \(SQLLiteral.integer(query.limit)) OFFSET \(SQLLiteral.integer(query.offset)) FORMAT RowBinary"
    }

    /// The totals of `key`'s values: one row of distinct values UInt64, their observations UInt64, values matching
    /// `prefix` UInt64, overflow observations UInt64.
    package static func totals(_ schema: Schema, key: String, prefix: String) -> String {
        let matches = prefix.isEmpty ? "1" : "substring(sub, 1, \(SQLLiteral.integer(prefix.utf8.count))) = \(SQLLiteral.string(prefix))"
        return "SELECT toUInt64(count()), toUInt64(sum(c)), toUInt64(sum(\(matches))), "
            // A scalar subquery is Nullable on 26.x: ifNull keeps the column a plain UInt64 on both engines.
            + "ifNull((SELECT toUInt64(sumMerge(count)) FROM \(schema.metadataTable) WHERE \(rows(.watchOverflow, key: key))), toUInt64(0)) "
            + "FROM (SELECT sub, sumMerge(count) AS c FROM \(schema.metadataTable) WHERE \(rows(.watchValue, key: key)) GROUP BY sub) FORMAT RowBinary"
    }

    /// The distinct values stored for each of `keys`, at most `limit` per key (the ingest's admission set). Columns:
    /// key String, value String.
    package static func storedValues(_ schema: Schema, keys: [String], limit: Int) -> String {
        "SELECT name, sub FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.watchValue.rawValue) AND signal = 0 "
            + "AND name IN \(SQLLiteral.stringList(keys)) GROUP BY name, sub LIMIT \(SQLLiteral.integer(max(0, limit))) BY name FORMAT RowBinary"
    }

    /// The covered segments of `keys` in `topic` (``WatchCoverage``). Columns: key String, partition String,
    /// `<incarnation>:<segment start>` String, last offset Int64.
    package static func coverage(_ schema: Schema, keys: [String], topic: String) -> String {
        "SELECT name, key, sub, maxMerge(last_offset) FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.watchCoverage.rawValue) AND signal = 0 "
            + "AND name IN \(SQLLiteral.stringList(keys)) AND service = \(SQLLiteral.string(topic)) GROUP BY name, service, key, sub FORMAT RowBinary"
    }

    /// The rows of one kind for `key`: the sorting key's prefix (kind, signal 0, name), so a read touches only them.
    private static func rows(_ kind: Schema.RowKind, key: String) -> String {
        "kind = \(kind.rawValue) AND signal = 0 AND name = \(SQLLiteral.string(key))"
    }

    private static func prefixFilter(_ prefix: String) -> String {
        prefix.isEmpty ? "" : " AND substring(sub, 1, \(SQLLiteral.integer(prefix.utf8.count))) = \(SQLLiteral.string(prefix))"
    }
}
