import Store

extension UnavailableV2Reader {
    func history(_ query: HistoryQuery) async throws -> [HistoryPoint] { throw Unavailable() }
    func changes(_ query: ChangeQuery) async throws -> ChangeReport { throw Unavailable() }
}
