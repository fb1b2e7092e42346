/// ``SystemReading`` over ClickHouse: the status is one query (two when the server has `system.disks`), the tables two
/// concurrent queries.
extension ClickHouseMetadataReader: SystemReading {
    package func clickHouseStatus() async throws -> ClickHouseStatus {
        var decoder = RowBinaryDecoder(try await fetch(V2Queries.clickHouseStatus(schema)))
        var status = ClickHouseStatus(
            version: try decoder.string(), uptimeSeconds: try decoder.uint64(), mergesInProgress: try decoder.uint64(),
            mutationsInProgress: try decoder.uint64(), activeParts: try decoder.uint64(), disk: nil)
        if try decoder.uint8() != 0 {
            var disks = RowBinaryDecoder(try await fetch(V2Queries.diskSpace()))
            status.disk = ClickHouseStatus.DiskSpace(freeBytes: try disks.uint64(), totalBytes: try disks.uint64())
        }
        return status
    }

    package func tableStatistics() async throws -> [TableStatistics] {
        async let tableBytes = fetch(V2Queries.tables(schema))
        async let partBytes = fetch(V2Queries.tableParts(schema))
        var tables: [TableStatistics] = []
        var decoder = RowBinaryDecoder(try await tableBytes)
        while !decoder.isAtEnd {
            tables.append(TableStatistics(name: try decoder.string(), engine: try decoder.string()))
        }
        var parts = RowBinaryDecoder(try await partBytes)
        while !parts.isAtEnd {
            let name = try parts.string()
            let rows = try parts.uint64()
            let onDisk = try parts.uint64()
            let compressed = try parts.uint64()
            let uncompressed = try parts.uint64()
            let count = try parts.uint64()
            guard let index = tables.firstIndex(where: { $0.name == name }) else { continue }
            tables[index].rows = rows
            tables[index].bytesOnDisk = onDisk
            tables[index].compressedBytes = compressed
            tables[index].uncompressedBytes = uncompressed
            tables[index].activeParts = count
        }
        return tables
    }
}
