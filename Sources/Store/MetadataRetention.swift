import Logging

/// Drops old days from `metadata` (`--retention-days`). One pass is idempotent, so any number of census processes may
/// run passes against one database at once.
package struct MetadataRetention: Sendable {
    /// The database pruned.
    package let schema: Schema
    private let client: ClickHouseClient
    private let logger: Logger

    /// - Parameters:
    ///   - client: The ClickHouse connection (the writer's: the mutation is maintenance, not an API read).
    ///   - schema: Which database.
    ///   - logger: Used for this type's calls.
    package init(client: ClickHouseClient, schema: Schema = .default, logger: Logger) {
        self.client = client
        self.schema = schema
        self.logger = logger
    }

    /// The first day kept when `days` days are retained on `today`: today and the `days - 1` days before it.
    /// - Precondition: `days` is at least 1.
    package static func cutoff(today: UInt16, days: Int) -> UInt16 {
        let first = Int(today) - days + 1
        return UInt16(clamping: max(0, first))
    }

    /// Removes every data row of a day before `cutoff`, progress rows excepted: a cheap probe first (`LIMIT 1`), the
    /// `ALTER TABLE … DELETE` mutation only when it finds such a row. The mutation runs in the server after this returns.
    ///
    /// - Returns: Whether a mutation was started.
    /// - Throws: What the ClickHouse client throws.
    package func deleteDays(before cutoff: UInt16) async throws -> Bool {
        var decoder = RowBinaryDecoder(try await client.execute(RetentionQueries.hasRowsBefore(schema, cutoff: cutoff), logger: logger))
        guard !decoder.isAtEnd, try decoder.uint64() > 0 else { return false }
        _ = try await client.execute(RetentionQueries.deleteRowsBefore(schema, cutoff: cutoff), logger: logger)
        return true
    }
}
