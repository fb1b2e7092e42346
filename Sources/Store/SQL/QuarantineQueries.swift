/// The statements of the `quarantine` table (see ``Schema/createQuarantineTable()``). Values enter only through ``SQLLiteral``.
///
/// Reads group by the table's key `(topic, kafka_partition, kafka_offset)`, so a record written twice (a retried flush
/// or a replay) is listed and counted once, before and after ClickHouse merged the duplicates away.
package enum QuarantineQueries {
    /// Columns of ``Schema/quarantineTable``, in the RowBinary order of ``insert(_:)``.
    package static let columns: [(name: String, type: String)] = [
        ("topic", "String"), ("kafka_partition", "Int32"), ("kafka_offset", "Int64"), ("record_time", "DateTime"),
        ("size", "UInt64"), ("error", "String"), ("first_bytes", "String"), ("quarantined_at", "DateTime"),
    ]

    /// The INSERT a quarantine body goes with (RowBinary in ``columns`` order).
    package static func insert(_ schema: Schema) -> String {
        "INSERT INTO \(schema.quarantineTable) (\(columns.map(\.name).joined(separator: ", "))) FORMAT RowBinary"
    }

    /// One page ordered by topic, partition, offset. Columns: topic String, partition Int32, offset Int64,
    /// record_time UInt32, size UInt64, error String, first_bytes String.
    package static func page(_ schema: Schema, limit: Int, offset: Int) -> String {
        "SELECT topic, kafka_partition, kafka_offset, toUInt32(any(record_time)), toUInt64(any(size)), any(error), any(first_bytes) "
            + "FROM \(schema.quarantineTable) GROUP BY topic, kafka_partition, kafka_offset "
            + "ORDER BY topic, kafka_partition, kafka_offset LIMIT \(SQLLiteral.integer(max(0, limit))) OFFSET \(SQLLiteral.integer(max(0, offset))) "
            + "FORMAT RowBinary"
    }

    /// One `UInt64`: the number of distinct quarantined records.
    package static func count(_ schema: Schema) -> String {
        "SELECT toUInt64(count()) FROM (SELECT topic FROM \(schema.quarantineTable) GROUP BY topic, kafka_partition, kafka_offset) FORMAT RowBinary"
    }

    /// Removes every quarantined record.
    package static func truncate(_ schema: Schema) -> String {
        "TRUNCATE TABLE \(schema.quarantineTable)"
    }
}
