/// SQL of ``ExplorerReading``. Key places and service keys read the key rows (kind 2: catalog rows carry no name or
/// service); a key's overall statistics read its catalog rows (kind 5, already merged over names and services, and
/// found by the sorting key's prefix). Every read is bounded by keys × days in range, never by values.
extension V2Queries {
    /// One row, or none when the key has no catalog row in range: count UInt64, cardinality UInt64, samples
    /// Array(String), small_samples Array(String) (as in ``MetadataQueries/keyStats(_:signal:names:)``), signals
    /// Array(UInt8) sorted.
    package static func keyOverall(_ schema: Schema, key: String, range: DayRange) -> String {
        "SELECT toUInt64(sumMerge(count)), toUInt64(uniqCombinedArrayMerge(cardinality)), minForEachMerge(samples), "
            + "topKArrayMerge(10)(small_samples), arraySort(groupUniqArray(toUInt8(signal))) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.catalog.rawValue) AND key = \(SQLLiteral.string(key))\(days(range)) GROUP BY key FORMAT RowBinary"
    }

    /// One page of a key's places. Columns: signal UInt8, name String, scope UInt8, service String, count UInt64,
    /// cardinality UInt64; ordered by cardinality desc, then signal, name, scope, service.
    package static func keyPlaces(_ schema: Schema, key: String, range: DayRange, limit: Int, offset: Int) -> String {
        "SELECT toUInt8(signal) AS p_signal, name, toUInt8(scope) AS p_scope, service, toUInt64(sumMerge(count)), "
            + "toUInt64(uniqCombinedArrayMerge(cardinality)) AS p_cardinality FROM \(schema.metadataTable) WHERE \(keyRows(key: key, range: range)) "
            + "GROUP BY p_signal, name, p_scope, service ORDER BY p_cardinality DESC, p_signal, name, p_scope, service"
            + MetadataQueries.limitClause(limit: limit, offset: offset) + " FORMAT RowBinary"
    }

    /// One `UInt64`: how many places the key has in range.
    package static func keyPlaceCount(_ schema: Schema, key: String, range: DayRange) -> String {
        "SELECT toUInt64(count()) FROM (SELECT signal FROM \(schema.metadataTable) WHERE \(keyRows(key: key, range: range)) "
            + "GROUP BY signal, name, scope, service) FORMAT RowBinary"
    }

    /// A service's totals per signal it emitted in range. Columns: signal UInt8, names UInt64, items UInt64; ordered by
    /// signal.
    package static func serviceSignals(_ schema: Schema, service: String, range: DayRange) -> String {
        "SELECT toUInt8(signal) AS s_signal, toUInt64(uniqExact(name)), toUInt64(sumMerge(count)) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.signal.rawValue) AND service = \(SQLLiteral.string(service))\(days(range)) "
            + "GROUP BY s_signal ORDER BY s_signal FORMAT RowBinary"
    }

    /// How many (scope, key) pairs the service emitted per signal in range. Columns: signal UInt8, keys UInt64.
    package static func serviceKeyCounts(_ schema: Schema, service: String, range: DayRange) -> String {
        "SELECT k_signal, toUInt64(count()) FROM (SELECT toUInt8(signal) AS k_signal FROM \(schema.metadataTable) "
            + "WHERE \(serviceKeyRows(service: service, signal: nil, range: range)) GROUP BY signal, scope, key) "
            + "GROUP BY k_signal ORDER BY k_signal FORMAT RowBinary"
    }

    /// One page of the keys a service emitted in range (of `signal` only, when given). Columns: signal UInt8, scope
    /// UInt8, key String, count UInt64, cardinality UInt64; ordered by cardinality desc, then signal, scope, key.
    package static func serviceKeys(_ schema: Schema, service: String, signal: Signal?, range: DayRange, limit: Int, offset: Int) -> String {
        "SELECT toUInt8(signal) AS k_signal, toUInt8(scope) AS k_scope, key, toUInt64(sumMerge(count)), "
            + "toUInt64(uniqCombinedArrayMerge(cardinality)) AS k_cardinality FROM \(schema.metadataTable) "
            + "WHERE \(serviceKeyRows(service: service, signal: signal, range: range)) "
            + "GROUP BY k_signal, k_scope, key ORDER BY k_cardinality DESC, k_signal, k_scope, key"
            + MetadataQueries.limitClause(limit: limit, offset: offset) + " FORMAT RowBinary"
    }

    private static func keyRows(key: String, range: DayRange) -> String {
        "kind = \(Schema.RowKind.key.rawValue) AND key = \(SQLLiteral.string(key))\(days(range))"
    }

    private static func serviceKeyRows(service: String, signal: Signal?, range: DayRange) -> String {
        var sql = "kind = \(Schema.RowKind.key.rawValue) AND service = \(SQLLiteral.string(service))"
        if let signal { sql += " AND signal = \(signal.rawValue)" }
        return sql + days(range)
    }
}
