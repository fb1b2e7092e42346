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

    /// What one ``deleteDays(before:)`` call did.
    package enum Outcome: Sendable, Hashable {
        /// No data row of a day before the cutoff: nothing to do.
        case nothingToDelete
        /// A mutation of `metadata` is still running (an earlier pass's): no second one is stacked on it.
        case mutationPending
        /// The DELETE mutation was started.
        case deleteStarted
    }

    /// Removes every data row of a day before `cutoff`, progress rows excepted: a cheap probe first (`LIMIT 1`, and the
    /// table's unfinished mutations), the `ALTER TABLE … DELETE` mutation only when it finds such a row and no mutation
    /// is running. The mutation runs in the server after this returns.
    ///
    /// - Throws: What the ClickHouse client throws.
    package func deleteDays(before cutoff: UInt16) async throws -> Outcome {
        var decoder = RowBinaryDecoder(try await client.execute(RetentionQueries.probe(schema, cutoff: cutoff), logger: logger))
        guard !decoder.isAtEnd else { return .nothingToDelete }
        let rows = try decoder.uint64()
        let pending = try decoder.uint64()
        if rows == 0 { return .nothingToDelete }
        if pending > 0 { return .mutationPending }
        _ = try await client.execute(RetentionQueries.deleteRowsBefore(schema, cutoff: cutoff), logger: logger)
        return .deleteStarted
    }
}
