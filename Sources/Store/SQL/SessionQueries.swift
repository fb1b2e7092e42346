/// The statements of the `sessions` table (``Schema/createSessionsTable()``) and of the snapshot a range session covers.
/// Values enter only through ``SQLLiteral``.
///
/// Every write appends a row; a name's newest `version` wins. Reads reduce with `argMax(…, version)` per name, so a
/// deleted or overwritten session never shows, before or after ClickHouse merged the rows.
package enum SessionQueries {
    /// Columns of ``Schema/sessionsTable``, in ``insert(_:_:version:deleted:)`` order.
    package static let columns: [(name: String, type: String)] = [
        ("name", "String"), ("version", "UInt64"), ("deleted", "UInt8"), ("description", "String"), ("created", "UInt32"),
        ("from_day", "UInt16"), ("to_day", "UInt16"), ("services", "Array(String)"), ("signals", "Array(String)"),
        ("imported", "UInt8"), ("snapshot", "String"),
    ]

    /// Appends one version of `session` (or its tombstone when `deleted`).
    package static func insert(_ schema: Schema, _ session: StoredSession, version: UInt64, deleted: Bool) -> String {
        let values = [
            SQLLiteral.string(session.name), SQLLiteral.integer(version), deleted ? "1" : "0", SQLLiteral.string(session.description),
            SQLLiteral.integer(session.created), SQLLiteral.integer(session.range.from ?? 0),
            SQLLiteral.integer(session.range.to ?? DayRange.maxDay), SQLLiteral.stringArray(session.services),
            SQLLiteral.stringArray(session.signals), session.snapshot == nil ? "0" : "1", SQLLiteral.string(bytes: session.snapshot ?? []),
        ]
        return "INSERT INTO \(schema.sessionsTable) (\(columns.map(\.name).joined(separator: ", "))) VALUES (\(values.joined(separator: ", ")))"
    }

    /// Live sessions by name (one page, or the one called `name`). Columns: name String, description String, created
    /// UInt32, from UInt16, to UInt16, services Array(String), signals Array(String), imported UInt8, snapshot size UInt64,
    /// then when `withSnapshot` the snapshot String.
    package static func select(_ schema: Schema, name: String? = nil, withSnapshot: Bool = false, limit: Int = 1, offset: Int = 0) -> String {
        var sql =
            "SELECT name, argMax(description, version), argMax(created, version), toUInt16(argMax(from_day, version)), "
            + "toUInt16(argMax(to_day, version)), argMax(services, version), argMax(signals, version), toUInt8(argMax(imported, version)), "
            + "toUInt64(length(argMax(snapshot, version)))"
        if withSnapshot { sql += ", argMax(snapshot, version)" }
        sql += " FROM \(schema.sessionsTable)"
        if let name { sql += " WHERE name = \(SQLLiteral.string(name))" }
        return sql + " GROUP BY name HAVING argMax(deleted, version) = 0 ORDER BY name LIMIT \(SQLLiteral.integer(max(0, limit))) "
            + "OFFSET \(SQLLiteral.integer(max(0, offset))) FORMAT RowBinary"
    }

    /// One `UInt64`: the number of live sessions.
    package static func count(_ schema: Schema) -> String {
        "SELECT toUInt64(count()) FROM (SELECT name FROM \(schema.sessionsTable) GROUP BY name HAVING argMax(deleted, version) = 0) FORMAT RowBinary"
    }

    // MARK: - Snapshot of a range

    /// Item counts per (signal, name, service) over `range`. Columns: signal UInt8, name String, service String,
    /// count UInt64, metric type UInt8.
    package static func snapshotItems(_ schema: Schema, range: DayRange, signals: [Signal], services: [String]) -> String {
        "SELECT toUInt8(signal), name, service, toUInt64(sumMerge(count)), toUInt8(maxMerge(metric_type)) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.signal.rawValue)" + filters(range: range, signals: signals, services: services)
            + " GROUP BY signal, name, service FORMAT RowBinary"
    }

    /// Distinct series of every metric over `range` (merged over services). Columns: name String, series UInt64.
    package static func snapshotSeries(_ schema: Schema, range: DayRange, services: [String]) -> String {
        "SELECT name, toUInt64(uniqCombinedArrayMerge(cardinality)) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.signal.rawValue)" + filters(range: range, signals: [.metric], services: services)
            + " GROUP BY name FORMAT RowBinary"
    }

    /// Attribute and resource keys of every item over `range` (merged over services and days). Columns: signal UInt8,
    /// name String, scope UInt8, key String, count UInt64, cardinality UInt64.
    package static func snapshotKeys(_ schema: Schema, range: DayRange, signals: [Signal], services: [String]) -> String {
        "SELECT toUInt8(signal), name, toUInt8(scope), key, toUInt64(sumMerge(count)), toUInt64(uniqCombinedArrayMerge(cardinality)) "
            + "FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.key.rawValue) AND scope IN (\(KeyScope.resource.rawValue), "
            + "\(KeyScope.attribute.rawValue))" + filters(range: range, signals: signals, services: services)
            + " GROUP BY signal, name, scope, key FORMAT RowBinary"
    }

    private static func filters(range: DayRange, signals: [Signal], services: [String]) -> String {
        var sql = V2Queries.days(range)
        if !signals.isEmpty { sql += " AND signal IN (\(signals.map { String($0.rawValue) }.joined(separator: ", ")))" }
        if !services.isEmpty { sql += " AND service IN \(SQLLiteral.stringList(services))" }
        return sql
    }
}
