/// SQL of ``ExplorerReading``. Key places and service keys read the key rows (kind 2: catalog rows carry no name or
/// service); a key's overall statistics read its catalog rows (kind 5, already merged over names and services, and
/// found by the sorting key's prefix). Every read is bounded by keys × days in range, never by values, and each route
/// runs two queries (concurrently: the API has two read slots by default).
extension V2Queries {
    /// One row, or none when the key has no catalog row in range: count UInt64, cardinality UInt64, samples
    /// Array(String), small_samples Array(String) (as in ``MetadataQueries/keyStats(_:signal:names:)``), signals
    /// Array(UInt8) sorted, places UInt64 (how many places the key has in range, from its key rows).
    package static func keyOverall(_ schema: Schema, key: String, range: DayRange) -> String {
        let places =
            "SELECT count() FROM (SELECT signal FROM \(schema.metadataTable) \(keyRows(key: key, range: range)) "
            + "GROUP BY signal, name, scope, service)"
        return "SELECT toUInt64(sumMerge(count)), toUInt64(uniqCombinedArrayMerge(cardinality)), minForEachMerge(samples), "
            + "\(Schema.smallSet.mergedAll), arraySort(groupUniqArray(toUInt8(signal))), \(scalar(places)) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.catalog.rawValue) AND key = \(SQLLiteral.string(key))\(days(range)) GROUP BY key FORMAT RowBinary"
    }

    /// One page of a key's places. Columns: signal UInt8, name String, scope UInt8, service String, count UInt64,
    /// cardinality UInt64; ordered by cardinality desc, then signal, name, scope, service.
    package static func keyPlaces(_ schema: Schema, key: String, range: DayRange, limit: Int, offset: Int) -> String {
        "SELECT toUInt8(signal) AS p_signal, name, toUInt8(scope) AS p_scope, service, toUInt64(sumMerge(count)), "
            + "toUInt64(uniqCombinedArrayMerge(cardinality)) AS p_cardinality FROM \(schema.metadataTable) \(keyRows(key: key, range: range)) "
            + "GROUP BY p_signal, name, p_scope, service ORDER BY p_cardinality DESC, p_signal, name, p_scope, service"
            + MetadataQueries.limitClause(limit: limit, offset: offset) + " FORMAT RowBinary"
    }

    /// A service's totals per signal it emitted in range. Columns: signal UInt8, names UInt64, items UInt64, keys UInt64
    /// (distinct (scope, key) pairs of its key rows); ordered by signal.
    package static func serviceSignals(_ schema: Schema, service: String, range: DayRange) -> String {
        let keyCounts =
            "SELECT k_signal AS s_signal, toUInt64(count()) AS s_keys FROM (SELECT toUInt8(signal) AS k_signal FROM "
            + "\(schema.metadataTable) \(serviceKeyRows(service: service, signal: nil, range: range)) GROUP BY signal, scope, key) GROUP BY k_signal"
        return "SELECT s_signal, s_names, s_items, toUInt64(ifNull(s_keys, 0)) FROM (SELECT toUInt8(signal) AS s_signal, "
            + "toUInt64(uniqExact(name)) AS s_names, toUInt64(sumMerge(count)) AS s_items FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.signal.rawValue) AND service = \(SQLLiteral.string(service))\(days(range)) GROUP BY s_signal) AS totals "
            + "ANY LEFT JOIN (\(keyCounts)) AS key_counts USING s_signal ORDER BY s_signal FORMAT RowBinary"
    }

    /// One page of the keys a service emitted in range (of `signal` only, when given). Columns: signal UInt8, scope
    /// UInt8, key String, count UInt64, cardinality UInt64; ordered by cardinality desc, then signal, scope, key.
    package static func serviceKeys(_ schema: Schema, service: String, signal: Signal?, range: DayRange, limit: Int, offset: Int) -> String {
        "SELECT toUInt8(signal) AS k_signal, toUInt8(scope) AS k_scope, key, toUInt64(sumMerge(count)), "
            + "toUInt64(uniqCombinedArrayMerge(cardinality)) AS k_cardinality FROM \(schema.metadataTable) "
            + "\(serviceKeyRows(service: service, signal: signal, range: range)) "
            + "GROUP BY k_signal, k_scope, key ORDER BY k_cardinality DESC, k_signal, k_scope, key"
            + MetadataQueries.limitClause(limit: limit, offset: offset) + " FORMAT RowBinary"
    }

    /// `PREWHERE key = … WHERE kind = 2 …`: `key` and `service` are sorting-key columns, which ClickHouse never moves
    /// to PREWHERE by itself, and without it every key row's state columns are read before the filter (57 MiB instead
    /// of 6 MiB for one key on the read-benchmark store).
    private static func keyRows(key: String, range: DayRange) -> String {
        "PREWHERE key = \(SQLLiteral.string(key)) WHERE kind = \(Schema.RowKind.key.rawValue)\(days(range))"
    }

    /// `PREWHERE service = … WHERE kind = 2 …` (see ``keyRows(key:range:)``).
    private static func serviceKeyRows(service: String, signal: Signal?, range: DayRange) -> String {
        var sql = "PREWHERE service = \(SQLLiteral.string(service)) WHERE kind = \(Schema.RowKind.key.rawValue)"
        if let signal { sql += " AND signal = \(signal.rawValue)" }
        return sql + days(range)
    }
}
