import Store

extension UnavailableV2Reader {
    func keyUsage(key: String, range: DayRange, limit: Int, offset: Int) async throws -> KeyUsage? { throw Unavailable() }
    func serviceUsage(service: String, signal: Signal?, range: DayRange, limit: Int, offset: Int) async throws -> ServiceUsage? {
        throw Unavailable()
    }
}
