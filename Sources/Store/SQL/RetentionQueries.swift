/// The statements of ``MetadataRetention``: data rows of days before a cutoff are removed from `metadata` with a
/// mutation (`ALTER TABLE … DELETE`, on ClickHouse 18.16 as on 26.x); progress rows (kind 4, day 0) and watch coverage rows (kind 8, day 0) never are.
package enum RetentionQueries {
    /// One row: rows UInt64 (1 when `metadata` holds a data row of a day before `cutoff`, else 0: the scan stops at
    /// the first row), pending UInt64 (mutations of `metadata` the server has not finished).
    package static func probe(_ schema: Schema, cutoff: UInt16) -> String {
        "SELECT toUInt64(count()), "
            + V2Queries.scalar(
                "SELECT count() FROM system.mutations WHERE database = \(SQLLiteral.string(schema.database)) "
                    + "AND table = 'metadata' AND is_done = 0")
            + " FROM (SELECT kind FROM \(schema.metadataTable) WHERE \(rowsBefore(cutoff)) LIMIT 1) FORMAT RowBinary"
    }

    /// Removes every data row of a day before `cutoff` (asynchronously: the server runs the mutation part by part).
    package static func deleteRowsBefore(_ schema: Schema, cutoff: UInt16) -> String {
        "ALTER TABLE \(schema.metadataTable) DELETE WHERE \(rowsBefore(cutoff))"
    }

    private static func rowsBefore(_ cutoff: UInt16) -> String {
        "kind NOT IN (\(Schema.RowKind.progress.rawValue), \(Schema.RowKind.watchCoverage.rawValue)) AND day < toDate(\(SQLLiteral.string(DayRange.format(cutoff))))"
    }
}
