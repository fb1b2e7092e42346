/// Every statement census reads or maintains data with, as SQL text. Values enter only through ``SQLLiteral``.
///
/// Reads always merge aggregate states (`-Merge` + `GROUP BY`) over services and days; never `FINAL`. Every SELECT asks
/// for `FORMAT RowBinary` with explicit casts, so column types are the same on ClickHouse 18.16 and 26.x; the column
/// order is documented on each function and decoded positionally by ``ClickHouseMetadataReader``.
package enum MetadataQueries {
    /// Which names a signal-level query covers.
    package enum NameSelection: Sendable, Hashable {
        /// One page of names in byte order; `service` keeps names that service emitted.
        case page(service: String?, limit: Int, offset: Int)
        /// Exactly one name.
        case exact(String)
    }

    /// Rows per page beyond which `LIMIT` is spelled as "everything" (18.16 overflows on `LIMIT n, 2⁶⁴-1`).
    static let unlimited = 1_000_000_000_000

    // MARK: - Migrations

    /// One `UInt32`: the highest applied version (0 when none).
    package static func currentVersion(_ schema: Schema) -> String {
        "SELECT toUInt32(max(version)) FROM \(schema.migrationsTable) FORMAT RowBinary"
    }

    /// The names of the database's tables and views (RowBinary strings; none when the database does not exist).
    package static func tableNames(_ schema: Schema) -> String {
        "SELECT name FROM system.tables WHERE database = \(SQLLiteral.string(schema.database)) FORMAT RowBinary"
    }

    /// The names of the columns of `metadata` (RowBinary strings).
    package static func metadataColumnNames(_ schema: Schema) -> String {
        "SELECT name FROM system.columns WHERE database = \(SQLLiteral.string(schema.database)) "
            + "AND table = \(SQLLiteral.string(schema.unqualified(schema.metadataTable))) FORMAT RowBinary"
    }

    /// One `UInt32` per applied version.
    package static func appliedVersions(_ schema: Schema) -> String {
        "SELECT DISTINCT toUInt32(version) FROM \(schema.migrationsTable) FORMAT RowBinary"
    }

    // MARK: - Writes

    /// The INSERT a ``MetadataWriter`` body goes with (RowBinary in ``Schema/insertColumns`` order).
    package static func insertIngest(_ schema: Schema) -> String {
        "INSERT INTO \(schema.ingestTable) (\(Schema.insertColumns.map(\.name).joined(separator: ", "))) FORMAT RowBinary"
    }

    /// One `UInt32`: the server's clock, in seconds since the epoch (the clock the write fence is checked against).
    package static func serverTime() -> String {
        "SELECT toUInt32(now()) FORMAT RowBinary"
    }

    /// Removes all metadata, progress included.
    package static func truncate(_ schema: Schema) -> String {
        "TRUNCATE TABLE \(schema.metadataTable)"
    }

    // MARK: - Signals

    /// Signal-level facts per name, merged over services and days, ordered by name.
    ///
    /// Columns: name String, count UInt64, first_seen UInt32, last_seen UInt32, description String, unit String,
    /// metric_type UInt8, temporality UInt8, bounds Array(Float64) sorted, scales Array(Int32) sorted, span_kind UInt8,
    /// flags UInt8, status_codes UInt8, severity_number UInt8, event_names Array(String) sorted, instrumentation_scope String,
    /// then dropped attributes/events/links as (total UInt64, items UInt64, max UInt32) ×3, then tracked series UInt64
    /// (the merged series-fingerprint sketch: metrics only, 0 for rows written before it was kept).
    package static func signalSummaries(_ schema: Schema, signal: Signal, selection: NameSelection) -> String {
        let columns = [
            "name", "toUInt64(sumMerge(count))", "toUInt32(minMerge(first_seen))", "toUInt32(maxMerge(last_seen))",
            "maxMerge(description)", "maxMerge(unit)", "toUInt8(maxMerge(metric_type))", "toUInt8(maxMerge(temporality))",
            "\(Schema.boundSet.merged)", "\(Schema.scaleSet.merged)", "toUInt8(maxMerge(span_kind))",
            "toUInt8(groupBitOrMerge(flags))", "toUInt8(groupBitOrMerge(status_codes))", "toUInt8(maxMerge(severity_number))",
            "\(Schema.eventNameSet.merged)", "minMerge(instrumentation_scope)",
            "toUInt64(sumMerge(dropped_attributes_total))", "toUInt64(sumMerge(dropped_attributes_items))",
            "toUInt32(maxMerge(dropped_attributes_max))",
            "toUInt64(sumMerge(dropped_events_total))", "toUInt64(sumMerge(dropped_events_items))", "toUInt32(maxMerge(dropped_events_max))",
            "toUInt64(sumMerge(dropped_links_total))", "toUInt64(sumMerge(dropped_links_items))", "toUInt32(maxMerge(dropped_links_max))",
            "toUInt64(uniqCombinedArrayMerge(cardinality))",
        ].joined(separator: ", ")
        var sql = "SELECT \(columns) FROM \(schema.metadataTable) WHERE \(signalRows(signal))"
        switch selection {
        case .exact(let name):
            sql += " AND name = \(SQLLiteral.string(name)) GROUP BY name"
        case .page(let service, let limit, let offset):
            // The page of names is chosen first from the `name` column alone; only its rows' states are merged.
            var names = "SELECT name FROM \(schema.metadataTable) WHERE \(signalRows(signal))"
            if let service { names += " AND service = \(SQLLiteral.string(service))" }
            names += " GROUP BY name ORDER BY name" + limitClause(limit: limit, offset: offset)
            sql += " AND name IN (\(names)) GROUP BY name ORDER BY name"
        }
        return sql + " FORMAT RowBinary"
    }

    /// Two `UInt64`s: how many distinct names the signal has (that `service` emitted, when given), and their counts added up
    /// over every service (the list's `total_sample_count`).
    package static func signalNameCount(_ schema: Schema, signal: Signal, service: String?) -> String {
        var sql = "SELECT toUInt64(uniqExact(name)), toUInt64(sumMerge(count)) FROM \(schema.metadataTable) WHERE \(signalRows(signal))"
        if let service {
            sql += " AND name IN (SELECT name FROM \(schema.metadataTable) WHERE \(signalRows(signal)) AND service = \(SQLLiteral.string(service)))"
        }
        return sql + " FORMAT RowBinary"
    }

    /// Key statistics of the given names, merged over services and days.
    ///
    /// Columns: name String, scope UInt8, sub String (event name), key String, count UInt64, cardinality UInt64,
    /// samples Array(String) (the merged sample slots, 0xFF for an empty one, unsorted), small_samples Array(String) (the
    /// merged small value sets, exact when cardinality is at most 10). Ordered by name, scope, sub, key.
    /// - Precondition: `names` is not empty.
    package static func keyStats(_ schema: Schema, signal: Signal, names: [String]) -> String {
        "SELECT name, toUInt8(scope), sub, key, toUInt64(sumMerge(count)), toUInt64(uniqCombinedArrayMerge(cardinality)), "
            + "minForEachMerge(samples), \(Schema.smallSet.mergedAll) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.key.rawValue) AND signal = \(signal.rawValue) AND name IN \(SQLLiteral.stringList(names)) "
            + "GROUP BY name, scope, sub, key ORDER BY name, scope, sub, key FORMAT RowBinary"
    }

    /// Count per (name, service) of the given names.
    ///
    /// Columns: name String, service String, count UInt64. Ordered by name, service.
    /// - Precondition: `names` is not empty.
    package static func serviceCounts(_ schema: Schema, signal: Signal, names: [String]) -> String {
        "SELECT name, service, toUInt64(sumMerge(count)) FROM \(schema.metadataTable) "
            + "WHERE \(signalRows(signal)) AND name IN \(SQLLiteral.stringList(names)) "
            + "GROUP BY name, service ORDER BY name, service FORMAT RowBinary"
    }

    /// Body templates of the given log severities, merged over services and days.
    ///
    /// Columns: severity String, template String, count UInt64, example String. Ordered by severity, count desc, template.
    /// - Precondition: `severities` is not empty.
    package static func templates(_ schema: Schema, severities: [String]) -> String {
        "SELECT name, sub, toUInt64(sumMerge(count)) AS template_count, minMerge(example) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.template.rawValue) AND signal = \(Signal.log.rawValue) AND name IN \(SQLLiteral.stringList(severities)) "
            + "GROUP BY name, sub ORDER BY name, template_count DESC, sub FORMAT RowBinary"
    }

    // MARK: - Attribute catalog

    /// One page of the attribute catalog.
    ///
    /// Columns: key String, count UInt64, cardinality UInt64, samples Array(String) (merged sample slots, as in
    /// ``keyStats(_:signal:names:)``), small_samples Array(String) (as there), signals Array(UInt8) sorted,
    /// seen_as_resource UInt8, seen_as_attribute UInt8, first_seen UInt32, last_seen UInt32.
    /// Filters are applied after merging (HAVING), so counts and cardinality are always over every signal and scope.
    package static func attributes(_ schema: Schema, query: AttributeQuery) -> String {
        let order: String
        switch query.sortBy {
        case .cardinality: order = "a_cardinality"
        case .count: order = "a_count"
        case .key: order = "key"
        case .firstSeen: order = "a_first_seen"
        case .lastSeen: order = "a_last_seen"
        }
        let direction = query.descending ? "DESC" : "ASC"
        let tieBreak = query.sortBy == .key ? "" : ", key ASC"
        let limit = (query.limit ?? 0) > 0 ? query.limit ?? 0 : unlimited
        return catalogSelect(schema, whereKey: nil) + havingClause(query)
            + " ORDER BY \(order) \(direction)\(tieBreak)" + limitClause(limit: limit, offset: query.offset) + " FORMAT RowBinary"
    }

    /// One `UInt64`: how many catalog keys pass the query's filters (paging ignored).
    package static func attributeCount(_ schema: Schema, query: AttributeQuery) -> String {
        "SELECT toUInt64(count()) FROM (" + catalogSelect(schema, whereKey: nil) + havingClause(query) + ") FORMAT RowBinary"
    }

    /// One catalog key, columns as in ``attributes(_:query:)``; no row when the key is unknown.
    package static func attribute(_ schema: Schema, key: String) -> String {
        catalogSelect(schema, whereKey: key) + " FORMAT RowBinary"
    }

    // MARK: - Progress

    /// The stored progress segments of a topic (see ``AppliedOffsets``). Columns: partition String, incarnation String
    /// ('' = 0), segment start String ('' = 0), last_offset Int64.
    package static func storedProgress(_ schema: Schema, topic: String) -> String {
        "SELECT key, service, sub, toInt64(maxMerge(last_offset)) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.progress.rawValue) AND name = \(SQLLiteral.string(topic)) GROUP BY key, service, sub FORMAT RowBinary"
    }

    /// The stored progress segments of every topic. Columns: topic String, then as ``storedProgress(_:topic:)``.
    package static func allProgress(_ schema: Schema) -> String {
        "SELECT name, key, service, sub, toInt64(maxMerge(last_offset)) FROM \(schema.metadataTable) "
            + "WHERE kind = \(Schema.RowKind.progress.rawValue) GROUP BY name, key, service, sub FORMAT RowBinary"
    }

    /// The ids of the INSERTs into either ingest table the server is running now (one `String` per row), from any writer
    /// of any census version.
    package static func runningInserts(_ schema: Schema) -> String {
        let prefixes = schema.ingestTables.map { "position(query, \(SQLLiteral.string("INSERT INTO \($0) "))) = 1" }
        return "SELECT query_id FROM system.processes WHERE (\(prefixes.joined(separator: " OR "))) FORMAT RowBinary"
    }

    /// One `UInt64`: how many queries with this id the server is running (0 once an INSERT has finished or failed).
    package static func runningQueries(id: String) -> String {
        "SELECT toUInt64(count()) FROM system.processes WHERE query_id = \(SQLLiteral.string(id)) FORMAT RowBinary"
    }

    // MARK: - Pieces

    static func signalRows(_ signal: Signal) -> String {
        "kind = \(Schema.RowKind.signal.rawValue) AND signal = \(signal.rawValue)"
    }

    static func limitClause(limit: Int, offset: Int) -> String {
        " LIMIT \(SQLLiteral.integer(max(0, limit))) OFFSET \(SQLLiteral.integer(max(0, offset)))"
    }

    private static func catalogSelect(_ schema: Schema, whereKey key: String?) -> String {
        var sql =
            "SELECT key, toUInt64(sumMerge(count)) AS a_count, toUInt64(uniqCombinedArrayMerge(cardinality)) AS a_cardinality, "
            + "minForEachMerge(samples) AS a_samples, \(Schema.smallSet.mergedAll) AS a_small_samples, arraySort(groupUniqArray(toUInt8(signal))) AS a_signals, "
            + "toUInt8(max(scope = \(KeyScope.resource.rawValue))) AS a_resource, toUInt8(max(scope != \(KeyScope.resource.rawValue))) AS a_attribute, "
            + "toUInt32(minMerge(first_seen)) AS a_first_seen, toUInt32(maxMerge(last_seen)) AS a_last_seen "
            + "FROM \(schema.metadataTable) WHERE kind = \(Schema.RowKind.catalog.rawValue)"
        if let key { sql += " AND key = \(SQLLiteral.string(key))" }
        return sql + " GROUP BY key"
    }

    private static func havingClause(_ query: AttributeQuery) -> String {
        var conditions: [String] = []
        if let signal = query.signal { conditions.append("has(a_signals, \(signal.rawValue))") }
        switch query.scope {
        case .resource: conditions.append("a_resource = 1")
        case .attribute: conditions.append("a_attribute = 1")
        case .both: conditions.append("a_resource = 1 AND a_attribute = 1")
        case nil: break
        }
        if query.minCardinality > 0 { conditions.append("a_cardinality >= \(SQLLiteral.integer(query.minCardinality))") }
        if query.maxCardinality > 0 { conditions.append("a_cardinality <= \(SQLLiteral.integer(query.maxCardinality))") }
        return conditions.isEmpty ? "" : " HAVING " + conditions.joined(separator: " AND ")
    }
}
