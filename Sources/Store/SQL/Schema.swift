/// census's ClickHouse objects and their DDL, for one database. Works unchanged on ClickHouse 18.16 and 26.x.
///
/// One physical write path makes one INSERT atomic: rows go into `metadata_ingest_v5` (`ENGINE = Null`, stores nothing;
/// `metadata_ingest` before migration 4, `metadata_ingest_v4` before migration 5), and the materialized view
/// `metadata_mv_v5` folds each inserted block into
/// aggregate states in `metadata`
/// (`AggregatingMergeTree`, no `PARTITION BY`), so a block becomes exactly one part. Data rows and the per-partition
/// progress row of a batch therefore land together or not at all.
///
/// Rows are told apart by `kind` (``RowKind``); the same key columns serve every kind:
///
/// | kind | name | service | scope | sub | key |
/// |---|---|---|---|---|---|
/// | 1 signal | metric/span name, log severity | service | 0 | '' | '' |
/// | 2 key | as kind 1 | service | ``KeyScope`` | event name (scope 3) | attribute key |
/// | 3 template | log severity | service | 0 | template text | '' |
/// | 4 progress | Kafka topic | incarnation ('' = 0) | 0 | segment start ('' = 0) | partition number as text |
/// | 5 catalog | '' | '' | ``KeyScope`` | '' | attribute key |
/// | 6 watch value | watched key | '' | 0 | value text | '' |
/// | 7 watch overflow | watched key | '' | 0 | '' | '' |
/// | 8 watch coverage | watched key | Kafka topic | 0 | `<incarnation>:<segment start>` | partition number as text |
///
/// Storage grows with keys, never with values: cardinality is a `uniqCombined` state over 64-bit value hashes, value
/// samples are ten hash-bucket minima (`minForEach` over the ``SampleSlots`` of each row: `samples` always carries
/// ``KeyAggregate/maxSamples`` strings for key and catalog rows, an empty slot being the single byte 0xFF), and every
/// other list (bounds, scales, event names) is a bounded `topK` state. ClickHouse 18.16 has no `groupUniqArray(N)`, so
/// `topK(N)` (distinct, bounded, exact while there are at most 3·N distinct values) stands in for it. N is kept small
/// (64 bounds, 32 scales, 64 event names: exact up to 192, 96 and 192 distinct values) because a `topK` state costs
/// reading time proportional to N for every row a query touches, and `index_granularity = 256` keeps the rows a point
/// query touches few: reads of one name take milliseconds, not the hundreds they took with 8192-row granules.
package struct Schema: Sendable, Hashable {
    /// The database census uses unless configured otherwise.
    package static let defaultDatabase = "census"
    /// The schema in database `census`.
    package static let `default` = Schema(validatedDatabase: defaultDatabase)

    /// Values of the `kind` column. Stored; never renumber.
    package enum RowKind: UInt8, Sendable, CaseIterable {
        case signal = 1, key = 2, template = 3, progress = 4, catalog = 5
        /// A value of a deep-watched key (``WatchedValueAggregate``, ``WatchQueries``).
        case watchValue = 6
        /// Observations of a deep-watched key's values past its limit of distinct values.
        case watchOverflow = 7
        /// Offsets whose records' values of a deep-watched key are stored (``WatchCoverage``, ``WatchQueries``); like
        /// progress rows, day 0 and never removed by retention.
        case watchCoverage = 8
    }

    /// The database name (a plain identifier).
    package let database: String
    /// On a replicated cluster: how DDL reaches every host and which replicated engines it uses; `nil` (the default)
    /// for a single server, whose DDL is unchanged.
    package let cluster: ClusterDDL?

    /// - Throws: ``StoreError/Kind/invalidIdentifier`` unless `database` matches `[A-Za-z_][A-Za-z0-9_]*`.
    package init(database: String = Schema.defaultDatabase, cluster: ClusterDDL? = nil) throws(StoreError) {
        self.database = try SQLLiteral.identifier(database)
        self.cluster = cluster
    }

    private init(validatedDatabase: String) {
        self.database = validatedDatabase
        self.cluster = nil
    }

    /// ` ON CLUSTER <name>` on a cluster, else empty: follows the object name of every DDL statement.
    package var onCluster: String { cluster?.onCluster ?? "" }

    /// The engine clause of a MergeTree-family table: `engine[(arguments)]` on a single server, its `Replicated…` twin
    /// (ZooKeeper path of `database.table`, replica name) on a cluster.
    package func engine(_ engine: String, arguments: String = "", table: String) -> String {
        guard let cluster else { return arguments.isEmpty ? engine : "\(engine)(\(arguments))" }
        return cluster.engine(engine, arguments: arguments, database: database, table: table)
    }

    /// `database.metadata_ingest_v9`: the Null table every write goes to (migration 9; see ``ingestTableV1``).
    package var ingestTable: String { "\(database).metadata_ingest_v9" }
    /// `database.metadata_mv_v9`: the view from ``ingestTable`` into `metadata`.
    package var viewName: String { "\(database).metadata_mv_v9" }
    /// `database.metadata_ingest_v5`: the Null table of migration 5, dropped by migration 9 (a writer of an older version
    /// then gets "table doesn't exist" and commits nothing).
    package var ingestTableV5: String { "\(database).metadata_ingest_v5" }
    /// `database.metadata_mv_v5`: the view from ``ingestTableV5`` into `metadata` (dropped by migration 9).
    package var viewNameV5: String { "\(database).metadata_mv_v5" }
    /// `database.metadata_ingest_v4`: the Null table of migration 4, written by census versions before migration 5 (after
    /// migration 5 its view fails on 18.16, as ``ingestTableV1``'s does after migration 4).
    package var ingestTableV4: String { "\(database).metadata_ingest_v4" }
    /// `database.metadata_mv_v4`: the view from ``ingestTableV4`` into `metadata`.
    package var viewNameV4: String { "\(database).metadata_mv_v4" }
    /// `database.metadata_ingest`: the Null table of migrations 1–3, written by census versions before migration 4.
    /// After migration 4 its view fails on ClickHouse 18.16 (the target has columns the view does not produce), so a
    /// writer of an older version gets an error and commits nothing: nothing is lost, it resumes once upgraded.
    package var ingestTableV1: String { "\(database).metadata_ingest" }
    /// `database.metadata_mv`: the view from ``ingestTableV1`` into `metadata` (migration 1).
    package var viewNameV1: String { "\(database).metadata_mv" }
    /// Every ingest table a census version wrote to, for finding running INSERTs of any census version.
    package var ingestTables: [String] { [ingestTable, ingestTableV5, ingestTableV4, ingestTableV1] }
    /// `database.metadata`: the aggregate states every read comes from.
    package var metadataTable: String { "\(database).metadata" }
    /// `database.quarantine`: records that could not be ingested (see ``QuarantinedRecord``).
    package var quarantineTable: String { "\(database).quarantine" }
    /// `database.schema_migrations`: applied migration versions.
    package var migrationsTable: String { "\(database).schema_migrations" }
    /// `database.sessions`: named day ranges and imported snapshots (migration 6, see ``SessionQueries``).
    package var sessionsTable: String { "\(database).sessions" }
    /// `database.watches`: the deep-watch list (migration 7, see ``WatchQueries``).
    package var watchesTable: String { "\(database).watches" }

    // MARK: - Columns

    /// The columns that identify a row of `metadata` (its sorting key), in order.
    package static let keyColumns: [(name: String, type: String)] = [
        ("kind", "UInt8"), ("signal", "UInt8"), ("name", "String"), ("service", "String"),
        ("scope", "UInt8"), ("sub", "String"), ("key", "String"), ("day", "Date"),
    ]

    /// The value columns of `metadata_ingest`, in the order ``RowBinaryEncoder`` writes them after the key columns.
    package static let ingestValueColumns: [(name: String, type: String)] = [
        ("first_seen", "DateTime"), ("last_seen", "DateTime"), ("count", "UInt64"),
        ("value_hashes", "Array(UInt64)"), ("samples", "Array(String)"),
        ("small_values", "Array(String)"),
        ("description", "String"), ("unit", "String"), ("metric_type", "UInt8"), ("temporality", "UInt8"),
        ("bounds", "Array(Float64)"), ("scales", "Array(Int32)"),
        ("span_kind", "UInt8"), ("flags", "UInt8"), ("status_codes", "UInt8"), ("severity_number", "UInt8"),
        ("event_names", "Array(String)"), ("instrumentation_scope", "String"),
        ("dropped_attributes_total", "UInt64"), ("dropped_attributes_items", "UInt64"), ("dropped_attributes_max", "UInt32"),
        ("dropped_events_total", "UInt64"), ("dropped_events_items", "UInt64"), ("dropped_events_max", "UInt32"),
        ("dropped_links_total", "UInt64"), ("dropped_links_items", "UInt64"), ("dropped_links_max", "UInt32"),
        ("example", "String"), ("last_offset", "Int64"),
    ]

    /// The columns of `metadata_ingest` as migration 1 created them.
    package static var ingestColumns: [(name: String, type: String)] { keyColumns + ingestValueColumns }

    /// The write fence (migration 3): every INSERT row carries `fence_deadline`, the last second (server clock) at which
    /// the row may still be stored; `fence_check` is computed by ClickHouse for every inserted block and throws (code 395,
    /// the whole INSERT fails, nothing is stored) when the server's `now()` is past a row's deadline. Writers that do not
    /// send the column (older census versions) get the default, which never expires. Only progress rows carry a real
    /// deadline: one expired row fails the whole block, so the data and its progress are refused together.
    package static let fenceDeadlineColumn = (name: "fence_deadline", type: "DateTime")
    /// `fence_deadline` of rows that may land at any time (the largest `DateTime`).
    package static let unfencedDeadline: UInt32 = .max

    /// The heavy-hitter columns of key rows (migration 4; see ``HeavyHitter``): stored keys (low 32 bits of the value
    /// hashes), their counts, and their stored texts (`<8 hex digits of the key>:<text>`).
    package static let heavyIngestColumns: [(name: String, type: String)] = [
        ("hh_hashes", "Array(UInt32)"), ("hh_counts", "Array(UInt64)"), ("hh_texts", "Array(String)"),
    ]

    /// The sample-length columns of catalog rows (migration 5): the UTF-8 bytes of the row's non-empty sample slots and
    /// how many there are, so the average length of a key's values is two sums away (the TSDB status's memory per label
    /// name) instead of a merge of every row's sample texts.
    package static let sampleLengthIngestColumns: [(name: String, type: String)] = [("sample_bytes", "UInt32"), ("sample_items", "UInt32")]

    /// The columns a ``MetadataWriter`` INSERT names, in RowBinary order.
    package static var insertColumns: [(name: String, type: String)] {
        ingestColumns + [fenceDeadlineColumn] + heavyIngestColumns + sampleLengthIngestColumns
    }

    /// The aggregate-state columns of `metadata`: name, `AggregateFunction` type, and the view's expression over the
    /// ingest columns. Read each with the matching `-Merge` (see ``MetadataQueries``).
    package static let stateColumns: [(name: String, type: String, state: String)] = [
        ("first_seen", "AggregateFunction(min, DateTime)", "minState(first_seen)"),
        ("last_seen", "AggregateFunction(max, DateTime)", "maxState(last_seen)"),
        ("count", "AggregateFunction(sum, UInt64)", "sumState(count)"),
        // An empty hash array adds nothing to the state.
        ("cardinality", "AggregateFunction(uniqCombinedArray, Array(UInt64))", "uniqCombinedArrayState(value_hashes)"),
        // Per sample slot the smallest text; 0xFF (an empty slot) loses to every real text.
        ("samples", "AggregateFunction(minForEach, Array(String))", "minForEachState(samples)"),
        // Exact small value sets (at most 10 texts per row, empty when a row overflowed): exact whenever the merged set has
        // at most 10 distinct texts, the only case readers use it.
        ("small_samples", "AggregateFunction(topKArray(10), Array(String))", "topKArrayState(10)(small_values)"),
        ("description", "AggregateFunction(max, String)", "maxState(description)"),
        ("unit", "AggregateFunction(max, String)", "maxState(unit)"),
        ("metric_type", "AggregateFunction(max, UInt8)", "maxState(metric_type)"),
        ("temporality", "AggregateFunction(max, UInt8)", "maxState(temporality)"),
        ("bounds", "AggregateFunction(topKArray(64), Array(Float64))", "topKArrayState(64)(bounds)"),
        ("scales", "AggregateFunction(topKArray(32), Array(Int32))", "topKArrayState(32)(scales)"),
        ("span_kind", "AggregateFunction(max, UInt8)", "maxState(span_kind)"),
        ("flags", "AggregateFunction(groupBitOr, UInt8)", "groupBitOrState(flags)"),
        ("status_codes", "AggregateFunction(groupBitOr, UInt8)", "groupBitOrState(status_codes)"),
        ("severity_number", "AggregateFunction(max, UInt8)", "maxState(severity_number)"),
        ("event_names", "AggregateFunction(topKArray(64), Array(String))", "topKArrayState(64)(event_names)"),
        // The smallest non-empty "name\nversion" wins (rows without a scope do not compete).
        ("instrumentation_scope", "AggregateFunction(min, String)", "minStateIf(instrumentation_scope, instrumentation_scope != '')"),
        ("dropped_attributes_total", "AggregateFunction(sum, UInt64)", "sumState(dropped_attributes_total)"),
        ("dropped_attributes_items", "AggregateFunction(sum, UInt64)", "sumState(dropped_attributes_items)"),
        ("dropped_attributes_max", "AggregateFunction(max, UInt32)", "maxState(dropped_attributes_max)"),
        ("dropped_events_total", "AggregateFunction(sum, UInt64)", "sumState(dropped_events_total)"),
        ("dropped_events_items", "AggregateFunction(sum, UInt64)", "sumState(dropped_events_items)"),
        ("dropped_events_max", "AggregateFunction(max, UInt32)", "maxState(dropped_events_max)"),
        ("dropped_links_total", "AggregateFunction(sum, UInt64)", "sumState(dropped_links_total)"),
        ("dropped_links_items", "AggregateFunction(sum, UInt64)", "sumState(dropped_links_items)"),
        ("dropped_links_max", "AggregateFunction(max, UInt32)", "maxState(dropped_links_max)"),
        ("example", "AggregateFunction(min, String)", "minStateIf(example, example != '')"),
        ("last_offset", "AggregateFunction(max, Int64)", "maxState(last_offset)"),
    ]

    /// The states migration 4 added to `metadata`: counts per stored key (`sumMap`: 18.16 has no `topKWeighted` and no
    /// `sumMap` over strings) and the texts of those hashes (a bounded `topK`: exact while a key-day has at most 3·32
    /// distinct heavy texts). Rows written before migration 4 have empty states.
    package static let heavyStateColumns: [(name: String, type: String, state: String)] = [
        ("heavy_hitters", "AggregateFunction(sumMap, Array(UInt32), Array(UInt64))", "sumMapState(hh_hashes, hh_counts)"),
        ("heavy_texts", "AggregateFunction(topKArray(32), Array(String))", "topKArrayState(32)(hh_texts)"),
    ]

    /// The states migration 5 added to `metadata` (see ``sampleLengthIngestColumns``). Rows written before migration 5
    /// get them from the migration's backfill.
    package static let sampleLengthStateColumns: [(name: String, type: String, state: String)] = [
        ("sample_bytes", "AggregateFunction(sum, UInt64)", "sumState(toUInt64(sample_bytes))"),
        ("sample_items", "AggregateFunction(sum, UInt64)", "sumState(toUInt64(sample_items))"),
    ]

    /// The bounded set states of migration 9, replacing the `topK` states that stood in for `groupUniqArray(N)` (see
    /// ``setStates``).
    package struct SetState: Sendable {
        /// The column in `metadata` (migration 9).
        package let name: String
        /// The `topK` column it replaces (dropped by migration 9), and the `topK`'s parameter.
        package let retired: String
        package let retiredK: Int
        /// The element type and the ingest column the view collects.
        package let element: String
        package let ingest: String
        /// Most entries a merged state keeps (`groupArrayArray(limit)`): several times ``shown`` so that the few repeats
        /// writers send (``SetValueFilter``: once per value, process and hour) never crowd out a distinct value.
        package let limit: Int
        /// Most distinct values a reader shows (the retired `topK`'s parameter).
        package var shown: Int { retiredK }

        package var type: String { "AggregateFunction(groupArrayArray(\(limit)), Array(\(element)))" }
        package var state: String { "groupArrayArrayState(\(limit))(\(ingest))" }
        /// The merged distinct values, sorted, at most ``shown`` (the retired column's answer whenever it had at most
        /// ``shown`` distinct values; it then returned them all).
        package var merged: String { "arraySlice(arraySort(arrayDistinct(groupArrayArrayMerge(\(limit))(\(name)))), 1, \(shown))" }
        /// Every merged distinct value, unsorted (for readers that join or check completeness themselves).
        package var mergedAll: String { "arrayDistinct(groupArrayArrayMerge(\(limit))(\(name)))" }
    }

    /// Histogram bounds of signal rows (64 shown).
    package static let boundSet = SetState(name: "bound_set", retired: "bounds", retiredK: 64, element: "Float64", ingest: "bounds", limit: 256)
    /// Exponential-histogram scales of signal rows (32 shown).
    package static let scaleSet = SetState(name: "scale_set", retired: "scales", retiredK: 32, element: "Int32", ingest: "scales", limit: 128)
    /// Span event names of signal rows (64 shown).
    package static let eventNameSet = SetState(
        name: "event_name_set", retired: "event_names", retiredK: 64, element: "String", ingest: "event_names", limit: 256)
    /// Exact small value sets of key and catalog rows (readers use them only while complete, see
    /// ``ClickHouseMetadataReader`` `decodeSamples`).
    package static let smallSet = SetState(
        name: "small_set", retired: "small_samples", retiredK: 10, element: "String", ingest: "small_values", limit: 128)
    /// Heavy-hitter texts of key rows (joined with `heavy_hitters` by ``HeavyHitter/join(keys:counts:texts:limit:)``).
    package static let heavyTextSet = SetState(
        name: "heavy_text_set", retired: "heavy_texts", retiredK: 32, element: "String", ingest: "hh_texts", limit: 256)

    /// Migration 9's set states. ClickHouse 18.16 has no bounded distinct-set aggregate but `topK`, whose state allocates
    /// its whole counter map for every row the view aggregates — empty or not — and keeps it through merges: measured on
    /// 18.16, an INSERT of 26,500 key rows spent 240–400 ms building `heavy_texts` alone and ~60 ms per empty `topK`
    /// column (docs/PERFORMANCE.md, "Write cost per key row"). `groupArrayArray(N)` keeps what it is given, in order, up
    /// to N entries: as cheap as a plain array and bounded, but not distinct, so writers send each value once
    /// (``SetValueFilter``) and readers take the distinct values.
    package static let setStates: [SetState] = [boundSet, scaleSet, eventNameSet, smallSet, heavyTextSet]

    /// The state columns of `metadata` from migration 9 on, in table order: every earlier state but the retired `topK`s,
    /// then the set states. The view of migration 9 produces exactly these.
    package static var currentStateColumns: [(name: String, type: String, state: String)] {
        let retired = Set(setStates.map(\.retired))
        return (stateColumns + heavyStateColumns + sampleLengthStateColumns).filter { !retired.contains($0.name) }
            + setStates.map { ($0.name, $0.type, $0.state) }
    }

    // MARK: - DDL (every statement is idempotent)

    /// `CREATE DATABASE IF NOT EXISTS`.
    package func createDatabase() -> String {
        "CREATE DATABASE IF NOT EXISTS \(database)\(onCluster)"
    }

    /// `DROP DATABASE IF EXISTS` (a `census report` scratch database).
    package func dropDatabase() -> String {
        "DROP DATABASE IF EXISTS \(database)\(onCluster)"
    }

    /// The table of applied migrations; a version recorded twice is harmless (readers use `max`/`DISTINCT`).
    package func createMigrationsTable() -> String {
        "CREATE TABLE IF NOT EXISTS \(migrationsTable)\(onCluster) (version UInt32, name String, applied_at DateTime) "
            + "ENGINE = \(engine("MergeTree", table: "schema_migrations")) ORDER BY version"
    }

    /// The Null table INSERTs went to in migrations 1–3 (``ingestTableV1``). On a cluster it is created with the fence
    /// columns of migration 3 at once (see ``addFenceColumns()``).
    package func createIngestTable() -> String {
        let fence = cluster == nil ? [] : Self.fenceColumnDefinitions
        let columns = (Self.ingestColumns.map { "\($0.name) \($0.type)" } + fence).joined(separator: ", ")
        return "CREATE TABLE IF NOT EXISTS \(ingestTableV1)\(onCluster) (\(columns)) ENGINE = Null"
    }

    /// Migration 4: heavy hitters. ClickHouse 18.16 cannot change a view's query, so the upgrade adds the new states to
    /// `metadata`, then a second ingest table (every column of the first, the write fence, the heavy-hitter columns) and
    /// a second view into `metadata`. A live store is upgraded in place: stored parts keep their data (the new states
    /// read as empty), and writers switch to the new table when they run this version.
    package func addHeavyHitters() -> [String] {
        let alters = Self.heavyStateColumns.map { "ALTER TABLE \(metadataTable)\(onCluster) ADD COLUMN \($0.name) \($0.type)" }
        let columns =
            (Self.ingestColumns + Self.heavyIngestColumns).map { "\($0.name) \($0.type)" }
            + [
                "\(Self.fenceDeadlineColumn.name) \(Self.fenceDeadlineColumn.type) DEFAULT toDateTime(\(Self.unfencedDeadline))",
                "fence_check UInt8 MATERIALIZED throwIf(now() > \(Self.fenceDeadlineColumn.name))",
            ]
        let key = Self.keyColumns.map(\.name).joined(separator: ", ")
        let states = (Self.stateColumns + Self.heavyStateColumns).map { "\($0.state) AS \($0.name)" }.joined(separator: ", ")
        return alters + [
            "CREATE TABLE IF NOT EXISTS \(ingestTableV4)\(onCluster) (\(columns.joined(separator: ", "))) ENGINE = Null",
            "CREATE MATERIALIZED VIEW IF NOT EXISTS \(viewNameV4)\(onCluster) TO \(metadataTable) AS SELECT \(key), \(states) FROM \(ingestTableV4) GROUP BY \(key)",
        ]
    }

    /// Migration 5: sample lengths (``sampleLengthStateColumns``), added as migration 4 added heavy hitters (new states,
    /// a third ingest table and view), then backfilled for the catalog rows already stored: one INSERT … SELECT that
    /// measures each stored row's merged sample slots. Readers only use the ratio `sample_bytes / sample_items`, so rows a
    /// concurrent writer adds meanwhile (counted by the backfill and by their own write), or a second migrator running
    /// the backfill again, change no answer.
    package func addSampleLengths() -> [String] {
        let alters = Self.sampleLengthStateColumns.map { "ALTER TABLE \(metadataTable)\(onCluster) ADD COLUMN \($0.name) \($0.type)" }
        let columns =
            (Self.ingestColumns + Self.heavyIngestColumns + Self.sampleLengthIngestColumns).map { "\($0.name) \($0.type)" }
            + [
                "\(Self.fenceDeadlineColumn.name) \(Self.fenceDeadlineColumn.type) DEFAULT toDateTime(\(Self.unfencedDeadline))",
                "fence_check UInt8 MATERIALIZED throwIf(now() > \(Self.fenceDeadlineColumn.name))",
            ]
        let key = Self.keyColumns.map(\.name).joined(separator: ", ")
        let states = (Self.stateColumns + Self.heavyStateColumns + Self.sampleLengthStateColumns).map { "\($0.state) AS \($0.name)" }
            .joined(separator: ", ")
        let slots =
            "SELECT \(key), arrayFilter(s -> s != unhex('FF'), minForEachMerge(samples)) AS slots FROM \(metadataTable) "
            + "WHERE kind = \(RowKind.catalog.rawValue) GROUP BY \(key)"
        let backfill =
            "INSERT INTO \(metadataTable) (\(key), sample_bytes, sample_items) SELECT \(key), "
            + "sumState(toUInt64(arraySum(arrayMap(s -> length(s), slots)))), sumState(toUInt64(length(slots))) FROM (\(slots)) GROUP BY \(key)"
        return alters + [
            "CREATE TABLE IF NOT EXISTS \(ingestTableV5)\(onCluster) (\(columns.joined(separator: ", "))) ENGINE = Null",
            "CREATE MATERIALIZED VIEW IF NOT EXISTS \(viewNameV5)\(onCluster) TO \(metadataTable) AS SELECT \(key), \(states) FROM \(ingestTableV5) GROUP BY \(key)",
            backfill,
        ]
    }

    /// Migration 9: set states instead of `topK` (see ``setStates``), in place.
    ///
    /// 1. The ingest tables of earlier versions and their views are dropped (tables first): a writer of an older version
    ///    then gets "table doesn't exist" and commits nothing; it resumes once upgraded. ClickHouse 18.16 cannot alter a
    ///    Null table `ON CLUSTER`, so dropping is also the one way that works on a cluster.
    /// 2. The set states are added to `metadata` and filled from the `topK` states of every stored row (one INSERT …
    ///    SELECT: the stored values, each once; a second migrator repeating it adds repeats, which readers drop).
    /// 3. The `topK` columns are dropped and the ingest table and view of migration 9 created (same ingest columns as
    ///    migration 5, so the RowBinary body is unchanged).
    package func replaceTopKStates() -> [String] {
        let drops =
            [ingestTableV5, ingestTableV4, ingestTableV1].map { "DROP TABLE IF EXISTS \($0)\(onCluster)" }
            + [viewNameV5, viewNameV4, viewNameV1].map { "DROP TABLE IF EXISTS \($0)\(onCluster)" }
        // One ALTER per step (on a cluster every statement is a round of distributed DDL): ClickHouse applies its
        // commands together, so a second migrator's repeat fails whole ("already exists"/"not found": done).
        let alters = ["ALTER TABLE \(metadataTable)\(onCluster) " + Self.setStates.map { "ADD COLUMN \($0.name) \($0.type)" }.joined(separator: ", ")]
        let key = Self.keyColumns.map(\.name).joined(separator: ", ")
        let values = Self.setStates.map { "topKArrayMerge(\($0.retiredK))(\($0.retired)) AS v_\($0.name)" }.joined(separator: ", ")
        let states = Self.setStates.map { "groupArrayArrayState(\($0.limit))(v_\($0.name))" }.joined(separator: ", ")
        let backfill =
            "INSERT INTO \(metadataTable) (\(key), \(Self.setStates.map(\.name).joined(separator: ", "))) SELECT \(key), \(states) FROM "
            + "(SELECT \(key), \(values) FROM \(metadataTable) WHERE kind IN (\(RowKind.signal.rawValue), \(RowKind.key.rawValue), "
            + "\(RowKind.catalog.rawValue)) GROUP BY \(key)) WHERE "
            + Self.setStates.map { "length(v_\($0.name))" }.joined(separator: " + ") + " > 0 GROUP BY \(key)"
        let dropColumns = ["ALTER TABLE \(metadataTable)\(onCluster) " + Self.setStates.map { "DROP COLUMN \($0.retired)" }.joined(separator: ", ")]
        return drops + alters + [backfill] + dropColumns + [createCurrentIngestTable(), createCurrentView()]
    }

    /// The ingest table writers use now (migration 9: the columns of migration 5 and the write fence).
    func createCurrentIngestTable() -> String {
        let columns =
            (Self.ingestColumns + Self.heavyIngestColumns + Self.sampleLengthIngestColumns).map { "\($0.name) \($0.type)" }
            + Self.fenceColumnDefinitions
        return "CREATE TABLE IF NOT EXISTS \(ingestTable)\(onCluster) (\(columns.joined(separator: ", "))) ENGINE = Null"
    }

    /// The view writers' rows go through now (migration 9): ``currentStateColumns`` into `metadata`.
    func createCurrentView() -> String {
        let key = Self.keyColumns.map(\.name).joined(separator: ", ")
        let viewStates = Self.currentStateColumns.map { "\($0.state) AS \($0.name)" }.joined(separator: ", ")
        return
            "CREATE MATERIALIZED VIEW IF NOT EXISTS \(viewName)\(onCluster) TO \(metadataTable) AS SELECT \(key), \(viewStates) FROM \(ingestTable) GROUP BY \(key)"
    }

    /// Every table and view of the latest migration, for a database that holds none of census's tables yet (see
    /// ``Migrator/migrate(upTo:)``): the same objects, columns and column order as migrations 1–9 leave, created directly.
    /// A new store — above all on a cluster, where every `ALTER … ON CLUSTER` is a round of distributed DDL that
    /// ClickHouse 18.16 can lose a host in (docs/CLICKHOUSE.md) — then needs only `CREATE … IF NOT EXISTS` statements:
    /// no ALTER, no backfill of empty tables, no old ingest tables to create and drop again.
    package func createCurrent() -> [String] {
        [
            createMetadataTable(states: Self.currentStateColumns), createQuarantineTable(), createSessionsTable(), createWatchesTable(),
            createCurrentIngestTable(), createCurrentView(),
        ]
    }

    /// The tables ``createCurrent()`` creates (unqualified names), and `schema_migrations`.
    package var currentTableNames: Set<String> {
        Set([metadataTable, quarantineTable, sessionsTable, watchesTable, ingestTable, viewName, migrationsTable].map(unqualified))
    }

    /// The table name of `database.table` (as `system.tables` lists it).
    package func unqualified(_ qualified: String) -> String {
        String(qualified.dropFirst(database.count + 1))
    }

    /// Migration 3: the write-fence columns of the ingest table (see ``fenceDeadlineColumn``). `ALTER … ADD COLUMN` on the
    /// Null table changes nothing stored and leaves the view alone, so a live store is upgraded in place and writers of
    /// the previous version keep working (their rows get the never-expiring default).
    ///
    /// On a cluster there is nothing to do: ClickHouse 18.16 refuses `ALTER … ON CLUSTER` on a table that is not
    /// replicated when the cluster's shards are (code 371), and no census version older than migration 3 can have written
    /// a cluster's store (clusters came later), so ``createIngestTable()`` has the columns from the start.
    package func addFenceColumns() -> [String] {
        guard cluster == nil else { return [] }
        return [
            "ALTER TABLE \(ingestTableV1) ADD COLUMN \(Self.fenceDeadlineColumn.name) \(Self.fenceDeadlineColumn.type) DEFAULT toDateTime(\(Self.unfencedDeadline))",
            "ALTER TABLE \(ingestTableV1) ADD COLUMN fence_check UInt8 MATERIALIZED throwIf(now() > \(Self.fenceDeadlineColumn.name))",
        ]
    }

    /// The write-fence column definitions of an ingest table (see ``fenceDeadlineColumn``).
    static var fenceColumnDefinitions: [String] {
        [
            "\(fenceDeadlineColumn.name) \(fenceDeadlineColumn.type) DEFAULT toDateTime(\(unfencedDeadline))",
            "fence_check UInt8 MATERIALIZED throwIf(now() > \(fenceDeadlineColumn.name))",
        ]
    }

    /// The AggregatingMergeTree of states: those of migration 1 by default, ``currentStateColumns`` for a new store.
    package func createMetadataTable(states: [(name: String, type: String, state: String)] = Schema.stateColumns) -> String {
        let columns = (Self.keyColumns.map { "\($0.name) \($0.type)" } + states.map { "\($0.name) \($0.type)" })
            .joined(separator: ", ")
        let key = Self.keyColumns.map(\.name).joined(separator: ", ")
        return
            "CREATE TABLE IF NOT EXISTS \(metadataTable)\(onCluster) (\(columns)) ENGINE = \(engine("AggregatingMergeTree", table: "metadata")) ORDER BY (\(key)) SETTINGS index_granularity = 256"
    }

    /// The quarantine table: one row per (topic, partition, offset); duplicates from retries or replays are merged away
    /// by the engine and never shown by reads (which group by the key).
    package func createQuarantineTable() -> String {
        let columns = QuarantineQueries.columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        return
            "CREATE TABLE IF NOT EXISTS \(quarantineTable)\(onCluster) (\(columns)) ENGINE = \(engine("ReplacingMergeTree", table: "quarantine")) ORDER BY (topic, kafka_partition, kafka_offset)"
    }

    /// The sessions table of migration 6: one row per write, the newest `version` of a name wins (readers use `argMax`,
    /// so the answer does not depend on when ClickHouse merges); a delete writes a row with `deleted = 1`.
    package func createSessionsTable() -> String {
        let columns = SessionQueries.columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        return
            "CREATE TABLE IF NOT EXISTS \(sessionsTable)\(onCluster) (\(columns)) ENGINE = \(engine("ReplacingMergeTree", arguments: "version", table: "sessions")) ORDER BY name"
    }

    /// The watch list of migration 7: one row per change, the newest `version` of a key says whether it is watched
    /// (readers reduce per key, so the answer does not depend on when ClickHouse merges).
    package func createWatchesTable() -> String {
        let columns = WatchQueries.columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
        return
            "CREATE TABLE IF NOT EXISTS \(watchesTable)\(onCluster) (\(columns)) ENGINE = \(engine("ReplacingMergeTree", arguments: "version", table: "watches")) ORDER BY key"
    }

    /// Migration 8: watch coverage (``RowKind/watchCoverage``, ``WatchCoverage``). Versions before it collected watched
    /// values without saying for which offsets, so every key of the watch list (active or not) is declared covered over
    /// every offset applied now: one INSERT … SELECT that copies each progress segment into a coverage row per key.
    /// `census replay --fill-watched` then never adds to what an earlier version collected (it fills nothing of those
    /// keys' past; a clear and a replay rebuilds it). Coverage rows keep the maximum last offset per segment, so a second
    /// migrator running the backfill again changes nothing. Nothing changes in the table's structure; the statement is
    /// an `INSERT`, which a replicated table replicates (no `ON CLUSTER`).
    package func backfillWatchCoverage() -> String {
        let key = Self.keyColumns.map(\.name).joined(separator: ", ")
        let progress =
            "SELECT name AS topic, key AS partition, if(service = '', '0', service) AS incarnation, if(sub = '', '0', sub) AS start, day, "
            + "maxMerge(last_offset) AS last FROM \(metadataTable) WHERE kind = \(RowKind.progress.rawValue) GROUP BY name, key, service, sub, day"
        return "INSERT INTO \(metadataTable) (\(key), last_offset) SELECT toUInt8(\(RowKind.watchCoverage.rawValue)), toUInt8(0), "
            + "arrayJoin((SELECT groupUniqArray(key) FROM \(watchesTable))) AS watched, topic, toUInt8(0), concat(incarnation, ':', start), partition, day, "
            + "maxState(last) FROM (\(progress)) GROUP BY watched, topic, incarnation, start, partition, day"
    }

    /// The view of migration 1, from ``ingestTableV1``: aggregates each inserted block by the key columns into states.
    package func createView() -> String {
        let key = Self.keyColumns.map(\.name).joined(separator: ", ")
        let states = Self.stateColumns.map { "\($0.state) AS \($0.name)" }.joined(separator: ", ")
        return
            "CREATE MATERIALIZED VIEW IF NOT EXISTS \(viewNameV1)\(onCluster) TO \(metadataTable) AS SELECT \(key), \(states) FROM \(ingestTableV1) GROUP BY \(key)"
    }
}
