import Logging

/// ``QuarantineReading`` over ClickHouse: two SELECTs per page (the page and the total), run concurrently.
package struct ClickHouseQuarantineReader: QuarantineReading {
    /// The database read.
    package let schema: Schema
    private let client: ClickHouseClient
    private let logger: Logger

    /// - Parameters:
    ///   - client: The ClickHouse connection.
    ///   - schema: Which database (default `census`).
    ///   - logger: Used for every query.
    package init(client: ClickHouseClient, schema: Schema = .default, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    package func quarantined(limit: Int, offset: Int) async throws -> Page<QuarantinedRecord> {
        async let pageBytes = client.execute(QuarantineQueries.page(schema, limit: limit, offset: offset), logger: logger)
        async let totalBytes = client.execute(QuarantineQueries.count(schema), logger: logger)
        var decoder = RowBinaryDecoder(try await pageBytes)
        var items: [QuarantinedRecord] = []
        while !decoder.isAtEnd {
            let topic = try decoder.string()
            let partition = try decoder.int32()
            let offset = try decoder.int64()
            let timestamp = try decoder.uint32()
            let size = try decoder.uint64()
            let error = try decoder.string()
            let firstBytes = Array(try decoder.bytesValue())
            items.append(
                QuarantinedRecord(
                    topic: topic, partition: partition, offset: offset, timestamp: timestamp, size: size, error: error,
                    firstBytes: firstBytes))
        }
        var total = RowBinaryDecoder(try await totalBytes)
        return Page(items: items, total: Int(try total.uint64()))
    }
}
