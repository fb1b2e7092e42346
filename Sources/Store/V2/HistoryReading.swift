/// Series over time and the changes feed (`/api/v2/history`, `/api/v2/changes`, `census changes`).
package protocol HistoryReading: Sendable {
    /// One point per UTC day of `query.range` on which the name (or the name's key) has data, oldest first; at most
    /// ``V2Queries/maxDays`` points (the newest ones when the range holds more). Empty when nothing matches.
    func history(_ query: HistoryQuery) async throws -> [HistoryPoint]

    /// What changed in `query`'s window compared with its baseline (see ``ChangeQuery`` and ``ChangeDetector``).
    func changes(_ query: ChangeQuery) async throws -> ChangeReport
}
