extension V2Queries {
    // MARK: - History

    /// One row per day of ``HistoryQuery/range`` on which the name (or its key) has data, newest first, at most
    /// ``maxDays`` rows; one `GROUP BY day` over the rows of one name (the sorting key's prefix), so its cost is the
    /// name's rows in range, never its values.
    ///
    /// Columns: day UInt16, count UInt64, then when ``HistoryQuery/hasCardinality``: cardinality UInt64 (the day's
    /// states merged: the key's distinct values, or a metric's distinct series); then services Array(String) sorted.
    package static func history(_ schema: Schema, _ query: HistoryQuery) -> String {
        var sql = "SELECT toUInt16(day), toUInt64(sumMerge(count))"
        if query.hasCardinality { sql += ", toUInt64(uniqCombinedArrayMerge(cardinality))" }
        sql += ", arraySort(groupUniqArray(service)) FROM \(schema.metadataTable) WHERE kind = "
        sql += String((query.key == nil ? Schema.RowKind.signal : Schema.RowKind.key).rawValue)
        sql += " AND signal = \(query.signal.rawValue) AND name = \(SQLLiteral.string(query.name))"
        if let key = query.key { sql += " AND key = \(SQLLiteral.string(key))" }
        if let scope = query.scope, query.key != nil { sql += " AND scope = \(scope.rawValue)" }
        if let service = query.service { sql += " AND service = \(SQLLiteral.string(service))" }
        return sql + days(query.range) + " GROUP BY day ORDER BY day DESC LIMIT \(maxDays) FORMAT RowBinary"
    }

    // MARK: - Changes

    /// One `UInt16`: the newest day of any signal row (0 on an empty store).
    package static func newestDay(_ schema: Schema) -> String {
        "SELECT toUInt16(max(day)) FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.signal.rawValue) FORMAT RowBinary"
    }

    /// Item counts per (signal, name, service, day) over `range`: the names and services the changes feed compares.
    ///
    /// Columns: signal UInt8, name String, service String, day UInt16, count UInt64.
    package static func signalDays(_ schema: Schema, range: DayRange, signal: Signal?, service: String?) -> String {
        "SELECT toUInt8(signal), name, service, toUInt16(day), toUInt64(sumMerge(count)) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.signal.rawValue)" + filters(signal: signal, service: service) + days(range)
            + " GROUP BY signal, name, service, day FORMAT RowBinary"
    }

    /// Log template counts per (severity, template, day) over `range`, merged over services.
    ///
    /// Columns: severity String, template String, day UInt16, count UInt64.
    package static func templateDays(_ schema: Schema, range: DayRange, service: String?) -> String {
        "SELECT name, sub, toUInt16(day), toUInt64(sumMerge(count)) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.template.rawValue)" + filters(signal: .log, service: service) + days(range)
            + " GROUP BY name, sub, day FORMAT RowBinary"
    }

    /// Daily estimated cardinality per key (signal, name, scope, event name, key) over `range`, merged over services:
    /// keys × days rows, each one merged state.
    ///
    /// Columns: signal UInt8, name String, scope UInt8, sub String, key String, day UInt16, cardinality UInt64.
    package static func keyDays(_ schema: Schema, range: DayRange, signal: Signal?, service: String?) -> String {
        "SELECT toUInt8(signal), name, toUInt8(scope), sub, key, toUInt16(day), toUInt64(uniqCombinedArrayMerge(cardinality)) "
            + "FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.key.rawValue)" + filters(signal: signal, service: service) + days(range)
            + " GROUP BY signal, name, scope, sub, key, day FORMAT RowBinary"
    }

    private static func filters(signal: Signal?, service: String?) -> String {
        var sql = ""
        if let signal { sql += " AND signal = \(signal.rawValue)" }
        if let service { sql += " AND service = \(SQLLiteral.string(service))" }
        return sql
    }
}
