/// Everything the V2 API (`/api/v2/...`) reads. Each capability is its own protocol, in its own file beside this one,
/// implemented by ``ClickHouseMetadataReader`` in `ClickHouseMetadataReader+<Capability>.swift` with its SQL in
/// `Store/SQL/V2Queries+<Capability>.swift`.
package typealias V2Reading = HistoryReading & ExplorerReading & LabelReading & SystemReading
