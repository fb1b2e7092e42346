/// SQL of ``SystemReading``: the server's system tables, restricted to census's database. Column names exist on 18.16
/// and 26.x alike (`system.parts.bytes_on_disk`, `data_compressed_bytes`, `data_uncompressed_bytes`, `active`);
/// `system.disks` only from 19.15 on, so it is read only when ``clickHouseStatus(_:)`` found it.
extension V2Queries {
    /// One row: version String, uptime UInt64, merges UInt64, unfinished mutations UInt64, active parts UInt64,
    /// whether `system.disks` exists UInt8.
    package static func clickHouseStatus(_ schema: Schema) -> String {
        let database = SQLLiteral.string(schema.database)
        return "SELECT version(), toUInt64(uptime()), "
            + scalar("SELECT count() FROM system.merges WHERE database = \(database)") + ", "
            + scalar("SELECT count() FROM system.mutations WHERE database = \(database) AND is_done = 0") + ", "
            + scalar("SELECT count() FROM system.parts WHERE database = \(database) AND active") + ", "
            + "toUInt8(" + scalar("SELECT count() FROM system.tables WHERE database = 'system' AND name = 'disks'") + " > 0) FORMAT RowBinary"
    }

    /// A scalar subquery as `UInt64`: 26.x types a scalar subquery `Nullable` (one more byte in RowBinary), 18.16 does not.
    static func scalar(_ subquery: String) -> String {
        "toUInt64(ifNull((\(subquery)), 0))"
    }

    /// One row: free bytes UInt64, total bytes UInt64, summed over `system.disks`.
    /// - Precondition: the server has `system.disks` (``clickHouseStatus(_:)``).
    package static func diskSpace() -> String {
        "SELECT toUInt64(sum(free_space)), toUInt64(sum(total_space)) FROM system.disks FORMAT RowBinary"
    }

    /// The database's tables. Columns: name String, engine String; ordered by name.
    package static func tables(_ schema: Schema) -> String {
        "SELECT name, engine FROM system.tables WHERE database = \(SQLLiteral.string(schema.database)) ORDER BY name FORMAT RowBinary"
    }

    /// Active parts per table of the database. Columns: table String, rows UInt64, bytes on disk UInt64, compressed
    /// bytes UInt64, uncompressed bytes UInt64, parts UInt64; ordered by table.
    package static func tableParts(_ schema: Schema) -> String {
        "SELECT table, toUInt64(sum(rows)), toUInt64(sum(bytes_on_disk)), toUInt64(sum(data_compressed_bytes)), "
            + "toUInt64(sum(data_uncompressed_bytes)), toUInt64(count()) FROM system.parts "
            + "WHERE database = \(SQLLiteral.string(schema.database)) AND active GROUP BY table ORDER BY table FORMAT RowBinary"
    }
}
