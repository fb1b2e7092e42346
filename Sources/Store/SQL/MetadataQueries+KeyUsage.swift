/// The reads of ``KeyUsageReading``. Same rules as the rest of ``MetadataQueries``: states merged with `-Merge` +
/// `GROUP BY`, RowBinary with explicit casts, literals only through ``SQLLiteral``; every statement runs on ClickHouse
/// 18.16 and 26.x.
extension MetadataQueries {
    /// Key rows of the attribute and resource scopes (the keys the reference's per-service and per-key views cover).
    private static func usageKeyRows() -> String {
        "kind = \(Schema.RowKind.key.rawValue) AND scope IN (\(KeyScope.resource.rawValue), \(KeyScope.attribute.rawValue))"
    }

    /// Span names with their kind, count and services, merged per (name, service) first.
    ///
    /// Columns: name String, kind UInt8, count UInt64, services Array(String) sorted. Ordered by name, at most `limit`.
    package static func spanNames(_ schema: Schema, limit: Int) -> String {
        "SELECT name, toUInt8(max(u_kind)), toUInt64(sum(u_count)), arraySort(groupArray(service)) FROM ("
            + "SELECT name, service, maxMerge(span_kind) AS u_kind, sumMerge(count) AS u_count FROM \(schema.metadataTable) "
            + "WHERE \(signalRows(.span)) GROUP BY name, service) GROUP BY name ORDER BY name" + limitClause(limit: limit, offset: 0)
            + " FORMAT RowBinary"
    }

    /// One page of the keys `service` sent. Columns: key String, in byte order.
    package static func serviceKeys(_ schema: Schema, service: String, limit: Int, offset: Int) -> String {
        "SELECT key FROM \(schema.metadataTable) WHERE \(usageKeyRows()) AND service = \(SQLLiteral.string(service)) "
            + "GROUP BY key ORDER BY key" + limitClause(limit: limit, offset: offset) + " FORMAT RowBinary"
    }

    /// One `UInt64`: how many keys `service` sent.
    package static func serviceKeyCount(_ schema: Schema, service: String) -> String {
        "SELECT toUInt64(uniqExact(key)) FROM \(schema.metadataTable) WHERE \(usageKeyRows()) AND service = \(SQLLiteral.string(service)) "
            + "FORMAT RowBinary"
    }

    /// One page of (service, signal) pairs that sent `key`. Columns: service String, signal UInt8, count UInt64.
    /// Ordered by count descending, then service, signal.
    package static func keyServices(_ schema: Schema, key: String, limit: Int, offset: Int) -> String {
        "SELECT service, toUInt8(signal), toUInt64(sumMerge(count)) AS u_count FROM \(schema.metadataTable) "
            + "WHERE \(usageKeyRows()) AND key = \(SQLLiteral.string(key)) GROUP BY service, signal "
            + "ORDER BY u_count DESC, service, signal" + limitClause(limit: limit, offset: offset) + " FORMAT RowBinary"
    }

    /// One `UInt64`: how many (service, signal) pairs sent `key`.
    package static func keyServiceCount(_ schema: Schema, key: String) -> String {
        "SELECT toUInt64(count()) FROM (SELECT service, signal FROM \(schema.metadataTable) WHERE \(usageKeyRows()) "
            + "AND key = \(SQLLiteral.string(key)) GROUP BY service, signal) FORMAT RowBinary"
    }

    /// The names carrying `key`, at most `limit` per signal. Columns: signal UInt8, name String, count UInt64 (both scopes
    /// added), cardinality UInt64 (the higher scope). Ordered by signal, name.
    package static func keyNames(_ schema: Schema, key: String, limit: Int) -> String {
        "SELECT toUInt8(signal), name, toUInt64(sum(u_count)), toUInt64(max(u_cardinality)) FROM ("
            + "SELECT signal, name, scope, sumMerge(count) AS u_count, uniqCombinedArrayMerge(cardinality) AS u_cardinality "
            + "FROM \(schema.metadataTable) WHERE \(usageKeyRows()) AND key = \(SQLLiteral.string(key)) GROUP BY signal, name, scope) "
            + "GROUP BY signal, name ORDER BY signal, name LIMIT \(SQLLiteral.integer(max(0, limit))) BY signal FORMAT RowBinary"
    }

    /// How many names of each signal carry `key`. Columns: signal UInt8, names UInt64.
    package static func keyNameCounts(_ schema: Schema, key: String) -> String {
        "SELECT toUInt8(signal), toUInt64(uniqExact(name)) FROM \(schema.metadataTable) WHERE \(usageKeyRows()) "
            + "AND key = \(SQLLiteral.string(key)) GROUP BY signal FORMAT RowBinary"
    }

    /// Per (signal, name, service) of the names ``keyNames(_:key:limit:)`` selects: count, metric type and span kind. The
    /// names are chosen by a subquery, not a literal list, so the statement stays small whatever `limit` is.
    ///
    /// Columns: signal UInt8, name String, service String, count UInt64, metric_type UInt8, span_kind UInt8. Ordered by
    /// signal, name, service.
    package static func keyNameServices(_ schema: Schema, key: String, limit: Int) -> String {
        let names =
            "SELECT signal, name FROM \(schema.metadataTable) WHERE \(usageKeyRows()) AND key = \(SQLLiteral.string(key)) "
            + "GROUP BY signal, name ORDER BY signal, name LIMIT \(SQLLiteral.integer(max(0, limit))) BY signal"
        return "SELECT toUInt8(signal), name, service, toUInt64(sumMerge(count)), toUInt8(maxMerge(metric_type)), toUInt8(maxMerge(span_kind)) "
            + "FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.signal.rawValue) AND (signal, name) IN (\(names)) "
            + "GROUP BY signal, name, service ORDER BY signal, name, service FORMAT RowBinary"
    }

    /// One `UInt64`: distinct log body templates over every severity and service.
    package static func logTemplateCount(_ schema: Schema) -> String {
        "SELECT toUInt64(uniqExact(sub)) FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.template.rawValue) "
            + "AND signal = \(Signal.log.rawValue) FORMAT RowBinary"
    }
}
