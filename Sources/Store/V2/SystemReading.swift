/// Store statistics (`/api/v2/system/clickhouse`, `/api/v2/system/tables`).
package protocol SystemReading: Sendable {
    /// The server's version, uptime, merges, mutations, active parts of census's tables and disk space.
    func clickHouseStatus() async throws -> ClickHouseStatus

    /// Every table of the census database with its storage figures, ordered by name.
    func tableStatistics() async throws -> [TableStatistics]
}
