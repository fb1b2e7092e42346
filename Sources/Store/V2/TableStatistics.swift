/// One table of the census database, as `/api/v2/system/tables` reports it (from `system.tables` and the active parts
/// in `system.parts`; tables that store nothing, such as the Null ingest table and the view, have zeros).
package struct TableStatistics: Sendable, Hashable {
    package var name: String
    /// `system.tables.engine`, e.g. `AggregatingMergeTree`, `Null`, `MaterializedView`.
    package var engine: String
    /// Rows over active parts (before merging: an aggregate may still be spread over several parts).
    package var rows: UInt64
    /// Bytes of the active parts on disk (data, marks, index).
    package var bytesOnDisk: UInt64
    /// Compressed bytes of the active parts' column data.
    package var compressedBytes: UInt64
    /// Uncompressed bytes of the active parts' column data.
    package var uncompressedBytes: UInt64
    package var activeParts: UInt64

    /// `uncompressedBytes / compressedBytes`, or `nil` when nothing is stored.
    package var compressionRatio: Double? {
        compressedBytes == 0 ? nil : Double(uncompressedBytes) / Double(compressedBytes)
    }

    package init(
        name: String, engine: String, rows: UInt64 = 0, bytesOnDisk: UInt64 = 0, compressedBytes: UInt64 = 0, uncompressedBytes: UInt64 = 0,
        activeParts: UInt64 = 0
    ) {
        self.name = name
        self.engine = engine
        self.rows = rows
        self.bytesOnDisk = bytesOnDisk
        self.compressedBytes = compressedBytes
        self.uncompressedBytes = uncompressedBytes
        self.activeParts = activeParts
    }
}
