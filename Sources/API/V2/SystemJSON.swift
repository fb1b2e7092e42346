import Store

/// JSON of `/api/v2/system/clickhouse` and `/api/v2/system/tables`.
enum SystemJSON {
    static func writeClickHouseStatus(_ status: ClickHouseStatus, to json: inout JSONWriter) {
        json.beginObject()
        json.field("version", status.version)
        json.field("uptime_seconds", status.uptimeSeconds)
        json.field("merges_in_progress", status.mergesInProgress)
        json.field("mutations_in_progress", status.mutationsInProgress)
        json.field("active_parts", status.activeParts)
        json.key("disk_free_bytes")
        if let disk = status.disk { json.int(disk.freeBytes) } else { json.null() }
        json.key("disk_total_bytes")
        if let disk = status.disk { json.int(disk.totalBytes) } else { json.null() }
        json.endObject()
    }

    static func writeTable(_ table: TableStatistics, to json: inout JSONWriter) {
        json.beginObject()
        json.field("table", table.name)
        json.field("engine", table.engine)
        json.field("rows", table.rows)
        json.field("bytes_on_disk", table.bytesOnDisk)
        json.field("compressed_bytes", table.compressedBytes)
        json.field("uncompressed_bytes", table.uncompressedBytes)
        json.key("compression_ratio")
        if let ratio = table.compressionRatio { json.double(ratio) } else { json.null() }
        json.field("active_parts", table.activeParts)
        json.endObject()
    }
}
