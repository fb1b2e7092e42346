/// The SQL of the V2 reads, one extension per capability (`V2Queries+<Capability>.swift`). As in ``MetadataQueries``:
/// values enter only through ``SQLLiteral``, states are merged with `-Merge` (never `FINAL`), every SELECT asks for
/// `FORMAT RowBinary` with explicit casts so types are the same on ClickHouse 18.16 and 26.x, and no read touches
/// O(values) rows: rows are per (name, service, key, day), so a read's cost is bounded by keys × days in its range.
package enum V2Queries {
    /// ` AND day >= toDate('…') AND day <= toDate('…')` for the bounded ends of `range` ("" for all time). Rows without
    /// a day (progress) never match a bounded range.
    package static func days(_ range: DayRange) -> String {
        var sql = ""
        if let from = range.from { sql += " AND day >= toDate(\(SQLLiteral.string(DayRange.format(from))))" }
        if let to = range.to { sql += " AND day <= toDate(\(SQLLiteral.string(DayRange.format(to))))" }
        return sql
    }

    /// The most days one read answers per series (ten years): `/history` ranges are clamped to it.
    package static let maxDays = 3_660
}
