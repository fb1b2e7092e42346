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

    /// The keys (signal, name, scope, event name, key) that may have changed between the baseline (days of `range`
    /// before `since`) and the window (from `since`): each key's daily estimated cardinality (the day's states merged
    /// over services: keys × days groups, one merged sketch each, never values) reduced per key in ClickHouse, so only
    /// keys that appeared, vanished or grew come back.
    ///
    /// Columns: signal UInt8, name String, scope UInt8, sub String, key String, baseline max UInt64, window max UInt64,
    /// in baseline UInt8, last baseline day UInt16, window days Array(UInt16), their cardinalities Array(UInt64).
    package static func keyChanges(_ schema: Schema, range: DayRange, since: UInt16, signal: Signal?, service: String?) -> String {
        let before = "day < toDate(\(SQLLiteral.string(DayRange.format(since))))"
        let during = "day >= toDate(\(SQLLiteral.string(DayRange.format(since))))"
        let daily = "SELECT signal, name, scope, sub, key, day, toUInt64(uniqCombinedArrayMerge(cardinality)) AS c FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.key.rawValue)" + filters(signal: signal, service: service) + days(range)
            + " GROUP BY signal, name, scope, sub, key, day"
        return "SELECT toUInt8(signal), name, toUInt8(scope), sub, key, toUInt64(maxIf(c, \(before))) AS baseline_max, "
            + "toUInt64(maxIf(c, \(during))) AS window_max, toUInt8(countIf(\(before)) > 0) AS in_baseline, "
            + "toUInt8(countIf(\(during)) > 0) AS in_window, toUInt16(maxIf(day, \(before))), "
            + "groupArrayIf(toUInt16(day), \(during)), groupArrayIf(c, \(during)) FROM (\(daily)) GROUP BY signal, name, scope, sub, key "
            + "HAVING in_baseline = 0 OR in_window = 0 OR window_max > baseline_max FORMAT RowBinary"
    }

    private static func filters(signal: Signal?, service: String?) -> String {
        var sql = ""
        if let signal { sql += " AND signal = \(signal.rawValue)" }
        if let service { sql += " AND service = \(SQLLiteral.string(service))" }
        return sql
    }
}
