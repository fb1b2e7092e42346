/// The SQL of ``LabelReading``: per-label detail, active series per metric, the TSDB status.
///
/// A metric's active series are the merged `cardinality` state of its signal rows (fingerprint hashes of its data
/// points); a key's top values come from the `heavy_hitters` (value hash → items) and `heavy_texts`
/// (`<16 hex digits of the hash>:<text>`) states of its key rows, joined by hash in Swift.
extension V2Queries {
    /// The facts a series estimate needs, merged over the grouped rows: count UInt64, tracked series UInt64,
    /// metric_type UInt8, bound count UInt64 (distinct bounds), largest scale Int32 (0 when none).
    static let activeSeriesColumns =
        "toUInt64(sumMerge(count)), toUInt64(uniqCombinedArrayMerge(cardinality)), toUInt8(maxMerge(metric_type)), "
        + "toUInt64(length(\(Schema.boundSet.merged))), toInt32(arrayReduce('max', \(Schema.scaleSet.merged)))"

    // MARK: - Per-label detail

    /// The name's signal row in the range: series columns (``activeSeriesColumns``); no row when it has no item there.
    package static func labelSignal(_ schema: Schema, signal: Signal, name: String, range: DayRange, service: String?) -> String {
        "SELECT \(activeSeriesColumns) FROM \(schema.metadataTable) WHERE \(MetadataQueries.signalRows(signal)) AND name = \(SQLLiteral.string(name))"
            + labelServiceFilter(service) + days(range) + " GROUP BY name FORMAT RowBinary"
    }

    /// Every key of the name in the range.
    ///
    /// Columns: scope UInt8, sub String (event name), key String, count UInt64, cardinality UInt64, samples Array(String),
    /// small_samples Array(String) (as ``MetadataQueries/keyStats(_:signal:names:)``). Ordered by scope, sub, key.
    package static func labelKeys(_ schema: Schema, signal: Signal, name: String, range: DayRange, service: String?) -> String {
        "SELECT toUInt8(scope), sub, key, toUInt64(sumMerge(count)), toUInt64(uniqCombinedArrayMerge(cardinality)), "
            + "minForEachMerge(samples), \(Schema.smallSet.mergedAll) FROM \(schema.metadataTable) "
            + "WHERE \(labelKeyRows(signal)) AND name = \(SQLLiteral.string(name))" + labelServiceFilter(service) + days(range)
            + " GROUP BY scope, sub, key ORDER BY scope, sub, key FORMAT RowBinary"
    }

    /// The heavy hitters of the given keys of the name in the range (every scope and event name of those keys).
    ///
    /// Columns: scope UInt8, sub String, key String, hashes Array(UInt64), counts Array(UInt64) (the merged `sumMap`),
    /// texts Array(String) (the merged `heavy_texts`).
    /// - Precondition: `keys` is not empty.
    package static func labelHeavyHitters(_ schema: Schema, signal: Signal, name: String, range: DayRange, service: String?, keys: [String]) -> String
    {
        "SELECT toUInt8(scope), sub, key, \(heavyHitterColumns) FROM \(schema.metadataTable) "
            + "WHERE \(labelKeyRows(signal)) AND name = \(SQLLiteral.string(name)) AND key IN \(SQLLiteral.stringList(keys))"
            + labelServiceFilter(service) + days(range) + " GROUP BY scope, sub, key FORMAT RowBinary"
    }

    // MARK: - Active series

    /// One page of metric names with an item in the query's range (emitted by its service, when given), in its order.
    /// One `String` per row.
    package static func activeSeriesNames(_ schema: Schema, query: MetricSeriesQuery) -> String {
        var sql = "SELECT name FROM \(schema.metadataTable) WHERE \(MetadataQueries.signalRows(.metric))" + days(query.range)
        switch query.order {
        case .name:
            sql += labelServiceFilter(query.service) + " GROUP BY name ORDER BY name"
        case .series:
            // Every service's rows count towards the order; the service only selects names.
            if let service = query.service {
                sql +=
                    " AND name IN (SELECT name FROM \(schema.metadataTable) WHERE \(MetadataQueries.signalRows(.metric))"
                    + " AND service = \(SQLLiteral.string(service))" + days(query.range) + " GROUP BY name)"
            }
            sql += " GROUP BY name ORDER BY greatest(toUInt64(uniqCombinedArrayMerge(cardinality)), 1) DESC, name"
        }
        return sql + MetadataQueries.limitClause(limit: query.limit, offset: query.offset) + " FORMAT RowBinary"
    }

    /// One `UInt64`: the metric names ``activeSeriesNames(_:query:)`` pages through.
    package static func activeSeriesNameCount(_ schema: Schema, query: MetricSeriesQuery) -> String {
        "SELECT toUInt64(uniqExact(name)) FROM \(schema.metadataTable) WHERE \(MetadataQueries.signalRows(.metric))"
            + labelServiceFilter(query.service) + days(query.range) + " FORMAT RowBinary"
    }

    /// Series facts of the given metrics in the range, per name and, with `perService`, per (name, service).
    ///
    /// Columns: name String, service String ('' unless `perService`), then ``activeSeriesColumns``. Ordered by name, service.
    /// - Precondition: `names` is not empty.
    package static func activeSeriesFacts(_ schema: Schema, names: [String], range: DayRange, perService: Bool) -> String {
        let service = perService ? "service" : "''"
        let group = perService ? "name, service" : "name"
        return "SELECT name, \(service), \(activeSeriesColumns) FROM \(schema.metadataTable) WHERE \(MetadataQueries.signalRows(.metric))"
            + " AND name IN \(SQLLiteral.stringList(names))" + days(range) + " GROUP BY \(group) ORDER BY \(group) FORMAT RowBinary"
    }

    // MARK: - TSDB status

    /// Every metric in the range. Columns: name String, then ``activeSeriesColumns``, then first_seen UInt32, last_seen UInt32.
    /// The bound count and largest scale are 0 here: merging those `topK` states for every metric cost several times the
    /// rest of the query, so only histograms get them, from ``activeSeriesFacts(_:names:range:perService:)``.
    package static func tsdbMetrics(_ schema: Schema, range: DayRange) -> String {
        "SELECT name, toUInt64(sumMerge(count)), toUInt64(uniqCombinedArrayMerge(cardinality)), toUInt8(maxMerge(metric_type)), "
            + "toUInt64(0), toInt32(0), toUInt32(minMerge(first_seen)), toUInt32(maxMerge(last_seen)) FROM \(schema.metadataTable) "
            + "WHERE \(MetadataQueries.signalRows(.metric))" + days(range) + " GROUP BY name FORMAT RowBinary"
    }

    /// The metric label names (attribute and resource keys of the catalog, scopes merged) in the range, one row each:
    /// key String, cardinality UInt64, memory UInt64 — the cardinality × the average UTF-8 length of the key's sample
    /// texts (``Schema/sampleLengthStateColumns``: two sums per row, no texts merged), rounded down. Unordered: the
    /// reader counts, sums and picks the top N itself (``ClickHouseMetadataReader/labelFigures(_:top:)``). Ranking in
    /// the query (an `arraySort` of every label's tuple, twice) cost more than the aggregation: 140 against 65 ms on
    /// the read benchmark's 100,000 label names (ClickHouse 18.16, under its ingest), for 3.4 MB of rows instead.
    package static func tsdbLabels(_ schema: Schema, range: DayRange) -> String {
        "SELECT key, toUInt64(uniqCombinedArrayMerge(cardinality)) AS l_cardinality, "
            + "toUInt64(if(sumMerge(sample_items) = 0, 0, l_cardinality * sumMerge(sample_bytes) / sumMerge(sample_items))) "
            + "FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.catalog.rawValue) AND signal = \(Signal.metric.rawValue) "
            + "AND scope IN (\(labelScopes))" + days(range) + " GROUP BY key FORMAT RowBinary"
    }

    /// The heavy hitters of the labels (attribute and resource keys, scopes merged) of the given metrics in the range
    /// that have any, or of label `key` only.
    ///
    /// Columns: name String, key String, hashes Array(UInt64), counts Array(UInt64), texts Array(String).
    /// - Precondition: `metrics` is not empty.
    package static func tsdbHeavyHitters(_ schema: Schema, metrics: [String], range: DayRange, key: String?) -> String {
        var sql =
            "SELECT name, key, \(heavyHitterColumns) FROM \(schema.metadataTable) WHERE \(labelKeyRows(.metric)) "
            + "AND name IN \(SQLLiteral.stringList(metrics)) AND scope IN (\(labelScopes))"
        if let key { sql += " AND key = \(SQLLiteral.string(key))" }
        return sql + days(range) + " GROUP BY name, key HAVING notEmpty(tupleElement(h_map, 1)) FORMAT RowBinary"
    }

    // MARK: - Pieces

    /// Merged heavy hitters: hashes Array(UInt64), counts Array(UInt64), texts Array(String).
    /// (the merged `sumMap` is a tuple of the two arrays, which RowBinary writes one after the other).
    static let heavyHitterColumns = "sumMapMerge(heavy_hitters) AS h_map, \(Schema.heavyTextSet.mergedAll)"

    /// Metric keys that are labels: resource and data point attributes.
    static let labelScopes = "\(KeyScope.resource.rawValue), \(KeyScope.attribute.rawValue)"

    static func labelKeyRows(_ signal: Signal) -> String {
        "kind = \(Schema.RowKind.key.rawValue) AND signal = \(signal.rawValue)"
    }

    static func labelServiceFilter(_ service: String?) -> String {
        service.map { " AND service = \(SQLLiteral.string($0))" } ?? ""
    }
}
