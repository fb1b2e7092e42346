/// The cross-signal reads (services, cardinality reports, log patterns, per-service logs). Same rules as the rest of
/// ``MetadataQueries``: states merged with `-Merge` + `GROUP BY`, RowBinary with explicit casts, literals only through
/// ``SQLLiteral``; every statement runs on ClickHouse 18.16 and 26.x.
extension MetadataQueries {
    /// Key columns read with every key statistic: count UInt64, cardinality UInt64, samples Array(String), small_samples
    /// Array(String) (decoded by ``ClickHouseMetadataReader/decodeSamples(_:cardinality:)``).
    private static let keyStatColumns =
        "toUInt64(sumMerge(count)), toUInt64(uniqCombinedArrayMerge(cardinality)), "
        + "minForEachMerge(samples), \(Schema.smallSet.mergedAll)"

    /// Every service with signal rows. Columns: service String, sorted.
    package static func services(_ schema: Schema) -> String {
        "SELECT DISTINCT service FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.signal.rawValue) ORDER BY service FORMAT RowBinary"
    }

    /// Attribute and resource keys per (signal, name) with a merged cardinality of at least `threshold`.
    ///
    /// Columns: signal UInt8, name String, scope UInt8, key String, then the key statistic columns. Highest cardinality
    /// first, then signal, name, scope, key.
    package static func highCardinalityKeys(_ schema: Schema, threshold: UInt64, limit: Int) -> String {
        "SELECT toUInt8(signal), name, toUInt8(scope), key, toUInt64(sumMerge(count)), toUInt64(uniqCombinedArrayMerge(cardinality)) AS k_cardinality, "
            + "minForEachMerge(samples), \(Schema.smallSet.mergedAll) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.key.rawValue) AND scope IN (\(KeyScope.resource.rawValue), \(KeyScope.attribute.rawValue)) "
            + "GROUP BY signal, name, scope, key HAVING k_cardinality >= \(SQLLiteral.integer(threshold)) "
            + "ORDER BY k_cardinality DESC, signal, name, scope, key" + limitClause(limit: limit, offset: 0) + " FORMAT RowBinary"
    }

    /// Key counts per (signal, name): signal rows `LEFT JOIN` per-name counts over merged keys, so names without keys
    /// still count their histogram buckets.
    ///
    /// Columns: signal UInt8, name String, total_keys UInt64, attribute UInt64, resource UInt64, event UInt64, link UInt64,
    /// max_cardinality UInt64, high_cardinality UInt64. Ordered by total_keys desc, max_cardinality desc, signal, name.
    package static func complexity(_ schema: Schema, threshold: UInt64, limit: Int) -> String {
        let table = schema.metadataTable
        let event = KeyScope.event.rawValue
        let names =
            "SELECT signal, name, toUInt8(maxMerge(metric_type)) AS c_type, toUInt64(length(\(Schema.boundSet.merged))) AS c_bounds, "
            + "toUInt64(length(\(Schema.scaleSet.merged))) AS c_scales FROM \(table) WHERE kind = \(Schema.RowKind.signal.rawValue) GROUP BY signal, name"
        let perKey =
            "SELECT signal, name, scope, sub, key, uniqCombinedArrayMerge(cardinality) AS c_card FROM \(table) "
            + "WHERE kind = \(Schema.RowKind.key.rawValue) GROUP BY signal, name, scope, sub, key"
        let keys =
            "SELECT signal, name, toUInt64(countIf(scope = \(KeyScope.attribute.rawValue))) AS c_attribute, "
            + "toUInt64(countIf(scope = \(KeyScope.resource.rawValue))) AS c_resource, toUInt64(countIf(scope = \(event))) AS c_event, "
            + "toUInt64(countIf(scope = \(KeyScope.link.rawValue))) AS c_link, toUInt64(maxIf(c_card, scope != \(event))) AS c_max, "
            + "toUInt64(countIf(scope != \(event) AND c_card > \(SQLLiteral.integer(SignalComplexity.highCardinality)))) AS c_high "
            + "FROM (\(perKey)) GROUP BY signal, name"
        let buckets =
            "if(c_type = \(MetricType.histogram.rawValue), c_bounds + 1, if(c_type = \(MetricType.exponentialHistogram.rawValue), 10 * c_scales, 0))"
        return "SELECT toUInt8(signal), name, toUInt64(c_attribute + c_resource + c_event + c_link + \(buckets)) AS c_total, "
            + "c_attribute, c_resource, c_event, c_link, c_max, c_high FROM (\(names)) AS c_names ANY LEFT JOIN (\(keys)) AS c_keys USING (signal, name) "
            + "WHERE c_total >= \(SQLLiteral.integer(threshold)) ORDER BY c_total DESC, c_max DESC, signal, name"
            + limitClause(limit: limit, offset: 0) + " FORMAT RowBinary"
    }

    /// Log body templates grouped across severities. A (template, severity) qualifies with at least `minCount` records;
    /// a template is kept with at least `minServices` qualifying (severity, service) pairs.
    ///
    /// Columns: template String, severities Array(String), counts Array(UInt64) (parallel, unordered), example String
    /// (smallest non-empty). Ordered by total count desc, template.
    package static func logPatterns(_ schema: Schema, minCount: UInt64, minServices: Int, limit: Int) -> String {
        let perService =
            "SELECT sub AS p_template, name AS p_severity, service, sumMerge(count) AS p_service_count, minMerge(example) AS p_service_example "
            + "FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.template.rawValue) AND signal = \(Signal.log.rawValue) GROUP BY sub, name, service"
        let perSeverity =
            "SELECT p_template, p_severity, toUInt64(sum(p_service_count)) AS p_severity_count, toUInt64(count()) AS p_entries, "
            + "minIf(p_service_example, p_service_example != '') AS p_example FROM (\(perService)) GROUP BY p_template, p_severity "
            + "HAVING p_severity_count >= \(SQLLiteral.integer(minCount))"
        return "SELECT p_template, groupArray(p_severity), groupArray(p_severity_count), minIf(p_example, p_example != ''), "
            + "toUInt64(sum(p_severity_count)) AS p_total FROM (\(perSeverity)) GROUP BY p_template "
            + "HAVING sum(p_entries) >= \(SQLLiteral.integer(max(0, minServices))) ORDER BY p_total DESC, p_template"
            + limitClause(limit: limit, offset: 0) + " FORMAT RowBinary"
    }

    /// Which services emitted the given templates, per severity, with their template counts and examples.
    ///
    /// Columns: template String, severity String, service String, count UInt64, example String. Ordered by template,
    /// severity, service. `severity` restricts to one severity.
    /// - Precondition: `templates` is not empty.
    package static func templateServices(_ schema: Schema, templates: [String], severity: String? = nil) -> String {
        var sql =
            "SELECT sub, name, service, toUInt64(sumMerge(count)), minMerge(example) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.template.rawValue) AND signal = \(Signal.log.rawValue) AND sub IN \(SQLLiteral.stringList(templates))"
        if let severity { sql += " AND name = \(SQLLiteral.string(severity))" }
        return sql + " GROUP BY sub, name, service ORDER BY sub, name, service FORMAT RowBinary"
    }

    /// Log records per (severity, service) of the given severities. Columns: severity String, service String, count UInt64.
    /// - Precondition: `severities` is not empty.
    package static func logServiceCounts(_ schema: Schema, severities: [String]) -> String {
        "SELECT name, service, toUInt64(sumMerge(count)) FROM \(schema.metadataTable) WHERE \(signalRows(.log)) "
            + "AND name IN \(SQLLiteral.stringList(severities)) GROUP BY name, service ORDER BY name, service FORMAT RowBinary"
    }

    /// Attribute and resource keys per (severity, service) of the given severities and services.
    ///
    /// Columns: severity String, service String, scope UInt8, key String, then the key statistic columns. Ordered by
    /// severity, service, scope, key.
    /// - Precondition: `severities` and `services` are not empty.
    package static func logServiceKeys(_ schema: Schema, severities: [String], services: [String]) -> String {
        "SELECT name, service, toUInt8(scope), key, \(keyStatColumns) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.key.rawValue) AND signal = \(Signal.log.rawValue) "
            + "AND scope IN (\(KeyScope.resource.rawValue), \(KeyScope.attribute.rawValue)) AND name IN \(SQLLiteral.stringList(severities)) "
            + "AND service IN \(SQLLiteral.stringList(services)) GROUP BY name, service, scope, key ORDER BY name, service, scope, key FORMAT RowBinary"
    }

    /// One page of log counts per (service, severity). Columns: service String, severity String, count UInt64.
    package static func logCountsByService(_ schema: Schema, limit: Int, offset: Int) -> String {
        "SELECT service, name, toUInt64(sumMerge(count)) FROM \(schema.metadataTable) WHERE \(signalRows(.log)) "
            + "GROUP BY service, name ORDER BY service, name" + limitClause(limit: limit, offset: offset) + " FORMAT RowBinary"
    }

    /// One `UInt64`: how many (service, severity) pairs have logs.
    package static func logServicePairCount(_ schema: Schema) -> String {
        "SELECT toUInt64(count()) FROM (SELECT DISTINCT service, name FROM \(schema.metadataTable) WHERE \(signalRows(.log))) FORMAT RowBinary"
    }

    /// One service's templates of one severity. Columns: template String, count UInt64, example String; by count desc, template.
    package static func serviceTemplates(_ schema: Schema, service: String, severity: String) -> String {
        "SELECT sub, toUInt64(sumMerge(count)) AS t_count, minMerge(example) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.template.rawValue) AND signal = \(Signal.log.rawValue) AND name = \(SQLLiteral.string(severity)) "
            + "AND service = \(SQLLiteral.string(service)) GROUP BY sub ORDER BY t_count DESC, sub FORMAT RowBinary"
    }
}
