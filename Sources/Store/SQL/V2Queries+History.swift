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

    /// One row per day in `range` that holds signal or key rows, ascending: day UInt16, signal rows UInt8 (0 or 1), key
    /// rows UInt8 (0 or 1). The newest day with signal rows is the changes feed's default `until`; only days with key rows
    /// get a column of ``keyChangesByDay(_:days:since:signal:service:)``. One `GROUP BY day` over the `day` column of
    /// the signal and key rows (what the key query's own day filter reads too).
    package static func storedDays(_ schema: Schema, range: DayRange) -> String {
        "SELECT toUInt16(day), toUInt8(max(kind = \(Schema.RowKind.signal.rawValue))), toUInt8(max(kind = \(Schema.RowKind.key.rawValue))) "
            + "FROM \(schema.metadataTable) WHERE kind IN (\(Schema.RowKind.signal.rawValue), \(Schema.RowKind.key.rawValue))" + days(range)
            + " GROUP BY day ORDER BY day FORMAT RowBinary"
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

    /// Ranges with key rows on at most this many days use ``keyChangesByDay(_:days:since:signal:service:)``, one
    /// `GROUP BY` with a column per day; others ``keyChanges(_:range:since:signal:service:)``, which groups keys × days
    /// first.
    package static let keyChangesInlineDays = 14

    /// The keys (signal, name, scope, event name, key) that may have changed between the baseline (the `days` before
    /// `since`) and the window (from `since`), in one `GROUP BY` over the keys: per day of `days` (ascending, at most
    /// ``keyChangesInlineDays``; at least one; the days of the range that hold key rows, see ``storedDays(_:range:)``:
    /// an empty day would only add a column of empty states), the day's estimated cardinality (its sketch states merged
    /// over services, never values) and its row count (0: no data that day). Only keys that appeared, vanished or grew
    /// come back.
    ///
    /// Columns: signal UInt8, name String, scope UInt8, sub String, key String, cardinalities Array(UInt64) and row counts
    /// Array(UInt64), both one element per day of `days`.
    package static func keyChangesByDay(_ schema: Schema, days: [UInt16], since: UInt16, signal: Signal?, service: String?) -> String {
        let rows = "FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.key.rawValue)" + filters(signal: signal, service: service)
        let grouping = " GROUP BY signal, name, scope, sub, key"
        let columns = "SELECT toUInt8(signal), name, toUInt8(scope), sub, key, "
        if days.count <= 1 {
            // One day: every key of it is new (a window day) or vanished (a baseline day), so all come back; merged
            // without `-If` (about 15% of the query on the read benchmark's 123,000 keys) and with no HAVING.
            let day = days.first ?? since
            return columns + "[toUInt64(uniqCombinedArrayMerge(cardinality))], [toUInt64(count())] " + rows
                + " AND day = toDate(\(SQLLiteral.string(DayRange.format(day))))" + grouping + " FORMAT RowBinary"
        }
        let dates = days.map { "toDate(\(SQLLiteral.string(DayRange.format($0))))" }
        let cardinalities = dates.map { "toUInt64(uniqCombinedArrayMergeIf(cardinality, day = \($0)))" }.joined(separator: ", ")
        let counts = dates.map { "toUInt64(countIf(day = \($0)))" }.joined(separator: ", ")
        let before = days.filter { $0 < since }.count
        // 1-based array positions: the baseline is 1...before, the window before+1...days.count.
        let baselineRows = before == 0 ? "0" : "arraySum(arraySlice(k_rows, 1, \(before)))"
        let baselineMax = before == 0 ? "0" : "arrayReduce('max', arraySlice(k_cardinalities, 1, \(before)))"
        let windowRows = "arraySum(arraySlice(k_rows, \(before + 1)))"
        let windowMax = "arrayReduce('max', arraySlice(k_cardinalities, \(before + 1)))"
        return columns + "[\(cardinalities)] AS k_cardinalities, [\(counts)] AS k_rows " + rows
            + V2Queries.days(DayRange(from: days.first, to: days.last)) + grouping
            + " HAVING \(baselineRows) = 0 OR \(windowRows) = 0 OR \(windowMax) > \(baselineMax) FORMAT RowBinary"
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
