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

    /// Ranges of at most this many days use ``keyChangesByDay(_:days:since:signal:service:)``, one `GROUP BY` with a
    /// column per day; longer ones ``keyChanges(_:range:since:signal:service:)``, which groups keys × days first.
    package static let keyChangesInlineDays = 14

    /// The keys (signal, name, scope, event name, key) that may have changed between the baseline (the `days` before
    /// `since`) and the window (from `since`), in one `GROUP BY` over the keys: per day of `days` (ascending, at most
    /// ``keyChangesInlineDays``; at least one), the day's estimated cardinality (its sketch states merged over services,
    /// never values) and its row count (0: no data that day). Only keys that appeared, vanished or grew come back.
    ///
    /// Columns: signal UInt8, name String, scope UInt8, sub String, key String, cardinalities Array(UInt64) and row counts
    /// Array(UInt64), both one element per day of `days`.
    package static func keyChangesByDay(_ schema: Schema, days: [UInt16], since: UInt16, signal: Signal?, service: String?) -> String {
        let dates = days.map { "toDate(\(SQLLiteral.string(DayRange.format($0))))" }
        let cardinalities = dates.map { "toUInt64(uniqCombinedArrayMergeIf(cardinality, day = \($0)))" }.joined(separator: ", ")
        let rows = dates.map { "toUInt64(countIf(day = \($0)))" }.joined(separator: ", ")
        let before = days.filter { $0 < since }.count
        // 1-based array positions: the baseline is 1...before, the window before+1...days.count.
        let baselineRows = before == 0 ? "0" : "arraySum(arraySlice(k_rows, 1, \(before)))"
        let baselineMax = before == 0 ? "0" : "arrayReduce('max', arraySlice(k_cardinalities, 1, \(before)))"
        let windowRows = "arraySum(arraySlice(k_rows, \(before + 1)))"
        let windowMax = "arrayReduce('max', arraySlice(k_cardinalities, \(before + 1)))"
        let range = DayRange(from: days.first ?? since, to: days.last ?? since)
        return "SELECT toUInt8(signal), name, toUInt8(scope), sub, key, [\(cardinalities)] AS k_cardinalities, [\(rows)] AS k_rows "
            + "FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.key.rawValue)" + filters(signal: signal, service: service)
            + V2Queries.days(range)
            + " GROUP BY signal, name, scope, sub, key HAVING \(baselineRows) = 0 OR \(windowRows) = 0 OR \(windowMax) > \(baselineMax) FORMAT RowBinary"
    }

    /// The keys that may have changed, as ``keyChangesByDay(_:days:since:signal:service:)`` finds them, for a range of
    /// any length: each key's daily estimated cardinality (keys × days groups, one merged sketch each) reduced per key
    /// in ClickHouse, so only keys that appeared, vanished or grew come back.
    ///
    /// Columns: signal UInt8, name String, scope UInt8, sub String, key String, baseline max UInt64, window max UInt64,
    /// in baseline UInt8, last baseline day UInt16, window days Array(UInt16), their cardinalities Array(UInt64).
    package static func keyChanges(_ schema: Schema, range: DayRange, since: UInt16, signal: Signal?, service: String?) -> String {
        let before = "day < toDate(\(SQLLiteral.string(DayRange.format(since))))"
        let during = "day >= toDate(\(SQLLiteral.string(DayRange.format(since))))"
        let daily =
            "SELECT signal, name, scope, sub, key, day, toUInt64(uniqCombinedArrayMerge(cardinality)) AS c FROM \(schema.metadataTable) "
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
