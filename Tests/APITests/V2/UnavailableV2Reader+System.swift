import Store

extension UnavailableV2Reader {
    func clickHouseStatus() async throws -> ClickHouseStatus { throw Unavailable() }
    func tableStatistics() async throws -> [TableStatistics] { throw Unavailable() }
}
